//! CREATE TABLE and ALTER TABLE: column definitions, types, table constraints, actions.

use super::ast::{Action, ColumnDef, ConstraintKind, Stmt, TableConstraint, TypeName};
use super::cursor::Cursor;

/// Words that end a default expression or a type inside a column definition.
const COLUMN_STOPS: &[&str] = &[
    "not",
    "null",
    "constraint",
    "primary",
    "unique",
    "references",
    "check",
    "generated",
    "collate",
    "default",
    "compression",
    "storage",
    "deferrable",
    "initially",
    "using",
];

/// Words a multi-word type name can continue with.
const TYPE_WORDS: &[&str] = &[
    "varying",
    "precision",
    "with",
    "without",
    "time",
    "zone",
    "to",
    "day",
    "hour",
    "minute",
    "second",
    "year",
    "month",
];

/// After `CREATE TABLE`.
pub(super) fn create_table(c: &mut Cursor) -> Stmt {
    let if_not_exists = c.eat_all(&["if", "not", "exists"]);
    let Some(name) = c.qname() else {
        return Stmt::Other;
    };
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    if c.eat_punct('(') {
        while !c.done() && !c.peek_punct(')') {
            if let Some(k) = table_constraint(c) {
                constraints.push(k);
            } else if !c.peek_is("like") {
                if let Some(col) = column_def(c) {
                    columns.push(col);
                }
            }
            c.skip_to_comma(&[]);
            c.eat_punct(',');
        }
    }
    Stmt::CreateTable {
        name,
        if_not_exists,
        columns,
        constraints,
    }
}

/// After `ALTER TABLE`.
pub(super) fn alter_table(c: &mut Cursor) -> Stmt {
    let if_exists = c.eat_all(&["if", "exists"]);
    c.eat("only");
    let Some(name) = c.qname() else {
        return Stmt::Other;
    };
    c.eat_punct('*');
    let mut actions = Vec::new();
    while !c.done() {
        actions.push(action(c));
        c.skip_to_comma(&[]);
        if !c.eat_punct(',') {
            break;
        }
    }
    Stmt::AlterTable {
        name,
        if_exists,
        actions,
    }
}

fn action(c: &mut Cursor) -> Action {
    let at = c.at();
    if c.eat("add") {
        if let Some(k) = table_constraint(c) {
            return Action::AddConstraint(k);
        }
        c.eat("column");
        let if_not_exists = c.eat_all(&["if", "not", "exists"]);
        return match column_def(c) {
            Some(column) => Action::AddColumn {
                column,
                if_not_exists,
            },
            None => Action::Other { at },
        };
    }
    if c.eat("drop") {
        if c.peek_is("constraint") {
            return Action::DropConstraint { at };
        }
        c.eat("column");
        let if_exists = c.eat_all(&["if", "exists"]);
        return c
            .ident()
            .map_or(Action::Other { at }, |name| Action::DropColumn {
                name,
                if_exists,
                at,
            });
    }
    if c.eat("alter") {
        return alter_column(c, at);
    }
    if c.eat("rename") {
        return rename(c, at);
    }
    if c.eat_all(&["validate", "constraint"]) {
        return Action::ValidateConstraint { at };
    }
    table_setting(c, at)
}

/// Row-level security, replica identity, logging, tablespace, partitions and inheritance.
fn table_setting(c: &mut Cursor, at: usize) -> Action {
    let start = c.i;
    let switched =
        c.eat("enable") || c.eat("disable") || c.eat("force") || c.eat_all(&["no", "force"]);
    if switched && c.eat_all(&["row", "level", "security"]) {
        return Action::RowSecurity { at };
    }
    c.i = start;
    if c.eat_all(&["replica", "identity"]) {
        return Action::ReplicaIdentity { at };
    }
    if c.eat_all(&["set", "schema"]) {
        return Action::SetSchema { at };
    }
    if c.eat_all(&["detach", "partition"]) {
        c.qname();
        let concurrently = c.eat("concurrently") || c.eat("finalize");
        return Action::DetachPartition { concurrently, at };
    }
    if c.eat("set") {
        for what in ["logged", "unlogged", "tablespace"] {
            if c.eat(what) {
                let what = format!("SET {}", what.to_ascii_uppercase());
                return Action::Rewrite { what, at };
            }
        }
        return Action::Other { at };
    }
    if c.eat_all(&["attach", "partition"]) {
        return c
            .qname()
            .map_or(Action::Other { at }, |partition| Action::AttachPartition {
                partition,
                at,
            });
    }
    if c.eat("inherit") || c.eat_all(&["no", "inherit"]) || c.eat("of") || c.eat_all(&["not", "of"])
    {
        return Action::Inheritance { at };
    }
    Action::Other { at }
}

fn alter_column(c: &mut Cursor, at: usize) -> Action {
    c.eat("column");
    let Some(column) = c.ident() else {
        return Action::Other { at };
    };
    if c.eat_all(&["set", "data", "type"]) || c.eat("type") {
        return match type_name(c) {
            Some(ty) => Action::AlterType { column, ty, at },
            None => Action::Other { at },
        };
    }
    if c.eat_all(&["set", "not", "null"]) {
        return Action::SetNotNull { column, at };
    }
    if c.eat_all(&["drop", "not", "null"]) {
        return Action::DropNotNull { column, at };
    }
    if c.eat_all(&["drop", "default"]) {
        return Action::DropDefault { column, at };
    }
    if c.eat_all(&["drop", "expression"]) {
        return Action::DropExpression { column, at };
    }
    if c.eat_all(&["add", "generated"]) {
        return Action::AddIdentity { column, at };
    }
    Action::Other { at }
}

fn rename(c: &mut Cursor, at: usize) -> Action {
    if c.eat("to") {
        return c
            .ident()
            .map_or(Action::Other { at }, |to| Action::RenameTable { to, at });
    }
    if c.peek_is("constraint") {
        return Action::Other { at };
    }
    c.eat("column");
    match (c.ident(), c.eat("to"), c.ident()) {
        (Some(from), true, Some(to)) => Action::RenameColumn { from, to, at },
        _ => Action::Other { at },
    }
}

/// `[CONSTRAINT name] CHECK|UNIQUE|PRIMARY KEY|EXCLUDE|FOREIGN KEY ... [NOT VALID]`, or `None`
/// (nothing consumed) when what follows is not a table constraint.
fn table_constraint(c: &mut Cursor) -> Option<TableConstraint> {
    let start = c.i;
    let at = c.at();
    if c.eat("constraint") {
        c.ident();
    }
    let kind = if c.eat("check") {
        ConstraintKind::Check
    } else if c.eat("unique") {
        ConstraintKind::Unique
    } else if c.eat_all(&["primary", "key"]) {
        ConstraintKind::PrimaryKey
    } else if c.eat("exclude") {
        ConstraintKind::Exclude
    } else if c.eat_all(&["foreign", "key"]) {
        ConstraintKind::ForeignKey
    } else if c.eat_all(&["not", "null"]) {
        ConstraintKind::NotNull
    } else {
        c.i = start;
        return None;
    };
    c.eat_all(&["nulls", "not", "distinct"]);
    let using_index = c.eat_all(&["using", "index"]);
    let mut not_valid = false;
    while let Some(t) = c.peek() {
        if t.is_punct(',') || t.is_punct(')') {
            break;
        }
        if c.eat_all(&["not", "valid"]) {
            not_valid = true;
        } else if !c.skip_group() {
            c.next();
        }
    }
    Some(TableConstraint {
        kind,
        not_valid,
        using_index,
        at,
    })
}

/// `name type [constraints...]`.
pub(super) fn column_def(c: &mut Cursor) -> Option<ColumnDef> {
    let at = c.at();
    let name = c.ident()?;
    let mut col = ColumnDef {
        name,
        at,
        ty: type_name(c),
        ..ColumnDef::default()
    };
    while let Some(t) = c.peek() {
        if t.is_punct(',') || t.is_punct(')') {
            break;
        }
        column_constraint(c, &mut col);
    }
    Some(col)
}

fn column_constraint(c: &mut Cursor, col: &mut ColumnDef) {
    if c.eat("constraint") {
        c.ident();
    } else if c.eat_all(&["not", "null"]) {
        col.not_null = true;
    } else if c.eat("default") {
        col.default = Some(expression(c));
    } else if c.eat_all(&["primary", "key"]) {
        col.primary_key = true;
    } else if c.eat("unique") {
        col.unique = true;
    } else if c.eat("references") {
        col.references = true;
        c.skip_to_comma(&["not", "null", "default", "constraint", "check", "unique"]);
    } else if c.eat("check") {
        col.check = true;
        c.skip_group();
    } else if c.eat("generated") {
        generated(c, col);
    } else if !c.skip_group() {
        c.next();
    }
}

fn generated(c: &mut Cursor, col: &mut ColumnDef) {
    c.eat("always");
    c.eat_all(&["by", "default"]);
    c.eat("as");
    if c.eat("identity") {
        col.identity = true;
        c.skip_group();
    } else {
        c.skip_group();
        col.generated_stored = c.eat("stored");
    }
}

/// An expression up to the next column-constraint word or comma at this level.
fn expression(c: &mut Cursor) -> (String, usize) {
    let from = c.i;
    let at = c.at();
    // The first token always belongs to it (`DEFAULT NULL`).
    if !c.skip_group() {
        c.next();
    }
    c.skip_to_comma(COLUMN_STOPS);
    let text = c.text_between(from, c.i);
    (text, at)
}

/// A type name: words (`double precision`, `timestamp with time zone`, `pg_catalog.int4`),
/// modifiers in parentheses, `[]` or `ARRAY`.
pub(super) fn type_name(c: &mut Cursor) -> Option<TypeName> {
    let at = c.at();
    let mut words: Vec<String> = Vec::new();
    let mut modifier = false;
    let mut array = false;
    while let Some(t) = c.peek() {
        let continues =
            words.is_empty() || (t.ident().is_some() && TYPE_WORDS.iter().any(|w| t.is(w)));
        if t.is_punct('(') {
            modifier = true;
            c.skip_group();
        } else if t.is_punct('[') {
            array = true;
            c.skip_group();
        } else if t.is_punct('.') {
            c.next();
            words.clear();
            words.push(c.ident()?);
        } else if t.is("array") && !words.is_empty() {
            array = true;
            c.next();
        } else if continues && !COLUMN_STOPS.iter().any(|s| t.is(s)) {
            words.push(c.ident()?);
        } else {
            break;
        }
    }
    (!words.is_empty()).then(|| TypeName {
        base: words.join(" "),
        modifier,
        array,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::super::ast::{Action, ConstraintKind, Stmt};
    use super::super::parse::parse;

    #[test]
    fn create_table_columns_and_constraints() {
        let Stmt::CreateTable {
            columns,
            constraints,
            ..
        } = parse(
            "CREATE TABLE s.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
             name character varying(20) DEFAULT 'x'::text NOT NULL, at timestamp(3) with time zone, \
             n numeric(10, 2)[] DEFAULT lower('A') CHECK (n > 0), CONSTRAINT u UNIQUE (name))",
        )
        else {
            panic!("not a CREATE TABLE")
        };
        let tys: Vec<_> = columns
            .iter()
            .map(|c| c.ty.as_ref().expect("present").base.as_str())
            .collect();
        assert_eq!(
            tys,
            [
                "bigint",
                "character varying",
                "timestamp with time zone",
                "numeric"
            ]
        );
        assert!(columns[0].identity && columns[0].primary_key);
        assert_eq!(columns[1].default.as_ref().expect("present").0, "'x'::text");
        assert!(columns[1].not_null);
        assert!(columns[3].ty.as_ref().expect("present").array && columns[3].check);
        assert_eq!(
            columns[3].default.as_ref().expect("present").0,
            "lower('A')"
        );
        assert_eq!(constraints[0].kind, ConstraintKind::Unique);
    }

    #[test]
    fn table_settings() {
        let Stmt::AlterTable { actions, .. } = parse(
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY, \
             DISABLE TRIGGER x, REPLICA IDENTITY FULL, SET UNLOGGED, SET TABLESPACE ts, \
             ATTACH PARTITION s.p FOR VALUES IN (1), NO INHERIT q, NOT OF, \
             DETACH PARTITION d CONCURRENTLY, ALTER c DROP DEFAULT, ALTER COLUMN g DROP EXPRESSION, \
             SET SCHEMA other, ALTER i ADD GENERATED ALWAYS AS IDENTITY",
        ) else {
            panic!("not an ALTER TABLE")
        };
        assert!(matches!(actions[0], Action::RowSecurity { .. }));
        assert!(matches!(actions[1], Action::RowSecurity { .. }));
        assert!(matches!(actions[2], Action::Other { .. }));
        assert!(matches!(actions[3], Action::ReplicaIdentity { .. }));
        assert!(matches!(&actions[4], Action::Rewrite { what, .. } if what == "SET UNLOGGED"));
        assert!(matches!(&actions[5], Action::Rewrite { what, .. } if what == "SET TABLESPACE"));
        assert!(
            matches!(&actions[6], Action::AttachPartition { partition, .. } if partition.key() == "s.p")
        );
        assert!(matches!(actions[7], Action::Inheritance { .. }));
        assert!(matches!(actions[8], Action::Inheritance { .. }));
        assert!(matches!(
            actions[9],
            Action::DetachPartition {
                concurrently: true,
                ..
            }
        ));
        assert!(matches!(&actions[10], Action::DropDefault { column, .. } if column == "c"));
        assert!(matches!(&actions[11], Action::DropExpression { column, .. } if column == "g"));
        assert!(matches!(actions[12], Action::SetSchema { .. }));
        assert!(matches!(&actions[13], Action::AddIdentity { column, .. } if column == "i"));
    }

    #[test]
    fn alter_table_actions() {
        let Stmt::AlterTable { actions, .. } = parse(
            "ALTER TABLE ONLY t ADD COLUMN IF NOT EXISTS a int DEFAULT 0 NOT NULL, \
             ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID, \
             ALTER COLUMN b SET DATA TYPE bigint USING b::bigint, ALTER c SET NOT NULL, \
             DROP COLUMN IF EXISTS d, RENAME e TO f",
        ) else {
            panic!("not an ALTER TABLE")
        };
        assert!(
            matches!(&actions[0], Action::AddColumn { if_not_exists: true, column } if column.not_null)
        );
        assert!(
            matches!(&actions[1], Action::AddConstraint(k) if k.kind == ConstraintKind::ForeignKey && k.not_valid)
        );
        assert!(matches!(&actions[2], Action::AlterType { ty, .. } if ty.base == "bigint"));
        assert!(matches!(&actions[3], Action::SetNotNull { column, .. } if column == "c"));
        assert!(matches!(
            &actions[4],
            Action::DropColumn {
                if_exists: true,
                ..
            }
        ));
        assert!(
            matches!(&actions[5], Action::RenameColumn { from, to, .. } if from == "e" && to == "f")
        );
    }
}
