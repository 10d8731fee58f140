//! Functions and procedures: replaced in place, their comments and grants.

use std::collections::BTreeSet;

use super::{Differ, Phase};
use crate::schema::{Function, QualName};

/// Turns off the checking of function bodies, for the rest of the session (pg_dump's line).
const UNCHECKED: &str = "SET check_function_bodies = false;\n";

/// Whether `f`'s body is a string (any language; `pg_get_functiondef` prints it after `AS`),
/// not an SQL-standard `BEGIN ATOMIC` body.
fn string_body(f: &Function) -> bool {
    f.definition.contains("\nAS ")
}

pub(super) fn function_kind(f: &Function) -> &'static str {
    if f.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    }
}

impl Differ<'_> {
    /// `f` is made or replaced. A string body is checked when the function is created
    /// (`check_function_bodies`), but PostgreSQL records no dependency on what it names, so what
    /// it names may be made later in the same migration (a PL/pgSQL variable of a table's row
    /// type, a table an SQL body reads): as pg_dump does, the check is turned off once, at the
    /// top of the script ([`Phase::Settings`]). A `BEGIN ATOMIC` body is parsed whatever the
    /// setting; its dependencies are tracked and made first.
    pub(super) fn unchecked_body(&mut self, f: &Function) {
        let set = |o: &super::Operation| o.phase == Phase::Settings && o.sql == UNCHECKED;
        if string_body(f) && !self.ops.0.iter().any(set) {
            self.ops.push(
                Phase::Settings,
                "do not check function bodies when they are made (check_function_bodies), as pg_dump",
                UNCHECKED,
            );
        }
    }

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
            self.unchecked_body(new);
            self.ops.push(
                phase,
                format!("replace {} {name}", function_kind(new).to_lowercase()),
                format!("{};\n", new.definition.trim_end()),
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
