//! The command line as users of other CLIs expect it: environment variables with the usual
//! spellings of true and false.

use super::support::{snipcheck, write};

const DOC: &str = "# Doc\n\n## One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n";

#[test]
fn boolean_variables_take_the_usual_spellings() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), DOC);
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--accept"],
        &[
            ("SNIPCHECK_NO_CACHE", "false"),
            ("SNIPCHECK_CACHE_DIR", cache),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // A passing run with the cache on fills it.
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md"],
        &[("SNIPCHECK_NO_CACHE", "0"), ("SNIPCHECK_CACHE_DIR", cache)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Passed before with nothing changed: the result cache answers, unless it is turned off.
    for (value, cached) in [
        ("1", false),
        ("yes", false),
        ("true", false),
        ("on", false),
        ("0", true),
        ("no", true),
        ("false", true),
    ] {
        let run = snipcheck(
            dir.path(),
            &["verify", "doc.md"],
            &[
                ("SNIPCHECK_NO_CACHE", value),
                ("SNIPCHECK_CACHE_DIR", cache),
            ],
        );
        assert_eq!(run.code, 0, "{value}: {}{}", run.stdout, run.stderr);
        assert_eq!(
            run.stdout.contains("(cached)"),
            cached,
            "{value}: {}",
            run.stdout
        );
    }
}
