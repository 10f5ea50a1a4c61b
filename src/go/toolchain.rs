//! The installed Go toolchain: where it is, which version, where its caches live, and which
//! standard-library packages it has (for inferring a fragment's imports).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;

/// The oldest Go snipcheck supports: per-iteration loop variables and the current `//line`
/// handling are what the bundled document and the fixtures are written against.
pub const MIN_GO: (u32, u32) = (1, 22);

#[derive(Debug, Clone)]
pub struct Toolchain {
    pub go: PathBuf,
    /// `go1.26.8`
    pub version: String,
    /// (1, 26)
    pub release: (u32, u32),
    pub goroot: String,
    pub gocache: String,
    pub gomodcache: String,
    /// `go env CGO_ENABLED` is 1.
    pub cgo_enabled: bool,
    /// `go env CC`: the C compiler cgo (and so `-race`) uses.
    pub cc: String,
    /// Package name -> import paths of the standard library having that name.
    pub std: BTreeMap<String, Vec<String>>,
}

impl Toolchain {
    /// Finds and checks the toolchain. Errors say what to install or set.
    pub fn probe(go: &Path) -> Result<Toolchain, Error> {
        Toolchain::probe_release(go, MIN_GO)
    }

    /// `probe`, for a toolchain at least `min`: the matrix runs releases older than `MIN_GO`
    /// (see `releases::MIN_RELEASE`), whose snippets may need a newer one (reported `n/a`).
    pub fn probe_release(go: &Path, min: (u32, u32)) -> Result<Toolchain, Error> {
        let out = go_output(
            go,
            &[
                "env",
                "GOVERSION",
                "GOROOT",
                "GOCACHE",
                "GOMODCACHE",
                "CGO_ENABLED",
                "CC",
                "GOOS",
                "GOARCH",
            ],
        )?;
        let mut vals = out.lines().map(str::trim);
        let mut next = || vals.next().unwrap_or("").to_string();
        let (version, goroot, gocache, gomodcache) = (next(), next(), next(), next());
        let (cgo_enabled, cc, goos, goarch) = (next(), next(), next(), next());
        let release = parse_release(&version).ok_or_else(|| {
            Error::Toolchain(format!(
                "`{} env GOVERSION` printed {version:?}, not a Go version; check that `{}` is the Go toolchain",
                go.display(),
                go.display()
            ))
        })?;
        if release < min {
            return Err(Error::Toolchain(format!(
                "{version} is older than the go{}.{} snipcheck needs; install a newer Go or point --go / SNIPCHECK_GO at one",
                min.0, min.1
            )));
        }
        let list = std_list(go, &[&version, &goroot, &goos, &goarch])?;
        Ok(Toolchain {
            go: go.to_path_buf(),
            version,
            release,
            goroot,
            gocache,
            gomodcache,
            cgo_enabled: cgo_enabled == "1",
            cc,
            std: std_names(&list),
        })
    }

    /// Why `-race` cannot work here, if it cannot: it needs cgo and a C compiler.
    pub fn race_unsupported(&self) -> Option<String> {
        if !self.cgo_enabled {
            return Some(
                "the race detector needs cgo, and `go env CGO_ENABLED` is 0; set CGO_ENABLED=1 and install a C compiler (gcc)"
                    .into(),
            );
        }
        let cc = self.cc.split_whitespace().next().unwrap_or("gcc");
        let found = Path::new(cc).is_file()
            || std::env::var_os("PATH")
                .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cc).is_file()));
        (!found).then(|| {
            format!("the race detector needs a C compiler and `{cc}` (go env CC) is not installed; install gcc")
        })
    }

    /// The `go` line for generated modules: the toolchain's own language version.
    pub fn go_line(&self) -> String {
        format!("{}.{}", self.release.0, self.release.1)
    }

    /// A `go` command with the environment every invocation of snipcheck's gets: never switch
    /// toolchains behind the user's back, and never let a surrounding go.work leak in.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.go);
        cmd.env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .env("GO111MODULE", "on")
            .env("GOFLAGS", "");
        // A build that would start after an interruption does not start (the check is an
        // atomic load, safe between fork and exec).
        // SAFETY: see above.
        unsafe {
            cmd.pre_exec(|| {
                if crate::sandbox::interrupt::interrupted() {
                    Err(std::io::Error::from_raw_os_error(libc::EINTR))
                } else {
                    Ok(())
                }
            });
        }
        cmd
    }
}

/// `go list std`, remembered in snipcheck's cache directory by toolchain (version, GOROOT and
/// platform): it takes the go command a fifth of a second, as long as the rest of a run on a
/// few unchanged snippets.
fn std_list(go: &Path, toolchain: &[&str]) -> Result<String, Error> {
    let path = crate::records::cache::default_dir().map(|d| {
        d.join("std")
            .join(&crate::records::cache::key(toolchain)[..16])
    });
    if let Some(list) = path.as_ref().and_then(|p| fs::read_to_string(p).ok())
        && list.lines().any(|l| l == "fmt")
    {
        return Ok(list);
    }
    let list = go_output(go, &["list", "std"])?;
    if let Some(path) = path {
        // Best effort: without the file, the next run asks the go command again.
        let _ = crate::records::expected::write_atomic(&path, list.as_bytes());
    }
    Ok(list)
}

/// How long `go env` and `go list std` may take: a fraction of a second normally, so a toolchain
/// that has not answered by then is stuck (waiting on a lock, a network file system ...).
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn go_output(go: &Path, args: &[&str]) -> Result<String, Error> {
    let mut cmd = Command::new(go);
    cmd.args(args).env("GOTOOLCHAIN", "local");
    let out = output_within(cmd, PROBE_TIMEOUT)
        .map_err(|e| {
            Error::Toolchain(format!(
                "cannot run `{}` ({e}); install Go {}.{} or newer and put it on PATH, or set --go / SNIPCHECK_GO",
                go.display(),
                MIN_GO.0,
                MIN_GO.1
            ))
        })?
        .ok_or_else(|| {
            Error::Toolchain(format!(
                "`{} {}` did not answer within {} s; check the Go installation (or point --go / SNIPCHECK_GO at another)",
                go.display(),
                args.join(" "),
                PROBE_TIMEOUT.as_secs()
            ))
        })?;
    if !out.status.success() {
        return Err(Error::Toolchain(format!(
            "`{} {}` failed ({}): {}; check the Go installation",
            go.display(),
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cmd`'s output, or `None` when it has not exited within `limit` (it is killed then).
pub(crate) fn output_within(
    mut cmd: Command,
    limit: std::time::Duration,
) -> std::io::Result<Option<std::process::Output>> {
    use std::process::Stdio;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    // The pipes are read to the end by the waiting thread, so a chatty child cannot block.
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.map(Some),
        Err(_) => {
            // SAFETY: kill(2) touches no memory. The waiting thread has not sent, so the child
            // has (barring the same instant) not been reaped and its pid is still its own.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            Ok(None)
        }
    }
}

/// `go1.26.8`, `go1.22rc1`, `go1.23-devel_abc` -> (1, 26) ...
pub fn parse_release(version: &str) -> Option<(u32, u32)> {
    let v = version.strip_prefix("go")?;
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}

/// Maps each public std package's name (the last path element, or the one before a `/vN`) to
/// its import paths.
pub fn std_names(list: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in list.lines().map(str::trim).filter(|p| !p.is_empty()) {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.iter().any(|p| *p == "internal" || *p == "vendor") {
            continue;
        }
        let last = parts[parts.len() - 1];
        let is_major = last.len() > 1
            && last.starts_with('v')
            && last[1..].chars().all(|c| c.is_ascii_digit());
        let name = if is_major && parts.len() > 1 {
            parts[parts.len() - 2]
        } else {
            last
        };
        map.entry(name.to_string())
            .or_default()
            .push(path.to_string());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_does_not_answer_is_stopped() {
        let started = std::time::Instant::now();
        let mut slow = Command::new("sleep");
        slow.arg("30");
        let out = output_within(slow, std::time::Duration::from_millis(200)).unwrap();
        assert!(out.is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));

        let mut quick = Command::new("echo");
        quick.arg("go1.26.8");
        let out = output_within(quick, std::time::Duration::from_secs(10))
            .unwrap()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "go1.26.8\n");
    }

    #[test]
    fn releases() {
        assert_eq!(parse_release("go1.26.8"), Some((1, 26)));
        assert_eq!(parse_release("go1.22rc1"), Some((1, 22)));
        assert_eq!(parse_release("go1.21"), Some((1, 21)));
        assert_eq!(parse_release("devel"), None);
    }

    #[test]
    fn std_names_skip_internal_and_fold_major_versions() {
        let m = std_names("fmt\nmath/rand\nmath/rand/v2\ncrypto/rand\ninternal/abi\nvendor/x/y\n");
        assert_eq!(m["fmt"], vec!["fmt"]);
        assert_eq!(m["rand"], vec!["math/rand", "math/rand/v2", "crypto/rand"]);
        assert!(!m.contains_key("abi") && !m.contains_key("y") && !m.contains_key("v2"));
    }
}
