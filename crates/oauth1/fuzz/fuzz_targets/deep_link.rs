//! The deep-link router's reading of a link, on any text the operating system could hand over:
//! the parse, the attempt's code in the path, and the excerpt a refusal shows. Never panics; an
//! excerpt is at most 120 characters and masks every verifier the parser would read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_oauth1::Callback;
use signet_oauth1::callback::{attempt_code, is_verifier_key, link_excerpt};

fuzz_target!(|url: &str| {
    let _ = Callback::parse(url);
    if let Some(code) = attempt_code(url) {
        assert!(!code.is_empty() && !code.contains('/'));
        assert!(!code.contains(['?', '#']));
    }
    let excerpt = link_excerpt(url);
    assert!(excerpt.chars().count() <= 120, "{excerpt}");
    if !excerpt.ends_with("...") {
        let parts: Vec<&str> = url.split('&').collect();
        let shown: Vec<&str> = excerpt.split('&').collect();
        for (i, part) in parts.iter().enumerate() {
            if let Some((k, _)) = part.split_once('=')
                && is_verifier_key(k)
            {
                // A verifier's value is replaced (the value may itself hold '&'-free text only).
                let masked = shown.iter().any(|s| *s == format!("{k}=<redacted>"));
                assert!(masked, "part {i} of {url:?} shown as {excerpt:?}");
            }
        }
    }
});
