//! Events -> what the user reads. The runner only produces events; the reporters are the one
//! place that writes them, to any `impl Write`, so tests snapshot a whole run from a `Vec<u8>`.
//! `Human` is here; `json`, `gojson`, `junit`, `github` and `html` consume the same events; `Tee` feeds
//! several.

pub mod github;
pub mod gojson;
pub mod html;
pub mod json;
pub mod junit;
pub mod matrix;

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use similar::TextDiff;

use crate::claims::compare::Failure;
use crate::snippet::{Class, Snippet};
use crate::style::{self, paint};

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
    /// The Go release it ran on (`go1.21.13`), in a release-matrix run; `None` otherwise.
    pub release: Option<String>,
}

impl SnippetResult {
    /// The id as reports show it: with the release in a release-matrix run (`1028 [go1.21.13]`).
    pub fn shown_id(&self) -> String {
        match &self.release {
            Some(r) => format!("{} [{r}]", self.snippet.id),
            None => self.snippet.id.clone(),
        }
    }
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

impl Summary {
    /// `3 passed, 1 failed` (`, 2 skipped` when any were): the closing line every report
    /// carries, in the same words, so they can be compared.
    pub fn counts(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

#[derive(Clone, Copy)]
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
    /// The release matrix of a run on several Go releases (`--go 1.21,1.22`), before the summary.
    Matrix(&'a matrix::Matrix),
    Summary(&'a Summary),
}

pub trait Reporter {
    fn event(&mut self, event: Event<'_>) -> io::Result<()>;
}

/// Several reporters fed the same events, in order (e.g. GitHub annotations and a JUnit file).
pub struct Tee(pub Vec<Box<dyn Reporter>>);

impl Reporter for Tee {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        for r in &mut self.0 {
            r.event(event)?;
        }
        Ok(())
    }
}

/// Plain text for terminals and CI logs; coloured when asked (see `style::wanted`).
pub struct Human<W: Write> {
    out: W,
    color: bool,
    /// `--quiet`: only failures (snippets and orphans) and the summary.
    quiet: bool,
}

impl<W: Write> Human<W> {
    pub fn new(out: W) -> Human<W> {
        Human {
            out,
            color: false,
            quiet: false,
        }
    }

    pub fn quiet(mut self, quiet: bool) -> Human<W> {
        self.quiet = quiet;
        self
    }

    pub fn with_color(mut self, color: bool) -> Human<W> {
        self.color = color;
        self
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for Human<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        let color = self.color;
        let out = &mut self.out;
        if self.quiet {
            let failure = match event {
                Event::Finished(r) => r.status == Status::Failed,
                Event::Orphan { failed, .. } => failed,
                Event::Started { .. } => false,
                Event::Matrix(_) | Event::Summary(_) => true,
            };
            if !failure {
                return Ok(());
            }
        }
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
                write_result(&mut block, r, color)?;
                out.write_all(&block)
            }
            Event::Orphan { path, failed, note } => writeln!(
                out,
                "{} {}  {note}",
                if failed {
                    paint("FAIL ", style::BOLD_RED, color)
                } else {
                    paint("warn ", style::YELLOW, color)
                },
                path.display()
            ),
            Event::Matrix(m) => {
                writeln!(out)?;
                writeln!(out, "release matrix:")?;
                m.write_text(out)
            }
            Event::Summary(s) => {
                writeln!(out)?;
                writeln!(out, "finished in {:.2}s", s.elapsed.as_secs_f64())?;
                for a in &s.advice {
                    writeln!(out, "{a}")?;
                }
                writeln!(out, "{}", s.counts())?;
                out.flush()
            }
        }
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One snippet's block. Everything in it that comes from a document or a program goes through
/// `style::visible`, so neither can send escape sequences to the reader's terminal.
fn write_result(out: &mut impl Write, r: &SnippetResult, color: bool) -> io::Result<()> {
    let s = &r.snippet;
    let v = style::visible;
    let place = format!("{}:{}", s.doc.display(), s.line);
    let id = r.shown_id();
    let word = |w: &str, code: &str| paint(w, code, color);
    match &r.status {
        // Passed without being built: the cache knew it (see `cache`).
        Status::Passed if r.class.is_none() => writeln!(
            out,
            "{}    {place}  {}  (cached)",
            word("ok", style::GREEN),
            v(&id)
        )?,
        Status::Passed => writeln!(out, "{}    {place}  {}", word("ok", style::GREEN), v(&id))?,
        Status::New => writeln!(out, "{}   {place}  {}", word("new", style::YELLOW), v(&id))?,
        Status::Skipped(why) if why.is_empty() => {
            writeln!(out, "{}  {place}  {}", word("skip", style::DIM), v(&id))?
        }
        Status::Skipped(why) => writeln!(
            out,
            "{}  {place}  {}  ({})",
            word("skip", style::DIM),
            v(&id),
            v(why)
        )?,
        Status::Failed => {
            writeln!(
                out,
                "{}  {place}  {}  {}",
                word("FAIL", style::BOLD_RED),
                v(&id),
                v(&s.title)
            )?;
            if let Some(class) = r.class {
                writeln!(out, "      outcome: {}", class.name())?;
            }
            for f in &r.failures {
                writeln!(
                    out,
                    "      {}:{}: {}",
                    s.doc.display(),
                    f.line,
                    v(&f.message)
                )?;
                if let Some((expected, actual)) = &f.diff {
                    for l in unified_diff(expected, actual) {
                        writeln!(out, "        {}", style::diff_line(&l, color))?;
                    }
                }
            }
        }
    }
    for n in &r.notes {
        writeln!(out, "      {}", v(n))?;
    }
    Ok(())
}

/// Diff lines longer than this many bytes are cut: one line of a record can be megabytes.
const MAX_LINE: usize = 500;

fn cut_line(l: &str) -> String {
    if l.len() <= MAX_LINE {
        return l.to_string();
    }
    let mut end = MAX_LINE;
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} [... {} more bytes]", &l[..end], l.len() - end)
}

/// A unified diff of `expected` against `actual` (patience, 3 lines of context, control characters
/// shown as `\u{..}`), cut after
/// `MAX_DIFF_LINES` lines with a line that says how many more there were, each line cut after
/// `MAX_LINE` bytes.
pub fn unified_diff(expected: &str, actual: &str) -> Vec<String> {
    // Control characters are made visible before the diff, so a CR alone shows as a difference
    // rather than splitting or overwriting a line.
    let mut expected = style::visible(expected).into_owned();
    let mut actual = style::visible(actual).into_owned();
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
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_DIFF_LINES)
        .map(|l| cut_line(l))
        .collect();
    if lines.len() > MAX_DIFF_LINES {
        out.push(format!(
            "... {} more diff lines",
            lines.len() - MAX_DIFF_LINES
        ));
    }
    out
}
