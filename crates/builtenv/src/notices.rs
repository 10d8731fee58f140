//! Server NOTICEs on stderr while migrating.
//!
//! retort's runner does not hand notices to its `Observer`; tokio-postgres logs each one through
//! the `log` crate (target `tokio_postgres::connection`, level info) and drops it. This logger
//! prints those records and nothing else, so `RAISE NOTICE` in a revision (the TimescaleDB
//! choice of the initial revision) reaches the operator as with psql. Only notices raised while
//! a revision runs are printed (see [`in_revision`]), not those of retort's own bookkeeping
//! ("relation retort_version already exists, skipping").

use std::sync::atomic::{AtomicBool, Ordering};

use log::{Level, LevelFilter, Log, Metadata, Record};

const TARGET: &str = "tokio_postgres::connection";

static IN_REVISION: AtomicBool = AtomicBool::new(false);

/// Whether a revision's SQL is running (set from the runner's step events).
pub fn in_revision(running: bool) {
    IN_REVISION.store(running, Ordering::Release);
}

struct NoticeLogger;

impl Log for NoticeLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == TARGET && metadata.level() <= Level::Info
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) && IN_REVISION.load(Ordering::Acquire) {
            // "NOTICE: message", as tokio-postgres formats it.
            eprintln!("builtenv: {}", record.args());
        }
    }

    fn flush(&self) {}
}

/// Print server notices from now on. Does nothing if a logger is already installed.
pub fn print_notices() {
    if log::set_boxed_logger(Box::new(NoticeLogger)).is_ok() {
        log::set_max_level(LevelFilter::Info);
    }
}
