//! Feed tokens: what a personal feed URL carries, and how it is derived.
//!
//! A token is the HMAC-SHA-256, under the feed key, of a random nonce kept
//! per user and community; the database holds the nonce and the token's
//! SHA-256, never the token. Reading a feed hashes the token from the URL and
//! looks the hash up, so the key is needed only to tell a user their URL.
//! Without the key (`EMCEE_FEED_KEY`, kept out of the database), a copy of the
//! database gives no working URL.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// Random bytes in a nonce (128 bits).
const NONCE_BYTES: usize = 16;
/// Bytes of the HMAC kept in a token (160 bits, 40 hex characters).
const TOKEN_BYTES: usize = 20;
/// Bytes of a generated feed key.
const KEY_BYTES: usize = 32;
/// The shortest `EMCEE_FEED_KEY` accepted.
pub const MIN_KEY_CHARS: usize = 32;

/// The operating system's random generator failed.
#[derive(Debug, thiserror::Error)]
#[error("no random numbers from the operating system: {0}")]
pub struct NoRandomness(String);

/// The secret tokens are derived under; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedKey(String);

impl FeedKey {
    /// A key from `EMCEE_FEED_KEY`'s value; `None` when it is shorter than
    /// [`MIN_KEY_CHARS`] (after trimming).
    pub fn from_secret(secret: &str) -> Option<Self> {
        let secret = secret.trim();
        (secret.chars().count() >= MIN_KEY_CHARS).then(|| Self(secret.to_owned()))
    }

    /// A new random key (hex), for a database that keeps its own.
    ///
    /// # Errors
    /// [`NoRandomness`] when the operating system gives no random bytes.
    pub fn generate() -> Result<Self, NoRandomness> {
        random_hex(KEY_BYTES).map(Self)
    }

    /// A key read back from the database.
    pub(crate) fn stored(key: String) -> Self {
        Self(key)
    }

    /// The key itself, only to store it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// The token for `nonce`.
    pub(crate) fn token(&self, nonce: &str) -> FeedToken {
        // HMAC takes keys of any length; this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_bytes()) else {
            return FeedToken(String::new());
        };
        mac.update(b"emcee calendar feed\0");
        mac.update(nonce.as_bytes());
        let bytes = mac.finalize().into_bytes();
        FeedToken(hex(&bytes[..TOKEN_BYTES]))
    }
}

impl fmt::Debug for FeedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedKey([redacted])")
    }
}

/// A personal feed's token, as it appears in the URL; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

impl FeedToken {
    /// `text` as a token when it has a token's shape (40 lowercase hex
    /// characters); anything else names no feed and needs no lookup.
    pub fn parse(text: &str) -> Option<Self> {
        let shaped = text.len() == TOKEN_BYTES * 2
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        shaped.then(|| Self(text.to_owned()))
    }

    /// The token itself, to write the URL.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps: the token's SHA-256, hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken([redacted])")
    }
}

/// A new nonce: 128 bits from the operating system's CSPRNG, hex.
///
/// # Errors
/// [`NoRandomness`] when the operating system gives no random bytes.
pub fn nonce() -> Result<String, NoRandomness> {
    random_hex(NONCE_BYTES)
}

fn random_hex(len: usize) -> Result<String, NoRandomness> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|error| NoRandomness(error.to_string()))?;
    Ok(hex(&bytes))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            use std::fmt::Write;
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_nonce_and_only_their_hash_is_kept() {
        let key = FeedKey::from_secret(&"k".repeat(32)).unwrap();
        let (a, b) = (nonce().unwrap(), nonce().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32, "128 bits");
        let token = key.token(&a);
        assert_eq!(token, key.token(&a), "the same nonce gives the same URL");
        assert_ne!(token, key.token(&b));
        let other = FeedKey::from_secret(&"j".repeat(32)).unwrap();
        assert_ne!(token, other.token(&a), "another key, another token");
        assert_eq!(FeedToken::parse(token.expose()), Some(token.clone()));
        assert_ne!(token.hash(), token.expose());
        assert_eq!(token.hash().len(), 64);
        assert!(!format!("{token:?}{key:?}").contains(token.expose()));
        assert!(!format!("{key:?}").contains("kkkk"));
    }

    #[test]
    fn only_token_shaped_text_is_looked_up_and_short_keys_are_refused() {
        for bad in [
            "",
            "../../etc/passwd",
            &"A".repeat(40),
            &"a".repeat(41),
            "é",
        ] {
            assert_eq!(FeedToken::parse(bad), None, "{bad}");
        }
        assert!(FeedKey::from_secret("short").is_none());
        assert!(FeedKey::generate().unwrap().expose().len() == 64);
    }
}
