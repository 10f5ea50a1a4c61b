//! `ci/check`, the script a content repository runs in CI, on a fixture repository (a document,
//! its records and snipcheck.toml in a temporary directory), as GitHub Actions runs it: exit
//! status, annotations at the claims' Markdown lines, the job summary, the JUnit report and the
//! pending results left for upload.

use std::path::Path;
use std::process::Command;

use super::support::{Run, files, repo, snipcheck, write};

use super::support::GUIDE as DOC;

/// A content repository whose records hold.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\n",
    );
    write(&dir.path().join("docs/guide.md"), DOC);
    let accept = snipcheck(dir.path(), &["verify", "--accept"], &[]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    dir
}

/// `ci/check` in `dir` as a GitHub Actions job runs it (CI and GITHUB_ACTIONS set by the
/// service), with the test's build of snipcheck.
fn ci_check(dir: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("ci/check")).current_dir(dir);
    for var in [
        "CI",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "SNIPCHECK_PARTITION",
        "SNIPCHECK_JUNIT",
        "SNIPCHECK_EXPECTED",
        "SNIPCHECK_CONFIG",
        "SNIPCHECK_FORMAT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("SNIPCHECK_BIN", env!("CARGO_BIN_EXE_snipcheck"))
        .env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("SNIPCHECK_JUNIT", "reports/snipcheck-junit.xml")
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"));
    // The workspace's stable place goes with this run (see `support::snipcheck`).
    let tmp = tempfile::tempdir().unwrap();
    cmd.env("TMPDIR", tmp.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run::from(out)
}

fn annotations(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("::")).collect()
}

#[test]
fn a_repository_whose_records_hold_passes() {
    let dir = repository();
    let run = ci_check(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(annotations(&run.stdout).is_empty(), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("2 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(
        summary.starts_with("### ✅ snipcheck: 2 passed, 0 failed"),
        "{summary}"
    );
    // The report's folder did not exist: snipcheck made it rather than lose the report.
    let junit = std::fs::read_to_string(dir.path().join("reports/snipcheck-junit.xml")).unwrap();
    let junit = quick_junit::Report::deserialize_from_str(&junit).unwrap();
    assert_eq!((junit.tests, junit.failures), (2, 0));
}

#[test]
fn a_wrong_claim_a_stale_and_an_orphaned_record_fail_with_annotations_and_the_fix() {
    let dir = repository();
    let d = dir.path();
    // A maintainer changes a snippet but not its claim, and deletes another item: one wrong
    // claim, one stale record, one orphaned record.
    write(
        &d.join("docs/guide.md"),
        &DOC.replace("s := []int{1, 2, 3}", "s := []int{1, 2, 3, 4}")
            .replace(DOC.split("## Maps").nth(1).unwrap(), "")
            .replace("## Maps", ""),
    );
    let run = ci_check(d, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        annotations(&run.stdout),
        [
            "::error file=docs/guide.md,line=8,title=snipcheck%3A slices Slices::`// Output:` does not hold%0A--- expected%0A+++ actual%0A@@ -1 +1 @@%0A-3%0A+4",
            "::error file=docs/guide.md,line=5,title=snipcheck%3A slices Slices::the outcome differs from the recorded result expected/docs/guide/slices.toml%0A--- expected%0A+++ actual%0A@@ -1,7 +1,7 @@%0A class = \"ok\"%0A exit_status = 0%0A stdout = \"\"\"%0A-3%0A+4%0A \"\"\"%0A stderr = \"\"%0A diagnostics = \"\"",
            "::error file=expected/docs/guide/maps.toml,title=snipcheck%3A orphaned record::orphaned record: no snippet has this id any more",
            "::error title=snipcheck::1 pending result written beside the records (*.toml.new): go through them with `snipcheck review`, or record them all with `snipcheck verify --accept`",
            "::error title=snipcheck::records are missing, changed or orphaned: run `snipcheck verify --accept` locally, review the changes in expected/ and commit them",
        ]
    );
    // Line 8 is the claim, line 5 the fence.
    let doc = std::fs::read_to_string(d.join("docs/guide.md")).unwrap();
    assert_eq!(doc.lines().nth(7), Some("// Output: 3"));
    assert_eq!(doc.lines().nth(4), Some("```go"));
    assert!(
        run.stdout.ends_with("0 passed, 2 failed\n"),
        "{}",
        run.stdout
    );

    // Left for upload: the JUnit report and the pending result; no record was written.
    assert_eq!(
        files(&d.join("expected")),
        [
            "docs/guide/maps.toml",
            "docs/guide/slices.toml",
            "docs/guide/slices.toml.new"
        ]
    );
    let junit = std::fs::read_to_string(d.join("reports/snipcheck-junit.xml")).unwrap();
    assert!(
        junit.contains("<testcase name=\"maps.toml\" classname=\"expected/docs/guide\""),
        "{junit}"
    );
    let summary = std::fs::read_to_string(d.join("summary.md")).unwrap();
    assert!(
        summary.contains("| orphaned record | `expected/docs/guide/maps.toml` |"),
        "{summary}"
    );

    // The fix the report names, taken locally, makes the check pass (after the claim is fixed).
    write(&doc_path(d), &doc.replace("// Output: 3", "// Output: 4"));
    let fix = snipcheck(d, &["verify", "--accept"], &[]);
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    assert_eq!(ci_check(d, &[]).code, 0);
}

fn doc_path(d: &Path) -> std::path::PathBuf {
    d.join("docs/guide.md")
}

#[test]
fn outside_github_the_report_is_plain_and_partitions_split_the_work() {
    let dir = repository();
    let plain = ci_check(dir.path(), &[("GITHUB_ACTIONS", "")]);
    assert_eq!(plain.code, 0, "{}{}", plain.stdout, plain.stderr);
    assert!(annotations(&plain.stdout).is_empty());
    let mut ran = 0;
    for k in 1..=2 {
        let part = format!("hash:{k}/2");
        let run = ci_check(dir.path(), &[("SNIPCHECK_PARTITION", &part)]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        ran += run.stdout.lines().filter(|l| l.starts_with("ok ")).count();
    }
    assert_eq!(ran, 2, "each snippet ran in exactly one partition");
}
