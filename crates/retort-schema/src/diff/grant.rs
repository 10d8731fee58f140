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
    for g in old.difference(new) {
        match new.iter().find(|n| same(n, g)) {
            Some(n) if g.with_grant_option && !n.with_grant_option => {
                let _ = writeln!(
                    out,
                    "REVOKE GRANT OPTION FOR {} ON {what} FROM {};",
                    g.privilege,
                    role(&g.grantee)
                );
            }
            Some(_) => {}
            None => {
                let _ = writeln!(
                    out,
                    "REVOKE {} ON {what} FROM {};",
                    g.privilege,
                    role(&g.grantee)
                );
            }
        }
    }
    let added: BTreeSet<Grant> = new
        .difference(old)
        .filter(|g| g.with_grant_option || !old.iter().any(|o| same(o, g)))
        .cloned()
        .collect();
    out.push_str(&objects::grants(what, &added));
    out
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
