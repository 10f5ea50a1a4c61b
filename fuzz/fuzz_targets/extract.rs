//! Markdown extraction on any text: it may reject the document, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = snipcheck::document::extract::extract(std::path::Path::new("fuzz.md"), text);
});
