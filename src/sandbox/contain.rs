//! Containment of the run step. Each snippet process is started through `Sandbox::command`,
//! which (where the system allows it) gives it:
//! - a pids cgroup (a cap on processes and threads, and the list of all it started) and a memory
//!   cgroup (a cap on all its processes together);
//! - rlimits: data (the per-process memory cap that Go reports as `runtime: out of memory`),
//!   file size, no core dumps unless they land in the snippet's tmpfs; RLIMIT_NPROC where there
//!   is no pids cgroup;
//! - new network, mount, PID, IPC and UTS namespaces (inside a new user namespace when snipcheck
//!   is not root): no network; a root filesystem of its own (`View`) that shows read-only only
//!   what a program needs of the host (no Unix socket of the host is in it), with the snippet's
//!   own size-capped tmpfs directory, a private /tmp and a fresh /proc (where pivot_root is
//!   refused: every host filesystem read-only instead); and a PID 1 whose exit makes the kernel
//!   kill everything the snippet started, whatever its session or process group;
//! - when snipcheck runs as root, the user `nobody` and no_new_privs;
//! - a scrubbed environment, its own HOME, TMPDIR and working directory.
//!
//! A `test` snippet's binary is built and started by `go test`; `Sandbox::go_test` makes
//! snipcheck itself the `-exec` program (`exec_main`), which runs the test binary the same way.
//!
//! The mechanisms are probed once per run in throwaway child processes; each one that is missing
//! is reported as a warning with its fallback, never as an error. Everything between fork and
//! exec (`enter`) is plain system calls on data prepared beforehand: no allocation, no locks.
//!
//! `run::run` starts a snippet from a worker's supervisor (`supervisor`, issue 16) where the run
//! has one; the supervisor uses the root filesystem (`sandbox::view`) and this module's process
//! steps.
//!
//! Size: about 1,100 lines of code, over the ~600 a module should hold. What sets up a snippet's
//! process runs between fork and exec, where only async-signal-safe calls are allowed, and the
//! probes and the exec path share that setup; the root filesystem is in `view`, and the split
//! still planned is the probes from the process setup.

use std::ffi::{CStr, CString, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Error;
use crate::sandbox::cgroup;
use crate::sandbox::limits::{ENV_ALLOW_LIST, Limits};
use crate::sandbox::view::{SYSTEM, View, enter_view, view};

/// Who a snippet runs as when snipcheck is root.
pub const NOBODY: u32 = 65534;

/// Turns mechanisms off, to see or test the fallbacks: `net,mount,root,pid,cgroup,uid` or `all`;
/// `supervisor` starts every snippet on its own instead of from a worker's supervisor.
pub const DISABLE_VAR: &str = "SNIPCHECK_SANDBOX_DISABLE";

/// What this system lets snipcheck use, found by `probe`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mechanisms {
    pub user_ns: bool,
    pub net_ns: bool,
    pub mount_ns: bool,
    pub pid_ns: bool,
    pub drop_uid: bool,
    pub pids_cgroup: bool,
    pub memory_cgroup: bool,
    /// A cpu cgroup, for the snippets that ask for a CPU quota (`cpus=`).
    pub cpu_cgroup: bool,
    /// A root filesystem of the snippet's own, showing only what it needs of the host (`View`).
    pub own_root: bool,
}

pub struct Sandbox {
    /// Dropped first: the supervisors hold the run's cgroup directories open.
    pub(super) supervisors: Option<crate::sandbox::supervisor::Pool>,
    pub(super) limits: Limits,
    pub(super) mech: Mechanisms,
    pub(super) cgroups: Option<cgroup::Run>,
    /// Every mount point, with the flags that remount it read-only and keep its locked flags.
    mounts: Vec<(CString, libc::c_ulong)>,
    pub(super) env: Vec<(String, OsString)>,
    warnings: Vec<String>,
    next: AtomicUsize,
    _cleanup: crate::sandbox::interrupt::Registration,
}

/// A command ready to spawn, and the cgroups its processes live in (killed and removed on drop).
pub struct Jail {
    pub command: Command,
    pub group: Option<cgroup::Group>,
}

impl Sandbox {
    /// Probes the system and prepares the run's cgroups.
    pub fn new(limits: &Limits) -> Sandbox {
        let disabled = std::env::var(DISABLE_VAR).unwrap_or_default();
        let off = |m: &str| {
            disabled
                .split(',')
                .any(|d| d.trim() == m || d.trim() == "all")
        };
        let (mech, mut why) = probe(limits, &off);
        let mut mech = mech;
        let cgroups = if off("cgroup") {
            why.push("cgroups (disabled by SNIPCHECK_SANDBOX_DISABLE)".into());
            None
        } else {
            let (run, reasons) = cgroup::Run::create();
            why.extend(reasons);
            mech.pids_cgroup = run.has_pids();
            mech.memory_cgroup = run.has_memory();
            mech.cpu_cgroup = run.has_cpu();
            Some(run)
        };
        let env = ENV_ALLOW_LIST
            .iter()
            .map(|s| s.to_string())
            .chain(limits.env.iter().cloned())
            .filter_map(|k| std::env::var_os(&k).map(|v| (k, v)))
            .collect();
        let warnings = warnings(&mech, limits);
        let mut warnings = warnings;
        if !warnings.is_empty() && !why.is_empty() {
            warnings.push(format!("(unavailable: {})", why.join("; ")));
        }
        let dirs = cgroups.as_ref().map(|c| c.dirs()).unwrap_or_default();
        Sandbox {
            supervisors: crate::sandbox::supervisor::Pool::new(&mech, off("supervisor")),
            _cleanup: crate::sandbox::interrupt::kill_cgroups_on_interrupt(dirs),
            limits: limits.clone(),
            mech,
            cgroups,
            mounts: if mech.mount_ns {
                read_mounts()
            } else {
                Vec::new()
            },
            env,
            warnings,
            next: AtomicUsize::new(0),
        }
    }

    pub fn mechanisms(&self) -> Mechanisms {
        self.mech
    }

    /// Whether snippets get `name` from snipcheck's own environment (the allow-list, or the
    /// project's `[sandbox] env`), set here.
    pub fn passes(&self, name: &str) -> bool {
        self.env.iter().any(|(k, _)| k == name)
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// One line per missing mechanism, with what happens instead.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Prints the warnings on stderr.
    pub fn warn(&self) {
        for w in &self.warnings {
            eprintln!("warning: {w}");
        }
    }

    /// A command that runs `binary` contained, with `run_dir` as its own directory (HOME,
    /// TMPDIR and the working directory are made inside it).
    /// `cpus`: a CPU quota in thousandths of a CPU (the `cpus=` attribute).
    pub fn command(&self, binary: &Path, run_dir: &Path, cpus: Option<u32>) -> Result<Jail, Error> {
        let (uid, gid) = self.user();
        if self.mech.drop_uid {
            make_reachable(binary)
                .map_err(|e| Error::io(format!("cannot open up {}", run_dir.display()), e))?;
        }
        let group = self.prepare(run_dir, uid, gid, cpus)?;
        let join = group.as_ref().map(|g| g.join_paths()).unwrap_or_default();
        let plan = Arc::new(plan(
            &self.limits,
            &self.mech,
            &self.mounts,
            &join,
            binary,
            run_dir,
            None,
            &Shown::default(),
            (uid, gid),
        ));
        let mut command = Command::new(binary);
        command.current_dir(run_dir);
        scrubbed_env(
            &mut command,
            self.env.iter().map(|(k, v)| (k, v)),
            run_dir,
            None,
        );
        // SAFETY: `enter` runs between fork and exec and only makes system calls on the plan,
        // which was built beforehand and is only read.
        unsafe {
            command.pre_exec(move || enter(&plan));
        }
        Ok(Jail { command, group })
    }

    /// `go test` for a `test` snippet: the go command builds the test binary outside the
    /// sandbox and starts it through `-exec` (see `go_test_exec_flag`), which runs it contained
    /// as `command` does, in its package directory (read-only), with `run_dir` for HOME and
    /// TMPDIR. `root` is the workspace, whose directories `nobody` must be able to pass.
    /// `env` is the snippet's own environment (its `env=` and `godebug=` attributes); `shown`
    /// are host directories shown read-only in its root besides the usual ones (what a script
    /// snippet's `exec go` needs: the toolchain, the scripts' build cache, the tools).
    /// `go` is the go command with `test` and the build flags; `-exec` is added here.
    pub fn go_test(
        &self,
        mut go: Command,
        run_dir: &Path,
        root: &Path,
        env: &[(String, String)],
        shown: &Shown,
        binary: TestBinary,
    ) -> Result<Jail, Error> {
        let TestBinary { playback, cpus } = binary;
        let (uid, gid) = self.user();
        let group = self.prepare(run_dir, uid, gid, cpus)?;
        let spec = Spec {
            limits: self.limits.clone(),
            mech: self.mech,
            join: group.as_ref().map(|g| g.join_paths()).unwrap_or_default(),
            run_dir: run_dir.to_path_buf(),
            root: root.to_path_buf(),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string_lossy().into_owned()))
                .chain(env.iter().cloned())
                .collect(),
            shown: Shown {
                read_only: shown
                    .read_only
                    .iter()
                    .filter(|d| !SYSTEM.iter().any(|s| d.starts_with(s)))
                    .cloned()
                    .collect(),
                copy_on_write: shown.copy_on_write.clone(),
            },
            playback,
        };
        let json = serde_json::to_string(&spec)
            .map_err(|e| Error::Other(format!("cannot describe the sandbox: {e}")))?;
        go.env(SPEC_VAR, json).arg(go_test_exec_flag()?);
        Ok(Jail { command: go, group })
    }

    pub(super) fn user(&self) -> (u32, u32) {
        if self.mech.drop_uid {
            (NOBODY, NOBODY)
        } else {
            // SAFETY: getuid/getgid cannot fail and touch no memory.
            unsafe { (libc::getuid(), libc::getgid()) }
        }
    }

    /// The run directory (on disk when there is no mount namespace) and the snippet's cgroups.
    pub(super) fn prepare(
        &self,
        run_dir: &Path,
        uid: u32,
        gid: u32,
        cpus: Option<u32>,
    ) -> Result<Option<cgroup::Group>, Error> {
        if cpus.is_some() && !self.mech.cpu_cgroup {
            // Planning refuses such a snippet first (`CPU_QUOTA_MISSING`); never run it unthrottled.
            return Err(Error::Other(CPU_QUOTA_MISSING.into()));
        }
        let io_err =
            |what: &str, e: io::Error| Error::io(format!("{what} {}", run_dir.display()), e);
        // Without a mount namespace the directories live on disk; with one, they are made in
        // the snippet's tmpfs, after it is mounted.
        if !self.mech.mount_ns {
            for d in ["home", "temp", "work"].map(|d| run_dir.join(d)) {
                fs::create_dir_all(&d).map_err(|e| io_err("cannot create directories in", e))?;
                if self.mech.drop_uid {
                    std::os::unix::fs::chown(&d, Some(uid), Some(gid))
                        .map_err(|e| io_err("cannot hand over", e))?;
                }
            }
        }
        let l = &self.limits;
        Ok(match &self.cgroups {
            Some(run) if self.mech.pids_cgroup || self.mech.memory_cgroup || cpus.is_some() => {
                let name = format!("s{}", self.next.fetch_add(1, Ordering::Relaxed));
                Some(
                    run.group(&name, l.processes, l.memory.saturating_mul(2), cpus)
                        .map_err(|e| Error::io("cannot create the snippet's cgroup", e))?,
                )
            }
            _ => None,
        })
    }
}

/// How `go_test` runs the test binary, besides its environment.
pub struct TestBinary {
    /// A `-tags=faketime` build: its output is decoded from playback frames before go test
    /// reads it (the go command's own output is not framed).
    pub playback: bool,
    /// The CPU quota, in thousandths of a CPU (`cpus=`).
    pub cpus: Option<u32>,
}

/// Why a snippet with `cpus=` is not run here.
pub const CPU_QUOTA_MISSING: &str = "`cpus=` asks for a CPU quota, and snipcheck has no cpu cgroup to set one in here (it needs the cgroup v1 cpu controller, writable: run as root, or in a container that delegates it); remove `cpus=` or run where the quota can be set";

/// Where `go_test` puts the sandbox's description for the `-exec` program.
const SPEC_VAR: &str = "SNIPCHECK_CONTAIN_SPEC";

/// The first argument that makes snipcheck the `-exec` program of `go test` (see `exec_main`).
pub const EXEC_ARG: &str = "__contain-exec";

/// What the `-exec` program needs to run a test binary as `Sandbox::command` runs a snippet.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Spec {
    limits: Limits,
    mech: Mechanisms,
    /// The `cgroup.procs` files of the snippet's groups (made, and later killed and removed,
    /// by the snipcheck run that owns them).
    join: Vec<PathBuf>,
    run_dir: PathBuf,
    root: PathBuf,
    env: Vec<(String, String)>,
    /// The test binary was built with `-tags=faketime`: pass its output on unframed.
    playback: bool,
    /// Host directories shown besides the system's (`Sandbox::go_test`).
    shown: Shown,
}

/// Host directories a contained process sees besides the system's: read-only, or
/// copy-on-write (an overlay whose writes stay in its own tmpfs; read-only where the kernel
/// refuses one, and without a root of its own).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Shown {
    pub read_only: Vec<PathBuf>,
    pub copy_on_write: Vec<PathBuf>,
}

/// `-exec=SNIPCHECK __contain-exec`, quoted the way the go command splits it.
/// The binary is named through `/proc/PID/exe`, which stays this very process's executable
/// while it runs even when the file is replaced (a `cargo build` or an upgrade during a run),
/// where its path would then name a deleted file or another version.
fn go_test_exec_flag() -> Result<String, Error> {
    let own = PathBuf::from(format!("/proc/{}/exe", std::process::id()));
    let exe = if own.exists() {
        own
    } else {
        std::env::current_exe()
            .map_err(|e| Error::io("cannot find snipcheck's own executable", e))?
    };
    let exe = exe.to_str().ok_or_else(|| {
        Error::Other("snipcheck's own path is not UTF-8; `go test -exec` cannot name it".into())
    })?;
    let quoted = if exe.contains('\'') {
        if exe.contains('"') {
            return Err(Error::Other(format!(
                "snipcheck's own path {exe} holds both kinds of quotes; `go test -exec` cannot name it"
            )));
        }
        format!("\"{exe}\"")
    } else {
        format!("'{exe}'")
    };
    Ok(format!("-exec={quoted} {EXEC_ARG}"))
}

/// `snipcheck __contain-exec TEST_BINARY ARGS...`, as `go test -exec` starts it in the test's
/// package directory: runs the test binary contained as the spec in the environment says and
/// exits the way it did. Returns the exit status when it cannot even start it.
pub fn exec_main(args: &[OsString]) -> i32 {
    let fail = |m: String| {
        eprintln!("snipcheck: {m}");
        125
    };
    let Some((binary, rest)) = args.split_first() else {
        return fail(format!("{EXEC_ARG}: no test binary to run"));
    };
    let spec: Spec = match std::env::var(SPEC_VAR)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            return fail(format!(
                "{EXEC_ARG}: no sandbox description in {SPEC_VAR}: {e}"
            ));
        }
    };
    let workdir = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return fail(format!("cannot read the working directory: {e}")),
    };
    let binary = workdir.join(binary);
    let uid = if spec.mech.drop_uid {
        for p in [&binary, &workdir.join(".")] {
            if let Err(e) = make_reachable_below(p, &spec.root) {
                return fail(format!("cannot open up {}: {e}", p.display()));
            }
        }
        (NOBODY, NOBODY)
    } else {
        // SAFETY: getuid/getgid cannot fail.
        unsafe { (libc::getuid(), libc::getgid()) }
    };
    let mounts = if spec.mech.mount_ns {
        read_mounts()
    } else {
        Vec::new()
    };
    let plan = Arc::new(plan(
        &spec.limits,
        &spec.mech,
        &mounts,
        &spec.join,
        &binary,
        &spec.run_dir,
        Some(&workdir),
        &spec.shown,
        uid,
    ));
    let mut command = Command::new(&binary);
    // `go test -cover` has the test binary write its coverage data into the go command's work
    // directory, which is read-only in the sandbox; its own TMPDIR serves, since the binary
    // reads the data back itself to print the figure.
    command.args(rest.iter().map(|a| match a.to_str() {
        Some(a) if a.starts_with("-test.gocoverdir=") => {
            let mut dir = OsString::from("-test.gocoverdir=");
            dir.push(spec.run_dir.join("temp"));
            dir
        }
        _ => a.clone(),
    }));
    scrubbed_env(
        &mut command,
        spec.env.iter().map(|(k, v)| (k, v)),
        &spec.run_dir,
        Some(&workdir),
    );
    // SAFETY: as in `Sandbox::command`.
    unsafe {
        command.pre_exec(move || enter(&plan));
    }
    let status = if spec.playback {
        match unframed(command) {
            Ok(Ok(s)) => s,
            Ok(Err(problem)) => return fail(problem),
            Err(e) => return fail(format!("cannot start {}: {e}", binary.display())),
        }
    } else {
        match command.status() {
            Ok(s) => s,
            Err(e) => return fail(format!("cannot start {}: {e}", binary.display())),
        }
    };
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        // Die of the same signal, so the go command reports it as it would have.
        // SAFETY: signal/kill on this process with its default action.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::kill(libc::getpid(), sig);
        }
        return 128 + sig;
    }
    status.code().unwrap_or(125)
}

/// Runs a test binary built with `-tags=faketime`, passing on what it writes to stdout and
/// stderr without the playback frames, as it arrives (go test reads it as the test runs, and a
/// test that hangs must show what it printed). go test gives a test binary one pipe for both
/// streams; so does this then, which keeps the frames whole and in order. `Ok(Err(..))`: the
/// output was not frames (a child process, a raw write), said after passing the rest on as is.
fn unframed(mut command: Command) -> io::Result<Result<std::process::ExitStatus, String>> {
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    let same = |a: std::os::fd::BorrowedFd, b: std::os::fd::BorrowedFd| {
        let stat = |fd: std::os::fd::BorrowedFd| {
            // SAFETY: fstat on a descriptor borrowed for the call, into a zeroed struct.
            unsafe {
                let mut st: libc::stat = std::mem::zeroed();
                (libc::fstat(std::os::fd::AsRawFd::as_raw_fd(&fd), &mut st) == 0)
                    .then_some((st.st_dev, st.st_ino))
            }
        };
        stat(a).is_some() && stat(a) == stat(b)
    };
    let relay = |mut pipe: io::PipeReader, mut to: Box<dyn Write + Send>| {
        let mut u = crate::go::playback::Unframer::default();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut problem = None;
        loop {
            let n = match pipe.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let mut out = Vec::new();
            if problem.is_some() {
                out.extend_from_slice(&chunk[..n]);
            } else if let Err(m) = u.feed(&chunk[..n], &mut out) {
                problem = Some(m.to_string());
                // What follows is passed on as it is, so nothing the test printed is lost.
                out.clear();
                out.extend_from_slice(&chunk[..n]);
            }
            let _ = to.write_all(&out).and_then(|()| to.flush());
        }
        problem.or_else(|| u.finish().err().map(|m| m.to_string()))
    };
    let ended = if same(io::stdout().as_fd(), io::stderr().as_fd()) {
        let (reader, writer) = io::pipe()?;
        command.stdout(writer.try_clone()?).stderr(writer);
        let mut child = command.spawn()?;
        // The pipe's writing ends are the child's alone now, so it ends when the child does.
        drop(command);
        let problem = relay(reader, Box::new(io::stdout()));
        (child.wait()?, problem)
    } else {
        let (out_r, out_w) = io::pipe()?;
        let (err_r, err_w) = io::pipe()?;
        command.stdout(out_w).stderr(err_w);
        let mut child = command.spawn()?;
        drop(command);
        let problem = std::thread::scope(|scope| {
            let err = scope.spawn(|| relay(err_r, Box::new(io::stderr())));
            let out = relay(out_r, Box::new(io::stdout()));
            out.or(err.join().unwrap_or(None))
        });
        (child.wait()?, problem)
    };
    Ok(match ended {
        (status, None) => Ok(status),
        (_, Some(p)) => Err(faketime_problem(&p)),
    })
}

/// How `exec_main` begins the line that says a test binary's output was not playback frames,
/// which `go_test` finds in go test's output.
pub const FAKETIME_PROBLEM: &str = "under `faketime` every write";

fn faketime_problem(problem: &str) -> String {
    format!(
        "under `faketime` every write to stdout and stderr is a playback frame, but the test binary's output has {problem}: something wrote to it past the Go runtime (a child process given os.Stdout, a raw write system call); run this snippet with `faketime=false`"
    )
}

/// The environment a contained process gets: only `vars` (the allow-list's, and the
/// snippet's own), with HOME and TMPDIR in its run directory.
fn scrubbed_env<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
    command: &mut Command,
    vars: impl Iterator<Item = (K, V)>,
    run_dir: &Path,
    workdir: Option<&Path>,
) {
    command
        .env_clear()
        .envs(vars)
        .env("HOME", run_dir.join("home"))
        .env("TMPDIR", run_dir.join("temp"))
        .env(
            "PWD",
            workdir.map_or_else(|| run_dir.join("work"), Path::to_path_buf),
        );
}

/// The steps `enter` takes, from the limits and mechanisms: in `run_dir` (a tmpfs when there is
/// a mount namespace), working in `workdir` or else `run_dir/work`.
#[allow(clippy::too_many_arguments)]
fn plan(
    l: &Limits,
    mech: &Mechanisms,
    mounts: &[(CString, libc::c_ulong)],
    join: &[PathBuf],
    binary: &Path,
    run_dir: &Path,
    workdir: Option<&Path>,
    shown: &Shown,
    (uid, gid): (u32, u32),
) -> Plan {
    let (home, tmp, work) = (
        run_dir.join("home"),
        run_dir.join("temp"),
        run_dir.join("work"),
    );
    let mut unshare = 0;
    if mech.net_ns && !l.network {
        unshare |= libc::CLONE_NEWNET;
    }
    if mech.mount_ns {
        unshare |= libc::CLONE_NEWNS | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS;
    }
    if mech.pid_ns {
        unshare |= libc::CLONE_NEWPID;
    }
    Plan {
        join: join.iter().map(|p| cstr(p)).collect(),
        rlimits: vec![
            (libc::RLIMIT_DATA, l.memory, l.memory),
            (libc::RLIMIT_FSIZE, l.files, l.files),
            (libc::RLIMIT_CORE, 0, core_hard_limit(mech)),
        ],
        nproc: (!mech.pids_cgroup).then_some(l.processes),
        user_ns: mech.user_ns.then(|| user_maps(uid, gid)),
        unshare,
        mounts: mounts.to_vec(),
        view: (mech.mount_ns && mech.own_root).then(|| {
            view(
                l.files,
                mech.pid_ns,
                binary,
                run_dir,
                workdir,
                &shown.read_only,
                &shown.copy_on_write,
                (uid, gid),
            )
        }),
        tmpfs: mech.mount_ns.then(|| {
            (
                cstr(run_dir),
                CString::new(format!("size={},mode=0700,uid={uid},gid={gid}", l.files)).unwrap(),
            )
        }),
        private_tmp: mech.mount_ns.then(|| PrivateTmp {
            options: CString::new(format!("size={},mode=1777", l.files)).unwrap(),
            keep: kept_under_tmp(
                &[
                    binary.parent().unwrap_or(binary),
                    run_dir,
                    workdir.unwrap_or(run_dir),
                ]
                .into_iter()
                .chain(shown.read_only.iter().map(PathBuf::as_path))
                .chain(shown.copy_on_write.iter().map(PathBuf::as_path))
                .collect::<Vec<_>>(),
            ),
        }),
        pid_ns: mech.pid_ns,
        drop_uid: mech.drop_uid.then_some((uid, gid)),
        mkdirs: if mech.mount_ns {
            vec![cstr(&home), cstr(&tmp), cstr(&work)]
        } else {
            Vec::new()
        },
        workdir: cstr(workdir.unwrap_or(&work)),
    }
}

fn warnings(m: &Mechanisms, l: &Limits) -> Vec<String> {
    let mut w = Vec::new();
    if !m.net_ns && !l.network {
        w.push("no network namespace: snippets can reach the network".to_string());
    }
    if !m.mount_ns {
        w.push(if m.drop_uid {
            "no mount namespace: snippets run as `nobody` and can write where everyone can (/tmp, /var/tmp, /dev/shm)".to_string()
        } else {
            "no mount namespace: snippets can write wherever you can, the repository included"
                .to_string()
        });
    }
    if !m.own_root {
        w.push("no root filesystem of its own: snippets can see the host's files read-only and connect to the Unix sockets there that their user may write (/run, /var/tmp, home folders)".to_string());
    } else if !m.pid_ns {
        w.push("no PID namespace: snippets have an empty /proc".to_string());
    }
    if !m.pid_ns && !m.pids_cgroup {
        w.push("no PID namespace and no pids cgroup: a process a snippet starts in a new session (setsid) can outlive it".to_string());
    }
    if !m.pids_cgroup && !m.user_ns {
        // SAFETY: geteuid cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        w.push(if root && !m.drop_uid {
            "no pids cgroup and snippets run as root: the number of processes is not capped"
                .to_string()
        } else {
            "no pids cgroup: the process cap is RLIMIT_NPROC, shared by every process of the user"
                .to_string()
        });
    }
    if !m.memory_cgroup {
        w.push("no memory cgroup: memory is capped per process (RLIMIT_DATA), not for all of a snippet's processes together".to_string());
    }
    w
}

/// No core dumps unless a snippet asks for them (the soft limit is 0). It may raise the limit
/// only where the kernel would write the core file into the snippet's own size-capped tmpfs:
/// with a mount namespace and a `core_pattern` that is a file name. A pattern that pipes the
/// core to a program (systemd-coredump, apport) would hand it to a helper outside the sandbox,
/// so then the hard limit is 0 as well.
pub(super) fn core_hard_limit(mech: &Mechanisms) -> u64 {
    let to_file = fs::read_to_string("/proc/sys/kernel/core_pattern")
        .is_ok_and(|p| !p.trim().is_empty() && !p.starts_with('|') && !p.starts_with('/'));
    if mech.mount_ns && to_file {
        libc::RLIM_INFINITY
    } else {
        0
    }
}

/// The steps `enter` takes, prepared before fork.
struct Plan {
    join: Vec<CString>,
    /// Resource, soft limit, hard limit.
    rlimits: Vec<(libc::__rlimit_resource_t, u64, u64)>,
    nproc: Option<u64>,
    user_ns: Option<UserMaps>,
    unshare: libc::c_int,
    mounts: Vec<(CString, libc::c_ulong)>,
    /// The snippet's own root (with a mount namespace, where the system allows it); without
    /// it, `tmpfs` and `private_tmp` over the host's read-only filesystems.
    view: Option<View>,
    tmpfs: Option<(CString, CString)>,
    /// A tmpfs of the snippet's own on /tmp (with a mount namespace).
    private_tmp: Option<PrivateTmp>,
    pid_ns: bool,
    drop_uid: Option<(u32, u32)>,
    mkdirs: Vec<CString>,
    workdir: CString,
}

/// /tmp as the snippet sees it: an empty tmpfs of its own, so that programs that write to
/// /tmp whatever TMPDIR says still can, into its size cap and its namespace only. What lies
/// under /tmp and the snippet needs (the workspace: its binary, its directory) is moved over.
struct PrivateTmp {
    options: CString,
    /// Directories under /tmp to carry over (the binary's folder, the run directory), each
    /// with the directories to create for it in the new /tmp, outermost first.
    keep: Vec<(CString, Vec<CString>)>,
}

/// Mounts on /proc a proc filesystem that shows only the processes of the caller's PID
/// namespace: 0, or -1. Async-signal-safe: one system call.
pub(crate) fn mount_fresh_proc() -> libc::c_int {
    // SAFETY: mount with static C strings.
    unsafe {
        libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        )
    }
}

/// A detached copy of the mount tree at `dir` (`open_tree` with `OPEN_TREE_CLONE`, recursive):
/// a descriptor, or a negative value. Async-signal-safe: one system call.
pub(crate) fn clone_tree(dir: &CStr) -> libc::c_int {
    // SAFETY: open_tree on a NUL-terminated path; the descriptor is the caller's.
    unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            dir.as_ptr(),
            (libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC) as libc::c_uint
                | libc::AT_RECURSIVE as libc::c_uint,
        ) as libc::c_int
    }
}

/// Mounts a tree from `clone_tree` at `dir`: 0, or -1. Async-signal-safe: one system call.
pub(crate) fn attach_tree(fd: libc::c_int, dir: &CStr) -> libc::c_int {
    // SAFETY: move_mount of a descriptor the caller owns onto a NUL-terminated path.
    unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            fd,
            c"".as_ptr(),
            libc::AT_FDCWD,
            dir.as_ptr(),
            libc::MOVE_MOUNT_F_EMPTY_PATH,
        ) as libc::c_int
    }
}

/// Mounts the private /tmp (see `PrivateTmp`). On any failure /tmp stays as it was (read-only),
/// which is the sandbox without this convenience, not a weaker one.
fn private_tmp(tmp: &PrivateTmp) {
    // SAFETY: system calls on prepared C strings and descriptors this process owns.
    unsafe {
        let mut trees = [-1 as libc::c_int; 4];
        for (slot, (dir, _)) in trees.iter_mut().zip(&tmp.keep) {
            let fd = clone_tree(dir);
            if fd < 0 {
                close_fds(&trees);
                return;
            }
            *slot = fd as libc::c_int;
        }
        if libc::mount(
            c"tmpfs".as_ptr(),
            c"/tmp".as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            tmp.options.as_ptr().cast(),
        ) != 0
        {
            close_fds(&trees);
            return;
        }
        for (&fd, (dir, parents)) in trees.iter().zip(&tmp.keep) {
            for p in parents.iter().chain(std::iter::once(dir)) {
                libc::mkdir(p.as_ptr(), 0o755);
            }
            if attach_tree(fd, dir) != 0 {
                // The workspace is out of reach under the new /tmp: put the old one back.
                libc::umount2(c"/tmp".as_ptr(), libc::MNT_DETACH);
                break;
            }
        }
        close_fds(&trees);
    }
}

fn close_fds(fds: &[libc::c_int]) {
    for &fd in fds.iter().filter(|&&fd| fd >= 0) {
        // SAFETY: close on a descriptor this process opened.
        unsafe { libc::close(fd) };
    }
}

/// The directories `dirs` that lie under /tmp (at most eight), each with the directories to
/// make for it, for `PrivateTmp::keep`: those alone, not what lies beside them (with TMPDIR
/// /tmp/a/b, the rest of /tmp/a stays out of sight).
pub(super) fn kept_under_tmp(dirs: &[&Path]) -> Vec<(CString, Vec<CString>)> {
    let mut keep: Vec<PathBuf> = Vec::new();
    for &d in dirs {
        if !d.starts_with("/tmp") || d == Path::new("/tmp") {
            continue;
        }
        if keep.iter().any(|k| d.starts_with(k)) {
            continue;
        }
        keep.retain(|k| !k.starts_with(d));
        keep.push(d.to_path_buf());
    }
    keep.truncate(8);
    keep.into_iter()
        .map(|k| {
            let mut parents: Vec<CString> = k
                .ancestors()
                .skip(1)
                .take_while(|a| *a != Path::new("/tmp"))
                .map(cstr)
                .collect();
            parents.reverse();
            (cstr(&k), parents)
        })
        .collect()
}

pub(super) struct UserMaps {
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
}

pub(super) fn user_maps(uid: u32, gid: u32) -> UserMaps {
    UserMaps {
        uid_map: format!("{uid} {uid} 1").into_bytes(),
        gid_map: format!("{gid} {gid} 1").into_bytes(),
    }
}

pub(super) fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap_or_default()
}

pub(super) fn last_error() -> io::Error {
    io::Error::last_os_error()
}

pub(super) fn check(r: libc::c_int) -> io::Result<()> {
    if r < 0 { Err(last_error()) } else { Ok(()) }
}

/// Writes `data` to a file with plain system calls (safe between fork and exec).
fn write_file(path: &CStr, data: &[u8]) -> io::Result<()> {
    // SAFETY: open/write/close on a valid C string and a valid buffer.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(last_error());
        }
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        let err = last_error();
        libc::close(fd);
        if n != data.len() as isize {
            return Err(err);
        }
    }
    Ok(())
}

pub(super) fn enter_user_ns(maps: &UserMaps) -> io::Result<()> {
    // SAFETY: unshare takes flags only.
    check(unsafe { libc::unshare(libc::CLONE_NEWUSER) })?;
    write_file(c"/proc/self/setgroups", b"deny")?;
    write_file(c"/proc/self/uid_map", &maps.uid_map)?;
    write_file(c"/proc/self/gid_map", &maps.gid_map)
}

/// Runs in the child between fork and exec.
fn enter(plan: &Plan) -> io::Result<()> {
    if crate::sandbox::interrupt::interrupted() {
        return Err(io::Error::from_raw_os_error(libc::EINTR));
    }
    // If snipcheck dies (a second Ctrl-C, kill -9), so does the snippet: the parent-death
    // signal fires when the thread that spawned this process ends, and that thread waits for
    // this process.
    // SAFETY: prctl with constants.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    for f in &plan.join {
        write_file(f, b"0")?;
    }
    // SAFETY: every call below is a system call on data the plan owns; none allocates.
    unsafe {
        for &(res, cur, max) in &plan.rlimits {
            let r = libc::rlimit {
                rlim_cur: cur,
                rlim_max: max,
            };
            check(libc::setrlimit(res, &r))?;
        }
        if let Some(maps) = &plan.user_ns {
            enter_user_ns(maps)?;
        }
        if plan.unshare != 0 {
            check(libc::unshare(plan.unshare))?;
        }
        if let Some((target, data)) = &plan.tmpfs {
            check(private_mounts())?;
            // Read-only everywhere; a mount that refuses (a locked one) stays as it was.
            for (point, flags) in &plan.mounts {
                libc::mount(
                    std::ptr::null(),
                    point.as_ptr(),
                    std::ptr::null(),
                    *flags,
                    std::ptr::null(),
                );
            }
            match &plan.view {
                // With a PID namespace the view is built by the namespace's init, which must
                // mount its /proc while the host's is still in reach (see `enter_view`).
                Some(_) if plan.pid_ns => {}
                Some(view) => enter_view(view)?,
                None => {
                    check(libc::mount(
                        c"tmpfs".as_ptr(),
                        target.as_ptr(),
                        c"tmpfs".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV,
                        data.as_ptr().cast(),
                    ))?;
                    if let Some(tmp) = &plan.private_tmp {
                        private_tmp(tmp);
                    }
                }
            }
        }
        if plan.pid_ns {
            reset_signals();
            // The snippet's status travels from the namespace's init to the shim.
            let mut status_pipe = [0; 2];
            check(libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC))?;
            let [status_read, status_write] = status_pipe;
            let init = libc::fork();
            if init < 0 {
                return Err(last_error());
            }
            if init > 0 {
                libc::close(status_write);
                shim(init, status_read);
            }
            // PID 1 of the new namespace. If the shim is killed (a timeout), so is this
            // process, and with it everything in the namespace.
            libc::close(status_read);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            if let Some(view) = &plan.view {
                enter_view(view)?;
            } else if plan.tmpfs.is_some() {
                mount_fresh_proc();
            }
            // The snippet itself runs as PID 2: PID 1 ignores signals it has no handler for,
            // which would change how a Go program dies (SIGPIPE, a raised SIGABRT).
            let snippet = libc::fork();
            if snippet < 0 {
                return Err(last_error());
            }
            if snippet > 0 {
                init_loop(snippet, status_write);
            }
        }
        if let Some((uid, gid)) = plan.drop_uid {
            check(libc::setgroups(0, std::ptr::null()))?;
            check(libc::setgid(gid))?;
            check(libc::setuid(uid))?;
        }
        if let Some(n) = plan.nproc {
            let r = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            check(libc::setrlimit(libc::RLIMIT_NPROC, &r))?;
        }
        check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))?;
        // Changing the user clears the parent-death signal; set it again.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        for d in &plan.mkdirs {
            if libc::mkdir(d.as_ptr(), 0o700) < 0 && *libc::__errno_location() != libc::EEXIST {
                return Err(last_error());
            }
        }
        check(libc::chdir(plan.workdir.as_ptr()))?;
    }
    Ok(())
}

/// Between fork and exec, snipcheck's signal handlers (the signal thread's, wait-timeout's
/// SIGCHLD) are still installed; a process that never execs must not run them.
pub(super) fn reset_signals() {
    // SAFETY: signal(2) with SIG_DFL; the numbers that cannot be changed fail harmlessly.
    unsafe {
        for s in 1..libc::SIGRTMAX() {
            libc::signal(s, libc::SIG_DFL);
        }
    }
}

/// Closes every descriptor above stdio but `keep`, std's exec-error pipe included, so that
/// snipcheck's spawn returns as soon as the snippet has exec'd.
pub(super) fn close_all_but(keep: libc::c_int) {
    let keep = keep as u32;
    // SAFETY: close_range/close on descriptors of this process only.
    unsafe {
        let ranges = [(3u32, keep.saturating_sub(1)), (keep + 1, u32::MAX)];
        for (first, last) in ranges {
            if first > last {
                continue;
            }
            if libc::syscall(libc::SYS_close_range, first, last, 0u32) < 0 {
                for fd in first..last.min(4096) {
                    libc::close(fd as libc::c_int);
                }
            }
        }
    }
}

pub(super) fn wait_for(pid: libc::pid_t, status: &mut libc::c_int) -> libc::pid_t {
    loop {
        // SAFETY: waitpid into a valid int.
        let r = unsafe { libc::waitpid(pid, status, 0) };
        // SAFETY: errno is thread-local.
        if r >= 0 || unsafe { *libc::__errno_location() } != libc::EINTR {
            return r;
        }
    }
}

/// PID 1 of the snippet's namespace: reaps orphans (a zombie still counts against the process
/// cap) until the snippet exits, hands its status to the shim and exits, which makes the kernel
/// kill everything left in the namespace.
pub(super) fn init_loop(snippet: libc::pid_t, status_write: libc::c_int) -> ! {
    close_all_but(status_write);
    let mut status = 0;
    loop {
        let r = wait_for(-1, &mut status);
        if r == snippet {
            break;
        }
        if r < 0 {
            // SAFETY: _exit ends the process.
            unsafe { libc::_exit(127) };
        }
    }
    // SAFETY: write of an int we own; _exit.
    unsafe {
        libc::write(
            status_write,
            (&raw const status).cast(),
            std::mem::size_of::<libc::c_int>(),
        );
        libc::_exit(0);
    }
}

/// The process between snipcheck and the snippet's namespace: it waits for the namespace to end
/// and exits the way the snippet did, so snipcheck sees the snippet's status. Never returns.
fn shim(init: libc::pid_t, status_read: libc::c_int) -> ! {
    close_all_but(status_read);
    let mut snippet_status: libc::c_int = 0;
    let mut got = 0;
    while got < std::mem::size_of::<libc::c_int>() {
        // SAFETY: read into the int's remaining bytes.
        let n = unsafe {
            libc::read(
                status_read,
                (&raw mut snippet_status).cast::<u8>().add(got).cast(),
                std::mem::size_of::<libc::c_int>() - got,
            )
        };
        // SAFETY: errno is thread-local.
        if n < 0 && unsafe { *libc::__errno_location() } == libc::EINTR {
            continue;
        }
        if n <= 0 {
            break;
        }
        got += n as usize;
    }
    let mut init_status = 0;
    if wait_for(init, &mut init_status) < 0 {
        // SAFETY: _exit ends the process.
        unsafe { libc::_exit(127) };
    }
    // Without the snippet's status (the init was killed), report the init's.
    let status = if got == std::mem::size_of::<libc::c_int>() {
        snippet_status
    } else {
        init_status
    };
    // SAFETY: _exit, or this process's own signal with its default action.
    unsafe {
        if libc::WIFEXITED(status) {
            libc::_exit(libc::WEXITSTATUS(status));
        }
        let sig = libc::WTERMSIG(status);
        libc::signal(sig, libc::SIG_DFL);
        libc::kill(libc::getpid(), sig);
        libc::_exit(128 + sig);
    }
}

/// Runs `f` in a forked child and says whether it returned true.
fn in_child(f: impl FnOnce() -> bool) -> bool {
    // SAFETY: the child only makes system calls (see the callers) and ends in _exit.
    unsafe {
        let pid = libc::fork();
        if pid < 0 {
            return false;
        }
        if pid == 0 {
            let ok = f();
            libc::_exit(if ok { 0 } else { 1 });
        }
        let mut status = 0;
        while libc::waitpid(pid, &mut status, 0) < 0 {
            if *libc::__errno_location() != libc::EINTR {
                return false;
            }
        }
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
    }
}

fn probe(limits: &Limits, off: &dyn Fn(&str) -> bool) -> (Mechanisms, Vec<String>) {
    let mut m = Mechanisms::default();
    let mut why = Vec::new();
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let maps = {
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        user_maps(uid, gid)
    };
    let any_ns = !(off("net") && off("mount") && off("pid"));
    if !root && any_ns {
        m.user_ns = in_child(|| enter_user_ns(&maps).is_ok());
        if !m.user_ns {
            why.push("user namespaces (refused)".into());
        }
    }
    let can_ns = root || m.user_ns;
    let user = m.user_ns;
    let try_ns = |flags: libc::c_int, then: &dyn Fn() -> bool| {
        in_child(|| {
            (!user || enter_user_ns(&maps).is_ok())
                // SAFETY: unshare takes flags only.
                && unsafe { libc::unshare(flags) } == 0
                && then()
        })
    };
    let mut try_named = |name: &str, enabled: bool, flags, then: &dyn Fn() -> bool| -> bool {
        if !enabled {
            return false;
        }
        if off(name) {
            why.push(format!("{name} namespace (disabled by {DISABLE_VAR})"));
            return false;
        }
        if !can_ns {
            return false;
        }
        let ok = try_ns(flags, then);
        if !ok {
            why.push(format!("{name} namespace (refused)"));
        }
        ok
    };
    m.net_ns = try_named("net", !limits.network, libc::CLONE_NEWNET, &|| true);
    let tmp = cstr(&std::env::temp_dir());
    m.mount_ns = try_named(
        "mount",
        true,
        libc::CLONE_NEWNS | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS,
        // SAFETY: mount(2) on constant and prepared strings, in the child's own namespace.
        &|| unsafe {
            private_mounts() == 0
                && libc::mount(
                    c"tmpfs".as_ptr(),
                    tmp.as_ptr(),
                    c"tmpfs".as_ptr(),
                    0,
                    c"size=1m".as_ptr().cast(),
                ) == 0
        },
    );
    // SAFETY: fork/waitpid/_exit only.
    m.pid_ns = try_named("pid", true, libc::CLONE_NEWPID, &|| unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::_exit(0);
        }
        let mut status = 0;
        pid > 0 && libc::waitpid(pid, &mut status, 0) == pid
    });
    if m.mount_ns {
        if off("root") {
            why.push(format!(
                "a root filesystem of its own (disabled by {DISABLE_VAR})"
            ));
        } else {
            m.own_root = probe_view(&try_ns);
            if !m.own_root {
                why.push("a root filesystem of its own (pivot_root refused)".into());
            }
        }
    }
    if root {
        if off("uid") {
            why.push(format!("running as nobody (disabled by {DISABLE_VAR})"));
        } else if let Some(blocked) = unreachable_ancestor(&std::env::temp_dir()) {
            why.push(format!(
                "running as nobody ({} is not searchable by other users)",
                blocked.display()
            ));
        } else {
            // SAFETY: set*id on constants.
            m.drop_uid = in_child(|| unsafe {
                libc::setgroups(0, std::ptr::null()) == 0
                    && libc::setgid(NOBODY) == 0
                    && libc::setuid(NOBODY) == 0
            });
        }
    }
    (m, why)
}

/// Builds a snippet's view (`View`) for snipcheck's own binary in a throwaway directory, in a
/// child with a mount namespace of its own.
fn probe_view(try_ns: &dyn Fn(libc::c_int, &dyn Fn() -> bool) -> bool) -> bool {
    let (Ok(stage), Ok(exe)) = (
        tempfile::Builder::new()
            .prefix("snipcheck-probe-")
            .tempdir(),
        std::env::current_exe(),
    ) else {
        return false;
    };
    // SAFETY: getuid/getgid cannot fail.
    let user = unsafe { (libc::getuid(), libc::getgid()) };
    let v = view(1 << 20, false, &exe, stage.path(), None, &[], &[], user);
    try_ns(libc::CLONE_NEWNS, &|| {
        private_mounts() == 0
            && enter_view(&v).is_ok()
            && Path::new("/usr").exists()
            && !Path::new("/var").exists()
    })
}

/// The first directory on the way to `dir` that others cannot pass through.
fn unreachable_ancestor(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|a| fs::metadata(a).map_or(true, |m| m.permissions().mode() & 0o001 == 0))
        .map(Path::to_path_buf)
}

/// Opens every directory from `path`'s parent up to `root` for `nobody` to pass through (a test
/// binary and its package directory lie deeper in the workspace than a snippet's binary).
fn make_reachable_below(path: &Path, root: &Path) -> io::Result<()> {
    for dir in path.ancestors().skip(1) {
        if !dir.starts_with(root) {
            break;
        }
        let mode = fs::metadata(dir)?.permissions().mode();
        if mode & 0o001 == 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode((mode & 0o7777) | 0o011))?;
        }
    }
    Ok(())
}

/// The workspace is private to snipcheck (0700); `nobody` must be able to reach the binary.
pub(super) fn make_reachable(binary: &Path) -> io::Result<()> {
    for dir in binary.ancestors().skip(1).take(2) {
        let mode = fs::metadata(dir)?.permissions().mode();
        if mode & 0o001 == 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode((mode & 0o7777) | 0o011))?;
        }
    }
    Ok(())
}

/// Mount points from /proc/self/mountinfo, with the flags that remount each read-only while
/// keeping the flags a user namespace may not clear.
pub(super) fn read_mounts() -> Vec<(CString, libc::c_ulong)> {
    let Ok(text) = fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    parse_mountinfo(&text)
}

fn parse_mountinfo(text: &str) -> Vec<(CString, libc::c_ulong)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.len() < 6 {
            continue;
        }
        let point = unescape(fields[4]);
        let mut flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY;
        for o in fields[5].split(',') {
            flags |= match o {
                "nosuid" => libc::MS_NOSUID,
                "nodev" => libc::MS_NODEV,
                "noexec" => libc::MS_NOEXEC,
                "noatime" => libc::MS_NOATIME,
                "nodiratime" => libc::MS_NODIRATIME,
                "relatime" => libc::MS_RELATIME,
                _ => 0,
            };
        }
        if let Ok(c) = CString::new(point) {
            out.push((c, flags));
        }
    }
    out
}

/// mountinfo writes space, tab, newline and backslash as `\040`-style octal escapes.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Makes every mount of this (new) mount namespace private, so that what the snippet's setup
/// mounts or detaches does not propagate back to the host: the first step of each mount setup.
/// A bare mount(2) on constants, so it is async-signal-safe and may run between fork and exec.
pub(super) fn private_mounts() -> libc::c_int {
    // SAFETY: mount(2) with constant arguments; it changes only the caller's mount namespace.
    unsafe {
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines() {
        let text = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
                    28 27 0:25 / /mnt/a\\040b ro,nosuid,nodev - tmpfs x ro\n";
        let m = parse_mountinfo(text);
        assert_eq!(m[0].0.as_bytes(), b"/");
        assert_ne!(m[0].1 & libc::MS_RELATIME, 0);
        assert_eq!(m[1].0.as_bytes(), b"/mnt/a b");
        assert_ne!(m[1].1 & libc::MS_NOSUID, 0);
        assert_ne!(m[1].1 & libc::MS_RDONLY, 0);
    }

    #[test]
    fn only_the_folders_a_snippet_needs_are_kept_under_tmp() {
        let keep = kept_under_tmp(&[
            Path::new("/tmp/a/b/snipcheck-0/work-1/bin"),
            Path::new("/tmp/a/b/snipcheck-0/work-1/run/s3"),
            Path::new("/tmp/a/b/snipcheck-0/work-1/run/s3/work"),
            Path::new("/var/tmp/x"),
        ]);
        let shown: Vec<_> = keep
            .iter()
            .map(|(d, parents)| (d.to_str().unwrap(), parents.len()))
            .collect();
        assert_eq!(
            shown,
            [
                ("/tmp/a/b/snipcheck-0/work-1/bin", 4),
                ("/tmp/a/b/snipcheck-0/work-1/run/s3", 5),
            ]
        );
        assert_eq!(keep[0].1[0].to_str().unwrap(), "/tmp/a");
    }

    #[test]
    fn warnings_name_each_missing_mechanism() {
        let none = warnings(&Mechanisms::default(), &Limits::default());
        assert!(none.iter().any(|w| w.contains("network")));
        assert!(none.iter().any(|w| w.contains("mount namespace")));
        assert!(none.iter().any(|w| w.contains("setsid")));
        let all = Mechanisms {
            user_ns: false,
            net_ns: true,
            mount_ns: true,
            pid_ns: true,
            drop_uid: true,
            pids_cgroup: true,
            memory_cgroup: true,
            cpu_cgroup: true,
            own_root: true,
        };
        assert!(warnings(&all, &Limits::default()).is_empty());
    }
}
