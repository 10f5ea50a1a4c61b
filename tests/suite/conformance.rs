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
