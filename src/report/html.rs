//! `--format html` (and `--html FILE`): one self-contained page a docs team can open. Each
//! Markdown document is rendered (pulldown-cmark) with every snippet's verdict where the snippet
//! is: `holds`, `new`, `fails` (with each failure's message and diff right after the claim's line
//! in the code), `skipped`; the blockquotes the document marks `> **Unchecked:**` are badged
//! `unchecked`. A header above gives the counts, the Go version, the run time, the orphaned
//! records, the closing advice and a link to every failure.
//!
//! The documents are read again at the summary (the events carry only the results; a document is
//! read once, however many snippets it has). The page needs nothing from outside: inline CSS,
//! no script, no images (a document's images become their text), and a Content-Security-Policy
//! that forbids the browser to load anything. Everything from a document or a program is
//! HTML-escaped, with control characters shown as `\u{..}` text (`style::visible`); a document's
//! raw HTML is shown as text, never interpreted; links keep only safe schemes.
//!
//! Passing snippets' code is folded (`<details>`), so a 400-snippet document stays readable and
//! its page stays about the size of the document plus half a kilobyte a snippet.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use pulldown_cmark::{CodeBlockKind, CowStr, Event as Md, Options, Parser, Tag, TagEnd};

use super::{Event, Reporter, SnippetResult, Status, Summary, plural, unified_diff};
use crate::document::extract::{LineIndex, extract_document};
use crate::style;

pub struct Html<W: Write> {
    out: W,
    go_version: String,
    results: Vec<SnippetResult>,
    orphans: Vec<Orphan>,
    /// When the page was written, shown in its header.
    generated: DateTime<Utc>,
    /// The release matrix of a run on several releases, as text.
    matrix: Option<String>,
}

struct Orphan {
    path: PathBuf,
    failed: bool,
    note: String,
}

impl<W: Write> Html<W> {
    pub fn new(out: W) -> Html<W> {
        Html {
            out,
            go_version: String::new(),
            results: Vec::new(),
            orphans: Vec::new(),
            generated: SystemTime::now().into(),
            matrix: None,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for Html<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Started { go_version, .. } => self.go_version = go_version.to_string(),
            Event::Finished(r) => self.results.push(r.clone()),
            // Shown as the table the text report prints, under the summary.
            Event::Matrix(m) => {
                let mut text = Vec::new();
                m.write_text(&mut text)?;
                self.matrix = Some(String::from_utf8_lossy(&text).into_owned());
            }
            Event::Orphan { path, failed, note } => self.orphans.push(Orphan {
                path: path.clone(),
                failed,
                note: note.to_string(),
            }),
            Event::Summary(s) => {
                let page = self.page(s, |p| std::fs::read(p));
                self.out.write_all(page.as_bytes())?;
                self.out.flush()?;
            }
        }
        Ok(())
    }
}

/// The words of the verdicts, as the page shows them and as `data-verdict` names them.
const HOLDS: &str = "holds";
const NEW: &str = "new";
const FAILS: &str = "fails";
const SKIPPED: &str = "skipped";
const UNCHECKED: &str = "unchecked";
const NOT_RUN: &str = "not run";

fn verdict(r: &SnippetResult) -> &'static str {
    match r.status {
        Status::Passed => HOLDS,
        Status::New => NEW,
        Status::Failed => FAILS,
        Status::Skipped(_) => SKIPPED,
    }
}

/// One document's part of the page, rendered before the header so the header can count the
/// unchecked markers and link to the failures' anchors.
struct Rendered {
    path: PathBuf,
    anchor: String,
    html: String,
    unchecked: usize,
    /// Each failure, in document order, for the header's list.
    failures: Vec<Link>,
    counts: BTreeMap<&'static str, usize>,
}

impl<W: Write> Html<W> {
    fn page(&self, s: &Summary, read: impl Fn(&Path) -> io::Result<Vec<u8>>) -> String {
        // Documents by path and snippets by line: a terminal gets results as they finish, and
        // the page must not depend on that order.
        let mut docs: BTreeMap<&Path, Vec<&SnippetResult>> = BTreeMap::new();
        for r in &self.results {
            docs.entry(&r.snippet.doc).or_default().push(r);
        }
        let mut anchors = Anchors::default();
        let rendered: Vec<Rendered> = docs
            .into_iter()
            .enumerate()
            .map(|(i, (path, mut results))| {
                results.sort_by_key(|r| r.snippet.line);
                let text = read(path).map(|b| String::from_utf8_lossy(&b).into_owned());
                document(i + 1, path, text, &results, &mut anchors)
            })
            .collect();

        let mut out = String::with_capacity(64 * 1024);
        let unchecked: usize = rendered.iter().map(|d| d.unchecked).sum();
        let holds = s.passed - s.new;
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>snipcheck: {} passed, {} failed</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            s.passed, s.failed
        );
        out.push_str("<header id=\"summary\">\n<h1>snipcheck report</h1>\n");
        let _ = writeln!(
            out,
            "<p class=\"meta\"><span class=\"go\">{}</span> · <span class=\"elapsed\">{:.2}s</span> · \
             {} document{} · {} snippet{} · written {}</p>",
            esc(&self.go_version),
            s.elapsed.as_secs_f64(),
            rendered.len(),
            plural(rendered.len()),
            self.results.len(),
            plural(self.results.len()),
            self.generated.format("%Y-%m-%d %H:%M UTC")
        );
        out.push_str("<ul class=\"counts\">\n");
        for (word, n, label) in [
            (HOLDS, holds, "hold"),
            (NEW, s.new, "new"),
            (FAILS, s.failed, "failed"),
            (SKIPPED, s.skipped, "skipped"),
            (UNCHECKED, unchecked, "unchecked"),
        ] {
            let zero = if n == 0 { " zero" } else { "" };
            let _ = writeln!(
                out,
                "<li class=\"v-{word}{zero}\" data-verdict=\"{word}\"><span class=\"n\">{n}</span> {label}</li>"
            );
        }
        out.push_str("</ul>\n");
        // The closing line every other report ends with, for whoever compares them.
        let _ = writeln!(out, "<p class=\"totals\">{}</p>", s.counts());
        out.push_str(LEGEND);
        if let Some(m) = &self.matrix {
            let _ = writeln!(
                out,
                "<section id=\"matrix\"><h2>Release matrix</h2>\n<pre>{}</pre></section>",
                esc(m)
            );
        }

        if rendered.iter().any(|d| !d.failures.is_empty()) {
            let _ = writeln!(out, "<h2>Failures</h2>\n<ol class=\"failures\">");
            for (d, f) in rendered
                .iter()
                .flat_map(|d| d.failures.iter().map(move |f| (d, f)))
            {
                let _ = write!(
                    out,
                    "<li><a href=\"#{}\">{}:{}</a> <code>{}</code> ",
                    f.anchor,
                    esc(&d.path.display().to_string()),
                    f.line,
                    esc(&f.id),
                );
                if !f.title.is_empty() && f.title != f.id {
                    let _ = write!(out, "<span class=\"title\">{}</span> ", esc(&f.title));
                }
                let _ = writeln!(out, "— {}</li>", rich(first_line(&f.message)));
            }
            out.push_str("</ol>\n");
        }
        if !self.orphans.is_empty() {
            out.push_str("<h2>Orphaned records</h2>\n<ul class=\"orphans\">\n");
            for o in &self.orphans {
                let word = if o.failed { FAILS } else { "warn" };
                let _ = writeln!(
                    out,
                    "<li class=\"v-{word}\"><span class=\"badge\">{word}</span> <code>{}</code> {}</li>",
                    esc(&o.path.display().to_string()),
                    esc(&o.note)
                );
            }
            out.push_str("</ul>\n");
        }
        if !s.advice.is_empty() {
            out.push_str("<ul class=\"advice\">\n");
            for a in &s.advice {
                let _ = writeln!(out, "<li>{}</li>", rich(a));
            }
            out.push_str("</ul>\n");
        }
        if rendered.len() > 1 {
            out.push_str("<h2>Documents</h2>\n<ul class=\"docs\">\n");
            for d in &rendered {
                let _ = write!(
                    out,
                    "<li><a href=\"#{}\">{}</a>",
                    d.anchor,
                    esc(&d.path.display().to_string())
                );
                for (word, n) in &d.counts {
                    let _ = write!(out, " <span class=\"v-{word}\">{n} {word}</span>");
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</header>\n<main>\n");
        for d in &rendered {
            out.push_str(&d.html);
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// Renders one document with its results in place.
fn document(
    n: usize,
    path: &Path,
    text: io::Result<String>,
    results: &[&SnippetResult],
    anchors: &mut Anchors,
) -> Rendered {
    let doc_anchor = anchors.claim(&format!("d{n}"));
    let shown = path.display().to_string();
    let mut html = String::new();
    let mut failures = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for r in results {
        *counts.entry(verdict(r)).or_default() += 1;
    }
    let _ = writeln!(
        html,
        "<article class=\"doc\" id=\"{doc_anchor}\">\n<p class=\"path\">{}</p>",
        esc(&shown)
    );
    // Each snippet's anchor, and the anchors of its failures, in document order (as `results`).
    let mut boxes: Vec<Anchor> = Vec::new();
    for r in results {
        let id = anchors.claim(&format!("{doc_anchor}-{}", slug(&r.snippet.id)));
        let mut each = Vec::new();
        for (k, f) in r.failures.iter().enumerate() {
            let fa = anchors.claim(&format!("{id}-f{}", k + 1));
            failures.push(Link {
                anchor: fa.clone(),
                line: f.line,
                id: r.snippet.id.clone(),
                title: r.snippet.title.clone(),
                message: f.message.clone(),
            });
            each.push(fa);
        }
        boxes.push(Anchor {
            snippet: id,
            failures: each,
        });
    }
    let mut unchecked = 0;
    match text {
        Ok(text) => {
            let mut placed = HashSet::new();
            let body = markdown(&text, path, results, &boxes, &mut placed, &mut unchecked);
            html.push_str(&body);
            if placed.len() < results.len() {
                // The document changed while it ran: the results are still shown, together.
                html.push_str(
                    "<h2 class=\"left\">Snippets no longer where the run found them</h2>\n",
                );
                for (i, r) in results.iter().enumerate() {
                    if !placed.contains(&i) {
                        html.push_str(&snippet_box(r, &boxes[i]));
                    }
                }
            }
        }
        Err(e) => {
            let _ = writeln!(
                html,
                "<p class=\"unreadable\">The document could not be read again for this page ({}); its snippets:</p>",
                esc(&e.to_string())
            );
            for (r, anchor) in results.iter().zip(&boxes) {
                html.push_str(&snippet_box(r, anchor));
            }
        }
    }
    html.push_str("</article>\n");
    if unchecked > 0 {
        counts.insert(UNCHECKED, unchecked);
    }
    Rendered {
        path: path.to_path_buf(),
        anchor: doc_anchor,
        html,
        unchecked,
        failures,
        counts,
    }
}

/// The document as HTML, with each snippet's box in place of its code block and each unchecked
/// blockquote badged. `boxes` are the anchors of `results`, by index; `placed` collects the
/// indices of the results it placed. The variants of a snippet (`ID@go1.21`) share its fence, and
/// their boxes follow one another there.
fn markdown(
    text: &str,
    path: &Path,
    results: &[&SnippetResult],
    boxes: &[Anchor],
    placed: &mut HashSet<usize>,
    unchecked_count: &mut usize,
) -> String {
    let lines = LineIndex::new(text);
    let mut by_line: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in results.iter().enumerate() {
        by_line.entry(r.snippet.line).or_default().push(i);
    }
    let mut unchecked: Vec<usize> = extract_document(path, text)
        .map(|d| d.unchecked.into_iter().map(|u| u.line).collect())
        .unwrap_or_default();
    let mut events: Vec<Md> = Vec::new();
    // Inside a snippet's code block: its events are replaced by the box.
    let mut skipping = false;
    // Per open blockquote: whether it was badged as unchecked (and needs its wrapper closed).
    let mut quotes: Vec<bool> = Vec::new();
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut link_open: Vec<bool> = Vec::new();
    let mut images: Vec<CowStr> = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        if skipping {
            if matches!(event, Md::End(TagEnd::CodeBlock)) {
                skipping = false;
            }
            continue;
        }
        match event {
            Md::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = lines.line_of(range.start);
                if let Some(all) = by_line.get(&line) {
                    let mut html = String::new();
                    for &i in all {
                        placed.insert(i);
                        html.push_str(&snippet_box(results[i], &boxes[i]));
                    }
                    events.push(Md::Html(html.into()));
                    skipping = true;
                    continue;
                }
                let first = info
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .next()
                    .unwrap_or("");
                if first == "go" || first == "testscript" {
                    // A go snippet this run did not select (--filter, --partition).
                    events.push(Md::Html(
                        format!(
                            "<p class=\"snip-head v-none\"><span class=\"badge\">{NOT_RUN}</span> line {line}</p>\n"
                        )
                        .into(),
                    ));
                }
                events.push(Md::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                    visible_cow(info),
                ))));
            }
            Md::Start(Tag::BlockQuote(kind)) => {
                let (first, last) = (
                    lines.line_of(range.start),
                    lines.line_of(range.end.saturating_sub(1)),
                );
                let marked = unchecked.iter().any(|&l| l >= first && l <= last);
                if marked {
                    unchecked.retain(|&l| l < first || l > last);
                    *unchecked_count += 1;
                    events.push(Md::Html(
                        format!(
                            "<div class=\"unchecked\" data-verdict=\"{UNCHECKED}\" data-line=\"{first}\"><span class=\"badge\">{UNCHECKED}</span>\n"
                        )
                        .into(),
                    ));
                }
                quotes.push(marked);
                events.push(Md::Start(Tag::BlockQuote(kind)));
            }
            Md::End(TagEnd::BlockQuote(kind)) => {
                events.push(Md::End(TagEnd::BlockQuote(kind)));
                if quotes.pop() == Some(true) {
                    events.push(Md::Html("</div>\n".into()));
                }
            }
            // A document's own HTML is shown as what it is, never run or rendered.
            Md::Start(Tag::HtmlBlock) => events.push(Md::Html("<pre class=\"raw\">".into())),
            Md::End(TagEnd::HtmlBlock) => events.push(Md::Html("</pre>\n".into())),
            Md::Html(t) | Md::InlineHtml(t) => events.push(Md::Text(visible_cow(t))),
            Md::Text(t) => events.push(Md::Text(visible_cow(t))),
            Md::Code(t) => events.push(Md::Code(visible_cow(t))),
            // Images would be fetched: their text and address are shown instead.
            Md::Start(Tag::Image { dest_url, .. }) => {
                events.push(Md::Html("<span class=\"image\">[image: ".into()));
                images.push(dest_url);
            }
            Md::End(TagEnd::Image) => {
                let url = images.pop().map(|u| u.to_string()).unwrap_or_default();
                events.push(Md::Html(
                    format!(" <code>{}</code>]</span>", esc(&url)).into(),
                ));
            }
            Md::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if safe_link(&dest_url) {
                    link_open.push(true);
                    events.push(Md::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title: visible_cow(title),
                        id,
                    }));
                } else {
                    link_open.push(false);
                }
            }
            Md::End(TagEnd::Link) => {
                if link_open.pop() == Some(true) {
                    events.push(Md::End(TagEnd::Link));
                }
            }
            e => events.push(e),
        }
    }
    let mut html = String::with_capacity(text.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// A link the page keeps: in the page, relative, or to the web or mail. `javascript:`, `data:`
/// and the like lose their link and keep their text.
fn safe_link(url: &str) -> bool {
    if url.chars().any(char::is_control) {
        return false;
    }
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None => true,
        Some(s) => ["http", "https", "mailto"]
            .iter()
            .any(|k| s.eq_ignore_ascii_case(k)),
    }
}

/// One snippet's verdict box: its head (verdict, id, line, outcome class, time), then its code
/// with each claim's line marked and each failure (message and diff) right after the claim it is
/// about. Only a failing snippet is open.
fn snippet_box(r: &SnippetResult, anchor: &Anchor) -> String {
    let s = &r.snippet;
    let word = verdict(r);
    let mut out = String::with_capacity(s.code.len() + 400);
    let _ = write!(
        out,
        "<details class=\"snip v-{word}\" id=\"{}\" data-verdict=\"{word}\" data-line=\"{}\"{}>\n<summary><span class=\"badge\">{word}</span> <code class=\"id\">{}</code> <span class=\"where\">line {}</span>",
        anchor.snippet,
        s.line,
        if word == FAILS { " open" } else { "" },
        esc(&s.id),
        s.line
    );
    match (&r.status, r.class) {
        (Status::Skipped(why), _) if !why.is_empty() => {
            let _ = write!(out, " <span class=\"why\">{}</span>", esc(why));
        }
        (Status::Skipped(_), _) => {}
        (_, None) => out.push_str(" <span class=\"class\">cached: passed before, unchanged</span>"),
        (_, Some(class)) => {
            let _ = write!(
                out,
                " <span class=\"class\">outcome: {}</span> <span class=\"time\">{}</span>",
                class.name(),
                seconds(r.elapsed)
            );
        }
    }
    if !s.claims.is_empty() && r.status != Status::Failed {
        let _ = write!(
            out,
            " <span class=\"claims\">{} claim{}</span>",
            s.claims.len(),
            plural(s.claims.len())
        );
    }
    out.push_str("</summary>\n");

    let code: Vec<&str> = s.code.lines().collect();
    let in_code = |line: usize| line >= s.code_line && line < s.code_line + code.len();
    // Failures about the snippet as a whole (a record, a build) come before the code.
    for (f, id) in r.failures.iter().zip(&anchor.failures) {
        if !in_code(f.line) {
            failure(&mut out, id, f);
        }
    }
    let claims: HashSet<usize> = s.claims.iter().map(|c| c.line).collect();
    let comment = |line: usize| code[line - s.code_line].trim_start().starts_with("//");
    // A failing claim is marked whole (`// Output:` and the comment lines of its text after it),
    // and its failures come after its last line.
    let mut bad: HashSet<usize> = HashSet::new();
    let mut after: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, f) in r
        .failures
        .iter()
        .enumerate()
        .filter(|(_, f)| in_code(f.line))
    {
        let mut end = f.line;
        if comment(f.line) {
            while in_code(end + 1) && comment(end + 1) && !claims.contains(&(end + 1)) {
                end += 1;
            }
        }
        bad.extend(f.line..=end);
        after.entry(end).or_default().push(k);
    }
    let judged = !matches!(r.status, Status::Skipped(_));
    out.push_str("<pre><code>");
    for (i, l) in code.iter().enumerate() {
        let line = s.code_line + i;
        if bad.contains(&line) {
            let _ = writeln!(out, "<mark class=\"bad\">{}</mark>", esc(l));
        } else if judged && claims.contains(&line) {
            let _ = writeln!(out, "<mark class=\"ok\">{}</mark>", esc(l));
        } else {
            let _ = writeln!(out, "{}", esc(l));
        }
        if let Some(ks) = after.get(&line) {
            out.push_str("</code></pre>\n");
            for &k in ks {
                failure(&mut out, &anchor.failures[k], &r.failures[k]);
            }
            if i + 1 < code.len() {
                out.push_str("<pre><code>");
            }
        } else if i + 1 == code.len() {
            out.push_str("</code></pre>\n");
        }
    }
    if code.is_empty() {
        out.push_str("</code></pre>\n");
    }
    if !r.notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for n in &r.notes {
            let _ = writeln!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</details>\n");
    out
}

/// One failure: its Markdown line and message, and the diff when there is one.
fn failure(out: &mut String, id: &str, f: &crate::claims::compare::Failure) {
    let _ = write!(
        out,
        "<div class=\"failure\" id=\"{id}\" data-line=\"{}\">\n<p class=\"msg\"><b>line {}</b>: {}</p>\n",
        f.line,
        f.line,
        rich(&f.message)
    );
    if let Some((expected, actual)) = &f.diff {
        out.push_str("<div class=\"diff\">");
        for l in unified_diff(expected, actual) {
            let class = if l.starts_with("+++") || l.starts_with("---") {
                "h"
            } else if l.starts_with('+') {
                "a"
            } else if l.starts_with('-') {
                "d"
            } else if l.starts_with("@@") {
                "h"
            } else {
                "c"
            };
            let _ = write!(out, "<div class=\"{class}\">{}</div>", esc(&l));
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

/// A failure as the header lists it.
struct Link {
    anchor: String,
    line: usize,
    id: String,
    title: String,
    message: String,
}

/// A snippet's anchor in the page, and its failures' (in the order of `failures`).
struct Anchor {
    snippet: String,
    failures: Vec<String>,
}

/// Ids unique in the page: a second `x` becomes `x-2`.
#[derive(Default)]
struct Anchors(HashSet<String>);

impl Anchors {
    fn claim(&mut self, want: &str) -> String {
        let mut id = want.to_string();
        let mut n = 1;
        while !self.0.insert(id.clone()) {
            n += 1;
            id = format!("{want}-{n}");
        }
        id
    }
}

/// A snippet id as part of an anchor: letters, digits, `-`, `_` and `.` kept, the rest `-`.
fn slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Text from a document or a program, as HTML text or attribute value: control characters made
/// visible, then `& < > " '` escaped.
pub fn esc(text: &str) -> String {
    let text = style::visible(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message as `esc` makes it, with its `code` spans (as snipcheck's messages quote claims and
/// commands) set in code.
fn rich(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() < 3 {
        return esc(text);
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && i + 1 < parts.len() {
            let _ = write!(out, "<code>{}</code>", esc(p));
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&esc(p));
        }
    }
    out
}

fn visible_cow(t: CowStr<'_>) -> CowStr<'_> {
    match style::visible(&t) {
        std::borrow::Cow::Borrowed(_) => t,
        std::borrow::Cow::Owned(s) => s.into(),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn seconds(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

const LEGEND: &str = "<p class=\"legend\"><span class=\"v-holds\">holds</span>: every claim holds and the result matches its record · \
<span class=\"v-new\">new</span>: the claims hold; no record yet · \
<span class=\"v-fails\">fails</span>: a claim or the record does not hold · \
<span class=\"v-skipped\">skipped</span>: shown, not built · \
<span class=\"v-unchecked\">unchecked</span>: the document says no code here checks it</p>\n";

const CSS: &str = "
:root{--holds:#1a7f37;--new:#9a6700;--fails:#cf222e;--skipped:#6e7781;--unchecked:#8250df;--none:#6e7781;--line:#d0d7de;--code:#f6f8fa}
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;margin:0 auto;max-width:60rem;padding:0 1rem 4rem}
header{margin-bottom:2rem}
h1{margin:1rem 0 .25rem}
.meta,.totals,.legend,.path{color:#59636e;margin:.25rem 0}
.legend{font-size:.85rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.75rem 0}
.counts li{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px;padding:.25rem .75rem}
.counts .n{font-size:1.6rem;font-weight:700;color:var(--c);margin-right:.25rem}
.v-holds{--c:var(--holds)}.v-new{--c:var(--new)}.v-fails{--c:var(--fails)}.v-skipped{--c:var(--skipped)}.v-unchecked{--c:var(--unchecked)}.v-none,.v-warn{--c:var(--none)}
.legend span,.docs span{color:var(--c);font-weight:600}
.counts .zero{opacity:.45}
.failures li{margin:.2rem 0}
.failures .title{font-weight:600}
a{color:#0969da}
.path{font-family:ui-monospace,monospace;border-top:2px solid var(--line);padding-top:.5rem}
.advice{background:#fff8c5;border:1px solid #d4a72c66;border-radius:6px;padding:.4rem .8rem .4rem 2rem}
pre,code,.diff{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:var(--code);padding:.6rem .8rem;overflow-x:auto;border-radius:6px;margin:.4rem 0}
:not(pre)>code{background:var(--code);padding:.1rem .3rem;border-radius:4px}
.badge{display:inline-block;min-width:4.5rem;text-align:center;color:#fff;background:var(--c);border-radius:1rem;padding:0 .6rem;font-size:.8rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.snip{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px;padding:.3rem .6rem;margin:.75rem 0}
.snip>summary{cursor:pointer;color:#59636e;font-size:.9rem}
.snip>summary>*{margin-right:.4rem}
.snip[open]>summary{margin-bottom:.3rem}
.snip code.id{color:#1f2328;background:none;font-weight:600}
.snip.v-fails{background:#fff8f8}
.snip-head{margin:.75rem 0 0;font-size:.9rem;color:#59636e}
mark{display:inline-block;min-width:100%;border-radius:3px}
mark.ok{background:#dafbe1}
mark.bad{background:#ffebe9;font-weight:700}
.failure{border-left:3px solid var(--fails);margin:.4rem 0 .4rem .5rem;padding:.1rem .6rem;background:#fff}
.failure .msg{margin:.2rem 0;white-space:pre-wrap;color:var(--fails)}
.diff{white-space:pre;overflow-x:auto;margin:.3rem 0;border:1px solid var(--line);border-radius:6px;padding:.3rem 0}
.diff div{padding:0 .6rem;min-height:1.2em}
.diff .a{background:#dafbe1}.diff .d{background:#ffebe9}.diff .h{color:#59636e}
.notes{font-size:.85rem;color:#59636e}
.unchecked{border-left:6px solid var(--c);--c:var(--unchecked);padding:.3rem .6rem;background:#fbefff;border-radius:6px;margin:1rem 0}
.unchecked blockquote{margin:.3rem 0;padding:0;border:0}
blockquote{border-left:4px solid var(--line);margin-left:0;padding-left:1rem;color:#59636e}
.raw{white-space:pre-wrap}
.image{color:#59636e}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.2rem .5rem}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::compare::Failure;
    use crate::snippet::{Attrs, Class, Snippet};

    fn result(doc: &str, id: &str, line: usize, code: &str, status: Status) -> SnippetResult {
        SnippetResult {
            snippet: Snippet {
                id: id.into(),
                doc: doc.into(),
                line,
                code_line: line + 1,
                title: id.into(),
                item: id.into(),
                attrs: Attrs::default(),
                code: code.into(),
                claims: Vec::new(),
                problem: None,
            },
            status,
            class: Some(Class::Ok),
            failures: Vec::new(),
            notes: Vec::new(),
            elapsed: Duration::from_millis(12),
            release: None,
        }
    }

    fn render(doc: &str, results: Vec<SnippetResult>) -> String {
        let mut html = Html::new(Vec::new());
        html.go_version = "go1.0".into();
        html.results = results;
        let summary = Summary::default();
        let text = doc.to_string();
        html.page(&summary, |_| Ok(text.clone().into_bytes()))
    }

    #[test]
    fn escapes_markup_and_shows_control_characters() {
        assert_eq!(
            esc("<script>\"a\" & 'b'\u{1b}[2J"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;\\u{1b}[2J"
        );
    }

    #[test]
    fn a_documents_html_is_text() {
        let page = render(
            "# <b>T</b>\n\n<script>alert(1)</script>\n\nx <img src=x onerror=y> [a](javascript:alert(1)) ![i](http://example.com/i.png)\n\n```go\nx()\n```\n",
            vec![result("d.md", "t", 7, "x()\n", Status::Passed)],
        );
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>T"), "{page}");
        assert!(!page.contains("javascript:"), "{page}");
        assert!(
            page.contains("[image: i <code>http://example.com/i.png</code>]"),
            "{page}"
        );
        assert!(!page.contains("=\"http"), "{page}");
    }

    #[test]
    fn a_failure_sits_after_its_claim_line() {
        let code = "fmt.Println(1)\n// Output: 2\n";
        let mut r = result("d.md", "x", 3, code, Status::Failed);
        r.failures.push(Failure {
            line: 5,
            message: "`// Output:` does not hold".into(),
            diff: Some(("2\n".into(), "1\n".into())),
        });
        let doc = "# D\n\n```go\nfmt.Println(1)\n// Output: 2\n```\n\nafter\n";
        let page = render(doc, vec![r]);
        let claim = page
            .find("<mark class=\"bad\">// Output: 2</mark>")
            .unwrap();
        let failure = page.find("<div class=\"failure\" id=\"d1-x-f1\"").unwrap();
        let after = page.find("<p>after</p>").unwrap();
        assert!(claim < failure && failure < after, "{page}");
        assert!(
            page.contains("<div class=\"d\">-2</div><div class=\"a\">+1</div>"),
            "{page}"
        );
        assert!(page.contains("<a href=\"#d1-x-f1\">d.md:5</a>"), "{page}");
    }

    #[test]
    fn backquoted_words_in_messages_are_code() {
        assert_eq!(
            rich("`// Output:` does <not> hold"),
            "<code>// Output:</code> does &lt;not&gt; hold"
        );
        assert_eq!(rich("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(rich("`<x>`"), "<code>&lt;x&gt;</code>");
    }

    #[test]
    fn a_failure_comes_after_the_whole_text_of_its_claim() {
        let code = "fmt.Println(1)\n// Output:\n// 2\n// 3\nfmt.Println(4)\n";
        let mut r = result("d.md", "x", 3, code, Status::Failed);
        r.failures.push(Failure {
            line: 5,
            message: "m".into(),
            diff: None,
        });
        let doc = format!("# D\n\n```go\n{code}```\n");
        let page = render(&doc, vec![r]);
        assert!(
            page.contains(
                "<mark class=\"bad\">// Output:</mark>\n<mark class=\"bad\">// 2</mark>\n<mark class=\"bad\">// 3</mark>\n</code></pre>\n<div class=\"failure\""
            ),
            "{page}"
        );
        assert!(
            page.contains("</div>\n<pre><code>fmt.Println(4)\n</code></pre>"),
            "{page}"
        );
    }

    #[test]
    fn the_variants_of_a_snippet_share_its_place() {
        let code = "fmt.Println(1)\n";
        let a = result("d.md", "x@go1.21", 3, code, Status::Passed);
        let b = result("d.md", "x@go1.22", 3, code, Status::Failed);
        let page = render("# D\n\n```go\nfmt.Println(1)\n```\n\nend\n", vec![a, b]);
        let first = page.find("id=\"d1-x-go1.21\"").unwrap();
        let second = page.find("id=\"d1-x-go1.22\"").unwrap();
        let end = page.find("<p>end</p>").unwrap();
        assert!(first < second && second < end, "{page}");
        assert!(!page.contains("no longer where"), "{page}");
    }

    #[test]
    fn links_keep_only_safe_schemes() {
        assert!(safe_link("other.md#x"));
        assert!(safe_link("https://go.dev"));
        assert!(safe_link("#anchor"));
        assert!(!safe_link("javascript:alert(1)"));
        assert!(!safe_link("JaVaScRiPt:alert(1)"));
        assert!(!safe_link("data:text/html,x"));
        assert!(!safe_link("java\tscript:x"));
    }
}
