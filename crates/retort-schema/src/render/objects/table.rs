//! Tables: `CREATE TABLE` with its columns (partitions and inheritance children as pg_dump makes them), settings made after it.

use std::fmt::Write as _;

use super::*;

/// A column's definition inside `CREATE TABLE` or `ADD COLUMN`.
pub fn column_definition(c: &Column) -> String {
    let mut s = String::new();
    push_column_definition(&mut s, c);
    s
}

/// [`column_definition`] appended to `s`.
pub(super) fn push_column_definition(s: &mut String, c: &Column) {
    s.push_str(&quote_ident(&c.name));
    s.push(' ');
    s.push_str(&c.data_type);
    if let Some(coll) = &c.collation {
        s.push_str(" COLLATE ");
        s.push_str(coll);
    }
    if let Some(g) = &c.generated {
        let _ = write!(
            s,
            " GENERATED ALWAYS AS ({}) STORED",
            crate::render::reparse::stable(g)
        );
    }
    if let Some(id) = &c.identity {
        let _ = write!(
            s,
            " GENERATED {} AS IDENTITY (SEQUENCE NAME {} {}{})",
            if id.always { "ALWAYS" } else { "BY DEFAULT" },
            id.sequence.sql(),
            id.persistence
                .as_ref()
                .map_or(String::new(), |p| format!("{p} ")),
            sequence_options(&id.options)
        );
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(&crate::render::reparse::stable(d));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
}

/// A column of an inheritance child's own `CREATE TABLE`, appended to `out`: a merged column
/// that is generated in a parent takes its generation expression from it (PostgreSQL refuses one
/// written on the child).
pub(super) fn push_merged_column_definition(out: &mut String, c: &Column, parents: &[&Table]) {
    let generated_in_parent = || {
        parents.iter().any(|p| {
            p.columns
                .iter()
                .any(|pc| pc.name == c.name && pc.generated.is_some())
        })
    };
    if c.inherited && c.generated.is_some() && generated_in_parent() {
        let mut own = c.clone();
        own.generated = None;
        return push_column_definition(out, &own);
    }
    push_column_definition(out, c)
}

/// `CREATE TABLE` with its columns (for a partition, `PARTITION OF` its parent, then what its
/// columns have that the parent's do not; for an inheritance child, its own columns and
/// `INHERITS`, then what its inherited columns have that its parents' do not, as pg_dump does),
/// and the comments of the table and its columns. `parents`: the partition's parent, or the
/// tables it inherits from (in the state they are in when it is made).
pub fn create_table(name: &QualName, t: &Table, parents: &[&Table]) -> String {
    let mut out = String::new();
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let partition_by = t
        .partition_key
        .as_ref()
        .map(|k| format!(" PARTITION BY {k}"))
        .unwrap_or_default();
    match &t.partition_of {
        Some(p) => {
            let parent = parents.first().copied();
            let _ = writeln!(
                out,
                "CREATE {unlogged}TABLE {} PARTITION OF {} {}{partition_by}{}{};",
                name.sql(),
                p.parent.sql(),
                p.bound,
                with_options(&t.options),
                crate::render::tablespace::clause(t.tablespace.as_ref())
            );
            for c in &t.columns {
                let inherited =
                    parent.and_then(|pt| pt.columns.iter().find(|pc| pc.name == c.name));
                let alter = format!(
                    "ALTER TABLE ONLY {} ALTER COLUMN {}",
                    name.sql(),
                    quote_ident(&c.name)
                );
                if c.not_null && !inherited.is_some_and(|pc| pc.not_null) {
                    let _ = writeln!(out, "{alter} SET NOT NULL;");
                }
                let parent_default = inherited.and_then(|pc| pc.default.as_ref());
                if c.default.as_ref() != parent_default && c.generated.is_none() {
                    default_change(&mut out, &alter, c.default.as_ref());
                }
            }
        }
        None if t.of_type.is_some() => out.push_str(&crate::render::typed_table::create(name, t)),
        None => {
            let _ = write!(out, "CREATE {unlogged}TABLE {} (", name.sql());
            let mut first = true;
            for c in t.columns.iter().filter(|c| c.is_local()) {
                out.push_str(if first { "\n    " } else { ",\n    " });
                push_merged_column_definition(&mut out, c, parents);
                first = false;
            }
            out.push_str(if first { ")" } else { "\n)" });
            if !t.inherits.is_empty() {
                let names: Vec<String> = t.inherits.iter().map(QualName::sql).collect();
                let _ = write!(out, " INHERITS ({})", names.join(", "));
            }
            let _ = writeln!(
                out,
                "{partition_by}{}{};",
                with_options(&t.options),
                crate::render::tablespace::clause(t.tablespace.as_ref())
            );
            if !t.inherits.is_empty() {
                out.push_str(&inherited_column_settings(name, t, parents));
            }
        }
    }
    comment(&mut out, t.comment.as_ref(), || {
        format!("TABLE {}", name.sql())
    });
    for c in &t.columns {
        comment(&mut out, c.comment.as_ref(), || {
            format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name))
        });
        if let Some(id) = &c.identity {
            comment(&mut out, id.comment.as_ref(), || {
                format!("SEQUENCE {}", id.sequence.sql())
            });
        }
    }
    out
}

/// The grants on the identity sequences of a table's columns.
pub fn identity_grants(t: &Table) -> String {
    t.columns
        .iter()
        .filter_map(|c| c.identity.as_ref())
        .map(|id| grants(&format!("SEQUENCE {}", id.sequence.sql()), &id.grants))
        .collect()
}

/// What an inheritance child's columns get from `parents` when it is made: the default of the
/// first parent with one, NOT NULL if any parent has it.
pub fn inherited_from<'a>(parents: &[&'a Table], column: &str) -> (Option<&'a String>, bool) {
    let mut default = None;
    let mut not_null = false;
    for p in parents {
        if let Some(pc) = p.columns.iter().find(|pc| pc.name == column) {
            default = default.or(pc.default.as_ref());
            not_null |= pc.not_null;
        }
    }
    (default, not_null)
}

/// `ALTER TABLE ONLY` statements that give an inheritance child's columns the defaults and NOT
/// NULL it has where they differ from what it got from `parents` (pg_dump's way).
pub fn inherited_column_settings(name: &QualName, t: &Table, parents: &[&Table]) -> String {
    let mut out = String::new();
    for c in t.columns.iter().filter(|c| c.inherited) {
        if c.generated.is_some() || c.identity.is_some() {
            continue;
        }
        let (default, not_null) = inherited_from(parents, &c.name);
        let alter = format!(
            "ALTER TABLE ONLY {} ALTER COLUMN {}",
            name.sql(),
            quote_ident(&c.name)
        );
        // A merged column's own default was printed with it.
        let got_default = if c.merged {
            c.default.as_ref().or(default)
        } else {
            default
        };
        if c.default.as_ref() != got_default {
            default_change(&mut out, &alter, c.default.as_ref());
        }
        let got_not_null = not_null || (c.merged && c.not_null);
        if c.not_null && !got_not_null {
            let _ = writeln!(out, "{alter} SET NOT NULL;");
        } else if !c.not_null && got_not_null {
            let _ = writeln!(out, "{alter} DROP NOT NULL;");
        }
    }
    out
}

pub fn drop_table(name: &QualName) -> String {
    format!("DROP TABLE {};\n", name.sql())
}

pub fn table_settings(name: &QualName, t: &Table) -> String {
    let mut out = String::new();
    for c in &t.columns {
        out.push_str(&column_settings(name, None, c));
    }
    if let Some(r) = &t.replica_identity {
        let _ = writeln!(out, "ALTER TABLE ONLY {} REPLICA IDENTITY {r};", name.sql());
    }
    if let Some(i) = &t.cluster_on {
        let _ = writeln!(
            out,
            "ALTER TABLE ONLY {} CLUSTER ON {};",
            name.sql(),
            quote_ident(i)
        );
    }
    out
}
