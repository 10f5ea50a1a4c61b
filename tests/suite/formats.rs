//! `--format json|junit|github` and `--junit FILE` on one fixture document with a snippet of each
//! verdict: the whole reports snapshotted (durations, dates, temporary paths and the Go version
//! redacted), the JUnit report read back as a consumer reads it (counts, names, failure messages
//! and Markdown locations), and the GitHub annotations checked against the Markdown lines of the
//! claims. Validation against the external junit-10.xsd schema needs xmllint and a download, so it
//! is a separate step of `.ci/run` (`ci/junit-validate`), not part of `cargo test`.

use std::path::Path;

use quick_junit::{Report, TestCaseStatus};

use super::support::{redact, repo, snipcheck};

const DOC: &str = "tests/fixtures/formats.md";

/// What changes between runs in the machine formats, on top of `support::redact`.
fn redact_more(text: &str, tmp: &Path) -> String {
    let text = redact(text, tmp);
    let rules = [
        (r#""elapsed":[0-9.e-]+"#, r#""elapsed":"[ELAPSED]""#),
        (r#""go_version":"go[^"]*""#, r#""go_version":"[GO]""#),
        (r#"time="[0-9.]+""#, r#"time="[T]""#),
        (r#"timestamp="[0-9T:.+-]+""#, r#"timestamp="[DATE]""#),
        (r"(go1\.\d+(\.\d+)?|\[GO\]), \d+\.\ds", "[GO], [ELAPSED]"),
    ];
    rules.iter().fold(text, |t, (re, with)| {
        regex::Regex::new(re)
            .unwrap()
            .replace_all(&t, *with)
            .into_owned()
    })
}

fn verify(format: &str, tmp: &Path, extra: &[&str], env: &[(&str, &str)]) -> String {
    let exp = tmp.join("expected");
    let mut args = vec![
        "verify",
        DOC,
        "--expected",
        exp.to_str().unwrap(),
        "--format",
        format,
    ];
    args.extend(extra);
    let run = snipcheck(&repo(), &args, env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    run.stdout
}

#[test]
fn json_is_one_event_per_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = verify("json", tmp.path(), &[], &[]);
    let types: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            format!(
                "{} {}",
                v["type"].as_str().unwrap(),
                v["verdict"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            "started ",
            "finished new",
            "finished failed",
            "finished failed",
            "finished skipped",
            "summary "
        ]
    );
    insta::assert_snapshot!("json", redact_more(&out, tmp.path()));
}

#[test]
fn junit_parses_back_with_the_counts_names_failures_and_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = verify("junit", tmp.path(), &[], &[]);
    insta::assert_snapshot!("junit", redact_more(&out, tmp.path()));
    let report = parse_junit(&out);
    assert_eq!(
        (report.tests, report.failures, report.skipped, report.errors),
        (4, 2, 1, 0)
    );
    assert_eq!(report.test_suites.len(), 1);
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), DOC);
    let cases: Vec<(String, String, String, String, &'static str)> = suite
        .test_cases
        .iter()
        .map(|c| {
            let kind = match &c.status {
                TestCaseStatus::Success { .. } => "success",
                TestCaseStatus::NonSuccess { .. } => "failure",
                TestCaseStatus::Skipped { .. } => "skipped",
            };
            (
                c.name.as_str().to_string(),
                c.classname.as_ref().unwrap().as_str().to_string(),
                attribute(c, "file"),
                attribute(c, "line"),
                kind,
            )
        })
        .collect();
    let case =
        |name: &str, line: &str, kind| (name.into(), DOC.into(), DOC.into(), line.into(), kind);
    assert_eq!(
        cases,
        [
            case("holds: Holds", "7", "success"),
            case("wrong-output: Wrong output", "18", "failure"),
            case("wrong-panic: Wrong panic", "26", "failure"),
            case("shown-only: Shown only", "31", "skipped"),
        ]
    );
    // A failure names its claim's line, the outcome and the diff, in the text consumers show.
    let TestCaseStatus::NonSuccess {
        message,
        ty,
        description,
        ..
    } = &suite.test_cases[1].status
    else {
        unreachable!()
    };
    assert_eq!(
        message.as_ref().unwrap().as_str(),
        "tests/fixtures/formats.md:18: `// Output:` does not hold"
    );
    assert_eq!(ty.as_ref().unwrap().as_str(), "claim does not hold");
    let text = description.as_ref().unwrap().as_str();
    assert!(text.contains("outcome: ok\n"), "{text}");
    assert!(text.contains("-[1 4 3] <&> \"quoted\" 100%\n"), "{text}");
    assert!(text.contains("+[1 2 3] <&> \"quoted\" 100%"), "{text}");
}

/// The report as a JUnit consumer reads it (quick-junit's reader); a malformed report fails here.
fn parse_junit(xml: &str) -> Report {
    Report::deserialize_from_str(xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"))
}

fn attribute(case: &quick_junit::TestCase, name: &str) -> String {
    case.extra
        .iter()
        .find(|(k, _)| k.as_str() == name)
        .map(|(_, v)| v.as_str().to_string())
        .unwrap_or_default()
}

#[test]
fn github_annotates_the_claim_lines_and_writes_a_job_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let junit = tmp.path().join("junit.xml");
    let out = verify(
        "github",
        tmp.path(),
        &["--junit", junit.to_str().unwrap()],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    let doc = std::fs::read_to_string(repo().join(DOC)).unwrap();
    let lines: Vec<&str> = doc.lines().collect();
    let annotated: Vec<(usize, &str)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::error file=tests/fixtures/formats.md,line="))
        .map(|l| {
            let n: usize = l[..l.find(',').unwrap()].parse().unwrap();
            (n, lines[n - 1])
        })
        .collect();
    assert_eq!(
        annotated,
        [
            (18, "// Output: [1 4 3] <&> \"quoted\" 100%"),
            (26, "// Panic: close of nil channel")
        ]
    );
    insta::assert_snapshot!("github", redact_more(&out, tmp.path()));
    let md = std::fs::read_to_string(&summary).unwrap();
    insta::assert_snapshot!("github_summary", redact_more(&md, tmp.path()));
    // --junit wrote the JUnit report beside the GitHub one.
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!((report.tests, report.failures), (4, 2));
}

/// A program's output (and a document's title) can hold terminal escape sequences: a window
/// title, a clear screen, a clipboard write (OSC 52). The report shows them as text, in every
/// format a terminal or a CI log renders, and the failure is still reported where it is.
#[test]
fn escape_sequences_from_a_program_reach_no_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = "# Doc\n\n## Title \u{1b}]0;owned\u{7}\n\n```go\nfmt.Print(\"\\x1b]0;title\\x07\\x1b[2J\\x1b]52;c;aGk=\\x07\\rover\\n\")\nos.Stderr.WriteString(\"\\x1b[31m\")\n// Output: nothing\n```\n";
    super::support::write(&tmp.path().join("doc.md"), doc);
    for format in ["human", "github"] {
        let run = snipcheck(
            tmp.path(),
            &["verify", "doc.md", "--expected", "exp", "--format", format],
            &[("GITHUB_STEP_SUMMARY", "")],
        );
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(
            !run.stdout.contains(['\u{1b}', '\u{7}', '\r']),
            "{format}: {:?}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains("\\u{1b}]0;title\\u{7}\\u{1b}[2J\\u{1b}]52;c;aGk=\\u{7}\\u{d}over"),
            "{format}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("doc.md:8"), "{format}: {}", run.stdout);
    }
}
