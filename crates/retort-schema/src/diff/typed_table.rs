//! Typed tables (`CREATE TABLE t OF type`). A typed table's columns follow its composite type:
//! the type's `ALTER TYPE ... CASCADE` adds, drops and retypes them (the table itself cannot),
//! so the table's diff leaves those to the type and changes only the table's own defaults and
//! NOT NULL. A table that stops being typed (or changes type) is made a plain table first
//! (`NOT OF`, before its columns change); one that becomes typed is linked last (`OF type`,
//! once its columns are the type's), which PostgreSQL allows only when the columns are the
//! type's attributes in the same order: otherwise the diff refuses.

use super::{DiffError, Differ, Phase};
use crate::schema::{QualName, Schema, Table};

/// Whether the columns of a table that stays follow the same type on both sides.
pub(super) fn columns_follow_type(old: &Table, new: &Table) -> bool {
    old.of_type.is_some() && old.of_type == new.of_type
}

/// ` CASCADE` when a typed table of `from` has composite type `name` (its `ALTER TYPE` must
/// change the tables too), else nothing.
pub(super) fn alter_type_cascade(from: &Schema, name: &QualName) -> &'static str {
    if from
        .tables
        .values()
        .any(|t| t.of_type.as_ref() == Some(name))
    {
        " CASCADE"
    } else {
        ""
    }
}

/// The names of the columns a table has after its columns' diff: those it keeps, in their
/// order, then the new ones in theirs.
fn columns_after(old: &Table, new: &Table) -> Vec<String> {
    let kept = old
        .columns
        .iter()
        .filter(|c| new.columns.iter().any(|n| n.name == c.name));
    let added = new
        .columns
        .iter()
        .filter(|c| !old.columns.iter().any(|o| o.name == c.name));
    kept.chain(added).map(|c| c.name.clone()).collect()
}

impl Differ<'_> {
    /// `NOT OF` and `OF type` of table `name` (of both sides) when its type changes.
    pub(super) fn typed_table_link(
        &mut self,
        name: &QualName,
        old: &Table,
        new: &Table,
    ) -> Result<(), DiffError> {
        if old.of_type == new.of_type {
            return Ok(());
        }
        let alter = format!("ALTER TABLE {}", name.sql());
        if let Some(ty) = &old.of_type {
            self.ops.push(
                Phase::NoInherit,
                format!("make {name} a plain table (not of type {ty})"),
                format!("{alter} NOT OF;\n"),
            );
        }
        let Some(ty) = &new.of_type else {
            return Ok(());
        };
        let wanted: Vec<String> = new.columns.iter().map(|c| c.name.clone()).collect();
        if columns_after(old, new) != wanted {
            return Err(DiffError::Unsupported {
                what: format!(
                    "making {name} a typed table of {ty}: its columns would not be in the order \
                     of the type's attributes (make the table again by hand)"
                ),
            });
        }
        self.ops.push(
            Phase::Inherit,
            format!("make {name} a typed table of {ty}"),
            format!("{alter} OF {};\n", ty.sql()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    fn table(of: Option<&str>, columns: &[&str]) -> Table {
        Table {
            of_type: of.map(|t| QualName::new("public", t)),
            columns: columns
                .iter()
                .map(|c| Column {
                    name: (*c).to_string(),
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn columns_follow_the_same_type_only() {
        assert!(columns_follow_type(
            &table(Some("pt"), &["a"]),
            &table(Some("pt"), &["a", "b"])
        ));
        assert!(!columns_follow_type(
            &table(Some("pt"), &["a"]),
            &table(Some("pt2"), &["a"])
        ));
        assert!(!columns_follow_type(
            &table(None, &["a"]),
            &table(None, &["a"])
        ));
    }

    #[test]
    fn kept_columns_then_new_ones() {
        assert_eq!(
            columns_after(
                &table(None, &["b", "a", "x"]),
                &table(None, &["a", "b", "c"])
            ),
            vec!["b", "a", "c"]
        );
    }
}
