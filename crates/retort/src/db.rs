//! Connecting to PostgreSQL: URLs (`postgres://`, `postgresql://`, `key=value`), unix sockets,
//! connect timeout, libpq's environment defaults, and one-line errors that say what to check.
//!
//! Invariant: no password ever appears in a message; every URL shown goes through [`mask_url`].

use std::str::FromStr;
use std::time::Duration;

use miette::Diagnostic;
use tokio_postgres::{Client, Config, NoTls};

/// Default connect timeout when the URL gives none.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connection failures, each one line with what to check.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum DbError {
    #[error("invalid database URL {masked}: {reason}")]
    #[diagnostic(help(
        "use postgres://user:password@host:port/database, or host=/path/to/socket dbname=..."
    ))]
    InvalidUrl { masked: String, reason: String },

    #[error("cannot reach the database server at {target}: {detail}")]
    #[diagnostic(help(
        "check that PostgreSQL is running there and the host and port are right (and any firewall)"
    ))]
    Unreachable { target: String, detail: String },

    #[error("password authentication failed for user \"{user}\" at {target}")]
    #[diagnostic(help("check the user name and password (in the URL or PGPASSWORD)"))]
    Auth { user: String, target: String },

    #[error("the server at {target} asks a password for user \"{user}\", and none was given")]
    #[diagnostic(help(
        "put it in the URL (postgres://user:password@host/db, percent-encoded) or in PGPASSWORD"
    ))]
    NoPassword { user: String, target: String },

    #[error("database \"{database}\" does not exist at {target}")]
    #[diagnostic(help("create it (createdb {database}) or fix the database name in the URL"))]
    NoDatabase { database: String, target: String },

    #[error("user \"{user}\" may not connect at {target}: {detail}")]
    #[diagnostic(help("grant CONNECT on the database, or check pg_hba.conf"))]
    Refused {
        user: String,
        target: String,
        detail: String,
    },

    #[error("cannot set up TLS ({mode}): {detail}")]
    #[diagnostic(help(
        "check sslrootcert (a PEM file of CA certificates), or the system's certificate store"
    ))]
    Tls { mode: String, detail: String },

    #[error("{message}")]
    Query {
        message: String,
        code: Option<String>,
        #[help]
        help: Option<String>,
    },
}

/// Where `scheme://` ends, if `text` is a URL: it starts with a scheme (letters, digits, `+-.`).
/// A `://` inside a key=value setting does not make it a URL.
fn scheme_end(text: &str) -> Option<usize> {
    let end = text.find("://")?;
    let scheme = &text[..end];
    (!scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(end)
}

/// Replace the password of a URL (or `password=` in key=value form) with `***`.
///
/// Errs on the side of hiding: a URL's user info runs to the last `@` before the query, so a
/// password holding an unencoded `/` or `@` (a pasted base64 one) is hidden too.
pub fn mask_url(url: &str) -> String {
    if let Some(scheme_end) = scheme_end(url) {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find('?').unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        // The last `@` with no `/` before it (a password may hold a `?`), else the last `@`
        // before the query.
        let at = rest
            .rfind('@')
            .filter(|&i| !rest[..i].contains('/'))
            .or_else(|| authority.rfind('@'));
        if let Some(at) = at {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                let mut out = String::with_capacity(url.len());
                out.push_str(&url[..scheme_end + 3]);
                out.push_str(&userinfo[..colon]);
                out.push_str(":***");
                out.push_str(&rest[at..]);
                return mask_query_password(&out);
            }
        }
        return mask_query_password(url);
    }
    mask_key_value_password(url)
}

/// libpq's key=value form: `key = value` with optional spaces around `=`, and a value either
/// bare (to the next space) or single-quoted with `\'` and `\\` escapes.
fn mask_key_value_password(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            out.push(char::from(b[i]));
            i += 1;
            continue;
        }
        // A key: up to `=` or whitespace.
        let key_start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &text[key_start..i];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            out.push_str(key);
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let value_start = j;
        if j < b.len() && b[j] == b'\'' {
            j += 1;
            while j < b.len() && b[j] != b'\'' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            j = (j + 1).min(b.len());
        } else {
            while j < b.len() && !b[j].is_ascii_whitespace() {
                j += 1;
            }
        }
        out.push_str(&text[key_start..value_start]);
        let value = &text[value_start..j];
        let looks_like_password = value
            .get(..9)
            .is_some_and(|v| v.eq_ignore_ascii_case("password="));
        if key.eq_ignore_ascii_case("password") {
            out.push_str("***");
        } else if looks_like_password {
            // `user= password=x` is, to libpq, the user "password=x"; still a password to hide.
            out.push_str(&value[..9]);
            out.push_str("***");
        } else {
            out.push_str(value);
        }
        i = j;
    }
    out
}

fn mask_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    // Every `password=` parameter is masked, also after a stray second `?` and when the key is
    // percent-encoded: a malformed URL is echoed in its error message.
    let (base, query) = url.split_at(q);
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    let mut rest = query;
    while let Some(sep) = rest.chars().next() {
        rest = &rest[sep.len_utf8()..];
        let mut end = rest.find(['&', '?']).unwrap_or(rest.len());
        out.push(sep);
        match rest[..end].split_once('=') {
            Some((k, _)) if percent_decode(k).eq_ignore_ascii_case("password") => {
                // The value runs to the next `&` (a `?` may be part of it).
                end = rest.find('&').unwrap_or(rest.len());
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out
}

/// `%XX` escapes decoded (invalid ones kept as written), for comparing parameter names.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Remove every occurrence of `secret` from `text` (for messages that might echo one back), and
/// of each piece of it between URL delimiters: a password with an unencoded `/`, `@` or `:` is
/// cut there by a URL parser, which may quote a piece (as a port, a host or a path).
pub fn scrub(text: &str, secret: Option<&str>) -> String {
    let Some(secret) = secret.filter(|s| s.len() >= 3) else {
        return text.to_string();
    };
    let mut out = text.replace(secret, "***");
    for piece in secret.split(['/', '@', ':', '?', '#', '&', '=', '%']) {
        if piece.len() >= 3 {
            out = out.replace(piece, "***");
        }
    }
    out
}

/// How to use TLS, from `sslmode` (and `sslrootcert`), with libpq's meanings: `disable`; `prefer`
/// and `require` encrypt without checking the server's certificate; `verify-ca` and
/// `verify-full` check it (against `sslrootcert`, else the system's roots) and its host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    /// `prefer` or `require`: encrypted, certificate not verified.
    Unverified,
    /// `verify-ca` / `verify-full`.
    Verified {
        root_cert: Option<std::path::PathBuf>,
    },
}

/// Take `sslmode=verify-*` and `sslrootcert` out of a URL or key=value string (tokio-postgres
/// knows only disable/prefer/require): the rest, the verify mode if any, and the root cert.
fn split_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let mut verify = None;
    let mut root = None;
    let mut keep = |k: &str, v: &str| -> bool {
        match (k, v) {
            ("sslmode", "verify-ca" | "verify-full") => {
                verify = Some(v.to_string());
                false
            }
            ("sslrootcert", _) => {
                root = Some(v.to_string());
                false
            }
            _ => true,
        }
    };
    let rest = if url.contains("://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                        keep(k, v)
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => url.to_string(),
        }
    } else {
        url.split_whitespace()
            .filter(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                keep(k, v)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rest, verify, root)
}

/// Mistakes tokio-postgres reports only as "invalid connection string": say which part is wrong.
fn obvious_url_mistake(url: &str) -> Option<String> {
    let params: Vec<(&str, &str)> = if let Some(end) = scheme_end(url) {
        let (scheme, rest) = (&url[..end], &url[end + 3..]);
        if let Some(driver) = scheme.strip_prefix("postgresql+") {
            return Some(format!(
                "the scheme is {scheme}://, SQLAlchemy's dialect+driver form; retort needs no driver ({driver}): write postgresql://"
            ));
        }
        if !matches!(scheme, "postgres" | "postgresql") {
            return Some(format!(
                "the scheme is {scheme}://; use postgres:// or postgresql://"
            ));
        }
        if rest.matches('?').count() > 1 {
            return Some("it has more than one `?`; separate parameters with `&`".into());
        }
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let hostport = authority.rsplit('@').next().unwrap_or("");
        if let Some((_, port)) = hostport.rsplit_once(':') {
            if !hostport.ends_with(']')
                && !port.is_empty()
                && port.parse::<u16>().map_or(true, |p| p == 0)
            {
                return Some(format!("port {port} is not a number from 1 to 65535"));
            }
        }
        rest.split_once('?')
            .map(|(_, q)| q.split('&').filter_map(|kv| kv.split_once('=')).collect())
            .unwrap_or_default()
    } else {
        if !url.contains('=') {
            return Some("not a URL (postgres://...) nor key=value settings".into());
        }
        // libpq reads `user= password=x` as the user "password=x": an empty value was meant.
        let words: Vec<&str> = url.split_whitespace().collect();
        for pair in words.windows(2) {
            if let (Some(key), true) = (pair[0].strip_suffix('='), pair[1].contains('=')) {
                if !key.is_empty() && !key.contains('=') {
                    return Some(format!(
                        "`{key}=` has no value (the next setting would be read as its value); give it one or leave it out"
                    ));
                }
            }
        }
        url.split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .collect()
    };
    for (k, v) in params {
        if k == "sslmode"
            && !matches!(
                v,
                "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full"
            )
        {
            return Some(format!(
                "sslmode={v} is not one of disable, prefer, require, verify-ca, verify-full"
            ));
        }
        if k == "port" && v.parse::<u16>().map_or(true, |p| p == 0) {
            return Some(format!("port {v} is not a number from 1 to 65535"));
        }
    }
    None
}

/// A database to connect to: a parsed URL or key=value string, with its TLS mode.
#[derive(Clone)]
pub struct Endpoint {
    config: Config,
    tls: TlsMode,
    /// The URL as the user wrote it, password masked.
    pub masked: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("masked", &self.masked)
            .finish()
    }
}

impl Endpoint {
    /// Parse a URL, filling what it leaves out from libpq's environment variables (PGHOST,
    /// PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and the OS user, as psql would.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let masked = mask_url(url);
        // Checked on the masked URL: a reason quotes pieces of it, and a password with an
        // unencoded `/` or `@` would otherwise be quoted as a port or a host.
        if let Some(reason) = obvious_url_mistake(&masked) {
            return Err(DbError::InvalidUrl { masked, reason });
        }
        let (url, verify, root_cert) = split_tls_params(url);
        let url = url.as_str();
        let mut config = Config::from_str(url).map_err(|e| DbError::InvalidUrl {
            masked: masked.clone(),
            reason: scrub(&e.to_string(), password_of(url).as_deref()),
        })?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if config.get_hosts().is_empty() {
            match env("PGHOST") {
                Some(h) => {
                    config.host(&h);
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty() {
            if let Some(p) = env("PGPORT").and_then(|p| p.parse().ok()) {
                config.port(p);
            }
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        if config.get_password().is_none() {
            if let Some(p) = env("PGPASSWORD") {
                config.password(p);
            }
        }
        if config.get_dbname().is_none() {
            if let Some(d) = env("PGDATABASE") {
                config.dbname(&d);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        let tls = if verify.is_some() {
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            TlsMode::Verified {
                root_cert: root_cert.map(std::path::PathBuf::from),
            }
        } else {
            match config.get_ssl_mode() {
                tokio_postgres::config::SslMode::Disable => TlsMode::Disable,
                _ => TlsMode::Unverified,
            }
        };
        Ok(Self {
            config,
            tls,
            masked,
        })
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("postgres")
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_else(|| self.user())
    }

    /// `host:port/database` (or `socket dir/database`), for messages.
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        // A malformed URL can leave the password inside the host or database name (found by
        // fuzzing: an `@` in the query string): it is never shown.
        let plausible = |h: &str| {
            h.chars()
                .all(|c| c.is_alphanumeric() || "._-:[]/%~+ ".contains(c))
        };
        let host = if plausible(&host) {
            host
        } else {
            "(a host name that is not one)".to_string()
        };
        scrub(
            &format!("{host}:{port}/{}", self.database()),
            self.password().as_deref(),
        )
    }

    fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).to_string())
    }

    /// Open a connection; its driver task runs on the current tokio runtime.
    pub async fn connect(&self, application_name: &str) -> Result<Client, DbError> {
        Ok(self.connect_with_notices(application_name).await?.0)
    }

    /// Open a connection, with the server's notices (`RAISE NOTICE`, warnings) on a channel.
    pub async fn connect_with_notices(
        &self,
        application_name: &str,
    ) -> Result<(Client, Notices), DbError> {
        let mut config = self.config.clone();
        config.application_name(application_name);
        let timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let limit = timeout + Duration::from_secs(1);
        let timed_out = || DbError::Unreachable {
            target: self.describe(),
            detail: format!("no answer within {}s", timeout.as_secs()),
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        // The connection types differ by TLS connector: each branch spawns its own driver.
        match self.tls_config()? {
            None => {
                let (client, connection) = tokio::time::timeout(limit, config.connect(NoTls))
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(|e| self.classify(&e))?;
                tokio::spawn(drive(connection, tx));
                Ok((client, rx))
            }
            Some(tls) => {
                let tls = rustls_tokio_postgres::MakeRustlsConnect::new(tls);
                let (client, connection) = tokio::time::timeout(limit, config.connect(tls))
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(|e| self.classify(&e))?;
                tokio::spawn(drive(connection, tx));
                Ok((client, rx))
            }
        }
    }

    /// The parsed settings (for callers that manage their own connections or pools).
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn tls_mode(&self) -> &TlsMode {
        &self.tls
    }

    fn tls_config(&self) -> Result<Option<rustls_tokio_postgres::rustls::ClientConfig>, DbError> {
        // No TLS over Unix sockets (libpq doesn't either; there is no host name to verify).
        let hosts = self.config.get_hosts();
        if !hosts.is_empty()
            && hosts
                .iter()
                .all(|h| matches!(h, tokio_postgres::config::Host::Unix(_)))
        {
            return Ok(None);
        }
        match &self.tls {
            TlsMode::Disable => Ok(None),
            TlsMode::Unverified => Ok(Some(rustls_tokio_postgres::config_no_verify())),
            TlsMode::Verified {
                root_cert: Some(path),
            } => rustls_tokio_postgres::config_from_ca_cert(path)
                .map(Some)
                .map_err(|e| DbError::Tls {
                    mode: format!("sslrootcert={}", path.display()),
                    detail: e.to_string(),
                }),
            TlsMode::Verified { root_cert: None } => {
                rustls_tokio_postgres::config_platform_verifier()
                    .map(Some)
                    .map_err(|e| DbError::Tls {
                        mode: "verify-full".into(),
                        detail: e.to_string(),
                    })
            }
        }
    }

    /// Turn a connection error into one of ours.
    pub fn classify(&self, e: &tokio_postgres::Error) -> DbError {
        let secret = self.password();
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let detail = scrub(db.message(), secret.as_deref());
            return match code {
                "28P01" => DbError::Auth {
                    user: self.user().into(),
                    target: self.describe(),
                },
                "3D000" => DbError::NoDatabase {
                    database: self.database().into(),
                    target: self.describe(),
                },
                "28000" | "42501" => DbError::Refused {
                    user: self.user().into(),
                    target: self.describe(),
                    detail,
                },
                _ => DbError::Query {
                    message: format!("{detail} (SQLSTATE {code})"),
                    code: Some(code.into()),
                    help: None,
                },
            };
        }
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        if secret.is_none() && detail == "password missing" {
            return DbError::NoPassword {
                user: self.user().into(),
                target: self.describe(),
            };
        }
        DbError::Unreachable {
            target: self.describe(),
            detail: scrub(&detail, secret.as_deref()),
        }
    }
}

/// Server notices of a connection: severity and message, e.g. `("NOTICE", "hypertable skipped")`.
pub type Notices = tokio::sync::mpsc::UnboundedReceiver<(String, String)>;

/// Drive a connection until it closes, forwarding the server's notices.
async fn drive<S, T>(
    mut connection: tokio_postgres::Connection<S, T>,
    notices: tokio::sync::mpsc::UnboundedSender<(String, String)>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            // 25P01 (`there is no transaction in progress`) answers only retort's own ROLLBACK
            // after a failed batch that never began its transaction (a syntax error stops the
            // whole query string before its BEGIN): passing it on would say the rollback failed.
            Some(Ok(tokio_postgres::AsyncMessage::Notice(n)))
                if n.code() == &tokio_postgres::error::SqlState::NO_ACTIVE_SQL_TRANSACTION => {}
            Some(Ok(tokio_postgres::AsyncMessage::Notice(n))) => {
                let _ = notices.send((n.severity().to_string(), n.message().to_string()));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::debug!(error = %e, "connection closed");
                break;
            }
            None => break,
        }
    }
}

fn password_of(url: &str) -> Option<String> {
    let masked = mask_url(url);
    if masked == url {
        return None;
    }
    // The password is what masking removed: what lies between the common start and end.
    let prefix = url
        .bytes()
        .zip(masked.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = url
        .bytes()
        .rev()
        .zip(masked.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(url.len() - prefix)
        .min(masked.len() - prefix);
    url.get(prefix..url.len() - suffix)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

/// A query error with SQLSTATE, detail and hint, as a one-line-first message.
pub fn query_error(e: &tokio_postgres::Error, secret: Option<&str>) -> DbError {
    match e.as_db_error() {
        Some(db) => {
            let mut help = Vec::new();
            if let Some(d) = db.detail() {
                help.push(format!("detail: {d}"));
            }
            if let Some(h) = db.hint() {
                help.push(format!("hint: {h}"));
            }
            DbError::Query {
                message: scrub(
                    &format!("{} (SQLSTATE {})", db.message(), db.code().code()),
                    secret,
                ),
                code: Some(db.code().code().to_string()),
                help: (!help.is_empty()).then(|| scrub(&help.join("; "), secret)),
            }
        }
        None => DbError::Query {
            message: scrub(&format!("lost the database connection: {e}"), secret),
            code: None,
            help: Some(
                "the server closed the connection or was restarted; run the command again".into(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_url("postgres://app:s3cret@db:5432/app"),
            "postgres://app:***@db:5432/app"
        );
        assert_eq!(
            mask_url("postgresql://app@db/app"),
            "postgresql://app@db/app"
        );
        assert_eq!(
            mask_url("postgresql://app:p%40ss@db/app?sslmode=disable"),
            "postgresql://app:***@db/app?sslmode=disable"
        );
        assert_eq!(
            mask_url("postgresql:///app?host=/tmp&password=zz"),
            "postgresql:///app?host=/tmp&password=***"
        );
        assert_eq!(
            mask_url("host=/tmp dbname=app password=zz user=u"),
            "host=/tmp dbname=app password=*** user=u"
        );
        // Found by `cargo fuzz run url` (fuzz/regressions/url-*): a second `?`, spaces around
        // `=`, a quoted value, a `/` in the password.
        assert_eq!(
            mask_url("postgresql://h?x?password=pw?d&a=b"),
            "postgresql://h?x?password=***&a=b"
        );
        assert_eq!(
            mask_url("postgresql://h?pass%77ord=pw"),
            "postgresql://h?pass%77ord=***"
        );
        assert_eq!(
            mask_url("host=h password = 'a b\\' c' user=u"),
            "host=h password = *** user=u"
        );
        assert_eq!(
            mask_url("postgres://u:ab/c@d@host/db?sslmode=disable"),
            "postgres://u:***@host/db?sslmode=disable"
        );
        assert_eq!(mask_url("postgres://u:p?w@h/db"), "postgres://u:***@h/db");
        // Found by `cargo fuzz run url` (fuzz/regressions/url-empty-user-value).
        assert_eq!(mask_url("user= password=pw x"), "user= password=*** x");
        // (fuzz/regressions/url-key-without-value)
        assert!(Endpoint::parse("user= password=pw host=/tmp").is_err());
        assert!(Endpoint::parse("host= /tmp dbname=x").is_ok());
        // (fuzz/regressions/url-scheme-inside-key-value)
        assert_eq!(
            mask_url("user=a password=pw h=/postgres://x"),
            "user=a password=*** h=/postgres://x"
        );
        assert_eq!(
            mask_url("postgres://h:5432/db?application_name=a@b"),
            "postgres://h:5432/db?application_name=a@b"
        );
        assert_eq!(
            password_of("postgres://app:s3cret@db/app").as_deref(),
            Some("s3cret")
        );
        assert_eq!(password_of("postgres://u:p/w@h/db").as_deref(), Some("p/w"));
        assert_eq!(
            password_of("postgres://h/db?password=pq&x=y").as_deref(),
            Some("pq")
        );
        assert_eq!(
            password_of("host=h password='a b'").as_deref(),
            Some("'a b'")
        );
        assert_eq!(password_of("postgres://u@h/db"), None);
    }

    #[test]
    fn parses_sockets_and_defaults() {
        let t = Endpoint::parse("postgresql://postgres@%2Ftmp%2Fpg:5433/app").expect("valid");
        assert_eq!(t.describe(), "/tmp/pg:5433/app");
        let t = Endpoint::parse("host=/run/pg port=5432 dbname=x user=u").expect("valid");
        assert_eq!(t.describe(), "/run/pg:5432/x");
        assert_eq!(
            Endpoint::parse("postgres://u:pw@h/db?sslmode=require")
                .expect("valid")
                .tls,
            TlsMode::Unverified
        );
        assert_eq!(
            Endpoint::parse("postgres://u:pw@h/db?sslmode=disable")
                .expect("valid")
                .tls,
            TlsMode::Disable
        );
        let t = Endpoint::parse(
            "postgres://u:pw@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x",
        )
        .expect("valid");
        assert_eq!(
            t.tls,
            TlsMode::Verified {
                root_cert: Some("/etc/ca.pem".into())
            }
        );
        let t = Endpoint::parse("host=h dbname=db sslmode=verify-ca").expect("valid");
        assert_eq!(t.tls, TlsMode::Verified { root_cert: None });
        let err = Endpoint::parse("postgres://u:pw@h:notaport/db").expect_err("invalid");
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}
