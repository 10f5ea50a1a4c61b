//! snipcheck: verify the claims Go documentation makes about its snippets.
//!
//! The pipeline, one folder per stage, data flowing one way:
//! `document` (Markdown -> snippets) -> `go` (snippets -> binaries) -> `sandbox` (binaries ->
//! outcomes) -> `claims` (outcomes -> normalized outcomes and failures) -> `records` (expected/,
//! pending results, the cache) -> `report` (events -> what the user reads). The commands
//! (`verify`, `review`, `list`) are the only modules that join stages; `main`, `cli`, `config`
//! and `error` are the shell around them. `snippet` holds the nouns every stage shares.

pub mod claims;
pub mod cli;
pub mod config;
pub mod document;
pub mod error;
pub mod go;
pub mod import;
pub mod init;
pub mod list;
pub mod partition;
pub mod records;
pub mod report;
pub mod review;
pub mod sandbox;
pub mod snippet;
pub mod style;
pub mod time;
pub mod verify;
