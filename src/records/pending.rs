//! Pending results: what `snipcheck review` and `snipcheck pending` go through. A pending result
//! is a new snippet's or a changed snippet's `<id>.toml.new` beside its record (written by
//! `verify`), or an orphaned record: a record whose snippet is gone from the configured documents.
//! Accepting one renames the `.new` over the record (a rename is atomic), or removes the orphaned
//! record; rejecting one removes the `.new` and leaves the record as it is.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::ListFormat;
use crate::config::Places;
use crate::document::discover;
use crate::document::extract::extract;
use crate::document::variants::expand_versions;
use crate::error::{Error, Problem};
use crate::records::expected::{self, Record};
use crate::snippet::{GoVersion, Snippet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A snippet without a record.
    New,
    /// A snippet whose outcome differs from its record.
    Changed,
    /// A record (or a pending result) whose snippet is gone.
    Orphaned,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Changed => "changed",
            Kind::Orphaned => "orphaned",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pending {
    pub kind: Kind,
    /// The document; for an orphan, the one its record's path names.
    pub doc: PathBuf,
    pub id: String,
    pub record: PathBuf,
    /// The `.toml.new` beside the record (it may not exist for an orphan).
    pub pending: PathBuf,
    pub snippet: Option<Snippet>,
    pub recorded: Option<Record>,
    /// The pending result; `None` for an orphaned record.
    pub actual: Option<Record>,
    /// The records' folder, locked while a decision is carried out (`expected::lock`).
    pub expected: PathBuf,
}

impl Pending {
    /// How to name it on the command line when ids repeat across documents: `DOC#ID`.
    pub fn key(&self) -> String {
        format!("{}#{}", slash_path(&self.doc), self.id)
    }

    pub fn line(&self) -> Option<usize> {
        self.snippet.as_ref().map(|s| s.line)
    }

    /// `doc.md:12` or, for an orphan, the record's path.
    pub fn place(&self) -> String {
        match &self.snippet {
            Some(s) => format!("{}:{}", s.doc.display(), s.line),
            None => self.record.display().to_string(),
        }
    }

    /// Records the pending result, or removes the orphaned record.
    pub fn accept(&self) -> Result<(), Error> {
        let _lock = expected::lock(&self.expected)?;
        match self.kind {
            Kind::New | Kind::Changed => {
                expected::promote(&self.expected, &self.pending, &self.record)
            }
            Kind::Orphaned => {
                expected::remove(&self.expected, &self.pending)?;
                expected::remove(&self.expected, &self.record).map(drop)
            }
        }
    }

    /// Drops the pending result; the record (if any) stays as it is.
    pub fn reject(&self) -> Result<(), Error> {
        let _lock = expected::lock(&self.expected)?;
        expected::remove(&self.expected, &self.pending).map(drop)
    }
}

/// After `doc` was rewritten: the snippets of the items from it, read again, so later screens
/// show the lines as they are now.
pub fn refresh(items: &mut [Pending], doc: &Path) -> Result<(), Error> {
    let d = discover::read(doc)?;
    let fresh = extract(&d.path, &d.text)?;
    for item in items.iter_mut().filter(|p| p.doc == doc) {
        if let Some(s) = item.snippet.as_mut()
            && let Some(new) = fresh.iter().find(|n| n.id == s.id)
        {
            *s = new.clone();
        }
    }
    Ok(())
}

/// `a/b.md` with `/` on every platform, as keys are written.
fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every pending result, in document order, orphans last.
pub fn find(places: &Places) -> Result<Vec<Pending>, Error> {
    let docs = discover::discover(&places.documents)?;
    let mut snippets = Vec::new();
    let mut problems = Vec::new();
    for path in &docs {
        match discover::read(path).and_then(|d| extract(&d.path, &d.text)) {
            Ok(s) => snippets.extend(s),
            Err(Error::Problems(ps)) => problems.extend(ps),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    // A snippet with claims about particular Go versions has a record per variant
    // (`ID@go1.21`), as verify runs it. The variants' ids do not depend on the installed Go
    // (the newest is `@latest`), so none is probed here.
    let snippets = expand_versions(snippets, GoVersion(1, 0))?;
    let by_record = |record: &Path| {
        snippets.iter().find(|s| {
            s.attrs.ignore.is_none()
                && expected::record_path(&places.expected, &s.doc, &s.id) == record
        })
    };
    // Only what lies in the records of the configured documents is theirs to decide on; a
    // `*.toml` elsewhere under expected/ is someone else's.
    let ours = |record: &Path| {
        by_record(record).is_some()
            || expected::in_scope(&places.expected, &places.documents, record)
    };
    let scan = expected::scan(&places.expected)?;

    let mut items = Vec::new();
    for pending in scan.pending {
        let text = pending.to_string_lossy();
        let record = PathBuf::from(text.strip_suffix(".new").unwrap_or(&text));
        if !ours(&record) {
            continue;
        }
        expected::check_path(&places.expected, &record)?;
        let actual = read_pending(&pending)?;
        let recorded = expected::read(&record)?;
        let snippet = by_record(&record).cloned();
        let kind = match (&snippet, &recorded) {
            (None, _) => Kind::Orphaned,
            (Some(_), None) => Kind::New,
            (Some(_), Some(_)) => Kind::Changed,
        };
        items.push(item(
            kind, places, record, pending, snippet, recorded, actual,
        ));
    }
    for record in scan.records {
        let pending = expected::pending_path(&record);
        if by_record(&record).is_some()
            || !ours(&record)
            || items.iter().any(|p| p.pending == pending)
        {
            continue;
        }
        // No snippet has it, and it is not a record: not snipcheck's to offer for removal.
        let recorded = match expected::read(&record) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "warning: {}: no snippet has this id, but it is not a record snipcheck can read, so it is left as it is ({})",
                    record.display(),
                    e.to_string().trim_start_matches("error: ")
                );
                continue;
            }
        };
        items.push(item(
            Kind::Orphaned,
            places,
            record,
            pending,
            None,
            recorded,
            None,
        ));
    }
    items.sort_by(|a, b| {
        let key = |p: &Pending| {
            (
                p.snippet.is_none(),
                p.doc.clone(),
                p.line().unwrap_or(0),
                p.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(items)
}

fn item(
    kind: Kind,
    places: &Places,
    record: PathBuf,
    pending: PathBuf,
    snippet: Option<Snippet>,
    recorded: Option<Record>,
    actual: Option<Record>,
) -> Pending {
    let (doc, id) = match &snippet {
        Some(s) => (s.doc.clone(), s.id.clone()),
        None => {
            let rel = record.strip_prefix(&places.expected).unwrap_or(&record);
            let doc = rel
                .parent()
                .map_or_else(PathBuf::new, |d| d.with_extension("md"));
            let id = rel
                .file_stem()
                .map_or(String::new(), |s| s.to_string_lossy().into_owned());
            (doc, id)
        }
    };
    Pending {
        kind,
        doc,
        id,
        record,
        pending,
        snippet,
        recorded,
        expected: places.expected.clone(),
        actual,
    }
}

/// A pending file that is not a readable record is an input problem: say which and how to fix it.
fn read_pending(path: &Path) -> Result<Option<Record>, Error> {
    expected::read(path).map_err(|e| match e {
        Error::Problems(ps) => Error::Problems(
            ps.into_iter()
                .map(|p| {
                    Problem::new(
                        p.at,
                        format!(
                            "{}; or delete this pending result and run `snipcheck verify` again",
                            p.message
                        ),
                    )
                })
                .collect(),
        ),
        e => e,
    })
}

/// The items an argument names: `ID` (in any document) or `DOC#ID`. An id that names nothing, or
/// several items in different documents, is an error that lists what would have matched.
pub fn select(items: &[Pending], arg: &str) -> Result<Vec<usize>, Error> {
    let hits: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, p)| p.id == arg || p.key() == arg)
        .map(|(i, _)| i)
        .collect();
    match hits.len() {
        0 => Err(Error::Other(format!(
            "nothing pending has the id `{arg}`; `snipcheck pending` lists what is pending"
        ))),
        1 => Ok(hits),
        _ => Err(Error::Other(format!(
            "`{arg}` is pending in several documents; name one: {}",
            hits.iter()
                .map(|&i| items[i].key())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Lists pending results, one a line (human) or one JSON object a line.
pub fn list(out: &mut impl Write, items: &[Pending], format: ListFormat) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            for p in items {
                let v = json!({
                    "kind": p.kind.word(),
                    "doc": p.doc.display().to_string(),
                    "line": p.line(),
                    "id": p.id,
                    "key": p.key(),
                    "title": p.snippet.as_ref().map(|s| s.title.clone()),
                    "record": p.record.display().to_string(),
                    "pending": p.pending.exists().then(|| p.pending.display().to_string()),
                });
                writeln!(out, "{v}")?;
            }
        }
        ListFormat::Human => {
            for p in items {
                writeln!(out, "{:<8}  {}  {}", p.kind.word(), p.place(), p.id)?;
            }
            if items.is_empty() {
                writeln!(out, "nothing pending")?;
            } else {
                writeln!(
                    out,
                    "{} pending: go through them with `snipcheck review` in a terminal, or use `snipcheck review --accept ID...`, `--reject ID...`, `--accept-all`",
                    items.len()
                )?;
            }
        }
    }
    out.flush()
}
