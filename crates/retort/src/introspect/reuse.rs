//! Reusing a model read before: introspection that first takes a fingerprint of the catalogs in
//! its snapshot and asks the caller whether a model for that fingerprint is already known.
//!
//! The fingerprint names the state of everything introspection reads: for every catalog table
//! of `pg_catalog` the session may read (PostgreSQL's own, and those an extension such as Citus
//! keeps there), its row count and the sum of a 64-bit hash of each row version's `xmin`. Every
//! DDL statement, `COMMENT`, `GRANT` or `SECURITY LABEL` inserts, updates or deletes catalog
//! rows, and each new row version carries the `xmin` of the transaction that wrote it, so any
//! committed change moves a count or a sum. Planner statistics (`pg_statistic`,
//! `pg_statistic_ext_data`), large-object data and `pg_database` (whose row other sessions'
//! `CREATE DATABASE` and vacuum's in-place updates change; the current database's locale is
//! taken directly) are left out, as are the catalogs the session may not read, for which the
//! views introspection itself reads stand in (`pg_roles` for `pg_authid`, `pg_user_mappings`
//! for `pg_user_mapping`). Beside the catalogs: the cluster (`pg_control_system`'s system
//! identifier: two clusters built alike get the same transaction ids), the database, the
//! current user, the server version and the settings under which PostgreSQL prints
//! definitions.
//!
//! Invariant: a fingerprint never stands for two different models, up to a 64-bit hash
//! collision among the row versions of one catalog. A fingerprint that cannot be taken is no
//! fingerprint: the model is read as usual and nothing is reused.

use tokio_postgres::Client;

use super::{queries, read, CountingClient, IntrospectError, IntrospectOptions};
use crate::schema::Schema;

/// The fingerprint of the catalogs as the current snapshot sees them (one text).
pub const FINGERPRINT: &str = "SELECT pg_catalog.concat_ws(E'\\n', \
       (SELECT system_identifier::text FROM pg_catalog.pg_control_system()), \
       (SELECT d.oid::text || ' ' || d.datname || ' ' || d.datcollate || ' ' || d.datctype \
          FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()), \
       current_user, \
       (SELECT pg_catalog.string_agg(s.name || '=' || s.setting, ';' ORDER BY s.name) \
          FROM pg_catalog.pg_settings s WHERE s.name IN ('server_version_num', 'DateStyle', \
            'IntervalStyle', 'TimeZone', 'extra_float_digits', 'bytea_output', \
            'standard_conforming_strings', 'quote_all_identifiers', 'lc_monetary', 'lc_numeric')), \
       (SELECT pg_catalog.string_agg(r.oid::text || ' ' || r.rolname, ',' ORDER BY r.oid) \
          FROM pg_catalog.pg_roles r), \
       (SELECT pg_catalog.string_agg(m.srvname || ' ' || m.usename || ' ' || COALESCE(m.umoptions::text, ''), \
            ',' ORDER BY m.srvname, m.usename) FROM pg_catalog.pg_user_mappings m), \
       (SELECT pg_catalog.string_agg(c.relname || ' ' || pg_catalog.query_to_xml(pg_catalog.format( \
            'SELECT pg_catalog.count(*) AS n, COALESCE(pg_catalog.sum(pg_catalog.hashtextextended(xmin::text, 0)), 0) AS h \
             FROM pg_catalog.%I', c.relname), false, true, '')::text, ',' ORDER BY c.relname) \
          FROM pg_catalog.pg_class c \
          WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'r' \
            AND c.relname NOT IN ('pg_statistic', 'pg_statistic_ext_data', 'pg_largeobject', 'pg_database') \
            AND pg_catalog.has_table_privilege(c.oid, 'SELECT')))";

/// A model and the fingerprint of the snapshot it belongs to.
#[derive(Debug)]
pub struct Fingerprinted {
    pub schema: Schema,
    /// `None` when the fingerprint could not be taken (nothing to store the model under).
    pub fingerprint: Option<String>,
    /// Whether `schema` came from `reuse` rather than from the catalogs.
    pub reused: bool,
}

/// Introspect as [`super::introspect_parallel`] does (over `second` too when given), but first
/// take the snapshot's fingerprint and return `reuse(fingerprint)` when it has a model: then
/// no other catalog query runs.
pub async fn introspect_reusing(
    first: &Client,
    second: Option<&Client>,
    options: &IntrospectOptions,
    reuse: impl FnOnce(&str) -> Option<Schema>,
) -> Result<Fingerprinted, IntrospectError> {
    let a = CountingClient::new(first);
    a.execute("begin", queries::BEGIN).await?;
    let result = async {
        let fingerprint = fingerprint(&a).await;
        if let Some(schema) = fingerprint.as_deref().and_then(reuse) {
            return Ok(Fingerprinted {
                schema,
                fingerprint,
                reused: true,
            });
        }
        let schema = match second {
            Some(second) => {
                super::parallel_in_transaction(&a, &CountingClient::new(second), options).await?
            }
            None => read::read(&a, None, options).await?,
        };
        Ok(Fingerprinted {
            schema,
            fingerprint,
            reused: false,
        })
    }
    .await;
    // Read-only: ending it either way changes nothing.
    let end = a.execute("commit", queries::COMMIT).await;
    let read = result?;
    end?;
    Ok(read)
}

/// The fingerprint, inside a savepoint so that a server that refuses it (a managed service
/// hiding a catalog function) only goes without.
async fn fingerprint(c: &CountingClient<'_>) -> Option<String> {
    c.execute("savepoint", "SAVEPOINT retort_fingerprint")
        .await
        .ok()?;
    match c.query("fingerprint", FINGERPRINT, &[]).await {
        Ok(rows) => {
            c.execute("release", "RELEASE SAVEPOINT retort_fingerprint")
                .await
                .ok()?;
            rows.first()
                .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
        }
        Err(_) => {
            // Back out of the subtransaction entirely: a snapshot cannot be exported from one.
            let _ = c
                .execute(
                    "rollback",
                    "ROLLBACK TO SAVEPOINT retort_fingerprint; RELEASE SAVEPOINT retort_fingerprint",
                )
                .await;
            None
        }
    }
}

/// The fingerprint of the database `client` is connected to, in a snapshot of its own (for
/// tests and tools: [`introspect_reusing`] takes it inside introspection's snapshot).
pub async fn current_fingerprint(client: &Client) -> Result<String, IntrospectError> {
    let c = CountingClient::new(client);
    let rows = c.query("fingerprint", FINGERPRINT, &[]).await?;
    Ok(rows
        .first()
        .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
        .unwrap_or_default())
}
