//! Fault switches: the ways a real provider misbehaves, on demand, so a presenter can show how
//! Signet explains each one and a test can prove it does. The lax ones make it accept what a
//! strict provider refuses, so each check of the provider audit has a test both ways.

use serde::{Deserialize, Serialize};

/// Misbehaviours to switch on. All off by default; serializes as the JSON the
/// `/_signet/faults` admin endpoint reads and writes (missing fields are off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// The provider's clock runs this many seconds ahead (negative: behind). The `Date` header
    /// and the timestamp window move with it. Limited to ±10 years.
    pub clock_skew_secs: i64,
    /// Every signature is refused with `signature_invalid`.
    pub reject_signatures: bool,
    /// Every response (but the admin endpoint's) is delayed this many milliseconds.
    pub slow_ms: u64,
    /// Token endpoints and protected resources answer `500` with a plain-text body.
    pub server_error: bool,
    /// Token endpoints and protected resources answer `200` with an HTML page, as a captive
    /// portal or misconfigured proxy does.
    pub html_error: bool,
    /// The request-token response leaves out `oauth_callback_confirmed=true`.
    pub omit_callback_confirmed: bool,
    /// The redirect after consent carries a different `oauth_token` than the one approved.
    pub wrong_token_in_redirect: bool,
    /// The consent page always denies, whatever the user clicks.
    pub deny: bool,
    /// Lax: every signature is accepted, right or wrong (and a wrong `oauth_body_hash`), as a
    /// provider that never checks them. The provider audit finds it.
    pub accept_any_signature: bool,
    /// Lax: a nonce already used is accepted again (replayed requests go through).
    pub accept_replayed_nonces: bool,
    /// Lax: `oauth_timestamp` is not compared with the provider's clock (any age is taken).
    pub ignore_timestamps: bool,
    /// Lax: a request token can be exchanged for an access token again and again (it and its
    /// verifier never die).
    pub allow_token_reuse: bool,
}

impl Faults {
    /// Whether any switch is on.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }

    /// The switches that are on, by field name, for logs and banners.
    pub fn active(&self) -> Vec<String> {
        let mut on = Vec::new();
        if self.clock_skew_secs != 0 {
            on.push(format!("clock_skew_secs={}", self.clock_skew_secs));
        }
        if self.slow_ms != 0 {
            on.push(format!("slow_ms={}", self.slow_ms));
        }
        for (name, flag) in [
            ("reject_signatures", self.reject_signatures),
            ("server_error", self.server_error),
            ("html_error", self.html_error),
            ("omit_callback_confirmed", self.omit_callback_confirmed),
            ("wrong_token_in_redirect", self.wrong_token_in_redirect),
            ("deny", self.deny),
            ("accept_any_signature", self.accept_any_signature),
            ("accept_replayed_nonces", self.accept_replayed_nonces),
            ("ignore_timestamps", self.ignore_timestamps),
            ("allow_token_reuse", self.allow_token_reuse),
        ] {
            if flag {
                on.push(name.to_owned());
            }
        }
        on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_leaves_the_rest_off() {
        let f: Faults = serde_json::from_str(r#"{"deny":true,"clock_skew_secs":-600}"#).unwrap();
        assert!(f.deny);
        assert_eq!(f.clock_skew_secs, -600);
        assert!(!f.server_error);
        assert_eq!(f.active(), ["clock_skew_secs=-600", "deny"]);
        assert!(!Faults::default().any());
    }
}
