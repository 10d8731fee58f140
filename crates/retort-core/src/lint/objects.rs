//! Statements on objects other than tables and indexes that the hazard rules look at: drops of
//! sequences, views, functions, domains and extensions; grants and policies; functions and
//! triggers; `ALTER EXTENSION ... UPDATE`; `SELECT f('table', ...)`.

use super::ast::{QName, Stmt};
use super::cursor::Cursor;
use super::token::{tokenize, Kind};

/// After `CREATE [OR REPLACE]`: a function, procedure, trigger or policy, else `None` (nothing
/// consumed).
pub(super) fn create_object(c: &mut Cursor) -> Option<Stmt> {
    if c.peek_is("function") || c.peek_is("procedure") {
        return Some(Stmt::CreateFunction {
            atomic: c.rest_has("atomic"),
        });
    }
    if c.peek_is("trigger") || (c.peek_is("constraint") && c.rest_has("trigger")) {
        return Some(Stmt::Trigger { drop: false });
    }
    if c.eat("sequence") {
        c.eat_all(&["if", "not", "exists"]);
        let name = c.qname()?;
        return Some(Stmt::CreateSequence {
            name,
            owned: owned_by_a_column(c),
        });
    }
    if c.peek_is("policy") {
        return Some(Stmt::Authorization {
            what: "create policy".into(),
        });
    }
    None
}

/// After `ALTER` (not TABLE, TYPE or DOMAIN): a policy or an extension update.
pub(super) fn alter_object(c: &mut Cursor) -> Stmt {
    if c.eat("policy") {
        return Stmt::Authorization {
            what: "alter policy".into(),
        };
    }
    let kind = if c.eat("index") {
        Some("index")
    } else if c.eat_all(&["materialized", "view"]) {
        Some("materialized view")
    } else {
        None
    };
    if let Some(kind) = kind {
        c.eat_all(&["if", "exists"]);
        if let Some(name) = c.qname() {
            if c.eat_all(&["set", "tablespace"]) {
                return Stmt::MoveRelation {
                    kind: kind.into(),
                    name,
                };
            }
        }
        return Stmt::Other;
    }
    if c.eat("sequence") {
        c.eat_all(&["if", "exists"]);
        return match c.qname() {
            Some(name) if owned_by_a_column(c) => Stmt::SequenceOwned { name },
            _ => Stmt::Other,
        };
    }
    if c.eat("extension") {
        c.ident();
        if c.eat("update") {
            return Stmt::AlterExtensionUpdate;
        }
    }
    Stmt::Other
}

/// The rest holds `OWNED BY` something other than `NONE`.
fn owned_by_a_column(c: &mut Cursor) -> bool {
    c.skip_to_word("owned");
    c.eat_all(&["owned", "by"]) && !c.peek_is("none")
}

/// After `DROP` (not TABLE, INDEX, DATABASE, TYPE or SCHEMA).
pub(super) fn drop_object(c: &mut Cursor) -> Stmt {
    if c.eat("trigger") {
        return Stmt::Trigger { drop: true };
    }
    if c.eat("policy") {
        return Stmt::Authorization {
            what: "drop policy".into(),
        };
    }
    if c.eat_all(&["materialized", "view"]) {
        return Stmt::Drop {
            kind: "materialized view".into(),
        };
    }
    for kind in [
        "sequence",
        "view",
        "function",
        "procedure",
        "domain",
        "extension",
    ] {
        if c.eat(kind) {
            return Stmt::Drop { kind: kind.into() };
        }
    }
    Stmt::Other
}

/// After `SELECT`: `name(...)` alone, with its first argument as a table when it is a string
/// (`'"public"."t"'`), else `Other`.
pub(super) fn select_function(c: &mut Cursor) -> Stmt {
    let Some(name) = c.qname() else {
        return Stmt::Other;
    };
    if !c.eat_punct('(') {
        return Stmt::Other;
    }
    let table = c
        .peek()
        .filter(|t| t.kind == Kind::Str && t.text.starts_with('\''))
        .and_then(|t| table_in_string(t.text));
    Stmt::SelectFunction {
        name: name.name,
        table,
    }
}

/// `'"public"."t"'` or `'public.t'` → the name it holds.
fn table_in_string(quoted: &str) -> Option<QName> {
    let inner = quoted
        .get(1..quoted.len().checked_sub(1)?)?
        .replace("''", "'");
    let toks = tokenize(&inner);
    let mut c = Cursor::new(&toks, &inner);
    let name = c.qname()?;
    c.done().then_some(name)
}

#[cfg(test)]
mod tests {
    use super::super::ast::{QName, Stmt};
    use super::super::parse::parse;

    #[test]
    fn objects_classified() {
        assert_eq!(
            parse("DROP SEQUENCE s"),
            Stmt::Drop {
                kind: "sequence".into()
            }
        );
        assert_eq!(
            parse("drop materialized view if exists m"),
            Stmt::Drop {
                kind: "materialized view".into()
            }
        );
        assert_eq!(parse("DROP TYPE t"), Stmt::DropType);
        assert_eq!(
            parse("GRANT SELECT ON t TO r"),
            Stmt::Authorization {
                what: "grant".into()
            }
        );
        assert_eq!(
            parse("CREATE POLICY p ON t USING (true)"),
            Stmt::Authorization {
                what: "create policy".into()
            }
        );
        assert_eq!(
            parse("ALTER EXTENSION hstore UPDATE TO '1.8'"),
            Stmt::AlterExtensionUpdate
        );
        assert_eq!(
            parse("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END"),
            Stmt::CreateFunction { atomic: true }
        );
        assert_eq!(
            parse(
                "CREATE CONSTRAINT TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"
            ),
            Stmt::Trigger { drop: false }
        );
        assert_eq!(
            parse("SELECT create_distributed_table('\"public\".\"Users\"', 'tenant_id')"),
            Stmt::SelectFunction {
                name: "create_distributed_table".into(),
                table: Some(QName {
                    schema: Some("public".into()),
                    name: "Users".into()
                })
            }
        );
        assert_eq!(parse("SELECT 1"), Stmt::Other);
        assert!(matches!(
            parse("ALTER INDEX IF EXISTS s.i SET TABLESPACE fast"),
            Stmt::MoveRelation { kind, name } if kind == "index" && name.key() == "s.i"
        ));
        assert_eq!(parse("ALTER INDEX i RENAME TO j"), Stmt::Other);
        assert!(matches!(
            parse("CREATE SEQUENCE s AS bigint START WITH 1"),
            Stmt::CreateSequence { owned: false, .. }
        ));
        assert!(matches!(
            parse("ALTER SEQUENCE s OWNED BY t.id"),
            Stmt::SequenceOwned { .. }
        ));
        assert_eq!(parse("ALTER SEQUENCE s OWNED BY NONE"), Stmt::Other);
    }
}
