//! Build units -> binaries. One temporary Go module (per document set `go.mod`) holds every
//! snippet as its own `main` package; a snippet that needs a module of its own (another `go`
//! line, or a multi-file snippet with its own go.mod) gets a nested module. Mergeable snippets
//! are linked into a few binaries (link units, `link_units`) behind a dispatcher each
//! (`merge`), the rest are built alone.
//!
//! The module lives at the same path on every run of a project when it can (see `Place`):
//! the go command's build cache keys a package by its directory, so a fresh random path each
//! run would recompile every snippet even with a warm cache.
//!
//! Size: about 980 lines of code (the rest are tests), over the ~600 a module should hold: the
//! stable place (locking, pruning), batch builds and merged builds share the workspace type; the
//! next split is `place` (where the workspace lives) apart from the builds.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use tempfile::TempDir;

use crate::error::Error;
use crate::go::merge;
use crate::go::pack;
use crate::go::stamp;
use crate::go::toolchain::Toolchain;
use crate::go::tools::{ToolsModule, build_commands};
use crate::snippet::GoVersion;

/// What to build for one snippet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unit {
    /// Files of the snippet's package, by path relative to its directory (`main.go`,
    /// `main_test.go`, `testdata/in.txt`).
    pub files: Vec<(String, String)>,
    /// `package main`: link a binary to run. A library package is only compiled.
    pub is_main: bool,
    /// `-race`.
    pub race: bool,
    /// Run `go vet` after a successful build.
    pub vet: bool,
    /// A module of its own: this `go` line on the shared requirements ...
    pub go_line: Option<GoVersion>,
    /// ... or this go.mod (a multi-file snippet's own).
    pub go_mod: Option<String>,
    /// Build nothing yet: the snippet is run with `go test` later.
    pub test: bool,
    /// May share one binary with other snippets (see `merge`).
    pub mergeable: bool,
    /// The document's path as the snippet's `//line` directives name it.
    pub doc: String,
    /// Compile with `-e`, as Go's test runner does: every compile error, not the first ten,
    /// so that every `// ERROR` claim can be checked and no error hides behind the tenth.
    /// Only for snippets that claim compile errors: the flag goes into a linked binary's build
    /// information, which moves the addresses a record may hold.
    pub all_errors: bool,
    /// A script snippet (`testscript`): a `test` unit whose `go test` needs the scripts' cache
    /// and tools (`Workspace::prepare_scripts`).
    pub script: bool,
    /// Build with `-tags=faketime`, the Go Playground's clock (see `clock`).
    pub faketime: bool,
}

/// Makes a build of `faketime` units use the Go Playground's clock: `-tags=faketime` (Go's
/// `runtime/time_fake.go`: time starts at 2009-11-10 23:00:00 UTC, and when every goroutine is
/// blocked the runtime jumps the clock to the next timer, so sleeps return at once) with cgo
/// off. The runtime moves the fake clock only when no thread runs; a cgo program has threads of
/// its own (a binary that links `net` uses cgo's resolver by default), and its sleeps would
/// never end. `CGO_ENABLED=0` is what the Playground builds with too.
pub fn clock(cmd: &mut Command, faketime: bool, tags: Option<&str>) {
    let tags = match (faketime, tags) {
        (true, Some(t)) => Some(format!("faketime,{t}")),
        (true, None) => Some("faketime".to_string()),
        (false, t) => t.map(String::from),
    };
    if let Some(tags) = tags {
        cmd.arg(format!("-tags={tags}"));
    }
    if faketime {
        cmd.env("CGO_ENABLED", "0");
    }
}

/// `-gcflags` for the packages of `units` that are compiled with `-e` (`Unit::all_errors`):
/// each by its folder (with the folders of a multi-file snippet's packages), so that the
/// others are compiled as always.
fn all_errors_flags(units: &[(usize, &Unit)]) -> Vec<String> {
    units
        .iter()
        .filter(|(_, u)| u.all_errors)
        .map(|(i, _)| format!("-gcflags=./s{i}/...=-e"))
        .collect()
}

/// What building one unit gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    /// A `main` package, linked; run it.
    Binary(PathBuf),
    /// A snippet of the merged binary: run `binary KEY ARGS...`.
    Merged {
        binary: PathBuf,
        entry: merge::Entry,
    },
    /// It compiled, and there is nothing to run (a library package, or `norun`).
    Library,
    /// It compiled and `go vet` ran: its findings (empty when clean).
    Vetted(String),
    /// A test snippet, for `go test TARGET` in DIR.
    TestPackage { dir: PathBuf, target: String },
    /// It did not compile; the go command's output.
    Failed { diagnostics: String },
}

/// The document set's module: the `go.mod` (and `go.sum`) nearest above the documents, whose
/// requirements pin the third-party modules snippets may import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaseModule {
    pub path: PathBuf,
    pub go_mod: String,
    pub go_sum: String,
}

impl BaseModule {
    /// The nearest `go.mod` in `doc`'s folder or above it, up to (and including) `root`.
    pub fn find(doc: &Path, root: &Path) -> Result<Option<BaseModule>, Error> {
        let mut dir = doc.parent();
        while let Some(d) = dir {
            let candidate = if d.as_os_str().is_empty() {
                PathBuf::from("go.mod")
            } else {
                d.join("go.mod")
            };
            if candidate.is_file() {
                let go_mod = fs::read_to_string(&candidate)
                    .map_err(|e| Error::io(format!("cannot read {}", candidate.display()), e))?;
                let go_sum =
                    fs::read_to_string(candidate.with_file_name("go.sum")).unwrap_or_default();
                return Ok(Some(BaseModule {
                    path: candidate,
                    go_mod,
                    go_sum,
                }));
            }
            if d == root || d.as_os_str().is_empty() {
                break;
            }
            dir = d.parent();
        }
        Ok(None)
    }
}

/// When snipcheck is root, scripts run as `nobody`, and the go command in them must be able to
/// create entries in the cache's folders (in its overlay, see `ScriptEnv::gocache`; a folder of
/// root's refuses it, so does `go list` for a package it has not indexed yet). So everything
/// under `cache` becomes nobody's, and `cache` itself stays root's with mode 0700: on the host
/// no other user, `nobody` included, can reach it; in a script's root the overlay's own top
/// folder, which is the script's user's, stands for it.
fn hand_over_to_nobody(cache: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid cannot fail and touches no memory.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(());
    }
    fn walk(dir: &Path) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let nobody = crate::sandbox::contain::NOBODY;
            std::os::unix::fs::lchown(entry.path(), Some(nobody), Some(nobody))?;
            if entry.file_type()?.is_dir() {
                walk(&entry.path())?;
            }
        }
        Ok(())
    }
    fs::set_permissions(cache, fs::Permissions::from_mode(0o700))?;
    walk(cache)
}

/// The packages of a go.mod's `tool` directives (Go 1.24): `tool path` and `tool ( ... )`.
pub fn tool_lines(go_mod: &str) -> Vec<String> {
    let mut tools = Vec::new();
    let mut block = false;
    for line in go_mod.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if block {
            if line == ")" {
                block = false;
            } else if !line.is_empty() {
                tools.push(line.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("tool") {
            let rest = rest.trim();
            if rest == "(" {
                block = true;
            } else if !rest.is_empty() && (line.starts_with("tool ") || line.starts_with("tool\t"))
            {
                tools.push(rest.to_string());
            }
        }
    }
    tools
}

/// `go mod download` with `go` (in the module's folder), within `DOWNLOAD_TIMEOUT`; errors
/// name `at` (the go.mod) and `what` was downloaded.
pub fn download_modules(mut go: Command, at: &str, what: &str) -> Result<(), Error> {
    go.args(["mod", "download"]);
    let out = crate::go::toolchain::output_within(go, DOWNLOAD_TIMEOUT)
        .map_err(|e| Error::Toolchain(format!("cannot run `go mod download`: {e}")))?
        .ok_or_else(|| {
            Error::at(
                at,
                format!(
                    "`go mod download` of {what} did not finish within {} min; check that the module proxy (GOPROXY) is reachable, or warm the module cache with `go mod download` in its folder",
                    DOWNLOAD_TIMEOUT.as_secs() / 60
                ),
            )
        })?;
    if !out.status.success() {
        return Err(Error::at(
            at,
            format!(
                "cannot download {what}: {}; check its require lines and go.sum (`go mod tidy` in its folder)",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(())
}

/// The name `go build -o DIR/` gives a command's binary: its package path's last element, or
/// the one before a major version suffix (`.../cmd/tool/v2` is `tool`).
pub fn command_name(package: &str) -> &str {
    let mut parts = package.rsplit('/');
    let last = parts.next().unwrap_or(package);
    let is_version =
        last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    match parts.next() {
        Some(before) if is_version => before,
        _ => last,
    }
}

/// `go.mod` text with its `module` line (and optionally its `go` line) replaced.
fn rewrite_go_mod(text: &str, go: Option<&str>) -> String {
    static MODULE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^module[ \t]+\S+[ \t]*$").unwrap());
    static GO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^go[ \t]+\S+[ \t]*$").unwrap());
    static TOOLCHAIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^toolchain[ \t]+\S+[ \t]*\n?").unwrap());
    let mut out = if MODULE.is_match(text) {
        MODULE.replace(text, "module snipcheck.local").into_owned()
    } else {
        format!("module snipcheck.local\n{text}")
    };
    if let Some(go) = go {
        out = TOOLCHAIN.replace(&out, "").into_owned();
        // `tool` directives (Go 1.24) name the scripts' tools, which are built with the
        // installed go; a release before 1.24 refuses the whole go.mod for them.
        if GoVersion::parse(go).is_some_and(|v| v < GoVersion(1, 24)) {
            static TOOL: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"(?m)^tool[ \t]*\((?s:.*?)^\)[ \t]*\n?|^tool[ \t]+\S+.*\n?").unwrap()
            });
            out = TOOL.replace_all(&out, "").into_owned();
        }
        out = if GO.is_match(&out) {
            GO.replace(&out, format!("go {go}").as_str()).into_owned()
        } else {
            format!("{out}\ngo {go}\n")
        };
    }
    out
}

/// The `go` line for a document set's module on a release older than its own `go` line (the
/// release matrix): the release's own, said on stderr. The go command would refuse the module
/// (`go.mod requires go >= 1.22`); its `go` line sets the language version and GODEBUG defaults
/// of the snippets, which on an older release are that release's. Snippets that need more say
/// so (`min_go=`) and are not run there; requirements that need more fail to download.
fn older_go_line(base: &BaseModule, toolchain: &Toolchain) -> Option<String> {
    static GO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^go[ \t]+(\S+)").unwrap());
    let wanted = GoVersion::parse(GO.captures(&base.go_mod)?.get(1)?.as_str())?;
    let have = GoVersion(toolchain.release.0, toolchain.release.1);
    (have < wanted).then(|| {
        eprintln!(
            "note: {} says go {wanted}; on {} its snippets are built with go {have}, the release's own language version",
            base.path.display(),
            toolchain.version
        );
        have.to_string()
    })
}

/// Where a workspace lives: a stable directory held under an exclusive lock, or, when another
/// run holds it (or there is no place for one), a fresh temporary one, removed at the end.
/// The stable one is kept from run to run: the go command does not link again a binary that is
/// up to date (its build ID matches), so an unchanged merged binary is not linked twice, and
/// package folders that already hold the right files are left alone (`sync_files`), which
/// spares the file system creating and deleting thousands of entries a run. What snippets
/// leave in their run directories is removed at the end of the run and before the next use.
enum Place {
    Temp(TempDir),
    Stable { path: PathBuf, _lock: File },
}

impl Place {
    fn new(stable: Option<&Path>) -> Result<Place, Error> {
        if let Some(path) = stable
            && let Some(lock) = lock_beside(path)
        {
            // The lock's time says when a place was last used (see `prune`).
            let _ = lock.set_modified(std::time::SystemTime::now());
            if let Some(root) = path.parent()
                && prune_due(root)
            {
                prune(root, PRUNE_AFTER, PLACES_CAP);
            }
            fs::create_dir_all(path.join("bin"))
                .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            return Ok(Place::Stable {
                path: path.to_path_buf(),
                _lock: lock,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("snipcheck-")
            .tempdir()
            .map_err(|e| Error::io("cannot create a temporary directory", e))?;
        fs::create_dir(dir.path().join("bin"))
            .map_err(|e| Error::io("cannot create the temporary bin directory", e))?;
        Ok(Place::Temp(dir))
    }

    fn path(&self) -> &Path {
        match self {
            Place::Temp(dir) => dir.path(),
            Place::Stable { path, .. } => path,
        }
    }
}

impl Drop for Place {
    /// Empties the run directories: a stable place keeps the rest, and a temporary one is
    /// then removed whole (which would fail on a folder a snippet left read-only).
    fn drop(&mut self) {
        for run in fs::read_dir(self.path().join("run"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = empty_dir(&run.path());
        }
    }
}

/// How long a stable place no run has used is kept: a project's place is one per working
/// directory and go.mod, and a checkout that is gone would otherwise keep its binaries forever.
const PRUNE_AFTER: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// How often the places are pruned: it reads every place's `bin/` (walking their whole trees,
/// it was 5% of a 400-snippet run's CPU and over a minute beside places of 20,000 snippets),
/// and they grow by little between two prunings an hour apart.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Whether the places under `root` were last pruned more than `PRUNE_EVERY` ago (or never);
/// if so, the stamp beside them says now. Two runs starting together may both prune: harmless.
fn prune_due(root: &Path) -> bool {
    let stamp = root.join("pruned.stamp");
    let recent = fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < PRUNE_EVERY);
    if recent {
        return false;
    }
    let _ = File::create(&stamp).and_then(|f| f.set_modified(std::time::SystemTime::now()));
    true
}

/// All the stable places together may keep this much; past it, the least recently used that no
/// run holds are removed (a large document's place holds hundreds of megabytes of binaries).
pub const PLACES_CAP: u64 = 2 << 30;

/// Removes the places under `root` whose lock was last taken more than `age` ago and that no
/// run holds now, then the least recently used ones while all of them together are over `cap`.
/// Returns the places removed and the bytes they held. Best effort: a place that cannot be
/// removed is tried again next time. The lock files stay (empty files), so a run that starts
/// meanwhile locks the same file.
pub fn prune(root: &Path, age: std::time::Duration, cap: u64) -> (Vec<PathBuf>, u64) {
    let Ok(entries) = fs::read_dir(root) else {
        return (Vec::new(), 0);
    };
    let mut places: Vec<(std::time::Duration, PathBuf, u64)> = Vec::new();
    for entry in entries.flatten() {
        let lock_path = entry.path();
        let Some(place) = lock_path
            .to_str()
            .and_then(|p| p.strip_suffix(".lock"))
            .map(PathBuf::from)
        else {
            continue;
        };
        let unused_for = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        if place.is_dir() {
            let size = binaries_size(&place.join("bin"));
            places.push((unused_for, place, size));
        }
    }
    // Least recently used first.
    places.sort_by_key(|p| std::cmp::Reverse(p.0));
    let mut total: u64 = places.iter().map(|p| p.2).sum();
    let mut removed = Vec::new();
    let mut freed = 0;
    for (unused_for, place, size) in places {
        if unused_for <= age && total <= cap {
            continue;
        }
        if let Some(_held) = lock_beside(&place)
            && fs::remove_dir_all(&place).is_ok()
        {
            total -= size;
            freed += size;
            removed.push(place);
        }
    }
    (removed, freed)
}

/// The bytes of a place's binaries, what its size is made of: its package folders hold a
/// snippet's source each and its run folders are emptied after each run, and walking every
/// folder of every place (tens of thousands each at N=20,000) took longer than a warm run.
fn binaries_size(bin: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(bin) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Removes everything in `dir`, keeping `dir`. A snippet may have left folders without write
/// permission (as Go's module cache does); they are made writable first, since the place is
/// used again and a run directory that cannot be emptied would stop every later run.
fn empty_dir(dir: &Path) -> std::io::Result<()> {
    if remove_entries(dir, &[]).is_ok() {
        return Ok(());
    }
    make_writable(dir);
    remove_entries(dir, &[])
}

/// Gives every folder under `dir` (and `dir`) owner read, write and search permission. Best
/// effort: what cannot be changed is left to the removal to report.
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let mode = meta.permissions().mode();
    if mode & 0o700 != 0o700 {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o700));
    }
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        make_writable(&entry.path());
    }
}

/// Removes every entry of `dir` whose name is not in `keep`.
fn remove_entries(dir: &Path, keep: &[String]) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if keep.iter().any(|k| entry.file_name() == k.as_str()) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Makes `dir` hold exactly `files` (paths relative to it, with their text): a folder that
/// already does is left untouched, any other is replaced whole. `true` when it was replaced.
fn sync_files(dir: &Path, files: &[(String, String)]) -> Result<bool, Error> {
    if holds_exactly(dir, files) {
        return Ok(false);
    }
    let err = |e| Error::io(format!("cannot write {}", dir.display()), e);
    if fs::symlink_metadata(dir).is_ok() {
        fs::remove_dir_all(dir).map_err(err)?;
    }
    for (name, text) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(err)?;
        fs::write(&path, text).map_err(err)?;
    }
    fs::create_dir_all(dir).map_err(err)?;
    Ok(true)
}

/// Whether `dir` holds `files` and nothing else (folders aside).
fn holds_exactly(dir: &Path, files: &[(String, String)]) -> bool {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(&entry.path(), found)?;
            } else if kind.is_file() {
                found.push(entry.path());
            } else {
                return Err(std::io::ErrorKind::InvalidData.into());
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    if walk(dir, &mut found).is_err() || found.len() != files.len() {
        return false;
    }
    files
        .iter()
        .all(|(name, text)| fs::read(dir.join(name)).is_ok_and(|b| b == text.as_bytes()))
}

/// `snipcheck-UID` in the temporary directory, the parent of the stable places: there, unlike
/// in a home directory, a sandboxed snippet running as `nobody` can reach its binary. In a
/// shared /tmp someone else could have made that folder first, so it is used only when it is a
/// real folder of this user's that nobody else can write to.
pub fn stable_root() -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    // SAFETY: geteuid cannot fail and touches no memory.
    let uid = unsafe { libc::geteuid() };
    let dir = std::env::temp_dir().join(format!("snipcheck-{uid}"));
    let _ = fs::DirBuilder::new().mode(0o711).create(&dir);
    let meta = fs::symlink_metadata(&dir).ok()?;
    (meta.is_dir() && meta.uid() == uid && meta.mode() & 0o022 == 0).then_some(dir)
}

/// An exclusive, non-blocking lock on `PATH.lock`; `None` when another process holds it or the
/// lock file cannot be made (the caller then works in a temporary directory instead).
fn lock_beside(path: &Path) -> Option<File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    fs::create_dir_all(path.parent()?).ok()?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(name))
        .ok()?;
    // SAFETY: flock on a descriptor this function owns; the lock goes with the file.
    let held = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    held.then_some(file)
}

/// The module the snippets are built in, at its `Place`.
pub struct Workspace {
    dir: Place,
    toolchain: Toolchain,
    base: Option<BaseModule>,
    /// Link mergeable snippets into one binary (off: every snippet is built alone).
    pub merging: bool,
    /// What script snippets' commands need, once `prepare_scripts` made it ready.
    pub scripts: Option<ScriptEnv>,
}

/// What a script snippet's `exec go ...` and tools need inside the sandbox, made ready
/// outside it by snipcheck's own builds.
#[derive(Debug, Clone)]
pub struct ScriptEnv {
    /// The build cache of the scripts' go commands: written only by snipcheck's builds of the
    /// driver, outside the sandbox (which leaves the standard library and go-internal compiled
    /// there), and shown read-only inside, where the go command works with a cache it cannot
    /// write (a miss is compiled in the script's own work directory). So no script can leave
    /// anything there for another.
    pub gocache: PathBuf,
    /// The tools' binaries (`tools` in snipcheck.toml, `tool` lines of the go.mod), first on
    /// the scripts' PATH.
    pub tools: PathBuf,
    pub goroot: PathBuf,
    /// A module cache of the document set's pinned modules alone, copied from yours (offline),
    /// shown read-only: the scripts' go commands resolve modules from it and from nothing
    /// else (it is their GOPROXY too), and no other module of yours is in their reach.
    /// `None` without a go.mod beside the documents.
    pub modcache: Option<PathBuf>,
}

impl ScriptEnv {
    /// The host directories a script's root shows: the toolchain and the tools read-only, the
    /// cache copy-on-write (the go command needs to write to its cache for some commands,
    /// `go test -cover` among them; those writes stay the script's).
    pub fn shown(&self) -> crate::sandbox::contain::Shown {
        crate::sandbox::contain::Shown {
            read_only: [&self.goroot, &self.tools]
                .into_iter()
                .chain(&self.modcache)
                .cloned()
                .collect(),
            copy_on_write: vec![self.gocache.clone()],
        }
    }

    /// The environment of the test process, which the driver hands to the script's commands:
    /// the toolchain and the tools on PATH, the read-only cache, no network and no toolchain
    /// switch; `names` are the snippet's own `env=` variables, passed on too.
    pub fn env(&self, names: &[String]) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        let bin = Path::new(&self.goroot).join("bin");
        // The pinned modules, and nothing else: GOPROXY is their download cache.
        let modules = match &self.modcache {
            Some(m) => vec![
                ("GOMODCACHE".to_string(), m.display().to_string()),
                (
                    "GOPROXY".to_string(),
                    format!("file://{}", m.join("cache/download").display()),
                ),
            ],
            None => vec![("GOPROXY".to_string(), "off".to_string())],
        };
        modules
            .into_iter()
            .chain([
                (
                    "PATH".into(),
                    format!("{}:{}:{path}", self.tools.display(), bin.display()),
                ),
                ("GOROOT".into(), self.goroot.display().to_string()),
                ("GOCACHE".into(), self.gocache.display().to_string()),
                ("GOFLAGS".into(), "-mod=mod".into()),
                // The modules were checked against the go.sum when they were fetched; a script's
                // own go.sum may leave them out.
                ("GOSUMDB".into(), "off".into()),
                ("GOTOOLCHAIN".into(), "local".into()),
                ("GOTELEMETRY".into(), "off".into()),
                ("GOWORK".into(), "off".into()),
                (crate::go::testscript::ENV_NAMES_VAR.into(), names.join(",")),
            ])
            .collect()
    }
}

/// How long fetching a document set's modules may take. A cold module cache over a slow proxy
/// needs minutes; a proxy that never answers must still end the run, with an error.
pub const DOWNLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

impl Workspace {
    /// A workspace at `stable` if no other run holds it, else in a temporary directory.
    pub fn new(
        toolchain: &Toolchain,
        base: Option<&BaseModule>,
        stable: Option<&Path>,
    ) -> Result<Workspace, Error> {
        let dir = Place::new(stable)?;
        let go_mod = match base {
            Some(b) => rewrite_go_mod(&b.go_mod, older_go_line(b, toolchain).as_deref()),
            None => format!("module snipcheck.local\n\ngo {}\n", toolchain.go_line()),
        };
        let write = |name: &str, text: &str| {
            fs::write(dir.path().join(name), text)
                .map_err(|e| Error::io(format!("cannot write the temporary {name}"), e))
        };
        write("go.mod", &go_mod)?;
        if let Some(b) = base {
            write("go.sum", &b.go_sum)?;
        }
        let ws = Workspace {
            dir,
            toolchain: toolchain.clone(),
            base: base.cloned(),
            merging: true,
            scripts: None,
        };
        if base.is_some() {
            ws.download()?;
        }
        Ok(ws)
    }

    /// Fetches the pinned modules once (from the module cache, or the proxy when it is cold), so
    /// that every build after it runs without network.
    fn download(&self) -> Result<(), Error> {
        let base = self.base.as_ref().expect("download is for a base module");
        let mut cmd = self.toolchain.command();
        cmd.current_dir(self.dir.path())
            .env("GOTMPDIR", self.dir.path());
        download_modules(
            cmd,
            &base.path.display().to_string(),
            "the modules it requires",
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Makes ready what script snippets need (`ScriptEnv`): the driver's module downloaded
    /// (from the module cache, or once from the proxy), the driver compiled into the scripts'
    /// build cache, so a script's `go test` links in a second and its `exec go build` finds
    /// the standard library compiled; and the tools built (outside the sandbox, without cgo
    /// unless `cgo` allows it) into `tools/`, where the go command relinks one only when it is
    /// out of date: from the modules the document set's go.mod pins, with this workspace's
    /// toolchain, and from `own`, the tools module, with the installed toolchain (`tools`).
    /// A binary left there by an earlier run that no longer names it is removed, so a script
    /// cannot pass on a tool nobody pins any more.
    pub fn prepare_scripts(
        &mut self,
        tools: &[String],
        own: Option<(&ToolsModule, &Toolchain)>,
        cgo: bool,
    ) -> Result<(), Error> {
        use crate::go::testscript as ts;
        let driver = self.dir.path().join("script-driver");
        sync_files(
            &driver,
            &[
                ("go.mod".into(), ts::GO_MOD.into()),
                ("go.sum".into(), ts::GO_SUM.into()),
                ("script_test.go".into(), ts::DRIVER.into()),
            ],
        )?;
        let mut cmd = self.toolchain.command();
        cmd.current_dir(&driver)
            .env("GOTMPDIR", self.dir.path())
            .args(["mod", "download"]);
        let out = crate::go::toolchain::output_within(cmd, DOWNLOAD_TIMEOUT)
            .map_err(|e| Error::Toolchain(format!("cannot run `go mod download`: {e}")))?
            .ok_or_else(|| {
                Error::Toolchain(format!(
                    "`go mod download` of github.com/rogpeppe/go-internal (testscript, for the testscript blocks) did not finish within {} min; check that the module proxy (GOPROXY) is reachable",
                    DOWNLOAD_TIMEOUT.as_secs() / 60
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Toolchain(format!(
                "cannot download github.com/rogpeppe/go-internal (testscript, for the testscript blocks): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let gocache = stable_root()
            .unwrap_or_else(|| self.dir.path().to_path_buf())
            .join("script-gocache");
        fs::create_dir_all(&gocache)
            .map_err(|e| Error::io(format!("cannot create {}", gocache.display()), e))?;
        let out = self
            .go(&driver)
            .env("GOCACHE", &gocache)
            .args(["test", "-c", "-o"])
            .arg(driver.join("driver.test"))
            .arg(".")
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go test -c`: {e}")))?;
        if !out.status.success() {
            return Err(Error::Toolchain(format!(
                "cannot build the testscript driver: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        hand_over_to_nobody(&gocache)
            .map_err(|e| Error::io(format!("cannot hand over {}", gocache.display()), e))?;
        let bin = self.dir.path().join("tools");
        fs::create_dir_all(&bin)
            .map_err(|e| Error::io(format!("cannot create {}", bin.display()), e))?;
        // `tools` go to the tools module when there is one, else to the document set's.
        let mut wanted: Vec<String> = match own {
            Some(_) => Vec::new(),
            None => tools.to_vec(),
        };
        if let Some(b) = &self.base {
            wanted.extend(tool_lines(&b.go_mod));
        }
        wanted.sort();
        wanted.dedup();
        if !wanted.is_empty() {
            let Some(base) = &self.base else {
                return Err(Error::Other(format!(
                    "tools ({}) are built from modules the documents' go.mod requires, and there is no go.mod beside the documents: `go mod init` there, then `go get` each tool's module, or name a module of their own with `tools_module` in snipcheck.toml",
                    wanted.join(", ")
                )));
            };
            build_commands(self.go(self.dir.path()), &wanted, &bin, cgo).map_err(|why| {
                Error::at(
                    base.path.display().to_string(),
                    format!(
                        "cannot build the tools {} for the testscript blocks: {why}; each must be a command (package main) of a module this go.mod requires (`go get MODULE@VERSION` in its folder)",
                        wanted.join(", "),
                    ),
                )
            })?;
        }
        let mut names: Vec<String> = wanted.iter().map(|p| command_name(p).to_string()).collect();
        if let Some((module, _)) = own {
            names.extend(module.tool_names(tools));
        }
        remove_entries(&bin, &names)
            .map_err(|e| Error::io(format!("cannot clean {}", bin.display()), e))?;
        if let Some((module, installed)) = own {
            module.build(
                installed,
                tools,
                &self.dir.path().join("tools-module"),
                &bin,
                cgo,
            )?;
        }
        let modcache = match &self.base {
            Some(base) => Some(self.script_modcache(base)?),
            None => None,
        };
        self.scripts = Some(ScriptEnv {
            gocache,
            tools: bin,
            goroot: PathBuf::from(&self.toolchain.goroot),
            modcache,
        });
        Ok(())
    }

    /// `script-modcache/`: the modules of the document set's build list, copied from your
    /// module cache's downloads (its `cache/download` as the proxy, so nothing is fetched, and
    /// nothing is verified again that `download` verified), writable on the host so that it can
    /// be removed with the workspace (`-modcacherw`).
    fn script_modcache(&self, base: &BaseModule) -> Result<PathBuf, Error> {
        let dir = self.dir.path().join("script-modcache");
        let source = Path::new(&self.toolchain.gomodcache).join("cache/download");
        let out = self
            .toolchain
            .command()
            .current_dir(self.dir.path())
            .env("GOTMPDIR", self.dir.path())
            .env("GOMODCACHE", &dir)
            .env("GOPROXY", format!("file://{}", source.display()))
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .args(["mod", "download"])
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go mod download`: {e}")))?;
        if !out.status.success() {
            return Err(Error::at(
                base.path.display().to_string(),
                format!(
                    "cannot copy its modules for the testscript blocks: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        Ok(dir)
    }

    /// A fresh directory for a snippet to run in, inside the workspace.
    pub fn run_dir(&self, index: usize) -> Result<PathBuf, Error> {
        let dir = self.dir.path().join("run").join(format!("s{index}"));
        fs::create_dir_all(&dir)
            .and_then(|()| empty_dir(&dir))
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        Ok(dir)
    }

    /// A `go` command for builds in this workspace: no network (the modules were downloaded
    /// when the workspace was made), requirements completed from the module cache.
    pub fn go(&self, dir: &Path) -> Command {
        let mut cmd = self.toolchain.command();
        // The go command's own temporary files live in the workspace, so they go with it.
        cmd.current_dir(dir)
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTMPDIR", self.dir.path());
        cmd
    }

    /// Writes unit `index`'s files to `dir` (`sync_files`) and returns where its binary goes,
    /// `bin/s{index}`. When the folder had to be rewritten, the binary an earlier run built
    /// there from other sources is removed: a build that writes none (a library package) must
    /// not leave the old one to be run. An unchanged folder keeps its binary, which the go
    /// command then finds up to date.
    fn sync_package(
        &self,
        index: usize,
        dir: &Path,
        files: &[(String, String)],
    ) -> Result<PathBuf, Error> {
        let binary = self.dir.path().join("bin").join(format!("s{index}"));
        // The go command will not write over a file that is not an executable it could have
        // linked ("already exists and is not an object file"), which would read as the
        // snippet's compile error; nothing but its binaries belongs in bin/.
        if sync_files(dir, files)? || !is_executable_object(&binary) {
            match fs::remove_file(&binary) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(format!("cannot remove {}", binary.display()), e));
                }
                _ => {}
            }
        }
        Ok(binary)
    }

    /// Builds what can be built together before the snippets run, and says how each of those
    /// built: the mergeable units linked into a few binaries (`merge`), then every other plain
    /// unit of the shared module in one `go build` (`build_batch`), except those compiled with
    /// `-e` (`deferred`), which `build_deferred` builds while the others run. The rest, and any
    /// unit a batch could not decide, are for `build_alone`, which the workers call just before
    /// running each, so those builds overlap the runs. With merging off, everything is built
    /// alone.
    pub fn build_together(&self, units: &[(usize, &Unit)]) -> Result<HashMap<usize, Built>, Error> {
        if !self.merging {
            return Ok(HashMap::new());
        }
        // One go command after the other: run at once under an empty build cache, each would
        // compile the same standard library packages (the cache is shared only once written),
        // and together they took longer than one after the other (issue 16). The `-e` batch,
        // which the cache never spares, is what runs beside the snippets instead.
        type Units<'a> = Vec<(usize, &'a Unit)>;
        let select = |keep: &dyn Fn(&Unit) -> bool| -> Units {
            units.iter().filter(|(_, u)| keep(u)).copied().collect()
        };
        let mut built = HashMap::new();
        for faketime in [false, true] {
            let candidates = select(&|u: &Unit| u.mergeable && u.faketime == faketime);
            built.extend(self.build_merged(&candidates, faketime)?);
        }
        // The others, and a mergeable unit the merged link dropped (it does not compile).
        let rest: Units = select(&|u: &Unit| batchable(u) && !self.deferred(u))
            .into_iter()
            .filter(|(i, _)| !built.contains_key(i))
            .collect();
        built.extend(self.build_batches(&rest)?);
        Ok(built)
    }

    /// Whether `build_together` leaves `unit` to `build_deferred`: a plain unit compiled with
    /// `-e` (it claims compile errors). The go command does not cache a failed compile, so
    /// these are compiled again on every run, which at scale takes seconds that the runs of
    /// the others need not wait for.
    pub fn deferred(&self, unit: &Unit) -> bool {
        self.merging && !unit.mergeable && batchable(unit) && unit.all_errors
    }

    /// Builds the `deferred` units, in batches as `build_together` builds the others.
    pub fn build_deferred(&self, units: &[(usize, &Unit)]) -> Result<HashMap<usize, Built>, Error> {
        self.build_batches(units)
    }

    /// `build_batch` of `units` in as many go commands as they need: the go command writes its
    /// flags into every binary it links, so units compiled with `-e` are built in a batch of
    /// their own (the others' binaries stay as they were), and units on the fake clock, which
    /// need another runtime, too.
    fn build_batches(&self, units: &[(usize, &Unit)]) -> Result<HashMap<usize, Built>, Error> {
        let mut built = HashMap::new();
        for faketime in [false, true] {
            for all_errors in [false, true] {
                let batch: Vec<(usize, &Unit)> = units
                    .iter()
                    .filter(|(_, u)| u.all_errors == all_errors && u.faketime == faketime)
                    .copied()
                    .collect();
                if !batch.is_empty() {
                    built.extend(self.build_batch(&batch, faketime)?);
                }
            }
        }
        Ok(built)
    }

    /// The units in few go commands, each its own package `s{index}` as `build_alone` would
    /// build it: one go command instead of one per snippet, which matters most for snippets that
    /// fail to compile (a link each otherwise) or cannot be merged. `main` packages are built
    /// with `go build -o bin/`, libraries with a `go build` of their own: given an output
    /// folder, the go command builds only the `main` packages and ignores the others, errors and
    /// all. A unit counts as built only on positive evidence (its binary, or a go command that
    /// compiled it and succeeded), never because its errors are missing; a failing unit's
    /// errors are read from under its `# snipcheck.local/sN` header. A unit that cannot be
    /// decided is left out (built alone).
    fn build_batch(
        &self,
        units: &[(usize, &Unit)],
        faketime: bool,
    ) -> Result<HashMap<usize, Built>, Error> {
        for (index, unit) in units {
            self.sync_package(
                *index,
                &self.dir.path().join(format!("s{index}")),
                &unit.files,
            )?;
        }
        type Units<'a> = Vec<(usize, &'a Unit)>;
        let (mains, libraries): (Units, Units) = units.iter().partition(|(_, u)| u.is_main);
        let mut built = self.build_packages(&mains, true, faketime)?;
        built.extend(self.build_packages(&libraries, false, faketime)?);
        Ok(built)
    }

    /// One `go build` of `units` (all `main` packages linked into `bin/`, or all libraries
    /// compiled), for `build_batch`.
    fn build_packages(
        &self,
        units: &[(usize, &Unit)],
        link: bool,
        faketime: bool,
    ) -> Result<HashMap<usize, Built>, Error> {
        // A package the go command could not load is named at its file (`s3/doc.md:5:8: ...`).
        static UNLOADABLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^s(\d+)/").unwrap());
        let bin = self.dir.path().join("bin");
        let mut members: Vec<(usize, &Unit)> = units.to_vec();
        // A linked batch is stamped as the merged link is, with what the go command said
        // (`stamp::said`): unchanged, it is not asked again. That covers the `-e` batch, whose
        // failures the go command never caches. One stamp per kind of batch (`build_batches`).
        let stamp_path = bin.join(format!(
            "batch{}{}.stamp",
            if units.iter().any(|(_, u)| u.all_errors) {
                "-e"
            } else {
                ""
            },
            if faketime { "-faketime" } else { "" }
        ));
        // A package that cannot be loaded stops the whole build before anything compiles: leave
        // it to `build_alone` and try the others once more.
        for _round in 0..2 {
            if members.len() < 2 {
                break;
            }
            let mut cmd = self.go(self.dir.path());
            cmd.arg("build").args(all_errors_flags(&members));
            clock(&mut cmd, faketime, None);
            if link {
                cmd.arg("-o").arg(format!("{}/", bin.display()));
            }
            cmd.args(members.iter().map(|(i, _)| format!("./s{i}")));
            let binaries: Vec<PathBuf> = members
                .iter()
                .map(|(i, _)| bin.join(format!("s{i}")))
                .collect();
            let files: Vec<(String, &str)> = members
                .iter()
                .flat_map(|(i, u)| {
                    u.files
                        .iter()
                        .map(move |(n, c)| (format!("s{i}/{n}"), c.as_str()))
                })
                .collect();
            let fingerprint = link
                .then(|| stamp::fingerprint(&cmd, self.dir.path(), &self.toolchain, &files))
                .flatten();
            let replayed = fingerprint
                .as_ref()
                .and_then(|f| stamp::said(&stamp_path, f, &binaries));
            let (success, stderr) = match replayed {
                Some(answer) => answer,
                None => {
                    if link {
                        stamp::forget(&stamp_path);
                    }
                    let out = cmd
                        .output()
                        .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
                    let success = out.status.success();
                    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                    // Only an answer that decided every unit: all linked, or failures each
                    // named at its package (not a go command killed, nor a package it could
                    // not load); and only when the build left go.mod and go.sum as they were.
                    let decided = if success {
                        binaries.iter().all(|b| b.is_file())
                    } else {
                        split_by_package(&stderr).is_some_and(|failed| !failed.is_empty())
                    };
                    if decided
                        && let Some(f) = &fingerprint
                        && stamp::fingerprint(&cmd, self.dir.path(), &self.toolchain, &files)
                            .as_ref()
                            == Some(f)
                    {
                        stamp::write_said(&stamp_path, f, &binaries, success, &stderr);
                    }
                    (success, stderr)
                }
            };
            let split = split_by_package(&stderr)
                // A go command that failed without saying where (killed, out of memory ...)
                // decided nothing.
                .filter(|failed| success || !failed.is_empty());
            let Some(mut failed) = split else {
                let unloadable: HashSet<usize> = UNLOADABLE
                    .captures_iter(&stderr)
                    .filter_map(|c| c[1].parse().ok())
                    .collect();
                if unloadable.is_empty() {
                    break;
                }
                members.retain(|(i, _)| !unloadable.contains(i));
                continue;
            };
            let mut built = HashMap::new();
            for (index, unit) in &members {
                let binary = bin.join(format!("s{index}"));
                let result = if let Some(text) = failed.remove(index) {
                    Built::Failed {
                        diagnostics: package_relative(&text, *index, &unit.doc),
                    }
                } else if link && binary.is_file() {
                    Built::Binary(binary)
                } else if !link && success {
                    Built::Library
                } else {
                    continue;
                };
                built.insert(*index, result);
            }
            return Ok(built);
        }
        Ok(HashMap::new())
    }

    /// Links the candidates into a few merged binaries, the link units `bin/merged0`,
    /// `bin/merged1` ... (`bin/merged-faketime0` ... for `faketime` ones, which have another
    /// runtime; see `link_units`), with one go command: it compiles the packages and links the
    /// units in parallel, and relinks only a unit whose packages changed. A package that fails
    /// to compile is dropped from its unit and the build tried again (the units that were fine
    /// are up to date by then and not linked twice); what is returned built merged, the others
    /// are left to be built alone (which also gives them their own, unmerged diagnostics).
    fn build_merged(
        &self,
        candidates: &[(usize, &Unit)],
        faketime: bool,
    ) -> Result<HashMap<usize, Built>, Error> {
        // A package the compiler failed on, or one the go command could not load (an import
        // it cannot resolve is named at the importing file, relative to the module: `s3/...`):
        // a snippet's own package (`s`) or a pack (`g`).
        static FAILED_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?m)^(?:# snipcheck\.local/([sg])(\d+)\b|([sg])(\d+)/)").unwrap()
        });
        // Merging pays off from a handful of snippets on.
        if candidates.len() < 2 {
            return Ok(HashMap::new());
        }
        let mut units: Vec<Vec<(usize, &Unit)>> = link_units(candidates);
        let bin = self.dir.path().join("bin");
        let prefix = if faketime {
            "merged-faketime"
        } else {
            "merged"
        };
        // Members of a pack the compiler failed on, built as packages of their own from then on.
        let mut unpacked: HashSet<usize> = HashSet::new();
        let stamp_path = bin.join(format!("{prefix}.stamp"));
        // A few rounds of dropping broken packages is enough, since each round drops every
        // package the compiler named (a broken pack costs one more: it is unpacked first).
        for _round in 0..5 {
            units.retain(|u| !u.is_empty());
            let mut files: Vec<(String, String)> = Vec::new();
            let mut targets = Vec::new();
            let mut layout: Vec<Vec<(usize, merge::Entry)>> = Vec::new();
            let mut packs: HashMap<String, Vec<usize>> = HashMap::new();
            for (k, members) in units.iter().enumerate() {
                let entries = lay_out(members, &unpacked, &mut files, &mut packs);
                let just: Vec<merge::Entry> = entries.iter().map(|(_, e)| e.clone()).collect();
                files.push((
                    format!("cmd/{prefix}{k}/main.go"),
                    merge::dispatcher("snipcheck.local", &just),
                ));
                targets.push(format!("./cmd/{prefix}{k}"));
                layout.push(entries);
            }
            let built_from = || -> HashMap<usize, Built> {
                let mut built = HashMap::new();
                for (k, entries) in layout.iter().enumerate() {
                    let binary = bin.join(format!("{prefix}{k}"));
                    for (i, entry) in entries {
                        built.insert(
                            *i,
                            Built::Merged {
                                binary: binary.clone(),
                                entry: entry.clone(),
                            },
                        );
                    }
                }
                built
            };
            let mut cmd = self.go(self.dir.path());
            cmd.arg("build");
            clock(&mut cmd, faketime, None);
            cmd.arg("-o")
                .arg(format!("{}/", bin.display()))
                .args(&targets);
            let binaries: Vec<PathBuf> = (0..units.len())
                .map(|k| bin.join(format!("{prefix}{k}")))
                .collect();
            // The same inputs as the build that wrote these binaries: the go command would only
            // find them up to date, which at scale is most of a warm run's build (`stamp`).
            let fingerprint = stamp::fingerprint(&cmd, self.dir.path(), &self.toolchain, &files);
            if let Some(f) = &fingerprint
                && stamp::holds(&stamp_path, f, &binaries)
            {
                return Ok(built_from());
            }
            stamp::forget(&stamp_path);
            // A folder holds exactly its files: a pack's members in one `sync_files`. Copies of
            // one folder's sources at a time, not of all of them at once.
            let mut folders: std::collections::BTreeMap<&str, Vec<(&str, &str)>> =
                std::collections::BTreeMap::new();
            for (path, content) in &files {
                let (dir, name) = path.rsplit_once('/').expect("a folder and a file");
                folders.entry(dir).or_default().push((name, content));
            }
            for (dir, members) in &folders {
                let owned: Vec<(String, String)> = members
                    .iter()
                    .map(|(n, c)| (n.to_string(), c.to_string()))
                    .collect();
                sync_files(&self.dir.path().join(dir), &owned)?;
            }
            let out = cmd
                .output()
                .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
            if out.status.success() {
                // Only when the build left go.mod and go.sum as they were is the key its inputs'.
                let after = stamp::fingerprint(&cmd, self.dir.path(), &self.toolchain, &files);
                if let Some(f) = fingerprint.filter(|f| after.as_ref() == Some(f)) {
                    stamp::write(&stamp_path, &f, &binaries);
                }
                return Ok(built_from());
            }
            let text = String::from_utf8_lossy(&out.stderr);
            let mut broken: HashSet<usize> = HashSet::new();
            let mut progress = false;
            for c in FAILED_PACKAGE.captures_iter(&text) {
                let (Some(kind), Some(n)) = (c.get(1).or(c.get(3)), c.get(2).or(c.get(4))) else {
                    continue;
                };
                if kind.as_str() == "s" {
                    broken.extend(n.as_str().parse::<usize>().ok());
                } else if let Some(members) = packs.get(&format!("g{}", n.as_str())) {
                    for i in members {
                        progress |= unpacked.insert(*i);
                    }
                }
            }
            if broken.is_empty() && !progress {
                break;
            }
            for members in &mut units {
                members.retain(|(i, _)| !broken.contains(i));
            }
        }
        Ok(HashMap::new())
    }

    /// The diagnostics of a build the go command stopped before the compiler ran, as the
    /// compiler gives them. The go command checks imports and `//go:embed` directives itself
    /// while loading the package and stops there (`package foo is not in std`, a malformed
    /// import path, a syntax error in the package clause), in its own words; Go's test runner
    /// compiles with `go tool compile -e`, whatever the imports, and matches the compiler's
    /// words, for every error. So does this: the package's files are compiled with `-e`, with
    /// the flags the go command would give (`-p`, `-lang`, `-complete`), against the export
    /// data of the imports that resolve (`go list -export -deps`), and `past_loading` puts the
    /// compiler's errors in place of the go command's, line by line. `None` when the package is
    /// not plain Go files in one folder (cgo, assembly, folders of packages): then the go
    /// command's words are all there is.
    fn compiled_past_loading(
        &self,
        module_dir: &Path,
        pkg_dir: &Path,
        target: &str,
        unit: &Unit,
        reported: &str,
        index: usize,
    ) -> Result<Option<String>, Error> {
        static CGO: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"(?m)^\s*import\s+"C""#).unwrap());
        let go_files: Vec<&str> = unit
            .files
            .iter()
            .map(|(name, _)| name.as_str())
            // The package's own files: not its tests, nor `testdata/`.
            .filter(|n| n.ends_with(".go") && !n.ends_with("_test.go") && !n.contains('/'))
            .collect();
        // Sources the go command hands to other tools than the compiler.
        const OTHER: &[&str] = &[
            "s", "S", "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m", "f", "F", "for",
            "f90", "syso", "swig", "swigcxx",
        ];
        let plain = unit.files.iter().all(|(name, text)| {
            let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
            if name.ends_with(".go") {
                !CGO.is_match(text) && (!name.contains('/') || name.starts_with("testdata/"))
            } else {
                !OTHER.contains(&ext)
            }
        });
        if go_files.is_empty() || !plain {
            return Ok(None);
        }
        let list = self
            .go(module_dir)
            .args([
                "list",
                "-e",
                "-export",
                "-deps",
                "-json=ImportPath,DepOnly,Export,Module,Error,DepsErrors",
                target,
            ])
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go list`: {e}")))?;
        let listed = String::from_utf8_lossy(&list.stdout);
        let mut importcfg = String::new();
        let mut lang = None;
        // The go command's errors that take more than a line (an import path with a newline
        // in it), as it prints them: where each ends in `reported`.
        let mut load_errors = Vec::new();
        for package in serde_json::Deserializer::from_str(&listed).into_iter::<Listed>() {
            let Ok(package) = package else { break };
            if package.dep_only {
                if !package.export.is_empty() {
                    importcfg.push_str(&format!(
                        "packagefile {}={}\n",
                        package.import_path, package.export
                    ));
                }
                continue;
            }
            // `1.22.3` -> `go1.22`: the compiler takes a language version.
            let version = package.module.map(|m| m.go_version).unwrap_or_default();
            let mut parts = version.trim().split('.');
            if let (Some(a), Some(b)) = (parts.next(), parts.next()) {
                lang = Some(format!("go{a}.{b}"));
            }
            for e in package.error.iter().chain(&package.deps_errors) {
                // Printed as `Pos: Err`; some errors carry their position in `Err` instead.
                let said = if e.pos.is_empty() {
                    e.err.clone()
                } else {
                    format!("{}: {}", e.pos, e.err)
                };
                if said.contains('\n') {
                    load_errors.push(package_relative(&said, index, &unit.doc));
                }
            }
        }
        // The importcfg, and the object file: the compiler removes its output when it fails,
        // so that must be a file of its own (never /dev/null).
        let scratch = tempfile::Builder::new()
            .prefix("compile-")
            .tempdir_in(self.dir.path())
            .map_err(|e| Error::io("cannot create a temporary directory", e))?;
        let cfg = scratch.path().join("importcfg");
        fs::write(&cfg, importcfg).map_err(|e| Error::io("cannot write an importcfg", e))?;
        let package = if unit.is_main {
            "main".to_string()
        } else {
            format!("snipcheck.local/{}", target.trim_start_matches("./"))
        };
        let mut cmd = self.go(pkg_dir);
        cmd.args(["tool", "compile", "-e", "-complete", "-p", &package])
            .arg("-importcfg")
            .arg(&cfg)
            .arg("-o")
            .arg(scratch.path().join("out.o"));
        if let Some(lang) = lang {
            cmd.arg(format!("-lang={lang}"));
        }
        let out = cmd
            .args(&go_files)
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go tool compile`: {e}")))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(Some(past_loading(reported, &load_errors, &text)))
    }

    /// The file the dispatcher of the merged binary `binary` is compiled from, as it appears
    /// in stack traces.
    pub fn dispatcher_file(&self, binary: &Path) -> String {
        let unit = binary.file_name().unwrap_or_default();
        self.dir
            .path()
            .join("cmd")
            .join(unit)
            .join("main.go")
            .display()
            .to_string()
    }

    /// Builds one unit on its own.
    pub fn build_alone(&self, index: usize, unit: &Unit) -> Result<Built, Error> {
        // A unit with a module of its own lives in `m{index}`, a nested module the shared one
        // does not see; the others are packages `s{index}` of the shared module.
        let own_module = unit.go_line.is_some() || unit.go_mod.is_some();
        let (module_dir, pkg_dir, target) = if own_module {
            let m = self.dir.path().join(format!("m{index}"));
            (m.clone(), m, ".".to_string())
        } else {
            let pkg = format!("s{index}");
            (
                self.dir.path().to_path_buf(),
                self.dir.path().join(&pkg),
                format!("./{pkg}"),
            )
        };
        let mut files = unit.files.clone();
        if own_module {
            let go_mod = match (&unit.go_mod, &self.base) {
                (Some(own), _) => own.clone(),
                (None, Some(b)) => {
                    rewrite_go_mod(&b.go_mod, unit.go_line.map(|v| v.to_string()).as_deref())
                }
                (None, None) => format!(
                    "module snipcheck.local\n\ngo {}\n",
                    unit.go_line
                        .map_or(self.toolchain.go_line(), |v| v.to_string())
                ),
            };
            if !unit.files.iter().any(|(n, _)| n == "go.mod") {
                files.push(("go.mod".to_string(), go_mod));
            }
            if let Some(b) = &self.base
                && !unit.files.iter().any(|(n, _)| n == "go.sum")
            {
                files.push(("go.sum".to_string(), b.go_sum.clone()));
            }
        }
        let binary = self.sync_package(index, &pkg_dir, &files)?;
        if unit.test {
            // `go test` builds and runs in one step; compile errors show there.
            return Ok(Built::TestPackage {
                dir: module_dir,
                target,
            });
        }

        let mut cmd = self.go(&module_dir);
        cmd.arg("build");
        clock(&mut cmd, unit.faketime, None);
        if unit.race {
            cmd.arg("-race");
        }
        if unit.all_errors {
            // The snippet's packages, `./s3/...` or `./...` in a module of its own.
            cmd.arg(format!("-gcflags={}/...=-e", target.trim_end_matches('/')));
        }
        if unit.is_main {
            cmd.arg("-o").arg(&binary);
        }
        let out = cmd
            .arg(&target)
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
        if !out.status.success() {
            let mut diagnostics = String::from_utf8_lossy(&out.stderr).into_owned();
            diagnostics.push_str(&String::from_utf8_lossy(&out.stdout));
            let mut diagnostics = package_relative(&diagnostics, index, &unit.doc);
            if unit.all_errors
                && !diagnostics.lines().any(|l| l.starts_with("# "))
                && let Some(compiled) = self.compiled_past_loading(
                    &module_dir,
                    &pkg_dir,
                    &target,
                    unit,
                    &diagnostics,
                    index,
                )?
            {
                diagnostics = compiled;
            }
            return Ok(Built::Failed { diagnostics });
        }
        if unit.vet {
            let mut cmd = self.go(&module_dir);
            cmd.arg("vet");
            clock(&mut cmd, unit.faketime, None);
            let out = cmd
                .arg(&target)
                .output()
                .map_err(|e| Error::Toolchain(format!("cannot run `go vet`: {e}")))?;
            let mut findings = String::from_utf8_lossy(&out.stderr).into_owned();
            findings.push_str(&String::from_utf8_lossy(&out.stdout));
            return Ok(Built::Vetted(findings));
        }
        Ok(if unit.is_main {
            Built::Binary(binary)
        } else {
            Built::Library
        })
    }
}

/// A package as `go list -json` describes it, the fields `compiled_past_loading` reads.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    import_path: String,
    #[serde(default)]
    dep_only: bool,
    #[serde(default)]
    export: String,
    module: Option<ListedModule>,
    error: Option<LoadError>,
    #[serde(default)]
    deps_errors: Vec<LoadError>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedModule {
    #[serde(default)]
    go_version: String,
}

/// An error the go command met loading a package: at `pos` (`file:line:col`, or empty, when
/// `err` starts with the position or has none).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoadError {
    #[serde(default)]
    pos: String,
    err: String,
}

/// One message of a tool's output: its first line's `file:line` (when it has one) and its
/// lines (the first and those that continue it).
#[derive(Debug, PartialEq)]
struct Said<'a> {
    at: Option<&'a str>,
    lines: Vec<&'a str>,
}

/// `text` as messages: a message is a line and the tab-indented lines after it, and, for a line
/// that starts one of `long` (messages of several lines), as many more lines as that has.
fn messages<'a>(text: &'a str, long: &[String]) -> Vec<Said<'a>> {
    static AT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?:\d+)(?::\d+)?: ").unwrap());
    let mut out: Vec<Said> = Vec::new();
    let mut owed: usize = 0;
    for line in text.lines() {
        if let Some(last) = out.last_mut()
            && (owed > 0 || line.starts_with('\t'))
        {
            owed = owed.saturating_sub(1);
            last.lines.push(line);
            continue;
        }
        owed = long
            .iter()
            .find(|m| m.lines().next() == Some(line))
            .map_or(0, |m| m.lines().count() - 1);
        out.push(Said {
            at: AT.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str()),
            lines: vec![line],
        });
    }
    out
}

/// Whether a compiler message only says that the go command did not give the compiler what it
/// gives when loading succeeds: the export data of an import it could not resolve, or the files
/// of `//go:embed` patterns. The go command's own error at that line says why.
fn for_want_of_the_go_command(said: &Said) -> bool {
    static WANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r": (?:could not import \S+ \(open : no such file or directory\)|invalid go:embed: build system did not supply embed configuration)",
        )
        .unwrap()
    });
    WANT.is_match(said.lines[0])
}

/// The errors of a package the go command stopped loading (`reported`, its `long` messages of
/// several lines among them), with the compiler's (`compiled`, from `go tool compile -e`) in
/// place of the go command's, line by line: at a `file:line` where the compiler says more than
/// `for_want_of_the_go_command`, all of the compiler's messages there and none of the go
/// command's; elsewhere the go command's, if it has any there, else the compiler's. The go
/// command's messages without a position stay. So every line that either tool finds wrong keeps
/// an error, and a line's error is in the compiler's words whenever the compiler has its own.
fn past_loading(reported: &str, long: &[String], compiled: &str) -> String {
    let compiled: Vec<Said> = messages(compiled, &[])
        .into_iter()
        .filter(|s| s.at.is_some())
        .collect();
    let reported = messages(reported, long);
    let own: HashSet<&str> = compiled
        .iter()
        .filter(|s| !for_want_of_the_go_command(s))
        .filter_map(|s| s.at)
        .collect();
    let go_lines: HashSet<&str> = reported.iter().filter_map(|s| s.at).collect();
    let mut kept: Vec<&Said> = reported
        .iter()
        .filter(|s| s.at.is_none_or(|at| !own.contains(at)))
        .collect();
    kept.extend(compiled.iter().filter(|s| {
        s.at.is_some_and(|at| own.contains(at) || !go_lines.contains(at))
    }));
    // In the order of the lines (the go command's unplaced messages first), as one tool would.
    let line_of = |s: &Said| {
        s.at.and_then(|at| at.rsplit_once(':'))
            .and_then(|(_, n)| n.parse::<usize>().ok())
    };
    kept.sort_by_key(|s| line_of(s));
    let mut out = String::new();
    for s in kept {
        for line in &s.lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The go command's errors for several packages, each under its `# PATH` header, by package
/// index; `None` when some line belongs to no package (the build failed before compiling).
fn split_by_package(stderr: &str) -> Option<HashMap<usize, String>> {
    // A snippet's package, or a package in a folder of a multi-file snippet.
    static HEADER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^# snipcheck\.local/s(\d+)(?:/\S*)?$").unwrap());
    let mut failed: HashMap<usize, String> = HashMap::new();
    let mut current: Option<usize> = None;
    for line in stderr.split_inclusive('\n') {
        if let Some(c) = HEADER.captures(line.trim_end()) {
            current = c[1].parse().ok();
        } else if line.starts_with("# ") {
            // Another package's header (a module the snippets require): whose errors those
            // are cannot be told here.
            return None;
        }
        failed.entry(current?).or_default().push_str(line);
    }
    Some(failed)
}

/// The sources of one link unit's `members` as packages (`files`, relative to the module): a
/// pack's in its folder `g{first}` (the packs' members in `packs`), the others each in
/// `s{index}` as before, except those in `unpacked`, whose pack failed to compile. Returns the
/// dispatcher's entries, by snippet index.
fn lay_out(
    members: &[(usize, &Unit)],
    unpacked: &HashSet<usize>,
    files: &mut Vec<(String, String)>,
    packs: &mut HashMap<String, Vec<usize>>,
) -> Vec<(usize, merge::Entry)> {
    let shapes: Vec<Option<pack::Shape>> = members
        .iter()
        .map(|(i, unit)| {
            (!unpacked.contains(i))
                .then(|| pack::shape(&unit.files[0].1))
                .flatten()
        })
        .collect();
    let refs: Vec<Option<&pack::Shape>> = shapes.iter().map(Option::as_ref).collect();
    let mut entries = Vec::with_capacity(members.len());
    for run in pack::packs(&refs, pack::PACK) {
        if run.len() == 1 {
            let (i, unit) = members[run.start];
            let name = format!("s{i}");
            // Without one plain `func main` (`can_merge` requires it) it is left to the batch.
            if let Some(source) = pack::as_package(&unit.files[0].1, &name) {
                files.push((format!("{name}/main.go"), source));
                entries.push((i, merge::Entry::alone(&name)));
            }
            continue;
        }
        let package = format!("g{}", members[run.start].0);
        for k in run.clone() {
            let (i, unit) = members[k];
            let shape = shapes[k].as_ref().expect("a pack's members have shapes");
            files.push((
                format!("{package}/s{i}.go"),
                pack::as_member(&unit.files[0].1, shape, &package, i),
            ));
            entries.push((
                i,
                merge::Entry {
                    key: format!("s{i}"),
                    package: package.clone(),
                    func: pack::entry(i),
                },
            ));
        }
        packs.insert(package, members[run].iter().map(|(i, _)| *i).collect());
    }
    entries
}

/// The most snippets one merged binary links. Smaller units relink faster when one snippet
/// changes (only its unit is linked again) and spread the links over the cores; each unit
/// also links the runtime again, which is what keeps them from being much smaller.
const LINK_UNIT: usize = 200;

/// The merge candidates in link units: at least two once there are a handful (so that two
/// cores link at once), at most `LINK_UNIT` in each, as even as can be. Consecutive snippets
/// share a unit, so the split depends only on which snippets are candidates: editing one
/// snippet leaves every unit but its own as it was.
fn link_units<'a>(candidates: &[(usize, &'a Unit)]) -> Vec<Vec<(usize, &'a Unit)>> {
    let n = candidates.len();
    let count = n.div_ceil(LINK_UNIT).max(if n >= 8 { 2 } else { 1 });
    let size = n.div_ceil(count).max(1);
    candidates.chunks(size).map(<[_]>::to_vec).collect()
}

/// Whether `path` starts as the executables the go command links here do (ELF), or is absent.
fn is_executable_object(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    match File::open(path) {
        Ok(mut f) => f.read_exact(&mut magic).is_ok() && magic == *b"\x7fELF",
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Whether `build_batch` can build a unit: a plain package of the shared module, built without
/// flags of its own and not run by `go test`.
fn batchable(unit: &Unit) -> bool {
    unit.go_line.is_none() && unit.go_mod.is_none() && !unit.test && !unit.race && !unit.vet
}

/// The go command names the position of an import it cannot resolve relative to the package
/// directory (`s3/doc.md:25:8`); the compiler uses the `//line` path as is. Without the
/// directory, diagnostics do not depend on where (or as which package) a snippet was built.
fn package_relative(diagnostics: &str, index: usize, doc: &str) -> String {
    // Some errors (an invalid import path) the go command names at the absolute path of the
    // `//line` file in the package folder, `$WORK/s3/doc.md:43:8`: those are the document's too.
    let prefix = Regex::new(&format!(r"(?m)(?:^|\s)((?:\./|/[^\s:]*/)?[sm]{index}/)")).unwrap();
    let mut out = String::with_capacity(diagnostics.len());
    let mut last = 0;
    for c in prefix.captures_iter(diagnostics) {
        let m = c.get(1).expect("the regex has one group");
        // A document that itself lives in a folder `s3/` is named so by the compiler; only
        // the go command's own prefix (`s3/s3/doc.md`, `s3/main.go`) goes.
        let here = &diagnostics[m.start()..];
        if here.starts_with(doc) && !diagnostics[m.end()..].starts_with(doc) {
            continue;
        }
        // An absolute path is the workspace's only when the document's name follows.
        if here.starts_with('/') && !diagnostics[m.end()..].starts_with(doc) {
            continue;
        }
        out.push_str(&diagnostics[last..m.start()]);
        last = m.end();
    }
    out.push_str(&diagnostics[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_executable_object_or_nothing_is_left_for_the_go_command() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s0");
        assert!(is_executable_object(&script), "absent");
        fs::write(&script, "#!/bin/sh\necho wrong\n").unwrap();
        assert!(!is_executable_object(&script));
        fs::write(&script, "").unwrap();
        assert!(!is_executable_object(&script));
        assert!(is_executable_object(Path::new("/proc/self/exe")));
    }

    #[test]
    fn link_units_split_evenly_and_an_edit_keeps_the_others() {
        let unit = Unit::default();
        let cands = |n: usize| -> Vec<(usize, &Unit)> { (0..n).map(|i| (i, &unit)).collect() };
        let sizes =
            |n: usize| -> Vec<usize> { link_units(&cands(n)).iter().map(Vec::len).collect() };
        assert_eq!(sizes(3), [3]);
        assert_eq!(sizes(8), [4, 4]);
        assert_eq!(sizes(400), [200, 200]);
        assert_eq!(sizes(401), [134, 134, 133]);
        assert!(sizes(20_000).iter().all(|&s| s == LINK_UNIT));
        // The split depends on the candidates alone: the same list, the same units.
        let first: Vec<Vec<usize>> = link_units(&cands(1000))
            .iter()
            .map(|u| u.iter().map(|(i, _)| *i).collect())
            .collect();
        assert_eq!(first[1], (200..400).collect::<Vec<_>>());
    }
    use std::time::Duration;

    #[test]
    fn tool_directives_of_a_go_mod() {
        let go_mod = "module m\n\ngo 1.24\n\ntoolchain go1.24.1\n\ntool golang.org/x/tools/cmd/stringer // gen\n\ntool (\n\tgithub.com/a/b/cmd/x\n\n\tgithub.com/c/d\n)\n\nrequire golang.org/x/tools v0.30.0\n";
        assert_eq!(
            tool_lines(go_mod),
            [
                "golang.org/x/tools/cmd/stringer",
                "github.com/a/b/cmd/x",
                "github.com/c/d"
            ]
        );
        assert!(tool_lines("module m\ngo 1.22\ntoolchain go1.22.1\n").is_empty());
    }

    #[test]
    fn a_stable_place_is_one_runs_at_a_time_and_keeps_all_but_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let stable = tmp.path().join("work").join("key");
        let first = Place::new(Some(&stable)).unwrap();
        assert_eq!(first.path(), stable);
        fs::write(stable.join("bin").join("merged"), "binary").unwrap();
        fs::create_dir_all(stable.join("run").join("s1").join("deep")).unwrap();
        fs::write(stable.join("run").join("s1").join("out.txt"), "left").unwrap();

        // Held by the first: a second run works in a temporary directory instead.
        let second = Place::new(Some(&stable)).unwrap();
        assert!(matches!(second, Place::Temp(_)));
        assert_ne!(second.path(), stable);
        assert!(second.path().join("bin").is_dir());

        drop(first);
        assert_eq!(
            fs::read_dir(stable.join("run").join("s1")).unwrap().count(),
            0
        );
        let third = Place::new(Some(&stable)).unwrap();
        assert_eq!(third.path(), stable);
        assert_eq!(
            fs::read_to_string(stable.join("bin").join("merged")).unwrap(),
            "binary"
        );
    }

    #[test]
    fn sync_files_leaves_a_matching_folder_alone_and_replaces_any_other() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s1");
        let files = vec![
            ("main.go".to_string(), "package main".to_string()),
            ("testdata/in.txt".to_string(), "in".to_string()),
        ];
        sync_files(&dir, &files).unwrap();
        assert!(holds_exactly(&dir, &files));
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
        let before = inode(&dir.join("main.go"));
        sync_files(&dir, &files).unwrap();
        assert_eq!(
            inode(&dir.join("main.go")),
            before,
            "rewritten though unchanged"
        );

        // A stale file, or a changed one, and the folder is made anew.
        fs::write(dir.join("old.go"), "package main").unwrap();
        assert!(!holds_exactly(&dir, &files));
        sync_files(&dir, &files).unwrap();
        assert!(!dir.join("old.go").exists());
        let changed = vec![("main.go".to_string(), "package main // 2".to_string())];
        sync_files(&dir, &changed).unwrap();
        assert!(holds_exactly(&dir, &changed));
        assert!(!dir.join("testdata").exists());
    }

    #[test]
    fn places_unused_for_a_week_are_removed_unless_held() {
        let tmp = tempfile::tempdir().unwrap();
        let place = |name: &str, days: u64| {
            let path = tmp.path().join(name);
            fs::create_dir_all(path.join("bin")).unwrap();
            let lock = File::create(tmp.path().join(format!("{name}.lock"))).unwrap();
            let when = std::time::SystemTime::now() - Duration::from_secs(days * 24 * 3600);
            lock.set_modified(when).unwrap();
            path
        };
        let old = place("work-old", 30);
        let recent = place("work-recent", 2);
        let held_path = place("work-held", 30);
        let held = lock_beside(&held_path).unwrap();
        let current = Place::new(Some(&tmp.path().join("work-current"))).unwrap();
        assert!(!old.exists(), "an old place is kept");
        assert!(tmp.path().join("work-old.lock").exists());
        assert!(recent.exists(), "a recent place is removed");
        assert!(held_path.exists(), "a held place is removed");
        assert!(current.path().join("bin").is_dir());
        drop(held);

        // Used again, a place's clock starts over.
        let again = Place::new(Some(&recent)).unwrap();
        drop(again);
        let age = fs::metadata(tmp.path().join("work-recent.lock"))
            .unwrap()
            .modified()
            .unwrap()
            .elapsed()
            .unwrap();
        assert!(age < Duration::from_secs(3600), "{age:?}");
    }

    #[test]
    fn over_the_cap_the_least_recently_used_places_go_first() {
        let tmp = tempfile::tempdir().unwrap();
        let place = |name: &str, hours: u64, bytes: usize| {
            let path = tmp.path().join(name);
            fs::create_dir_all(path.join("bin")).unwrap();
            fs::write(path.join("bin/merged"), vec![0u8; bytes]).unwrap();
            let lock = File::create(tmp.path().join(format!("{name}.lock"))).unwrap();
            let when = std::time::SystemTime::now() - Duration::from_secs(hours * 3600);
            lock.set_modified(when).unwrap();
            path
        };
        let oldest = place("work-a", 30, 1000);
        let held_path = place("work-b", 20, 1000);
        let middle = place("work-c", 10, 1000);
        let newest = place("work-d", 1, 1000);
        let held = lock_beside(&held_path).unwrap();
        let week = Duration::from_secs(7 * 24 * 3600);
        // 4000 bytes, a cap of 2500: the two least recently used that no run holds go.
        let (removed, freed) = prune(tmp.path(), week, 2500);
        assert_eq!(removed, [oldest.clone(), middle.clone()]);
        assert_eq!(freed, 2000);
        assert!(held_path.exists() && newest.exists());
        drop(held);
        // `snipcheck clean`: every place no run holds.
        let (removed, _) = prune(tmp.path(), Duration::ZERO, 0);
        assert_eq!(removed.len(), 2);
        assert!(!newest.exists() && !held_path.exists());
    }

    #[test]
    fn places_are_pruned_at_most_once_an_hour() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(prune_due(tmp.path()), "never pruned");
        assert!(!prune_due(tmp.path()), "pruned a moment ago");
        let stamp = File::options()
            .write(true)
            .open(tmp.path().join("pruned.stamp"))
            .unwrap();
        stamp
            .set_modified(std::time::SystemTime::now() - PRUNE_EVERY - Duration::from_secs(60))
            .unwrap();
        assert!(prune_due(tmp.path()), "pruned over an hour ago");
        assert!(!prune_due(tmp.path()));
    }

    #[test]
    fn folders_left_without_write_permission_are_emptied_too() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let locked = tmp.path().join("run").join("cache").join("mod");
        fs::create_dir_all(&locked).unwrap();
        fs::write(locked.join("go.mod"), "module m\n").unwrap();
        for d in [&locked, &locked.parent().unwrap().to_path_buf()] {
            fs::set_permissions(d, fs::Permissions::from_mode(0o555)).unwrap();
        }
        make_writable(&tmp.path().join("run"));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&locked), 0o755);
        assert_eq!(mode(locked.parent().unwrap()), 0o755);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
        empty_dir(&tmp.path().join("run")).unwrap();
        assert_eq!(fs::read_dir(tmp.path().join("run")).unwrap().count(), 0);
    }

    #[test]
    fn without_a_stable_path_the_place_is_temporary_and_removed() {
        let place = Place::new(None).unwrap();
        let path = place.path().to_path_buf();
        assert!(path.join("bin").is_dir());
        drop(place);
        assert!(!path.exists());
    }

    #[test]
    fn batch_errors_go_to_the_snippet_whose_package_failed() {
        let stderr = "# snipcheck.local/s2\ndoc.md:6:1: declared and not used: x\n\
                      # snipcheck.local/s5/sub\nsub/sub.go:3:9: undefined: y\n";
        let failed = split_by_package(stderr).unwrap();
        assert_eq!(
            failed[&2],
            "# snipcheck.local/s2\ndoc.md:6:1: declared and not used: x\n"
        );
        assert_eq!(
            failed[&5],
            "# snipcheck.local/s5/sub\nsub/sub.go:3:9: undefined: y\n"
        );
        // Errors under another package's header, or under none, belong to no one known.
        let other = format!("{stderr}# example.com/dep\ndep.go:1:1: oops\n");
        assert_eq!(split_by_package(&other), None);
        assert_eq!(split_by_package("go: no space left on device\n"), None);
    }

    #[test]
    fn diagnostics_lose_the_package_folder_but_not_the_document_s_own() {
        let text = "s3/doc.md:5:8: no required module provides package x\n\
                    ./s3/main.go:1:1: oops\ns3/doc.md:6:1: declared and not used: y\n";
        assert_eq!(
            package_relative(text, 3, "doc.md"),
            "doc.md:5:8: no required module provides package x\n\
             main.go:1:1: oops\ndoc.md:6:1: declared and not used: y\n"
        );
        // An absolute path into the package folder, followed by the document's name.
        let text =
            "/tmp/snipcheck-1/w/s3/doc.md:43:8: invalid import path: %\n/usr/s3/x.go:1:1: e\n";
        assert_eq!(
            package_relative(text, 3, "doc.md"),
            "doc.md:43:8: invalid import path: %\n/usr/s3/x.go:1:1: e\n"
        );
        // The document is `s3/doc.md`: the compiler names it so, the go command `s3/s3/doc.md`.
        let text = "s3/s3/doc.md:5:8: no required module\ns3/doc.md:6:1: declared and not used\n";
        assert_eq!(
            package_relative(text, 3, "s3/doc.md"),
            "s3/doc.md:5:8: no required module\ns3/doc.md:6:1: declared and not used\n"
        );
    }

    #[test]
    fn past_loading_the_compiler_s_words_stand_where_it_has_its_own() {
        // The go command stopped at two imports and an embed pattern; the compiler has its own
        // words for the malformed import, and only "no export data" for the unresolved one
        // (and for the embed), so the go command's errors stand there.
        let reported = "doc.md:40:8: package foo is not in std\n\
                        doc.md:41:8: malformed import path \"unicode//utf8\": double slash\n\
                        doc.md:45:12: pattern x.txt: no matching files found\n\
                        go: something without a place\n";
        let compiled = "doc.md:40:8: could not import foo (open : no such file or directory)\n\
                        doc.md:41:8: could not import unicode//utf8 (non-canonical import path)\n\
                        doc.md:45:3: invalid go:embed: build system did not supply embed configuration\n\
                        doc.md:50:6: declared and not used: a\n\
                        doc.md:52:9: not enough return values\n\thave (number)\n\twant (int, int)\n";
        assert_eq!(
            past_loading(reported, &[], compiled),
            "go: something without a place\n\
             doc.md:40:8: package foo is not in std\n\
             doc.md:41:8: could not import unicode//utf8 (non-canonical import path)\n\
             doc.md:45:12: pattern x.txt: no matching files found\n\
             doc.md:50:6: declared and not used: a\n\
             doc.md:52:9: not enough return values\n\thave (number)\n\twant (int, int)\n"
        );
        // An artifact where the go command said nothing is an error all the same.
        assert_eq!(
            past_loading(
                "",
                &[],
                "doc.md:45:3: invalid go:embed: build system did not supply embed configuration\n"
            ),
            "doc.md:45:3: invalid go:embed: build system did not supply embed configuration\n"
        );
        // A line with an error in the compiler's own words and one it was given nothing for:
        // the compiler's, both of them, so the unresolved import is not lost.
        assert_eq!(
            past_loading(
                "doc.md:3:9: package nosuchpkg is not in std\n\
                 doc.md:3:24: malformed import path \"unicode//utf8\": double slash\n",
                &[],
                "doc.md:3:9: could not import nosuchpkg (open : no such file or directory)\n\
                 doc.md:3:24: could not import unicode//utf8 (non-canonical import path)\n"
            ),
            "doc.md:3:9: could not import nosuchpkg (open : no such file or directory)\n\
             doc.md:3:24: could not import unicode//utf8 (non-canonical import path)\n"
        );
        // A line the compiler finds fine keeps the go command's error.
        assert_eq!(
            past_loading("doc.md:9:8: expected 'IDENT', found '%'\n", &[], ""),
            "doc.md:9:8: expected 'IDENT', found '%'\n"
        );
    }

    #[test]
    fn a_go_command_message_of_several_lines_goes_whole() {
        // An import path with a newline in it: the go command prints it as it is.
        let long = vec!["doc.md:9:37: invalid import path: \nbogus".to_string()];
        let reported = "doc.md:9:37: invalid import path: \nbogus\nnot a continuation\n";
        let compiled = "doc.md:9:8: invalid import path (invalid character U+000A)\n";
        assert_eq!(
            past_loading(reported, &long, compiled),
            "not a continuation\ndoc.md:9:8: invalid import path (invalid character U+000A)\n"
        );
        // Without knowing it is one message, the second line is a message of its own.
        assert_eq!(
            past_loading(reported, &[], compiled),
            "bogus\nnot a continuation\ndoc.md:9:8: invalid import path (invalid character U+000A)\n"
        );
    }

    #[test]
    fn go_mod_rewrites() {
        let m = "module example.com/docs\n\ngo 1.22\n\ntoolchain go1.23.1\n\nrequire golang.org/x/sync v0.8.0\n";
        assert_eq!(
            rewrite_go_mod(m, None),
            "module snipcheck.local\n\ngo 1.22\n\ntoolchain go1.23.1\n\nrequire golang.org/x/sync v0.8.0\n"
        );
        assert_eq!(
            rewrite_go_mod(m, Some("1.21")),
            "module snipcheck.local\n\ngo 1.21\n\n\nrequire golang.org/x/sync v0.8.0\n"
        );
        assert_eq!(
            rewrite_go_mod("require x v1\n", Some("1.21")),
            "module snipcheck.local\nrequire x v1\n\ngo 1.21\n"
        );
        // A release before 1.24 refuses `tool` directives: they go; from 1.24 they stay.
        let t = "module m\n\ngo 1.24.0\n\ntool golang.org/x/tools/cmd/stringer\n\ntool (\n\tgithub.com/a/b/cmd/x\n\tgithub.com/c/d\n)\n\nrequire x v1\n";
        assert_eq!(
            rewrite_go_mod(t, Some("1.21")),
            "module snipcheck.local\n\ngo 1.21\n\n\n\nrequire x v1\n"
        );
        assert_eq!(
            rewrite_go_mod(t, Some("1.24")),
            rewrite_go_mod(t, None).replace("go 1.24.0", "go 1.24")
        );
    }
}
