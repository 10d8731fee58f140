//! Where two schema models differ, one line per differing field, for test failures:
//! `tables.public.users.constraints.users_email_key.definition: expected "UNIQUE (email)", found
//! "UNIQUE (email, id)"`.

use retort::schema::Schema;
use serde_json::Value;

/// Every field where `expected` and `actual` differ (empty when they are equal).
pub fn schema_differences(expected: &Schema, actual: &Schema) -> Vec<String> {
    let e = serde_json::to_value(expected).unwrap_or(Value::Null);
    let a = serde_json::to_value(actual).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk("", &e, &a, &mut out);
    out
}

/// Panics with the differences when the models differ.
#[track_caller]
pub fn assert_schema_eq(expected: &Schema, actual: &Schema) {
    if expected != actual {
        let diffs = schema_differences(expected, actual);
        panic!(
            "the schemas differ in {} place(s) (expected: declared, found: introspected):\n{}",
            diffs.len(),
            diffs.join("\n")
        );
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    if e == a {
        return;
    }
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            let mut keys: Vec<&String> = eo.keys().chain(ao.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = join(path, k);
                match (eo.get(k), ao.get(k)) {
                    (Some(ev), Some(av)) => walk(&p, ev, av, out),
                    (Some(ev), None) => out.push(format!("{p}: expected {ev}, missing")),
                    (None, Some(av)) => out.push(format!("{p}: not expected, found {av}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                walk(&join(path, &i.to_string()), ev, av, out);
            }
        }
        _ => out.push(format!("{path}: expected {e}, found {a}")),
    }
}
