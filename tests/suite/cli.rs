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
