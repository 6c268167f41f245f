//! The callback parser on arbitrary pasted text, deep links and loopback URLs: never panics; a
//! callback that checks out carries a verifier and, if it names a token, the pending one; one
//! that names no token checks out only when bound to the attempt.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_oauth1::Callback;

fuzz_target!(|input: &str| {
    if let Ok(cb) = Callback::parse(input) {
        for bound in [false, true] {
            if let Ok(verified) = cb.check("pending-token", bound) {
                assert!(!verified.verifier.is_empty());
                assert!(cb.token.as_deref().is_none_or(|t| t == "pending-token"));
                assert!(cb.denied.is_none());
                assert!(bound || cb.token.is_some());
            }
        }
    }
});
