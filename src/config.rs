//! `snipcheck.toml` and the settings a run uses. Precedence: command line > environment (both
//! through clap) > file > defaults. Unknown keys in the file are errors, so a typo is not
//! silently ignored. The places a run reads and writes are checked here, before anything runs:
//! documents and the records' folder lie inside the project (the file's `expected` can arrive in
//! a pull request; see `records_folder`).

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{Common, ListArgs, RecordArgs, VerifyArgs};
use crate::error::{Error, Problem, toml_error};
use crate::go::releases::{Wanted, parse_list};
use crate::go::tools::ToolsModule;
use crate::partition::Partition;
use crate::sandbox::limits::{Limits, SandboxConfig};
use crate::time::parse_duration;

pub const DEFAULT_CONFIG: &str = "snipcheck.toml";
/// Since Go 1.24's maps, a map of two keys iterates in one order 7 times in 8 (a random start
/// slot of 8; measured: 1744 of 2000 runs). At 10 runs such a `varies` claim failed one time in
/// four; at 100 it fails about once in a million, and a snippet whose output does vary stops at
/// the first differing run, so a true claim rarely costs more than a few.
pub const DEFAULT_VARIES_RUNS: usize = 100;
/// The most runs `varies=N` or `varies_runs` may ask for.
pub const MAX_VARIES_RUNS: usize = 1000;
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
    /// The go command, or a release list (`1.21,1.22,local`) for the release matrix.
    pub go: Option<PathBuf>,
    /// How many times a `varies` snippet may run before its output must have varied.
    pub varies_runs: Option<usize>,
    /// What a snippet may use (`limits`).
    pub sandbox: Option<SandboxConfig>,
    /// Rewrites of what snippets print, applied in order before it is compared and recorded.
    pub normalize: Option<Vec<RewriteRule>>,
    /// Info-string attributes of the project's docs site (`title`, `hl_lines`) that snipcheck
    /// accepts and ignores.
    pub ignored_attributes: Option<Vec<String>>,
    /// Commands (`golang.org/x/tools/cmd/stringer`) built from modules the documents' go.mod
    /// requires and put on the PATH of testscript blocks.
    pub tools: Option<Vec<String>>,
    /// A folder with a go.mod of its own that pins the tools (its `tool` lines, and `tools`),
    /// built with the installed go whatever release the snippets run on.
    pub tools_module: Option<PathBuf>,
    /// Build and run every snippet under the Go Playground's fake clock (`-tags=faketime`),
    /// unless it says `faketime=false`.
    pub faketime: Option<bool>,
}

/// One `[[normalize]]` rule: what matches `regex` (Rust's regex syntax) in a snippet's stdout and
/// stderr becomes `replace` (`$1` names a group), like insta's filters: for text that changes
/// slower than two runs apart (a date, the hour, a host name), which would otherwise be recorded
/// and fail later.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteRule {
    pub regex: String,
    pub replace: String,
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
    /// The installed go command (which also fetches the releases below).
    pub go: PathBuf,
    /// The release matrix (`--go 1.21,1.22,local`): every snippet runs under each; empty for
    /// the installed toolchain alone.
    pub releases: Vec<Wanted>,
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
    /// Start no snippet after the first failure (`--fail-fast`).
    pub fail_fast: bool,
    /// What was adjusted while resolving (a clamped `jobs`), for `main` to print as warnings.
    pub warnings: Vec<String>,
    /// The `[[normalize]]` rules, in order.
    pub rewrites: Vec<(regex::Regex, String)>,
    /// Attributes accepted and ignored (`ignored_attributes`).
    pub ignored_attributes: Vec<String>,
    /// Commands for testscript blocks (`tools`), by package path.
    pub tools: Vec<String>,
    /// The tools' own module (`tools_module`), read when the settings were resolved.
    pub tools_module: Option<ToolsModule>,
    /// Snippets without a `faketime` attribute run under the fake clock (`faketime`).
    pub faketime: bool,
}

/// Where the documents and records are, for `review` and `pending`: always the configured set.
#[derive(Debug, Clone)]
pub struct Places {
    pub documents: Vec<PathBuf>,
    pub expected: PathBuf,
}

impl Places {
    pub fn resolve(args: &RecordArgs, file: FileConfig) -> Result<Places, Error> {
        let config_name = args
            .config
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONFIG))
            .display()
            .to_string();
        let cwd = working_dir()?;
        Ok(Places {
            documents: documents_in_project(file.documents, &[], &config_name, &cwd)?,
            expected: records_folder(args.expected.clone(), file.expected, &config_name, &cwd)?,
        })
    }
}

fn working_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|e| Error::io("cannot read the working directory", e))
}

/// `a/./b/../c` -> `a/c`, without asking the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The documents to verify: the paths given on the command line, else the file's `documents`
/// (else `snippets`). Each must lie inside the project (the working directory), where its
/// records are named by its path: `../x/doc.md` would get the records of `x/doc.md`, and a
/// claim rewrite would write outside. Paths inside it are made relative, so one document has
/// one name.
fn documents_in_project(
    file: Option<Vec<PathBuf>>,
    cli: &[PathBuf],
    config_name: &str,
    cwd: &Path,
) -> Result<Vec<PathBuf>, Error> {
    let documents = if !cli.is_empty() {
        cli.to_vec()
    } else {
        match file {
            Some(d) if d.is_empty() => {
                return Err(Error::at(
                    config_name,
                    "`documents` is empty, so nothing would be checked: list the Markdown files or folders to verify (documents = [\"snippets\"])",
                ));
            }
            Some(d) => d,
            None => vec![PathBuf::from("snippets")],
        }
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for d in documents {
        let abs = lexical(&cwd.join(&d));
        match abs.strip_prefix(cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => out.push(rel.to_path_buf()),
            Ok(_) => out.push(PathBuf::from(".")),
            Err(_) => problems.push(Problem::new(
                d.display().to_string(),
                format!(
                    "this document is outside the project ({}); records are named by a document's path inside the project, so run snipcheck from a folder that holds it",
                    cwd.display()
                ),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    Ok(out)
}

/// Where the records live. snipcheck writes and removes files there, so the folder is checked
/// before anything runs: it is not empty, not the project itself (or a folder above it), and no
/// folder on the way to it inside the project is a symbolic link. The file's `expected` (which
/// can arrive in a pull request) must name a folder inside the project; `--expected` and
/// `SNIPCHECK_EXPECTED` are the user's own choice and may name one anywhere.
fn records_folder(
    cli: Option<PathBuf>,
    file: Option<PathBuf>,
    config_name: &str,
    cwd: &Path,
) -> Result<PathBuf, Error> {
    let (value, from_file) = match (cli, file) {
        (Some(v), _) => (v, false),
        (None, Some(v)) => (v, true),
        // The default is checked as the file's setting is: the folder can arrive as a link.
        (None, None) => (PathBuf::from("expected"), true),
    };
    let (at, setting) = if from_file {
        (
            config_name.to_string(),
            format!("expected = {:?}", value.display().to_string()),
        )
    } else {
        (
            "--expected".to_string(),
            format!("--expected {} (or SNIPCHECK_EXPECTED)", value.display()),
        )
    };
    let fix = "name a folder of its own inside the project, such as `expected = \"expected\"`";
    if value.as_os_str().is_empty() {
        return Err(Error::at(at, format!("`expected` is empty: {fix}")));
    }
    let abs = lexical(&cwd.join(&value));
    if cwd.starts_with(&abs) {
        return Err(Error::at(
            at,
            format!(
                "{setting} names the project's own folder (or one above it), where snipcheck would take every *.toml file for a record: {fix}"
            ),
        ));
    }
    let inside = abs.strip_prefix(cwd).ok();
    if from_file && (inside.is_none() || value.components().any(|c| c == Component::ParentDir)) {
        return Err(Error::at(
            at,
            format!(
                "{setting} is outside the project ({}): snipcheck writes and removes records there, and a configuration can arrive in a pull request, so it may only name a folder inside the project (without `..`): {fix}, or pass --expected to choose another place yourself",
                cwd.display()
            ),
        ));
    }
    // Inside the project, no folder on the way may be a link: it could lead anywhere.
    if let Some(rel) = inside {
        let mut here = cwd.to_path_buf();
        for c in rel.components() {
            here.push(c);
            match std::fs::symlink_metadata(&here) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::at(
                        here.strip_prefix(cwd)
                            .unwrap_or(&here)
                            .display()
                            .to_string(),
                        format!(
                            "this is a symbolic link on the way to the records' folder ({setting}); snipcheck writes records only into real folders inside the project: replace the link with a folder"
                        ),
                    ));
                }
                Ok(m) if !m.is_dir() => {
                    return Err(Error::at(
                        here.strip_prefix(cwd)
                            .unwrap_or(&here)
                            .display()
                            .to_string(),
                        format!("this is not a folder, but {setting} needs one here: move it away"),
                    ));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    Ok(value)
}

/// More workers than this per core only queue up: snippets are CPU-bound builds and runs, and a
/// `jobs` from a pull request's config must not tie up a runner with thousands of threads.
pub const MAX_JOBS_PER_CORE: usize = 4;

fn max_jobs(cores: usize) -> usize {
    (cores * MAX_JOBS_PER_CORE).max(8)
}

/// The `[[normalize]]` rules compiled; `parse_file` has refused the ones that do not compile.
fn rewrites(rules: &Option<Vec<RewriteRule>>) -> Vec<(regex::Regex, String)> {
    rules
        .iter()
        .flatten()
        .filter_map(|r| Some((regex::Regex::new(&r.regex).ok()?, r.replace.clone())))
        .collect()
}

/// The variables CI services set that say a run is in CI, besides `CI` (which most set too):
/// insta's `TF_BUILD` (Azure Pipelines), and the services whose own variable is the surer sign.
pub const CI_VARIABLES: &[&str] = &[
    "TF_BUILD",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "TRAVIS",
    "JENKINS_URL",
    "TEAMCITY_VERSION",
    "BITBUCKET_BUILD_NUMBER",
    "APPVEYOR",
    "DRONE",
    "CODEBUILD_BUILD_ID",
];

/// Why this run counts as a CI run (`CI=true`, `GITHUB_ACTIONS`), or `None`. As insta decides:
/// `CI` present and not empty, `false` or `0` is CI; `CI` set to one of those says it is not,
/// whatever else is set (so a CI job can run snipcheck as locally); without `CI`, any of
/// `CI_VARIABLES` set and not empty is CI.
pub fn ci_reason() -> Option<String> {
    match std::env::var("CI") {
        Ok(v) if v.is_empty() || v == "false" || v == "0" => None,
        Ok(v) => Some(format!("CI={v}")),
        Err(_) => CI_VARIABLES
            .iter()
            .find(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
            .map(|k| (*k).to_string()),
    }
}

pub fn in_ci() -> bool {
    ci_reason().is_some()
}

pub fn load_file(explicit: Option<&Path>) -> Result<FileConfig, Error> {
    let path = explicit.unwrap_or(Path::new(DEFAULT_CONFIG));
    let text = match std::fs::read(path) {
        Ok(t) => crate::document::discover::decode(t).map_err(|line| {
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
            "the keys are documents, expected, timeout, jobs, go, varies_runs, ignored_attributes, tools, tools_module, faketime, the [sandbox] table and [[normalize]] rules (regex, replace)",
        )
    })?;
    for rule in file.normalize.iter().flatten() {
        if let Err(e) = regex::Regex::new(&rule.regex) {
            let line = text
                .lines()
                .position(|l| l.contains(&rule.regex))
                .map_or(String::new(), |i| format!(":{}", i + 1));
            return Err(Error::at(
                format!("{}{line}", path.display()),
                format!(
                    "[[normalize]] regex {:?} is not a valid regex: {e}",
                    rule.regex
                ),
            ));
        }
    }
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

/// `--go` (or SNIPCHECK_GO) and the file's `go` each name either the go command or a release
/// list (`1.21,1.22,local`): the go command is the first that names one (else `go` on PATH),
/// the releases the first list (else none: the installed toolchain alone).
pub fn go_and_releases(cli: Option<PathBuf>, file: Option<PathBuf>) -> (PathBuf, Vec<Wanted>) {
    let list = |p: &PathBuf| p.to_str().and_then(parse_list);
    let go = [&cli, &file]
        .into_iter()
        .flatten()
        .find(|p| list(p).is_none())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("go"));
    let releases = [&cli, &file]
        .into_iter()
        .flatten()
        .find_map(list)
        .unwrap_or_default();
    (go, releases)
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
            go: go_and_releases(args.common.go.clone(), file.go.clone()).0,
            releases: go_and_releases(args.common.go.clone(), file.go).1,
            policy: Policy::Locked,
            filters: Vec::new(),
            varies_runs: DEFAULT_VARIES_RUNS,
            merge: true,
            cache: false,
            partition: None,
            write_pending: false,
            fail_fast: false,
            warnings: Vec::new(),
            rewrites: rewrites(&file.normalize),
            ignored_attributes: file.ignored_attributes.clone().unwrap_or_default(),
            tools: file.tools.clone().unwrap_or_default(),
            // `list` builds no tool.
            tools_module: None,
            faketime: file.faketime.unwrap_or(false),
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
        let ci = ci_reason();
        let policy = if args.accept {
            if let Some(why) = ci {
                return Err(Error::Other(format!(
                    "refusing to write records in CI ({why} is set); run `snipcheck verify --accept` locally and commit expected/"
                )));
            }
            Policy::Accept
        } else if args.locked || ci.is_some() {
            Policy::Locked
        } else {
            Policy::Verify
        };
        let whole_set = args.paths.is_empty();
        let cwd = working_dir()?;
        let documents = documents_in_project(file.documents, &args.paths, &config_name, &cwd)?;
        Ok(Settings {
            documents,
            whole_set,
            expected: records_folder(expected.clone(), file.expected, &config_name, &cwd)?,
            timeout,
            jobs,
            go: go_and_releases(go.clone(), file.go.clone()).0,
            releases: go_and_releases(go.clone(), file.go).1,
            policy,
            filters: args.filters.clone(),
            merge: !args.no_merge,
            cache: !args.no_cache,
            varies_runs: match file.varies_runs {
                Some(n) if !(2..=MAX_VARIES_RUNS).contains(&n) => {
                    return Err(Error::at(
                        config_name,
                        format!("varies_runs must be 2 to {MAX_VARIES_RUNS}"),
                    ));
                }
                Some(n) => n,
                None => DEFAULT_VARIES_RUNS,
            },
            partition: args.partition,
            write_pending: args.write_pending,
            fail_fast: args.fail_fast,
            warnings,
            rewrites: rewrites(&file.normalize),
            ignored_attributes: file.ignored_attributes.clone().unwrap_or_default(),
            tools: file.tools.clone().unwrap_or_default(),
            tools_module: match &file.tools_module {
                Some(dir) => Some(ToolsModule::load(dir, &config_name)?),
                None => None,
            },
            faketime: args.faketime.or(file.faketime).unwrap_or(false),
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

    #[test]
    fn go_names_a_command_or_a_release_list() {
        let p = |s: &str| Some(PathBuf::from(s));
        let (go, releases) = go_and_releases(p("1.21,1.22"), p("/opt/go/bin/go"));
        assert_eq!(go, PathBuf::from("/opt/go/bin/go"));
        assert_eq!(releases, [Wanted::Minor(1, 21), Wanted::Minor(1, 22)]);
        // The command line's list wins over the file's.
        let (go, releases) = go_and_releases(p("go1.22.12"), p("1.21,local"));
        assert_eq!(go, PathBuf::from("go"));
        assert_eq!(releases, [Wanted::Exact(1, 22, 12)]);
        assert_eq!(go_and_releases(None, None), (PathBuf::from("go"), vec![]));
    }
}
