//! The records one operation reads and writes, held in memory: loaded on first use from a
//! [`Source`] (the store for a command; the base revision for the replay of a pull
//! request), changed by [`super::apply`], then saved (or compared) as a whole.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{Article, Customer, Gap, Kind, Record, RecordId, Request, Solution, Training};

/// Any record, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyRecord {
    Request(Request),
    Solution(Solution),
    Article(Article),
    Customer(Customer),
    Gap(Gap),
    Training(Training),
}

impl AnyRecord {
    pub fn id(&self) -> &str {
        match self {
            AnyRecord::Request(r) => &r.id,
            AnyRecord::Solution(r) => &r.id,
            AnyRecord::Article(r) => &r.id,
            AnyRecord::Customer(r) => &r.id,
            AnyRecord::Gap(r) => &r.id,
            AnyRecord::Training(r) => &r.id,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            AnyRecord::Request(_) => Kind::Request,
            AnyRecord::Solution(_) => Kind::Solution,
            AnyRecord::Article(_) => Kind::Article,
            AnyRecord::Customer(_) => Kind::Customer,
            AnyRecord::Gap(_) => Kind::Gap,
            AnyRecord::Training(_) => Kind::Training,
        }
    }

    pub fn history(&self) -> &[crate::model::HistoryEntry] {
        match self {
            AnyRecord::Request(r) => &r.history,
            AnyRecord::Solution(r) => &r.history,
            AnyRecord::Article(r) => &r.history,
            AnyRecord::Customer(r) => &r.history,
            AnyRecord::Gap(r) => &r.history,
            AnyRecord::Training(r) => &r.history,
        }
    }
}

/// A record type the world holds.
pub trait Stored: Record {
    fn wrap(self) -> AnyRecord;
    fn unwrap(any: &AnyRecord) -> Option<&Self>;
}

macro_rules! stored {
    ($t:ident) => {
        impl Stored for $t {
            fn wrap(self) -> AnyRecord {
                AnyRecord::$t(self)
            }
            fn unwrap(any: &AnyRecord) -> Option<&Self> {
                match any {
                    AnyRecord::$t(r) => Some(r),
                    _ => None,
                }
            }
        }
    };
}
stored!(Request);
stored!(Solution);
stored!(Article);
stored!(Customer);
stored!(Gap);
stored!(Training);

/// Where records and the files they name come from.
pub trait Source {
    /// The record with this id; `Ok(None)` when there is none.
    fn load(&self, id: &RecordId) -> Result<Option<AnyRecord>>;
    /// A file of the store named by a record (`plan_file`, `body_file`), relative to the root.
    fn read_file(&self, rel: &str) -> Result<String>;
    /// A long text (a plan, an article body) by the content hash its entry recorded. Only
    /// the replay of a change needs this: a command has the text itself.
    fn text_by_hash(&self, _hash: &str) -> Option<String> {
        None
    }
}

/// The records of one operation.
pub struct World<'s> {
    source: &'s dyn Source,
    records: BTreeMap<String, AnyRecord>,
    /// Ids of the records changed, in the order they were first changed.
    changed: Vec<String>,
    /// While one command runs ([`World::begin`]): each record it put, with its version
    /// before the command and whether it was already changed, so a refused command leaves
    /// the world as it found it.
    journal: Option<Vec<(String, Option<AnyRecord>, bool)>>,
}

impl<'s> World<'s> {
    pub fn new(source: &'s dyn Source) -> World<'s> {
        World {
            source,
            records: BTreeMap::new(),
            changed: Vec::new(),
            journal: None,
        }
    }

    /// Starts a command: what it puts is noted so [`World::rollback`] can undo it.
    pub fn begin(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// The records the running command put, each with its version before the command
    /// (`None`: created by it).
    pub fn touched(&self) -> impl Iterator<Item = (&AnyRecord, Option<&AnyRecord>)> {
        self.journal
            .iter()
            .flatten()
            .filter_map(|(id, before, _)| Some((self.records.get(id)?, before.as_ref())))
    }

    /// Ends a command, keeping what it did.
    pub fn commit(&mut self) {
        self.journal = None;
    }

    /// Ends a command, undoing what it put.
    pub fn rollback(&mut self) {
        for (id, before, was_changed) in self.journal.take().unwrap_or_default().into_iter().rev() {
            match before {
                Some(r) => {
                    self.records.insert(id.clone(), r);
                }
                None => {
                    self.records.remove(&id);
                }
            }
            if !was_changed {
                self.changed.retain(|c| *c != id);
            }
        }
    }

    /// Notes `id`'s version before the running command first puts it.
    fn note(&mut self, id: &str) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        if journal.iter().any(|(j, _, _)| j == id) {
            return;
        }
        let before = self.records.get(id).cloned();
        let was_changed = self.changed.iter().any(|c| c == id);
        journal.push((id.to_string(), before, was_changed));
    }

    pub fn source(&self) -> &'s dyn Source {
        self.source
    }

    fn fetch(&mut self, id: &str) -> Result<Option<&AnyRecord>> {
        if !self.records.contains_key(id) {
            let rid = RecordId::parse(id)
                .map_err(|e| Error::invalid(format!("`{id}` is not a record ID: {e}")))?;
            match self.source.load(&rid)? {
                Some(r) => {
                    self.records.insert(id.to_string(), r);
                }
                None => return Ok(None),
            }
        }
        Ok(self.records.get(id))
    }

    /// A copy of the record `id`, if it exists.
    pub fn find<T: Stored>(&mut self, id: &str) -> Result<Option<T>> {
        match self.fetch(id)? {
            Some(any) => match T::unwrap(any) {
                Some(r) => Ok(Some(r.clone())),
                None => Err(Error::invalid(format!(
                    "{id} is a {}, not a {}",
                    any.kind().noun(),
                    T::KIND.noun()
                ))),
            },
            None => Ok(None),
        }
    }

    /// A copy of the record `id`; an error naming it when there is none.
    pub fn get<T: Stored>(&mut self, id: &str) -> Result<T> {
        self.find(id)?.ok_or_else(|| Error::NotFound {
            noun: T::KIND.noun(),
            input: id.to_string(),
            hint: None,
        })
    }

    /// A copy of the record `id`, whatever its kind.
    pub fn find_any(&mut self, id: &str) -> Result<Option<AnyRecord>> {
        Ok(self.fetch(id)?.cloned())
    }

    /// Stores a new or changed record of any kind.
    pub fn put_any(&mut self, record: AnyRecord) {
        let id = record.id().to_string();
        self.note(&id);
        if !self.changed.contains(&id) {
            self.changed.push(id.clone());
        }
        self.records.insert(id, record);
    }

    /// Whether a record with this id exists (loaded or in the source).
    pub fn exists(&mut self, id: &str) -> Result<bool> {
        Ok(self.fetch(id)?.is_some())
    }

    /// Stores a new or changed record.
    pub fn put<T: Stored>(&mut self, record: T) {
        let id = record.id().to_string();
        self.note(&id);
        if !self.changed.contains(&id) {
            self.changed.push(id.clone());
        }
        self.records.insert(id, record.wrap());
    }

    /// The records changed so far, in the order of their first change.
    pub fn changed(&self) -> impl Iterator<Item = &AnyRecord> {
        self.changed.iter().filter_map(|id| self.records.get(id))
    }

    /// Every record held, changed or only read.
    pub fn records(&self) -> impl Iterator<Item = &AnyRecord> {
        self.records.values()
    }

    /// Forgets which records changed (they stay held with their new content).
    pub fn clear_changed(&mut self) {
        self.changed.clear();
    }
}
