//! `retort.toml`: where the script directory is, how new files are named, which database to use.
//!
//! Invariant: loading a config never touches the network or a database; unknown keys are an error
//! that names the key and its line, so a typo never silently falls back to a default.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;

/// The file name looked up in the working directory when no `-c/--config` is given.
pub const CONFIG_FILE_NAME: &str = "retort.toml";

/// The keys of `retort.toml`, as written by the user (before defaults and overrides are resolved).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub script_location: Option<String>,
    pub version_locations: Option<Vec<String>>,
    pub file_template: Option<String>,
    pub truncate_slug_length: Option<usize>,
    pub timezone: Option<String>,
    pub revision_id_length: Option<usize>,
    pub database_url: Option<String>,
    pub version_table: Option<String>,
    pub version_table_schema: Option<String>,
    pub lock_mode: Option<LockMode>,
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
    pub header_cache: Option<bool>,
    pub revision_template: Option<String>,
    #[serde(default)]
    pub post_write_hooks: Vec<PostWriteHook>,
    pub autogenerate: Option<AutogenerateConfig>,
    pub lint: Option<LintConfig>,
}

/// `[lint]`: `retort lint`'s rules and what `upgrade` does with its findings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Rule id → severity (`error`, `warning`, `off`), over the rule's default. Rule ids are
    /// checked by `retort::lint` (this layer knows none).
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, Severity>,
    /// `upgrade` lints the revisions it is about to run and refuses any error-level finding
    /// (as `upgrade --lint`).
    #[serde(default)]
    pub upgrade: bool,
    /// Findings accepted for a revision without editing it (an applied revision's text is
    /// checksummed): `[[lint.allow]] revision = "ae10..." rule = "..." reason = "..."`.
    #[serde(default)]
    pub allow: Vec<LintAllow>,
}

/// One `[[lint.allow]]`: a rule accepted for one revision, and why.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LintAllow {
    pub revision: String,
    pub rule: String,
    pub reason: String,
}

/// How much a lint finding matters; `off` turns its rule off.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// `[autogenerate]`: where `revision --autogenerate`, `check` and `diff` get the desired schema.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AutogenerateConfig {
    /// SQL files or globs (relative to retort.toml) holding the desired schema, loaded in order
    /// into a scratch database.
    #[serde(default)]
    pub schema: Vec<String>,
    /// A server where retort may CREATE DATABASE for scratch databases (`${VAR}` allowed);
    /// default: the project's local dev cluster.
    pub dev_url: Option<String>,
    /// PostgreSQL schemas compared (default: every non-system schema).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Only objects matching one of these `[KIND:]SCHEMA[.NAME]` globs are compared
    /// (`schema::filter`); empty: all.
    #[serde(default)]
    pub include: Vec<String>,
    /// Objects matching one of these are not compared (on either side).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Keep the model loaded from `schema` in `.retort/cache/models` and reuse it while the
    /// files, the scratch server and retort are unchanged (default on; `false` turns it off, as
    /// does `RETORT_NO_CACHE=1`).
    pub cache: Option<bool>,
}

impl AutogenerateConfig {
    /// Whether the model cache is used (`cache`, default on).
    pub fn cache_enabled(&self) -> bool {
        self.cache.unwrap_or(true)
    }
}

/// A command run on each newly written revision file, as Alembic's `post_write_hooks`.
/// `{path}` in an argument is replaced with the file's path; without it the path is appended.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PostWriteHook {
    pub name: Option<String>,
    pub command: Vec<String>,
}

/// Resolved settings: every default applied, every path made absolute against the config's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file these settings came from, if any.
    pub path: Option<PathBuf>,
    /// Folder of the config file (or the working directory); relative paths are resolved against it.
    pub root: PathBuf,
    pub script_location: PathBuf,
    /// Every folder holding revision files; the first is where new revisions are written.
    pub version_locations: Vec<PathBuf>,
    pub file_template: String,
    pub truncate_slug_length: usize,
    pub timezone: Option<String>,
    pub revision_id_length: usize,
    /// `database_url` from the file with `${VAR}` interpolated. Which URL a command uses (flag,
    /// `DATABASE_URL`, this, the local dev database) is decided by [`database_url_given`] and
    /// `retort::local::database_url` only.
    pub database_url: Option<String>,
    pub version_table: String,
    pub version_table_schema: Option<String>,
    /// `session` (default) or `transaction` (for PgBouncer transaction pooling).
    pub lock_mode: LockMode,
    /// PostgreSQL's `lock_timeout` for the migrating session (`"5s"`, `"500ms"`, `"1min"`): how
    /// long a migration's statement may wait for a table or row lock before it fails.
    pub lock_timeout: Option<String>,
    /// PostgreSQL's `statement_timeout` for the migrating session: how long one statement may run.
    pub statement_timeout: Option<String>,
    /// Keep the parsed headers in `.retort/cache/headers` for graph-only commands (default on;
    /// `RETORT_NO_CACHE=1` turns it off through [`Config::with_no_cache_env`]).
    pub header_cache: bool,
    /// A file (absolute) whose text new revision files are made from, as Alembic's
    /// `script.py.mako` (variables: `script::TEMPLATE_VARIABLES`); `None`: the built-in one.
    pub revision_template: Option<PathBuf>,
    pub post_write_hooks: Vec<PostWriteHook>,
    pub autogenerate: AutogenerateConfig,
    pub lint: LintConfig,
}

/// Where the migration lock lives (`lock_mode`; the runner takes it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// A session advisory lock on a dedicated connection, held for the whole run.
    #[default]
    Session,
    /// A transaction advisory lock taken in each migration's transaction, with the version rows
    /// re-read under it: works behind PgBouncer in transaction pooling, where session state
    /// does not survive between transactions.
    Transaction,
}

pub const DEFAULT_FILE_TEMPLATE: &str = "{year}{month}{day}_{hour}{minute}_{rev}_{slug}";
pub const DEFAULT_SCRIPT_LOCATION: &str = "migrations";
pub const DEFAULT_VERSION_TABLE: &str = "retort_version";

/// Errors from finding, reading or interpreting `retort.toml`.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("no {CONFIG_FILE_NAME} in {dir}")]
    #[diagnostic(help("run `retort init` to create one, or pass -c/--config PATH"))]
    NotFound { dir: String },

    /// The I/O error is in the message (one line), not a `#[source]`, so a report does not print
    /// it twice.
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },

    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    #[error("{path}: {message}")]
    Value {
        path: String,
        message: String,
        #[help]
        help: Option<String>,
    },
}

impl Config {
    /// Settings with every default, rooted at `root`, as if an empty `retort.toml` were there.
    pub fn defaults(root: &Path) -> Self {
        Self::resolve(ConfigFile::default(), root, None)
    }

    /// Find and load the config: an explicit path, else `retort.toml` in `cwd`.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<Self, ConfigError> {
        match explicit {
            Some(path) => Self::load(&cwd.join(path)),
            None => {
                let candidate = cwd.join(CONFIG_FILE_NAME);
                if candidate.is_file() {
                    Self::load(&candidate)
                } else {
                    let dir = if cwd == Path::new(".") {
                        std::env::current_dir().unwrap_or_else(|_| cwd.to_path_buf())
                    } else {
                        cwd.to_path_buf()
                    };
                    Err(ConfigError::NotFound {
                        dir: dir.display().to_string(),
                    })
                }
            }
        }
    }

    /// Load one file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = crate::util::display_path(path);
        let bytes = std::fs::read(path).map_err(|error| ConfigError::Io {
            path: shown.clone(),
            error,
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let valid = e.valid_up_to();
            let line = 1 + bytes[..valid].iter().filter(|c| **c == b'\n').count();
            ConfigError::Value {
                path: format!("{shown}:{line}"),
                message: format!("file is not valid UTF-8 (invalid byte at offset {valid})"),
                help: Some("save the file as UTF-8".into()),
            }
        })?;
        Self::parse(text, path, |name| std::env::var(name).ok())
    }

    /// Parse the text of a config file; `env` looks up `${VAR}` references in `database_url`.
    pub fn parse(
        text: &str,
        path: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let shown = crate::util::display_path(path);
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let span = e.span();
            let line = span.as_ref().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            let (mut message, help) = describe_toml_error(e.message());
            // "invalid type: ..." says what, not which key: name the key on the span's line.
            if let Some(key) = span.as_ref().and_then(|s| key_at(text, s.start)) {
                if ["invalid type", "invalid value", "unknown variant"]
                    .iter()
                    .any(|p| message.starts_with(p))
                {
                    message = format!("{key}: {message}");
                }
            }
            ConfigError::Invalid {
                path: shown.clone(),
                line,
                message,
                src: NamedSource::new(shown.clone(), text.to_string()),
                span: span.map(|s| SourceSpan::from(s.start..s.end)),
                help,
            }
        })?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut config = Self::resolve(file, &root, Some(path.to_path_buf()));
        if let Some(url) = &config.database_url {
            config.database_url =
                Some(
                    interpolate_env(url, &env).map_err(|message| ConfigError::Value {
                        path: shown.clone(),
                        message,
                        help: Some("set the variable, or pass --database-url".into()),
                    })?,
                );
        }
        if let Some(url) = &config.autogenerate.dev_url {
            config.autogenerate.dev_url =
                Some(
                    interpolate_env(url, &env).map_err(|message| ConfigError::Value {
                        path: shown.clone(),
                        message,
                        help: Some("set the variable, or remove [autogenerate] dev_url".into()),
                    })?,
                );
        }
        config.validate(&shown)?;
        Ok(config)
    }

    fn resolve(file: ConfigFile, root: &Path, path: Option<PathBuf>) -> Self {
        let script_location = root.join(
            file.script_location
                .as_deref()
                .unwrap_or(DEFAULT_SCRIPT_LOCATION),
        );
        let version_locations = match &file.version_locations {
            Some(dirs) if !dirs.is_empty() => dirs.iter().map(|d| root.join(d)).collect(),
            _ => vec![script_location.clone()],
        };
        Self {
            path,
            root: root.to_path_buf(),
            script_location,
            version_locations,
            file_template: file
                .file_template
                .unwrap_or_else(|| DEFAULT_FILE_TEMPLATE.to_string()),
            truncate_slug_length: file.truncate_slug_length.unwrap_or(40),
            timezone: file.timezone,
            revision_id_length: file.revision_id_length.unwrap_or(12),
            database_url: file.database_url,
            version_table: file
                .version_table
                .unwrap_or_else(|| DEFAULT_VERSION_TABLE.to_string()),
            version_table_schema: file.version_table_schema,
            lock_mode: file.lock_mode.unwrap_or_default(),
            lock_timeout: file.lock_timeout,
            statement_timeout: file.statement_timeout,
            header_cache: file.header_cache.unwrap_or(true),
            revision_template: file.revision_template.map(|t| root.join(t)),
            post_write_hooks: file.post_write_hooks,
            autogenerate: file.autogenerate.unwrap_or_default(),
            lint: file.lint.unwrap_or_default(),
        }
    }

    fn validate(&self, shown: &str) -> Result<(), ConfigError> {
        let bad = |message: String, help: &str| ConfigError::Value {
            path: shown.to_string(),
            message,
            help: Some(help.to_string()),
        };
        if !(4..=32).contains(&self.revision_id_length) {
            return Err(bad(
                format!(
                    "revision_id_length = {} is out of range",
                    self.revision_id_length
                ),
                "use a length from 4 to 32 (the version table holds up to 32 characters)",
            ));
        }
        if !self.file_template.contains("{rev}") {
            return Err(bad(
                format!("file_template {:?} has no {{rev}}", self.file_template),
                "include {rev} so that every file name is unique",
            ));
        }
        if let Some(tz) = &self.timezone {
            if jiff::tz::TimeZone::get(tz).is_err() {
                return Err(bad(
                    format!("unknown timezone {tz:?}"),
                    "use an IANA name such as \"UTC\" or \"Europe/London\"",
                ));
            }
        }
        if self.version_table.is_empty() || self.version_table.len() > 63 {
            return Err(bad(
                format!("version_table {:?} is not a valid name", self.version_table),
                "use a name of 1 to 63 characters",
            ));
        }
        for (key, value) in [
            ("lock_timeout", &self.lock_timeout),
            ("statement_timeout", &self.statement_timeout),
        ] {
            if let Some(v) = value {
                if !is_pg_duration(v) {
                    return Err(bad(
                        format!("{key} = {v:?} is not a duration"),
                        "write a number with a unit PostgreSQL knows (ms, s, min, h, d), e.g. \"5s\" or \"500ms\"; \"0\" means no limit",
                    ));
                }
            }
        }
        for hook in &self.post_write_hooks {
            if hook.command.is_empty() {
                return Err(bad(
                    "a post_write_hooks entry has an empty command".into(),
                    "give the program and its arguments, e.g. command = [\"pg_format\", \"-i\", \"{path}\"]",
                ));
            }
        }
        Ok(())
    }

    /// Apply the command-line / `DATABASE_URL` override (flag wins over environment over file).
    pub fn with_database_url(mut self, flag: Option<String>, env: Option<String>) -> Self {
        let file = self.database_url.take();
        self.database_url = pick_database_url(flag, env, file).map(|(url, _)| url);
        self
    }
}

/// The environment variable that gives the database URL (below the command line's flag).
pub const DATABASE_URL_ENV: &str = "DATABASE_URL";

/// Where a command's database URL came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSource {
    /// `--database-url`.
    Flag,
    /// `DATABASE_URL`.
    Env,
    /// `database_url` in retort.toml.
    Config,
    /// The project's local dev database (`retort::local`), created and started as needed.
    Local,
}

/// The precedence of database URLs, written once: flag, then environment, then file.
fn pick_database_url(
    flag: Option<String>,
    env: Option<String>,
    file: Option<String>,
) -> Option<(String, UrlSource)> {
    flag.map(|u| (u, UrlSource::Flag))
        .or_else(|| env.map(|u| (u, UrlSource::Env)))
        .or_else(|| file.map(|u| (u, UrlSource::Config)))
}

/// The database URL the user gave, if any: `flag` (`--database-url`), else `DATABASE_URL` (when
/// not empty), else `file` (retort.toml's `database_url`). Without one, commands use the local
/// dev database (`retort::local::database_url`).
pub fn database_url_given(flag: Option<&str>, file: Option<&str>) -> Option<(String, UrlSource)> {
    let env = std::env::var(DATABASE_URL_ENV)
        .ok()
        .filter(|u| !u.is_empty());
    pick_database_url(flag.map(str::to_string), env, file.map(str::to_string))
}

/// A PostgreSQL time setting: digits (milliseconds) or digits and a unit (`ms`, `s`, `min`, `h`,
/// `d`), optionally separated by a space (`lock_timeout`, `statement_timeout`).
pub fn is_pg_duration(v: &str) -> bool {
    let v = v.trim();
    let digits = v.len() - v.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return false;
    }
    matches!(
        v[digits..].trim_start(),
        "" | "ms" | "s" | "min" | "h" | "d"
    )
}

/// The environment variable that turns the header cache and the model cache off (any value but
/// empty or `0`).
pub const NO_CACHE_ENV: &str = "RETORT_NO_CACHE";

impl Config {
    /// Apply `RETORT_NO_CACHE` (pass its value): set to anything but empty or `0`, the header
    /// cache and the model cache are neither read nor written, whatever `header_cache` and
    /// `[autogenerate] cache` say.
    pub fn with_no_cache_env(mut self, value: Option<&std::ffi::OsStr>) -> Self {
        if value.is_some_and(|v| !v.is_empty() && v != "0") {
            self.header_cache = false;
            self.autogenerate.cache = Some(false);
        }
        self
    }
}

/// Replace `${NAME}` with the variable's value; `$$` is a literal dollar sign.
fn interpolate_env(input: &str, env: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| "database_url has an unterminated ${...}".to_string())?;
            let name = &body[..end];
            let value = env(name).ok_or_else(|| {
                format!("database_url refers to ${{{name}}}, which is not set in the environment")
            })?;
            out.push_str(&value);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The key written on the line holding byte `at`: `key = ...` or a `[table]` header.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?.trim();
    let key = if let Some(table) = line.strip_prefix('[') {
        table.trim_start_matches('[').split(']').next()?
    } else {
        line.split_once('=')?.0
    };
    let key = key.trim();
    (!key.is_empty()).then(|| key.to_string())
}

/// Turn toml's messages into ours, with a suggestion for misspelt keys.
fn describe_toml_error(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    // toml puts what it expected on further lines; the message stays one line, the rest is help.
    if let Some((first, rest)) = message.split_once('\n') {
        if !first.starts_with("unknown field `") {
            let rest = rest.lines().map(str::trim).collect::<Vec<_>>().join("; ");
            return (first.trim().to_string(), Some(rest));
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, expected)) = rest.split_once('`') {
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect::<Vec<_>>();
            let suggestion = crate::suggest::closest(key, known.iter().copied());
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? known keys: {}", known.join(", ")),
                None => format!("known keys: {}", known.join(", ")),
            };
            return (format!("unknown key `{}`", key.escape_debug()), Some(help));
        }
    }
    (message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/p/retort.toml"), |n| {
            (n == "PGPASS").then(|| "s3cret".to_string())
        })
    }

    /// Found by `cargo fuzz run config` (fuzz/regressions/config-multiline-toml-error): toml's
    /// message for a bad string spans two lines; ours is one line, the expectation is help.
    #[test]
    fn toml_errors_are_one_line() {
        for text in [
            "script_location = \"db\"\nversion_table = \"a\\q\"\n",
            "\"bad\nkey\" = 1\n",
            "script_location = \"migrations\n",
        ] {
            let e = parse(text).expect_err("invalid");
            let shown = e.to_string();
            assert!(!shown.contains('\n'), "{shown:?}");
        }
    }

    #[test]
    fn defaults_follow_alembic() {
        let c = parse("").expect("empty config is valid");
        assert_eq!(c.script_location, PathBuf::from("/p/migrations"));
        assert_eq!(c.version_locations, vec![PathBuf::from("/p/migrations")]);
        assert_eq!(c.file_template, DEFAULT_FILE_TEMPLATE);
        assert_eq!(c.truncate_slug_length, 40);
        assert_eq!(c.revision_id_length, 12);
        assert_eq!(c.version_table, "retort_version");
        assert!(c.header_cache);
        assert_eq!(
            crate::script::HeaderCache::of(&c).map(|h| h.path().to_path_buf()),
            Some(PathBuf::from("/p/.retort/cache/headers"))
        );
    }

    #[test]
    fn header_cache_can_be_turned_off() {
        let off = parse("header_cache = false\n").expect("valid");
        assert!(!off.header_cache && crate::script::HeaderCache::of(&off).is_none());
        let on = parse("").expect("valid");
        let env = |v: &str| on.clone().with_no_cache_env(Some(std::ffi::OsStr::new(v)));
        assert!(!env("1").header_cache);
        assert!(!env("1").autogenerate.cache_enabled());
        assert!(on.autogenerate.cache_enabled());
        let model_off = parse("[autogenerate]\ncache = false\n").expect("valid");
        assert!(!model_off.autogenerate.cache_enabled() && model_off.header_cache);
        assert!(!env("yes").header_cache);
        assert!(env("0").header_cache);
        assert!(env("").header_cache);
        assert!(on.clone().with_no_cache_env(None).header_cache);
        assert!(parse("header_cache = \"no\"\n").is_err());
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err =
            parse("script_location = \"m\"\nscript_locaton = \"x\"\n").expect_err("must fail");
        let ConfigError::Invalid {
            line,
            message,
            help,
            ..
        } = &err
        else {
            panic!("unexpected {err:?}")
        };
        assert_eq!(*line, 2);
        assert_eq!(message, "unknown key `script_locaton`");
        assert!(help
            .as_deref()
            .unwrap_or_default()
            .contains("did you mean `script_location`"));
    }

    #[test]
    fn env_interpolation() {
        let c = parse("database_url = \"postgres://u:${PGPASS}@h/db?x=$$1\"\n").expect("valid");
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgres://u:s3cret@h/db?x=$1")
        );
        let err = parse("database_url = \"postgres://${NOPE}@h\"\n").expect_err("must fail");
        assert!(err.to_string().contains("${NOPE}"), "{err}");
    }

    #[test]
    fn overrides_win() {
        let c = parse("database_url = \"postgres://file\"\n").expect("valid");
        let c = c.with_database_url(None, Some("postgres://env".into()));
        assert_eq!(c.database_url.as_deref(), Some("postgres://env"));
        let c = c.with_database_url(
            Some("postgres://flag".into()),
            Some("postgres://env".into()),
        );
        assert_eq!(c.database_url.as_deref(), Some("postgres://flag"));
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(parse("revision_id_length = 2").is_err());
        assert!(parse("file_template = \"{slug}\"").is_err());
        assert!(parse("timezone = \"Mars/Olympus\"").is_err());
        assert!(parse("timezone = \"Europe/London\"").is_ok());
        for ok in ["5s", "500ms", "0", "1 min", "2h", "1500"] {
            let c = parse(&format!(
                "lock_timeout = \"{ok}\"\nstatement_timeout = \"{ok}\""
            ))
            .expect(ok);
            assert_eq!(c.lock_timeout.as_deref(), Some(ok));
            assert_eq!(c.statement_timeout.as_deref(), Some(ok));
        }
        for bad in ["5 seconds", "s", "-1s", "1.5s", "5s'; DROP TABLE x; --"] {
            let err = parse(&format!("lock_timeout = \"{bad}\"")).expect_err(bad);
            assert!(err.to_string().contains("is not a duration"), "{err}");
        }
    }
}
