//! `ci/conformance` on a few old, plain files of Go's test directory: it converts them, agrees
//! with Go on each, and its mutation check catches every weakened claim.

use std::process::Command;

use super::support::repo;

#[test]
fn the_conformance_runner_agrees_and_catches_every_mutation() {
    let goroot = Command::new("go").args(["env", "GOROOT"]).output().unwrap();
    let test_dir =
        std::path::PathBuf::from(String::from_utf8_lossy(&goroot.stdout).trim()).join("test");
    if !test_dir.join("helloworld.go").is_file() {
        eprintln!("skipped: this Go installation has no test directory");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("go")
        .current_dir(repo())
        .args(["-C", "ci/conformance", "run", ".", "-snipcheck"])
        .arg(env!("CARGO_BIN_EXE_snipcheck"))
        .args([
            "-only",
            r"^(helloworld|print|fixedbugs/bug1[0-3][0-9])\.go$",
        ])
        .env("SNIPCHECK_NO_CACHE", "true")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("DISAGREE"), "{stdout}");
    assert!(stdout.contains("== errorcheck: "), "{stdout}");
    assert!(stdout.contains("== run: "), "{stdout}");
    assert!(stdout.contains(" caught, 0 FALSE PASS"), "{stdout}");
}

/// Files Go's runner itself expects to fail (its `types2Failures`: the type checker reports
/// errors their claims do not name) agree when snipcheck fails them too, are listed as such,
/// and are not weakened by the mutation check (no claim of theirs holds).
#[test]
fn files_go_expects_to_fail_agree_by_failing() {
    let goroot = Command::new("go").args(["env", "GOROOT"]).output().unwrap();
    let goroot = std::path::PathBuf::from(String::from_utf8_lossy(&goroot.stdout).trim());
    let runner = goroot.join("src/cmd/internal/testdir/testdir_test.go");
    let listed = std::fs::read_to_string(&runner).unwrap_or_default();
    if !goroot.join("test/shift1.go").is_file() || !listed.contains("\"shift1.go\",") {
        eprintln!("skipped: this Go installation has no shift1.go among its expected failures");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("go")
        .current_dir(repo())
        .args(["-C", "ci/conformance", "run", ".", "-snipcheck"])
        .arg(env!("CARGO_BIN_EXE_snipcheck"))
        .args(["-only", r"^(shift1|helloworld)\.go$"])
        .env("SNIPCHECK_NO_CACHE", "true")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("DISAGREE"), "{stdout}");
    assert!(
        stdout.contains("agreeing by failing, as Go's runner expects (its types2Failures), 1:\n  expected failure shift1.go: "),
        "{stdout}"
    );
    // helloworld is weakened; shift1, which fails already, is not.
    assert!(
        stdout.contains("mutation check: 1 agreeing files weakened"),
        "{stdout}"
    );
}
