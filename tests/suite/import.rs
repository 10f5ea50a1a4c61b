//! `snipcheck import`, `init` and `clean` as a new user meets them: material written in the
//! styles real collections use (`tests/corpora/`), imported, then verified by the real binary
//! with the real Go toolchain. What holds without a hand edit, and what does not, is asserted,
//! so a change that loses claims (or claims what the material does not say) fails here.

use std::path::Path;

use super::support::{Run, repo, snipcheck};

fn import(dir: &Path, corpus: &str, doc: &str) -> Run {
    let src = repo().join("tests/corpora").join(corpus);
    let run = snipcheck(dir, &["import", src.to_str().unwrap(), "-o", doc], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run
}

/// The ids of the snippets that failed, in report order.
fn failed(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL  "))
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn a_gotcha_collection_verifies_except_where_its_comments_are_out_of_order() {
    let tmp = tempfile::tempdir().unwrap();
    // `-o` into a folder that does not exist yet makes it.
    let run = import(tmp.path(), "gotchas", "docs/gotchas.md");
    assert!(
        run.stderr
            .ends_with("30 claimed as they stand, 0 adjusted, 0 left unclaimed; run `snipcheck verify` on the document to see which claims hold\n"),
        "{}",
        run.stderr
    );
    let doc = std::fs::read_to_string(tmp.path().join("docs/gotchas.md")).unwrap();
    // The README's prose stays, each linked program after the line that links it.
    assert!(doc.contains("## 1. "), "{doc}");
    assert!(doc.contains("// ERROR \"declared and not used"), "{doc}");
    assert!(doc.contains("// Panic: [..]"), "{doc}");
    let run = snipcheck(tmp.path(), &["verify", "docs/gotchas.md", "--accept"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // 05-defer-args.go writes `//prints:` on deferred calls, so the comments' order is not the
    // order of the output: the one claim that needs a person.
    assert_eq!(failed(&run), ["5"], "{}", run.stdout);
    assert!(
        run.stdout.ends_with("29 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn testable_examples_become_one_go_test_snippet_per_package() {
    let tmp = tempfile::tempdir().unwrap();
    let run = import(tmp.path(), "examples", "examples.md");
    assert!(
        run.stderr.contains("13 examples, checked by go test"),
        "{}",
        run.stderr
    );
    let run = snipcheck(tmp.path(), &["verify", "examples.md", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: an example whose output comment is wrong fails the snippet.
    let doc = std::fs::read_to_string(tmp.path().join("examples.md")).unwrap();
    let broken = doc.replacen("// Output:\n\t// ", "// Output:\n\t// not ", 1);
    assert_ne!(doc, broken);
    std::fs::write(tmp.path().join("examples.md"), broken).unwrap();
    let run = snipcheck(tmp.path(), &["verify", "examples.md"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_path_that_is_not_go_material_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "hello").unwrap();
    let run = snipcheck(tmp.path(), &["import", "notes.txt"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: notes.txt: snipcheck import reads .go programs"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_then_verify_then_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let run = snipcheck(d, &["init", "--documents", "docs", "--workflow"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(d.join(".github/workflows/snipcheck.yml").is_file());
    assert!(
        std::fs::read_to_string(d.join(".gitignore"))
            .unwrap()
            .contains("*.toml.new\n")
    );
    super::support::write(
        &d.join("docs/guide.md"),
        "# Guide\n\n## One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n",
    );
    // The config init wrote is read as it is: verify finds docs/ through it.
    let ws = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", ws.path().to_str().unwrap())];
    let run = snipcheck(d, &["verify", "--accept"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 passed, 0 failed"), "{}", run.stdout);
    // The run kept its work folder; clean removes it.
    let run = snipcheck(d, &["clean"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("removed 1 work folder"),
        "{}",
        run.stdout
    );
    let left: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .flatten()
        .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten().flatten())
        .filter(|e| e.path().is_dir())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The tutorial site (75 programs with shell transcripts, a quarter of them printing times,
/// random numbers, PIDs or goroutines in whatever order): what verifies without a hand edit,
/// and that every failure is one of the kinds the README counts (a transcript that rotted, an
/// order or value that changes between runs, stderr mixed into the transcript).
#[test]
fn a_tutorial_site_imports_and_its_deterministic_programs_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let run = import(tmp.path(), "tutorial", "tutorial.md");
    assert!(
        run.stderr.ends_with("67 claimed as they stand, 13 adjusted, 2 left unclaimed; run `snipcheck verify` on the document to see which claims hold\n"),
        "{}",
        run.stderr
    );
    let run = snipcheck(tmp.path(), &["verify", "tutorial.md"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // Rotted transcripts (caught, as they should be), then what varies or mixes streams.
    let expected_failures = [
        "closures-in-loops",
        "text-templates",
        "goroutines",
        "range-over-map",
        "waitgroups",
        "worker-pools",
        "line-numbers",
        "log-flags",
        "logging",
        "stdout-and-stderr",
        "string-formatting",
        "structured-logging",
        "epoch",
        "memory-usage",
        "process-id",
        "random-numbers",
        "random-numbers-2",
        "spawning-processes",
        "temporary-files",
        "time-elapsed",
        "weekday",
    ];
    let failed = failed(&run);
    let unexpected: Vec<&String> = failed
        .iter()
        .filter(|f| !expected_failures.contains(&f.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}\n{}", run.stdout);
    // The rotted transcripts are among the failures, at their claims.
    assert!(failed.contains(&"closures-in-loops".to_string()));
    assert!(failed.contains(&"text-templates".to_string()));
    let passed = 81 - failed.len();
    assert!(passed >= 60, "{passed} passed\n{}", run.stdout);
}

/// `tests/corpora/adopted/` is the tutorial and gotcha collections as a maintainer left them
/// after importing them: 21 hand edits (stderr lines moved to `// Stderr:`, `[..]` over times,
/// PIDs, random numbers, a temp name; `// Unordered output:`; two transcripts that had rotted
/// corrected), six programs whose output changes by the minute, hour or day (`clock.md`), two
/// `[[normalize]]` rules, and the records accepted on 2026-12-01 at 06:49 UTC. Every later run,
/// at whatever hour, day or on whatever machine of this kind, must find the records still
/// holding: a record that went red by itself fails here.
#[test]
fn an_adopted_collection_s_records_do_not_go_red_by_themselves() {
    let tmp = super::support::project(&["tests/corpora/adopted"]);
    let d = tmp.path().join("tests/corpora/adopted");
    let run = snipcheck(&d, &["verify", "--locked", "--no-cache"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with("117 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
    // Mutation: a record that holds the hour it was accepted in goes red an hour later; the
    // claim's elision is what keeps it out.
    let doc = d.join("snippets/clock.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let hour = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600
        + 1)
        % 24;
    std::fs::write(
        &doc,
        text.replace("// hour: [..]", &format!("// hour: {hour}")),
    )
    .unwrap();
    let run = snipcheck(
        &d,
        &["verify", "--locked", "--no-cache", "--filter", "hour"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("snippets/clock.md:22: `// Output:` does not hold"),
        "{}",
        run.stdout
    );
}
