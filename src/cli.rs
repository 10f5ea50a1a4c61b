//! Command-line definitions (clap derive). Flags that also have an environment variable take the
//! flag first, then the variable; `config` fills in what neither sets.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build and run every Go snippet and check its claims and its recorded result.
    Verify(VerifyArgs),
    /// The coverage view: per document and item, the snippets, their claims, their verdict
    /// against the recorded results (nothing is built), and the claims marked unchecked.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Markdown files or folders [default: `documents` in snipcheck.toml, or snippets/].
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub common: Common,
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

    /// Only the snippets with this id (`1028` also selects `1028-2`); repeatable.
    #[arg(long = "filter", value_name = "ID")]
    pub filters: Vec<String>,

    /// Build every snippet as its own binary instead of linking the ones that can share a
    /// binary into one (slower; for comparing, and for ruling merging out).
    #[arg(long)]
    pub no_merge: bool,

    /// Build and run every snippet, even those that passed before with nothing changed.
    #[arg(long, env = "SNIPCHECK_NO_CACHE")]
    pub no_cache: bool,

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

    /// The go command to use [default: go on PATH].
    #[arg(long, env = "SNIPCHECK_GO", value_name = "PATH")]
    pub go: Option<PathBuf>,

    /// Where recorded results live [default: expected].
    #[arg(long, env = "SNIPCHECK_EXPECTED", value_name = "DIR")]
    pub expected: Option<PathBuf>,

    /// The configuration file [default: snipcheck.toml, if present].
    #[arg(long, env = "SNIPCHECK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}
