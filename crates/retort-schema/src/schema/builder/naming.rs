//! How the names a declaration does not give are chosen: [`Naming`], and SQLAlchemy's
//! convention (PostgreSQL's own choice is in [`names`](super::names)).

use super::names;

/// How names the declaration does not give are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Naming {
    /// As PostgreSQL chooses them (`t_pkey`, `t_a_key`, `t_a_fkey`, `t_a_check`, `t_a_idx`).
    #[default]
    Postgres,
    /// SQLAlchemy's usual convention: `pk_t`, `uq_t_a_b`, `fk_t_a_b_<referenced table>`,
    /// `ck_t_a`, `ix_t_a_b` (cut to 63 bytes; a name already taken numbered `ix_t_a1`).
    Conventional,
}

/// A name after SQLAlchemy's convention, cut to 63 bytes; numbered like PostgreSQL's if taken.
pub(super) fn conventional(
    ns: &mut names::Namespace,
    prefix: &str,
    table: &str,
    columns: &str,
    referred: Option<&str>,
    is_index: bool,
) -> String {
    let mut name = format!("{prefix}_{table}");
    if !columns.is_empty() {
        name.push('_');
        name.push_str(columns);
    }
    if let Some(r) = referred {
        name.push('_');
        name.push_str(r);
    }
    let base = names::truncate_identifier(&name);
    let relation = is_index || prefix == "ix";
    let constraint = prefix != "ix";
    let mut name = base.clone();
    let mut pass = 0;
    while (relation && ns.relations.contains(&name))
        || (constraint && ns.constraints.contains(&name))
    {
        pass += 1;
        let suffix = pass.to_string();
        name = format!(
            "{}{suffix}",
            names::clip(&base, names::NAMEDATALEN - 1 - suffix.len())
        );
    }
    if relation {
        ns.relations.insert(name.clone());
    }
    if constraint {
        ns.constraints.insert(name.clone());
    }
    name
}
