//! Shell types: the `CREATE TYPE t;` that comes before the functions a type is defined with.
//!
//! A base type's I/O functions take or return the type itself (and a range type's canonical
//! function does), while the type names them: each depends on the other. pg_dump breaks that
//! loop (`pg_dump_sort.c`'s `repairTypeFuncLoop`) by making those functions depend on a shell of
//! the type, dumped first (`dumpShellType`), and the type after them. The model does the same:
//! [`break_type_function_loops`] adds the shell as a catalog object of kind `shell type` (key
//! `shell type <name>`, as a shell type that stays one is read) and points the functions at it.
//!
//! The shell of a type has no drop of its own: the type's drop cascades to its shell and to the
//! functions in the loop (no order of plain drops removes them), so the diff leaves their drops
//! out ([`type_of_shell`] finds the type a function's shell belongs to).

use std::collections::BTreeSet;

use super::{CatalogObject, QualName, Schema};

/// The kinds of type that may be in a loop with their functions.
const LOOPING_KINDS: &[&str] = &["base type", "range type"];

/// Adds the shell of every base or range type that is in a dependency loop with functions, and
/// makes those functions depend on the shell instead of the type (and the type on its shell).
pub fn break_type_function_loops(s: &mut Schema) {
    let types: Vec<QualName> = s
        .objects
        .iter()
        .filter(|(_, o)| LOOPING_KINDS.contains(&o.kind.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    for key in types {
        let Some(o) = s.objects.get(&key) else {
            continue;
        };
        let looping: BTreeSet<QualName> = o
            .depends_on
            .iter()
            .filter(|f| {
                s.functions
                    .get(*f)
                    .is_some_and(|f| f.depends_on.contains(&key))
            })
            .cloned()
            .collect();
        let (Some(shell), Some(type_name)) = (shell_key(&key, &o.kind), qualified_name(o)) else {
            continue;
        };
        let type_name = type_name.to_string();
        if looping.is_empty() {
            continue;
        }
        for f in &looping {
            if let Some(f) = s.functions.get_mut(f) {
                f.depends_on.remove(&key);
                f.depends_on.insert(shell.clone());
            }
        }
        if let Some(o) = s.objects.get_mut(&key) {
            o.depends_on.insert(shell.clone());
        }
        s.objects.insert(
            shell,
            CatalogObject {
                kind: "shell type".to_string(),
                definition: format!("CREATE TYPE {type_name};"),
                ..CatalogObject::default()
            },
        );
    }
}

/// `shell type <name>` for `<kind> <name>`.
fn shell_key(key: &QualName, kind: &str) -> Option<QualName> {
    let identity = key.name.strip_prefix(kind)?.strip_prefix(' ')?;
    Some(QualName::new(
        key.schema.clone(),
        format!("shell type {identity}"),
    ))
}

/// The type's name as SQL (`public.city_budget`), from what `COMMENT ON` names.
fn qualified_name(o: &CatalogObject) -> Option<&str> {
    o.comment_on.as_deref()?.strip_prefix("TYPE ")
}

/// The base or range type of `schema` whose shell is `shell` (a key of `schema.objects`), if it
/// is the shell of one (not a shell type that stays one).
pub fn type_of_shell(schema: &Schema, shell: &QualName) -> Option<QualName> {
    let o = schema.objects.get(shell)?;
    let identity = shell.name.strip_prefix("shell type ")?;
    if o.kind != "shell type" {
        return None;
    }
    LOOPING_KINDS
        .iter()
        .map(|k| QualName::new(shell.schema.clone(), format!("{k} {identity}")))
        .find(|k| schema.objects.contains_key(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Function;

    fn base_type_with_io() -> Schema {
        let mut s = Schema::default();
        let ty = QualName::new("public", "base type money2");
        let input = QualName::new("public", "money2_in(cstring)");
        let output = QualName::new("public", "money2_out(public.money2)");
        let user = QualName::new("public", "double(public.money2)");
        s.objects.insert(
            ty.clone(),
            CatalogObject {
                kind: "base type".to_string(),
                definition: "CREATE TYPE public.money2 (...);".to_string(),
                comment_on: Some("TYPE public.money2".to_string()),
                depends_on: [input.clone(), output.clone()].into(),
                ..CatalogObject::default()
            },
        );
        for f in [&input, &output, &user] {
            s.functions.insert(
                f.clone(),
                Function {
                    depends_on: [ty.clone()].into(),
                    ..Function::default()
                },
            );
        }
        s
    }

    #[test]
    fn io_functions_depend_on_the_shell_and_the_type_on_both() {
        let mut s = base_type_with_io();
        break_type_function_loops(&mut s);
        let shell = QualName::new("public", "shell type money2");
        let ty = QualName::new("public", "base type money2");
        assert_eq!(s.objects[&shell].definition, "CREATE TYPE public.money2;");
        assert!(s.objects[&shell].drop.is_empty());
        for f in ["money2_in(cstring)", "money2_out(public.money2)"] {
            let deps = &s.functions[&QualName::new("public", f)].depends_on;
            assert_eq!(deps, &BTreeSet::from([shell.clone()]), "{f}");
        }
        // A function that only uses the type still comes after it.
        let user = &s.functions[&QualName::new("public", "double(public.money2)")];
        assert_eq!(user.depends_on, BTreeSet::from([ty.clone()]));
        assert!(s.objects[&ty].depends_on.contains(&shell));
        assert_eq!(type_of_shell(&s, &shell), Some(ty));
    }

    #[test]
    fn no_shell_without_a_loop() {
        let mut s = base_type_with_io();
        for f in s.functions.values_mut() {
            f.depends_on.clear();
        }
        break_type_function_loops(&mut s);
        assert_eq!(s.objects.len(), 1);
    }
}
