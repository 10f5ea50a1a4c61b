//! The life of a record: new, pending, accepted, changed, orphaned; and what CI may and may not do.

use super::support::{files, snipcheck, write};

const DOC: &str = "\
# Records

## Greeting

```go
fmt.Println(\"hello\")
// Output: hello
```

## Farewell

```go
fmt.Println(\"bye\")
```
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), DOC);
    dir
}

#[test]
fn new_snippets_are_pending_locally_and_fail_in_ci() {
    let dir = project();
    let ci = snipcheck(dir.path(), &["verify", "docs"], &[("CI", "true")]);
    assert_eq!(ci.code, 1, "{}", ci.stdout);
    assert!(
        ci.stdout.contains(
            "docs/doc.md:5: no recorded result (expected/docs/doc/greeting.toml is missing)"
        ),
        "{}",
        ci.stdout
    );
    assert!(
        ci.stdout
            .contains("run `snipcheck verify --accept` locally"),
        "{}",
        ci.stdout
    );
    assert!(
        files(dir.path()) == ["docs/doc.md"],
        "CI wrote files: {:?}",
        files(dir.path())
    );

    let local = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(local.code, 0, "{}", local.stdout);
    assert!(
        local.stdout.contains("new   docs/doc.md:5  greeting"),
        "{}",
        local.stdout
    );
    assert_eq!(
        files(dir.path()),
        [
            "docs/doc.md",
            "expected/docs/doc/farewell.toml.new",
            "expected/docs/doc/greeting.toml.new"
        ]
    );
}

#[test]
fn accept_is_refused_in_ci() {
    let dir = project();
    let run = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[("CI", "1")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("refusing to write records while CI is set"),
        "{}",
        run.stderr
    );
    assert_eq!(files(dir.path()), ["docs/doc.md"]);
}

#[test]
fn a_changed_outcome_fails_with_a_diff_until_accepted() {
    let dir = project();
    assert_eq!(
        snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]).code,
        0
    );
    let record = dir.path().join("expected/docs/doc/farewell.toml");
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("stdout = \"\"\"\nbye\n\"\"\""), "{text}");

    std::fs::write(&record, text.replace("bye", "au revoir")).unwrap();
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("docs/doc.md:12: the outcome differs from the recorded result expected/docs/doc/farewell.toml"), "{}", run.stdout);
    assert!(
        run.stdout.contains("-au revoir\n") && run.stdout.contains("+bye\n"),
        "{}",
        run.stdout
    );
    assert!(
        dir.path()
            .join("expected/docs/doc/farewell.toml.new")
            .exists()
    );

    let accept = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]);
    assert_eq!(accept.code, 0, "{}", accept.stdout);
    assert!(
        accept
            .stdout
            .contains("record updated: expected/docs/doc/farewell.toml")
    );
    assert_eq!(std::fs::read_to_string(&record).unwrap(), text);
    assert!(
        !dir.path()
            .join("expected/docs/doc/farewell.toml.new")
            .exists()
    );
}

#[test]
fn orphaned_records_warn_locally_fail_when_locked_and_go_on_accept() {
    let dir = project();
    assert_eq!(
        snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]).code,
        0
    );
    let orphan = dir.path().join("expected/docs/doc/gone.toml");
    std::fs::copy(dir.path().join("expected/docs/doc/farewell.toml"), &orphan).unwrap();

    let local = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(local.code, 0, "{}", local.stdout);
    assert!(
        local
            .stdout
            .contains("warn  expected/docs/doc/gone.toml  orphaned record"),
        "{}",
        local.stdout
    );

    let locked = snipcheck(dir.path(), &["verify", "docs", "--locked"], &[]);
    assert_eq!(locked.code, 1, "{}", locked.stdout);
    assert!(
        locked.stdout.contains("FAIL  expected/docs/doc/gone.toml"),
        "{}",
        locked.stdout
    );
    assert!(
        locked.stdout.ends_with("2 passed, 1 failed\n"),
        "{}",
        locked.stdout
    );

    let accept = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]);
    assert_eq!(accept.code, 0, "{}", accept.stdout);
    assert!(!orphan.exists());
}

#[test]
fn moving_a_snippet_down_keeps_its_id_and_record() {
    let dir = project();
    assert_eq!(
        snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]).code,
        0
    );
    let doc = dir.path().join("docs/doc.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replace(
            "# Records\n",
            "# Records\n\nA new paragraph.\nAnd another line.\n",
        ),
    )
    .unwrap();
    let run = snipcheck(dir.path(), &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("ok    docs/doc.md:8  greeting"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_cache_skips_what_passed_with_nothing_changed() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let env = [
        ("SNIPCHECK_NO_CACHE", "false"),
        ("SNIPCHECK_CACHE_DIR", cache.path().to_str().unwrap()),
        // A sandbox warning is for runs that run something, not for a fully cached one.
        ("SNIPCHECK_SANDBOX_DISABLE", "net"),
    ];
    assert_eq!(
        snipcheck(dir.path(), &["verify", "docs", "--accept"], &env).code,
        0
    );
    let first = snipcheck(dir.path(), &["verify", "docs"], &env);
    assert_eq!(first.code, 0, "{}", first.stdout);
    assert!(!first.stdout.contains("(cached)"), "{}", first.stdout);
    assert!(
        first.stderr.contains("warning: no network namespace"),
        "{}",
        first.stderr
    );

    let second = snipcheck(dir.path(), &["verify", "docs"], &env);
    assert!(!second.stderr.contains("warning:"), "{}", second.stderr);
    assert!(
        second
            .stdout
            .contains("ok    docs/doc.md:5  greeting  (cached)"),
        "{}",
        second.stdout
    );
    assert!(
        second
            .stdout
            .contains("ok    docs/doc.md:12  farewell  (cached)"),
        "{}",
        second.stdout
    );

    // An edit re-runs that snippet only, and a wrong claim is caught, not remembered.
    let doc = dir.path().join("docs/doc.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replace("// Output: hello", "// Output: hi")).unwrap();
    let third = snipcheck(dir.path(), &["verify", "docs"], &env);
    assert_eq!(third.code, 1, "{}", third.stdout);
    assert!(
        third.stdout.contains("FAIL  docs/doc.md:5  greeting"),
        "{}",
        third.stdout
    );
    assert!(
        third
            .stdout
            .contains("ok    docs/doc.md:12  farewell  (cached)"),
        "{}",
        third.stdout
    );

    // A changed record is part of the key too.
    let record = dir.path().join("expected/docs/doc/farewell.toml");
    let r = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, r.replace("bye", "ciao")).unwrap();
    let fourth = snipcheck(dir.path(), &["verify", "docs"], &env);
    assert!(
        fourth
            .stdout
            .contains("the outcome differs from the recorded result"),
        "{}",
        fourth.stdout
    );

    let off = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert!(!off.stdout.contains("(cached)"), "{}", off.stdout);
}

/// Besides results, snipcheck keeps what makes the next run cheap, and nothing that decides an
/// outcome: the standard library's package list per toolchain in the cache directory (a damaged
/// copy is asked for again), and the workspace's stable folder in the temporary directory,
/// with its sources and binaries but nothing the snippets left in their run directories.
#[test]
fn the_std_list_and_the_workspace_place_are_kept() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let env = [
        ("SNIPCHECK_CACHE_DIR", cache.path().to_str().unwrap()),
        ("TMPDIR", tmp.path().to_str().unwrap()),
    ];
    let first = snipcheck(dir.path(), &["verify", "docs", "--accept"], &env);
    assert_eq!(first.code, 0, "{}", first.stdout);

    let std_lists = files(&cache.path().join("std"));
    assert_eq!(std_lists.len(), 1, "{std_lists:?}");
    let list = cache.path().join("std").join(&std_lists[0]);
    assert!(
        std::fs::read_to_string(&list)
            .unwrap()
            .lines()
            .any(|l| l == "fmt")
    );
    // SAFETY: geteuid touches no memory.
    let root = tmp
        .path()
        .join(format!("snipcheck-{}", unsafe { libc::geteuid() }));
    let places: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(places.len(), 1, "{places:?}");
    assert!(places[0].join("bin").is_dir());
    for run in std::fs::read_dir(places[0].join("run")).unwrap() {
        let run = run.unwrap().path();
        assert_eq!(std::fs::read_dir(&run).unwrap().count(), 0, "{run:?}");
    }

    // A damaged list is not trusted: the run asks the go command again and still holds.
    std::fs::write(&list, "garbage\n").unwrap();
    let second = snipcheck(dir.path(), &["verify", "docs", "--locked"], &env);
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert!(
        std::fs::read_to_string(&list)
            .unwrap()
            .lines()
            .any(|l| l == "fmt")
    );

    // A snipcheck-UID that others may write to is not used: the run still holds.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::remove_dir_all(&places[0]).unwrap();
    let third = snipcheck(dir.path(), &["verify", "docs", "--locked"], &env);
    assert_eq!(third.code, 0, "{}", third.stdout);
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1);
}

/// The stable place keeps binaries between runs, but a binary belongs to the code it was built
/// from: when a snippet's code changes to a package that links nothing (its `main` is in a
/// subfolder), the old binary is not run in its stead, merged or not.
#[test]
fn a_binary_from_an_earlier_run_is_not_run_for_other_code() {
    let hello = "```go\nfmt.Println(\"hello\")\n// Output: hello\n```\n";
    let library = "```go\n-- lib.go --\npackage lib\n\nconst Greeting = \"hello\"\n-- cmd/hello/main.go --\npackage main\n\nfunc main() { println(\"hello\") }\n\n// Output: hello\n```\n";
    // Not mergeable: with the first, it is built in one `go build` of both.
    let other = "```go\npackage main\n\nimport \"fmt\"\n\nfunc init() {}\n\nfunc main() { fmt.Println(\"b\") }\n\n// Output: b\n```\n";
    for extra in [&[][..], &["--no-merge"]] {
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let env = [("TMPDIR", tmp.path().to_str().unwrap())];
        let doc = dir.path().join("docs/doc.md");
        write(&doc, &format!("# Doc\n\n## A\n\n{hello}\n## B\n\n{other}"));
        let mut args = vec!["verify", "docs", "--accept"];
        args.extend_from_slice(extra);
        let first = snipcheck(dir.path(), &args, &env);
        assert_eq!(first.code, 0, "{extra:?}: {}{}", first.stdout, first.stderr);

        write(
            &doc,
            &format!("# Doc\n\n## A\n\n{library}\n## B\n\n{other}"),
        );
        let mut args = vec!["verify", "docs"];
        args.extend_from_slice(extra);
        let second = snipcheck(dir.path(), &args, &env);
        assert_eq!(
            second.code, 1,
            "{extra:?}: {}{}",
            second.stdout, second.stderr
        );
        assert!(
            second.stdout.contains("FAIL  docs/doc.md:5  a  A"),
            "{extra:?}: {}",
            second.stdout
        );
        assert!(
            second.stdout.contains("ok    docs/doc.md:"),
            "{extra:?}: {}",
            second.stdout
        );
    }
}

/// A document in a folder named like a snippet's package (`s0/`) keeps its name in compile
/// errors, so its `// ERROR` claims hold.
#[test]
fn a_document_in_a_folder_named_like_a_package_keeps_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("s0/doc.md"),
        "# Doc\n\n## Unused\n\n```go\nx := 1 // ERROR \"declared and not used\"\n```\n",
    );
    for extra in [&[][..], &["--no-merge"]] {
        let mut args = vec!["verify", "s0/doc.md", "--accept"];
        args.extend_from_slice(extra);
        let run = snipcheck(dir.path(), &args, &[]);
        assert_eq!(run.code, 0, "{extra:?}: {}{}", run.stdout, run.stderr);
    }
}
