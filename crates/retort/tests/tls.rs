//! TLS against a real PostgreSQL with `ssl = on` and a self-signed certificate: libpq's sslmode
//! meanings (`require` encrypts without verifying; `verify-full` checks the certificate against
//! `sslrootcert` or the system's roots) and clear errors when verification fails.

use std::process::Command;

use retort::db::Endpoint;
use retort::devdb::LocalCluster;

async fn uses_tls(url: &str) -> Result<String, String> {
    let client = Endpoint::parse(url)
        .map_err(|e| e.to_string())?
        .connect("retort tls test")
        .await
        .map_err(|e| e.to_string())?;
    let rows = client
        .simple_query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap_or_default())
}

#[tokio::test]
async fn sslmodes_against_a_tls_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let cluster_dir = dir.path().join("pg");
    let cluster = LocalCluster::new(&cluster_dir)
        .expect("binaries")
        .with_settings(false, port);
    cluster.init().expect("initdb");
    // A test CA, and a server certificate for "localhost" signed by it.
    let (cert, key) = (
        cluster_dir.join("server.crt"),
        cluster_dir.join("server.key"),
    );
    let ca = dir.path().join("ca.crt");
    let sh = format!(
        "set -e; cd {d}; \
         openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=retort-test-ca -keyout ca.key -out ca.crt; \
         openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout {key} -out server.csr; \
         printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf; \
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out {cert}",
        d = dir.path().display(),
        key = key.display(),
        cert = cert.display()
    );
    let ok = Command::new("sh")
        .arg("-c")
        .arg(&sh)
        .output()
        .expect("openssl");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    if let Some(user) = cluster.run_as() {
        Command::new("chown")
            .arg(user)
            .arg(&key)
            .arg(&cert)
            .status()
            .expect("chown");
    }
    Command::new("chmod")
        .arg("600")
        .arg(&key)
        .status()
        .expect("chmod");
    let cluster = cluster
        .with_setting("listen_addresses", "127.0.0.1")
        .with_setting("ssl", "on")
        .with_setting("ssl_cert_file", &cert.display().to_string())
        .with_setting("ssl_key_file", &key.display().to_string());
    let _server = cluster.start_attached(true).expect("start with ssl");
    let base = format!("postgresql://postgres@localhost:{port}/postgres");
    assert_eq!(
        uses_tls(&format!("{base}?sslmode=require"))
            .await
            .as_deref(),
        Ok("true")
    );
    assert_eq!(
        uses_tls(&format!("{base}?sslmode=prefer")).await.as_deref(),
        Ok("true")
    );
    assert_eq!(
        uses_tls(&format!("{base}?sslmode=disable"))
            .await
            .as_deref(),
        Ok("false")
    );
    assert_eq!(
        uses_tls(&format!(
            "{base}?sslmode=verify-full&sslrootcert={}",
            ca.display()
        ))
        .await
        .as_deref(),
        Ok("true")
    );
    let err = uses_tls(&format!("{base}?sslmode=verify-full"))
        .await
        .expect_err("self-signed is not trusted by the system");
    assert!(
        err.contains("cannot reach the database server at localhost")
            && err.to_lowercase().contains("certificate"),
        "{err}"
    );
    let err = uses_tls(&format!(
        "{base}?sslmode=verify-full&sslrootcert=/nonexistent.pem"
    ))
    .await
    .expect_err("missing CA file");
    assert!(
        err.contains("cannot set up TLS (sslrootcert=/nonexistent.pem)"),
        "{err}"
    );
}
