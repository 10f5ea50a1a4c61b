//! Snippets -> plans. What each snippet of a run will go through, decided before anything is
//! built: a snippet whose input is wrong (an attribute, a claim, an import, a record, a txtar
//! archive) is `Invalid`, with its problem, and is reported as such while the others run; the
//! others are skipped (`ignore`, `min_go`), known to pass (the result cache), or a `Job`: a build
//! unit and what its verdict will be judged against.

use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::document::attributes::FAKETIME_RACE;
use crate::document::discover;
use crate::document::extract::extract;
use crate::document::txtar;
use crate::error::{Error, Problem};
use crate::go::build::{BaseModule, Unit};
use crate::go::merge;
use crate::go::toolchain::Toolchain;
use crate::go::wrap::{self, wrap};
use crate::records::cache::{self, Cache};
use crate::records::expected::{self, Record};
use crate::sandbox::contain::Sandbox;
use crate::snippet::{ClaimKind, GoVersion, Snippet};

/// What planning made of one snippet.
pub enum Planned {
    /// Not built: something is wrong with this snippet's input (an attribute, a claim, an
    /// import, its record); reported as its error, and the run exits 2 once the others ran.
    Invalid(Problem),
    /// Not built: `ignore`, or a toolchain older than `min_go`; with the reason shown.
    Skipped(String),
    /// Passed before with everything that decides it unchanged (see `cache`); `own`: against
    /// a record of this release's own.
    Cached { own: bool },
    /// To build, run and judge.
    Job(Box<Job>),
}

pub struct Job {
    /// The files to build and how.
    pub unit: Unit,
    /// The document set's module, whose workspace builds it.
    pub base: Option<BaseModule>,
    /// What the outcome is judged against besides the claims.
    pub expect: Expectation,
}

/// What a snippet's outcome is judged against besides its claims: the committed record, and
/// the result cache's key, remembered if the snippet passes.
pub struct Expectation {
    pub record: Option<Record>,
    /// The common record (the same as `record` unless this release has one of its own): see
    /// `Record::release`. Boxed: most snippets are planned with one.
    pub common: Option<Box<Record>>,
    pub cache_key: Option<String>,
}

/// Plans every snippet, in order. A snippet whose input is wrong is planned `Invalid`, with
/// its problem, so the others still run; only a harness failure (IO, the toolchain) stops here.
pub fn plan(
    snippets: &[Snippet],
    toolchain: &Toolchain,
    settings: &Settings,
    sandbox: &Sandbox,
    cache: &Cache,
    cwd: &Path,
) -> Result<Vec<Planned>, Error> {
    let mut planned = Vec::with_capacity(snippets.len());
    for s in snippets {
        match plan_one(s, toolchain, settings, sandbox, cache, cwd) {
            Ok(p) => planned.push(p),
            Err(Error::Problems(mut ps)) if !ps.is_empty() => {
                // One problem stands for the snippet in the report; all go to the final error.
                let first = ps.remove(0);
                planned.push(Planned::Invalid(Problem::new(
                    first.at,
                    std::iter::once(first.message)
                        .chain(ps.into_iter().map(|p| format!("{}: {}", p.at, p.message)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(planned)
}

fn plan_one(
    s: &Snippet,
    toolchain: &Toolchain,
    settings: &Settings,
    sandbox: &Sandbox,
    cache: &Cache,
    cwd: &Path,
) -> Result<Planned, Error> {
    if let Some(p) = &s.problem {
        return Ok(Planned::Invalid(p.clone()));
    }
    if let Some(msg) = super::super::document::attributes::unknown_problem(
        &s.attrs.unknown,
        &settings.ignored_attributes,
    ) {
        return Ok(Planned::Invalid(Problem::new(
            format!("{}:{}", s.doc.display(), s.line),
            msg,
        )));
    }
    if let Some(reason) = skip_reason(s, toolchain) {
        return Ok(Planned::Skipped(reason));
    }
    let base = BaseModule::find(&s.doc, cwd)?;
    // The attribute, else the project's setting. Never a script: the commands it runs write
    // to its output without playback frames, and its `go` builds on the real clock.
    let faketime = !s.attrs.script && s.attrs.faketime.unwrap_or(settings.faketime);
    let path = expected::record_path(&settings.expected, &s.doc, &s.id);
    // A record reached through a link in expected/ is not the snippet's: it is read from
    // elsewhere, and would be written elsewhere.
    expected::check_path(&settings.expected, &path)?;
    // A release with an outcome of its own (the release matrix) is judged against that.
    let key = expected::release_key(toolchain.release);
    let file = expected::read(&path)?;
    let own = file.as_ref().is_some_and(|f| f.release.contains_key(&key));
    let common = file.as_ref().map(|f| Box::new(f.for_release("")));
    let record = file.map(|r| r.for_release(&key));
    // Only a snippet that passed against a record is remembered; the key covers all that could
    // change that.
    let cache_key = match &record {
        Some(r) => {
            let key = cache::key(&[
                &toolchain.version,
                &toolchain.goroot,
                &base
                    .as_ref()
                    .map_or(String::new(), |b| format!("{}\n{}", b.go_mod, b.go_sum)),
                &s.doc.display().to_string(),
                &s.id,
                &s.code,
                &format!("{:?} faketime={faketime}", s.attrs),
                &format!("{:?}", s.claims),
                &format!("{r:?}"),
                &format!("{:?} {}", settings.timeout, settings.varies_runs),
                // The [[normalize]] rules change what is compared and recorded.
                &format!("{:?}", settings.rewrites),
                // What a snippet may use, and what this system lets the sandbox enforce.
                &format!("{:?} {:?}", settings.sandbox, sandbox.mechanisms()),
                // The commands a script runs (their versions are in the go.mod above, or in
                // the tools module's); no other snippet reaches them.
                &match (&settings.tools_module, s.attrs.script) {
                    (Some(m), true) => format!("{:?}\n{}", settings.tools, m.key()),
                    _ => format!("{:?}", settings.tools),
                },
            ]);
            if cache.contains(&key) {
                return Ok(Planned::Cached { own });
            }
            Some(key)
        }
        None => None,
    };
    let mut problems = Vec::new();
    if s.attrs.race
        && let Some(why) = toolchain.race_unsupported()
    {
        problems.push(Problem::new(format!("{}:{}", s.doc.display(), s.line), why));
    }
    if s.attrs.cpus.is_some() && !sandbox.mechanisms().cpu_cgroup {
        problems.push(Problem::new(
            format!("{}:{}", s.doc.display(), s.line),
            crate::sandbox::contain::CPU_QUOTA_MISSING,
        ));
    }
    if s.attrs.race && faketime {
        // The attribute itself is refused when extracting; this is the project's setting.
        problems.push(Problem::new(
            format!("{}:{}", s.doc.display(), s.line),
            format!("{FAKETIME_RACE} (`faketime` is on for the project)"),
        ));
    }
    let unit = unit_of(s, toolchain);
    // A module of its own (a txtar go.mod) whose `go` line is above the toolchain: the go
    // command refuses it (`go.mod requires go >= 1.22`); on an older release (the matrix) the
    // snippet does not apply, as with `min_go`.
    if let Ok(u) = &unit
        && let Some(v) = u.go_mod.as_deref().and_then(go_line_of)
        && v > GoVersion(toolchain.release.0, toolchain.release.1)
    {
        return Ok(Planned::Skipped(format!(
            "needs go{v} or newer (the `go` line of its go.mod); this is {}",
            toolchain.version
        )));
    }
    let unit = match unit {
        Ok(mut u) => {
            u.faketime = faketime;
            // The project's `[sandbox] env` may pass snipcheck's own GOTRACEBACK through: as
            // with the snippet's `env=`, a merged run would then lose the trace `shows_init`
            // reads.
            u.mergeable &= !sandbox.passes("GOTRACEBACK");
            // What the (unsandboxed) build would expose: cgo, includes, replaces.
            if let Some(why) = crate::sandbox::limits::build_refusal(&u.files, settings.sandbox.cgo)
            {
                problems.push(Problem::new(format!("{}:{}", s.doc.display(), s.line), why));
            }
            Some(u)
        }
        Err(p) => {
            problems.push(p);
            None
        }
    };
    match unit {
        Some(unit) if problems.is_empty() => Ok(Planned::Job(Box::new(Job {
            unit,
            base,
            expect: Expectation {
                record,
                common,
                cache_key,
            },
        }))),
        _ => Err(Error::Problems(problems)),
    }
}

/// Why a snippet is not built at all: `ignore`, or a toolchain older than its `min_go`.
fn skip_reason(s: &Snippet, toolchain: &Toolchain) -> Option<String> {
    if let Some(reason) = &s.attrs.ignore {
        return Some(reason.clone());
    }
    let have = GoVersion(toolchain.release.0, toolchain.release.1);
    // A `go` line newer than the toolchain would make the go command refuse the module (or,
    // with another GOTOOLCHAIN, fetch a newer Go): on an older release (the release matrix)
    // the snippet does not apply, which is said, not failed.
    match s.attrs.min_go.max(s.attrs.go) {
        Some(min) if have < min => Some(format!(
            "needs go{min} or newer; this is {}",
            toolchain.version
        )),
        _ => None,
    }
}

/// The `go` line of a txtar snippet's own go.mod (a script's too: its files follow its
/// commands), if it has one.
pub fn own_go_line(s: &Snippet) -> Option<GoVersion> {
    if !s.attrs.script && !txtar::is_archive(&s.code) {
        return None;
    }
    let archive = txtar::parse(&s.code).ok()?;
    let go_mod = archive.files.iter().find(|f| f.name == "go.mod")?;
    go_line_of(&go_mod.data)
}

/// The `go` line of a go.mod (`go 1.22`, `go 1.22.3` -> 1.22).
fn go_line_of(go_mod: &str) -> Option<GoVersion> {
    go_mod
        .lines()
        .find_map(|l| l.trim().strip_prefix("go ").map(str::trim))
        .and_then(GoVersion::parse)
}

/// Whether the snippet claims compile errors: then it is compiled with `-e` (`Unit::all_errors`).
pub fn claims_compile_errors(s: &Snippet) -> bool {
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
    if a.script {
        return crate::go::testscript::unit(s);
    }
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
        // Without a traceback, a neighbour's panic while the binary is initialised cannot be
        // told from its own (`merge::shows_init`).
        && !a.env.iter().any(|(k, _)| k == "GOTRACEBACK")
        && merge::can_merge(&program.source);
    unit.files.push(("main.go".to_string(), program.source));
    Ok(unit)
}

/// The documents' snippets, narrowed by `--filter`, and a warning for each filter that selects
/// nothing. A filter is read as `go test -run` reads its pattern, with one exception for the ids
/// people already type: a filter that is some snippet's id (`1028`) selects that snippet and its
/// siblings (`1028-2`, `1028@go1.21`) and nothing else, though `1028` as a pattern would also
/// match `10280`; any other filter is a Go regexp matched anywhere in an id, unanchored as Go
/// matches it (`^102[0-4]$`, `1028|1031`, `-2$`). A filter that selects nothing is a warning,
/// not an error, as `go test -run` warns "no tests to run" and passes.
pub fn load_snippets(
    paths: &[PathBuf],
    filters: &[String],
) -> Result<(Vec<Snippet>, Vec<String>), Error> {
    let mut problems = Vec::new();
    let mut snippets = Vec::new();
    for path in paths {
        let found = discover::read(path).and_then(|d| extract(&d.path, &d.text));
        match found {
            Ok(s) => snippets.extend(s),
            Err(Error::Problems(ps)) => problems.extend(ps),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    if snippets.is_empty() {
        // Documents without a Go block: a run that checks nothing must not look like a pass.
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::at(
            names.join(", "),
            "no ```go (or ```golang) block in these documents, so nothing would be checked; \
             check the paths, or the `documents` list in snipcheck.toml",
        ));
    }
    if filters.is_empty() {
        return Ok((snippets, Vec::new()));
    }
    let sibling = |f: &str, id: &str| {
        id == f
            || id
                .strip_prefix(f)
                .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('@'))
    };
    enum Filter {
        Id(String),
        Pattern(regex::Regex),
    }
    let mut chosen = Vec::new();
    for f in filters {
        if snippets.iter().any(|s| s.id == *f) {
            chosen.push(Filter::Id(f.clone()));
            continue;
        }
        let re = crate::claims::goregexp::compile(f).map_err(|e| {
            Error::Other(format!(
                "--filter `{f}` is no snippet's id and not a valid Go regexp: {e}"
            ))
        })?;
        chosen.push(Filter::Pattern(re));
    }
    let selects = |f: &Filter, id: &str| match f {
        Filter::Id(f) => sibling(f, id),
        Filter::Pattern(re) => re.is_match(id),
    };
    let warnings = filters
        .iter()
        .zip(&chosen)
        .filter(|(_, f)| !snippets.iter().any(|s| selects(f, &s.id)))
        .map(|(name, _)| {
            format!(
                "no snippet matches --filter `{name}` (ids are the item numbers of the \
                 headings, or id=NAME; a filter is an id or a Go regexp over them)"
            )
        })
        .collect();
    snippets.retain(|s| chosen.iter().any(|f| selects(f, &s.id)));
    Ok((snippets, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripts_own_go_line_counts_as_an_archives() {
        let doc = "# D\n\n```testscript\nexec go build .\n-- go.mod --\nmodule m\n\ngo 1.22\n-- main.go --\npackage main\nfunc main() {}\n```\n\n```go\n-- go.mod --\nmodule m\n\ngo 1.23\n-- main.go --\npackage main\nfunc main() {}\n```\n\n```go\nfmt.Println(1)\n```\n";
        let snippets = extract(Path::new("doc.md"), doc).unwrap();
        let lines: Vec<Option<GoVersion>> = snippets.iter().map(own_go_line).collect();
        assert_eq!(
            lines,
            vec![Some(GoVersion(1, 22)), Some(GoVersion(1, 23)), None]
        );
    }
}
