//! Functions and procedures: replaced in place, their comments and grants.

use std::collections::BTreeSet;

use super::{Differ, Phase};
use crate::schema::{Function, QualName};

/// An SQL-language body is checked against the catalog when created, but what it reads may be
/// made later in the same migration (PostgreSQL records no dependency for it): the check is
/// turned off first, as pg_dump does.
pub(super) fn unchecked_body(f: &Function, sql: String) -> String {
    let sql_language = f.definition.contains("\n LANGUAGE sql\n");
    let atomic = f.definition.contains("BEGIN ATOMIC");
    if sql_language && !atomic {
        format!("SET check_function_bodies = false;\n{sql}")
    } else {
        sql
    }
}

pub(super) fn function_kind(f: &Function) -> &'static str {
    if f.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    }
}

impl Differ<'_> {
    /// Functions that go away (not replaced) and that a type going away needs (a domain's check
    /// or default calls them, directly or through other functions): types are dropped last, once
    /// no column uses them (a column changes type after the drops), so these go after them.
    pub(super) fn functions_dropped_after_types(&self) -> BTreeSet<QualName> {
        let types_dropped = self
            .from
            .domains
            .iter()
            .filter(|(n, _)| !self.to.domains.contains_key(*n) || self.cascade.types.contains(*n))
            .map(|(_, d)| &d.depends_on)
            .chain(
                self.from
                    .composites
                    .iter()
                    .filter(|(n, _)| {
                        !self.to.composites.contains_key(*n) || self.cascade.types.contains(*n)
                    })
                    .map(|(_, c)| &c.depends_on),
            )
            .chain(
                // Range types and collations that go for good go with the types.
                self.from
                    .objects
                    .iter()
                    .filter(|(n, o)| !self.to.objects.contains_key(*n) && o.goes_with_the_types())
                    .map(|(_, o)| &o.depends_on),
            );
        let mut todo: Vec<&QualName> = types_dropped.flatten().collect();
        let mut found = BTreeSet::new();
        while let Some(n) = todo.pop() {
            let Some(f) = self.from.functions.get(n) else {
                continue;
            };
            if !self.to.functions.contains_key(n) && found.insert(n.clone()) {
                todo.extend(&f.depends_on);
            }
        }
        found
    }

    pub(super) fn alter_function(
        &mut self,
        phase: Phase,
        name: &QualName,
        old: &Function,
        new: &Function,
    ) {
        if old.definition != new.definition {
            self.ops.push(
                phase,
                format!("replace {} {name}", function_kind(new).to_lowercase()),
                unchecked_body(new, format!("{};\n", new.definition.trim_end())),
            );
        }
        let what = format!("{} {}", function_kind(new), new.signature(&name.schema));
        self.ops.comment(
            format!("comment on {name}"),
            &what,
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        self.ops.grants(
            format!("change grants on {name}"),
            &what,
            &old.grants,
            &new.grants,
        );
    }
}
