//! The migration kit on builtenv's migrations (on a server without TimescaleDB preloaded; see
//! timescale.rs for the hypertable branch).
//!
//! Alone in its test binary, hence on a server of its own: downgrading the initial revision drops
//! the cluster-wide role builtenv_app when no other database uses it, which would pull it from
//! under a test migrating another database of the same server at that moment.

mod kit;
mod support;

#[tokio::test]
async fn one_head_each_revision_reversible_and_base_restores_the_schema() {
    let migrator = support::migrator();
    kit::assert_single_head(&migrator);
    assert_eq!(
        kit::revisions_in_order(&migrator),
        ["3a9f1c2e7b64", "b7e24d90c1a5"]
    );
    let db = retort_test_support::fresh_database().await;
    let started = std::time::Instant::now();
    let (empty, head) = kit::assert_each_revision_reversible(&migrator, &db.url).await;
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
        "constraint public.fk_audit_events_tenant_id_user_id_users on audit_events: FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE SET NULL (user_id)",
    ] {
        assert!(
            head.iter().any(|l| l.contains(expected)),
            "no line with {expected:?} in the snapshot at head:\n{}",
            head.join("\n")
        );
    }
    kit::assert_downgrade_to_base_restores(&migrator, &db.url, &empty).await;
    eprintln!("migration kit: {:?}", started.elapsed());
}

/// The kit catches a down section that forgets something: here an index.
#[tokio::test]
async fn the_kit_catches_an_incomplete_down() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scripts = dir.path().join("migrations");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    let revision = |id: &str, down: &str, up_sql: &str, down_sql: &str| {
        format!(
            "-- revision: {id}\n-- down_revision: {down}\n-- message: {id}\n-- transactional: true\n\n\
             -- retort:up\n{up_sql}\n\n-- retort:down\n{down_sql}\n"
        )
    };
    std::fs::write(
        scripts.join("0001_a.sql"),
        revision(
            "aaaa00000001",
            "",
            "CREATE TABLE t (id int);",
            "DROP TABLE t;",
        ),
    )
    .expect("write");
    std::fs::write(
        scripts.join("0002_b.sql"),
        revision(
            "bbbb00000002",
            "aaaa00000001",
            "ALTER TABLE t ADD COLUMN v int;\nCREATE INDEX t_v ON t (id);",
            "ALTER TABLE t DROP COLUMN v;",
        ),
    )
    .expect("write");
    let project = retort::project::Project::open(retort::config::Config::defaults(dir.path()))
        .expect("valid project");
    let migrator = retort::runner::Migrator::new(project, retort::runner::RunOptions::default());
    let db = retort_test_support::fresh_database().await;
    let url = db.url.clone();
    let outcome =
        tokio::spawn(async move { kit::assert_each_revision_reversible(&migrator, &url).await })
            .await;
    let panic = outcome.expect_err("the kit must fail").into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("after downgrading bbbb00000002 to aaaa00000001")
            && message.contains("+ index CREATE INDEX t_v ON public.t USING btree (id) valid=t"),
        "{message}"
    );
}
