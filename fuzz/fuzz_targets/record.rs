//! The record parser on any text: it may reject the record, never panic; a record it accepts
//! is written and read back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snipcheck::records::expected::{parse, to_text};

fuzz_target!(|text: &str| {
    if let Ok(record) = parse(text) {
        let written = to_text(&record).expect("an accepted record can be written");
        assert_eq!(parse(&written).expect("a written record reads back"), record);
    }
});
