//! One function's declaration into the model's function, as `pg_get_functiondef` prints it.

use std::collections::BTreeSet;

use super::names::{quote_identifier, quote_qualified};
use super::schema_builder::grant;
use super::types::SqlType;
use super::{BuildError, FunctionBuilder, Volatility};
use crate::schema::{Function, QualName, Schema};

/// The function's key in [`Schema::functions`] and its model.
pub(super) fn function_model(
    f: &FunctionBuilder,
    s: &Schema,
) -> Result<(QualName, Function), BuildError> {
    let mut grants = BTreeSet::new();
    if f.public_execute {
        grants.insert(grant("PUBLIC", "EXECUTE"));
    }
    for role in &f.grants {
        grants.insert(grant(role, "EXECUTE"));
    }
    let mut depends_on = BTreeSet::new();
    let (identity, definition) = match &f.definition {
        Some((identity, definition)) => (identity.clone(), definition.clone()),
        None => declared(f, &mut depends_on)?,
    };
    // Only the types of this schema are dependencies the model records.
    depends_on.retain(|q| {
        s.enums.contains_key(q)
            || s.domains.contains_key(q)
            || s.composites.contains_key(q)
            || s.tables.contains_key(q)
    });
    let key = QualName::new(f.schema.clone(), format!("{}({identity})", f.name));
    Ok((
        key,
        Function {
            name: f.name.clone(),
            identity_arguments: identity,
            procedure: false,
            definition,
            depends_on,
            comment: f.comment.clone(),
            grants,
        },
    ))
}

/// The identity arguments and the definition of a function declared part by part, as
/// `pg_get_functiondef` prints it; the types it names go to `depends_on`.
fn declared(
    f: &FunctionBuilder,
    depends_on: &mut BTreeSet<QualName>,
) -> Result<(String, String), BuildError> {
    let err = |e: BuildError| BuildError::Function {
        function: format!("{}.{}", f.schema, f.name),
        what: e.to_string(),
    };
    let mut args = Vec::new();
    for (name, ty) in &f.args {
        let ty = SqlType::parse(ty, &f.schema).map_err(err)?;
        if let Some(u) = &ty.user_type {
            depends_on.insert(u.clone());
        }
        args.push(if name.is_empty() {
            ty.without_typmod()
        } else {
            format!("{} {}", quote_identifier(name), ty.without_typmod())
        });
    }
    let args = args.join(", ");
    let returns = match f.returns.trim() {
        r if r.to_uppercase().starts_with("TABLE") => r.to_string(),
        r => {
            let (setof, ty) = match r.get(..6) {
                Some(p) if p.eq_ignore_ascii_case("setof ") => ("SETOF ", &r[6..]),
                _ => ("", r),
            };
            let ty = SqlType::parse(ty, &f.schema).map_err(err)?;
            if let Some(u) = &ty.user_type {
                depends_on.insert(u.clone());
            }
            format!("{setof}{}", ty.without_typmod())
        }
    };
    let mut d = format!(
        "CREATE OR REPLACE FUNCTION {}({args})\n RETURNS {returns}\n LANGUAGE {}\n",
        quote_qualified(&f.schema, &f.name),
        quote_identifier(&f.language.to_lowercase())
    );
    let mut misc = String::new();
    match f.volatility {
        Volatility::Immutable => misc.push_str(" IMMUTABLE"),
        Volatility::Stable => misc.push_str(" STABLE"),
        Volatility::Volatile => {}
    }
    if let Some(p) = &f.parallel {
        misc.push_str(&format!(" PARALLEL {p}"));
    }
    if f.strict {
        misc.push_str(" STRICT");
    }
    if f.security_definer {
        misc.push_str(" SECURITY DEFINER");
    }
    if f.leakproof {
        misc.push_str(" LEAKPROOF");
    }
    if !misc.is_empty() {
        d.push_str(&misc);
        d.push('\n');
    }
    for (k, v) in &f.config {
        d.push_str(&format!(" SET {k} TO {v}\n"));
    }
    let mut tag = "$function".to_string();
    while f.body.contains(&tag) {
        tag.push('x');
    }
    tag.push('$');
    d.push_str(&format!("AS {tag}{}{tag}\n", f.body));
    Ok((args_identity(&args), d))
}

/// The identity arguments of `IN` arguments without defaults: the argument list itself.
fn args_identity(args: &str) -> String {
    args.to_string()
}
