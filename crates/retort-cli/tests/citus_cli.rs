//! Citus through the `retort` binary, on a coordinator and two workers (skipped, with a message,
//! where Citus is not installed): `schema dump` prints the distribution, `diff --summary` between
//! a single-node database and the same schema distributed says what moves, both ways, with its
//! hazards, and `--exit-code` tells them apart.

use std::process::Command;

use retort_test_support::citus::CitusCluster;
use retort_test_support::connect;

const TABLES: &str = "
CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (tenant_id uuid NOT NULL, id uuid NOT NULL, email text NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE TABLE documents (tenant_id uuid NOT NULL, id uuid NOT NULL, user_id uuid,
    PRIMARY KEY (tenant_id, id));
";

const DISTRIBUTION: &str = "
SELECT create_reference_table('tenants');
SELECT create_distributed_table('users', 'tenant_id', colocate_with => 'none', shard_count => 4);
SELECT create_distributed_table('documents', 'tenant_id', colocate_with => 'users');
";

const FOREIGN_KEYS: &str = "
ALTER TABLE users ADD FOREIGN KEY (tenant_id) REFERENCES tenants(id);
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id);
";

fn retort(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .env("NO_COLOR", "1")
        .env_remove("RETORT_CONFIG")
        .env_remove("DATABASE_URL")
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run retort");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

async fn database(cluster: &CitusCluster, name: &str, sql: &str) -> String {
    let url = cluster.database(name).await.expect("citus database");
    // One query string runs as one transaction: Citus then needs one connection per node.
    let sql = format!("SET citus.multi_shard_modify_mode TO 'sequential';\n{sql}");
    connect(&url)
        .await
        .batch_execute(&sql)
        .await
        .expect("loads");
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citus_through_the_binary() {
    let Some(cluster) = CitusCluster::start_or_skip("citus_through_the_binary") else {
        return;
    };
    let single = database(&cluster, "single", &format!("{TABLES}{FOREIGN_KEYS}")).await;
    let distributed = database(
        &cluster,
        "distributed",
        &format!("{TABLES}{DISTRIBUTION}{FOREIGN_KEYS}"),
    )
    .await;

    let (code, dump, err) = retort(&["schema", "dump", "--database-url", &distributed]);
    assert_eq!(code, 0, "{err}");
    let section: String = dump
        .split("\n-- ")
        .filter(|s| s.starts_with("distribution"))
        .collect();
    insta::assert_snapshot!("dump_distribution", section);

    let (code, up, err) = retort(&["diff", &single, &distributed, "--summary"]);
    assert_eq!(code, 0, "{err}");
    let (code, down, err) = retort(&["diff", &distributed, &single, "--summary", "--exit-code"]);
    assert_eq!(code, 1, "the sides differ: {err}");
    insta::assert_snapshot!("diff_summary", format!("{up}\n-- down\n{down}"));
    let (code, same, err) = retort(&["diff", &distributed, &distributed, "--exit-code"]);
    assert_eq!((code, same.trim()), (0, ""), "{err}");
}
