//! Ctrl-C, SIGTERM and SIGHUP. The first signal marks the run interrupted (no new process
//! starts, no record is written from then on), kills every process snipcheck started (its
//! descendants, and whatever is left in the snippets' cgroups), waits for a record write in
//! progress to finish, removes the temporary directories and exits with 128 + the signal. A
//! second signal exits at once.
//!
//! signal-hook turns the signals into messages for a thread of ours, so all of this runs as
//! ordinary code, not in a signal handler.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::error::Error;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static CRITICAL: Mutex<()> = Mutex::new(());
static CLEANUPS: Mutex<Vec<(u64, Cleanup)>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

enum Cleanup {
    RemoveDir(PathBuf),
    Cgroups(Vec<PathBuf>),
}

/// Undoes a registration when dropped (the owner cleaned up itself).
#[must_use = "dropping a Registration unregisters its cleanup at once"]
pub struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&CLEANUPS).retain(|(id, _)| *id != self.0);
    }
}

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn register(c: Cleanup) -> Registration {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    lock(&CLEANUPS).push((id, c));
    Registration(id)
}

/// Removes `dir` with everything in it if the run is interrupted.
pub fn remove_on_interrupt(dir: impl Into<PathBuf>) -> Registration {
    register(Cleanup::RemoveDir(dir.into()))
}

/// Kills the processes left in these cgroup directories and removes them on interruption.
pub fn kill_cgroups_on_interrupt(dirs: Vec<PathBuf>) -> Registration {
    register(Cleanup::Cgroups(dirs))
}

/// Whether the run has been interrupted. Safe to call between fork and exec (an atomic load).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Held while records are written: an interruption waits for it before it exits.
pub fn critical() -> MutexGuard<'static, ()> {
    lock(&CRITICAL)
}

/// The error a step returns when it notices the interruption; the handler exits meanwhile.
pub fn error() -> Error {
    Error::Other("interrupted".into())
}

/// Starts listening for the signals. Call once, early in `main`.
pub fn install() -> Result<(), Error> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(|e| Error::io("cannot install the signal handlers", e))?;
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            for sig in signals.forever() {
                if INTERRUPTED.swap(true, Ordering::SeqCst) {
                    // The second signal: no more waiting.
                    std::process::exit(128 + sig);
                }
                std::thread::spawn(move || clean_up_and_exit(sig));
            }
        })
        .map_err(|e| Error::io("cannot start the signal thread", e))?;
    Ok(())
}

/// After an interruption, the main thread waits here for the handler to exit the process, so
/// that the exit status is always the interruption's.
pub fn wait_if_interrupted() {
    if interrupted() {
        loop {
            std::thread::park();
        }
    }
}

fn clean_up_and_exit(sig: i32) -> ! {
    let name = match sig {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    };
    eprintln!(
        "snipcheck: interrupted ({name}): stopping every snippet and removing temporary files; nothing is written"
    );
    kill_descendants();
    let cgroups: Vec<PathBuf> = lock(&CLEANUPS)
        .iter()
        .filter_map(|(_, c)| match c {
            Cleanup::Cgroups(d) => Some(d.clone()),
            Cleanup::RemoveDir(_) => None,
        })
        .flatten()
        .collect();
    for dir in &cgroups {
        crate::sandbox::cgroup::remove_tree(dir);
    }
    // A record write that began before the signal completes; none starts after it.
    let _writes = critical();
    kill_descendants();
    let dirs: Vec<PathBuf> = lock(&CLEANUPS)
        .iter()
        .filter_map(|(_, c)| match c {
            Cleanup::RemoveDir(d) => Some(d.clone()),
            Cleanup::Cgroups(_) => None,
        })
        .collect();
    // A worker may still be writing a file there until it notices the interruption.
    for d in dirs {
        for _ in 0..100 {
            if std::fs::remove_dir_all(&d).is_ok() || !d.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    std::process::exit(128 + sig);
}

/// Kills every descendant of this process, found through /proc, until none is left for a
/// moment (a worker may fork once more just before it sees the interruption), for at most two
/// seconds.
pub fn kill_descendants() {
    let me = std::process::id() as i32;
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut quiet = 0;
    while quiet < 5 && Instant::now() < deadline {
        let found = descendants(me);
        if found.is_empty() {
            quiet += 1;
        } else {
            quiet = 0;
            for pid in found {
                // SAFETY: kill(2) touches no memory; the pid was our descendant a moment ago.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The processes whose chain of parents leads to `root`.
pub fn descendants(root: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let links: Vec<(i32, i32)> = entries
        .flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let (state, ppid) = parent_of(&stat)?;
            // A zombie is dead already; its parent reaps it.
            (state != "Z").then_some((pid, ppid))
        })
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(pid, ppid) in &links {
            if ppid == p && pid != root && !out.contains(&pid) {
                out.push(pid);
                frontier.push(pid);
            }
        }
    }
    out
}

/// The state and the parent pid from /proc/PID/stat: the fields after the command name,
/// which may hold spaces and parentheses.
fn parent_of(stat: &str) -> Option<(&str, i32)> {
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?;
    Some((state, rest.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_from_stat() {
        assert_eq!(parent_of("123 (go) S 45 123 123 0"), Some(("S", 45)));
        assert_eq!(parent_of("123 (a) b (c)) Z 7 1 1"), Some(("Z", 7)));
        assert_eq!(parent_of("garbage"), None);
    }

    #[test]
    fn children_are_descendants() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let found = descendants(std::process::id() as i32);
        assert!(found.contains(&(child.id() as i32)), "{found:?}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
