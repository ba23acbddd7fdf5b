//! One stable hash for every dedupe key the bot derives (announcement nonces,
//! declared polls' posts, result replies), so the same job spells the same key
//! in every process and after every restart. FNV-1a: tiny, stable across
//! builds and platforms (std's hasher is neither), and ample for telling a
//! few thousand keys apart.

/// A 64-bit FNV-1a hash of `text`.
pub fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// `prefix` then 16 hex digits of `text`'s hash: at most 25 characters for a
/// prefix of up to 9, which fits Discord's nonce limit.
pub fn dedupe_key(prefix: &str, text: &str) -> String {
    format!("{prefix}{:016x}", stable_hash(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_short() {
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        let key = dedupe_key("poll-", "flash-1");
        assert_eq!(key, dedupe_key("poll-", "flash-1"));
        assert_ne!(key, dedupe_key("poll-", "flash-2"));
        assert!(key.len() <= 25, "{key}");
    }
}
