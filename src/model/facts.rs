//! What the reports read of a request and of an article, in the compact form the parse
//! cache keeps: positional fields (postcard, no field names), times and dates as integers,
//! decimals as their 16 bytes, no JSON and no `#[serde(flatten)]`. Pure: no I/O.
//!
//! A warm report decodes 100,000 of these instead of whole records: the free texts
//! (description, summary, resolution, notes, feedback), unknown fields and the history's
//! notes and operation ids are not kept, as no report reads them.
//! [`RequestFacts::into_request`] gives the request back with those empty and its history
//! as [`Step`]s, the compact entries the reports replay; a test runs every report on both
//! forms and compares the output.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use rust_decimal::Decimal;

use super::gap::Severity;
use super::request::{Activity, ArticleUse, Demo, Effort, Opportunity, Outcome, Request};
use super::{Extra, GapLink, HistoryEntry, Priority, Timestamp, article::Flag};

/// A [`Timestamp`] stored as seconds, nanoseconds and UTC offset: decoded without parsing
/// text. A triple no timestamp encodes fails to decode (the entry is re-read from its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "(i64, u32, i32)", try_from = "(i64, u32, i32)")]
pub struct Instant(Timestamp);

impl From<Instant> for (i64, u32, i32) {
    fn from(Instant(t): Instant) -> Self {
        (
            t.timestamp(),
            t.timestamp_subsec_nanos(),
            t.offset().local_minus_utc(),
        )
    }
}

impl TryFrom<(i64, u32, i32)> for Instant {
    type Error = &'static str;
    fn try_from((secs, nanos, offset): (i64, u32, i32)) -> Result<Instant, Self::Error> {
        let offset = FixedOffset::east_opt(offset).ok_or("UTC offset out of range")?;
        let t = DateTime::from_timestamp(secs, nanos).ok_or("time out of range")?;
        Ok(Instant(t.with_timezone(&offset)))
    }
}

/// A date stored as days since the common era's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "i32", try_from = "i32")]
pub struct Day(NaiveDate);

impl From<Day> for i32 {
    fn from(Day(d): Day) -> i32 {
        use chrono::Datelike;
        d.num_days_from_ce()
    }
}

impl TryFrom<i32> for Day {
    type Error = &'static str;
    fn try_from(days: i32) -> Result<Day, Self::Error> {
        NaiveDate::from_num_days_from_ce_opt(days)
            .map(Day)
            .ok_or("date out of range")
    }
}

/// A value stored as JSON bytes: for what carries unknown fields (`#[serde(flatten)]`),
/// which a format without field names cannot hold (the whole records some commands cache).
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = serde_json::to_vec(&self.0).map_err(serde::ser::Error::custom)?;
        s.serialize_bytes(&bytes)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Json<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes<T>(std::marker::PhantomData<T>);
        impl<T: serde::de::DeserializeOwned> serde::de::Visitor<'_> for Bytes<T> {
            type Value = Json<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value as JSON bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                serde_json::from_slice(v).map(Json).map_err(E::custom)
            }
        }
        d.deserialize_bytes(Bytes(std::marker::PhantomData))
    }
}

/// A short text that recurs all over a store — a member's ID, an action, a stage — kept
/// once per process and shared: 8 bytes (one pointer) and no allocation per use. A report
/// over 100,000 requests reads about a million history entries, each with two to four of
/// these. Two names are equal when they are the same text, which is when they point to
/// the same place: comparing them compares two addresses.
///
/// Interned texts are never freed: there are as many as the store has different ones.
#[derive(Clone, Copy)]
pub struct Name(&'static &'static str);

/// A name in the interning sets, found by its text.
#[derive(Clone, Copy)]
struct Interned(&'static &'static str);

impl std::borrow::Borrow<str> for Interned {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl std::hash::Hash for Interned {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (**self.0).hash(h)
    }
}

impl PartialEq for Interned {
    fn eq(&self, other: &Interned) -> bool {
        *self.0 == *other.0
    }
}

impl Eq for Interned {}

impl Name {
    pub fn new(text: &str) -> Name {
        use std::cell::RefCell;
        use std::collections::HashSet;
        use std::sync::{Mutex, PoisonError};
        type Set = HashSet<Interned, std::hash::BuildHasherDefault<rustc_hash::FxHasher>>;
        static SHARED: Mutex<Set> =
            Mutex::new(HashSet::with_hasher(std::hash::BuildHasherDefault::new()));
        thread_local! {
            // Each thread asks the shared set once per text.
            static LOCAL: RefCell<Set> = RefCell::default();
        }
        LOCAL.with_borrow_mut(|local| {
            if let Some(known) = local.get(text) {
                return Name(known.0);
            }
            let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
            let known = match shared.get(text) {
                Some(known) => *known,
                None => {
                    let leaked: &'static str = Box::leak(text.into());
                    let known = Interned(Box::leak(Box::new(leaked)));
                    shared.insert(known);
                    known
                }
            };
            local.insert(known);
            Name(known.0)
        })
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        std::ptr::hash(self.0, h)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// By text, so that what is sorted by name comes out the same in every run.
impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    /// Straight from the decoder's bytes: no `String` is made on the way.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                Ok(Name::new(v))
            }
        }
        d.deserialize_str(Text)
    }
}

/// A history entry as the reports replay it: its time, author and action, and only what
/// the reports read of the rest:
///
/// - `from` and `to` of the entries that create, assign or move a request (stages and
///   members, which recur);
/// - a close's `outcome`, when it is a text (the timeline);
/// - the `item` a `log` entry records, when it is a text (capacity).
///
/// No note, no operation id, and no `to` of other entries (a solution's or a gap's ID,
/// different on every request). Texts that recur are [`Name`]s: a step is 72 bytes and
/// one allocation at most, where a [`HistoryEntry`] is 184 bytes and three or four.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "StepFacts")]
pub struct Step {
    pub at: Timestamp,
    pub by: Name,
    pub action: Name,
    pub from: Option<Name>,
    pub to: Option<Name>,
    pub outcome: Option<Name>,
    pub item: Option<Box<str>>,
}

/// Whether the reports read `from` and `to` of an entry of `action`: one that creates,
/// assigns or moves a request.
fn moves(action: &str) -> bool {
    let a = super::Action::parse(action);
    matches!(a, super::Action::Create | super::Action::Assign) || a.is_move()
}

/// Whether the reports read the `item` of an entry of `action`.
fn logs(action: &str) -> bool {
    action == super::Action::Log.as_str()
}

/// A [`Step`] as the cache holds it.
#[derive(Serialize)]
struct StepFacts {
    at: Instant,
    by: Name,
    action: Name,
    from: Option<Name>,
    to: Option<Name>,
    outcome: Option<Name>,
    item: Option<Box<str>>,
}

impl From<Step> for StepFacts {
    fn from(s: Step) -> StepFacts {
        StepFacts {
            at: Instant(s.at),
            by: s.by,
            action: s.action,
            from: s.from,
            to: s.to,
            outcome: s.outcome,
            item: s.item,
        }
    }
}

impl<'de> Deserialize<'de> for Step {
    /// The fields in [`StepFacts`]' order, a `from`/`to` or `item` the step does not keep
    /// read past without being interned or copied.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Step, D::Error> {
        use serde::de::{Error, SeqAccess, Visitor};
        /// A text read past.
        struct Skip;
        impl<'de> Deserialize<'de> for Skip {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
                struct Text;
                impl Visitor<'_> for Text {
                    type Value = Skip;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a text")
                    }
                    fn visit_str<E: Error>(self, _: &str) -> Result<Skip, E> {
                        Ok(Skip)
                    }
                }
                d.deserialize_str(Text)
            }
        }
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Step;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a history step")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Step, A::Error> {
                let missing = || A::Error::custom("a history step cut short");
                let at: Instant = seq.next_element()?.ok_or_else(missing)?;
                let by: Name = seq.next_element()?.ok_or_else(missing)?;
                let action: Name = seq.next_element()?.ok_or_else(missing)?;
                let (from, to) = if moves(&action) {
                    (
                        seq.next_element::<Option<Name>>()?.ok_or_else(missing)?,
                        seq.next_element::<Option<Name>>()?.ok_or_else(missing)?,
                    )
                } else {
                    seq.next_element::<Option<Skip>>()?.ok_or_else(missing)?;
                    seq.next_element::<Option<Skip>>()?.ok_or_else(missing)?;
                    (None, None)
                };
                let outcome: Option<Name> = seq.next_element()?.ok_or_else(missing)?;
                let item = if logs(&action) {
                    seq.next_element::<Option<Box<str>>>()?
                        .ok_or_else(missing)?
                } else {
                    seq.next_element::<Option<Skip>>()?.ok_or_else(missing)?;
                    None
                };
                Ok(Step {
                    at: at.0,
                    by,
                    action,
                    from,
                    to,
                    outcome,
                    item,
                })
            }
        }
        d.deserialize_tuple(7, Fields)
    }
}

/// The keys of [`Step`] beyond a history entry's named fields.
const REPORTED_KEYS: [&str; 2] = ["outcome", "item"];

impl From<&HistoryEntry> for Step {
    fn from(h: &HistoryEntry) -> Step {
        let text = |key: &str| h.extra.get(key).and_then(|v| v.as_str());
        let moves = moves(&h.action);
        let name = |t: &Option<String>| t.as_deref().filter(|_| moves).map(Name::new);
        Step {
            at: h.at,
            by: Name::new(&h.by),
            action: Name::new(&h.action),
            from: name(&h.from),
            to: name(&h.to),
            outcome: text("outcome").map(Name::new),
            item: text("item").filter(|_| logs(&h.action)).map(Box::from),
        }
    }
}

impl Step {
    /// The steps of a whole history, in its order.
    pub fn all(history: &[HistoryEntry]) -> Vec<Step> {
        history.iter().map(Step::from).collect()
    }
}

/// A history entry as the reports read it — `at`, `by`, `action`, `from`, `to` and the
/// text extras `outcome` and `item` — built from the entry as the YAML parser read it (each
/// key with its scalar's text and whether it was written plain; `None` for a nested value),
/// when serde would surely read the same: [`super::history::surely_reads`], and each kept
/// extra quoted, a block, nested (not a text) or a plain scalar that is surely a text.
/// `None` when unsure: the caller then parses the whole record.
pub fn reported_entry<'a>(fields: &[(&'a str, Option<(&'a str, bool)>)]) -> Option<HistoryEntry> {
    if !super::history::surely_reads(fields.iter().copied()) {
        return None;
    }
    let get = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let named = |key: &str| get(key).flatten().map(|(text, _)| text.to_string());
    let at: Timestamp = get("at")??.0.parse().ok()?;
    let mut entry = HistoryEntry::new(at, &named("by")?, &named("action")?);
    entry.from = named("from");
    entry.to = named("to");
    for key in REPORTED_KEYS {
        match get(key) {
            None | Some(None) => {}
            Some(Some((text, plain))) => {
                if plain && !super::history::plain_text(text) {
                    return None;
                }
                entry.extra.insert(key.to_string(), text.into());
            }
        }
    }
    Some(entry)
}

/// An exact decimal as its 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "[u8; 16]", from = "[u8; 16]")]
struct Dec(Decimal);

impl From<Dec> for [u8; 16] {
    fn from(d: Dec) -> [u8; 16] {
        d.0.serialize()
    }
}

impl From<[u8; 16]> for Dec {
    fn from(b: [u8; 16]) -> Dec {
        Dec(Decimal::deserialize(b))
    }
}

// What the reports read of a request's lists; each converts back to its record type with
// the rest empty.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OpportunityFacts {
    name: Option<String>,
    value: Option<Dec>,
    currency: Option<String>,
    expected_close: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DemoFacts {
    id: Option<String>,
    date: Day,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct UseFacts {
    id: String,
    at: Instant,
    by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EffortFacts {
    id: String,
    by: String,
    date: Day,
    hours: Dec,
    activity: Activity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LinkFacts {
    id: String,
    gap: String,
    severity: Severity,
    feedback: Option<String>,
    at: Instant,
    by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FlagFacts {
    id: String,
    article: Option<String>,
    note: String,
    at: Instant,
    by: String,
}

impl From<&Flag> for FlagFacts {
    fn from(f: &Flag) -> FlagFacts {
        FlagFacts {
            id: f.id.clone(),
            article: f.article.clone(),
            note: f.note.clone(),
            at: Instant(f.at),
            by: f.by.clone(),
        }
    }
}

impl From<FlagFacts> for Flag {
    fn from(f: FlagFacts) -> Flag {
        Flag {
            id: f.id,
            article: f.article,
            note: f.note,
            at: f.at.0,
            by: f.by,
            extra: Extra::new(),
        }
    }
}

/// What the reports read of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFacts {
    id: String,
    title: String,
    kind: String,
    priority: Priority,
    customer: String,
    created: Instant,
    due: Option<Day>,
    stage: String,
    assignee: Option<String>,
    products: Vec<String>,
    solution: Option<String>,
    outcome: Option<Outcome>,
    technical_win: bool,
    loss_reason: Option<String>,
    competitor: Option<String>,
    satisfaction: Option<u8>,
    confidential: bool,
    history: Vec<Step>,
    opportunity: Option<OpportunityFacts>,
    demos: Vec<DemoFacts>,
    articles: Vec<UseFacts>,
    effort: Vec<EffortFacts>,
    gaps: Vec<LinkFacts>,
    article_flags: Vec<FlagFacts>,
}

impl From<&Request> for RequestFacts {
    fn from(r: &Request) -> RequestFacts {
        RequestFacts {
            id: r.id.clone(),
            title: r.title.clone(),
            kind: r.kind.clone(),
            priority: r.priority,
            customer: r.customer.clone(),
            created: Instant(r.created),
            due: r.due.map(Day),
            stage: r.stage.clone(),
            assignee: r.assignee.clone(),
            products: r.products.clone(),
            solution: r.solution.clone(),
            outcome: r.outcome,
            technical_win: r.technical_win,
            loss_reason: r.loss_reason.clone(),
            competitor: r.competitor.clone(),
            satisfaction: r.satisfaction,
            confidential: r.confidential,
            history: Step::all(&r.history),
            opportunity: r.opportunity.as_ref().map(|o| OpportunityFacts {
                name: o.name.clone(),
                value: o.value.map(Dec),
                currency: o.currency.clone(),
                expected_close: o.expected_close.map(Day),
            }),
            demos: r
                .demos
                .iter()
                .map(|d| DemoFacts {
                    id: d.id.clone(),
                    date: Day(d.date),
                })
                .collect(),
            articles: r
                .articles
                .iter()
                .map(|u| UseFacts {
                    id: u.id.clone(),
                    at: Instant(u.at),
                    by: u.by.clone(),
                })
                .collect(),
            effort: r
                .effort
                .iter()
                .map(|e| EffortFacts {
                    id: e.id.clone(),
                    by: e.by.clone(),
                    date: Day(e.date),
                    hours: Dec(e.hours),
                    activity: e.activity,
                })
                .collect(),
            gaps: r
                .gaps
                .iter()
                .map(|l| LinkFacts {
                    id: l.id.clone(),
                    gap: l.gap.clone(),
                    severity: l.severity,
                    feedback: l.feedback.clone(),
                    at: Instant(l.at),
                    by: l.by.clone(),
                })
                .collect(),
            article_flags: r.article_flags.iter().map(FlagFacts::from).collect(),
        }
    }
}

impl RequestFacts {
    /// The request as the reports see it — the fields kept, the rest empty, the history
    /// too — and its history as [`Step`]s.
    pub fn into_request(mut self) -> (Request, Vec<Step>) {
        let steps = std::mem::take(&mut self.history);
        let request = Request {
            id: self.id,
            title: self.title,
            kind: self.kind,
            priority: self.priority,
            customer: self.customer,
            opportunity: self.opportunity.map(|o| Opportunity {
                name: o.name,
                value: o.value.map(|v| v.0),
                currency: o.currency,
                expected_close: o.expected_close.map(|d| d.0),
                extra: Extra::new(),
            }),
            requested_by: None,
            created: self.created.0,
            due: self.due.map(|d| d.0),
            stage: self.stage,
            assignee: self.assignee,
            skills: Vec::new(),
            products: self.products,
            tags: Vec::new(),
            description: None,
            assessment: None,
            solution: self.solution,
            demos: self
                .demos
                .into_iter()
                .map(|d| Demo {
                    id: d.id,
                    date: d.date.0,
                    attendees: Vec::new(),
                    notes: None,
                    feedback: Vec::new(),
                    extra: Extra::new(),
                })
                .collect(),
            planned_demos: Vec::new(),
            articles: self
                .articles
                .into_iter()
                .map(|u| ArticleUse {
                    id: u.id,
                    at: u.at.0,
                    by: u.by,
                    extra: Extra::new(),
                })
                .collect(),
            effort: self
                .effort
                .into_iter()
                .map(|e| Effort {
                    id: e.id,
                    by: e.by,
                    date: e.date.0,
                    hours: e.hours.0,
                    activity: e.activity,
                    note: None,
                    extra: Extra::new(),
                })
                .collect(),
            gaps: self
                .gaps
                .into_iter()
                .map(|l| GapLink {
                    id: l.id,
                    gap: l.gap,
                    severity: l.severity,
                    feedback: l.feedback,
                    at: l.at.0,
                    by: l.by,
                    extra: Extra::new(),
                })
                .collect(),
            article_flags: self.article_flags.into_iter().map(Flag::from).collect(),
            outcome: self.outcome,
            technical_win: self.technical_win,
            technical_win_evidence: None,
            loss_reason: self.loss_reason,
            competitor: self.competitor,
            summary: None,
            resolution: None,
            satisfaction: self.satisfaction,
            confidential: self.confidential,
            extra: Extra::new(),
            history: Vec::new(),
        };
        (request, steps)
    }
}

/// What the reports read of a knowledge-base article: no body, no summary, no history but
/// the reviews' times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleFacts {
    pub id: String,
    pub title: String,
    pub status: super::article::Status,
    review_by: Option<Day>,
    created: Instant,
    /// The last history entry's time (or the creation's).
    updated: Instant,
    pub confidential: bool,
    /// The owner, else the author.
    pub owner: String,
    /// The times of `review` entries.
    reviews: Vec<Instant>,
    flags: Vec<FlagFacts>,
}

impl From<&super::Article> for ArticleFacts {
    fn from(a: &super::Article) -> ArticleFacts {
        ArticleFacts {
            id: a.id.clone(),
            title: a.title.clone(),
            status: a.status,
            review_by: a.review_by.map(Day),
            created: Instant(a.created),
            updated: Instant(a.history.last().map_or(a.created, |h| h.at)),
            confidential: a.confidential,
            owner: a.owner.clone().unwrap_or_else(|| a.author.clone()),
            reviews: a
                .history
                .iter()
                .filter(|h| h.action == "review")
                .map(|h| Instant(h.at))
                .collect(),
            flags: a.flags.iter().map(FlagFacts::from).collect(),
        }
    }
}

impl ArticleFacts {
    pub fn review_by(&self) -> Option<NaiveDate> {
        self.review_by.map(|d| d.0)
    }
    pub fn created(&self) -> Timestamp {
        self.created.0
    }
    pub fn updated(&self) -> Timestamp {
        self.updated.0
    }
    pub fn reviews(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.reviews.iter().map(|t| t.0)
    }
    pub fn take_flags(&mut self) -> Vec<Flag> {
        std::mem::take(&mut self.flags)
            .into_iter()
            .map(Flag::from)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_keep_the_offset_and_the_nanoseconds() {
        let t: Timestamp = "2026-11-27T10:00:01.123456789+08:00".parse().unwrap();
        let bytes = postcard::to_allocvec(&Instant(t)).unwrap();
        let back = postcard::from_bytes::<Instant>(&bytes).unwrap().0;
        assert_eq!(back, t);
        assert_eq!(back.to_rfc3339(), t.to_rfc3339());
        let day = postcard::to_allocvec(&(0i64, 0u32, 86_400i32)).unwrap();
        assert!(
            postcard::from_bytes::<Instant>(&day).is_err(),
            "an offset of a day is no offset"
        );
        let d = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        let bytes = postcard::to_allocvec(&Day(d)).unwrap();
        assert_eq!(postcard::from_bytes::<Day>(&bytes).unwrap().0, d);
        let far = postcard::to_allocvec(&i32::MAX).unwrap();
        assert!(postcard::from_bytes::<Day>(&far).is_err());
    }

    #[test]
    fn facts_round_trip_through_postcard() {
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "id": "REQ-1", "title": "智慧园区", "type": "poc", "priority": "P2",
            "customer": "CUS-1", "created": "2026-11-01T09:00:00+08:00", "stage": "design",
            "due": "2026-12-01", "description": "dropped", "opportunity": {"value": "12.5", "x": 1},
            "history": [
                {"at": "2026-11-01T09:00:00+08:00", "by": "a", "action": "create", "to": "registered", "note": "n", "op": "o"},
                {"at": "2026-11-02T09:00:00+08:00", "by": "b", "action": "assign", "to": "li", "skipped": [{"member": "x"}]}
            ]
        }))
        .unwrap();
        let bytes = postcard::to_allocvec(&RequestFacts::from(&r)).unwrap();
        let (back, steps) = postcard::from_bytes::<RequestFacts>(&bytes)
            .unwrap()
            .into_request();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            steps,
            [
                Step {
                    at: at("2026-11-01T09:00:00+08:00"),
                    by: Name::new("a"),
                    action: Name::new("create"),
                    from: None,
                    to: Some(Name::new("registered")),
                    outcome: None,
                    item: None,
                },
                // A dispatch's skips are left out.
                Step {
                    at: at("2026-11-02T09:00:00+08:00"),
                    by: Name::new("b"),
                    action: Name::new("assign"),
                    from: None,
                    to: Some(Name::new("li")),
                    outcome: None,
                    item: None,
                }
            ]
        );
        r.description = None;
        r.opportunity.as_mut().unwrap().extra.clear();
        r.history.clear();
        assert_eq!(back, r);
    }

    /// The extras reports read are kept when they are texts, whatever else the entry holds.
    #[test]
    fn steps_keep_the_reported_extras() {
        let entries: Vec<HistoryEntry> = serde_json::from_value(serde_json::json!([
            {"at": "2026-11-03T09:00:00+08:00", "by": "li", "action": "close", "from": "handover",
             "to": "closed", "outcome": "won", "note": "n", "x": [1, 2]},
            {"at": "2026-11-04T09:00:00+08:00", "by": "li", "action": "log", "item": "E2"},
            {"at": "2026-11-05T09:00:00+08:00", "by": "li", "action": "log", "item": 7},
            {"at": "2026-11-06T09:00:00+08:00", "by": "li", "action": "solution",
             "to": "SOL-1", "item": "E3"},
            {"at": "2026-11-07T09:00:00+08:00", "by": "li", "action": "advance",
             "from": "registered", "to": "assigned"}
        ]))
        .unwrap();
        let steps = Step::all(&entries);
        assert_eq!(steps[0].from, Some(Name::new("handover")));
        assert_eq!(steps[0].to, Some(Name::new("closed")));
        assert_eq!(steps[0].outcome, Some(Name::new("won")));
        assert_eq!(steps[1].item.as_deref(), Some("E2"));
        assert_eq!(steps[2].item, None, "an item that is not a text is not one");
        // What no report reads of other entries is not kept.
        assert_eq!((steps[3].to, steps[3].item.as_deref()), (None, None));
        assert_eq!(steps[4].from, Some(Name::new("registered")));
        assert_eq!(steps[4].to, Some(Name::new("assigned")));
        let bytes = postcard::to_allocvec(&steps).unwrap();
        assert_eq!(postcard::from_bytes::<Vec<Step>>(&bytes).unwrap(), steps);
        // A step as an older cache holds it (every `to` and `item`) reads the same.
        let full: Vec<_> = entries
            .iter()
            .map(|h| {
                let text = |k: &str| h.extra.get(k).and_then(|v| v.as_str()).map(String::from);
                (
                    Instant(h.at),
                    &h.by,
                    &h.action,
                    &h.from,
                    &h.to,
                    text("outcome"),
                    text("item"),
                )
            })
            .collect();
        let bytes = postcard::to_allocvec(&full).unwrap();
        assert_eq!(postcard::from_bytes::<Vec<Step>>(&bytes).unwrap(), steps);
        // Cut short, it is an error, not a step.
        let cut = &bytes[..bytes.len() - 1];
        assert!(postcard::from_bytes::<Vec<Step>>(cut).is_err());
    }

    /// A text is kept once, whichever thread first asks for it.
    #[test]
    fn names_are_shared_between_threads() {
        let here = Name::new("names_are_shared_between_threads");
        let there = std::thread::spawn(|| Name::new("names_are_shared_between_threads"))
            .join()
            .unwrap();
        assert_eq!(here, there);
        assert!(std::ptr::eq(here.as_str(), there.as_str()));
        assert_eq!(here, "names_are_shared_between_threads");
        assert_ne!(Name::new("names_are_shared"), here);
        // Sorted by text, whatever their addresses.
        let mut names = [Name::new("zz"), Name::new("aa"), Name::new("mm")];
        names.sort();
        assert_eq!(names.map(Name::as_str), ["aa", "mm", "zz"]);
        // The point of it: a step is a quarter of an entry's memory, and allocates nothing.
        assert_eq!(std::mem::size_of::<Option<Name>>(), 8);
        assert!(std::mem::size_of::<Step>() <= 72);
        assert_eq!(
            format!("{here} {here:?}"),
            format!("{0} {0:?}", here.as_str())
        );
    }
}
