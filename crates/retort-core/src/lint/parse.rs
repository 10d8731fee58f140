//! Classifying a statement into [`Stmt`]: a recursive-descent reading of the forms the rules
//! look at (CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX, transactions, SET...). Anything it does
//! not recognise is `Stmt::Other`, so an unusual statement is never misread as a risky one.

use super::ast::{QName, Stmt};
use super::cursor::Cursor;
use super::table::{alter_table, create_table};
use super::token::tokenize;

/// Classify one statement (the text of a [`crate::sql::Statement`]).
pub fn parse(text: &str) -> Stmt {
    let toks = tokenize(text);
    let mut c = Cursor::new(&toks, text);
    let Some(first) = c.next() else {
        return Stmt::Other;
    };
    let word = first.text.to_ascii_lowercase();
    match word.as_str() {
        "begin" if !c.peek_is("atomic") => Stmt::Begin,
        "start" if c.peek_is("transaction") => Stmt::Begin,
        "commit" | "end" if !c.peek_is("prepared") => Stmt::Commit,
        "rollback" | "abort" if !c.peek_is("to") && !c.peek_is("prepared") => Stmt::Rollback,
        "set" => set(&mut c),
        "reset" => Stmt::Reset {
            name: c.ident().unwrap_or_default(),
        },
        "create" => create(&mut c),
        "alter" => alter(&mut c),
        "drop" => drop(&mut c),
        "truncate" => truncate(&mut c),
        "reindex" => Stmt::Reindex {
            concurrently: c.rest_has("concurrently"),
        },
        "grant" | "revoke" => Stmt::Authorization { what: word.clone() },
        "select" => super::objects::select_function(&mut c),
        _ => Stmt::Other,
    }
}

fn set(c: &mut Cursor) -> Stmt {
    let local = c.eat("local");
    c.eat("session");
    let Some(name) = c.qname() else {
        return Stmt::Other;
    };
    if !(c.eat("to") || c.eat_punct('=')) {
        return Stmt::Other;
    }
    let value = c.next().map_or(String::new(), |t| {
        t.text.trim_matches('\'').to_ascii_lowercase()
    });
    Stmt::Set {
        name: name.to_string(),
        value,
        local,
    }
}

fn create(c: &mut Cursor) -> Stmt {
    c.eat_all(&["or", "replace"]);
    if let Some(stmt) = super::objects::create_object(c) {
        return stmt;
    }
    let unique = c.eat("unique");
    if c.eat("index") {
        return create_index(c);
    }
    if unique {
        return Stmt::Other;
    }
    // CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE
    let _ = c.eat("global") || c.eat("local");
    let temp = c.eat("temp") || c.eat("temporary");
    c.eat("unlogged");
    if c.eat("table") {
        return if temp { Stmt::Other } else { create_table(c) };
    }
    if c.eat("domain") {
        return create_domain(c);
    }
    Stmt::Other
}

fn create_index(c: &mut Cursor) -> Stmt {
    // Findings point at the statement's start (CREATE).
    let at = 0;
    let concurrently = c.eat("concurrently");
    let if_not_exists = c.eat_all(&["if", "not", "exists"]);
    if !c.peek_is("on") {
        c.qname();
    }
    if !c.eat("on") {
        return Stmt::Other;
    }
    c.eat("only");
    let Some(table) = c.qname() else {
        return Stmt::Other;
    };
    Stmt::CreateIndex {
        table,
        concurrently,
        if_not_exists,
        at,
    }
}

fn create_domain(c: &mut Cursor) -> Stmt {
    c.qname();
    while let Some(t) = c.peek() {
        if t.is("check") || t.is("constraint") || (t.is("not") && c.rest_has("null")) {
            return Stmt::CreateDomain {
                constraint_at: Some(t.at),
            };
        }
        if !c.skip_group() {
            c.next();
        }
    }
    Stmt::CreateDomain {
        constraint_at: None,
    }
}

fn alter(c: &mut Cursor) -> Stmt {
    if c.eat("table") {
        return alter_table(c);
    }
    let start = c.i;
    if let Some(kind) = c.peek().map(|t| t.text.to_ascii_lowercase()) {
        let renames = c.rest_has("rename") && {
            let mut probe = Cursor::clone_at(c);
            probe.skip_to_word("rename");
            probe.eat_all(&["rename", "to"])
        };
        if renames && !matches!(kind.as_str(), "index" | "sequence" | "role" | "user") {
            return Stmt::RenameObject { kind };
        }
    }
    c.i = start;
    if c.eat("type") {
        c.qname();
        let at = c.at();
        if c.eat_all(&["add", "value"]) {
            return Stmt::AddEnumValue {
                positioned: c.rest_has("before") || c.rest_has("after"),
                at,
            };
        }
        return Stmt::Other;
    }
    if c.eat("domain") {
        c.qname();
        let at = c.at();
        if c.eat_all(&["add"]) {
            return Stmt::AlterDomainAddConstraint { at };
        }
        return Stmt::Other;
    }
    super::objects::alter_object(c)
}

fn drop(c: &mut Cursor) -> Stmt {
    if c.eat("index") {
        let concurrently = c.eat("concurrently");
        let if_exists = c.eat_all(&["if", "exists"]);
        return Stmt::DropIndex {
            concurrently,
            if_exists,
        };
    }
    if c.eat("table") {
        let if_exists = c.eat_all(&["if", "exists"]);
        return Stmt::DropTable {
            names: names(c),
            if_exists,
        };
    }
    if c.eat("database") {
        return Stmt::DropDatabase;
    }
    if c.eat("type") {
        return Stmt::DropType;
    }
    if c.eat("schema") {
        return Stmt::DropSchema;
    }
    super::objects::drop_object(c)
}

fn truncate(c: &mut Cursor) -> Stmt {
    let mut cascade_at = None;
    while let Some(t) = c.next() {
        if t.is("cascade") {
            cascade_at = Some(t.at);
        }
    }
    Stmt::Truncate {
        cascade: cascade_at.is_some(),
        cascade_at: cascade_at.unwrap_or(0),
    }
}

/// `a, b.c, ...`
fn names(c: &mut Cursor) -> Vec<QName> {
    let mut out = Vec::new();
    while let Some(n) = c.qname() {
        out.push(n);
        if !c.eat_punct(',') {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ast::Stmt;
    use super::parse;

    #[test]
    fn statements_are_classified() {
        assert_eq!(parse("BEGIN"), Stmt::Begin);
        assert_eq!(parse("begin atomic select 1; end"), Stmt::Other);
        assert_eq!(parse("COMMIT"), Stmt::Commit);
        assert_eq!(parse("ROLLBACK TO SAVEPOINT s"), Stmt::Other);
        assert_eq!(
            parse("SET LOCAL lock_timeout TO '2s'"),
            Stmt::Set {
                name: "lock_timeout".into(),
                value: "2s".into(),
                local: true
            }
        );
        assert!(matches!(
            parse("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t (a)"),
            Stmt::CreateIndex { concurrently: true, if_not_exists: true, ref table, .. }
                if table.key() == "s.t"
        ));
        assert!(matches!(
            parse("CREATE INDEX ON t (a)"),
            Stmt::CreateIndex { .. }
        ));
        assert!(matches!(
            parse("DROP TABLE IF EXISTS a, \"B\""),
            Stmt::DropTable { if_exists: true, ref names } if names.len() == 2 && names[1].name == "B"
        ));
        assert!(matches!(
            parse("TRUNCATE a CASCADE"),
            Stmt::Truncate { cascade: true, .. }
        ));
        assert!(matches!(
            parse("CREATE DOMAIN d AS int CHECK (VALUE > 0)"),
            Stmt::CreateDomain {
                constraint_at: Some(_)
            }
        ));
        assert_eq!(parse("SELECT 'DROP DATABASE x'"), Stmt::Other);
        assert_eq!(parse("CREATE TEMP TABLE t (a int)"), Stmt::Other);
        assert_eq!(
            parse("REINDEX (CONCURRENTLY) TABLE t"),
            Stmt::Reindex { concurrently: true }
        );
        assert!(matches!(
            parse("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'x' AFTER 'y'"),
            Stmt::AddEnumValue {
                positioned: true,
                ..
            }
        ));
        assert_eq!(
            parse("DROP DOMAIN d"),
            Stmt::Drop {
                kind: "domain".into()
            }
        );
    }
}
