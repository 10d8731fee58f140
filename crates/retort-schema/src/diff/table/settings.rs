//! Settings of a table that stays: storage options, logging, replica identity, clustering and
//! row-level security.

use std::fmt::Write as _;

use super::Change;
use crate::diff::{Differ, Phase};
use crate::sql::quote_ident;

pub(super) fn alter_settings(d: &mut Differ<'_>, t: &Change<'_>) {
    storage(d, t);
    replica_identity_and_clustering(d, t);
    row_security(d, t);
}

/// Storage parameters and `LOGGED`/`UNLOGGED`.
fn storage(d: &mut Differ<'_>, t: &Change<'_>) {
    let Change { name, old, new } = *t;
    let alter = format!("ALTER TABLE {}", name.sql());
    if old.options != new.options {
        let sql = crate::sql::options_change(&alter, &old.options, &new.options);
        d.ops.push(
            Phase::AlterTable,
            format!("set storage options of {name}"),
            sql,
        );
    }
    if old.unlogged != new.unlogged {
        d.ops.push(
            Phase::AlterTable,
            format!(
                "make {name} {}",
                if new.unlogged { "unlogged" } else { "logged" }
            ),
            format!(
                "{alter} SET {};\n",
                if new.unlogged { "UNLOGGED" } else { "LOGGED" }
            ),
        );
    }
    identity_persistence(d, t);
}

/// An identity sequence whose persistence is not its table's: set after the table's own (which
/// moves its identity sequences along) and after a rename of the sequence.
fn identity_persistence(d: &mut Differ<'_>, t: &Change<'_>) {
    let Change { name, old, new } = *t;
    for c in &new.columns {
        let Some(id) = &c.identity else { continue };
        let Some(was) = old
            .columns
            .iter()
            .find(|o| o.name == c.name)
            .and_then(|o| o.identity.as_ref())
        else {
            continue;
        };
        let table_moved = old.unlogged != new.unlogged;
        if was.persistence == id.persistence && !(table_moved && id.persistence.is_some()) {
            continue;
        }
        let to = id
            .persistence
            .clone()
            .unwrap_or_else(|| if new.unlogged { "UNLOGGED" } else { "LOGGED" }.to_string());
        d.ops.push(
            Phase::TableSettings,
            format!(
                "make identity sequence {} of {name}.{} {}",
                id.sequence,
                c.name,
                to.to_lowercase()
            ),
            format!("ALTER SEQUENCE {} SET {to};\n", id.sequence.sql()),
        );
    }
}

/// `REPLICA IDENTITY` and `CLUSTER ON`: set again when their index is made again too.
fn replica_identity_and_clustering(d: &mut Differ<'_>, t: &Change<'_>) {
    let Change { name, old, new } = *t;
    let alter = format!("ALTER TABLE {}", name.sql());
    let index_remade = |i: &String| {
        old.indexes.get(i).map(|x| &x.definition) != new.indexes.get(i).map(|x| &x.definition)
            || old.constraints.get(i).map(|x| &x.definition)
                != new.constraints.get(i).map(|x| &x.definition)
    };
    let replica_remade = new
        .replica_identity
        .as_ref()
        .and_then(|r| r.strip_prefix("USING INDEX "))
        .is_some_and(|i| index_remade(&i.trim_matches('"').replace("\"\"", "\"")));
    if old.replica_identity != new.replica_identity || replica_remade {
        let r = new.replica_identity.as_deref().unwrap_or("DEFAULT");
        d.ops.push(
            Phase::TableSettings,
            format!("set replica identity of {name}"),
            format!("ALTER TABLE ONLY {} REPLICA IDENTITY {r};\n", name.sql()),
        );
    }
    let cluster_remade = new.cluster_on.as_ref().is_some_and(index_remade);
    if old.cluster_on != new.cluster_on || cluster_remade {
        let sql = match &new.cluster_on {
            Some(i) => format!("{alter} CLUSTER ON {};\n", quote_ident(i)),
            None => format!("{alter} SET WITHOUT CLUSTER;\n"),
        };
        d.ops.push(
            Phase::TableSettings,
            format!("set clustering of {name}"),
            sql,
        );
    }
}

/// `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE ROW LEVEL SECURITY`.
fn row_security(d: &mut Differ<'_>, t: &Change<'_>) {
    let Change { name, old, new } = *t;
    let alter = format!("ALTER TABLE {}", name.sql());
    let mut rls = String::new();
    if old.row_security != new.row_security {
        let _ = writeln!(
            rls,
            "{alter} {} ROW LEVEL SECURITY;",
            if new.row_security {
                "ENABLE"
            } else {
                "DISABLE"
            }
        );
    }
    if old.force_row_security != new.force_row_security {
        let _ = writeln!(
            rls,
            "{alter} {} ROW LEVEL SECURITY;",
            if new.force_row_security {
                "FORCE"
            } else {
                "NO FORCE"
            }
        );
    }
    d.ops.push(
        Phase::RowSecurity,
        format!("change row-level security of {name}"),
        rls,
    );
}
