//! Table inheritance (`INHERITS`) in the diff, on real PostgreSQL, as in `diff_ops.rs`: each
//! scenario loads an old and a new schema, diffs them, applies the up SQL (the result must equal
//! the new schema, column order aside, and a second diff must be empty), then the down SQL (the
//! result must equal the old schema). Up and down SQL are snapshotted. What PostgreSQL cannot do
//! is refused, naming the table.

mod schema_common;

use retort::diff::{diff, DiffError, DiffOptions};
use retort::schema::Schema;
use retort_test_support::fresh_database;
use schema_common::{apply_checked, load, read};

async fn models(old_sql: &str, new_sql: &str) -> (Schema, Schema, tokio_postgres::Client) {
    let a = fresh_database().await;
    let b = fresh_database().await;
    let ca = a.connect().await;
    let cb = b.connect().await;
    load(&ca, old_sql).await.expect("old loads");
    load(&cb, new_sql).await.expect("new loads");
    let old = read(&ca).await;
    let new = read(&cb).await;
    assert!(old.unsupported.is_empty(), "{:?}", old.unsupported);
    assert!(new.unsupported.is_empty(), "{:?}", new.unsupported);
    (old, new, ca)
}

/// Run a scenario; returns the snapshot text (up, hazards, down).
async fn scenario(old_sql: &str, new_sql: &str) -> String {
    let (old, new, ca) = models(old_sql, new_sql).await;
    let options = DiffOptions::default();
    let (up, after) = apply_checked(&ca, &old, &new, &options, "up").await;
    assert!(!up.is_empty(), "the scenario changes nothing");
    let again = diff(&after, &new, &options).expect("diff again");
    assert!(again.is_empty(), "second diff: {}", again.sql());
    let (down, back) = apply_checked(&ca, &after, &old, &options, "down").await;
    let again = diff(&back, &old, &options).expect("diff again");
    assert!(again.is_empty(), "second diff after down: {}", again.sql());
    let hazards: Vec<&str> = up.hazards().iter().map(|h| h.name()).collect();
    format!(
        "-- up (transactional: {}; hazards: {})\n{}\n-- down\n{}",
        up.transactional(),
        hazards.join(", "),
        up.sql(),
        down.sql()
    )
}

/// The diff (one way) must be refused, naming `table`.
async fn refused(old_sql: &str, new_sql: &str, table: &str) -> String {
    let (old, new, _) = models(old_sql, new_sql).await;
    match diff(&old, &new, &DiffOptions::default()) {
        Err(e @ DiffError::Unsupported { .. }) => {
            let text = e.to_string();
            assert!(text.contains(table), "{text} does not name {table}");
            text
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(d) => panic!("not refused:\n{}", d.sql()),
    }
}

macro_rules! case {
    ($name:ident, $old:expr, $new:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let text = scenario($old, $new).await;
            insta::assert_snapshot!(text);
        }
    };
}

const PARENT: &str = "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', \
    CONSTRAINT id_positive CHECK (id > 0));";

case!(
    create_child_with_local_columns,
    PARENT,
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed',
        CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE book (isbn text NOT NULL, pages int CHECK (pages > 0)) INHERITS (item);
     COMMENT ON COLUMN book.name IS 'the title';"
);

case!(
    create_child_of_two_parents_with_a_merged_column,
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE priced (price numeric(10,2) NOT NULL DEFAULT 0, name text);",
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE priced (price numeric(10,2) NOT NULL DEFAULT 0, name text);
     CREATE TABLE product (name text DEFAULT 'product', sku text,
        CONSTRAINT id_positive CHECK (id > 0)) INHERITS (item, priced);"
);

case!(
    create_parent_child_and_grandchild_together,
    "CREATE TABLE unrelated (x int);",
    "CREATE TABLE unrelated (x int);
     CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE ebook (url text, CONSTRAINT url_https CHECK (url LIKE 'https:%')) INHERITS (book);"
);

case!(
    child_defaults_and_not_null_differ_from_the_parent,
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', qty int, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE book (isbn text) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', qty int, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE book (isbn text) INHERITS (item);
     ALTER TABLE ONLY book ALTER COLUMN name SET DEFAULT 'untitled';
     ALTER TABLE ONLY book ALTER COLUMN qty SET NOT NULL;
     ALTER TABLE ONLY book ALTER COLUMN qty SET DEFAULT 1;
     CREATE TABLE pamphlet () INHERITS (item);
     ALTER TABLE ONLY pamphlet ALTER COLUMN name DROP DEFAULT;
     ALTER TABLE ONLY pamphlet ALTER COLUMN id DROP NOT NULL;"
);

case!(
    parent_defaults_and_not_null_change_children_keep_theirs,
    "CREATE TABLE item (id bigint NOT NULL, name text DEFAULT 'unnamed', qty int);
     CREATE TABLE book (isbn text) INHERITS (item);",
    "CREATE TABLE item (id bigint, name text DEFAULT 'nameless', qty int NOT NULL);
     CREATE TABLE book (isbn text) INHERITS (item);
     ALTER TABLE ONLY book ALTER COLUMN id SET NOT NULL;
     ALTER TABLE ONLY book ALTER COLUMN name SET DEFAULT 'unnamed';
     ALTER TABLE ONLY book ALTER COLUMN qty DROP NOT NULL;"
);

case!(
    checks_inherited_own_and_no_inherit,
    "CREATE TABLE item (id bigint NOT NULL, name text);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE map (scale int, CONSTRAINT name_set CHECK (name IS NOT NULL)) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL, name text,
        CONSTRAINT id_positive CHECK (id > 0),
        CONSTRAINT name_set CHECK (name IS NOT NULL),
        CONSTRAINT only_items CHECK (id < 1000) NO INHERIT);
     CREATE TABLE book (isbn text, CONSTRAINT isbn_set CHECK (isbn <> '')) INHERITS (item);
     CREATE TABLE map (scale int, CONSTRAINT name_set CHECK (name IS NOT NULL)) INHERITS (item);"
);

case!(
    column_added_to_a_parent_reaches_children_once,
    "CREATE TABLE item (id bigint NOT NULL);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE ebook (url text) INHERITS (book);
     CREATE TABLE map (scale int, note text) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL, note text, qty int NOT NULL DEFAULT 0);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE ebook (url text) INHERITS (book);
     CREATE TABLE map (scale int, note text) INHERITS (item);
     ALTER TABLE ONLY book ALTER COLUMN qty SET DEFAULT 1;"
);

case!(
    column_added_to_parent_and_child_at_once_is_merged,
    "CREATE TABLE item (id bigint NOT NULL, label varchar(10));
     CREATE TABLE book (isbn text, label varchar(10)) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL, note text, label varchar(40));
     CREATE TABLE book (isbn text, note text, label varchar(40)) INHERITS (item);"
);

case!(
    column_dropped_from_a_parent,
    "CREATE TABLE item (id bigint NOT NULL, note text, gone int);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE map (scale int, note text) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE map (scale int, note text) INHERITS (item);"
);

case!(
    column_type_changes_on_the_parent_with_a_view_over_it,
    "CREATE TABLE item (id int NOT NULL, name varchar(20));
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE VIEW item_names AS SELECT id, name FROM item;
     CREATE VIEW book_names AS SELECT id, name, isbn FROM book;",
    "CREATE TABLE item (id bigint NOT NULL, name varchar(20));
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE map (scale int) INHERITS (item);
     CREATE VIEW item_names AS SELECT id, name FROM item;
     CREATE VIEW book_names AS SELECT id, name, isbn FROM book;"
);

case!(
    inherit_and_no_inherit,
    "CREATE TABLE item (id bigint NOT NULL, name text, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE tagged (tag text);
     CREATE TABLE book (id bigint NOT NULL, name text, isbn text, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE map (scale int, tag text) INHERITS (item, tagged);",
    "CREATE TABLE item (id bigint NOT NULL, name text, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE tagged (tag text);
     CREATE TABLE book (id bigint NOT NULL, name text, isbn text, CONSTRAINT id_positive CHECK (id > 0));
     ALTER TABLE book INHERIT item;
     CREATE TABLE map (scale int, tag text) INHERITS (item);"
);

case!(
    drop_child,
    "CREATE TABLE item (id bigint NOT NULL);
     CREATE TABLE book (isbn text) INHERITS (item);",
    "CREATE TABLE item (id bigint NOT NULL);"
);

case!(
    drop_parent_and_children_together,
    "CREATE TABLE a_unrelated (x int);
     CREATE TABLE item (id bigint NOT NULL);
     CREATE TABLE book (isbn text) INHERITS (item);
     CREATE TABLE a_ebook (url text) INHERITS (book);",
    "CREATE TABLE a_unrelated (x int);"
);

case!(
    drop_parent_child_stays,
    "CREATE TABLE item (id bigint NOT NULL, CONSTRAINT id_positive CHECK (id > 0));
     CREATE TABLE book (id bigint NOT NULL, isbn text, CONSTRAINT id_positive CHECK (id > 0))
        INHERITS (item);",
    "CREATE TABLE book (id bigint NOT NULL, isbn text, CONSTRAINT id_positive CHECK (id > 0));"
);

/// Up only: the way back is refused (an inherited-only column cannot be made by INHERIT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_parent_child_with_inherited_only_columns_stays() {
    let old_sql = "CREATE TABLE item (id bigint NOT NULL, CONSTRAINT id_positive CHECK (id > 0));
         CREATE TABLE book (isbn text) INHERITS (item);";
    let new_sql =
        "CREATE TABLE book (id bigint NOT NULL, isbn text, CONSTRAINT id_positive CHECK (id > 0));";
    let (old, new, ca) = models(old_sql, new_sql).await;
    let (up, after) = apply_checked(&ca, &old, &new, &DiffOptions::default(), "up").await;
    assert!(diff(&after, &new, &DiffOptions::default())
        .expect("diff again")
        .is_empty());
    insta::assert_snapshot!(up.sql());
    let text = refused(new_sql, old_sql, "public.book").await;
    assert!(text.contains("column id"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_postgresql_cannot_do_is_refused() {
    // INHERIT merges the table's columns with the parent's: they stay its own too.
    let text = refused(
        "CREATE TABLE item (id bigint NOT NULL); CREATE TABLE book (id bigint NOT NULL, isbn text);",
        "CREATE TABLE item (id bigint NOT NULL); CREATE TABLE book (isbn text) INHERITS (item);",
        "public.book",
    )
    .await;
    assert!(text.contains("column id"), "{text}");
    // An inherited column cannot be made the child's own (local) again while inherited.
    let text = refused(
        "CREATE TABLE item (id bigint NOT NULL); CREATE TABLE book (isbn text) INHERITS (item);",
        "CREATE TABLE item (id bigint NOT NULL); CREATE TABLE book (id bigint NOT NULL, isbn text) INHERITS (item);",
        "public.book",
    )
    .await;
    assert!(text.contains("column id"), "{text}");
    // A check the table has of its own cannot become inherited only.
    let text = refused(
        "CREATE TABLE item (id bigint, CONSTRAINT p CHECK (id > 0));
         CREATE TABLE book (isbn text, CONSTRAINT p CHECK (id > 0)) INHERITS (item);",
        "CREATE TABLE item (id bigint, CONSTRAINT p CHECK (id > 0));
         CREATE TABLE book (isbn text) INHERITS (item);",
        "public.book",
    )
    .await;
    assert!(text.contains("check p"), "{text}");
}
