//! Base types changed in place where PostgreSQL can: `ALTER TYPE ... SET (...)` adds binary I/O,
//! typmod and analyze functions, a subscript function, or moves between the TOAST-able storages
//! (not to or from `plain`). Any other change (input, output, length, alignment, default...) makes
//! the type again (refused while a column uses it).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::schema::{CatalogObject, QualName, Schema};
use crate::sql::quote_ident;

/// Properties `ALTER TYPE ... SET` takes.
const SETTABLE: &[&str] = &[
    "RECEIVE",
    "SEND",
    "TYPMOD_IN",
    "TYPMOD_OUT",
    "ANALYZE",
    "SUBSCRIPT",
    "STORAGE",
];

/// The `KEY = value` lines of a base type's definition (`introspect::kinds`' rendering, one a
/// line); flags (`PASSEDBYVALUE`) map to themselves.
fn properties(definition: &str) -> BTreeMap<&str, &str> {
    definition
        .lines()
        .skip(1)
        .filter_map(|l| {
            let l = l.trim().trim_end_matches(',');
            if l.starts_with(')') {
                return None;
            }
            Some(l.split_once(" = ").unwrap_or((l, l)))
        })
        .collect()
}

/// What `ALTER TYPE ... SET` sets to turn `old` into `new`, when it can make all of it: the
/// functions it stops naming (set to `NONE` early, before functions are dropped) and those it
/// names (late, once they are made), and a storage between TOAST-able ones.
struct SetLists {
    early: Vec<String>,
    late: Vec<String>,
}

fn set_lists(old: &CatalogObject, new: &CatalogObject) -> Option<SetLists> {
    if old.kind != "base type" || new.kind != "base type" || old.definition == new.definition {
        return None;
    }
    let (a, b) = (properties(&old.definition), properties(&new.definition));
    let keys: std::collections::BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
    let mut lists = SetLists {
        early: Vec::new(),
        late: Vec::new(),
    };
    for k in keys {
        let (o, n) = (a.get(k), b.get(k));
        if o == n {
            continue;
        }
        match (k, o, n) {
            ("STORAGE", Some(o), Some(n)) if *o != "plain" && *n != "plain" => {
                lists.late.push(format!("STORAGE = {n}"));
            }
            ("STORAGE", _, _) => return None,
            _ if SETTABLE.contains(&k) => {
                if o.is_some() {
                    lists.early.push(format!("{k} = NONE"));
                }
                if let Some(n) = n {
                    lists.late.push(format!("{k} = {n}"));
                }
            }
            _ => return None,
        }
    }
    Some(lists)
}

/// Whether base type `old` becomes `new` in place.
pub(super) fn alterable(old: &CatalogObject, new: &CatalogObject) -> bool {
    set_lists(old, new).is_some()
}

fn alter_type(new: &CatalogObject, set: &[String]) -> String {
    let name = new
        .comment_on
        .as_deref()
        .and_then(|c| c.strip_prefix("TYPE "));
    match name {
        Some(name) if !set.is_empty() => format!("ALTER TYPE {name} SET ({});\n", set.join(", ")),
        _ => String::new(),
    }
}

/// `ALTER TYPE name SET (f = NONE, ...);` of the functions `new` no longer names, or nothing.
pub(super) fn alter_early(old: &CatalogObject, new: &CatalogObject) -> String {
    set_lists(old, new).map_or_else(String::new, |l| alter_type(new, &l.early))
}

/// `ALTER TYPE name SET (...);` of what `new` names or sets anew, or nothing.
pub(super) fn alter_late(old: &CatalogObject, new: &CatalogObject) -> String {
    set_lists(old, new).map_or_else(String::new, |l| alter_type(new, &l.late))
}

/// Whether base type `old`, changed in place into `new`, stops naming function `dependency`,
/// which goes for good (it is unset before the drop, so the type need not be made again).
pub(super) fn stops_naming(
    old: &CatalogObject,
    new: &CatalogObject,
    dependency: &QualName,
    to: &Schema,
) -> bool {
    alterable(old, new) && !to.functions.contains_key(dependency)
}

/// `ALTER TABLE ... SET STORAGE` of the columns (of tables on both sides) that keep the type's
/// default storage when that default changes: `ALTER TYPE ... SET (STORAGE = ...)` leaves
/// existing columns as they were.
pub(super) fn columns_following_storage(
    from: &Schema,
    to: &Schema,
    old: &CatalogObject,
    new: &CatalogObject,
) -> String {
    let (a, b) = (properties(&old.definition), properties(&new.definition));
    let (Some(storage), Some(name)) = (
        b.get("STORAGE").filter(|n| a.get("STORAGE") != Some(*n)),
        new.comment_on
            .as_deref()
            .and_then(|c| c.strip_prefix("TYPE ")),
    ) else {
        return String::new();
    };
    if !alterable(old, new) {
        return String::new();
    }
    let mut out = String::new();
    for (tname, t) in &to.tables {
        let Some(before) = from.tables.get(tname) else {
            continue;
        };
        for c in t
            .columns
            .iter()
            .filter(|c| c.data_type == name && c.storage.is_none())
        {
            let kept = before
                .columns
                .iter()
                .any(|o| o.name == c.name && o.data_type == c.data_type && o.storage.is_none());
            if kept {
                let _ = writeln!(
                    out,
                    "ALTER TABLE {} ALTER COLUMN {} SET STORAGE {};",
                    tname.sql(),
                    quote_ident(&c.name),
                    storage.to_uppercase()
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(lines: &[&str]) -> CatalogObject {
        CatalogObject {
            kind: "base type".to_string(),
            definition: format!("CREATE TYPE public.t (\n    {}\n);", lines.join(",\n    ")),
            comment_on: Some("TYPE public.t".to_string()),
            ..CatalogObject::default()
        }
    }

    #[test]
    fn binary_io_and_toastable_storage_change_in_place() {
        let old = base(&[
            "INPUT = public.t_in",
            "OUTPUT = public.t_out",
            "STORAGE = extended",
        ]);
        let new = base(&[
            "INPUT = public.t_in",
            "OUTPUT = public.t_out",
            "RECEIVE = public.t_recv",
            "STORAGE = main",
        ]);
        assert_eq!(alter_early(&old, &new), "");
        assert_eq!(
            alter_late(&old, &new),
            "ALTER TYPE public.t SET (RECEIVE = public.t_recv, STORAGE = main);\n"
        );
        // A function taken away: unset before it is dropped.
        assert_eq!(
            alter_early(&new, &old),
            "ALTER TYPE public.t SET (RECEIVE = NONE);\n"
        );
        assert_eq!(
            alter_late(&new, &old),
            "ALTER TYPE public.t SET (STORAGE = extended);\n"
        );
        // Any other change makes the type again.
        let plain = base(&[
            "INPUT = public.t_in",
            "OUTPUT = public.t_out",
            "STORAGE = plain",
        ]);
        assert!(!alterable(&old, &plain));
        let other = base(&[
            "INPUT = public.t_in2",
            "OUTPUT = public.t_out",
            "STORAGE = extended",
        ]);
        assert!(!alterable(&old, &other));
        assert!(!alterable(&old, &old));
    }
}
