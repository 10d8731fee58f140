//! In-file suppression: `-- retort:allow RULE[,RULE...] reason`. On a line of its own it
//! applies to the next statement; after code on the same line, to that statement. The reason
//! is required: a suppression says why the risk is accepted.

use super::rules;

/// One `-- retort:allow` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allow {
    pub rules: Vec<String>,
    /// Byte offset of the comment in the section.
    pub at: usize,
    /// Code precedes it on its line: it applies to that statement, not the next.
    pub trailing: bool,
    /// What is wrong with it, if anything (no reason, unknown rule).
    pub problem: Option<String>,
}

const MARKER: &str = "-- retort:allow";

/// Every `-- retort:allow` comment of `text` (found at the start of a `--` comment outside
/// strings: the caller only passes comments the splitter skipped, see `is_comment`).
pub(crate) fn allows(text: &str, is_comment: impl Fn(usize) -> bool) -> Vec<Allow> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(pos) = line.find(MARKER) {
            let at = line_start + pos;
            if is_comment(at) {
                out.push(parse(
                    &line[pos + MARKER.len()..],
                    at,
                    !line[..pos].trim().is_empty(),
                ));
            }
        }
        line_start += line.len();
    }
    out
}

fn parse(rest: &str, at: usize, trailing: bool) -> Allow {
    let rest = rest.trim();
    let (list, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let rules: Vec<String> = list
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let unknown = rules.iter().find(|r| rules::find(r).is_none());
    let problem = if rules.is_empty() {
        Some("`-- retort:allow` names no rule: write `-- retort:allow RULE reason`".to_string())
    } else if let Some(r) = unknown {
        let ids = rules::ALL.iter().map(|r| r.id);
        Some(match crate::suggest::closest(r, ids) {
            Some(s) => format!("unknown rule `{r}` in `-- retort:allow`; did you mean `{s}`?"),
            None => format!(
                "unknown rule `{r}` in `-- retort:allow` (`retort lint --rules` lists them)"
            ),
        })
    } else if reason.trim().is_empty() {
        Some(format!(
            "`-- retort:allow {list}` gives no reason: say why the risk is accepted"
        ))
    } else {
        None
    };
    Allow {
        rules,
        at,
        trailing,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn reasons_and_rules_are_checked() {
        let text = "-- retort:allow ban-drop-table gone since v2\nDROP TABLE a; -- retort:allow ban-drop-column\n-- retort:allow ban-drop-tabel why\n";
        let a = allows(text, |_| true);
        assert_eq!(a.len(), 3);
        assert!(a[0].problem.is_none() && !a[0].trailing);
        assert!(a[1].trailing);
        assert!(a[1]
            .problem
            .as_deref()
            .expect("present")
            .contains("gives no reason"));
        assert!(a[2]
            .problem
            .as_deref()
            .expect("present")
            .contains("did you mean `ban-drop-table`"));
    }
}
