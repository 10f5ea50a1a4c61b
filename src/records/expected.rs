//! Recorded results in `expected/`: one readable TOML file per snippet, named by document and id.
//! Reading reports malformed files at their line and column, and reads no more than
//! `MAX_RECORD`; writing is atomic (a temporary file in the same directory, then a rename), so a
//! crash leaves the old record or the new one. The records' folder can arrive in a pull request
//! holding links and files of any kind: snipcheck writes, replaces and removes only what it can
//! tell is its own (a file that reads as a record, reached from the records' folder without
//! following a symbolic link), and leaves anything else as it is.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, toml_error};
use crate::snippet::{Class, TestStatus};

/// A snippet's full, normalized outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The toolchain that produced it. Informational: a new Go that gives the same outcome
    /// does not make the record stale.
    pub go_version: String,
    pub class: Class,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    #[serde(default)]
    pub diagnostics: String,
    /// What `go vet` reported, for `vet` snippets.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vet: String,
    /// Each test's verdict, for `test` snippets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: BTreeMap<String, TestStatus>,
    /// The coverage figure, for `test` snippets run with `cover`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// The signal that killed the process, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The outcome on the Go releases (by minor, `go1.21`) where it differs from the one above,
    /// written by the release matrix (`verify --go 1.21,1.22`); the record above is the newest
    /// release's, and holds for every release not named here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub release: BTreeMap<String, Record>,
}

impl Record {
    /// The record as compared and diffed: everything but the Go version.
    pub fn comparable(&self) -> String {
        let mut r = self.clone();
        r.go_version.clear();
        r.release.clear();
        let text = toml::to_string_pretty(&r).unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with("go_version"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `comparable`, followed by each release's own record (for review, where a pending result
    /// may change only one release's).
    pub fn comparable_all(&self) -> String {
        let mut text = self.comparable();
        for (key, r) in &self.release {
            text.push_str(&format!("\n\n[release.\"{key}\"]\n{}", r.comparable()));
        }
        text
    }

    /// Whether `actual` is the outcome this record describes. A record may hold elisions, as
    /// trycmd's snapshot files do (`[..]` within a line, `...` for any lines), put there by a
    /// person or taken from a claim (see `compare::with_elisions`): its text fields match the
    /// actual ones with them, so a record that elides a time does not go stale by the hour.
    pub fn same_outcome(&self, actual: &Record) -> bool {
        let mut seen = actual.clone();
        for (mine, theirs) in [
            (&self.stdout, &mut seen.stdout),
            (&self.stderr, &mut seen.stderr),
            (&self.diagnostics, &mut seen.diagnostics),
            (&self.vet, &mut seen.vet),
        ] {
            if mine != theirs && crate::claims::compare::elided_match(mine, theirs) {
                *theirs = mine.clone();
            }
        }
        self.comparable() == seen.comparable()
    }
}

/// The key of a release's own record: its minor, `go1.21` (patches of one minor rarely differ,
/// and a record per patch would change with every point release).
pub fn release_key(release: (u32, u32)) -> String {
    format!("go{}.{}", release.0, release.1)
}

impl Record {
    /// The record of one release: its own where it has one, else the common one.
    pub fn for_release(&self, key: &str) -> Record {
        let mut r = self.release.get(key).unwrap_or(self).clone();
        r.release.clear();
        r
    }

    /// This record file with `actual` as release `key`'s outcome. `common`: the run's newest
    /// release, whose outcome is the common record; any other release gets a record of its own
    /// only where its outcome differs from the common one.
    pub fn with_release(mut self, key: &str, actual: &Record, common: bool) -> Record {
        let mut actual = actual.clone();
        actual.release.clear();
        if common {
            let release = std::mem::take(&mut self.release);
            self = actual;
            self.release = release;
            self.release.remove(key);
        } else if self.same_outcome(&actual) {
            self.release.remove(key);
        } else {
            self.release.insert(key.to_string(), actual);
        }
        self
    }
}

/// Where the records of one document live: `expected/` + the document's path without `.md`.
pub fn doc_dir(expected: &Path, doc: &Path) -> PathBuf {
    let rel: PathBuf = doc
        .with_extension("")
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s),
            _ => None,
        })
        .collect();
    expected.join(rel)
}

pub fn record_path(expected: &Path, doc: &Path, id: &str) -> PathBuf {
    doc_dir(expected, doc).join(format!("{id}.toml"))
}

/// A pending result waits for review beside the record it would replace.
pub fn pending_path(record: &Path) -> PathBuf {
    let mut s = record.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

/// The largest record snipcheck reads or writes. A record holds a snippet's normalized output,
/// a few MiB at most under the `[sandbox]` output cap; a bigger file is no record of snipcheck's,
/// and reading it whole (TOML parsing costs several times its size) would cost gigabytes.
pub const MAX_RECORD: u64 = 16 << 20;

/// How the temporary file of a record being written is named: `.<name>` + this. A run killed
/// while writing (SIGKILL) leaves one behind; the next run that writes removes it, by this name.
pub const TEMP_SUFFIX: &str = ".snipcheck-tmp";

fn io_at(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::io(format!("{what} {}", path.display()), e)
}

/// Reads a record; `Ok(None)` when there is none. The file itself must not be a symbolic link,
/// and one larger than `MAX_RECORD` is refused before it is read.
pub fn read(path: &Path) -> Result<Option<Record>, Error> {
    let bytes = match read_bounded(path) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = crate::document::discover::decode(bytes).map_err(|line| {
        Error::at(
            format!("{}:{line}", path.display()),
            "malformed record: not valid UTF-8; delete it and run `snipcheck verify --accept` to record it again",
        )
    })?;
    parse(&text).map(Some).map_err(|e| {
        toml_error(
            path,
            &text,
            &e,
            "this record is malformed: fix it, or delete it and run `snipcheck verify --accept` to record it again",
        )
    })
}

/// A record file's bytes, at most `MAX_RECORD` of them; `Ok(None)` when there is none.
fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a FIFO named like a record must not hang the run at open.
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Error::at(
                path.display().to_string(),
                "this record is a symbolic link; snipcheck reads and writes only records that are files of their own: replace it with the file, or delete it and run `snipcheck verify --accept`",
            ));
        }
        Err(e) => return Err(io_at("cannot read", path, e)),
    };
    let meta = file.metadata().map_err(|e| io_at("cannot read", path, e))?;
    if !meta.is_file() {
        return Err(Error::at(
            path.display().to_string(),
            "this is not a file, so it is not a record: move it out of the records' folder",
        ));
    }
    if meta.len() > MAX_RECORD {
        return Err(too_big(path, meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_RECORD + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_at("cannot read", path, e))?;
    if bytes.len() as u64 > MAX_RECORD {
        return Err(too_big(path, bytes.len() as u64));
    }
    Ok(Some(bytes))
}

fn too_big(path: &Path, len: u64) -> Error {
    Error::at(
        path.display().to_string(),
        format!(
            "this record is {len} bytes, more than the {} MiB a record may hold, so snipcheck does not read it: delete it (and lower the snippet's output) and run `snipcheck verify --accept`",
            MAX_RECORD >> 20
        ),
    )
}

/// Parses a record's text (what `read` does after reading the file).
pub fn parse(text: &str) -> Result<Record, toml::de::Error> {
    toml::from_str(text)
}

/// A record's text, as `write` writes it.
pub fn to_text(record: &Record) -> Result<String, toml::ser::Error> {
    toml::to_string_pretty(record)
}

/// Held while a run writes to `expected/`: an exclusive flock on the directory, so two runs on
/// the same repository write one after the other, and the interruption handler's critical
/// section, so a Ctrl-C waits for the writes in progress and none starts after it.
pub struct WriteLock {
    _dir: OwnedFd,
    _critical: std::sync::MutexGuard<'static, ()>,
}

pub fn lock(expected: &Path) -> Result<WriteLock, Error> {
    let dir = open_dir(expected, Path::new(""), true)?.ok_or_else(|| vanished(expected))?;
    let cannot = |e| Error::io(format!("cannot lock {}", expected.display()), e);
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        eprintln!(
            "snipcheck: waiting for another run to finish writing to {}",
            expected.display()
        );
        // SAFETY: as above.
        if unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(cannot(std::io::Error::last_os_error()));
        }
    }
    let critical = crate::sandbox::interrupt::critical();
    if crate::sandbox::interrupt::interrupted() {
        return Err(crate::sandbox::interrupt::error());
    }
    Ok(WriteLock {
        _dir: dir,
        _critical: critical,
    })
}

fn c_name(name: &std::ffi::OsStr) -> std::io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(rc: libc::c_int) -> std::io::Result<libc::c_int> {
    if rc < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `openat(dir, name)` as a folder, not following a symbolic link.
fn open_child(dir: Option<&OwnedFd>, name: &std::ffi::OsStr) -> std::io::Result<OwnedFd> {
    let c = c_name(name)?;
    let at = dir.map_or(libc::AT_FDCWD, |d| d.as_raw_fd());
    // SAFETY: a NUL-terminated name; the descriptor returned is ours.
    let fd = check(unsafe {
        libc::openat(
            at,
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: a fresh descriptor, owned from here on.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Why a folder on the way to a record cannot be used.
fn not_a_folder(path: &Path) -> Error {
    let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    Error::at(
        path.display().to_string(),
        if link {
            "this is a symbolic link; snipcheck writes records only into real folders, never through a link (it could lead out of the project): replace it with a folder"
        } else {
            "this is not a folder, so no record can be written under it: move it away"
        },
    )
}

/// Opens the folder `rel` under the records' folder `root` without following a symbolic link:
/// neither `root` itself nor any folder below it may be one, so what is written there stays in
/// the records' folder. With `create`, missing folders are made; without, `Ok(None)` when one
/// is missing. (The folders above `root` are checked when the setting is read: see
/// `config::records_folder`.)
fn open_dir(root: &Path, rel: &Path, create: bool) -> Result<Option<OwnedFd>, Error> {
    let root_name = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let mut dir = match open_child(None, root_name.as_os_str()) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            fs::create_dir_all(root).map_err(|e| io_at("cannot create", root, e))?;
            open_child(None, root_name.as_os_str()).map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP | libc::ENOTDIR) => not_a_folder(root),
                _ => io_at("cannot open", root, e),
            })?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
            return Err(not_a_folder(root));
        }
        Err(e) => return Err(io_at("cannot open", root, e)),
    };
    let mut at = root.to_path_buf();
    for c in rel.components() {
        let Component::Normal(name) = c else {
            return Err(Error::Other(format!(
                "{} is not a path inside the records' folder {}",
                rel.display(),
                root.display()
            )));
        };
        at.push(name);
        let next = match open_child(Some(&dir), name) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let c = c_name(name).map_err(|e| io_at("cannot create", &at, e))?;
                // SAFETY: a NUL-terminated name, in a folder we hold open.
                let made = check(unsafe { libc::mkdirat(dir.as_raw_fd(), c.as_ptr(), 0o777) });
                match made {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                        return Err(io_at("cannot create", &at, e));
                    }
                    _ => open_child(Some(&dir), name),
                }
            }
            r => r,
        };
        dir = match next {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                return Err(not_a_folder(&at));
            }
            Err(e) => return Err(io_at("cannot open", &at, e)),
        };
    }
    Ok(Some(dir))
}

/// A folder made a moment ago is gone again: something else is changing the records' folder.
fn vanished(path: &Path) -> Error {
    Error::Other(format!(
        "{} disappeared while snipcheck was writing to it; run snipcheck again",
        path.display()
    ))
}

/// The folder (relative to `root`) and file name of a record or pending file `path`.
fn split<'a>(root: &Path, path: &'a Path) -> Result<(&'a Path, &'a std::ffi::OsStr), Error> {
    let rel = path.strip_prefix(root).ok();
    match (rel.and_then(Path::parent), path.file_name()) {
        (Some(dir), Some(name)) => Ok((dir, name)),
        _ => Err(Error::Other(format!(
            "{} is not a path inside the records' folder {}",
            path.display(),
            root.display()
        ))),
    }
}

/// What is at `name` in `dir`, not following a link: `None` when nothing is.
fn stat_at(dir: &OwnedFd, name: &std::ffi::OsStr) -> std::io::Result<Option<libc::stat>> {
    let c = c_name(name)?;
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: a NUL-terminated name and a stat buffer of the right type.
    match check(unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            c.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    }) {
        Ok(_) => Ok(Some(st)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether the file at `path` (known to be a regular file, not a link) is a record: what
/// snipcheck may replace or remove. Anything else is someone else's.
fn is_record(path: &Path) -> bool {
    matches!(read(path), Ok(Some(_)))
}

/// Why snipcheck leaves `path` alone, when it is not one of its records.
fn not_ours(path: &Path, st: &libc::stat) -> Option<&'static str> {
    match st.st_mode & libc::S_IFMT {
        libc::S_IFREG if is_record(path) => None,
        libc::S_IFREG => Some("it is not a record (it does not read as one)"),
        libc::S_IFLNK => Some("it is a symbolic link"),
        _ => Some("it is not a file"),
    }
}

/// Writes a record (or a pending result) at `path`, under the records' folder `root`,
/// atomically: a temporary file named `.<name>.snipcheck-tmp` in the same folder, then a rename.
/// No symbolic link is followed on the way, and a file already there is replaced only when it is
/// a record.
pub fn write(root: &Path, path: &Path, record: &Record) -> Result<(), Error> {
    let text = to_text(record)
        .map_err(|e| Error::Other(format!("cannot serialize {}: {e}", path.display())))?;
    if text.len() as u64 > MAX_RECORD {
        return Err(Error::at(
            path.display().to_string(),
            format!(
                "this result is {} bytes, more than the {} MiB a record may hold, so it is not written: lower `output` in the [sandbox] table, or make the snippet print less",
                text.len(),
                MAX_RECORD >> 20
            ),
        ));
    }
    let (rel, name) = split(root, path)?;
    let dir = open_dir(root, rel, true)?.ok_or_else(|| vanished(&root.join(rel)))?;
    let cannot = |e| io_at("cannot write", path, e);
    let mode = match stat_at(&dir, name).map_err(cannot)? {
        None => 0o644,
        Some(st) => {
            if let Some(why) = not_ours(path, &st) {
                return Err(Error::at(
                    path.display().to_string(),
                    format!(
                        "snipcheck would write a record here, but {why}, so it is left as it is: move it away"
                    ),
                ));
            }
            // What replaces a file keeps that file's mode.
            st.st_mode & 0o7777
        }
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(TEMP_SUFFIX);
    let tmp = c_name(&tmp_name).map_err(cannot)?;
    let target = c_name(name).map_err(cannot)?;
    // A temporary file left by a run that was killed while writing: ours by its name.
    // SAFETY: NUL-terminated names in a folder we hold open.
    unsafe { libc::unlinkat(dir.as_raw_fd(), tmp.as_ptr(), 0) };
    // SAFETY: as above; O_EXCL and O_NOFOLLOW: a fresh file, never a link's target.
    let fd = check(unsafe {
        libc::openat(
            dir.as_raw_fd(),
            tmp.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode as libc::c_uint,
        )
    })
    .map_err(cannot)?;
    // SAFETY: a fresh descriptor, owned from here on.
    let mut file = fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    use std::os::unix::fs::PermissionsExt;
    let written = file
        .set_permissions(fs::Permissions::from_mode(mode))
        .and_then(|_| file.write_all(text.as_bytes()))
        .and_then(|_| file.sync_all())
        // SAFETY: NUL-terminated names in a folder we hold open.
        .and_then(|_| {
            check(unsafe {
                libc::renameat(
                    dir.as_raw_fd(),
                    tmp.as_ptr(),
                    dir.as_raw_fd(),
                    target.as_ptr(),
                )
            })
            .map(drop)
        });
    if let Err(e) = written {
        // SAFETY: as above.
        unsafe { libc::unlinkat(dir.as_raw_fd(), tmp.as_ptr(), 0) };
        return Err(cannot(e));
    }
    Ok(())
}

/// Moves the pending result `from` over the record `to` (both in one folder under `root`): a
/// rename, atomic. The record's folder is reached without following a link, and what is
/// replaced must be a record.
pub fn promote(root: &Path, from: &Path, to: &Path) -> Result<(), Error> {
    let cannot = |e| {
        Error::io(
            format!("cannot move {} to {}", from.display(), to.display()),
            e,
        )
    };
    let (rel, name) = split(root, to)?;
    let (from_rel, from_name) = split(root, from)?;
    if rel != from_rel {
        return Err(Error::Other(format!(
            "{} and {} are not in one folder",
            from.display(),
            to.display()
        )));
    }
    let Some(dir) = open_dir(root, rel, false)? else {
        return Err(cannot(std::io::Error::from_raw_os_error(libc::ENOENT)));
    };
    for (path, n) in [(from, from_name), (to, name)] {
        if let Some(st) = stat_at(&dir, n).map_err(cannot)?
            && let Some(why) = not_ours(path, &st)
        {
            return Err(Error::at(
                path.display().to_string(),
                format!("{why}, so snipcheck leaves it as it is: move it away"),
            ));
        }
    }
    let (a, b) = (
        c_name(from_name).map_err(cannot)?,
        c_name(name).map_err(cannot)?,
    );
    // SAFETY: NUL-terminated names in a folder we hold open.
    check(unsafe { libc::renameat(dir.as_raw_fd(), a.as_ptr(), dir.as_raw_fd(), b.as_ptr()) })
        .map_err(cannot)?;
    Ok(())
}

/// Removes the record (or pending result) at `path` under `root`. Only a record is removed: a
/// file that does not read as one, a link or a folder is reported on stderr and left as it is;
/// and no link is followed on the way. `Ok(false)` when nothing was removed.
pub fn remove(root: &Path, path: &Path) -> Result<bool, Error> {
    let (rel, name) = split(root, path)?;
    let Some(dir) = open_dir(root, rel, false)? else {
        return Ok(false);
    };
    let cannot = |e| io_at("cannot remove", path, e);
    let Some(st) = stat_at(&dir, name).map_err(cannot)? else {
        return Ok(false);
    };
    if let Some(why) = not_ours(path, &st) {
        eprintln!(
            "warning: {}: {why}, so snipcheck does not remove it",
            path.display()
        );
        return Ok(false);
    }
    let c = c_name(name).map_err(cannot)?;
    // SAFETY: a NUL-terminated name in a folder we hold open.
    match check(unsafe { libc::unlinkat(dir.as_raw_fd(), c.as_ptr(), 0) }) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(cannot(e)),
        Ok(_) => Ok(true),
    }
}

/// Removes a temporary file a killed run left (`scan` finds them); only by its name, and only a
/// regular file.
pub fn remove_temp(root: &Path, path: &Path) -> Result<(), Error> {
    let (rel, name) = split(root, path)?;
    if !name.to_string_lossy().ends_with(TEMP_SUFFIX) {
        return Ok(());
    }
    let Some(dir) = open_dir(root, rel, false)? else {
        return Ok(());
    };
    let cannot = |e| io_at("cannot remove", path, e);
    match stat_at(&dir, name).map_err(cannot)? {
        Some(st) if st.st_mode & libc::S_IFMT == libc::S_IFREG => {
            let c = c_name(name).map_err(cannot)?;
            // SAFETY: a NUL-terminated name in a folder we hold open.
            unsafe { libc::unlinkat(dir.as_raw_fd(), c.as_ptr(), 0) };
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Writes a file atomically (a temporary file beside it, then a rename), for snipcheck's own
/// cache directory. Records go through `write`, which checks where it writes.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(format!("cannot write in {}", dir.display()), e))?;
    // The temporary file is private (0600); what replaces a file keeps that file's mode, and a
    // new one is readable by all, as files in a repository are.
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .and_then(|_| tmp.write_all(bytes))
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e.error))?;
    Ok(())
}

/// What is under the records' folder, found without following a symbolic link.
#[derive(Debug, Default)]
pub struct Scan {
    /// `*.toml` files: records, or files that only look like them by name.
    pub records: Vec<PathBuf>,
    /// `*.toml.new` files: pending results.
    pub pending: Vec<PathBuf>,
    /// Temporary files of a run that was killed while writing.
    pub temps: Vec<PathBuf>,
    /// Symbolic links, which snipcheck neither follows nor touches.
    pub links: Vec<PathBuf>,
}

/// Every record, pending result, stale temporary file and link under `expected/`, sorted.
pub fn scan(expected: &Path) -> Result<Scan, Error> {
    fn walk(dir: &Path, out: &mut Scan) -> Result<(), Error> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()), e)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // The entry's own type: a link is a link, whatever it points at.
            match entry.file_type() {
                Ok(t) if t.is_symlink() => out.links.push(path),
                Ok(t) if t.is_dir() => walk(&path, out)?,
                Ok(t) if t.is_file() => {
                    if name.ends_with(".toml") {
                        out.records.push(path);
                    } else if name.ends_with(".toml.new") {
                        out.pending.push(path);
                    } else if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
                        out.temps.push(path);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    let mut out = Scan::default();
    // The folder itself must be a folder, not a link to one.
    match fs::symlink_metadata(expected) {
        Ok(m) if m.file_type().is_symlink() => return Err(not_a_folder(expected)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        _ => {}
    }
    walk(expected, &mut out)?;
    for v in [
        &mut out.records,
        &mut out.pending,
        &mut out.temps,
        &mut out.links,
    ] {
        v.sort();
    }
    Ok(out)
}

/// Whether `record` (under `expected`) is in the records of the configured `documents`: in
/// the folder of a configured document file, or below the folder of a configured documents'
/// folder. Only such a record can be an orphan that snipcheck removes; anything else under
/// `expected/` belongs to someone else.
pub fn in_scope(expected: &Path, documents: &[PathBuf], record: &Path) -> bool {
    let Some(parent) = record.parent() else {
        return false;
    };
    documents.iter().any(|d| {
        if d.extension().is_some_and(|e| e == "md") && !d.is_dir() {
            parent == doc_dir(expected, d)
        } else {
            // A record directly in `expected/<folder>/` would be of `<folder>.md`, beside the
            // folder, not in it.
            let root = doc_dir(expected, &d.join("x.md"));
            let root = root.parent().unwrap_or(&root);
            parent != root && parent.starts_with(root)
        }
    })
}

/// Whether `path` is reached from `root` through a symbolic link (a folder of the records'
/// folder that is a link): such a record is neither read as the snippet's nor written.
pub fn check_path(root: &Path, path: &Path) -> Result<(), Error> {
    if let Ok(m) = fs::symlink_metadata(root)
        && m.file_type().is_symlink()
    {
        return Err(not_a_folder(root));
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for c in parts.iter().take(parts.len().saturating_sub(1)) {
        at.push(c);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(not_a_folder(&at)),
            Ok(m) if !m.is_dir() => return Err(not_a_folder(&at)),
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            go_version: "go1.26.8".into(),
            class: Class::Panic,
            exit_status: Some(2),
            stdout: "a\nb\n".into(),
            stderr: "panic: boom\n".into(),
            diagnostics: String::new(),
            vet: String::new(),
            tests: BTreeMap::new(),
            coverage: None,
            signal: None,
            release: BTreeMap::new(),
        }
    }

    #[test]
    fn releases_get_a_record_of_their_own_only_where_they_differ() {
        let newest = record();
        let older = Record {
            stdout: "b\na\n".into(),
            go_version: "go1.21.13".into(),
            ..record()
        };
        let file = newest.clone().with_release("go1.22", &newest, false);
        assert!(
            file.release.is_empty(),
            "an agreeing release is stored once"
        );
        let file = file.with_release("go1.21", &older, false);
        assert_eq!(file.release.keys().collect::<Vec<_>>(), ["go1.21"]);
        assert_eq!(file.for_release("go1.21").stdout, "b\na\n");
        assert_eq!(file.for_release("go1.26").stdout, "a\nb\n");
        // Review shows the releases' own records; comparing ignores them.
        assert!(
            file.comparable_all()
                .contains("[release.\"go1.21\"]\nclass = \"panic\"")
        );
        assert!(!file.comparable().contains("go1.21"));
        // It reads back as written, and the common record compares without the others.
        let back = parse(&to_text(&file).unwrap()).unwrap();
        assert_eq!(back, file);
        assert!(back.same_outcome(&newest));
        // The common record replaced keeps the other releases'; a release that agrees again
        // loses its own.
        let file = back.with_release("go1.26", &newest, true);
        assert_eq!(file.release.len(), 1);
        assert!(
            file.with_release("go1.21", &newest, false)
                .release
                .is_empty()
        );
    }

    #[test]
    fn round_trip_and_atomic_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = record_path(dir.path(), Path::new("snippets/doc.md"), "1028");
        assert!(path.ends_with("snippets/doc/1028.toml"));
        write(dir.path(), &path, &record()).unwrap();
        assert_eq!(read(&path).unwrap(), Some(record()));
        assert_eq!(scan(dir.path()).unwrap().records, vec![path]);
    }

    #[test]
    fn atomic_writes_are_readable_and_keep_a_replaced_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("d/new.toml");
        write(dir.path(), &new, &record()).unwrap();
        assert_eq!(mode(&new), 0o644);
        fs::set_permissions(&new, fs::Permissions::from_mode(0o664)).unwrap();
        write(dir.path(), &new, &record()).unwrap();
        assert_eq!(mode(&new), 0o664);
        let doc = dir.path().join("doc.md");
        fs::write(&doc, "old").unwrap();
        fs::set_permissions(&doc, fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&doc, b"new").unwrap();
        assert_eq!(mode(&doc), 0o664);
        assert_eq!(fs::read_to_string(&doc).unwrap(), "new");
    }

    /// What is not a record is neither replaced nor removed, and no link is followed: not the
    /// records' folder itself, nor a folder in it, nor the file.
    #[test]
    fn only_records_are_written_or_removed_and_no_link_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("expected");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::create_dir_all(root.join("docs")).unwrap();
        let config = root.join("docs/doc/config.toml");
        fs::create_dir_all(config.parent().unwrap()).unwrap();
        fs::write(&config, "name = \"not a record\"\n").unwrap();
        assert!(!remove(&root, &config).unwrap());
        assert!(write(&root, &config, &record()).is_err());
        assert_eq!(
            fs::read_to_string(&config).unwrap(),
            "name = \"not a record\"\n"
        );
        // A folder in the records' folder that is a link.
        std::os::unix::fs::symlink(&outside, root.join("docs/linked")).unwrap();
        let through = root.join("docs/linked/a.toml");
        let err = write(&root, &through, &record()).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        write(&outside, &outside.join("a.toml"), &record()).unwrap();
        assert!(remove(&root, &through).is_err());
        assert!(check_path(&root, &through).is_err());
        assert!(outside.join("a.toml").exists());
        // The records' folder itself a link.
        let linked_root = dir.path().join("linked-expected");
        std::os::unix::fs::symlink(&outside, &linked_root).unwrap();
        assert!(write(&linked_root, &linked_root.join("d/b.toml"), &record()).is_err());
        assert!(scan(&linked_root).is_err());
        assert!(!outside.join("d").exists());
        // A record file that is a link is not followed either.
        std::os::unix::fs::symlink(outside.join("a.toml"), root.join("docs/doc/l.toml")).unwrap();
        assert!(read(&root.join("docs/doc/l.toml")).is_err());
        assert!(!remove(&root, &root.join("docs/doc/l.toml")).unwrap());
        let found = scan(&root).unwrap();
        assert_eq!(found.records, vec![config.clone()]);
        assert_eq!(found.links.len(), 2);
    }

    #[test]
    fn a_temporary_file_left_by_a_killed_run_is_named_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc/a.toml");
        write(dir.path(), &path, &record()).unwrap();
        let stale = dir.path().join(format!("doc/.a.toml{TEMP_SUFFIX}"));
        fs::write(&stale, "half a rec").unwrap();
        assert_eq!(scan(dir.path()).unwrap().temps, vec![stale.clone()]);
        // Writing the same record again starts from a fresh temporary file.
        write(dir.path(), &path, &record()).unwrap();
        assert!(!stale.exists());
        fs::write(&stale, "half a rec").unwrap();
        remove_temp(dir.path(), &stale).unwrap();
        assert!(!stale.exists());
        assert!(path.exists());
    }

    #[test]
    fn an_oversized_record_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let f = fs::File::create(&path).unwrap();
        f.set_len(MAX_RECORD + 1).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("more than the 16 MiB a record may hold"),
            "{err}"
        );
    }

    #[test]
    fn scope_is_the_records_of_the_configured_documents() {
        let e = Path::new("expected");
        let docs = [PathBuf::from("docs"), PathBuf::from("guide.md")];
        let yes = |p: &str| in_scope(e, &docs, Path::new(p));
        assert!(yes("expected/docs/a/x.toml"));
        assert!(yes("expected/docs/sub/a/x.toml"));
        assert!(yes("expected/guide/x.toml"));
        assert!(!yes("expected/docs/x.toml"));
        assert!(!yes("expected/other/x.toml"));
        assert!(!yes("expected/x.toml"));
        assert!(!yes("expected/guide/sub/x.toml"));
    }

    #[test]
    fn go_version_alone_does_not_change_the_outcome() {
        let mut newer = record();
        newer.go_version = "go1.27.0".into();
        assert!(record().same_outcome(&newer));
        newer.stdout = "c\n".into();
        assert!(!record().same_outcome(&newer));
    }

    #[test]
    fn malformed_record_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        fs::write(
            &path,
            "go_version = \"go1.26\"\nclass = \"ok\"\nbogus = 1\n",
        )
        .unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("x.toml:3:1"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn doc_dir_drops_leading_components() {
        assert_eq!(
            doc_dir(Path::new("expected"), Path::new("/abs/./docs/a.md")),
            PathBuf::from("expected/abs/docs/a")
        );
        assert_eq!(
            doc_dir(Path::new("expected"), Path::new("../docs/a.md")),
            PathBuf::from("expected/docs/a")
        );
    }
}
