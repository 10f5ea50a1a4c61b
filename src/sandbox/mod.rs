//! Running contained. In: a binary, its arguments, environment and standard input, and the
//! `[sandbox]` limits. Out: an `Outcome` (exit status, signal, stdout, stderr, whether it timed
//! out or was stopped by a limit). `contain` sets up each snippet process (namespaces, user,
//! mounts, rlimits) and `cgroup` its process and memory caps; `limits` is the configuration;
//! `interrupt` makes Ctrl-C kill everything snipcheck started; `run` is the stage that runs a
//! built snippet; `view` is a snippet's own root filesystem; `supervisor` contains each worker
//! once and starts its snippets from there. A new containment mechanism goes in `contain` (or a file beside it).

pub mod cgroup;
pub mod contain;
pub mod interrupt;
pub mod limits;
pub mod run;
pub mod supervisor;
pub mod view;
