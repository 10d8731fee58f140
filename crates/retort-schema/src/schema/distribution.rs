//! Citus distribution: whether a table is sharded across the workers by a column (a distributed
//! table) or copied to every node (a reference table), and which distributed tables are
//! colocated (their shards for one value live on the same node, so joins and foreign keys on the
//! distribution column stay on one node).
//!
//! Colocation is kept in one canonical form, so that a declared schema and an introspected one
//! compare equal whatever partner was named when a table was distributed: the tables of a
//! colocation group all name the group's first table (by schema, then name) in `colocate_with`,
//! and that table names none. [`canonical_colocation`] turns declared partners into that form.
//!
//! [`problems`] lists what Citus cannot do with a schema (a unique key without the distribution
//! column, a foreign key from a reference or plain table to a distributed one...), so that the
//! builder and the diff refuse it with a message rather than failing halfway through a migration.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{ConstraintKind, QualName, Schema, Table};

/// Citus's default `citus.shard_count`: the shard count of a declared distributed table that
/// names none.
pub const DEFAULT_SHARD_COUNT: i32 = 32;

/// How Citus places a table's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Distribution {
    /// `create_distributed_table`: rows hashed on `column` into `shard_count` shards.
    Distributed {
        column: String,
        shard_count: i32,
        /// The first table of its colocation group (see the module documentation); None for
        /// that table itself, and for a table alone in its group.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        colocate_with: Option<QualName>,
    },
    /// `create_reference_table`: a copy of every row on every node.
    Reference,
}

impl Distribution {
    /// The distribution column of a distributed table.
    pub fn column(&self) -> Option<&str> {
        match self {
            Distribution::Distributed { column, .. } => Some(column),
            Distribution::Reference => None,
        }
    }

    /// What it is, for summaries: `distributed by tenant_id`, `a reference table`.
    pub fn describe(&self) -> String {
        match self {
            Distribution::Distributed { column, .. } => format!("distributed by {column}"),
            Distribution::Reference => "a reference table".to_string(),
        }
    }
}

/// Whether any table of `schema` is distributed or a reference table.
pub fn any(schema: &Schema) -> bool {
    schema.tables.values().any(|t| t.distribution.is_some())
}

/// The distribution column of `name` in `schema`, if it is a distributed table.
fn column_of<'a>(schema: &'a Schema, name: &QualName) -> Option<&'a str> {
    schema.tables.get(name)?.distribution.as_ref()?.column()
}

/// The colocation group of each distributed table: its group's first table.
pub fn anchors(schema: &Schema) -> BTreeMap<QualName, QualName> {
    schema
        .tables
        .iter()
        .filter_map(|(name, t)| match &t.distribution {
            Some(Distribution::Distributed { colocate_with, .. }) => Some((
                name.clone(),
                colocate_with.clone().unwrap_or_else(|| name.clone()),
            )),
            _ => None,
        })
        .collect()
}

/// Declared colocation partners into the canonical form: the groups are what the partners link
/// (a partner that is not a distributed table of the schema is left for [`problems`] to name),
/// and every member names its group's first table.
pub fn canonical_colocation(schema: &mut Schema) {
    let mut group: BTreeMap<QualName, QualName> = BTreeMap::new();
    fn root(group: &BTreeMap<QualName, QualName>, mut n: QualName) -> QualName {
        while let Some(p) = group.get(&n).filter(|p| **p != n) {
            n = p.clone();
        }
        n
    }
    let edges: Vec<(QualName, QualName)> = schema
        .tables
        .iter()
        .filter_map(|(name, t)| match &t.distribution {
            Some(Distribution::Distributed { colocate_with, .. }) => Some((
                name.clone(),
                colocate_with.clone().unwrap_or_else(|| name.clone()),
            )),
            _ => None,
        })
        .filter(|(_, partner)| column_of(schema, partner).is_some())
        .collect();
    for (a, b) in edges {
        group.entry(a.clone()).or_insert_with(|| a.clone());
        group.entry(b.clone()).or_insert_with(|| b.clone());
        let (ra, rb) = (root(&group, a), root(&group, b));
        // The smaller name is the root, so a group's root is its first table.
        let (keep, link) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        group.insert(link, keep);
    }
    let roots: BTreeMap<QualName, QualName> = group
        .keys()
        .map(|n| (n.clone(), root(&group, n.clone())))
        .collect();
    for (name, t) in &mut schema.tables {
        if let Some(Distribution::Distributed { colocate_with, .. }) = &mut t.distribution {
            if let Some(r) = roots.get(name) {
                *colocate_with = (r != name).then(|| r.clone());
            }
        }
    }
}

/// One thing Citus cannot do with a schema: the table and why, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub table: QualName,
    pub what: String,
}

/// What Citus cannot do with `schema`'s distribution (empty when there is none).
pub fn problems(schema: &Schema) -> Vec<Problem> {
    let mut out = Vec::new();
    if !any(schema) {
        return out;
    }
    let groups = anchors(schema);
    for (name, t) in &schema.tables {
        let mut say = |what: String| {
            out.push(Problem {
                table: name.clone(),
                what,
            })
        };
        if let Some(d) = &t.distribution {
            table_problems(schema, t, d, &mut say);
        }
        for (cname, c) in &t.constraints {
            if c.kind != ConstraintKind::ForeignKey {
                continue;
            }
            if let Some(r) = &c.references {
                if let Some(what) = foreign_key_problem(schema, &groups, (name, t), cname, r, c) {
                    say(what);
                }
            }
        }
    }
    out
}

/// The distribution column, the colocation partner, and the keys of one table.
fn table_problems(schema: &Schema, t: &Table, d: &Distribution, say: &mut impl FnMut(String)) {
    let Distribution::Distributed {
        column,
        shard_count,
        colocate_with,
    } = d
    else {
        return;
    };
    let Some(col) = t.columns.iter().find(|c| c.name == *column) else {
        say(format!(
            "the distribution column {column} is not a column of the table"
        ));
        return;
    };
    if *shard_count < 1 {
        say(format!("shard count {shard_count}: it must be at least 1"));
    }
    if let Some(p) = colocate_with {
        match schema.tables.get(p).and_then(|pt| {
            let pc = pt.distribution.as_ref()?.column()?;
            pt.columns.iter().find(|c| c.name == pc)
        }) {
            None => say(format!(
                "colocated with {p}, which is not a distributed table: distribute {p} too, \
                 or colocate with a distributed table"
            )),
            Some(pc) if pc.data_type != col.data_type => say(format!(
                "colocated with {p}, whose distribution column is {} where {column} is {}: \
                 colocated tables need distribution columns of one type",
                pc.data_type, col.data_type
            )),
            Some(_) => {}
        }
    }
    for (iname, i) in t.indexes.iter().filter(|(_, i)| i.unique) {
        if index_keys(&i.definition).is_some_and(|keys| !keys.iter().any(|k| k == column)) {
            say(format!(
                "Citus cannot enforce the unique index {iname} on a table distributed by \
                 {column}: a unique index of a distributed table must include its distribution \
                 column; add {column} to the index, or make the table a reference table"
            ));
        }
    }
    for (cname, c) in &t.constraints {
        let key = matches!(
            c.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion
        );
        if key && !c.columns.iter().any(|k| k == column) {
            say(format!(
                "Citus cannot enforce {cname} ({}) on a table distributed by {column}: a unique \
                 or primary key of a distributed table must include its distribution column; \
                 add {column} to the key, or make the table a reference table",
                c.columns.join(", ")
            ));
        }
    }
}

/// Why Citus refuses the foreign key `cname` of `from` (to `to`), if it does.
fn foreign_key_problem(
    schema: &Schema,
    groups: &BTreeMap<QualName, QualName>,
    (from_name, from): (&QualName, &Table),
    cname: &str,
    to: &QualName,
    c: &super::Constraint,
) -> Option<String> {
    let target = schema.tables.get(to)?;
    let kind = |t: &Table| match &t.distribution {
        None => "plain",
        Some(Distribution::Reference) => "reference",
        Some(Distribution::Distributed { .. }) => "distributed",
    };
    match (kind(from), kind(target)) {
        ("plain" | "reference", "distributed") => Some(format!(
            "Citus cannot keep the foreign key {cname} from {} table {from_name} to the \
             distributed table {to}: only distributed tables may reference a distributed table; \
             distribute {from_name} too, or make {to} a reference table",
            if kind(from) == "plain" {
                "the plain"
            } else {
                "the reference"
            }
        )),
        ("reference", "plain") => Some(format!(
            "Citus cannot keep the foreign key {cname} from the reference table {from_name} to \
             the plain table {to}: a reference table may reference only reference tables; make \
             {to} a reference table"
        )),
        ("distributed", "plain") => Some(format!(
            "Citus cannot keep the foreign key {cname} to the plain table {to}: a distributed \
             table may reference only reference tables and tables colocated with it; make {to} \
             a reference table or distribute it"
        )),
        ("distributed", "distributed") if from_name != to => {
            if groups.get(from_name) != groups.get(to) {
                return Some(format!(
                    "Citus cannot keep the foreign key {cname} to {to}: the tables are not \
                     colocated; colocate {from_name} with {to}"
                ));
            }
            let fcol = from.distribution.as_ref()?.column()?;
            let tcol = target.distribution.as_ref()?.column()?;
            let referenced = referenced_columns(&c.definition)?;
            let pos = c.columns.iter().position(|k| k == fcol);
            (pos.is_none() || referenced.get(pos?).map(String::as_str) != Some(tcol)).then(|| {
                format!(
                    "Citus cannot keep the foreign key {cname} to {to}: a foreign key between \
                     distributed tables must pair the distribution columns ({fcol} with \
                     {tcol}); add them to the key"
                )
            })
        }
        _ => None,
    }
}

/// The key columns of a `pg_get_indexdef` text (`CREATE UNIQUE INDEX i ON s.t USING btree (a,
/// lower(b)) ...`), unquoted; an expression is kept as written, so it never names a column.
fn index_keys(definition: &str) -> Option<Vec<String>> {
    let rest = &definition[definition.find(" USING ")? + 7..];
    let open = rest.find('(')?;
    let (mut depth, mut quoted, mut keys, mut key) = (0, false, Vec::new(), String::new());
    for ch in rest[open + 1..].chars() {
        match ch {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth == 0 => break,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                keys.push(std::mem::take(&mut key));
                continue;
            }
            _ => {}
        }
        key.push(ch);
    }
    keys.push(key);
    Some(
        keys.iter()
            .map(|k| {
                let k = k.trim();
                // `col opclass DESC`: the column is the first word, unless quoted.
                match k.strip_prefix('"') {
                    Some(q) => q.split('"').next().unwrap_or_default().to_string(),
                    None => k.split(' ').next().unwrap_or_default().to_string(),
                }
            })
            .collect(),
    )
}

/// The referenced columns of a foreign key's `pg_get_constraintdef` text (`... REFERENCES
/// s.t(a, b) ...`), unquoted.
fn referenced_columns(definition: &str) -> Option<Vec<String>> {
    let rest = &definition[definition.find(" REFERENCES ")? + 12..];
    let open = rest.find('(')?;
    let close = open + rest[open..].find(')')?;
    Some(
        rest[open + 1..close]
            .split(',')
            .map(|c| c.trim().trim_matches('"').replace("\"\"", "\""))
            .collect(),
    )
}

/// The names of the tables that are distributed or reference tables on either side.
pub fn touched(from: &Schema, to: &Schema) -> BTreeSet<QualName> {
    from.tables
        .iter()
        .chain(&to.tables)
        .filter(|(_, t)| t.distribution.is_some())
        .map(|(n, _)| n.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distributed(column: &str, partner: Option<&str>) -> Option<Distribution> {
        Some(Distribution::Distributed {
            column: column.into(),
            shard_count: 4,
            colocate_with: partner.map(|p| QualName::new("public", p)),
        })
    }

    #[test]
    fn colocation_names_the_first_table_of_each_group() {
        let mut s = Schema::default();
        for (name, partner) in [
            ("users", None),
            ("docs", Some("users")),
            ("zed", Some("docs")),
        ] {
            let t = Table {
                distribution: distributed("tenant_id", partner),
                ..Table::default()
            };
            s.tables.insert(QualName::new("public", name), t);
        }
        canonical_colocation(&mut s);
        let partner = |n: &str| match &s.tables[&QualName::new("public", n)].distribution {
            Some(Distribution::Distributed { colocate_with, .. }) => {
                colocate_with.as_ref().map(|q| q.name.clone())
            }
            _ => None,
        };
        assert_eq!(partner("docs"), None);
        assert_eq!(partner("users").as_deref(), Some("docs"));
        assert_eq!(partner("zed").as_deref(), Some("docs"));
    }

    #[test]
    fn index_keys_are_read_from_the_definition() {
        assert_eq!(
            index_keys(
                "CREATE UNIQUE INDEX i ON public.t USING btree (\"Tenant, id\", lower(email), a text_pattern_ops DESC) WHERE (a > 0)"
            ),
            Some(vec![
                "Tenant, id".to_string(),
                "lower(email)".to_string(),
                "a".to_string()
            ])
        );
    }

    #[test]
    fn referenced_columns_are_read_from_the_definition() {
        assert_eq!(
            referenced_columns(
                "FOREIGN KEY (tenant_id, user_id) REFERENCES public.users(tenant_id, \"Id\") ON DELETE CASCADE"
            ),
            Some(vec!["tenant_id".to_string(), "Id".to_string()])
        );
    }
}
