//! The version table (one row per current head, Alembic's shape) and the applied log (one row per
//! applied, reverted, stamped or accepted revision, with its checksum), and the SQL that changes
//! them. Identifiers are always quoted; values are validated ids and hex checksums, quoted too.

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::plan::{Direction, VersionChange};
use crate::sql::{quote_ident, quote_literal};

/// retort's version, written into every applied-log row.
pub const RETORT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Names of the two bookkeeping tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTables {
    pub schema: Option<String>,
    pub version: String,
    pub history: String,
}

impl VersionTables {
    pub fn from_config(config: &Config) -> Self {
        Self::new(config.version_table_schema.clone(), &config.version_table)
    }

    /// The log is named after the version table: `retort_version` → `retort_history`,
    /// `alembic_version` → `alembic_history`, anything else gets `_history` appended.
    pub fn new(schema: Option<String>, version: &str) -> Self {
        let history = match version.strip_suffix("_version") {
            Some(stem) if !stem.is_empty() => format!("{stem}_history"),
            _ => format!("{version}_history"),
        };
        Self {
            schema,
            version: version.to_string(),
            history,
        }
    }

    fn qualify(&self, name: &str) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(name)),
            None => quote_ident(name),
        }
    }

    pub fn version_ident(&self) -> String {
        self.qualify(&self.version)
    }

    pub fn history_ident(&self) -> String {
        self.qualify(&self.history)
    }

    /// Advisory-lock key: derived from the version table's schema and name, so that two projects
    /// sharing a database with different version tables do not block each other.
    pub fn lock_key(&self) -> i64 {
        let mut h = Sha256::new();
        h.update(b"retort-migration-lock\0");
        h.update(self.schema.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        h.update(self.version.as_bytes());
        let d = h.finalize();
        i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }

    /// DDL creating both tables (and the schema) if absent. The version table has exactly
    /// Alembic's shape, so `version_table = "alembic_version"` shares a database with Alembic.
    pub fn create_sql(&self) -> String {
        let mut sql = String::new();
        if let Some(s) = &self.schema {
            sql.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\n",
                quote_ident(s)
            ));
        }
        let pk = quote_ident(&format!("{}_pkc", self.version));
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} (version_num VARCHAR(32) NOT NULL, CONSTRAINT {pk} PRIMARY KEY (version_num));\n",
            self.version_ident()
        ));
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    id bigserial PRIMARY KEY,\n    revision varchar(32) NOT NULL,\n    direction text NOT NULL,\n    status text NOT NULL,\n    checksum text,\n    message text,\n    started_at timestamptz NOT NULL DEFAULT now(),\n    finished_at timestamptz,\n    duration_ms double precision,\n    db_user text NOT NULL DEFAULT current_user,\n    retort_version text NOT NULL\n);\n",
            self.history_ident()
        ));
        // The runner reads the latest checksum per revision and any unfinished run at every
        // start: keep both index scans as the log grows.
        sql.push_str(&format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} (revision, id);\nCREATE INDEX IF NOT EXISTS {} ON {} (id) WHERE status IN ('started', 'failed');\n",
            quote_ident(&format!("{}_revision_idx", self.history)),
            self.history_ident(),
            quote_ident(&format!("{}_unfinished_idx", self.history)),
            self.history_ident()
        ));
        sql
    }

    pub fn change_sql(&self, change: &VersionChange) -> String {
        let t = self.version_ident();
        match change {
            VersionChange::Insert { version } => {
                format!(
                    "INSERT INTO {t} (version_num) VALUES ({});\n",
                    quote_literal(version)
                )
            }
            VersionChange::Delete { version } => {
                format!(
                    "DELETE FROM {t} WHERE version_num = {};\n",
                    quote_literal(version)
                )
            }
            VersionChange::Update { from, to } => format!(
                "UPDATE {t} SET version_num = {} WHERE version_num = {};\n",
                quote_literal(to),
                quote_literal(from)
            ),
        }
    }

    /// A finished log row (the migration's own transaction commits it).
    pub fn log_sql(
        &self,
        revision: &str,
        direction: &str,
        status: &str,
        checksum: Option<&str>,
        message: &str,
    ) -> String {
        format!(
            "INSERT INTO {} (revision, direction, status, checksum, message, finished_at, duration_ms, retort_version) VALUES ({}, {}, {}, {}, {}, clock_timestamp(), 1000 * extract(epoch FROM clock_timestamp() - now()), {});\n",
            self.history_ident(),
            quote_literal(revision),
            quote_literal(direction),
            quote_literal(status),
            checksum.map_or_else(|| "NULL".to_string(), quote_literal),
            quote_literal(message),
            quote_literal(RETORT_VERSION),
        )
    }

    /// The row saying a non-transactional revision has started (committed before it runs).
    pub fn started_sql(
        &self,
        revision: &str,
        direction: Direction,
        checksum: &str,
        message: &str,
    ) -> String {
        format!(
            "INSERT INTO {} (revision, direction, status, checksum, message, started_at, retort_version) VALUES ({}, {}, 'started', {}, {}, clock_timestamp(), {});\n",
            self.history_ident(),
            quote_literal(revision),
            quote_literal(direction_str(direction)),
            quote_literal(checksum),
            quote_literal(message),
            quote_literal(RETORT_VERSION),
        )
    }

    /// Mark a started row finished (in the transaction that also changes the version rows).
    pub fn finish_sql(&self, revision: &str, status: &str) -> String {
        format!(
            "UPDATE {} SET status = {}, finished_at = clock_timestamp(), duration_ms = 1000 * extract(epoch FROM clock_timestamp() - started_at) WHERE revision = {} AND status IN ('started', 'failed');\n",
            self.history_ident(),
            quote_literal(status),
            quote_literal(revision),
        )
    }
}

pub fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up",
        Direction::Down => "down",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_quoting() {
        let t = VersionTables::new(Some("My \"schema\"".into()), "alembic_version");
        assert_eq!(t.history, "alembic_history");
        assert_eq!(
            t.version_ident(),
            "\"My \"\"schema\"\"\".\"alembic_version\""
        );
        assert_eq!(
            VersionTables::new(None, "versions").history,
            "versions_history"
        );
        assert_ne!(
            t.lock_key(),
            VersionTables::new(None, "alembic_version").lock_key()
        );
        insta::assert_snapshot!(t.create_sql());
        insta::assert_snapshot!(
            "changes",
            [
                VersionChange::Insert {
                    version: "a1".into()
                },
                VersionChange::Update {
                    from: "a1".into(),
                    to: "b2".into()
                },
                VersionChange::Delete {
                    version: "b2".into()
                },
            ]
            .iter()
            .map(|c| t.change_sql(c))
            .collect::<String>()
        );
    }
}
