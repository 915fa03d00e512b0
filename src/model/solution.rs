//! The solution record (解决方案): plan, time plan, resources, quotation, risks, reviews,
//! approval and handover.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Solution {
    pub id: String,
    pub request: String,
    pub title: String,
    pub version: u32,
    pub author: String,
    pub created: Timestamp,
    /// Technical plan in Markdown, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Technical plan kept in a Markdown file of the repository, relative to the store root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotation: Option<Quotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewRound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<Handover>,
    /// The solution this one replaces, and the one that replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Solution {
    const KIND: Kind = Kind::Solution;
    fn id(&self) -> &str {
        &self.id
    }
    fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    fn history_mut(&mut self) -> &mut Vec<HistoryEntry> {
        &mut self.history
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Milestone {
    pub name: String,
    pub date: NaiveDate,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Resource {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[schemars(with = "String")]
    pub days: Decimal,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quotation {
    pub currency: String,
    #[serde(default)]
    pub lines: Vec<QuoteLine>,
    /// A discount on the subtotal, as given: a percentage (`5%`) or an amount (`1000.00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub discount: Option<Adjustment>,
    /// A tax on the discounted subtotal, as a percentage (`13%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub tax: Option<Adjustment>,
    /// (subtotal − discount) × (1 + tax), each figure rounded half-up to cents.
    #[schemars(with = "String")]
    pub total: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuoteLine {
    pub item: String,
    #[schemars(with = "String")]
    pub quantity: Decimal,
    #[schemars(with = "String")]
    pub unit_price: Decimal,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Risk {
    pub description: String,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReviewRound {
    pub round: u32,
    pub opened: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Timestamp>,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Verdict {
    /// Stable id (store format 2), so merges union verdicts given on two branches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reviewer: String,
    pub verdict: VerdictKind,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Pass,
    Revise,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Approval {
    pub by: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Handover {
    pub to: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<Training>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A training session given to sales at handover (方案交接与培训).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Training {
    pub date: NaiveDate,
    pub topic: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A discount or a tax as the user gave it: a percentage of the amount it applies to, or an
/// amount in the quotation's currency. Written back exactly as given (`5%`, `1000.00`), so
/// the figures are recomputed from the same numbers wherever they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    Percent(Decimal),
    Amount(Decimal),
}

impl Adjustment {
    pub fn is_zero(&self) -> bool {
        match self {
            Adjustment::Percent(d) | Adjustment::Amount(d) => d.is_zero(),
        }
    }
}

impl std::fmt::Display for Adjustment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Adjustment::Percent(p) => write!(f, "{p}%"),
            Adjustment::Amount(a) => write!(f, "{a}"),
        }
    }
}

impl std::str::FromStr for Adjustment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (num, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let d: Decimal = num.parse().map_err(|_| {
            format!("`{s}` is neither a percentage (e.g. 5%) nor an amount (e.g. 1000.00)")
        })?;
        Ok(if percent {
            Adjustment::Percent(d)
        } else {
            Adjustment::Amount(d)
        })
    }
}

impl Serialize for Adjustment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Adjustment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A plain number in a hand-edited file is an amount, as if quoted.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Int(i) => i.to_string(),
            Raw::Float(f) => f.to_string(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The figures of a quotation, each rounded half-up to cents: what `solution show` and the
/// Markdown export print, and what `total` must equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Σ quantity × unit price.
    pub subtotal: Decimal,
    /// The discount as an amount (0 without one).
    pub discount: Decimal,
    /// The tax as an amount (0 without one).
    pub tax: Decimal,
    /// subtotal − discount + tax.
    pub total: Decimal,
}

/// Why a quotation's figures cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteProblem {
    /// Beyond what a decimal holds (about 7.9 × 10²⁸).
    TooLarge,
    /// A discount above the subtotal (or above 100 %), or below zero.
    Discount(String),
    /// A tax that is not a percentage from 0 to 100.
    Tax(String),
}

impl std::fmt::Display for QuoteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuoteProblem::TooLarge => f.write_str(
                "the quotation's figures are beyond what a decimal holds (about 7.9 × 10²⁸)",
            ),
            QuoteProblem::Discount(m) | QuoteProblem::Tax(m) => f.write_str(m),
        }
    }
}

/// Half-up to cents, shown with two decimals where they fit.
fn cents(mut d: Decimal) -> Decimal {
    d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Two decimals do not fit beside 28 integer digits: keep what fits.
    if d.scale() < 2 && d.abs() < Decimal::from_i128_with_scale(10_i128.pow(26), 0) {
        d.rescale(2);
    }
    d
}

impl Quotation {
    /// The subtotal, the discount and tax as amounts, and the total: total = (subtotal −
    /// discount) × (1 + tax), with the discount and the tax each rounded half-up to cents
    /// so that the printed figures add up. Never panics: a hand-edited file may hold
    /// anything.
    pub fn figures(&self) -> Result<Figures, QuoteProblem> {
        Self::compute(&self.lines, self.discount, self.tax)
    }

    /// [`Quotation::figures`] for lines, a discount and a tax not yet in a quotation.
    pub fn compute(
        lines: &[QuoteLine],
        discount: Option<Adjustment>,
        tax: Option<Adjustment>,
    ) -> Result<Figures, QuoteProblem> {
        let hundred = Decimal::ONE_HUNDRED;
        let subtotal = Self::compute_total(lines).ok_or(QuoteProblem::TooLarge)?;
        let discount = match discount {
            None => Decimal::ZERO,
            Some(Adjustment::Percent(p)) => {
                if p < Decimal::ZERO || p > hundred {
                    return Err(QuoteProblem::Discount(format!(
                        "a discount of {p}% is not between 0% and 100%"
                    )));
                }
                cents(
                    subtotal
                        .checked_mul(p)
                        .and_then(|x| x.checked_div(hundred))
                        .ok_or(QuoteProblem::TooLarge)?,
                )
            }
            Some(Adjustment::Amount(a)) => {
                if a < Decimal::ZERO {
                    return Err(QuoteProblem::Discount(format!(
                        "a discount of {a} is negative"
                    )));
                }
                if a > subtotal {
                    return Err(QuoteProblem::Discount(format!(
                        "the discount {a} exceeds the subtotal {subtotal}"
                    )));
                }
                cents(a)
            }
        };
        let net = subtotal
            .checked_sub(discount)
            .ok_or(QuoteProblem::TooLarge)?;
        let tax = match tax {
            None => Decimal::ZERO,
            Some(Adjustment::Percent(p)) => {
                if p < Decimal::ZERO || p > hundred {
                    return Err(QuoteProblem::Tax(format!(
                        "a tax of {p}% is not between 0% and 100%"
                    )));
                }
                cents(
                    net.checked_mul(p)
                        .and_then(|x| x.checked_div(hundred))
                        .ok_or(QuoteProblem::TooLarge)?,
                )
            }
            Some(Adjustment::Amount(a)) => {
                return Err(QuoteProblem::Tax(format!(
                    "a tax is a percentage (e.g. 13%), not an amount ({a})"
                )));
            }
        };
        let total = cents(net.checked_add(tax).ok_or(QuoteProblem::TooLarge)?);
        Ok(Figures {
            subtotal,
            discount,
            tax,
            total,
        })
    }

    /// Σ quantity × unit price, rounded half-up to cents and shown with two decimals;
    /// `None` when the total is beyond what a decimal holds (about 7.9 × 10²⁸).
    pub fn compute_total(lines: &[QuoteLine]) -> Option<Decimal> {
        let mut total = Decimal::ZERO;
        for l in lines {
            total = total.checked_add(l.quantity.checked_mul(l.unit_price)?)?;
        }
        Some(cents(total))
    }
}

impl Risk {
    /// Likelihood × impact, 1–25 (saturating: a hand-edited file may hold larger values).
    pub fn score(&self) -> u8 {
        self.likelihood.saturating_mul(self.impact)
    }

    pub fn level(&self) -> &'static str {
        match self.score() {
            15.. => "high",
            8.. => "medium",
            _ => "low",
        }
    }
}

impl Solution {
    /// Whether a technical plan is present (inline or as a file).
    pub fn has_plan(&self) -> bool {
        self.plan.as_deref().is_some_and(|p| !p.trim().is_empty()) || self.plan_file.is_some()
    }
}

string_enum!(VerdictKind, "verdict", fold = str::to_string, {
    Pass => "pass",
    Revise => "revise",
    Reject => "reject",
});

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: &str, p: &str) -> QuoteLine {
        QuoteLine {
            item: "x".into(),
            quantity: q.parse().unwrap(),
            unit_price: p.parse().unwrap(),
            extra: Default::default(),
        }
    }

    #[test]
    fn quote_totals_are_decimal_without_float_drift() {
        let total = |lines: &[QuoteLine]| Quotation::compute_total(lines).unwrap().to_string();
        assert_eq!(total(&[line("1", "0.1"), line("1", "0.2")]), "0.30");
        assert_eq!(total(&[line("3", "33.333"), line("0.5", "0.01")]), "100.00");
        assert_eq!(total(&[]), "0.00");
        assert_eq!(
            total(&[line("12", "19999.99"), line("1", "0.005")]),
            "239999.89"
        );
        // Beyond what a decimal holds: no total, never a panic.
        let huge = "79228162514264337593543950335";
        assert_eq!(Quotation::compute_total(&[line(huge, huge)]), None);
        assert_eq!(
            Quotation::compute_total(&[line(huge, "1"), line(huge, "1")]),
            None
        );
        assert_eq!(
            Quotation::compute_total(&[line("1000000000000000", "1000000000000000")]),
            None
        );
    }

    fn quote(lines: Vec<QuoteLine>, discount: &str, tax: &str) -> Quotation {
        let adj = |s: &str| (!s.is_empty()).then(|| s.parse::<Adjustment>().unwrap());
        Quotation {
            currency: "CNY".into(),
            lines,
            discount: adj(discount),
            tax: adj(tax),
            total: Decimal::ZERO,
            valid_until: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn discount_and_tax_figures_are_exact_and_add_up() {
        let f = |lines: Vec<QuoteLine>, d: &str, t: &str| {
            let f = quote(lines, d, t).figures().unwrap();
            [f.subtotal, f.discount, f.tax, f.total].map(|x| x.to_string())
        };
        // 12 × 19999.99 = 239999.88; 5 % = 11999.994 → 11999.99; net 227999.89;
        // 13 % = 29639.9857 → 29639.99; total 257639.88.
        assert_eq!(
            f(vec![line("12", "19999.99")], "5%", "13%"),
            ["239999.88", "11999.99", "29639.99", "257639.88"]
        );
        // An amount: (1000 − 100) × 1.06 = 954.
        assert_eq!(
            f(vec![line("10", "100")], "100", "6%"),
            ["1000.00", "100.00", "54.00", "954.00"]
        );
        // Nothing given: the total is the subtotal, as before discounts existed.
        assert_eq!(
            f(vec![line("1", "0.1"), line("1", "0.2")], "", ""),
            ["0.30", "0", "0", "0.30"]
        );
        // Half-up at each step: 0.125 → 0.13.
        assert_eq!(
            f(vec![line("1", "2.50")], "5%", ""),
            ["2.50", "0.13", "0", "2.37"]
        );
        // The whole subtotal may be discounted, not more.
        assert_eq!(f(vec![line("2", "50")], "100.00", "")[3], "0.00");
        assert_eq!(f(vec![line("2", "50")], "100%", "13%")[3], "0.00");
    }

    #[test]
    fn discounts_above_the_subtotal_and_odd_taxes_are_problems() {
        let p = |d: &str, t: &str| quote(vec![line("2", "50")], d, t).figures().unwrap_err();
        assert_eq!(
            p("100.01", "").to_string(),
            "the discount 100.01 exceeds the subtotal 100.00"
        );
        assert!(matches!(p("101%", ""), QuoteProblem::Discount(_)));
        assert!(matches!(p("-1", ""), QuoteProblem::Discount(_)));
        assert!(matches!(p("", "13"), QuoteProblem::Tax(_)));
        assert!(matches!(p("", "-2%"), QuoteProblem::Tax(_)));
        let huge = "79228162514264337593543950335";
        assert_eq!(
            quote(vec![line(huge, "1")], "50%", "50%").figures(),
            Err(QuoteProblem::TooLarge)
        );
    }

    #[test]
    fn adjustments_are_written_as_given() {
        for s in ["5%", "12.5%", "1000.00", "0", "0%"] {
            assert_eq!(s.parse::<Adjustment>().unwrap().to_string(), s);
        }
        assert_eq!(" 5 % ".parse::<Adjustment>().unwrap().to_string(), "5%");
        assert!("five".parse::<Adjustment>().is_err());
        assert!("%".parse::<Adjustment>().is_err());
    }

    #[test]
    fn risk_levels() {
        let r = |l, i| Risk {
            description: String::new(),
            likelihood: l,
            impact: i,
            mitigation: String::new(),
            owner: None,
            extra: Default::default(),
        };
        assert_eq!(r(5, 3).level(), "high");
        assert_eq!(r(2, 4).level(), "medium");
        assert_eq!(r(1, 5).level(), "low");
    }
}
