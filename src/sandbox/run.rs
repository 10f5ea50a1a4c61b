//! Binaries -> outcomes. Each snippet runs contained (`contain`): in its own process group and,
//! where the system allows, its own namespaces and cgroups, so a timeout kills everything it
//! started, and everything is killed after every run, so nothing a snippet started outlives its
//! verdict. Output is kept up to a cap per stream; past it the pipe is closed and the stream
//! says so. A program built with `-tags=faketime` writes playback frames, decoded here.

use std::io::Read;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::error::Error;
use crate::go::playback;
use crate::sandbox::contain::{Jail, Sandbox};
use crate::sandbox::interrupt;
use crate::sandbox::limits::{Limits, show_size};
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
    /// The program was built with `-tags=faketime`: its stdout and stderr are playback frames
    /// (`go::playback`), decoded here into what it wrote.
    pub playback: bool,
    /// A CPU quota, in thousandths of a CPU (`cpus=`).
    pub cpus: Option<u32>,
}

/// Runs a built snippet contained, with `run_dir` as its own directory: from the worker's
/// supervisor where the run has one (`supervisor`), else set up on its own (`contain`). Its
/// `os.Args[0]` is `name`, not the binary's path: the binary is `bin/merged0` or `bin/s3`
/// depending on how and where in the document the snippet was built, and a program must not
/// see either.
pub fn run(
    binary: &Path,
    name: &str,
    run_dir: &Path,
    timeout: Duration,
    input: &Input,
    sandbox: &Sandbox,
) -> Result<Exit, Error> {
    if interrupt::interrupted() {
        return Err(interrupt::error());
    }
    if let Some((started, group)) =
        crate::sandbox::supervisor::start(sandbox, binary, name, run_dir, input)?
    {
        return run_started(started, group, timeout, input, sandbox.limits());
    }
    let mut jail = sandbox.command(binary, run_dir, input.cpus)?;
    jail.command.arg0(name);
    run_command(jail, timeout, input, sandbox.limits())
}

/// Runs a prepared command the way snippets run: own process group, timeout, both streams
/// captured up to the output cap, the input's arguments, environment and standard input.
/// The command's environment is the sandbox's scrubbed one; `input.env` is added to it.
pub fn run_command(
    mut jail: Jail,
    timeout: Duration,
    input: &Input,
    limits: &Limits,
) -> Result<Exit, Error> {
    if interrupt::interrupted() {
        return Err(interrupt::error());
    }
    let program = jail.command.get_program().to_string_lossy().into_owned();
    let mut child = jail
        .command
        .args(&input.args)
        .envs(input.env.iter().map(|(k, v)| (k, v)))
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
    let started = Started {
        stdin: child
            .stdin
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Write + Send>),
        stdout: child.stdout.take().map(|p| Box::new(p) as Box<dyn ReadFd>),
        stderr: child.stderr.take().map(|p| Box::new(p) as Box<dyn ReadFd>),
        kill: Arc::new(move || kill_group(pgid)),
        wait: Box::new(child),
    };
    run_started(started, jail.group, timeout, input, limits)
}

/// A snippet process just started, however it was (`run_command`, or a worker's supervisor):
/// its pipes, how to kill it and everything it started, and how to wait for it.
pub(crate) struct Started<'a> {
    pub stdin: Option<Box<dyn std::io::Write + Send>>,
    pub stdout: Option<Box<dyn ReadFd>>,
    pub stderr: Option<Box<dyn ReadFd>>,
    pub kill: Arc<dyn Fn() + Send + Sync>,
    pub wait: Box<dyn Wait + 'a>,
}

/// Waiting for a started snippet process.
pub(crate) trait Wait {
    fn wait_timeout(&mut self, timeout: Duration) -> std::io::Result<Option<ExitStatus>>;
    fn wait(&mut self) -> std::io::Result<ExitStatus>;
}

impl Wait for std::process::Child {
    fn wait_timeout(&mut self, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
        ChildExt::wait_timeout(self, timeout)
    }
    fn wait(&mut self) -> std::io::Result<ExitStatus> {
        std::process::Child::wait(self)
    }
}

/// The rest of `run_command`: input, capture, timeout, kill, and what the run says.
pub(crate) fn run_started(
    started: Started,
    group: Option<crate::sandbox::cgroup::Group>,
    timeout: Duration,
    input: &Input,
    limits: &Limits,
) -> Result<Exit, Error> {
    let Started {
        stdin,
        stdout,
        stderr,
        kill,
        mut wait,
    } = started;
    let mut group = group;
    if let (Some(text), Some(mut pipe)) = (input.stdin.clone(), stdin) {
        // A snippet that never reads must not block us: write from a thread, ignore EPIPE.
        thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let cap = limits.output as usize;
    let captured = capture(stdout, stderr, cap, kill.clone(), stop.clone());

    let status = wait
        .wait_timeout(timeout)
        .map_err(|e| Error::io("waiting for a snippet", e));
    let timed_out = matches!(status, Ok(None));
    kill();
    if let Some(g) = &group {
        g.kill_all();
    }
    let status = match status {
        Ok(Some(s)) => Ok(s),
        _ => wait
            .wait()
            .map_err(|e| Error::io("waiting for a killed snippet", e)),
    };
    stop.store(true, Ordering::SeqCst);
    let [out, err] = captured.join().unwrap_or_default();
    let status = status?;
    if interrupt::interrupted() {
        return Err(interrupt::error());
    }

    let (out_bytes, err_bytes) = if input.playback {
        (unframe(&out, "stdout")?, unframe(&err, "stderr")?)
    } else {
        (out.bytes.clone(), err.bytes.clone())
    };
    let stdout = String::from_utf8_lossy(&out_bytes).into_owned();
    let mut stderr = String::from_utf8_lossy(&err_bytes).into_owned();
    let (mut code, mut signal) = (status.code(), status.signal());
    // The notes go on stderr, which every failure other than wrong output shows.
    for (c, name) in [(&out, "stdout"), (&err, "stderr")] {
        if c.truncated {
            if !stderr.is_empty() && !stderr.ends_with('\n') {
                stderr.push('\n');
            }
            stderr.push_str(&format!(
                "[snipcheck: output truncated: {name} is capped at {}; the snippet was stopped there]\n",
                show_size(limits.output)
            ));
        }
    }
    // A Go program that had begun to print a panic or a fatal error exits with status 2 once
    // its traceback is out; stopping it in the middle of a long one does not change that.
    if (out.truncated || err.truncated)
        && signal == Some(libc::SIGKILL)
        && !timed_out
        && stderr
            .lines()
            .any(|l| l.starts_with("panic: ") || l.starts_with("fatal error: "))
    {
        (code, signal) = (Some(2), None);
    }
    if let Some(g) = group.take() {
        if g.oom_killed() {
            stderr.push_str(&format!(
                "[snipcheck: killed: the snippet's processes used more than {} of memory together]\n",
                show_size(limits.memory.saturating_mul(2))
            ));
        }
        if g.hit_process_cap() {
            stderr.push_str(&format!(
                "[snipcheck: the snippet reached its cap of {} processes and threads]\n",
                limits.processes
            ));
        }
    }
    Ok(Exit {
        code,
        signal,
        timed_out,
        stdout,
        stderr,
    })
}

/// What a `faketime` program wrote to one stream, from its playback frames. A stream the output
/// cap cut may end inside a frame; any other stream that is not frames is the snippet's
/// problem: something wrote to it past the Go runtime (a child process sharing the stream, a
/// raw system call), so what the program printed cannot be told apart.
fn unframe(c: &Captured, name: &str) -> Result<Vec<u8>, Error> {
    match playback::decode(&c.bytes, c.truncated) {
        Ok(frames) => Ok(playback::text(&frames)),
        Err(m) => Err(Error::Problems(vec![crate::error::Problem::new(
            name,
            format!(
                "under `faketime` every write to stdout and stderr is a playback frame, but this stream has {m}: something wrote to it past the Go runtime (a child process given os.{}, a raw write system call); run this snippet with `faketime=false`",
                if name == "stdout" { "Stdout" } else { "Stderr" }
            ),
        )])),
    }
}

/// One stream as kept.
#[derive(Debug, Default)]
struct Captured {
    bytes: Vec<u8>,
    truncated: bool,
}

/// Reads both pipes on one thread, keeping at most `cap` bytes of each. When a stream reaches
/// the cap the snippet is killed (`kill`: its process group, or its PID namespace's init): a
/// flood of output, or a traceback of a million goroutines, ends at once, not at the timeout.
/// Once `stop` is set (the snippet has been reaped and its processes killed) what is left in the
/// pipes is read and the thread ends, even if a stray process still holds a pipe open.
fn capture(
    stdout: Option<Box<dyn ReadFd>>,
    stderr: Option<Box<dyn ReadFd>>,
    cap: usize,
    kill: Arc<dyn Fn() + Send + Sync>,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<[Captured; 2]> {
    thread::spawn(move || {
        let mut pipes: [Option<Box<dyn ReadFd>>; 2] = [stdout, stderr];
        for p in pipes.iter().flatten() {
            // SAFETY: fcntl on a pipe we own.
            unsafe {
                let fd = p.fd();
                let fl = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
            }
        }
        let mut kept: [Captured; 2] = Default::default();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let stopping = stop.load(Ordering::SeqCst);
            let mut fds: Vec<libc::pollfd> = pipes
                .iter()
                .flatten()
                .map(|p| libc::pollfd {
                    fd: p.fd(),
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            if fds.is_empty() {
                break;
            }
            if !stopping {
                // SAFETY: poll on a valid array of pollfds.
                unsafe {
                    libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 50);
                }
            }
            for (i, slot) in pipes.iter_mut().enumerate() {
                let Some(p) = slot else { continue };
                loop {
                    match p.read(&mut chunk) {
                        Ok(0) => {
                            *slot = None;
                            break;
                        }
                        Ok(n) => {
                            let k = &mut kept[i];
                            let room = cap.saturating_sub(k.bytes.len());
                            k.bytes.extend_from_slice(&chunk[..n.min(room)]);
                            if n > room {
                                k.truncated = true;
                                kill();
                                *slot = None;
                                break;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(_) => {
                            *slot = None;
                            break;
                        }
                    }
                }
            }
            if stopping {
                break;
            }
        }
        kept
    })
}

pub(crate) trait ReadFd: Read + Send {
    fn fd(&self) -> i32;
}

impl<T: Read + AsRawFd + Send> ReadFd for T {
    fn fd(&self) -> i32 {
        self.as_raw_fd()
    }
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
