//! Bad input: each case gives exit status 2, one clear error naming the file (and line, where
//! there is one) with what to do, no Rust panic, and nothing written. A fake `go` is used only
//! here, for the toolchain's error paths.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::support::{Run, files, snipcheck, write};

const GOOD: &str = "# Doc\n\n## One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n";

/// Runs `verify docs` in a project holding `doc` and checks the common contract.
fn bad(doc: &[u8], extra: &[&str], env: &[(&str, &str)]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/doc.md"), doc).unwrap();
    let before = files(dir.path());
    let mut args = vec!["verify", "docs"];
    args.extend_from_slice(extra);
    let run = snipcheck(dir.path(), &args, env);
    assert_eq!(
        run.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(files(dir.path()), before, "a failed run wrote files");
    (run, dir)
}

fn fake_go(dir: &Path, script: &str) -> String {
    let path = dir.join("fake-go");
    write(&path, &format!("#!/bin/sh\n{script}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn missing_document() {
    let dir = tempfile::tempdir().unwrap();
    let run = snipcheck(dir.path(), &["verify", "nowhere.md"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: nowhere.md: cannot read this document"),
        "{}",
        run.stderr
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn document_with_lone_cr_line_endings() {
    // Old-Mac line endings: CommonMark sees a Go block here; counting LF would see none.
    let doc = GOOD.replace('\n', "\r");
    let (run, _d) = bad(doc.as_bytes(), &[], &[("CI", "1")]);
    assert!(
        run.stderr
            .contains("docs/doc.md:1: this document ends a line with a carriage return alone"),
        "{}",
        run.stderr
    );
    // One stray CR in an LF document, which would start a heading snipcheck does not see.
    let doc = GOOD.replace("fmt.Println(1)\n", "fmt.Println(1)\r## Injected\n");
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:6: this document ends a line with a carriage"),
        "{}",
        run.stderr
    );
}

#[test]
fn document_not_utf8() {
    let (run, _d) = bad(b"# Doc\n\nok\n\xff\xfe bad\n", &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:4: this document is not valid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_attribute() {
    let (run, _d) = bad(GOOD.replace("```go\n", "```go nrun\n").as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:5: unknown attribute `nrun`"),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_id_names_both_lines() {
    let doc = "# Doc\n\n```go id=a\n```\n\n```go id=a\n```\n";
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:6: duplicate snippet id `a` (also at line 3)"),
        "{}",
        run.stderr
    );
}

#[test]
fn unterminated_fence() {
    let (run, _d) = bad(b"# Doc\n\n## One\n\n```go\nfmt.Println(1)\n", &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:5: this go fence is never closed"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    // A bad attribute no longer hides the next snippet's problem: both are reported, each at
    // its line, in the report and in the final error.
    let doc = "# Doc\n\n```go bogus\n```\n\n```go\nrand.Intn(3)\n```\n";
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:3: unknown attribute `bogus`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("docs/doc.md:6: `rand` could be any of"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("0 passed, 2 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn ambiguous_import() {
    let doc = "# Doc\n\n## One\n\n```go\nfmt.Println(rand.Intn(3) < 3)\n```\n";
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr.contains("docs/doc.md:5: `rand` could be any of"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("math/rand/v2") && run.stderr.contains("add an import line"));
}

#[test]
fn malformed_record_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), GOOD);
    write(
        &dir.path().join("expected/docs/doc/one.toml"),
        "go_version = \"go1.26\"\nclass = \"ok\"\nexit_status = \"zero\"\n",
    );
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with("error: expected/docs/doc/one.toml:3:15: invalid type"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run `snipcheck verify --accept`"),
        "{}",
        run.stderr
    );
    // The snippet is reported as not run, at its fence, naming the record.
    assert!(
        run.stdout
            .contains("docs/doc.md:5: not run: expected/docs/doc/one.toml:3:15: invalid type"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("0 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_go_on_path() {
    let (run, _d) = bad(GOOD.as_bytes(), &["--go", "/nonexistent/go"], &[]);
    assert!(
        run.stderr.contains("cannot run `/nonexistent/go`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("install Go 1.22 or newer"),
        "{}",
        run.stderr
    );
}

#[test]
fn go_too_old() {
    let tmp = tempfile::tempdir().unwrap();
    let go = fake_go(
        tmp.path(),
        "echo go1.20.5; echo /goroot; echo /cache; echo /mod",
    );
    let (run, _d) = bad(GOOD.as_bytes(), &["--go", &go], &[]);
    assert!(
        run.stderr
            .contains("go1.20.5 is older than the go1.22 snipcheck needs"),
        "{}",
        run.stderr
    );
}

#[test]
fn go_prints_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    let go = fake_go(tmp.path(), "echo 'hello there'");
    let (run, _d) = bad(GOOD.as_bytes(), &[], &[("SNIPCHECK_GO", &go)]);
    assert!(run.stderr.contains("not a Go version"), "{}", run.stderr);
}

#[test]
fn go_that_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let go = fake_go(tmp.path(), "echo broken >&2; exit 3");
    let (run, _d) = bad(GOOD.as_bytes(), &["--go", &go], &[]);
    assert!(
        run.stderr.contains("failed") && run.stderr.contains("broken"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_with_an_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\ntimout = \"1s\"\n",
    );
    write(&dir.path().join("docs/doc.md"), GOOD);
    let run = snipcheck(dir.path(), &["verify"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: snipcheck.toml:2:1: unknown field `timout`"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_timeout_from_the_environment() {
    let (run, _d) = bad(GOOD.as_bytes(), &[], &[("SNIPCHECK_TIMEOUT", "soon")]);
    assert!(
        run.stderr.contains("`soon` is not a duration"),
        "{}",
        run.stderr
    );
}

#[test]
fn filter_that_is_no_id_and_no_regexp() {
    let (run, _d) = bad(GOOD.as_bytes(), &["--filter", "(nope"], &[]);
    assert!(
        run.stderr
            .contains("--filter `(nope` is no snippet's id and not a valid Go regexp"),
        "{}",
        run.stderr
    );
}

/// The corpus in `tests/bad-input/`: one folder per case, holding `case.toml` (the arguments,
/// the text stderr must contain: the file, and the line where there is one) and the project the
/// run starts in. Every case is run, and every broken promise is reported at once.
#[test]
fn corpus() {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        args: Vec<String>,
        error: String,
        #[serde(default)]
        also: Vec<String>,
    }
    let root = super::support::repo().join("tests/bad-input");
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 30,
        "the corpus has only {} cases",
        names.len()
    );
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let case: Case = toml::from_str(
                        &std::fs::read_to_string(root.join(name).join("case.toml")).unwrap(),
                    )
                    .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
                    let dir = tempfile::tempdir().unwrap();
                    super::support::copy(&root.join(name).join("project"), dir.path());
                    let before = files(dir.path());
                    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
                    let run = snipcheck(dir.path(), &args, &[]);
                    let mut wrong = Vec::new();
                    if run.code != 2 {
                        wrong.push(format!("exit status {}", run.code));
                    }
                    if !run.stderr.starts_with("error: ") {
                        wrong.push("stderr does not start with `error: `".into());
                    }
                    for want in std::iter::once(&case.error).chain(&case.also) {
                        if !run.stderr.contains(want.as_str()) {
                            wrong.push(format!("stderr lacks {want:?}"));
                        }
                    }
                    if run.stderr.contains("panicked") {
                        wrong.push("a Rust panic".into());
                    }
                    if files(dir.path()) != before {
                        wrong.push("files were written".into());
                    }
                    if !wrong.is_empty() {
                        failures.lock().unwrap().push(format!(
                            "{name}: {}\n  stderr: {}\n  stdout: {}",
                            wrong.join("; "),
                            run.stderr.trim(),
                            run.stdout.trim()
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn huge_info_string_is_cut_in_the_message() {
    let doc = format!("# Doc\n\n## One\n\n```go {}\n```\n", "x".repeat(5 << 20));
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr.contains("docs/doc.md:5: unknown attribute"),
        "{}",
        &run.stderr[..200]
    );
    assert!(run.stderr.len() < 2000, "{} bytes", run.stderr.len());
}

#[test]
fn huge_line_before_an_unclosed_fence() {
    let doc = format!(
        "# Doc\n\n{}\n\n## One\n\n```go\nfmt.Println(1)\n",
        "word ".repeat(2 << 20)
    );
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:7: this go fence is never closed"),
        "{}",
        run.stderr
    );
}

#[test]
fn thousands_of_snippets_with_one_duplicate_id() {
    let mut doc = String::from("# Doc\n\n");
    for i in 0..5000 {
        doc.push_str(&format!("## S{i}\n\n```go\nfmt.Println({i})\n```\n\n"));
    }
    doc.push_str("```go id=s17\nfmt.Println(17)\n```\n");
    let started = std::time::Instant::now();
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert!(
        run.stderr
            .contains("docs/doc.md:30003: duplicate snippet id `s17` (also at line 107)"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn thousands_of_problems_are_all_reported() {
    let mut doc = String::from("# Doc\n\n## One\n\n");
    for _ in 0..3000 {
        doc.push_str("```go bogus\n```\n\n");
    }
    let (run, _d) = bad(doc.as_bytes(), &[], &[]);
    assert_eq!(run.stderr.lines().count(), 3000);
}

#[test]
fn jobs_from_a_config_are_clamped_and_the_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), GOOD);
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\njobs = 100000\n",
    );
    let run = snipcheck(dir.path(), &["verify", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let cores = std::thread::available_parallelism().unwrap().get();
    let max = (cores * 4).max(8);
    assert!(
        run.stderr.contains(&format!(
            "warning: jobs = 100000 is more than 4 per core on this machine's {cores}; using {max}"
        )),
        "{}",
        run.stderr
    );
    // The same from the command line.
    let run = snipcheck(dir.path(), &["verify", "--jobs", "5000"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("jobs = 5000 is more than"),
        "{}",
        run.stderr
    );
}

/// A record larger than snipcheck reads is refused, not read whole (and printed whole).
#[test]
fn an_oversized_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), GOOD);
    let huge = format!(
        "go_version = \"go1.26.8\"\nclass = \"ok\"\nexit_status = 0\nstdout = \"{}\"\n",
        "x".repeat(17 << 20)
    );
    write(&dir.path().join("expected/docs/doc/one.toml"), &huge);
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}", &run.stdout[..run.stdout.len().min(500)]);
    assert!(
        run.stderr.contains(
            "error: expected/docs/doc/one.toml: this record is 17825857 bytes, more than the 16 MiB a record may hold"
        ),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(
        run.stdout.len() < 1000,
        "{} bytes of report",
        run.stdout.len()
    );
}

/// `../x/doc.md` would get the records of `x/doc.md`: a document outside the project is refused.
#[test]
fn a_document_outside_the_project_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let project = outer.path().join("project");
    write(&outer.path().join("outside/doc.md"), GOOD);
    write(&project.join("outside/doc.md"), GOOD);
    let run = snipcheck(&project, &["verify", "../outside/doc.md", "--accept"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: ../outside/doc.md: this document is outside the project"),
        "{}",
        run.stderr
    );
    assert_eq!(files(&project), ["outside/doc.md"]);
    // The same document by its absolute path inside the project is the same document.
    let abs = project.join("outside/doc.md");
    let run = snipcheck(
        &project,
        &["verify", abs.to_str().unwrap(), "--accept"],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(project.join("expected/outside/doc/one.toml").exists());
}

/// A folder with no Markdown in it checks nothing, and that is not a pass.
#[test]
fn no_documents_found_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "error: docs: no Markdown documents (*.md) here, so nothing would be checked"
        ),
        "{}",
        run.stderr
    );
}

/// Runs that would check nothing say so and exit 2: a document without a Go block, a `.go` path
/// (snipcheck reads Markdown); and `golang` fences count as Go, as on GitHub.
#[test]
fn zero_coverage_is_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("docs/prose.md"),
        "# Prose\n\nNo code here.\n\n```sh\nls\n```\n",
    );
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: docs/prose.md: no ```go (or ```golang) block in these documents"),
        "{}",
        run.stderr
    );
    write(&d.join("main.go"), "package main\n\nfunc main() {}\n");
    let run = snipcheck(d, &["verify", "main.go"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: main.go: snipcheck verifies Markdown documents (*.md)"),
        "{}",
        run.stderr
    );
    write(
        &d.join("docs/golang.md"),
        "# Doc\n\n## One\n\n```golang\nfmt.Println(1)\n// Output: 2\n```\n",
    );
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/golang.md:7: `// Output:` does not hold"),
        "{}",
        run.stdout
    );
}

/// `.` names the project's documents like any folder (hidden folders such as .git are not
/// searched), in snipcheck.toml and on the command line.
#[test]
fn the_current_folder_is_a_documents_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("guide.md"), GOOD);
    write(
        &d.join(".hidden/notes.md"),
        "# Notes\n\n```go\nnot go\n```\n",
    );
    let run = snipcheck(d, &["verify", ".", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("ok    guide.md:5  one"),
        "{}",
        run.stdout
    );
    write(&d.join("snipcheck.toml"), "documents = [\".\"]\n");
    let run = snipcheck(d, &["verify"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 passed, 0 failed"), "{}", run.stdout);
}

/// One bad snippet does not stop the others: each input problem is that snippet's error at its
/// line, every other snippet runs (and gets its pending result), and the run exits 2 at the end. A docs
/// site's own attributes are accepted once the project lists them.
#[test]
fn a_bad_snippet_is_reported_and_the_others_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Good\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n\n## Titled\n\n```go title=main.go\nfmt.Println(2)\n// Output: 2\n```\n\n## Bad claim\n\n```go\nos.Exit(3)\n// Exit: three\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("new   docs/doc.md:5  good"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("docs/doc.md:12: not run: unknown attribute `title=main.go`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("docs/doc.md:21: not run: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("1 passed, 2 failed\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    assert_eq!(files(&d.join("expected")), ["docs/doc/good.toml.new"]);
    // The project accepts its docs site's `title`: that snippet runs, the bad claim still fails.
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\nignored_attributes = [\"title\"]\n",
    );
    let run = snipcheck(d, &["verify"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("docs/doc.md:12  titled"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("2 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}
