//! snipcheck: verify the claims Go documentation makes about its snippets.
//!
//! The pipeline, one module per step, data flowing one way:
//! documents -> extract -> (snippet) -> wrap -> build -> run -> normalize -> compare/expected ->
//! report. `verify` joins the steps; `main` maps its result to an exit status.

pub mod build;
pub mod cache;
pub mod cgroup;
pub mod cli;
pub mod compare;
pub mod config;
pub mod contain;
pub mod documents;
pub mod error;
pub mod expected;
pub mod extract;
pub mod goregexp;
pub mod gotest;
pub mod interrupt;
pub mod limits;
pub mod list;
pub mod merge;
pub mod normalize;
pub mod partition;
pub mod pending;
pub mod report;
pub mod review;
pub mod rewrite;
pub mod run;
pub mod snippet;
pub mod style;
pub mod time;
pub mod toolchain;
pub mod txtar;
pub mod verify;
pub mod wrap;
