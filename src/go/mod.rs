//! Snippets -> Go -> binaries. In: snippets. Out: for each, a built binary (or test binary) to
//! run, or the compiler's diagnostics mapped back to Markdown lines. `toolchain` finds and
//! probes the installed `go`; `wrap` turns a fragment into a program with `//line` directives;
//! `merge` links many snippets into one binary behind a dispatcher, `pack` compiles them
//! several to a package; `build` drives `go build`
//! in the workspace module; `gotest` reads `go test -json`; `testscript` makes script snippets a
//! `go test` of a generated driver; `playback` decodes the output of a program built with
//! `-tags=faketime`; `releases` finds and fetches the Go releases of a matrix.

pub mod build;
pub mod gotest;
pub mod merge;
pub mod pack;
pub mod playback;
pub mod releases;
pub mod stamp;
pub mod testscript;
pub mod toolchain;
pub mod tools;
pub mod wrap;
