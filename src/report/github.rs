//! `--format github`: the human report for the log, plus GitHub Actions workflow commands.
//! Every failure becomes `::error file=DOC,line=LINE,title=...::MESSAGE` at the Markdown line it
//! is about (the claim's line, or the fence's for a record), so the pull request shows it on the
//! document; a failing orphaned record is annotated on its file; the closing advice (the command
//! that fixes stale or orphaned records) is annotated too. At the summary a Markdown job summary
//! is appended to `summary` ($GITHUB_STEP_SUMMARY) when there is one.
//!
//! Escaping follows the workflow-command rules: in the message `%`, CR and LF become `%25`, `%0D`,
//! `%0A`; in properties `:` and `,` also become `%3A` and `%2C`.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

use super::{Event, Human, Reporter, SnippetResult, Status, Summary, unified_diff};

pub struct Github<W: Write> {
    human: Human<W>,
    summary: Option<PathBuf>,
    go_version: String,
    /// Failed snippets and orphans, for the job summary.
    failed: Vec<Row>,
}

struct Row {
    id: String,
    title: String,
    place: String,
    message: String,
    diffs: Vec<String>,
}

impl<W: Write> Github<W> {
    /// `summary`: where to append the job summary (`$GITHUB_STEP_SUMMARY`), if anywhere.
    pub fn new(out: W, summary: Option<PathBuf>) -> Github<W> {
        Github {
            human: Human::new(out),
            summary,
            go_version: String::new(),
            failed: Vec::new(),
        }
    }

    /// Only the failures and the summary in the text (annotations are failures anyway).
    pub fn quiet(mut self, quiet: bool) -> Github<W> {
        self.human.quiet = quiet;
        self
    }

    pub fn into_inner(self) -> W {
        self.human.into_inner()
    }

    fn annotate(&mut self, r: &SnippetResult) -> io::Result<()> {
        let s = &r.snippet;
        let doc = s.doc.display().to_string();
        let mut diffs = Vec::new();
        for f in &r.failures {
            let mut message = f.message.clone();
            if let Some((expected, actual)) = &f.diff {
                let diff = unified_diff(expected, actual).join("\n");
                message.push('\n');
                message.push_str(&diff);
                diffs.push(format!("{doc}:{}: {}\n{diff}", f.line, f.message));
            }
            writeln!(
                self.human.out,
                "::error file={},line={},title={}::{}",
                property(&doc),
                f.line,
                property(&format!("snipcheck: {} {}", r.shown_id(), s.title)),
                data(&message)
            )?;
        }
        let first = r.failures.first();
        self.failed.push(Row {
            id: r.shown_id(),
            title: s.title.clone(),
            place: format!("{doc}:{}", first.map_or(s.line, |f| f.line)),
            message: first.map_or(String::new(), |f| f.message.clone()),
            diffs,
        });
        Ok(())
    }

    fn write_summary(&self, s: &Summary) -> io::Result<()> {
        let Some(path) = &self.summary else {
            return Ok(());
        };
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        file.write_all(job_summary(s, &self.go_version, &self.failed).as_bytes())
    }
}

impl<W: Write> Reporter for Github<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        // The advice is annotated before the closing lines, so the log still ends with the counts.
        if let Event::Summary(s) = event {
            let level = if s.failed > 0 { "error" } else { "notice" };
            for a in &s.advice {
                writeln!(self.human.out, "::{level} title=snipcheck::{}", data(a))?;
            }
        }
        self.human.event(event)?;
        match event {
            Event::Started { go_version, .. } => self.go_version = go_version.to_string(),
            Event::Finished(r) if r.status == Status::Failed => self.annotate(r)?,
            Event::Finished(_) => {}
            Event::Orphan { path, failed, note } => {
                if failed {
                    let file = path.display().to_string();
                    writeln!(
                        self.human.out,
                        "::error file={},title={}::{}",
                        property(&file),
                        property("snipcheck: orphaned record"),
                        data(note)
                    )?;
                    self.failed.push(Row {
                        id: String::new(),
                        title: "orphaned record".into(),
                        place: file,
                        message: note.to_string(),
                        diffs: Vec::new(),
                    });
                }
            }
            // The human report above shows it in the log.
            Event::Matrix(_) => {}
            Event::Summary(s) => self.write_summary(s)?,
        }
        Ok(())
    }
}

/// Escapes a workflow command's message.
pub fn data(text: &str) -> String {
    // Control characters from a program's output are shown, not sent to the log's terminal.
    crate::style::visible(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn job_summary(s: &Summary, go_version: &str, failed: &[Row]) -> String {
    let mut md = String::new();
    let mark = if s.failed > 0 { "❌" } else { "✅" };
    let _ = write!(md, "### {mark} snipcheck: {}", s.counts());
    let _ = writeln!(md, "\n\n{go_version}, {:.1}s\n", s.elapsed.as_secs_f64());
    if !failed.is_empty() {
        md.push_str("| snippet | where | what |\n|---|---|---|\n");
        for r in failed {
            let _ = writeln!(
                md,
                "| {} | `{}` | {} |",
                cell(format!("{} {}", r.id, r.title).trim()),
                cell(&r.place),
                cell(&r.message)
            );
        }
        md.push('\n');
        for r in failed.iter().filter(|r| !r.diffs.is_empty()) {
            let _ = writeln!(
                md,
                "<details><summary>{} diff</summary>\n\n````diff",
                cell(&r.id)
            );
            for d in &r.diffs {
                let _ = writeln!(md, "{d}");
            }
            md.push_str("````\n\n</details>\n\n");
        }
    }
    for a in &s.advice {
        let _ = writeln!(md, "> {a}\n");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_workflow_command_rules_say() {
        assert_eq!(
            data("50% done\r\nnext: a,b"),
            "50%25 done\\u{d}%0Anext: a,b"
        );
        assert_eq!(data("\x1b]52;c;eA==\x07"), "\\u{1b}]52;c;eA==\\u{7}");
        assert_eq!(property("docs/a,b.md: x%\n"), "docs/a%2Cb.md%3A x%25%0A");
    }
}
