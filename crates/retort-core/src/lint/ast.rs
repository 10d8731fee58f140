//! The statements the rules look at, as much of each as they need. Anything else is
//! [`Stmt::Other`]; a rule never guesses at what it does not model.
//!
//! Every `at` is a byte offset in the statement's text (where a caret points).

/// A possibly schema-qualified name, identifiers folded as PostgreSQL folds them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
}

impl QName {
    /// `schema.name`, `public` when unqualified (how table sizes are keyed).
    pub fn key(&self) -> String {
        format!(
            "{}.{}",
            self.schema.as_deref().unwrap_or("public"),
            self.name
        )
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A type as written, normalised: `base` is its words in lower case without schema, modifiers
/// or array brackets (`character varying`, `timestamp with time zone`, `int4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    pub base: String,
    /// Has a length/precision modifier: `varchar(20)`.
    pub modifier: bool,
    pub array: bool,
    pub at: usize,
}

/// A column definition (CREATE TABLE element or ADD COLUMN).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnDef {
    pub name: String,
    pub at: usize,
    pub ty: Option<TypeName>,
    /// The default expression's text and where it starts.
    pub default: Option<(String, usize)>,
    pub not_null: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub references: bool,
    pub check: bool,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated_stored: bool,
    /// `GENERATED ... AS IDENTITY`.
    pub identity: bool,
}

/// What a table constraint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Check,
    Unique,
    PrimaryKey,
    Exclude,
    ForeignKey,
    NotNull,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConstraint {
    pub kind: ConstraintKind,
    pub not_valid: bool,
    /// `UNIQUE USING INDEX i` / `PRIMARY KEY USING INDEX i`.
    pub using_index: bool,
    pub at: usize,
}

/// One action of ALTER TABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    AddConstraint(TableConstraint),
    DropColumn {
        name: String,
        if_exists: bool,
        at: usize,
    },
    AlterType {
        column: String,
        ty: TypeName,
        at: usize,
    },
    SetNotNull {
        column: String,
        at: usize,
    },
    DropNotNull {
        column: String,
        at: usize,
    },
    RenameColumn {
        from: String,
        to: String,
        at: usize,
    },
    RenameTable {
        to: String,
        at: usize,
    },
    DropConstraint {
        at: usize,
    },
    ValidateConstraint {
        at: usize,
    },
    /// `ENABLE|DISABLE|FORCE|NO FORCE ROW LEVEL SECURITY`.
    RowSecurity {
        at: usize,
    },
    /// `REPLICA IDENTITY ...`.
    ReplicaIdentity {
        at: usize,
    },
    /// What rewrites the table whatever its columns: `SET LOGGED|UNLOGGED`, `SET TABLESPACE`.
    Rewrite {
        what: String,
        at: usize,
    },
    /// `ATTACH PARTITION name ...`: the partition is scanned to check its bound.
    AttachPartition {
        partition: QName,
        at: usize,
    },
    /// `INHERIT p`, `NO INHERIT p`, `OF type`, `NOT OF`.
    Inheritance {
        at: usize,
    },
    /// `DETACH PARTITION name [CONCURRENTLY | FINALIZE]`.
    DetachPartition {
        concurrently: bool,
        at: usize,
    },
    /// `ALTER [COLUMN] c DROP DEFAULT`.
    DropDefault {
        column: String,
        at: usize,
    },
    /// `ALTER [COLUMN] c ADD GENERATED ... AS IDENTITY`.
    AddIdentity {
        column: String,
        at: usize,
    },
    /// `ALTER [COLUMN] c DROP EXPRESSION`.
    DropExpression {
        column: String,
        at: usize,
    },
    /// `SET SCHEMA s`.
    SetSchema {
        at: usize,
    },
    Other {
        at: usize,
    },
}

/// A statement, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    CreateTable {
        name: QName,
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
        constraints: Vec<TableConstraint>,
    },
    AlterTable {
        name: QName,
        if_exists: bool,
        actions: Vec<Action>,
    },
    CreateIndex {
        table: QName,
        concurrently: bool,
        if_not_exists: bool,
        at: usize,
    },
    DropIndex {
        concurrently: bool,
        if_exists: bool,
    },
    DropTable {
        names: Vec<QName>,
        if_exists: bool,
    },
    DropDatabase,
    /// `DROP TYPE`.
    DropType,
    /// `DROP SEQUENCE|VIEW|MATERIALIZED VIEW|FUNCTION|PROCEDURE|DOMAIN|EXTENSION ...`: `kind`
    /// in lower case (`materialized view`).
    Drop {
        kind: String,
    },
    /// `GRANT`, `REVOKE`, `CREATE|ALTER|DROP POLICY`: who may read or write what.
    Authorization {
        what: String,
    },
    /// `ALTER EXTENSION name UPDATE ...`.
    AlterExtensionUpdate,
    /// `CREATE SEQUENCE name ...` (`owned`: with `OWNED BY` a column).
    CreateSequence {
        name: QName,
        owned: bool,
    },
    /// `ALTER SEQUENCE name ... OWNED BY table.column` (not `NONE`).
    SequenceOwned {
        name: QName,
    },
    /// `ALTER INDEX|MATERIALIZED VIEW name SET TABLESPACE ...`: its files copied.
    MoveRelation {
        kind: String,
        name: QName,
    },
    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (`atomic`: a `BEGIN ATOMIC` body, whose
    /// references PostgreSQL tracks).
    CreateFunction {
        atomic: bool,
    },
    /// `CREATE [CONSTRAINT] TRIGGER` or `DROP TRIGGER`.
    Trigger {
        drop: bool,
    },
    /// `SELECT f('table', ...)`: a function called on a table (Citus's
    /// `create_distributed_table`...); `table` is its first argument when that is a string.
    SelectFunction {
        name: String,
        table: Option<QName>,
    },
    DropSchema,
    /// `REINDEX ...` (`concurrently`: with `(CONCURRENTLY)` or `CONCURRENTLY`).
    Reindex {
        concurrently: bool,
    },
    /// `ALTER TYPE|SCHEMA|VIEW|FUNCTION|... name RENAME TO ...` (not a table or column).
    RenameObject {
        kind: String,
    },
    /// `ALTER TYPE ... ADD VALUE` (`positioned`: with BEFORE or AFTER).
    AddEnumValue {
        positioned: bool,
        at: usize,
    },
    Truncate {
        cascade: bool,
        cascade_at: usize,
    },
    CreateDomain {
        constraint_at: Option<usize>,
    },
    AlterDomainAddConstraint {
        at: usize,
    },
    Begin,
    Commit,
    Rollback,
    /// `SET [SESSION|LOCAL] name ...` (`local` for SET LOCAL); `value` lower case, unquoted.
    Set {
        name: String,
        value: String,
        local: bool,
    },
    /// `RESET name` (`all` for RESET ALL).
    Reset {
        name: String,
    },
    Other,
}
