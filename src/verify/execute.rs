//! Built snippets -> executions. A worker runs one built snippet, contained, as often as its
//! claims need (once; until two outputs differ for `varies`; twice before a result is recorded)
//! and hands the outcomes over; it decides nothing. A snippet that was linked into the merged
//! binary and whose run shows it (its package name, a timeout) is built and run alone.

use std::time::{Duration, Instant};

use crate::config::{Policy, Settings};
use crate::error::{Error, Problem};
use crate::go::build::{Built, Unit, Workspace};
use crate::go::gotest;
use crate::go::merge;
use crate::sandbox::contain::Sandbox;
use crate::sandbox::run::{Input, classify, run, run_command};
use crate::snippet::{Class, Outcome, Snippet, TestStatus};

/// The runs of one snippet, as the worker hands them over.
pub struct Executed {
    /// The first run, and any repeats (`varies`, or a second run before `--accept`).
    pub runs: Vec<Outcome>,
    pub work_dir: String,
    pub elapsed: Duration,
}

/// Builds nothing, decides nothing: runs one built snippet as often as its claims need.
pub fn execute(
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
                snippet, unit, workspace, dir, target, &run_dir, timeout, sandbox,
            )?]));
        }
        Built::Binary(_) | Built::Merged { .. } if snippet.attrs.norun => {
            return Ok(done(vec![not_run(Class::Built, "", "")]));
        }
        Built::Binary(path) => (path.clone(), None),
        Built::Merged { binary, entry } => (binary.clone(), Some(entry)),
    };
    // The outcome, and whether a merged run's stderr shows a package of the binary being
    // initialised (read before `unmerge` makes a neighbour's frames look like its own).
    let run_once = |binary: &std::path::Path,
                    merged: Option<&merge::Entry>|
     -> Result<(Outcome, bool), Error> {
        let mut args: Vec<String> = merged.iter().map(|e| e.key.clone()).collect();
        args.extend(snippet.attrs.args.iter().cloned());
        let dir = workspace.run_dir(index)?;
        let input = input_of(snippet, unit, args);
        let mut exit = run(binary, &snippet.id, &dir, timeout, &input, sandbox)
            .map_err(|e| at_snippet(snippet, e))?;
        let mut in_init = false;
        if let Some(entry) = merged {
            in_init = merge::shows_init(&exit.stderr, "snipcheck.local");
            exit.stderr = merge::unmerge(
                &exit.stderr,
                "snipcheck.local",
                entry,
                &workspace.dispatcher_file(binary),
            );
        }
        Ok((classify(exit), in_init))
    };
    let (mut binary, mut merged) = binary;
    let (first, in_init) = run_once(&binary, merged)?;
    // Only a run alone is the truth when the output shows the package the snippet was merged
    // as, or when it timed out: a binary that links `net` (another snippet's import) never
    // reports a deadlock, so a snippet that deadlocks hangs there and fails fast alone. So is
    // it when a package of the binary failed while it was initialised: every snippet's
    // package-level variables are initialised in every process of the binary, so a
    // neighbour's `var b = a[0]` panics in this snippet's process too.
    let first = match merged {
        Some(entry)
            if first.class == Class::Timeout
                || in_init
                || merge::shows_package(&first.stdout, &entry.package)
                || merge::shows_package(&first.stderr, &entry.package) =>
        {
            match workspace.build_alone(index, unit)? {
                Built::Binary(path) => {
                    binary = path;
                    merged = None;
                    run_once(&binary, None)?.0
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
        let (outcome, _) = run_once(&binary, merged)?;
        if runs
            .first()
            .is_some_and(|first| first.stdout != outcome.stdout || first.stderr != outcome.stderr)
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
fn input_of(snippet: &Snippet, unit: &Unit, args: Vec<String>) -> Input {
    let mut env = snippet.attrs.env.clone();
    if !snippet.attrs.godebug.is_empty() {
        env.push(("GODEBUG".into(), snippet.attrs.godebug.join(",")));
    }
    // The Playground's local time is UTC; so is a `faketime` run's, unless the snippet sets TZ,
    // so that `time.Now()` prints the same on every machine, whatever zone it is in.
    if unit.faketime && !env.iter().any(|(k, _)| k == "TZ") {
        env.push(("TZ".into(), "UTC".into()));
    }
    Input {
        args,
        env,
        stdin: snippet.attrs.stdin.clone(),
        playback: unit.faketime,
        cpus: snippet.attrs.cpus,
    }
}

/// A run's output that is not what a `faketime` build writes is this snippet's problem, at its
/// line: the others still run, and the run exits 2 at the end.
fn at_snippet(snippet: &Snippet, e: Error) -> Error {
    match e {
        Error::Problems(ps) => Error::Problems(
            ps.into_iter()
                .map(|p| {
                    Problem::new(
                        format!("{}:{}", snippet.doc.display(), snippet.line),
                        format!("{}: {}", p.at, p.message),
                    )
                })
                .collect(),
        ),
        e => e,
    }
}

/// Whether a script held: only when its driver says so, the package passed, the script's test
/// passed and go test exited 0. A driver that crashed (out of memory, a signal) or whose report
/// broke off has not checked the script's lines, however far its log got: that is a failure,
/// never a pass.
fn script_class(report: &gotest::Report, code: Option<i32>) -> Class {
    let held = code == Some(0)
        && report.package_status == Some(TestStatus::Pass)
        && report.tests.get("TestScript") == Some(&TestStatus::Pass)
        && report.tests.values().all(|s| *s != TestStatus::Fail);
    if held { Class::Ok } else { Class::TestFail }
}

/// The flags of a `test` snippet's `go test` that change what is compiled (besides the tags,
/// which `build::clock` adds): its run and `compile_tests` must compile the same test binary.
fn compile_flags(snippet: &Snippet) -> Vec<&'static str> {
    let a = &snippet.attrs;
    let mut flags = Vec::new();
    if a.cover {
        flags.push("-cover");
    }
    if a.race {
        flags.push("-race");
    }
    if super::plan::claims_compile_errors(snippet) {
        flags.push("-gcflags=-e");
    }
    flags
}

/// How long compiling a test binary before its run may take (`compile_tests`).
const TEST_COMPILE_LIMIT: Duration = Duration::from_secs(600);

/// Compiles a `test` snippet's test binaries (`go test -c`, with every flag that changes what is
/// compiled) before its timed `go test`, so that the snippet's timeout measures its tests and
/// not a cold build of what it imports: on a fresh machine, `testing` and a module's packages
/// take longer to compile than the default timeout. Its outcome is not used: the timed `go test`
/// then links from the build cache, and reports a compile error itself.
fn compile_tests(
    workspace: &Workspace,
    dir: &std::path::Path,
    unit: &Unit,
    snippet: &Snippet,
    target: &str,
    run_dir: &std::path::Path,
) {
    let a = &snippet.attrs;
    let out = run_dir.join("compiled-tests");
    let mut go = workspace.go(dir);
    go.arg("test");
    crate::go::build::clock(&mut go, unit.faketime, a.tags.as_deref());
    // `-o` a folder: one binary per package, as `target` may name several (Go 1.21+).
    go.arg("-c").arg("-o").arg(format!("{}/", out.display()));
    go.args(compile_flags(snippet)).arg(target);
    let _ = crate::go::toolchain::output_within(go, TEST_COMPILE_LIMIT);
    let _ = std::fs::remove_dir_all(&out);
}

/// Runs a `test` snippet with `go test -json` and reads which tests ran and how they ended. The
/// go command builds the test binary outside the sandbox and runs it inside (`-exec`, see
/// `Sandbox::go_test`), so what it prints is go test's own report, as without a sandbox.
#[allow(clippy::too_many_arguments)]
fn go_test(
    snippet: &Snippet,
    unit: &Unit,
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
    if unit.faketime {
        // The test binary's alarm (`-test.timeout`, 10 minutes) is a timer like any other: on
        // the fake clock, a test that sleeps longer would jump to it and fail as timed out.
        // snipcheck's own timeout stops a test that hangs.
        args.push("-timeout=0".into());
    }
    if a.short {
        args.push("-short".into());
    }
    if let Some(run) = &a.run {
        args.push(format!("-run={run}"));
    }
    args.extend(compile_flags(snippet).into_iter().map(String::from));
    args.push(target.to_string());
    let mut input = input_of(snippet, unit, args);
    // The go command's own output is not framed: `exec_main` decodes the test binary's frames
    // before go test reads them.
    input.playback = false;
    if !a.script {
        compile_tests(workspace, dir, unit, snippet, target, run_dir);
    }
    let mut go = workspace.go(dir);
    go.arg("test");
    crate::go::build::clock(&mut go, unit.faketime, a.tags.as_deref());
    // What the contained test binary gets; the go command that builds it keeps its own.
    let mut inside = input.env.clone();
    let mut shown = crate::sandbox::contain::Shown::default();
    if a.script {
        let scripts = workspace.scripts.as_ref().ok_or_else(|| {
            Error::Other("a testscript block ran in a workspace not prepared for scripts".into())
        })?;
        // The driver is compiled into the scripts' cache (`prepare_scripts`): it links in a
        // second, and the timeout is the script's.
        go.env("GOCACHE", &scripts.gocache);
        let names: Vec<String> = a.env.iter().map(|(k, _)| k.clone()).collect();
        inside.extend(scripts.env(&names));
        shown = scripts.shown();
    }
    let binary = crate::sandbox::contain::TestBinary {
        playback: unit.faketime,
        cpus: input.cpus,
    };
    let go = sandbox.go_test(go, run_dir, workspace.path(), &inside, &shown, binary)?;
    let exit = run_command(go, timeout, &input, sandbox.limits())?;
    // Go before 1.24 prints build errors as plain text on stderr; the parser keeps any line that
    // is not an event as output.
    let report = gotest::parse(&format!("{}{}", exit.stdout, exit.stderr));
    // The test binary's output was not playback frames (see `exec_main`): as for a program,
    // that is this snippet's problem, not a verdict on output that cannot be told apart.
    let marker = format!("snipcheck: {}", crate::sandbox::contain::FAKETIME_PROBLEM);
    if let Some(line) = report.output.lines().find(|l| l.starts_with(&marker)) {
        return Err(at_snippet(
            snippet,
            Error::Problems(vec![Problem::new(
                "go test",
                line.trim_start_matches("snipcheck: "),
            )]),
        ));
    }
    if a.script && !exit.timed_out && !report.build_failed {
        // The script's log is its outcome; whether it held is whether testscript failed it.
        let script = crate::go::testscript::read_log(&report.output);
        return Ok(Outcome {
            class: script_class(&report, exit.code),
            exit_status: exit.code,
            // A driver that failed without a log (it could not start) shows go test's report.
            stdout: if script.trim().is_empty() {
                report.output
            } else {
                script
            },
            stderr: String::new(),
            diagnostics: String::new(),
            vet: String::new(),
            tests: Default::default(),
            coverage: None,
            signal: None,
        });
    }
    let (class, diagnostics) = if exit.timed_out {
        (Class::Timeout, String::new())
    } else if report.build_failed {
        let d = if report.build_output.trim().is_empty() {
            // Go before 1.24: the errors are plain output, followed by go test's own summary
            // (`FAIL\tpkg [build failed]`), which is no error of the snippet's and names no line.
            let mut d: String = report
                .output
                .lines()
                .filter(|l| !gotest::is_build_failure_summary(l))
                .map(|l| format!("{l}\n"))
                .collect();
            if !report.output.ends_with('\n') && d.ends_with('\n') {
                d.pop();
            }
            d
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_holds_only_when_its_driver_says_so() {
        let passed = gotest::parse(
            "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestScript\"}\n{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestScript\"}\n{\"Action\":\"pass\",\"Package\":\"p\"}\n",
        );
        assert_eq!(script_class(&passed, Some(0)), Class::Ok);
        // The driver crashed: its log broke off, with no verdict for the script or the package.
        let crashed = gotest::parse(
            "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestScript\"}\n{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestScript\",\"Output\":\"fatal error: runtime: out of memory\\n\"}\n",
        );
        assert_eq!(script_class(&crashed, Some(1)), Class::TestFail);
        assert_eq!(script_class(&crashed, Some(0)), Class::TestFail);
        // A pass that go test's exit status contradicts is no pass either.
        assert_eq!(script_class(&passed, Some(2)), Class::TestFail);
    }
}
