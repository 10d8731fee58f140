//! The parts of a table as declared: columns, keys, foreign keys, checks, indexes, triggers,
//! policies. Each is a small value with chained setters; [`super::SchemaBuilder::build`] turns
//! them into the model, choosing the names PostgreSQL would choose.

use super::lists::matching_paren;

/// A column as declared. Nullable unless [`Column::not_null`] (or part of the primary key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub(crate) name: String,
    pub(crate) ty: String,
    pub(crate) not_null: bool,
    pub(crate) default: Option<String>,
    pub(crate) identity: Option<bool>,
    pub(crate) generated: Option<String>,
    pub(crate) collation: Option<String>,
    pub(crate) comment: Option<String>,
    pub(crate) primary_key: bool,
    pub(crate) unique: bool,
    pub(crate) references: Option<ForeignKey>,
    pub(crate) index: Option<bool>,
    pub(crate) check: Option<String>,
}

impl Column {
    /// A column of `ty` as SQL spells it (`varchar(255)`, `timestamptz`, `tier`): the builder
    /// prints it as `format_type` does; a name that is not a built-in type is a type in the
    /// table's schema unless qualified.
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty: ty.into(),
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            primary_key: false,
            unique: false,
            references: None,
            index: None,
            check: None,
        }
    }

    pub fn not_null(mut self) -> Self {
        self.not_null = true;
        self
    }

    /// `nullable(false)` is [`Column::not_null`].
    pub fn nullable(mut self, nullable: bool) -> Self {
        self.not_null = !nullable;
        self
    }

    /// The default expression; see the `expr` rules in the module documentation.
    pub fn default(mut self, expr: impl Into<String>) -> Self {
        self.default = Some(expr.into());
        self
    }

    /// `GENERATED ALWAYS AS IDENTITY` (`always`) or `BY DEFAULT AS IDENTITY`, with the default
    /// sequence options.
    pub fn identity(mut self, always: bool) -> Self {
        self.identity = Some(always);
        self.not_null = true;
        self
    }

    /// `GENERATED ALWAYS AS (expr) STORED`, the expression as `pg_get_expr` prints it.
    pub fn generated(mut self, expr: impl Into<String>) -> Self {
        self.generated = Some(expr.into());
        self
    }

    /// A collation other than the type's default, as printed: `pg_catalog."C"`.
    pub fn collate(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    /// Part of the primary key (columns marked so, in column order).
    pub fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self.not_null = true;
        self
    }

    /// A `UNIQUE` constraint on this column alone.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// A foreign key on this column alone: `"table(column)"`, `"schema.table(column)"` or
    /// `"table"` (its primary key).
    pub fn references(mut self, target: impl Into<String>) -> Self {
        self.references = Some(ForeignKey::new(&[self.name.as_str()], target));
        self
    }

    /// The `ON DELETE` action of [`Column::references`].
    pub fn on_delete(mut self, action: Action) -> Self {
        if let Some(fk) = self.references.take() {
            self.references = Some(fk.on_delete(action));
        }
        self
    }

    /// The `ON UPDATE` action of [`Column::references`].
    pub fn on_update(mut self, action: Action) -> Self {
        if let Some(fk) = self.references.take() {
            self.references = Some(fk.on_update(action));
        }
        self
    }

    /// A btree index on this column alone.
    pub fn index(mut self) -> Self {
        self.index = Some(false);
        self
    }

    /// A unique btree index (not a constraint) on this column alone.
    pub fn unique_index(mut self) -> Self {
        self.index = Some(true);
        self
    }

    /// A `CHECK` on this column alone, the expression as `pg_get_expr` prints it (`(x > 0)`).
    pub fn check(mut self, expr: impl Into<String>) -> Self {
        self.check = Some(expr.into());
        self
    }
}

/// A primary key or unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Key {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
    pub(crate) nulls_not_distinct: bool,
    pub(crate) deferrable: bool,
    pub(crate) initially_deferred: bool,
    pub(crate) comment: Option<String>,
}

impl Key {
    pub fn new<S: AsRef<str>>(columns: &[S]) -> Self {
        Self {
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            ..Self::default()
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15 and later).
    pub fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }

    pub fn deferrable(mut self, initially_deferred: bool) -> Self {
        self.deferrable = true;
        self.initially_deferred = initially_deferred;
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

impl<S: AsRef<str>> From<&[S]> for Key {
    fn from(columns: &[S]) -> Self {
        Key::new(columns)
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for Key {
    fn from(columns: [S; N]) -> Self {
        Key::new(&columns)
    }
}

impl<S: AsRef<str>, const N: usize> From<&[S; N]> for Key {
    fn from(columns: &[S; N]) -> Self {
        Key::new(columns)
    }
}

impl From<&str> for Key {
    fn from(column: &str) -> Self {
        Key::new(&[column])
    }
}

/// A referential action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Action {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    /// `SET NULL`, of these columns only when any (PostgreSQL 15 and later).
    SetNull(Vec<String>),
    /// `SET DEFAULT`, of these columns only when any.
    SetDefault(Vec<String>),
}

impl Action {
    /// `cascade`, `restrict`, `no action`, `set null`, `set null (a, b)`, `set default`,
    /// in any case.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (head, cols) = match text.split_once('(') {
            Some((h, rest)) => (
                h.to_string(),
                rest.trim_end()
                    .strip_suffix(')')?
                    .split(',')
                    .map(|c| c.trim().trim_matches('"').to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
            ),
            None => (text.to_string(), Vec::new()),
        };
        let head = head.to_lowercase().replace('_', " ");
        let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
        match (head.as_str(), cols.is_empty()) {
            ("no action", true) => Some(Self::NoAction),
            ("restrict", true) => Some(Self::Restrict),
            ("cascade", true) => Some(Self::Cascade),
            ("set null", _) => Some(Self::SetNull(cols)),
            ("set default", _) => Some(Self::SetDefault(cols)),
            _ => None,
        }
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
    /// `table(cols)` as given.
    pub(crate) target: String,
    pub(crate) on_delete: Action,
    pub(crate) on_update: Action,
    pub(crate) match_full: bool,
    pub(crate) deferrable: bool,
    pub(crate) initially_deferred: bool,
    pub(crate) not_valid: bool,
    pub(crate) comment: Option<String>,
}

impl ForeignKey {
    /// `columns` referencing `target`: `"table(a, b)"`, `"schema.table(a)"`, or `"table"` (its
    /// primary key). An unqualified table is in the referencing table's schema.
    pub fn new<S: AsRef<str>>(columns: &[S], target: impl Into<String>) -> Self {
        Self {
            name: None,
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            target: target.into(),
            on_delete: Action::NoAction,
            on_update: Action::NoAction,
            match_full: false,
            deferrable: false,
            initially_deferred: false,
            not_valid: false,
            comment: None,
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn on_delete(mut self, action: Action) -> Self {
        self.on_delete = action;
        self
    }

    pub fn on_update(mut self, action: Action) -> Self {
        self.on_update = action;
        self
    }

    pub fn match_full(mut self) -> Self {
        self.match_full = true;
        self
    }

    pub fn deferrable(mut self, initially_deferred: bool) -> Self {
        self.deferrable = true;
        self.initially_deferred = initially_deferred;
        self
    }

    pub fn not_valid(mut self) -> Self {
        self.not_valid = true;
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

/// A `CHECK` constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
    pub(crate) expr: String,
    pub(crate) no_inherit: bool,
    pub(crate) not_valid: bool,
    pub(crate) comment: Option<String>,
}

impl Check {
    /// `expr` exactly as `pg_get_expr` prints it (`(amount >= (0)::numeric)`,
    /// `((a > 0) AND (b > 0))`); `columns`: every column it reads, in the order they first
    /// appear in it (PostgreSQL records them so, and names an unnamed check after the column
    /// when there is one: `<table>_<column>_check`, else `<table>_check`).
    pub fn new<S: AsRef<str>>(columns: &[S], expr: impl Into<String>) -> Self {
        Self {
            name: None,
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            expr: expr.into(),
            no_inherit: false,
            not_valid: false,
            comment: None,
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn no_inherit(mut self) -> Self {
        self.no_inherit = true;
        self
    }

    pub fn not_valid(mut self) -> Self {
        self.not_valid = true;
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

/// One key of an index: a column or an expression, with collation, operator class and order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    /// A column name, or an expression (`expression` true) as `pg_get_expr` prints it.
    pub(crate) key: String,
    pub(crate) expression: bool,
    pub(crate) collation: Option<String>,
    pub(crate) opclass: Option<String>,
    pub(crate) desc: bool,
    pub(crate) nulls_first: Option<bool>,
}

impl IndexKey {
    /// Parse `column [COLLATE c] [opclass] [ASC|DESC] [NULLS FIRST|LAST]`; the column may be
    /// double-quoted, or be an expression in parentheses or a function call (`lower(email)`).
    pub fn parse(spec: &str) -> Option<Self> {
        let spec = spec.trim();
        let (key, expression, rest) = if spec.starts_with('(') || first_word_is_call(spec) {
            let end = matching_paren(spec)?;
            let text = &spec[..=end];
            // `(expr)` written with its parentheses: the expression is inside.
            let key = if text.starts_with('(') {
                text[1..text.len() - 1].trim().to_string()
            } else {
                text.to_string()
            };
            (key, true, &spec[end + 1..])
        } else if let Some(r) = spec.strip_prefix('"') {
            let mut out = String::new();
            let mut r = r;
            loop {
                let end = r.find('"')?;
                out.push_str(&r[..end]);
                r = &r[end + 1..];
                match r.strip_prefix('"') {
                    Some(rr) => {
                        out.push('"');
                        r = rr;
                    }
                    None => break,
                }
            }
            (out, false, r)
        } else {
            let end = spec.find(char::is_whitespace).unwrap_or(spec.len());
            (spec[..end].to_string(), false, &spec[end..])
        };
        let mut k = IndexKey {
            key,
            expression,
            collation: None,
            opclass: None,
            desc: false,
            nulls_first: None,
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            match words[i].to_uppercase().as_str() {
                "ASC" => k.desc = false,
                "DESC" => k.desc = true,
                "NULLS" => {
                    i += 1;
                    k.nulls_first = match words.get(i)?.to_uppercase().as_str() {
                        "FIRST" => Some(true),
                        "LAST" => Some(false),
                        _ => return None,
                    };
                }
                "COLLATE" => {
                    i += 1;
                    k.collation = Some((*words.get(i)?).to_string());
                }
                _ if k.opclass.is_none() => k.opclass = Some(words[i].to_string()),
                _ => return None,
            }
            i += 1;
        }
        Some(k)
    }
}

fn first_word_is_call(spec: &str) -> bool {
    let name_end = spec
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .unwrap_or(spec.len());
    name_end > 0 && spec[name_end..].starts_with('(')
}

/// An index that backs no constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub(crate) name: Option<String>,
    pub(crate) keys: Vec<String>,
    pub(crate) unique: bool,
    pub(crate) method: String,
    pub(crate) include: Vec<String>,
    pub(crate) nulls_not_distinct: bool,
    pub(crate) with: Vec<(String, String)>,
    pub(crate) predicate: Option<String>,
    pub(crate) comment: Option<String>,
}

impl Index {
    /// An index on these keys, each parsed by [`IndexKey::parse`]: `"tenant_id"`,
    /// `"\"timestamp\" DESC"`, `"extracted_text gin_trgm_ops"`, `"lower(email)"`.
    pub fn on<S: AsRef<str>>(keys: &[S]) -> Self {
        Self {
            name: None,
            keys: keys.iter().map(|k| k.as_ref().to_string()).collect(),
            unique: false,
            method: "btree".to_string(),
            include: Vec::new(),
            nulls_not_distinct: false,
            with: Vec::new(),
            predicate: None,
            comment: None,
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// The access method: `btree` (the default), `gin`, `gist`, `hash`, `brin`, `spgist`.
    pub fn using(mut self, method: impl Into<String>) -> Self {
        self.method = method.into().to_lowercase();
        self
    }

    pub fn include<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.include = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self
    }

    pub fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }

    /// A storage parameter: `with("fillfactor", "70")`.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.with.push((key.into(), value.into()));
        self
    }

    /// A partial index's predicate as `pg_get_expr` prints it (`(a > 0)`, `(deleted_at IS NULL)`).
    pub fn predicate(mut self, expr: impl Into<String>) -> Self {
        self.predicate = Some(expr.into());
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

/// When a trigger fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    #[default]
    Before,
    After,
    InsteadOf,
}

/// A trigger calling a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub(crate) name: String,
    pub(crate) timing: Timing,
    pub(crate) insert: bool,
    pub(crate) update: Option<Vec<String>>,
    pub(crate) delete: bool,
    pub(crate) truncate: bool,
    pub(crate) row: bool,
    pub(crate) when: Option<String>,
    pub(crate) function: String,
    pub(crate) args: Vec<String>,
    pub(crate) comment: Option<String>,
}

impl Trigger {
    /// A trigger `name` that runs `function` (`"schema.name"`, or a name in the table's schema;
    /// `pg_catalog.name` for a built-in one) `FOR EACH ROW`; choose the timing and events.
    pub fn new(name: impl Into<String>, function: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            timing: Timing::Before,
            insert: false,
            update: None,
            delete: false,
            truncate: false,
            row: true,
            when: None,
            function: function.into(),
            args: Vec::new(),
            comment: None,
        }
    }

    pub fn before(mut self) -> Self {
        self.timing = Timing::Before;
        self
    }

    pub fn after(mut self) -> Self {
        self.timing = Timing::After;
        self
    }

    pub fn instead_of(mut self) -> Self {
        self.timing = Timing::InsteadOf;
        self
    }

    pub fn on_insert(mut self) -> Self {
        self.insert = true;
        self
    }

    pub fn on_update(mut self) -> Self {
        self.update = Some(Vec::new());
        self
    }

    pub fn on_update_of<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.update = Some(columns.iter().map(|c| c.as_ref().to_string()).collect());
        self
    }

    pub fn on_delete(mut self) -> Self {
        self.delete = true;
        self
    }

    pub fn on_truncate(mut self) -> Self {
        self.truncate = true;
        self
    }

    pub fn for_each_statement(mut self) -> Self {
        self.row = false;
        self
    }

    /// `WHEN (...)`, the condition as `pg_get_expr` prints it (`(old.* IS DISTINCT FROM new.*)`).
    pub fn when(mut self, condition: impl Into<String>) -> Self {
        self.when = Some(condition.into());
        self
    }

    /// Arguments passed to the function (string constants).
    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Self {
        self.args = args.iter().map(|a| a.as_ref().to_string()).collect();
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

/// A row-level security policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub(crate) name: String,
    pub(crate) permissive: bool,
    pub(crate) command: String,
    pub(crate) roles: Vec<String>,
    pub(crate) using: Option<String>,
    pub(crate) with_check: Option<String>,
    pub(crate) comment: Option<String>,
}

impl Policy {
    /// A permissive policy for every command and every role (`PUBLIC`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            permissive: true,
            command: "ALL".to_string(),
            roles: Vec::new(),
            using: None,
            with_check: None,
            comment: None,
        }
    }

    pub fn restrictive(mut self) -> Self {
        self.permissive = false;
        self
    }

    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE` or `ALL`.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = command.into().to_uppercase();
        self
    }

    pub fn to<S: AsRef<str>>(mut self, roles: &[S]) -> Self {
        self.roles = roles.iter().map(|r| r.as_ref().to_string()).collect();
        self
    }

    /// `USING (...)`, as `pg_get_expr` prints it: `(tenant_id = public.current_tenant())`.
    pub fn using(mut self, expr: impl Into<String>) -> Self {
        self.using = Some(expr.into());
        self
    }

    /// `WITH CHECK (...)`, as `pg_get_expr` prints it.
    pub fn with_check(mut self, expr: impl Into<String>) -> Self {
        self.with_check = Some(expr.into());
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

/// A table as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableBuilder {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) columns: Vec<Column>,
    pub(crate) primary_key: Option<Key>,
    pub(crate) uniques: Vec<Key>,
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) checks: Vec<Check>,
    pub(crate) indexes: Vec<Index>,
    pub(crate) triggers: Vec<Trigger>,
    pub(crate) policies: Vec<Policy>,
    pub(crate) row_security: bool,
    pub(crate) force_row_security: bool,
    pub(crate) grants: Vec<(Vec<String>, String, bool)>,
    pub(crate) options: Vec<String>,
    pub(crate) unlogged: bool,
    pub(crate) comment: Option<String>,
    /// Citus (`builder/distribution.rs`).
    pub(crate) distribution: super::distribution::DistributionDecl,
}

impl TableBuilder {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            policies: Vec::new(),
            row_security: false,
            force_row_security: false,
            grants: Vec::new(),
            options: Vec::new(),
            unlogged: false,
            comment: None,
            distribution: Default::default(),
        }
    }

    /// The table's schema and name.
    pub fn qualified_name(&self) -> crate::schema::QualName {
        crate::schema::QualName::new(self.schema.clone(), self.name.clone())
    }

    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// The primary key (replacing columns marked [`Column::primary_key`]).
    pub fn primary_key(mut self, key: impl Into<Key>) -> Self {
        self.primary_key = Some(key.into());
        self
    }

    pub fn unique(mut self, key: impl Into<Key>) -> Self {
        self.uniques.push(key.into());
        self
    }

    pub fn foreign_key(mut self, fk: ForeignKey) -> Self {
        self.foreign_keys.push(fk);
        self
    }

    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    pub fn trigger(mut self, trigger: Trigger) -> Self {
        self.triggers.push(trigger);
        self
    }

    /// `ENABLE ROW LEVEL SECURITY`.
    pub fn row_security(mut self) -> Self {
        self.row_security = true;
        self
    }

    /// `FORCE ROW LEVEL SECURITY` (the owner too).
    pub fn force_row_security(mut self) -> Self {
        self.force_row_security = true;
        self
    }

    pub fn policy(mut self, policy: Policy) -> Self {
        self.policies.push(policy);
        self
    }

    /// `GRANT privileges ON table TO grantee` (`ALL` is every table privilege).
    pub fn grant<S: AsRef<str>>(mut self, privileges: &[S], grantee: impl Into<String>) -> Self {
        self.grants.push((
            privileges.iter().map(|p| p.as_ref().to_string()).collect(),
            grantee.into(),
            false,
        ));
        self
    }

    /// A storage parameter: `option("fillfactor", "70")`.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options
            .push(format!("{}={}", key.into(), value.into()));
        self
    }

    pub fn unlogged(mut self) -> Self {
        self.unlogged = true;
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keys_parse() {
        let k = IndexKey::parse("\"timestamp\" DESC").expect("key");
        assert_eq!(
            (k.key.as_str(), k.desc, k.expression),
            ("timestamp", true, false)
        );
        let k = IndexKey::parse("extracted_text gin_trgm_ops").expect("key");
        assert_eq!(k.opclass.as_deref(), Some("gin_trgm_ops"));
        let k = IndexKey::parse("lower(email) DESC NULLS LAST").expect("key");
        assert_eq!(
            (k.key.as_str(), k.expression, k.nulls_first),
            ("lower(email)", true, Some(false))
        );
        let k = IndexKey::parse("((a + b))").expect("key");
        assert_eq!(k.key, "(a + b)");
        assert!(IndexKey::parse("a NULLS SOMETIMES").is_none());
        assert_eq!(
            Action::parse("SET NULL (user_id)"),
            Some(Action::SetNull(vec!["user_id".into()]))
        );
        assert_eq!(Action::parse("cascade"), Some(Action::Cascade));
        assert_eq!(Action::parse("no_action"), Some(Action::NoAction));
        assert_eq!(Action::parse("explode"), None);
    }
}
