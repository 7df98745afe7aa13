//! Password hashing with Argon2id (RFC 9106), PHC string format.
//!
//! Hashing costs tens of milliseconds of CPU by design: callers on an async
//! runtime must run these functions on a blocking thread.

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// A stored password hash in PHC string form (`$argon2id$v=19$m=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

/// A valid hash of a random password, verified against when the login's
/// e-mail is unknown so that both failures take the same time.
pub const DUMMY_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wkx5ZX4tiJTNs4nJJ20vqZn6iW2RZC/zF+ThGFc6frU";

fn hasher() -> Argon2<'static> {
    // OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh random salt.
pub fn hash_password(password: &str) -> PasswordHash {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2id hashing with valid parameters cannot fail");
    PasswordHash(hash.to_string())
}

/// True when `password` matches `stored`; a malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match argon2::password_hash::PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &h.0));
        assert!(!verify_password("correct horse batterY", &h.0));
    }

    #[test]
    fn salts_differ() {
        assert_ne!(
            hash_password("same password").0,
            hash_password("same password").0
        );
    }

    #[test]
    fn malformed_hash_never_matches() {
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn dummy_hash_parses_and_rejects() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_PASSWORD_HASH).is_ok());
        assert!(!verify_password("chuhai-demo", DUMMY_PASSWORD_HASH));
    }
}
