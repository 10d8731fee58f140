//! Logs: `tracing` events and spans on stderr, as text, or as one JSON object per line when
//! `LOG_FORMAT=json`; the level per module from `RUST_LOG` (default `info,retort=warn`: retort's
//! own progress events would repeat what `serve --migrate` prints). Every request has
//! a span `request` with its method, route, path and request id (`x-request-id`, kept from the
//! request or made), so every line logged while answering it carries them; the span's end logs
//! the status and latency. Headers and bodies are never logged (they carry passwords and
//! tokens).

use tracing_subscriber::EnvFilter;

/// The log formats of `LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("LOG_FORMAT") {
            Err(_) => Ok(Self::Text),
            Ok(v) if v.eq_ignore_ascii_case("text") || v.is_empty() => Ok(Self::Text),
            Ok(v) if v.eq_ignore_ascii_case("json") => Ok(Self::Json),
            Ok(v) => Err(format!("LOG_FORMAT must be `text` or `json`, not {v:?}")),
        }
    }
}

/// Installs the global subscriber (once; later calls do nothing).
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,retort=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
