//! `builtenv serve [--migrate]`: the HTTP API.
//!
//! Order of events: find the database (DATABASE_URL, or the local dev database, which is then
//! migrated as if `--migrate` were given); bind BIND (default 127.0.0.1:8000) and print
//! `builtenv: listening on http://ADDR` on stdout; start answering (`/healthz` 200, `/readyz` 503);
//! with `--migrate`, run `upgrade head` under retort's migration lock — several instances
//! starting at once apply each revision once, the others wait for the lock and find nothing to
//! do — then `/readyz` answers 200. A failed migration ends the process with retort's exit code.

use std::net::SocketAddr;
use std::time::Duration;

use retort::exit::ExitCode;
use retort::plan::Direction;
use retort::runner::{Migrator, RunError, RunOptions};
use tokio::net::TcpListener;

use crate::api::{router, AppState, Limits};
use retort::config::UrlSource;

use crate::db::{database_url, Pool, PoolSettings};
use crate::migrate::{describe, Progress};
use retort_cli::Failure;

/// Address used when BIND is not set.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";

#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Run `upgrade head` before answering ready.
    pub migrate: bool,
    /// `--database-url`, over DATABASE_URL.
    pub database_url: Option<String>,
}

pub async fn serve(opts: ServeOptions) -> Result<ExitCode, Failure> {
    let format = crate::telemetry::LogFormat::from_env()
        .map_err(|e| Failure::message(ExitCode::Usage, e))?;
    crate::telemetry::init(format);
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
    let (pool_settings, limits) = settings_from_env()?;
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
    let pool = Pool::new(&url, pool_settings).map_err(RunError::from)?;
    let state = AppState::new(pool, migrator.clone(), url.clone(), limits);
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    });
    println!("builtenv: listening on http://{addr}");
    if migrate {
        state.set_migrating(true);
        let report = migrator
            .upgrade(&url, "head", &Progress { verbose: false })
            .await;
        state.set_migrating(false);
        let report = report?;
        eprintln!("builtenv: migrations: {}", describe(&report, Direction::Up));
    }
    match state.readiness().await {
        crate::api::Readiness::Ready => {
            eprintln!("builtenv: ready");
            eprintln!("{}", sign_up_hint(addr));
        }
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

/// How to start using the API, printed once ready.
fn sign_up_hint(addr: SocketAddr) -> String {
    format!(
        "builtenv: sign up with\n  curl -s -X POST http://{addr}/signup -H 'content-type: application/json' \\\n    \
         -d '{{\"tenant\": {{\"name\": \"Acme\", \"slug\": \"acme\", \"email\": \"ops@acme.test\"}}, \
         \"admin\": {{\"email\": \"you@acme.test\", \"password\": \"at least 10 characters\"}}}}'\n\
         then POST /login with that e-mail and password for a token (see crates/builtenv/README.md)"
    )
}

/// A number from the environment variable `name`, or `default` when it is unset.
fn env_number(name: &str, default: u64) -> Result<u64, Failure> {
    match std::env::var(name) {
        Ok(s) => s.trim().parse().map_err(|_| {
            Failure::message(
                ExitCode::Usage,
                format!("{name} must be a whole number, not {s:?}"),
            )
        }),
        Err(_) => Ok(default),
    }
}

/// POOL_SIZE, POOL_WAIT_MS, STATEMENT_TIMEOUT_MS, BODY_LIMIT_BYTES, REQUEST_TIMEOUT_MS,
/// SIGNUP_LIMIT_PER_HOUR, each with its default.
fn settings_from_env() -> Result<(PoolSettings, Limits), Failure> {
    let (pool, limits) = (PoolSettings::default(), Limits::default());
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let pool = PoolSettings {
        size: usize::try_from(env_number("POOL_SIZE", pool.size as u64)?).unwrap_or(usize::MAX),
        wait: Duration::from_millis(env_number("POOL_WAIT_MS", ms(pool.wait))?),
        statement_timeout: Duration::from_millis(env_number(
            "STATEMENT_TIMEOUT_MS",
            ms(pool.statement_timeout),
        )?),
    };
    let limits = Limits {
        body_bytes: usize::try_from(env_number("BODY_LIMIT_BYTES", limits.body_bytes as u64)?)
            .unwrap_or(usize::MAX),
        request_timeout: Duration::from_millis(env_number(
            "REQUEST_TIMEOUT_MS",
            ms(limits.request_timeout),
        )?),
        signups_per_hour: u32::try_from(env_number(
            "SIGNUP_LIMIT_PER_HOUR",
            u64::from(limits.signups_per_hour),
        )?)
        .unwrap_or(u32::MAX),
    };
    Ok((pool, limits))
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
