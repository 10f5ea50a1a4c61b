//! Command-line definitions (clap derive). Flags that also have an environment variable take the
//! flag first, then the variable; `config` fills in what neither sets.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::partition::Partition;

#[derive(Debug, Parser)]
#[command(
    name = "snipcheck",
    version,
    about = "Verify the claims Go documentation makes about its snippets",
    after_help = "Exit status: 0 every claim and record holds, 1 some claim or record fails, 2 snipcheck could not do its job."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour: auto (a terminal, unless NO_COLOR is set; anything when FORCE_COLOR or
    /// CLICOLOR_FORCE is set), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: crate::style::ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build and run every Go snippet and check its claims and its recorded result.
    Verify(VerifyArgs),
    /// The coverage view: per document and item, the snippets, their claims, their verdict
    /// against the recorded results (nothing is built), and the claims marked unchecked.
    List(ListArgs),
    /// Go through the pending results (new, changed, orphaned records): accept or reject each.
    /// Without a terminal, lists them and exits 1 if there are any.
    Review(ReviewArgs),
    /// Accept pending results, as `cargo insta accept`: the ones with these ids, or every one
    /// (no id, or --all). The same as `review --accept IDS` / `review --accept-all`.
    Accept(AcceptArgs),
    /// Reject pending results (their pending files are removed, records stay): the ones with
    /// these ids, or every one (no id, or --all). The same as `review --reject` / `--reject-all`.
    Reject(RejectArgs),
    /// List the pending results.
    Pending(PendingArgs),
    /// Turn existing material into a Markdown document of snippets with claims: Go programs
    /// with a shell transcript beside them, programs with `//prints:` comments (and a README
    /// that links them), packages with testable examples.
    Import(ImportArgs),
    /// Start using snipcheck in this repository: a commented snipcheck.toml, `*.toml.new` in
    /// .gitignore, and (with --workflow) the GitHub Actions workflow.
    Init(InitArgs),
    /// Find the first Go release on which a snippet's outcome differs from the oldest one's, by
    /// binary search over the latest patch of each minor the Go module proxy serves; prints
    /// both outcomes. Toolchains are fetched as `verify --go` fetches them. Exit 0 when a change
    /// was found, 1 when the outcome is the same at both ends.
    Bisect(BisectArgs),
    /// Remove the work folders snipcheck keeps between runs (built snippets) that no run holds.
    Clean,
    /// Print a completion script for a shell, e.g. `source <(snipcheck completions bash)`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `snipcheck man > snipcheck.1` or `snipcheck man | man -l -`;
    /// `snipcheck man verify` prints the page of a subcommand (snipcheck-verify(1)).
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct BisectArgs {
    /// The snippet's id (its variants `ID@go1.21` come along; its siblings `ID-2` do not).
    pub id: String,

    /// Markdown files or folders [default: `documents` in snipcheck.toml, or snippets/].
    pub paths: Vec<PathBuf>,

    /// The oldest minor to look at (go1.21 at the earliest).
    #[arg(long, default_value = "1.21", value_name = "RELEASE")]
    pub from: String,

    /// The newest minor to look at [default: the newest the proxy serves].
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<String>,

    #[command(flatten)]
    pub common: Common,
}

impl BisectArgs {
    /// The `verify` whose settings a probe uses: this snippet, run fresh, nothing written.
    pub fn verify(&self) -> VerifyArgs {
        VerifyArgs {
            paths: self.paths.clone(),
            accept: false,
            locked: true,
            filters: vec![self.id.clone()],
            no_merge: true,
            no_cache: true,
            partition: None,
            write_pending: false,
            format: Format::Human,
            junit: None,
            html: None,
            quiet: false,
            fail_fast: false,
            // The project's clock (snipcheck.toml), as verify would use.
            faketime: None,
            common: Common {
                jobs: self.common.jobs,
                timeout: self.common.timeout.clone(),
                go: self.common.go.clone(),
                expected: self.common.expected.clone(),
                config: self.common.config.clone(),
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand whose page to print instead of snipcheck(1).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// .go files or folders to import.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Write the document here instead of to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The documents to guard [default: snippets].
    #[arg(long, value_name = "PATH")]
    pub documents: Option<PathBuf>,

    /// Also write .github/workflows/snipcheck.yml.
    #[arg(long)]
    pub workflow: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Markdown files or folders [default: `documents` in snipcheck.toml, or snippets/].
    pub paths: Vec<PathBuf>,

    /// How to list them: text, or one JSON object per line (snippet, unchecked, uncovered,
    /// totals).
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,

    /// The release matrix instead: a row per snippet, a column per Go release (the releases of
    /// --go, or the installed one and those the records name), and in each cell whether the
    /// snippet's claims about that release hold against its record there: holds, varies (its
    /// outcome there is its own), FAILS, n/a (it needs a newer release), - (no record).
    #[arg(long)]
    pub matrix: bool,

    #[command(flatten)]
    pub common: Common,
}

/// How `verify` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people; coloured as --color says (a terminal, unless NO_COLOR is set).
    Human,
    /// One JSON object per line: started, finished (one per snippet), orphan, summary.
    Json,
    /// A JUnit XML report: one testcase per snippet, the document as classname.
    Junit,
    /// Text, plus GitHub Actions error annotations at the claim's Markdown line and a job
    /// summary written to $GITHUB_STEP_SUMMARY.
    Github,
    /// One self-contained HTML page: each document rendered with every snippet's verdict in
    /// place, the failures' diffs at their claims, and a summary linking to each failure.
    Html,
    /// The events `go test -json` writes (test2json), one package per document and one test per
    /// snippet, for gotestsum and other readers of Go test output; `-json` is this too.
    GoJson,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Markdown files or folders to verify [default: `documents` in snipcheck.toml, or snippets/].
    pub paths: Vec<PathBuf>,

    /// Write the results of new and changed snippets to expected/ (never when CI is set).
    #[arg(long, conflicts_with = "locked")]
    pub accept: bool,

    /// Fail on a snippet without a record, a changed or an orphaned record, and write nothing
    /// (the default when CI is set).
    #[arg(long)]
    pub locked: bool,

    /// Only the snippets this selects, as `go test -run` does: a snippet's id selects it and its
    /// siblings exactly (`1028`: `1028`, `1028-2`, not `10280`); anything else is a Go regexp
    /// matched anywhere in the ids (`^102[0-4]`). Repeatable; one that selects nothing warns.
    // A pattern may start with a dash (`-2$`), as Go's flag package takes it.
    #[arg(long = "filter", value_name = "ID|REGEXP", allow_hyphen_values = true)]
    pub filters: Vec<String>,

    /// Build every snippet as its own binary instead of linking the ones that can share a
    /// binary into one (slower; for comparing, and for ruling merging out).
    #[arg(long)]
    pub no_merge: bool,

    /// Build and run every snippet, even those that passed before with nothing changed.
    // The variable takes the usual spellings (1/0, true/false, yes/no, on/off), as CI systems
    // set them.
    #[arg(long, env = "SNIPCHECK_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,

    /// Run one partition of the snippets, as nextest does: hash:K/N (stable as snippets are
    /// added) or slice:K/N (round robin in document order). Orphans are checked by partition 1.
    #[arg(long, value_name = "KIND:K/N", env = "SNIPCHECK_PARTITION")]
    pub partition: Option<Partition>,

    /// Write pending results (*.toml.new) even under --locked or when CI is set, so a CI job
    /// can upload them; the run still fails on a missing or changed record.
    #[arg(long)]
    pub write_pending: bool,

    /// The report's format.
    #[arg(long, value_enum, default_value = "human", env = "SNIPCHECK_FORMAT")]
    pub format: Format,

    /// Also write a JUnit XML report to FILE, whatever --format says.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write the HTML report (one self-contained page) to FILE, whatever --format says.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Report only the failures and the summary (human and github formats).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Start no snippet after the first failure; the ones not started are reported skipped
    /// ("not run"), and the run exits 1.
    #[arg(long)]
    pub fail_fast: bool,

    /// Build and run the snippets under the Go Playground's fake clock (`-tags=faketime`: time
    /// starts at 2009-11-10 23:00:00 UTC and sleeps return at once), unless a snippet says
    /// `faketime=false` [default: `faketime` in snipcheck.toml, else false].
    // `--faketime=false` overrides a file's `faketime = true` for one run.
    #[arg(long, env = "SNIPCHECK_FAKETIME", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", require_equals = true,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub faketime: Option<bool>,

    #[command(flatten)]
    pub common: Common,
}

/// Settings shared by the commands that build and run snippets.
#[derive(Debug, Args)]
pub struct Common {
    /// Snippets built and run at once [default: the number of cores].
    #[arg(long, short = 'j', env = "SNIPCHECK_JOBS", value_name = "N")]
    pub jobs: Option<usize>,

    /// Time a snippet may run before it is killed, e.g. 500ms, 10s, 2m [default: 10s].
    #[arg(long, env = "SNIPCHECK_TIMEOUT", value_name = "DURATION")]
    pub timeout: Option<String>,

    /// The go command to use [default: go on PATH], or the Go releases to run every snippet
    /// under, comma-separated: `1.21,1.22,local` (a minor's latest patch, an exact `go1.22.12`,
    /// `local` for the installed one), fetched by the go command into the module cache.
    #[arg(long, env = "SNIPCHECK_GO", value_name = "PATH|RELEASES")]
    pub go: Option<PathBuf>,

    /// Where recorded results live [default: expected].
    #[arg(long, env = "SNIPCHECK_EXPECTED", value_name = "DIR")]
    pub expected: Option<PathBuf>,

    /// The configuration file [default: snipcheck.toml, if present].
    #[arg(long, env = "SNIPCHECK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Accept these pending results (ID, or DOC#ID when ids repeat across documents).
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub accept: Vec<String>,

    /// Reject these pending results: their pending files are removed, records stay.
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub reject: Vec<String>,

    /// Accept every pending result.
    #[arg(long, conflicts_with_all = ["accept", "reject", "reject_all"])]
    pub accept_all: bool,

    /// Reject every pending result.
    #[arg(long, conflicts_with_all = ["accept", "reject"])]
    pub reject_all: bool,

    /// With --accept or --accept-all: also rewrite the claims (`// Output:` and the like) that
    /// the accepted results no longer match, in the Markdown documents.
    #[arg(long)]
    pub rewrite_claims: bool,

    #[command(flatten)]
    pub records: RecordArgs,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The pending results to accept (ID, or DOC#ID when ids repeat across documents) [default:
    /// every one].
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,

    /// Every pending result (what no id means too).
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,

    /// Also rewrite the claims the accepted results no longer match, in the documents.
    #[arg(long)]
    pub rewrite_claims: bool,

    #[command(flatten)]
    pub records: RecordArgs,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The pending results to reject (ID, or DOC#ID) [default: every one].
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,

    /// Every pending result (what no id means too).
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,

    #[command(flatten)]
    pub records: RecordArgs,
}

impl AcceptArgs {
    /// The `review` that does the same.
    pub fn review(self) -> ReviewArgs {
        ReviewArgs {
            accept_all: self.ids.is_empty(),
            accept: self.ids,
            reject: Vec::new(),
            reject_all: false,
            rewrite_claims: self.rewrite_claims,
            records: self.records,
        }
    }
}

impl RejectArgs {
    /// The `review` that does the same.
    pub fn review(self) -> ReviewArgs {
        ReviewArgs {
            reject_all: self.ids.is_empty(),
            reject: self.ids,
            accept: Vec::new(),
            accept_all: false,
            rewrite_claims: false,
            records: self.records,
        }
    }
}

#[derive(Debug, Args)]
pub struct PendingArgs {
    /// How to list them.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,

    #[command(flatten)]
    pub records: RecordArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One line each.
    Human,
    /// One JSON object per line.
    Json,
}

/// Where the documents and records are, for the commands that do not run snippets.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Where recorded results live [default: expected].
    #[arg(long, env = "SNIPCHECK_EXPECTED", value_name = "DIR")]
    pub expected: Option<PathBuf>,

    /// The configuration file [default: snipcheck.toml, if present].
    #[arg(long, env = "SNIPCHECK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}
