//! Running the real binary in a chosen directory with a controlled environment, and redacting
//! what changes between runs (temporary paths, durations, the Go version) before snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    /// A finished process as the tests read it; killed by a signal, its code is -1.
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `snipcheck ARGS` in `cwd`. CI and snipcheck's own variables are cleared so the policy
/// is the local one unless a test sets them.
pub fn snipcheck(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snipcheck"));
    cmd.current_dir(cwd).args(args);
    for var in [
        "CI",
        "SNIPCHECK_JOBS",
        "SNIPCHECK_TIMEOUT",
        "SNIPCHECK_GO",
        "SNIPCHECK_EXPECTED",
        "SNIPCHECK_CONFIG",
        "SNIPCHECK_FORMAT",
        "SNIPCHECK_PARTITION",
        "SNIPCHECK_FAKETIME",
        "GITHUB_STEP_SUMMARY",
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    // The CI services' own variables count as CI too (`config::in_ci`).
    for var in snipcheck::config::CI_VARIABLES {
        cmd.env_remove(var);
    }
    // Tests see every snippet run; the cache has tests of its own.
    cmd.env("SNIPCHECK_NO_CACHE", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // A project in a temporary directory would leave a stable place (see `build::Place`) in
    // the system's temporary directory at every run; unless a test looks at the place itself,
    // it is made in a temporary directory of this run's, removed with it.
    let tmp = tempfile::tempdir().unwrap();
    if cwd != repo() && !env.iter().any(|(k, _)| *k == "TMPDIR") {
        cmd.env("TMPDIR", tmp.path());
    }
    let out = cmd.output().expect("run snipcheck");
    Run::from(out)
}

/// Records `doc` (from the repository) into a fresh expected/ with `--accept`, then verifies it
/// `--locked` against those records: recorded once, the same snippets must give the same
/// results again. Returns the locked run, its report redacted, and the temporary directory
/// (records under `expected/`).
pub fn record_then_verify(doc: &str) -> (Run, String, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let exp = exp.to_str().unwrap();
    let first = snipcheck(
        &repo(),
        &["verify", doc, "--expected", exp, "--accept"],
        &[],
    );
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let second = snipcheck(
        &repo(),
        &["verify", doc, "--expected", exp, "--locked"],
        &[],
    );
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    let report = redact(&second.stdout, tmp.path());
    (second, report, tmp)
}

/// Verifies `doc` (from the repository) once, against an empty expected/, under the local
/// policy; it must fail with exactly `closing` as its last line. Returns the run and its
/// report redacted.
pub fn verify_failing(doc: &str, closing: &str) -> (Run, String) {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let run = snipcheck(
        &repo(),
        &["verify", doc, "--expected", exp.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with(&format!("{closing}\n")),
        "{}",
        run.stdout
    );
    let report = redact(&run.stdout, tmp.path());
    (run, report)
}

/// Replaces what differs between runs and machines.
pub fn redact(text: &str, tmp: &Path) -> String {
    let text = text.replace(&tmp.display().to_string(), "[TMP]");
    let finished = regex::Regex::new(r"finished in \d+\.\d+s").unwrap();
    let text = finished.replace_all(&text, "finished in [ELAPSED]");
    text.replace(go_version(), "[GO]")
}

/// The installed toolchain's version, as snipcheck prints it.
pub fn go_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let out = Command::new("go")
            .args(["env", "GOVERSION"])
            .output()
            .expect("go env GOVERSION");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
}

/// A temporary project: `files` are copied from the repository to the same relative paths.
pub fn project(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        copy(&repo().join(f), &dir.path().join(f));
    }
    dir
}

pub fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every file under `dir`, relative, sorted: to assert what a run wrote.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A small content repository's guide: two snippets whose claims hold, for the CI-check and
/// GitHub Action tests.
pub const GUIDE: &str = "\
# Guide

## Slices

```go
s := []int{1, 2, 3}
fmt.Println(len(s))
// Output: 3
```

## Maps

```go
m := map[string]int{\"a\": 1}
fmt.Println(m[\"a\"])
// Output: 1
```
";
