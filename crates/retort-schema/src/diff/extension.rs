//! Extensions: made, moved, updated, dropped, and their comments.

use super::{DiffError, Differ, Phase};
use crate::render::objects;
use crate::schema::Extension;
use crate::sql::{quote_ident, quote_literal};

impl Differ<'_> {
    pub(super) fn extensions(&mut self) -> Result<(), DiffError> {
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
                        refuse_without_update_path(name, old, x)?;
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
        Ok(())
    }
}

/// `ALTER EXTENSION ... UPDATE TO` fails when the extension's scripts hold no path from the old
/// version to the new one (a downgrade, mostly): refused, naming both versions, when the server
/// the old side was read from says so (`pg_extension_update_paths`).
fn refuse_without_update_path(
    name: &str,
    old: &Extension,
    new: &Extension,
) -> Result<(), DiffError> {
    match &old.update_targets {
        Some(targets) if !targets.contains(&new.version) => Err(DiffError::Unsupported {
            what: format!(
                "extension {name}: no update path from version {} to version {} \
                 (pg_extension_update_paths: reachable from {} is {}); drop and create it again \
                 by hand, or install the extension's update script",
                old.version,
                new.version,
                old.version,
                if targets.is_empty() {
                    "none".to_string()
                } else {
                    targets.join(", ")
                }
            ),
        }),
        _ => Ok(()),
    }
}
