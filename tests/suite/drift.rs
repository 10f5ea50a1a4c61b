//! Records that would go red on their own: output that changes slower than two runs apart (the
//! time of day, a date) is kept out of records by `[[normalize]]` rules, by a claim's elisions,
//! and by elisions a person puts in a record; `varies` sees stderr vary too. Each is shown
//! holding, and each with a mutation that makes it fail.

use std::path::Path;

use super::support::{snipcheck, write};

fn record(d: &Path, id: &str) -> String {
    std::fs::read_to_string(d.join(format!("expected/docs/doc/{id}.toml"))).unwrap()
}

#[test]
fn a_claim_s_elisions_reach_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Now\n\n```go\nfmt.Println(\"now:\", time.Now().Format(time.StampNano))\nfmt.Println(\"done\")\n// Output:\n// now: [..]\n// done\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = record(d, "now");
    assert!(
        r.contains("stdout = \"\"\"\nnow: [..]\ndone\n\"\"\""),
        "{r}"
    );
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: the program prints something the elided record does not allow.
    write(
        &d.join("docs/doc.md"),
        &doc.replace("\"done\"", "\"finished\""),
    );
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

#[test]
fn normalize_rules_apply_before_compare_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\n\n[[normalize]]\nregex = '\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?'\nreplace = \"[TIME]\"\n",
    );
    let doc = "# Doc\n\n## Log\n\n```go\nlog.SetFlags(log.Ltime | log.Lmicroseconds)\nlog.Println(\"started\")\nfmt.Println(\"at\", time.Now().Format(\"15:04:05.000000\"))\n// Output: at [TIME]\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = record(d, "log");
    assert!(r.contains("stderr = \"\"\"\n[TIME] started\n"), "{r}");
    let run = snipcheck(d, &["verify", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: without the rule, the time is compared (and the claim fails).
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    let run = snipcheck(d, &["verify", "--locked"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // A rule that does not compile is refused at its line.
    write(
        &d.join("snipcheck.toml"),
        "documents = [\"docs\"]\n\n[[normalize]]\nregex = '(unclosed'\nreplace = \"x\"\n",
    );
    let run = snipcheck(d, &["verify"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with("error: snipcheck.toml:4: [[normalize]] regex \"(unclosed\""),
        "{}",
        run.stderr
    );
}

#[test]
fn elisions_a_person_puts_in_a_record_are_kept_while_they_match() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Build\n\n```go\nfmt.Println(\"build 42 on gopher\")\nfmt.Println(\"took 17ms\")\n```\n";
    write(&d.join("docs/doc.md"), doc);
    assert_eq!(snipcheck(d, &["verify", "docs", "--accept"], &[]).code, 0);
    let path = d.join("expected/docs/doc/build.toml");
    let edited = record(d, "build")
        .replace("build 42 on", "build [..] on")
        .replace("took 17ms", "took [..]ms");
    std::fs::write(&path, &edited).unwrap();
    // It matches, so verify passes and --accept leaves the record as the person wrote it.
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    // Mutation: what the elision does not cover changes, and the record no longer holds.
    write(
        &d.join("docs/doc.md"),
        &doc.replace("on gopher", "on gofer"),
    );
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The diff shows the line the record's elision still matches as the record's own line.
    assert!(run.stdout.contains("+build 42 on gofer"), "{}", run.stdout);
    assert!(!run.stdout.contains("+took 17ms"), "{}", run.stdout);
}

#[test]
fn varies_looks_at_stderr_too_and_unordered_output_elides() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Stderr\n\n```go varies\nfmt.Println(\"same\")\nfmt.Fprintln(os.Stderr, time.Now().UnixNano())\n// Output: same\n```\n\n## Unordered\n\n```go\nfmt.Println(\"b\", time.Now().Year() > 2000)\nfmt.Println(\"a\")\n// Unordered output:\n// a\n// b [..]\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = record(d, "stderr");
    // Neither stream is recorded: both are said to vary.
    assert_eq!(r.matches("(varies between runs)").count(), 2, "{r}");
    let run = snipcheck(d, &["verify", "docs", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: stderr that does not vary either, and an unordered line nothing matches.
    let broken = doc
        .replace("time.Now().UnixNano())", "42)")
        .replace("// b [..]", "// c [..]");
    write(&d.join("docs/doc.md"), &broken);
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("`varies` does not hold"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`// Unordered output:` does not hold"),
        "{}",
        run.stdout
    );
}

/// A failing claim with elided lines: the diff shows the lines that differ, not the elided ones
/// that match.
#[test]
fn a_diff_against_an_elided_claim_lines_the_elisions_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Clock\n\n```go\nfmt.Println(\"start\")\nfmt.Println(\"at\", time.Now().UnixNano())\nfmt.Println(\"END\")\n// Output:\n// start\n// at [..]\n// end\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diff: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.contains("--- expected"))
        .take(7)
        .map(str::trim)
        .collect();
    assert_eq!(
        diff,
        [
            "--- expected",
            "+++ actual",
            "@@ -1,3 +1,3 @@",
            "start",
            "at [..]",
            "-end",
            "+END"
        ],
        "{}",
        run.stdout
    );
}

/// Workers take jobs in a different order on every run: an `// Unordered output:` claim that
/// elides the worker records the claimed lines, so the accept run's two runs agree and a later
/// run holds.
#[test]
fn an_unordered_claim_s_elisions_reach_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = "# Doc\n\n## Pool\n\n```go\npackage main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n)\n\nfunc main() {\n\tjobs := make(chan int)\n\tvar wg sync.WaitGroup\n\tvar mu sync.Mutex\n\tfor w := 1; w <= 3; w++ {\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t\tfor j := range jobs {\n\t\t\t\tmu.Lock()\n\t\t\t\tfmt.Println(\"worker\", w, \"did job\", j)\n\t\t\t\tmu.Unlock()\n\t\t\t}\n\t\t}()\n\t}\n\tfor j := 1; j <= 6; j++ {\n\t\tjobs <- j\n\t}\n\tclose(jobs)\n\twg.Wait()\n}\n// Unordered output:\n// worker [..] did job 1\n// worker [..] did job 2\n// worker [..] did job 3\n// worker [..] did job 4\n// worker [..] did job 5\n// worker [..] did job 6\n```\n";
    write(&d.join("docs/doc.md"), doc);
    let run = snipcheck(d, &["verify", "docs", "--accept", "--no-cache"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = record(d, "pool");
    assert!(
        r.contains("stdout = \"\"\"\nworker [..] did job 1\nworker [..] did job 2\n"),
        "{r}"
    );
    let run = snipcheck(d, &["verify", "docs", "--locked", "--no-cache"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: a job the program never runs.
    write(&d.join("docs/doc.md"), &doc.replace("j <= 6", "j <= 5"));
    let run = snipcheck(d, &["verify", "docs", "--locked", "--no-cache"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("doc.md:34: `// Unordered output:` does not hold"),
        "{}",
        run.stdout
    );
    // The diff lines the elided lines up: only the job nobody did is marked.
    let claim_diff = run.stdout.split("the outcome differs").next().unwrap();
    assert!(
        claim_diff.contains("-worker [..] did job 6"),
        "{}",
        run.stdout
    );
    assert!(
        !claim_diff.contains("-worker [..] did job 1"),
        "{}",
        run.stdout
    );
    assert!(!claim_diff.contains("+worker"), "{}", run.stdout);
}
