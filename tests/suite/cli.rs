//! The command line as users of other CLIs expect it: environment variables with the usual
//! spellings of true and false, shell completions that a shell accepts, a manual page.

use super::support::{snipcheck, write};

const DOC: &str = "# Doc\n\n## One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n";

#[test]
fn boolean_variables_take_the_usual_spellings() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), DOC);
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--accept"],
        &[
            ("SNIPCHECK_NO_CACHE", "false"),
            ("SNIPCHECK_CACHE_DIR", cache),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // A passing run with the cache on fills it.
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md"],
        &[("SNIPCHECK_NO_CACHE", "0"), ("SNIPCHECK_CACHE_DIR", cache)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Passed before with nothing changed: the result cache answers, unless it is turned off.
    for (value, cached) in [
        ("1", false),
        ("yes", false),
        ("true", false),
        ("on", false),
        ("0", true),
        ("no", true),
        ("false", true),
    ] {
        let run = snipcheck(
            dir.path(),
            &["verify", "doc.md"],
            &[
                ("SNIPCHECK_NO_CACHE", value),
                ("SNIPCHECK_CACHE_DIR", cache),
            ],
        );
        assert_eq!(run.code, 0, "{value}: {}{}", run.stdout, run.stderr);
        assert_eq!(
            run.stdout.contains("(cached)"),
            cached,
            "{value}: {}",
            run.stdout
        );
    }
}

/// The subcommands as the parser knows them, so a new one is checked without touching the tests.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    snipcheck::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[test]
fn the_bash_completion_names_the_subcommands_and_bash_accepts_and_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = snipcheck(dir.path(), &["completions", "bash"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for sub in subcommands() {
        assert!(
            run.stdout.contains(&sub),
            "{sub} missing from the bash completion"
        );
    }
    assert!(run.stdout.contains("--format"));
    // A real check: bash sources it, registers it, and completes with it as a user's <TAB> does
    // (COMP_WORDS as bash sets them, then the function `complete -p` names).
    let bin = env!("CARGO_BIN_EXE_snipcheck");
    let script = format!(
        r#"set -e
source <("{bin}" completions bash)
complete -p snipcheck
complete_words() {{
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
  COMPREPLY=()
  _snipcheck snipcheck "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
  echo "${{COMPREPLY[*]}}"
}}
complete_words snipcheck ver
complete_words snipcheck verify --format ""
complete_words snipcheck completions ""
"#
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "complete -o bashdefault -o default -o nosort -F _snipcheck snipcheck"
    );
    assert_eq!(lines[1], "verify");
    assert_eq!(lines[2], "human json junit github html go-json");
    assert!(lines[3].contains("bash") && lines[3].contains("zsh") && lines[3].contains("fish"));
}

#[test]
fn zsh_and_fish_completions_are_written_for_their_shells() {
    let dir = tempfile::tempdir().unwrap();
    let zsh = snipcheck(dir.path(), &["completions", "zsh"], &[]);
    assert_eq!(zsh.code, 0, "{}", zsh.stderr);
    assert!(
        zsh.stdout.starts_with("#compdef snipcheck\n"),
        "{}",
        zsh.stdout
    );
    let fish = snipcheck(dir.path(), &["completions", "fish"], &[]);
    assert_eq!(fish.code, 0, "{}", fish.stderr);
    assert!(
        fish.stdout.contains("complete -c snipcheck"),
        "{}",
        fish.stdout
    );
    for sub in subcommands() {
        assert!(
            zsh.stdout.contains(&sub),
            "{sub} missing from the zsh completion"
        );
        assert!(
            fish.stdout.contains(&sub),
            "{sub} missing from the fish completion"
        );
    }
    // An unknown shell is a usage error.
    assert_eq!(snipcheck(dir.path(), &["completions", "tcsh"], &[]).code, 2);
}

#[test]
fn the_manual_page_has_its_sections_and_names_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let run = snipcheck(dir.path(), &["man"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let man = &run.stdout;
    assert!(man.contains("\n.TH snipcheck 1 "), "{man}");
    assert!(
        man.contains(
            "\n.SH NAME\nsnipcheck \\- Verify the claims Go documentation makes about its snippets\n"
        ),
        "{man}"
    );
    assert!(man.contains("\n.SH SYNOPSIS\n"), "{man}");
    assert!(man.contains("\n.SH SUBCOMMANDS\n"), "{man}");
    for sub in subcommands() {
        // roff escapes the hyphen.
        assert!(
            man.contains(&format!("snipcheck\\-{sub}(1)")),
            "{sub} missing from the manual page"
        );
    }
    // The exit statuses are documented there too.
    assert!(man.contains("Exit status: 0"), "{man}");
    // The pages it refers to exist: `snipcheck man SUBCOMMAND`, with that subcommand's usage
    // and options.
    for sub in subcommands() {
        let page = snipcheck(dir.path(), &["man", &sub], &[]);
        assert_eq!(page.code, 0, "{}", page.stderr);
        assert!(
            page.stdout.contains(&format!(
                ".TH snipcheck-{sub} 1  \"snipcheck {}\"",
                env!("CARGO_PKG_VERSION")
            )),
            "{}",
            page.stdout
        );
        assert!(
            page.stdout
                .contains(&format!(".SH NAME\nsnipcheck\\-{sub} \\- ")),
            "{}",
            page.stdout
        );
        assert!(
            page.stdout
                .contains(&format!(".SH SYNOPSIS\n\\fBsnipcheck {sub}\\fR")),
            "{}",
            page.stdout
        );
    }
    let verify = snipcheck(dir.path(), &["man", "verify"], &[]).stdout;
    assert!(verify.contains("\\fB\\-\\-partition\\fR"), "{verify}");
    let unknown = snipcheck(dir.path(), &["man", "nope"], &[]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("`nope` is not a subcommand"),
        "{}",
        unknown.stderr
    );
}

/// Items 1028, 10280 and 1031, two snippets under 1028: ids as `go test -run` patterns meet them.
const NUMBERED: &str = "# Doc\n\n### 1028. One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n\n```go\nfmt.Println(2)\n// Output: 2\n```\n\n### 10280. Two\n\n```go\nfmt.Println(3)\n// Output: 3\n```\n\n### 1031. Three\n\n```go\nfmt.Println(4)\n// Output: 4\n```\n";

/// The ids a human report says ran, in order.
fn ran(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("new ") || l.starts_with("FAIL "))
        .map(|l| l.split_whitespace().nth(2).unwrap().to_string())
        .collect()
}

#[test]
fn filter_is_a_go_regexp_over_ids_and_an_id_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), NUMBERED);
    let filtered = |filters: &[&str]| {
        let mut args = vec!["verify", "doc.md"];
        for f in filters {
            args.extend(["--filter", f]);
        }
        let run = snipcheck(dir.path(), &args, &[]);
        assert_eq!(run.code, 0, "{filters:?}: {}{}", run.stdout, run.stderr);
        ran(&run.stdout)
    };
    // An id selects itself and its siblings, not 10280, which `1028` as a pattern would match.
    assert_eq!(filtered(&["1028"]), ["1028", "1028-2"]);
    assert_eq!(filtered(&["1028-2"]), ["1028-2"]);
    // Anything else is a pattern, unanchored as Go's -run is.
    assert_eq!(filtered(&["^10"]), ["1028", "1028-2", "10280", "1031"]);
    assert_eq!(filtered(&["102"]), ["1028", "1028-2", "10280"]);
    assert_eq!(filtered(&["-2$|31"]), ["1028-2", "1031"]);
    assert_eq!(filtered(&["^1028$"]), ["1028"]);
    // Repeated filters add up.
    assert_eq!(filtered(&["1031", "0$"]), ["10280", "1031"]);
}

#[test]
fn a_filter_that_matches_nothing_warns_and_passes_as_go_test_run_does() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), NUMBERED);
    let run = snipcheck(dir.path(), &["verify", "doc.md", "--filter", "^99"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("warning: no snippet matches --filter `^99`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: no snippets to run"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.ends_with("0 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
    // One filter that matches beside one that does not: the warning, and the run of the other.
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--filter", "^99", "--filter", "1031"],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("`^99`"), "{}", run.stderr);
    assert!(!run.stderr.contains("no snippets to run"), "{}", run.stderr);
    assert_eq!(ran(&run.stdout), ["1031"]);
}

#[test]
fn color_follows_the_flag_then_no_color_then_force_color() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), DOC);
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["verify", "doc.md"];
        all.extend(args);
        let run = snipcheck(dir.path(), &all, env);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        run.stdout.contains("\x1b[")
    };
    // A pipe: plain, unless asked.
    assert!(!coloured(&[], &[]));
    assert!(coloured(&["--color", "always"], &[]));
    assert!(coloured(&["--color=always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    // What CI logs that show colour set.
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "0")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "")]));
    // NO_COLOR wins over both for auto.
    assert!(!coloured(
        &["--color", "auto"],
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    ));
    assert!(!coloured(
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    let bad = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--color", "sometimes"],
        &[],
    );
    assert_eq!(bad.code, 2);
}

#[test]
fn quiet_reports_only_failures_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("doc.md"),
        &NUMBERED.replace("// Output: 3", "// Output: three"),
    );
    for flag in ["-q", "--quiet"] {
        let run = snipcheck(dir.path(), &["verify", "doc.md", flag], &[]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert!(
            lines[0].starts_with("FAIL  doc.md:17  10280"),
            "{}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("verifying") && !run.stdout.contains("new   "),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("+3\n"), "{}", run.stdout);
        assert!(
            run.stdout.ends_with("3 passed, 1 failed\n"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn fail_fast_starts_nothing_after_the_first_failure() {
    let mut doc = String::from(
        "# Doc\n\n## Pass\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n\n## Fail\n\n```go\nfmt.Println(2)\n// Output: two\n```\n",
    );
    for i in 0..8 {
        doc.push_str(&format!(
            "\n## Slow {i}\n\n```go\ntime.Sleep(300 * time.Millisecond)\nfmt.Println({i})\n// Output: {i}\n```\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), &doc);
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--fail-fast", "-j", "1"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("FAIL  doc.md:12  fail"),
        "{}",
        run.stdout
    );
    let not_run = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("skip ") && l.contains("not run: --fail-fast"))
        .count();
    // One slow snippet may have started before the failure was judged; no more.
    assert!(not_run >= 7, "{}", run.stdout);
    assert!(
        run.stdout.contains("slow-7  (not run: --fail-fast"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(&format!(
            "{} passed, 1 failed, {not_run} skipped\n",
            9 - not_run
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn list_format_json_is_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("doc.md"),
        "# Doc\n\n### 1. One\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n\n### 2. Two\n\n> **Unchecked (opinion):** an opinion\n\n### 3. Three\n\nNothing.\n",
    );
    let run = snipcheck(dir.path(), &["list", "doc.md", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(
        lines,
        [
            serde_json::json!({"type": "snippet", "doc": "doc.md", "item": "1. One", "id": "1", "line": 5, "claims": "Output", "verdict": "unrecorded"}),
            serde_json::json!({"type": "unchecked", "doc": "doc.md", "item": "2. Two", "line": 12, "class": "opinion", "reason": "an opinion"}),
            serde_json::json!({"type": "uncovered", "doc": "doc.md", "item": "3. Three"}),
            serde_json::json!({"type": "totals", "documents": 1, "items": 3, "snippets": 1, "holds": 0, "fails": 0, "unrecorded": 1, "pending": 0, "ignored": 0, "claims": 1, "unchecked": 1, "unchecked_classes": {"opinion": 1}, "uncovered": 1}),
        ]
    );
}

#[test]
fn accept_and_reject_are_commands_of_their_own_as_in_cargo_insta() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), NUMBERED);
    // Review looks at the configured set.
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"doc.md\"]\n",
    );
    let pending = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("expected/doc"))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let verify = snipcheck(dir.path(), &["verify", "doc.md"], &[]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(pending(dir.path()).len(), 4);
    // Ids, as review --accept takes them.
    let run = snipcheck(dir.path(), &["accept", "1028", "1031"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        pending(dir.path()),
        [
            "1028-2.toml.new",
            "1028.toml",
            "10280.toml.new",
            "1031.toml"
        ]
    );
    let run = snipcheck(dir.path(), &["reject", "1028-2"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        pending(dir.path()),
        ["1028.toml", "10280.toml.new", "1031.toml"]
    );
    // No id: all of them, as `cargo insta accept` (and --all says so).
    let run = snipcheck(dir.path(), &["accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        pending(dir.path()),
        ["1028.toml", "10280.toml", "1031.toml"]
    );
    let verify = snipcheck(dir.path(), &["verify", "doc.md"], &[]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(
        pending(dir.path()).len(),
        4,
        "1028-2 was rejected, so pending again"
    );
    let run = snipcheck(dir.path(), &["reject", "--all"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        pending(dir.path()),
        ["1028.toml", "10280.toml", "1031.toml"]
    );
    assert_eq!(
        snipcheck(dir.path(), &["accept", "1028", "--all"], &[]).code,
        2
    );
}

#[test]
fn ci_is_detected_as_insta_detects_it() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("doc.md"), DOC);
    for var in ["GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI", "BUILDKITE"] {
        let run = snipcheck(
            dir.path(),
            &["verify", "doc.md", "--accept"],
            &[(var, "true")],
        );
        assert_eq!(run.code, 2, "{var}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains(&format!("refusing to write records in CI ({var} is set)")),
            "{}",
            run.stderr
        );
        // In CI the policy is --locked: a snippet without a record fails.
        let run = snipcheck(dir.path(), &["verify", "doc.md"], &[(var, "true")]);
        assert_eq!(run.code, 1, "{var}: {}{}", run.stdout, run.stderr);
    }
    // CI=false says it is not, whatever else is set.
    let run = snipcheck(
        dir.path(),
        &["verify", "doc.md", "--accept"],
        &[("CI", "false"), ("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The declared `MIT OR Apache-2.0` comes with both texts, and the address of the repository
/// is not made up (see Install in the README).
#[test]
fn the_declared_licenses_have_their_texts() {
    let repo = super::support::repo();
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(
        !manifest.contains("OWNER"),
        "a placeholder repository address"
    );
    let mit = std::fs::read_to_string(repo.join("LICENSE-MIT")).unwrap();
    assert!(mit.contains("Copyright (c) 2026 the snipcheck authors"));
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(repo.join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
}

/// A `go test` snippet's binary runs through snipcheck itself (`go test -exec`): replacing or
/// removing snipcheck's file while it runs (a `cargo build`, an upgrade) must not break it.
#[test]
fn go_test_snippets_run_when_snipcheck_s_file_is_replaced_mid_run() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = tmp.path().join("bin/snipcheck");
    super::support::copy(std::path::Path::new(env!("CARGO_BIN_EXE_snipcheck")), &exe);
    let doc = "# Doc\n\n## Slow\n\n```go test\npackage slow\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestSlow(t *testing.T) { time.Sleep(500 * time.Millisecond) }\n\n// Tests passed: TestSlow\n```\n";
    write(&tmp.path().join("doc.md"), doc);
    let child = std::process::Command::new(&exe)
        .current_dir(tmp.path())
        .args(["verify", "doc.md", "--no-cache"])
        .env("TMPDIR", tmp.path())
        .env_remove("CI")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Gone before go test has built the test binary and starts it through -exec.
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::fs::remove_file(&exe).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("1 passed, 0 failed\n"), "{stdout}");
}
