//! The export/import reader on any file a user could be handed: never panics, and a file reads
//! the same every time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_store::export::check_export;

fuzz_target!(|text: &str| {
    if let Ok(n) = check_export(text, None) {
        assert_eq!(check_export(text, None).ok(), Some(n));
    }
});
