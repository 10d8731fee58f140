//! builtenv on a Citus cluster (issue 18): where each table goes, as revision 9a4e1b7c3f52 puts
//! it, and which layout `builtenv migrate check` expects of a database.
//!
//! - `projects`, `subscriptions`, `documents`, `audit_events` and `api_tokens`: distributed by
//!   `tenant_id`, [`SHARDS`] shards, one colocation group, so a tenant's rows of every table are
//!   on one node and its queries, joins and foreign keys stay there (router queries: every
//!   handler names its tenant in its SQL);
//! - `tenants` and `users`: reference tables (a copy on every node). Both are small and read by
//!   every request; `users.email` is unique across tenants because `POST /login` finds the
//!   account by e-mail before the tenant is known, which a distributed table cannot enforce;
//! - `rate_limits`: stays on the coordinator (counters written on every login attempt, keyed
//!   by address or account, not a tenant's data; a reference table would write every node).
//!
//! `audit_events` is also partitioned by month of `timestamp` there (`PARTITION BY RANGE`, the
//! partitions made by Citus's `create_time_partitions`, a DEFAULT partition for the rest). The
//! partitions are made as time goes by, not by a revision: [`without_time_partitions`] leaves
//! them out of the database's schema before it is compared with the models.

use retort::schema::builder::TableBuilder;
use retort::schema::{QualName, Schema};

use crate::models::{AuditEvent, RateLimit, Tenant, User};

/// The shard count of the tenant tables' colocation group (Citus's default).
pub const SHARDS: i32 = 32;

/// The table the colocation group is declared on.
const GROUP: &str = "projects";

/// `table`'s place on Citus when `citus`; unchanged otherwise.
pub fn placed(t: TableBuilder, table: &str, citus: bool) -> TableBuilder {
    if !citus || table == RateLimit::TABLE {
        return t;
    }
    if table == Tenant::TABLE || table == User::TABLE {
        return t.reference();
    }
    let t = t.distributed_by("tenant_id");
    if table == GROUP {
        t.shard_count(SHARDS)
    } else {
        t.colocate_with(GROUP)
    }
}

/// `audit_events` as the Citus layout has it: partitioned by range of `timestamp` (its indexes
/// are then the partitioned table's own, `ON ONLY`).
pub fn partitioned_audit_events(schema: &mut Schema) {
    let name = QualName::new("public", AuditEvent::TABLE);
    let Some(t) = schema.tables.get_mut(&name) else {
        return;
    };
    t.partition_key = Some("RANGE (\"timestamp\")".into());
    for index in t.indexes.values_mut() {
        index.definition = index
            .definition
            .replace(" ON public.audit_events ", " ON ONLY public.audit_events ");
    }
}

/// A database's schema without the partitions of `audit_events` (made by
/// `create_time_partitions` as months go by, on Citus).
pub fn without_time_partitions(mut schema: Schema) -> Schema {
    let parent = QualName::new("public", AuditEvent::TABLE);
    schema
        .tables
        .retain(|_, t| t.partition_of.as_ref().is_none_or(|p| p.parent != parent));
    schema
}

/// The models `check` and `revision --autogenerate` compare `database` with: laid out for Citus
/// ([`crate::models::schema_on_citus`]) when any of its tables is distributed or a reference
/// table (revision 9a4e1b7c3f52 ran on a coordinator with workers), as on a single node
/// otherwise. A Citus database whose tables that revision left on the coordinator (it had no
/// worker yet) is compared as a single node: adding the workers and running the revision's
/// down and up distributes it.
pub fn fit(database: &Schema, single_node: Schema) -> Schema {
    if database.tables.values().any(|t| t.distribution.is_some()) {
        crate::models::schema_on_citus()
    } else {
        single_node
    }
}

#[cfg(test)]
mod tests {
    use retort::schema::distribution::Distribution;
    use retort::schema::QualName;

    use super::*;
    use crate::models::{schema, schema_on_citus, TABLES};

    #[test]
    fn tenant_tables_are_colocated_and_shared_ones_are_reference_tables() {
        let citus = schema_on_citus();
        let of = |t: &str| {
            citus.tables[&QualName::new("public", t)]
                .distribution
                .clone()
        };
        assert_eq!(of("tenants"), Some(Distribution::Reference));
        assert_eq!(of("users"), Some(Distribution::Reference));
        assert_eq!(of("rate_limits"), None);
        // The group is named by its first table (canonical form): api_tokens.
        let first = QualName::new("public", "api_tokens");
        for t in ["projects", "subscriptions", "documents", "audit_events"] {
            assert_eq!(
                of(t),
                Some(Distribution::Distributed {
                    column: "tenant_id".into(),
                    shard_count: SHARDS,
                    colocate_with: Some(first.clone()),
                }),
                "{t}"
            );
        }
        assert_eq!(citus.tables.len(), TABLES.len());
        let audit = &citus.tables[&QualName::new("public", "audit_events")];
        assert_eq!(
            audit.partition_key.as_deref(),
            Some("RANGE (\"timestamp\")")
        );
        assert!(audit
            .indexes
            .values()
            .all(|i| i.definition.contains(" ON ONLY ")));
        // Without distribution and partitioning the two are the same schema.
        let mut plain = citus.clone();
        for t in plain.tables.values_mut() {
            t.distribution = None;
            t.partition_key = None;
            for i in t.indexes.values_mut() {
                i.definition = i.definition.replace(" ON ONLY ", " ON ");
            }
        }
        assert_eq!(plain, schema());
        assert_eq!(fit(&schema(), schema()), schema());
        assert_eq!(fit(&citus, schema()), citus);
    }
}
