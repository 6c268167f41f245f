//! The `Authorization: OAuth ...` parser on arbitrary headers: never panics, and whatever it
//! accepts survives a write-and-read-back round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_oauth1::AuthorizationHeader;

fuzz_target!(|input: &str| {
    if let Ok(h) = AuthorizationHeader::parse(input) {
        let written = h.to_header_value();
        let again = AuthorizationHeader::parse(&written).expect("a written header parses");
        assert_eq!(again, h, "round trip of {written:?}");
    }
});
