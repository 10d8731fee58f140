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
    let same = |a: &Grant, b: &Grant| a.grantee == b.grantee && a.privilege == b.privilege;
    let mut out = String::new();
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
