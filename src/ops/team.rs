//! Team edits in presales.toml (成员, 请假): add a member, record an absence. The file keeps
//! its comments and layout (toml_edit); an edit that would give it a problem is refused.

use chrono::NaiveDate;
use toml_edit::{Array, ArrayOfTables, InlineTable, Item, Table, value};

use super::{Tx, Written};
use crate::config::Role;
use crate::error::{Error, Result};
use crate::store::Store;

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
    let Some(index) = store.config.members.iter().position(|m| m.id == id) else {
        return Err(Error::invalid_with_hint(
            format!("`{}` is not a team member", id),
            format!("members: {}", store.config.member_ids().join(", ")),
        ));
    };
    let mut tx = Tx::begin(store, None)?;
    tx.edit_config(|doc| {
        let mut range = InlineTable::new();
        range.insert("from", from.to_string().into());
        range.insert("to", to.to_string().into());
        if let Some(n) = &note {
            range.insert("note", (*n).into());
        }
        let member: &mut dyn toml_edit::TableLike = match doc.get_mut("members") {
            Some(Item::ArrayOfTables(aot)) => aot
                .get_mut(index)
                .map(|t| t as &mut dyn toml_edit::TableLike),
            Some(Item::Value(toml_edit::Value::Array(arr))) => match arr.get_mut(index) {
                Some(toml_edit::Value::InlineTable(t)) => Some(t as &mut dyn toml_edit::TableLike),
                _ => None,
            },
            _ => None,
        }
        .ok_or_else(|| Error::invalid("presales.toml: cannot find the member's table"))?;
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
