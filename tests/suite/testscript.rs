//! ```` ```testscript ```` blocks: scripts run by go-internal's testscript inside the sandbox,
//! holding and failing at their script lines' Markdown lines, every line of the holding ones
//! mutated, tools from the document set's go.mod, and what a hostile script cannot reach.

use std::path::Path;

use super::support::{go_version, record_then_verify, repo, snipcheck, verify_failing, write};

/// `FAIL  DOC:LINE` lines' script lines, `DOC:N: script line does not hold: MESSAGE`.
fn failing_lines(report: &str, doc: &str) -> Vec<(usize, String)> {
    let re = regex::Regex::new(&format!(
        r"(?m)^      {}:(\d+): script line does not hold: (.*)$",
        regex::escape(doc)
    ))
    .unwrap();
    re.captures_iter(report)
        .map(|c| (c[1].parse().unwrap(), c[2].to_string()))
        .collect()
}

#[test]
fn testscript_blocks_hold_and_are_recorded() {
    let (run, _, tmp) = record_then_verify("tests/fixtures/testscript-hold.md");
    assert!(
        run.stdout.ends_with("4 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
    let records = tmp.path().join("expected/tests/fixtures/testscript-hold");
    let cover =
        std::fs::read_to_string(records.join("go-generate-then-go-test-with-coverage.toml"))
            .unwrap();
    // The record is the script's log: each command and what it printed, without the
    // environment testscript lists first or the time it took.
    assert!(cover.contains("class = \"ok\""), "{cover}");
    assert!(
        cover.contains("> exec go test -cover .\n[stdout]\nok  \\texample.com/gen\\tN.NNs\\tcoverage: 100.0% of statements\n"),
        "{cover}"
    );
    assert!(!cover.contains("WORK="), "{cover}");
}

#[test]
fn testscript_blocks_fail_at_their_script_lines() {
    let doc = "tests/fixtures/testscript-fail.md";
    let (_, report) = verify_failing(doc, "0 passed, 4 failed");
    assert_eq!(
        failing_lines(&report, doc),
        [
            (7, "no match for `go1\\.99` found in stdout".to_string()),
            (14, "unexpected command failure".to_string()),
            (30, "stdout and want.txt differ".to_string()),
            (43, "unexpected command success".to_string()),
        ],
        "{report}"
    );
    // The log shows what happened, with the Markdown line in place of the script's.
    assert!(
        report.contains("+./main.go:3:15: undefined: missing\n"),
        "{report}"
    );
    assert!(
        report.contains(&format!("+FAIL: {doc}:30: stdout and want.txt differ\n")),
        "{report}"
    );
}

/// Every command line of the holding scripts, negated (`!` added or taken away), must fail
/// the script at that line's Markdown line: no line of them holds by accident.
#[test]
fn every_holding_script_line_negated_fails_at_its_line() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/testscript-hold.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The holding blocks' script lines (before the first file marker), by 0-based index.
    let mut scripts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("```testscript") {
            let start = i + 1;
            let mut end = start;
            while !lines[end].starts_with("```") && !lines[end].starts_with("-- ") {
                end += 1;
            }
            scripts.push((start, end));
            while !lines[i + 1].starts_with("```") {
                i += 1;
            }
            i += 1;
        }
        i += 1;
    }
    // One document of mutants: each holding block again, with one line negated.
    let mut doc = String::from("# mutants\n");
    let mut expected = Vec::new();
    for &(start, end) in &scripts {
        let fence = start - 1;
        let close = (start..lines.len()).find(|&j| lines[j] == "```").unwrap();
        for target in start..end {
            let line = lines[target];
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            doc.push_str(&format!("\n## mutant {}\n\n", expected.len() + 1));
            for (j, l) in lines.iter().enumerate().take(close + 1).skip(fence) {
                let l = if j == target {
                    match l.strip_prefix("! ") {
                        Some(rest) => rest.to_string(),
                        None => format!("! {l}"),
                    }
                } else {
                    l.to_string()
                };
                if j == target {
                    expected.push((doc.lines().count() + 1, l.clone()));
                }
                doc.push_str(&l);
                doc.push('\n');
            }
        }
    }
    assert!(expected.len() >= 12, "{expected:?}");
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("mutants.md"), &doc);
    let exp = tmp.path().join("expected");
    // The system's temporary directory, as from the repository: the scripts' build cache
    // there is warm (see `build::ScriptEnv`).
    let system_tmp = std::env::temp_dir();
    let run = snipcheck(
        tmp.path(),
        &["verify", "mutants.md", "--expected", exp.to_str().unwrap()],
        &[("TMPDIR", system_tmp.to_str().unwrap())],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .ends_with(&format!("0 passed, {} failed\n", expected.len())),
        "{}",
        run.stdout
    );
    let failed: Vec<usize> = failing_lines(&run.stdout, "mutants.md")
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    let want: Vec<usize> = expected.iter().map(|(line, _)| *line).collect();
    assert_eq!(failed, want, "{expected:#?}\n{}", run.stdout);
}

/// A tool the document set's go.mod pins (x/tools' stringer, through tools.go) is built once,
/// outside the sandbox, and is on the scripts' PATH; a wrong claim about it fails at its line.
/// The pinned modules are the scripts' module cache and proxy, offline: a script builds with
/// x/mod, and `go get` of a module the go.mod does not pin finds nothing.
#[test]
fn tools_from_the_document_sets_go_mod_are_on_the_path() {
    // The fixture pins a current x/tools, whose go line is newer than Go 1.22.
    if go_version() < "go1.26" {
        eprintln!(
            "skipped: the fixture's go.mod needs go1.26, this is {}",
            go_version()
        );
        return;
    }
    let doc = "tests/fixtures/scripts-tools/tools.md";
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let run = snipcheck(
        &repo(),
        &[
            "verify",
            "tests/fixtures/scripts-tools",
            "--config",
            "tests/fixtures/scripts-tools/snipcheck.toml",
            "--expected",
            exp.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for passed in [
        "5  stringer-writes-the-string-method",
        "58  the-pinned-modules-and-only-those",
    ] {
        assert!(
            run.stdout.contains(&format!("new   {doc}:{passed}\n")),
            "{}",
            run.stdout
        );
    }
    assert_eq!(
        failing_lines(&run.stdout, doc),
        [(35, "no match for `^Placebo$` found in stdout".to_string())]
    );
    assert!(
        run.stdout.ends_with("2 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}

/// A tool that the go.mod does not pin stops the run before anything runs (exit 2), naming the
/// go.mod.
#[test]
fn a_tool_the_go_mod_does_not_pin_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("docs/go.mod"),
        "module example.com/docs\n\ngo 1.22\n",
    );
    write(
        &tmp.path().join("docs/doc.md"),
        "# Doc\n\n## Tool\n\n```testscript\nexec gopls version\n```\n",
    );
    write(
        &tmp.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\ntools = [\"golang.org/x/tools/gopls\"]\n",
    );
    let system_tmp = std::env::temp_dir();
    let run = snipcheck(
        tmp.path(),
        &["verify"],
        &[("TMPDIR", system_tmp.to_str().unwrap())],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("docs/go.mod: cannot build the tools golang.org/x/tools/gopls"),
        "{}",
        run.stderr
    );
}

/// What a script may not do, it cannot: write to the project or the host's folders, leave
/// anything in the scripts' shared build cache (its writes go to an overlay of its own), reach
/// a host Unix socket or a TCP listener on the host's loopback.
#[test]
fn a_hostile_script_is_contained() {
    use std::io::Read;
    let tmp = tempfile::tempdir().unwrap();
    let sockets = tempfile::Builder::new()
        .prefix("snipcheck-script-")
        .tempdir_in("/var/tmp")
        .unwrap();
    let sock = sockets.path().join("host.sock");
    let unix = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    std::fs::set_permissions(&sock, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    unix.set_nonblocking(true).unwrap();
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    tcp.set_nonblocking(true).unwrap();
    let port = tcp.local_addr().unwrap().port();
    let project = tmp.path().display().to_string();
    let doc = format!(
        "# Hostile\n\n## Script\n\n\
         ```testscript timeout=120s env=SOCK={sock} env=PORT={port} env=PROJECT={project}\n\
         ! exec sh -c 'echo x > $PROJECT/written-by-a-script'\n\
         ! exec sh -c 'echo x > /var/tmp/written-by-a-script-{id}'\n\
         exec sh -c 'echo poison > $GOCACHE/poison-{id}'\n\
         exec go run .\n\
         stdout 'unix: dial'\n\
         stdout 'tcp: dial'\n\
         ! stdout 'connected'\n\n\
         -- go.mod --\nmodule example.com/dial\n\ngo 1.22\n\
         -- main.go --\npackage main\n\nimport (\n\t\"fmt\"\n\t\"net\"\n\t\"os\"\n)\n\n\
         func main() {{\n\
         \tif c, err := net.Dial(\"unix\", os.Getenv(\"SOCK\")); err != nil {{\n\t\tfmt.Println(\"unix:\", err)\n\t}} else {{\n\t\tc.Close()\n\t\tfmt.Println(\"connected unix\")\n\t}}\n\
         \tif c, err := net.Dial(\"tcp\", \"127.0.0.1:\"+os.Getenv(\"PORT\")); err != nil {{\n\t\tfmt.Println(\"tcp:\", err)\n\t}} else {{\n\t\tc.Close()\n\t\tfmt.Println(\"connected tcp\")\n\t}}\n\
         }}\n```\n",
        sock = sock.display(),
        id = std::process::id(),
    );
    write(&tmp.path().join("hostile.md"), &doc);
    let system_tmp = std::env::temp_dir();
    let run = snipcheck(
        tmp.path(),
        &["verify", "hostile.md", "--expected", "expected"],
        &[("TMPDIR", system_tmp.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!tmp.path().join("written-by-a-script").exists());
    let var_tmp = format!("/var/tmp/written-by-a-script-{}", std::process::id());
    assert!(!Path::new(&var_tmp).exists());
    let cache = system_tmp.join(format!(
        "snipcheck-{}/script-gocache",
        // SAFETY: geteuid cannot fail.
        unsafe { libc::geteuid() }
    ));
    assert!(cache.is_dir(), "{}", cache.display());
    assert!(
        !cache
            .join(format!("poison-{}", std::process::id()))
            .exists()
    );
    // Nothing ever connected.
    assert!(unix.accept().is_err());
    let mut buf = [0; 1];
    assert!(tcp.accept().map(|(mut s, _)| s.read(&mut buf)).is_err());
}
