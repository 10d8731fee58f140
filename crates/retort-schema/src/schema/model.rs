//! The model's types. See the module documentation for what identity means here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{CatalogObject, QualName};

/// A database schema (in the broad sense): every object of the chosen PostgreSQL schemas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    /// PostgreSQL schemas (namespaces) by name.
    pub schemas: BTreeMap<String, Namespace>,
    pub extensions: BTreeMap<String, Extension>,
    pub enums: BTreeMap<QualName, EnumType>,
    pub domains: BTreeMap<QualName, Domain>,
    pub composites: BTreeMap<QualName, CompositeType>,
    /// Sequences other than those of identity columns (those belong to their column).
    pub sequences: BTreeMap<QualName, Sequence>,
    /// Ordinary and partitioned tables.
    pub tables: BTreeMap<QualName, Table>,
    /// Views and materialized views.
    pub views: BTreeMap<QualName, View>,
    /// Functions and procedures, keyed by schema and `name(identity arguments)`.
    pub functions: BTreeMap<QualName, Function>,
    /// Objects kept as their definition (collations, aggregates, operators, casts, rules...),
    /// keyed by schema and `"<kind> <identity>"`: see [`CatalogObject`].
    pub objects: BTreeMap<QualName, CatalogObject>,
    /// Objects found in the database that the model does not cover, one readable line each.
    pub unsupported: Vec<String>,
}

/// A PostgreSQL schema (namespace).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Namespace {
    pub comment: Option<String>,
    pub grants: BTreeSet<Grant>,
}

/// Equal when the schemas hold the same extension: `update_targets` says what the server it was
/// read from could do, not what the schema is, and is left out of the comparison.
#[derive(Debug, Clone, Default, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Extension {
    /// The schema its objects live in.
    pub schema: String,
    pub version: String,
    pub comment: Option<String>,
    /// The extensions it needs (its control file's `requires`, from `pg_depend`), made before it
    /// and dropped after it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// The versions `ALTER EXTENSION ... UPDATE TO` can reach from this one on the server it was
    /// read from (`pg_extension_update_paths`); `None` when not read (a model built in code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_targets: Option<Vec<String>>,
}

impl PartialEq for Extension {
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.version == other.version
            && self.comment == other.comment
            && self.requires == other.requires
    }
}

impl Extension {
    /// The names of `extensions` in an order that makes each after those it requires (ties by
    /// name); reversed, the order to drop them in.
    pub fn creation_order(extensions: &BTreeMap<String, Extension>) -> Vec<&String> {
        fn visit<'a>(
            name: &'a String,
            all: &'a BTreeMap<String, Extension>,
            seen: &mut BTreeSet<&'a String>,
            out: &mut Vec<&'a String>,
        ) {
            if !seen.insert(name) {
                return;
            }
            if let Some(x) = all.get(name) {
                for r in &x.requires {
                    if let Some((key, _)) = all.get_key_value(r) {
                        visit(key, all, seen, out);
                    }
                }
            }
            out.push(name);
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for name in extensions.keys() {
            visit(name, extensions, &mut seen, &mut out);
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnumType {
    /// Labels in their sort order.
    pub labels: Vec<String>,
    pub comment: Option<String>,
    /// Privileges when set (`typacl`): None is the default, USAGE for PUBLIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<BTreeSet<Grant>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Domain {
    /// The base type as `format_type` renders it.
    pub base_type: String,
    /// A collation other than the base type's default (qualified, quoted).
    pub collation: Option<String>,
    pub default: Option<String>,
    pub not_null: bool,
    /// CHECK constraints by name: `pg_get_constraintdef` text (`CHECK (...)`, maybe `NOT VALID`).
    pub checks: BTreeMap<String, String>,
    pub constraint_comments: BTreeMap<String, String>,
    /// Types and functions it needs first (keys of [`Schema`]'s maps).
    pub depends_on: BTreeSet<QualName>,
    pub comment: Option<String>,
    /// Privileges when set (`typacl`): None is the default, USAGE for PUBLIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<BTreeSet<Grant>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompositeType {
    /// Attributes in order.
    pub attributes: Vec<Attribute>,
    /// Types it needs first (keys of [`Schema`]'s maps).
    pub depends_on: BTreeSet<QualName>,
    pub comment: Option<String>,
    /// Privileges when set (`typacl`): None is the default, USAGE for PUBLIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<BTreeSet<Grant>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attribute {
    pub name: String,
    pub data_type: String,
    pub collation: Option<String>,
    pub comment: Option<String>,
}

/// Options of a sequence, or of an identity column's sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sequence {
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualName, String)>,
    pub unlogged: bool,
    pub comment: Option<String>,
    pub grants: BTreeSet<Grant>,
}

/// One privilege granted on an object. The owner's own rights are not listed while they are the
/// default (every privilege, no grant option); when they differ (an owner that revoked some of
/// its own rights, or holds them WITH GRANT OPTION), all of them are listed, marked `owner`,
/// and made after `REVOKE ALL ... FROM owner`, as pg_dump does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// A role name, or `PUBLIC`.
    pub grantee: String,
    /// `SELECT`, `INSERT`, `USAGE`, `EXECUTE`...
    pub privilege: String,
    pub with_grant_option: bool,
    /// Granted to the object's owner (`grantee`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub owner: bool,
}

/// An ordinary or partitioned table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    /// Columns in their order (dropped columns are not listed).
    pub columns: Vec<Column>,
    /// Constraints by name. A partition's foreign keys cloned from its parent's are not listed;
    /// its checks from the parent are, marked `inherited`; its key constraints are its own, with
    /// their index attached to the parent's.
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that back no constraint, by name (in the table's schema).
    pub indexes: BTreeMap<String, Index>,
    pub triggers: BTreeMap<String, Trigger>,
    /// A partition's own state of a trigger cloned from its parent's (`ALTER TABLE partition
    /// DISABLE TRIGGER t`), by trigger name, where it differs from the parent's trigger: `O`,
    /// `D`, `R` or `A` as [`Trigger::enabled`]. The clone itself comes with the parent's.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub trigger_states: BTreeMap<String, String>,
    pub policies: BTreeMap<String, Policy>,
    /// `PARTITION BY` of a partitioned table: `pg_get_partkeydef` (`LIST (foo)`).
    pub partition_key: Option<String>,
    /// For a partition: its parent and bound.
    pub partition_of: Option<PartitionOf>,
    /// Table inheritance (`INHERITS (p1, p2)`): the parents, in their order (`inhseqno`). Not
    /// set for partitions (`partition_of`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualName>,
    /// A typed table (`CREATE TABLE t OF type`): the composite type its columns come from.
    /// Its columns follow the type's attributes (`ALTER TYPE ... CASCADE` changes them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of_type: Option<QualName>,
    /// A tablespace other than the database's default (`TABLESPACE name`): referred to by name,
    /// never made (tablespaces belong to the cluster, as for `pg_dump --schema-only`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    pub unlogged: bool,
    /// Storage parameters (`fillfactor=70`, and its TOAST table's as `toast.name=value`), sorted.
    pub options: Vec<String>,
    pub row_security: bool,
    pub force_row_security: bool,
    /// `FULL`, `NOTHING` or `USING INDEX "name"` (absent: `DEFAULT`).
    pub replica_identity: Option<String>,
    /// The index of `CLUSTER ON`.
    pub cluster_on: Option<String>,
    pub comment: Option<String>,
    pub grants: BTreeSet<Grant>,
    /// Citus: a distributed or reference table (absent: a plain table, or a partition, which
    /// follows its parent). See [`super::distribution`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<super::distribution::Distribution>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartitionOf {
    pub parent: QualName,
    /// `pg_get_expr` of the bound: `FOR VALUES IN ('a')`, `FOR VALUES FROM (1) TO (10)`, `DEFAULT`.
    pub bound: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Column {
    pub name: String,
    /// As `format_type` renders it, with typmods and array brackets: `character varying(255)`.
    pub data_type: String,
    pub not_null: bool,
    /// `pg_get_expr` of the default (absent for identity and generated columns).
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    pub generated: Option<String>,
    /// A collation other than the type's default (qualified, quoted: `pg_catalog."C"`).
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// Table inheritance: the column comes from a parent (`attinhcount > 0`). Never set on a
    /// partition's columns.
    #[serde(skip_serializing_if = "is_false")]
    pub inherited: bool,
    /// An `inherited` column the table also defines itself (`attislocal`): printed in its
    /// `CREATE TABLE` (as pg_dump does), and kept when no parent has it any more.
    #[serde(skip_serializing_if = "is_false")]
    pub merged: bool,
    /// `SET STORAGE` other than the type's default: `PLAIN`, `EXTERNAL`, `MAIN`, `EXTENDED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// `SET STATISTICS n` (absent: the default target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET COMPRESSION` (`pglz`, `lz4`; absent: the server's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Column-level privileges (`GRANT SELECT (col) ON ...`).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
    /// Attribute options (`SET (n_distinct = 100)`), as `name=value` in PostgreSQL's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Column {
    /// Defined by the table itself (`attislocal`): not inherited, or merged.
    pub fn is_local(&self) -> bool {
        !self.inherited || self.merged
    }

    /// The column without storage, statistics target, compression and attribute options.
    pub fn without_settings(self) -> Column {
        Column {
            storage: None,
            statistics: None,
            compression: None,
            options: Vec::new(),
            ..self
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// `GENERATED ALWAYS` (true) or `BY DEFAULT`.
    pub always: bool,
    pub sequence: QualName,
    pub options: SequenceOptions,
    /// Privileges granted on its sequence (`GRANT USAGE ON SEQUENCE ...`).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
    /// `COMMENT ON SEQUENCE` of its sequence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `LOGGED` or `UNLOGGED` when its sequence's persistence is not its table's (as pg_dump
    /// prints it); absent when they agree (`ALTER TABLE ... SET [UN]LOGGED` moves both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    #[default]
    Check,
    PrimaryKey,
    Unique,
    ForeignKey,
    Exclusion,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Constraint {
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef`: `PRIMARY KEY (id)`, `FOREIGN KEY (a) REFERENCES s.t(b) ON DELETE
    /// SET NULL (a) DEFERRABLE INITIALLY DEFERRED NOT VALID`, `CHECK ((x > 0)) NO INHERIT`,
    /// `UNIQUE NULLS NOT DISTINCT (a)`, `EXCLUDE USING gist (...)`.
    pub definition: String,
    /// Constrained columns, in order.
    pub columns: Vec<String>,
    /// Foreign keys: the referenced table.
    pub references: Option<QualName>,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for `NOT VALID`.
    pub validated: bool,
    /// Checks: `NO INHERIT` (always false for the other kinds, where PostgreSQL's flag depends
    /// on how the constraint was made, not on what it does).
    pub no_inherit: bool,
    /// For a partition's key constraint inherited from its parent: the parent's index.
    pub parent_index: Option<QualName>,
    /// A check a partition or an inheritance child got from its parent (and has not also of its
    /// own, `conislocal`): created with the parent's.
    pub inherited: bool,
    pub comment: Option<String>,
    /// The tablespace of a key or exclusion constraint's index, when not the database's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    /// The comment on a key or exclusion constraint's index (`COMMENT ON INDEX`), which is not
    /// the constraint's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    /// `pg_get_indexdef`: `CREATE UNIQUE INDEX i ON [ONLY] s.t USING btree (a DESC NULLS LAST)
    /// INCLUDE (b) WITH (fillfactor='70') WHERE (...)`.
    pub definition: String,
    pub unique: bool,
    /// Access method: btree, hash, gist, gin, brin, spgist...
    pub method: String,
    /// The partial index's predicate (`pg_get_expr`).
    pub predicate: Option<String>,
    /// An index of a partition attached to its parent's partitioned index.
    pub parent_index: Option<QualName>,
    pub comment: Option<String>,
    /// Statistics targets of expression columns (`ALTER INDEX ... ALTER COLUMN 1 SET
    /// STATISTICS 500`), by column number.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<i16, i32>,
    /// Its tablespace, when not the database's default (`pg_get_indexdef` leaves it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    /// `pg_get_triggerdef`.
    pub definition: String,
    /// `O` (origin, the default), `D` (disabled), `R` (replica), `A` (always).
    pub enabled: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Role names (`PUBLIC` for everyone), sorted.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

/// A view or a materialized view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    pub materialized: bool,
    /// `pg_get_viewdef`: the query.
    pub definition: String,
    /// Options (`security_barrier=true`, `check_option=cascaded`, `fillfactor=70`), sorted.
    pub options: Vec<String>,
    /// Column names and comments, in order.
    pub columns: Vec<Column>,
    /// Materialized views: indexes by name.
    pub indexes: BTreeMap<String, Index>,
    /// Relations and functions whose objects must exist first (views, materialized views,
    /// functions; tables are always created first).
    pub depends_on: BTreeSet<QualName>,
    pub triggers: BTreeMap<String, Trigger>,
    pub comment: Option<String>,
    pub grants: BTreeSet<Grant>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Function {
    pub name: String,
    /// `pg_get_function_identity_arguments`.
    pub identity_arguments: String,
    pub procedure: bool,
    /// `pg_get_functiondef`: the full `CREATE OR REPLACE FUNCTION` statement.
    pub definition: String,
    /// Objects its creation needs (functions, and relations whose row types or contents an
    /// SQL-standard body uses), keyed as in [`Schema`]'s maps.
    pub depends_on: BTreeSet<QualName>,
    pub comment: Option<String>,
    pub grants: BTreeSet<Grant>,
}

impl Function {
    /// `"schema"."name"(args)`, for COMMENT, DROP, GRANT.
    pub fn signature(&self, schema: &str) -> String {
        format!(
            "{}({})",
            QualName::new(schema, self.name.clone()).sql(),
            self.identity_arguments
        )
    }
}

impl Schema {
    /// Whether the model holds nothing (unsupported notices aside).
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.extensions.is_empty()
            && self.enums.is_empty()
            && self.domains.is_empty()
            && self.composites.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.views.is_empty()
            && self.functions.is_empty()
            && self.objects.is_empty()
    }
}
