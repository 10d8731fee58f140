//! `builtenv serve [--migrate]`: the HTTP API.
//!
//! Order of events: find the database (DATABASE_URL, or the local dev database, which is then
//! migrated as if `--migrate` were given); bind BIND (default 127.0.0.1:8000) and print
//! `builtenv: listening on http://ADDR` on stdout; start answering (`/healthz` 200, `/readyz` 503);
//! with `--migrate`, run `upgrade head` under retort's migration lock — several instances
//! starting at once apply each revision once, the others wait for the lock and find nothing to
//! do — then `/readyz` answers 200. A failed migration ends the process with retort's exit code.

use std::net::SocketAddr;

use retort::exit::ExitCode;
use retort::plan::Direction;
use retort::runner::{Migrator, RunError, RunOptions};
use tokio::net::TcpListener;

use crate::api::{router, AppState};
use retort::config::UrlSource;

use crate::db::{database_url, Pool};
use crate::migrate::{describe, Failure, Progress};

/// Address used when BIND is not set.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
/// Connections the API keeps at most (POOL_SIZE overrides).
pub const DEFAULT_POOL_SIZE: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Run `upgrade head` before answering ready.
    pub migrate: bool,
    /// `--database-url`, over DATABASE_URL.
    pub database_url: Option<String>,
}

pub async fn serve(opts: ServeOptions) -> Result<ExitCode, Failure> {
    let project = crate::project()?;
    let (url, source) = database_url(opts.database_url.as_deref(), &project.config).await?;
    let target = retort::db::Endpoint::parse(&url).map_err(RunError::from)?;
    eprintln!(
        "builtenv: database {}{}",
        target.masked,
        if source == UrlSource::Local {
            " (the local dev database, migrated at start)"
        } else {
            ""
        }
    );
    let migrate = opts.migrate || source == UrlSource::Local;
    let bind = std::env::var("BIND")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BIND.to_string());
    let pool_size = match std::env::var("POOL_SIZE") {
        Ok(s) => s.trim().parse().map_err(|_| {
            Failure::message(
                ExitCode::Usage,
                format!("POOL_SIZE must be a number, not {s:?}"),
            )
        })?,
        Err(_) => DEFAULT_POOL_SIZE,
    };
    let listener = TcpListener::bind(&bind).await.map_err(|e| {
        Failure::message(
            ExitCode::Io,
            format!("cannot listen on {bind}: {e} (set BIND=host:port)"),
        )
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::message(ExitCode::Io, e))?;
    let lock_mode = project.config.lock_mode;
    let migrator = Migrator::new(
        project,
        RunOptions {
            lock_mode,
            application_name: format!("builtenv (retort {})", retort::runner::RETORT_VERSION),
            ..RunOptions::default()
        },
    );
    let pool = Pool::new(&url, pool_size).map_err(RunError::from)?;
    let state = AppState::new(pool, migrator.clone(), url.clone());
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    });
    println!("builtenv: listening on http://{addr}");
    if migrate {
        let report = migrator
            .upgrade(&url, "head", &Progress { verbose: false })
            .await?;
        eprintln!("builtenv: migrations: {}", describe(&report, Direction::Up));
    }
    match state.readiness().await {
        crate::api::Readiness::Ready => eprintln!("builtenv: ready"),
        _ => eprintln!(
            "builtenv: not ready until the database is migrated (`builtenv migrate upgrade head`, or serve --migrate)"
        ),
    }
    match server.await {
        Ok(Ok(())) => Ok(ExitCode::Ok),
        Ok(Err(e)) => Err(Failure::message(ExitCode::Io, format!("server error: {e}"))),
        Err(e) => Err(Failure::message(
            ExitCode::Io,
            format!("server task failed: {e}"),
        )),
    }
}

/// Ctrl-C or SIGTERM (what `docker stop` sends): stop accepting, finish requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("builtenv: shutting down");
}
