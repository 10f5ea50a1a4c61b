//! The nouns every step shares: a snippet pulled out of a document, the claims it makes, and the
//! outcome of building and running it. Steps after extraction only read these.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::go::gotest::TestStatus;

/// One Go code block of a Markdown document.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// Stable id within its document: the item number (`1028`), `1028-2` for the second block
    /// under that item, or an explicit `id=NAME`.
    pub id: String,
    /// The document, as the user names it (relative to the working directory where possible),
    /// so that `//line` directives and reports print a path the user can click.
    pub doc: PathBuf,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// 1-based line of the first code line (the line after the fence).
    pub code_line: usize,
    /// The heading the snippet sits under, without Markdown markup.
    pub title: String,
    /// The item (numbered heading) it belongs to: `1028` for `1028-2` and `1028@go1.21`.
    pub item: String,
    pub attrs: Attrs,
    pub code: String,
    pub claims: Vec<Claim>,
    /// What is wrong with this snippet alone (an attribute, a claim), found while extracting: it
    /// is reported as this snippet's error, the others still run, and the run exits 2.
    pub problem: Option<crate::error::Problem>,
}

/// Info-string attributes after the leading `go`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs {
    /// Attributes snipcheck does not know (`title=x.go`): a problem unless the project lists
    /// them in `ignored_attributes`.
    pub unknown: Vec<String>,
    /// `ignore` or `ignore="reason"`: shown to readers, never built.
    pub ignore: Option<String>,
    /// `norun`: must build, is not run.
    pub norun: bool,
    /// `timeout=DURATION`.
    pub timeout: Option<Duration>,
    /// `id=NAME`.
    pub id: Option<String>,
    /// `varies` or `varies=N`: run up to N times; the claim is that the output is not always the
    /// same. `Some(0)` means the configured default.
    pub varies: Option<usize>,
    /// `race`: build and run with the race detector.
    pub race: bool,
    /// `vet`: run `go vet` instead of running the program; claims are about its findings.
    pub vet: bool,
    /// `go=1.21`: the language version (the `go` line of the snippet's own module).
    pub go: Option<GoVersion>,
    /// `min_go=1.24`: skipped, with the reason shown, on an older toolchain.
    pub min_go: Option<GoVersion>,
    /// `godebug=NAME=VALUE` (repeatable): GODEBUG settings for the run.
    pub godebug: Vec<String>,
    /// `env=KEY=VALUE` (repeatable).
    pub env: Vec<(String, String)>,
    /// `args="a b c"`: command-line arguments, split on white space.
    pub args: Vec<String>,
    /// `stdin="text"` (`\n` for a newline): standard input.
    pub stdin: Option<String>,
    /// `test`: run with `go test` (flags below pass through).
    pub test: bool,
    /// `tags=a,b` -> `-tags=a,b`.
    pub tags: Option<String>,
    /// `short` -> `-short`.
    pub short: bool,
    /// `cover` -> `-cover`.
    pub cover: bool,
    /// `run=REGEXP` -> `-run=REGEXP`.
    pub run: Option<String>,
    /// `count=N` -> `-count=N` (default 1: test results are never cached).
    pub count: Option<u32>,
    /// A ```` ```testscript ```` block: a script run by go-internal's testscript.
    pub script: bool,
    /// `faketime` (`Some(true)`) or `faketime=false`: build and run with `-tags=faketime`, the Go
    /// Playground's clock, or not, whatever the project's `faketime` setting says (`None`).
    pub faketime: Option<bool>,
    /// `cpus=0.5`: a CFS quota of that many CPUs per 100 ms period for all the snippet's
    /// threads together, in thousandths of a CPU (`docker run --cpus`).
    pub cpus: Option<u32>,
}

/// A Go release as `major.minor` (`1.22`), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion(pub u32, pub u32);

impl GoVersion {
    /// `1.22`, `go1.22`, `1.22.3` (the patch is ignored).
    pub fn parse(s: &str) -> Option<GoVersion> {
        let s = s.strip_prefix("go").unwrap_or(s);
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) {
            return None;
        }
        Some(GoVersion(major, minor))
    }
}

impl std::fmt::Display for GoVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// A claim the document makes about a snippet, with the Markdown line it is written on.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub line: usize,
    pub kind: ClaimKind,
    /// `// Output (go1.21):` — the Go language versions the claim is about; `None` for all.
    pub go: Option<GoSpec>,
    /// `// Output (before go1.22):` — the Go releases (toolchains) the claim is about; `None`
    /// for all.
    pub release: Option<ReleaseRange>,
}

impl Claim {
    /// What the claim is about, as written between its parentheses: `go1.21, before go1.22`.
    pub fn qualifier(&self) -> Option<String> {
        let parts: Vec<String> = self
            .go
            .map(|g| g.to_string())
            .into_iter()
            .chain(self.release.map(|r| r.to_string()))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// `from go1.22`, `before go1.22`, or both: the Go releases (toolchains, whatever the language
/// version of the snippet's module) a claim is about. Bounds are releases (`go1.22` is
/// `go1.22.0`; `before go1.22.3` ends at go1.22.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReleaseRange {
    pub from: Option<(u32, u32, u32)>,
    pub before: Option<(u32, u32, u32)>,
}

impl ReleaseRange {
    /// `from go1.22`, `before go1.24`, `from go1.22 before go1.24`; `None` when `s` is not one.
    pub fn parse(s: &str) -> Option<ReleaseRange> {
        let mut r = ReleaseRange::default();
        let mut words = s.split_whitespace();
        while let Some(w) = words.next() {
            let v = words
                .next()?
                .strip_prefix("go")
                .and_then(crate::go::releases::parse_version)?;
            match w {
                "from" if r.from.is_none() => r.from = Some(v),
                "before" if r.before.is_none() => r.before = Some(v),
                _ => return None,
            }
        }
        (r.from.is_some() || r.before.is_some()).then_some(r)
    }

    pub fn holds_for(&self, v: (u32, u32, u32)) -> bool {
        self.from.is_none_or(|f| v >= f) && self.before.is_none_or(|b| v < b)
    }
}

impl std::fmt::Display for ReleaseRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = |(a, b, c): (u32, u32, u32)| {
            if c == 0 {
                format!("go{a}.{b}")
            } else {
                format!("go{a}.{b}.{c}")
            }
        };
        let parts: Vec<String> = self
            .from
            .map(|v| format!("from {}", short(v)))
            .into_iter()
            .chain(self.before.map(|v| format!("before {}", short(v))))
            .collect();
        write!(f, "{}", parts.join(" "))
    }
}

/// `go1.21` (that version) or `go1.22+` (that version and every later one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoSpec {
    pub version: GoVersion,
    pub and_later: bool,
}

impl GoSpec {
    pub fn parse(s: &str) -> Option<GoSpec> {
        let (v, and_later) = match s.strip_suffix('+') {
            Some(v) => (v, true),
            None => (s, false),
        };
        let v = v.strip_prefix("go")?;
        Some(GoSpec {
            version: GoVersion::parse(v)?,
            and_later,
        })
    }

    pub fn holds_for(&self, v: GoVersion) -> bool {
        v == self.version || (self.and_later && v > self.version)
    }
}

impl std::fmt::Display for GoSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "go{}{}",
            self.version,
            if self.and_later { "+" } else { "" }
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClaimKind {
    /// `// Output:` — stdout equals the text, both trimmed.
    Output(String),
    /// `// Unordered output:` — stdout lines equal as a multiset.
    UnorderedOutput(String),
    /// `// Panic: TEXT` — the program panics with a message containing TEXT.
    Panic(String),
    /// `// Fatal: TEXT` — a fatal runtime error whose message contains TEXT.
    Fatal(String),
    /// `// Exit: N` — the exit status is N.
    Exit(i32),
    /// `// ERROR "REGEXP"` — a compile error on this line matches REGEXP.
    CompileError(String),
    /// `// Race:` or `// Race: TEXT` — the race detector reports a data race (whose report
    /// contains TEXT).
    Race(String),
    /// `// Vet: TEXT` — `go vet` reports a finding containing TEXT.
    Vet(String),
    /// `// Tests passed: TestA TestB` (and failed, skipped): those tests ended so.
    Tests(TestStatus, Vec<String>),
    /// `// Tests run: TestA TestB` — exactly these tests ran (any verdict).
    TestsRun(Vec<String>),
    /// `// Coverage: 75.0%`.
    Coverage(f64),
    /// `// Signal: SIGKILL` — the process was killed by that signal.
    Signal(String),
    /// `// Stderr:` — stderr equals the text, both trimmed (as `Output` for stdout).
    Stderr(String),
}

impl ClaimKind {
    /// How the claim is spelled in the document, for reports.
    pub fn label(&self) -> String {
        match self {
            ClaimKind::Output(_) => "// Output:".into(),
            ClaimKind::UnorderedOutput(_) => "// Unordered output:".into(),
            ClaimKind::Panic(t) => format!("// Panic: {t}"),
            ClaimKind::Fatal(t) => format!("// Fatal: {t}"),
            ClaimKind::Exit(n) => format!("// Exit: {n}"),
            ClaimKind::CompileError(re) => format!("// ERROR \"{re}\""),
            ClaimKind::Race(t) if t.is_empty() => "// Race:".into(),
            ClaimKind::Race(t) => format!("// Race: {t}"),
            ClaimKind::Vet(t) => format!("// Vet: {t}"),
            ClaimKind::Tests(status, names) => format!(
                "// Tests {}: {}",
                match status {
                    TestStatus::Pass => "passed",
                    TestStatus::Fail => "failed",
                    TestStatus::Skip => "skipped",
                },
                names.join(" ")
            ),
            ClaimKind::TestsRun(names) => format!("// Tests run: {}", names.join(" ")),
            ClaimKind::Coverage(c) => format!("// Coverage: {c:.1}%"),
            ClaimKind::Signal(name) => format!("// Signal: {name}"),
            ClaimKind::Stderr(_) => "// Stderr:".into(),
        }
    }
}

/// What kind of thing happened when the snippet was built and run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Ran and exited 0.
    #[default]
    Ok,
    /// Built; not run (`norun`).
    Built,
    /// An unrecovered panic with a value of the program's (`panic(err)`, `panic("x")`).
    Panic,
    /// A run-time panic of the language: `panic: runtime error: ...` (nil map write, index out
    /// of range, nil dereference, ...).
    RuntimeError,
    /// A fatal runtime error (deadlock, concurrent map writes, ...).
    Fatal,
    /// The race detector reported a data race.
    Race,
    /// `go vet` reported findings (`vet` snippets).
    Vet,
    /// `go test` ran, and some test failed (`test` snippets).
    TestFail,
    /// Exited with a non-zero status, without a panic or fatal error.
    Exit,
    /// Killed by a signal it did not expect (not our timeout).
    Signal,
    /// Did not compile.
    CompileError,
    /// Killed by snipcheck after the snippet's timeout.
    Timeout,
}

/// The name of a signal number, as `kill -l` spells it, for claims and records.
pub fn signal_name(n: i32) -> String {
    let name = match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {n}"),
    };
    name.to_string()
}

impl Class {
    /// The class as records and reports name it (`runtime_error`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Ok => "ok",
            Class::Built => "built",
            Class::Panic => "panic",
            Class::RuntimeError => "runtime_error",
            Class::Fatal => "fatal",
            Class::Race => "race",
            Class::Vet => "vet",
            Class::TestFail => "test_fail",
            Class::Exit => "exit",
            Class::Signal => "signal",
            Class::CompileError => "compile_error",
            Class::Timeout => "timeout",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Class::Ok => "a clean exit",
            Class::Built => "a build (not run)",
            Class::Panic => "a panic",
            Class::RuntimeError => "a run-time error panic",
            Class::Race => "a data race",
            Class::Vet => "vet findings",
            Class::TestFail => "failing tests",
            Class::Fatal => "a fatal error",
            Class::Exit => "a non-zero exit",
            Class::Signal => "a kill by signal",
            Class::CompileError => "a compile error",
            Class::Timeout => "a timeout",
        }
    }
}

/// The full, raw result of one snippet.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub class: Class,
    /// Exit status of the snippet process; `None` when it did not run or was killed.
    pub exit_status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The compiler's output when the build failed, empty otherwise.
    pub diagnostics: String,
    /// What `go vet` reported (`vet` snippets), empty otherwise.
    pub vet: String,
    /// `test` snippets: each test's verdict, from `go test -json`.
    pub tests: BTreeMap<String, TestStatus>,
    /// `test` snippets run with `cover`: the coverage figure.
    pub coverage: Option<f64>,
    /// The signal that killed the process (`Class::Signal`).
    pub signal: Option<i32>,
}
