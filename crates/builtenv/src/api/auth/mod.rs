//! Authentication and authorization.
//!
//! - [`password`]: argon2id hashes of users' passwords, checked off the async threads;
//! - [`token`]: credentials, random 256-bit bearer tokens of which only the SHA-256 is stored
//!   (`api_tokens.token_hash`), shown once when made;
//! - [`limiter`]: login attempts limited per account and per address;
//! - [`principal`]: who a request is from ([`Principal`]: tenant, user or API token, role), the
//!   middleware that requires it on every tenant route and answers 404 for a path naming
//!   another tenant, and the per-route role checks.
//!
//! The only SQL that runs without row-level security is here and in `POST /login`: finding a
//! credential by its hash, and a user by e-mail, before the tenant is known (as the connection's
//! own role, the tables' owner). Everything after runs in the principal's tenant transaction.

pub(crate) mod limiter;
pub(crate) mod password;
mod principal;
pub mod token;

pub use principal::{require_principal, require_role, Principal};
