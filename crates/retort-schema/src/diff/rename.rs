//! Renames: the `--rename` requests applied to the old schema before it is compared, and the
//! hints that suggest one where a drop and an add look like a rename.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{cascade, DiffError, Ops, Phase};
use crate::schema::{QualName, Schema, Table};
use crate::sql::quote_ident;

/// A rename the user asked for, instead of the drop and add the diff would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rename {
    Table {
        from: QualName,
        to: QualName,
    },
    Column {
        table: QualName,
        from: String,
        to: String,
    },
}

impl Rename {
    /// `schema.table=new_table` (or `=schema.new_table`) or `schema.table.column=new_column`.
    pub fn parse(text: &str) -> Result<Rename, DiffError> {
        let bad = |problem: &str| DiffError::BadRename {
            rename: text.to_string(),
            problem: problem.to_string(),
        };
        let (old, new) = text
            .split_once('=')
            .ok_or_else(|| bad("expected old=new"))?;
        let parts: Vec<&str> = old.split('.').collect();
        let new = new.trim();
        if new.is_empty() {
            return Err(bad("the new name is empty"));
        }
        match parts.as_slice() {
            [schema, table] => {
                let to = match new.split_once('.') {
                    Some((s, n)) => QualName::new(s, n),
                    None => QualName::new(*schema, new),
                };
                Ok(Rename::Table {
                    from: QualName::new(*schema, *table),
                    to,
                })
            }
            [schema, table, column] => Ok(Rename::Column {
                table: QualName::new(*schema, *table),
                from: column.to_string(),
                to: new.to_string(),
            }),
            _ => Err(bad(
                "the old name must be schema.table or schema.table.column",
            )),
        }
    }
}

/// `from` with the asked renames made, and the RENAME operations.
pub(super) fn apply_renames(
    from: &Schema,
    to: &Schema,
    renames: &[Rename],
    ops: &mut Ops,
) -> Result<Schema, DiffError> {
    let mut s = from.clone();
    for r in renames {
        let renaming = Renaming { to, renames, r };
        match r {
            Rename::Table { from: old, to: new } => renaming.table(&mut s, ops, old, new)?,
            Rename::Column {
                table,
                from: old,
                to: new,
            } => renaming.column(&mut s, ops, table, old, new)?,
        }
    }
    Ok(s)
}

/// One rename being made, among all those asked, towards schema `to`.
struct Renaming<'a> {
    to: &'a Schema,
    renames: &'a [Rename],
    r: &'a Rename,
}

impl Renaming<'_> {
    fn bad(&self, problem: String) -> DiffError {
        DiffError::BadRename {
            rename: match self.r {
                Rename::Table { from, to } => format!("{from}={to}"),
                Rename::Column { table, from, to } => format!("{table}.{from}={to}"),
            },
            problem,
        }
    }

    /// Table `old` renamed (or moved) to `new`, with what names it in `s`.
    fn table(
        &self,
        s: &mut Schema,
        ops: &mut Ops,
        old: &QualName,
        new: &QualName,
    ) -> Result<(), DiffError> {
        let Some(t) = s.tables.remove(old) else {
            return Err(self.bad(format!("there is no table {old}")));
        };
        if !self.to.tables.contains_key(new) {
            return Err(self.bad(format!("the new schema has no table {new}")));
        }
        let mut sql = String::new();
        if old.schema != new.schema {
            let _ = writeln!(
                sql,
                "ALTER TABLE {} SET SCHEMA {};",
                old.sql(),
                quote_ident(&new.schema)
            );
        }
        if old.name != new.name {
            let _ = writeln!(
                sql,
                "ALTER TABLE {} RENAME TO {};",
                QualName::new(new.schema.clone(), old.name.clone()).sql(),
                quote_ident(&new.name)
            );
        }
        ops.push(Phase::Rename, format!("rename table {old} to {new}"), sql);
        let old_text = old.to_string();
        let new_text = new.to_string();
        for other in s.tables.values_mut() {
            for p in other.inherits.iter_mut().filter(|p| *p == old) {
                p.clone_from(new);
            }
            for c in other.constraints.values_mut() {
                if c.references.as_ref() == Some(old) {
                    c.references = Some(new.clone());
                    c.definition = c.definition.replace(
                        &format!("REFERENCES {old_text}("),
                        &format!("REFERENCES {new_text}("),
                    );
                }
            }
        }
        let mut t: Table = t;
        for i in t.indexes.values_mut() {
            i.definition = i
                .definition
                .replace(&format!(" ON {old_text} "), &format!(" ON {new_text} "))
                .replace(
                    &format!(" ON ONLY {old_text} "),
                    &format!(" ON ONLY {new_text} "),
                );
        }
        for tr in t.triggers.values_mut() {
            tr.definition = tr
                .definition
                .replace(&format!(" ON {old_text} "), &format!(" ON {new_text} "));
        }
        s.tables.insert(new.clone(), t);
        Ok(())
    }

    /// Column `old` of `table` renamed to `new`, with what names it in its table.
    fn column(
        &self,
        s: &mut Schema,
        ops: &mut Ops,
        table: &QualName,
        old: &str,
        new: &str,
    ) -> Result<(), DiffError> {
        // The table by its name now, whether a table rename listed before or after
        // this one has been made yet.
        let now = [table.clone()]
            .into_iter()
            .chain(self.renames.iter().filter_map(|r| match r {
                Rename::Table { from, to } if from == table => Some(to.clone()),
                Rename::Table { from, to } if to == table => Some(from.clone()),
                _ => None,
            }))
            .find(|n| s.tables.contains_key(n));
        let Some(table) = now else {
            return Err(self.bad(format!("there is no table {table}")));
        };
        let wanted_table = if self.to.tables.contains_key(&table) {
            table.clone()
        } else {
            self.renames
                .iter()
                .find_map(|r| match r {
                    Rename::Table { from, to } if *from == table => Some(to.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| table.clone())
        };
        let table = &table;
        let has_children = s.tables.values().any(|o| o.inherits.contains(table));
        let Some(t) = s.tables.get_mut(table) else {
            return Err(self.bad(format!("there is no table {table}")));
        };
        let Some(c) = t.columns.iter_mut().find(|c| c.name == old) else {
            return Err(self.bad(format!("table {table} has no column {old:?}")));
        };
        if c.inherited || has_children {
            return Err(DiffError::Unsupported {
                what: format!(
                    "renaming column {old:?} of {table}, which has inheritance children or inherits it"
                ),
            });
        }
        let wanted = self
            .to
            .tables
            .get(&wanted_table)
            .is_some_and(|nt| nt.columns.iter().any(|c| c.name == new));
        if !wanted {
            return Err(self.bad(format!(
                "table {table} has no column {new:?} in the new schema"
            )));
        }
        c.name = new.to_string();
        ops.push(
            Phase::Rename,
            format!("rename column {table}.{old} to {new}"),
            format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {};\n",
                table.sql(),
                quote_ident(old),
                quote_ident(new)
            ),
        );
        let rename_ident = |text: &str| cascade::replace_ident(text, old, new);
        for con in t.constraints.values_mut() {
            for col in con.columns.iter_mut() {
                if col == old {
                    *col = new.to_string();
                }
            }
            con.definition = rename_ident(&con.definition);
        }
        for i in t.indexes.values_mut() {
            i.definition = rename_ident(&i.definition);
            i.predicate = i.predicate.as_deref().map(rename_ident);
        }
        Ok(())
    }
}

/// Likely renames among dropped and added columns and tables: said in a note.
pub(crate) fn rename_hint(
    table: &QualName,
    dropped: &[&crate::schema::Column],
    added: &[&crate::schema::Column],
) -> Option<String> {
    let mut taken = BTreeSet::new();
    let pairs: Vec<String> = dropped
        .iter()
        .filter_map(|d| {
            let a = added
                .iter()
                .find(|a| a.data_type == d.data_type && !taken.contains(&a.name))?;
            taken.insert(a.name.clone());
            Some(format!("--rename {table}.{}={}", d.name, a.name))
        })
        .collect();
    (!pairs.is_empty()).then(|| {
        format!(
            "a column is dropped and one of the same type added: if it is a rename, run again with {}",
            pairs.join(" ")
        )
    })
}

/// Names of the tables, for a table rename hint: a dropped and a new table with the same columns.
pub(crate) fn table_rename_hints(from: &Schema, to: &Schema) -> BTreeMap<QualName, String> {
    let shape = |t: &Table| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect();
        v.sort();
        v
    };
    let mut out = BTreeMap::new();
    for (old, ot) in &from.tables {
        if to.tables.contains_key(old) {
            continue;
        }
        for (new, nt) in &to.tables {
            if !from.tables.contains_key(new) && shape(ot) == shape(nt) && !ot.columns.is_empty() {
                out.insert(
                    old.clone(),
                    format!(
                        "table {old} is dropped and {new} made with the same columns: if it is a rename, run again with --rename {old}={new}"
                    ),
                );
            }
        }
    }
    out
}
