//! `--format junit` (and `--junit FILE`): a JUnit XML report, the format GitLab, Jenkins and
//! the GitHub test-report actions read. One `testsuite` per document, one `testcase` per snippet
//! with the document as `classname` and the id as `name`; a failing snippet has one `failure`
//! whose text holds every failure with its Markdown line and diff. Failing orphaned records are
//! testcases of a suite named `orphaned records`. The report is written whole at the summary,
//! since the suites' counts come first in the file.
//!
//! Only what junit-10.xsd (the xunit plugin's schema) allows is used, checked in the tests; XML 1.0
//! cannot hold most control characters, so they are written as `\u{..}` text.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Event, Reporter, SnippetResult, Status, unified_diff};

pub struct Junit<W: Write> {
    out: W,
    /// Results by document, in the order documents first appear.
    suites: Vec<(String, Vec<SnippetResult>)>,
    orphans: Vec<(PathBuf, String)>,
    /// The report's timestamp; fixed in tests.
    timestamp: String,
}

impl<W: Write> Junit<W> {
    pub fn new(out: W) -> Junit<W> {
        Junit {
            out,
            suites: Vec::new(),
            orphans: Vec::new(),
            timestamp: iso8601(SystemTime::now()),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn write_report(&mut self, elapsed: Duration) -> io::Result<()> {
        let mut x = String::new();
        let all: Vec<&SnippetResult> = self.suites.iter().flat_map(|(_, rs)| rs).collect();
        let failures = all.iter().filter(|r| r.status == Status::Failed).count();
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites name=\"snipcheck\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3}\">",
            all.len() + self.orphans.len(),
            failures + self.orphans.len(),
            elapsed.as_secs_f64()
        );
        for (doc, results) in &self.suites {
            let time: Duration = results.iter().map(|r| r.elapsed).sum();
            let _ = writeln!(
                x,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\">",
                escape(doc),
                results.len(),
                results
                    .iter()
                    .filter(|r| r.status == Status::Failed)
                    .count(),
                results
                    .iter()
                    .filter(|r| matches!(r.status, Status::Skipped(_)))
                    .count(),
                time.as_secs_f64(),
                self.timestamp
            );
            for r in results {
                testcase(&mut x, r);
            }
            x.push_str("  </testsuite>\n");
        }
        if !self.orphans.is_empty() {
            let _ = writeln!(
                x,
                "  <testsuite name=\"orphaned records\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"{}\">",
                self.timestamp,
                n = self.orphans.len()
            );
            for (path, note) in &self.orphans {
                let dir = path.parent().map(|p| p.display().to_string());
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let _ = writeln!(
                    x,
                    "    <testcase name=\"{}\" classname=\"{}\" time=\"0.000\">\n      <failure message=\"{}\" type=\"orphan\">{}</failure>\n    </testcase>",
                    escape(&name.unwrap_or_default()),
                    escape(&dir.unwrap_or_default()),
                    escape(note),
                    escape(&format!("{}: {note}", path.display()))
                );
            }
            x.push_str("  </testsuite>\n");
        }
        x.push_str("</testsuites>\n");
        self.out.write_all(x.as_bytes())?;
        self.out.flush()
    }
}

impl<W: Write> Reporter for Junit<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Started { .. } => Ok(()),
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
            Event::Summary(s) => self.write_report(s.elapsed),
        }
    }
}

fn testcase(x: &mut String, r: &SnippetResult) {
    let s = &r.snippet;
    let doc = s.doc.display().to_string();
    let _ = write!(
        x,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        escape(&s.id),
        escape(&doc),
        r.elapsed.as_secs_f64()
    );
    let mut body = String::new();
    match &r.status {
        Status::Skipped(reason) => {
            let _ = writeln!(body, "      <skipped message=\"{}\"/>", escape(reason));
        }
        Status::Failed => {
            let first = r.failures.first();
            let message = first.map_or(String::new(), |f| {
                format!("{doc}:{}: {}", f.line, f.message)
            });
            let mut text = format!("{doc}:{}  {}  {}\n", s.line, s.id, s.title);
            for f in &r.failures {
                let _ = writeln!(text, "{doc}:{}: {}", f.line, f.message);
                if let Some((expected, actual)) = &f.diff {
                    for l in unified_diff(expected, actual) {
                        let _ = writeln!(text, "  {l}");
                    }
                }
            }
            // The class as records spell it (`panic`, `compile_error`, ...).
            let class = r
                .class
                .and_then(|c| serde_json::to_value(c).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "none".into());
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&message),
                escape(&class),
                escape(&text)
            );
        }
        Status::Passed | Status::New => {}
    }
    if !r.notes.is_empty() {
        let _ = writeln!(
            body,
            "      <system-out>{}</system-out>",
            escape(&r.notes.join("\n"))
        );
    }
    if body.is_empty() {
        x.push_str("/>\n");
    } else {
        x.push_str(">\n");
        x.push_str(&body);
        x.push_str("    </testcase>\n");
    }
}

/// Escapes text for an XML attribute or element; characters XML 1.0 cannot hold become `\u{..}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `2025-01-31T12:34:56` (UTC), as JUnit timestamps are written.
fn iso8601(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1b}[31m\r\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\\u{1b}[31m&#13;\n"
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_661); // 2000-02-29 01:01:01
        assert_eq!(iso8601(t), "2000-02-29T01:01:01");
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_599); // 2024-12-31 23:59:59
        assert_eq!(iso8601(t), "2024-12-31T23:59:59");
    }
}
