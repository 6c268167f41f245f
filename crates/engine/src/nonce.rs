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

#[cfg(test)]
mod tests {
    use super::*;

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
