//! `retort::testkit` on small projects: each check passes on good revisions and fails, saying
//! what differs, on the fault it is there to catch. (builtenv's tests run it on a real project.)

use std::path::Path;

use retort::config::Config;
use retort::project::Project;
use retort::runner::{Migrator, RunOptions};
use retort::schema::builder::{Column, SchemaBuilder, TableBuilder};
use retort::testkit::{self, KitError, ModelCheck};

/// A project of `revisions` (id, parents, up SQL, down SQL), one transactional file each.
fn project(dir: &Path, revisions: &[(&str, &str, &str, &str)]) -> Migrator {
    let scripts = dir.join("migrations");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    for (n, (id, down, up_sql, down_sql)) in revisions.iter().enumerate() {
        std::fs::write(
            scripts.join(format!("{:04}_{id}.sql", n + 1)),
            format!(
                "-- revision: {id}\n-- down_revision: {down}\n-- message: {id}\n\
                 -- transactional: true\n\n-- retort:up\n{up_sql}\n\n-- retort:down\n{down_sql}\n"
            ),
        )
        .expect("write");
    }
    let project = Project::open(Config::defaults(dir)).expect("valid project");
    Migrator::new(project, RunOptions::default())
}

const A: (&str, &str, &str, &str) = (
    "aaaa00000001",
    "",
    "CREATE TABLE t (id int PRIMARY KEY);",
    "DROP TABLE t;",
);

#[test]
fn single_head_names_the_heads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = project(dir.path(), &[A]);
    assert_eq!(
        testkit::single_head(&one).expect("one head"),
        "aaaa00000001"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let two = project(
        dir.path(),
        &[
            A,
            ("bbbb00000002", "aaaa00000001", "SELECT 1;", "SELECT 1;"),
            ("cccc00000003", "aaaa00000001", "SELECT 1;", "SELECT 1;"),
        ],
    );
    let err = testkit::single_head(&two).expect_err("two heads");
    assert!(matches!(err, KitError::Heads { .. }));
    assert_eq!(
        err.to_string(),
        "the migrations have 2 heads (bbbb00000002, cccc00000003); merge them (`retort merge heads -m ...`)"
    );
}

#[tokio::test]
async fn good_revisions_pass_every_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let migrator = project(
        dir.path(),
        &[
            A,
            (
                "bbbb00000002",
                "aaaa00000001",
                "ALTER TABLE t ADD COLUMN v text;\nCREATE INDEX t_v ON t (v);",
                "DROP INDEX t_v;\nALTER TABLE t DROP COLUMN v;",
            ),
        ],
    );
    assert_eq!(
        testkit::revisions_in_order(&migrator),
        ["aaaa00000001", "bbbb00000002"]
    );
    let db = retort_test_support::fresh_database().await;
    let (empty, head) = testkit::up_down_up_each_revision(&migrator, &db.url)
        .await
        .expect("reversible");
    assert!(head.contains("column public.t.v text"), "{head}");
    assert!(!empty.contains("public.t"), "{empty}");
    let models = SchemaBuilder::new()
        .table(
            TableBuilder::new("public", "t")
                .column(Column::new("id", "int").not_null().primary_key())
                .column(Column::new("v", "text"))
                .index(retort::schema::builder::Index::on(&["v"]).name("t_v")),
        )
        .build()
        .expect("models");
    testkit::model_matches_head(&migrator, &db.url, &models, &ModelCheck::default())
        .await
        .expect("the models match");
    testkit::downgrade_to_base_restores(&migrator, &db.url, &empty)
        .await
        .expect("base restores");
    // The version tables are not part of a snapshot.
    assert!(!testkit::snapshot_at(&migrator, &db.url)
        .await
        .expect("snapshot")
        .contains("retort_"));
}

#[tokio::test]
async fn a_revision_that_changes_nothing_and_a_failing_down_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let migrator = project(
        dir.path(),
        &[
            A,
            ("bbbb00000002", "aaaa00000001", "SELECT 1;", "SELECT 1;"),
        ],
    );
    let db = retort_test_support::fresh_database().await;
    let err = testkit::up_down_up_each_revision(&migrator, &db.url)
        .await
        .expect_err("an empty revision");
    assert_eq!(
        err.to_string(),
        "revision bbbb00000002 changed nothing in the schema"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let migrator = project(
        dir.path(),
        &[(
            "aaaa00000001",
            "",
            "CREATE TABLE t (id int);",
            "DROP TABLE nosuchtable;",
        )],
    );
    let db = retort_test_support::fresh_database().await;
    let err = testkit::up_down_up_each_revision(&migrator, &db.url)
        .await
        .expect_err("a down that fails");
    let message = err.to_string();
    assert!(
        matches!(err, KitError::Run { .. })
            && message.starts_with("downgrade of aaaa00000001 to base: "),
        "{message}"
    );
}
