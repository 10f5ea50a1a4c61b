//! `snipcheck review` and `snipcheck pending`: in a pseudo-terminal as a person uses them (keys
//! typed, the screen read), and without a terminal as scripts and CI do.

use std::path::Path;
use std::process::Command;

use super::pty::Pty;
use super::support::{files, snipcheck, write};

const DOC: &str = "\
# Records

## Farewell

```go
fmt.Println(\"bye\")
// Output: bye
```

## Count

```go
for i := 0; i < 3; i++ {
\tfmt.Println(i)
}
// Output:
// 0
// 1
// 2
```
";

/// The document after a maintainer's edits: one output changed, one loop longer, one new item.
fn edited() -> String {
    DOC.replace("fmt.Println(\"bye\")", "fmt.Println(\"au revoir\")")
        .replace("i < 3", "i < 4")
        + "\n## Welcome\n\n```go\nfmt.Println(\"welcome\")\n// Output: welcome\n```\n"
}

/// A project whose records match `DOC`, then edited, verified locally: two changed results and
/// one new one are pending.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\n",
    );
    write(&dir.path().join("docs/doc.md"), DOC);
    let accept = snipcheck(dir.path(), &["verify", "--accept"], &[]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    write(&dir.path().join("docs/doc.md"), &edited());
    let run = snipcheck(dir.path(), &["verify"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        files(&dir.path().join("expected")),
        [
            "docs/doc/count.toml",
            "docs/doc/count.toml.new",
            "docs/doc/farewell.toml",
            "docs/doc/farewell.toml.new",
            "docs/doc/welcome.toml.new",
        ]
    );
    dir
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn review_in_a_terminal(dir: &Path, env: &[(&str, &str)]) -> Pty {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snipcheck"));
    cmd.arg("review").current_dir(dir);
    for var in ["CI", "NO_COLOR", "SNIPCHECK_EXPECTED", "SNIPCHECK_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Pty::spawn(cmd)
}

#[test]
fn a_review_session_accepts_one_rejects_another_and_quits() {
    let dir = project();
    let d = dir.path();
    let farewell_new = read(d, "expected/docs/doc/farewell.toml.new");
    let count_before = read(d, "expected/docs/doc/count.toml");
    let welcome_new = read(d, "expected/docs/doc/welcome.toml.new");

    let mut t = review_in_a_terminal(d, &[]);
    let first = t.expect("q quit");
    assert!(first.contains("1/3  changed"), "{first}");
    assert!(first.contains("docs/doc.md:5"), "{first}");
    assert!(first.contains("farewell  Farewell"), "{first}");
    assert!(first.contains("fmt.Println(\"au revoir\")"), "{first}");
    assert!(first.contains("docs/doc.md:7  // Output: bye"), "{first}");
    // The diff is coloured: a terminal, and NO_COLOR is not set.
    assert!(first.contains("\x1b[31m-bye"), "{first:?}");
    assert!(first.contains("\x1b[32m+au revoir"), "{first:?}");

    // The full output, then accept, and take the offered rewrite of `// Output: bye`.
    t.send("o");
    let output = t.expect("── end ──");
    assert!(
        output.contains("── stdout ──\r\nau revoir\r\n"),
        "{output:?}"
    );
    t.expect("q quit");
    t.send("a");
    let offer = t.expect("n leave it");
    assert!(offer.contains("accepted"), "{offer}");
    assert!(offer.contains("-// Output: bye"), "{offer}");
    assert!(offer.contains("+// Output: au revoir"), "{offer}");
    t.send("y");
    t.expect("rewrote the claims in docs/doc.md");

    let second = t.expect("q quit");
    assert!(second.contains("2/3  changed"), "{second}");
    assert!(second.contains("count  Count"), "{second}");
    t.send("r");
    t.expect("rejected");

    let third = t.expect("q quit");
    assert!(third.contains("3/3  new"), "{third}");
    t.send("q");
    t.expect("1 accepted, 1 rejected, 1 claim rewritten, 1 left pending");
    let (status, _) = t.wait();
    assert_eq!(status.code(), Some(1), "something is left pending");

    // On disk, exactly as decided.
    assert_eq!(
        files(&d.join("expected")),
        [
            "docs/doc/count.toml",
            "docs/doc/farewell.toml",
            "docs/doc/welcome.toml.new",
        ]
    );
    assert_eq!(read(d, "expected/docs/doc/farewell.toml"), farewell_new);
    assert_eq!(read(d, "expected/docs/doc/count.toml"), count_before);
    assert_eq!(read(d, "expected/docs/doc/welcome.toml.new"), welcome_new);
    // The one claim line changed, and not a byte more.
    assert_eq!(
        read(d, "docs/doc.md"),
        edited().replace("// Output: bye", "// Output: au revoir")
    );
}

#[test]
fn accept_all_and_no_color_in_a_terminal() {
    let dir = project();
    let d = dir.path();
    let mut t = review_in_a_terminal(d, &[("NO_COLOR", "1")]);
    let first = t.expect("q quit");
    assert!(
        !first.contains('\x1b'),
        "colour despite NO_COLOR: {first:?}"
    );
    t.send("A");
    let (status, screen) = t.wait();
    assert_eq!(status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("note: the claims at docs/doc.md:7 no longer match"),
        "{screen}"
    );
    assert!(
        screen.contains("3 accepted, 0 rejected, 0 claims rewritten, 0 left pending"),
        "{screen}"
    );
    assert_eq!(
        files(&d.join("expected")),
        [
            "docs/doc/count.toml",
            "docs/doc/farewell.toml",
            "docs/doc/welcome.toml",
        ]
    );
    // Accept all does not touch the document.
    assert_eq!(read(d, "docs/doc.md"), edited());
}

#[test]
fn verify_is_coloured_only_in_a_terminal_without_no_color() {
    let dir = project();
    let verify = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_snipcheck"));
        cmd.args(["verify", "--locked"]).current_dir(dir.path());
        cmd.env_remove("CI").env_remove("NO_COLOR");
        // The workspace's stable place goes with this run (see `support::snipcheck`).
        let tmp = tempfile::tempdir().unwrap();
        cmd.env("TMPDIR", tmp.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Pty::spawn(cmd).wait().1
    };
    let coloured = verify(&[]);
    assert!(coloured.contains("\x1b[1;31mFAIL\x1b[0m"), "{coloured:?}");
    assert!(coloured.contains("\x1b[31m-bye\x1b[0m"), "{coloured:?}");
    // A run slower than a moment (a loaded machine) draws a progress bar, which moves the
    // cursor: that is not colour, so its redraws are taken out before looking.
    let bar = regex::Regex::new("[^\r\n]*\r\x1b\\[2K").unwrap();
    let plain = bar
        .replace_all(&verify(&[("NO_COLOR", "1")]), "")
        .into_owned();
    assert!(plain.contains("FAIL  docs/doc.md:5"), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let piped = snipcheck(dir.path(), &["verify", "--locked"], &[]);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);
}

#[test]
fn without_a_terminal_review_lists_and_fails_until_all_is_decided() {
    let dir = project();
    let d = dir.path();
    let list = snipcheck(d, &["review"], &[]);
    assert_eq!(list.code, 1, "{}{}", list.stdout, list.stderr);
    assert_eq!(
        list.stdout,
        "\
changed   docs/doc.md:5  farewell
changed   docs/doc.md:12  count
new       docs/doc.md:24  welcome
3 pending: go through them with `snipcheck review` in a terminal, or use `snipcheck review --accept ID...`, `--reject ID...`, `--accept-all`
"
    );

    // A name that matches nothing, or one both accepted and rejected, changes nothing.
    let before = files(d);
    let bad = snipcheck(d, &["review", "--accept", "farewell", "nope"], &[]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(
        bad.stderr
            .contains("nothing pending has the id `nope`; `snipcheck pending` lists"),
        "{}",
        bad.stderr
    );
    let both = snipcheck(
        d,
        &[
            "review",
            "--accept",
            "farewell",
            "--reject",
            "docs/doc.md#farewell",
        ],
        &[],
    );
    assert_eq!(both.code, 2, "{}", both.stderr);
    assert_eq!(files(d), before);

    let count_before = read(d, "expected/docs/doc/count.toml");
    let farewell_new = read(d, "expected/docs/doc/farewell.toml.new");
    let decide = snipcheck(
        d,
        &[
            "review",
            "--accept",
            "farewell",
            "--reject",
            "count",
            "--rewrite-claims",
        ],
        &[],
    );
    assert_eq!(decide.code, 0, "{}{}", decide.stdout, decide.stderr);
    assert!(
        decide.stdout.contains(
            "accepted  docs/doc.md:5  farewell\n  @@ docs/doc.md:7 @@\n  -// Output: bye\n  +// Output: au revoir\nrewrote the claims in docs/doc.md\nrejected  docs/doc.md:12  count\n1 left pending\n"
        ),
        "{}",
        decide.stdout
    );
    assert_eq!(read(d, "expected/docs/doc/farewell.toml"), farewell_new);
    assert_eq!(read(d, "expected/docs/doc/count.toml"), count_before);
    assert_eq!(
        read(d, "docs/doc.md"),
        edited().replace("// Output: bye", "// Output: au revoir")
    );

    let rest = snipcheck(d, &["review", "--accept-all"], &[]);
    assert_eq!(rest.code, 0, "{}{}", rest.stdout, rest.stderr);
    let none = snipcheck(d, &["review"], &[]);
    assert_eq!((none.code, none.stdout.as_str()), (0, "nothing pending\n"));
}

#[test]
fn pending_lists_new_changed_and_orphaned_as_json() {
    let dir = project();
    let d = dir.path();
    std::fs::copy(
        d.join("expected/docs/doc/count.toml"),
        d.join("expected/docs/doc/gone.toml"),
    )
    .unwrap();
    let run = snipcheck(d, &["pending", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(String, String, serde_json::Value)> = items
        .iter()
        .map(|v| {
            (
                v["kind"].as_str().unwrap().to_string(),
                v["key"].as_str().unwrap().to_string(),
                v["line"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("changed".into(), "docs/doc.md#farewell".into(), 5.into()),
            ("changed".into(), "docs/doc.md#count".into(), 12.into()),
            ("new".into(), "docs/doc.md#welcome".into(), 24.into()),
            (
                "orphaned".into(),
                "docs/doc.md#gone".into(),
                serde_json::Value::Null
            ),
        ]
    );
    assert_eq!(items[3]["record"], "expected/docs/doc/gone.toml");
    assert_eq!(items[3]["pending"], serde_json::Value::Null);
    assert_eq!(items[0]["pending"], "expected/docs/doc/farewell.toml.new");

    // Accepting an orphan removes its record; rejecting a pending result keeps the record.
    let run = snipcheck(d, &["review", "--accept", "gone", "--reject", "count"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!d.join("expected/docs/doc/gone.toml").exists());
    assert!(d.join("expected/docs/doc/count.toml").exists());
}

#[test]
fn ci_writes_pending_results_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    write(&d.join("docs/doc.md"), DOC);
    let ci = snipcheck(d, &["verify"], &[("CI", "true")]);
    assert_eq!(ci.code, 1, "{}", ci.stdout);
    assert_eq!(files(d), ["docs/doc.md", "snipcheck.toml"]);

    let asked = snipcheck(d, &["verify", "--write-pending"], &[("CI", "true")]);
    assert_eq!(
        asked.code, 1,
        "a missing record still fails: {}",
        asked.stdout
    );
    assert!(
        asked
            .stdout
            .contains("pending result: expected/docs/doc/farewell.toml.new"),
        "{}",
        asked.stdout
    );
    assert_eq!(
        files(&d.join("expected")),
        ["docs/doc/count.toml.new", "docs/doc/farewell.toml.new"]
    );
    // What CI wrote can be reviewed and accepted as it is.
    let accept = snipcheck(d, &["review", "--accept-all"], &[]);
    assert_eq!(accept.code, 0, "{}", accept.stderr);
    let locked = snipcheck(d, &["verify"], &[("CI", "true")]);
    assert_eq!(locked.code, 0, "{}", locked.stdout);
}

/// A project made by hand, no Go needed: `DOC`, the records it had, and a pending result for
/// `farewell` whose stdout is `stdout` (TOML basic-string text, escapes allowed).
fn pending_by_hand(stdout: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    write(&d.join("docs/doc.md"), DOC);
    let record = |out: &str| {
        format!(
            "go_version = \"go1.26.8\"\nclass = \"ok\"\nexit_status = 0\nstdout = \"{out}\"\nstderr = \"\"\ndiagnostics = \"\"\n"
        )
    };
    write(
        &d.join("expected/docs/doc/farewell.toml"),
        &record("bye\\n"),
    );
    write(
        &d.join("expected/docs/doc/count.toml"),
        &record("0\\n1\\n2\\n"),
    );
    write(
        &d.join("expected/docs/doc/farewell.toml.new"),
        &record(stdout),
    );
    dir
}

/// Output that a Markdown claim cannot hold as it is (a NUL, a bare carriage return that
/// CommonMark reads as a line end, bytes that were not UTF-8) is not copied into the document.
#[test]
fn rewrite_claims_refuses_control_bytes_and_replaced_bytes() {
    for (stdout, what) in [
        ("au\\u0000revoir\\n", "a NUL byte"),
        (
            "au revoir\\r## Injected\\r```go\\r\\n",
            "a carriage return without a line feed",
        ),
        ("caf\\uFFFD\\n", "U+FFFD"),
    ] {
        let dir = pending_by_hand(stdout);
        let d = dir.path();
        let run = snipcheck(
            d,
            &["review", "--accept", "farewell", "--rewrite-claims"],
            &[],
        );
        assert_eq!(run.code, 0, "{stdout}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains(&format!("note: docs/doc.md:5: the new text holds {what}")),
            "{stdout}: {}",
            run.stdout
        );
        assert_eq!(
            read(d, "docs/doc.md"),
            DOC,
            "{stdout}: the document changed"
        );
    }
}

/// A document that is a symbolic link is rewritten where the link leads, inside the project;
/// the link stays. A link that leads out of the project is not written through.
#[test]
fn rewrite_claims_writes_through_a_link_inside_the_project_only() {
    let dir = pending_by_hand("au revoir\\n");
    let d = dir.path();
    std::fs::create_dir_all(d.join("real")).unwrap();
    std::fs::rename(d.join("docs/doc.md"), d.join("real/doc.md")).unwrap();
    std::os::unix::fs::symlink("../real/doc.md", d.join("docs/doc.md")).unwrap();
    let run = snipcheck(
        d,
        &["review", "--accept", "farewell", "--rewrite-claims"],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let link = std::fs::symlink_metadata(d.join("docs/doc.md")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        read(d, "real/doc.md"),
        DOC.replace("// Output: bye", "// Output: au revoir")
    );

    let dir = pending_by_hand("au revoir\\n");
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("doc.md");
    std::fs::rename(d.join("docs/doc.md"), &target).unwrap();
    std::os::unix::fs::symlink(&target, d.join("docs/doc.md")).unwrap();
    let run = snipcheck(
        d,
        &["review", "--accept", "farewell", "--rewrite-claims"],
        &[],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: docs/doc.md: this document is reached through a symbolic link that leads out of the project"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), DOC);
    assert!(
        std::fs::symlink_metadata(d.join("docs/doc.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
