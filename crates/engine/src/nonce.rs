//! `oauth_nonce`: random alphanumeric strings of 20 to 30 characters, fresh for every request
//! (oauthlib-based providers refuse nonces outside that length or with other characters).

use rand::RngExt;
use rand::distr::Alphanumeric;

/// A fresh nonce.
pub fn nonce() -> String {
    let mut rng = rand::rng();
    let len = rng.random_range(20..=30);
    (&mut rng)
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// The unguessable code a run's callback carries in its path (24 letters and digits, about 143
/// bits): a redirect naming no request token is this run's only when it carries the code.
pub fn binding_code() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// A random UUID, version 4 (`{{$uuid}}`).
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A random whole number from 0 to 1000 (`{{$randomInt}}`).
pub fn random_int() -> u32 {
    rand::rng().random_range(0..=1000)
}

/// The built-in variables' values for one request: its timestamp, a fresh UUID, a random number.
pub fn builtins(timestamp: u64) -> signet_connector::Builtins {
    signet_connector::Builtins {
        timestamp,
        uuid: uuid_v4(),
        random_int: random_int(),
    }
}

/// 32 fresh random bytes that blind one RSA signature (RUSTSEC-2023-0071), from the
/// operating system's generator.
pub fn blinding_seed() -> [u8; 32] {
    rand::random()
}

#[cfg(test)]
mod tests {

    #[test]
    fn blinding_seeds_are_fresh() {
        let (a, b) = (blinding_seed(), blinding_seed());
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    use super::*;

    #[test]
    fn uuids_are_version_4_and_differ() {
        let (a, b) = (uuid_v4(), uuid_v4());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert!(random_int() <= 1000);
    }

    #[test]
    fn nonces_are_alphanumeric_20_to_30_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let n = nonce();
            assert!((20..=30).contains(&n.len()), "{n}");
            assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()), "{n}");
            assert!(seen.insert(n));
        }
    }
}
