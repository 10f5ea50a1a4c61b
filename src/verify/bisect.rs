//! `snipcheck bisect ID`: the first Go release on which a snippet's outcome differs from the
//! oldest one's. In: a snippet id and a range of minors. Out: both outcomes and the release
//! where they change, found by binary search over the latest patch of each minor the module
//! proxy serves (each probe builds and runs the snippet, as `verify` does, under that release;
//! nothing is written). Like `git bisect`, it assumes one change in the range.

use std::io::Write;
use std::path::Path;

use crate::config::Settings;
use crate::document::variants::expand_versions;
use crate::error::Error;
use crate::go::releases::{self, Fetcher, MIN_RELEASE};
use crate::go::toolchain::Toolchain;
use crate::records::cache::Cache;
use crate::report::{Event, Reporter};
use crate::sandbox::contain::Sandbox;
use crate::snippet::{GoVersion, Snippet};

use super::judge::Judge;
use super::plan::load_snippets;

/// Reports nothing: bisect prints its own lines.
struct Quiet;

impl Reporter for Quiet {
    fn event(&mut self, _: Event<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the bisection, printing to `out`. `Ok(true)` when it found a release where the outcome
/// changes, `Ok(false)` when the outcome is the same at both ends.
pub fn bisect(
    settings: &Settings,
    id: &str,
    from: (u32, u32),
    to: (u32, u32),
    out: &mut impl Write,
) -> Result<bool, Error> {
    let io = |e: std::io::Error| Error::io("cannot write the result", e);
    let paths = crate::document::discover::discover(&settings.documents)?;
    let (loaded, _) = load_snippets(&paths, &[id.to_string()])?;
    // The snippet and its variants (`ID@go1.21`), not its siblings (`ID-2`).
    let loaded: Vec<Snippet> = loaded
        .into_iter()
        .filter(|s| s.id == id || s.id.starts_with(&format!("{id}@")))
        .collect();
    if loaded.is_empty() {
        return Err(Error::Other(format!(
            "no snippet has the id `{id}` in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let from = if from < MIN_RELEASE {
        eprintln!(
            "note: starting at go{}.{}: the oldest release the matrix runs",
            MIN_RELEASE.0, MIN_RELEASE.1
        );
        MIN_RELEASE
    } else {
        from
    };
    let mut fetcher = Fetcher::new(&settings.go)?;
    // The latest patch of each minor in the range.
    let mut candidates: Vec<(u32, u32, u32)> = Vec::new();
    for v in fetcher.served()? {
        if (v.0, v.1) < from || (v.0, v.1) > to {
            continue;
        }
        match candidates.last_mut() {
            Some(last) if (last.0, last.1) == (v.0, v.1) => *last = v,
            _ => candidates.push(v),
        }
    }
    if candidates.len() < 2 {
        return Err(Error::Toolchain(format!(
            "the module proxy serves {} release{} from go{}.{} to go{}.{}; bisect needs two",
            candidates.len(),
            crate::report::plural(candidates.len()),
            from.0,
            from.1,
            to.0,
            to.1
        )));
    }
    writeln!(
        out,
        "bisecting {id} over {} releases: {}",
        candidates.len(),
        candidates
            .iter()
            .map(|&v| releases::name(v))
            .collect::<Vec<_>>()
            .join(" ")
    )
    .map_err(io)?;
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the working directory", e))?;
    let sandbox = Sandbox::new(&settings.sandbox);
    let probe = |i: usize, out: &mut dyn Write| -> Result<String, Error> {
        let t = fetcher.toolchain(candidates[i])?;
        let o = outcome(settings, &loaded, &t, &sandbox, &cwd)?;
        let mut short: String = o.split('\n').collect::<Vec<_>>().join(" | ");
        if short.chars().count() > 100 {
            short = short.chars().take(97).collect::<String>() + "...";
        }
        writeln!(out, "  {}: {short}", t.version).map_err(io)?;
        Ok(o)
    };
    let (mut lo, mut hi) = (0, candidates.len() - 1);
    let oldest = probe(lo, out)?;
    let newest = probe(hi, out)?;
    if oldest == newest {
        writeln!(
            out,
            "the outcome is the same on {} and {}:\n{}",
            releases::name(candidates[lo]),
            releases::name(candidates[hi]),
            indent(&oldest)
        )
        .map_err(io)?;
        return Ok(false);
    }
    let mut changed = newest;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let o = probe(mid, out)?;
        if o == oldest {
            lo = mid;
        } else {
            hi = mid;
            changed = o;
        }
    }
    writeln!(
        out,
        "first release whose outcome differs: {} (the one before: {})\n{}:\n{}\n{}:\n{}",
        releases::name(candidates[hi]),
        releases::name(candidates[lo]),
        releases::name(candidates[lo]),
        indent(&oldest),
        releases::name(candidates[hi]),
        indent(&changed)
    )
    .map_err(io)?;
    Ok(true)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `snippets` do under `t`, as text: each one's outcome as its record would hold it
/// (`class = "ok"`, `stdout = ...`), or why it does not apply there (`n/a: needs go1.22 ...`).
fn outcome(
    settings: &Settings,
    loaded: &[Snippet],
    t: &Toolchain,
    sandbox: &Sandbox,
    cwd: &Path,
) -> Result<String, Error> {
    let all = expand_versions(loaded.to_vec(), GoVersion(t.release.0, t.release.1))?;
    let snippets = super::for_release(all, t);
    let mut judge = Judge::new(settings, t);
    judge.outcomes = Some(Vec::new());
    let mut cache = Cache::off();
    let problems = super::run_pass(
        &snippets, t, settings, sandbox, &mut cache, cwd, &mut judge, &mut Quiet,
    )?;
    if let Some(p) = problems.first() {
        return Err(Error::Problems(vec![p.clone()]));
    }
    let mut text = Vec::new();
    let outcomes = judge.outcomes.take().unwrap_or_default();
    for s in &snippets {
        let head = if snippets.len() > 1 {
            format!("{}: ", s.id)
        } else {
            String::new()
        };
        match outcomes.iter().find(|(id, _)| *id == s.id) {
            Some((_, Ok(r))) => text.push(format!("{head}{}", r.comparable())),
            Some((_, Err(status))) => text.push(format!("{head}{status}")),
            None => text.push(format!("{head}not run")),
        }
    }
    Ok(text.join("\n"))
}
