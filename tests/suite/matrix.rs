//! The release matrix with real Go releases: `verify --go 1.21,1.22` (go1.21.13 and go1.22.12,
//! fetched by the go command into the module cache once, then used from there), release-keyed
//! claims and records, `list --matrix`, `bisect`, and the errors when a release cannot be had.
//! Skipped, saying why on stderr, only when the Go module proxy cannot be reached.

use std::path::Path;
use std::process::Command;

use super::support::{copy, redact, repo, snipcheck};

const DOC: &str = "docs/matrix.md";

/// Whether go1.21.13 and go1.22.12 are in the module cache, fetched now if need be (about 6 s
/// each, once per machine). `false`, with the reason on stderr, when the proxy cannot be reached.
fn releases_available() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for v in ["go1.21.13", "go1.22.12"] {
            let out = Command::new("go")
                .arg("version")
                .current_dir(dir.path())
                .env("GOTOOLCHAIN", v)
                .env("GOWORK", "off")
                .output()
                .expect("run go");
            if !out.status.success() {
                eprintln!(
                    "SKIPPED: the release-matrix tests need {v} from the Go module proxy, which cannot be reached: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                return false;
            }
        }
        true
    })
}

/// A project holding the matrix fixture as `docs/matrix.md`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(
        &repo().join("tests/fixtures/matrix.md"),
        &dir.path().join(DOC),
    );
    dir
}

fn line_of(dir: &Path, text: &str) -> usize {
    std::fs::read_to_string(dir.join(DOC))
        .unwrap()
        .lines()
        .position(|l| l.contains(text))
        .unwrap()
        + 1
}

#[test]
fn claims_and_records_keyed_by_release_and_the_matrix_view() {
    if !releases_available() {
        return;
    }
    let dir = project();
    let go = ["--go", "1.21,1.22"];
    let accept = snipcheck(
        dir.path(),
        &[&["verify", "docs", "--accept"][..], &go].concat(),
        &[],
    );
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);

    // Stored once where the releases agree, per release where they do not.
    let record = |id: &str| {
        std::fs::read_to_string(dir.path().join(format!("expected/docs/matrix/{id}.toml"))).unwrap()
    };
    let loop_var = record("loop-variable");
    assert!(loop_var.contains("stdout = \"0 1 2 \""), "{loop_var}");
    assert!(loop_var.contains("[release.\"go1.21\"]"), "{loop_var}");
    assert!(loop_var.contains("stdout = \"3 3 3 \""), "{loop_var}");
    assert!(
        !record("stable").contains("[release."),
        "{}",
        record("stable")
    );
    // A snippet that needs go1.22 is not run on go1.21: no record of its own there.
    assert!(!record("range-over-an-integer").contains("[release."));

    let locked = snipcheck(
        dir.path(),
        &[
            &["verify", "docs", "--locked", "--html", "report.html"][..],
            &go,
        ]
        .concat(),
        &[],
    );
    assert_eq!(locked.code, 0, "{}{}", locked.stdout, locked.stderr);
    insta::assert_snapshot!("matrix_verify", redact(&locked.stdout, dir.path()));
    // The HTML report carries the matrix too, and names the releases.
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<section id=\"matrix\"><h2>Release matrix</h2>"));
    assert!(
        html.contains("loop-variable           * varies    holds"),
        "{html}"
    );

    // The same view from the records alone, nothing built.
    let list = snipcheck(
        dir.path(),
        &[&["list", "docs", "--matrix"][..], &go].concat(),
        &[],
    );
    assert_eq!(list.code, 0, "{}{}", list.stdout, list.stderr);
    insta::assert_snapshot!("matrix_list", list.stdout);
    let json = snipcheck(
        dir.path(),
        &[&["list", "docs", "--matrix", "--format", "json"][..], &go].concat(),
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(v["type"], "matrix");
    assert_eq!(v["releases"], serde_json::json!(["go1.21", "go1.22"]));
    assert_eq!(v["rows"][0]["id"], "loop-variable");
    assert_eq!(
        v["rows"][0]["cells"],
        serde_json::json!(["varies", "holds"])
    );
}

#[test]
fn a_release_keyed_claim_made_wrong_fails_at_its_line_naming_the_release() {
    if !releases_available() {
        return;
    }
    let dir = project();
    let go = ["--go", "1.21,1.22"];
    let accept = snipcheck(
        dir.path(),
        &[&["verify", "docs", "--accept"][..], &go].concat(),
        &[],
    );
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    let doc = dir.path().join(DOC);
    let text = std::fs::read_to_string(&doc).unwrap();

    // The claim about the older releases is wrong: only go1.21.13 fails, at that claim's line.
    std::fs::write(
        &doc,
        text.replace(
            "// Output (before go1.22): 3 3 3",
            "// Output (before go1.22): 3 3 4",
        ),
    )
    .unwrap();
    let line = line_of(dir.path(), "(before go1.22)");
    let run = snipcheck(
        dir.path(),
        &[&["verify", "docs", "--locked"][..], &go].concat(),
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("FAIL  docs/matrix.md:9  loop-variable [go1.21.13]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "docs/matrix.md:{line}: `// Output (before go1.22):` does not hold"
        )),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("loop-variable [go1.22.12]  "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("docs/matrix.md:9   loop-variable"),
        "{}",
        run.stdout
    );

    // The range moved past go1.22: go1.22.12 is held to both claims now, and fails.
    std::fs::write(
        &doc,
        text.replace("(before go1.22): 3 3 3", "(before go1.23): 3 3 3"),
    )
    .unwrap();
    let run = snipcheck(
        dir.path(),
        &[&["verify", "docs", "--locked"][..], &go].concat(),
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("FAIL  docs/matrix.md:9  loop-variable [go1.22.12]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "docs/matrix.md:{line}: `// Output (before go1.23):` does not hold"
        )),
        "{}",
        run.stdout
    );

    // The record of one release made wrong fails that release, naming its record.
    std::fs::write(&doc, &text).unwrap();
    let path = dir.path().join("expected/docs/matrix/loop-variable.toml");
    let record = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, record.replace("\"3 3 3 \"", "\"3 3 3  \"")).unwrap();
    let run = snipcheck(
        dir.path(),
        &[&["verify", "docs", "--locked"][..], &go].concat(),
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("FAIL  docs/matrix.md:9  loop-variable [go1.21.13]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the outcome differs from the recorded result"),
        "{}",
        run.stdout
    );
}

#[test]
fn bisect_finds_the_release_where_the_loop_variable_changed() {
    if !releases_available() {
        return;
    }
    let dir = project();
    let run = snipcheck(
        dir.path(),
        &[
            "bisect",
            "loop-variable",
            "docs",
            "--from",
            "1.18",
            "--to",
            "1.23",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("starting at go1.21"), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("bisecting loop-variable over 3 releases: go1.21.13 go1.22.12 go1.23.12"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("first release whose outcome differs: go1.22.12 (the one before: go1.21.13)"),
        "{}",
        run.stdout
    );
    // Both outcomes are printed.
    assert!(run.stdout.contains("stdout = \"3 3 3 \""), "{}", run.stdout);
    assert!(run.stdout.contains("stdout = \"0 1 2 \""), "{}", run.stdout);

    // A snippet whose outcome does not change: said, and exit 1.
    let run = snipcheck(
        dir.path(),
        &["bisect", "stable", "docs", "--from", "1.21", "--to", "1.22"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("the outcome is the same on go1.21.13 and go1.22.12"),
        "{}",
        run.stdout
    );
}

#[test]
fn offline_the_fetched_releases_run_and_a_missing_one_is_a_clear_error() {
    if !releases_available() {
        return;
    }
    let dir = project();
    let offline = [("GOPROXY", "off")];
    // A release that is not in the module cache cannot be fetched: exit 2, and what to do.
    let run = snipcheck(
        dir.path(),
        &["verify", "docs", "--go", "go1.21.99"],
        &offline,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("fetching go1.21.99"), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot fetch go1.21.99")
            && run.stderr.contains("GOTOOLCHAIN=go1.21.99 go version"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("expected").exists());

    // Without the proxy, `1.21` is the latest go1.21 in the module cache, said on stderr.
    let run = snipcheck(
        dir.path(),
        &["verify", "docs", "--go", "1.21", "--filter", "stable"],
        &offline,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("using the"), "{}", run.stderr);
    assert!(run.stdout.contains("stable [go1.21."), "{}", run.stdout);
}

#[test]
fn a_document_sets_go_line_above_the_release_is_lowered_and_said() {
    if !releases_available() {
        return;
    }
    let dir = project();
    super::support::write(
        &dir.path().join("docs/go.mod"),
        "module example.com/docs\n\ngo 1.22\n",
    );
    let run = snipcheck(
        dir.path(),
        &[
            "verify",
            "docs",
            "--go",
            "1.21",
            "--filter",
            "loop-variable",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "note: docs/go.mod says go 1.22; on go1.21.13 its snippets are built with go 1.21"
        ),
        "{}",
        run.stderr
    );
    // Built with go 1.21, the loop has one variable: the claim about older releases holds.
    assert!(
        run.stdout.contains("loop-variable [go1.21.13]"),
        "{}",
        run.stdout
    );
}

const NEW_PACKAGE: &str = r#"# Doc

## New package

```go
package main

import (
	"fmt"
	"math/rand/v2" // ERROR (before go1.22) "math/rand/v2 is not in std"
)

func main() {
	fmt.Println(rand.N(10) < 10) // ERROR (before go1.22) "undefined: rand"
}

// Output (from go1.22): true
```
"#;

/// `// ERROR (before go1.22) "..."`: a compile error claimed for the releases before a change,
/// and the output for those after it, in one snippet; each made wrong fails on its release, at
/// its line.
#[test]
fn a_compile_error_claimed_for_older_releases_only() {
    if !releases_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("docs/doc.md");
    super::support::write(&doc, NEW_PACKAGE);
    let go = ["--go", "1.21,1.22"];
    let verify = |extra: &[&str]| {
        snipcheck(
            dir.path(),
            &[&["verify", "docs"][..], extra, &go].concat(),
            &[],
        )
    };
    let run = verify(&["--accept"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let record =
        std::fs::read_to_string(dir.path().join("expected/docs/doc/new-package.toml")).unwrap();
    assert!(record.contains("[release.\"go1.21\"]"), "{record}");
    assert!(record.contains("class = \"compile_error\""), "{record}");
    let run = verify(&["--locked"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // Each mutation fails on the one release named, at the line named.
    let fails_only = |mutated: String, release: &str, line: usize| {
        std::fs::write(&doc, mutated).unwrap();
        let run = verify(&["--locked"]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        let failed = |r: &str| run.stdout.contains(&format!("new-package [{r}]  "));
        assert!(failed(release), "{}", run.stdout);
        for other in ["go1.21.13", "go1.22.12"].iter().filter(|r| **r != release) {
            assert!(!failed(other), "{}", run.stdout);
        }
        assert!(
            run.stdout.contains(&format!("docs/doc.md:{line}: ")),
            "{}",
            run.stdout
        );
    };
    // The error claimed for every release fails on go1.22, where the import builds.
    fails_only(
        NEW_PACKAGE.replace(
            "// ERROR (before go1.22) \"math/rand/v2",
            "// ERROR \"math/rand/v2",
        ),
        "go1.22.12",
        10,
    );
    // A wrong message for the old release fails there.
    fails_only(
        NEW_PACKAGE.replace("\"undefined: rand\"", "\"undefined: rnd\""),
        "go1.21.13",
        14,
    );
    // Without its release range the output claim is held on go1.21 too, and cannot hold.
    fails_only(
        NEW_PACKAGE.replace("// Output (from go1.22): true", "// Output: true"),
        "go1.21.13",
        17,
    );
}
