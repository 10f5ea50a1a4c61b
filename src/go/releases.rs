//! Go releases other than the installed one, for the release matrix (`--go 1.21,1.22,local`) and
//! `bisect`. In: release names (`1.22`, the latest patch of that minor, or an exact `go1.22.12`).
//! Out: probed `Toolchain`s. Toolchains are fetched the way the go command fetches them itself
//! (`GOTOOLCHAIN=go1.22.12 go version`, which downloads the module `golang.org/toolchain` from
//! GOPROXY into the module cache), always saying so first; once in the module cache they are used
//! from there, with no network.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::go::toolchain::{Toolchain, output_within};

/// The oldest release the matrix runs: older ones are served by the proxy but build snippets
/// differently from what snipcheck generates (go.mod without `toolchain` semantics).
pub const MIN_RELEASE: (u32, u32) = (1, 21);

/// How long fetching one toolchain (about 70 MB) may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(600);

/// One entry of a release list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// `local`: the installed toolchain (`--go PATH`, or `go` on PATH).
    Local,
    /// `1.22`: the latest patch of that minor the proxy serves.
    Minor(u32, u32),
    /// `go1.22.12`: exactly that release.
    Exact(u32, u32, u32),
}

impl std::fmt::Display for Wanted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wanted::Local => write!(f, "local"),
            Wanted::Minor(a, b) => write!(f, "go{a}.{b}"),
            Wanted::Exact(a, b, c) => write!(f, "go{a}.{b}.{c}"),
        }
    }
}

/// `go1.22.12` / `1.22.12` -> (1, 22, 12); `go1.22` -> (1, 22, 0). Pre-releases (`go1.26rc1`)
/// are not releases here.
pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let s = s.strip_prefix("go").unwrap_or(s);
    let mut parts = s.split('.');
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    let c = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    parts.next().is_none().then_some((a, b, c))
}

/// A comma-separated release list (`1.21,1.22,go1.26.3,local`), or `None` when `s` is not one
/// (then `--go` names the go command).
pub fn parse_list(s: &str) -> Option<Vec<Wanted>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let w = if part == "local" {
            Wanted::Local
        } else {
            let exact = part.strip_prefix("go").unwrap_or(part).split('.').count() == 3;
            let (a, b, c) = parse_version(part)?;
            if exact {
                Wanted::Exact(a, b, c)
            } else {
                Wanted::Minor(a, b)
            }
        };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `go1.22.12`.
pub fn name((a, b, c): (u32, u32, u32)) -> String {
    if c == 0 && (a, b) < (1, 21) {
        // Before 1.21 the first release of a minor was `go1.20`, not `go1.20.0`.
        format!("go{a}.{b}")
    } else {
        format!("go{a}.{b}.{c}")
    }
}

/// What the installed go command says about where toolchains go.
pub struct Fetcher {
    /// The installed go command, which fetches the others.
    go: PathBuf,
    gomodcache: PathBuf,
    /// `linux-amd64`: toolchain module versions carry the platform.
    platform: String,
    /// The releases the proxy serves (or, offline, the module cache holds), oldest first.
    served: Option<Vec<(u32, u32, u32)>>,
}

impl Fetcher {
    pub fn new(go: &Path) -> Result<Fetcher, Error> {
        let out = run(go, &["env", "GOMODCACHE", "GOHOSTOS", "GOHOSTARCH"], &[])?;
        let mut lines = out.lines().map(str::trim);
        let mut next = || lines.next().unwrap_or("").to_string();
        let (gomodcache, os, arch) = (next(), next(), next());
        Ok(Fetcher {
            go: go.to_path_buf(),
            gomodcache: PathBuf::from(gomodcache),
            platform: format!("{os}-{arch}"),
            served: None,
        })
    }

    /// The folder a toolchain is unpacked in, in the module cache.
    fn dir(&self, v: (u32, u32, u32)) -> PathBuf {
        self.gomodcache.join(format!(
            "golang.org/toolchain@v0.0.1-{}.{}",
            name(v),
            self.platform
        ))
    }

    /// The releases the proxy serves for this platform, oldest first; offline, the ones the
    /// module cache holds (with a warning: "the latest patch" then means the latest fetched).
    pub fn served(&mut self) -> Result<Vec<(u32, u32, u32)>, Error> {
        if let Some(s) = &self.served {
            return Ok(s.clone());
        }
        let suffix = format!(".{}", self.platform);
        let mut served: Vec<(u32, u32, u32)> = match run(
            &self.go,
            &["list", "-m", "-versions", "golang.org/toolchain"],
            &[],
        ) {
            Ok(out) => out
                .split_whitespace()
                .filter_map(|v| v.strip_prefix("v0.0.1-")?.strip_suffix(&suffix))
                .filter_map(parse_version)
                .collect(),
            Err(e) => {
                let cached = self.cached();
                eprintln!(
                    "warning: cannot list the Go releases the module proxy serves ({}); using the {} in the module cache",
                    e.to_string().trim_start_matches("error: "),
                    cached.len()
                );
                cached
            }
        };
        served.sort();
        served.dedup();
        self.served = Some(served.clone());
        Ok(served)
    }

    /// The toolchains already in the module cache.
    fn cached(&self) -> Vec<(u32, u32, u32)> {
        let dir = self.gomodcache.join("golang.org");
        let suffix = format!(".{}", self.platform);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                let v = n
                    .strip_prefix("toolchain@v0.0.1-")?
                    .strip_suffix(&suffix)?
                    .to_string();
                e.path().join("bin/go").is_file().then_some(v)
            })
            .filter_map(|v| parse_version(&v))
            .collect()
    }

    /// The exact release a wanted one names: a minor's latest patch among those served.
    pub fn resolve(&mut self, w: &Wanted) -> Result<(u32, u32, u32), Error> {
        match *w {
            Wanted::Exact(a, b, c) => Ok((a, b, c)),
            Wanted::Minor(a, b) => {
                let served = self.served()?;
                served
                    .iter()
                    .rev()
                    .find(|v| (v.0, v.1) == (a, b))
                    .copied()
                    .ok_or_else(|| {
                        Error::Toolchain(format!(
                            "the Go module proxy serves no go{a}.{b}.x toolchain for {} (nor does the module cache hold one); name a release it serves (`go list -m -versions golang.org/toolchain`) or check GOPROXY",
                            self.platform
                        ))
                    })
            }
            Wanted::Local => Err(Error::Other("`local` is not a release to fetch".into())),
        }
    }

    /// The go command of release `v`: from the module cache, or fetched into it first (said on
    /// stderr, with what and from where). Probed like the installed one.
    pub fn toolchain(&self, v: (u32, u32, u32)) -> Result<Toolchain, Error> {
        let version = name(v);
        if (v.0, v.1) < MIN_RELEASE {
            return Err(Error::Toolchain(format!(
                "{version} is older than go{}.{}, the oldest release the matrix runs; start the list at go{}.{} or later",
                MIN_RELEASE.0, MIN_RELEASE.1, MIN_RELEASE.0, MIN_RELEASE.1
            )));
        }
        let go = self.dir(v).join("bin/go");
        if !go.is_file() {
            eprintln!(
                "fetching {version}: the go command downloads golang.org/toolchain@v0.0.1-{version}.{} (about 70 MB) from GOPROXY into {} (once; later runs use it from there)",
                self.platform,
                self.gomodcache.display()
            );
            if let Err(e) = run(&self.go, &["version"], &[("GOTOOLCHAIN", &version)]) {
                return Err(Error::Toolchain(format!(
                    "cannot fetch {version} ({}); check that the Go module proxy (go env GOPROXY) can be reached, or fetch it once where it can (`GOTOOLCHAIN={version} go version`), or leave it out of --go",
                    e.to_string().trim_start_matches("error: ")
                )));
            }
            if !go.is_file() {
                return Err(Error::Toolchain(format!(
                    "fetched {version}, but {} is not there; check `go env GOMODCACHE`",
                    go.display()
                )));
            }
        }
        Toolchain::probe_release(&go, MIN_RELEASE)
    }
}

/// Runs the installed go command outside any module (a go.mod or go.work around the working
/// directory must not choose the toolchain), with the toolchain switch off unless `env` sets it.
fn run(go: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String, Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("cannot create a temporary folder", e))?;
    let mut cmd = Command::new(go);
    cmd.args(args)
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = output_within(cmd, FETCH_TIMEOUT)
        .map_err(|e| Error::Toolchain(format!("cannot run `{}`: {e}", go.display())))?
        .ok_or_else(|| {
            Error::Toolchain(format!(
                "`go {}` did not finish within {} s",
                args.join(" "),
                FETCH_TIMEOUT.as_secs()
            ))
        })?;
    if !out.status.success() {
        return Err(Error::Toolchain(format!(
            "`go {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The toolchains a run uses, in the order the matrix runs them (newest first, so the common
/// record is the newest release's): the installed one alone when no list is given.
pub fn toolchains(go: &Path, wanted: &[Wanted]) -> Result<Vec<Toolchain>, Error> {
    if wanted.is_empty() {
        return Ok(vec![Toolchain::probe(go)?]);
    }
    let mut fetcher = Fetcher::new(go)?;
    let mut out: Vec<Toolchain> = Vec::new();
    for w in wanted {
        let t = match w {
            Wanted::Local => Toolchain::probe(go)?,
            w => {
                let v = fetcher.resolve(w)?;
                fetcher.toolchain(v)?
            }
        };
        if !out.iter().any(|o| o.version == t.version) {
            out.push(t);
        }
    }
    out.sort_by_key(|t| std::cmp::Reverse(parse_version(&t.version).unwrap_or_default()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_paths() {
        assert_eq!(
            parse_list("1.21, go1.22.12,local"),
            Some(vec![
                Wanted::Minor(1, 21),
                Wanted::Exact(1, 22, 12),
                Wanted::Local
            ])
        );
        assert_eq!(parse_list("/usr/local/go/bin/go"), None);
        assert_eq!(parse_list("go"), None);
        assert_eq!(parse_list("1.22,gotip"), None);
        assert_eq!(parse_version("go1.26rc1"), None);
        assert_eq!(name((1, 20, 0)), "go1.20");
        assert_eq!(name((1, 22, 0)), "go1.22.0");
    }
}
