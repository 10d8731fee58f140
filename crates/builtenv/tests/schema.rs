//! The migrated schema against the models, and the database-side behaviour the service relies
//! on: enum labels, every column of every table read by the models, updated_at kept by the
//! trigger, the trigram index.

mod support;

use builtenv::models::{
    AuditEvent, Document, Project, Subscription, Tenant, User, ENUM_TYPES, TABLES,
};

#[tokio::test]
async fn models_match_the_migrated_schema() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let client = db.connect().await;

    for (name, labels) in ENUM_TYPES {
        let rows = client
            .query(
                "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = $1::text::regtype ORDER BY enumsortorder",
                &[name],
            )
            .await
            .unwrap_or_else(|e| panic!("enum {name}: {e}"));
        let found: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(found, *labels, "enum {name}");
    }

    let tables: Vec<String> = client
        .query(
            "SELECT relname::text FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace AND relname NOT LIKE 'retort%' ORDER BY relname",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut expected: Vec<&str> = TABLES.to_vec();
    expected.sort_unstable();
    assert_eq!(tables, expected);

    // One row per table, every column from its default where it has one; each model reads the
    // whole row (a column without a field, or a field without a column, fails here).
    client
        .batch_execute(
            "INSERT INTO tenants (id, name, slug, email) VALUES ('00000000-0000-4000-8000-00000000000a', 'A', 'a', 'a@a.test');
             INSERT INTO users (id, tenant_id, email, hashed_password) VALUES ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000a', 'u@a.test', 'h');
             INSERT INTO subscriptions (tenant_id) VALUES ('00000000-0000-4000-8000-00000000000a');
             INSERT INTO projects (id, tenant_id, name) VALUES ('00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-00000000000a', 'P');
             INSERT INTO documents (tenant_id, project_id, filename, original_filename, file_path, file_size)
               VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000c', 'f', 'f', '/f', 1);
             INSERT INTO audit_events (tenant_id, user_id, event_type, action, ip_address)
               VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', 'ai.analysis', 'a', '10.1.2.3');",
        )
        .await
        .expect("rows");
    let row = |table: &'static str| {
        let client = &client;
        async move {
            let row = client
                .query_one(&format!("SELECT * FROM {table}"), &[])
                .await
                .expect("row");
            (row.len(), row)
        }
    };
    let (n, r) = row(Tenant::TABLE).await;
    let tenant = Tenant::from_row(&r).expect("tenant");
    assert_eq!(
        (n, tenant.country.as_str(), tenant.max_users),
        (18, "United Kingdom", 3)
    );
    let (n, r) = row(User::TABLE).await;
    let user = User::from_row(&r).expect("user");
    assert_eq!(
        (n, user.role, user.is_verified),
        (17, builtenv::models::UserRole::Member, false)
    );
    let (n, r) = row(Subscription::TABLE).await;
    let sub = Subscription::from_row(&r).expect("subscription");
    assert_eq!(
        (n, sub.amount.to_string(), sub.currency.as_str()),
        (19, "0.00".to_string(), "GBP")
    );
    let (n, r) = row(Project::TABLE).await;
    assert_eq!(n, 17);
    Project::from_row(&r).expect("project");
    let (n, r) = row(Document::TABLE).await;
    assert_eq!(n, 21);
    Document::from_row(&r).expect("document");
    let (n, r) = row(AuditEvent::TABLE).await;
    let event = AuditEvent::from_row(&r).expect("event");
    assert_eq!(
        (
            n,
            event.status.as_str(),
            event.ip_address.map(|i| i.to_string())
        ),
        (15, "success", Some("10.1.2.3".to_string()))
    );

    // Deleting a user keeps its events, and who acted (no foreign key since 6d2f8a41c9e3).
    let (_, r) = row(AuditEvent::TABLE).await;
    let acted = AuditEvent::from_row(&r).expect("event").user_id;
    assert!(acted.is_some());
    client
        .batch_execute("DELETE FROM users")
        .await
        .expect("delete user");
    let (_, r) = row(AuditEvent::TABLE).await;
    assert_eq!(AuditEvent::from_row(&r).expect("event").user_id, acted);
    // Deleting the tenant deletes everything of it.
    client
        .batch_execute("DELETE FROM tenants")
        .await
        .expect("delete tenant");
    for table in TABLES {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .expect("count")
            .get(0);
        assert_eq!(n, 0, "{table}");
    }
}

#[tokio::test]
async fn updated_at_is_kept_by_the_database() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let client = db.connect().await;
    client
        .batch_execute(
            "INSERT INTO tenants (name, slug, email, created_at, updated_at)
             VALUES ('A', 'a', 'a@a.test', '2020-01-01', '2020-01-01')",
        )
        .await
        .expect("insert");
    // An UPDATE that does not mention updated_at, and one that tries to set it, both get now().
    for sql in [
        "UPDATE tenants SET name = 'B'",
        "UPDATE tenants SET name = 'C', updated_at = '2001-01-01'",
    ] {
        client.batch_execute(sql).await.expect("update");
        let row = client
            .query_one(
                "SELECT created_at = '2020-01-01'::timestamptz, updated_at > now() - interval '1 minute' FROM tenants",
                &[],
            )
            .await
            .expect("times");
        assert_eq!(
            (row.get::<_, bool>(0), row.get::<_, bool>(1)),
            (true, true),
            "{sql}"
        );
    }
    let triggers: Vec<String> = client
        .query(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'trg\\_%\\_updated\\_at' ORDER BY 1",
            &[],
        )
        .await
        .expect("triggers")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        triggers,
        [
            "api_tokens",
            "documents",
            "projects",
            "subscriptions",
            "tenants",
            "users"
        ]
    );
}

#[tokio::test]
async fn text_search_uses_the_trigram_index() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let client = db.connect().await;
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .expect("set");
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT id FROM documents WHERE extracted_text ILIKE '%fire door%'",
            &[],
        )
        .await
        .expect("explain")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("ix_documents_extracted_text_trgm")),
        "{plan:#?}"
    );
}
