//! `snipcheck verify`: the command that carries each snippet through the stages, in order:
//!
//! ```text
//! documents --discover/extract/variants--> Snippet
//!   --plan--> Planned (Invalid | Skipped | Cached | Job) a snippet's input problems, found first
//!   --build--> Ready (a Job's unit, built in its workspace, merged or not)
//!   --execute (workers, contained)--> Executed (the runs' outcomes)
//!   --judge (main thread)--> SnippetResult (the verdict, reported at once) + what to write
//! ```
//!
//! Each arrow is a call into the stage that owns the type it makes: `document`, `plan`, `go`'s
//! `build`, `execute`, `judge`; the reporters only see `SnippetResult`s. Files are written only
//! after every snippet has run, so a harness error writes nothing; a run with input problems
//! writes the results of the snippets that ran and then exits 2.

pub mod bisect;
pub mod execute;
pub mod judge;
pub mod plan;
pub mod progress;
mod queue;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use crate::config::{Policy, Settings};
use crate::document::discover;
use crate::document::variants::expand_versions;
use crate::error::{Error, Problem};
use crate::go::build::{BaseModule, Built, Unit, Workspace};
use crate::go::releases;
use crate::go::toolchain::Toolchain;
use crate::records::cache::{self, Cache};
use crate::report::matrix::Matrix;
use crate::report::{Event, Reporter, Status};
use crate::sandbox::contain::Sandbox;
use crate::sandbox::interrupt::{self, Registration};
use crate::snippet::{GoVersion, Snippet};

use execute::{Executed, execute};
use judge::Judge;
use plan::{Expectation, Planned, load_snippets, plan};
use progress::Progress;
use queue::Queue;

/// A job built and ready to run: what a worker needs, owned, so workers and the main thread
/// share nothing mutable.
struct Ready {
    /// The snippet's position in the run, which is its place in the report.
    index: usize,
    unit: Unit,
    /// Which workspace built it.
    workspace: usize,
    /// Its build if it was linked merged; otherwise it is built alone by its worker.
    merged: Option<Built>,
    /// Its build is one the workspace defers (`Workspace::deferred`), not in yet.
    deferred: bool,
}

/// Where each snippet is, seen from the main thread, while the workers run.
enum Slot {
    Invalid(Problem),
    Skipped(String),
    /// `true`: against a record of this release's own.
    Cached(bool),
    /// Built and running; judged against this when its execution comes in.
    Awaiting(Box<Expectation>),
    Reported,
}

/// Runs a whole verification and reports it. `Ok(true)` when every claim and record holds.
/// With a release list (`--go 1.21,1.22`), every snippet runs under each release in turn, newest
/// first, and the report ends with the release matrix.
pub fn verify(settings: &Settings, reporter: &mut dyn Reporter) -> Result<bool, Error> {
    let started = Instant::now();
    let paths = discover::discover(&settings.documents)?;
    let toolchains = releases::toolchains(&settings.go, &settings.releases)?;
    let matrix = !settings.releases.is_empty();
    // Every variant (`ID@go1.21`) is a snippet of its own, in a partition of its own.
    let (loaded, warnings) = load_snippets(&paths, &settings.filters)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if loaded.is_empty() {
        // As `go test -run` with a pattern that matches nothing: a warning, and a pass.
        eprintln!("warning: no snippets to run");
    }
    // Each release's snippets: its variants, held to the claims about that release.
    let mut passes = Vec::with_capacity(toolchains.len());
    for t in &toolchains {
        let all = expand_versions(loaded.clone(), GoVersion(t.release.0, t.release.1))?;
        passes.push(for_release(all, t));
    }
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the working directory", e))?;
    let mut cache = if settings.cache && settings.policy != Policy::Accept {
        Cache::open(cache::default_dir())
    } else {
        Cache::off()
    };
    let sandbox = Sandbox::new(&settings.sandbox);
    let selected: Vec<Vec<Snippet>> = passes
        .iter()
        .map(|all| crate::partition::select(all, settings.partition.as_ref()))
        .collect();
    let versions: Vec<String> = toolchains.iter().map(|t| t.version.clone()).collect();
    reporter
        .event(Event::Started {
            snippets: selected.iter().map(Vec::len).sum(),
            documents: paths.len(),
            go_version: &versions.join(", "),
        })
        .map_err(|e| Error::io("cannot write the report", e))?;
    let mut judge = Judge::new(settings, &toolchains[0]);
    if matrix {
        judge.matrix = Some(Matrix::new(versions.clone()));
    }
    let mut problems = Vec::new();
    for (i, (toolchain, snippets)) in toolchains.iter().zip(&selected).enumerate() {
        // The newest release's outcome is the common record, except in a run on one release
        // of a list (a CI job of the release matrix): that one changes only its own.
        judge.use_toolchain(toolchain, i == 0 && (!matrix || toolchains.len() > 1));
        if matrix {
            eprintln!(
                "running {} snippets under {}",
                snippets.len(),
                toolchain.version
            );
        }
        problems.extend(run_pass(
            snippets, toolchain, settings, &sandbox, &mut cache, &cwd, &mut judge, reporter,
        )?);
        if settings.fail_fast && judge.summary.failed > 0 {
            break;
        }
    }
    // Orphans concern the whole set: one partition (the first) checks them against every snippet.
    if settings.filters.is_empty() && settings.partition.is_none_or(|p| p.checks_orphans()) {
        let every: Vec<Snippet> = passes.into_iter().flatten().collect();
        judge.orphans(&paths, &every, reporter)?;
    }
    // The snippets that ran get their records and pending results (the report said so); the
    // ones with input problems have none, and the run exits 2 below.
    judge.write_files()?;
    cache.save();
    if let Some(mut m) = judge.matrix.take() {
        m.sort();
        reporter
            .event(Event::Matrix(&m))
            .map_err(|e| Error::io("cannot write the report", e))?;
    }
    judge.summary.elapsed = started.elapsed();
    judge.advise();
    reporter
        .event(Event::Summary(&judge.summary))
        .map_err(|e| Error::io("cannot write the report", e))?;
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    Ok(judge.summary.failed == 0)
}

/// The snippets as release `t` runs them: each held to the claims about that release (`before
/// go1.22`, `from go1.22`) and to those about every release.
pub fn for_release(snippets: Vec<Snippet>, t: &Toolchain) -> Vec<Snippet> {
    let v = releases::parse_version(&t.version).unwrap_or((t.release.0, t.release.1, u32::MAX));
    claims_for_release(snippets, v)
}

/// The snippets with only the claims about release `v` (and those about every release).
pub fn claims_for_release(snippets: Vec<Snippet>, v: (u32, u32, u32)) -> Vec<Snippet> {
    snippets
        .into_iter()
        .map(|mut s| {
            s.claims
                .retain(|c| c.release.is_none_or(|r| r.holds_for(v)));
            s
        })
        .collect()
}

/// One release's pass: plan, build, run and judge `snippets` with `toolchain`, reporting each
/// result as it comes in. The input problems found, for the run's final error.
#[allow(clippy::too_many_arguments)]
fn run_pass(
    snippets: &[Snippet],
    toolchain: &Toolchain,
    settings: &Settings,
    sandbox: &Sandbox,
    cache: &mut Cache,
    cwd: &Path,
    judge: &mut Judge,
    reporter: &mut dyn Reporter,
) -> Result<Vec<Problem>, Error> {
    let planned = plan(snippets, toolchain, settings, sandbox, cache, cwd)?;
    let jobs = planned
        .iter()
        .filter(|p| matches!(p, Planned::Job(_)))
        .count();
    // What the sandbox cannot enforce matters only when something runs.
    if jobs > 0 {
        sandbox.warn();
    }
    let progress = Progress::new(jobs);
    progress.message("building");
    let Builds {
        mut slots,
        ready,
        workspaces,
        deferred,
        removed_if_interrupted: _held_until_the_end,
    } = build(planned, toolchain, settings, cwd)?;

    progress.message("building and running");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    // `None`: not started, because `--fail-fast` saw a failure first.
    let (tx, rx) = mpsc::channel::<(usize, Option<Result<Executed, Error>>)>();
    let stop = AtomicBool::new(false);
    let queue = Queue::new(ready, deferred.len());
    let problems = std::thread::scope(|scope| -> Result<Vec<Problem>, Error> {
        let (workspaces, queue, pool, stop) = (&workspaces, &queue, &pool, &stop);
        for (ws, units) in &deferred {
            scope.spawn(move || {
                let units: Vec<(usize, &Unit)> = units.iter().map(|(i, u)| (*i, u)).collect();
                queue.built(workspaces[*ws].build_deferred(&units).ok());
            });
        }
        scope.spawn(move || {
            pool.scope(|s| {
                for _ in 0..settings.jobs.max(1) {
                    let tx = tx.clone();
                    s.spawn(move |_| {
                        while let Some(r) = queue.next() {
                            if stop.load(Ordering::SeqCst) {
                                let _ = tx.send((r.index, None));
                                continue;
                            }
                            let ws = &workspaces[r.workspace];
                            let s = &snippets[r.index];
                            let executed = match &r.merged {
                                Some(b) => execute(s, &r.unit, b, ws, r.index, settings, sandbox),
                                None => ws.build_alone(r.index, &r.unit).and_then(|b| {
                                    execute(s, &r.unit, &b, ws, r.index, settings, sandbox)
                                }),
                            };
                            let _ = tx.send((r.index, Some(executed)));
                        }
                    });
                }
                drop(tx);
            })
        });
        let mut reported = Reported {
            snippets,
            slots: &mut slots,
            waiting: BTreeMap::new(),
            judge,
            cache,
            progress: &progress,
            reporter,
            problems: Vec::new(),
            stop: settings.fail_fast.then_some(stop),
        };
        let streaming = {
            use std::io::IsTerminal;
            std::io::stdout().is_terminal()
        };
        if streaming {
            // A person at a terminal sees each result as soon as it is in; a slow snippet
            // holds up nothing but itself.
            for i in 0..snippets.len() {
                if !matches!(reported.slots[i], Slot::Awaiting(_)) {
                    reported.report(i)?;
                }
            }
            for (i, r) in rx {
                reported.came_in(i, r)?;
                reported.report(i)?;
            }
        } else {
            // Logs, pipes and files get document order, so the report is the same on every
            // run: a result is written as soon as every earlier one is.
            let mut next = 0;
            while next < snippets.len() && reported.report(next)? {
                next += 1;
            }
            for (i, r) in rx {
                reported.came_in(i, r)?;
                while next < snippets.len() && reported.report(next)? {
                    next += 1;
                }
            }
        }
        Ok(reported.problems)
    })?;
    progress.finish();
    Ok(problems)
}

/// What the build stage hands on: each snippet's slot, the jobs ready to run (in document
/// order), the workspaces, and the registrations that remove them if the run is interrupted
/// (held until the run ends).
struct Builds {
    slots: Vec<Slot>,
    ready: Vec<Ready>,
    workspaces: Vec<Workspace>,
    /// Per workspace (by index), the units whose build it defers until the others run.
    deferred: Vec<(usize, Vec<(usize, Unit)>)>,
    removed_if_interrupted: Vec<Registration>,
}

/// Builds the jobs: one workspace per document-set module (almost always just one), where the
/// mergeable snippets are linked together and the rest built in one go; what is not linked
/// merged is built alone by its worker.
fn build(
    planned: Vec<Planned>,
    toolchain: &Toolchain,
    settings: &Settings,
    cwd: &Path,
) -> Result<Builds, Error> {
    let mut slots = Vec::with_capacity(planned.len());
    let mut groups: BTreeMap<Option<BaseModule>, Vec<(usize, Unit)>> = BTreeMap::new();
    for (i, p) in planned.into_iter().enumerate() {
        slots.push(match p {
            Planned::Invalid(p) => Slot::Invalid(p),
            Planned::Skipped(reason) => Slot::Skipped(reason),
            Planned::Cached { own } => Slot::Cached(own),
            Planned::Job(job) => {
                let job = *job;
                groups.entry(job.base).or_default().push((i, job.unit));
                Slot::Awaiting(Box::new(job.expect))
            }
        });
    }
    let mut workspaces = Vec::new();
    let mut cleanups = Vec::new();
    let mut ready = Vec::new();
    let mut deferred = Vec::new();
    for (base, members) in groups {
        let mut ws = Workspace::new(
            toolchain,
            base.as_ref(),
            stable_place(cwd, &base, toolchain).as_deref(),
        )?;
        // Interrupted, every workspace is removed with everything in it.
        cleanups.push(interrupt::remove_on_interrupt(ws.path()));
        ws.merging = settings.merge;
        if members.iter().any(|(_, u)| u.script) {
            // A tools module is built with the installed go, whatever release this pass (or a
            // bisect probe, whose settings name no release list) is on.
            let installed = match &settings.tools_module {
                Some(_) if toolchain.go == settings.go => Some(toolchain.clone()),
                Some(_) => Some(Toolchain::probe(&settings.go)?),
                None => None,
            };
            let own = settings.tools_module.as_ref().zip(installed.as_ref());
            ws.prepare_scripts(&settings.tools, own, settings.sandbox.cgo)?;
        }
        let batch: Vec<(usize, &Unit)> = members.iter().map(|(i, u)| (*i, u)).collect();
        let mut merged = ws.build_together(&batch)?;
        let mut later = Vec::new();
        for (index, unit) in members {
            let is_deferred = ws.deferred(&unit);
            if is_deferred {
                later.push((index, unit.clone()));
            }
            ready.push(Ready {
                index,
                deferred: is_deferred,
                unit,
                workspace: workspaces.len(),
                merged: merged.remove(&index),
            });
        }
        if !later.is_empty() {
            deferred.push((workspaces.len(), later));
        }
        workspaces.push(ws);
    }
    ready.sort_by_key(|r| r.index);
    Ok(Builds {
        slots,
        ready,
        workspaces,
        deferred,
        removed_if_interrupted: cleanups,
    })
}

/// The main thread's reporting of results as they come in: each snippet is judged (or reported
/// skipped or cached) once, and handed to the reporter.
struct Reported<'a, 'j> {
    snippets: &'a [Snippet],
    slots: &'a mut Vec<Slot>,
    /// Executions that came in before an earlier snippet's (document order).
    waiting: BTreeMap<usize, Executed>,
    judge: &'a mut Judge<'j>,
    cache: &'a mut Cache,
    progress: &'a Progress,
    reporter: &'a mut dyn Reporter,
    /// The input problems reported so far, for the run's final error.
    problems: Vec<Problem>,
    /// With `--fail-fast`: set at the first failure, so the workers start nothing more.
    stop: Option<&'a AtomicBool>,
}

/// Why a snippet did not run under `--fail-fast`.
const NOT_RUN: &str = "not run: --fail-fast stopped the run at the first failure";

impl Reported<'_, '_> {
    /// A worker's answer for snippet `i`: its execution, or that it was not started.
    fn came_in(&mut self, i: usize, r: Option<Result<Executed, Error>>) -> Result<(), Error> {
        match r {
            // A run whose output was not what its build writes (a `faketime` program's output
            // past the runtime) is that snippet's problem: reported at its line, like an input
            // problem, while the others run.
            Some(Err(Error::Problems(mut ps))) if !ps.is_empty() => {
                let first = ps.remove(0);
                let message = std::iter::once(first.message)
                    .chain(ps.into_iter().map(|p| format!("{}: {}", p.at, p.message)))
                    .collect::<Vec<_>>()
                    .join("\n");
                self.slots[i] = Slot::Invalid(Problem::new(first.at, message));
            }
            Some(executed) => {
                self.waiting.insert(i, executed?);
            }
            None => self.slots[i] = Slot::Skipped(NOT_RUN.to_string()),
        }
        Ok(())
    }

    /// Reports snippet `i`: `Ok(false)` when it has not run yet.
    fn report(&mut self, i: usize) -> Result<bool, Error> {
        let s = &self.snippets[i];
        let result = match std::mem::replace(&mut self.slots[i], Slot::Reported) {
            Slot::Invalid(problem) => {
                let result = self.judge.invalid(s, &problem);
                self.problems.push(problem);
                result
            }
            Slot::Skipped(reason) => self.judge.skipped(s, &reason),
            Slot::Cached(own) => self.judge.cached(s, own),
            Slot::Awaiting(expect) => match self.waiting.remove(&i) {
                Some(executed) => {
                    let result = self.judge.judge(s, executed, expect.record, expect.common);
                    if let (Status::Passed, Some(key)) = (&result.status, expect.cache_key) {
                        self.cache.insert(key);
                    }
                    result
                }
                None => {
                    self.slots[i] = Slot::Awaiting(expect);
                    return Ok(false);
                }
            },
            Slot::Reported => return Ok(true),
        };
        if result.class.is_some() {
            self.progress.tick();
        }
        if result.status == Status::Failed
            && let Some(stop) = self.stop
        {
            stop.store(true, Ordering::SeqCst);
        }
        let reporter = &mut self.reporter;
        self.progress
            .suspend(|| reporter.event(Event::Finished(&result)))
            .map_err(|e| Error::io("cannot write the report", e))?;
        Ok(true)
    }
}

/// Where the workspace of a project's document set (by working directory and `go.mod`) lives
/// from run to run, so that the go command's build cache, whose keys include package
/// directories, hits on the next run; per release (the matrix). The result cache (`--no-cache`) is another matter: this
/// is only a path, emptied after every run but for its binaries.
fn stable_place(cwd: &Path, base: &Option<BaseModule>, toolchain: &Toolchain) -> Option<PathBuf> {
    let module = base
        .as_ref()
        .map_or(String::new(), |b| b.path.display().to_string());
    // One per release too: a matrix run builds each release's binaries (merged ones
    // included) in a place of its own, so the next run finds them all.
    let key = cache::key(&[&cwd.display().to_string(), &module, &toolchain.version]);
    Some(crate::go::build::stable_root()?.join(format!("work-{}", &key[..16])))
}
