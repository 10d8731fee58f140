//! A test kit for any project's migrations, in the spirit of pytest-alembic: the checks every
//! project's revisions should pass, run from that project's own tests on a real database.
//!
//! - [`single_head`]: the graph has one head (two mean a missing `retort merge`);
//! - [`up_down_up_each_revision`]: from an empty database, each revision in turn is upgraded,
//!   downgraded and upgraded again, and the schema after each step equals the one the step
//!   should give (its down restores what was there before it; its up works again after it);
//! - [`model_matches_head`]: `retort check` as a test: the database migrated to head,
//!   introspected, has no difference from the models (the desired schema built in Rust);
//! - [`downgrade_to_base_restores`]: from head, `downgrade base` leaves the schema as it was
//!   before the first upgrade.
//!
//! Every check returns a `Result` whose error says what differs ([`KitError`]); a test
//! `.expect()`s it. "The schema" of the reversibility checks is a [`Snapshot`]: one line per
//! object of the database's catalog, wider than the diff's model (privileges of schemas and
//! relations, default privileges, event triggers, invalid indexes), without OIDs or anything
//! else that differs between two databases holding the same schema, retort's own version
//! tables left out.
//!
//! ```no_run
//! # async fn example(url: &str, models: retort::schema::Schema) -> Result<(), Box<dyn std::error::Error>> {
//! use retort::config::Config;
//! use retort::project::Project;
//! use retort::runner::{Migrator, RunOptions};
//! use retort::testkit;
//!
//! let project = Project::open(Config::discover(None, std::path::Path::new("."))?)?;
//! let migrator = Migrator::new(project, RunOptions::default());
//! testkit::single_head(&migrator)?;
//! // `url`: an empty database, dropped after the test.
//! let (empty, _head) = testkit::up_down_up_each_revision(&migrator, url).await?;
//! testkit::model_matches_head(&migrator, url, &models, &testkit::ModelCheck::default()).await?;
//! testkit::downgrade_to_base_restores(&migrator, url, &empty).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Invariant: the kit only runs the migrator's own commands (`upgrade`, `downgrade`, `current`)
//! and reads the catalog; it never changes a database otherwise.

mod checks;
mod snapshot;

pub use checks::{
    downgrade_to_base_restores, model_matches_head, revisions_in_order, single_head,
    up_down_up_each_revision, up_down_up_each_revision_but, KitError, ModelCheck,
};
pub use snapshot::{bookkeeping_patterns, schema_snapshot, snapshot_at, Snapshot};
