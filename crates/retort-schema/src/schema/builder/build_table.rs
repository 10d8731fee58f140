//! One table's declarations into the model's table ([`Context::table`]): its columns, the names
//! of its constraints and indexes in the order PostgreSQL chooses them, then the constraints,
//! indexes, triggers, policies and grants themselves.

use std::collections::BTreeSet;

use super::build::Context;
use super::index_def::expression_name;
use super::lists::parse_target;
use super::names::{self, index_column_names, name_addition, quote_qualified};
use super::naming::conventional;
use super::schema_builder::TABLE_PRIVILEGES;
use super::sql_text::{action, cols_sql, deferral};
use super::trigger_def::trigger_definition;
use super::types::SqlType;
use super::{expr, BuildError, Check, Column, ForeignKey, Index, IndexKey, Key, TableBuilder};
use crate::schema::{self as model, Constraint, ConstraintKind, Grant, QualName, SequenceOptions};

/// The table's keys, checks and indexes, its column-level declarations made table-level ones.
struct Declared {
    primary_key: Option<Key>,
    uniques: Vec<Key>,
    foreign_keys: Vec<ForeignKey>,
    checks: Vec<Check>,
    indexes: Vec<Index>,
}

/// Constraint names of a table, in the order PostgreSQL chooses them for `CREATE TABLE`, with
/// what choosing them found: each foreign key's target and columns, each index's keys.
struct Chosen {
    checks: Vec<String>,
    primary_key: Option<String>,
    uniques: Vec<String>,
    foreign_keys: Vec<String>,
    targets: Vec<(QualName, Vec<String>)>,
    indexes: Vec<String>,
    index_keys: Vec<Vec<IndexKey>>,
}

/// One table being built: what it is built with, and its name for errors.
struct TableBuild<'c, 'a> {
    cx: &'c Context<'a>,
    t: &'c TableBuilder,
    tname: String,
}

impl Context<'_> {
    pub(super) fn table(
        &self,
        t: &TableBuilder,
        ns: &mut names::Namespace,
    ) -> Result<model::Table, BuildError> {
        let b = TableBuild {
            cx: self,
            t,
            tname: format!("{}.{}", t.schema, t.name),
        };
        b.no_column_twice()?;
        let declared = Declared::of(t);
        let columns = b.columns(ns, declared.primary_key.as_ref())?;
        let chosen = b.choose_names(ns, &declared)?;
        let mut table = model::Table {
            columns,
            row_security: t.row_security,
            force_row_security: t.force_row_security,
            unlogged: t.unlogged,
            comment: t.comment.clone(),
            ..model::Table::default()
        };
        let mut options = t.options.clone();
        options.sort();
        table.options = options;
        b.checks(&mut table, &declared, &chosen)?;
        b.keys(&mut table, &declared, &chosen)?;
        b.foreign_keys(&mut table, &declared, &chosen)?;
        b.indexes(&mut table, &declared, &chosen)?;
        b.triggers(&mut table)?;
        b.policies(&mut table)?;
        b.grants(&mut table);
        Ok(table)
    }
}

impl Declared {
    fn of(t: &TableBuilder) -> Declared {
        let primary_key: Option<Key> = t.primary_key.clone().or_else(|| {
            let cols: Vec<&str> = t
                .columns
                .iter()
                .filter(|c| c.primary_key)
                .map(|c| c.name.as_str())
                .collect();
            (!cols.is_empty()).then(|| Key::new(&cols))
        });
        let mut uniques: Vec<Key> = t
            .columns
            .iter()
            .filter(|c| c.unique)
            .map(|c| Key::new(&[c.name.as_str()]))
            .collect();
        uniques.extend(t.uniques.iter().cloned());
        let mut foreign_keys: Vec<ForeignKey> = t
            .columns
            .iter()
            .filter_map(|c| c.references.clone())
            .collect();
        foreign_keys.extend(t.foreign_keys.iter().cloned());
        let mut checks: Vec<Check> = t
            .columns
            .iter()
            .filter_map(|c| {
                c.check
                    .as_ref()
                    .map(|e| Check::new(&[c.name.as_str()], e.clone()))
            })
            .collect();
        checks.extend(t.checks.iter().cloned());
        let mut indexes: Vec<Index> = t
            .columns
            .iter()
            .filter_map(|c| {
                c.index.map(|unique| {
                    let i = Index::on(&[c.name.as_str()]);
                    if unique {
                        i.unique()
                    } else {
                        i
                    }
                })
            })
            .collect();
        indexes.extend(t.indexes.iter().cloned());
        Declared {
            primary_key,
            uniques,
            foreign_keys,
            checks,
            indexes,
        }
    }
}

impl TableBuild<'_, '_> {
    fn err(&self, what: String) -> BuildError {
        BuildError::Table {
            table: self.tname.clone(),
            what,
        }
    }

    fn has(&self, c: &str) -> bool {
        self.t.columns.iter().any(|col| col.name == c)
    }

    fn check_cols(&self, cols: &[String], what: &str) -> Result<(), BuildError> {
        if cols.is_empty() {
            return Err(self.err(format!("{what} has no column")));
        }
        match cols.iter().find(|c| !self.has(c)) {
            Some(c) => Err(self.err(format!("{what}: no column {c}"))),
            None => Ok(()),
        }
    }

    fn no_column_twice(&self) -> Result<(), BuildError> {
        let mut seen = BTreeSet::new();
        for c in &self.t.columns {
            if !seen.insert(c.name.as_str()) {
                return Err(self.err(format!("column {} is declared twice", c.name)));
            }
        }
        Ok(())
    }

    fn columns(
        &self,
        ns: &mut names::Namespace,
        primary_key: Option<&Key>,
    ) -> Result<Vec<model::Column>, BuildError> {
        let pk_cols: BTreeSet<String> = primary_key
            .map(|k| k.columns.iter().cloned().collect())
            .unwrap_or_default();
        self.t
            .columns
            .iter()
            .map(|c| self.column(ns, c, &pk_cols))
            .collect()
    }

    fn column(
        &self,
        ns: &mut names::Namespace,
        c: &Column,
        pk_cols: &BTreeSet<String>,
    ) -> Result<model::Column, BuildError> {
        let ty = SqlType::parse(&c.ty, &self.t.schema)?;
        let identity = match c.identity {
            Some(always) => Some(self.identity(ns, c, &ty, always)?),
            None => None,
        };
        let default = match (&c.default, &identity, &c.generated) {
            (Some(d), None, None) => expr::canonical_default(d, &ty),
            (Some(_), _, _) => {
                return Err(self.err(format!(
                    "column {} has a default and is an identity or generated column",
                    c.name
                )))
            }
            _ => None,
        };
        Ok(model::Column {
            name: c.name.clone(),
            data_type: ty.name,
            not_null: c.not_null || pk_cols.contains(&c.name) || identity.is_some(),
            default,
            identity,
            generated: c.generated.clone(),
            collation: c.collation.clone(),
            comment: c.comment.clone(),
            ..model::Column::default()
        })
    }

    /// An identity column's sequence (named as PostgreSQL names it) and options.
    fn identity(
        &self,
        ns: &mut names::Namespace,
        c: &Column,
        ty: &SqlType,
        always: bool,
    ) -> Result<model::Identity, BuildError> {
        let max = match ty.name.as_str() {
            "smallint" => i64::from(i16::MAX),
            "integer" => i64::from(i32::MAX),
            "bigint" => i64::MAX,
            _ => {
                return Err(self.err(format!(
                    "identity column {} must be smallint, integer or bigint",
                    c.name
                )))
            }
        };
        let seq = ns.choose_relation_name(&self.t.name, Some(&c.name), "seq", false);
        Ok(model::Identity {
            always,
            sequence: QualName::new(self.t.schema.clone(), seq),
            options: SequenceOptions {
                data_type: ty.name.clone(),
                start: 1,
                increment: 1,
                min: 1,
                max,
                cache: 1,
                cycle: false,
            },
            ..Default::default()
        })
    }

    /// Names, in the order CREATE TABLE chooses them: checks, then the keys' indexes, then
    /// foreign keys; then the other indexes (CREATE INDEX after the table).
    fn choose_names(
        &self,
        ns: &mut names::Namespace,
        declared: &Declared,
    ) -> Result<Chosen, BuildError> {
        let mut chosen = Chosen {
            checks: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            targets: Vec::new(),
            indexes: Vec::new(),
            index_keys: Vec::new(),
        };
        for c in &declared.checks {
            chosen.checks.push(self.check_name(ns, c)?);
        }
        if let Some(k) = &declared.primary_key {
            self.check_cols(&k.columns, "primary key")?;
            chosen.primary_key = Some(match &k.name {
                Some(n) => names::truncate_identifier(n),
                None if self.cx.conventional() => {
                    conventional(ns, "pk", &self.t.name, "", None, true)
                }
                None => ns.choose_relation_name(&self.t.name, None, "pkey", true),
            });
        }
        for (i, k) in declared.uniques.iter().enumerate() {
            chosen.uniques.push(self.unique_name(ns, declared, i, k)?);
        }
        for fk in &declared.foreign_keys {
            let (name, target) = self.foreign_key_name(ns, fk)?;
            chosen.foreign_keys.push(name);
            chosen.targets.push(target);
        }
        for i in &declared.indexes {
            let (name, keys) = self.index_name(ns, i)?;
            chosen.indexes.push(name);
            chosen.index_keys.push(keys);
        }
        Ok(chosen)
    }

    fn check_name(&self, ns: &mut names::Namespace, c: &Check) -> Result<String, BuildError> {
        self.check_cols(&c.columns, "check")?;
        Ok(match &c.name {
            Some(n) => names::truncate_identifier(n),
            None if self.cx.conventional() => conventional(
                ns,
                "ck",
                &self.t.name,
                &name_addition(&c.columns),
                None,
                false,
            ),
            None => {
                let distinct: BTreeSet<&String> = c.columns.iter().collect();
                let col = (distinct.len() == 1).then(|| c.columns[0].as_str());
                ns.choose_constraint_name(&self.t.name, col, "check")
            }
        })
    }

    /// The name of unique key `i` (`k`), refused when it repeats the primary key or an earlier
    /// unique key.
    fn unique_name(
        &self,
        ns: &mut names::Namespace,
        declared: &Declared,
        i: usize,
        k: &Key,
    ) -> Result<String, BuildError> {
        self.check_cols(&k.columns, "unique constraint")?;
        // CREATE TABLE keeps one of identical keys, ALTER TABLE makes both: declare one.
        let same_as_primary = declared
            .primary_key
            .as_ref()
            .is_some_and(|p| p.columns == k.columns);
        if same_as_primary || declared.uniques[..i].iter().any(|u| u.columns == k.columns) {
            return Err(self.err(format!(
                "unique constraint on ({}) is declared twice, or is the primary key",
                k.columns.join(", ")
            )));
        }
        Ok(match &k.name {
            Some(n) => names::truncate_identifier(n),
            None if self.cx.conventional() => conventional(
                ns,
                "uq",
                &self.t.name,
                &name_addition(&k.columns),
                None,
                true,
            ),
            None => {
                let cols = index_column_names(&k.columns);
                ns.choose_relation_name(&self.t.name, Some(&name_addition(&cols)), "key", true)
            }
        })
    }

    /// A foreign key's name, and its target table and columns (the target's primary key when
    /// it names none).
    fn foreign_key_name(
        &self,
        ns: &mut names::Namespace,
        fk: &ForeignKey,
    ) -> Result<(String, (QualName, Vec<String>)), BuildError> {
        self.check_cols(&fk.columns, "foreign key")?;
        let (target, mut ref_cols) = parse_target(&fk.target, &self.t.schema).ok_or_else(|| {
            self.err(format!(
                "foreign key target {:?} is not table(columns)",
                fk.target
            ))
        })?;
        if ref_cols.is_empty() {
            ref_cols = self.cx.primary_keys.get(&target).cloned().ok_or_else(|| {
                self.err(format!(
                    "foreign key to {target}: name its columns (it has no declared primary key)"
                ))
            })?;
        }
        if ref_cols.len() != fk.columns.len() {
            return Err(self.err(format!(
                "foreign key {:?} → {}: {} columns reference {}",
                fk.columns,
                target,
                fk.columns.len(),
                ref_cols.len()
            )));
        }
        let name = match &fk.name {
            Some(n) => names::truncate_identifier(n),
            None if self.cx.conventional() => conventional(
                ns,
                "fk",
                &self.t.name,
                &name_addition(&fk.columns),
                Some(&target.name),
                false,
            ),
            None => {
                ns.choose_constraint_name(&self.t.name, Some(&name_addition(&fk.columns)), "fkey")
            }
        };
        Ok((name, (target, ref_cols)))
    }

    /// An index's name and its parsed keys.
    fn index_name(
        &self,
        ns: &mut names::Namespace,
        i: &Index,
    ) -> Result<(String, Vec<IndexKey>), BuildError> {
        let keys: Vec<IndexKey> = i
            .keys
            .iter()
            .map(|k| {
                let mut key = IndexKey::parse(k)
                    .ok_or_else(|| self.err(format!("index key {k:?} does not parse")))?;
                if !key.expression {
                    key.key = names::truncate_identifier(&key.key);
                }
                Ok(key)
            })
            .collect::<Result<_, _>>()?;
        if keys.is_empty() {
            return Err(self.err("an index has no key".to_string()));
        }
        for k in keys.iter().filter(|k| !k.expression) {
            if !self.has(&k.key) {
                return Err(self.err(format!("index: no column {}", k.key)));
            }
        }
        let mut origins: Vec<String> = keys
            .iter()
            .map(|k| {
                if k.expression {
                    expression_name(&k.key)
                } else {
                    k.key.clone()
                }
            })
            .collect();
        origins.extend(i.include.iter().cloned());
        let name = match &i.name {
            Some(n) => names::truncate_identifier(n),
            None if self.cx.conventional() => conventional(
                ns,
                "ix",
                &self.t.name,
                &name_addition(&origins),
                None,
                false,
            ),
            None => {
                let cols = index_column_names(&origins);
                ns.choose_relation_name(&self.t.name, Some(&name_addition(&cols)), "idx", false)
            }
        };
        Ok((name, keys))
    }

    fn insert_constraint(
        &self,
        table: &mut model::Table,
        name: &str,
        c: Constraint,
    ) -> Result<(), BuildError> {
        if table.constraints.insert(name.to_string(), c).is_some() {
            return Err(BuildError::Duplicate(format!(
                "constraint {name} of {}",
                self.tname
            )));
        }
        Ok(())
    }

    fn checks(
        &self,
        table: &mut model::Table,
        declared: &Declared,
        chosen: &Chosen,
    ) -> Result<(), BuildError> {
        for (c, name) in declared.checks.iter().zip(&chosen.checks) {
            let mut definition = format!("CHECK ({})", c.expr);
            if c.no_inherit {
                definition.push_str(" NO INHERIT");
            }
            if c.not_valid {
                definition.push_str(" NOT VALID");
            }
            let mut cols: Vec<String> = Vec::new();
            for col in &c.columns {
                if !cols.contains(col) {
                    cols.push(col.clone());
                }
            }
            let check = Constraint {
                kind: ConstraintKind::Check,
                definition,
                columns: cols,
                validated: !c.not_valid,
                no_inherit: c.no_inherit,
                comment: c.comment.clone(),
                ..Constraint::default()
            };
            self.insert_constraint(table, name, check)?;
        }
        Ok(())
    }

    /// The primary key and the unique keys.
    fn keys(
        &self,
        table: &mut model::Table,
        declared: &Declared,
        chosen: &Chosen,
    ) -> Result<(), BuildError> {
        let keys = declared
            .primary_key
            .iter()
            .zip(chosen.primary_key.iter())
            .map(|(k, n)| (k, n, ConstraintKind::PrimaryKey))
            .chain(
                declared
                    .uniques
                    .iter()
                    .zip(&chosen.uniques)
                    .map(|(k, n)| (k, n, ConstraintKind::Unique)),
            );
        for (k, name, kind) in keys {
            let mut definition = match kind {
                ConstraintKind::PrimaryKey => "PRIMARY KEY ".to_string(),
                _ if k.nulls_not_distinct => "UNIQUE NULLS NOT DISTINCT ".to_string(),
                _ => "UNIQUE ".to_string(),
            };
            definition.push_str(&format!("({})", cols_sql(&k.columns)));
            deferral(&mut definition, k.deferrable, k.initially_deferred, false);
            let key = Constraint {
                kind,
                definition,
                columns: k.columns.clone(),
                deferrable: k.deferrable,
                initially_deferred: k.initially_deferred,
                validated: true,
                comment: k.comment.clone(),
                ..Constraint::default()
            };
            self.insert_constraint(table, name, key)?;
        }
        Ok(())
    }

    fn foreign_keys(
        &self,
        table: &mut model::Table,
        declared: &Declared,
        chosen: &Chosen,
    ) -> Result<(), BuildError> {
        let named = declared.foreign_keys.iter().zip(&chosen.foreign_keys);
        for ((fk, name), (target, ref_cols)) in named.zip(&chosen.targets) {
            let mut definition = format!(
                "FOREIGN KEY ({}) REFERENCES {}({})",
                cols_sql(&fk.columns),
                quote_qualified(&target.schema, &target.name),
                cols_sql(ref_cols)
            );
            if fk.match_full {
                definition.push_str(" MATCH FULL");
            }
            action(&mut definition, "UPDATE", &fk.on_update);
            action(&mut definition, "DELETE", &fk.on_delete);
            deferral(
                &mut definition,
                fk.deferrable,
                fk.initially_deferred,
                fk.not_valid,
            );
            let key = Constraint {
                kind: ConstraintKind::ForeignKey,
                definition,
                columns: fk.columns.clone(),
                references: Some(target.clone()),
                deferrable: fk.deferrable,
                initially_deferred: fk.initially_deferred,
                validated: !fk.not_valid,
                comment: fk.comment.clone(),
                ..Constraint::default()
            };
            self.insert_constraint(table, name, key)?;
        }
        Ok(())
    }

    fn indexes(
        &self,
        table: &mut model::Table,
        declared: &Declared,
        chosen: &Chosen,
    ) -> Result<(), BuildError> {
        let named = declared.indexes.iter().zip(&chosen.indexes);
        for ((i, name), keys) in named.zip(&chosen.index_keys) {
            let definition = self.cx.index_definition(self.t, name, i, keys);
            let index = model::Index {
                definition,
                unique: i.unique,
                method: i.method.clone(),
                predicate: i.predicate.clone(),
                parent_index: None,
                comment: i.comment.clone(),
                statistics: Default::default(),
                tablespace: None,
            };
            if table.indexes.insert(name.clone(), index).is_some() {
                return Err(BuildError::Duplicate(format!("index {name}")));
            }
        }
        Ok(())
    }

    fn triggers(&self, table: &mut model::Table) -> Result<(), BuildError> {
        for tr in &self.t.triggers {
            let trigger = model::Trigger {
                definition: trigger_definition(self.t, tr),
                enabled: "O".to_string(),
                comment: tr.comment.clone(),
            };
            if table.triggers.insert(tr.name.clone(), trigger).is_some() {
                return Err(BuildError::Duplicate(format!(
                    "trigger {} of {}",
                    tr.name, self.tname
                )));
            }
        }
        Ok(())
    }

    fn policies(&self, table: &mut model::Table) -> Result<(), BuildError> {
        for p in &self.t.policies {
            let mut roles = if p.roles.is_empty() {
                vec!["PUBLIC".to_string()]
            } else {
                p.roles.clone()
            };
            roles.sort();
            roles.dedup();
            let policy = model::Policy {
                permissive: p.permissive,
                command: p.command.clone(),
                roles,
                using: p.using.clone(),
                with_check: p.with_check.clone(),
                comment: p.comment.clone(),
            };
            if table.policies.insert(p.name.clone(), policy).is_some() {
                return Err(BuildError::Duplicate(format!(
                    "policy {} of {}",
                    p.name, self.tname
                )));
            }
        }
        Ok(())
    }

    /// The table's grants, `ALL` spelled out as its privileges.
    fn grants(&self, table: &mut model::Table) {
        for (privileges, grantee, with_grant_option) in &self.t.grants {
            for p in privileges {
                let p = p.to_uppercase();
                let all: Vec<&str> = if p == "ALL" || p == "ALL PRIVILEGES" {
                    TABLE_PRIVILEGES.to_vec()
                } else {
                    vec![p.as_str()]
                };
                for p in all {
                    table.grants.insert(Grant {
                        grantee: grantee.clone(),
                        privilege: p.to_string(),
                        with_grant_option: *with_grant_option,
                        owner: false,
                    });
                }
            }
        }
    }
}
