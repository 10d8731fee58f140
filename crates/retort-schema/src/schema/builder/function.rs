//! Functions, printed as `pg_get_functiondef` prints them.

/// Volatility of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    #[default]
    Volatile,
    Stable,
    Immutable,
}

/// A function (not a procedure) with a body in a string (`AS $$...$$`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionBuilder {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) args: Vec<(String, String)>,
    pub(crate) returns: String,
    pub(crate) language: String,
    pub(crate) volatility: Volatility,
    pub(crate) parallel: Option<String>,
    pub(crate) strict: bool,
    pub(crate) security_definer: bool,
    pub(crate) leakproof: bool,
    pub(crate) config: Vec<(String, String)>,
    pub(crate) body: String,
    pub(crate) definition: Option<(String, String)>,
    pub(crate) comment: Option<String>,
    pub(crate) public_execute: bool,
    pub(crate) grants: Vec<String>,
}

impl FunctionBuilder {
    /// `schema.name()` returning `returns` (`trigger`, `uuid`, `SETOF tier`, as SQL spells it),
    /// in `language`, with `body`: the text between the dollar quotes, exactly (PostgreSQL keeps
    /// it byte for byte, leading and trailing white space included).
    pub fn new(
        schema: impl Into<String>,
        name: impl Into<String>,
        returns: impl Into<String>,
        language: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
            args: Vec::new(),
            returns: returns.into(),
            language: language.into(),
            volatility: Volatility::Volatile,
            parallel: None,
            strict: false,
            security_definer: false,
            leakproof: false,
            config: Vec::new(),
            body: body.into(),
            definition: None,
            comment: None,
            public_execute: true,
            grants: Vec::new(),
        }
    }

    /// A function given as `pg_get_functiondef` prints it (the whole `CREATE OR REPLACE
    /// FUNCTION` statement, ending with a newline), with its identity arguments as
    /// `pg_get_function_identity_arguments` prints them: for what the other setters cannot say.
    pub fn from_definition(
        schema: impl Into<String>,
        name: impl Into<String>,
        identity_arguments: impl Into<String>,
        definition: impl Into<String>,
    ) -> Self {
        let mut f = Self::new(schema, name, "", "", "");
        f.definition = Some((identity_arguments.into(), definition.into()));
        f
    }

    /// An (`IN`) argument: name and type as SQL spells it.
    pub fn arg(mut self, name: impl Into<String>, ty: impl Into<String>) -> Self {
        self.args.push((name.into(), ty.into()));
        self
    }

    pub fn stable(mut self) -> Self {
        self.volatility = Volatility::Stable;
        self
    }

    pub fn immutable(mut self) -> Self {
        self.volatility = Volatility::Immutable;
        self
    }

    /// `PARALLEL SAFE` (`true`) or `PARALLEL RESTRICTED`.
    pub fn parallel(mut self, safe: bool) -> Self {
        self.parallel = Some(if safe { "SAFE" } else { "RESTRICTED" }.to_string());
        self
    }

    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    pub fn security_definer(mut self) -> Self {
        self.security_definer = true;
        self
    }

    pub fn leakproof(mut self) -> Self {
        self.leakproof = true;
        self
    }

    /// `SET name TO value`, the value as PostgreSQL prints it (`''`, `public, pg_temp`).
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.push((name.into(), value.into()));
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    /// `REVOKE EXECUTE ... FROM PUBLIC` (PostgreSQL lets everyone execute a new function).
    pub fn revoke_public_execute(mut self) -> Self {
        self.public_execute = false;
        self
    }

    /// `GRANT EXECUTE ... TO role`.
    pub fn grant_execute(mut self, role: impl Into<String>) -> Self {
        self.grants.push(role.into());
        self
    }
}
