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
use std::ffi::{CString, OsString};
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
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
    let group = sandbox.prepare(run_dir, uid, gid)?;
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

// ---------------------------------------------------------------------------------------------
// The supervisor's side.

/// What the supervisor keeps between snippets.
struct Ctx {
    sock: RawFd,
    /// The run's cgroup directories, opened on the host, and their host paths.
    cgroups: Vec<(PathBuf, OwnedFd)>,
    rlimits: Vec<(libc::__rlimit_resource_t, u64, u64)>,
    nproc: Option<u64>,
    drop_uid: Option<(u32, u32)>,
    user: (u32, u32),
    files: u64,
    bin_dir: PathBuf,
    run_parent: PathBuf,
}

/// `snipcheck __supervisor`: a worker's supervisor (see the module's header). Exits when
/// snipcheck closes its socket.
pub fn supervisor_main() -> i32 {
    let setup: Setup = match std::env::var(SETUP_VAR)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("snipcheck: {SUPERVISOR_ARG}: no setup in {SETUP_VAR}: {e}");
            return 125;
        }
    };
    let sock = setup.fd;
    let say = |tag: u8, m: &str| {
        let mut data = vec![tag];
        data.extend_from_slice(m.as_bytes());
        let _ = send(sock, &data, &[]);
    };
    match set_up(&setup) {
        Ok(None) => 0,
        Ok(Some(ctx)) => {
            say(b'R', "");
            serve(&ctx)
        }
        Err(m) => {
            say(b'F', &m);
            1
        }
    }
}

/// Enters the worker's namespaces and root. Ok(None) in the outer process, which only waits
/// for the supervisor proper (the PID namespace's first process).
fn set_up(setup: &Setup) -> Result<Option<Ctx>, String> {
    let os = |what: &str| format!("{what}: {}", io::Error::last_os_error());
    let mut cgroups = Vec::new();
    for dir in &setup.cgroups {
        let c = contain::cstr(dir);
        // SAFETY: open on a C string.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(os(&format!("cannot open {}", dir.display())));
        }
        // SAFETY: a new descriptor, ours alone.
        cgroups.push((dir.clone(), unsafe { OwnedFd::from_raw_fd(fd) }));
    }
    // SAFETY: pidfd_open of this process, closed at once: is the call there at all?
    unsafe {
        let fd = libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0u32);
        if fd < 0 {
            return Err(os("pidfd_open"));
        }
        libc::close(fd as RawFd);
    }
    let (mech, l) = (&setup.mech, &setup.limits);
    let core = contain::core_hard_limit(mech);
    if mech.user_ns {
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        contain::enter_user_ns(&contain::user_maps(uid, gid))
            .map_err(|e| format!("user namespace: {e}"))?;
    }
    let mut flags =
        libc::CLONE_NEWNS | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS | libc::CLONE_NEWPID;
    if mech.net_ns && !l.network {
        flags |= libc::CLONE_NEWNET;
    }
    // SAFETY: unshare takes flags only.
    if unsafe { libc::unshare(flags) } < 0 {
        return Err(os("unshare"));
    }
    if contain::private_mounts() != 0 {
        return Err(os("making the mounts private"));
    }
    for (point, flags) in contain::read_mounts() {
        // SAFETY: mount(2) on a C string; a mount that refuses (a locked one) stays as it was.
        unsafe {
            libc::mount(
                std::ptr::null(),
                point.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            );
        }
    }
    let view = contain::view(
        l.files,
        true,
        &setup.bin_dir.join("supervisor"),
        &setup.stage,
        None,
        &[],
        &[],
        setup.user,
    );
    // SAFETY: fork in a process with one thread.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(os("fork"));
    }
    if pid > 0 {
        // The outer process: nothing of the socket, waits for the supervisor proper.
        // SAFETY: close of our own descriptor.
        unsafe { libc::close(setup.fd) };
        drop(cgroups);
        let mut status = 0;
        contain::wait_for(pid, &mut status);
        return Ok(None);
    }
    // PID 1 of the worker's PID namespace (so it can mount a /proc of its own, and the
    // snippets' below). If the outer process is killed, so is this one.
    // SAFETY: prctl with constants.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    contain::enter_view(&view).map_err(|e| format!("its own root: {e}"))?;
    Ok(Some(Ctx {
        sock: setup.fd,
        cgroups,
        rlimits: vec![
            (libc::RLIMIT_DATA, l.memory, l.memory),
            (libc::RLIMIT_FSIZE, l.files, l.files),
            (libc::RLIMIT_CORE, 0, core),
        ],
        nproc: (!mech.pids_cgroup).then_some(l.processes),
        drop_uid: mech.drop_uid.then_some(setup.user),
        user: setup.user,
        files: l.files,
        bin_dir: setup.bin_dir.clone(),
        run_parent: setup.run_parent.clone(),
    }))
}

fn serve(ctx: &Ctx) -> i32 {
    let mut buf = vec![0u8; 128 * 1024];
    loop {
        let (n, fds) = match recv(ctx.sock, &mut buf) {
            Ok(r) => r,
            Err(_) => return 1,
        };
        if n == 0 {
            // snipcheck is done (or gone).
            return 0;
        }
        let answer = match run_one(ctx, &buf[..n], fds) {
            Ok(status) => {
                let mut a = vec![b'X'];
                a.extend_from_slice(&status.to_le_bytes());
                a
            }
            Err(m) => {
                let mut a = vec![b'F'];
                a.extend_from_slice(m.as_bytes());
                a
            }
        };
        if send(ctx.sock, &answer, &[]).is_err() {
            return 1;
        }
    }
}

/// A snippet's steps, prepared before the clone.
struct Plan {
    join: Vec<(RawFd, CString)>,
    /// /tmp: its options, and the directories under it to carry over (the binary's folder).
    tmp: (CString, Vec<(CString, Vec<CString>)>),
    /// The run folder's parent and the directories down to it, outermost first.
    run_parent: (CString, Vec<CString>),
    run_dir: (CString, CString),
    mkdirs: Vec<CString>,
    workdir: CString,
    binary: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
}

/// The steps that can fail in a snippet's init or in the snippet before exec, named in the
/// harness error.
const STEPS: &[&str] = &[
    "joining its cgroups",
    "setting its rlimits",
    "mounting its /tmp",
    "mounting its own directory",
    "mounting its /proc",
    "forking it",
    "handing it its standard streams",
    "changing its user",
    "setting no_new_privs",
    "making its directories",
    "entering its working directory",
    "exec",
];

/// Starts one snippet, says it started (with a pidfd of its init), and returns its wait
/// status once its PID namespace is gone; Err: it could not be started.
fn run_one(ctx: &Ctx, msg: &[u8], fds: Vec<OwnedFd>) -> Result<i32, String> {
    let req: Request = serde_json::from_slice(msg).map_err(|e| format!("a bad request: {e}"))?;
    if fds.len() != 3 {
        return Err("a request without its three standard streams".into());
    }
    let plan = plan(ctx, &req)?;
    let os = |what: &str| format!("{what}: {}", io::Error::last_os_error());
    let (exec_r, exec_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
    let (status_r, status_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
    // SAFETY: clone without a new stack behaves as fork, in a process with one thread; the
    // child only makes system calls on the prepared plan and ends in exec or _exit.
    let init = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (libc::SIGCHLD
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS) as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    } as libc::pid_t;
    if init < 0 {
        return Err(os("clone"));
    }
    if init == 0 {
        snippet_init(
            ctx,
            &plan,
            [fds[0].as_raw_fd(), fds[1].as_raw_fd(), fds[2].as_raw_fd()],
            exec_w.as_raw_fd(),
            status_w.as_raw_fd(),
        );
    }
    drop((exec_w, status_w, fds));
    let kill_and_reap = || {
        let mut status = 0;
        // SAFETY: kill of our own child, then reaping it.
        unsafe { libc::kill(init, libc::SIGKILL) };
        contain::wait_for(init, &mut status);
    };
    // The exec pipe ends at exec (close-on-exec), or carries the step that failed.
    let mut report = [0u8; 8];
    let got = read_full(exec_r.as_raw_fd(), &mut report);
    if got == report.len() {
        kill_and_reap();
        let step = u32::from_le_bytes([report[0], report[1], report[2], report[3]]) as usize;
        let errno = i32::from_le_bytes([report[4], report[5], report[6], report[7]]);
        return Err(format!(
            "{}: {}",
            STEPS.get(step).unwrap_or(&"?"),
            io::Error::from_raw_os_error(errno)
        ));
    }
    // SAFETY: pidfd_open of our own child, which is not reaped yet.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, init, 0u32) };
    if pidfd < 0 {
        let m = os("pidfd_open");
        kill_and_reap();
        return Err(m);
    }
    // SAFETY: a new descriptor, ours alone.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as RawFd) };
    if send(ctx.sock, b"S", &[pidfd.as_raw_fd()]).is_err() {
        kill_and_reap();
        std::process::exit(1);
    }
    drop(pidfd);
    // Until the init reports (or ends), watching snipcheck's end: if it goes, so does the
    // snippet, and this supervisor.
    loop {
        let mut p = [
            libc::pollfd {
                fd: status_r.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: ctx.sock,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: poll on two pollfds we own.
        let r = unsafe { libc::poll(p.as_mut_ptr(), 2, -1) };
        if r < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            kill_and_reap();
            std::process::exit(1);
        }
        if p[1].revents != 0 {
            kill_and_reap();
            std::process::exit(0);
        }
        if p[0].revents != 0 {
            break;
        }
    }
    let mut status = [0u8; 4];
    let got = read_full(status_r.as_raw_fd(), &mut status);
    let mut init_status = 0;
    if contain::wait_for(init, &mut init_status) < 0 {
        return Err(os("waiting for the snippet's init"));
    }
    // Without the snippet's status (its init was killed: a timeout, the output cap), the
    // init's, as the shim reports it on the per-snippet path.
    Ok(if got == status.len() {
        i32::from_ne_bytes(status)
    } else {
        init_status
    })
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 into a two-int array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors, ours alone.
    unsafe { Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))) }
}

/// Reads until `buf` is full or the pipe ends; the number of bytes read.
fn read_full(fd: RawFd, buf: &mut [u8]) -> usize {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: read into the rest of the buffer.
        let n = unsafe { libc::read(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            break;
        }
        got += n as usize;
    }
    got
}

fn plan(ctx: &Ctx, req: &Request) -> Result<Plan, String> {
    let cstring = |b: &[u8]| CString::new(b).map_err(|_| "a NUL byte in the request".to_string());
    let mut join = Vec::new();
    for file in &req.join {
        let Some((dir, fd)) = ctx.cgroups.iter().find(|(d, _)| file.starts_with(d)) else {
            return Err(format!("{} is not in the run's cgroups", file.display()));
        };
        let rel = file.strip_prefix(dir).unwrap_or(file);
        join.push((fd.as_raw_fd(), contain::cstr(rel)));
    }
    if req.run_dir.parent() != Some(ctx.run_parent.as_path())
        || req.binary.parent() != Some(ctx.bin_dir.as_path())
    {
        return Err("a snippet of another workspace".into());
    }
    let chain = |dir: &Path| -> Vec<CString> {
        let mut v: Vec<CString> = dir
            .ancestors()
            .skip(1)
            .filter(|a| a.parent().is_some())
            .map(contain::cstr)
            .collect();
        v.reverse();
        v
    };
    let (uid, gid) = ctx.user;
    let files = ctx.files;
    let run = &req.run_dir;
    Ok(Plan {
        join,
        tmp: (
            cstring(format!("size={files},mode=1777").as_bytes())?,
            contain::kept_under_tmp(&[ctx.bin_dir.as_path()]),
        ),
        run_parent: (contain::cstr(&ctx.run_parent), chain(&ctx.run_parent)),
        run_dir: (
            contain::cstr(run),
            cstring(format!("size={files},mode=0700,uid={uid},gid={gid}").as_bytes())?,
        ),
        mkdirs: ["home", "temp", "work"]
            .iter()
            .map(|d| contain::cstr(&run.join(d)))
            .collect(),
        workdir: contain::cstr(&run.join("work")),
        binary: contain::cstr(&req.binary),
        argv: req
            .argv
            .iter()
            .map(|a| cstring(a.as_bytes()))
            .collect::<Result<_, _>>()?,
        envp: req
            .env
            .iter()
            .map(|(k, v)| {
                let mut kv = k.clone().into_vec();
                kv.push(b'=');
                kv.extend_from_slice(v.as_bytes());
                cstring(&kv)
            })
            .collect::<Result<_, _>>()?,
    })
}

/// PID 1 of a snippet's namespaces (see the module's header). Never returns.
fn snippet_init(ctx: &Ctx, plan: &Plan, stdio: [RawFd; 3], exec_w: RawFd, status_w: RawFd) -> ! {
    let fail = |step: usize| -> ! {
        let errno = io::Error::last_os_error().raw_os_error().unwrap_or(0);
        let mut report = [0u8; 8];
        report[..4].copy_from_slice(&(step as u32).to_le_bytes());
        report[4..].copy_from_slice(&errno.to_le_bytes());
        // SAFETY: write of a buffer we own; _exit ends the process.
        unsafe {
            libc::write(exec_w, report.as_ptr().cast(), report.len());
            libc::_exit(127)
        }
    };
    let ok = |r: libc::c_int, step: usize| {
        if r < 0 {
            fail(step);
        }
    };
    // SAFETY: system calls on the prepared plan and descriptors this process owns.
    unsafe {
        // If the supervisor dies, so does this init, and with it everything in the namespace.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        for (dir, file) in &plan.join {
            let fd = libc::openat(*dir, file.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            ok(fd, 0);
            if libc::write(fd, c"0".as_ptr().cast(), 1) != 1 {
                fail(0);
            }
            libc::close(fd);
        }
        for &(res, cur, max) in &ctx.rlimits {
            let r = libc::rlimit {
                rlim_cur: cur,
                rlim_max: max,
            };
            ok(libc::setrlimit(res, &r), 1);
        }
        // A fresh /tmp, with the binary's folder carried over when it lies under /tmp.
        let (options, keep) = &plan.tmp;
        let mut trees = Vec::with_capacity(keep.len());
        for (dir, _) in keep {
            let fd = libc::syscall(
                libc::SYS_open_tree,
                libc::AT_FDCWD,
                dir.as_ptr(),
                (libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC) as libc::c_uint
                    | libc::AT_RECURSIVE as libc::c_uint,
            );
            ok(fd as libc::c_int, 2);
            trees.push(fd as libc::c_int);
        }
        ok(mount_tmpfs(c"/tmp", options), 2);
        for (&fd, (dir, parents)) in trees.iter().zip(keep) {
            for p in parents.iter().chain(std::iter::once(dir)) {
                ok(mkdir_existing(p), 2);
            }
            ok(
                libc::syscall(
                    libc::SYS_move_mount,
                    fd,
                    c"".as_ptr(),
                    libc::AT_FDCWD,
                    dir.as_ptr(),
                    libc::MOVE_MOUNT_F_EMPTY_PATH,
                ) as libc::c_int,
                2,
            );
            libc::close(fd);
        }
        // A fresh folder of run folders, holding only this snippet's, size-capped and its own.
        let (parent, parents) = &plan.run_parent;
        for p in parents.iter().chain(std::iter::once(parent)) {
            ok(mkdir_existing(p), 3);
        }
        ok(mount_tmpfs(parent, c"size=64k,mode=0755"), 3);
        let (run_dir, run_options) = &plan.run_dir;
        ok(libc::mkdir(run_dir.as_ptr(), 0o755), 3);
        ok(
            libc::mount(
                std::ptr::null(),
                parent.as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT
                    | libc::MS_BIND
                    | libc::MS_RDONLY
                    | libc::MS_NOSUID
                    | libc::MS_NODEV,
                std::ptr::null(),
            ),
            3,
        );
        ok(mount_tmpfs(run_dir, run_options), 3);
        // A /proc that shows only the snippet's own processes.
        ok(
            libc::mount(
                c"proc".as_ptr(),
                c"/proc".as_ptr(),
                c"proc".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                std::ptr::null(),
            ),
            4,
        );
        // Pseudo-terminals of its own; without them, those the view had (of this worker).
        libc::mount(
            c"devpts".as_ptr(),
            c"/dev/pts".as_ptr(),
            c"devpts".as_ptr(),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            c"newinstance,ptmxmode=0666,mode=0620".as_ptr().cast(),
        );
        contain::reset_signals();
        let snippet = libc::fork();
        ok(snippet, 5);
        if snippet > 0 {
            contain::init_loop(snippet, status_w);
        }
        // The snippet, PID 2 (PID 1 ignores signals it has no handler for).
        for (to, &fd) in stdio.iter().enumerate() {
            ok(libc::dup2(fd, to as libc::c_int), 6);
        }
        contain::close_all_but(exec_w);
        if let Some((uid, gid)) = ctx.drop_uid {
            ok(libc::setgroups(0, std::ptr::null()), 7);
            ok(libc::setgid(gid), 7);
            ok(libc::setuid(uid), 7);
        }
        if let Some(n) = ctx.nproc {
            let r = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            ok(libc::setrlimit(libc::RLIMIT_NPROC, &r), 1);
        }
        ok(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 8);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        for d in &plan.mkdirs {
            ok(mkdir_existing_mode(d, 0o700), 9);
        }
        ok(libc::chdir(plan.workdir.as_ptr()), 10);
        let mut argv: Vec<*const libc::c_char> = plan.argv.iter().map(|a| a.as_ptr()).collect();
        argv.push(std::ptr::null());
        let mut envp: Vec<*const libc::c_char> = plan.envp.iter().map(|e| e.as_ptr()).collect();
        envp.push(std::ptr::null());
        libc::execve(plan.binary.as_ptr(), argv.as_ptr(), envp.as_ptr());
        fail(11)
    }
}

fn mount_tmpfs(target: &std::ffi::CStr, options: &std::ffi::CStr) -> libc::c_int {
    // SAFETY: mount(2) on C strings.
    unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            options.as_ptr().cast(),
        )
    }
}

fn mkdir_existing(dir: &std::ffi::CStr) -> libc::c_int {
    mkdir_existing_mode(dir, 0o755)
}

/// mkdir, where a directory already there is no error.
fn mkdir_existing_mode(dir: &std::ffi::CStr, mode: libc::mode_t) -> libc::c_int {
    // SAFETY: mkdir on a C string; errno is thread-local.
    unsafe {
        if libc::mkdir(dir.as_ptr(), mode) < 0 && *libc::__errno_location() != libc::EEXIST {
            return -1;
        }
    }
    0
}
