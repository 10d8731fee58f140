//! Revisions embedded in the binary at compile time run like files on disk, and errors in them
//! still point at their lines.

use retort::config::Config;
use retort::project::Project;
use retort::runner::{Migrator, Quiet, RunError, RunOptions};

static MIGRATIONS: &[(&str, &str)] = retort::embed_migrations!("tests/fixtures/embedded");

#[test]
fn embeds_sql_files_only_in_name_order() {
    let names: Vec<&str> = MIGRATIONS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["0001_e1.sql", "0002_e2.sql"]);
}

#[tokio::test]
async fn embedded_revisions_apply_and_errors_point_at_lines() {
    let db = retort_test_support::fresh_database().await;
    let project = Project::from_embedded(Config::defaults(std::path::Path::new(".")), MIGRATIONS)
        .expect("valid");
    let m = Migrator::new(project, RunOptions::default());
    m.upgrade(&db.url, "e1", &Quiet).await.expect("e1");
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("e2 fails");
    let RunError::Migration(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.location, "migrations/0002_e2.sql:7:34");
    assert_eq!(m.current(&db.url).await.expect("current"), ["e1"]);
}
