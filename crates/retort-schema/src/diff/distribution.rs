//! Citus distribution in the diff: tables made distributed or reference tables, made plain
//! again, or changed (distribution column, shard count, colocation).
//!
//! Order: a table is distributed once it and its keys exist (`Phase::Distribute`, after the
//! table settings) and before the foreign keys between distributed tables
//! (`Phase::AddForeignKey`); it is made plain (`Phase::Undistribute`) after foreign keys are
//! dropped. Citus refuses both while a foreign key ties the table to one whose kind differs,
//! so the foreign keys of a table whose distribution is made or removed are dropped first and
//! added again after. Reference tables come first, then each colocation group from the table
//! already in place (or its first table, which starts the group).
//!
//! What Citus cannot do ([`crate::schema::distribution::problems`]) is refused before any
//! operation is made.

use std::collections::{BTreeMap, BTreeSet};

use super::{DiffError, Differ, Phase};
use crate::render::{distribution as sql, objects};
use crate::schema::distribution::{self as dist, Distribution};
use crate::schema::{ConstraintKind, QualName, Schema};

/// The distribution operations of the diff (nothing when neither side has any).
pub(super) fn distribution(d: &mut Differ<'_>) -> Result<(), DiffError> {
    if !dist::any(d.from) && !dist::any(d.to) {
        return Ok(());
    }
    refuse_problems(d.to)?;
    let plan = Plan::new(d.from, d.to);
    untie_foreign_keys(d, &plan.made_or_removed);
    for name in &plan.undistribute {
        d.ops.push(
            Phase::Undistribute,
            format!("make {name} a plain table (undistribute)"),
            sql::undistribute(name),
        );
        d.ops.note(format!(
            "undistribute_table copies {name}'s rows from the workers back to the coordinator"
        ));
    }
    distribute(d, &plan);
    settings(d);
    Ok(())
}

/// The first problem Citus would have with `to`, as the diff's error.
fn refuse_problems(to: &Schema) -> Result<(), DiffError> {
    let problems = dist::problems(to);
    if problems.is_empty() {
        return Ok(());
    }
    Err(DiffError::Citus {
        what: problems
            .iter()
            .map(|p| format!("{}: {}", p.table, p.what))
            .collect::<Vec<_>>()
            .join("; "),
    })
}

/// Which tables change how.
struct Plan {
    /// Tables that exist on both sides and become plain (or change kind: undistributed first).
    undistribute: Vec<QualName>,
    /// Tables whose distribution is made from nothing or removed, existing on both sides: their
    /// foreign keys are dropped around it.
    made_or_removed: BTreeSet<QualName>,
    /// Distributed on both sides by the same column: their colocation group changed.
    moved: BTreeSet<QualName>,
}

impl Plan {
    fn new(from: &Schema, to: &Schema) -> Self {
        let mut plan = Plan {
            undistribute: Vec::new(),
            made_or_removed: BTreeSet::new(),
            moved: BTreeSet::new(),
        };
        for (name, old) in &from.tables {
            let Some(new) = to.tables.get(name) else {
                continue;
            };
            let (a, b) = (&old.distribution, &new.distribution);
            if kind_changes(a.as_ref(), b.as_ref()) {
                plan.made_or_removed.insert(name.clone());
                if a.is_some() {
                    plan.undistribute.push(name.clone());
                }
            }
        }
        plan.moved = moved(from, to);
        plan
    }
}

/// Whether a table stops or starts being distributed or a reference table (or switches between
/// the two, which Citus does by undistributing first).
fn kind_changes(a: Option<&Distribution>, b: Option<&Distribution>) -> bool {
    !matches!(
        (a, b),
        (None, None)
            | (Some(Distribution::Reference), Some(Distribution::Reference))
            | (
                Some(Distribution::Distributed { .. }),
                Some(Distribution::Distributed { .. })
            )
    )
}

/// The tables distributed on both sides whose colocation with another such table differs.
fn moved(from: &Schema, to: &Schema) -> BTreeSet<QualName> {
    let (old, new) = (dist::anchors(from), dist::anchors(to));
    let kept: Vec<&QualName> = old.keys().filter(|n| new.contains_key(*n)).collect();
    let mut out = BTreeSet::new();
    for a in &kept {
        for b in &kept {
            if a != b && (old[*a] == old[*b]) != (new[*a] == new[*b]) {
                out.insert((*a).clone());
            }
        }
    }
    out
}

/// Drops, then adds again, every foreign key that stays and touches a table in `tables` (Citus
/// refuses to change a table's distribution while one ties it to a table of another kind),
/// unless the table diff already does.
fn untie_foreign_keys(d: &mut Differ<'_>, tables: &BTreeSet<QualName>) {
    let mut pairs = Vec::new();
    for (name, t) in &d.from.tables {
        let Some(new_t) = d.to.tables.get(name) else {
            continue;
        };
        for (cname, c) in &t.constraints {
            let touches =
                tables.contains(name) || c.references.as_ref().is_some_and(|r| tables.contains(r));
            if c.kind == ConstraintKind::ForeignKey
                && touches
                && new_t.constraints.get(cname) == Some(c)
            {
                pairs.push((name, new_t, cname, c));
            }
        }
    }
    for (name, new_t, cname, c) in pairs {
        let drop = objects::drop_constraint(name, cname);
        if d.ops.0.iter().any(|o| o.sql == drop) {
            continue;
        }
        d.ops.push(
            Phase::DropForeignKey,
            format!("drop foreign key {cname} on {name} (while distribution changes)"),
            drop,
        );
        d.ops.push(
            Phase::AddForeignKey,
            format!("add foreign key {cname} on {name} again"),
            objects::add_constraint(name, new_t, cname, c),
        );
    }
}

/// `create_reference_table`, `create_distributed_table` and `alter_distributed_table`, in
/// [`sql::order`]: a group's tables colocated with its first table in place.
fn distribute(d: &mut Differ<'_>, plan: &Plan) {
    let old_anchor = dist::anchors(d.from);
    // A group's table in place: distributed before the migration, staying in it.
    let mut placed: BTreeMap<QualName, QualName> = BTreeMap::new();
    // Tables whose shard count a cascading `alter_distributed_table` of their group changed.
    let mut cascaded: BTreeSet<QualName> = BTreeSet::new();
    let to_order = sql::order(d.to);
    for (name, new, partner) in &to_order {
        let same = d
            .from
            .tables
            .get(*name)
            .and_then(|t| t.distribution.as_ref())
            .is_some_and(|old| same_placement(old, new))
            && !plan.moved.contains(*name);
        if same {
            placed
                .entry((*partner).unwrap_or(name).clone())
                .or_insert_with(|| (*name).clone());
        }
    }
    for (name, new, partner) in to_order {
        let group = partner.unwrap_or(name).clone();
        let old = d
            .from
            .tables
            .get(name)
            .and_then(|t| t.distribution.as_ref());
        let existed = d.from.tables.contains_key(name);
        let target = placed.get(&group).filter(|p| *p != name).cloned();
        match old {
            Some(old) if !kind_changes(Some(old), Some(new)) => {
                if !cascaded.contains(name) || old.column() != new.column() {
                    let ctx = AlterCtx {
                        plan,
                        target: target.as_ref(),
                        old_anchor: &old_anchor,
                        cascaded: &mut cascaded,
                    };
                    alter(d, (name, old, new), ctx);
                }
            }
            _ => {
                create(d, name, new, target.as_ref(), existed);
            }
        }
        placed.entry(group).or_insert_with(|| name.clone());
    }
}

/// Same column and shard count (colocation is compared apart, in [`moved`]).
fn same_placement(a: &Distribution, b: &Distribution) -> bool {
    match (a, b) {
        (
            Distribution::Distributed {
                column: c1,
                shard_count: n1,
                ..
            },
            Distribution::Distributed {
                column: c2,
                shard_count: n2,
                ..
            },
        ) => c1 == c2 && n1 == n2,
        (Distribution::Reference, Distribution::Reference) => true,
        _ => false,
    }
}

/// A table made distributed or a reference table; one that existed has its rows moved.
fn create(
    d: &mut Differ<'_>,
    name: &QualName,
    new: &Distribution,
    target: Option<&QualName>,
    existed: bool,
) {
    let mut statements = sql::distribute(name, new, target);
    if existed {
        statements.push_str(&sql::truncate_local_data(name));
    }
    d.ops.push(
        Phase::Distribute,
        format!("make {name} {}", new.describe()),
        statements,
    );
    if existed {
        d.ops.note(format!(
            "distributing {name} copies its rows to the workers while writes to it wait; the \
             coordinator's copy is then truncated"
        ));
    }
}

/// What [`alter`] needs besides the table.
struct AlterCtx<'a> {
    plan: &'a Plan,
    /// The table of its group in place, to colocate with.
    target: Option<&'a QualName>,
    old_anchor: &'a BTreeMap<QualName, QualName>,
    /// Filled with the tables a cascading shard count change also changes.
    cascaded: &'a mut BTreeSet<QualName>,
}

/// A distributed table that stays one: its column, shard count or colocation changed.
fn alter(
    d: &mut Differ<'_>,
    (name, old, new): (&QualName, &Distribution, &Distribution),
    ctx: AlterCtx<'_>,
) {
    let AlterCtx {
        plan,
        target,
        old_anchor,
        cascaded,
    } = ctx;
    let (
        Distribution::Distributed {
            column: c1,
            shard_count: n1,
            ..
        },
        Distribution::Distributed {
            column: c2,
            shard_count: n2,
            ..
        },
    ) = (old, new)
    else {
        return;
    };
    let mut settings = Vec::new();
    if c1 != c2 {
        settings.push(format!(
            "distribution_column => {}",
            crate::sql::quote_literal(c2)
        ));
    }
    let group: Vec<&QualName> = old_anchor
        .iter()
        .filter(|(_, a)| Some(*a) == old_anchor.get(name))
        .map(|(n, _)| n)
        .collect();
    let alone = group.len() == 1;
    if plan.moved.contains(name) || (target.is_some() && n1 != n2) {
        settings.push(match target {
            Some(t) => format!("colocate_with => {}", crate::sql::quote_literal(&t.sql())),
            // Leaving its group: the others keep their shard count.
            None if alone => format!("colocate_with => 'none', shard_count => {n2}"),
            None => format!(
                "colocate_with => 'none', shard_count => {n2}, cascade_to_colocated => false"
            ),
        });
    } else if n1 != n2 {
        // The group's first table in place: the whole group follows when it stays together.
        cascaded.extend(group.into_iter().cloned());
        settings.push(format!(
            "shard_count => {n2}{}",
            if alone {
                ""
            } else {
                ", cascade_to_colocated => true"
            }
        ));
    }
    if settings.is_empty() {
        return;
    }
    d.ops.push(
        Phase::Distribute,
        format!("change the distribution of {name} ({})", new.describe()),
        sql::alter(name, &settings.join(", ")),
    );
    d.ops.note(format!(
        "alter_distributed_table rewrites {name} into new shards and moves its rows"
    ));
}

/// The settings the diff's statements need, first: [`sql::SEQUENTIAL`] when it changes
/// distribution, and `citus.enable_unsafe_triggers` when a statement distributes, undistributes
/// or alters a table with triggers, or makes a trigger while a distributed table has triggers.
fn settings(d: &mut Differ<'_>) {
    if d.ops
        .0
        .iter()
        .any(|o| matches!(o.phase, Phase::Distribute | Phase::Undistribute))
    {
        d.ops.push(
            Phase::Settings,
            "one connection per node for this transaction (citus.multi_shard_modify_mode)",
            sql::SEQUENTIAL,
        );
        d.ops.note(
            "Citus must use one connection per node in a transaction that moves tables tied \
             by foreign keys to reference tables",
        );
    }
    let has_triggers = |s: &Schema, n: &str| {
        s.tables
            .iter()
            .any(|(q, t)| !t.triggers.is_empty() && n.contains(&q.to_string()))
    };
    let needed = d.ops.0.iter().any(|o| match o.phase {
        Phase::Distribute | Phase::Undistribute => {
            has_triggers(d.from, &o.summary) || has_triggers(d.to, &o.summary)
        }
        Phase::CreateTrigger => sql::needs_triggers_allowed(d.to),
        _ => false,
    });
    if needed {
        d.ops.push(
            Phase::Settings,
            "allow triggers on distributed tables (citus.enable_unsafe_triggers)",
            sql::ALLOW_TRIGGERS,
        );
        d.ops.note(
            "Citus refuses triggers on distributed and reference tables unless allowed; a \
             row trigger that touches only its own row (NEW) is safe on a shard",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{diff, DiffOptions};
    use crate::schema::distribution::Distribution;
    use crate::schema::{Column, Constraint, ConstraintKind, QualName, Schema, Table};

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: "uuid".into(),
            not_null: true,
            ..Column::default()
        }
    }

    fn key(kind: ConstraintKind, columns: &[&str], definition: &str) -> Constraint {
        Constraint {
            kind,
            definition: definition.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            validated: true,
            ..Constraint::default()
        }
    }

    /// tenants (id) and users (tenant_id, id) with a foreign key to tenants, distributed as
    /// given.
    fn schema(tenants: Option<Distribution>, users: Option<Distribution>, pk: &[&str]) -> Schema {
        let mut s = Schema::default();
        let mut t = Table {
            columns: vec![column("id")],
            distribution: tenants,
            ..Table::default()
        };
        t.constraints.insert(
            "tenants_pkey".into(),
            key(ConstraintKind::PrimaryKey, &["id"], "PRIMARY KEY (id)"),
        );
        s.tables.insert(QualName::new("public", "tenants"), t);
        let mut u = Table {
            columns: vec![column("tenant_id"), column("id")],
            distribution: users,
            ..Table::default()
        };
        u.constraints.insert(
            "users_pkey".into(),
            key(
                ConstraintKind::PrimaryKey,
                pk,
                &format!("PRIMARY KEY ({})", pk.join(", ")),
            ),
        );
        u.constraints.insert(
            "users_tenant_id_fkey".into(),
            Constraint {
                references: Some(QualName::new("public", "tenants")),
                ..key(
                    ConstraintKind::ForeignKey,
                    &["tenant_id"],
                    "FOREIGN KEY (tenant_id) REFERENCES public.tenants(id)",
                )
            },
        );
        s.tables.insert(QualName::new("public", "users"), u);
        s
    }

    fn by_tenant() -> Option<Distribution> {
        Some(Distribution::Distributed {
            column: "tenant_id".into(),
            shard_count: 32,
            colocate_with: None,
        })
    }

    fn refusal(to: &Schema) -> String {
        let from = schema(None, None, &["tenant_id", "id"]);
        diff(&from, to, &DiffOptions::default())
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn what_citus_cannot_do_is_refused() {
        insta::assert_snapshot!(
            refusal(&schema(Some(Distribution::Reference), by_tenant(), &["id"])),
            @"Citus: public.users: Citus cannot enforce users_pkey (id) on a table distributed by tenant_id: a unique or primary key of a distributed table must include its distribution column; add tenant_id to the key, or make the table a reference table"
        );
        let mut reference_to_distributed = schema(
            Some(Distribution::Distributed {
                column: "id".into(),
                shard_count: 32,
                colocate_with: None,
            }),
            Some(Distribution::Reference),
            &["tenant_id", "id"],
        );
        insta::assert_snapshot!(
            refusal(&reference_to_distributed),
            @"Citus: public.users: Citus cannot keep the foreign key users_tenant_id_fkey from the reference table public.users to the distributed table public.tenants: only distributed tables may reference a distributed table; distribute public.users too, or make public.tenants a reference table"
        );
        reference_to_distributed
            .tables
            .get_mut(&QualName::new("public", "users"))
            .expect("users")
            .distribution = None;
        insta::assert_snapshot!(
            refusal(&reference_to_distributed),
            @"Citus: public.users: Citus cannot keep the foreign key users_tenant_id_fkey from the plain table public.users to the distributed table public.tenants: only distributed tables may reference a distributed table; distribute public.users too, or make public.tenants a reference table"
        );
        insta::assert_snapshot!(
            refusal(&schema(None, by_tenant(), &["tenant_id", "id"])),
            @"Citus: public.users: Citus cannot keep the foreign key users_tenant_id_fkey to the plain table public.tenants: a distributed table may reference only reference tables and tables colocated with it; make public.tenants a reference table or distribute it"
        );
    }

    #[test]
    fn a_schema_without_distribution_gives_no_citus_operation() {
        let s = schema(None, None, &["id"]);
        let d = diff(&s, &s, &DiffOptions::default()).expect("diff");
        assert!(d.is_empty());
        let to = schema(
            Some(Distribution::Reference),
            by_tenant(),
            &["tenant_id", "id"],
        );
        let d = diff(&s, &to, &DiffOptions::default()).expect("diff");
        assert!(d.sql().contains("create_reference_table"), "{}", d.sql());
        // The primary key changes too: the table diff's own foreign key churn is not doubled.
        assert_eq!(
            d.sql()
                .matches("DROP CONSTRAINT \"users_tenant_id_fkey\"")
                .count(),
            1
        );
    }
}
