//! Indexes, their statistics targets and partition attachments.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::*;

pub fn create_index(schema: &str, name: &str, i: &Index) -> String {
    let def = crate::render::reparse::stable(&crate::render::tablespace::index_definition(i));
    let mut out = format!("{def};\n");
    out.push_str(&index_statistics(schema, name, None, i));
    comment(&mut out, i.comment.as_ref(), || {
        format!("INDEX {}", QualName::new(schema, name).sql())
    });
    out
}

/// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS t` for the targets that differ from `old`'s
/// (absent: a new index, with the defaults).
pub fn index_statistics(schema: &str, name: &str, old: Option<&Index>, new: &Index) -> String {
    let none = BTreeMap::new();
    let old = old.map_or(&none, |o| &o.statistics);
    let columns: BTreeSet<&i16> = old.keys().chain(new.statistics.keys()).collect();
    let mut out = String::new();
    for n in columns {
        let target = new.statistics.get(n);
        if old.get(n) != target {
            let _ = writeln!(
                out,
                "ALTER INDEX {} ALTER COLUMN {n} SET STATISTICS {};",
                QualName::new(schema, name).sql(),
                target.copied().unwrap_or(-1)
            );
        }
    }
    out
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {};\n", QualName::new(schema, name).sql())
}

/// `ALTER INDEX parent ATTACH PARTITION child`.
pub fn attach_index(parent: &QualName, child: &QualName) -> String {
    format!(
        "ALTER INDEX {} ATTACH PARTITION {};\n",
        parent.sql(),
        child.sql()
    )
}
