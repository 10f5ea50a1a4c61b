//! `snipcheck list`: the coverage view. Per document and per item: the snippets, their claims,
//! the verdict of those claims against the recorded result (without building anything), and the
//! claims the document marks as not checkable; then totals. An item with neither a snippet nor
//! an unchecked marker is called out, since nothing there is verified or explained. With
//! `--format json` the same lines are JSON objects, one per line, each with a `type`:
//! `snippet`, `unchecked`, `uncovered` (an item with neither), `totals`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::claims::compare::check_claims;
use crate::document::discover;
use crate::document::extract::{Extracted, extract_document};
use crate::document::variants::expand_versions;
use crate::error::Error;
use crate::go::releases::parse_version;
use crate::records::expected::{self, Record};
use crate::report::matrix::{Cell, Matrix};
use crate::snippet::{ClaimKind, GoVersion, Outcome, Snippet};
use crate::verify::claims_for_release;

/// What the record says of a snippet's claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Fails,
    /// No record yet (`pending` when a pending result waits for review).
    Unrecorded,
    Pending,
    Ignored,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Fails => "FAILS",
            Verdict::Unrecorded => "unrecorded",
            Verdict::Pending => "pending",
            Verdict::Ignored => "ignored",
        }
    }
}

#[derive(Debug, Default)]
struct Totals {
    documents: usize,
    items: usize,
    snippets: usize,
    claims: usize,
    unchecked: usize,
    /// The unchecked markers by the class they give (`Unchecked (opinion)`).
    classes: BTreeMap<String, usize>,
    uncovered: usize,
    verdicts: BTreeMap<&'static str, usize>,
}

/// Lists `paths` (files or folders) against the records in `expected`. `current` is the
/// installed Go, for naming `@latest` variants' versions; None when there is no toolchain.
pub fn list(
    paths: &[PathBuf],
    expected: &Path,
    current: Option<GoVersion>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Error> {
    let mut totals = Totals::default();
    let io = |e: io::Error| Error::io("cannot write the list", e);
    for path in discover::discover(paths)? {
        let doc = discover::read(&path)?;
        let extracted = extract_document(&doc.path, &doc.text)?;
        let current = current.unwrap_or(GoVersion(1, 99));
        let snippets = expand_versions(extracted.snippets.clone(), current)?;
        // The installed release's claims and record (see `Record::release`).
        let snippets = claims_for_release(snippets, (current.0, current.1, u32::MAX));
        let key = expected::release_key((current.0, current.1));
        totals.documents += 1;
        let doc = path.display().to_string();
        if !json {
            writeln!(out, "{doc}").map_err(io)?;
        }
        let lines = Lines { doc, json };
        write_document(
            &extracted,
            &snippets,
            expected,
            &key,
            &mut totals,
            &lines,
            out,
        )
        .map_err(io)?;
    }
    let v = |k: &str| totals.verdicts.get(k).copied().unwrap_or(0);
    if json {
        let totals = serde_json::json!({
            "type": "totals",
            "documents": totals.documents,
            "items": totals.items,
            "snippets": totals.snippets,
            "holds": v("holds"),
            "fails": v("FAILS"),
            "unrecorded": v("unrecorded"),
            "pending": v("pending"),
            "ignored": v("ignored"),
            "claims": totals.claims,
            "unchecked": totals.unchecked,
            "unchecked_classes": totals.classes,
            "uncovered": totals.uncovered,
        });
        return writeln!(out, "{totals}").map_err(io);
    }
    writeln!(
        out,
        "totals: {} document{}, {} items, {} snippets ({} hold, {} fail, {} unrecorded, {} pending, {} ignored), {} claims, {} unchecked{}, {} item{} with neither a snippet nor an unchecked marker",
        totals.documents,
        if totals.documents == 1 { "" } else { "s" },
        totals.items,
        totals.snippets,
        v("holds"),
        v("FAILS"),
        v("unrecorded"),
        v("pending"),
        v("ignored"),
        totals.claims,
        totals.unchecked,
        classes_summary(&totals.classes, totals.unchecked),
        totals.uncovered,
        if totals.uncovered == 1 { "" } else { "s" },
    )
    .map_err(io)
}

/// Which document is being listed, and whether as JSON lines.
struct Lines {
    doc: String,
    json: bool,
}

impl Lines {
    /// One JSON line of `type`, with the document and the item, then `rest`.
    fn json(
        &self,
        out: &mut impl Write,
        kind: &str,
        item: &str,
        rest: serde_json::Value,
    ) -> io::Result<()> {
        let mut v = serde_json::json!({ "type": kind, "doc": self.doc, "item": item });
        if let (Some(v), serde_json::Value::Object(rest)) = (v.as_object_mut(), rest) {
            v.extend(rest);
        }
        writeln!(out, "{v}")
    }
}

fn write_document(
    extracted: &Extracted,
    snippets: &[Snippet],
    expected: &Path,
    key: &str,
    totals: &mut Totals,
    lines: &Lines,
    out: &mut impl Write,
) -> io::Result<()> {
    let id_width = snippets
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(4)
        .max(9);
    // In a numbered document, headings outside the numbering (the title) are not items.
    let numbered = extracted.items.iter().any(|i| i.numbered);
    for item in extracted.items.iter().filter(|i| i.numbered || !numbered) {
        let mine: Vec<&Snippet> = snippets.iter().filter(|s| s.item == item.id).collect();
        let marks: Vec<_> = extracted
            .unchecked
            .iter()
            .filter(|u| u.item.as_deref() == Some(item.id.as_str()))
            .collect();
        totals.items += 1;
        if !lines.json {
            writeln!(out, "  {}", item.title)?;
        }
        for s in &mine {
            let verdict = verdict(s, expected, key);
            totals.snippets += 1;
            totals.claims += s.claims.len();
            *totals.verdicts.entry(verdict.word()).or_default() += 1;
            if lines.json {
                let rest = serde_json::json!({
                    "id": s.id,
                    "line": s.line,
                    "claims": claims_summary(s),
                    "verdict": verdict.word().to_lowercase(),
                });
                lines.json(out, "snippet", &item.title, rest)?;
                continue;
            }
            writeln!(
                out,
                "    {:<id_width$} line {:<5} {:<30} {}",
                s.id,
                s.line,
                claims_summary(s),
                verdict.word()
            )?;
        }
        for u in &marks {
            totals.unchecked += 1;
            if let Some(c) = &u.class {
                *totals.classes.entry(c.clone()).or_default() += 1;
            }
            if lines.json {
                let mut rest = serde_json::json!({ "line": u.line, "reason": u.reason });
                if let Some(c) = &u.class {
                    rest["class"] = c.clone().into();
                }
                lines.json(out, "unchecked", &item.title, rest)?;
                continue;
            }
            let label = match &u.class {
                Some(c) => format!("unchecked ({c})"),
                None => "unchecked".to_string(),
            };
            writeln!(
                out,
                "    {label:<id_width$} line {:<5} {}",
                u.line, u.reason
            )?;
        }
        if mine.is_empty() && marks.is_empty() {
            totals.uncovered += 1;
            if lines.json {
                lines.json(out, "uncovered", &item.title, serde_json::json!({}))?;
                continue;
            }
            writeln!(out, "    (neither a snippet nor an unchecked marker)")?;
        }
    }
    Ok(())
}

/// ` (12 opinion, 3 service, 1 unclassified)`: the unchecked markers by class, when any says one.
fn classes_summary(classes: &BTreeMap<String, usize>, all: usize) -> String {
    if classes.is_empty() {
        return String::new();
    }
    let mut parts: Vec<String> = classes.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let unclassified = all - classes.values().sum::<usize>();
    if unclassified > 0 {
        parts.push(format!("{unclassified} unclassified"));
    }
    format!(" ({})", parts.join(", "))
}

/// `Output, ERROR x2`: the kinds of claim a snippet makes (`must build and exit 0` for none).
fn claims_summary(s: &Snippet) -> String {
    if let Some(reason) = &s.attrs.ignore {
        return if reason.is_empty() {
            "(ignore)".into()
        } else {
            format!("(ignore: {reason})")
        };
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in &s.claims {
        let name = match &c.kind {
            ClaimKind::Output(_) => "Output",
            ClaimKind::UnorderedOutput(_) => "Unordered output",
            ClaimKind::Panic(_) => "Panic",
            ClaimKind::Fatal(_) => "Fatal",
            ClaimKind::Exit(_) => "Exit",
            ClaimKind::CompileError(_) => "ERROR",
            ClaimKind::Race(_) => "Race",
            ClaimKind::Vet(_) => "Vet",
            ClaimKind::Tests(..) => "Tests",
            ClaimKind::TestsRun(_) => "Tests run",
            ClaimKind::Coverage(_) => "Coverage",
            ClaimKind::Signal(_) => "Signal",
            ClaimKind::Stderr(_) => "Stderr",
        };
        match counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, k)) => *k += 1,
            None => counts.push((name.to_string(), 1)),
        }
    }
    if s.attrs.varies.is_some() {
        counts.push(("varies".into(), 1));
    }
    if counts.is_empty() {
        return if s.attrs.script {
            "script".into()
        } else if s.attrs.norun {
            "builds".into()
        } else {
            "builds, exits 0".into()
        };
    }
    counts
        .iter()
        .map(|(n, k)| {
            if *k > 1 {
                format!("{n} x{k}")
            } else {
                n.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn verdict(s: &Snippet, expected: &Path, key: &str) -> Verdict {
    if s.attrs.ignore.is_some() {
        return Verdict::Ignored;
    }
    let path = expected::record_path(expected, &s.doc, &s.id);
    match expected::read(&path) {
        Ok(Some(record)) => {
            let record = record.for_release(key);
            // A `varies` snippet's record holds no output (it differs on every run), so its
            // output claims are checked by runs, not by the record: the rest still are.
            let mut s = s.clone();
            if s.attrs.varies.is_some() {
                s.claims.retain(|c| {
                    !matches!(c.kind, ClaimKind::Output(_) | ClaimKind::UnorderedOutput(_))
                });
            }
            if check_claims(&s, &outcome_of(&record, &s)).is_empty() {
                Verdict::Holds
            } else {
                Verdict::Fails
            }
        }
        _ if expected::pending_path(&path).exists() => Verdict::Pending,
        _ => Verdict::Unrecorded,
    }
}

/// The release matrix from the records (nothing is built): for each snippet and each release
/// in `columns` (`go1.21`, the latest patch of a minor; `go1.22.12`), whether its claims about
/// that release hold against that release's record. Without columns: the installed release
/// (`current`) and every release the records have one of their own for.
pub fn matrix(
    paths: &[PathBuf],
    expected: &Path,
    columns: Vec<String>,
    current: Option<String>,
) -> Result<Matrix, Error> {
    let mut docs = Vec::new();
    for path in discover::discover(paths)? {
        let doc = discover::read(&path)?;
        docs.push(extract_document(&doc.path, &doc.text)?.snippets);
    }
    let columns = if columns.is_empty() {
        let mut keys: Vec<String> = current.into_iter().collect();
        for s in docs.iter().flatten() {
            let path = expected::record_path(expected, &s.doc, &s.id);
            if let Ok(Some(r)) = expected::read(&path) {
                keys.extend(r.release.into_keys());
            }
        }
        keys.sort();
        keys.dedup();
        keys
    } else {
        columns
    };
    let mut m = Matrix::new(columns.clone());
    for column in &columns {
        let Some((a, b, c)) = parse_version(column) else {
            return Err(Error::Other(format!(
                "`{column}` is not a Go release (go1.22, go1.22.12)"
            )));
        };
        // A minor stands for its latest patch.
        let patch = if column.matches('.').count() == 1 {
            u32::MAX
        } else {
            c
        };
        let key = expected::release_key((a, b));
        for snippets in &docs {
            let variants = expand_versions(snippets.clone(), GoVersion(a, b))?;
            for s in claims_for_release(variants, (a, b, patch)) {
                let cell = matrix_cell(&s, expected, &key, GoVersion(a, b));
                m.set(&s.doc.display().to_string(), s.line, &s.id, column, cell);
            }
        }
    }
    m.sort();
    Ok(m)
}

/// One cell of `matrix`.
fn matrix_cell(s: &Snippet, expected: &Path, key: &str, release: GoVersion) -> Cell {
    let needs = s
        .attrs
        .min_go
        .max(s.attrs.go)
        .max(crate::verify::plan::own_go_line(s));
    if s.attrs.ignore.is_some() || needs.is_some_and(|m| m > release) {
        return Cell::NotApplicable;
    }
    let path = expected::record_path(expected, &s.doc, &s.id);
    let own = match expected::read(&path) {
        Ok(Some(r)) => r.release.contains_key(key),
        _ => return Cell::Unknown,
    };
    match verdict(s, expected, key) {
        Verdict::Holds if own => Cell::Varies,
        Verdict::Holds => Cell::Holds,
        Verdict::Fails => Cell::Fails,
        _ => Cell::Unknown,
    }
}

/// The outcome a record describes, with its snippet-relative lines (`doc.md:+3`) made absolute
/// again so line-bound claims (`// ERROR`) can be checked.
fn outcome_of(r: &Record, s: &Snippet) -> Outcome {
    static RELATIVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\.md:\+(\d+)").unwrap());
    let absolute = |text: &str| {
        RELATIVE
            .replace_all(text, |c: &Captures| {
                format!(".md:{}", s.line + c[1].parse::<usize>().unwrap_or(0))
            })
            .into_owned()
    };
    Outcome {
        class: r.class,
        exit_status: r.exit_status,
        stdout: r.stdout.clone(),
        stderr: absolute(&r.stderr),
        diagnostics: absolute(&r.diagnostics),
        vet: absolute(&r.vet),
        tests: r.tests.clone(),
        coverage: r.coverage,
        signal: None,
    }
}
