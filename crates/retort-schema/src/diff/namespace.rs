//! Schemas (namespaces): made, dropped, their comments and grants.

use super::{Differ, Phase};
use crate::render::objects;
use crate::sql::quote_ident;

impl Differ<'_> {
    pub(super) fn schemas(&mut self) {
        for (name, ns) in &self.to.schemas {
            let what = format!("SCHEMA {}", quote_ident(name));
            match self.from.schemas.get(name) {
                None => {
                    self.ops.push(
                        Phase::CreateSchema,
                        format!("create schema {name}"),
                        objects::create_schema(name, ns),
                    );
                    self.ops.push(
                        Phase::Grant,
                        format!("grant on schema {name}"),
                        objects::grants(&what, &ns.grants),
                    );
                }
                Some(old) => {
                    self.ops.comment(
                        format!("comment on schema {name}"),
                        &what,
                        old.comment.as_ref(),
                        ns.comment.as_ref(),
                    );
                    self.ops.grants(
                        format!("change grants on schema {name}"),
                        &what,
                        &old.grants,
                        &ns.grants,
                    );
                }
            }
        }
        for name in self.from.schemas.keys() {
            if !self.to.schemas.contains_key(name) {
                self.ops.push(
                    Phase::DropSchema,
                    format!("drop schema {name}"),
                    objects::drop_schema(name),
                );
            }
        }
    }
}
