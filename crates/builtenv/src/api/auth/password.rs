//! Passwords: argon2id hashes (PHC strings, the crate's default parameters: 19 MiB, 2 passes,
//! the OWASP recommendation), computed on the blocking pool so that a login does not stall the
//! request threads.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::Deserialize;

use crate::api::ApiError;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (hashing cost grows with it).
pub const MAX_LENGTH: usize = 256;

/// A password as received: never printed (its `Debug` is `"[redacted]"`), never serialized.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Password {
    /// 400 unless its length is within [`MIN_LENGTH`]..=[`MAX_LENGTH`] characters.
    pub fn check_policy(&self) -> Result<(), ApiError> {
        let n = self.0.chars().count();
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&n) {
            return Err(ApiError::BadRequest(format!(
                "password must be {MIN_LENGTH} to {MAX_LENGTH} characters long"
            )));
        }
        Ok(())
    }
}

/// The PHC string of `password` with a fresh random salt.
pub async fn hash(password: Password) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))?
}

/// A hash of nothing anyone knows, checked when the account does not exist so that an unknown
/// e-mail costs as long as a wrong password (no account enumeration by timing).
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"no account has this password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Whether `password` matches `stored` (a PHC string); `None` (no such account) is checked
/// against a dummy hash and is never a match.
pub async fn verify(password: Password, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.0.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash(Password("correct horse battery".into()))
            .await
            .expect("hash");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(
            verify(
                Password("correct horse battery".into()),
                Some(stored.clone())
            )
            .await
        );
        assert!(!verify(Password("correct horse battery!".into()), Some(stored)).await);
        assert!(!verify(Password("no account has this password".into()), None).await);
        assert_eq!(format!("{:?}", Password("secret".into())), "[redacted]");
    }

    #[test]
    fn the_policy_bounds_the_length() {
        assert!(Password("short".into()).check_policy().is_err());
        assert!(Password("long enough!".into()).check_policy().is_ok());
        assert!(Password("x".repeat(MAX_LENGTH + 1)).check_policy().is_err());
    }
}
