//! Extensions: made, moved, updated, dropped, and their comments.

use super::{Differ, Phase};
use crate::render::objects;
use crate::schema::Extension;
use crate::sql::{quote_ident, quote_literal};

impl Differ<'_> {
    pub(super) fn extensions(&mut self) {
        for name in Extension::creation_order(&self.to.extensions) {
            let x = &self.to.extensions[name];
            match self.from.extensions.get(name) {
                None => self.ops.push(
                    Phase::Extension,
                    format!("create extension {name}"),
                    objects::create_extension(name, x),
                ),
                Some(old) => {
                    if old.schema != x.schema {
                        self.ops.push(
                            Phase::Extension,
                            format!("move extension {name} to schema {}", x.schema),
                            format!(
                                "ALTER EXTENSION {} SET SCHEMA {};\n",
                                quote_ident(name),
                                quote_ident(&x.schema)
                            ),
                        );
                    }
                    if old.version != x.version {
                        self.ops.push(
                            Phase::Extension,
                            format!("update extension {name} to {}", x.version),
                            format!(
                                "ALTER EXTENSION {} UPDATE TO {};\n",
                                quote_ident(name),
                                quote_literal(&x.version)
                            ),
                        );
                    }
                    self.ops.comment(
                        format!("comment on extension {name}"),
                        &format!("EXTENSION {}", quote_ident(name)),
                        old.comment.as_ref(),
                        x.comment.as_ref(),
                    );
                }
            }
        }
        for name in Extension::creation_order(&self.from.extensions)
            .into_iter()
            .rev()
        {
            if !self.to.extensions.contains_key(name) {
                self.ops.push(
                    Phase::DropExtension,
                    format!("drop extension {name}"),
                    objects::drop_extension(name),
                );
            }
        }
    }
}
