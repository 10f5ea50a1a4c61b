//! Binaries -> outcomes. Each snippet runs as its own process in its own process group, so a
//! timeout kills everything it started, and the group is killed after every run so no child a
//! snippet left behind outlives its verdict.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::error::Error;
use crate::snippet::{Class, Outcome};

/// What the process did, before classification.
#[derive(Debug, Clone, PartialEq)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

/// What a snippet runs with, from its attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Option<String>,
}

pub fn run(binary: &Path, dir: &Path, timeout: Duration, input: &Input) -> Result<Exit, Error> {
    run_command(Command::new(binary), dir, timeout, input)
}

/// Runs any command the way snippets run: own process group, timeout, both streams captured.
pub fn run_command(
    mut command: Command,
    dir: &Path,
    timeout: Duration,
    input: &Input,
) -> Result<Exit, Error> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .args(&input.args)
        .envs(input.env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(if input.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| Error::io(format!("cannot start {program}"), e))?;
    let pgid = child.id() as i32;
    if let (Some(text), Some(mut pipe)) = (input.stdin.clone(), child.stdin.take()) {
        // A snippet that never reads must not block us: write from a thread, ignore EPIPE.
        thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut pipe, text.as_bytes());
        });
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let status = child
        .wait_timeout(timeout)
        .map_err(|e| Error::io("waiting for a snippet", e))?;
    let timed_out = status.is_none();
    kill_group(pgid);
    let status = match status {
        Some(s) => s,
        None => child
            .wait()
            .map_err(|e| Error::io("waiting for a killed snippet", e))?,
    };
    Ok(Exit {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals the process group we created for this child;
    // it touches no memory. ESRCH (the group is already gone) is the common, harmless case.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Sorts what happened into a class. A Go program that panics or dies of a fatal runtime error
/// exits with status 2 and says which on stderr.
pub fn classify(exit: Exit) -> Outcome {
    let has_line = |prefix: &str| exit.stderr.lines().any(|l| l.starts_with(prefix));
    let class = if exit.timed_out {
        Class::Timeout
    } else if exit.code == Some(2) && has_line("fatal error: ") {
        Class::Fatal
    } else if exit.code == Some(2) && has_line("panic: runtime error: ") {
        Class::RuntimeError
    } else if exit.code == Some(2) && has_line("panic: ") {
        Class::Panic
    } else if exit.code == Some(66) && has_line("WARNING: DATA RACE") {
        Class::Race
    } else if exit.signal.is_some() {
        Class::Signal
    } else if exit.code == Some(0) {
        Class::Ok
    } else {
        Class::Exit
    };
    Outcome {
        class,
        exit_status: if exit.timed_out { None } else { exit.code },
        stdout: exit.stdout,
        stderr: exit.stderr,
        diagnostics: String::new(),
        vet: String::new(),
        tests: Default::default(),
        coverage: None,
        signal: exit.signal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit(code: Option<i32>, stderr: &str) -> Exit {
        Exit {
            code,
            signal: None,
            timed_out: false,
            stdout: String::new(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn classes() {
        assert_eq!(classify(exit(Some(0), "")).class, Class::Ok);
        assert_eq!(classify(exit(Some(2), "panic: boom\n")).class, Class::Panic);
        assert_eq!(
            classify(exit(
                Some(2),
                "panic: runtime error: index out of range [1] with length 1\n"
            ))
            .class,
            Class::RuntimeError
        );
        assert_eq!(
            classify(exit(Some(66), "==================\nWARNING: DATA RACE\n")).class,
            Class::Race
        );
        assert_eq!(
            classify(exit(
                Some(2),
                "fatal error: all goroutines are asleep - deadlock!\n"
            ))
            .class,
            Class::Fatal
        );
        assert_eq!(classify(exit(Some(3), "")).class, Class::Exit);
        assert_eq!(
            classify(exit(Some(2), "no panic here\n")).class,
            Class::Exit
        );
        let mut t = exit(None, "");
        t.timed_out = true;
        assert_eq!(classify(t).class, Class::Timeout);
        let mut s = exit(None, "");
        s.signal = Some(9);
        assert_eq!(classify(s).class, Class::Signal);
    }
}
