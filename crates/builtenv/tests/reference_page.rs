//! The API reference page (`/docs`) in headless Chromium: the page, made by the browser's run
//! of its inline script from the inlined OpenAPI document, shows every operation of
//! `/openapi.json`. Needs Debian's `chromium` (or CHROMIUM=/path); without it the test says it
//! skipped, unless RETORT_REQUIRE_CHROMIUM is set (CI), where it fails.

mod support;

use std::time::Duration;

use support::{http, Server};

fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(path);
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|b| (*b).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_shows_every_operation_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("RETORT_REQUIRE_CHROMIUM").is_none(),
            "RETORT_REQUIRE_CHROMIUM is set but no chromium was found"
        );
        eprintln!("SKIPPED: no chromium (apt-get install chromium, or set CHROMIUM=/path)");
        return;
    };
    let db = retort_test_support::fresh_database().await;
    let mut server = Server::spawn(&db.url, &["serve"]);
    let addr = server.addr().await;
    let (status, doc) = http(&addr, "GET", "/openapi.json", None).await;
    assert_eq!(status, 200);
    let profile = tempfile::tempdir().expect("profile dir");
    let run = tokio::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("http://{addr}/docs"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("chromium within 60 s")
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("builtenv API reference"),
        "{dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            let route = format!("data-route=\"{} {path}\"", method.to_uppercase());
            assert!(dom.contains(&route), "no {route} in the page:\n{dom}");
            found += 1;
        }
    }
    assert_eq!(found, 17);
}
