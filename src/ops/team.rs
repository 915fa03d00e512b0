//! Team edits in presales.toml (成员, 请假): add, edit or remove a member, record an absence.
//! The file keeps its comments and layout (toml_edit); an edit that would give it a problem
//! is refused.

use chrono::NaiveDate;
use toml_edit::{Array, ArrayOfTables, InlineTable, Item, Table, value};

use super::{Tx, Written};
use crate::config::{Config, Role};
use crate::error::{Error, Result};
use crate::model::Request;
use crate::store::Store;
use crate::workflow::CLOSED;

/// What `team add` asks for.
pub struct NewMember {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub skills: Vec<String>,
}

pub fn valid_member_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Adds a member to presales.toml.
pub fn add_member(store: &Store, a: NewMember) -> Result<Written> {
    if !valid_member_id(&a.id) {
        return Err(Error::invalid_with_hint(
            format!("`{}` is not a valid member id", a.id),
            "use lower-case letters, digits, `.`, `_` or `-`, e.g. li.na",
        ));
    }
    if store.config.member(&a.id).is_some() {
        return Err(Error::invalid(format!("{} is already a member", a.id)));
    }
    if let Some(email) = &a.email
        && let Some(m) = store.config.find_member(email)
    {
        return Err(Error::invalid(format!(
            "{email} already belongs to {}",
            m.id
        )));
    }
    let mut tx = Tx::begin(store, None)?;
    tx.edit_config(|doc| {
        let mut t = Table::new();
        t.insert("id", value(&a.id));
        t.insert("name", value(&a.name));
        if let Some(e) = &a.email {
            t.insert("email", value(e));
        }
        t.insert(
            "roles",
            value(a.roles.iter().map(|r| r.as_str()).collect::<Array>()),
        );
        t.insert(
            "skills",
            value(a.skills.iter().map(String::as_str).collect::<Array>()),
        );
        match doc.get_mut("members") {
            None => {
                let mut aot = ArrayOfTables::new();
                aot.push(t);
                doc.insert("members", Item::ArrayOfTables(aot));
            }
            Some(Item::ArrayOfTables(aot)) => aot.push(t),
            Some(Item::Value(toml_edit::Value::Array(arr))) => {
                arr.push(t.into_inline_table());
            }
            Some(_) => {
                return Err(Error::invalid(
                    "presales.toml: `members` is neither [[members]] tables nor an array",
                ));
            }
        }
        Ok(())
    })?;
    Ok(tx.finish(format!("team: add {}", a.id)))
}

/// Records an absence (`from`..=`to`): the member gets no automatic assignments then.
pub fn set_away(
    store: &Store,
    id: &str,
    from: NaiveDate,
    to: NaiveDate,
    note: Option<&str>,
) -> Result<Written> {
    if to < from {
        return Err(Error::invalid(format!(
            "--to {} is before --from {}",
            to, from
        )));
    }
    let index = member_index(&store.config, id)?;
    let mut tx = Tx::begin(store, None)?;
    tx.edit_config(|doc| {
        let mut range = InlineTable::new();
        range.insert("from", from.to_string().into());
        range.insert("to", to.to_string().into());
        if let Some(n) = &note {
            range.insert("note", (*n).into());
        }
        let member = member_table(doc, index)?;
        match member.get_mut("away") {
            Some(Item::Value(toml_edit::Value::Array(arr))) => arr.push(range),
            Some(Item::ArrayOfTables(aot)) => aot.push(range.into_table()),
            _ => {
                let mut arr = Array::new();
                arr.push(range);
                member.insert("away", value(arr));
            }
        }
        Ok(())
    })?;
    Ok(tx.finish(format!("team: {id} away {from} to {to}")))
}

/// The position of member `id` in `[[members]]`; an error listing the members otherwise.
fn member_index(config: &Config, id: &str) -> Result<usize> {
    config
        .members
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(|| {
            Error::invalid_with_hint(
                format!("`{id}` is not a team member"),
                format!("members: {}", config.member_ids().join(", ")),
            )
        })
}

/// The table of the `index`th member, whether written as `[[members]]` or inline.
fn member_table(
    doc: &mut toml_edit::DocumentMut,
    index: usize,
) -> Result<&mut dyn toml_edit::TableLike> {
    match doc.get_mut("members") {
        Some(Item::ArrayOfTables(aot)) => aot
            .get_mut(index)
            .map(|t| t as &mut dyn toml_edit::TableLike),
        Some(Item::Value(toml_edit::Value::Array(arr))) => match arr.get_mut(index) {
            Some(toml_edit::Value::InlineTable(t)) => Some(t as &mut dyn toml_edit::TableLike),
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| Error::invalid("presales.toml: cannot find the member's table"))
}

/// Sets `key` of a member's table, keeping the decoration of a value already there.
fn set(member: &mut dyn toml_edit::TableLike, key: &str, v: toml_edit::Value) {
    match member.get_mut(key) {
        Some(Item::Value(old)) => {
            let decor = old.decor().clone();
            *old = v;
            *old.decor_mut() = decor;
        }
        _ => {
            member.insert(key, Item::Value(v));
        }
    }
}

/// What `team edit` changes; `None` leaves a field as it is.
#[derive(Default)]
pub struct MemberEdit {
    pub name: Option<String>,
    pub email: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub skills: Option<Vec<String>>,
    pub hours_per_week: Option<f64>,
}

impl MemberEdit {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.email.is_none()
            && self.roles.is_none()
            && self.skills.is_none()
            && self.hours_per_week.is_none()
    }
}

/// The active leads other than `id`.
fn other_leads<'c>(config: &'c Config, id: &str) -> Vec<&'c str> {
    config
        .members
        .iter()
        .filter(|m| m.id != id && m.active && m.has_role(Role::Lead))
        .map(|m| m.id.as_str())
        .collect()
}

/// Changes a member's name, e-mail, roles, skills or weekly hours in presales.toml.
pub fn edit_member(store: &Store, id: &str, e: MemberEdit) -> Result<Written> {
    let index = member_index(&store.config, id)?;
    let member = &store.config.members[index];
    if e.is_empty() {
        return Err(Error::invalid_with_hint(
            format!("nothing to change for {id}"),
            "give --name, --email, --role/--roles, --skill/--skills or --hours-per-week",
        ));
    }
    if let Some(n) = &e.name {
        super::apply::one_line("the name", n)?;
    }
    if let Some(email) = &e.email {
        super::apply::one_line("the e-mail", email)?;
        if let Some(m) = store.config.find_member(email)
            && m.id != id
        {
            return Err(Error::invalid(format!(
                "{email} already belongs to {}",
                m.id
            )));
        }
    }
    if let Some(roles) = &e.roles {
        if roles.is_empty() {
            return Err(Error::invalid_with_hint(
                format!("{id} would have no role"),
                "give at least one of engineer, lead, approver, sales; to take someone off the team, `presales team remove`",
            ));
        }
        if member.active
            && member.has_role(Role::Lead)
            && !roles.contains(&Role::Lead)
            && other_leads(&store.config, id).is_empty()
        {
            return Err(Error::invalid_with_hint(
                format!("{id} is the team's only lead; the team needs one"),
                "give another member the lead role first: `presales team edit M --role lead …`",
            ));
        }
    }
    if let Some(skills) = &e.skills {
        super::apply::one_line_items("a skill", skills)?;
    }
    if let Some(h) = e.hours_per_week
        && !(h > 0.0 && h <= 168.0)
    {
        return Err(Error::invalid(format!(
            "--hours-per-week must be more than 0 and at most 168, got {h}"
        )));
    }
    let mut tx = Tx::begin(store, None)?;
    tx.edit_config(|doc| {
        let t = member_table(doc, index)?;
        if let Some(n) = &e.name {
            set(t, "name", n.as_str().into());
        }
        if let Some(m) = &e.email {
            set(t, "email", m.as_str().into());
        }
        if let Some(roles) = &e.roles {
            let mut seen = Vec::new();
            for r in roles {
                if !seen.contains(r) {
                    seen.push(*r);
                }
            }
            set(
                t,
                "roles",
                seen.iter().map(|r| r.as_str()).collect::<Array>().into(),
            );
        }
        if let Some(skills) = &e.skills {
            let mut seen: Vec<&str> = Vec::new();
            for s in skills.iter().map(|s| s.trim()) {
                if !seen.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                    seen.push(s);
                }
            }
            set(t, "skills", seen.into_iter().collect::<Array>().into());
        }
        if let Some(h) = e.hours_per_week {
            let v: toml_edit::Value = if h.fract() == 0.0 {
                (h as i64).into()
            } else {
                h.into()
            };
            set(t, "hours_per_week", v);
        }
        Ok(())
    })?;
    Ok(tx.finish(format!("team: edit {id}")))
}

/// What `team remove` did.
pub struct Removed {
    pub written: Written,
    /// Open requests still assigned to the member: (id, title, stage).
    pub open: Vec<(String, String, String)>,
}

/// Takes a member off the team: `active = false`. Every reference to them stays valid (old
/// records, history); they get no assignments and no longer count as available.
pub fn remove_member(store: &Store, id: &str) -> Result<Removed> {
    let index = member_index(&store.config, id)?;
    let member = &store.config.members[index];
    if !member.active {
        return Err(Error::invalid(format!("{id} has already left the team")));
    }
    if member.has_role(Role::Lead) && other_leads(&store.config, id).is_empty() {
        return Err(Error::invalid_with_hint(
            format!("{id} is the team's only lead; the team needs one"),
            "give another member the lead role first: `presales team edit M --role lead …`",
        ));
    }
    let (requests, _) = store.load_all::<Request>();
    let mut open: Vec<(String, String, String)> = requests
        .iter()
        .filter(|r| r.stage != CLOSED && r.assignee.as_deref() == Some(id))
        .map(|r| (r.id.clone(), r.title.clone(), r.stage.clone()))
        .collect();
    open.sort();
    let mut tx = Tx::begin(store, None)?;
    tx.edit_config(|doc| {
        let t = member_table(doc, index)?;
        set(t, "active", false.into());
        Ok(())
    })?;
    Ok(Removed {
        written: tx.finish(format!("team: remove {id}")),
        open,
    })
}
