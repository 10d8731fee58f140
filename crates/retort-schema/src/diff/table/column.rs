//! Columns of a table that stays: dropped, added, changed (`alter_column.rs`), and their
//! settings, grants and comments.

use std::collections::BTreeSet;

use super::alter_column::alter_column;
use super::inheritance::Inheritance;
use crate::diff::{grant, DiffError, Differ, Phase};
use crate::render::objects;
use crate::schema::{Column, QualName, Table};
use crate::sql::quote_ident;

pub(super) fn columns(
    d: &mut Differ<'_>,
    name: &QualName,
    old: &Table,
    new: &Table,
    parent: Option<&Table>,
    inheritance: &Inheritance,
) -> Result<(), DiffError> {
    // A partition's columns come from its parent: only their defaults and NOT NULL are its own.
    // So do the types of an inheritance child's columns that a parent keeps.
    // A typed table's come from its type.
    let from_type = crate::diff::typed_table::columns_follow_type(old, new);
    let inherited = |c: &str| {
        from_type
            || parent.is_some_and(|p| p.columns.iter().any(|pc| pc.name == c))
            || inheritance.type_from_parent.contains(c)
    };
    let dropped: Vec<&Column> = old
        .columns
        .iter()
        .filter(|c| !new.columns.iter().any(|n| n.name == c.name))
        .collect();
    let added: Vec<&Column> = new
        .columns
        .iter()
        .filter(|c| !old.columns.iter().any(|o| o.name == c.name))
        .collect();
    let hint = crate::diff::rename_hint(name, &dropped, &added);
    drop_columns(d, name, (old, new), dropped, hint, inheritance);
    // Columns a parent's drop takes away that the table has again, of its own.
    let added: Vec<&Column> = added
        .into_iter()
        .chain(
            new.columns
                .iter()
                .filter(|c| inheritance.dropped_by_parent.contains(&c.name)),
        )
        .collect();
    for c in &added {
        if !inherited(&c.name) {
            add_column(d, name, c, inheritance);
        }
    }
    let retyped = crate::diff::cascade::retyped_columns(old, new);
    refuse_retyping_a_used_row_type(d, name, &retyped)?;
    for n in &new.columns {
        let o = old.columns.iter().find(|o| o.name == n.name);
        column_settings(d, name, o, n);
        let Some(o) = o else {
            continue;
        };
        if inheritance.dropped_by_parent.contains(&n.name) {
            continue;
        }
        // PostgreSQL will not change the type or collation of a column a generated column is
        // computed from: that generated column is dropped and added again around the change.
        let regenerate = n.generated.as_deref().is_some_and(|expr| {
            retyped
                .iter()
                .any(|c| *c != n.name && crate::diff::cascade::mentions_ident(expr, c))
        });
        let unchanged;
        let o = if regenerate && o.generated == n.generated {
            unchanged = Column {
                generated: None,
                ..o.clone()
            };
            &unchanged
        } else {
            o
        };
        alter_column(d, name, o, n, inherited(&n.name), parent);
    }
    Ok(())
}

/// PostgreSQL cannot change a column's type while another table has a column of this table's
/// row type (`cannot alter table ... because column ... uses its row type`): refused by name.
fn refuse_retyping_a_used_row_type(
    d: &Differ<'_>,
    name: &QualName,
    retyped: &[&str],
) -> Result<(), DiffError> {
    let Some(first) = retyped.first() else {
        return Ok(());
    };
    if let Some((table, col)) = crate::diff::column_of_type(d.from, name) {
        return Err(DiffError::Unsupported {
            what: format!(
                "changing the type of column {name}.{first}, while column {table}.{} has {name}'s row type (PostgreSQL cannot: change that column's type first, by hand)",
                col.name
            ),
        });
    }
    Ok(())
}

/// The dropped columns (not those that go with a parent's), generated ones first, the rename
/// hint said above the first.
fn drop_columns(
    d: &mut Differ<'_>,
    name: &QualName,
    (old, new): (&Table, &Table),
    mut dropped: Vec<&Column>,
    mut hint: Option<String>,
    inheritance: &Inheritance,
) {
    let alter = format!("ALTER TABLE {}", name.sql());
    // Generated columns first: they depend on the columns they are computed from.
    dropped.sort_by_key(|c| c.generated.is_none());
    // A column a partition has from its parent goes with the parent's DROP COLUMN, unless the
    // partition is detached in this migration (it then keeps the column as its own).
    let stays = old.partition_of.as_ref().map(|p| &p.parent)
        == new.partition_of.as_ref().map(|p| &p.parent);
    let from_type = crate::diff::typed_table::columns_follow_type(old, new);
    for c in &dropped {
        let from_parent = stays
            && old.partition_of.as_ref().is_some_and(|p| {
                d.from
                    .tables
                    .get(&p.parent)
                    .is_some_and(|pt| pt.columns.iter().any(|pc| pc.name == c.name))
            });
        if from_parent || from_type || inheritance.dropped_by_parent.contains(&c.name) {
            continue;
        }
        d.ops.push(
            Phase::DropColumn,
            format!("drop column {name}.{}", c.name),
            format!("{alter} DROP COLUMN {};\n", quote_ident(&c.name)),
        );
        // Said once, above the first drop.
        if let Some(h) = hint.take() {
            d.ops.note(h);
        }
    }
}

/// A new column: added (before its parent adds it too, if it does, so that the parent's merges
/// with it), or, when a parent's ADD COLUMN makes it, only what differs from the parent's set.
fn add_column(d: &mut Differ<'_>, name: &QualName, c: &Column, inheritance: &Inheritance) {
    let alter = format!("ALTER TABLE {}", name.sql());
    if let Some(pc) = inheritance.added_by_parent.get(&c.name) {
        // Made by the parent's ADD COLUMN: only what differs from the parent's is set.
        let parent = Table {
            columns: vec![pc.clone()],
            ..Table::default()
        };
        let only_this = Table {
            columns: vec![(*c).clone()],
            ..Table::default()
        };
        d.ops.push(
            Phase::AlterTable,
            format!("alter column {name}.{}", c.name),
            objects::inherited_column_settings(name, &only_this, &[&parent]),
        );
        d.ops
            .column_comment(name, &c.name, None, c.comment.as_ref());
        return;
    }
    // Added before a parent adds it too, so that the parent's merges with it.
    let phase = if inheritance.added_before_parent.contains(&c.name) {
        Phase::CreateTable
    } else {
        Phase::AlterTable
    };
    let no_value =
        c.not_null && c.default.is_none() && c.identity.is_none() && c.generated.is_none();
    d.ops.push(
        phase,
        format!("add column {name}.{}", c.name),
        format!("{alter} ADD COLUMN {};\n", objects::column_definition(c)),
    );
    if no_value {
        d.ops
            .note("NOT NULL without a default: fails if the table has rows");
    }
    d.ops
        .column_comment(name, &c.name, None, c.comment.as_ref());
}

/// A column's storage, statistics target, compression and options: set when it is added, changed
/// when they change (its privileges: [`column_grants`]).
pub(super) fn column_settings(
    d: &mut Differ<'_>,
    table: &QualName,
    old: Option<&Column>,
    new: &Column,
) {
    d.ops.push(
        Phase::TableSettings,
        format!(
            "set storage, statistics, compression or options of {table}.{}",
            new.name
        ),
        objects::column_settings(table, old, new),
    );
    identity_sequence_settings(d, old, new);
}

/// The privileges on the columns of a table that stays, after the table's own (whose REVOKEs
/// also take the privilege from every column: those the target keeps are granted again).
pub(super) fn column_grants(d: &mut Differ<'_>, name: &QualName, old: &Table, new: &Table) {
    for n in &new.columns {
        let o = old.columns.iter().find(|o| o.name == n.name);
        let before = o.map_or_else(BTreeSet::new, objects::column_grants);
        d.ops.grants(
            format!("change grants on column {name}.{}", n.name),
            &format!("TABLE {}", name.sql()),
            &grant::after_table_revokes(&old.grants, &new.grants, &before),
            &objects::column_grants(n),
        );
    }
}

/// The grants and comment of a column's identity sequence (under its new name).
pub(super) fn identity_sequence_settings(d: &mut Differ<'_>, old: Option<&Column>, new: &Column) {
    let Some(id) = &new.identity else {
        return;
    };
    let old = old.and_then(|o| o.identity.as_ref());
    let what = format!("SEQUENCE {}", id.sequence.sql());
    let none = BTreeSet::new();
    d.ops.grants(
        format!("change grants on sequence {}", id.sequence),
        &what,
        old.map_or(&none, |o| &o.grants),
        &id.grants,
    );
    d.ops.comment(
        format!("comment on sequence {}", id.sequence),
        &what,
        old.and_then(|o| o.comment.as_ref()),
        id.comment.as_ref(),
    );
}

/// The old columns that are dropped or change type, collation or generation.
pub(super) fn changing<'a>(old: &'a Table, new: &Table) -> Vec<&'a str> {
    old.columns
        .iter()
        .filter(|c| {
            new.columns
                .iter()
                .find(|n| n.name == c.name)
                .is_none_or(|n| {
                    n.data_type != c.data_type
                        || n.collation != c.collation
                        || n.generated != c.generated
                })
        })
        .map(|c| c.name.as_str())
        .collect()
}
