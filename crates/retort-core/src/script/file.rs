//! One revision file: its `-- key: value` header, its up and down SQL, its checksum.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ScriptProblem;

/// The header keys a revision file may carry, in the order they are written.
pub const HEADER_KEYS: [&str; 7] = [
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
    "message",
    "created",
    "transactional",
];
pub const UP_MARKER: &str = "-- retort:up";
pub const DOWN_MARKER: &str = "-- retort:down";
/// Longest revision id: the version table column (and Alembic's) is varchar(32).
pub const MAX_REVISION_ID_LEN: usize = 32;

/// A parsed revision file. Its graph relations are resolved later by [`crate::graph`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionFile {
    pub id: String,
    /// Parents: empty for a root, several for a merge.
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    /// Revision ids, unique prefixes or labels this revision also needs.
    pub depends_on: Vec<String>,
    pub message: String,
    pub created: Option<String>,
    pub transactional: bool,
    pub up_sql: String,
    pub down_sql: Option<String>,
    /// 1-based line of the file where the up SQL starts (the line after the marker).
    pub up_line: usize,
    /// 1-based line where the down SQL starts, when there is a down section.
    pub down_line: Option<usize>,
    pub path: PathBuf,
    /// 1-based line of each header key, for pointing errors at the header.
    pub header_lines: HeaderLines,
    /// SHA-256 (hex) of the up and down SQL, line endings normalised (empty if not loaded).
    pub checksum: String,
    /// Whether the SQL sections were read (see [`parse_revision_file_with`]).
    pub body_loaded: bool,
    /// The file's text when it was embedded in the binary (no file on disk to show errors from).
    pub embedded_text: Option<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderLines {
    pub revision: usize,
    pub down_revision: Option<usize>,
    pub depends_on: Option<usize>,
    pub branch_labels: Option<usize>,
}

/// Checksum of a revision's SQL. CRLF becomes LF and a UTF-8 BOM is dropped first, so a Windows
/// checkout hashes the same; up and down are separated by a NUL, which SQL text cannot contain.
pub fn checksum(up_sql: &str, down_sql: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(normalise(up_sql).as_bytes());
    hasher.update([0u8]);
    hasher.update(normalise(down_sql.unwrap_or("")).as_bytes());
    hex::encode(hasher.finalize())
}

fn normalise(sql: &str) -> String {
    sql.strip_prefix('\u{feff}')
        .unwrap_or(sql)
        .replace("\r\n", "\n")
}

/// Is `id` acceptable as a revision id? ASCII letters, digits and `_`, 1 to 32 characters.
/// (Alembic forbids `@ - + :` because they mean something in targets; we forbid everything
/// that would need quoting anywhere.)
pub fn check_revision_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("revision id is empty".into());
    }
    if id.len() > MAX_REVISION_ID_LEN {
        return Err(format!(
            "revision id `{id}` is {} characters long; the limit is {MAX_REVISION_ID_LEN}",
            id.len()
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(format!(
            "revision id `{id}` contains {bad:?}; use letters, digits and _ only"
        ));
    }
    if matches!(id, "head" | "heads" | "base" | "current") {
        return Err(format!("revision id `{id}` is a reserved word"));
    }
    Ok(())
}

/// Branch labels share the id alphabet, as they are used in targets (`label@head`).
pub fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("branch label is empty".into());
    }
    if let Some(bad) = label
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
    {
        return Err(format!(
            "branch label `{label}` contains {bad:?}; use letters, digits, _ and . only"
        ));
    }
    if matches!(label, "head" | "heads" | "base" | "current") {
        return Err(format!("branch label `{label}` is a reserved word"));
    }
    Ok(())
}

struct Cursor<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<ScriptProblem>,
}

impl Cursor<'_> {
    /// Record a problem at a byte range of the file.
    fn problem(&mut self, start: usize, end: usize, message: String, help: Option<String>) {
        self.problems.push(ScriptProblem::at(
            self.path, self.text, start, end, message, help,
        ));
    }
}

/// Parse the bytes of one revision file. Every problem in the file is reported, not only the first.
pub fn parse_revision_file(path: &Path, bytes: &[u8]) -> Result<RevisionFile, Vec<ScriptProblem>> {
    parse_revision_file_with(path, bytes, false)
}

/// Parse a revision file; with `headers_only`, stop at the `-- retort:up` marker (`bytes` may
/// then be only the start of the file): the SQL sections are left empty and no checksum is
/// computed. Commands that only look at the graph (`heads`, `history`) read files this way.
pub fn parse_revision_file_with(
    path: &Path,
    bytes: &[u8],
    headers_only: bool,
) -> Result<RevisionFile, Vec<ScriptProblem>> {
    parse_inner(path, bytes, headers_only, !headers_only)
}

/// Parse the whole file (every problem reported) without computing the checksum: for commands
/// that only need the graph.
pub fn parse_revision_file_unhashed(
    path: &Path,
    bytes: &[u8],
) -> Result<RevisionFile, Vec<ScriptProblem>> {
    parse_inner(path, bytes, false, false)
}

fn parse_inner(
    path: &Path,
    bytes: &[u8],
    headers_only: bool,
    hash: bool,
) -> Result<RevisionFile, Vec<ScriptProblem>> {
    let text = decode_text(path, bytes, headers_only)?;
    // A BOM is accepted and ignored (editors on Windows add one).
    let body_offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut cur = Cursor {
        path,
        text,
        problems: Vec::new(),
    };
    let mut values: Values = Default::default();
    let Sections { up, down } = scan(&mut cur, &mut values, body_offset, headers_only);

    let Some((up_line_idx, up_body_start)) = up else {
        let end = text.len();
        cur.problem(
            end,
            end,
            format!("no `{UP_MARKER}` marker"),
            Some(format!(
                "a revision file is a header, then `{UP_MARKER}` and the SQL, then optionally `{DOWN_MARKER}` and the SQL that undoes it"
            )),
        );
        return Err(cur.problems);
    };
    let (up_sql, down_sql, down_line) = match down {
        // Without a checksum nobody reads the SQL: don't copy it.
        _ if headers_only || !hash => (String::new(), None, down.map(|d| d.0 + 1)),
        Some((down_line_idx, marker_start, after)) if marker_start >= up_body_start => (
            text[up_body_start..marker_start].to_string(),
            Some(text[after..].to_string()),
            Some(down_line_idx + 1),
        ),
        _ => (text[up_body_start..].to_string(), None, None),
    };

    let take = |i: usize, values: &mut [Option<(String, usize, usize)>; 7]| values[i].take();
    let revision = take(0, &mut values);
    let id = revision_id(&mut cur, revision.as_ref(), body_offset);
    let mut list = |i: usize, check: &dyn Fn(&str) -> Result<(), String>| {
        list_value(&mut cur, take(i, &mut values), check)
    };
    let (down_revisions, down_revision_line) = list(1, &check_revision_id);
    let (branch_labels, branch_labels_line) = list(2, &check_label);
    let (depends_on, depends_on_line) = list(3, &|s: &str| {
        if s.is_empty() {
            Err("empty entry in depends_on".into())
        } else {
            Ok(())
        }
    });
    let message = take(4, &mut values).map(|v| v.0).unwrap_or_default();
    let created = take(5, &mut values).map(|v| v.0).filter(|s| !s.is_empty());
    let transactional = transactional_value(&mut cur, take(6, &mut values));
    if down_revisions.contains(&id) && !id.is_empty() {
        let (_, line, at) = revision.clone().unwrap_or_default();
        let _ = line;
        cur.problem(
            at,
            at + id.len(),
            format!("revision {id} names itself as its down_revision"),
            Some("a revision's down_revision is the revision it follows".into()),
        );
    }
    if !cur.problems.is_empty() {
        return Err(cur.problems);
    }
    let checksum = if hash {
        checksum(&up_sql, down_sql.as_deref())
    } else {
        String::new()
    };
    Ok(RevisionFile {
        id,
        down_revisions,
        branch_labels,
        depends_on,
        message,
        created,
        transactional,
        up_sql,
        down_sql,
        up_line: up_line_idx + 1,
        down_line,
        path: path.to_path_buf(),
        body_loaded: hash,
        embedded_text: None,
        header_lines: HeaderLines {
            revision: revision.map_or(1, |r| r.1),
            down_revision: down_revision_line,
            depends_on: depends_on_line,
            branch_labels: branch_labels_line,
        },
        checksum,
    })
}

/// The file's text. With `headers_only`, `bytes` may be a prefix that ends inside a
/// multi-byte character: that is not an encoding error.
fn decode_text<'a>(
    path: &Path,
    bytes: &'a [u8],
    headers_only: bool,
) -> Result<&'a str, Vec<ScriptProblem>> {
    let bytes = match std::str::from_utf8(bytes) {
        Err(e) if headers_only && e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    };
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Err(vec![ScriptProblem::plain(
                path,
                Some(line),
                format!(
                    "file is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                Some("save the file as UTF-8".into()),
            )])
        }
    }
}

/// Whether `word` is a header key or close enough to one to be a misspelling of it.
fn is_key_or_typo(word: &str) -> bool {
    HEADER_KEYS.contains(&word) || crate::suggest::closest(word, HEADER_KEYS).is_some()
}

/// Where the sections start: the up section (line index, byte offset after its marker line),
/// the down section (line index, marker start, byte offset after its marker line).
struct Sections {
    up: Option<(usize, usize)>,
    down: Option<(usize, usize, usize)>,
}

/// Read the lines after `body_offset`: the markers and the header region (into `values`); with
/// `headers_only`, stop at the up marker.
fn scan(
    cur: &mut Cursor<'_>,
    values: &mut Values,
    body_offset: usize,
    headers_only: bool,
) -> Sections {
    let text = cur.text;
    let mut up: Option<(usize, usize)> = None; // (line index, byte offset after the marker line)
    let mut down: Option<(usize, usize, usize)> = None; // (line index, marker start, after marker line)
    let mut offset = body_offset;
    let mut line_no = 0usize;
    for raw in text[body_offset..].split_inclusive('\n') {
        line_no += 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_end();
        if trimmed == UP_MARKER {
            if up.is_some() {
                cur.problem(
                    start,
                    start + trimmed.len(),
                    format!("second `{UP_MARKER}` marker"),
                    Some("a revision has one up section; remove this marker".into()),
                );
            } else if down.is_some() {
                cur.problem(
                    start,
                    start + trimmed.len(),
                    format!("`{UP_MARKER}` after `{DOWN_MARKER}`"),
                    Some("put the up section first, then the down section".into()),
                );
            } else {
                up = Some((line_no, offset));
                if headers_only {
                    break;
                }
            }
            continue;
        }
        if trimmed == DOWN_MARKER {
            if down.is_some() {
                cur.problem(
                    start,
                    start + trimmed.len(),
                    format!("second `{DOWN_MARKER}` marker"),
                    Some("a revision has one down section; remove this marker".into()),
                );
            } else if up.is_none() {
                cur.problem(
                    start,
                    start + trimmed.len(),
                    format!("`{DOWN_MARKER}` before `{UP_MARKER}`"),
                    Some("put the up section first, then the down section".into()),
                );
                down = Some((line_no, start, offset));
            } else {
                down = Some((line_no, start, offset));
            }
            continue;
        }
        if up.is_some() || down.is_some() {
            continue; // SQL body
        }
        if header_line(cur, values, (line, start, line_no)) {
            up = Some((line_no, start));
        }
    }
    Sections { up, down }
}

/// `revision:` (required, checked; empty when missing or wrong, the problem recorded).
fn revision_id(
    cur: &mut Cursor<'_>,
    header: Option<&(String, usize, usize)>,
    body_offset: usize,
) -> String {
    match header {
        None => {
            cur.problem(
                body_offset,
                body_offset,
                "no `revision:` header".into(),
                Some("add `-- revision: <id>` as the first line".into()),
            );
            String::new()
        }
        Some((value, _, at)) => {
            if let Err(message) = check_revision_id(value) {
                cur.problem(
                    *at,
                    *at + value.len(),
                    message,
                    Some("revision ids are 1 to 32 letters, digits or _".into()),
                );
            }
            value.clone()
        }
    }
}

/// A comma-separated header value (`value, line, byte offset`), each item checked; an empty
/// value is an empty list. Returns the items and the header's line.
fn list_value(
    cur: &mut Cursor<'_>,
    header: Option<(String, usize, usize)>,
    check: &dyn Fn(&str) -> Result<(), String>,
) -> (Vec<String>, Option<usize>) {
    let Some((value, line, at)) = header else {
        return (Vec::new(), None);
    };
    let mut items = Vec::new();
    let mut pos = at;
    for part in value.split(',') {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        if !(item.is_empty() && value.trim().is_empty()) {
            if let Err(message) = check(item) {
                cur.problem(pos + lead, pos + lead + item.len(), message, None);
            } else {
                items.push(item.to_string());
            }
        }
        pos += part.len() + 1;
    }
    (items, Some(line))
}

/// `transactional:` (default true; a value that is no boolean is a problem, and true).
fn transactional_value(cur: &mut Cursor<'_>, header: Option<(String, usize, usize)>) -> bool {
    match header {
        None => true,
        Some((v, _, at)) => match v.to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "on" => true,
            "false" | "no" | "off" => false,
            _ => {
                cur.problem(
                    at,
                    at + v.len(),
                    format!("transactional must be true or false, not `{v}`"),
                    None,
                );
                true
            }
        },
    }
}

/// Header values by their index in [`HEADER_KEYS`]: (value, line, byte offset of the value).
type Values = [Option<(String, usize, usize)>; 7];

/// One line of the header region (`start`: its byte offset, `line_no`: its number), into
/// `values`. Returns true if it is SQL: the up section starts there without its marker (a
/// problem; the lines after it are not reported as well).
fn header_line(
    cur: &mut Cursor<'_>,
    values: &mut Values,
    (line, start, line_no): (&str, usize, usize),
) -> bool {
    let trimmed = line.trim_end();
    if trimmed.is_empty() {
        return false;
    }
    let Some(comment) = line.strip_prefix("--") else {
        cur.problem(
            start,
            start + trimmed.len(),
            format!("SQL before the `{UP_MARKER}` marker"),
            Some(format!(
                "put `{UP_MARKER}` on its own line before the migration's SQL"
            )),
        );
        return true;
    };
    let lead = comment.len() - comment.trim_start().len();
    let key_start = start + 2 + lead;
    let Some((key, value)) = comment.trim_start().split_once(':') else {
        // A comment, unless it starts like a header line that lost its colon.
        let first = comment.split_whitespace().next().unwrap_or("");
        if !is_key_or_typo(first) {
            return false;
        }
        cur.problem(
            key_start,
            start + trimmed.len(),
            "header line is not `-- key: value`".into(),
            Some(format!(
                "header keys are {}; comments go after `{UP_MARKER}`",
                HEADER_KEYS.join(", ")
            )),
        );
        return false;
    };
    let key = key.trim();
    let value_start = key_start + comment.trim_start().find(':').unwrap_or(0) + 1;
    let value_lead = value.len() - value.trim_start().len();
    let Some(index) = HEADER_KEYS.iter().position(|k| *k == key) else {
        // `-- TODO: fill in`, `-- author: ...` (a post-write hook's): a comment. Only what
        // looks like a misspelt key is an error.
        let Some(closest) = crate::suggest::closest(key, HEADER_KEYS) else {
            return false;
        };
        let help = format!("did you mean `{closest}`? (other `-- word: text` lines are comments)");
        cur.problem(
            key_start,
            key_start + key.len(),
            format!("unknown header key `{key}`"),
            Some(help),
        );
        return false;
    };
    if let Some((_, first_line, _)) = &values[index] {
        let first_line = *first_line;
        cur.problem(
            key_start,
            key_start + key.len(),
            format!("header key `{key}` repeated (first on line {first_line})"),
            Some("keep one of the two lines".into()),
        );
        return false;
    }
    values[index] = Some((value.trim().to_string(), line_no, value_start + value_lead));
    false
}

/// Render a new revision file.
/// The variables of a `revision_template`, each written `{name}` in it.
pub const TEMPLATE_VARIABLES: [&str; 9] = [
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
    "message",
    "created",
    "transactional",
    "up",
    "down",
];

/// A new revision file from a `revision_template` (Alembic's `script.py.mako`): each
/// `{variable}` replaced (one pass, so a value holding `{up}` stays as it is).
pub fn render_from_template(template: &str, new: &super::NewRevision, created: &str) -> String {
    let message = new.message.replace(['\r', '\n'], " ");
    let transactional = (!new.non_transactional).to_string();
    let values: [(&str, &str); 9] = [
        ("revision", &new.id),
        ("down_revision", &new.down_revisions.join(", ")),
        ("branch_labels", &new.branch_labels.join(", ")),
        ("depends_on", &new.depends_on.join(", ")),
        ("message", &message),
        ("created", created),
        ("transactional", &transactional),
        ("up", &new.up_sql),
        ("down", &new.down_sql),
    ];
    let mut out = String::with_capacity(template.len() + new.up_sql.len() + new.down_sql.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').and_then(|end| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..end])
                .map(|v| (end, v.1))
        }) {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn render_revision_file(new: &super::NewRevision, created: &str) -> String {
    // A message is one header line; newlines would end the header.
    let message = new.message.replace(['\r', '\n'], " ");
    format!(
        "-- revision: {}\n-- down_revision: {}\n-- branch_labels: {}\n-- depends_on: {}\n-- message: {message}\n-- created: {created}\n-- transactional: {}\n\n{UP_MARKER}\n{}\n{DOWN_MARKER}\n{}",
        new.id,
        new.down_revisions.join(", "),
        new.branch_labels.join(", "),
        new.depends_on.join(", "),
        !new.non_transactional,
        new.up_sql,
        new.down_sql,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-- revision: 3f2a9c1b7d4e\n-- down_revision: 1a2b3c4d5e6f, 99aa\n-- branch_labels:\n-- depends_on: abc1\n-- message: add documents table\n-- created: 2026-11-24 10:30:00+00:00\n-- transactional: false\n\n-- retort:up\nCREATE TABLE t ();\n\n-- retort:down\nDROP TABLE t;\n";

    #[test]
    fn parses_every_key() {
        let f = parse_revision_file(Path::new("a.sql"), GOOD.as_bytes()).expect("valid");
        assert_eq!(f.id, "3f2a9c1b7d4e");
        assert_eq!(f.down_revisions, ["1a2b3c4d5e6f", "99aa"]);
        assert!(f.branch_labels.is_empty());
        assert_eq!(f.depends_on, ["abc1"]);
        assert_eq!(f.message, "add documents table");
        assert!(!f.transactional);
        assert_eq!(f.up_sql, "CREATE TABLE t ();\n\n");
        assert_eq!(f.down_sql.as_deref(), Some("DROP TABLE t;\n"));
        assert_eq!(f.up_line, 10);
        assert_eq!(f.down_line, Some(13));
    }

    #[test]
    fn crlf_and_bom_keep_the_checksum() {
        let plain = parse_revision_file(Path::new("a.sql"), GOOD.as_bytes()).expect("valid");
        let windows = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        let win = parse_revision_file(Path::new("a.sql"), windows.as_bytes()).expect("valid");
        assert_eq!(plain.checksum, win.checksum);
        assert_eq!(win.id, plain.id);
        assert_eq!(win.up_line, plain.up_line);
        let changed = GOOD.replace("DROP TABLE t", "DROP TABLE u");
        let other = parse_revision_file(Path::new("a.sql"), changed.as_bytes()).expect("valid");
        assert_ne!(plain.checksum, other.checksum);
    }

    #[test]
    fn header_changes_do_not_change_the_checksum() {
        let a = parse_revision_file(Path::new("a.sql"), GOOD.as_bytes()).expect("valid");
        let b = parse_revision_file(
            Path::new("a.sql"),
            GOOD.replace("add documents", "Add documents").as_bytes(),
        )
        .expect("valid");
        assert_eq!(a.checksum, b.checksum);
    }

    #[test]
    fn reports_every_problem() {
        let bad = "-- revision: a-b\n-- down_revisoin: x\n-- message\n-- transactional: maybe\nSELECT 1;\n";
        let problems =
            parse_revision_file(Path::new("m/x.sql"), bad.as_bytes()).expect_err("must fail");
        let messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        insta::assert_debug_snapshot!(messages);
    }

    #[test]
    fn round_trip_of_rendered_file() {
        let new = super::super::NewRevision {
            id: "abc123".into(),
            message: "merge\nthings".into(),
            down_revisions: vec!["p1".into(), "p2".into()],
            branch_labels: vec!["feature".into()],
            ..Default::default()
        };
        let text = render_revision_file(&new, "2026-01-01 00:00:00+00:00");
        let f = parse_revision_file(Path::new("n.sql"), text.as_bytes()).expect("valid");
        assert_eq!(f.down_revisions, ["p1", "p2"]);
        assert_eq!(f.branch_labels, ["feature"]);
        assert_eq!(f.message, "merge things");
        assert!(f.transactional);
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_revision_id("ae1027a6acf").is_ok());
        assert!(check_revision_id("").is_err());
        assert!(check_revision_id(&"a".repeat(33)).is_err());
        assert!(check_revision_id("a b").is_err());
        assert!(check_revision_id("head").is_err());
    }
}
