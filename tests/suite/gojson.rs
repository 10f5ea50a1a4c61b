//! `--format go-json` (and `-json`, as Go users type it): the stream `go test -json` writes, read
//! back as its consumers read it: every line a test2json event, each document a package that
//! starts before its tests and ends after them, each snippet a test that runs, prints and ends in
//! exactly one terminal action. `ci/gotestsum-check` runs gotestsum itself on the stream.

use std::collections::BTreeMap;

use serde_json::Value;

use super::support::{repo, snipcheck, write};

const DOC: &str = "tests/fixtures/formats.md";

/// The events, each checked to carry what test2json always sets.
fn events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let time = v["Time"].as_str().unwrap_or_else(|| panic!("no Time: {l}"));
            chrono::DateTime::parse_from_rfc3339(time).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert!(v["Package"].is_string(), "no Package: {l}");
            let action = v["Action"].as_str().unwrap_or_else(|| panic!("{l}"));
            assert!(
                ["start", "run", "output", "pass", "fail", "skip"].contains(&action),
                "{l}"
            );
            if action == "output" {
                assert!(v["Output"].as_str().unwrap().ends_with('\n'), "{l}");
            }
            if ["pass", "fail", "skip"].contains(&action) {
                assert!(v["Elapsed"].is_f64() || v["Elapsed"].is_u64(), "{l}");
            }
            v
        })
        .collect()
}

fn field<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or("")
}

/// Checks the order test2json keeps, per package and per test; returns each test's terminal
/// action and each package's.
fn check_order(events: &[Value]) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut packages: BTreeMap<String, String> = BTreeMap::new();
    let mut tests: BTreeMap<String, String> = BTreeMap::new();
    let mut running: BTreeMap<String, bool> = BTreeMap::new();
    for e in events {
        let (action, package, test) = (field(e, "Action"), field(e, "Package"), field(e, "Test"));
        if test.is_empty() {
            match action {
                "start" => assert!(
                    packages.insert(package.into(), "started".into()).is_none(),
                    "{package} started twice"
                ),
                "output" => assert_eq!(packages.get(package).map(String::as_str), Some("started")),
                _ => {
                    assert_eq!(
                        packages.insert(package.into(), action.into()).as_deref(),
                        Some("started"),
                        "{package} ended twice or before it started"
                    );
                    assert!(
                        !running
                            .iter()
                            .any(|(k, r)| *r && k.starts_with(&format!("{package}\t"))),
                        "{package} ended before its tests"
                    );
                }
            }
            continue;
        }
        assert_eq!(
            packages.get(package).map(String::as_str),
            Some("started"),
            "{test} outside a running package"
        );
        let key = format!("{package}\t{test}");
        match action {
            "run" => assert!(
                running.insert(key.clone(), true).is_none(),
                "{key} ran twice"
            ),
            "output" => assert_eq!(running.get(&key), Some(&true), "{key}: output outside run"),
            _ => {
                assert_eq!(
                    running.insert(key.clone(), false),
                    Some(true),
                    "{key} ended twice"
                );
                tests.insert(key, action.into());
            }
        }
    }
    assert!(
        running.values().all(|r| !r),
        "a test without a terminal action"
    );
    assert!(
        packages.values().all(|p| p != "started"),
        "a package without a terminal action"
    );
    (tests, packages)
}

#[test]
fn go_json_is_a_go_test_json_stream_one_package_per_document() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let exp = exp.to_str().unwrap();
    let run = snipcheck(
        &repo(),
        &["verify", DOC, "--expected", exp, "--format", "go-json"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let events = events(&run.stdout);
    assert_eq!(field(&events[0], "Action"), "start");
    let (tests, packages) = check_order(&events);
    let want: BTreeMap<String, String> = [
        ("holds", "pass"),
        ("wrong-output", "fail"),
        ("wrong-panic", "fail"),
        ("shown-only", "skip"),
    ]
    .iter()
    .map(|(t, a)| (format!("{DOC}\t{t}"), a.to_string()))
    .collect();
    assert_eq!(tests, want);
    assert_eq!(packages, BTreeMap::from([(DOC.into(), "fail".into())]));
    // A failing test says where and why, as `t.Errorf` lines; the package ends as Go's does.
    let output: String = events
        .iter()
        .filter(|e| field(e, "Test") == "wrong-output" && field(e, "Action") == "output")
        .map(|e| field(e, "Output"))
        .collect();
    assert!(output.starts_with("=== RUN   wrong-output\n"), "{output}");
    assert!(
        output.contains(&format!("    {DOC}:18: `// Output:` does not hold\n")),
        "{output}"
    );
    assert!(output.contains("--- FAIL: wrong-output ("), "{output}");
    let last = events.last().unwrap();
    assert_eq!(field(last, "Action"), "fail");
    assert!(run.stdout.contains(&format!(r#""Output":"FAIL\t{DOC}\t"#)));

    // `-json`, as `go test -json` is typed, is the same stream.
    let dash = snipcheck(&repo(), &["verify", DOC, "--expected", exp, "-json"], &[]);
    assert_eq!(dash.code, 1, "{}{}", dash.stdout, dash.stderr);
    let strip = |events: &[Value]| -> Vec<(String, String)> {
        events
            .iter()
            .map(|e| (field(e, "Action").into(), field(e, "Test").into()))
            .collect()
    };
    assert_eq!(strip(&super::gojson::events(&dash.stdout)), strip(&events));
}

#[test]
fn each_document_is_a_package_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("docs/a.md"),
        "# A\n\n## One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n",
    );
    write(
        &dir.path().join("docs/b.md"),
        "# B\n\n## Two\n\n```go\nfmt.Println(2)\n// Output: 2\n```\n",
    );
    let run = snipcheck(dir.path(), &["verify", "docs", "-json"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (tests, packages) = check_order(&events(&run.stdout));
    assert_eq!(
        tests,
        BTreeMap::from([
            ("docs/a.md\tone".to_string(), "pass".to_string()),
            ("docs/b.md\ttwo".to_string(), "pass".to_string()),
        ])
    );
    assert_eq!(
        packages,
        BTreeMap::from([
            ("docs/a.md".to_string(), "pass".to_string()),
            ("docs/b.md".to_string(), "pass".to_string()),
        ])
    );
}
