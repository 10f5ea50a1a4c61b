//! Hostile snippets (`tests/fixtures/hostile.md`) and interruptions: every snippet ends with the
//! verdict its document gives, the run ends in bounded time, and no process, temporary
//! directory or cgroup is left behind, whatever the snippets started.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::{Run, files, project, snipcheck, write};

const DOC: &str = "tests/fixtures/hostile.md";
const SECRET: &str = "SNIPCHECK_HOSTILE_SECRET";

/// A private TMPDIR, so that what a run leaves there is this test's alone. Others must be able
/// to pass through it, or snipcheck (as root) cannot run snippets as `nobody`.
fn private_tmp() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The status word and line of each snippet in a report: id -> (`ok`/`new`/`FAIL`, its lines).
fn verdicts(report: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in report.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if matches!(words.first(), Some(&("ok" | "new" | "FAIL" | "skip"))) && words.len() >= 3 {
            current = Some(words[2].to_string());
            out.insert(words[2].to_string(), (words[0].to_string(), String::new()));
        } else if let Some(id) = &current
            && let Some((_, text)) = out.get_mut(id)
        {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Processes still alive that a run may have left: their command line holds a marker, or their
/// program lives under the run's TMPDIR.
fn leftovers(markers: &[&str], tmp: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_none_or(|n| n.parse::<u32>().is_err())
        {
            continue;
        }
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .unwrap_or("");
        if state == "Z" || stat.is_empty() {
            continue;
        }
        let cmdline = std::fs::read(e.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        let exe = std::fs::read_link(e.path().join("exe")).unwrap_or_default();
        if markers.iter().any(|m| cmdline.contains(m)) || exe.starts_with(tmp) {
            found.push(format!("{}: {cmdline}", e.file_name().to_string_lossy()));
        }
    }
    found
}

/// Leftovers are checked for a moment: a killed process may still be on its way out.
fn assert_nothing_left(markers: &[&str], tmp: &Path) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let left = leftovers(markers, tmp);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "processes left behind: {left:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The workspace's stable place (`snipcheck-UID/work-KEY`, see README "A stable place") is
    // kept on purpose, with its sources and binaries; what the snippets left is not.
    // SAFETY: geteuid touches no memory.
    let stable = tmp.join(format!("snipcheck-{}", unsafe { libc::geteuid() }));
    let entries: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| *p != stable)
        .collect();
    assert!(
        entries.is_empty(),
        "temporary files left behind: {entries:?}"
    );
    for place in std::fs::read_dir(&stable).into_iter().flatten().flatten() {
        for run in std::fs::read_dir(place.path().join("run"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let left: Vec<_> = std::fs::read_dir(run.path()).unwrap().flatten().collect();
            assert!(left.is_empty(), "files left behind in {run:?}: {left:?}");
        }
    }
    for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory"] {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("snipcheck-") {
                assert!(
                    Path::new(&format!("/proc/{pid}")).exists(),
                    "cgroup of a finished run left behind: {}",
                    e.path().display()
                );
            }
        }
    }
}

fn hostile_run(args: &[&str], env: &[(&str, &str)]) -> (Run, Duration, tempfile::TempDir) {
    let dir = project(&[DOC]);
    let tmp = private_tmp();
    let exp = tmp.path().join("..").join(format!(
        "{}-expected",
        tmp.path().file_name().unwrap().to_string_lossy()
    ));
    let before = files(dir.path());
    let mut all = vec![
        "verify",
        DOC,
        "--expected",
        exp.to_str().unwrap(),
        "-j",
        "2",
    ];
    all.extend_from_slice(args);
    let mut env = env.to_vec();
    env.push(("TMPDIR", tmp.path().to_str().unwrap()));
    env.push((SECRET, "hunter2"));
    let started = Instant::now();
    let run = snipcheck(dir.path(), &all, &env);
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&exp);
    assert_eq!(
        files(dir.path()),
        before,
        "a snippet wrote into the project"
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (run, took, tmp)
}

#[test]
fn hostile_snippets_are_contained() {
    // A listener the network-dial snippet would reach if it shared the host's network.
    let _listener = TcpListener::bind("127.0.0.1:47231");
    let (run, took, tmp) = hostile_run(&[], &[]);
    let markers = ["sleep 3131", "sleep 3132"];
    assert_nothing_left(&markers, tmp.path());
    assert!(
        took < Duration::from_secs(60),
        "the hostile run took {took:?}"
    );
    eprintln!("hostile fixture: {took:?}");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let v = verdicts(&run.stdout);
    let fails = |id: &str, why: &str| {
        let (status, text) = &v[id];
        assert_eq!(status, "FAIL", "{id}: {text}");
        assert!(text.contains(why), "{id}: {text}");
    };
    fails("endless-loop", "got a timeout");
    fails("endless-output", "got a kill by signal");
    fails(
        "endless-output",
        "output truncated: stdout is capped at 1 MiB",
    );
    // The rest hold the claims written under them. Without root the fixture's claims about
    // writes and networking depend on what the system lets an ordinary user do.
    let mut holding = vec![
        "allocation-bomb",
        "goroutine-bomb",
        "fork-loop",
        "escape-into-a-new-session",
        "exit-from-a-deferred-function",
        "panic-inside-a-panic",
    ];
    if is_root() {
        assert!(
            !run.stderr.contains("warning:"),
            "containment is partial on this machine: {}",
            run.stderr
        );
        holding.extend([
            "write-outside-its-directory",
            "read-the-caller-s-environment",
            "network-dial",
            "a-test-binary-that-reaches-out",
        ]);
    }
    for id in holding {
        let (status, text) = &v[id];
        assert_eq!(status, "new", "{id}:\n{text}\n{}", run.stderr);
    }
    for f in ["/etc", "/tmp", "/var/tmp", "/dev/shm"] {
        assert!(!Path::new(f).join("snipcheck-hostile").exists(), "{f}");
    }
    assert!(!Path::new("/etc/snipcheck-hostile-test").exists());
}

/// Without namespaces or without anything (SNIPCHECK_SANDBOX_DISABLE), snipcheck warns, says
/// what is not contained, and the mechanisms that need no privilege still hold.
#[test]
fn hostile_snippets_with_fallbacks() {
    if is_root() {
        // Namespaces off, cgroups on: the pids cgroup alone still stops the fork loop and
        // kills the process that escaped into a new session.
        let (run, _, tmp) = hostile_run(
            &[
                "--filter",
                "fork-loop",
                "--filter",
                "escape-into-a-new-session",
                "--filter",
                "endless-output",
            ],
            &[("SNIPCHECK_SANDBOX_DISABLE", "net,mount,pid,uid")],
        );
        assert_nothing_left(&["sleep 3131", "sleep 3132"], tmp.path());
        assert!(
            run.stderr
                .contains("warning: no network namespace: snippets can reach the network"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("warning: no mount namespace"),
            "{}",
            run.stderr
        );
        let v = verdicts(&run.stdout);
        assert_eq!(v["fork-loop"].0, "new", "{}", run.stdout);
        assert_eq!(v["escape-into-a-new-session"].0, "new", "{}", run.stdout);
        assert_eq!(v["endless-output"].0, "FAIL", "{}", run.stdout);
    }
    // Nothing but rlimits, the process group and the output cap.
    let (run, _, tmp) = hostile_run(
        &[
            "--filter",
            "endless-loop",
            "--filter",
            "endless-output",
            "--filter",
            "allocation-bomb",
            "--filter",
            "exit-from-a-deferred-function",
            "--filter",
            "panic-inside-a-panic",
        ],
        &[("SNIPCHECK_SANDBOX_DISABLE", "all")],
    );
    assert_nothing_left(&[], tmp.path());
    for w in [
        "no network namespace",
        "no mount namespace",
        "no PID namespace and no pids cgroup",
        "no memory cgroup",
    ] {
        assert!(run.stderr.contains(w), "{w}: {}", run.stderr);
    }
    let v = verdicts(&run.stdout);
    assert_eq!(v["endless-loop"].0, "FAIL");
    assert!(v["endless-output"].1.contains("output truncated"));
    for id in [
        "allocation-bomb",
        "exit-from-a-deferred-function",
        "panic-inside-a-panic",
    ] {
        assert_eq!(v[id].0, "new", "{id}: {}", run.stdout);
    }
}

/// A document whose snippets run for a minute and leave a `sleep MARKER` behind.
fn sleepy_project(marker: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        "# Sleepy\n\n## One\n\n```go timeout=2m\nexec.Command(\"/bin/sleep\", \"{marker}\").Start()\ntime.Sleep(time.Minute)\n```\n\n## Two\n\n```go timeout=2m\ntime.Sleep(time.Minute)\n```\n"
    );
    write(&dir.path().join("docs/doc.md"), &doc);
    dir
}

/// Starts `verify` on the sleepy document, sends `signals` once its snippets run, and returns
/// the exit status, stderr and how long the exit took after the first signal.
fn interrupt(marker: &str, signals: &[i32]) -> (Option<i32>, String, Duration, tempfile::TempDir) {
    let dir = sleepy_project(marker);
    let tmp = private_tmp();
    let mut child = Command::new(env!("CARGO_BIN_EXE_snipcheck"))
        .args(["verify", "docs", "-j", "2"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .env_remove("CI")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let needle = format!("sleep {marker}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while leftovers(&[&needle], Path::new("/nonexistent")).is_empty() {
        assert!(Instant::now() < deadline, "the snippets never started");
        assert!(child.try_wait().unwrap().is_none(), "snipcheck ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = Instant::now();
    for &s in signals {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, s) };
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert_eq!(
        files(dir.path()),
        ["docs/doc.md"],
        "an interrupted run wrote files"
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
        tmp,
    )
}

#[test]
fn ctrl_c_kills_every_snippet_and_removes_temporary_files() {
    let (code, stderr, took, tmp) = interrupt("3133", &[libc::SIGINT]);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted (SIGINT)"), "{stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_nothing_left(&["sleep 3133"], tmp.path());
}

#[test]
fn sigterm_kills_every_snippet_and_removes_temporary_files() {
    let (code, stderr, _, tmp) = interrupt("3134", &[libc::SIGTERM]);
    assert_eq!(code, Some(143), "{stderr}");
    assert_nothing_left(&["sleep 3134"], tmp.path());
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let (code, stderr, took, _tmp) = interrupt("3135", &[libc::SIGINT, libc::SIGINT]);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The snippets die with snipcheck (parent-death signal); temporary files may stay.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !leftovers(&["sleep 3135"], Path::new("/nonexistent")).is_empty() {
        assert!(Instant::now() < deadline, "snippets outlived snipcheck");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two runs that write records into the same expected/ at once both succeed, and every record
/// is whole.
#[test]
fn concurrent_runs_do_not_corrupt_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("# Many\n\n");
    for i in 0..6 {
        doc.push_str(&format!(
            "## S{i}\n\n```go\nfmt.Println({i})\n// Output: {i}\n```\n\n"
        ));
    }
    write(&dir.path().join("docs/doc.md"), &doc);
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let d = dir.path().to_path_buf();
            std::thread::spawn(move || {
                snipcheck(&d, &["verify", "docs", "--accept", "-j", "1"], &[])
            })
        })
        .collect();
    for r in runs {
        let r = r.join().unwrap();
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let records: Vec<String> = files(dir.path())
        .into_iter()
        .filter(|f| f.starts_with("expected/"))
        .collect();
    assert_eq!(records.len(), 6, "{records:?}");
    for r in &records {
        let text = std::fs::read_to_string(dir.path().join(r)).unwrap();
        assert!(text.parse::<toml::Table>().is_ok(), "{r}: {text}");
    }
    let locked = snipcheck(dir.path(), &["verify", "docs", "--locked"], &[]);
    assert_eq!(locked.code, 0, "{}", locked.stdout);
}

/// Unix sockets on the host, which a network namespace does not cover: a world-writable one,
/// a 0600 one in a 0700 folder and a group-owned 0660 one, each owned so that the user the
/// snippets run as (`nobody` as root, else the caller) could connect by its permissions alone;
/// an abstract one; and, with TMPDIR=/tmp/a/b, a file and a socket in /tmp/a. No snippet may
/// reach any of them, and each must still be able to use a socket in its own folders.
#[test]
fn host_unix_sockets_are_out_of_reach() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    let (uid, gid) = if is_root() {
        (65534, 65534)
    } else {
        // SAFETY: getuid/getgid cannot fail.
        unsafe { (libc::getuid(), libc::getgid()) }
    };
    let chmod = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let host = tempfile::Builder::new()
        .prefix("snipcheck-sockets-")
        .tempdir_in("/var/tmp")
        .unwrap();
    chmod(host.path(), 0o755);
    let world = host.path().join("world.sock");
    let _world = UnixListener::bind(&world).unwrap();
    chmod(&world, 0o777);
    let private_dir = host.path().join("private");
    std::fs::create_dir(&private_dir).unwrap();
    let private = private_dir.join("agent.sock");
    let _private = UnixListener::bind(&private).unwrap();
    chmod(&private, 0o600);
    chmod(&private_dir, 0o700);
    std::os::unix::fs::chown(&private, Some(uid), Some(gid)).unwrap();
    std::os::unix::fs::chown(&private_dir, Some(uid), Some(gid)).unwrap();
    let group = host.path().join("group.sock");
    let _group = UnixListener::bind(&group).unwrap();
    chmod(&group, 0o660);
    std::os::unix::fs::chown(&group, None, Some(gid)).unwrap();
    let name = format!("snipcheck-hostile-{}", std::process::id());
    let _abstract =
        UnixListener::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
    // TMPDIR=/tmp/a/b: /tmp/a holds a file and a socket the snippet must not see.
    let a = tempfile::Builder::new()
        .prefix("snipcheck-a-")
        .tempdir_in("/tmp")
        .unwrap();
    chmod(a.path(), 0o755);
    let sibling_file = a.path().join("sibling");
    std::fs::write(&sibling_file, "x").unwrap();
    let sibling = a.path().join("sibling.sock");
    let _sibling = UnixListener::bind(&sibling).unwrap();
    chmod(&sibling, 0o777);
    let b = a.path().join("b");
    std::fs::create_dir(&b).unwrap();
    chmod(&b, 0o755);

    let targets = [
        ("world-writable", world.display().to_string()),
        ("0600 in a 0700 folder", private.display().to_string()),
        ("group-owned", group.display().to_string()),
        ("abstract", format!("@{name}")),
        ("beside TMPDIR", sibling.display().to_string()),
    ];
    let list: String = targets
        .iter()
        .map(|(n, p)| format!("\t{{{n:?}, {p:?}}},\n"))
        .collect();
    let refused: String = targets
        .iter()
        .map(|(n, _)| format!("// {n} refused\n"))
        .collect();
    let sibling_file = sibling_file.display();
    let program = format!(
        "```go timeout=1m\n\
         targets := []struct{{ name, path string }}{{\n{list}}}\n\
         for _, t := range targets {{\n\
         \tif c, err := net.Dial(\"unix\", t.path); err != nil {{\n\
         \t\tfmt.Println(t.name, \"refused\")\n\
         \t}} else {{\n\
         \t\tc.Close()\n\
         \t\tfmt.Println(t.name, \"connected\")\n\
         \t}}\n\
         }}\n\
         if _, err := os.Stat({sibling_file:?}); err == nil {{\n\
         \tfmt.Println(\"a file beside TMPDIR is visible\")\n\
         }}\n\
         // Every socket in sight, wherever the host keeps them (/run, /dev/log, home folders).\n\
         filepath.WalkDir(\"/\", func(p string, d fs.DirEntry, err error) error {{\n\
         \tif p == \"/proc\" || p == \"/sys\" {{\n\
         \t\treturn filepath.SkipDir\n\
         \t}}\n\
         \tif err == nil && d.Type()&fs.ModeSocket != 0 {{\n\
         \t\tfmt.Println(\"a socket in sight:\", p)\n\
         \t}}\n\
         \treturn nil\n\
         }})\n\
         for _, own := range []string{{os.Getenv(\"TMPDIR\") + \"/own.sock\", \"own.sock\"}} {{\n\
         \tl, err := net.Listen(\"unix\", own)\n\
         \tif err != nil {{\n\
         \t\tfmt.Println(err)\n\
         \t\tcontinue\n\
         \t}}\n\
         \tgo func() {{\n\
         \t\tif c, err := l.Accept(); err == nil {{\n\
         \t\t\tc.Close()\n\
         \t\t}}\n\
         \t}}()\n\
         \tif c, err := net.Dial(\"unix\", own); err != nil {{\n\
         \t\tfmt.Println(err)\n\
         \t}} else {{\n\
         \t\tc.Close()\n\
         \t}}\n\
         \tl.Close()\n\
         }}\n\
         fmt.Println(\"own sockets work\")\n\
         // Output:\n{refused}// own sockets work\n\
         ```\n"
    );
    let test = format!(
        "```go test\n\
         -- sock_test.go --\n\
         package sock\n\n\
         import (\n\t\"net\"\n\t\"os\"\n\t\"testing\"\n)\n\n\
         func TestSockets(t *testing.T) {{\n\
         \tfor _, p := range []string{{{paths}}} {{\n\
         \t\tif c, err := net.Dial(\"unix\", p); err == nil {{\n\
         \t\t\tc.Close()\n\
         \t\t\tt.Errorf(\"connected to %s\", p)\n\
         \t\t}}\n\
         \t}}\n\
         \tif _, err := os.Stat({sibling_file:?}); err == nil {{\n\
         \t\tt.Error(\"a file beside TMPDIR is visible\")\n\
         \t}}\n\
         \t// A path of its own that fits in sun_path (108 bytes): t.TempDir() can be longer.\n\
         \tt.Chdir(t.TempDir())\n\
         \tl, err := net.Listen(\"unix\", \"own.sock\")\n\
         \tif err != nil {{\n\
         \t\tt.Fatal(err)\n\
         \t}}\n\
         \tdefer l.Close()\n\
         \tc, err := net.Dial(\"unix\", l.Addr().String())\n\
         \tif err != nil {{\n\
         \t\tt.Fatal(err)\n\
         \t}}\n\
         \tc.Close()\n\
         }}\n\n\
         // Tests passed: TestSockets\n\
         ```\n",
        paths = targets
            .iter()
            .map(|(_, p)| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("docs/doc.md"),
        &format!("# Sockets\n\n## Program\n\n{program}\n## Test\n\n{test}"),
    );
    let run = snipcheck(
        dir.path(),
        &["verify", "docs", "-j", "2"],
        &[("TMPDIR", b.to_str().unwrap())],
    );
    let v = verdicts(&run.stdout);
    let failed: Vec<_> = ["program", "test"]
        .into_iter()
        .filter(|id| v.get(*id).is_none_or(|(status, _)| status != "new"))
        .collect();
    assert!(
        failed.is_empty(),
        "{failed:?} reached the host:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // Without a root of its own (the fallback where pivot_root is refused) the host is visible
    // read-only, which the warning says; /tmp is still the snippet's own, with only
    // snipcheck's folders carried over, not what lies beside TMPDIR.
    let run = snipcheck(
        dir.path(),
        &["verify", "docs", "-j", "2"],
        &[
            ("TMPDIR", b.to_str().unwrap()),
            ("SNIPCHECK_SANDBOX_DISABLE", "root"),
        ],
    );
    assert!(
        run.stderr.contains(
            "warning: no root filesystem of its own: snippets can see the host's files read-only and connect to the Unix sockets there"
        ),
        "{}",
        run.stderr
    );
    let sibling = sibling.display().to_string();
    for needle in [
        "beside TMPDIR connected",
        "a file beside TMPDIR is visible",
        &sibling,
    ] {
        assert!(!run.stdout.contains(needle), "{needle}:\n{}", run.stdout);
    }
}

/// Builds are not sandboxed: a cgo preamble's `#include` of a file only the caller can read
/// would put its lines into the report (and the pending record CI uploads), and so would an
/// assembly file's. Both are refused before anything is built, at the snippet's line.
#[test]
fn build_time_includes_are_refused() {
    let secret = tempfile::tempdir().unwrap();
    let file = secret.path().join("secret");
    std::fs::write(&file, "hunter2-build-secret = 1;\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A module of the caller's, which a snippet's go.mod could `replace` another with.
    let module = secret.path().join("module");
    std::fs::create_dir(&module).unwrap();
    write(
        &module.join("go.mod"),
        "module example.com/private\n\ngo 1.22\n",
    );
    write(
        &module.join("private.go"),
        "package private\n\nconst Secret = \"hunter2-build-secret\"\n",
    );
    let module = module.display();
    let file = file.display();
    let doc = format!(
        "# Includes\n\n## Cgo\n\n```go\npackage main\n\n/*\n#include \"{file}\"\n*/\nimport \"C\"\n\nfunc main() {{}}\n```\n\n\
         ## Assembly\n\n```go\n-- main.go --\npackage main\n\nfunc f()\n\nfunc main() {{}}\n-- f_amd64.s --\n#include \"{file}\"\n```\n\n\
         ## Replace\n\n```go\n-- go.mod --\nmodule m\n\ngo 1.22\n\nrequire example.com/private v0.0.0\n\n\
         replace example.com/private => {module}\n-- main.go --\npackage main\n\n\
         import (\n\t\"fmt\"\n\n\t\"example.com/private\"\n)\n\nfunc main() {{ fmt.Println(private.Secret) }}\n```\n"
    );
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), &doc);
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert!(
        !run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"),
        "the included file reached the report:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("docs/doc.md:5: main.go uses cgo (import \"C\")")
            && run
                .stderr
                .contains("set `cgo = true` in the [sandbox] table of snipcheck.toml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("docs/doc.md:18: f_amd64.s includes"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("docs/doc.md:31: go.mod replaces a module with"),
        "{}",
        run.stderr
    );
    assert_eq!(
        files(dir.path()),
        ["docs/doc.md"],
        "a refused run wrote files"
    );

    // A project that trusts its snippets' C code says so; the assembly include stays refused.
    write(
        &dir.path().join("snipcheck.toml"),
        "[sandbox]\ncgo = true\n",
    );
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert!(!run.stderr.contains("uses cgo"), "{}", run.stderr);
    assert!(run.stderr.contains("f_amd64.s includes"), "{}", run.stderr);
}

/// One snippet of `worker_doc`: it reports what an earlier snippet may have left where it can
/// look (files in /tmp, its TMPDIR, HOME and working folder, a SysV shared memory segment, a
/// process in a new session), leaves all of that behind, and looks again: the second look is
/// the check that the first one can see them at all. On its stderr: whether its PID 1 is a
/// worker's supervisor's (a clone of `snipcheck __supervisor`) or snipcheck's own fork.
fn worker_snippet(heading: &str, claim: &str) -> String {
    format!(
        "## {heading}\n\n```go\npackage main\n\n\
import (\n\t\"fmt\"\n\t\"os\"\n\t\"os/exec\"\n\t\"path/filepath\"\n\t\"strings\"\n\t\"syscall\"\n)\n\n\
const key = 0x5ca1ab1e\n\n\
func places() []string {{\n\treturn []string{{\"/tmp/left-behind\", filepath.Join(os.Getenv(\"TMPDIR\"), \"left-behind\"), filepath.Join(os.Getenv(\"HOME\"), \"left-behind\"), \"left-behind\"}}\n}}\n\n\
func seen() string {{\n\tvar out []string\n\tfor _, f := range places() {{\n\t\tif _, err := os.Stat(f); err == nil {{\n\t\t\tout = append(out, \"file\")\n\t\t}}\n\t}}\n\
\tif _, _, errno := syscall.Syscall(syscall.SYS_SHMGET, key, 0, 0); errno == 0 {{\n\t\tout = append(out, \"shm\")\n\t}}\n\
\tprocs, _ := filepath.Glob(\"/proc/[0-9]*/cmdline\")\n\tfor _, p := range procs {{\n\t\tb, _ := os.ReadFile(p)\n\t\tif string(b) == \"/bin/sleep\\x003141\\x00\" {{\n\t\t\tout = append(out, \"sleep\")\n\t\t}}\n\t}}\n\
\treturn strings.Join(out, \" \")\n}}\n\n\
func main() {{\n\tfmt.Printf(\"before: [%s]\\n\", seen())\n\tfor _, f := range places() {{\n\t\tos.WriteFile(f, []byte(\"x\"), 0o644)\n\t}}\n\
\tif _, _, errno := syscall.Syscall(syscall.SYS_SHMGET, key, 4096, 0o1000|0o600); errno != 0 {{\n\t\tfmt.Println(\"shmget:\", errno)\n\t}}\n\
\tcmd := exec.Command(\"/bin/sleep\", \"3141\")\n\tcmd.SysProcAttr = &syscall.SysProcAttr{{Setsid: true}}\n\tif err := cmd.Start(); err != nil {{\n\t\tfmt.Println(err)\n\t}}\n\
\tfmt.Printf(\"after: [%s]\\n\", seen())\n\tinit, _ := os.ReadFile(\"/proc/1/cmdline\")\n\tfmt.Fprintf(os.Stderr, \"supervised: %v\\n\", strings.Contains(string(init), \"__supervisor\"))\n}}\n\n\
// Output:\n// before: [{claim}]\n// after: [file file file file shm sleep]\n```\n\n"
    )
}

fn worker_doc(claims: &[&str]) -> String {
    let mut doc = String::from("# One worker\n\n");
    for (i, claim) in claims.iter().enumerate() {
        doc.push_str(&worker_snippet(&format!("Snippet {i}"), claim));
    }
    doc
}

/// Snippets that one worker runs one after another (from its supervisor, issue 16, or each set
/// up on its own) see nothing the ones before left: not a file in /tmp, TMPDIR, HOME or their
/// working folder, not a SysV shared memory segment, not a process started in a new session.
/// `--accept` runs each twice, so every snippet but the first follows another on the worker.
#[test]
fn hostile_leftovers_do_not_reach_the_next_snippet_on_a_worker() {
    for (disable, supervised) in [("", "true"), ("supervisor", "false")] {
        let dir = tempfile::tempdir().unwrap();
        let tmp = private_tmp();
        write(&dir.path().join("docs/doc.md"), &worker_doc(&["", "", ""]));
        let run = snipcheck(
            dir.path(),
            &["verify", "docs", "--accept", "-j", "1"],
            &[
                ("TMPDIR", tmp.path().to_str().unwrap()),
                ("SNIPCHECK_SANDBOX_DISABLE", disable),
            ],
        );
        assert_eq!(run.code, 0, "{disable}: {}\n{}", run.stdout, run.stderr);
        if is_root() {
            assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
            for f in files(dir.path())
                .iter()
                .filter(|f| f.starts_with("expected/"))
            {
                let record = std::fs::read_to_string(dir.path().join(f)).unwrap();
                assert!(
                    record.contains(&format!("supervised: {supervised}")),
                    "{disable}: {f}: {record}"
                );
            }
        }
        assert_nothing_left(&["sleep 3141"], tmp.path());
    }
    // The check can fail: a claim that the leftovers are seen fails at its snippet's line.
    let dir = tempfile::tempdir().unwrap();
    let doc = worker_doc(&["", "file file file file shm sleep"]);
    let line = doc
        .lines()
        .position(|l| l == "## Snippet 1")
        .map(|i| i + 3)
        .unwrap();
    write(&dir.path().join("docs/doc.md"), &doc);
    let run = snipcheck(dir.path(), &["verify", "docs", "-j", "1"], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let v = verdicts(&run.stdout);
    assert_eq!(v["snippet-0"].0, "new", "{}", run.stdout);
    assert_eq!(v["snippet-1"].0, "FAIL", "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("docs/doc.md:{line}")),
        "line {line}: {}",
        run.stdout
    );
}

/// A worker's supervisor that dies while its snippet runs ends the run with a harness error
/// (exit status 2), not a verdict, and takes the snippet and what it started with it.
#[test]
fn hostile_a_dead_supervisor_is_a_harness_error() {
    if !is_root() {
        // Without root the supervisor needs user namespaces; the fallback is tested above.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmp = private_tmp();
    write(
        &dir.path().join("docs/doc.md"),
        "# Slow\n\n## Slow\n\n```go timeout=2m\nexec.Command(\"/bin/sleep\", \"3142\").Run()\nfmt.Println(\"done\")\n// Output: done\n```\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_snipcheck"))
        .args(["verify", "docs", "-j", "1"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .env_remove("CI")
        .env_remove("SNIPCHECK_SANDBOX_DISABLE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while leftovers(&["sleep 3142"], Path::new("/nonexistent")).is_empty() {
        assert!(Instant::now() < deadline, "the snippet never started");
        assert!(child.try_wait().unwrap().is_none(), "snipcheck ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    let me = child.id().to_string();
    let supervisors: Vec<i32> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let ppid = stat[stat.rfind(')')? + 1..].split_whitespace().nth(1)?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            (ppid == me && String::from_utf8_lossy(&cmdline).contains("__supervisor"))
                .then_some(pid)
        })
        .collect();
    assert_eq!(supervisors.len(), 1, "{supervisors:?}");
    let killed = Instant::now();
    // SAFETY: kill(2) on a process our child started.
    unsafe { libc::kill(supervisors[0], libc::SIGKILL) };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(killed.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("supervisor ended"), "{stderr}");
    assert!(!stdout.contains("ok "), "{stdout}");
    assert_nothing_left(&["sleep 3142"], tmp.path());
}
