//! Recorded results in `expected/`: one readable TOML file per snippet, named by document and id.
//! Reading reports malformed files at their line and column; writing is atomic (a temporary file
//! in the same directory, then a rename), so a crash leaves the old record or the new one.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
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
}

impl Record {
    /// The record as compared and diffed: everything but the Go version.
    pub fn comparable(&self) -> String {
        let mut r = self.clone();
        r.go_version.clear();
        let text = toml::to_string_pretty(&r).unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with("go_version"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn same_outcome(&self, other: &Record) -> bool {
        self.comparable() == other.comparable()
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

/// Reads a record; `Ok(None)` when there is none.
pub fn read(path: &Path) -> Result<Option<Record>, Error> {
    let bytes = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
    };
    let text = crate::documents::decode(bytes).map_err(|line| {
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
    _dir: fs::File,
    _critical: std::sync::MutexGuard<'static, ()>,
}

pub fn lock(expected: &Path) -> Result<WriteLock, Error> {
    use std::os::fd::AsRawFd;
    let cannot = |e| Error::io(format!("cannot lock {}", expected.display()), e);
    fs::create_dir_all(expected).map_err(cannot)?;
    let dir = fs::File::open(expected).map_err(cannot)?;
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
    let critical = crate::interrupt::critical();
    if crate::interrupt::interrupted() {
        return Err(crate::interrupt::error());
    }
    Ok(WriteLock {
        _dir: dir,
        _critical: critical,
    })
}

/// Writes a record atomically.
pub fn write(path: &Path, record: &Record) -> Result<(), Error> {
    let text = to_text(record)
        .map_err(|e| Error::Other(format!("cannot serialize {}: {e}", path.display())))?;
    write_atomic(path, text.as_bytes())
}

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

pub fn remove(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {}", path.display()), e))
        }
        _ => Ok(()),
    }
}

/// Every record under `expected/`, sorted.
pub fn all_records(expected: &Path) -> Result<Vec<PathBuf>, Error> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()), e)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(expected, &mut out)?;
    out.sort();
    Ok(out)
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
        }
    }

    #[test]
    fn round_trip_and_atomic_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = record_path(dir.path(), Path::new("snippets/doc.md"), "1028");
        assert!(path.ends_with("snippets/doc/1028.toml"));
        write(&path, &record()).unwrap();
        assert_eq!(read(&path).unwrap(), Some(record()));
        assert_eq!(all_records(dir.path()).unwrap(), vec![path]);
    }

    #[test]
    fn atomic_writes_are_readable_and_keep_a_replaced_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new.toml");
        write_atomic(&new, b"a").unwrap();
        assert_eq!(mode(&new), 0o644);
        let doc = dir.path().join("doc.md");
        fs::write(&doc, "old").unwrap();
        fs::set_permissions(&doc, fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&doc, b"new").unwrap();
        assert_eq!(mode(&doc), 0o664);
        assert_eq!(fs::read_to_string(&doc).unwrap(), "new");
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
