//! Sequences: made, altered, dropped, and the option changes identity columns share.

use super::{Differ, Phase};
use crate::render::objects;
use crate::schema::{QualName, Sequence, SequenceOptions};
use crate::sql::quote_literal;

/// `AS type INCREMENT BY ...`: the options that differ, for `ALTER SEQUENCE` or
/// `ALTER COLUMN ... SET`.
pub(super) fn sequence_option_changes(
    old: &SequenceOptions,
    new: &SequenceOptions,
    identity: bool,
) -> String {
    let mut parts = Vec::new();
    if old.data_type != new.data_type && !identity {
        parts.push(format!("AS {}", new.data_type));
    }
    if old.increment != new.increment {
        parts.push(format!("INCREMENT BY {}", new.increment));
    }
    if old.min != new.min || old.data_type != new.data_type {
        parts.push(format!("MINVALUE {}", new.min));
    }
    if old.max != new.max || old.data_type != new.data_type {
        parts.push(format!("MAXVALUE {}", new.max));
    }
    if old.start != new.start {
        parts.push(format!("START WITH {}", new.start));
    }
    if old.cache != new.cache {
        parts.push(format!("CACHE {}", new.cache));
    }
    if old.cycle != new.cycle {
        parts.push(if new.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    if identity {
        parts
            .iter()
            .map(|p| format!(" SET {p}"))
            .collect::<String>()
    } else {
        parts.join(" ")
    }
}

/// Before narrowing a sequence's bounds: its value moved inside them, as `ALTER SEQUENCE` refuses
/// a current value outside them; only forward (up for an ascending sequence, down for a
/// descending one), so no value is given twice. Empty when the bounds do not narrow that way.
pub(super) fn move_into_bounds(
    sequence: &QualName,
    old: &SequenceOptions,
    new: &SequenceOptions,
) -> String {
    let regclass = quote_literal(&sequence.sql());
    let mut sql = String::new();
    if new.min > old.min && new.increment > 0 {
        sql.push_str(&format!(
            "SELECT pg_catalog.setval({regclass}, {min}, false) FROM {seq} WHERE last_value < {min};\n",
            min = new.min,
            seq = sequence.sql()
        ));
    }
    if new.max < old.max && new.increment < 0 {
        sql.push_str(&format!(
            "SELECT pg_catalog.setval({regclass}, {max}, false) FROM {seq} WHERE last_value > {max};\n",
            max = new.max,
            seq = sequence.sql()
        ));
    }
    sql
}

impl Differ<'_> {
    pub(super) fn sequences(&mut self) {
        for (name, s) in &self.to.sequences {
            let what = format!("SEQUENCE {}", name.sql());
            match self.from.sequences.get(name) {
                None => {
                    self.ops.push(
                        Phase::Sequence,
                        format!("create sequence {name}"),
                        objects::create_sequence(name, s),
                    );
                    self.ops.push(
                        Phase::SequenceOwnership,
                        format!("set owner column of sequence {name}"),
                        objects::sequence_owned_by(name, s),
                    );
                    self.ops.push(
                        Phase::Grant,
                        format!("grant on sequence {name}"),
                        objects::grants(&what, &s.grants),
                    );
                }
                Some(old) => self.alter_sequence(name, old, s),
            }
        }
        for (name, s) in &self.from.sequences {
            if self.to.sequences.contains_key(name) {
                continue;
            }
            // An owned sequence goes with its column.
            let goes_with_owner = s.owned_by.as_ref().is_some_and(|(t, c)| {
                self.to
                    .tables
                    .get(t)
                    .is_none_or(|nt| !nt.columns.iter().any(|nc| &nc.name == c))
                    || self.cascade.tables.contains(t)
            });
            if goes_with_owner {
                continue;
            }
            // A domain's default that calls `nextval` on it goes (with the domain, or as the
            // domain is altered) in a later phase: the sequence after.
            let phase = if self.used_by_domain_default(name) {
                Phase::DropType
            } else {
                Phase::DropSequence
            };
            self.ops.push(
                phase,
                format!("drop sequence {name}"),
                objects::drop_sequence(name),
            );
        }
    }

    /// Whether the default of a domain of `from` names the sequence (`nextval('s'::regclass)`).
    fn used_by_domain_default(&self, sequence: &QualName) -> bool {
        let literal = format!("'{}'::regclass", sequence.to_string().replace('\'', "''"));
        self.from
            .domains
            .values()
            .any(|d| d.default.as_ref().is_some_and(|e| e.contains(&literal)))
    }

    pub(super) fn alter_sequence(&mut self, name: &QualName, old: &Sequence, new: &Sequence) {
        let what = format!("SEQUENCE {}", name.sql());
        let changes = sequence_option_changes(&old.options, &new.options, false);
        if !changes.is_empty() {
            self.ops.push(
                Phase::Sequence,
                format!("alter sequence {name}"),
                format!(
                    "{}ALTER SEQUENCE {} {changes};\n",
                    move_into_bounds(name, &old.options, &new.options),
                    name.sql()
                ),
            );
        }
        if old.unlogged != new.unlogged {
            self.ops.push(
                Phase::Sequence,
                format!("alter sequence {name}"),
                format!(
                    "ALTER SEQUENCE {} SET {};\n",
                    name.sql(),
                    if new.unlogged { "UNLOGGED" } else { "LOGGED" }
                ),
            );
        }
        // A sequence owned by a column that goes away would go with it: it is let go first.
        let owner_goes = old.owned_by.as_ref().is_some_and(|(t, c)| {
            self.cascade.tables.contains(t)
                || self
                    .to
                    .tables
                    .get(t)
                    .is_none_or(|nt| !nt.columns.iter().any(|nc| &nc.name == c))
                || self.to.tables.get(t).is_some_and(|nt| {
                    nt.columns
                        .iter()
                        .any(|nc| &nc.name == c && nc.generated.is_some())
                })
        });
        if owner_goes {
            self.ops.push(
                Phase::DetachPartition,
                format!("release sequence {name} from its column"),
                format!("ALTER SEQUENCE {} OWNED BY NONE;\n", name.sql()),
            );
        }
        if old.owned_by != new.owned_by || (owner_goes && new.owned_by.is_some()) {
            let sql = match &new.owned_by {
                Some(_) => objects::sequence_owned_by(name, new),
                None => format!("ALTER SEQUENCE {} OWNED BY NONE;\n", name.sql()),
            };
            self.ops.push(
                Phase::SequenceOwnership,
                format!("set owner column of sequence {name}"),
                sql,
            );
        }
        self.ops.comment(
            format!("comment on sequence {name}"),
            &what,
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        self.ops.grants(
            format!("change grants on sequence {name}"),
            &what,
            &old.grants,
            &new.grants,
        );
    }
}
