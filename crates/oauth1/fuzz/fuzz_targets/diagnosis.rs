//! The diagnosis on whatever a provider answers: the decoder (status, content type, body bytes
//! in any encoding), the base-string extraction and diff, the clock-skew readers (a `Date`
//! header, an `oauth_acceptable_timestamps` range) at any clock and offset, and the whole
//! reading of a failed exchange. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_oauth1::diagnose::{
    decode, diagnose_exchange, diff_base_strings, extract_base_string, skew,
};
use signet_oauth1::flow::{RecordedResponse, StepId};
use signet_oauth1::{ErrorKind, ErrorReport};

fuzz_target!(|input: (u16, Option<String>, Vec<u8>, String, i64, i64)| {
    let (status, content_type, body, other, clock, offset) = input;
    let _ = decode(status, content_type.as_deref(), &body);
    let text = String::from_utf8_lossy(&body).into_owned();
    if let Some(theirs) = extract_base_string(&text) {
        let diff = diff_base_strings(&other, &theirs);
        let _ = diff.first().map(|d| d.describe());
    }
    let diff = diff_base_strings(&text, &other);
    let _ = diff.first().map(|d| d.describe());
    let _ = skew::parse_http_date(&other);
    let _ = skew::skew_from_date(&other, clock, offset);
    let _ = skew::skew_from_acceptable_timestamps(&other, clock, offset);
    let _ = skew::human(clock.unsigned_abs());
    let body_bytes = body.len();
    let response = RecordedResponse {
        status,
        headers: content_type
            .iter()
            .map(|ct| ("Content-Type".to_owned(), ct.clone()))
            .chain([("Date".to_owned(), other.clone())])
            .collect(),
        body: text,
        body_bytes,
        truncated: false,
    };
    let error = ErrorReport::new(ErrorKind::HttpStatus, other.clone());
    let _ = diagnose_exchange(
        StepId::TokenRequest,
        &error,
        Some(&response),
        None,
        Some(clock),
    );
});
