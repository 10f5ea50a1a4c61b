//! The first step: which Markdown files to verify, and their text. Folders are searched for
//! `*.md` recursively, in a stable order; the paths keep the form the user gave, so reports and
//! `//line` directives print paths the user can open. Finding no document at all is an error:
//! a run that checks nothing must not pass.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem};

pub struct Document {
    pub path: PathBuf,
    pub text: String,
}

/// Expands files and folders into the Markdown files they name, sorted, without repeats.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        let p = clean(p);
        match fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, &mut found, &mut problems),
            Ok(_) if p.extension().is_some_and(|e| e == "md") => found.push(p),
            Ok(_) => problems.push(Problem::new(
                p.display().to_string(),
                "snipcheck verifies Markdown documents (*.md) and the Go blocks in them; to turn Go \
                 files into such a document, run `snipcheck import` on them",
            )),
            Err(e) => problems.push(Problem::new(
                p.display().to_string(),
                format!("cannot read this document ({e}); check the path, or the `documents` list in snipcheck.toml"),
            )),
        }
    }
    if found.is_empty() && problems.is_empty() {
        // A run that checks nothing must not look like one that passed.
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        problems.push(Problem::new(
            names.join(", "),
            "no Markdown documents (*.md) here, so nothing would be checked; check the paths, or the `documents` list in snipcheck.toml",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// `./snippets/a.md` -> `snippets/a.md`: the same document is named the same way however it was
/// given, which keeps record paths and reports stable. `.` itself stays `.`.
fn clean(p: &Path) -> PathBuf {
    let cleaned: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem::new(
                dir.display().to_string(),
                format!("cannot list this folder: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = clean(&entry.path());
        // Hidden folders (.git, .github) hold no documentation to verify.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(t) if t.is_dir() && !hidden => walk(&path, found, problems),
            Ok(t) if !t.is_dir() && path.extension().is_some_and(|e| e == "md") => found.push(path),
            _ => {}
        }
    }
}

/// Text from a file's bytes; when they are not UTF-8, the line of the first bad byte.
pub fn decode(bytes: Vec<u8>) -> Result<String, usize> {
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1
    })
}

/// Reads a document. Text that is not UTF-8, a NUL byte or a CR alone is an error at its line.
pub fn read(path: &Path) -> Result<Document, Error> {
    let bytes = fs::read(path).map_err(|e| {
        Error::at(
            path.display().to_string(),
            format!("cannot read this document ({e}); check the path and its permissions"),
        )
    })?;
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(Error::at(
            format!("{}:{line}", path.display()),
            "this document holds a NUL byte, so it is not a text file; remove it",
        ));
    }
    // CommonMark ends a line at a CR alone, as at CRLF and LF; line numbers here count LF. A
    // document with old-Mac line endings would yield no snippets and pass, and a stray CR would
    // start a line (a heading, a fence) that snipcheck does not see.
    if let Some(at) = bytes
        .iter()
        .enumerate()
        .position(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(Error::at(
            format!("{}:{line}", path.display()),
            "this document ends a line with a carriage return alone (old Mac line endings); \
             save it with LF or CRLF line endings",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Document {
            path: path.to_path_buf(),
            text,
        }),
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(Error::at(
                format!("{}:{line}", path.display()),
                "this document is not valid UTF-8; save it as UTF-8",
            ))
        }
    }
}
