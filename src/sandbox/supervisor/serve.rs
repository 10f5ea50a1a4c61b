//! The supervisor's own side (see `supervisor`): `snipcheck __supervisor` enters the worker's
//! namespaces and root once (`set_up`), then starts one snippet per request (`run_one`): a
//! clone in new PID, mount, IPC and UTS namespaces (`snippet_init`) that joins the snippet's
//! cgroups, mounts its fresh /tmp, folder, /proc and devpts, and forks the snippet, which drops
//! its privileges and execs. Between the clone and exec only system calls on the prepared
//! `Plan` run (the supervisor has one thread, so the child may allocate, but it does not need
//! to beyond building argv).

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::{Request, SETUP_VAR, SUPERVISOR_ARG, Setup, recv, send};
use crate::sandbox::contain;
use crate::sandbox::view::{mkdir_existing_mode, mount_tmpfs};

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
    let view = crate::sandbox::view::view(
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
    crate::sandbox::view::enter_view(&view).map_err(|e| format!("its own root: {e}"))?;
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
            let fd = contain::clone_tree(dir);
            ok(fd, 2);
            trees.push(fd);
        }
        ok(mount_tmpfs(c"/tmp", options), 2);
        for (&fd, (dir, parents)) in trees.iter().zip(keep) {
            for p in parents.iter().chain(std::iter::once(dir)) {
                ok(mkdir_existing(p), 2);
            }
            ok(contain::attach_tree(fd, dir), 2);
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
        ok(contain::mount_fresh_proc(), 4);
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

fn mkdir_existing(dir: &std::ffi::CStr) -> libc::c_int {
    mkdir_existing_mode(dir, 0o755)
}
