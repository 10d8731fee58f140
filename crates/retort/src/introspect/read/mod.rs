//! Running the queries and assembling their rows into the model: one reader per query, each
//! reading its columns by name.

mod objects;
mod row;
mod table_parts;
mod tables;
mod types;
mod views;

use super::{queries as q, CountingClient, IntrospectError, IntrospectOptions, MIN_SERVER_VERSION};
use crate::schema::Schema;

/// Read everything through `c`, or through `c` and `d` (two connections in one snapshot), which
/// then share the queries.
pub(super) async fn read(
    c: &CountingClient<'_>,
    d: Option<&CountingClient<'_>>,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    let setup = match d {
        Some(d) => {
            let (setup, _) = tokio::try_join!(
                c.query("setup", q::SETUP, &[]),
                d.query("setup", q::SETUP, &[])
            )?;
            setup
        }
        None => c.query("setup", q::SETUP, &[]).await?,
    };
    let d = d.unwrap_or(c);
    let citus = setup.first().is_some_and(|r| r.get::<_, bool>("citus"));
    let version: i32 = setup
        .first()
        .map_or(MIN_SERVER_VERSION, |row| row.get("server_version"));
    if version < MIN_SERVER_VERSION {
        return Err(IntrospectError::ServerTooOld {
            major: version / 10_000,
        });
    }
    let schemas: &Vec<String> = &options.schemas;
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [schemas];
    // Every query at once: pipelined on the connection, run by the server one after the other
    // in the same snapshot, with no round trip waiting between them. With two connections,
    // the second takes about half of the server's work.
    let (
        r_schemas,
        r_extensions,
        r_enums,
        r_domains,
        r_domain_constraints,
        r_composites,
        r_sequences,
        r_tables,
        r_columns,
        r_constraints,
        r_indexes,
        r_triggers,
        r_policies,
        r_views,
        r_functions,
        r_objects,
        r_dependencies,
        r_unsupported,
        r_distribution,
    ) = tokio::try_join!(
        c.query("schemas", q::SCHEMAS, &p),
        c.query("extensions", q::EXTENSIONS, &p),
        c.query("enums", q::ENUMS, &p),
        c.query("domains", q::DOMAINS, &p),
        c.query("domain constraints", q::DOMAIN_CONSTRAINTS, &p),
        c.query("composite types", q::COMPOSITES, &p),
        c.query("sequences", q::SEQUENCES, &p),
        c.query("tables", q::TABLES, &p),
        d.query("columns", q::columns_query(version), &p),
        d.query("constraints", q::CONSTRAINTS, &p),
        c.query("indexes", q::INDEXES, &p),
        c.query("triggers", q::TRIGGERS, &p),
        c.query("policies", q::POLICIES, &p),
        c.query("views", q::VIEWS, &p),
        c.query("functions", q::FUNCTIONS, &p),
        c.query("objects", &super::kinds::OBJECTS, &p),
        d.query("dependencies", &q::DEPENDENCIES, &p),
        d.query("unsupported objects", q::UNSUPPORTED, &p),
        super::distribution::query(c, citus, &p),
    )?;
    let mut s = Schema::default();
    types::schemas(&mut s, &r_schemas);
    types::extensions(&mut s, &r_extensions);
    types::enums(&mut s, &r_enums);
    types::domains(&mut s, &r_domains);
    types::domain_constraints(&mut s, &r_domain_constraints);
    types::composites(&mut s, &r_composites);
    let mut identity_sequences = types::sequences(&mut s, &r_sequences);
    tables::tables(&mut s, &r_tables);
    tables::columns(&mut s, &r_columns, &mut identity_sequences);
    table_parts::constraints(&mut s, &r_constraints);
    table_parts::indexes(&mut s, &r_indexes);
    let view_triggers = table_parts::triggers(&mut s, &r_triggers);
    table_parts::policies(&mut s, &r_policies);
    views::views(&mut s, &r_views, view_triggers);
    views::functions(&mut s, &r_functions);
    let mut unsupported = objects::objects(&mut s, &r_objects);
    objects::dependencies(&mut s, &r_dependencies);
    super::distribution::apply(&mut s, &mut unsupported, &r_distribution);
    crate::schema::shell_type::break_type_function_loops(&mut s);
    objects::unsupported(&mut s, &r_unsupported, unsupported);
    Ok(s)
}
