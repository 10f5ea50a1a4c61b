//! `snipcheck verify`: joins the steps. Everything that can be wrong with the input (documents,
//! attributes, imports, records, the toolchain) is found before anything runs; files are written
//! only after every snippet has run, so a harness error writes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{BaseModule, Built, Unit, Workspace};
use crate::cache::{self, Cache};
use crate::compare::{Failure, check_claims};
use crate::config::{Policy, Settings};
use crate::contain::Sandbox;
use crate::documents;
use crate::error::{Error, Problem};
use crate::expected::{self, Record};
use crate::extract::extract;
use crate::interrupt;
use crate::merge;
use crate::normalize::{self, normalize, normalize_diagnostics};
use crate::report::{Event, Reporter, SnippetResult, Status, Summary};
use crate::run::{Input, classify, run, run_command};
use crate::snippet::{ClaimKind, Class, GoVersion, Outcome, Snippet, TestStatus, signal_name};
use crate::toolchain::Toolchain;
use crate::wrap::{self, wrap};
use crate::{gotest, txtar};

/// Runs a whole verification and reports it. `Ok(true)` when every claim and record holds.
pub fn verify(settings: &Settings, reporter: &mut dyn Reporter) -> Result<bool, Error> {
    let started = Instant::now();
    let paths = documents::discover(&settings.documents)?;
    let toolchain = Toolchain::probe(&settings.go)?;
    // Every variant (`ID@go1.21`) is a snippet of its own, in a partition of its own.
    let all = expand_versions(
        load_snippets(&paths, &settings.filters)?,
        GoVersion(toolchain.release.0, toolchain.release.1),
    )?;
    let snippets = crate::partition::select(&all, settings.partition.as_ref());
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the working directory", e))?;

    let mut problems = Vec::new();
    let mut skips: HashMap<usize, String> = HashMap::new();
    let mut units: HashMap<usize, Unit> = HashMap::new();
    let mut records: HashMap<usize, Option<Record>> = HashMap::new();
    let mut groups: BTreeMap<Option<BaseModule>, Vec<usize>> = BTreeMap::new();
    let mut cache = if settings.cache && settings.policy != Policy::Accept {
        Cache::open(cache::default_dir())
    } else {
        Cache::off()
    };
    let sandbox = Sandbox::new(&settings.sandbox);
    let mut keys: HashMap<usize, String> = HashMap::new();
    let mut cached: HashSet<usize> = HashSet::new();
    for (i, s) in snippets.iter().enumerate() {
        if let Some(reason) = skip_reason(s, &toolchain) {
            skips.insert(i, reason);
            continue;
        }
        let base = match BaseModule::find(&s.doc, &cwd) {
            Ok(base) => base,
            Err(Error::Problems(ps)) => {
                problems.extend(ps);
                continue;
            }
            Err(e) => return Err(e),
        };
        let record = match expected::read(&expected::record_path(&settings.expected, &s.doc, &s.id))
        {
            Ok(r) => r,
            Err(Error::Problems(ps)) => {
                problems.extend(ps);
                continue;
            }
            Err(e) => return Err(e),
        };
        // Only a snippet that passed against a record is remembered; the key covers all that
        // could change that.
        if let Some(r) = &record {
            let key = cache::key(&[
                &toolchain.version,
                &toolchain.goroot,
                &base
                    .as_ref()
                    .map_or(String::new(), |b| format!("{}\n{}", b.go_mod, b.go_sum)),
                &s.doc.display().to_string(),
                &s.id,
                &s.code,
                &format!("{:?}", s.attrs),
                &format!("{:?}", s.claims),
                &format!("{r:?}"),
                &format!("{:?} {}", settings.timeout, settings.varies_runs),
                // What a snippet may use, and what this system lets the sandbox enforce.
                &format!("{:?} {:?}", settings.sandbox, sandbox.mechanisms()),
            ]);
            if cache.contains(&key) {
                cached.insert(i);
                continue;
            }
            keys.insert(i, key);
        }
        records.insert(i, record);
        groups.entry(base).or_default().push(i);
        if s.attrs.race {
            if let Some(why) = toolchain.race_unsupported() {
                problems.push(Problem::new(format!("{}:{}", s.doc.display(), s.line), why));
            }
        }
        match unit_of(s, &toolchain) {
            Ok(u) => {
                units.insert(i, u);
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    // What the sandbox cannot enforce matters only when something runs.
    if !units.is_empty() {
        sandbox.warn();
    }

    let progress = Progress::new(units.len());
    progress.message("building");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    // One workspace per document-set module; almost always just one.
    let mut workspaces = Vec::new();
    // Interrupted, every workspace is removed with everything in it.
    let mut cleanups = Vec::new();
    // Which workspace each snippet builds in, and its build if it was linked merged.
    let mut built: HashMap<usize, (usize, Option<Built>)> = HashMap::new();
    for (base, members) in &groups {
        let mut ws = Workspace::new(
            &toolchain,
            base.as_ref(),
            stable_place(&cwd, base).as_deref(),
        )?;
        cleanups.push(interrupt::remove_on_interrupt(ws.path()));
        ws.merging = settings.merge;
        let batch: Vec<(usize, &Unit)> = members.iter().map(|&i| (i, &units[&i])).collect();
        let mut merged = ws.build_together(&batch)?;
        for &i in members {
            built.insert(i, (workspaces.len(), merged.remove(&i)));
        }
        workspaces.push(ws);
    }

    progress.message("building and running");
    progress
        .suspend(|| {
            reporter.event(Event::Started {
                snippets: snippets.len(),
                documents: paths.len(),
                go_version: &toolchain.version,
            })
        })
        .map_err(|e| Error::io("cannot write the report", e))?;

    let streaming = {
        use std::io::IsTerminal;
        std::io::stdout().is_terminal()
    };
    let mut order: Vec<usize> = built.keys().copied().collect();
    order.sort();
    let mut state = State::new(settings, &toolchain);
    let (tx, rx) = mpsc::channel::<(usize, Result<Executed, Error>)>();
    std::thread::scope(|scope| -> Result<(), Error> {
        let (built, snippets, workspaces, order, pool, units, sandbox) = (
            &built,
            &snippets,
            &workspaces,
            &order,
            &pool,
            &units,
            &sandbox,
        );
        scope.spawn(move || {
            pool.install(|| {
                order.par_iter().for_each_with(tx, |tx, &i| {
                    let (w, merged) = &built[&i];
                    let (ws, unit) = (&workspaces[*w], &units[&i]);
                    let r = match merged {
                        Some(b) => execute(&snippets[i], unit, b, ws, i, settings, sandbox),
                        None => ws.build_alone(i, unit).and_then(|b| {
                            execute(&snippets[i], unit, &b, ws, i, settings, sandbox)
                        }),
                    };
                    let _ = tx.send((i, r));
                })
            })
        });

        // Reports one snippet's result: `Ok(false)` when it has not run yet.
        let mut report = |i: usize,
                          waiting: &mut BTreeMap<usize, Executed>,
                          state: &mut State|
         -> Result<bool, Error> {
            let s = &snippets[i];
            let result = if let Some(reason) = skips.get(&i) {
                state.skipped(s, reason)
            } else if cached.contains(&i) {
                state.cached(s)
            } else if let Some(executed) = waiting.remove(&i) {
                let result = state.judge(s, executed, records.remove(&i).flatten());
                if let (Status::Passed, Some(key)) = (&result.status, keys.remove(&i)) {
                    cache.insert(key);
                }
                result
            } else {
                return Ok(false);
            };
            if result.class.is_some() {
                progress.tick();
            }
            progress
                .suspend(|| reporter.event(Event::Finished(&result)))
                .map_err(|e| Error::io("cannot write the report", e))?;
            Ok(true)
        };
        let mut waiting: BTreeMap<usize, Executed> = BTreeMap::new();
        if streaming {
            // A person at a terminal sees each result as soon as it is in; a slow snippet
            // holds up nothing but itself.
            for i in (0..snippets.len()).filter(|i| !built.contains_key(i)) {
                report(i, &mut waiting, &mut state)?;
            }
            for (i, r) in rx {
                waiting.insert(i, r?);
                report(i, &mut waiting, &mut state)?;
            }
        } else {
            // Logs, pipes and files get document order, so the report is the same on every
            // run: a result is written as soon as every earlier one is.
            let mut next = 0;
            let mut flush =
                |waiting: &mut BTreeMap<usize, Executed>, state: &mut State| -> Result<(), Error> {
                    while next < snippets.len() && report(next, waiting, state)? {
                        next += 1;
                    }
                    Ok(())
                };
            flush(&mut waiting, &mut state)?;
            for (i, r) in rx {
                waiting.insert(i, r?);
                flush(&mut waiting, &mut state)?;
            }
        }
        Ok(())
    })?;

    progress.finish();
    // Orphans concern the whole set: one partition (the first) checks them against every snippet.
    if settings.filters.is_empty() && settings.partition.is_none_or(|p| p.checks_orphans()) {
        state.orphans(&paths, &all, reporter)?;
    }
    state.write_files()?;
    cache.save();
    state.summary.elapsed = started.elapsed();
    state.advise();
    reporter
        .event(Event::Summary(&state.summary))
        .map_err(|e| Error::io("cannot write the report", e))?;
    Ok(state.summary.failed == 0)
}

/// Where the workspace of a project's document set (by working directory and `go.mod`) lives
/// from run to run, so that the go command's build cache, whose keys include package
/// directories, hits on the next run. The result cache (`--no-cache`) is another matter: this
/// is only a path, emptied after every run but for its binaries.
fn stable_place(cwd: &Path, base: &Option<BaseModule>) -> Option<PathBuf> {
    let module = base
        .as_ref()
        .map_or(String::new(), |b| b.path.display().to_string());
    let key = cache::key(&[&cwd.display().to_string(), &module]);
    Some(crate::build::stable_root()?.join(format!("work-{}", &key[..16])))
}

/// A progress bar on stderr, shown only on a terminal and only once a run has taken more than a
/// moment, so quick runs and logs stay clean. Reports are printed around it, never through it.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} snippets, {elapsed}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(700));
                if !shown.is_finished() {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
            bar
        });
        Progress { bar }
    }

    fn message(&self, msg: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_message(msg);
        }
    }

    fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A snippet with claims about particular Go versions (`// Output (go1.21):`) runs once per
/// version, as a variant with its own id (`1028@go1.21`), record and language version; each
/// variant is held to the claims about its version and to the claims about every version.
/// `go1.22+` is checked at 1.22 and at the toolchain's own version (the variant `@latest`).
pub fn expand_versions(snippets: Vec<Snippet>, current: GoVersion) -> Result<Vec<Snippet>, Error> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for s in snippets {
        // (suffix, version): exact versions by name; the installed toolchain as `latest`, so
        // that its record keeps its name across Go upgrades.
        let mut variants = std::collections::BTreeMap::new();
        for spec in s.claims.iter().filter_map(|c| c.go) {
            variants.insert(format!("go{}", spec.version), spec.version);
            if spec.and_later {
                variants.insert("latest".to_string(), current.max(spec.version));
            }
        }
        if variants.is_empty() {
            out.push(s);
            continue;
        }
        if s.attrs.go.is_some() {
            problems.push(Problem::new(
                format!("{}:{}", s.doc.display(), s.line),
                "`go=` and claims about particular Go versions contradict each other; keep one",
            ));
            continue;
        }
        for (suffix, v) in variants {
            let mut variant = s.clone();
            variant.id = format!("{}@{suffix}", s.id);
            variant.attrs.go = Some(v);
            variant.attrs.min_go = Some(v.max(s.attrs.min_go.unwrap_or(v)));
            variant
                .claims
                .retain(|c| c.go.is_none_or(|g| g.holds_for(v)));
            out.push(variant);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Problems(problems))
    }
}

/// Why a snippet is not built at all: `ignore`, or a toolchain older than its `min_go`.
fn skip_reason(s: &Snippet, toolchain: &Toolchain) -> Option<String> {
    if let Some(reason) = &s.attrs.ignore {
        return Some(reason.clone());
    }
    let have = GoVersion(toolchain.release.0, toolchain.release.1);
    match s.attrs.min_go {
        Some(min) if have < min => Some(format!(
            "needs go{min} or newer; this is {}",
            toolchain.version
        )),
        _ => None,
    }
}

/// Whether the snippet claims compile errors: then it is compiled with `-e` (`Unit::all_errors`).
fn claims_compile_errors(s: &Snippet) -> bool {
    s.claims
        .iter()
        .any(|c| matches!(c.kind, ClaimKind::CompileError(_)))
}

/// The snippet as something to build: its files (a wrapped fragment, a whole file, or the files
/// of a txtar archive, each with a `//line` directive into the Markdown) and how to build them.
fn unit_of(s: &Snippet, toolchain: &Toolchain) -> Result<Unit, Problem> {
    let at = |line: usize| format!("{}:{line}", s.doc.display());
    let directive = |line: usize| format!("//line {}:{line}:1\n", s.doc.display());
    let mut unit = Unit {
        race: s.attrs.race,
        vet: s.attrs.vet,
        go_line: s.attrs.go,
        test: s.attrs.test,
        doc: s.doc.display().to_string(),
        all_errors: claims_compile_errors(s),
        ..Unit::default()
    };
    let a = &s.attrs;
    if txtar::is_archive(&s.code) {
        let archive = txtar::parse(&s.code)
            .map_err(|(line, msg)| Problem::new(at(s.code_line + line), msg))?;
        static MAIN: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r"(?m)^package\s+main\b").unwrap());
        for f in archive.files {
            let data = if f.name.ends_with(".go") {
                // Only a `package main` at the root is what `go build .` links; one in a
                // subfolder (`cmd/tool/main.go`) is a package the root does not build.
                if !f.name.contains('/')
                    && !f.name.ends_with("_test.go")
                    && MAIN.is_match(&wrap::mask(&f.data))
                {
                    unit.is_main = true;
                }
                format!("{}{}", directive(s.code_line + f.line), f.data)
            } else {
                f.data
            };
            if f.name == "go.mod" {
                unit.go_mod = Some(data.clone());
            }
            unit.files.push((f.name, data));
        }
        if !unit.files.iter().any(|(n, _)| n.ends_with(".go")) {
            return Err(Problem::new(
                at(s.line),
                "this txtar archive holds no .go file",
            ));
        }
        return Ok(unit);
    }
    let program = wrap(s, &toolchain.std)?;
    if s.attrs.test {
        if !wrap::is_whole_file(&s.code) {
            return Err(Problem::new(
                at(s.line),
                "a `test` snippet is a whole test file (`package ...` and its tests) or a txtar archive of files",
            ));
        }
        unit.files
            .push(("snippet_test.go".to_string(), program.source));
        return Ok(unit);
    }
    unit.is_main = program.is_main;
    // A claimed deadlock is only detected when no other goroutine exists; in a merged binary
    // another snippet's imports may start one at init (os/signal, net/http ...).
    let claims_compile_error = s
        .claims
        .iter()
        .any(|c| matches!(c.kind, ClaimKind::CompileError(_) | ClaimKind::Fatal(_)));
    unit.mergeable = program.is_main
        && !a.race
        && !a.vet
        && a.go.is_none()
        && a.godebug.is_empty()
        && !claims_compile_error
        && merge::can_merge(&program.source);
    unit.files.push(("main.go".to_string(), program.source));
    Ok(unit)
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
    let selects = |f: &str, id: &str| {
        id == f
            || id
                .strip_prefix(f)
                .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('@'))
    };
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

/// The runs of one snippet, as the worker hands them over.
struct Executed {
    /// The first run, and any repeats (`varies`, or a second run before `--accept`).
    runs: Vec<Outcome>,
    work_dir: String,
    elapsed: Duration,
}

/// Builds nothing, decides nothing: runs one built snippet as often as its claims need.
fn execute(
    snippet: &Snippet,
    unit: &Unit,
    built: &Built,
    workspace: &Workspace,
    index: usize,
    settings: &Settings,
    sandbox: &Sandbox,
) -> Result<Executed, Error> {
    let started = Instant::now();
    let not_run = |class: Class, diagnostics: &str, vet: &str| Outcome {
        class,
        exit_status: None,
        stdout: String::new(),
        stderr: String::new(),
        diagnostics: diagnostics.to_string(),
        vet: vet.to_string(),
        tests: Default::default(),
        coverage: None,
        signal: None,
    };
    let done = |runs: Vec<Outcome>| Executed {
        runs,
        work_dir: workspace.path().display().to_string(),
        elapsed: started.elapsed(),
    };
    let timeout = snippet.attrs.timeout.unwrap_or(settings.timeout);
    let binary = match built {
        Built::Failed { diagnostics } => {
            return Ok(done(vec![not_run(Class::CompileError, diagnostics, "")]));
        }
        Built::Vetted(findings) if findings.trim().is_empty() => {
            return Ok(done(vec![not_run(Class::Built, "", "")]));
        }
        Built::Vetted(findings) => return Ok(done(vec![not_run(Class::Vet, "", findings)])),
        Built::Library => return Ok(done(vec![not_run(Class::Built, "", "")])),
        Built::TestPackage { dir, target } => {
            let run_dir = workspace.run_dir(index)?;
            return Ok(done(vec![go_test(
                snippet, workspace, dir, target, &run_dir, timeout, sandbox,
            )?]));
        }
        Built::Binary(_) | Built::Merged { .. } if snippet.attrs.norun => {
            return Ok(done(vec![not_run(Class::Built, "", "")]));
        }
        Built::Binary(path) => (path.clone(), None),
        Built::Merged { binary, name } => (binary.clone(), Some(name.as_str())),
    };
    let run_once = |binary: &std::path::Path, merged: Option<&str>| -> Result<Outcome, Error> {
        let mut args: Vec<String> = merged.iter().map(|n| n.to_string()).collect();
        args.extend(snippet.attrs.args.iter().cloned());
        let dir = workspace.run_dir(index)?;
        let mut exit = run(binary, &dir, timeout, &input_of(snippet, args), sandbox)?;
        if let Some(name) = merged {
            exit.stderr = merge::unmerge(
                &exit.stderr,
                "snipcheck.local",
                name,
                &workspace.dispatcher_file(),
            );
        }
        Ok(classify(exit))
    };
    let (mut binary, mut merged) = binary;
    let first = run_once(&binary, merged)?;
    // Only a run alone is the truth when the output shows the package the snippet was merged
    // as, or when it timed out: a binary that links `net` (another snippet's import) never
    // reports a deadlock, so a snippet that deadlocks hangs there and fails fast alone.
    let first = match merged {
        Some(name)
            if first.class == Class::Timeout
                || merge::shows_package(&first.stdout, name)
                || merge::shows_package(&first.stderr, name) =>
        {
            match workspace.build_alone(index, unit)? {
                Built::Binary(path) => {
                    binary = path;
                    merged = None;
                    run_once(&binary, None)?
                }
                _ => first,
            }
        }
        _ => first,
    };
    // `varies` runs until two outputs differ, at most N times; before a result is recorded it
    // runs twice, so a flaky result is refused instead of recorded.
    let limit = match snippet.attrs.varies {
        Some(0) => settings.varies_runs,
        Some(n) => n,
        None if settings.policy == Policy::Accept => 2,
        None => 1,
    };
    let mut runs: Vec<Outcome> = vec![first];
    for _ in 1..limit {
        let outcome = run_once(&binary, merged)?;
        if runs
            .first()
            .is_some_and(|first| first.stdout != outcome.stdout)
            && snippet.attrs.varies.is_some()
        {
            runs.push(outcome);
            break;
        }
        runs.push(outcome);
    }
    Ok(done(runs))
}

/// What the snippet's attributes give the process it runs as.
fn input_of(snippet: &Snippet, args: Vec<String>) -> Input {
    let mut env = snippet.attrs.env.clone();
    if !snippet.attrs.godebug.is_empty() {
        env.push(("GODEBUG".into(), snippet.attrs.godebug.join(",")));
    }
    Input {
        args,
        env,
        stdin: snippet.attrs.stdin.clone(),
    }
}

/// Runs a `test` snippet with `go test -json` and reads which tests ran and how they ended. The
/// go command builds the test binary outside the sandbox and runs it inside (`-exec`, see
/// `Sandbox::go_test`), so what it prints is go test's own report, as without a sandbox.
#[allow(clippy::too_many_arguments)]
fn go_test(
    snippet: &Snippet,
    workspace: &Workspace,
    dir: &std::path::Path,
    target: &str,
    run_dir: &std::path::Path,
    timeout: Duration,
    sandbox: &Sandbox,
) -> Result<Outcome, Error> {
    let a = &snippet.attrs;
    let mut args = vec!["-json".to_string()];
    args.push(format!("-count={}", a.count.unwrap_or(1)));
    if let Some(tags) = &a.tags {
        args.push(format!("-tags={tags}"));
    }
    if a.short {
        args.push("-short".into());
    }
    if a.cover {
        args.push("-cover".into());
    }
    if let Some(run) = &a.run {
        args.push(format!("-run={run}"));
    }
    if a.race {
        args.push("-race".into());
    }
    if claims_compile_errors(snippet) {
        args.push("-gcflags=-e".into());
    }
    args.push(target.to_string());
    let input = input_of(snippet, args);
    let go = sandbox.go_test(workspace.go(dir), run_dir, workspace.path(), &input.env)?;
    let exit = run_command(go, timeout, &input, sandbox.limits())?;
    // Go before 1.24 prints build errors as plain text on stderr; the parser keeps any line that
    // is not an event as output.
    let report = gotest::parse(&format!("{}{}", exit.stdout, exit.stderr));
    let (class, diagnostics) = if exit.timed_out {
        (Class::Timeout, String::new())
    } else if report.build_failed {
        let d = if report.build_output.trim().is_empty() {
            report.output.clone()
        } else {
            report.build_output.clone()
        };
        (Class::CompileError, d)
    } else if report.package_status == Some(TestStatus::Fail)
        || report.tests.values().any(|s| *s == TestStatus::Fail)
    {
        (Class::TestFail, String::new())
    } else if exit.code == Some(0) {
        (Class::Ok, String::new())
    } else {
        (Class::Exit, String::new())
    };
    Ok(Outcome {
        class,
        exit_status: if exit.timed_out { None } else { exit.code },
        stdout: if class == Class::CompileError {
            String::new()
        } else {
            report.output
        },
        stderr: String::new(),
        diagnostics,
        vet: String::new(),
        tests: report.tests,
        coverage: report.coverage,
        signal: None,
    })
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
    fn new(settings: &'a Settings, toolchain: &'a Toolchain) -> State<'a> {
        State {
            settings,
            toolchain,
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
        }
    }

    /// Passed before with everything that decides it unchanged (see `cache`).
    fn cached(&mut self, s: &Snippet) -> SnippetResult {
        self.summary.passed += 1;
        SnippetResult {
            snippet: s.clone(),
            status: Status::Passed,
            class: None,
            failures: Vec::new(),
            notes: Vec::new(),
            elapsed: Default::default(),
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

    fn record_of(&self, s: &Snippet, o: &Outcome, work_dir: &str) -> Record {
        let cx = normalize::Context {
            doc: s.doc.display().to_string(),
            fence_line: s.line,
            work_dir: work_dir.to_string(),
            record: true,
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
        // The document says the output varies, so the record holds none of it.
        if s.attrs.varies.is_some() {
            stdout = "(varies between runs)\n".into();
        }
        Record {
            go_version: self.toolchain.version.clone(),
            class: o.class,
            exit_status: o.exit_status,
            stdout,
            stderr: normalize(&o.stderr, &cx),
            diagnostics: normalize_diagnostics(&o.diagnostics, &cx),
            vet: normalize(&o.vet, &cx),
            tests: o.tests.clone(),
            coverage: o.coverage,
            signal: o.signal.map(signal_name),
        }
    }

    fn judge(
        &mut self,
        s: &Snippet,
        executed: Executed,
        recorded: Option<Record>,
    ) -> SnippetResult {
        let Executed {
            mut runs,
            work_dir,
            elapsed,
        } = executed;
        let outcome = runs.remove(0);
        let actual = self.record_of(s, &outcome, &work_dir);
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
        if s.attrs.varies.is_some() && !runs.iter().any(|r| r.stdout != shown.stdout) {
            failures.push(Failure {
                line: s.line,
                message: format!(
                    "`varies` does not hold: all {} runs printed the same output",
                    runs.len() + 1
                ),
                diff: None,
            });
        }
        // A result is recorded only if a second run gives the same one.
        let flaky = match runs.first() {
            Some(again) if s.attrs.varies.is_none() => {
                let second = self.record_of(s, again, &work_dir);
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
                    if policy == Policy::Locked {
                        self.unrecorded_locked += 1;
                    }
                    if policy == Policy::Verify || self.settings.write_pending {
                        notes.push(format!("pending result: {}", pending.display()));
                        self.ops.push(FileOp::Write(pending, actual));
                        self.pending += 1;
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
                    if self.settings.write_pending {
                        notes.push(format!("pending result: {}", pending.display()));
                        self.ops.push(FileOp::Write(pending, actual));
                        self.pending += 1;
                    }
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
