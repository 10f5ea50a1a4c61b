//! `snipcheck.toml` and the settings a run uses. Precedence: command line > environment (both
//! through clap) > file > defaults. Unknown keys in the file are errors, so a typo is not
//! silently ignored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{Common, ListArgs, RecordArgs, VerifyArgs};
use crate::error::{Error, toml_error};
use crate::limits::{Limits, SandboxConfig};
use crate::partition::Partition;
use crate::time::parse_duration;

pub const DEFAULT_CONFIG: &str = "snipcheck.toml";
pub const DEFAULT_VARIES_RUNS: usize = 10;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Markdown files or folders to verify.
    pub documents: Option<Vec<PathBuf>>,
    /// Where recorded results live.
    pub expected: Option<PathBuf>,
    /// Default per-snippet timeout.
    pub timeout: Option<String>,
    /// Snippets built and run at once.
    pub jobs: Option<usize>,
    /// The go command.
    pub go: Option<PathBuf>,
    /// How many times a `varies` snippet may run before its output must have varied.
    pub varies_runs: Option<usize>,
    /// What a snippet may use (`limits`).
    pub sandbox: Option<SandboxConfig>,
}

/// What to do with recorded results, decided once per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Check records; write pending results (`.toml.new`) for new and changed snippets.
    Verify,
    /// Check records; a missing, changed or orphaned record fails; write nothing.
    Locked,
    /// Write records for new and changed snippets; remove orphaned ones.
    Accept,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub documents: Vec<PathBuf>,
    /// The documents are the configured set (not paths from the command line), so records of
    /// documents that no longer exist count as orphaned.
    pub whole_set: bool,
    pub expected: PathBuf,
    pub timeout: Duration,
    pub jobs: usize,
    pub go: PathBuf,
    pub policy: Policy,
    pub filters: Vec<String>,
    /// What a snippet may use, from the `[sandbox]` table.
    pub sandbox: Limits,
    pub varies_runs: usize,
    /// Link the snippets that can share a binary into one.
    pub merge: bool,
    /// Skip the snippets that passed before with nothing changed.
    pub cache: bool,
    /// Only this partition of the snippets runs (`--partition`).
    pub partition: Option<Partition>,
    /// Write pending results even under `Policy::Locked` (`--write-pending`).
    pub write_pending: bool,
    /// What was adjusted while resolving (a clamped `jobs`), for `main` to print as warnings.
    pub warnings: Vec<String>,
}

/// Where the documents and records are, for `review` and `pending`: always the configured set.
#[derive(Debug, Clone)]
pub struct Places {
    pub documents: Vec<PathBuf>,
    pub expected: PathBuf,
}

impl Places {
    pub fn resolve(args: &RecordArgs, file: FileConfig) -> Places {
        Places {
            documents: file
                .documents
                .unwrap_or_else(|| vec![PathBuf::from("snippets")]),
            expected: args
                .expected
                .clone()
                .or(file.expected)
                .unwrap_or_else(|| PathBuf::from("expected")),
        }
    }
}

/// `CI` as CI services set it: present and not `false` or `0`.
/// More workers than this per core only queue up: snippets are CPU-bound builds and runs, and a
/// `jobs` from a pull request's config must not tie up a runner with thousands of threads.
pub const MAX_JOBS_PER_CORE: usize = 4;

fn max_jobs(cores: usize) -> usize {
    (cores * MAX_JOBS_PER_CORE).max(8)
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

pub fn load_file(explicit: Option<&Path>) -> Result<FileConfig, Error> {
    let path = explicit.unwrap_or(Path::new(DEFAULT_CONFIG));
    let text = match std::fs::read(path) {
        Ok(t) => crate::documents::decode(t).map_err(|line| {
            Error::at(
                format!("{}:{line}", path.display()),
                "the configuration is not valid UTF-8; save it as UTF-8",
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
            return Ok(FileConfig::default());
        }
        Err(e) => {
            return Err(Error::at(
                path.display().to_string(),
                format!("cannot read the configuration: {e}"),
            ));
        }
    };
    parse_file(path, &text)
}

pub fn parse_file(path: &Path, text: &str) -> Result<FileConfig, Error> {
    let file: FileConfig = toml::from_str(text).map_err(|e| {
        toml_error(
            path,
            text,
            &e,
            "the keys are documents, expected, timeout, jobs, go, varies_runs and the [sandbox] table",
        )
    })?;
    if let Some(sandbox) = &file.sandbox
        && let Err((key, message)) = sandbox.resolve()
    {
        let at = match line_of_key(text, "sandbox", key) {
            Some(line) => format!("{}:{line}", path.display()),
            None => path.display().to_string(),
        };
        return Err(Error::at(at, message));
    }
    Ok(file)
}

/// The line of `key` in `[table]`, for errors found after parsing.
fn line_of_key(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            in_table = l.trim_matches(|c| c == '[' || c == ']').trim() == table;
        } else if in_table
            && l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(i + 1);
        }
    }
    None
}

impl Settings {
    /// The settings `list` needs: which documents, where the records are, which go.
    pub fn for_list(args: &ListArgs, file: FileConfig) -> Settings {
        Settings {
            documents: if args.paths.is_empty() {
                file.documents
                    .unwrap_or_else(|| vec![PathBuf::from("snippets")])
            } else {
                args.paths.clone()
            },
            whole_set: args.paths.is_empty(),
            expected: args
                .common
                .expected
                .clone()
                .or(file.expected)
                .unwrap_or_else(|| PathBuf::from("expected")),
            timeout: DEFAULT_TIMEOUT,
            jobs: 1,
            go: args
                .common
                .go
                .clone()
                .or(file.go)
                .unwrap_or_else(|| PathBuf::from("go")),
            policy: Policy::Locked,
            filters: Vec::new(),
            varies_runs: DEFAULT_VARIES_RUNS,
            merge: true,
            cache: false,
            partition: None,
            write_pending: false,
            warnings: Vec::new(),
            // `list` runs nothing; `parse_file` has checked the table already.
            sandbox: file
                .sandbox
                .as_ref()
                .and_then(|s| s.resolve().ok())
                .unwrap_or_default(),
        }
    }

    pub fn resolve(args: &VerifyArgs, file: FileConfig) -> Result<Settings, Error> {
        let Common {
            jobs,
            timeout,
            go,
            expected,
            config,
        } = &args.common;
        let config_name = config
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONFIG))
            .display()
            .to_string();
        let timeout = match timeout.as_ref().or(file.timeout.as_ref()) {
            Some(t) => parse_duration(t).map_err(|e| {
                Error::at(
                    config_name.clone(),
                    format!("timeout: {e} (from --timeout, SNIPCHECK_TIMEOUT or the file)"),
                )
            })?,
            None => DEFAULT_TIMEOUT,
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut warnings = Vec::new();
        let jobs = match jobs.or(file.jobs) {
            Some(0) => {
                return Err(Error::at(
                    config_name,
                    "jobs must be at least 1 (from --jobs, SNIPCHECK_JOBS or the file)",
                ));
            }
            Some(n) if n > max_jobs(cores) => {
                warnings.push(format!(
                    "jobs = {n} is more than {MAX_JOBS_PER_CORE} per core on this machine's {cores}; using {}",
                    max_jobs(cores)
                ));
                max_jobs(cores)
            }
            Some(n) => n,
            None => cores,
        };
        let ci = in_ci();
        let policy = if args.accept {
            if ci {
                return Err(Error::Other(
                    "refusing to write records while CI is set; run `snipcheck verify --accept` locally and commit expected/".into(),
                ));
            }
            Policy::Accept
        } else if args.locked || ci {
            Policy::Locked
        } else {
            Policy::Verify
        };
        let whole_set = args.paths.is_empty();
        let documents = if whole_set {
            file.documents
                .unwrap_or_else(|| vec![PathBuf::from("snippets")])
        } else {
            args.paths.clone()
        };
        Ok(Settings {
            documents,
            whole_set,
            expected: expected
                .clone()
                .or(file.expected)
                .unwrap_or_else(|| PathBuf::from("expected")),
            timeout,
            jobs,
            go: go
                .clone()
                .or(file.go)
                .unwrap_or_else(|| PathBuf::from("go")),
            policy,
            filters: args.filters.clone(),
            merge: !args.no_merge,
            cache: !args.no_cache,
            varies_runs: match file.varies_runs {
                Some(n) if !(2..=100).contains(&n) => {
                    return Err(Error::at(config_name, "varies_runs must be 2 to 100"));
                }
                Some(n) => n,
                None => DEFAULT_VARIES_RUNS,
            },
            partition: args.partition,
            write_pending: args.write_pending,
            warnings,
            sandbox: match &file.sandbox {
                Some(s) => s
                    .resolve()
                    .map_err(|(_, m)| Error::at(config_name.clone(), m))?,
                None => Limits::default(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let err = parse_file(Path::new("snipcheck.toml"), "jobs = 2\ntimeuot = \"1s\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("snipcheck.toml:2"), "{err}");
        assert!(err.contains("timeuot"), "{err}");
    }

    #[test]
    fn known_keys_parse() {
        let f = parse_file(
            Path::new("x"),
            "documents = [\"docs\"]\nexpected = \"exp\"\ntimeout = \"2s\"\njobs = 3\ngo = \"/opt/go/bin/go\"\n",
        )
        .unwrap();
        assert_eq!(f.jobs, Some(3));
        assert_eq!(f.documents, Some(vec![PathBuf::from("docs")]));
    }
}
