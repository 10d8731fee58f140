//! Refuse a plan that cannot run as asked, before anything runs: a downgrade without a down
//! section, an unterminated quote, transaction control in a transactional revision.

use std::collections::BTreeSet;

use super::apply::StepSql;
use super::{Migrator, RevisionUnusable, RunError};
use crate::plan::{Direction, Plan, Step};
use crate::sql::split_statements;

/// A plan that passed [`Migrator::preflight`]: each step with its SQL, already split into
/// statements (what applies it never splits again).
pub(super) struct CheckedPlan<'g> {
    pub heads_before: BTreeSet<String>,
    pub heads_after: BTreeSet<String>,
    pub steps: Vec<CheckedStep<'g>>,
}

/// One step of a [`CheckedPlan`].
pub(super) struct CheckedStep<'g> {
    pub step: Step,
    pub sql: StepSql<'g>,
}

impl Migrator {
    /// Refuse a plan that cannot run as asked, before anything runs; else the plan with each
    /// step's statements.
    pub(super) fn preflight(&self, plan: Plan) -> Result<CheckedPlan<'_>, RunError> {
        let mut steps = Vec::with_capacity(plan.steps.len());
        for step in plan.steps {
            let r = self.graph().rev(step.rev);
            let f = &r.file;
            let (sql, line) = match step.direction {
                Direction::Up => (f.up_sql.as_str(), f.up_line),
                Direction::Down => match &f.down_sql {
                    Some(s) => (s.as_str(), f.down_line.unwrap_or(f.up_line)),
                    None => {
                        return Err(RevisionUnusable {
                            location: crate::util::display_path(&f.path),
                            message: format!("revision {} has no `-- retort:down` section, so it cannot be downgraded", f.id),
                            help: Some("write the SQL that undoes it under `-- retort:down` (an empty section means nothing to undo)".into()),
                        }
                        .into())
                    }
                },
            };
            let statements = split_statements(sql).map_err(|e| RevisionUnusable {
                location: format!(
                    "{}:{}:{}",
                    crate::util::display_path(&f.path),
                    line + e.line - 1,
                    e.column
                ),
                message: format!("revision {}: unterminated {}", f.id, e.what),
                help: Some("close the quote or comment".into()),
            })?;
            if !f.transactional && self.options.single_transaction {
                return Err(RunError::Usage {
                    message: format!("--single-transaction cannot include revision {}, which is `transactional: false`", f.id),
                    help: Some(format!("upgrade to the revision before it first, then run {} on its own", f.id)),
                });
            }
            if f.transactional {
                for s in &statements {
                    let first = s
                        .text
                        .lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty() && !l.starts_with("--"))
                        .unwrap_or("")
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    if matches!(
                        first.as_str(),
                        "BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END" | "ABORT"
                    ) {
                        return Err(RevisionUnusable {
                            location: format!("{}:{}", crate::util::display_path(&f.path), line + s.line - 1),
                            message: format!("revision {} contains `{first}`, but retort runs it in its own transaction", f.id),
                            help: Some("remove the transaction control, or set `-- transactional: false` to run it statement by statement".into()),
                        }
                        .into());
                    }
                }
            }
            let direction = step.direction;
            steps.push(CheckedStep {
                step,
                sql: StepSql {
                    f,
                    direction,
                    sql,
                    statements,
                },
            });
        }
        Ok(CheckedPlan {
            heads_before: plan.heads_before,
            heads_after: plan.heads_after,
            steps,
        })
    }
}
