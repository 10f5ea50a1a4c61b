//! snipcheck on its own fixture documents: every claim kind once holding and once failing, with
//! the whole run's report snapshotted.

use super::support::{files, record_then_verify, repo, snipcheck, verify_failing};

#[test]
fn every_claim_kind_holds() {
    let (_, report, tmp) = record_then_verify("tests/fixtures/claims-hold.md");
    insta::assert_snapshot!("claims_hold", report);
    let expected = tmp.path().join("expected");
    let records = files(&expected);
    assert_eq!(records.len(), 12, "{records:#?}");
    assert!(!records.iter().any(|r| r.contains("shown-never-built")));
    let panic =
        std::fs::read_to_string(expected.join("tests/fixtures/claims-hold/panic.toml")).unwrap();
    insta::assert_snapshot!(
        "claims_hold_panic_record",
        panic.replace(
            &panic.lines().next().unwrap().to_string(),
            "go_version = \"[GO]\""
        )
    );
}

/// Compile errors built in one `go build` beside an import that stops such a build: each keeps
/// its own diagnostics, so every claim holds.
#[test]
fn snippets_built_together_keep_their_own_diagnostics() {
    let (_, report, _tmp) = record_then_verify("tests/fixtures/build-batch.md");
    insta::assert_snapshot!("build_batch", report);
}

/// Libraries beside programs: a batch that links the programs must still compile each library,
/// and a library that compiles passes without a claim.
#[test]
fn libraries_beside_programs_are_compiled() {
    let (_, report, _tmp) = record_then_verify("tests/fixtures/libraries.md");
    insta::assert_snapshot!("libraries", report);
    let (_, report) = verify_failing("tests/fixtures/libraries-fail.md", "2 passed, 2 failed");
    insta::assert_snapshot!("libraries_fail", report);
}

/// `// Stderr:` holds and fails like `// Output:`, at the line that differs.
#[test]
fn stderr_claims() {
    let (_, report, _tmp) = record_then_verify("tests/fixtures/stderr.md");
    insta::assert_snapshot!("stderr", report);
    let (_, report) = verify_failing("tests/fixtures/stderr-fail.md", "0 passed, 3 failed");
    insta::assert_snapshot!("stderr_fail", report);
}

#[test]
fn every_claim_kind_fails() {
    let (_, report) = verify_failing("tests/fixtures/claims-fail.md", "0 passed, 13 failed");
    insta::assert_snapshot!("claims_fail", report);
}

#[test]
fn one_snippet_by_filter() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let run = snipcheck(
        &repo(),
        &[
            "verify",
            "tests/fixtures/claims-fail.md",
            "--expected",
            exp.to_str().unwrap(),
            "--filter",
            "wrong-exit-status",
            "--filter",
            "timeout",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("verifying 2 snippets"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("0 passed, 2 failed\n"),
        "{}",
        run.stdout
    );
}

/// Programs that would see the merged binary (their type and function names, the name they
/// were started as) print the same merged and alone.
#[test]
fn merging_does_not_show() {
    let (_, report, _tmp) = record_then_verify("tests/fixtures/merged.md");
    insta::assert_snapshot!("merged", report);
}

/// Merged snippets are compiled several to a Go package (a pack), whose package-level names
/// they share: a snippet that uses a name only its neighbour declares fails at its line, as it
/// does alone, and the others hold (their panics read as alone; the records are compared with
/// `--no-merge` by `merged_and_alone_give_the_same_verdicts_and_records`). Mutation: with the
/// rule that keeps such snippets apart removed from `pack::packs`, this document gave "6
/// passed, 0 failed".
#[test]
fn a_packed_snippet_does_not_see_its_neighbours_names() {
    let (_, report) = verify_failing("tests/fixtures/packed-fail.md", "5 passed, 1 failed");
    for line in [
        "FAIL  tests/fixtures/packed-fail.md:24  uses-the-name",
        "tests/fixtures/packed-fail.md:30:14: undefined: greeting",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}

/// Every snippet's package-level variables are initialised in every process of a merged
/// binary, so a neighbour's `var first = empty[0]` panics in each: a run whose trace shows a
/// package of the binary being initialised is run again alone. The snippet that claims its
/// neighbour's panic fails at its line, as it does alone, and the neighbour holds. Mutation:
/// without that rule in `execute`, this document gave "2 passed, 0 failed" (a false pass). Not
/// a fixture document: beside the others, it would send every snippet of its binary to a run
/// alone.
#[test]
fn a_merged_snippet_does_not_fail_with_its_neighbours_initialisation() {
    neighbours_initialisation_fails_the_snippet_that_claims_it(None, &[]);
}

/// The same, with the traceback turned off from outside: the project passes snipcheck's own
/// GOTRACEBACK to snippets (`[sandbox] env`), and it is `none`, so the neighbour's panic
/// prints no trace for `shows_init` to read. Such snippets are not merged. Mutation: without
/// that rule in `plan`, this gave "2 passed, 0 failed".
#[test]
fn a_traceback_turned_off_from_outside_does_not_hide_a_neighbours_initialisation() {
    neighbours_initialisation_fails_the_snippet_that_claims_it(
        Some("[sandbox]\nenv = [\"GOTRACEBACK\"]\n"),
        &[("GOTRACEBACK", "none")],
    );
}

fn neighbours_initialisation_fails_the_snippet_that_claims_it(
    config: Option<&str>,
    env: &[(&str, &str)],
) {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("init-fail.md");
    std::fs::write(&doc, INIT_FAIL).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("snipcheck.toml"), config).unwrap();
    }
    let run = snipcheck(dir.path(), &["verify", "init-fail.md", "--no-cache"], env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with("1 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
    for line in [
        "FAIL  init-fail.md:25  claims-its-neighbour-s-panic",
        "init-fail.md:33: expected a panic, got a clean exit",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
}

const INIT_FAIL: &str = "# A neighbour that fails while it is initialised

In a merged binary every snippet's package-level variables are initialised in every process,
so the first snippet's panic happens before the second one's `main` too. Only the snippet
marked below fails: it claims that panic, and alone it prints.

## Panics while its package is initialised

```go
package main

import \"fmt\"

var empty []int
var first = empty[0]

func main() {
	fmt.Println(first)
}
// Panic: runtime error: index out of range [0] with length 0
```

## Claims its neighbour's panic (fails: it prints)

```go
package main

import \"fmt\"

func main() {
	fmt.Println(\"two\")
}
// Panic: runtime error: index out of range [0] with length 0
```
";

/// Every fixture document: the Markdown files under tests/fixtures, at any depth.
fn fixture_documents() -> Vec<String> {
    let mut docs: Vec<String> = files(&repo().join("tests/fixtures"))
        .into_iter()
        .filter(|f| f.ends_with(".md"))
        .map(|f| format!("tests/fixtures/{f}"))
        .collect();
    docs.sort();
    docs
}

/// A snippet's outcome is the same whether it ran from the merged binary (or was built in one
/// `go build` with others) or was built on its own: the verdicts and the records written both
/// ways are identical, byte for byte, for every fixture document.
#[test]
fn merged_and_alone_give_the_same_verdicts_and_records() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = fixture_documents();
    assert!(docs.len() >= 14, "{docs:?}");
    let record = |dir: &str, extra: &[&str]| {
        let exp = tmp.path().join(dir);
        let mut args = vec!["verify", "--accept", "--expected", exp.to_str().unwrap()];
        args.extend(docs.iter().map(String::as_str));
        args.extend_from_slice(extra);
        let run = snipcheck(&repo(), &args, &[]);
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        (exp, verdicts(&run.stdout))
    };
    let (merged, merged_verdicts) = record("merged", &[]);
    let (alone, alone_verdicts) = record("alone", &["--no-merge"]);
    assert_eq!(merged_verdicts, alone_verdicts);
    let names: Vec<String> = files(&merged)
        .into_iter()
        .filter(|n| !VARY.iter().any(|v| n.ends_with(&format!("/{v}.toml"))))
        .collect();
    let alone_names: Vec<String> = files(&alone)
        .into_iter()
        .filter(|n| !VARY.iter().any(|v| n.ends_with(&format!("/{v}.toml"))))
        .collect();
    assert_eq!(names, alone_names);
    assert!(names.len() > 30, "{names:?}");
    for name in names {
        let a = std::fs::read_to_string(merged.join(&name)).unwrap();
        let b = std::fs::read_to_string(alone.join(&name)).unwrap();
        assert_eq!(a, b, "{name} differs between a merged and an alone run");
    }
}

/// Fixture snippets whose report varies from one run of the same binary to the next, merged
/// or not: which allocation meets the memory cap first, where a traceback of a million
/// goroutines is cut at the output cap, and which of two racing accesses the race detector
/// reports first (the record keeps no order; the report shows the detector's). Only their
/// verdict line's place is compared, not their records (one that differs between its two runs
/// is not written at all).
const VARY: [&str; 3] = [
    "allocation-bomb",
    "goroutine-bomb",
    "a-data-race-nobody-claimed",
];

/// Each snippet's report line (verdict, place, id), and the failures under it, without the
/// notes that name where records were written and the summary that counts what `VARY` left out.
fn verdicts(report: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut varies = false;
    for line in report.lines() {
        if !line.starts_with(' ') {
            varies = VARY.iter().any(|v| line.contains(&format!("  {v}")));
            if varies {
                out.push(line.split_whitespace().nth(1).unwrap_or(line).to_string());
            }
        }
        let noise = line.contains("record")
            || line.starts_with("finished in")
            || line.contains(" passed, ");
        if !varies && !noise {
            out.push(line.to_string());
        }
    }
    out
}
