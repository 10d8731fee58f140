//! Sequences: creation, options, ownership.

use super::*;

pub(super) fn sequence_options(o: &SequenceOptions) -> String {
    format!(
        "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
        o.start,
        o.increment,
        o.min,
        o.max,
        o.cache,
        if o.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

pub fn create_sequence(name: &QualName, s: &Sequence) -> String {
    let mut out = format!(
        "CREATE {}SEQUENCE {} AS {} {};\n",
        if s.unlogged { "UNLOGGED " } else { "" },
        name.sql(),
        s.options.data_type,
        sequence_options(&s.options)
    );
    comment(&mut out, s.comment.as_ref(), || {
        format!("SEQUENCE {}", name.sql())
    });
    out
}

/// `ALTER SEQUENCE ... OWNED BY`, once the table exists (empty when it has no owner).
pub fn sequence_owned_by(name: &QualName, s: &Sequence) -> String {
    match &s.owned_by {
        Some((table, column)) => format!(
            "ALTER SEQUENCE {} OWNED BY {}.{};\n",
            name.sql(),
            table.sql(),
            quote_ident(column)
        ),
        None => String::new(),
    }
}

pub fn drop_sequence(name: &QualName) -> String {
    format!("DROP SEQUENCE {};\n", name.sql())
}
