//! Tablespaces of tables, indexes and key constraints: referred to by name (`TABLESPACE name`),
//! never made or dropped — a tablespace belongs to the cluster, and a schema dump of one database
//! (like `pg_dump --schema-only`) expects it to exist. Absent in the model means the database's
//! default tablespace.

use crate::schema::Index;
use crate::sql::quote_ident;

/// ` TABLESPACE name`, or nothing.
pub fn clause(tablespace: Option<&String>) -> String {
    tablespace
        .map(|t| format!(" TABLESPACE {}", quote_ident(t)))
        .unwrap_or_default()
}

/// An index's `CREATE INDEX` with its tablespace (`pg_get_indexdef` leaves it out): before the
/// predicate, where the grammar has it.
pub fn index_definition(i: &Index) -> String {
    let Some(t) = &i.tablespace else {
        return i.definition.clone();
    };
    let tail = i.predicate.as_ref().map(|p| format!(" WHERE {p}"));
    match tail.as_deref().and_then(|w| i.definition.strip_suffix(w)) {
        Some(head) => format!(
            "{head}{}{}",
            clause(Some(t)),
            tail.as_deref().unwrap_or_default()
        ),
        None => format!("{}{}", i.definition, clause(Some(t))),
    }
}

/// `sql` (statements that make an index: a key constraint) run with `default_tablespace` set to
/// `tablespace`, as pg_dump does.
pub fn in_tablespace(tablespace: Option<&String>, sql: String) -> String {
    match tablespace {
        None => sql,
        Some(t) => format!(
            "SET default_tablespace = {};\n{sql}SET default_tablespace = '';\n",
            quote_ident(t)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tablespace_goes_before_the_predicate() {
        let i = Index {
            definition:
                "CREATE INDEX i ON public.t USING btree (a) WITH (fillfactor='70') WHERE (a > 0)"
                    .to_string(),
            predicate: Some("(a > 0)".to_string()),
            tablespace: Some("fast".to_string()),
            ..Index::default()
        };
        assert_eq!(
            index_definition(&i),
            "CREATE INDEX i ON public.t USING btree (a) WITH (fillfactor='70') TABLESPACE \"fast\" WHERE (a > 0)"
        );
        let plain = Index {
            predicate: None,
            definition: "CREATE INDEX i ON public.t USING btree (a)".to_string(),
            ..i
        };
        assert_eq!(
            index_definition(&plain),
            "CREATE INDEX i ON public.t USING btree (a) TABLESPACE \"fast\""
        );
    }
}
