//! Triggers of a table or view.

use std::collections::BTreeMap;

use crate::diff::{Ops, Phase};
use crate::render::objects;
use crate::schema::{QualName, Trigger};
use crate::sql::quote_ident;

/// Triggers of a table or view; `forced`: made again even if unchanged.
pub(in crate::diff) fn diff_triggers(
    ops: &mut Ops,
    owner: &QualName,
    old: &BTreeMap<String, Trigger>,
    new: &BTreeMap<String, Trigger>,
    forced: &dyn Fn(&Trigger) -> bool,
) {
    for (tname, t) in old {
        let changed = new
            .get(tname)
            .is_none_or(|n| n.definition != t.definition || forced(t));
        if changed {
            ops.push(
                Phase::DropTrigger,
                format!("drop trigger {tname} on {owner}"),
                objects::drop_trigger(owner, tname),
            );
        }
    }
    for (tname, t) in new {
        match old.get(tname) {
            Some(o) if o.definition == t.definition && !forced(o) => {
                if o.enabled != t.enabled {
                    ops.push(
                        Phase::CreateTrigger,
                        format!(
                            "set trigger {tname} on {owner}: {}",
                            objects::trigger_state_clause(&t.enabled)
                        ),
                        objects::trigger_state(owner, tname, &t.enabled),
                    );
                }
                ops.comment(
                    format!("comment on trigger {tname}"),
                    &format!("TRIGGER {} ON {}", quote_ident(tname), owner.sql()),
                    o.comment.as_ref(),
                    t.comment.as_ref(),
                );
            }
            _ => ops.push(
                Phase::CreateTrigger,
                format!("create trigger {tname} on {owner}"),
                objects::create_trigger(owner, tname, t),
            ),
        }
    }
}
