//! Snippets -> Go -> binaries. In: snippets. Out: for each, a built binary (or test binary) to
//! run, or the compiler's diagnostics mapped back to Markdown lines. `toolchain` finds and
//! probes the installed `go`; `wrap` turns a fragment into a program with `//line` directives;
//! `merge` links many snippets into one binary behind a dispatcher; `build` drives `go build`
//! in the workspace module; `gotest` reads `go test -json`.

pub mod build;
pub mod gotest;
pub mod merge;
pub mod releases;
pub mod toolchain;
pub mod wrap;
