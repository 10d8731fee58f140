//! Bearer tokens: `bte_`, the tenant's id (32 hex digits), `_`, and 64 hex digits (256 random
//! bits from the operating system's generator through `rand`'s thread generator). The database
//! keeps only their SHA-256 (hex): a leaked table gives no usable credential, and a token is
//! shown once, when made. The tenant is not secret: it lets the token be looked up within its
//! tenant (one shard on Citus). Tokens made before (`bte_` and 64 hex digits) name no tenant
//! and are looked up across tenants.

use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

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

/// A fresh random token of `tenant`'s.
pub fn generate(tenant: Uuid) -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}_{}", tenant.simple(), hex::encode(bytes));
    let hash = hash(&secret);
    NewToken { secret, hash }
}

/// The tenant a token names, if it names one.
pub fn tenant_of(secret: &str) -> Option<Uuid> {
    let (tenant, random) = secret.strip_prefix(PREFIX)?.split_once('_')?;
    (tenant.len() == 32 && random.len() == 64)
        .then(|| Uuid::try_parse(tenant).ok())
        .flatten()
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
        let tenant = Uuid::new_v4();
        let (a, b) = (generate(tenant), generate(tenant));
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(PREFIX) && a.secret.len() == PREFIX.len() + 32 + 1 + 64);
        assert_eq!(tenant_of(&a.secret), Some(tenant));
        assert_eq!(tenant_of(&format!("{PREFIX}{}", "ab".repeat(32))), None);
        assert_eq!(tenant_of("bte_nothex_x"), None);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
