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

    #[error("TLS was requested ({mode}) but this build of retort connects without TLS")]
    #[diagnostic(help(
        "use sslmode=prefer or sslmode=disable, or connect through a local TLS proxy"
    ))]
    TlsUnsupported { mode: String },

    #[error("{message}")]
    Query {
        message: String,
        code: Option<String>,
        #[help]
        help: Option<String>,
    },
}

/// Replace the password of a URL (or `password=` in key=value form) with `***`.
pub fn mask_url(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
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
    // key=value form
    url.split_whitespace()
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mask_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let (base, query) = url.split_at(q + 1);
    let masked: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}{}", masked.join("&"))
}

/// Remove every occurrence of `secret` from `text` (for messages that might echo one back).
pub fn scrub(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if s.len() >= 3 => text.replace(s, "***"),
        _ => text.to_string(),
    }
}

/// A parsed connection target.
#[derive(Clone)]
pub struct Target {
    config: Config,
    /// The URL as the user wrote it, password masked.
    pub masked: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("masked", &self.masked)
            .finish()
    }
}

impl Target {
    /// Parse a URL, filling what it leaves out from libpq's environment variables (PGHOST,
    /// PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and the OS user, as psql would.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let masked = mask_url(url);
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
        match config.get_ssl_mode() {
            tokio_postgres::config::SslMode::Require => {
                return Err(DbError::TlsUnsupported {
                    mode: "sslmode=require".into(),
                });
            }
            tokio_postgres::config::SslMode::Disable | tokio_postgres::config::SslMode::Prefer => {}
            _ => {
                return Err(DbError::TlsUnsupported {
                    mode: "sslmode".into(),
                })
            }
        }
        Ok(Self { config, masked })
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
        format!("{host}:{port}/{}", self.database())
    }

    fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).to_string())
    }

    /// Open a connection; its driver task runs on the current tokio runtime.
    pub async fn connect(&self, application_name: &str) -> Result<Client, DbError> {
        let mut config = self.config.clone();
        config.application_name(application_name);
        let timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let attempt =
            tokio::time::timeout(timeout + Duration::from_secs(1), config.connect(NoTls)).await;
        let (client, connection) = match attempt {
            Err(_) => {
                return Err(DbError::Unreachable {
                    target: self.describe(),
                    detail: format!("no answer within {}s", timeout.as_secs()),
                })
            }
            Ok(Err(e)) => return Err(self.classify(&e)),
            Ok(Ok(pair)) => pair,
        };
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed");
            }
        });
        Ok(client)
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
        DbError::Unreachable {
            target: self.describe(),
            detail: scrub(&detail, secret.as_deref()),
        }
    }
}

fn password_of(url: &str) -> Option<String> {
    let masked = mask_url(url);
    if masked == url {
        return None;
    }
    // The password is what masking removed.
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let userinfo = &rest[..rest.find('@')?];
    userinfo.split_once(':').map(|(_, p)| p.to_string())
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
        assert_eq!(
            password_of("postgres://app:s3cret@db/app").as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn parses_sockets_and_defaults() {
        let t = Target::parse("postgresql://postgres@%2Ftmp%2Fpg:5433/app").expect("valid");
        assert_eq!(t.describe(), "/tmp/pg:5433/app");
        let t = Target::parse("host=/run/pg port=5432 dbname=x user=u").expect("valid");
        assert_eq!(t.describe(), "/run/pg:5432/x");
        assert!(matches!(
            Target::parse("postgres://u:pw@h/db?sslmode=require"),
            Err(DbError::TlsUnsupported { .. })
        ));
        let err = Target::parse("postgres://u:pw@h:notaport/db").expect_err("invalid");
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}
