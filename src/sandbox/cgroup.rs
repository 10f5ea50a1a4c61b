//! cgroup v1 groups for the snippets of one run: `snipcheck-<pid>/s<n>` under the pids
//! controller (a cap on processes and threads, and a list of every process a snippet started,
//! whatever its process group) and under snipcheck's own memory cgroup (a cap on the memory all
//! of a snippet's processes use together), and, for a snippet that asks for one (`cpus=`), under
//! snipcheck's own cpu cgroup (a CFS quota: the CPU time all its threads get per period). Each
//! controller is optional: where it cannot be used, `Run::create` says why and the caller falls
//! back (a snippet that asks for a CPU quota where there is none is refused, not run without).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PIDS_ROOT: &str = "/sys/fs/cgroup/pids";
const MEMORY_ROOT: &str = "/sys/fs/cgroup/memory";
const CPU_ROOT: &str = "/sys/fs/cgroup/cpu";
/// The CFS period a quota is given in, as container runtimes use it (`docker run --cpus`).
pub const CPU_PERIOD_US: u64 = 100_000;

/// This run's directory under each usable controller; removed when dropped.
#[derive(Debug)]
pub struct Run {
    pids: Option<PathBuf>,
    memory: Option<PathBuf>,
    cpu: Option<PathBuf>,
}

/// One snippet's groups; the processes left in them are killed and the groups removed on drop.
#[derive(Debug)]
pub struct Group {
    pids: Option<PathBuf>,
    memory: Option<PathBuf>,
    cpu: Option<PathBuf>,
}

impl Run {
    /// Creates `snipcheck-<pid>` under each controller that is there and writable. Returns the
    /// reasons for each controller that is not.
    pub fn create() -> (Run, Vec<String>) {
        let name = format!("snipcheck-{}", std::process::id());
        let mut why = Vec::new();
        let pids = match make_run_dir(Path::new(PIDS_ROOT), &name) {
            Ok(p) => Some(p),
            Err(e) => {
                why.push(format!("pids cgroup ({e})"));
                None
            }
        };
        let mut below_own =
            |controller: &str, root: &str, file: &str| match own_cgroup(controller, root, file) {
                Some(base) => match make_run_dir(&base, &name) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        why.push(format!("{controller} cgroup ({e})"));
                        None
                    }
                },
                None => {
                    why.push(format!(
                        "{controller} cgroup (no cgroup v1 {controller} controller)"
                    ));
                    None
                }
            };
        let cpu = below_own("cpu", CPU_ROOT, "cpu.cfs_quota_us");
        let memory = below_own("memory", MEMORY_ROOT, "memory.limit_in_bytes");
        (Run { pids, memory, cpu }, why)
    }

    pub fn has_pids(&self) -> bool {
        self.pids.is_some()
    }

    pub fn has_memory(&self) -> bool {
        self.memory.is_some()
    }

    pub fn has_cpu(&self) -> bool {
        self.cpu.is_some()
    }

    /// A group for one snippet with its caps set; with `cpu_millis` (thousandths of a CPU), a
    /// CPU quota too. Without a cpu controller that quota is an error: the caller checked.
    pub fn group(
        &self,
        name: &str,
        processes: u64,
        memory: u64,
        cpu_millis: Option<u32>,
    ) -> std::io::Result<Group> {
        let mut g = Group {
            pids: None,
            memory: None,
            cpu: None,
        };
        if let Some(millis) = cpu_millis {
            let run = self.cpu.as_ref().ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::Unsupported, "no cpu cgroup")
            })?;
            let dir = run.join(name);
            fs::create_dir(&dir)?;
            g.cpu = Some(dir.clone());
            fs::write(dir.join("cpu.cfs_period_us"), CPU_PERIOD_US.to_string())?;
            fs::write(
                dir.join("cpu.cfs_quota_us"),
                (u64::from(millis) * CPU_PERIOD_US / 1000).to_string(),
            )?;
        }
        if let Some(run) = &self.pids {
            let dir = run.join(name);
            fs::create_dir(&dir)?;
            g.pids = Some(dir.clone());
            fs::write(dir.join("pids.max"), processes.to_string())?;
        }
        if let Some(run) = &self.memory {
            let dir = run.join(name);
            fs::create_dir(&dir)?;
            g.memory = Some(dir.clone());
            fs::write(dir.join("memory.limit_in_bytes"), memory.to_string())?;
        }
        Ok(g)
    }

    /// Kills whatever is left in this run's groups and removes them (for interruptions).
    pub fn kill_and_remove(&self) {
        reaper().settle();
        for run in [&self.pids, &self.memory, &self.cpu].into_iter().flatten() {
            remove_tree(run);
        }
    }

    /// The directories, for an interruption handler that cannot borrow `self`.
    pub fn dirs(&self) -> Vec<PathBuf> {
        [&self.pids, &self.memory, &self.cpu]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.kill_and_remove();
    }
}

impl Group {
    /// The `cgroup.procs` files a new process writes `0` to, to join the groups.
    pub fn join_paths(&self) -> Vec<PathBuf> {
        [&self.pids, &self.memory, &self.cpu]
            .into_iter()
            .flatten()
            .map(|d| d.join("cgroup.procs"))
            .collect()
    }

    /// Kills every process in the group, including those that left the snippet's process
    /// group. New forks are refused first, so the loop ends.
    pub fn kill_all(&self) {
        if let Some(dir) = &self.pids {
            let _ = fs::write(dir.join("pids.max"), "0");
        }
        for dir in [&self.pids, &self.memory, &self.cpu].into_iter().flatten() {
            kill_procs(dir);
        }
    }

    /// Whether the kernel killed a process for going over the memory cap.
    pub fn oom_killed(&self) -> bool {
        counted(self.memory.as_deref(), "memory.oom_control", "oom_kill ")
    }

    /// Whether a fork or a new thread was refused for going over the process cap.
    pub fn hit_process_cap(&self) -> bool {
        counted(self.pids.as_deref(), "pids.events", "max ")
    }
}

impl Drop for Group {
    /// Kills what is left here and now (nothing may outlive its snippet), and leaves the
    /// removal of the emptied groups to `Reaper`: an `rmdir` of a cgroup waits for the kernel
    /// (about half a millisecond each, two or three a snippet), which the worker need not.
    fn drop(&mut self) {
        self.kill_all();
        let dirs: Vec<PathBuf> = [&mut self.pids, &mut self.memory, &mut self.cpu]
            .into_iter()
            .filter_map(Option::take)
            .collect();
        reaper().remove(dirs);
    }
}

/// A thread that removes emptied groups in the background. `Run`'s removal of its whole tree
/// at the end waits for what it was given first.
struct Reaper {
    queue: std::sync::mpsc::Sender<Vec<PathBuf>>,
    pending: std::sync::Arc<(std::sync::Mutex<usize>, std::sync::Condvar)>,
}

fn reaper() -> &'static Reaper {
    static REAPER: std::sync::LazyLock<Reaper> = std::sync::LazyLock::new(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
        let pending = std::sync::Arc::new((std::sync::Mutex::new(0), std::sync::Condvar::new()));
        let done = pending.clone();
        // Without the thread, `remove` finds the channel closed and removes in place.
        let _ = std::thread::Builder::new()
            .name("cgroup-reaper".into())
            .spawn(move || {
                for dirs in rx {
                    for dir in &dirs {
                        remove_group(dir);
                    }
                    let (count, cv) = &*done;
                    *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                    cv.notify_all();
                }
            });
        Reaper { queue: tx, pending }
    });
    &REAPER
}

impl Reaper {
    fn remove(&self, dirs: Vec<PathBuf>) {
        if dirs.is_empty() {
            return;
        }
        let (count, _) = &*self.pending;
        *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        if let Err(std::sync::mpsc::SendError(dirs)) = self.queue.send(dirs) {
            *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
            for dir in &dirs {
                remove_group(dir);
            }
        }
    }

    /// Waits until every group handed over so far is removed.
    fn settle(&self) {
        let (count, cv) = &*self.pending;
        let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
        while *n > 0 {
            n = cv.wait(n).unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn make_run_dir(base: &Path, name: &str) -> std::io::Result<PathBuf> {
    if !base.join("cgroup.procs").exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a cgroup v1 hierarchy", base.display()),
        ));
    }
    remove_stale(base);
    let dir = base.join(name);
    match fs::create_dir(&dir) {
        Ok(()) => Ok(dir),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(dir),
        Err(e) => Err(e),
    }
}

/// Groups of snipcheck runs that died without cleaning up (kill -9): their pid is gone.
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("snipcheck-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        // Only empty ones: a pid that is not visible here may be a run in another PID
        // namespace that shares this hierarchy, and its snippets are not ours to kill.
        if !Path::new(&format!("/proc/{pid}")).exists() && tree_is_empty(&e.path()) {
            remove_tree(&e.path());
        }
    }
}

fn tree_is_empty(dir: &Path) -> bool {
    let procs_empty =
        |d: &Path| fs::read_to_string(d.join("cgroup.procs")).is_ok_and(|t| t.trim().is_empty());
    procs_empty(dir)
        && fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .all(|e| procs_empty(&e.path()))
        })
}

/// snipcheck's own cgroup under `controller` (mounted at `root`, where `file` shows it is
/// usable), from /proc/self/cgroup.
fn own_cgroup(controller: &str, root: &str, file: &str) -> Option<PathBuf> {
    let text = fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = text.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers
            .split(',')
            .any(|c| c == controller)
            .then(|| path.to_string())
    })?;
    let dir = Path::new(root).join(rel.trim_start_matches('/'));
    dir.join(file).exists().then_some(dir)
}

fn kill_procs(dir: &Path) {
    for _ in 0..200 {
        let Ok(text) = fs::read_to_string(dir.join("cgroup.procs")) else {
            return;
        };
        let pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            // SAFETY: kill(2) touches no memory; the pid was in our group a moment ago.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// rmdir fails while killed processes are still exiting; try for a while.
fn remove_group(dir: &Path) {
    for _ in 0..200 {
        match fs::remove_dir(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => {
                kill_procs(dir);
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// Kills what is left in a run's groups and removes them.
pub fn remove_tree(run: &Path) {
    if let Ok(entries) = fs::read_dir(run) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                let g = e.path();
                if let Ok(t) = fs::read_to_string(g.join("pids.max"))
                    && !t.is_empty()
                {
                    let _ = fs::write(g.join("pids.max"), "0");
                }
                kill_procs(&g);
                remove_group(&g);
            }
        }
    }
    kill_procs(run);
    remove_group(run);
}

/// Whether the counter `key` (a line `KEY N`) of the group's `file` is above zero.
fn counted(group: Option<&Path>, file: &str, key: &str) -> bool {
    let Some(dir) = group else {
        return false;
    };
    fs::read_to_string(dir.join(file)).is_ok_and(|t| {
        t.lines().any(|l| {
            l.strip_prefix(key)
                .is_some_and(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
        })
    })
}
