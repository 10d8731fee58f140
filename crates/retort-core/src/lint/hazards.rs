//! The hazards of SQL the diff writes: the [`Kind::Hazard`] rules run over it, so that
//! `-- hazard:` comments, `retort diff --summary` and `retort lint` on the revision say the same
//! thing under the same ids (one source: the rule files).

use super::engine::{run, Settings};
use super::rule::Kind;
use super::state::State;

/// For each piece of a script (the SQL of one operation, in the order they run), the ids of the
/// hazard rules that flag its statements, sorted, once each.
///
/// The pieces are linted as one section (`transactional`: run in one transaction), so a table
/// made by an earlier piece is new in the later ones, as in a revision. Configured severities do
/// not apply: an opt-in rule (severity `off` by default) is still a hazard.
pub fn hazards(
    pieces: &[&str],
    transactional: bool,
) -> Result<Vec<Vec<&'static str>>, crate::sql::SplitError> {
    let mut text = String::new();
    let mut ends = Vec::with_capacity(pieces.len());
    for p in pieces {
        text.push_str(p);
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        ends.push(text.len());
    }
    let state = State {
        transactional_revision: transactional,
        ..State::default()
    };
    let found = run(&text, state, &Settings::default(), |r| {
        r.kind == Kind::Hazard
    })?;
    let mut out = vec![Vec::new(); pieces.len()];
    for c in found.candidates {
        let piece = ends.partition_point(|&end| end <= c.at);
        if let Some(ids) = out.get_mut(piece) {
            ids.push(c.rule.id);
        }
    }
    for ids in &mut out {
        ids.sort_unstable();
        ids.dedup();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::hazards;

    #[test]
    fn each_piece_gets_its_own_and_new_tables_are_exempt() {
        let pieces = [
            "CREATE TABLE n (a int);\n",
            "CREATE INDEX i ON n (a);\nCREATE INDEX j ON old (a);\n",
            "ALTER TABLE old DROP COLUMN b;\n",
            "ALTER TABLE old ALTER COLUMN a TYPE text;\n",
        ];
        let h = hazards(&pieces, true).expect("splits");
        assert_eq!(
            h,
            vec![
                vec![],
                vec!["require-concurrent-index-creation"],
                vec!["ban-drop-column"],
                vec!["changing-column-type"],
            ]
        );
    }

    #[test]
    fn script_and_design_rules_are_not_hazards() {
        let h = hazards(&["CREATE TABLE t (a varchar(20), b int);\n"], false).expect("splits");
        assert_eq!(h, vec![Vec::<&str>::new()]);
    }
}
