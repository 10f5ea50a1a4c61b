//! `ci/conformance` on a few old, plain files of Go's test directory: it converts them, agrees
//! with Go on each, and its mutation check catches every weakened claim.

use std::process::Command;

use super::support::repo;

/// The installed Go's GOROOT.
fn goroot() -> std::path::PathBuf {
    let out = Command::new("go").args(["env", "GOROOT"]).output().unwrap();
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `ci/conformance` on the files of Go's test directory that `only` selects (a regexp), with
/// no result cache: its exit code, stdout and stderr.
fn conformance(only: &str) -> (Option<i32>, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("go")
        .current_dir(repo())
        .args(["-C", "ci/conformance", "run", ".", "-snipcheck"])
        .arg(env!("CARGO_BIN_EXE_snipcheck"))
        .args(["-only", only])
        .env("SNIPCHECK_NO_CACHE", "true")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_conformance_runner_agrees_and_catches_every_mutation() {
    let test_dir = goroot().join("test");
    if !test_dir.join("helloworld.go").is_file() {
        eprintln!("skipped: this Go installation has no test directory");
        return;
    }
    let (code, stdout, stderr) = conformance(r"^(helloworld|print|fixedbugs/bug1[0-3][0-9])\.go$");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
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
    let goroot = goroot();
    let runner = goroot.join("src/cmd/internal/testdir/testdir_test.go");
    let listed = std::fs::read_to_string(&runner).unwrap_or_default();
    if !goroot.join("test/shift1.go").is_file() || !listed.contains("\"shift1.go\",") {
        eprintln!("skipped: this Go installation has no shift1.go among its expected failures");
        return;
    }
    let (code, stdout, stderr) = conformance(r"^(shift1|helloworld)\.go$");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
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
