use crate::schema::{Column, Constraint, ConstraintKind, EnumType, QualName, Schema, Table, View};

use super::*;

fn column(name: &str, ty: &str, not_null: bool) -> Column {
    Column {
        name: name.into(),
        data_type: ty.into(),
        not_null,
        ..Default::default()
    }
}

fn key(kind: ConstraintKind, cols: &[&str], references: Option<(&str, &str, &str)>) -> Constraint {
    let list = cols.join(", ");
    let definition = match (kind, references) {
        (ConstraintKind::ForeignKey, Some((s, t, c))) => {
            format!("FOREIGN KEY ({list}) REFERENCES {s}.{t}({c})")
        }
        (ConstraintKind::PrimaryKey, _) => format!("PRIMARY KEY ({list})"),
        _ => format!("UNIQUE ({list})"),
    };
    Constraint {
        kind,
        definition,
        columns: cols.iter().map(|c| (*c).to_string()).collect(),
        references: references.map(|(s, t, _)| QualName::new(s, t)),
        validated: true,
        ..Default::default()
    }
}

/// tenants ← users (tier enum) ← documents (nullable FK), a self reference, a view over two
/// tables, and an `audit` schema.
pub(crate) fn small() -> Schema {
    let mut s = Schema::default();
    s.enums.insert(
        QualName::new("public", "tier"),
        EnumType {
            labels: vec!["starter".into(), "pro".into()],
            comment: None,
            grants: None,
        },
    );
    let mut tenants = Table {
        columns: vec![column("id", "uuid", true), column("name", "text", true)],
        ..Default::default()
    };
    tenants.constraints.insert(
        "tenants_pkey".into(),
        key(ConstraintKind::PrimaryKey, &["id"], None),
    );
    let mut users = Table {
        columns: vec![
            column("id", "uuid", true),
            column("tenant_id", "uuid", true),
            column("email", "character varying(255)", true),
            column("tier", "public.tier", true),
            column("manager_id", "uuid", false),
        ],
        ..Default::default()
    };
    users.constraints.insert(
        "users_pkey".into(),
        key(ConstraintKind::PrimaryKey, &["id"], None),
    );
    users.constraints.insert(
        "users_email_key".into(),
        key(ConstraintKind::Unique, &["email"], None),
    );
    users.constraints.insert(
        "users_tenant_id_fkey".into(),
        key(
            ConstraintKind::ForeignKey,
            &["tenant_id"],
            Some(("public", "tenants", "id")),
        ),
    );
    users.constraints.insert(
        "users_manager_id_fkey".into(),
        key(
            ConstraintKind::ForeignKey,
            &["manager_id"],
            Some(("public", "users", "id")),
        ),
    );
    let mut documents = Table {
        columns: vec![
            column("id", "bigint", true),
            column("owner_id", "uuid", false),
        ],
        ..Default::default()
    };
    documents.constraints.insert(
        "documents_pkey".into(),
        key(ConstraintKind::PrimaryKey, &["id"], None),
    );
    documents.constraints.insert(
        "documents_owner_id_fkey".into(),
        key(
            ConstraintKind::ForeignKey,
            &["owner_id"],
            Some(("public", "users", "id")),
        ),
    );
    let mut events = Table {
        columns: vec![
            column("at", "timestamp with time zone", true),
            column("tenant_id", "uuid", false),
        ],
        ..Default::default()
    };
    events.constraints.insert(
        "events_tenant_id_fkey".into(),
        key(
            ConstraintKind::ForeignKey,
            &["tenant_id"],
            Some(("public", "tenants", "id")),
        ),
    );
    s.tables.insert(QualName::new("public", "tenants"), tenants);
    s.tables.insert(QualName::new("public", "users"), users);
    s.tables
        .insert(QualName::new("public", "documents"), documents);
    s.tables.insert(QualName::new("audit", "events"), events);
    s.views.insert(
        QualName::new("public", "user_documents"),
        View {
            definition: " SELECT u.email, d.id\n   FROM (public.users u\n     JOIN public.documents d ON ((d.owner_id = u.id)))\n  WHERE (u.email <> 'public.tenants'::text);".into(),
            columns: vec![column("email", "character varying(255)", false), column("id", "bigint", false)],
            ..Default::default()
        },
    );
    s
}

fn options() -> ErdOptions {
    ErdOptions {
        title: "Small".into(),
        ..Default::default()
    }
}

#[test]
fn model_of_a_small_schema() {
    let erd = erd_model(&small(), &options());
    let names: Vec<String> = erd
        .entities
        .iter()
        .map(|e| format!("{}.{}", e.name.schema, e.name.name))
        .collect();
    assert_eq!(
        names,
        [
            "audit.events",
            "public.documents",
            "public.tenants",
            "public.tier",
            "public.user_documents",
            "public.users"
        ]
    );
    let users = &erd.entities[5];
    assert_eq!(users.rows[0].keys, ["PK"]);
    assert_eq!(users.rows[1].keys, ["FK"]);
    assert_eq!(users.rows[2].keys, ["UK"]);
    let reads: Vec<&str> = erd
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Reads)
        .map(|l| l.to.name.as_str())
        .collect();
    // The quoted 'public.tenants' is a literal, not a relation read.
    assert_eq!(reads, ["documents", "users"]);
    let fk = erd
        .links
        .iter()
        .find(|l| l.name == "documents_owner_id_fkey")
        .expect("fk");
    assert_eq!(
        fk.kind,
        LinkKind::ForeignKey {
            optional: true,
            unique: false
        }
    );
    assert_eq!(fk.to_columns, ["id"]);
}

#[test]
fn filters_by_schema_and_pattern() {
    let mut o = options();
    o.schemas = vec!["public".into()];
    o.tables = vec!["u*".into()];
    let erd = erd_model(&small(), &o);
    let names: Vec<&str> = erd.entities.iter().map(|e| e.name.name.as_str()).collect();
    // users, the view, and the enum users uses; no link to the tenants not drawn.
    assert_eq!(names, ["tier", "user_documents", "users"]);
    assert!(erd.links.iter().all(|l| l.to.name != "tenants"));
    o.tables = vec!["public.t?nants".into()];
    let erd = erd_model(&small(), &o);
    assert_eq!(erd.entities.len(), 1);
}

#[test]
fn small_schema_text_formats() {
    let erd = erd_model(&small(), &options());
    insta::assert_snapshot!("small_mermaid", erd_mermaid(&erd));
    insta::assert_snapshot!("small_dot", erd_dot(&erd));
}

#[test]
fn small_schema_svg() {
    let erd = erd_model(&small(), &options());
    let svg = erd_svg(&erd);
    assert_eq!(
        svg,
        erd_svg(&erd_model(&small(), &options())),
        "same schema, same bytes"
    );
    no_route_crosses_a_box(&erd);
    insta::assert_snapshot!("small_svg", svg);
    let html = erd_html(&erd);
    assert!(html.contains(&svg) && html.contains("id=\"search\""));
}

/// 70 tables in 3 schemas: each references one or two earlier ones.
pub(crate) fn seventy() -> Schema {
    let mut s = Schema::default();
    for i in 0..70usize {
        let schema = ["app", "billing", "ops"][i % 3];
        let mut t = Table {
            columns: vec![
                column("id", "bigint", true),
                column("name", "text", i % 2 == 0),
            ],
            ..Default::default()
        };
        t.constraints.insert(
            format!("t{i:02}_pkey"),
            key(ConstraintKind::PrimaryKey, &["id"], None),
        );
        for (n, parent) in [i / 2, i / 3 + 1].into_iter().enumerate() {
            if parent < i && (n == 0 || i % 4 == 0) {
                let col = format!("ref{n}_id");
                t.columns.push(column(&col, "bigint", n == 0));
                let pschema = ["app", "billing", "ops"][parent % 3];
                t.constraints.insert(
                    format!("t{i:02}_{col}_fkey"),
                    key(
                        ConstraintKind::ForeignKey,
                        &[&col],
                        Some((pschema, &format!("t{parent:02}"), "id")),
                    ),
                );
            }
        }
        s.tables
            .insert(QualName::new(schema, format!("t{i:02}")), t);
    }
    s
}

#[test]
fn seventy_tables() {
    let o = ErdOptions {
        title: "70 tables".into(),
        ..Default::default()
    };
    let erd = erd_model(&seventy(), &o);
    assert_eq!(erd.entities.len(), 70);
    let svg = erd_svg(&erd);
    // Every box is drawn, none overlapping another.
    assert_eq!(svg.matches("class=\"entity\"").count(), 70);
    no_route_crosses_a_box(&erd);
    insta::assert_snapshot!("seventy_mermaid", erd_mermaid(&erd));
    insta::assert_snapshot!("seventy_svg", svg);
}

/// Every link between two different boxes is routed (none falls back to a curve), each route
/// is axis-parallel, and no segment of any route enters the inside of any box; a route starts
/// and ends on the sides of its own boxes.
fn no_route_crosses_a_box(erd: &Erd) {
    let (rects, routes) = super::svg::routes(erd);
    let mut routed = 0;
    for (l, points) in erd.links.iter().zip(&routes) {
        if l.from == l.to {
            continue;
        }
        let points = points
            .as_ref()
            .unwrap_or_else(|| panic!("{} not routed", l.name));
        routed += 1;
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            assert!(x0 == x1 || y0 == y1, "{}: diagonal {:?}", l.name, w);
            let (lx, hx, ly, hy) = (x0.min(x1), x0.max(x1), y0.min(y1), y0.max(y1));
            for (i, (x, y, bw, bh)) in rects.iter().enumerate() {
                let inside = lx < x + bw && hx > *x && ly < y + bh && hy > *y;
                assert!(
                    !inside,
                    "{}: segment {:?} crosses box {} at {:?}",
                    l.name,
                    w,
                    erd.entities[i].name.name,
                    (x, y, bw, bh)
                );
            }
        }
    }
    assert!(routed > 0);
}

#[test]
fn five_hundred_tables_fit_one_picture() {
    let mut s = Schema::default();
    for k in 0..8 {
        for (name, t) in seventy().tables {
            let mut t = t;
            for c in t.constraints.values_mut() {
                if let Some(r) = &mut c.references {
                    r.name = format!("{}_{k}", r.name);
                }
            }
            s.tables
                .insert(QualName::new(name.schema, format!("{}_{k}", name.name)), t);
        }
    }
    assert_eq!(s.tables.len(), 560);
    // Speed is measured in bench/pictures.sh (release build), not in a test.
    let erd = erd_model(&s, &ErdOptions::default());
    let (svg, dot, mermaid) = (erd_svg(&erd), erd_dot(&erd), erd_mermaid(&erd));
    assert!(svg.len() > dot.len() && dot.len() > mermaid.len());
    no_route_crosses_a_box(&erd);
    // A chain of 500 references wraps into bands instead of one very wide row.
    let size = |attr: &str| -> i64 {
        let rest = svg.split(&format!(" {attr}=\"")).nth(1).expect("attribute");
        rest.split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("number")
    };
    let (w, h) = (size("width"), size("height"));
    assert!(w < 4 * h && h < 4 * w, "{w} x {h}");
}

#[test]
fn a_long_chain_wraps_into_bands() {
    let mut s = Schema::default();
    for i in 0..300usize {
        let mut t = Table {
            columns: vec![
                column("id", "bigint", true),
                column("prev_id", "bigint", false),
            ],
            ..Default::default()
        };
        if i > 0 {
            t.constraints.insert(
                format!("c{i:03}_prev_id_fkey"),
                key(
                    ConstraintKind::ForeignKey,
                    &["prev_id"],
                    Some(("app", &format!("c{:03}", i - 1), "id")),
                ),
            );
        }
        s.tables.insert(QualName::new("app", format!("c{i:03}")), t);
    }
    let svg = erd_svg(&erd_model(&s, &ErdOptions::default()));
    let width: i64 = svg
        .split(" width=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|v| v.parse().ok())
        .expect("width");
    assert!(width < 5000, "{width}");
}
