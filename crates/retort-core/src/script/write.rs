//! Writing new revision files: ids, file names from the template, post-write hooks.

use std::path::{Path, PathBuf};

use rand::Rng;

use super::{display_path, render_revision_file, ScriptError};
use crate::config::Config;

/// A random lowercase hex id of `len` characters (12 by default, as Alembic).
pub fn new_revision_id(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Alembic's slug: the message's words joined by `_`, lowercased, cut at a word boundary.
pub fn slugify(message: &str, max_len: usize) -> String {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let slug = words.join("_").to_lowercase();
    if slug.chars().count() > max_len {
        let cut: String = slug.chars().take(max_len).collect();
        match cut.rsplit_once('_') {
            Some((head, _)) => format!("{head}_"),
            None => cut,
        }
    } else {
        slug
    }
}

/// Everything needed to write one new revision file.
#[derive(Debug, Clone, Default)]
pub struct NewRevision {
    pub id: String,
    pub message: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub up_sql: String,
    pub down_sql: String,
    /// Written as `-- transactional: false` (the default is a transactional revision).
    pub non_transactional: bool,
    /// Directory to write into; the first version location when `None`.
    pub version_path: Option<PathBuf>,
}

/// Where a revision was written.
#[derive(Debug, Clone)]
pub struct WrittenRevision {
    pub id: String,
    pub path: PathBuf,
}

impl NewRevision {
    /// Write the file (never overwriting one), then run the config's post-write hooks on it.
    pub fn write(&self, config: &Config) -> Result<WrittenRevision, ScriptError> {
        let now = jiff::Zoned::now();
        let now = match &config.timezone {
            Some(tz) => now.in_tz(tz).map_err(|e| ScriptError::Write {
                message: format!("timezone {tz:?}: {e}"),
                help: None,
            })?,
            None => now.in_tz("UTC").unwrap_or(now),
        };
        let dir = self
            .version_path
            .clone()
            .unwrap_or_else(|| config.version_locations[0].clone());
        if !dir.is_dir() {
            return Err(ScriptError::MissingDirectory {
                path: display_path(&dir),
            });
        }
        let name = render_template(
            &config.file_template,
            &self.id,
            &slugify(&self.message, config.truncate_slug_length),
            &now,
        );
        let path = dir.join(format!("{name}.sql"));
        let created = now.strftime("%Y-%m-%d %H:%M:%S%:z").to_string();
        let text = match &config.revision_template {
            None => render_revision_file(self, &created),
            Some(template) => self.render_with_template(template, &created, &path)?,
        };
        write_new(&path, &text)?;
        for hook in &config.post_write_hooks {
            run_hook(hook, &path)?;
        }
        Ok(WrittenRevision {
            id: self.id.clone(),
            path,
        })
    }
}

impl NewRevision {
    /// The file's text from `revision_template`, checked to be a revision file saying what this
    /// one must (its id, parents, SQL) before anything is written.
    fn render_with_template(
        &self,
        template: &Path,
        created: &str,
        path: &Path,
    ) -> Result<String, ScriptError> {
        let shown = display_path(template);
        let bad = |message: String| ScriptError::Write {
            message,
            help: Some(format!(
                "revision_template's variables are {}, each written {{name}}; see the README",
                super::TEMPLATE_VARIABLES.join(", ")
            )),
        };
        let text = std::fs::read_to_string(template).map_err(|e| ScriptError::Write {
            message: format!("cannot read revision_template {shown}: {e}"),
            help: Some("fix revision_template in retort.toml".into()),
        })?;
        for needed in ["{revision}", "{down_revision}", "{up}", "{down}"] {
            if !text.contains(needed) {
                return Err(bad(format!("revision_template {shown} has no {needed}")));
            }
        }
        let rendered = super::render_from_template(&text, self, created);
        match super::parse_revision_file(path, rendered.as_bytes()) {
            Ok(f) if f.id == self.id && f.down_revisions == self.down_revisions => Ok(rendered),
            Ok(_) => Err(bad(format!(
                "revision_template {shown} does not give `-- revision: {{revision}}` and `-- down_revision: {{down_revision}}` header lines"
            ))),
            Err(problems) => Err(bad(format!(
                "revision_template {shown} makes an invalid revision file: {}",
                problems
                    .first()
                    .map_or_else(String::new, ToString::to_string)
            ))),
        }
    }
}

fn render_template(template: &str, rev: &str, slug: &str, now: &jiff::Zoned) -> String {
    let name = template
        .replace("{year}", &format!("{:04}", now.year()))
        .replace("{month}", &format!("{:02}", now.month()))
        .replace("{day}", &format!("{:02}", now.day()))
        .replace("{hour}", &format!("{:02}", now.hour()))
        .replace("{minute}", &format!("{:02}", now.minute()))
        .replace("{second}", &format!("{:02}", now.second()))
        .replace("{epoch}", &now.timestamp().as_second().to_string())
        .replace("{rev}", rev)
        .replace("{slug}", slug);
    // An empty slug would leave a trailing separator.
    name.trim_end_matches(['_', '-']).to_string()
}

fn write_new(path: &Path, text: &str) -> Result<(), ScriptError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| ScriptError::Io {
            path: display_path(path),
            error: source,
        })?;
    f.write_all(text.as_bytes())
        .map_err(|source| ScriptError::Io {
            path: display_path(path),
            error: source,
        })
}

fn run_hook(hook: &crate::config::PostWriteHook, path: &Path) -> Result<(), ScriptError> {
    let shown = path.display().to_string();
    let mut args: Vec<String> = hook
        .command
        .iter()
        .map(|a| a.replace("{path}", &shown))
        .collect();
    if !hook.command.iter().any(|a| a.contains("{path}")) {
        args.push(shown);
    }
    let name = hook.name.clone().unwrap_or_else(|| args[0].clone());
    let status = std::process::Command::new(&args[0])
        .args(&args[1..])
        .status()
        .map_err(|e| ScriptError::Write {
            message: format!(
                "post-write hook `{name}` could not start `{}`: {e}",
                args[0]
            ),
            help: Some("check post_write_hooks in retort.toml".into()),
        })?;
    if !status.success() {
        return Err(ScriptError::Write {
            message: format!(
                "post-write hook `{name}` failed ({status}) on {}",
                display_path(path)
            ),
            help: Some("the file was written; fix the hook or the file".into()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_like_alembic() {
        assert_eq!(slugify("Add documents table", 40), "add_documents_table");
        assert_eq!(slugify("  weird -- chars!! ", 40), "weird_chars");
        assert_eq!(
            slugify("a very long message that goes on and on and on forever", 20),
            "a_very_long_message_"
        );
    }

    #[test]
    fn ids_are_hex_of_the_length() {
        let id = new_revision_id(12);
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(new_revision_id(12), new_revision_id(12));
    }

    #[test]
    fn template() {
        let now: jiff::Zoned = "2026-11-24T10:30:05+00:00[UTC]".parse().expect("valid");
        assert_eq!(
            render_template(crate::config::DEFAULT_FILE_TEMPLATE, "3f2a", "add_t", &now),
            "20261124_1030_3f2a_add_t"
        );
        assert_eq!(
            render_template(crate::config::DEFAULT_FILE_TEMPLATE, "3f2a", "", &now),
            "20261124_1030_3f2a"
        );
    }
}
