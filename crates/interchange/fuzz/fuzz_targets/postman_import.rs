//! The Postman importer on any file a user could be handed: never panics, reads a file the
//! same every time, and whatever it imports exports and imports back to the same connector.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_interchange::postman::{ExportOptions, export, import};

fuzz_target!(|text: &str| {
    let Ok(first) = import(text, None) else {
        return;
    };
    let again = import(text, None).expect("the same file imports again");
    assert_eq!(first.connector, again.connector);
    let out = export(&first.connector, &first.instance, &ExportOptions { include_secrets: true });
    let back = import(&out.to_string(), None).expect("an export imports");
    assert_eq!(back.connector, first.connector, "the round trip changed the connector");
});
