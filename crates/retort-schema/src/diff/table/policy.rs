//! Row-level security policies of a table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diff::{Ops, Phase};
use crate::render::objects;
use crate::schema::{Policy, QualName};
use crate::sql::quote_ident;

pub(super) fn policies(
    ops: &mut Ops,
    table: &QualName,
    old: &BTreeMap<String, Policy>,
    new: &BTreeMap<String, Policy>,
    forced: &dyn Fn(&Policy) -> bool,
) {
    let alterable = |o: &Policy, n: &Policy| {
        o.permissive == n.permissive
            && o.command == n.command
            && (o.using.is_none() || n.using.is_some())
            && (o.with_check.is_none() || n.with_check.is_some())
    };
    for (pname, p) in old {
        let remake = new.get(pname).is_none_or(|n| !alterable(p, n) || forced(p));
        if remake {
            ops.push(
                Phase::DropPolicy,
                format!("drop policy {pname} on {table}"),
                objects::drop_policy(table, pname),
            );
        }
    }
    for (pname, p) in new {
        match old.get(pname) {
            Some(o) if alterable(o, p) && !forced(o) => {
                let mut sql = String::new();
                if o.roles != p.roles {
                    let roles: Vec<String> = p.roles.iter().map(|r| crate::diff::role(r)).collect();
                    let roles = if roles.is_empty() {
                        "PUBLIC".to_string()
                    } else {
                        roles.join(", ")
                    };
                    let _ = write!(sql, " TO {roles}");
                }
                if o.using != p.using {
                    if let Some(u) = &p.using {
                        let _ = write!(sql, " USING ({})", crate::render::reparse::stable(u));
                    }
                }
                if o.with_check != p.with_check {
                    if let Some(c) = &p.with_check {
                        let _ = write!(sql, " WITH CHECK ({})", crate::render::reparse::stable(c));
                    }
                }
                if !sql.is_empty() {
                    ops.push(
                        Phase::CreatePolicy,
                        format!("alter policy {pname} on {table}"),
                        format!(
                            "ALTER POLICY {} ON {}{sql};\n",
                            quote_ident(pname),
                            table.sql()
                        ),
                    );
                }
                ops.comment(
                    format!("comment on policy {pname}"),
                    &format!("POLICY {} ON {}", quote_ident(pname), table.sql()),
                    o.comment.as_ref(),
                    p.comment.as_ref(),
                );
            }
            _ => ops.push(
                Phase::CreatePolicy,
                format!("create policy {pname} on {table}"),
                objects::create_policy(table, pname, p),
            ),
        }
    }
}
