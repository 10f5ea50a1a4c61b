//! Reading `go test -json` (test2json) output: which tests passed, failed or were skipped, the
//! package's verdict, the plain text go test would have printed, coverage and build failure.
//!
//! The stream is read leniently because what reaches us is rarely pure JSON: callers merge stderr
//! (where Go before 1.24 prints build errors as plain text), and Go 1.22 reports a package that
//! fails to load with a plain `FAIL\tpkg [setup failed]` line and no JSON at all. Anything that is
//! not an event is kept as output text, so nothing the user should see is lost and no input is an
//! error.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Pass,
    Fail,
    Skip,
}

impl TestStatus {
    /// Which of two verdicts for the same test or package is kept: a failure anywhere (a second
    /// `-count` run, another package) must not be hidden by a later pass, and a pass says more
    /// than a skip.
    fn severity(self) -> u8 {
        match self {
            TestStatus::Skip => 0,
            TestStatus::Pass => 1,
            TestStatus::Fail => 2,
        }
    }

    fn merge(old: Option<TestStatus>, new: TestStatus) -> TestStatus {
        match old {
            Some(old) if old.severity() >= new.severity() => old,
            _ => new,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// By test name, subtests included (`TestA/sub`, with go's spaces-to-underscores naming);
    /// examples too. Only tests that reached a verdict: a benchmark that ran without logging
    /// gets a `run` event and nothing else, so it does not appear.
    pub tests: BTreeMap<String, TestStatus>,
    /// The package-level pass/fail/skip event (one without a Test field). None when no such event
    /// came, e.g. Go 1.22's plain-text setup failures.
    pub package_status: Option<TestStatus>,
    /// All Output text and all non-JSON lines, in order: what go test would have printed without
    /// -json. Build output of Go >= 1.24 is included too, so this reads the same whichever Go
    /// produced it (given stderr merged in for older Go).
    pub output: String,
    /// From an output line `coverage: 75.0% of statements` (the last one if several);
    /// `coverage: [no statements]` gives None.
    pub coverage: Option<f64>,
    /// A FailedBuild field, a build-fail action, or a `FAIL\tpkg [build failed]` /
    /// `[setup failed]` summary line, which is the only sign older Go gives in the JSON stream.
    pub build_failed: bool,
    /// The Output of build-output events concatenated (Go >= 1.24; empty before).
    pub build_output: String,
}

/// One test2json event; the fields we do not use (Time, Package, Elapsed, ImportPath) are ignored.
/// Action is required so that an unrelated JSON object printed on stderr stays text.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    action: String,
    #[serde(default)]
    test: Option<String>,
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    failed_build: Option<String>,
}

pub fn parse(json_lines: &str) -> Report {
    let mut report = Report::default();
    for line in json_lines.split_inclusive('\n') {
        match parse_event(line) {
            Some(event) => apply(&mut report, event),
            None => report.output.push_str(line),
        }
    }
    // Read from the joined text, not per event: test2json may split one long line across
    // several Output events.
    for line in report.output.lines() {
        if let Some(coverage) = coverage_line(line) {
            report.coverage = coverage;
        }
        if is_build_failure_summary(line) {
            report.build_failed = true;
        }
    }
    report
}

fn parse_event(line: &str) -> Option<Event> {
    let line = line.trim_end_matches(['\n', '\r']);
    if !line.starts_with('{') {
        return None;
    }
    serde_json::from_str(line).ok()
}

fn apply(report: &mut Report, event: Event) {
    if let Some(output) = &event.output {
        report.output.push_str(output);
        if event.action == "build-output" {
            report.build_output.push_str(output);
        }
    }
    if event.failed_build.as_deref().is_some_and(|s| !s.is_empty()) || event.action == "build-fail"
    {
        report.build_failed = true;
    }
    let status = match event.action.as_str() {
        "pass" => TestStatus::Pass,
        "fail" => TestStatus::Fail,
        "skip" => TestStatus::Skip,
        // "--- BENCH:": a benchmark that logged and did not fail.
        "bench" => TestStatus::Pass,
        _ => return,
    };
    match event.test.filter(|t| !t.is_empty()) {
        Some(test) => {
            let old = report.tests.get(&test).copied();
            report.tests.insert(test, TestStatus::merge(old, status));
        }
        None => report.package_status = Some(TestStatus::merge(report.package_status, status)),
    }
}

/// `Some(Some(pct))` or `Some(None)` for a coverage line, None for any other line. The line is
/// either the test binary's own (`coverage: ...` at the start) or go test's summary (after a
/// tab); requiring one of those keeps a test's logged text (indented, after `file.go:N: `) from
/// counting.
fn coverage_line(line: &str) -> Option<Option<f64>> {
    let start = if line.starts_with("coverage: ") {
        0
    } else {
        line.find("\tcoverage: ")? + 1
    };
    let rest = &line[start + "coverage: ".len()..];
    if rest.starts_with("[no statements]") {
        return Some(None);
    }
    // `-coverpkg` appends " in ./..." after "of statements".
    let (number, after) = rest.split_once('%')?;
    if !after.starts_with(" of statements") {
        return None;
    }
    number.parse().ok().map(Some)
}

/// `FAIL\tpkg [build failed]` (or `[setup failed]`): go test's closing line for a package
/// that did not build.
pub(crate) fn is_build_failure_summary(line: &str) -> bool {
    line.starts_with("FAIL\t")
        && (line.ends_with(" [build failed]") || line.ends_with(" [setup failed]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestStatus::{Fail, Pass, Skip};

    fn tests_of(report: &Report) -> Vec<(&str, TestStatus)> {
        report
            .tests
            .iter()
            .map(|(name, status)| (name.as_str(), *status))
            .collect()
    }

    // Captures below are real `go test -json` output (go1.26.8 unless said otherwise, with
    // GOTOOLCHAIN=local GOFLAGS=), trimmed to the lines that matter.

    /// Passing tests with table subtests; "two words" is renamed by go to "two_words".
    const PASS: &str = r##"{"Time":"2026-11-28T10:19:44.670829684Z","Action":"start","Package":"example.com/gtj/pass"}
{"Time":"2026-11-28T10:19:44.674927578Z","Action":"run","Package":"example.com/gtj/pass","Test":"TestAdd"}
{"Time":"2026-11-28T10:19:44.674952813Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestAdd","Output":"=== RUN   TestAdd\n"}
{"Time":"2026-11-28T10:19:44.674988086Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestAdd","Output":"--- PASS: TestAdd (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.674990973Z","Action":"pass","Package":"example.com/gtj/pass","Test":"TestAdd","Elapsed":0}
{"Time":"2026-11-28T10:19:44.674995641Z","Action":"run","Package":"example.com/gtj/pass","Test":"TestTable"}
{"Time":"2026-11-28T10:19:44.674997904Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable","Output":"=== RUN   TestTable\n"}
{"Time":"2026-11-28T10:19:44.675001975Z","Action":"run","Package":"example.com/gtj/pass","Test":"TestTable/one"}
{"Time":"2026-11-28T10:19:44.675005081Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/one","Output":"=== RUN   TestTable/one\n"}
{"Time":"2026-11-28T10:19:44.675010996Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/one","Output":"    pass_test.go:13: ran one\n"}
{"Time":"2026-11-28T10:19:44.675015133Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/one","Output":"--- PASS: TestTable/one (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.675018317Z","Action":"pass","Package":"example.com/gtj/pass","Test":"TestTable/one","Elapsed":0}
{"Time":"2026-11-28T10:19:44.675020338Z","Action":"run","Package":"example.com/gtj/pass","Test":"TestTable/two_words"}
{"Time":"2026-11-28T10:19:44.675022223Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/two_words","Output":"=== RUN   TestTable/two_words\n"}
{"Time":"2026-11-28T10:19:44.675028807Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/two_words","Output":"    pass_test.go:13: ran two words\n"}
{"Time":"2026-11-28T10:19:44.675031044Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable/two_words","Output":"--- PASS: TestTable/two_words (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.675032938Z","Action":"pass","Package":"example.com/gtj/pass","Test":"TestTable/two_words","Elapsed":0}
{"Time":"2026-11-28T10:19:44.675035552Z","Action":"output","Package":"example.com/gtj/pass","Test":"TestTable","Output":"--- PASS: TestTable (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.675040552Z","Action":"pass","Package":"example.com/gtj/pass","Test":"TestTable","Elapsed":0}
{"Time":"2026-11-28T10:19:44.675042176Z","Action":"output","Package":"example.com/gtj/pass","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:44.675338625Z","Action":"output","Package":"example.com/gtj/pass","Output":"ok  \texample.com/gtj/pass\t0.003s\n"}
{"Time":"2026-11-28T10:19:44.675749408Z","Action":"pass","Package":"example.com/gtj/pass","Elapsed":0.005}
"##;

    /// A failing test that prints quotes and tabs, and subtests that pass, fail and skip.
    const FAIL: &str = r##"{"Time":"2026-11-28T10:19:44.95460548Z","Action":"start","Package":"example.com/gtj/fail"}
{"Time":"2026-11-28T10:19:44.958079183Z","Action":"run","Package":"example.com/gtj/fail","Test":"TestBad"}
{"Time":"2026-11-28T10:19:44.958081003Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Time":"2026-11-28T10:19:44.958084902Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestBad","Output":"printed with no newline at end of \"quote\"\ttab\n"}
{"Time":"2026-11-28T10:19:44.958087805Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestBad","Output":"    fail_test.go:12: got 1, want 2\n"}
{"Time":"2026-11-28T10:19:44.958089958Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.958091733Z","Action":"fail","Package":"example.com/gtj/fail","Test":"TestBad","Elapsed":0}
{"Time":"2026-11-28T10:19:44.958093343Z","Action":"run","Package":"example.com/gtj/fail","Test":"TestSubs"}
{"Time":"2026-11-28T10:19:44.958094912Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestSubs","Output":"=== RUN   TestSubs\n"}
{"Time":"2026-11-28T10:19:44.958101151Z","Action":"run","Package":"example.com/gtj/fail","Test":"TestSubs/good"}
{"Time":"2026-11-28T10:19:44.958108449Z","Action":"pass","Package":"example.com/gtj/fail","Test":"TestSubs/good","Elapsed":0}
{"Time":"2026-11-28T10:19:44.958109936Z","Action":"run","Package":"example.com/gtj/fail","Test":"TestSubs/bad"}
{"Time":"2026-11-28T10:19:44.958112836Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestSubs/bad","Output":"    fail_test.go:17: sub failed\n"}
{"Time":"2026-11-28T10:19:44.958116317Z","Action":"fail","Package":"example.com/gtj/fail","Test":"TestSubs/bad","Elapsed":0}
{"Time":"2026-11-28T10:19:44.95811778Z","Action":"run","Package":"example.com/gtj/fail","Test":"TestSubs/skipped"}
{"Time":"2026-11-28T10:19:44.958120615Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestSubs/skipped","Output":"    fail_test.go:18: not today\n"}
{"Time":"2026-11-28T10:19:44.958122567Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestSubs/skipped","Output":"--- SKIP: TestSubs/skipped (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.958124209Z","Action":"skip","Package":"example.com/gtj/fail","Test":"TestSubs/skipped","Elapsed":0}
{"Time":"2026-11-28T10:19:44.958126948Z","Action":"output","Package":"example.com/gtj/fail","Test":"TestSubs","Output":"--- FAIL: TestSubs (0.00s)\n"}
{"Time":"2026-11-28T10:19:44.958128378Z","Action":"fail","Package":"example.com/gtj/fail","Test":"TestSubs","Elapsed":0}
{"Time":"2026-11-28T10:19:44.958131513Z","Action":"output","Package":"example.com/gtj/fail","Output":"FAIL\n"}
{"Time":"2026-11-28T10:19:44.958477271Z","Action":"output","Package":"example.com/gtj/fail","Output":"FAIL\texample.com/gtj/fail\t0.003s\n"}
{"Time":"2026-11-28T10:19:44.958505773Z","Action":"fail","Package":"example.com/gtj/fail","Elapsed":0.004}
"##;

    /// Every test skipped: the package still passes.
    const SKIP: &str = r##"{"Time":"2026-11-28T10:19:45.203695278Z","Action":"start","Package":"example.com/gtj/skip"}
{"Time":"2026-11-28T10:19:45.206683272Z","Action":"run","Package":"example.com/gtj/skip","Test":"TestSkipped"}
{"Time":"2026-11-28T10:19:45.206769736Z","Action":"output","Package":"example.com/gtj/skip","Test":"TestSkipped","Output":"    skip_test.go:5: always skipped\n"}
{"Time":"2026-11-28T10:19:45.206776144Z","Action":"output","Package":"example.com/gtj/skip","Test":"TestSkipped","Output":"--- SKIP: TestSkipped (0.00s)\n"}
{"Time":"2026-11-28T10:19:45.206780255Z","Action":"skip","Package":"example.com/gtj/skip","Test":"TestSkipped","Elapsed":0}
{"Time":"2026-11-28T10:19:45.206783389Z","Action":"output","Package":"example.com/gtj/skip","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:45.207134785Z","Action":"output","Package":"example.com/gtj/skip","Output":"ok  \texample.com/gtj/skip\t0.003s\n"}
{"Time":"2026-11-28T10:19:45.207842885Z","Action":"pass","Package":"example.com/gtj/skip","Elapsed":0.004}
"##;

    /// `-short` with a test that skips itself in short mode.
    const SHORT: &str = r##"{"Time":"2026-11-28T10:19:46.739822207Z","Action":"start","Package":"example.com/gtj/short"}
{"Time":"2026-11-28T10:19:46.744499812Z","Action":"run","Package":"example.com/gtj/short","Test":"TestLong"}
{"Time":"2026-11-28T10:19:46.744587412Z","Action":"output","Package":"example.com/gtj/short","Test":"TestLong","Output":"=== RUN   TestLong\n"}
{"Time":"2026-11-28T10:19:46.74468659Z","Action":"output","Package":"example.com/gtj/short","Test":"TestLong","Output":"    s_test.go:7: skipping in -short mode\n"}
{"Time":"2026-11-28T10:19:46.744693085Z","Action":"output","Package":"example.com/gtj/short","Test":"TestLong","Output":"--- SKIP: TestLong (0.00s)\n"}
{"Time":"2026-11-28T10:19:46.744697132Z","Action":"skip","Package":"example.com/gtj/short","Test":"TestLong","Elapsed":0}
{"Time":"2026-11-28T10:19:46.744701418Z","Action":"output","Package":"example.com/gtj/short","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:46.744775518Z","Action":"output","Package":"example.com/gtj/short","Output":"ok  \texample.com/gtj/short\t0.004s\n"}
{"Time":"2026-11-28T10:19:46.745419873Z","Action":"pass","Package":"example.com/gtj/short","Elapsed":0.006}
"##;

    /// An example whose `// Output:` matches and one whose does not.
    const EXAMPLES: &str = r##"{"Time":"2026-11-28T10:19:45.465888559Z","Action":"start","Package":"example.com/gtj/example"}
{"Time":"2026-11-28T10:19:45.469014549Z","Action":"run","Package":"example.com/gtj/example","Test":"ExampleHello"}
{"Time":"2026-11-28T10:19:45.469202752Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello","Output":"=== RUN   ExampleHello\n"}
{"Time":"2026-11-28T10:19:45.469241684Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello","Output":"--- PASS: ExampleHello (0.00s)\n"}
{"Time":"2026-11-28T10:19:45.469244909Z","Action":"pass","Package":"example.com/gtj/example","Test":"ExampleHello","Elapsed":0}
{"Time":"2026-11-28T10:19:45.469248452Z","Action":"run","Package":"example.com/gtj/example","Test":"ExampleHello_wrong"}
{"Time":"2026-11-28T10:19:45.469249872Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"=== RUN   ExampleHello_wrong\n"}
{"Time":"2026-11-28T10:19:45.46925188Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"--- FAIL: ExampleHello_wrong (0.00s)\n"}
{"Time":"2026-11-28T10:19:45.469253252Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"got:\n"}
{"Time":"2026-11-28T10:19:45.469256059Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"hello\n"}
{"Time":"2026-11-28T10:19:45.469257249Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"want:\n"}
{"Time":"2026-11-28T10:19:45.469258437Z","Action":"output","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Output":"goodbye\n"}
{"Time":"2026-11-28T10:19:45.46926194Z","Action":"fail","Package":"example.com/gtj/example","Test":"ExampleHello_wrong","Elapsed":0}
{"Time":"2026-11-28T10:19:45.469263287Z","Action":"output","Package":"example.com/gtj/example","Output":"FAIL\n"}
{"Time":"2026-11-28T10:19:45.469769221Z","Action":"output","Package":"example.com/gtj/example","Output":"FAIL\texample.com/gtj/example\t0.003s\n"}
{"Time":"2026-11-28T10:19:45.469782396Z","Action":"fail","Package":"example.com/gtj/example","Elapsed":0.004}
"##;

    /// Go >= 1.24 build failure: build-output and build-fail events (with ImportPath, no Time)
    /// come before the package's start.
    const BUILD_FAIL: &str = r##"{"ImportPath":"example.com/gtj/buildfail [example.com/gtj/buildfail.test]","Action":"build-output","Output":"# example.com/gtj/buildfail [example.com/gtj/buildfail.test]\n"}
{"ImportPath":"example.com/gtj/buildfail [example.com/gtj/buildfail.test]","Action":"build-output","Output":"buildfail/bf.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\n"}
{"ImportPath":"example.com/gtj/buildfail [example.com/gtj/buildfail.test]","Action":"build-fail"}
{"Time":"2026-11-28T10:19:45.57168446Z","Action":"start","Package":"example.com/gtj/buildfail"}
{"Time":"2026-11-28T10:19:45.571746404Z","Action":"output","Package":"example.com/gtj/buildfail","Output":"FAIL\texample.com/gtj/buildfail [build failed]\n"}
{"Time":"2026-11-28T10:19:45.571751454Z","Action":"fail","Package":"example.com/gtj/buildfail","Elapsed":0,"FailedBuild":"example.com/gtj/buildfail [example.com/gtj/buildfail.test]"}
"##;

    const BUILD_ERRORS: &str = "# example.com/gtj/buildfail [example.com/gtj/buildfail.test]\n\
        buildfail/bf.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\n";

    /// The same failure from go1.22.12 with stderr merged (`2>&1`): the compiler's errors are
    /// plain lines, the JSON has no FailedBuild, and only the summary line tells it was a build.
    const BUILD_FAIL_GO122: &str = r##"# example.com/gtj/buildfail [example.com/gtj/buildfail.test]
buildfail/bf.go:3:23: cannot use "x" (untyped string constant) as int value in return statement
{"Time":"2026-11-28T10:20:09.495099022Z","Action":"start","Package":"example.com/gtj/buildfail"}
{"Time":"2026-11-28T10:20:09.495323723Z","Action":"output","Package":"example.com/gtj/buildfail","Output":"FAIL\texample.com/gtj/buildfail [build failed]\n"}
{"Time":"2026-11-28T10:20:09.495334006Z","Action":"fail","Package":"example.com/gtj/buildfail","Elapsed":0}
"##;

    /// Go >= 1.24, a missing import: FailedBuild names the missing package, not the one tested.
    const SETUP_FAIL: &str = r##"{"ImportPath":"example.com/nope/missing","Action":"build-output","Output":"# example.com/gtj/setupfail\n"}
{"ImportPath":"example.com/nope/missing","Action":"build-output","Output":"setupfail/s_test.go:6:2: no required module provides package example.com/nope/missing; to add it:\n"}
{"ImportPath":"example.com/nope/missing","Action":"build-output","Output":"\tgo get example.com/nope/missing\n"}
{"ImportPath":"example.com/nope/missing","Action":"build-fail"}
{"Time":"2026-11-28T10:21:51.008753181Z","Action":"start","Package":"example.com/gtj/setupfail"}
{"Time":"2026-11-28T10:21:51.00878811Z","Action":"output","Package":"example.com/gtj/setupfail","Output":"FAIL\texample.com/gtj/setupfail [setup failed]\n"}
{"Time":"2026-11-28T10:21:51.008853195Z","Action":"fail","Package":"example.com/gtj/setupfail","Elapsed":0,"FailedBuild":"example.com/nope/missing"}
"##;

    /// The same from go1.22.12 (stdout then stderr): not a single JSON line.
    const SETUP_FAIL_GO122: &str = "FAIL\texample.com/gtj/setupfail [setup failed]\n\
        # example.com/gtj/setupfail\n\
        setupfail/s_test.go:6:2: no required module provides package example.com/nope/missing; to add it:\n\
        \tgo get example.com/nope/missing\n";

    /// A vet failure during go test is reported as a build failure.
    const VET_FAIL: &str = r##"{"ImportPath":"example.com/gtj/vetfail [example.com/gtj/vetfail.test]","Action":"build-output","Output":"# example.com/gtj/vetfail\n"}
{"ImportPath":"example.com/gtj/vetfail [example.com/gtj/vetfail.test]","Action":"build-output","Output":"# [example.com/gtj/vetfail]\n"}
{"ImportPath":"example.com/gtj/vetfail [example.com/gtj/vetfail.test]","Action":"build-output","Output":"vetfail/v_test.go:8:40: fmt.Printf format %d has arg \"str\" of wrong type string\n"}
{"ImportPath":"example.com/gtj/vetfail [example.com/gtj/vetfail.test]","Action":"build-fail"}
{"Time":"2026-11-28T10:19:57.40070097Z","Action":"start","Package":"example.com/gtj/vetfail"}
{"Time":"2026-11-28T10:19:57.400806916Z","Action":"output","Package":"example.com/gtj/vetfail","Output":"FAIL\texample.com/gtj/vetfail [build failed]\n"}
{"Time":"2026-11-28T10:19:57.400815998Z","Action":"fail","Package":"example.com/gtj/vetfail","Elapsed":0,"FailedBuild":"example.com/gtj/vetfail [example.com/gtj/vetfail.test]"}
"##;

    /// `-cover`: the percentage comes twice, alone and in the summary line.
    const COVER: &str = r##"{"Time":"2026-11-28T10:19:46.240214559Z","Action":"start","Package":"example.com/gtj/cover"}
{"Time":"2026-11-28T10:19:46.243812831Z","Action":"pass","Package":"example.com/gtj/cover","Test":"TestAbs","Elapsed":0}
{"Time":"2026-11-28T10:19:46.243819453Z","Action":"output","Package":"example.com/gtj/cover","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:46.244315438Z","Action":"output","Package":"example.com/gtj/cover","Output":"coverage: 50.0% of statements\n"}
{"Time":"2026-11-28T10:19:46.244798159Z","Action":"output","Package":"example.com/gtj/cover","Output":"ok  \texample.com/gtj/cover\t0.004s\tcoverage: 50.0% of statements\n"}
{"Time":"2026-11-28T10:19:46.245169986Z","Action":"pass","Package":"example.com/gtj/cover","Elapsed":0.005}
"##;

    /// `-cover` on a package without statements.
    const COVER_NO_STATEMENTS: &str = r##"{"Time":"2026-11-28T10:19:46.507094419Z","Action":"pass","Package":"example.com/gtj/nostmt","Test":"TestNothing","Elapsed":0}
{"Time":"2026-11-28T10:19:46.507098431Z","Action":"output","Package":"example.com/gtj/nostmt","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:46.50733893Z","Action":"output","Package":"example.com/gtj/nostmt","Output":"coverage: [no statements]\n"}
{"Time":"2026-11-28T10:19:46.507771537Z","Action":"output","Package":"example.com/gtj/nostmt","Output":"ok  \texample.com/gtj/nostmt\t0.003s\tcoverage: [no statements]\n"}
{"Time":"2026-11-28T10:19:46.508421898Z","Action":"pass","Package":"example.com/gtj/nostmt","Elapsed":0.005}
"##;

    /// `-coverpkg=./...` adds " in ./..." to the coverage lines.
    const COVERPKG: &str = r##"{"Time":"2026-11-28T10:20:38.735777405Z","Action":"output","Package":"example.com/gtj/cover","Output":"coverage: 50.0% of statements in ./...\n"}
{"Time":"2026-11-28T10:20:38.736262449Z","Action":"output","Package":"example.com/gtj/cover","Output":"ok  \texample.com/gtj/cover\t0.005s\tcoverage: 50.0% of statements in ./...\n"}
{"Time":"2026-11-28T10:20:38.736786784Z","Action":"pass","Package":"example.com/gtj/cover","Elapsed":0.007}
"##;

    /// A package whose only test file has `//go:build integration`, run without the tag.
    const INTEGRATION_UNTAGGED: &str = r##"{"Time":"2026-11-28T10:19:46.784855811Z","Action":"start","Package":"example.com/gtj/integ"}
{"Time":"2026-11-28T10:19:46.78490115Z","Action":"output","Package":"example.com/gtj/integ","Output":"?   \texample.com/gtj/integ\t[no test files]\n"}
{"Time":"2026-11-28T10:19:46.784908963Z","Action":"skip","Package":"example.com/gtj/integ","Elapsed":0}
"##;

    /// The same with `-tags=integration`.
    const INTEGRATION_TAGGED: &str = r##"{"Time":"2026-11-28T10:19:46.99814705Z","Action":"start","Package":"example.com/gtj/integ"}
{"Time":"2026-11-28T10:19:47.001385093Z","Action":"run","Package":"example.com/gtj/integ","Test":"TestIntegration"}
{"Time":"2026-11-28T10:19:47.001412991Z","Action":"output","Package":"example.com/gtj/integ","Test":"TestIntegration","Output":"=== RUN   TestIntegration\n"}
{"Time":"2026-11-28T10:19:47.00147807Z","Action":"output","Package":"example.com/gtj/integ","Test":"TestIntegration","Output":"--- PASS: TestIntegration (0.00s)\n"}
{"Time":"2026-11-28T10:19:47.001486035Z","Action":"pass","Package":"example.com/gtj/integ","Test":"TestIntegration","Elapsed":0}
{"Time":"2026-11-28T10:19:47.001491372Z","Action":"output","Package":"example.com/gtj/integ","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:47.001773602Z","Action":"output","Package":"example.com/gtj/integ","Output":"ok  \texample.com/gtj/integ\t0.003s\n"}
{"Time":"2026-11-28T10:19:47.002138305Z","Action":"pass","Package":"example.com/gtj/integ","Elapsed":0.004}
"##;

    /// Parallel tests: pause and cont events carry no verdict.
    const PARALLEL: &str = r##"{"Time":"2026-11-28T10:19:56.518256505Z","Action":"run","Package":"example.com/gtj/par","Test":"TestP2"}
{"Time":"2026-11-28T10:19:56.518259855Z","Action":"output","Package":"example.com/gtj/par","Test":"TestP2","Output":"=== PAUSE TestP2\n"}
{"Time":"2026-11-28T10:19:56.518261073Z","Action":"pause","Package":"example.com/gtj/par","Test":"TestP2"}
{"Time":"2026-11-28T10:19:56.518278544Z","Action":"cont","Package":"example.com/gtj/par","Test":"TestP2"}
{"Time":"2026-11-28T10:19:56.518279899Z","Action":"output","Package":"example.com/gtj/par","Test":"TestP2","Output":"=== CONT  TestP2\n"}
{"Time":"2026-11-28T10:19:56.51828315Z","Action":"pass","Package":"example.com/gtj/par","Test":"TestP2","Elapsed":0}
{"Time":"2026-11-28T10:19:56.518904643Z","Action":"pass","Package":"example.com/gtj/par","Elapsed":0.007}
"##;

    /// `-run '^$' -bench . -benchtime 1x`: the benchmark gets a run event and no verdict.
    const BENCH: &str = r##"{"Time":"2026-11-28T10:19:57.057215339Z","Action":"output","Package":"example.com/gtj/bench","Output":"cpu: Intel(R) Xeon(R) Processor\n"}
{"Time":"2026-11-28T10:19:57.057244249Z","Action":"run","Package":"example.com/gtj/bench","Test":"BenchmarkNop"}
{"Time":"2026-11-28T10:19:57.057250394Z","Action":"output","Package":"example.com/gtj/bench","Test":"BenchmarkNop","Output":"=== RUN   BenchmarkNop\n"}
{"Time":"2026-11-28T10:19:57.057262656Z","Action":"output","Package":"example.com/gtj/bench","Test":"BenchmarkNop","Output":"BenchmarkNop\n"}
{"Time":"2026-11-28T10:19:57.061149468Z","Action":"output","Package":"example.com/gtj/bench","Test":"BenchmarkNop","Output":"BenchmarkNop-2   \t       1\t       504.0 ns/op\n"}
{"Time":"2026-11-28T10:19:57.061236495Z","Action":"output","Package":"example.com/gtj/bench","Output":"PASS\n"}
{"Time":"2026-11-28T10:19:57.061654875Z","Action":"pass","Package":"example.com/gtj/bench","Elapsed":0.013}
"##;

    /// `-count=2`: the same test reported twice.
    const COUNT2: &str = r##"{"Time":"2026-11-28T10:20:40.021529428Z","Action":"skip","Package":"example.com/gtj/skip","Test":"TestSkipped","Elapsed":0}
{"Time":"2026-11-28T10:20:40.021600046Z","Action":"skip","Package":"example.com/gtj/skip","Test":"TestSkipped","Elapsed":0}
{"Time":"2026-11-28T10:20:40.021805875Z","Action":"pass","Package":"example.com/gtj/skip","Elapsed":0.003}
"##;

    #[test]
    fn passing_tests_and_subtests() {
        let report = parse(PASS);
        assert_eq!(
            tests_of(&report),
            [
                ("TestAdd", Pass),
                ("TestTable", Pass),
                ("TestTable/one", Pass),
                ("TestTable/two_words", Pass),
            ]
        );
        assert_eq!(report.package_status, Some(Pass));
        assert_eq!(
            report.output,
            "=== RUN   TestAdd\n--- PASS: TestAdd (0.00s)\n=== RUN   TestTable\n\
             === RUN   TestTable/one\n    pass_test.go:13: ran one\n--- PASS: TestTable/one (0.00s)\n\
             === RUN   TestTable/two_words\n    pass_test.go:13: ran two words\n\
             --- PASS: TestTable/two_words (0.00s)\n--- PASS: TestTable (0.00s)\nPASS\n\
             ok  \texample.com/gtj/pass\t0.003s\n"
        );
        assert_eq!(report.coverage, None);
        assert!(!report.build_failed);
        assert_eq!(report.build_output, "");
    }

    #[test]
    fn failing_tests_and_mixed_subtests() {
        let report = parse(FAIL);
        assert_eq!(
            tests_of(&report),
            [
                ("TestBad", Fail),
                ("TestSubs", Fail),
                ("TestSubs/bad", Fail),
                ("TestSubs/good", Pass),
                ("TestSubs/skipped", Skip),
            ]
        );
        assert_eq!(report.package_status, Some(Fail));
        assert!(report.output.contains(
            "printed with no newline at end of \"quote\"\ttab\n    fail_test.go:12: got 1, want 2\n"
        ));
        assert!(
            report
                .output
                .ends_with("FAIL\nFAIL\texample.com/gtj/fail\t0.003s\n")
        );
        assert!(!report.build_failed);
    }

    #[test]
    fn all_skipped_package_passes() {
        let report = parse(SKIP);
        assert_eq!(tests_of(&report), [("TestSkipped", Skip)]);
        assert_eq!(report.package_status, Some(Pass));
    }

    #[test]
    fn short_mode_skip() {
        let report = parse(SHORT);
        assert_eq!(tests_of(&report), [("TestLong", Skip)]);
        assert_eq!(report.package_status, Some(Pass));
        assert!(
            report
                .output
                .contains("skipping in -short mode\n--- SKIP: TestLong")
        );
    }

    #[test]
    fn examples_with_right_and_wrong_output() {
        let report = parse(EXAMPLES);
        assert_eq!(
            tests_of(&report),
            [("ExampleHello", Pass), ("ExampleHello_wrong", Fail)]
        );
        assert_eq!(report.package_status, Some(Fail));
        assert!(
            report
                .output
                .contains("--- FAIL: ExampleHello_wrong (0.00s)\ngot:\nhello\nwant:\ngoodbye\n")
        );
    }

    #[test]
    fn build_failure_go124_format() {
        let report = parse(BUILD_FAIL);
        assert!(report.build_failed);
        assert_eq!(report.build_output, BUILD_ERRORS);
        assert_eq!(report.package_status, Some(Fail));
        assert!(report.tests.is_empty());
        assert_eq!(
            report.output,
            format!("{BUILD_ERRORS}FAIL\texample.com/gtj/buildfail [build failed]\n")
        );
    }

    #[test]
    fn build_failure_go122_format_with_stderr_merged() {
        let report = parse(BUILD_FAIL_GO122);
        assert!(report.build_failed, "only the summary line says so");
        assert_eq!(report.build_output, "");
        assert_eq!(report.package_status, Some(Fail));
        // Same text as from the newer format: the plain lines stand where build-output would.
        assert_eq!(report.output, parse(BUILD_FAIL).output);
    }

    #[test]
    fn build_failed_from_the_field_or_action_alone() {
        let field = r#"{"Action":"fail","Package":"p","FailedBuild":"p [p.test]"}"#;
        assert!(parse(field).build_failed);
        let action = r#"{"ImportPath":"p","Action":"build-fail"}"#;
        let report = parse(action);
        assert!(report.build_failed);
        assert_eq!(report.package_status, None);
        assert!(!parse(r#"{"Action":"fail","Package":"p","FailedBuild":""}"#).build_failed);
    }

    #[test]
    fn setup_failure_go124_format() {
        let report = parse(SETUP_FAIL);
        assert!(report.build_failed);
        assert_eq!(report.package_status, Some(Fail));
        assert!(
            report
                .build_output
                .starts_with("# example.com/gtj/setupfail\n")
        );
        assert!(
            report
                .build_output
                .contains("no required module provides package")
        );
    }

    #[test]
    fn setup_failure_go122_has_no_json_at_all() {
        let report = parse(SETUP_FAIL_GO122);
        assert!(report.build_failed);
        assert_eq!(report.package_status, None);
        assert_eq!(report.output, SETUP_FAIL_GO122);
        assert_eq!(report.build_output, "");
    }

    #[test]
    fn vet_failure_is_a_build_failure() {
        let report = parse(VET_FAIL);
        assert!(report.build_failed);
        assert!(
            report
                .build_output
                .contains("# [example.com/gtj/vetfail]\n")
        );
        assert!(report.build_output.contains("wrong type string\n"));
    }

    #[test]
    fn coverage_percentages() {
        let report = parse(COVER);
        assert_eq!(report.coverage, Some(50.0));
        assert_eq!(tests_of(&report), [("TestAbs", Pass)]);
        assert_eq!(parse(COVERPKG).coverage, Some(50.0));
        assert_eq!(parse(COVER_NO_STATEMENTS).coverage, None);
        assert_eq!(parse(COVER_NO_STATEMENTS).package_status, Some(Pass));
    }

    #[test]
    fn coverage_line_forms() {
        assert_eq!(
            coverage_line("coverage: 75.0% of statements"),
            Some(Some(75.0))
        );
        assert_eq!(
            coverage_line("coverage: 100.0% of statements"),
            Some(Some(100.0))
        );
        assert_eq!(
            coverage_line("ok  \tm/p\t0.01s\tcoverage: 12.5% of statements"),
            Some(Some(12.5))
        );
        // Go 1.22's line for a package without test files under -cover.
        assert_eq!(
            coverage_line("\tm/p\t\tcoverage: 0.0% of statements"),
            Some(Some(0.0))
        );
        assert_eq!(coverage_line("coverage: [no statements]"), Some(None));
        assert_eq!(
            coverage_line("    x_test.go:3: coverage: 9% of statements"),
            None
        );
        assert_eq!(coverage_line("coverage: lots"), None);
        assert_eq!(coverage_line("coverage: 5% of lines"), None);
    }

    #[test]
    fn build_tags_decide_whether_there_are_tests() {
        let untagged = parse(INTEGRATION_UNTAGGED);
        assert_eq!(untagged.package_status, Some(Skip));
        assert!(untagged.tests.is_empty());
        assert_eq!(
            untagged.output,
            "?   \texample.com/gtj/integ\t[no test files]\n"
        );

        let tagged = parse(INTEGRATION_TAGGED);
        assert_eq!(tagged.package_status, Some(Pass));
        assert_eq!(tests_of(&tagged), [("TestIntegration", Pass)]);
    }

    #[test]
    fn pause_and_cont_are_not_verdicts() {
        let report = parse(PARALLEL);
        assert_eq!(tests_of(&report), [("TestP2", Pass)]);
        assert!(
            report
                .output
                .contains("=== PAUSE TestP2\n=== CONT  TestP2\n")
        );
    }

    #[test]
    fn benchmarks_without_a_verdict_are_not_listed() {
        let report = parse(BENCH);
        assert!(report.tests.is_empty());
        assert_eq!(report.package_status, Some(Pass));
        assert!(
            report
                .output
                .contains("BenchmarkNop-2   \t       1\t       504.0 ns/op\n")
        );
        // "--- BENCH:" (a benchmark that logged) is a pass.
        let bench = r#"{"Action":"bench","Package":"p","Test":"BenchmarkX"}"#;
        assert_eq!(tests_of(&parse(bench)), [("BenchmarkX", Pass)]);
    }

    #[test]
    fn repeated_verdicts_keep_the_worst() {
        assert_eq!(tests_of(&parse(COUNT2)), [("TestSkipped", Skip)]);
        let flaky = "{\"Action\":\"fail\",\"Test\":\"TestF\"}\n{\"Action\":\"pass\",\"Test\":\"TestF\"}\n\
                     {\"Action\":\"skip\",\"Test\":\"TestS\"}\n{\"Action\":\"pass\",\"Test\":\"TestS\"}\n";
        assert_eq!(tests_of(&parse(flaky)), [("TestF", Fail), ("TestS", Pass)]);
        // Two packages, one without test files, one failing.
        let packages = format!("{INTEGRATION_UNTAGGED}{FAIL}{INTEGRATION_TAGGED}");
        assert_eq!(parse(&packages).package_status, Some(Fail));
        let packages = format!("{INTEGRATION_UNTAGGED}{INTEGRATION_TAGGED}");
        assert_eq!(parse(&packages).package_status, Some(Pass));
    }

    #[test]
    fn non_json_lines_are_output_never_errors() {
        let input = "plain line\n\n{not json\n{\"Some\":\"object\"}\n[1,2]\n\
                     {\"Action\":\"output\",\"Output\":\"from json\\n\"}\nlast line without newline";
        let report = parse(input);
        assert_eq!(
            report.output,
            "plain line\n\n{not json\n{\"Some\":\"object\"}\n[1,2]\nfrom json\nlast line without newline"
        );
        assert_eq!(report.package_status, None);
        assert!(report.tests.is_empty());
        assert_eq!(parse(""), Report::default());
    }

    #[test]
    fn output_split_across_events_is_joined() {
        // test2json flushes long or unterminated lines in pieces.
        let input = "{\"Action\":\"output\",\"Output\":\"cover\"}\n\
                     {\"Action\":\"output\",\"Output\":\"age: 33.3% of statements\\n\"}\n";
        let report = parse(input);
        assert_eq!(report.output, "coverage: 33.3% of statements\n");
        assert_eq!(report.coverage, Some(33.3));
    }

    #[test]
    fn crlf_lines_and_unknown_actions() {
        let input = "{\"Action\":\"attr\",\"Test\":\"TestA\",\"Key\":\"k\",\"Value\":\"v\"}\r\n\
                     {\"Action\":\"pass\",\"Test\":\"TestA\"}\r\n{\"Action\":\"pass\",\"Test\":\"\"}\r\n";
        let report = parse(input);
        assert_eq!(tests_of(&report), [("TestA", Pass)]);
        // An empty Test field is the package's event.
        assert_eq!(report.package_status, Some(Pass));
        assert_eq!(report.output, "");
    }

    #[test]
    fn status_serializes_in_snake_case() {
        assert_eq!(serde_json::to_string(&Fail).unwrap(), "\"fail\"");
        let statuses: Vec<TestStatus> = serde_json::from_str(r#"["pass","skip"]"#).unwrap();
        assert_eq!(statuses, [Pass, Skip]);
        assert!(Pass < Fail && Fail < Skip, "Ord follows declaration order");
    }
}
