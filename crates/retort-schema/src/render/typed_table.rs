//! Typed tables (`CREATE TABLE t OF type`): the columns come from the composite type; what is
//! the table's own — NOT NULL and defaults — is printed as pg_dump does, in `WITH OPTIONS`
//! clauses (`a NOT NULL`, `b DEFAULT 'x'::text`); keys, checks and the rest follow as for any
//! table.

use std::fmt::Write as _;

use super::objects::with_options;
use crate::schema::{QualName, Table};
use crate::sql::quote_ident;

/// `CREATE TABLE name OF type (...)` of typed table `t` (its `of_type` set).
pub fn create(name: &QualName, t: &Table) -> String {
    let Some(ty) = &t.of_type else {
        return String::new();
    };
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let mut out = format!("CREATE {unlogged}TABLE {} OF {}", name.sql(), ty.sql());
    let options: Vec<String> = t
        .columns
        .iter()
        .filter_map(|c| {
            let mut o = String::new();
            if c.not_null {
                o.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                let _ = write!(o, " DEFAULT {d}");
            }
            (!o.is_empty()).then(|| format!("    {}{o}", quote_ident(&c.name)))
        })
        .collect();
    if !options.is_empty() {
        let _ = write!(out, " (\n{}\n)", options.join(",\n"));
    }
    if let Some(k) = &t.partition_key {
        let _ = write!(out, " PARTITION BY {k}");
    }
    let _ = writeln!(
        out,
        "{}{};",
        with_options(&t.options),
        super::tablespace::clause(t.tablespace.as_ref())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    #[test]
    fn only_what_the_table_adds_to_the_type_is_printed() {
        let col = |name: &str, not_null, default: Option<&str>| Column {
            name: name.to_string(),
            data_type: "integer".to_string(),
            not_null,
            default: default.map(str::to_string),
            ..Column::default()
        };
        let mut t = Table {
            of_type: Some(QualName::new("public", "pt")),
            columns: vec![
                col("a", true, None),
                col("b", false, Some("1")),
                col("c", false, None),
            ],
            ..Table::default()
        };
        let name = QualName::new("public", "t");
        assert_eq!(
            create(&name, &t),
            "CREATE TABLE \"public\".\"t\" OF \"public\".\"pt\" (\n    \"a\" NOT NULL,\n    \"b\" DEFAULT 1\n);\n"
        );
        t.columns.truncate(0);
        t.partition_key = Some("LIST (a)".to_string());
        assert_eq!(
            create(&name, &t),
            "CREATE TABLE \"public\".\"t\" OF \"public\".\"pt\" PARTITION BY LIST (a);\n"
        );
    }
}
