//! Storage parameters (`WITH (...)` of tables, views, materialized views) and attribute options
//! of columns: the `RESET` and `SET` that turn one list into another, keeping PostgreSQL's order of
//! them (it keeps the options left alone in place and appends what `SET` gives, in its order), so
//! the result prints as the target does.

/// The option's name (`fillfactor` of `fillfactor=70`).
fn key(option: &str) -> &str {
    option.split_once('=').map_or(option, |(k, _)| k)
}

/// `{alter} RESET (...)` and `{alter} SET (...)` statements turning `old` into `new` (empty when
/// they hold the same options, in whatever order).
pub fn options_change(alter: &str, old: &[String], new: &[String]) -> String {
    let mut sorted_old = old.to_vec();
    let mut sorted_new = new.to_vec();
    sorted_old.sort();
    sorted_new.sort();
    if sorted_old == sorted_new {
        return String::new();
    }
    // Options kept as they are stay in place: enough when they lead `new` in the same order.
    let kept: Vec<&String> = old.iter().filter(|o| new.contains(o)).collect();
    let in_place = new.iter().take(kept.len()).eq(kept.iter().copied());
    let (reset, set): (Vec<&str>, Vec<&String>) = if in_place {
        (
            old.iter()
                .filter(|o| !new.contains(o))
                .map(|o| key(o))
                .filter(|k| !new.iter().any(|n| key(n) == *k))
                .collect(),
            new.iter().skip(kept.len()).collect(),
        )
    } else {
        (old.iter().map(|o| key(o)).collect(), new.iter().collect())
    };
    let mut sql = String::new();
    if !reset.is_empty() {
        sql.push_str(&format!("{alter} RESET ({});\n", reset.join(", ")));
    }
    if !set.is_empty() {
        let set: Vec<&str> = set.iter().map(|s| s.as_str()).collect();
        sql.push_str(&format!("{alter} SET ({});\n", set.join(", ")));
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::options_change as change;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn same_options_in_another_order_change_nothing() {
        assert_eq!(
            change("ALTER TABLE t", &v(&["a=1", "b=2"]), &v(&["b=2", "a=1"])),
            ""
        );
    }

    #[test]
    fn appended_and_changed_options_keep_the_order_of_the_target() {
        assert_eq!(
            change(
                "ALTER TABLE t",
                &v(&["a=1", "b=2"]),
                &v(&["a=1", "b=3", "c=4"])
            ),
            "ALTER TABLE t SET (b=3, c=4);\n"
        );
        assert_eq!(
            change("ALTER TABLE t", &v(&["a=1", "b=2"]), &v(&["a=1"])),
            "ALTER TABLE t RESET (b);\n"
        );
    }

    #[test]
    fn an_order_that_appending_cannot_give_resets_everything() {
        assert_eq!(
            change("ALTER TABLE t", &v(&["a=1", "b=2"]), &v(&["b=3", "a=1"])),
            "ALTER TABLE t RESET (a, b);\nALTER TABLE t SET (b=3, a=1);\n"
        );
    }
}
