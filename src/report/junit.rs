//! `--format junit` (and `--junit FILE`): a JUnit XML report, the format GitLab, Jenkins and
//! the GitHub test-report actions read. One `testsuite` per document, one `testcase` per snippet
//! with the document as `classname`, the id and the item's title as `name`, and the Markdown
//! file and line as `file` and `line` (the attributes annotating consumers read; the line is the
//! first failing claim's, else the fence's). A failing snippet has one `failure` whose text holds
//! every failure with its Markdown line and diff. Failing orphaned records are testcases of a
//! suite named `orphaned records`. The report is written whole at the summary, since the suites'
//! counts come first in the file.
//!
//! The XML is written by quick-junit (nextest's JUnit writer), so escaping and structure are not
//! ours to get wrong. XML 1.0 cannot hold most control characters and quick-junit drops them, so
//! they are written as `\u{..}` text first: a report must not lose what a snippet printed.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset, Utc};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Event, Reporter, SnippetResult, Status, unified_diff};

pub struct Junit<W: Write> {
    out: W,
    /// Results by document, in the order documents first appear.
    suites: Vec<(String, Vec<SnippetResult>)>,
    orphans: Vec<(PathBuf, String)>,
    /// The report's timestamp; fixed in tests.
    timestamp: DateTime<FixedOffset>,
}

impl<W: Write> Junit<W> {
    pub fn new(out: W) -> Junit<W> {
        let now: DateTime<Utc> = SystemTime::now().into();
        Junit {
            out,
            suites: Vec::new(),
            orphans: Vec::new(),
            timestamp: now.fixed_offset(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn report(&self, elapsed: Duration) -> Report {
        let mut report = Report::new("snipcheck");
        report.set_time(elapsed);
        for (doc, results) in &self.suites {
            let mut suite = TestSuite::new(text(doc));
            suite.set_timestamp(self.timestamp);
            suite.set_time(results.iter().map(|r| r.elapsed).sum());
            suite.add_test_cases(results.iter().map(testcase));
            report.add_test_suite(suite);
        }
        if !self.orphans.is_empty() {
            let mut suite = TestSuite::new("orphaned records");
            suite.set_timestamp(self.timestamp);
            suite.set_time(Duration::ZERO);
            for (path, note) in &self.orphans {
                let dir = path.parent().map(|p| p.display().to_string());
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(text(note))
                    .set_type("orphan")
                    .set_description(text(&format!("{}: {note}", path.display())));
                let mut case = TestCase::new(text(&name.unwrap_or_default()), status);
                case.set_classname(text(&dir.unwrap_or_default()))
                    .set_time(Duration::ZERO);
                case.extra
                    .insert("file".into(), text(&path.display().to_string()).into());
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report
    }
}

impl<W: Write> Reporter for Junit<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Started { .. } | Event::Matrix(_) => Ok(()),
            Event::Finished(r) => {
                let doc = r.snippet.doc.display().to_string();
                match self.suites.iter_mut().find(|(d, _)| *d == doc) {
                    Some((_, rs)) => rs.push(r.clone()),
                    None => self.suites.push((doc, vec![r.clone()])),
                }
                Ok(())
            }
            // A warning is not a test; an orphan that fails the run is.
            Event::Orphan { path, failed, note } => {
                if failed {
                    self.orphans.push((path.clone(), note.to_string()));
                }
                Ok(())
            }
            Event::Summary(s) => {
                let xml = self
                    .report(s.elapsed)
                    .to_string()
                    .map_err(|e| io::Error::other(format!("writing the JUnit report: {e}")))?;
                self.out.write_all(xml.as_bytes())?;
                self.out.flush()
            }
        }
    }
}

fn testcase(r: &SnippetResult) -> TestCase {
    let s = &r.snippet;
    let doc = s.doc.display().to_string();
    let status = match &r.status {
        Status::Skipped(reason) => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(text(reason));
            st
        }
        Status::Failed => {
            let first = r.failures.first();
            let message = first.map_or(String::new(), |f| {
                format!("{doc}:{}: {}", f.line, f.message)
            });
            // The outcome class as records spell it (`panic`, `compile_error`, ...).
            let class = r
                .class
                .and_then(|c| serde_json::to_value(c).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "none".into());
            let mut body = format!(
                "{doc}:{}  {}  {}\noutcome: {class}\n",
                s.line, s.id, s.title
            );
            for f in &r.failures {
                let _ = writeln!(body, "{doc}:{}: {}", f.line, f.message);
                if let Some((expected, actual)) = &f.diff {
                    for l in unified_diff(expected, actual) {
                        let _ = writeln!(body, "  {l}");
                    }
                }
            }
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            // `type` names what went wrong, the way test runners name an assertion failure.
            st.set_message(text(&message))
                .set_type("claim does not hold")
                .set_description(text(&body));
            st
        }
        Status::Passed | Status::New => TestCaseStatus::success(),
    };
    let name = if s.title.is_empty() || s.title == s.id {
        r.shown_id()
    } else {
        format!("{}: {}", r.shown_id(), s.title)
    };
    let mut case = TestCase::new(text(&name), status);
    case.set_classname(text(&doc)).set_time(r.elapsed);
    let line = match r.status {
        Status::Failed => r.failures.first().map_or(s.line, |f| f.line),
        _ => s.line,
    };
    case.extra.insert("file".into(), text(&doc).into());
    case.extra.insert("line".into(), line.to_string().into());
    if !r.notes.is_empty() {
        case.set_system_out(text(&r.notes.join("\n")));
    }
    case
}

/// Text as XML 1.0 can hold it: the control characters it cannot hold (and that quick-junit
/// would drop) become `\u{..}`, so what a snippet printed is still there to read.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_text() {
        assert_eq!(
            text("a<b & \"c\"\u{1b}[31m\r\n\u{0}"),
            "a<b & \"c\"\\u{1b}[31m\r\n\\u{0}"
        );
    }

    #[test]
    fn markup_in_text_survives_the_round_trip() {
        let mut report = Report::new("snipcheck");
        let mut suite = TestSuite::new("d.md");
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_description(text("<&> \"q\" 'a' \u{1b}[2J"));
        suite.add_test_case(TestCase::new("x", status));
        report.add_test_suite(suite);
        let xml = report.to_string().unwrap();
        let back = Report::deserialize_from_str(&xml).unwrap();
        let TestCaseStatus::NonSuccess { description, .. } =
            &back.test_suites[0].test_cases[0].status
        else {
            panic!("{xml}")
        };
        assert_eq!(
            description.as_ref().unwrap().as_str(),
            "<&> \"q\" 'a' \\u{1b}[2J"
        );
    }
}
