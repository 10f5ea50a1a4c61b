//! Events -> what the user reads. The runner only produces events; this is the one place that
//! writes them, to any `impl Write`, so tests snapshot a whole run from a `Vec<u8>`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use similar::TextDiff;

use crate::compare::Failure;
use crate::snippet::{Class, Snippet};

/// Diffs longer than this many lines are cut, so a runaway snippet does not bury the report.
const MAX_DIFF_LINES: usize = 80;

/// The result of one snippet, as the runner hands it over.
#[derive(Debug, Clone)]
pub struct SnippetResult {
    pub snippet: Snippet,
    pub status: Status,
    /// `None` when the snippet was not built (`ignore`).
    pub class: Option<Class>,
    pub failures: Vec<Failure>,
    /// Things worth knowing that are not failures: a pending result written, a record accepted.
    pub notes: Vec<String>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Passed,
    /// Passed, and has no record yet.
    New,
    Failed,
    Skipped(String),
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub new: usize,
    pub elapsed: Duration,
    /// Closing advice, one line each (how to record pending results, and the like).
    pub advice: Vec<String>,
}

pub enum Event<'a> {
    Started {
        snippets: usize,
        documents: usize,
        go_version: &'a str,
    },
    Finished(&'a SnippetResult),
    /// A record whose snippet is gone. `failed` when the policy counts it as a failure.
    Orphan {
        path: &'a PathBuf,
        failed: bool,
        note: &'a str,
    },
    Summary(&'a Summary),
}

pub trait Reporter {
    fn event(&mut self, event: Event<'_>) -> io::Result<()>;
}

/// Plain text for terminals and CI logs.
pub struct Human<W: Write> {
    out: W,
}

impl<W: Write> Human<W> {
    pub fn new(out: W) -> Human<W> {
        Human { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for Human<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        let out = &mut self.out;
        match event {
            Event::Started {
                snippets,
                documents,
                go_version,
            } => writeln!(
                out,
                "verifying {snippets} snippet{} from {documents} document{} with {go_version}",
                plural(snippets),
                plural(documents)
            ),
            Event::Finished(r) => {
                // Built whole, then written at once: a block is never interleaved with another.
                let mut block = Vec::new();
                write_result(&mut block, r)?;
                out.write_all(&block)
            }
            Event::Orphan { path, failed, note } => writeln!(
                out,
                "{:<5} {}  {note}",
                if failed { "FAIL" } else { "warn" },
                path.display()
            ),
            Event::Summary(s) => {
                writeln!(out)?;
                writeln!(out, "finished in {:.2}s", s.elapsed.as_secs_f64())?;
                for a in &s.advice {
                    writeln!(out, "{a}")?;
                }
                write!(out, "{} passed, {} failed", s.passed, s.failed)?;
                if s.skipped > 0 {
                    write!(out, ", {} skipped", s.skipped)?;
                }
                writeln!(out)?;
                out.flush()
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn write_result(out: &mut impl Write, r: &SnippetResult) -> io::Result<()> {
    let s = &r.snippet;
    let place = format!("{}:{}", s.doc.display(), s.line);
    match &r.status {
        // Passed without being built: the cache knew it (see `cache`).
        Status::Passed if r.class.is_none() => writeln!(out, "ok    {place}  {}  (cached)", s.id)?,
        Status::Passed => writeln!(out, "ok    {place}  {}", s.id)?,
        Status::New => writeln!(out, "new   {place}  {}", s.id)?,
        Status::Skipped(why) if why.is_empty() => writeln!(out, "skip  {place}  {}", s.id)?,
        Status::Skipped(why) => writeln!(out, "skip  {place}  {}  ({why})", s.id)?,
        Status::Failed => {
            writeln!(out, "FAIL  {place}  {}  {}", s.id, s.title)?;
            if let Some(class) = r.class {
                writeln!(out, "      outcome: {}", class.name())?;
            }
            for f in &r.failures {
                writeln!(out, "      {}:{}: {}", s.doc.display(), f.line, f.message)?;
                if let Some((expected, actual)) = &f.diff {
                    write_diff(out, expected, actual)?;
                }
            }
        }
    }
    for n in &r.notes {
        writeln!(out, "      {n}")?;
    }
    Ok(())
}

fn write_diff(out: &mut impl Write, expected: &str, actual: &str) -> io::Result<()> {
    let mut expected = expected.to_string();
    let mut actual = actual.to_string();
    for s in [&mut expected, &mut actual] {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
    }
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(&expected, &actual);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    for l in lines.iter().take(MAX_DIFF_LINES) {
        writeln!(out, "        {l}")?;
    }
    if lines.len() > MAX_DIFF_LINES {
        writeln!(
            out,
            "        ... {} more diff lines",
            lines.len() - MAX_DIFF_LINES
        )?;
    }
    Ok(())
}
