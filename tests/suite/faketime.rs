//! The Go Playground's clock (`faketime`): snippets built with `-tags=faketime` start at
//! 2009-11-10 23:00:00 UTC and sleep without waiting; their output arrives as playback frames,
//! which are decoded. Each check is shown holding and, mutated, failing at its Markdown line.

use std::path::Path;

use super::support::{files, record_then_verify, snipcheck, write};

/// The fixture document holds on the fake clock, merged and alone (the fixture comparison of
/// `merged_and_alone_give_the_same_verdicts_and_records` covers it too). The hour's sleep has
/// a timeout of two seconds, so it passes only if the sleep returns at once.
#[test]
fn the_fixture_holds_on_the_playground_clock() {
    let (_, report, tmp) = record_then_verify("tests/fixtures/faketime.md");
    insta::assert_snapshot!("faketime", report);
    let records = files(&tmp.path().join("expected"));
    assert_eq!(records.len(), 11, "{records:#?}");
    let both = std::fs::read_to_string(
        tmp.path()
            .join("expected/tests/fixtures/faketime/both-streams.toml"),
    )
    .unwrap();
    // The frames are gone: what is recorded is what the program wrote.
    assert!(!both.contains("PB"), "{both}");
    assert!(
        both.contains("stderr = \"\"\"\nerr 1\nerr 2\n2009/11/10 23:00:00 logged\n\"\"\""),
        "{both}"
    );
}

const NOW: &str = "# Doc\n\n## Now\n\n```go faketime\nfmt.Println(time.Now().UTC())\ntime.Sleep(36 * time.Hour)\nfmt.Println(time.Now().UTC().Weekday())\n// Output:\n// 2009-11-10 23:00:00 +0000 UTC\n// Thursday\n```\n";

fn verify(d: &Path, args: &[&str], env: &[(&str, &str)]) -> super::support::Run {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    snipcheck(d, &all, env)
}

#[test]
fn a_wrong_time_fails_at_its_line_and_the_real_clock_fails_the_claim() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `time.Now()` in the local zone, with its monotonic reading, as the Playground prints it.
    let local = NOW.replace("Now().UTC())", "Now())").replace(
        "+0000 UTC\n// Thursday",
        "+0000 UTC m=+0.000000001\n// Thursday",
    );
    write(&d.join("docs/doc.md"), &local);
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // In any time zone: the local time of a `faketime` run is UTC, as on the Playground,
    // unless the snippet sets TZ itself.
    let run = verify(d, &["docs"], &[("TZ", "Asia/Tokyo")]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    write(
        &d.join("docs/doc.md"),
        &local.replace("```go faketime", "```go faketime env=TZ=Asia/Tokyo"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("+2009-11-11 08:00:00 +0900 JST m=+0.000000001"),
        "{}",
        run.stdout
    );
    write(&d.join("docs/doc.md"), NOW);

    // Mutation: a claimed time one second off fails at the claim's line.
    write(
        &d.join("docs/doc.md"),
        &NOW.replace("23:00:00 +0000", "23:00:01 +0000"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/doc.md:10: `// Output:` does not hold"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("-2009-11-10 23:00:01 +0000 UTC"),
        "{}",
        run.stdout
    );

    // Mutation: the same snippet on the real clock prints today, and sleeps past its timeout.
    write(
        &d.join("docs/doc.md"),
        &NOW.replace("```go faketime", "```go timeout=1s"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAIL  docs/doc.md:5"), "{}", run.stdout);
    assert!(run.stdout.contains("timeout"), "{}", run.stdout);
    write(
        &d.join("docs/doc.md"),
        &NOW.replace("```go faketime", "```go")
            .replace("time.Sleep(36 * time.Hour)\n", ""),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/doc.md:9: `// Output:` does not hold"),
        "{}",
        run.stdout
    );
}

/// `faketime = true` in snipcheck.toml puts every snippet on the fake clock but those that say
/// `faketime=false`; `--faketime[=BOOL]` and `SNIPCHECK_FAKETIME` come before the file.
#[test]
fn the_project_setting_and_its_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = NOW.replace("```go faketime", "```go timeout=2s");
    write(&d.join("docs/doc.md"), &plain);
    let config = |text: &str| write(&d.join("snipcheck.toml"), text);
    let holds = |run: super::support::Run| {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    };
    let fails = |run: super::support::Run| {
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("FAIL  docs/doc.md:5"), "{}", run.stdout);
    };

    config("documents = [\"docs\"]\nfaketime = true\n");
    holds(verify(d, &[], &[]));
    fails(verify(d, &["--faketime=false"], &[]));
    fails(verify(d, &[], &[("SNIPCHECK_FAKETIME", "0")]));
    // The snippet's own attribute wins over the project's setting.
    write(
        &d.join("docs/doc.md"),
        &plain.replace("```go timeout=2s", "```go timeout=2s faketime=false"),
    );
    fails(verify(d, &[], &[]));
    write(&d.join("docs/doc.md"), &plain);

    config("documents = [\"docs\"]\n");
    fails(verify(d, &[], &[]));
    holds(verify(d, &["--faketime"], &[]));
    holds(verify(d, &[], &[("SNIPCHECK_FAKETIME", "true")]));
    fails(verify(
        d,
        &["--faketime=false"],
        &[("SNIPCHECK_FAKETIME", "1")],
    ));

    // A setting of the wrong type, or a misspelt key, is an error at its line.
    config("documents = [\"docs\"]\nfaketime = \"yes\"\n");
    let run = verify(d, &[], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("snipcheck.toml:2"), "{}", run.stderr);
    config("documents = [\"docs\"]\nfake_time = true\n");
    let run = verify(d, &[], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("fake_time"), "{}", run.stderr);
}

/// Output that did not go through the runtime (a raw write system call) has no playback header:
/// the snippet is reported at its line as not run, the others run, and the run exits 2.
#[test]
fn output_past_the_runtime_is_the_snippet_s_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Raw\n\n```go faketime\nimport (\n\t\"fmt\"\n\t\"syscall\"\n\t\"unsafe\"\n)\n\nfmt.Println(\"framed\")\nb := []byte(\"raw\\n\")\nsyscall.RawSyscall(syscall.SYS_WRITE, 1, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))\n```\n\n## Good\n\n```go faketime\nfmt.Println(1)\n// Output: 1\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "docs/doc.md:5: not run: stdout: under `faketime` every write to stdout and stderr is a playback frame, but this stream has no playback header (\\0\\0PB) at byte 23"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("new   docs/doc.md:19  good"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("docs/doc.md:5"), "{}", run.stderr);
    // Mutation: on the real clock the same program's output is plain, and it runs.
    write(
        &d.join("docs/doc.md"),
        &doc.replace("```go faketime\nimport", "```go\nimport"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A stream cut at the output cap ends inside a frame: what arrived is kept, with the note, and
/// that is no malformed stream.
#[test]
fn a_stream_cut_at_the_cap_is_no_malformed_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\n\n[sandbox]\noutput = \"64KiB\"\n",
    );
    let doc = "# Doc\n\n## Flood\n\n```go faketime\nfor i := 0; ; i++ {\n\tfmt.Println(\"line\", i)\n}\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = verify(d, &[], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("[snipcheck: output truncated: stdout is capped at 64 KiB"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("playback"), "{}", run.stdout);
}

/// The race detector needs cgo, whose programs never move the fake clock.
#[test]
fn race_and_faketime_do_not_combine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Race\n\n```go race faketime\nfmt.Println(1)\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/doc.md:5: not run: `race` and `faketime` do not combine"),
        "{}",
        run.stdout
    );
    // From the project's setting: the same, said so.
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\nfaketime = true\n",
    );
    write(&d.join("docs/doc.md"), &doc.replace(" faketime", ""));
    let run = verify(d, &[], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("(`faketime` is on for the project)"),
        "{}",
        run.stdout
    );
    // Mutation: `faketime=false` takes the snippet off the clock, and it runs.
    write(
        &d.join("docs/doc.md"),
        &doc.replace(" faketime", " faketime=false"),
    );
    let run = verify(d, &[], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A `test` snippet runs under `go test -tags=faketime`: its test binary's frames are decoded in
/// the `-exec` wrapper before go test reads them, and the test alarm is off.
#[test]
fn go_test_runs_on_the_fake_clock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Test\n\n```go test faketime tags=extra timeout=5s\n-- clock_test.go --\npackage clock\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestYear(t *testing.T) {\n\ttime.Sleep(24 * time.Hour)\n\tif y := time.Now().Year(); y != 2009 {\n\t\tt.Fatal(y)\n\t}\n}\n-- extra_test.go --\n//go:build extra\n\npackage clock\n\nimport \"testing\"\n\nfunc TestExtra(t *testing.T) {}\n\n// Tests passed: TestYear TestExtra\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = verify(d, &["docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let record = std::fs::read_to_string(d.join("expected/docs/doc/test.toml")).unwrap();
    assert!(record.contains("--- PASS: TestYear"), "{record}");
    assert!(!record.contains("PB"), "{record}");

    // Mutation: on the real clock the year is not 2009 (and the day's sleep would time out).
    write(
        &d.join("docs/doc.md"),
        &doc.replace("\ttime.Sleep(24 * time.Hour)\n", "")
            .replace("test faketime", "test"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAIL  docs/doc.md:5"), "{}", run.stdout);
    assert!(run.stdout.contains("TestYear"), "{}", run.stdout);

    // Output past the runtime, in a test binary: the wrapper says so, and the snippet is
    // reported at its line as not run (exit 2).
    let raw = "# Doc\n\n## Raw\n\n```go test faketime\npackage raw\n\nimport (\n\t\"syscall\"\n\t\"testing\"\n\t\"unsafe\"\n)\n\nfunc TestRaw(t *testing.T) {\n\tb := []byte(\"raw\\n\")\n\tsyscall.RawSyscall(syscall.SYS_WRITE, 1, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))\n}\n```\n";
    write(&d.join("docs/doc.md"), raw);
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("docs/doc.md:5: not run: go test: under `faketime` every write to stdout and stderr is a playback frame, but the test binary's output has no playback header"),
        "{}",
        run.stdout
    );
    // Mutation: on the real clock the same test runs and passes.
    write(
        &d.join("docs/doc.md"),
        &raw.replace("test faketime", "test"),
    );
    let run = verify(d, &["docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The result cache keys on the clock a snippet runs on: a snippet that passed on the fake
/// clock is not reported `(cached)` once the project's setting takes it off.
#[test]
fn the_result_cache_knows_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cache = tempfile::tempdir().unwrap();
    let env = [
        ("SNIPCHECK_NO_CACHE", "false"),
        ("SNIPCHECK_CACHE_DIR", cache.path().to_str().unwrap()),
    ];
    write(
        &d.join("docs/doc.md"),
        &NOW.replace("```go faketime", "```go timeout=2s"),
    );
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\nfaketime = true\n",
    );
    let run = verify(d, &["--accept"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // It passes against its record, and is remembered.
    let run = verify(d, &[], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = verify(d, &[], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("(cached)"), "{}", run.stdout);
    // Mutation: off the fake clock, the snippet runs again and fails.
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    let run = verify(d, &[], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("(cached)"), "{}", run.stdout);
}
