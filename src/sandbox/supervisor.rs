//! The per-worker supervisor (issue 16): containment paid once per worker, not per snippet.
//! In: a built snippet, its run directory and input, and the run's `Sandbox`. Out: a started
//! process for `run::run_started`, or `None` when this run has no supervisor for it (the caller
//! then starts the snippet on its own through `Sandbox::command`, as before).
//!
//! A supervisor is snipcheck itself, exec'd (`__supervisor`, `supervisor_main`), so snippets are
//! forked from a small process and not from snipcheck's address space. It is made lazily, one per
//! worker and pair of binary folder and run folder, kept in `Pool` between snippets, and it:
//! - holds the run's cgroup directories open (from the host, before anything else);
//! - enters a user namespace (when not root), new network, mount, IPC, UTS and PID namespaces,
//!   remounts every host mount read-only and builds the same root of its own as a snippet gets
//!   (`contain::view`, staged on `run/.supervisor-PID-K`), once;
//! - then, for each request on its socket (the binary, argv, environment, run directory, cgroup
//!   files; stdin, stdout and stderr as descriptors), clones an init in new PID, mount, IPC and
//!   UTS namespaces, which joins the snippet's cgroups, sets the rlimits, mounts a fresh /tmp,
//!   a fresh run directory (size-capped, the snippet's user's), a fresh /proc and devpts, and
//!   forks the snippet as PID 2, which drops to `nobody` with no_new_privs and execs. The
//!   answers are: started (with a pidfd of the init, which is how snipcheck kills the snippet and
//!   everything it started), failed (a harness error), exited (the snippet's wait status).
//!
//! What stays per snippet is what isolates snippets from each other: the cgroups, the rlimits,
//! the PID namespace whose init's exit kills everything left (so nothing outlives a snippet and
//! nothing sees the next), the IPC namespace (SysV objects die with it), and the mount namespace
//! (the fresh tmpfs mounts die with it). What is shared by the snippets one worker runs, one
//! after the other, is the network namespace (without network: an unconfigured loopback that
//! no snippet may change, without capabilities) and the read-only root. If snipcheck dies, the
//! supervisor sees its socket close, kills the snippet and ends; if the supervisor dies, the
//! snippet's init gets SIGKILL and snipcheck reports a harness error, never a verdict.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::sandbox::cgroup::Group;
use crate::sandbox::contain::{self, Mechanisms, Sandbox};
use crate::sandbox::limits::Limits;
use crate::sandbox::run::{Input, Started, Wait};

mod serve;
pub use serve::supervisor_main;

/// The first argument that makes snipcheck a worker's supervisor (see `supervisor_main`).
pub const SUPERVISOR_ARG: &str = "__supervisor";

/// Where the supervisor finds its `Setup`.
const SETUP_VAR: &str = "SNIPCHECK_SUPERVISOR_SETUP";

/// A request larger than this (a huge argument list) starts the snippet on its own instead.
const MAX_REQUEST: usize = 96 * 1024;

/// How long a new supervisor may take to say it is ready.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// What a supervisor is made with.
#[derive(serde::Serialize, serde::Deserialize)]
struct Setup {
    limits: Limits,
    mech: Mechanisms,
    /// Its end of the socket.
    fd: RawFd,
    /// Who snippets run as.
    user: (u32, u32),
    bin_dir: PathBuf,
    run_parent: PathBuf,
    stage: PathBuf,
    /// The run's cgroup directories (`cgroup::Run::dirs`), whose snippet groups it joins.
    cgroups: Vec<PathBuf>,
}

/// One snippet to start. Its stdin, stdout and stderr travel with it as descriptors.
#[derive(serde::Serialize, serde::Deserialize)]
struct Request {
    binary: PathBuf,
    argv: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    run_dir: PathBuf,
    /// The `cgroup.procs` files of the snippet's groups.
    join: Vec<PathBuf>,
}

/// The supervisors of one run that are not running a snippet.
pub struct Pool {
    idle: Mutex<Vec<Supervisor>>,
    /// Why this run has no supervisors after all (said once, as a warning).
    broken: OnceLock<String>,
    next: AtomicUsize,
}

impl Pool {
    /// A pool where the mechanisms that a supervisor keeps for every snippet are all there;
    /// without one of them each snippet is contained on its own, with the fallbacks of
    /// `contain`.
    pub fn new(mech: &Mechanisms, off: bool) -> Option<Pool> {
        (!off && mech.mount_ns && mech.own_root && mech.pid_ns).then(|| Pool {
            idle: Mutex::new(Vec::new()),
            broken: OnceLock::new(),
            next: AtomicUsize::new(0),
        })
    }

    fn take(&self, key: &(PathBuf, PathBuf)) -> Option<Supervisor> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let i = idle.iter().position(|s| &s.key == key)?;
        Some(idle.swap_remove(i))
    }

    fn put(&self, s: Supervisor) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }

    fn give_up(&self, why: String) {
        if self.broken.set(why.clone()).is_ok() {
            eprintln!(
                "warning: no per-worker supervisor ({why}): each snippet is contained on its own, which is slower"
            );
        }
    }
}

/// A running supervisor, seen from snipcheck.
struct Supervisor {
    sock: Option<OwnedFd>,
    outer: Option<std::process::Child>,
    key: (PathBuf, PathBuf),
    stage: PathBuf,
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        // Its socket closing is what ends it (and a snippet it still runs).
        self.sock.take();
        if let Some(mut c) = self.outer.take() {
            let _ = c.wait();
        }
        let _ = fs::remove_dir(&self.stage);
    }
}

/// What a supervisor says.
enum Answer {
    Ready,
    Failed(String),
    Started(OwnedFd),
    Exited(i32),
}

impl Supervisor {
    fn spawn(
        sandbox: &Sandbox,
        pool: &Pool,
        key: (PathBuf, PathBuf),
    ) -> Result<Supervisor, String> {
        let k = pool.next.fetch_add(1, Ordering::Relaxed);
        let stage = key
            .1
            .join(format!(".supervisor-{}-{k}", std::process::id()));
        fs::create_dir_all(&stage)
            .map_err(|e| format!("cannot create {}: {e}", stage.display()))?;
        let (ours, theirs) = socketpair().map_err(|e| format!("socketpair: {e}"))?;
        let setup = Setup {
            limits: sandbox.limits.clone(),
            mech: sandbox.mech,
            fd: theirs.as_raw_fd(),
            user: sandbox.user(),
            bin_dir: key.0.clone(),
            run_parent: key.1.clone(),
            stage: stage.clone(),
            cgroups: sandbox
                .cgroups
                .as_ref()
                .map(|c| c.dirs())
                .unwrap_or_default(),
        };
        let mut s = Supervisor {
            sock: Some(ours),
            outer: None,
            key,
            stage,
        };
        let json = serde_json::to_string(&setup).map_err(|e| e.to_string())?;
        let mut command = Command::new("/proc/self/exe");
        command
            .arg(SUPERVISOR_ARG)
            .env_clear()
            .env(SETUP_VAR, json)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0);
        let fd = theirs.as_raw_fd();
        // SAFETY: fcntl on a descriptor this process owns, between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        s.outer = Some(
            command
                .spawn()
                .map_err(|e| format!("cannot start it: {e}"))?,
        );
        drop(theirs);
        match s.answer(Some(READY_TIMEOUT)) {
            Ok(Some(Answer::Ready)) => Ok(s),
            Ok(Some(Answer::Failed(m))) => Err(m),
            Ok(None) => Err(format!("not ready after {READY_TIMEOUT:?}")),
            Ok(Some(_)) => Err("it answered out of turn".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn fd(&self) -> RawFd {
        self.sock.as_ref().map_or(-1, |s| s.as_raw_fd())
    }

    /// The next answer, or None when `timeout` passes first.
    fn answer(&mut self, timeout: Option<Duration>) -> io::Result<Option<Answer>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let ms = deadline.map_or(-1, |d| {
                d.saturating_duration_since(Instant::now())
                    .as_millis()
                    .min(i32::MAX as u128) as i32
            });
            let mut p = libc::pollfd {
                fd: self.fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll on one pollfd we own.
            let r = unsafe { libc::poll(&mut p, 1, ms) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if r == 0 {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(None);
                }
                continue;
            }
            break;
        }
        let mut buf = [0u8; 4096];
        let (n, mut fds) = recv(self.fd(), &mut buf)?;
        let gone = || {
            io::Error::other(
                "the worker's sandbox supervisor ended unexpectedly (killed, or it crashed)",
            )
        };
        Ok(Some(match buf[..n].split_first() {
            None => return Err(gone()),
            Some((b'R', _)) => Answer::Ready,
            Some((b'F', m)) => Answer::Failed(String::from_utf8_lossy(m).into_owned()),
            Some((b'S', _)) if fds.len() == 1 => Answer::Started(fds.remove(0)),
            Some((b'X', s)) if s.len() == 4 => {
                Answer::Exited(i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            }
            _ => {
                return Err(io::Error::other(
                    "the worker's sandbox supervisor answered nonsense",
                ));
            }
        }))
    }
}

/// A snippet a supervisor runs: waiting for it is waiting for the supervisor's answer. The
/// supervisor goes back to the pool once it has said how the snippet ended, and is dropped
/// (which ends it) otherwise.
struct Running<'a> {
    sup: Option<Supervisor>,
    pool: &'a Pool,
    done: bool,
}

impl Running<'_> {
    fn exited(&mut self, timeout: Option<Duration>) -> io::Result<Option<ExitStatus>> {
        let Some(sup) = self.sup.as_mut() else {
            return Err(io::Error::other("the snippet was already waited for"));
        };
        match sup.answer(timeout)? {
            None => Ok(None),
            Some(Answer::Exited(status)) => {
                self.done = true;
                Ok(Some(ExitStatus::from_raw(status)))
            }
            Some(_) => Err(io::Error::other(
                "the worker's sandbox supervisor answered out of turn",
            )),
        }
    }
}

impl Wait for Running<'_> {
    fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        self.exited(Some(timeout))
    }

    fn wait(&mut self) -> io::Result<ExitStatus> {
        self.exited(None)?
            .ok_or_else(|| io::Error::other("no exit status"))
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.sup.take()
            && self.done
        {
            self.pool.put(s);
        }
    }
}

/// Starts `binary` (its `os.Args[0]` is `name`) from a worker's supervisor, with `run_dir` as
/// its own directory; None when this run has no supervisor for it.
pub(crate) fn start<'a>(
    sandbox: &'a Sandbox,
    binary: &Path,
    name: &str,
    run_dir: &Path,
    input: &Input,
) -> Result<Option<(Started<'a>, Option<Group>)>, Error> {
    let Some(pool) = &sandbox.supervisors else {
        return Ok(None);
    };
    let (Some(bin_dir), Some(run_parent)) = (binary.parent(), run_dir.parent()) else {
        return Ok(None);
    };
    if pool.broken.get().is_some() {
        return Ok(None);
    }
    let key = (bin_dir.to_path_buf(), run_parent.to_path_buf());
    let mut request = Request {
        binary: binary.to_path_buf(),
        argv: std::iter::once(name)
            .chain(input.args.iter().map(String::as_str))
            .map(OsString::from)
            .collect(),
        env: environment(sandbox, run_dir, input),
        run_dir: run_dir.to_path_buf(),
        join: Vec::new(),
    };
    let (uid, gid) = sandbox.user();
    if sandbox.mech.drop_uid {
        contain::make_reachable(binary)
            .map_err(|e| Error::io(format!("cannot open up {}", run_dir.display()), e))?;
    }
    let group = sandbox.prepare(run_dir, uid, gid, input.cpus)?;
    request.join = group.as_ref().map(|g| g.join_paths()).unwrap_or_default();
    let Ok(json) = serde_json::to_vec(&request) else {
        return Ok(None);
    };
    if json.len() > MAX_REQUEST {
        return Ok(None);
    }
    let sup = match pool.take(&key) {
        Some(s) => s,
        None => match Supervisor::spawn(sandbox, pool, key) {
            Ok(s) => s,
            Err(why) => {
                pool.give_up(why);
                return Ok(None);
            }
        },
    };
    let io_err = |what: &str, e: io::Error| Error::io(format!("{what} {}", binary.display()), e);
    let (out_r, out_w) = io::pipe().map_err(|e| io_err("cannot make pipes for", e))?;
    let (err_r, err_w) = io::pipe().map_err(|e| io_err("cannot make pipes for", e))?;
    let (stdin_w, stdin_r): (Option<io::PipeWriter>, OwnedFd) = if input.stdin.is_some() {
        let (r, w) = io::pipe().map_err(|e| io_err("cannot make pipes for", e))?;
        (Some(w), r.into())
    } else {
        let null =
            fs::File::open("/dev/null").map_err(|e| io_err("cannot open /dev/null for", e))?;
        (None, null.into())
    };
    let mut running = Running {
        sup: Some(sup),
        pool,
        done: false,
    };
    let sup = running.sup.as_mut().expect("just put there");
    send(
        sup.fd(),
        &json,
        &[stdin_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()],
    )
    .map_err(|e| io_err("cannot hand over to the worker's sandbox supervisor", e))?;
    // The snippet holds the writing ends now: the pipes end when it does.
    drop((stdin_r, out_w, err_w));
    let pidfd = match sup.answer(None).map_err(|e| io_err("cannot start", e))? {
        Some(Answer::Started(fd)) => Arc::new(fd),
        Some(Answer::Failed(m)) => {
            running.done = true;
            return Err(Error::Other(format!(
                "cannot start {}: {m}",
                binary.display()
            )));
        }
        _ => {
            return Err(Error::Other(format!(
                "cannot start {}: the worker's sandbox supervisor answered out of turn",
                binary.display()
            )));
        }
    };
    let kill = Arc::new(move || {
        // SAFETY: pidfd_send_signal on a pidfd we hold; a process already gone is ESRCH.
        unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                pidfd.as_raw_fd(),
                libc::SIGKILL,
                std::ptr::null::<libc::siginfo_t>(),
                0u32,
            );
        }
    });
    Ok(Some((
        Started {
            stdin: stdin_w.map(|w| Box::new(w) as Box<dyn io::Write + Send>),
            stdout: Some(Box::new(out_r)),
            stderr: Some(Box::new(err_r)),
            kill,
            wait: Box::new(running),
        },
        group,
    )))
}

/// The snippet's environment as `Sandbox::command` and `run_command` make it: the allow-list's
/// variables, HOME, TMPDIR and PWD in its run directory, then its own.
fn environment(sandbox: &Sandbox, run_dir: &Path, input: &Input) -> Vec<(OsString, OsString)> {
    let mut env: BTreeMap<OsString, OsString> = sandbox
        .env
        .iter()
        .map(|(k, v)| (OsString::from(k), v.clone()))
        .collect();
    for (k, d) in [("HOME", "home"), ("TMPDIR", "temp"), ("PWD", "work")] {
        env.insert(k.into(), run_dir.join(d).into_os_string());
    }
    for (k, v) in &input.env {
        env.insert(k.into(), v.into());
    }
    env.into_iter().collect()
}

fn socketpair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: socketpair into a two-int array.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors, ours alone.
    unsafe { Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))) }
}

/// Sends one message with descriptors (at most 4).
fn send(sock: RawFd, data: &[u8], fds: &[RawFd]) -> io::Result<()> {
    let mut control = [0u64; 8];
    // SAFETY: the message points at `data`, `iov` and `control`, which outlive the call; the
    // control buffer is aligned and large enough for four descriptors.
    unsafe {
        let mut iov = libc::iovec {
            iov_base: data.as_ptr() as *mut libc::c_void,
            iov_len: data.len(),
        };
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if !fds.is_empty() {
            let len = std::mem::size_of_val(fds) as u32;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = libc::CMSG_SPACE(len) as _;
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = libc::CMSG_LEN(len) as _;
            std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(c).cast(), fds.len());
        }
        loop {
            if libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL) >= 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

/// Receives one message and the descriptors that came with it (close-on-exec). Zero bytes:
/// the other end is closed.
fn recv(sock: RawFd, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
    let mut control = [0u64; 8];
    // SAFETY: as in `send`; the descriptors read from the control message are new ones the
    // kernel gave this process.
    unsafe {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
        let n = loop {
            let n = libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC);
            if n >= 0 {
                break n as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        let mut fds = Vec::new();
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(c).cast::<RawFd>();
                let count = ((*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize)
                    / std::mem::size_of::<RawFd>();
                for i in 0..count {
                    fds.push(OwnedFd::from_raw_fd(data.add(i).read_unaligned()));
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
        if msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0 {
            return Err(io::Error::other("a message was cut short"));
        }
        Ok((n, fds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A request's descriptors arrive with it, open and usable; a closed end reads as the end.
    #[test]
    fn messages_carry_descriptors() {
        let (a, b) = socketpair().unwrap();
        let (mut r, w) = io::pipe().unwrap();
        let w: OwnedFd = w.into();
        send(a.as_raw_fd(), b"hello", &[w.as_raw_fd(), w.as_raw_fd()]).unwrap();
        drop(w);
        let mut buf = [0u8; 64];
        let (n, fds) = recv(b.as_raw_fd(), &mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(fds.len(), 2);
        let mut got = fs::File::from(fds.into_iter().next().unwrap());
        got.write_all(b"through").unwrap();
        drop(got);
        let mut text = String::new();
        // The second copy is still open: read what was written, without waiting for the end.
        let mut chunk = [0u8; 7];
        r.read_exact(&mut chunk).unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        assert_eq!(text, "through");
        drop(a);
        assert_eq!(recv(b.as_raw_fd(), &mut buf).unwrap().0, 0);
    }
}
