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

/// A snippet's outcome is the same whether it ran from the merged binary (or was built in one
/// `go build` with others) or was built on its own: the records written both ways are
/// identical, byte for byte.
#[test]
fn merged_and_alone_give_the_same_records() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = [
        "tests/fixtures/claims-hold.md",
        "tests/fixtures/claims-fail.md",
        "tests/fixtures/fidelity-hold.md",
        "tests/fixtures/fidelity-fail.md",
        "tests/fixtures/build-batch.md",
        "tests/fixtures/formats.md",
        "tests/fixtures/original-claims.md",
        "tests/fixtures/modules/modules.md",
    ];
    let record = |dir: &str, extra: &[&str]| {
        let exp = tmp.path().join(dir);
        let mut args = vec!["verify", "--accept", "--expected", exp.to_str().unwrap()];
        args.extend_from_slice(&docs);
        args.extend_from_slice(extra);
        let run = snipcheck(&repo(), &args, &[]);
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        exp
    };
    let merged = record("merged", &[]);
    let alone = record("alone", &["--no-merge"]);
    let names = files(&merged);
    assert_eq!(names, files(&alone));
    assert!(names.len() > 30, "{names:?}");
    for name in names {
        let a = std::fs::read_to_string(merged.join(&name)).unwrap();
        let b = std::fs::read_to_string(alone.join(&name)).unwrap();
        assert_eq!(a, b, "{name} differs between a merged and an alone run");
    }
}
