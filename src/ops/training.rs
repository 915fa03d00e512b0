//! The training commands (培训计划): `training new` plans a session, `training attend`
//! records who came.

use chrono::NaiveDate;

use super::command::{self, Command};
use super::{Actor, Duration, Tx, World, Written, run, working_day_hours};
use crate::error::Result;
use crate::model::{Kind, RecordId, Training, TrainingKind};
use crate::store::Store;

/// What `training new` records.
pub struct NewTraining {
    pub title: String,
    pub kind: TrainingKind,
    pub date: NaiveDate,
    /// `None`: `[trainings] default_hours`.
    pub duration: Option<Duration>,
    /// Member id, e-mail or unique display name.
    pub trainer: String,
    pub place: Option<String>,
    pub topics: Vec<String>,
    /// Member ids, e-mails or unique display names.
    pub attendees: Vec<String>,
    pub note: Option<String>,
}

/// The id of the member `who` names (id in any case, e-mail, unique display name); `who`
/// as given when no member matches, so the command's check names the members.
fn member_id(store: &Store, who: &str) -> String {
    store
        .config
        .find_member(who)
        .map_or_else(|| who.trim().to_string(), |m| m.id.clone())
}

/// Plans a training session; returns it with what was written.
pub fn create(store: &Store, actor: &Actor, input: NewTraining) -> Result<(Training, Written)> {
    let hours = match input.duration {
        Some(d) => d.hours(working_day_hours(store)),
        None => store.config.trainings.default_hours,
    };
    let mut tx = Tx::begin(store, Some(actor))?;
    let id = store.mint(Kind::Training, actor.now)?;
    let cmd = Command::NewTraining {
        id: id.to_string(),
        input: command::TrainingInput {
            title: input.title,
            kind: input.kind,
            date: input.date,
            hours: hours.normalize(),
            trainer: member_id(store, &input.trainer),
            place: input.place,
            topics: input.topics,
            attendees: input
                .attendees
                .iter()
                .map(|a| member_id(store, a))
                .collect(),
            note: input.note,
        },
    };
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let training: Training = world.get(id.as_str())?;
    let description = format!("{}: new training {}", training.id, training.title);
    Ok((training, tx.finish(description)))
}

/// Records that `members` attended session `id`.
pub fn attend(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    members: &[String],
) -> Result<(Training, Written)> {
    let members: Vec<String> = members.iter().map(|m| member_id(store, m)).collect();
    let cmd = Command::Attend {
        training: id.to_string(),
        input: command::AttendInput {
            members: members.clone(),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Training| {
        format!("{id}: attended by {}", members.join(", "))
    })
}
