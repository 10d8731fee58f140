//! Citus distribution declared on a table: [`TableBuilder::distributed_by`],
//! [`TableBuilder::colocate_with`], [`TableBuilder::shard_count`], [`TableBuilder::reference`]
//! (what `#[retort(distributed_by = "...", colocate_with = "...", shard_count = N)]` and
//! `#[retort(reference)]` write). [`SchemaBuilder::build`](super::SchemaBuilder::build) puts
//! colocation in its canonical form and refuses what Citus cannot do
//! ([`crate::schema::distribution::problems`]).
//!
//! ```
//! # extern crate retort_schema as retort;
//! use retort::schema::builder::{Column, SchemaBuilder, TableBuilder};
//! use retort::schema::distribution::Distribution;
//!
//! let schema = SchemaBuilder::new()
//!     .table(
//!         TableBuilder::new("public", "tenants")
//!             .column(Column::new("id", "uuid").primary_key())
//!             .reference(),
//!     )
//!     .table(
//!         TableBuilder::new("public", "users")
//!             .column(Column::new("tenant_id", "uuid").not_null().references("tenants(id)"))
//!             .column(Column::new("id", "uuid").not_null())
//!             .primary_key(["tenant_id", "id"])
//!             .distributed_by("tenant_id")
//!             .shard_count(8),
//!     )
//!     .table(
//!         TableBuilder::new("public", "documents")
//!             .column(Column::new("tenant_id", "uuid").not_null())
//!             .column(Column::new("id", "uuid").not_null())
//!             .primary_key(["tenant_id", "id"])
//!             .distributed_by("tenant_id")
//!             .colocate_with("users"),
//!     )
//!     .build()
//!     .expect("valid");
//! let users = &schema.tables[&retort::schema::QualName::new("public", "users")];
//! assert_eq!(
//!     users.distribution,
//!     Some(Distribution::Distributed {
//!         column: "tenant_id".into(),
//!         shard_count: 8,
//!         // The group's first table by name: documents.
//!         colocate_with: Some(retort::schema::QualName::new("public", "documents")),
//!     })
//! );
//!
//! // A key without the distribution column: Citus cannot enforce it.
//! let err = SchemaBuilder::new()
//!     .table(
//!         TableBuilder::new("public", "users")
//!             .column(Column::new("tenant_id", "uuid").not_null())
//!             .column(Column::new("email", "text").not_null().unique())
//!             .distributed_by("tenant_id"),
//!     )
//!     .build()
//!     .expect_err("refused");
//! assert!(err.to_string().contains("must include its distribution column"), "{err}");
//! ```

use super::{BuildError, TableBuilder};
use crate::schema::distribution::{self, Distribution, DEFAULT_SHARD_COUNT};
use crate::schema::{QualName, Schema};

/// A table's distribution as declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DistributionDecl {
    distributed_by: Option<String>,
    colocate_with: Option<String>,
    shard_count: Option<i32>,
    reference: bool,
}

impl TableBuilder {
    /// Citus: a distributed table, sharded by `column` (`create_distributed_table`).
    pub fn distributed_by(mut self, column: impl Into<String>) -> Self {
        self.distribution.distributed_by = Some(column.into());
        self
    }

    /// Citus: colocated with another distributed table (`table` or `schema.table`), so rows of
    /// one distribution value are on one node in both.
    pub fn colocate_with(mut self, table: impl Into<String>) -> Self {
        self.distribution.colocate_with = Some(table.into());
        self
    }

    /// Citus: the number of shards (default 32, Citus's default `citus.shard_count`).
    pub fn shard_count(mut self, count: i32) -> Self {
        self.distribution.shard_count = Some(count);
        self
    }

    /// Citus: a reference table, copied to every node (`create_reference_table`).
    pub fn reference(mut self) -> Self {
        self.distribution.reference = true;
        self
    }

    /// The model's distribution, or why the declaration is inconsistent.
    pub(crate) fn distribution_model(&self) -> Result<Option<Distribution>, String> {
        let d = &self.distribution;
        match (&d.distributed_by, d.reference) {
            (Some(_), true) => Err(
                "declared both distributed_by and reference: a table is one or the other".into(),
            ),
            (None, true) | (None, false)
                if d.colocate_with.is_some() || d.shard_count.is_some() =>
            {
                Err(
                    "colocate_with and shard_count need distributed_by (the distribution column)"
                        .into(),
                )
            }
            (None, true) => Ok(Some(Distribution::Reference)),
            (None, false) => Ok(None),
            (Some(column), false) => {
                if d.colocate_with.is_some() && d.shard_count.is_some() {
                    return Err(
                        "colocate_with and shard_count together: a colocated table has \
                                the shard count of the table it is colocated with"
                            .into(),
                    );
                }
                let colocate_with = match &d.colocate_with {
                    None => None,
                    Some(p) => Some(match QualName::parse(p) {
                        Ok(q) => q,
                        Err(_) if !p.contains('.') => QualName::new(self.schema.clone(), p.clone()),
                        Err(e) => return Err(format!("colocate_with: {e}")),
                    }),
                };
                Ok(Some(Distribution::Distributed {
                    column: column.clone(),
                    shard_count: d.shard_count.unwrap_or(DEFAULT_SHARD_COUNT),
                    colocate_with,
                }))
            }
        }
    }
}

/// After every table is built: colocated tables take the shard count of the table they name
/// (followed to the end of the chain), colocation goes into its canonical form, and what Citus
/// cannot do is refused.
pub(crate) fn finish(schema: &mut Schema) -> Result<(), BuildError> {
    let declared: Vec<(QualName, QualName)> = schema
        .tables
        .iter()
        .filter_map(|(n, t)| match &t.distribution {
            Some(Distribution::Distributed {
                colocate_with: Some(p),
                ..
            }) => Some((n.clone(), p.clone())),
            _ => None,
        })
        .collect();
    for (name, _) in &declared {
        let mut at = name.clone();
        // At most one step per table: a cycle ends there.
        for _ in 0..=declared.len() {
            match declared.iter().find(|(n, _)| *n == at) {
                Some((_, p)) => at = p.clone(),
                None => break,
            }
        }
        let count = match schema.tables.get(&at).and_then(|t| t.distribution.as_ref()) {
            Some(Distribution::Distributed { shard_count, .. }) => Some(*shard_count),
            _ => None,
        };
        if let (Some(n), Some(t)) = (count, schema.tables.get_mut(name)) {
            if let Some(Distribution::Distributed { shard_count, .. }) = &mut t.distribution {
                *shard_count = n;
            }
        }
    }
    distribution::canonical_colocation(schema);
    match distribution::problems(schema).into_iter().next() {
        Some(p) => Err(BuildError::Table {
            table: p.table.to_string(),
            what: p.what,
        }),
        None => Ok(()),
    }
}
