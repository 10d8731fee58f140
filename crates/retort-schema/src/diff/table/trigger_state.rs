//! A partition's own state of a trigger cloned from its parent's (`Table::trigger_states`):
//! `ALTER TABLE partition DISABLE TRIGGER t` where the parent's trigger is enabled, or another
//! state. PostgreSQL passes a parent's change of state down to every partition, and a trigger
//! made again on the parent comes back in the parent's state on each partition, so a partition's
//! state is set again whenever its trigger changes anywhere up the partition tree.

use std::collections::BTreeSet;

use super::column;
use crate::diff::{Differ, Phase};
use crate::render::objects;
use crate::schema::{QualName, Schema, Table};

/// The state statements of table `name` (`new`, on the target side): each of its own states not
/// already in place, and a state of its own dropped (back to its parent's).
pub(super) fn trigger_states(d: &mut Differ<'_>, name: &QualName, new: &Table) {
    let old = d
        .from
        .tables
        .get(name)
        .filter(|_| !d.cascade.tables.contains(name));
    let mut names: BTreeSet<&String> = new.trigger_states.keys().collect();
    if let Some(o) = old {
        names.extend(o.trigger_states.keys());
    }
    for tname in names {
        let wanted = new.trigger_states.get(tname);
        let had = old.and_then(|o| o.trigger_states.get(tname));
        let unsettled = old.is_none() || had != wanted || tree_changes(d, new, tname);
        if !unsettled {
            continue;
        }
        // Back to the parent's state: only needed when nothing above changed (a change there
        // has already reached the partition).
        let state = match wanted {
            Some(s) => s.clone(),
            None if old.is_some() && had.is_some() && !tree_changes(d, new, tname) => {
                match parent_of(d.to, new).and_then(|p| effective_state(d.to, p, tname)) {
                    Some(s) => s,
                    None => continue,
                }
            }
            None => continue,
        };
        d.ops.push(
            Phase::CreateTrigger,
            format!(
                "set trigger {tname} on partition {name}: {}",
                objects::trigger_state_clause(&state)
            ),
            objects::trigger_state(name, tname, &state),
        );
    }
}

fn parent_of<'a>(s: &'a Schema, t: &Table) -> Option<&'a Table> {
    t.partition_of
        .as_ref()
        .and_then(|p| s.tables.get(&p.parent))
}

/// The state trigger `tname` has on `t`: its own trigger's, its own state, or its parent's.
fn effective_state(s: &Schema, t: &Table, tname: &str) -> Option<String> {
    if let Some(tr) = t.triggers.get(tname) {
        return Some(tr.enabled.clone());
    }
    if let Some(state) = t.trigger_states.get(tname) {
        return Some(state.clone());
    }
    effective_state(s, parent_of(s, t)?, tname)
}

/// Whether anything above `t` in its partition tree may reset trigger `tname` on it: a parent
/// new or made again, its trigger or its own state of it changed, or its columns changing (which
/// can make its trigger again).
fn tree_changes(d: &Differ<'_>, t: &Table, tname: &str) -> bool {
    let mut current = t;
    while let Some(p) = &current.partition_of {
        let Some(new) = d.to.tables.get(&p.parent) else {
            return true;
        };
        let old = d
            .from
            .tables
            .get(&p.parent)
            .filter(|_| !d.cascade.tables.contains(&p.parent));
        let Some(old) = old else {
            return true;
        };
        let trigger_changes = old.triggers.get(tname) != new.triggers.get(tname)
            || new
                .triggers
                .get(tname)
                .is_some_and(|tr| d.cascade.mentions_gone(&tr.definition));
        if trigger_changes
            || old.trigger_states.get(tname) != new.trigger_states.get(tname)
            || !column::changing(old, new).is_empty()
        {
            return true;
        }
        current = new;
    }
    false
}
