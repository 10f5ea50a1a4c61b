//! Executions -> verdicts, and what they write. The main thread's side of a run: each snippet's
//! outcome is normalized, judged against its claims and its record, and turned into the
//! `SnippetResult` the reporters print; what the update policy says to write (records, pending
//! results, removals of orphaned records) is collected and written at the end, under the lock on
//! expected/, so an interrupted or failed run writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::claims::compare::{
    Failure, align_elided, check_claims, unordered_with_elisions, with_elisions,
};
use crate::claims::normalize::{self, normalize, normalize_diagnostics};
use crate::config::{Policy, Settings};
use crate::error::Error;
use crate::go::toolchain::Toolchain;
use crate::records::expected::{self, Record};
use crate::report::matrix::{Cell, Matrix};
use crate::report::{Event, Reporter, SnippetResult, Status, Summary};
use crate::snippet::{ClaimKind, Outcome, Snippet, signal_name};

use super::execute::Executed;

/// What a record holds in place of output that varies between runs.
const VARIES: &str = "(varies between runs)\n";

/// Which streams differed between the runs of one snippet.
#[derive(Clone, Copy)]
struct Varied {
    stdout: bool,
    stderr: bool,
}

enum FileOp {
    /// A record or pending result: `Record` as the outcome of release `.0` (`go1.21`), merged
    /// into the file (see `Record::with_release`); `.1`: that release's is the common record.
    Write(PathBuf, Box<Record>, (String, bool)),
    Remove(PathBuf),
}

/// The main thread's side: judges each result against claims and records, decides what to write
/// under the policy, and counts.
pub struct Judge<'a> {
    settings: &'a Settings,
    toolchain: &'a Toolchain,
    /// The release the results being judged are of (`go1.21`), and whether its outcome is the
    /// common record (the run's newest release).
    release: (String, bool),
    /// In a release-matrix run: the release each result names (`go1.21.13`), and the matrix of
    /// cells being filled.
    tag: Option<String>,
    pub matrix: Option<Matrix>,
    /// The common release's outcome of each snippet that ran on it, to tell which other
    /// releases differ.
    common: HashMap<(PathBuf, String), Record>,
    /// For `bisect`: each snippet's outcome as its record would hold it, or why it did not run.
    pub outcomes: Option<Vec<(String, Result<Record, String>)>>,
    cx: normalize::Context,
    ops: Vec<FileOp>,
    pending: usize,
    unrecorded_locked: usize,
    pub summary: Summary,
    orphans_failed: usize,
    /// Temporary files of a run killed while writing, removed in the write phase.
    temps: Vec<PathBuf>,
}

impl<'a> Judge<'a> {
    pub fn new(settings: &'a Settings, toolchain: &'a Toolchain) -> Judge<'a> {
        Judge {
            settings,
            toolchain,
            release: (expected::release_key(toolchain.release), true),
            tag: None,
            matrix: None,
            common: HashMap::new(),
            outcomes: None,
            cx: normalize::Context {
                work_dir: String::new(),
                temp_dir: std::env::temp_dir().display().to_string(),
                goroot: toolchain.goroot.clone(),
                gocache: toolchain.gocache.clone(),
                gomodcache: toolchain.gomodcache.clone(),
                doc: String::new(),
                fence_line: 0,
                record: false,
            },
            ops: Vec::new(),
            pending: 0,
            unrecorded_locked: 0,
            summary: Summary::default(),
            orphans_failed: 0,
            temps: Vec::new(),
        }
    }

    /// From now on, the results are those of `toolchain` (the next release of a matrix run);
    /// `common`: its outcome is the common record.
    pub fn use_toolchain(&mut self, toolchain: &'a Toolchain, common: bool) {
        self.toolchain = toolchain;
        if self.matrix.is_some() {
            self.tag = Some(toolchain.version.clone());
        }
        self.release = (expected::release_key(toolchain.release), common);
        self.cx.goroot = toolchain.goroot.clone();
        self.cx.gocache = toolchain.gocache.clone();
        self.cx.gomodcache = toolchain.gomodcache.clone();
    }

    /// The matrix cell of snippet `s` on the current release.
    fn cell(&mut self, s: &Snippet, cell: Cell) {
        if let (Some(m), Some(tag)) = (&mut self.matrix, &self.tag) {
            m.set(&s.doc.display().to_string(), s.line, &s.id, tag, cell);
        }
    }

    /// Passed before with everything that decides it unchanged (see `cache`). `own`: against
    /// a record of this release's own (it differs from the common one).
    pub fn cached(&mut self, s: &Snippet, own: bool) -> SnippetResult {
        self.summary.passed += 1;
        self.cell(s, if own { Cell::Varies } else { Cell::Holds });
        SnippetResult {
            snippet: s.clone(),
            status: Status::Passed,
            class: None,
            failures: Vec::new(),
            notes: Vec::new(),
            elapsed: Default::default(),
            release: self.tag.clone(),
        }
    }

    /// Not built: its input is wrong. A failure of its own, at the problem's line, so the
    /// report shows it where the others' verdicts are.
    pub fn invalid(&mut self, s: &Snippet, problem: &crate::error::Problem) -> SnippetResult {
        self.summary.failed += 1;
        // At a line of the snippet's document, the failure is there; a problem elsewhere (its
        // record) is shown at the fence, naming its place.
        let doc = format!("{}:", s.doc.display());
        let (line, message) = match problem.at.strip_prefix(&doc).and_then(|l| l.parse().ok()) {
            Some(line) => (line, problem.message.clone()),
            None => (s.line, format!("{}: {}", problem.at, problem.message)),
        };
        self.cell(s, Cell::Fails);
        SnippetResult {
            snippet: s.clone(),
            status: Status::Failed,
            class: None,
            failures: vec![Failure {
                line,
                message: format!("not run: {message}"),
                diff: None,
            }],
            notes: Vec::new(),
            elapsed: Default::default(),
            release: self.tag.clone(),
        }
    }

    pub fn skipped(&mut self, s: &Snippet, reason: &str) -> SnippetResult {
        self.summary.skipped += 1;
        self.cell(s, Cell::NotApplicable);
        if let Some(o) = &mut self.outcomes {
            o.push((s.id.clone(), Err(format!("n/a: {reason}"))));
        }
        SnippetResult {
            snippet: s.clone(),
            status: Status::Skipped(reason.to_string()),
            class: None,
            failures: Vec::new(),
            notes: Vec::new(),
            elapsed: Default::default(),
            release: self.tag.clone(),
        }
    }

    /// The record of an outcome: normalized; a claim's elisions kept where the claim holds
    /// (`compare::with_elisions`); the output of a snippet whose output varies, not kept.
    fn record_of(&self, s: &Snippet, o: &Outcome, work_dir: &str, varied: Varied) -> Record {
        let cx = normalize::Context {
            doc: s.doc.display().to_string(),
            fence_line: s.line,
            work_dir: work_dir.to_string(),
            record: true,
            ..self.cx.clone()
        };
        let mut stdout = normalize(&o.stdout, &cx);
        let mut stderr = normalize(&o.stderr, &cx);
        for c in &s.claims {
            match &c.kind {
                ClaimKind::Output(want) => {
                    if let Some(e) = with_elisions(want, &stdout) {
                        stdout = e;
                    }
                }
                ClaimKind::Stderr(want) => {
                    if let Some(e) = with_elisions(want, &stderr) {
                        stderr = e;
                    }
                }
                _ => {}
            }
        }
        // The document says the order varies, so the record must not hold one order.
        // Its elisions reach the record as an `// Output:` claim's do.
        let unordered = s.claims.iter().find_map(|c| match &c.kind {
            ClaimKind::UnorderedOutput(want) => Some(want),
            _ => None,
        });
        if let Some(e) = unordered.and_then(|want| unordered_with_elisions(want, &stdout)) {
            stdout = e;
        } else if unordered.is_some() {
            let mut lines: Vec<&str> = stdout.lines().collect();
            lines.sort_unstable();
            stdout = lines.iter().map(|l| format!("{l}\n")).collect();
        }
        // The document says the output varies, so the record holds none of it; nor of stderr
        // when that is what the runs saw vary.
        if s.attrs.varies.is_some() {
            stdout = VARIES.into();
            if varied.stderr {
                stderr = VARIES.into();
            }
        }
        Record {
            go_version: self.toolchain.version.clone(),
            class: o.class,
            exit_status: o.exit_status,
            stdout,
            stderr,
            diagnostics: normalize_diagnostics(&o.diagnostics, &cx),
            vet: normalize(&o.vet, &cx),
            tests: o.tests.clone(),
            coverage: o.coverage,
            signal: o.signal.map(signal_name),
            release: Default::default(),
        }
    }

    /// The `[[normalize]]` rules of snipcheck.toml, on what a run printed.
    fn rewrite(&self, o: &mut Outcome) {
        for (re, with) in &self.settings.rewrites {
            for text in [&mut o.stdout, &mut o.stderr] {
                if re.is_match(text) {
                    *text = re.replace_all(text, with.as_str()).into_owned();
                }
            }
        }
    }

    /// Judges one execution against the claims and `recorded` (the record of this release);
    /// `common` is the common record, for telling whether this release's outcome is its own.
    pub fn judge(
        &mut self,
        s: &Snippet,
        executed: Executed,
        recorded: Option<Record>,
        common: Option<Box<Record>>,
    ) -> SnippetResult {
        let Executed {
            mut runs,
            work_dir,
            elapsed,
        } = executed;
        for r in &mut runs {
            self.rewrite(r);
        }
        let outcome = runs.remove(0);
        let varied = Varied {
            stdout: runs.iter().any(|r| r.stdout != outcome.stdout),
            stderr: runs.iter().any(|r| r.stderr != outcome.stderr),
        };
        let actual = self.record_of(s, &outcome, &work_dir, varied);
        // Claims are checked on what the program printed; the traces and compiler output that a
        // failure shows are normalized (but keep absolute Markdown lines), like the records.
        let display = normalize::Context {
            work_dir: work_dir.clone(),
            ..self.cx.clone()
        };
        // A test snippet's stdout is go test's report, timings included; its claims read the
        // test verdicts, so the text is shown normalized.
        let stdout = if s.attrs.test {
            normalize(&outcome.stdout, &display)
        } else {
            outcome.stdout.clone()
        };
        let shown = Outcome {
            stdout,
            stderr: normalize(&outcome.stderr, &display),
            // `// ERROR` patterns are matched against the compiler's own words.
            diagnostics: normalize_diagnostics(&outcome.diagnostics, &display),
            vet: normalize(&outcome.vet, &display),
            ..outcome
        };
        let mut failures = check_claims(s, &shown);
        if s.attrs.varies.is_some() && !varied.stdout && !varied.stderr {
            failures.push(Failure {
                line: s.line,
                message: format!(
                    "`varies` does not hold: all {} runs printed the same output (stdout and stderr); if it varies only rarely (a map of two keys prints one order 7 times in 8), ask for more runs with `varies=N`",
                    runs.len() + 1
                ),
                diff: None,
            });
        }
        // A result is recorded only if a second run gives the same one.
        let flaky = match runs.first() {
            Some(again) if s.attrs.varies.is_none() => {
                let second = self.record_of(s, again, &work_dir, varied);
                (second != actual).then_some(second)
            }
            _ => None,
        };
        if let Some(second) = &flaky {
            failures.push(Failure {
                line: s.line,
                message: "the outcome differs between two runs, so it is not recorded; if the order of lines varies claim `// Unordered output:`, if a part varies elide it with `[..]` or `...`, or mark the snippet `varies`".into(),
                diff: Some((actual.comparable(), second.comparable())),
            });
        }
        if let Some(o) = &mut self.outcomes {
            o.push((s.id.clone(), Ok(actual.clone())));
        }
        // Whether this release's outcome is its own (differs from the common release's).
        let key = (s.doc.clone(), s.id.clone());
        let own = if self.release.1 {
            self.common.insert(key, actual.clone());
            false
        } else {
            self.common
                .get(&key)
                .or(common.as_deref())
                .is_some_and(|c| !c.same_outcome(&actual))
        };
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
            _ if flaky.is_some() => {}
            Some(r) => match policy {
                Policy::Accept => {
                    notes.push(format!("record to update: {}", path.display()));
                    self.ops
                        .push(FileOp::Write(path, Box::new(actual), self.release.clone()));
                    self.ops.push(FileOp::Remove(pending));
                }
                Policy::Verify | Policy::Locked => {
                    failures.push(Failure {
                        line: s.line,
                        message: format!(
                            "the outcome differs from the recorded result {}",
                            path.display()
                        ),
                        // A record that elides (`[..]`) shows the lines it matched as its own.
                        diff: Some({
                            let want = r.comparable();
                            let got = align_elided(&want, &actual.comparable());
                            (want, got)
                        }),
                    });
                    if policy == Policy::Locked {
                        self.unrecorded_locked += 1;
                    }
                    if policy == Policy::Verify || self.settings.write_pending {
                        notes.push(format!("pending result: {}", pending.display()));
                        self.ops.push(FileOp::Write(
                            pending,
                            Box::new(actual),
                            self.release.clone(),
                        ));
                        self.pending += 1;
                    }
                }
            },
            None => match policy {
                Policy::Accept => {
                    notes.push(format!("to record: {}", path.display()));
                    self.ops
                        .push(FileOp::Write(path, Box::new(actual), self.release.clone()));
                    self.ops.push(FileOp::Remove(pending));
                }
                Policy::Verify => {
                    new = true;
                    notes.push(format!(
                        "no recorded result yet; pending result: {}",
                        pending.display()
                    ));
                    self.ops.push(FileOp::Write(
                        pending,
                        Box::new(actual),
                        self.release.clone(),
                    ));
                    self.pending += 1;
                }
                Policy::Locked => {
                    self.unrecorded_locked += 1;
                    failures.push(Failure {
                        line: s.line,
                        message: format!("no recorded result ({} is missing)", path.display()),
                        diff: None,
                    });
                    if self.settings.write_pending {
                        notes.push(format!("pending result: {}", pending.display()));
                        self.ops.push(FileOp::Write(
                            pending,
                            Box::new(actual),
                            self.release.clone(),
                        ));
                        self.pending += 1;
                    }
                }
            },
        }
        self.cell(
            s,
            match () {
                _ if !failures.is_empty() => Cell::Fails,
                _ if own => Cell::Varies,
                _ => Cell::Holds,
            },
        );
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
            release: self.tag.clone(),
        }
    }

    /// Records whose snippet is gone: in the verified documents' folders, and with the configured
    /// set, anywhere in the records of its documents. What is not a record (a file that does not
    /// read as one, a link, a `*.toml` outside the documents' records) is reported on stderr and
    /// left alone.
    pub fn orphans(
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
        let scan = expected::scan(expected_dir)?;
        for link in &scan.links {
            eprintln!(
                "warning: {}: a symbolic link in the records' folder; snipcheck neither follows nor removes it",
                link.display()
            );
        }
        self.temps = scan.temps;
        for path in scan.records {
            if live.contains(&path) {
                continue;
            }
            let in_scope = if self.settings.whole_set {
                expected::in_scope(expected_dir, &self.settings.documents, &path)
            } else {
                path.parent().is_some_and(|p| doc_dirs.contains(p))
            };
            if !in_scope {
                if self.settings.whole_set {
                    eprintln!(
                        "warning: {}: not in the records of the configured documents, so snipcheck leaves it as it is",
                        path.display()
                    );
                }
                continue;
            }
            if let Err(e) = expected::read(&path) {
                eprintln!(
                    "warning: {}: no snippet has this id, but it is not a record snipcheck can read, so it is left as it is ({})",
                    path.display(),
                    e.to_string().trim_start_matches("error: ")
                );
                continue;
            }
            let (failed, note) = match self.settings.policy {
                Policy::Accept => {
                    self.ops.push(FileOp::Remove(expected::pending_path(&path)));
                    self.ops.push(FileOp::Remove(path.clone()));
                    (false, "orphaned record: to remove")
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

    /// The write phase, under the lock: the records and pending results decided above, and the
    /// removal of temporary files a killed run left. Under `Locked` without `--write-pending`
    /// nothing is written, those files included.
    pub fn write_files(&mut self) -> Result<(), Error> {
        let may_write = self.settings.policy != Policy::Locked || self.settings.write_pending;
        let temps = if may_write {
            std::mem::take(&mut self.temps)
        } else {
            Vec::new()
        };
        if self.ops.is_empty() && temps.is_empty() {
            return Ok(());
        }
        let root = &self.settings.expected;
        let _lock = expected::lock(root)?;
        for t in &temps {
            expected::remove_temp(root, t)?;
        }
        let (mut written, mut removed) = (0, 0);
        // Each release's outcome merged into its file (the matrix writes one file per snippet
        // for all its releases), starting from the record as committed; a file written is not
        // also removed (a release whose outcome matched asks to remove a stale pending result).
        let mut merged: Vec<(PathBuf, Option<Record>)> = Vec::new();
        let mut removals = Vec::new();
        for op in self.ops.drain(..) {
            match op {
                FileOp::Write(path, actual, (key, common)) => {
                    let at = match merged.iter().position(|(p, _)| *p == path) {
                        Some(i) => i,
                        None => {
                            let record_path =
                                match path.to_str().and_then(|p| p.strip_suffix(".new")) {
                                    Some(p) => PathBuf::from(p),
                                    None => path.clone(),
                                };
                            // Malformed: the plan reported it; the new one replaces it.
                            let committed = expected::read(&record_path).ok().flatten();
                            merged.push((path.clone(), committed));
                            merged.len() - 1
                        }
                    };
                    let file = merged[at].1.take();
                    merged[at].1 = Some(match file {
                        Some(file) => file.with_release(&key, &actual, common),
                        None => *actual,
                    });
                }
                FileOp::Remove(path) => removals.push(path),
            }
        }
        for (path, record) in &merged {
            if let Some(record) = record {
                expected::write(root, path, record)?;
                written += 1;
            }
        }
        for path in removals {
            if !merged.iter().any(|(p, _)| *p == path) && expected::remove(root, &path)? {
                removed += 1;
            }
        }
        // Said once the files are written: the notes above say what was to be.
        if self.settings.policy == Policy::Accept && written + removed > 0 {
            self.summary.advice.push(format!(
                "{written} record{} written and {removed} file{} removed in {}",
                if written == 1 { "" } else { "s" },
                if removed == 1 { "" } else { "s" },
                root.display(),
            ));
        }
        Ok(())
    }

    pub fn advise(&mut self) {
        let advice = &mut self.summary.advice;
        if self.pending > 0 {
            advice.push(format!(
                "{} pending result{} written beside the records (*.toml.new): go through them with `snipcheck review`, or record them all with `snipcheck verify --accept`",
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
