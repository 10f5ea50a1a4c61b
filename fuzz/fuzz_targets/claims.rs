//! The claim parser on any snippet text: it may reject the claims, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|code: &str| {
    let _ = snipcheck::claims::grammar::parse_claims(code, 1);
});
