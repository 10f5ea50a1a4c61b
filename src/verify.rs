//! `snipcheck verify`: joins the steps. Everything that can be wrong with the input (documents,
//! attributes, imports, records, the toolchain) is found before anything runs; files are written
//! only after every snippet has run, so a harness error writes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;

use crate::build::{Built, Workspace};
use crate::compare::{Failure, check_claims};
use crate::config::{Policy, Settings};
use crate::contain::Sandbox;
use crate::documents;
use crate::error::Error;
use crate::expected::{self, Record};
use crate::extract::extract;
use crate::interrupt;
use crate::normalize::{self, normalize};
use crate::report::{Event, Reporter, SnippetResult, Status, Summary};
use crate::run::{classify, run};
use crate::snippet::{ClaimKind, Class, Outcome, Snippet};
use crate::toolchain::Toolchain;
use crate::wrap::{Program, wrap};

/// Runs a whole verification and reports it. `Ok(true)` when every claim and record holds.
pub fn verify(settings: &Settings, reporter: &mut dyn Reporter) -> Result<bool, Error> {
    let started = Instant::now();
    let paths = documents::discover(&settings.documents)?;
    let snippets = load_snippets(&paths, &settings.filters)?;
    let toolchain = Toolchain::probe(&settings.go)?;

    let mut problems = Vec::new();
    let mut programs: HashMap<usize, Program> = HashMap::new();
    let mut records: HashMap<usize, Option<Record>> = HashMap::new();
    for (i, s) in snippets.iter().enumerate() {
        if s.attrs.ignore.is_some() {
            continue;
        }
        match wrap(s, &toolchain.std) {
            Ok(p) => {
                programs.insert(i, p);
            }
            Err(p) => problems.push(p),
        }
        match expected::read(&expected::record_path(&settings.expected, &s.doc, &s.id)) {
            Ok(r) => {
                records.insert(i, r);
            }
            Err(Error::Problems(ps)) => problems.extend(ps),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }

    reporter
        .event(Event::Started {
            snippets: snippets.len(),
            documents: paths.len(),
            go_version: &toolchain.version,
        })
        .map_err(|e| Error::io("cannot write the report", e))?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let workspace = Workspace::new(&toolchain)?;
    let _cleanup = interrupt::remove_on_interrupt(workspace.path());
    let sandbox = Sandbox::new(&settings.sandbox);
    sandbox.warn();
    let order: Vec<usize> = {
        let mut v: Vec<usize> = programs.keys().copied().collect();
        v.sort();
        v
    };
    let batch: Vec<&Program> = order.iter().map(|i| &programs[i]).collect();
    let built = pool.install(|| workspace.build(&batch))?;
    let built: HashMap<usize, Built> = order.iter().copied().zip(built).collect();

    let mut state = State::new(settings, &toolchain, &workspace);
    let (tx, rx) = mpsc::channel::<(usize, Result<(Outcome, std::time::Duration), Error>)>();
    std::thread::scope(|scope| -> Result<(), Error> {
        let built = &built;
        let snippets = &snippets;
        let workspace = &workspace;
        let order = &order;
        let pool = &pool;
        let sandbox = &sandbox;
        scope.spawn(move || {
            pool.install(|| {
                order.par_iter().for_each_with(tx, |tx, &i| {
                    let t = Instant::now();
                    let r = execute(&snippets[i], &built[&i], workspace, i, settings, sandbox)
                        .map(|o| (o, t.elapsed()));
                    let _ = tx.send((i, r));
                })
            })
        });

        // Results arrive in any order; they are reported in document order as soon as every
        // earlier one is in, so the report is the same on every run.
        let mut waiting: BTreeMap<usize, (Outcome, std::time::Duration)> = BTreeMap::new();
        let mut next = 0;
        let mut flush = |waiting: &mut BTreeMap<usize, _>,
                         next: &mut usize,
                         state: &mut State|
         -> Result<(), Error> {
            while *next < snippets.len() {
                let s = &snippets[*next];
                let result = if let Some(reason) = &s.attrs.ignore {
                    state.skipped(s, reason)
                } else if let Some((outcome, elapsed)) = waiting.remove(next) {
                    state.judge(s, outcome, elapsed, records.remove(next).flatten())
                } else {
                    break;
                };
                reporter
                    .event(Event::Finished(&result))
                    .map_err(|e| Error::io("cannot write the report", e))?;
                *next += 1;
            }
            Ok(())
        };
        flush(&mut waiting, &mut next, &mut state)?;
        for (i, r) in rx {
            waiting.insert(i, r?);
            flush(&mut waiting, &mut next, &mut state)?;
        }
        Ok(())
    })?;

    if settings.filters.is_empty() {
        state.orphans(&paths, &snippets, reporter)?;
    }
    state.write_files()?;
    state.summary.elapsed = started.elapsed();
    state.advise();
    reporter
        .event(Event::Summary(&state.summary))
        .map_err(|e| Error::io("cannot write the report", e))?;
    Ok(state.summary.failed == 0)
}

fn load_snippets(paths: &[PathBuf], filters: &[String]) -> Result<Vec<Snippet>, Error> {
    let mut problems = Vec::new();
    let mut snippets = Vec::new();
    for path in paths {
        let found = documents::read(path).and_then(|d| extract(&d.path, &d.text));
        match found {
            Ok(s) => snippets.extend(s),
            Err(Error::Problems(ps)) => problems.extend(ps),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    if filters.is_empty() {
        return Ok(snippets);
    }
    let selects =
        |f: &str, id: &str| id == f || id.strip_prefix(f).is_some_and(|rest| rest.starts_with('-'));
    for f in filters {
        if !snippets.iter().any(|s| selects(f, &s.id)) {
            return Err(Error::Other(format!(
                "no snippet has the id `{f}`; ids are the item numbers of the headings, or id=NAME"
            )));
        }
    }
    snippets.retain(|s| filters.iter().any(|f| selects(f, &s.id)));
    Ok(snippets)
}

/// Runs one built snippet (the worker side: it only returns a result).
fn execute(
    snippet: &Snippet,
    built: &Built,
    workspace: &Workspace,
    index: usize,
    settings: &Settings,
    sandbox: &Sandbox,
) -> Result<Outcome, Error> {
    let binary = match built {
        Built::Failed { diagnostics } => {
            return Ok(Outcome {
                class: Class::CompileError,
                exit_status: None,
                stdout: String::new(),
                stderr: String::new(),
                diagnostics: diagnostics.clone(),
            });
        }
        Built::Library => None,
        Built::Binary(_) if snippet.attrs.norun => None,
        Built::Binary(path) => Some(path),
    };
    let Some(binary) = binary else {
        return Ok(Outcome {
            class: Class::Built,
            exit_status: None,
            stdout: String::new(),
            stderr: String::new(),
            diagnostics: String::new(),
        });
    };
    let dir = workspace.run_dir(index)?;
    let timeout = snippet.attrs.timeout.unwrap_or(settings.timeout);
    Ok(classify(run(binary, &dir, timeout, sandbox)?))
}

enum FileOp {
    Write(PathBuf, Record),
    Remove(PathBuf),
}

/// The main thread's side: judges each result against claims and records, decides what to write
/// under the policy, and counts.
struct State<'a> {
    settings: &'a Settings,
    toolchain: &'a Toolchain,
    cx: normalize::Context,
    ops: Vec<FileOp>,
    pending: usize,
    unrecorded_locked: usize,
    summary: Summary,
    orphans_failed: usize,
}

impl<'a> State<'a> {
    fn new(settings: &'a Settings, toolchain: &'a Toolchain, ws: &Workspace) -> State<'a> {
        State {
            settings,
            toolchain,
            cx: normalize::Context {
                work_dir: ws.path().display().to_string(),
                temp_dir: std::env::temp_dir().display().to_string(),
                goroot: toolchain.goroot.clone(),
                gocache: toolchain.gocache.clone(),
                gomodcache: toolchain.gomodcache.clone(),
                doc: String::new(),
                fence_line: 0,
            },
            ops: Vec::new(),
            pending: 0,
            unrecorded_locked: 0,
            summary: Summary::default(),
            orphans_failed: 0,
        }
    }

    fn skipped(&mut self, s: &Snippet, reason: &str) -> SnippetResult {
        self.summary.skipped += 1;
        SnippetResult {
            snippet: s.clone(),
            status: Status::Skipped(reason.to_string()),
            class: None,
            failures: Vec::new(),
            notes: Vec::new(),
            elapsed: Default::default(),
        }
    }

    fn record_of(&self, s: &Snippet, o: &Outcome) -> Record {
        let cx = normalize::Context {
            doc: s.doc.display().to_string(),
            fence_line: s.line,
            ..self.cx.clone()
        };
        let mut stdout = normalize(&o.stdout, &cx);
        // The document says the order varies, so the record must not hold one order.
        if s.claims
            .iter()
            .any(|c| matches!(c.kind, ClaimKind::UnorderedOutput(_)))
        {
            let mut lines: Vec<&str> = stdout.lines().collect();
            lines.sort_unstable();
            stdout = lines.iter().map(|l| format!("{l}\n")).collect();
        }
        Record {
            go_version: self.toolchain.version.clone(),
            class: o.class,
            exit_status: o.exit_status,
            stdout,
            stderr: normalize(&o.stderr, &cx),
            diagnostics: normalize(&o.diagnostics, &cx),
        }
    }

    fn judge(
        &mut self,
        s: &Snippet,
        outcome: Outcome,
        elapsed: std::time::Duration,
        recorded: Option<Record>,
    ) -> SnippetResult {
        let actual = self.record_of(s, &outcome);
        // Claims are checked on what the program printed; the traces and compiler output that a
        // failure shows are normalized (but keep absolute Markdown lines), like the records.
        let shown = Outcome {
            stderr: normalize(&outcome.stderr, &self.cx),
            diagnostics: normalize(&outcome.diagnostics, &self.cx),
            ..outcome
        };
        let mut failures = check_claims(s, &shown);
        let mut notes = Vec::new();
        let path = expected::record_path(&self.settings.expected, &s.doc, &s.id);
        let pending = expected::pending_path(&path);
        let policy = self.settings.policy;
        let mut new = false;
        match recorded {
            Some(r) if r.same_outcome(&actual) => {
                if policy != Policy::Locked && pending.exists() {
                    self.ops.push(FileOp::Remove(pending));
                }
            }
            Some(r) => match policy {
                Policy::Accept => {
                    notes.push(format!("record updated: {}", path.display()));
                    self.ops.push(FileOp::Write(path, actual));
                    self.ops.push(FileOp::Remove(pending));
                }
                Policy::Verify | Policy::Locked => {
                    failures.push(Failure {
                        line: s.line,
                        message: format!(
                            "the outcome differs from the recorded result {}",
                            path.display()
                        ),
                        diff: Some((r.comparable(), actual.comparable())),
                    });
                    if policy == Policy::Verify {
                        notes.push(format!("pending result: {}", pending.display()));
                        self.ops.push(FileOp::Write(pending, actual));
                        self.pending += 1;
                    } else {
                        self.unrecorded_locked += 1;
                    }
                }
            },
            None => match policy {
                Policy::Accept => {
                    notes.push(format!("recorded: {}", path.display()));
                    self.ops.push(FileOp::Write(path, actual));
                    self.ops.push(FileOp::Remove(pending));
                }
                Policy::Verify => {
                    new = true;
                    notes.push(format!(
                        "no recorded result yet; pending result: {}",
                        pending.display()
                    ));
                    self.ops.push(FileOp::Write(pending, actual));
                    self.pending += 1;
                }
                Policy::Locked => {
                    self.unrecorded_locked += 1;
                    failures.push(Failure {
                        line: s.line,
                        message: format!("no recorded result ({} is missing)", path.display()),
                        diff: None,
                    });
                }
            },
        }
        let status = if !failures.is_empty() {
            self.summary.failed += 1;
            Status::Failed
        } else if new {
            self.summary.passed += 1;
            self.summary.new += 1;
            Status::New
        } else {
            self.summary.passed += 1;
            Status::Passed
        };
        SnippetResult {
            snippet: s.clone(),
            status,
            class: Some(shown.class),
            failures,
            notes,
            elapsed,
        }
    }

    /// Records whose snippet is gone: in the verified documents' folders, and with the configured
    /// set, anywhere under expected/.
    fn orphans(
        &mut self,
        docs: &[PathBuf],
        snippets: &[Snippet],
        reporter: &mut dyn Reporter,
    ) -> Result<(), Error> {
        let expected_dir = &self.settings.expected;
        let live: HashSet<PathBuf> = snippets
            .iter()
            .filter(|s| s.attrs.ignore.is_none())
            .map(|s| expected::record_path(expected_dir, &s.doc, &s.id))
            .collect();
        let doc_dirs: HashSet<PathBuf> = docs
            .iter()
            .map(|d| expected::doc_dir(expected_dir, d))
            .collect();
        for path in expected::all_records(expected_dir)? {
            let in_scope =
                self.settings.whole_set || path.parent().is_some_and(|p| doc_dirs.contains(p));
            if live.contains(&path) || !in_scope {
                continue;
            }
            let (failed, note) = match self.settings.policy {
                Policy::Accept => {
                    self.ops.push(FileOp::Remove(expected::pending_path(&path)));
                    self.ops.push(FileOp::Remove(path.clone()));
                    (false, "orphaned record removed")
                }
                Policy::Locked => {
                    self.orphans_failed += 1;
                    (true, "orphaned record: no snippet has this id any more")
                }
                Policy::Verify => (false, "orphaned record: no snippet has this id any more"),
            };
            reporter
                .event(Event::Orphan {
                    path: &path,
                    failed,
                    note,
                })
                .map_err(|e| Error::io("cannot write the report", e))?;
        }
        self.summary.failed += self.orphans_failed;
        Ok(())
    }

    fn write_files(&mut self) -> Result<(), Error> {
        let _lock = match self.ops.is_empty() {
            true => None,
            false => Some(expected::lock(&self.settings.expected)?),
        };
        for op in self.ops.drain(..) {
            match op {
                FileOp::Write(path, record) => expected::write(&path, &record)?,
                FileOp::Remove(path) => expected::remove(&path)?,
            }
        }
        Ok(())
    }

    fn advise(&mut self) {
        let advice = &mut self.summary.advice;
        if self.pending > 0 {
            advice.push(format!(
                "{} pending result{} written beside the records (*.toml.new): check them, then run `snipcheck verify --accept` to record them",
                self.pending,
                if self.pending == 1 { "" } else { "s" }
            ));
        }
        if self.unrecorded_locked > 0 || self.orphans_failed > 0 {
            advice.push(
                "records are missing, changed or orphaned: run `snipcheck verify --accept` locally, review the changes in expected/ and commit them".into(),
            );
        }
    }
}
