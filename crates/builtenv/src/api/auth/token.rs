//! Bearer tokens: `bte_` and 64 hex digits (256 random bits from the operating system's
//! generator through `rand`'s thread generator). The database keeps only their SHA-256 (hex):
//! a leaked table gives no usable credential, and a token is shown once, when made.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every token starts with (so that secret scanners can recognise one).
pub const PREFIX: &str = "bte_";

/// A token just made: the secret to give out once, and the hash to store.
pub struct NewToken {
    pub secret: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// A fresh random token.
pub fn generate() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let hash = hash(&secret);
    NewToken { secret, hash }
}

/// The stored form of a token: hex SHA-256 of its text.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_their_hash() {
        let (a, b) = (generate(), generate());
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(PREFIX) && a.secret.len() == PREFIX.len() + 64);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
