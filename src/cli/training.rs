//! `presales training`: training sessions (员工技术培训 / 培训计划) and their attendance.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Ctx, Format, output, parse_date};
use crate::error::{Error, Result};
use crate::model::{Kind, RecordId, Training, TrainingKind};
use crate::ops::training::{self as training_ops, NewTraining};
use crate::ops::{self, Duration};
use crate::report::{Period, PeriodSpec, Window};
use crate::store::Store;

/// Training sessions (培训计划): who gives them, who is invited, who attended.
///
/// Product (技术培训), security (保密培训) and handover trainings. A session is its own
/// file (trainings/<year>/TRN-….yaml). `presales report training` adds up hours and
/// sessions per member, the attendance rate, and who has not had the yearly security
/// training.
///
/// Examples:
///   presales training new --title '新版 VPN 产品培训' --date 2026-12-03 --trainer li.na \
///     --attendee wang.fang --attendee liu.yang --topic VPN --hours 3
///   presales training new --title '年度保密培训' --kind security --date 2026-11-20 \
///     --trainer zhang.wei --attendee li.na --attendee wang.fang
///   presales training attend TRN-20261120-A7KQ2MX --member li.na --member wang.fang
///   presales training list --kind security --year 2026
///   presales training show A7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    New(NewArgs),
    Attend(AttendArgs),
    List(ListArgs),
    Show(ShowArgs),
    Edit(EditArgs),
}

/// Plan a training session (or record one held); prints its ID.
///
/// The trainer and the attendees are active team members (id, e-mail or unique display
/// name); the trainer is not also an attendee. Without --hours the session lasts
/// `[trainings] default_hours` of presales.toml (2 h by default).
///
/// Examples:
///   presales training new --title '新版 VPN 产品培训' --date 2026-12-03 --trainer li.na \
///     --attendee wang.fang --attendee liu.yang --topic VPN --topic IPsec --hours 3 \
///     --place '3 楼会议室'
///   presales training new --title '年度保密培训' --kind security --date 2026-11-20 \
///     --trainer zhang.wei --attendee li.na --attendee wang.fang --attendee liu.yang
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct NewArgs {
    /// What the session is, in one line.
    #[arg(long)]
    title: String,
    /// The day it is held (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    date: NaiveDate,
    /// The member who gives it.
    #[arg(long, value_name = "MEMBER")]
    trainer: String,
    /// A member invited (repeatable).
    #[arg(long = "attendee", value_name = "MEMBER")]
    attendees: Vec<String>,
    /// A subject it covers (repeatable).
    #[arg(long = "topic", value_name = "TOPIC")]
    topics: Vec<String>,
    /// product (技术培训, the default), security (保密培训) or handover.
    #[arg(long, value_parser = parse_kind, default_value = "product")]
    kind: TrainingKind,
    /// How long: 2 (hours), 1.5h, 90m or 1d (a working day).
    #[arg(long, value_name = "HOURS", value_parser = parse_hours)]
    hours: Option<Duration>,
    /// Where it is held (a room, a city, a meeting link).
    #[arg(long)]
    place: Option<String>,
    /// Anything else worth knowing (materials, follow-up).
    #[arg(long)]
    note: Option<String>,
}

/// Record that members attended a session (held today or earlier).
///
/// Members not invited may attend too; they count for their hours, not for the attendance
/// rate (attended ÷ invited). The trainer is not an attendee.
///
/// Examples:
///   presales training attend TRN-20261120-A7KQ2MX --member li.na
///   presales training attend A7KQ2MX --member wang.fang --member 刘洋
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct AttendArgs {
    /// The session (ID or abbreviation).
    training: String,
    /// A member who attended (repeatable).
    #[arg(long = "member", value_name = "MEMBER", required = true)]
    members: Vec<String>,
}

/// List training sessions, oldest first, with their attendance.
///
/// Examples:
///   presales training list
///   presales training list --kind security --member li.na
///   presales training list --quarter 2026-Q4 --format csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ListArgs {
    /// Only sessions of this kind: product, security or handover.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<TrainingKind>,
    /// Only sessions this member gives, is invited to or attended.
    #[arg(long, value_name = "MEMBER")]
    member: Option<String>,
    /// Only sessions in this calendar year.
    #[arg(long, value_name = "YYYY", conflicts_with_all = ["week", "month", "quarter", "from", "to"])]
    year: Option<i32>,
    /// Only sessions in this ISO week: 2026-W48, `last` or `this`.
    #[arg(long, value_name = "last|this|YYYY-Www", value_parser = PeriodSpec::parse_week,
          conflicts_with_all = ["month", "quarter", "from", "to"])]
    week: Option<PeriodSpec>,
    /// Only sessions in this month: 2026-11, `last` or `this`.
    #[arg(long, value_name = "last|this|YYYY-MM", value_parser = PeriodSpec::parse_month,
          conflicts_with_all = ["quarter", "from", "to"])]
    month: Option<PeriodSpec>,
    /// Only sessions in this quarter: 2026-Q4, `last` or `this`.
    #[arg(long, value_name = "last|this|YYYY-Qn", value_parser = PeriodSpec::parse_quarter,
          conflicts_with_all = ["from", "to"])]
    quarter: Option<PeriodSpec>,
    /// Only sessions on or after this day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Only sessions on or before this day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<NaiveDate>,
}

/// Show a session: its fields, who was invited and who attended, and its history.
///
/// Examples:
///   presales training show A7KQ2MX
///   presales training show TRN-20261120-A7KQ2MX --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ShowArgs {
    /// The training (TRN-… or unique abbreviation).
    training: String,
}

/// Edit a session in $VISUAL/$EDITOR: title, kind, date, hours, trainer, place, topics,
/// attendees (invited), note.
///
/// Who attended changes with `training attend`.
///
/// Examples:
///   EDITOR=nano presales training edit A7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct EditArgs {
    /// The training (TRN-… or unique abbreviation).
    training: String,
}

fn parse_kind(s: &str) -> std::result::Result<TrainingKind, String> {
    s.parse()
}

/// `2` or `1.5` (hours), or a duration as `presales log` takes it: 1.5h, 90m, 1d.
fn parse_hours(s: &str) -> std::result::Result<Duration, String> {
    match s.trim().parse::<rust_decimal::Decimal>() {
        Ok(h) if h > rust_decimal::Decimal::ZERO => Ok(Duration::Hours(h)),
        Ok(h) => Err(format!("must be more than zero, got {h}")),
        Err(_) => ops::parse_duration(s),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd {
        Cmd::New(a) => new(ctx, a),
        Cmd::Attend(a) => attend(ctx, a),
        Cmd::List(a) => list(ctx, a),
        Cmd::Show(a) => {
            let store = ctx.store()?;
            let id = store.resolve(Kind::Training, &a.training)?;
            show(ctx, &store, &id)
        }
        Cmd::Edit(a) => {
            let store = ctx.store()?;
            super::edit::edit_record::<Training>(ctx, &store, &a.training)
        }
    }
}

fn new(ctx: &Ctx, a: NewArgs) -> Result<()> {
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let (training, written) = training_ops::create(
        &store,
        &actor,
        NewTraining {
            title: a.title,
            kind: a.kind,
            date: a.date,
            duration: a.hours,
            trainer: a.trainer,
            place: a.place,
            topics: a.topics,
            attendees: a.attendees,
            note: a.note,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{}\n", training.id))?;
    Ok(())
}

fn attend(ctx: &Ctx, a: AttendArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Training, &a.training)?;
    let actor = ctx.actor(&store)?;
    let (t, written) = training_ops::attend(&store, &actor, &id, &a.members)?;
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{id}: {} attended ({} of {} invited)\n",
        t.attended.len(),
        invited_attended(&t),
        t.attendees.len()
    ))?;
    Ok(())
}

/// Invited members who attended.
fn invited_attended(t: &Training) -> usize {
    t.attendees.iter().filter(|a| t.did_attend(a)).count()
}

/// A session as `training list` prints it in JSON, YAML and CSV: the record's own fields
/// and its attendance.
#[derive(Serialize)]
struct ListItem<'a> {
    #[serde(flatten)]
    training: &'a Training,
    /// Invited members who attended.
    attended_invited: usize,
}

/// The days `list`'s period flags select, or `None` for every day.
fn period(ctx: &Ctx, store: &Store, a: &ListArgs) -> Result<Option<(NaiveDate, NaiveDate)>> {
    if let Some(y) = a.year {
        let from = NaiveDate::from_ymd_opt(y, 1, 1);
        let to = NaiveDate::from_ymd_opt(y, 12, 31);
        return match (from, to) {
            (Some(f), Some(t)) => Ok(Some((f, t))),
            _ => Err(Error::invalid(format!(
                "{y} is not a year presales can read"
            ))),
        };
    }
    let named = a.week.as_ref().or(a.month.as_ref()).or(a.quarter.as_ref());
    if let Some(spec) = named {
        let window = Window::resolve(
            store.calendar.as_ref().map(|c| c.time_zone()),
            spec.clone(),
            None,
            ctx.now()?,
        )
        .map_err(Error::invalid)?;
        return Ok(Some((window.period.from, window.period.to)));
    }
    match (a.from, a.to) {
        (None, None) => Ok(None),
        (from, to) => {
            let from = from.unwrap_or(NaiveDate::MIN);
            let to = to.unwrap_or(NaiveDate::MAX);
            Period::range(from, to).map_err(|message| Error::Usage {
                message,
                hint: None,
            })?;
            Ok(Some((from, to)))
        }
    }
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let store = ctx.store()?;
    let member = match &a.member {
        Some(m) => match store.config.find_member(m) {
            Some(found) => Some(found.id.clone()),
            None => {
                ops::check_member(&store, m)?;
                None
            }
        },
        None => None,
    };
    let days = period(ctx, &store, &a)?;
    let (mut all, errors) = store.load_all_cached::<Training>();
    for e in &errors {
        ctx.warn_error(e);
    }
    all.sort_by(|x, y| x.date.cmp(&y.date).then_with(|| x.id.cmp(&y.id)));
    let items: Vec<ListItem> = all
        .iter()
        .filter(|t| a.kind.is_none_or(|k| t.kind == k))
        .filter(|t| days.is_none_or(|(from, to)| from <= t.date && t.date <= to))
        .filter(|t| {
            member.as_deref().is_none_or(|m| {
                t.trainer == m || t.attendees.iter().any(|x| x == m) || t.did_attend(m)
            })
        })
        .map(|t| ListItem {
            training: t,
            attended_invited: invited_attended(t),
        })
        .collect();
    let rows = items
        .iter()
        .map(|i| {
            let t = i.training;
            vec![
                t.id.clone(),
                t.date.to_string(),
                t.kind.to_string(),
                t.hours.normalize().to_string(),
                t.trainer.clone(),
                t.attendees.len().to_string(),
                t.attended.len().to_string(),
                t.title.clone(),
            ]
        })
        .collect();
    let headers = [
        "ID", "DATE", "KIND", "HOURS", "TRAINER", "INVITED", "ATTENDED", "TITLE",
    ];
    output::print(&output::list(ctx.format, &items, &headers, rows)?)?;
    Ok(())
}

/// `training show` (and `presales show TRN-…`).
pub(super) fn show(ctx: &Ctx, store: &Store, id: &RecordId) -> Result<()> {
    let t: Training = store.load(id)?;
    match ctx.format {
        Format::Json => output::print(&output::json(&t)?),
        Format::Yaml => output::print(&output::yaml(&t)?),
        Format::Csv => output::print(&output::csv(
            &["member", "role", "invited", "attended"],
            attendance(&t)
                .into_iter()
                .map(|(m, role, invited, attended)| {
                    vec![m, role.into(), invited.to_string(), attended.to_string()]
                })
                .collect(),
        )?),
        Format::Table | Format::Text | Format::Github | Format::Markdown | Format::Html => {
            let mut s = format!("{}  {}\n", t.id, t.title);
            let mut field = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    s.push_str(&format!("{k:<14}{v}\n"));
                }
            };
            field("kind", Some(t.kind.to_string()));
            field("date", Some(t.date.to_string()));
            field("hours", Some(t.hours.normalize().to_string()));
            field("trainer", Some(t.trainer.clone()));
            field("place", t.place.clone());
            field(
                "topics",
                (!t.topics.is_empty()).then(|| t.topics.join(", ")),
            );
            field(
                "attendance",
                Some(format!(
                    "{} of {} invited attended{}",
                    invited_attended(&t),
                    t.attendees.len(),
                    match t.attended.len() - invited_attended(&t) {
                        0 => String::new(),
                        n => format!(", and {n} not invited"),
                    }
                )),
            );
            field(
                "created",
                Some(format!("{} by {}", t.created.format("%Y-%m-%d"), t.author)),
            );
            if let Some(n) = &t.note {
                s.push_str("\nnote:\n");
                for line in n.lines() {
                    s.push_str(&format!("  {line}\n"));
                }
            }
            s.push('\n');
            let rows = attendance(&t)
                .into_iter()
                .map(|(m, role, invited, attended)| {
                    let yes = |b: bool| match (role, b) {
                        ("trainer", _) => "-",
                        (_, true) => "yes",
                        (_, false) => "no",
                    };
                    vec![m, role.into(), yes(invited).into(), yes(attended).into()]
                })
                .collect();
            s.push_str(&output::table(
                &["MEMBER", "ROLE", "INVITED", "ATTENDED"],
                rows,
            ));
            s.push_str("\nhistory:\n");
            for h in &t.history {
                s.push_str(&format!("  {}\n", super::show::history_line(h)));
            }
            output::print(&s)
        }
    }
}

/// Everyone a session names: the trainer, then the invited, then walk-ins; with whether
/// each was invited and attended.
fn attendance(t: &Training) -> Vec<(String, &'static str, bool, bool)> {
    let mut out = vec![(t.trainer.clone(), "trainer", false, false)];
    for a in &t.attendees {
        out.push((a.clone(), "attendee", true, t.did_attend(a)));
    }
    for a in t
        .attended
        .iter()
        .filter(|a| !t.attendees.contains(&a.member))
    {
        out.push((a.member.clone(), "attendee", false, true));
    }
    out
}
