//! One column of a table that stays, changed: its generation, default, type, NOT NULL and
//! identity, in one `ALTER TABLE` where PostgreSQL allows it, and its comment.

use std::fmt::Write as _;

use super::column_type::{binary_coercible, using_cast};
use super::has_inheritance_children;
use crate::diff::{Differ, Phase};
use crate::render::objects;
use crate::schema::{Column, QualName, Table};
use crate::sql::{quote_ident, quote_literal};

/// A column before (`o`) and after (`n`), and the statements' beginnings.
struct ColumnChange<'a> {
    table: &'a QualName,
    o: &'a Column,
    n: &'a Column,
    /// Its type comes from a parent (a partition's, or an inheritance parent's that keeps it).
    inherited: bool,
    /// The parent's column of the same name (of a partition).
    parent_col: Option<&'a Column>,
    /// `ALTER TABLE t ALTER COLUMN c`.
    col: String,
    /// `ALTER TABLE ONLY t ALTER COLUMN c`.
    only_col: String,
    /// Which of the two sets and drops NOT NULL.
    not_null_col: String,
}

/// What goes into the column's one `ALTER TABLE` statement.
#[derive(Default)]
struct Statement {
    sql: String,
    /// Said above it (a type change that keeps the column's bytes).
    note: Option<String>,
}

pub(super) fn alter_column(
    d: &mut Differ<'_>,
    table: &QualName,
    o: &Column,
    n: &Column,
    inherited: bool,
    parent: Option<&Table>,
) {
    let col = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&n.name)
    );
    let only_col = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&n.name)
    );
    // A parent's NOT NULL is its own: each inheritance child has its own (PostgreSQL 15 lets
    // them differ), set by the child's own changes.
    let not_null_col = if has_inheritance_children(d, table) {
        only_col.clone()
    } else {
        col.clone()
    };
    let c = ColumnChange {
        table,
        o,
        n,
        inherited,
        parent_col: parent.and_then(|p| p.columns.iter().find(|c| c.name == n.name)),
        col,
        only_col,
        not_null_col,
    };
    if remade_for_generation(d, &c) {
        // The new column has no comment yet: it is set as if the old one had none.
        d.ops
            .column_comment(table, &n.name, None, n.comment.as_ref());
        return;
    }
    let mut st = Statement::default();
    default_and_type(d, &c, &mut st);
    set_not_null(d, &c, &mut st);
    identity(&c, &mut st);
    if o.not_null && !n.not_null {
        let parent_requires = c.parent_col.is_some_and(|p| p.not_null);
        if !parent_requires {
            let _ = writeln!(st.sql, "{} DROP NOT NULL;", c.not_null_col);
        }
    }
    // A note is set only with a TYPE clause, so the SQL is not empty and the note lands on it.
    let Statement { sql, note } = st;
    d.ops.push(
        Phase::AlterTable,
        format!("alter column {table}.{}", n.name),
        sql,
    );
    if let Some(note) = note {
        d.ops.note(note);
    }
    d.ops
        .column_comment(table, &n.name, o.comment.as_ref(), n.comment.as_ref());
}

/// Generated columns: an expression can only be dropped; a new one means a new column (then
/// true: nothing else is done to it).
fn remade_for_generation(d: &mut Differ<'_>, c: &ColumnChange<'_>) -> bool {
    let ColumnChange { table, o, n, .. } = *c;
    if o.generated == n.generated || c.inherited {
        return false;
    }
    if n.generated.is_none() {
        d.ops.push(
            Phase::AlterTable,
            format!("alter column {table}.{}", n.name),
            format!("{} DROP EXPRESSION;\n", c.col),
        );
        return false;
    }
    d.ops.push(
        Phase::DropColumn,
        format!("drop column {table}.{} (its generation changes)", n.name),
        format!(
            "ALTER TABLE {} DROP COLUMN {};\n",
            table.sql(),
            quote_ident(&n.name)
        ),
    );
    d.ops.push(
        Phase::AlterTable,
        format!("add column {table}.{}", n.name),
        format!(
            "ALTER TABLE {} ADD COLUMN {};\n",
            table.sql(),
            objects::column_definition(n)
        ),
    );
    true
}

/// The default dropped, the identity dropped, the type changed, the default set: in that order
/// (a default must go before its column is cast, and an identity's sequence before a new one
/// takes its name).
fn default_and_type(d: &mut Differ<'_>, c: &ColumnChange<'_>, st: &mut Statement) {
    let ColumnChange { table, o, n, .. } = *c;
    let swapped = d
        .cascade
        .enum_swaps
        .iter()
        .find(|e| n.data_type.trim_end_matches("[]") == e.to_string())
        .cloned();
    let type_changes =
        o.data_type != n.data_type || o.collation != n.collation || swapped.is_some();
    let default_gone = o
        .default
        .as_deref()
        .is_some_and(|x| d.cascade.mentions_gone(x));
    let default_changes =
        o.default != n.default || default_gone || (type_changes && o.default.is_some());
    if default_changes && o.default.is_some() {
        let drop = format!("{} DROP DEFAULT;\n", c.only_col);
        // A parent's type change recurses here: this default must go before it is cast.
        if default_gone || (type_changes && c.inherited) {
            d.ops.push(
                Phase::DropDefault,
                format!("drop default of {table}.{}", n.name),
                drop,
            );
        } else {
            st.sql.push_str(&drop);
        }
    }
    if o.identity.is_some() && n.identity.is_none() {
        // Early: its sequence goes with it, and a new sequence may take the name (serial).
        d.ops.push(
            Phase::DropDefault,
            format!("drop identity of {table}.{}", n.name),
            format!("{} DROP IDENTITY;\n", c.col),
        );
    }
    if type_changes && !c.inherited {
        let coll = n
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {c}"))
            .unwrap_or_default();
        let using = match &swapped {
            Some(_) if n.data_type.ends_with("[]") => {
                format!("{}::text[]::{}", quote_ident(&n.name), n.data_type)
            }
            Some(_) => format!("{}::text::{}", quote_ident(&n.name), n.data_type),
            None => using_cast(&n.name, &o.data_type, &n.data_type),
        };
        let _ = writeln!(
            st.sql,
            "{} TYPE {}{coll} USING {using};",
            c.col, n.data_type
        );
        if binary_coercible(&o.data_type, &n.data_type) && o.collation == n.collation {
            st.note = Some(format!(
                "{} to {} keeps the column's bytes: no rewrite, only a brief ACCESS EXCLUSIVE lock",
                o.data_type, n.data_type
            ));
        }
    }
    if default_changes && n.identity.is_none() && n.generated.is_none() {
        if let Some(def) = &n.default {
            // A partition's default equal to its parent's came with it (unless it was set
            // before and the parent's changes: then it is set on the partition alone).
            let _ = writeln!(
                st.sql,
                "{} SET DEFAULT {};",
                c.only_col,
                crate::render::reparse::stable(def)
            );
        } else if o.default.is_some() && c.parent_col.is_some() && !st.sql.contains("DROP DEFAULT")
        {
            let _ = writeln!(st.sql, "{} DROP DEFAULT;", c.only_col);
        }
    }
}

/// `SET NOT NULL`; online, through a validated check first (the scan then takes a weaker lock).
fn set_not_null(d: &Differ<'_>, c: &ColumnChange<'_>, st: &mut Statement) {
    let ColumnChange { table, o, n, .. } = *c;
    if !n.not_null || o.not_null {
        return;
    }
    let not_null_col = &c.not_null_col;
    if d.options.online && n.identity.is_none() {
        let check = format!("{}_not_null", n.name);
        let _ = writeln!(
            st.sql,
            "ALTER TABLE {t} ADD CONSTRAINT {c} CHECK ({col_q} IS NOT NULL) NOT VALID;\n\
             ALTER TABLE {t} VALIDATE CONSTRAINT {c};\n{not_null_col} SET NOT NULL;\n\
             ALTER TABLE {t} DROP CONSTRAINT {c};",
            t = table.sql(),
            c = quote_ident(&check),
            col_q = quote_ident(&n.name)
        );
    } else {
        let _ = writeln!(st.sql, "{not_null_col} SET NOT NULL;");
    }
}

/// An identity added (continuing after the rows already there) or changed.
fn identity(c: &ColumnChange<'_>, st: &mut Statement) {
    let ColumnChange { table, o, n, .. } = *c;
    let col = &c.col;
    let sql = &mut st.sql;
    match (&o.identity, &n.identity) {
        (None, Some(id)) => {
            let _ = writeln!(
                sql,
                "{col} ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {}{} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{});",
                if id.always { "ALWAYS" } else { "BY DEFAULT" },
                id.sequence.sql(),
                id.persistence.as_ref().map_or(String::new(), |p| format!(" {p}")),
                id.options.start,
                id.options.increment,
                id.options.min,
                id.options.max,
                id.options.cache,
                if id.options.cycle { " CYCLE" } else { "" }
            );
            if id.options.increment > 0 {
                // The rows already there (a serial's, say) keep their values: the identity
                // continues after them, not at its START.
                let _ = writeln!(
                    sql,
                    "SELECT pg_catalog.setval({}, max({c})) FROM {} HAVING max({c}) >= {};",
                    quote_literal(&id.sequence.sql()),
                    table.sql(),
                    id.options.start,
                    c = quote_ident(&n.name),
                );
            }
        }
        (Some(a), Some(b)) => {
            if a.always != b.always {
                let _ = writeln!(
                    sql,
                    "{col} SET GENERATED {};",
                    if b.always { "ALWAYS" } else { "BY DEFAULT" }
                );
            }
            let changes = crate::diff::sequence_option_changes(&a.options, &b.options, true);
            if !changes.is_empty() {
                sql.push_str(&crate::diff::move_into_bounds(
                    &a.sequence,
                    &a.options,
                    &b.options,
                ));
                let _ = writeln!(sql, "{col}{changes};");
            }
            if a.sequence != b.sequence {
                let _ = writeln!(
                    sql,
                    "ALTER SEQUENCE {} RENAME TO {};",
                    QualName::new(b.sequence.schema.clone(), a.sequence.name.clone()).sql(),
                    quote_ident(&b.sequence.name)
                );
            }
        }
        _ => {}
    }
}
