//! Privileges: the one place a change of grants becomes `REVOKE` and `GRANT`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Ops, Phase};
use crate::render::objects;
use crate::schema::Grant;
use crate::sql::quote_ident;

pub(super) fn role(name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// REVOKEs of grants gone and GRANTs of new ones on `what` (a grant that only loses its grant
/// option: `REVOKE GRANT OPTION FOR`).
pub(super) fn grant_changes(what: &str, old: &BTreeSet<Grant>, new: &BTreeSet<Grant>) -> String {
    let (old_owner, old): (BTreeSet<Grant>, BTreeSet<Grant>) =
        old.iter().cloned().partition(|g| g.owner);
    let (new_owner, new): (BTreeSet<Grant>, BTreeSet<Grant>) =
        new.iter().cloned().partition(|g| g.owner);
    let mut out = owner_changes(what, &old_owner, &new_owner);
    let (old, new) = (&old, &new);
    let same = |a: &Grant, b: &Grant| a.grantee == b.grantee && a.privilege == b.privilege;
    for (g, option_only) in revokes(old, new) {
        let _ = writeln!(
            out,
            "REVOKE {}{} ON {what} FROM {};",
            if option_only { "GRANT OPTION FOR " } else { "" },
            g.privilege,
            role(&g.grantee)
        );
    }
    let added: BTreeSet<Grant> = new
        .difference(old)
        .filter(|g| g.with_grant_option || !old.iter().any(|o| same(o, g)))
        .cloned()
        .collect();
    out.push_str(&objects::grants(what, &added));
    out
}

/// The grants of `old` that the change to `new` revokes: each with whether only its grant option
/// goes (`REVOKE GRANT OPTION FOR`). The owner's are left out (see [`owner_changes`]).
fn revokes<'a>(old: &'a BTreeSet<Grant>, new: &'a BTreeSet<Grant>) -> Vec<(&'a Grant, bool)> {
    old.difference(new)
        .filter(|g| !g.owner)
        .filter_map(|g| {
            let kept = new
                .iter()
                .find(|n| !n.owner && n.grantee == g.grantee && n.privilege == g.privilege);
            match kept {
                Some(n) if g.with_grant_option && !n.with_grant_option => Some((g, true)),
                Some(_) => None,
                None => Some((g, false)),
            }
        })
        .collect()
}

/// The column grants `columns` (as [`objects::column_grants`] writes them) that are left once the
/// table-level REVOKEs of the change `old` → `new` of the table's own grants have run:
/// PostgreSQL revokes a privilege (or only its grant option) on every column of the table too.
/// The column grants the target keeps are then granted again by the column's own change.
pub(super) fn after_table_revokes(
    old: &BTreeSet<Grant>,
    new: &BTreeSet<Grant>,
    columns: &BTreeSet<Grant>,
) -> BTreeSet<Grant> {
    let revoked = revokes(old, new);
    columns
        .iter()
        .filter_map(|c| {
            let privilege = c.privilege.split(" (").next().unwrap_or_default();
            let taken = revoked
                .iter()
                .find(|(g, _)| g.grantee == c.grantee && g.privilege == privilege);
            match taken {
                None => Some(c.clone()),
                Some((_, true)) => Some(Grant {
                    with_grant_option: false,
                    ..c.clone()
                }),
                Some((_, false)) => None,
            }
        })
        .collect()
}

/// The owner's own privileges, when they change: all revoked, then those of `new` granted, or
/// all (the default) when `new` lists none.
fn owner_changes(what: &str, old: &BTreeSet<Grant>, new: &BTreeSet<Grant>) -> String {
    if old == new {
        return String::new();
    }
    if !new.is_empty() {
        return objects::grants(what, new);
    }
    let owner = old
        .iter()
        .next()
        .map(|g| role(&g.grantee))
        .unwrap_or_default();
    format!("REVOKE ALL ON {what} FROM {owner};\nGRANT ALL ON {what} TO {owner};\n")
}

impl Ops {
    /// The grant changes on `what` (`TABLE s.t`, `SCHEMA s`...), if any.
    pub(super) fn grants(
        &mut self,
        summary: impl Into<String>,
        what: &str,
        old: &BTreeSet<Grant>,
        new: &BTreeSet<Grant>,
    ) {
        self.push(Phase::Grant, summary, grant_changes(what, old, new));
    }
}
