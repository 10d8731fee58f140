//! Base and range types in a loop with their functions (see `schema::shell_type`): the type's
//! drop cascades to its shell and to the functions that take or return it, so those functions'
//! own drops are left out; a type dropped or made again takes its shell along (and so the
//! functions, which are made again after the shell); a type that goes while its shell stays is
//! refused.

use std::collections::BTreeSet;

use super::{DiffError, Differ};
use crate::schema::shell_type::type_of_shell;
use crate::schema::{CatalogObject, QualName, Schema};

/// Whether catalog object `name` goes away in the diff from `from` to `to` (gone, or in
/// `replaced`).
fn goes(name: &QualName, to: &Schema, replaced: &BTreeSet<QualName>) -> bool {
    !to.objects.contains_key(name) || replaced.contains(name)
}

/// The shells (of `from`, also in `to`) whose type goes away: made again with it.
pub(super) fn shells_made_again(
    from: &Schema,
    to: &Schema,
    replaced: &BTreeSet<QualName>,
) -> Vec<QualName> {
    from.objects
        .keys()
        .filter(|k| to.objects.contains_key(*k) && !replaced.contains(*k))
        .filter(|k| type_of_shell(from, k).is_some_and(|t| goes(&t, to, replaced)))
        .cloned()
        .collect()
}

/// Refuses a base or range type that goes for good while a shell of its name stays: the shell
/// would have to be made before the type's drop, which comes last.
pub(super) fn refuse_type_becoming_shell(from: &Schema, to: &Schema) -> Result<(), DiffError> {
    for shell in from.objects.keys() {
        let Some(ty) = type_of_shell(from, shell) else {
            continue;
        };
        if to.objects.contains_key(shell) && type_of_shell(to, shell).is_none() {
            return Err(DiffError::Unsupported {
                what: format!(
                    "{} becomes a {} (drop the type by hand first)",
                    CatalogObject::describe(&ty),
                    CatalogObject::describe(shell)
                ),
            });
        }
    }
    Ok(())
}

impl Differ<'_> {
    /// Whether function `name` of `from` is a function of a type in a loop with it, whose drop
    /// (cascading) removes it: its own drop is left out.
    pub(super) fn dropped_with_its_type(&self, name: &QualName) -> bool {
        let Some(f) = self.from.functions.get(name) else {
            return false;
        };
        f.depends_on
            .iter()
            .any(|d| type_of_shell(self.from, d).is_some_and(|t| self.object_dropped(&t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::shell_type::break_type_function_loops;
    use crate::schema::Function;

    /// A base type with its input function, defined as `definition`.
    fn schema(definition: &str) -> Schema {
        let mut s = Schema::default();
        let ty = QualName::new("public", "base type t");
        let input = QualName::new("public", "t_in(cstring)");
        s.objects.insert(
            ty.clone(),
            CatalogObject {
                kind: "base type".to_string(),
                definition: definition.to_string(),
                drop: "DROP TYPE public.t CASCADE;".to_string(),
                comment_on: Some("TYPE public.t".to_string()),
                depends_on: [input.clone()].into(),
                ..CatalogObject::default()
            },
        );
        s.functions.insert(
            input,
            Function {
                depends_on: [ty].into(),
                ..Function::default()
            },
        );
        break_type_function_loops(&mut s);
        s
    }

    #[test]
    fn a_changed_type_takes_its_shell_along() {
        let (from, to) = (
            schema("CREATE TYPE public.t (a);"),
            schema("CREATE TYPE public.t (b);"),
        );
        let replaced = BTreeSet::from([QualName::new("public", "base type t")]);
        assert_eq!(
            shells_made_again(&from, &to, &replaced),
            vec![QualName::new("public", "shell type t")]
        );
        assert!(shells_made_again(&from, &from, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn a_type_becoming_a_shell_is_refused() {
        let from = schema("CREATE TYPE public.t (a);");
        let mut to = Schema::default();
        to.objects.insert(
            QualName::new("public", "shell type t"),
            CatalogObject {
                kind: "shell type".to_string(),
                definition: "CREATE TYPE public.t;".to_string(),
                ..CatalogObject::default()
            },
        );
        let err = refuse_type_becoming_shell(&from, &to).expect_err("refused");
        assert!(err
            .to_string()
            .contains("base type public.t becomes a shell type public.t"));
        assert!(refuse_type_becoming_shell(&to, &from).is_ok());
    }
}
