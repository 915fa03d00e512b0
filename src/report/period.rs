//! Report periods (ISO week, month, date range), the as-of instant and the time zone their
//! day boundaries are read in.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Weekday,
};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::Timestamp;

/// The zone in which dates (period boundaries, a date-only `--as-of`) become instants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// The calendar's IANA zone.
    Named(Tz),
    /// A fixed UTC offset: that of `--as-of`/`PRESALES_NOW`, or UTC.
    Fixed(FixedOffset),
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(0).unwrap_or(chrono::Utc.fix()))
    }

    /// `Asia/Shanghai`, or `+08:00` for a fixed offset.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => off.to_string(),
        }
    }

    /// The same instant, written with this zone's offset.
    pub fn at(&self, t: Timestamp) -> Timestamp {
        match self {
            Zone::Named(tz) => t.with_timezone(tz).fixed_offset(),
            Zone::Fixed(off) => t.with_timezone(off),
        }
    }

    /// The local date of an instant in this zone.
    pub fn date_of(&self, t: Timestamp) -> NaiveDate {
        self.at(t).date_naive()
    }

    /// The first instant of a local day. Where midnight does not exist (a clock change at
    /// midnight), the first local time of the day that does.
    pub fn start_of(&self, day: NaiveDate) -> Timestamp {
        let local = day.and_time(NaiveTime::MIN);
        match self {
            Zone::Fixed(off) => off
                .from_local_datetime(&local)
                .single()
                .unwrap_or_else(|| local.and_utc().fixed_offset()),
            Zone::Named(tz) => (0..=4)
                .find_map(|h| {
                    tz.from_local_datetime(&(local + Duration::hours(h)))
                        .earliest()
                        .map(|t| t.fixed_offset())
                })
                .unwrap_or_else(|| local.and_utc().fixed_offset()),
        }
    }

    /// The last second of a local day.
    pub fn end_of(&self, day: NaiveDate) -> Timestamp {
        let next = day.succ_opt().unwrap_or(day);
        self.at(self.start_of(next) - Duration::seconds(1))
    }
}

/// A reporting period: whole local days `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `2026-W48`, `2026-11`, or `2026-11-01..2026-11-15`.
    pub label: String,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

impl Period {
    /// ISO week `week` of ISO year `year` (Monday to Sunday).
    pub fn week(year: i32, week: u32) -> Result<Period, String> {
        let from = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .ok_or_else(|| format!("{year} has no ISO week {week}"))?;
        Ok(Period {
            label: format!("{year}-W{week:02}"),
            from,
            to: from + Duration::days(6),
        })
    }

    /// The ISO week holding `day`.
    pub fn week_of(day: NaiveDate) -> Period {
        let w = day.iso_week();
        let from = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        Period {
            label: format!("{}-W{:02}", w.year(), w.week()),
            from,
            to: from + Duration::days(6),
        }
    }

    pub fn month(year: i32, month: u32) -> Result<Period, String> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| format!("{year}-{month:02} is not a month"))?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or_else(|| format!("{year}-{month:02} is out of range"))?;
        Ok(Period {
            label: format!("{year}-{month:02}"),
            from,
            to: next - Duration::days(1),
        })
    }

    /// Quarter `q` (1–4) of `year`.
    pub fn quarter(year: i32, q: u32) -> Result<Period, String> {
        if !(1..=4).contains(&q) {
            return Err(format!("a year has quarters 1 to 4, not {q}"));
        }
        let first = Period::month(year, 3 * q - 2)?;
        let last = Period::month(year, 3 * q)?;
        Ok(Period {
            label: format!("{year}-Q{q}"),
            from: first.from,
            to: last.to,
        })
    }

    /// The period of `unit` holding `day`.
    pub fn of(unit: Unit, day: NaiveDate) -> Period {
        let fallback = || Period::week_of(day);
        match unit {
            Unit::Week => Period::week_of(day),
            Unit::Month => Period::month(day.year(), day.month()).unwrap_or_else(|_| fallback()),
            Unit::Quarter => Period::quarter(day.year(), (day.month() - 1) / 3 + 1)
                .unwrap_or_else(|_| fallback()),
        }
    }

    pub fn range(from: NaiveDate, to: NaiveDate) -> Result<Period, String> {
        if to < from {
            return Err(format!("--to {to} is before --from {from}"));
        }
        Ok(Period {
            label: format!("{from}..{to}"),
            from,
            to,
        })
    }

    /// Parses `2026-W48` (also `2026-w48`, `2026W48`).
    pub fn parse_week(s: &str) -> Result<Period, String> {
        let bad = || format!("`{s}` is not an ISO week (expected e.g. 2026-W48)");
        let up = s.trim().to_ascii_uppercase();
        let (y, w) = up.split_once('W').ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4 || w.is_empty() || w.len() > 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        Period::week(year, week)
    }

    /// Parses `2026-Q4` (also `2026q4`).
    pub fn parse_quarter(s: &str) -> Result<Period, String> {
        let bad = || format!("`{s}` is not a quarter (expected e.g. 2026-Q4)");
        let up = s.trim().to_ascii_uppercase();
        let (y, q) = up.split_once('Q').ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4 || q.len() != 1 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        Period::quarter(year, q)
    }

    /// Parses `2026-11`.
    pub fn parse_month(s: &str) -> Result<Period, String> {
        let bad = || format!("`{s}` is not a month (expected e.g. 2026-11)");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Period::month(year, month)
    }
}

/// What the user said about "as of when".
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AsOf {
    /// An RFC 3339 instant.
    Instant(Timestamp),
    /// A day: its last second in the report's zone.
    Date(NaiveDate),
}

impl AsOf {
    /// `2026-11-30` or `2026-11-30T18:00:00+08:00`.
    pub fn parse(s: &str) -> Result<AsOf, String> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(AsOf::Date(d));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| AsOf::Instant(crate::model::to_record_time(t)))
            .map_err(|_| {
                format!(
                    "`{s}` is neither a date nor an RFC 3339 time (e.g. 2026-11-30 or 2026-11-30T18:00:00+08:00)"
                )
            })
    }
}

/// A kind of period that can be named relative to the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Week,
    Month,
    Quarter,
}

/// How the period was chosen on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodSpec {
    /// The ISO week holding the as-of day.
    Default,
    Given(Period),
    /// `this` (0) or `last` (-1) week, month or quarter, relative to the as-of day.
    Relative {
        unit: Unit,
        offset: i32,
    },
}

impl PeriodSpec {
    fn parse(
        unit: Unit,
        s: &str,
        given: fn(&str) -> Result<Period, String>,
    ) -> Result<PeriodSpec, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "this" | "current" => Ok(PeriodSpec::Relative { unit, offset: 0 }),
            "last" | "previous" => Ok(PeriodSpec::Relative { unit, offset: -1 }),
            _ => given(s)
                .map(PeriodSpec::Given)
                .map_err(|e| format!("{e}; `last` and `this` also work")),
        }
    }

    /// `--week last|this|2026-W48`.
    pub fn parse_week(s: &str) -> Result<PeriodSpec, String> {
        PeriodSpec::parse(Unit::Week, s, Period::parse_week)
    }

    /// `--month last|this|2026-11`.
    pub fn parse_month(s: &str) -> Result<PeriodSpec, String> {
        PeriodSpec::parse(Unit::Month, s, Period::parse_month)
    }

    /// `--quarter last|this|2026-Q4`.
    pub fn parse_quarter(s: &str) -> Result<PeriodSpec, String> {
        PeriodSpec::parse(Unit::Quarter, s, Period::parse_quarter)
    }
}

/// The period `offset` periods of `unit` away from the one holding `day`.
fn relative(unit: Unit, offset: i32, day: NaiveDate) -> Period {
    let here = Period::of(unit, day);
    let mut p = here;
    for _ in 0..offset.unsigned_abs() {
        let day = if offset < 0 {
            p.from.pred_opt().unwrap_or(p.from)
        } else {
            p.to.succ_opt().unwrap_or(p.to)
        };
        p = Period::of(unit, day);
    }
    p
}

/// The resolved reporting window: the period as instants, the as-of instant, the zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub period: Period,
    /// First instant of the period.
    pub start: Timestamp,
    /// First instant after the period.
    pub end: Timestamp,
    /// Everything recorded after this instant is ignored.
    pub as_of: Timestamp,
    pub zone: Zone,
}

impl Window {
    /// Resolves the window. The zone is the calendar's when there is one, else the offset of
    /// the given as-of instant, else UTC for a date-only `--as-of`, else the offset of `now`.
    /// Without `--as-of`, the as-of instant is `now`, or the period's last second when the
    /// period has already ended, so a past week reads the same whenever it is reported.
    pub fn resolve(
        calendar_zone: Option<Tz>,
        spec: PeriodSpec,
        as_of: Option<AsOf>,
        now: Timestamp,
    ) -> Result<Window, String> {
        let zone = match (calendar_zone, as_of) {
            (Some(tz), _) => Zone::Named(tz),
            (None, Some(AsOf::Instant(t))) => Zone::Fixed(*t.offset()),
            (None, Some(AsOf::Date(_))) => Zone::utc(),
            (None, None) => Zone::Fixed(*now.offset()),
        };
        let given = as_of.map(|a| match a {
            AsOf::Instant(t) => zone.at(t),
            AsOf::Date(d) => zone.end_of(d),
        });
        let reference = given.unwrap_or_else(|| zone.at(now));
        let period = match spec {
            PeriodSpec::Given(p) => p,
            PeriodSpec::Default => Period::week_of(zone.date_of(reference)),
            PeriodSpec::Relative { unit, offset } => {
                relative(unit, offset, zone.date_of(reference))
            }
        };
        let start = zone.start_of(period.from);
        let end = zone.start_of(period.to.succ_opt().unwrap_or(period.to));
        let as_of = match given {
            Some(t) => t,
            None => zone.at(reference.min(end - Duration::seconds(1))),
        };
        if as_of < start {
            return Err(format!(
                "the period {} starts after the as-of time {}",
                period.label,
                as_of.to_rfc3339()
            ));
        }
        Ok(Window {
            period,
            start,
            end,
            as_of,
            zone,
        })
    }

    /// The quarter holding this window's as-of day (or the period's last day, when the
    /// as-of day is after it), read as of the same instant: the quarter to date.
    pub fn quarter(&self) -> Window {
        let day = self
            .zone
            .date_of(self.as_of)
            .min(self.period.to)
            .max(self.period.from);
        let period = Period::of(Unit::Quarter, day);
        let start = self.zone.start_of(period.from);
        let end = self
            .zone
            .start_of(period.to.succ_opt().unwrap_or(period.to));
        Window {
            period,
            start,
            end,
            as_of: self.zone.at(self.as_of.min(end - Duration::seconds(1))),
            zone: self.zone,
        }
    }

    /// Whether an instant falls inside the period.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether an interval `[from, to)` (open-ended when `to` is `None`) meets the period.
    pub fn overlaps(&self, from: Timestamp, to: Option<Timestamp>) -> bool {
        from < self.end && to.is_none_or(|t| t > self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_quarter_of_a_window_is_read_to_its_as_of_day() {
        let week = |label: &str, as_of: &str| {
            Window::resolve(
                None,
                PeriodSpec::Given(Period::parse_week(label).unwrap()),
                Some(AsOf::Instant(t(as_of))),
                t(as_of),
            )
            .unwrap()
        };
        let q = week("2026-W48", "2026-11-27T10:00:00+08:00").quarter();
        assert_eq!(q.period.label, "2026-Q4");
        assert_eq!(q.as_of, t("2026-11-27T10:00:00+08:00"));
        assert_eq!(q.start, t("2026-10-01T00:00:00+08:00"));
        // A week across two quarters, read on its Wednesday: the quarter it is in then.
        let q = week("2026-W40", "2026-09-30T12:00:00+08:00").quarter();
        assert_eq!(q.period.label, "2026-Q3");
        // A past week read later: its last day's quarter, up to the quarter's end.
        let q = week("2026-W40", "2027-01-15T12:00:00+08:00").quarter();
        assert_eq!(q.period.label, "2026-Q4");
        assert_eq!(q.as_of, t("2026-12-31T23:59:59+08:00"));
    }

    #[test]
    fn last_and_this_are_relative_to_the_as_of_day() {
        let monday = t("2026-11-30T01:00:00+08:00");
        let resolve = |spec| Window::resolve(None, spec, None, monday).unwrap();
        let last = |unit| PeriodSpec::Relative { unit, offset: -1 };
        let this = |unit| PeriodSpec::Relative { unit, offset: 0 };
        // Monday morning in CI: last week is W48, read as of its end; this week is W49.
        let w = resolve(last(Unit::Week));
        assert_eq!(w.period.label, "2026-W48");
        assert_eq!(w.as_of, t("2026-11-29T23:59:59+08:00"));
        assert_eq!(resolve(this(Unit::Week)).period.label, "2026-W49");
        assert_eq!(resolve(last(Unit::Month)).period.label, "2026-10");
        assert_eq!(resolve(this(Unit::Month)).period.label, "2026-11");
        assert_eq!(resolve(last(Unit::Quarter)).period.label, "2026-Q3");
        let q = resolve(this(Unit::Quarter)).period;
        assert_eq!(
            (q.label.as_str(), q.from.to_string(), q.to.to_string()),
            ("2026-Q4", "2026-10-01".into(), "2026-12-31".into())
        );
        // Across a year: last week of 2027-01-04 (Monday of 2027-W01) is 2026-W53.
        let jan = t("2027-01-04T09:00:00+08:00");
        let w = Window::resolve(None, last(Unit::Week), None, jan).unwrap();
        assert_eq!(w.period.label, "2026-W53");
        let w = Window::resolve(None, last(Unit::Quarter), None, jan).unwrap();
        assert_eq!(w.period.label, "2026-Q4");
        // The words and the fixed forms parse; anything else names what is expected.
        assert_eq!(PeriodSpec::parse_week("LAST"), Ok(last(Unit::Week)));
        assert_eq!(PeriodSpec::parse_month("this"), Ok(this(Unit::Month)));
        assert_eq!(
            PeriodSpec::parse_quarter("2026-q2"),
            Ok(PeriodSpec::Given(Period::quarter(2026, 2).unwrap()))
        );
        assert!(
            PeriodSpec::parse_quarter("2026-Q5")
                .unwrap_err()
                .contains("quarters 1 to 4")
        );
        assert!(
            PeriodSpec::parse_week("yesterday")
                .unwrap_err()
                .contains("`last` and `this` also work")
        );
    }

    #[test]
    fn weeks_months_and_ranges() {
        let w = Period::parse_week("2026-W48").unwrap();
        assert_eq!((w.from, w.to), (d("2026-11-23"), d("2026-11-29")));
        assert_eq!(Period::parse_week("2026w48").unwrap(), w);
        assert_eq!(Period::week_of(d("2026-11-29")), w);
        assert_eq!(Period::week_of(d("2026-11-23")), w);
        // ISO week 1 of 2027 starts on 2027-01-04; 2026-W53 exists.
        assert_eq!(Period::week_of(d("2027-01-01")).label, "2026-W53");
        assert!(Period::parse_week("2027-W53").is_err());
        assert!(Period::parse_week("2026-48").is_err());
        let m = Period::parse_month("2026-12").unwrap();
        assert_eq!((m.from, m.to), (d("2026-12-01"), d("2026-12-31")));
        assert_eq!(Period::parse_month("2028-02").unwrap().to, d("2028-02-29"));
        assert!(Period::parse_month("2026-13").is_err());
        assert!(Period::range(d("2026-11-02"), d("2026-11-01")).is_err());
        assert_eq!(
            Period::range(d("2026-11-01"), d("2026-11-01"))
                .unwrap()
                .label,
            "2026-11-01..2026-11-01"
        );
    }

    #[test]
    fn as_of_parses_dates_and_instants() {
        assert_eq!(
            AsOf::parse("2026-11-30").unwrap(),
            AsOf::Date(d("2026-11-30"))
        );
        assert_eq!(
            AsOf::parse("2026-11-30T18:00:00.5+08:00").unwrap(),
            AsOf::Instant(t("2026-11-30T18:00:00+08:00"))
        );
        assert!(AsOf::parse("yesterday").is_err());
    }

    #[test]
    fn calendar_zone_sets_the_boundaries() {
        let w = Window::resolve(
            Some(chrono_tz::Asia::Shanghai),
            PeriodSpec::Default,
            Some(AsOf::Date(d("2026-11-27"))),
            t("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(w.period.label, "2026-W48");
        assert_eq!(w.start, t("2026-11-23T00:00:00+08:00"));
        assert_eq!(w.end, t("2026-11-30T00:00:00+08:00"));
        assert_eq!(w.as_of.to_rfc3339(), "2026-11-27T23:59:59+08:00");
        assert!(w.contains(t("2026-11-22T16:00:00Z")));
        assert!(!w.contains(t("2026-11-22T15:59:59Z")));
    }

    #[test]
    fn without_a_calendar_the_as_of_offset_or_utc() {
        let w = Window::resolve(
            None,
            PeriodSpec::Default,
            Some(AsOf::Instant(t("2026-11-30T01:00:00+08:00"))),
            t("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        // Monday 01:00 in +08:00 is still Sunday in UTC, but the offset given wins.
        assert_eq!(w.period.label, "2026-W49");
        assert_eq!(w.zone.name(), "+08:00");
        let w = Window::resolve(
            None,
            PeriodSpec::Default,
            Some(AsOf::Date(d("2026-11-30"))),
            t("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(w.zone.name(), "+00:00");
        assert_eq!(w.as_of, t("2026-11-30T23:59:59Z"));
    }

    #[test]
    fn a_past_period_without_as_of_is_read_at_its_end() {
        let p = Period::parse_week("2026-W48").unwrap();
        let now = t("2026-12-09T10:00:00+08:00");
        let w = Window::resolve(None, PeriodSpec::Given(p.clone()), None, now).unwrap();
        assert_eq!(w.as_of, t("2026-11-29T23:59:59+08:00"));
        let w = Window::resolve(
            None,
            PeriodSpec::Given(p.clone()),
            None,
            t("2026-11-25T10:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(w.as_of, t("2026-11-25T10:00:00+08:00"));
        assert!(
            Window::resolve(
                None,
                PeriodSpec::Given(p),
                None,
                t("2026-11-01T10:00:00+08:00")
            )
            .is_err()
        );
    }

    #[test]
    fn midnight_gap_starts_the_day_at_the_first_real_time() {
        // Santiago springs forward at midnight: 2026-09-06 00:00 does not exist.
        let z = Zone::Named(chrono_tz::America::Santiago);
        let s = z.start_of(d("2026-09-06"));
        assert_eq!(z.date_of(s), d("2026-09-06"));
        assert_eq!(z.date_of(s - Duration::seconds(1)), d("2026-09-05"));
    }

    #[test]
    fn overlaps_is_half_open() {
        let w = Window::resolve(
            None,
            PeriodSpec::Given(Period::parse_week("2026-W48").unwrap()),
            Some(AsOf::Date(d("2026-11-29"))),
            t("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        assert!(!w.overlaps(t("2026-11-20T00:00:00Z"), Some(t("2026-11-23T00:00:00Z"))));
        assert!(w.overlaps(t("2026-11-20T00:00:00Z"), Some(t("2026-11-23T00:00:01Z"))));
        assert!(w.overlaps(t("2026-11-20T00:00:00Z"), None));
        assert!(!w.overlaps(t("2026-11-30T00:00:00Z"), None));
    }
}
