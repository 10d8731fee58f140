//! Unit tests of the builder: names, definitions and refusals as PostgreSQL has them.

use std::collections::BTreeSet;

use super::*;
use crate::schema as model;
use crate::schema::{QualName, Schema};

#[test]
fn names_and_definitions_follow_postgres() {
    let s = SchemaBuilder::new()
        .extension("pg_trgm", "1.6")
        .table(
            TableBuilder::new("public", "t")
                .column(Column::new("id", "uuid").primary_key())
                .column(Column::new("a", "int").unique())
                .column(Column::new("k", "text"))
                .column(Column::new("timestamp", "int"))
                .column(Column::new("b", "int"))
                .column(Column::new("c", "int"))
                .unique(Key::new(&["id", "a"]))
                .index(Index::on(&["k gin_trgm_ops"]).using("gin"))
                .index(
                    Index::on(&["\"timestamp\" DESC", "a NULLS FIRST", "b DESC NULLS LAST"])
                        .include(&["c"])
                        .with("fillfactor", "70"),
                ),
        )
        .table(
            TableBuilder::new("public", "u")
                .column(Column::new("a", "int").check("(a > 0)"))
                .column(Column::new("b", "int"))
                .column(Column::new("ref", "uuid"))
                .check(Check::new(&["a", "b"], "(a > b)"))
                .foreign_key(
                    ForeignKey::new(&["ref"], "t")
                        .on_delete(Action::SetNull(vec!["ref".into()]))
                        .on_update(Action::Cascade)
                        .deferrable(true),
                )
                .foreign_key(ForeignKey::new(&["ref", "a"], "t(id, a)").match_full())
                .unique(Key::new(&["b"]).nulls_not_distinct())
                .index(Index::on(&["a"]))
                .index(Index::on(&["a"]))
                .index(Index::on(&["lower((a)::text)", "((a + b))"]))
                .index(Index::on(&["b"]).unique().predicate("(a > 0)")),
        )
        .build()
        .expect("builds");
    // Every line as PostgreSQL 15 printed it for the same DDL.
    let t = &s.tables[&QualName::new("public", "t")];
    let u = &s.tables[&QualName::new("public", "u")];
    let defs = |t: &model::Table| -> Vec<String> {
        t.constraints
            .iter()
            .map(|(n, c)| format!("{n}|{}", c.definition))
            .chain(t.indexes.values().map(|i| i.definition.clone()))
            .collect()
    };
    assert_eq!(
        defs(t),
        [
            "t_a_key|UNIQUE (a)",
            "t_id_a_key|UNIQUE (id, a)",
            "t_pkey|PRIMARY KEY (id)",
            "CREATE INDEX t_k_idx ON public.t USING gin (k public.gin_trgm_ops)",
            "CREATE INDEX t_timestamp_a_b_c_idx ON public.t USING btree (\"timestamp\" DESC, a NULLS FIRST, b DESC NULLS LAST) INCLUDE (c) WITH (fillfactor='70')",
        ]
    );
    assert_eq!(
        defs(u),
        [
            "u_a_check|CHECK ((a > 0))",
            "u_b_key|UNIQUE NULLS NOT DISTINCT (b)",
            "u_check|CHECK ((a > b))",
            "u_ref_a_fkey|FOREIGN KEY (ref, a) REFERENCES public.t(id, a) MATCH FULL",
            "u_ref_fkey|FOREIGN KEY (ref) REFERENCES public.t(id) ON UPDATE CASCADE ON DELETE SET NULL (ref) DEFERRABLE INITIALLY DEFERRED",
            "CREATE INDEX u_a_idx ON public.u USING btree (a)",
            "CREATE INDEX u_a_idx1 ON public.u USING btree (a)",
            "CREATE UNIQUE INDEX u_b_idx ON public.u USING btree (b) WHERE (a > 0)",
            "CREATE INDEX u_lower_expr_idx ON public.u USING btree (lower((a)::text), ((a + b)))",
        ]
    );
}

#[test]
fn declarations_that_cannot_be_made_are_errors() {
    let one = |t: TableBuilder| SchemaBuilder::new().table(t).build();
    let t = || TableBuilder::new("public", "t").column(Column::new("a", "int"));
    let table_error = |r: Result<Schema, BuildError>| match r {
        Err(BuildError::Table { what, .. }) => what,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        table_error(one(t().primary_key(["b"]))),
        "primary key: no column b"
    );
    assert_eq!(
        table_error(one(t().foreign_key(ForeignKey::new(&["a"], "other")))),
        "foreign key to public.other: name its columns (it has no declared primary key)"
    );
    assert_eq!(
        table_error(one(t().foreign_key(ForeignKey::new(&["a"], "other(x, y)")))),
        "foreign key [\"a\"] → public.other: 1 columns reference 2"
    );
    assert_eq!(
        table_error(one(t().column(Column::new("a", "text")))),
        "column a is declared twice"
    );
    assert_eq!(
        table_error(one(t().index(Index::on(&["a NULLS MAYBE"])))),
        "index key \"a NULLS MAYBE\" does not parse"
    );
    assert_eq!(
        table_error(one(t().primary_key(["a"]).unique(["a"]))),
        "unique constraint on (a) is declared twice, or is the primary key"
    );
    assert!(matches!(
        one(TableBuilder::new("public", "t").column(Column::new("id", "serial"))),
        Err(BuildError::Type { .. })
    ));
    assert!(matches!(
        SchemaBuilder::new().table(t()).table(t()).build(),
        Err(BuildError::Duplicate(_))
    ));
}

#[test]
fn functions_and_triggers_print_as_postgres_does() {
    let body = "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n";
    let s = SchemaBuilder::new()
        .enum_type("public", "tier", &["a"])
        .function(FunctionBuilder::new(
            "public", "f1", "trigger", "plpgsql", body,
        ))
        .function(
            FunctionBuilder::new(
                "public",
                "g",
                "SETOF tier",
                "sql",
                "select 'a'::public.tier",
            )
            .arg("a", "int")
            .arg("b", "text")
            .immutable()
            .parallel(true)
            .strict()
            .security_definer()
            .set("search_path", "''"),
        )
        .table(
            TableBuilder::new("public", "t")
                .column(Column::new("a", "int"))
                .column(Column::new("b", "int"))
                .trigger(Trigger::new("tr1", "f1").before().on_update())
                .trigger(
                    Trigger::new("tr2", "f1")
                        .after()
                        .on_update_of(&["a", "b"])
                        .on_delete()
                        .on_insert()
                        .args(&["x", "y"]),
                )
                .trigger(
                    Trigger::new("tr3", "f1")
                        .after()
                        .on_truncate()
                        .for_each_statement(),
                )
                .trigger(
                    Trigger::new("Tr5", "public.f1")
                        .on_update()
                        .when("(old.* IS DISTINCT FROM new.*)"),
                ),
        )
        .build()
        .expect("builds");
    let f1 = &s.functions[&QualName::new("public", "f1()")];
    assert_eq!(
        f1.definition,
        "CREATE OR REPLACE FUNCTION public.f1()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n$function$\n"
    );
    let g = &s.functions[&QualName::new("public", "g(a integer, b text)")];
    assert_eq!(
        g.definition,
        "CREATE OR REPLACE FUNCTION public.g(a integer, b text)\n RETURNS SETOF public.tier\n LANGUAGE sql\n IMMUTABLE PARALLEL SAFE STRICT SECURITY DEFINER\n SET search_path TO ''\nAS $function$select 'a'::public.tier$function$\n"
    );
    assert_eq!(
        g.depends_on,
        BTreeSet::from([QualName::new("public", "tier")])
    );
    let t = &s.tables[&QualName::new("public", "t")];
    let defs: Vec<&str> = t.triggers.values().map(|t| t.definition.as_str()).collect();
    assert_eq!(
        defs,
        [
            "CREATE TRIGGER \"Tr5\" BEFORE UPDATE ON public.t FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION public.f1()",
            "CREATE TRIGGER tr1 BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.f1()",
            "CREATE TRIGGER tr2 AFTER INSERT OR DELETE OR UPDATE OF a, b ON public.t FOR EACH ROW EXECUTE FUNCTION public.f1('x', 'y')",
            "CREATE TRIGGER tr3 AFTER TRUNCATE ON public.t FOR EACH STATEMENT EXECUTE FUNCTION public.f1()",
        ]
    );
}
