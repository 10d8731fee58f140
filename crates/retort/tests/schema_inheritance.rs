//! Table inheritance (`INHERITS`) round trips: load, introspect, render, load the rendering into
//! an empty database, introspect again: equal models and equal normalised `pg_dump` output (see
//! `schema_common::round_trip`).

mod schema_common;

use retort::schema::{QualName, Schema};
use schema_common::{round_trip, Pool};

async fn model(pool: &Pool, sql: &str) -> (Schema, String) {
    match round_trip(pool, sql).await {
        Ok(rt) => (rt.model, rt.rendering),
        Err(e) => panic!("{e}\n-- schema:\n{sql}"),
    }
}

fn q(name: &str) -> QualName {
    QualName::new("public", name)
}

#[tokio::test]
async fn single_and_multiple_inheritance_round_trip() {
    let pool = Pool::default();
    let (m, rendering) = model(
        &pool,
        "CREATE SCHEMA other;
         CREATE TABLE base (id bigint NOT NULL, created timestamptz DEFAULT now(), note text,
            CONSTRAINT id_positive CHECK (id > 0),
            CONSTRAINT only_base CHECK (note <> '') NO INHERIT);
         CREATE TABLE other.tagged (tag text NOT NULL DEFAULT 'none', note text);
         -- a child with a column of its own
         CREATE TABLE invoice (amount numeric(10,2) NOT NULL) INHERITS (base);
         -- two parents: note comes from both, and is merged with the child's own
         CREATE TABLE tagged_invoice (note text, extra int,
            CONSTRAINT id_positive CHECK (id > 0),
            CONSTRAINT extra_small CHECK (extra < 100)) INHERITS (invoice, other.tagged);
         -- a grandchild of its own with no columns
         CREATE TABLE archived_invoice () INHERITS (invoice);
         COMMENT ON COLUMN invoice.id IS 'inherited, commented on the child';
         CREATE VIEW all_base AS SELECT id, note FROM base;",
    )
    .await;
    assert_eq!(m.tables[&q("invoice")].inherits, [q("base")]);
    assert_eq!(
        m.tables[&q("tagged_invoice")].inherits,
        [q("invoice"), QualName::new("other", "tagged")]
    );
    let ti = &m.tables[&q("tagged_invoice")];
    let col = |n: &str| ti.columns.iter().find(|c| c.name == n).expect(n);
    assert!(col("id").inherited && !col("id").merged);
    assert!(col("note").inherited && col("note").merged);
    assert!(!col("extra").inherited);
    assert!(
        !ti.constraints["id_positive"].inherited,
        "merged: its own too"
    );
    assert!(!ti.constraints.contains_key("only_base"));
    assert!(m.tables[&q("invoice")].constraints["id_positive"].inherited);
    // Parents first; only the child's own columns in its CREATE TABLE.
    let pos = |needle: &str| {
        rendering
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in:\n{rendering}"))
    };
    assert!(pos("CREATE TABLE \"public\".\"base\"") < pos("CREATE TABLE \"public\".\"invoice\""));
    assert!(
        pos("CREATE TABLE \"public\".\"invoice\"")
            < pos("CREATE TABLE \"public\".\"tagged_invoice\"")
    );
    assert!(rendering.contains(
        "CREATE TABLE \"public\".\"tagged_invoice\" (\n    \"note\" text,\n    \"extra\" integer\n) INHERITS (\"public\".\"invoice\", \"other\".\"tagged\");"
    ));
    assert!(rendering.contains(
        "CREATE TABLE \"public\".\"archived_invoice\" () INHERITS (\"public\".\"invoice\");"
    ));
}

#[tokio::test]
async fn child_defaults_and_not_null_differing_from_the_parent_round_trip() {
    let pool = Pool::default();
    let (m, rendering) = model(
        &pool,
        "CREATE TABLE parent (a int DEFAULT 1, b int NOT NULL, c text DEFAULT 'p', d int);
         CREATE TABLE child (c text) INHERITS (parent);
         ALTER TABLE ONLY child ALTER COLUMN a SET DEFAULT 2;
         ALTER TABLE ONLY child ALTER COLUMN b DROP NOT NULL;
         ALTER TABLE ONLY child ALTER COLUMN c DROP DEFAULT;
         ALTER TABLE ONLY child ALTER COLUMN d SET NOT NULL;
         CREATE TABLE child2 () INHERITS (parent);
         ALTER TABLE ONLY child2 ALTER COLUMN a DROP DEFAULT;",
    )
    .await;
    let child = &m.tables[&q("child")];
    let col = |n: &str| child.columns.iter().find(|c| c.name == n).expect(n);
    assert_eq!(col("a").default.as_deref(), Some("2"));
    assert!(!col("b").not_null && col("d").not_null);
    assert_eq!(col("c").default, None);
    for line in [
        "ALTER TABLE ONLY \"public\".\"child\" ALTER COLUMN \"a\" SET DEFAULT 2;",
        "ALTER TABLE ONLY \"public\".\"child\" ALTER COLUMN \"b\" DROP NOT NULL;",
        "ALTER TABLE ONLY \"public\".\"child\" ALTER COLUMN \"c\" DROP DEFAULT;",
        "ALTER TABLE ONLY \"public\".\"child\" ALTER COLUMN \"d\" SET NOT NULL;",
        "ALTER TABLE ONLY \"public\".\"child2\" ALTER COLUMN \"a\" DROP DEFAULT;",
    ] {
        assert!(rendering.contains(line), "{line} not in:\n{rendering}");
    }
}

#[tokio::test]
async fn attached_children_and_parents_changed_after_round_trip() {
    let pool = Pool::default();
    // INHERIT makes every column and check the child's own too (merged); a column added to the
    // parent afterwards is inherited only (and comes after the child's own columns in the
    // catalog: the model has it first, where a dump makes it); a parent's NOT VALID check is
    // inherited NOT VALID.
    let (m, _) = model(
        &pool,
        "CREATE TABLE parent (a int, b text, CONSTRAINT a_pos CHECK (a > 0));
         CREATE TABLE child (a int, b text, own int, CONSTRAINT a_pos CHECK (a > 0));
         ALTER TABLE child INHERIT parent;
         ALTER TABLE parent ADD COLUMN later int DEFAULT 7;
         ALTER TABLE parent ADD CONSTRAINT b_short CHECK (length(b) < 10) NOT VALID;
         CREATE TABLE plain_child (x int, own int) INHERITS (parent);
         CREATE TABLE other (x int);
         ALTER TABLE plain_child INHERIT other;",
    )
    .await;
    let child = &m.tables[&q("child")];
    let names: Vec<&str> = child.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "later", "own"]);
    assert!(child.columns.iter().any(|c| c.name == "a" && c.merged));
    assert!(child
        .columns
        .iter()
        .any(|c| c.name == "later" && c.inherited && !c.merged));
    assert!(child.constraints["b_short"].inherited);
    assert_eq!(
        m.tables[&q("plain_child")].inherits,
        [q("parent"), q("other")]
    );
}
