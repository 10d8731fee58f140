//! Reading values out of a catalog query's row, by column name.

use std::collections::BTreeSet;

use tokio_postgres::Row;

use crate::schema::{Grant, QualName};

/// The name made of the `schema` and `name` columns.
pub(super) fn qn(row: &Row, schema: &str, name: &str) -> QualName {
    QualName::new(row.get::<_, String>(schema), row.get::<_, String>(name))
}

/// The same, None when either column is NULL.
pub(super) fn opt_qn(row: &Row, schema: &str, name: &str) -> Option<QualName> {
    match (
        row.get::<_, Option<String>>(schema),
        row.get::<_, Option<String>>(name),
    ) {
        (Some(s), Some(n)) => Some(QualName::new(s, n)),
        _ => None,
    }
}

/// [`grants`] of an ACL that may be NULL (the object's default): None then.
pub(super) fn opt_grants(row: &Row, column: &str) -> Option<BTreeSet<Grant>> {
    row.get::<_, Option<Vec<String>>>(column)
        .is_some()
        .then(|| grants(row, column))
}

/// The grants of a `grantee|privilege|grantable` text array column (`|owner` after a grant to
/// the object's owner).
pub(super) fn grants(row: &Row, column: &str) -> BTreeSet<Grant> {
    row.get::<_, Vec<String>>(column)
        .into_iter()
        .filter_map(|g| {
            let (g, owner) = match g.strip_suffix("|owner") {
                Some(rest) => (rest.to_string(), true),
                None => (g, false),
            };
            let mut parts = g.rsplitn(3, '|');
            let grantable = parts.next()? == "true";
            let privilege = parts.next()?.to_string();
            let grantee = parts.next()?.to_string();
            Some(Grant {
                grantee,
                privilege,
                with_grant_option: grantable,
                owner,
            })
        })
        .collect()
}
