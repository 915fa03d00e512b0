//! What the reports read of a request, in the compact form the parse cache keeps: plain
//! positional fields (postcard, no field names), times as integers, unknown fields and the
//! rarely filled nested lists as JSON bytes. Pure: no I/O.
//!
//! A warm report decodes 100,000 of these instead of whole records: the record's free texts
//! (description, summary, resolution, notes) are not kept, nor are the history's notes and
//! operation ids, which no report reads. [`RequestFacts::into_request`] gives the request
//! back with those empty; a test runs every report on both forms and compares the output.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::request::{ArticleUse, Demo, Effort, Opportunity, Outcome, Request};
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
/// which a format without field names cannot hold.
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

/// The keys of a history entry beyond its named fields that reports read: a close's
/// outcome (the timeline) and a removed effort item (capacity). The others (a dispatch's
/// skips, an assessment's verdict, …) are left out of the facts.
const REPORTED_KEYS: [&str; 2] = ["outcome", "item"];

/// A history entry as the reports replay it: no note, no operation id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryFacts {
    at: Instant,
    by: String,
    action: String,
    from: Option<String>,
    to: Option<String>,
    /// The entry's [`REPORTED_KEYS`].
    extra: Option<Json<Extra>>,
}

/// The request's lists that carry unknown fields and that most requests leave empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Nested {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opportunity: Option<Opportunity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    demos: Vec<Demo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    articles: Vec<ArticleUse>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    effort: Vec<Effort>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    gaps: Vec<GapLink>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    article_flags: Vec<Flag>,
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
    history: Vec<EntryFacts>,
    nested: Option<Json<Nested>>,
}

impl From<&Request> for RequestFacts {
    fn from(r: &Request) -> RequestFacts {
        let nested = Nested {
            opportunity: r.opportunity.clone(),
            // Reports count demos and read no notes, attendees or feedback.
            demos: r
                .demos
                .iter()
                .map(|d| Demo {
                    id: d.id.clone(),
                    date: d.date,
                    attendees: Vec::new(),
                    notes: None,
                    feedback: Vec::new(),
                    extra: Extra::new(),
                })
                .collect(),
            articles: r.articles.clone(),
            effort: r
                .effort
                .iter()
                .map(|e| Effort {
                    note: None,
                    extra: Extra::new(),
                    ..e.clone()
                })
                .collect(),
            gaps: r.gaps.clone(),
            article_flags: r.article_flags.clone(),
        };
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
            history: r
                .history
                .iter()
                .map(|h| EntryFacts {
                    at: Instant(h.at),
                    by: h.by.clone(),
                    action: h.action.clone(),
                    from: h.from.clone(),
                    to: h.to.clone(),
                    extra: {
                        let read: Extra = h
                            .extra
                            .iter()
                            .filter(|(k, _)| REPORTED_KEYS.contains(&k.as_str()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        (!read.is_empty()).then_some(Json(read))
                    },
                })
                .collect(),
            nested: (nested != Nested::default()).then_some(Json(nested)),
        }
    }
}

impl RequestFacts {
    /// The request as the reports see it: the fields kept, the rest empty.
    pub fn into_request(self) -> Request {
        let Nested {
            opportunity,
            demos,
            articles,
            effort,
            gaps,
            article_flags,
        } = self.nested.map(|n| n.0).unwrap_or_default();
        let history = self
            .history
            .into_iter()
            .map(|h| HistoryEntry {
                at: h.at.0,
                by: h.by,
                action: h.action,
                op: None,
                from: h.from,
                to: h.to,
                note: None,
                extra: h.extra.map(|e| e.0).unwrap_or_default(),
            })
            .collect();
        Request {
            id: self.id,
            title: self.title,
            kind: self.kind,
            priority: self.priority,
            customer: self.customer,
            opportunity,
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
            demos,
            planned_demos: Vec::new(),
            articles,
            effort,
            gaps,
            article_flags,
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
            history,
        }
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
    flags: Option<Json<Vec<Flag>>>,
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
            flags: (!a.flags.is_empty()).then(|| Json(a.flags.clone())),
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
        self.flags.take().map(|f| f.0).unwrap_or_default()
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
        let back = postcard::from_bytes::<RequestFacts>(&bytes)
            .unwrap()
            .into_request();
        r.description = None;
        for h in &mut r.history {
            h.note = None;
            h.op = None;
            h.extra.retain(|k, _| REPORTED_KEYS.contains(&k.as_str()));
        }
        assert!(
            r.history[1].extra.is_empty(),
            "a dispatch's skips are left out"
        );
        assert_eq!(back, r);
    }
}
