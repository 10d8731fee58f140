//! Views and materialized views: made, replaced, their indexes, triggers, comments and grants.

use std::collections::BTreeSet;

use super::comment::member_comments;
use super::{comment_change, table, Differ, Phase};
use crate::render::objects;
use crate::schema::{QualName, View};
use crate::sql::quote_literal;

impl Differ<'_> {
    pub(super) fn create_view(&mut self, name: &QualName, v: &View) {
        let mut sql = objects::create_view(name, v);
        if v.materialized {
            // A migration wants the view usable: filled now, not at the next REFRESH. But filling
            // it fails if a materialized view it reads is not populated (as after loading a
            // pg_dump), which only the database knows: then it is filled at migration time
            // exactly when all of those are.
            let reads = self.materialized_views_read(v);
            let fill = if reads.is_empty() {
                "\nWITH DATA;\n".to_string()
            } else {
                let names: Vec<String> = reads
                    .iter()
                    .map(|r| format!("({}, {})", quote_literal(&r.schema), quote_literal(&r.name)))
                    .collect();
                let refresh = format!("REFRESH MATERIALIZED VIEW {};", name.sql());
                let names = names.join(", ");
                let mut tag = "$retort$".to_string();
                while refresh.contains(&tag) || names.contains(&tag) {
                    tag.insert(tag.len() - 1, '_');
                }
                format!(
                    "\nWITH NO DATA;\n\
                     DO {tag}\n\
                     BEGIN\n\
                     \x20 -- Filled only if every materialized view it reads is.\n\
                     \x20 IF NOT EXISTS (SELECT FROM pg_catalog.pg_matviews\n\
                     \x20     WHERE NOT ispopulated AND (schemaname, matviewname) IN ({names})) THEN\n\
                     \x20   {refresh}\n\
                     \x20 END IF;\n\
                     END\n\
                     {tag};\n"
                )
            };
            sql = sql.replacen("\nWITH NO DATA;\n", &fill, 1);
        }
        self.ops.push(
            Phase::CreateView,
            format!(
                "create {}view {name}",
                if v.materialized { "materialized " } else { "" }
            ),
            sql,
        );
        self.view_extras(name, v);
    }

    /// What a new view gets once made: its indexes, triggers and grants.
    pub(super) fn view_extras(&mut self, name: &QualName, v: &View) {
        for (iname, i) in &v.indexes {
            self.ops.push(
                Phase::MaterializedViewIndex,
                format!("create index {iname} on {name}"),
                objects::create_index(&name.schema, iname, i),
            );
        }
        for (tname, t) in &v.triggers {
            self.ops.push(
                Phase::CreateTrigger,
                format!("create trigger {tname} on {name}"),
                objects::create_trigger(name, tname, t),
            );
        }
        self.ops.push(
            Phase::Grant,
            format!("grant on {name}"),
            objects::grants(&format!("TABLE {}", name.sql()), &v.grants),
        );
        self.ops.push(
            Phase::Grant,
            format!("grant on columns of {name}"),
            objects::grants(
                &format!("TABLE {}", name.sql()),
                &objects::view_column_grants(v),
            ),
        );
    }

    /// The materialized views `v` reads (of `to`), directly or through views and functions.
    pub(super) fn materialized_views_read(&self, v: &View) -> BTreeSet<QualName> {
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&QualName> = v.depends_on.iter().collect();
        while let Some(n) = todo.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Some(read) = self.to.views.get(n) {
                if read.materialized {
                    found.insert(n.clone());
                } else {
                    todo.extend(&read.depends_on);
                }
            } else if let Some(f) = self.to.functions.get(n) {
                todo.extend(&f.depends_on);
            }
        }
        found
    }

    pub(super) fn alter_view(&mut self, name: &QualName, old: &View, new: &View) {
        if old.definition != new.definition {
            // Compatible (checked by the cascade): the old columns are a prefix of the new ones.
            let body = objects::view_body(new);
            self.ops.push(
                Phase::CreateView,
                format!("replace view {name}"),
                format!("CREATE OR REPLACE VIEW {} AS\n{body};\n", name.sql()),
            );
        }
        self.ops.push(
            Phase::CreateView,
            format!("set column defaults of {name}"),
            objects::view_defaults(name, &old.columns, &new.columns),
        );
        self.ops.push(
            Phase::CreateView,
            format!("set column storage and statistics of {name}"),
            matview_column_settings(name, old, new),
        );
        if old.options != new.options {
            let kind = if new.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            let alter = format!("ALTER {kind} {}", name.sql());
            let sql = crate::sql::options_change(&alter, &old.options, &new.options);
            self.ops
                .push(Phase::CreateView, format!("set options of {name}"), sql);
        }
        let kind = if new.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        let mut comments = comment_change(
            &format!("{kind} {}", name.sql()),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        fn members(v: &View) -> Vec<(&str, Option<&String>)> {
            v.columns
                .iter()
                .map(|c| (c.name.as_str(), c.comment.as_ref()))
                .collect()
        }
        comments.push_str(&member_comments(name, &members(old), &members(new)));
        self.ops
            .push(Phase::Comment, format!("comment on {name}"), comments);
        table::diff_indexes(
            &mut self.ops,
            name,
            &old.indexes,
            &new.indexes,
            Phase::MaterializedViewIndex,
            self.options.online,
        );
        table::diff_triggers(&mut self.ops, name, &old.triggers, &new.triggers, &|_| {
            false
        });
        self.ops.grants(
            format!("change grants on {name}"),
            &format!("TABLE {}", name.sql()),
            &old.grants,
            &new.grants,
        );
        self.ops.grants(
            format!("change grants on columns of {name}"),
            &format!("TABLE {}", name.sql()),
            &super::grant::after_table_revokes(
                &old.grants,
                &new.grants,
                &objects::view_column_grants(old),
            ),
            &objects::view_column_grants(new),
        );
    }
}

/// A materialized view's column settings (storage, statistics target, compression, options)
/// that differ between `old` and `new`, for the columns on both sides.
fn matview_column_settings(name: &QualName, old: &View, new: &View) -> String {
    if !new.materialized {
        return String::new();
    }
    new.columns
        .iter()
        .filter_map(|n| {
            let o = old.columns.iter().find(|o| o.name == n.name)?;
            Some(objects::column_settings(name, Some(o), n))
        })
        .collect()
}
