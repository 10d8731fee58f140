//! retort's test kit (`retort::testkit`) on builtenv's migrations (on a server without
//! TimescaleDB preloaded; see timescale.rs for the hypertable branch), and proofs that the kit
//! catches what it is for: an incomplete down section, models that drift from the migrations.
//!
//! Alone in its test binary, hence on a server of its own: downgrading the initial revision drops
//! the cluster-wide role builtenv_app when no other database uses it, which would pull it from
//! under a test migrating another database of the same server at that moment.

mod support;

use retort::schema::builder::{Column, SchemaBuilder, TableBuilder};
use retort::testkit::{self, KitError, ModelCheck};

#[tokio::test]
async fn one_head_each_revision_reversible_models_match_and_base_restores_the_schema() {
    let migrator = support::migrator();
    assert_eq!(
        testkit::single_head(&migrator).expect("one head"),
        "9a4e1b7c3f52"
    );
    assert_eq!(
        testkit::revisions_in_order(&migrator),
        [
            "3a9f1c2e7b64",
            "b7e24d90c1a5",
            "5c1d8e2f4a90",
            "8e3b6f1a2d47",
            "6d2f8a41c9e3",
            "9a4e1b7c3f52"
        ]
    );
    let db = retort_test_support::fresh_database().await;
    let started = std::time::Instant::now();
    // The Citus revision does nothing on a single node (and says so).
    let (empty, head) =
        testkit::up_down_up_each_revision_but(&migrator, &db.url, &["9a4e1b7c3f52"])
            .await
            .expect("each revision up, down, up");
    // What the snapshot sees at head, in outline (so that a snapshot missing a kind of object
    // would show here).
    for expected in [
        "extension pg_trgm",
        "extension uuid-ossp",
        "relation public.audit_events kind=r",
        "rls=t force_rls=f acl={postgres=arwdDxt/postgres,builtenv_app=ar/postgres}",
        "type public.eventtype kind=e labels=user.auth,user.action,",
        "function public.builtenv_current_tenant_id() returns uuid",
        "trigger CREATE TRIGGER trg_documents_updated_at BEFORE UPDATE ON public.documents",
        "policy public.documents tenant_isolation",
        "index CREATE INDEX ix_documents_tenant_id_content_hash ON public.documents USING btree (tenant_id, content_hash) valid=t",
        "index CREATE INDEX ix_documents_extracted_text_trgm ON public.documents USING gin (extracted_text gin_trgm_ops)",
        "schema public owner=pg_database_owner acl={pg_database_owner=UC/pg_database_owner,=U/pg_database_owner,builtenv_app=U/pg_database_owner}",
        "constraint public.fk_api_tokens_tenant_id_user_id_users on api_tokens: FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE",
        "constraint public.pk_audit_events on audit_events: PRIMARY KEY (tenant_id, id, \"timestamp\")",
        "constraint public.uq_api_tokens_tenant_id_token_hash on api_tokens: UNIQUE (tenant_id, token_hash)",
    ] {
        assert!(
            head.contains(expected),
            "no line with {expected:?} in the snapshot at head:\n{head}"
        );
    }
    // `retort check` as a test: the database at head has no difference from the models.
    testkit::model_matches_head(
        &migrator,
        &db.url,
        &builtenv::models::schema(),
        &ModelCheck {
            ignore: Some(builtenv::models::without_timescaledb),
            ..ModelCheck::default()
        },
    )
    .await
    .expect("the models match the migrated database");
    testkit::downgrade_to_base_restores(&migrator, &db.url, &empty)
        .await
        .expect("downgrade base restores the schema");
    eprintln!("migration kit: {:?}", started.elapsed());
}

/// A throwaway project of `revisions` (id, parent, up SQL, down SQL), one transactional file each.
fn project(
    dir: &std::path::Path,
    revisions: &[(&str, &str, &str, &str)],
) -> retort::runner::Migrator {
    let scripts = dir.join("migrations");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    for (n, (id, down, up_sql, down_sql)) in revisions.iter().enumerate() {
        std::fs::write(
            scripts.join(format!("{:04}_{id}.sql", n + 1)),
            format!(
                "-- revision: {id}\n-- down_revision: {down}\n-- message: {id}\n-- transactional: true\n\n\
                 -- retort:up\n{up_sql}\n\n-- retort:down\n{down_sql}\n"
            ),
        )
        .expect("write");
    }
    let project = retort::project::Project::open(retort::config::Config::defaults(dir))
        .expect("valid project");
    retort::runner::Migrator::new(project, retort::runner::RunOptions::default())
}

/// The kit catches a down section that forgets something: here an index.
#[tokio::test]
async fn the_kit_catches_an_incomplete_down() {
    let dir = tempfile::tempdir().expect("tempdir");
    let migrator = project(
        dir.path(),
        &[
            (
                "aaaa00000001",
                "",
                "CREATE TABLE t (id int);",
                "DROP TABLE t;",
            ),
            (
                "bbbb00000002",
                "aaaa00000001",
                "ALTER TABLE t ADD COLUMN v int;\nCREATE INDEX t_v ON t (id);",
                "ALTER TABLE t DROP COLUMN v;",
            ),
        ],
    );
    let db = retort_test_support::fresh_database().await;
    let err = testkit::up_down_up_each_revision(&migrator, &db.url)
        .await
        .expect_err("the kit must fail");
    let message = err.to_string();
    assert!(
        matches!(err, KitError::SchemaDiffers { .. })
            && message.contains("after downgrading bbbb00000002 to aaaa00000001")
            && message.contains("+ index CREATE INDEX t_v ON public.t USING btree (id) valid=t"),
        "{message}"
    );
}

/// The model check catches models that drift from the migrations: a column in the models that
/// no revision adds, and one the database has that the models lost.
#[tokio::test]
async fn the_model_check_catches_a_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let migrator = project(
        dir.path(),
        &[(
            "aaaa00000001",
            "",
            "CREATE TABLE t (id int PRIMARY KEY, gone text);",
            "DROP TABLE t;",
        )],
    );
    let models = |columns: &[(&str, &str)]| {
        let mut t = TableBuilder::new("public", "t")
            .column(Column::new("id", "int").not_null().primary_key());
        for (name, ty) in columns {
            t = t.column(Column::new(*name, *ty));
        }
        SchemaBuilder::new().table(t).build().expect("models")
    };
    let db = retort_test_support::fresh_database().await;
    let check = ModelCheck::default();
    testkit::model_matches_head(&migrator, &db.url, &models(&[("gone", "text")]), &check)
        .await
        .expect("the models as migrated");

    let err = testkit::model_matches_head(
        &migrator,
        &db.url,
        &models(&[("gone", "text"), ("summary", "text")]),
        &check,
    )
    .await
    .expect_err("a column only in the models");
    let message = err.to_string();
    let KitError::ModelDrift { summaries, .. } = &err else {
        panic!("{message}");
    };
    assert_eq!(summaries, &["add column public.t.summary"], "{message}");
    assert!(
        message.contains("1 operation would make it equal:\n- add column public.t.summary\n")
            && message.contains(r#"ALTER TABLE "public"."t" ADD COLUMN "summary" text;"#),
        "{message}"
    );

    let err = testkit::model_matches_head(&migrator, &db.url, &models(&[]), &check)
        .await
        .expect_err("a column only in the database");
    let KitError::ModelDrift { summaries, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(summaries, &["drop column public.t.gone"], "{err}");
}
