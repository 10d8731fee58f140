use std::collections::BTreeSet;

use super::*;

fn input_site(with_graph: bool) -> Site {
    let schema = crate::erd::tests::small();
    let graph = crate::lanes::fixtures::branched();
    site(&DocInput {
        title: "Small".into(),
        schema: &schema,
        graph: with_graph.then_some(&graph),
    })
}

/// Every `href="..."`/`src="..."` of a page, resolved against the page's folder.
fn local_links(path: &str, html: &str) -> Vec<String> {
    let dir: Vec<&str> = path.split('/').collect();
    let dir = &dir[..dir.len() - 1];
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for piece in html.split(attr).skip(1) {
            let target = piece.split('"').next().unwrap_or("");
            let target = target.split('#').next().unwrap_or("");
            if target.is_empty() || target.starts_with("http") {
                continue;
            }
            let mut parts: Vec<&str> = dir.to_vec();
            for seg in target.split('/') {
                if seg == ".." {
                    parts.pop();
                } else {
                    parts.push(seg);
                }
            }
            out.push(parts.join("/"));
        }
    }
    out
}

#[test]
fn every_table_has_a_page_and_every_link_resolves() {
    let site = input_site(true);
    let schema = crate::erd::tests::small();
    for name in schema.tables.keys().chain(schema.views.keys()) {
        let page = &site[&table_file(name)];
        assert!(page.contains(&format!("<h1>{}.{}", name.schema, name.name)));
    }
    let files: BTreeSet<&String> = site.keys().collect();
    for (path, text) in &site {
        if !path.ends_with(".html") {
            continue;
        }
        for target in local_links(path, text) {
            assert!(files.contains(&target), "{path} links to missing {target}");
        }
        // No CDN, no server: nothing but the SVG namespace names the network.
        let external = text.matches("http").count();
        assert_eq!(
            external,
            text.matches("http://www.w3.org/2000/svg").count(),
            "{path}"
        );
    }
    let users = &site["tables/public.users.html"];
    assert!(users.contains("Referenced by") && users.contains("documents_owner_id_fkey"));
    let history = &site["history.html"];
    assert!(history.contains("id=\"rev-a0base\"") && history.contains("(empty)"));
    assert!(site["assets/search-index.js"].contains("public.users.email"));
    assert_eq!(site, input_site(true), "deterministic");
    insta::assert_snapshot!("users_page", users);
}

#[test]
fn without_a_project_the_history_says_so() {
    let site = input_site(false);
    assert!(site["history.html"].contains("No revision history"));
}

#[test]
fn odd_names_are_safe_file_names() {
    let name = crate::schema::QualName::new("My Schema", "a/b\"c");
    assert_eq!(table_file(&name), "tables/My%20Schema.a%2Fb%22c.html");
}

/// The history page lists what each revision runs and what `retort lint` finds in it.
#[test]
fn history_shows_operations_and_hazards() {
    let text = "-- revision: c1ops\n-- down_revision: \n-- message: index users\n\n-- retort:up\nALTER TABLE users ADD COLUMN age bigint;\nCREATE INDEX users_age ON users (age);\n-- retort:down\nDROP INDEX users_age;\n";
    let file =
        crate::script::parse_revision_file(std::path::Path::new("001_c1ops.sql"), text.as_bytes())
            .expect("valid file");
    let graph = crate::graph::build(vec![file], &[]).expect("graph");
    let schema = crate::erd::tests::small();
    let site = site(&DocInput {
        title: "t".into(),
        schema: &schema,
        graph: Some(&graph),
    });
    let history = &site["history.html"];
    assert!(history.contains("<h3>Operations (2)</h3>"), "{history}");
    assert!(history.contains("<span class=\"muted\">line 7</span> <code>CREATE INDEX users_age ON users (age)</code>"), "{history}");
    assert!(history.contains("<h3>Hazards ("), "{history}");
    assert!(history.contains("require-lock-timeout"), "{history}");
    assert!(
        history.contains("require-concurrent-index-creation"),
        "{history}"
    );
}
