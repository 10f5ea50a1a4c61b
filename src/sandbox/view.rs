//! The snippet's own root filesystem (`View`): what a contained process sees of the host, built
//! on a tmpfs stage from host paths, then made its root with pivot_root. Used by the
//! per-snippet path (`contain::enter`), by the probe, and once per worker by the supervisor.

use std::ffi::{CStr, CString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::sandbox::contain::{check, cstr, last_error};

/// The snippet's own root filesystem. A network namespace does not cover Unix sockets bound
/// to a path, and connect(2) works on a read-only mount, so a read-only host still lets a
/// snippet reach every socket its user may write (session buses, agents, docker.sock, one in
/// /var/tmp). Instead the snippet gets a root with only what a program needs of the host,
/// read-only: the system's directories (`SYSTEM`), a few devices, a fresh /proc (with a PID
/// namespace; none without), sysfs, the folder of its binary (and a test's package folder),
/// and tmpfs mounts of its own for /tmp and its run directory. Every other path, and with it
/// every socket there, does not exist for it.
///
/// The view is assembled on a tmpfs mounted on the run directory (a place of snipcheck's own
/// that exists on the host), from host paths that resolve as usual, then made the root with
/// pivot_root, and the host's root is detached.
pub(super) struct View {
    stage: CString,
    steps: Vec<Step>,
}

/// Host directories shown (read-only) in a snippet's root: programs, libraries, settings, and
/// sysfs, where the Go runtime reads its cgroup's CPU limit. Those that are symbolic links
/// (`/bin -> usr/bin`) are links there too.
pub(super) const SYSTEM: &[&str] = &[
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc",
    "/sys",
    "/nix/store",
];

/// The devices in a snippet's /dev (the host's /dev holds sockets, /dev/log for one). Not
/// `tty`: it is the terminal snipcheck was started from, whose keystrokes a snippet must not
/// read; terminals of its own come from its own devpts (`/dev/ptmx`).
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom"];

enum Step {
    /// A directory of the stage (not an error when it exists).
    Dir(CString),
    /// A bind mount (recursive, read-only as the host's mounts were made) of a host directory
    /// or file onto the stage, where a file is first created.
    Bind {
        source: CString,
        target: CString,
        file: bool,
    },
    Tmpfs {
        target: CString,
        options: CString,
    },
    /// A filesystem of the snippet's own, best effort: a fresh /proc (which needs a PID
    /// namespace to show only the snippet's processes), a devpts of its own.
    Special {
        kind: &'static CStr,
        target: CString,
        flags: libc::c_ulong,
        options: &'static CStr,
    },
    Link {
        to: CString,
        target: CString,
    },
    /// An overlay on a shown directory, best effort: reads come from it, writes go to `upper`
    /// in the snippet's own tmpfs (made, with `work`, for `owner`). Where the kernel refuses,
    /// the directory stays read-only.
    Overlay {
        target: CString,
        upper: CString,
        work: CString,
        options: CString,
        owner: (u32, u32),
    },
}

/// `View`'s steps for a snippet that runs `binary` in `run_dir` (and `workdir`, a test's
/// package folder), with the host directories `shown` besides, and `copy_on_write` ones.
#[allow(clippy::too_many_arguments)]
pub(super) fn view(
    files: u64,
    pid_ns: bool,
    binary: &Path,
    run_dir: &Path,
    workdir: Option<&Path>,
    shown: &[PathBuf],
    copy_on_write: &[PathBuf],
    (uid, gid): (u32, u32),
) -> View {
    let mut v = ViewSteps {
        stage: run_dir.to_path_buf(),
        steps: Vec::new(),
        links: Vec::new(),
        made: Vec::new(),
    };
    v.tmpfs(Path::new("/tmp"), format!("size={files},mode=1777"));
    for dir in SYSTEM.iter().map(Path::new) {
        match fs::symlink_metadata(dir) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Ok(to) = fs::read_link(dir) {
                    v.link(dir, &to);
                }
            }
            Ok(m) if m.is_dir() => v.bind(dir, false),
            _ => {}
        }
    }
    // Settings that are links out of those directories (resolv.conf into /run, by
    // systemd-resolved): the file they lead to, alone.
    for f in ["/etc/resolv.conf", "/etc/localtime"] {
        if let Ok(real) = fs::canonicalize(f)
            && real.is_file()
            && !SYSTEM.iter().any(|d| real.starts_with(d))
        {
            v.bind(&real, true);
        }
    }
    v.dirs_to(Path::new("/dev"));
    for d in DEVICES {
        let dev = Path::new("/dev").join(d);
        if dev.exists() {
            v.bind(&dev, true);
        }
    }
    for (name, to) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        v.link(&Path::new("/dev").join(name), Path::new(to));
    }
    // Pseudo-terminals of its own, not the host's (where the user's terminals are).
    v.dirs_to(Path::new("/dev/pts"));
    let pts = v.inside(Path::new("/dev/pts"));
    v.steps.push(Step::Special {
        kind: c"devpts",
        target: pts,
        flags: libc::MS_NOSUID | libc::MS_NOEXEC,
        options: c"newinstance,ptmxmode=0666,mode=0620",
    });
    v.link(Path::new("/dev/ptmx"), Path::new("pts/ptmx"));
    v.dirs_to(Path::new("/proc"));
    if pid_ns {
        let proc = v.inside(Path::new("/proc"));
        v.steps.push(Step::Special {
            kind: c"proc",
            target: proc,
            flags: libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            options: c"",
        });
    }
    if let Some(dir) = binary.parent() {
        v.bind(dir, false);
    }
    if let Some(dir) = workdir {
        v.bind(dir, false);
    }
    for dir in shown.iter().filter(|d| d.is_dir()) {
        v.bind(dir, false);
    }
    v.tmpfs(
        run_dir,
        format!("size={files},mode=0700,uid={uid},gid={gid}"),
    );
    // The copy-on-write ones: overlays whose upper layer is in the snippet's run directory,
    // so what it writes there is its own, capped by its tmpfs, and gone with it.
    for (i, dir) in copy_on_write.iter().filter(|d| d.is_dir()).enumerate() {
        v.bind(dir, false);
        let target = v.inside(dir);
        let upper = v.inside(&run_dir.join(format!(".overlay{i}")));
        let work = v.inside(&run_dir.join(format!(".overlay{i}-work")));
        let options = format!(
            "lowerdir={},upperdir={},workdir={}",
            target.to_string_lossy(),
            upper.to_string_lossy(),
            work.to_string_lossy()
        );
        v.steps.push(Step::Overlay {
            target,
            upper,
            work,
            options: CString::new(options).unwrap_or_default(),
            owner: (uid, gid),
        });
    }
    let mut steps = v.steps;
    // Links last: no later step may resolve a path through one (an absolute one would lead
    // out of the stage, into the host).
    steps.extend(v.links);
    View {
        stage: cstr(run_dir),
        steps,
    }
}

struct ViewSteps {
    stage: PathBuf,
    steps: Vec<Step>,
    links: Vec<Step>,
    made: Vec<PathBuf>,
}

impl ViewSteps {
    /// Where `path` of the snippet's root is in the stage.
    fn inside(&self, path: &Path) -> CString {
        cstr(&self.stage.join(path.strip_prefix("/").unwrap_or(path)))
    }

    /// The directories down to `dir`, outermost first.
    fn dirs_to(&mut self, dir: &Path) {
        let mut todo: Vec<&Path> = dir
            .ancestors()
            .filter(|a| a.parent().is_some() && !self.made.iter().any(|m| m == a))
            .collect();
        todo.reverse();
        for d in todo {
            self.made.push(d.to_path_buf());
            let target = self.inside(d);
            self.steps.push(Step::Dir(target));
        }
    }

    fn bind(&mut self, path: &Path, file: bool) {
        if file {
            if let Some(parent) = path.parent() {
                self.dirs_to(parent);
            }
        } else {
            self.dirs_to(path);
        }
        let target = self.inside(path);
        self.steps.push(Step::Bind {
            source: cstr(path),
            target,
            file,
        });
    }

    fn tmpfs(&mut self, path: &Path, options: String) {
        self.dirs_to(path);
        let target = self.inside(path);
        self.steps.push(Step::Tmpfs {
            target,
            options: CString::new(options).unwrap_or_default(),
        });
    }

    fn link(&mut self, path: &Path, to: &Path) {
        if let Some(parent) = path.parent() {
            self.dirs_to(parent);
        }
        let target = self.inside(path);
        self.links.push(Step::Link {
            to: cstr(to),
            target,
        });
    }
}

/// Assembles the view on its stage and makes it the root (see `View`). In a PID namespace this
/// runs in its init: a fresh /proc may be mounted in a user namespace only while a full one is
/// in the mount namespace, which the host's is until its root is detached.
pub(super) fn enter_view(view: &View) -> io::Result<()> {
    // SAFETY: system calls on C strings the view owns.
    unsafe {
        check(mount_tmpfs(&view.stage, c"size=1m,mode=0755"))?;
        for step in &view.steps {
            match step {
                Step::Dir(dir) => check(mkdir_existing_mode(dir, 0o755))?,
                Step::Bind {
                    source,
                    target,
                    file,
                } => {
                    if *file {
                        let fd = libc::open(
                            target.as_ptr(),
                            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC | libc::O_NOFOLLOW,
                            0o644,
                        );
                        if fd >= 0 {
                            libc::close(fd);
                        }
                    }
                    check(libc::mount(
                        source.as_ptr(),
                        target.as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND | libc::MS_REC,
                        std::ptr::null(),
                    ))?;
                }
                Step::Tmpfs { target, options } => check(mount_tmpfs(target, options))?,
                Step::Special {
                    kind,
                    target,
                    flags,
                    options,
                } => {
                    // Without it the snippet has an empty directory, which hides more, not less.
                    libc::mount(
                        kind.as_ptr(),
                        target.as_ptr(),
                        kind.as_ptr(),
                        *flags,
                        options.as_ptr().cast(),
                    );
                }
                Step::Link { to, target } => {
                    if libc::symlink(to.as_ptr(), target.as_ptr()) < 0
                        && *libc::__errno_location() != libc::EEXIST
                    {
                        return Err(last_error());
                    }
                }
                Step::Overlay {
                    target,
                    upper,
                    work,
                    options,
                    owner: (uid, gid),
                } => {
                    let made = [upper, work].iter().all(|d| {
                        libc::mkdir(d.as_ptr(), 0o700) == 0
                            && libc::chown(d.as_ptr(), *uid, *gid) == 0
                    });
                    if made {
                        libc::mount(
                            c"overlay".as_ptr(),
                            target.as_ptr(),
                            c"overlay".as_ptr(),
                            libc::MS_NOSUID | libc::MS_NODEV,
                            options.as_ptr().cast(),
                        );
                    }
                }
            }
        }
        // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the
        // stage alone as `/`, with nothing of the host but what was bound into it.
        check(libc::chdir(view.stage.as_ptr()))?;
        check(libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) as libc::c_int)?;
        check(libc::umount2(c".".as_ptr(), libc::MNT_DETACH))?;
        check(libc::chdir(c"/".as_ptr()))?;
        check(libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
            std::ptr::null(),
        ))?;
    }
    Ok(())
}

/// A tmpfs at `target`, without setuid programs or device files (the view's stage and its
/// writable folders, and the supervisor's fresh ones per snippet).
pub(super) fn mount_tmpfs(target: &CStr, options: &CStr) -> libc::c_int {
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

/// mkdir, where a directory already there is no error.
pub(super) fn mkdir_existing_mode(dir: &CStr, mode: libc::mode_t) -> libc::c_int {
    // SAFETY: mkdir on a C string; errno is thread-local.
    unsafe {
        if libc::mkdir(dir.as_ptr(), mode) < 0 && *libc::__errno_location() != libc::EEXIST {
            return -1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_binds_only_what_a_snippet_needs() {
        let v = view(
            1 << 20,
            true,
            Path::new("/w/bin/s1"),
            Path::new("/w/run/s1"),
            None,
            &[],
            &[],
            (1, 1),
        );
        assert_eq!(v.stage.to_str().unwrap(), "/w/run/s1");
        let mut sources = Vec::new();
        let mut last_mount = 0;
        for (i, step) in v.steps.iter().enumerate() {
            match step {
                Step::Bind { source, target, .. } => {
                    let source = source.to_str().unwrap();
                    assert_eq!(target.to_str().unwrap(), format!("/w/run/s1{source}"));
                    sources.push(source.to_string());
                    last_mount = i;
                }
                Step::Tmpfs { .. } | Step::Special { .. } | Step::Overlay { .. } => last_mount = i,
                Step::Link { .. } => assert!(i > last_mount, "a link before a mount"),
                Step::Dir(_) => {}
            }
        }
        assert!(sources.contains(&"/w/bin".to_string()), "{sources:?}");
        assert!(sources.contains(&"/dev/null".to_string()), "{sources:?}");
        for hidden in ["/", "/dev", "/run", "/var", "/tmp", "/home", "/root"] {
            assert!(
                !sources.iter().any(|s| s == hidden),
                "{hidden}: {sources:?}"
            );
        }
        // The run directory's own tmpfs is mounted inside the stage, at its own path.
        assert!(
            v.steps
                .iter()
                .any(|s| matches!(s, Step::Tmpfs { target, .. }
            if target.to_str() == Ok("/w/run/s1/w/run/s1")))
        );
    }

    /// What a script snippet sees besides: the toolchain read-only, the scripts' cache as an
    /// overlay whose writes land in the snippet's own tmpfs, mounted after that tmpfs.
    #[test]
    fn shown_directories_are_bound_and_the_cache_overlaid() {
        let dirs = tempfile::tempdir().unwrap();
        let (goroot, cache) = (dirs.path().join("go"), dirs.path().join("cache"));
        fs::create_dir_all(&goroot).unwrap();
        fs::create_dir_all(&cache).unwrap();
        let v = view(
            1 << 20,
            true,
            Path::new("/w/bin/s1"),
            Path::new("/w/run/s1"),
            None,
            std::slice::from_ref(&goroot),
            std::slice::from_ref(&cache),
            (7, 8),
        );
        let binds: Vec<String> = v
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Bind { source, .. } => Some(source.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        assert!(binds.contains(&goroot.display().to_string()), "{binds:?}");
        assert!(binds.contains(&cache.display().to_string()), "{binds:?}");
        let inner = v
            .steps
            .iter()
            .position(|s| {
                matches!(s, Step::Tmpfs { target, .. }
                if target.to_str() == Ok("/w/run/s1/w/run/s1"))
            })
            .unwrap();
        let (at, upper, options, owner) = v
            .steps
            .iter()
            .enumerate()
            .find_map(|(i, s)| match s {
                Step::Overlay {
                    upper,
                    options,
                    owner,
                    ..
                } => Some((
                    i,
                    upper.to_str().unwrap(),
                    options.to_str().unwrap(),
                    *owner,
                )),
                _ => None,
            })
            .unwrap();
        assert!(
            at > inner,
            "the overlay's upper layer is in the snippet's tmpfs"
        );
        assert!(upper.starts_with("/w/run/s1/w/run/s1/"), "{upper}");
        assert!(
            options.starts_with(&format!("lowerdir=/w/run/s1{}", cache.display())),
            "{options}"
        );
        assert_eq!(owner, (7, 8));
    }
}
