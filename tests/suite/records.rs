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
            .contains("refusing to write records in CI (CI=1 is set)"),
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
            .contains("record to update: expected/docs/doc/farewell.toml")
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
    let made_there: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert!(made_there.is_empty(), "{made_there:?}");
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

/// An unchanged merged link is not handed to the go command again (its stamp holds), but the
/// stamp holds only for the code it was built from and for the binaries it saw: an edited
/// snippet is linked again and fails at its line (the mutation that would be a false pass if
/// the old binary ran), and a binary replaced behind snipcheck's back is linked again.
#[test]
fn a_merged_link_is_reused_only_for_the_code_and_binaries_it_was_built_from() {
    let snippet = |code: &str, claim: &str| {
        format!("```go\nfmt.Println(\"{code}\")\n// Output: {claim}\n```\n")
    };
    a_stamped_link_is_reused_only_for_its_code_and_binaries(&snippet, "merged.stamp", "merged0");
}

/// The same for the batch of snippets that are not merged (each its own binary, one go
/// command): an `init` keeps these two out of the merged link.
#[test]
fn a_batch_link_is_reused_only_for_the_code_and_binaries_it_was_built_from() {
    let snippet = |code: &str, claim: &str| {
        format!(
            "```go\npackage main\n\nimport \"fmt\"\n\nfunc init() {{}}\n\nfunc main() {{\n\tfmt.Println(\"{code}\")\n}}\n// Output: {claim}\n```\n"
        )
    };
    a_stamped_link_is_reused_only_for_its_code_and_binaries(&snippet, "batch.stamp", "s0");
}

fn a_stamped_link_is_reused_only_for_its_code_and_binaries(
    snippet: &dyn Fn(&str, &str) -> String,
    stamp: &str,
    binary: &str,
) {
    let doc_with = |a: &str| format!("# Doc\n\n## A\n\n{a}\n## B\n\n{}", snippet("b", "b"));
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", tmp.path().to_str().unwrap())];
    let doc = dir.path().join("docs/doc.md");
    write(&doc, &doc_with(&snippet("one", "one")));
    let first = snipcheck(
        dir.path(),
        &["verify", "docs", "--accept", "--no-cache"],
        &env,
    );
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let bin = bin_with(tmp.path(), stamp);
    let linked = bin.join(binary);
    let modified = || std::fs::metadata(&linked).unwrap().modified().unwrap();
    let before = modified();

    // Unchanged: the same binary runs, untouched (the go command touches one it finds up to
    // date).
    let again = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(modified(), before);

    // The code changes, the claim does not: linked again, and the claim fails at its line.
    write(&doc, &doc_with(&snippet("two", "one")));
    let edited = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(edited.code, 1, "{}{}", edited.stdout, edited.stderr);
    assert!(
        edited.stdout.contains("FAIL  docs/doc.md:5"),
        "{}",
        edited.stdout
    );

    // A binary that is not the one the stamp saw is not run.
    write(&doc, &doc_with(&snippet("one", "one")));
    let back = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(back.code, 0, "{}{}", back.stdout, back.stderr);
    std::fs::remove_file(&linked).unwrap();
    write(&linked, "#!/bin/sh\necho wrong\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&linked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let replaced = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(replaced.code, 0, "{}{}", replaced.stdout, replaced.stderr);
}

/// The go command never caches a failed compile, so the batch of snippets that claim compile
/// errors (built with `-e`) is stamped with what it said (`bin/batch-e.stamp` and `.said`): an
/// unchanged batch is not compiled again, its answer is read back. An edited snippet is
/// compiled again and its claim judged on the new answer; an answer edited behind snipcheck's
/// back is not read back. Mutation: with the sources left out of the stamp's key, the edited
/// snippet (which now compiles) passed on the old answer, a false pass.
#[test]
fn a_compile_error_batch_is_read_back_only_for_the_code_it_was_compiled_from() {
    let doc_with = |a: &str| {
        format!(
            "# Doc\n\n## A\n\n```go\n{a} // ERROR \"declared and not used\"\n```\n\n## B\n\n```go\ny := 2 // ERROR \"declared and not used\"\n```\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", tmp.path().to_str().unwrap())];
    let doc = dir.path().join("docs/doc.md");
    write(&doc, &doc_with("x := 1"));
    let first = snipcheck(
        dir.path(),
        &["verify", "docs", "--accept", "--no-cache"],
        &env,
    );
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let bin = bin_with(tmp.path(), "batch-e.stamp");
    let stamp = bin.join("batch-e.stamp");
    let said = bin.join("batch-e.said");
    assert!(
        std::fs::read_to_string(&said)
            .unwrap()
            .contains("declared and not used")
    );
    let modified = || std::fs::metadata(&stamp).unwrap().modified().unwrap();
    let before = modified();

    // Unchanged: read back, not compiled again (which would write the stamp anew).
    let again = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(modified(), before);

    // The code changes so that it compiles, the claim does not: compiled again, and the claim
    // fails at its line.
    write(&doc, &doc_with("_ = 1"));
    let edited = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(edited.code, 1, "{}{}", edited.stdout, edited.stderr);
    assert!(
        edited.stdout.contains("FAIL  docs/doc.md:5"),
        "{}",
        edited.stdout
    );

    // An answer edited behind snipcheck's back is not read back.
    write(&doc, &doc_with("x := 1"));
    let back = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(back.code, 0, "{}{}", back.stdout, back.stderr);
    let text = std::fs::read_to_string(&said).unwrap();
    std::fs::write(&said, text.replace("declared and not used", "forged")).unwrap();
    let forged = snipcheck(dir.path(), &["verify", "docs", "--no-cache"], &env);
    assert_eq!(forged.code, 0, "{}{}", forged.stdout, forged.stderr);
}

/// The `bin/` folder of the workspace under `tmp` (snipcheck's TMPDIR) that holds `stamp`.
fn bin_with(tmp: &std::path::Path, stamp: &str) -> std::path::PathBuf {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .flat_map(|uid| {
            std::fs::read_dir(uid.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|place| place.path().join("bin"))
        .find(|bin| bin.join(stamp).is_file())
        .unwrap_or_else(|| panic!("a {stamp} beside the binaries"))
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

/// A project whose configuration names `expected` as given, with files that are not records
/// where an `--accept` could reach them.
fn hostile(expected: &str) -> tempfile::TempDir {
    let dir = project();
    let d = dir.path();
    write(
        &d.join("snipcheck.toml"),
        &format!("documents = [\"docs\"]\nexpected = {expected:?}\n"),
    );
    write(&d.join("Cargo.toml"), "[package]\nname = \"mine\"\n");
    write(&d.join("sub/config.toml"), "key = 1\n");
    dir
}

/// Everything under `dir`, with each file's text, to compare before and after.
fn snapshot(dir: &std::path::Path) -> Vec<(String, String)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(&f)).unwrap_or_default();
            (f, text)
        })
        .collect()
}

#[test]
fn expected_naming_the_project_itself_is_refused() {
    let dir = hostile(".");
    let before = snapshot(dir.path());
    let run = snipcheck(dir.path(), &["verify", "--accept"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: snipcheck.toml: expected = \".\" names the project's own folder"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(dir.path()), before, "files were changed");
    // From the command line too.
    let run = snipcheck(dir.path(), &["verify", "--accept", "--expected", "./"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(snapshot(dir.path()), before, "files were changed");
}

#[test]
fn expected_outside_the_project_is_refused_from_the_file() {
    let outer = tempfile::tempdir().unwrap();
    let d = outer.path().join("project");
    super::support::copy(hostile("../x").path(), &d);
    let x = outer.path().join("x");
    write(
        &x.join("docs/doc/other.toml"),
        "go_version = \"go1.26.8\"\nclass = \"ok\"\n",
    );
    let before = snapshot(outer.path());
    for expected in ["../x", "/var/lib/x", "docs/../../x"] {
        write(
            &d.join("snipcheck.toml"),
            &format!("documents = [\"docs\"]\nexpected = {expected:?}\n"),
        );
        let before = snapshot(outer.path());
        let run = snipcheck(&d, &["verify", "--accept"], &[]);
        assert_eq!(run.code, 2, "{expected}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "error: snipcheck.toml: expected = {expected:?} is outside the project"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("pass --expected"), "{}", run.stderr);
        assert_eq!(
            snapshot(outer.path()),
            before,
            "{expected}: files were changed"
        );
        let review = snipcheck(&d, &["review", "--accept-all"], &[]);
        assert_eq!(review.code, 2, "{}{}", review.stdout, review.stderr);
    }
    assert!(snapshot(outer.path()).len() >= before.len());
    assert!(x.join("docs/doc/other.toml").exists());
}

#[test]
fn a_records_folder_that_is_a_link_is_refused() {
    let dir = project();
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    write(
        &outside.path().join("keep.toml"),
        "go_version = \"go1.26.8\"\nclass = \"ok\"\n",
    );
    std::os::unix::fs::symlink(outside.path(), d.join("expected")).unwrap();
    let before = snapshot(outside.path());
    for args in [
        &["verify", "docs", "--accept"][..],
        &["review", "--accept-all"],
    ] {
        let run = snipcheck(d, args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                "error: expected: this is a symbolic link on the way to the records' folder"
            ),
            "{}",
            run.stderr
        );
        assert_eq!(
            snapshot(outside.path()),
            before,
            "{args:?} wrote through the link"
        );
    }
}

#[test]
fn a_folder_in_the_records_that_is_a_link_is_refused() {
    let dir = project();
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    write(
        &outside.path().join("gone.toml"),
        "go_version = \"go1.26.8\"\nclass = \"ok\"\n",
    );
    write(&outside.path().join("Cargo.toml"), "[package]\n");
    std::fs::create_dir_all(d.join("expected/docs")).unwrap();
    std::os::unix::fs::symlink(outside.path(), d.join("expected/docs/doc")).unwrap();
    let before = snapshot(outside.path());
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: expected/docs/doc: this is a symbolic link; snipcheck writes records only into real folders"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(outside.path()), before, "wrote through the link");
    // The whole set: the link is reported, and what it leads to is neither read nor removed.
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    std::fs::remove_file(d.join("expected/docs/doc")).unwrap();
    assert_eq!(snipcheck(d, &["verify", "--accept"], &[]).code, 0);
    std::os::unix::fs::symlink(outside.path(), d.join("expected/docs/old")).unwrap();
    let run = snipcheck(d, &["verify", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("expected/docs/old: a symbolic link in the records' folder"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(outside.path()), before, "removed through the link");
}

/// With the configured set, only records of its documents can be orphans: a `*.toml` elsewhere
/// under expected/, or one that is not a record, is reported and left as it is.
#[test]
fn accept_removes_only_orphaned_records_of_the_configured_documents() {
    let dir = project();
    let d = dir.path();
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    assert_eq!(snipcheck(d, &["verify", "--accept"], &[]).code, 0);
    let record = std::fs::read_to_string(d.join("expected/docs/doc/farewell.toml")).unwrap();
    write(&d.join("expected/docs/doc/gone.toml"), &record);
    write(&d.join("expected/other/x.toml"), &record);
    write(&d.join("expected/docs/doc/config.toml"), "key = 1\n");
    write(&d.join("expected/Cargo.toml"), "[package]\n");
    let run = snipcheck(d, &["verify", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!d.join("expected/docs/doc/gone.toml").exists());
    for kept in [
        "expected/other/x.toml",
        "expected/docs/doc/config.toml",
        "expected/Cargo.toml",
    ] {
        assert!(d.join(kept).exists(), "{kept} was removed");
        assert!(
            run.stderr.contains(kept),
            "{kept} not reported: {}",
            run.stderr
        );
    }
    let review = snipcheck(d, &["pending"], &[]);
    assert_eq!(review.stdout, "nothing pending\n", "{}", review.stderr);
}

/// The report says what is to be written, not that it was: the writes come at the end of the
/// run, and an interrupted run writes nothing. Temporary files of a killed run go.
#[test]
fn accept_reports_what_it_writes_and_cleans_up_a_killed_run() {
    let dir = project();
    let d = dir.path();
    let stale = d.join("expected/docs/doc/.greeting.toml.snipcheck-tmp");
    write(&stale, "go_version = \"go1");
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("to record: expected/docs/doc/greeting.toml"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 records written and 0 files removed in expected\n"),
        "{}",
        run.stdout
    );
    assert!(!stale.exists());
    assert_eq!(
        files(d),
        [
            "docs/doc.md",
            "expected/docs/doc/farewell.toml",
            "expected/docs/doc/greeting.toml"
        ]
    );
}

/// One long line in a record is cut in the report's diff.
#[test]
fn long_lines_are_cut_in_the_report() {
    let dir = project();
    let d = dir.path();
    assert_eq!(snipcheck(d, &["verify", "docs", "--accept"], &[]).code, 0);
    let record = d.join("expected/docs/doc/farewell.toml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replace("bye", &"y".repeat(200_000))).unwrap();
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 1, "{}", &run.stdout[..run.stdout.len().min(2000)]);
    assert!(
        run.stdout.contains("more bytes]"),
        "{}",
        &run.stdout[..2000]
    );
    assert!(
        run.stdout.len() < 10_000,
        "{} bytes of report",
        run.stdout.len()
    );
}

/// A snippet with claims about particular Go versions has a record per variant (`ID@go1.21`):
/// `pending` and `review` count them as the snippet's, not as orphans to remove.
#[test]
fn records_of_go_version_variants_are_not_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("docs/loops.md"),
        "# Loops\n\n## One loop\n\n```go\nvar prints []func()\nfor i := 0; i < 3; i++ {\n\tprints = append(prints, func() { fmt.Print(i, \" \") })\n}\nfor _, p := range prints {\n\tp()\n}\n// Output (go1.21): 3 3 3\n// Output (go1.22+): 0 1 2\n```\n",
    );
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let records = files(&d.join("expected"));
    assert_eq!(records.len(), 3, "{records:?}");
    let toml = "documents = [\"docs\"]\n";
    write(&d.join("snipcheck.toml"), toml);
    let pending = snipcheck(d, &["pending"], &[]);
    assert_eq!(pending.code, 0, "{}{}", pending.stdout, pending.stderr);
    assert!(!pending.stdout.contains("orphaned"), "{}", pending.stdout);
    let review = snipcheck(d, &["review", "--accept-all"], &[]);
    assert_eq!(review.code, 0, "{}{}", review.stdout, review.stderr);
    assert_eq!(files(&d.join("expected")), records);
    let locked = snipcheck(d, &["verify", "--locked"], &[]);
    assert_eq!(locked.code, 0, "{}{}", locked.stdout, locked.stderr);
}
