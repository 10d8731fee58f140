//! One object at a time: the statements that create (and drop) each kind of object, with its
//! comments. Each returns complete statements ending in `;\n` (or an empty string).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::Node;
use crate::schema::{
    CatalogObject, Column, CompositeType, Constraint, ConstraintKind, Domain, EnumType, Extension,
    Function, Grant, Index, Namespace, Policy, QualName, Schema, Sequence, SequenceOptions, Table,
    Trigger, View,
};
use crate::sql::{quote_ident, quote_literal};

/// `COMMENT ON` what `what` names, when there is a comment: `what` is only made then (most
/// columns have none, and naming one formats and quotes).
fn comment(out: &mut String, text: Option<&String>, what: impl FnOnce() -> String) {
    if let Some(text) = text {
        let _ = writeln!(out, "COMMENT ON {} IS {};", what(), quote_literal(text));
    }
}

fn role(name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// `WITH (key='value', ...)` of storage options, or nothing.
pub(super) fn with_options(options: &[String]) -> String {
    if options.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = options
        .iter()
        .map(|o| {
            let (k, v) = o.split_once('=').unwrap_or((o, "true"));
            // `toast.x` is a namespace and a name.
            let key = match k.split_once('.') {
                Some((ns, name)) => format!("{}.{}", quote_ident(ns), quote_ident(name)),
                None => quote_ident(k),
            };
            format!("{key}={}", quote_literal(v))
        })
        .collect();
    format!(" WITH ({})", parts.join(", "))
}

/// The statement that creates an object of the sorted phases.
pub fn create_node(schema: &Schema, node: &Node) -> String {
    match node {
        Node::Enum(n) => schema.enums.get(n).map(|e| create_enum(n, e)),
        Node::Domain(n) => schema.domains.get(n).map(|d| create_domain(n, d)),
        Node::Composite(n) => schema.composites.get(n).map(|c| create_composite(n, c)),
        Node::Function(n) => schema
            .functions
            .get(n)
            .map(|f| create_function(&n.schema, f)),
        Node::View(n) => schema.views.get(n).map(|v| create_view(n, v)),
        Node::ViewPlaceholder(n) => schema.views.get(n).map(|v| view_placeholder(n, v, false)),
        Node::ViewReplace(n) => schema
            .views
            .get(n)
            .map(|v| create_view(n, v).replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)),
        Node::Object(n) => schema.objects.get(n).map(create_object),
    }
    .unwrap_or_default()
}

pub fn create_schema(name: &str, ns: &Namespace) -> String {
    let mut out = String::new();
    if name != "public" {
        let _ = writeln!(out, "CREATE SCHEMA {};", quote_ident(name));
    } else if ns.comment.is_none() {
        // A database's own public schema has a comment; this one's was removed.
        out.push_str("COMMENT ON SCHEMA \"public\" IS NULL;\n");
    }
    comment(&mut out, ns.comment.as_ref(), || {
        format!("SCHEMA {}", quote_ident(name))
    });
    out
}

pub fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {};\n", quote_ident(name))
}

pub fn create_extension(name: &str, x: &Extension) -> String {
    let mut out = format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {};\n",
        quote_ident(name),
        quote_ident(&x.schema),
        quote_literal(&x.version)
    );
    comment(&mut out, x.comment.as_ref(), || {
        format!("EXTENSION {}", quote_ident(name))
    });
    out
}

pub fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION {};\n", quote_ident(name))
}

pub fn create_enum(name: &QualName, e: &EnumType) -> String {
    let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(l)).collect();
    let mut out = format!(
        "CREATE TYPE {} AS ENUM ({});\n",
        name.sql(),
        labels.join(", ")
    );
    comment(&mut out, e.comment.as_ref(), || {
        format!("TYPE {}", name.sql())
    });
    out
}

pub fn create_domain(name: &QualName, d: &Domain) -> String {
    let mut out = format!("CREATE DOMAIN {} AS {}", name.sql(), d.base_type);
    if let Some(c) = &d.collation {
        let _ = write!(out, " COLLATE {c}");
    }
    if let Some(def) = &d.default {
        let _ = write!(out, " DEFAULT {}", super::reparse::stable(def));
    }
    if d.not_null {
        out.push_str(" NOT NULL");
    }
    // CREATE DOMAIN takes no NOT VALID: such checks are added after.
    let (valid, not_valid): (Vec<_>, Vec<_>) = d
        .checks
        .iter()
        .partition(|(_, def)| !def.ends_with(" NOT VALID"));
    for (cname, def) in valid {
        let def = super::reparse::stable(def);
        let _ = write!(out, "\n    CONSTRAINT {} {def}", quote_ident(cname));
    }
    out.push_str(";\n");
    for (cname, def) in not_valid {
        let _ = writeln!(
            out,
            "ALTER DOMAIN {} ADD CONSTRAINT {} {def};",
            name.sql(),
            quote_ident(cname)
        );
    }
    comment(&mut out, d.comment.as_ref(), || {
        format!("DOMAIN {}", name.sql())
    });
    for (cname, text) in &d.constraint_comments {
        comment(&mut out, Some(text), || {
            format!("CONSTRAINT {} ON DOMAIN {}", quote_ident(cname), name.sql())
        });
    }
    out
}

pub fn create_composite(name: &QualName, t: &CompositeType) -> String {
    let attrs: Vec<String> = t
        .attributes
        .iter()
        .map(|a| {
            let mut s = format!("    {} {}", quote_ident(&a.name), a.data_type);
            if let Some(c) = &a.collation {
                let _ = write!(s, " COLLATE {c}");
            }
            s
        })
        .collect();
    let mut out = if attrs.is_empty() {
        format!("CREATE TYPE {} AS ();\n", name.sql())
    } else {
        format!(
            "CREATE TYPE {} AS (\n{}\n);\n",
            name.sql(),
            attrs.join(",\n")
        )
    };
    comment(&mut out, t.comment.as_ref(), || {
        format!("TYPE {}", name.sql())
    });
    for a in &t.attributes {
        comment(&mut out, a.comment.as_ref(), || {
            format!("COLUMN {}.{}", name.sql(), quote_ident(&a.name))
        });
    }
    out
}

/// `DROP TYPE` of an enum, domain (`DROP DOMAIN`) or composite type.
pub fn drop_type(name: &QualName, domain: bool) -> String {
    format!(
        "DROP {} {};\n",
        if domain { "DOMAIN" } else { "TYPE" },
        name.sql()
    )
}

pub fn create_function(schema: &str, f: &Function) -> String {
    let mut out = f.definition.trim_end().to_string();
    out.push_str(";\n");
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    comment(&mut out, f.comment.as_ref(), || {
        format!("{kind} {}", f.signature(schema))
    });
    out
}

pub fn drop_function(schema: &str, f: &Function) -> String {
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    format!("DROP {kind} {};\n", f.signature(schema))
}

fn sequence_options(o: &SequenceOptions) -> String {
    format!(
        "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
        o.start,
        o.increment,
        o.min,
        o.max,
        o.cache,
        if o.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

pub fn create_sequence(name: &QualName, s: &Sequence) -> String {
    let mut out = format!(
        "CREATE {}SEQUENCE {} AS {} {};\n",
        if s.unlogged { "UNLOGGED " } else { "" },
        name.sql(),
        s.options.data_type,
        sequence_options(&s.options)
    );
    comment(&mut out, s.comment.as_ref(), || {
        format!("SEQUENCE {}", name.sql())
    });
    out
}

/// `ALTER SEQUENCE ... OWNED BY`, once the table exists (empty when it has no owner).
pub fn sequence_owned_by(name: &QualName, s: &Sequence) -> String {
    match &s.owned_by {
        Some((table, column)) => format!(
            "ALTER SEQUENCE {} OWNED BY {}.{};\n",
            name.sql(),
            table.sql(),
            quote_ident(column)
        ),
        None => String::new(),
    }
}

pub fn drop_sequence(name: &QualName) -> String {
    format!("DROP SEQUENCE {};\n", name.sql())
}

/// A column's definition inside `CREATE TABLE` or `ADD COLUMN`.
pub fn column_definition(c: &Column) -> String {
    let mut s = String::new();
    push_column_definition(&mut s, c);
    s
}

/// [`column_definition`] appended to `s`.
fn push_column_definition(s: &mut String, c: &Column) {
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
            super::reparse::stable(g)
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
        s.push_str(&super::reparse::stable(d));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
}

/// A column of an inheritance child's own `CREATE TABLE`, appended to `out`: a merged column
/// that is generated in a parent takes its generation expression from it (PostgreSQL refuses one
/// written on the child).
fn push_merged_column_definition(out: &mut String, c: &Column, parents: &[&Table]) {
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
                super::tablespace::clause(t.tablespace.as_ref())
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
                    match &c.default {
                        Some(d) => {
                            let _ =
                                writeln!(out, "{alter} SET DEFAULT {};", super::reparse::stable(d));
                        }
                        None => {
                            let _ = writeln!(out, "{alter} DROP DEFAULT;");
                        }
                    }
                }
            }
        }
        None if t.of_type.is_some() => out.push_str(&super::typed_table::create(name, t)),
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
                super::tablespace::clause(t.tablespace.as_ref())
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
            match &c.default {
                Some(d) => {
                    let _ = writeln!(out, "{alter} SET DEFAULT {};", super::reparse::stable(d));
                }
                None => {
                    let _ = writeln!(out, "{alter} DROP DEFAULT;");
                }
            }
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

/// `ALTER TABLE ... ADD CONSTRAINT` and its comment. A partitioned table's key constraints are
/// added `ONLY` to it: each partition's own is added to the partition and its index attached
/// (as pg_dump does), which keeps the partitions' constraint names. (`ONLY` elsewhere would mark
/// a key constraint `connoinherit`, unlike `CREATE TABLE`.)
pub fn add_constraint(table: &QualName, t: &Table, name: &str, c: &Constraint) -> String {
    let only = t.partition_key.is_some()
        && matches!(
            c.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
        );
    let mut out = super::tablespace::in_tablespace(
        c.tablespace.as_ref(),
        format!(
            "ALTER TABLE {}{} ADD CONSTRAINT {} {};\n",
            if only { "ONLY " } else { "" },
            table.sql(),
            quote_ident(name),
            super::reparse::stable(&c.definition)
        ),
    );
    comment(&mut out, c.comment.as_ref(), || {
        format!("CONSTRAINT {} ON {}", quote_ident(name), table.sql())
    });
    comment(&mut out, c.index_comment.as_ref(), || {
        constraint_index(table, name)
    });
    out
}

/// What `COMMENT ON` names for the index of key or exclusion constraint `name` of `table` (it
/// has the constraint's name, in the table's schema).
pub fn constraint_index(table: &QualName, name: &str) -> String {
    format!(
        "INDEX {}",
        QualName::new(table.schema.clone(), name.to_string()).sql()
    )
}

/// For a check a partition (or inheritance child) inherited: `VALIDATE CONSTRAINT` when it is
/// valid on the partition but not on the parent (a partition made after a `NOT VALID` check was
/// added); else nothing.
pub fn inherited_check(
    table: &QualName,
    name: &str,
    c: &Constraint,
    parent: Option<&Table>,
) -> String {
    let parent_valid = parent
        .and_then(|p| p.constraints.get(name))
        .is_none_or(|pc| pc.validated);
    let mut out = String::new();
    if c.validated && !parent_valid {
        let _ = writeln!(
            out,
            "ALTER TABLE ONLY {} VALIDATE CONSTRAINT {};",
            table.sql(),
            quote_ident(name)
        );
    }
    comment(&mut out, c.comment.as_ref(), || {
        format!("CONSTRAINT {} ON {}", quote_ident(name), table.sql())
    });
    out
}

pub fn drop_constraint(table: &QualName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {};\n",
        table.sql(),
        quote_ident(name)
    )
}

pub fn create_index(schema: &str, name: &str, i: &Index) -> String {
    let def = super::reparse::stable(&super::tablespace::index_definition(i));
    let mut out = format!("{def};\n");
    out.push_str(&index_statistics(schema, name, None, i));
    comment(&mut out, i.comment.as_ref(), || {
        format!("INDEX {}", QualName::new(schema, name).sql())
    });
    out
}

/// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS t` for the targets that differ from `old`'s
/// (absent: a new index, with the defaults).
pub fn index_statistics(schema: &str, name: &str, old: Option<&Index>, new: &Index) -> String {
    let none = BTreeMap::new();
    let old = old.map_or(&none, |o| &o.statistics);
    let columns: BTreeSet<&i16> = old.keys().chain(new.statistics.keys()).collect();
    let mut out = String::new();
    for n in columns {
        let target = new.statistics.get(n);
        if old.get(n) != target {
            let _ = writeln!(
                out,
                "ALTER INDEX {} ALTER COLUMN {n} SET STATISTICS {};",
                QualName::new(schema, name).sql(),
                target.copied().unwrap_or(-1)
            );
        }
    }
    out
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {};\n", QualName::new(schema, name).sql())
}

/// `ALTER INDEX parent ATTACH PARTITION child`.
pub fn attach_index(parent: &QualName, child: &QualName) -> String {
    format!(
        "ALTER INDEX {} ATTACH PARTITION {};\n",
        parent.sql(),
        child.sql()
    )
}

/// Replica identity and `CLUSTER ON`, when not the defaults.
/// What the diff or a dump sets on a column after making it: storage, statistics target,
/// compression, each against `old` (absent: a new column, with the defaults).
pub fn column_settings(table: &QualName, old: Option<&Column>, new: &Column) -> String {
    let mut out = String::new();
    let unchanged = old.and_then(|o| o.storage.as_ref()) == new.storage.as_ref()
        && old.and_then(|o| o.statistics) == new.statistics
        && old.and_then(|o| o.compression.as_ref()) == new.compression.as_ref()
        && old.map_or(&[][..], |o| &o.options[..]) == &new.options[..];
    if unchanged {
        // Most columns: nothing to name.
        return out;
    }
    let col = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&new.name)
    );
    if old.and_then(|o| o.storage.as_ref()) != new.storage.as_ref() {
        match &new.storage {
            Some(s) => {
                let _ = writeln!(out, "{col} SET STORAGE {s};");
            }
            // The type's own, which only the server knows (PostgreSQL 15 has no SET STORAGE
            // DEFAULT).
            None => {
                let _ = writeln!(
                    out,
                    "DO $retort$BEGIN EXECUTE pg_catalog.format(\
                     'ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s', {}, {}, \
                     (SELECT CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' \
                     WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END \
                     FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                     WHERE a.attrelid = {}::pg_catalog.regclass AND a.attname = {})); END$retort$;",
                    quote_literal(&table.sql()),
                    quote_literal(&new.name),
                    quote_literal(&table.sql()),
                    quote_literal(&new.name)
                );
            }
        }
    }
    if old.and_then(|o| o.statistics) != new.statistics {
        let _ = writeln!(
            out,
            "{col} SET STATISTICS {};",
            new.statistics.unwrap_or(-1)
        );
    }
    if old.and_then(|o| o.compression.as_ref()) != new.compression.as_ref() {
        let _ = writeln!(
            out,
            "{col} SET COMPRESSION {};",
            new.compression.as_deref().unwrap_or("DEFAULT")
        );
    }
    let old_options = old.map_or(&[][..], |o| &o.options[..]);
    out.push_str(&crate::sql::options_change(&col, old_options, &new.options));
    out
}

/// A column's privileges as grants on the table (`SELECT ("col")`).
pub fn column_grants(column: &Column) -> BTreeSet<Grant> {
    column
        .grants
        .iter()
        .map(|g| Grant {
            privilege: format!("{} ({})", g.privilege, quote_ident(&column.name)),
            ..g.clone()
        })
        .collect()
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

/// A view's query as `CREATE VIEW` takes it: without its `;`, written to parse back to the
/// same tree ([`super::reparse::stable`]).
pub fn view_body(v: &View) -> String {
    super::reparse::stable(v.definition.trim().trim_end_matches(';').trim_end())
}

pub fn create_view(name: &QualName, v: &View) -> String {
    let body = view_body(v);
    let mut out = if v.materialized {
        format!(
            "CREATE MATERIALIZED VIEW {}{} AS\n{body}\nWITH NO DATA;\n",
            name.sql(),
            with_options(&v.options)
        )
    } else {
        format!(
            "CREATE VIEW {}{} AS\n{body};\n",
            name.sql(),
            with_options(&v.options)
        )
    };
    out.push_str(&view_defaults(name, &[], &v.columns));
    if v.materialized {
        for c in &v.columns {
            out.push_str(&column_settings(name, None, c));
        }
    }
    let kind = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    comment(&mut out, v.comment.as_ref(), || {
        format!("{kind} {}", name.sql())
    });
    for c in &v.columns {
        comment(&mut out, c.comment.as_ref(), || {
            format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name))
        });
    }
    out
}

/// `ALTER VIEW ... ALTER COLUMN ... SET/DROP DEFAULT` of the view columns whose default differs
/// between `old` and `new` (a column missing from `old` had none).
pub fn view_defaults(name: &QualName, old: &[Column], new: &[Column]) -> String {
    let mut out = String::new();
    for c in new {
        let before = old
            .iter()
            .find(|o| o.name == c.name)
            .and_then(|o| o.default.as_ref());
        if before == c.default.as_ref() {
            continue;
        }
        let col = format!(
            "ALTER VIEW {} ALTER COLUMN {}",
            name.sql(),
            quote_ident(&c.name)
        );
        match &c.default {
            Some(d) => {
                let _ = writeln!(out, "{col} SET DEFAULT {};", super::reparse::stable(d));
            }
            None => {
                let _ = writeln!(out, "{col} DROP DEFAULT;");
            }
        }
    }
    out
}

/// The grants on a view's columns (as on a table's: `SELECT ("col")`).
pub fn view_column_grants(v: &View) -> BTreeSet<Grant> {
    v.columns.iter().flat_map(column_grants).collect()
}

/// A view with the columns of `v`, all NULL: what stands for it while what it reads is made
/// (`replace`: over the view itself, taking its dependencies away before a drop).
pub fn view_placeholder(name: &QualName, v: &View, replace: bool) -> String {
    let columns: Vec<String> = v
        .columns
        .iter()
        .map(|c| {
            let collate = c
                .collation
                .as_ref()
                .map(|k| format!(" COLLATE {k}"))
                .unwrap_or_default();
            format!("NULL::{}{collate} AS {}", c.data_type, quote_ident(&c.name))
        })
        .collect();
    format!(
        "CREATE {}VIEW {} AS\nSELECT {};\n",
        if replace { "OR REPLACE " } else { "" },
        name.sql(),
        columns.join(", ")
    )
}

pub fn drop_view(name: &QualName, v: &View) -> String {
    format!(
        "DROP {} {};\n",
        if v.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        name.sql()
    )
}

pub fn create_trigger(table: &QualName, name: &str, t: &Trigger) -> String {
    let mut out = format!("{};\n", super::reparse::stable(&t.definition));
    if t.enabled != "O" {
        out.push_str(&trigger_state(table, name, &t.enabled));
    }
    comment(&mut out, t.comment.as_ref(), || {
        format!("TRIGGER {} ON {}", quote_ident(name), table.sql())
    });
    out
}

/// `DISABLE TRIGGER`, `ENABLE ALWAYS TRIGGER`...: what sets trigger state `enabled` (`O`, `D`,
/// `R`, `A`).
pub fn trigger_state_clause(enabled: &str) -> &'static str {
    match enabled {
        "D" => "DISABLE TRIGGER",
        "R" => "ENABLE REPLICA TRIGGER",
        "A" => "ENABLE ALWAYS TRIGGER",
        _ => "ENABLE TRIGGER",
    }
}

/// `ALTER TABLE t DISABLE TRIGGER name` (or the other states).
pub fn trigger_state(table: &QualName, name: &str, enabled: &str) -> String {
    format!(
        "ALTER TABLE {} {} {};\n",
        table.sql(),
        trigger_state_clause(enabled),
        quote_ident(name)
    )
}

pub fn drop_trigger(table: &QualName, name: &str) -> String {
    format!("DROP TRIGGER {} ON {};\n", quote_ident(name), table.sql())
}

/// `ENABLE` / `FORCE ROW LEVEL SECURITY`, when set.
pub fn row_security(name: &QualName, t: &Table) -> String {
    let mut out = String::new();
    if t.row_security {
        let _ = writeln!(out, "ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", name.sql());
    }
    if t.force_row_security {
        let _ = writeln!(out, "ALTER TABLE {} FORCE ROW LEVEL SECURITY;", name.sql());
    }
    out
}

pub fn create_policy(table: &QualName, name: &str, p: &Policy) -> String {
    let roles: Vec<String> = p.roles.iter().map(|r| role(r)).collect();
    let mut out = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote_ident(name),
        table.sql(),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command,
        if roles.is_empty() {
            "PUBLIC".to_string()
        } else {
            roles.join(", ")
        }
    );
    if let Some(u) = &p.using {
        let _ = write!(out, " USING ({})", super::reparse::stable(u));
    }
    if let Some(c) = &p.with_check {
        let _ = write!(out, " WITH CHECK ({})", super::reparse::stable(c));
    }
    out.push_str(";\n");
    comment(&mut out, p.comment.as_ref(), || {
        format!("POLICY {} ON {}", quote_ident(name), table.sql())
    });
    out
}

pub fn drop_policy(table: &QualName, name: &str) -> String {
    format!("DROP POLICY {} ON {};\n", quote_ident(name), table.sql())
}

/// `GRANT`s on one object (`what`: `TABLE "s"."t"`, `SCHEMA "s"`...).
/// A catalog object's definition and comment (its grants come with the others').
pub fn create_object(o: &CatalogObject) -> String {
    let mut out = format!("{}\n", o.definition.trim_end());
    if let Some(on) = &o.comment_on {
        comment(&mut out, o.comment.as_ref(), || on.clone());
    }
    out
}

/// The privilege PUBLIC has on a new object of the kind `GRANT ... ON` names.
fn public_default(grant_on: &str) -> Option<&'static str> {
    if grant_on.starts_with("TYPE ") || grant_on.starts_with("LANGUAGE ") {
        Some("USAGE")
    } else if grant_on.starts_with("FUNCTION ") {
        Some("EXECUTE")
    } else {
        None
    }
}

/// A catalog object's grants (all its grants are read, PUBLIC's default one included): what
/// differs from a new object's.
pub fn object_grants(o: &CatalogObject) -> String {
    let Some(on) = &o.grant_on else {
        return String::new();
    };
    let mut out = String::new();
    let default = public_default(on).map(|p| Grant {
        grantee: "PUBLIC".to_string(),
        privilege: p.to_string(),
        with_grant_option: false,
        owner: false,
    });
    if let Some(d) = &default {
        if !o.grants.contains(d) {
            let _ = writeln!(out, "REVOKE {} ON {on} FROM PUBLIC;", d.privilege);
        }
    }
    let rest: BTreeSet<Grant> = o
        .grants
        .iter()
        .filter(|g| Some(*g) != default.as_ref())
        .cloned()
        .collect();
    out.push_str(&grants(on, &rest));
    out
}

/// GRANTs of `grants` on `what`; when they hold the owner's own privileges, `REVOKE ALL ... FROM
/// owner` first (the owner's are then all listed, see [`Grant::owner`]).
pub fn grants(what: &str, grants: &BTreeSet<Grant>) -> String {
    let mut out = String::new();
    if let Some(owner) = grants.iter().find(|g| g.owner) {
        let _ = writeln!(out, "REVOKE ALL ON {what} FROM {};", role(&owner.grantee));
    }
    for g in grants {
        let _ = writeln!(
            out,
            "GRANT {} ON {what} TO {}{};",
            g.privilege,
            role(&g.grantee),
            if g.with_grant_option {
                " WITH GRANT OPTION"
            } else {
                ""
            }
        );
    }
    out
}

/// A function's grants: PUBLIC may execute a new function, so that one is revoked when the
/// model does not have it.
pub fn function_grants(schema: &str, f: &Function) -> String {
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    let what = format!("{kind} {}", f.signature(schema));
    let public = Grant {
        grantee: "PUBLIC".to_string(),
        privilege: "EXECUTE".to_string(),
        with_grant_option: false,
        owner: false,
    };
    let mut out = String::new();
    if !f.grants.contains(&public) {
        let _ = writeln!(out, "REVOKE EXECUTE ON {what} FROM PUBLIC;");
    }
    let rest: BTreeSet<Grant> = f.grants.iter().filter(|g| **g != public).cloned().collect();
    out.push_str(&grants(&what, &rest));
    out
}

/// Every object's grants, by kind then name.
/// The privileges of an enum, domain or composite type when set: PUBLIC's default USAGE
/// revoked, then what it grants.
pub fn type_grants(name: &QualName, set: Option<&BTreeSet<Grant>>) -> String {
    match set {
        None => String::new(),
        Some(set) => format!(
            "REVOKE ALL ON TYPE {} FROM PUBLIC;\n{}",
            name.sql(),
            grants(&format!("TYPE {}", name.sql()), set)
        ),
    }
}

/// Whether PUBLIC holds USAGE alone among `grants` (as on a new database's public schema).
fn has_only_public_usage(grants: &BTreeSet<Grant>) -> bool {
    let public: Vec<&Grant> = grants.iter().filter(|g| g.grantee == "PUBLIC").collect();
    matches!(public.as_slice(), [g] if g.privilege == "USAGE" && !g.with_grant_option)
}

pub fn all_grants(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, ns) in &schema.schemas {
        if name == "public" && !has_only_public_usage(&ns.grants) {
            // A database's own public schema grants USAGE to PUBLIC; this one does not (only).
            out.push("REVOKE ALL ON SCHEMA \"public\" FROM PUBLIC;\n".to_string());
        }
        out.push(grants(&format!("SCHEMA {}", quote_ident(name)), &ns.grants));
    }
    for (name, s) in &schema.sequences {
        out.push(grants(&format!("SEQUENCE {}", name.sql()), &s.grants));
    }
    for (name, e) in &schema.enums {
        out.push(type_grants(name, e.grants.as_ref()));
    }
    for (name, d) in &schema.domains {
        out.push(type_grants(name, d.grants.as_ref()));
    }
    for (name, c) in &schema.composites {
        out.push(type_grants(name, c.grants.as_ref()));
    }
    for (name, t) in &schema.tables {
        let what = format!("TABLE {}", name.sql());
        out.push(grants(&what, &t.grants));
        for c in t.columns.iter().filter(|c| !c.grants.is_empty()) {
            out.push(grants(&what, &column_grants(c)));
        }
        out.push(identity_grants(t));
    }
    for (name, v) in &schema.views {
        out.push(grants(&format!("TABLE {}", name.sql()), &v.grants));
        out.push(grants(
            &format!("TABLE {}", name.sql()),
            &view_column_grants(v),
        ));
    }
    for (name, f) in &schema.functions {
        out.push(function_grants(&name.schema, f));
    }
    for o in schema.objects.values() {
        out.push(object_grants(o));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::schema::{Identity, PartitionOf};

    // Long: one fixture schema holding every kind of object.
    fn sample() -> Schema {
        let mut s = Schema::default();
        let t = QualName::new("app", "Orders");
        s.schemas.insert(
            "app".to_string(),
            Namespace {
                comment: Some("it's the app".to_string()),
                ..Namespace::default()
            },
        );
        s.enums.insert(
            QualName::new("app", "state"),
            EnumType {
                labels: vec!["new".to_string(), "it's done".to_string()],
                comment: None,
                grants: None,
            },
        );
        s.tables.insert(
            t.clone(),
            Table {
                columns: vec![
                    Column {
                        name: "id".to_string(),
                        data_type: "bigint".to_string(),
                        not_null: true,
                        identity: Some(Identity {
                            always: true,
                            sequence: QualName::new("app", "Orders_id_seq"),
                            options: SequenceOptions {
                                data_type: "bigint".to_string(),
                                start: 1,
                                increment: 1,
                                min: 1,
                                max: i64::MAX,
                                cache: 1,
                                cycle: false,
                            },
                            ..Default::default()
                        }),
                        ..Column::default()
                    },
                    Column {
                        name: "placed on".to_string(),
                        data_type: "date".to_string(),
                        not_null: true,
                        default: Some("CURRENT_DATE".to_string()),
                        comment: Some("when".to_string()),
                        ..Column::default()
                    },
                ],
                constraints: BTreeMap::from([(
                    "Orders_pkey".to_string(),
                    Constraint {
                        kind: ConstraintKind::PrimaryKey,
                        definition: "PRIMARY KEY (id, \"placed on\")".to_string(),
                        validated: true,
                        ..Constraint::default()
                    },
                )]),
                partition_key: Some("RANGE (\"placed on\")".to_string()),
                row_security: true,
                comment: Some("orders".to_string()),
                ..Table::default()
            },
        );
        s.tables.insert(
            QualName::new("app", "orders_2025"),
            Table {
                columns: s.tables[&t].columns.clone(),
                partition_of: Some(PartitionOf {
                    parent: t.clone(),
                    bound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')".to_string(),
                }),
                constraints: BTreeMap::from([(
                    "orders_2025_pkey".to_string(),
                    Constraint {
                        kind: ConstraintKind::PrimaryKey,
                        definition: "PRIMARY KEY (id, \"placed on\")".to_string(),
                        validated: true,
                        parent_index: Some(QualName::new("app", "Orders_pkey")),
                        ..Constraint::default()
                    },
                )]),
                ..Table::default()
            },
        );
        s.tables.get_mut(&t).map(|o| {
            o.policies.insert(
                "mine".to_string(),
                Policy {
                    permissive: false,
                    command: "SELECT".to_string(),
                    roles: vec!["PUBLIC".to_string(), "Reader".to_string()],
                    using: Some("true".to_string()),
                    with_check: None,
                    comment: None,
                },
            )
        });
        s.unsupported.push("rule r on app.t".to_string());
        s
    }

    #[test]
    fn renders_a_schema() {
        insta::assert_snapshot!(crate::render::render_schema(&sample()));
    }

    #[test]
    fn rendering_is_deterministic_and_survives_json() {
        let s = sample();
        let json = serde_json::to_string(&s).expect("serialises");
        let back: Schema = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, s);
        assert_eq!(
            crate::render::render_schema(&back),
            crate::render::render_schema(&s)
        );
    }
}
