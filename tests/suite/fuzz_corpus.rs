//! The fuzz corpus (`fuzz/corpus/`), replayed through the same functions as the fuzz targets
//! on stable Rust, so every input that once crashed a parser, or reached new code, stays a test.

use std::path::Path;

use snipcheck::records::expected::{parse, to_text};

use super::support::repo;

fn each_input(target: &str, f: impl Fn(&str)) -> usize {
    let dir = repo().join("fuzz/corpus").join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        // libFuzzer hands `&str` targets only the inputs that are UTF-8.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            f(text);
            n += 1;
        }
    }
    assert!(n > 0, "no corpus in {}", dir.display());
    n
}

#[test]
fn extract_corpus() {
    each_input("extract", |t| {
        let _ = snipcheck::document::extract::extract(Path::new("fuzz.md"), t);
    });
}

#[test]
fn claims_corpus() {
    each_input("claims", |t| {
        let _ = snipcheck::claims::grammar::parse_claims(t, 1);
    });
}

#[test]
fn record_corpus() {
    each_input("record", |t| {
        if let Ok(record) = parse(t) {
            let written = to_text(&record).unwrap();
            assert_eq!(parse(&written).unwrap(), record, "{t:?}");
        }
    });
}

/// Found by the `claims` target: a pattern nested hundreds deep overflowed the regex parser's
/// stack in debug builds. It is now an error at its line.
#[test]
fn deeply_nested_error_pattern_is_rejected() {
    let code = format!("x := 1 // ERROR \"a{}\"\n", "*".repeat(300));
    let err = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || snipcheck::claims::grammar::parse_claims(&code, 10))
        .unwrap()
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.0, 10);
    assert!(err.1.contains("bad regexp in // ERROR"), "{}", err.1);
}

/// Deep nesting of Markdown containers must not exhaust the stack either.
#[test]
fn deeply_nested_markdown() {
    for doc in [
        format!("{}```go id=a\nfmt.Println(1)\n```\n", "> ".repeat(5000)),
        format!("{}```go id=a\nfmt.Println(1)\n```\n", "- ".repeat(5000)),
        format!("{}x{}", "[".repeat(50_000), "]".repeat(50_000)),
    ] {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let _ = snipcheck::document::extract::extract(Path::new("deep.md"), &doc);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
