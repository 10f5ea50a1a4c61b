//! Outcome + claims -> failures. Every claim that does not hold becomes one `Failure` value, so a
//! report shows all of them, not just the first.
//!
//! Size: about 730 lines of code (the rest are tests): one checker per claim kind and the
//! elision matching they share; the compile-error checking (as Go's errorcheck) is the largest
//! part and the next to move into a file of its own.

use std::sync::LazyLock;

use regex::Regex;

use crate::snippet::{Claim, ClaimKind, Class, Outcome, Snippet, TestStatus, signal_name};

/// One thing that does not hold, at the Markdown line it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub line: usize,
    pub message: String,
    /// Claimed (or recorded) text against actual text, when a diff says it best.
    pub diff: Option<(String, String)>,
}

impl Failure {
    fn new(line: usize, message: impl Into<String>) -> Failure {
        Failure {
            line,
            message: message.into(),
            diff: None,
        }
    }

    fn with_diff(mut self, expected: &str, actual: &str) -> Failure {
        self.diff = Some((expected.to_string(), actual.to_string()));
        self
    }
}

/// The class the claims add up to: compile errors, vet findings, a panic, a fatal error, a data
/// race, a non-zero exit, or (with no claim about any of those) a clean exit.
pub fn expected_class(snippet: &Snippet) -> Class {
    let has = |f: fn(&ClaimKind) -> bool| snippet.claims.iter().any(|c| f(&c.kind));
    if snippet.attrs.script {
        // A script's lines are its claims: it holds when testscript passes it.
        return Class::Ok;
    }
    if has(|k| matches!(k, ClaimKind::CompileError(_))) {
        Class::CompileError
    } else if snippet.attrs.vet && has(|k| matches!(k, ClaimKind::Vet(_))) {
        Class::Vet
    } else if snippet.attrs.norun || snippet.attrs.vet || is_library(snippet) {
        Class::Built
    } else if snippet.attrs.test {
        if has(|k| matches!(k, ClaimKind::Tests(TestStatus::Fail, _))) {
            Class::TestFail
        } else {
            Class::Ok
        }
    } else if has(|k| matches!(k, ClaimKind::Panic(_))) {
        Class::Panic
    } else if has(|k| matches!(k, ClaimKind::Fatal(_))) {
        Class::Fatal
    } else if has(|k| matches!(k, ClaimKind::Signal(_))) {
        Class::Signal
    } else if has(|k| matches!(k, ClaimKind::Race(_))) {
        Class::Race
    } else if has(|k| matches!(k, ClaimKind::Exit(n) if *n != 0)) {
        Class::Exit
    } else {
        Class::Ok
    }
}

/// A package other than `main` (a whole file, or an archive without a `main` package at its
/// root) is only compiled: there is nothing to run.
fn is_library(snippet: &Snippet) -> bool {
    if snippet.attrs.test {
        return false;
    }
    if !crate::document::txtar::is_archive(&snippet.code) {
        return crate::go::wrap::is_library(&snippet.code);
    }
    crate::document::txtar::parse(&snippet.code).is_ok_and(|a| {
        !a.files.iter().any(|f| {
            f.name.ends_with(".go")
                && !f.name.contains('/')
                && !f.name.ends_with("_test.go")
                && !crate::go::wrap::is_library(&f.data)
                && crate::go::wrap::is_whole_file(&f.data)
        })
    })
}

/// A run-time error is a panic too: `// Panic:` accepts both.
pub fn class_holds(expected: Class, got: Class) -> bool {
    expected == got || (expected == Class::Panic && got == Class::RuntimeError)
}

pub fn check_claims(snippet: &Snippet, outcome: &Outcome) -> Vec<Failure> {
    if snippet.attrs.script {
        return script_failures(snippet, outcome);
    }
    let doc = snippet.doc.display().to_string();
    let mut failures = Vec::new();
    let expected = expected_class(snippet);

    if !class_holds(expected, outcome.class) && expected != Class::CompileError {
        let at = first_claim_line(snippet, expected).unwrap_or(snippet.line);
        let mut f = Failure::new(
            at,
            format!(
                "expected {}, got {}{}",
                expected.describe(),
                outcome.class.describe(),
                where_it_happened(outcome, &doc)
            ),
        );
        let detail = match outcome.class {
            Class::CompileError => outcome.diagnostics.trim(),
            Class::Vet => outcome.vet.trim(),
            Class::TestFail => outcome.stdout.trim(),
            Class::Ok | Class::Built => "",
            _ => outcome.stderr.trim(),
        };
        if !detail.is_empty() {
            f = f.with_diff("", detail);
        }
        failures.push(f);
    }

    if expected == Class::CompileError {
        failures.extend(check_compile_errors(snippet, outcome, &doc));
        // A program that does not compile never runs: what else it claims cannot hold (on a
        // release that a claim about some releases does not exclude).
        for c in &snippet.claims {
            if !matches!(c.kind, ClaimKind::CompileError(_)) {
                failures.push(Failure::new(
                    c.line,
                    format!(
                        "`{}` cannot hold: this snippet also claims compile errors, so it is never run; claim one or the other for each release (`// ERROR (before go1.22) \"...\"`, `// Output (from go1.22):`)",
                        c.kind.label()
                    ),
                ));
            }
        }
        return failures;
    }

    failures.extend(unpinned_modules(snippet, outcome));
    // Nothing ran, or it was cut short: the wrong class above says all there is to say.
    if matches!(outcome.class, Class::CompileError | Class::Timeout) {
        return failures;
    }
    for claim in &snippet.claims {
        if let Some(f) = check_claim(snippet, claim, outcome) {
            failures.push(f);
        }
    }
    failures
}

/// A testscript block: each script line testscript failed (`FAIL: script.txtar:N: ...`) at its
/// Markdown line, with the script's log up to it; a script that failed otherwise (a timeout,
/// a driver that did not build) at the fence.
fn script_failures(snippet: &Snippet, outcome: &Outcome) -> Vec<Failure> {
    use crate::go::testscript;
    if outcome.class == Class::Ok {
        return Vec::new();
    }
    let shown = testscript::at_markdown_lines(outcome.stdout.trim(), snippet);
    let mut failures: Vec<Failure> = testscript::failures(&outcome.stdout)
        .iter()
        .map(|(n, message)| {
            Failure::new(
                testscript::markdown_line(snippet, *n),
                format!("script line does not hold: {message}"),
            )
            .with_diff("", &shown)
        })
        .collect();
    if failures.is_empty() {
        let detail = if outcome.diagnostics.trim().is_empty() {
            shown
        } else {
            outcome.diagnostics.trim().to_string()
        };
        failures.push(
            Failure::new(
                snippet.line,
                format!(
                    "expected the script to pass, got {}",
                    outcome.class.describe()
                ),
            )
            .with_diff("", &detail),
        );
    }
    failures
}

/// An output claim that does not hold is reported at its first line that differs, so the report
/// names the very line a maintainer has to change.
fn first_differing_line(snippet: &Snippet, claim_line: usize, want: &str, got: &str) -> usize {
    let header = snippet
        .code
        .lines()
        .nth(claim_line.saturating_sub(snippet.code_line))
        .unwrap_or("");
    let inline = !header.trim_end().ends_with(':');
    let first_text_line = if inline { claim_line } else { claim_line + 1 };
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = (0..w.len().max(g.len()))
        .find(|&i| w.get(i) != g.get(i))
        .unwrap_or(0)
        .min(w.len().saturating_sub(1));
    first_text_line + i
}

fn first_claim_line(snippet: &Snippet, class: Class) -> Option<usize> {
    snippet
        .claims
        .iter()
        .find(|c| {
            matches!(
                (&c.kind, class),
                (ClaimKind::Panic(_), Class::Panic)
                    | (ClaimKind::Fatal(_), Class::Fatal)
                    | (ClaimKind::Race(_), Class::Race)
                    | (ClaimKind::Vet(_), Class::Vet)
                    | (ClaimKind::Tests(..), Class::TestFail)
                    | (ClaimKind::Signal(_), Class::Signal)
                    | (ClaimKind::Exit(_), Class::Exit)
                    | (
                        ClaimKind::Output(_) | ClaimKind::UnorderedOutput(_) | ClaimKind::Stderr(_),
                        Class::Ok
                    )
            )
        })
        .map(|c| c.line)
}

/// ` at doc.md:41` for a compile error or panic whose first position is in the document.
fn where_it_happened(outcome: &Outcome, doc: &str) -> String {
    let text = match outcome.class {
        Class::CompileError => &outcome.diagnostics,
        Class::Panic | Class::RuntimeError | Class::Fatal | Class::Race => &outcome.stderr,
        Class::Vet => &outcome.vet,
        _ => return String::new(),
    };
    let re = Regex::new(&format!(r"{}:(\d+)", regex::escape(doc))).unwrap();
    re.captures(text)
        .map(|c| format!(" at {doc}:{}", &c[1]))
        .unwrap_or_default()
}

/// `// Output:` and `// Stderr:`: the stream equals the claimed text, leading and trailing space
/// trimmed, with elision; a failure is at the first differing line, its diff lined up with the
/// elided lines.
fn stream_claim(
    snippet: &Snippet,
    claim: &Claim,
    want: &str,
    printed: &str,
    word: &str,
) -> Option<Failure> {
    let got = printed.replace("\r\n", "\n");
    let got = got.trim();
    (!elided_match(want.trim(), got)).then(|| {
        let line = first_differing_line(snippet, claim.line, want.trim(), got);
        let name = match claim.qualifier() {
            Some(q) => format!("// {word} ({q}):"),
            None => format!("// {word}:"),
        };
        Failure::new(line, format!("`{name}` does not hold"))
            .with_diff(want, &align_elided(want.trim(), got))
    })
}

fn check_claim(snippet: &Snippet, claim: &Claim, outcome: &Outcome) -> Option<Failure> {
    let fail = |msg: String| Some(Failure::new(claim.line, msg));
    match &claim.kind {
        ClaimKind::Output(want) => stream_claim(snippet, claim, want, &outcome.stdout, "Output"),
        ClaimKind::Stderr(want) => stream_claim(snippet, claim, want, &outcome.stderr, "Stderr"),
        ClaimKind::UnorderedOutput(want) => {
            let sorted = |s: &str| {
                let mut v: Vec<String> = s.trim().lines().map(|l| l.trim().to_string()).collect();
                v.sort();
                v.join("\n")
            };
            let (w, g) = (sorted(want), sorted(&outcome.stdout));
            (!unordered_match(&w, &g)).then(|| {
                Failure::new(
                    claim.line,
                    "`// Unordered output:` does not hold (lines compared sorted)",
                )
                .with_diff(&w, &unordered_shown(&w, &g))
            })
        }
        ClaimKind::Panic(text) => message_claim(
            claim,
            outcome,
            text,
            "panic: ",
            "the panic message",
            &[Class::Panic, Class::RuntimeError],
        ),
        ClaimKind::Fatal(text) => message_claim(
            claim,
            outcome,
            text,
            "fatal error: ",
            "the fatal error",
            &[Class::Fatal],
        ),
        ClaimKind::Race(text) => {
            (outcome.class == Class::Race && !contains_elided(&outcome.stderr, text)).then(|| {
                Failure::new(
                    claim.line,
                    format!("the race report does not contain {text:?}"),
                )
                .with_diff(text, outcome.stderr.trim())
            })
        }
        ClaimKind::Vet(text) => {
            (outcome.class == Class::Vet && !contains_elided(&outcome.vet, text)).then(|| {
                Failure::new(claim.line, format!("no vet finding contains {text:?}"))
                    .with_diff(text, outcome.vet.trim())
            })
        }
        ClaimKind::Tests(status, names) => {
            let word = |s: Option<&TestStatus>| match s {
                Some(TestStatus::Pass) => "passed",
                Some(TestStatus::Fail) => "failed",
                Some(TestStatus::Skip) => "was skipped",
                None => "did not run",
            };
            let wrong: Vec<String> = names
                .iter()
                .filter(|n| outcome.tests.get(*n) != Some(status))
                .map(|n| format!("{n} {}", word(outcome.tests.get(n))))
                .collect();
            (!wrong.is_empty()).then(|| {
                Failure::new(
                    claim.line,
                    format!(
                        "`{}` does not hold: {}",
                        claim.kind.label(),
                        wrong.join(", ")
                    ),
                )
            })
        }
        ClaimKind::TestsRun(names) => {
            let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
            want.sort_unstable();
            let mut got: Vec<&str> = outcome
                .tests
                .keys()
                .map(String::as_str)
                .filter(|t| !t.contains('/') || want.contains(t))
                .collect();
            got.sort_unstable();
            (want != got).then(|| {
                Failure::new(claim.line, "`// Tests run:` does not hold")
                    .with_diff(&want.join("\n"), &got.join("\n"))
            })
        }
        ClaimKind::Coverage(want) => match outcome.coverage {
            Some(got) if (got - want).abs() < 0.05 => None,
            Some(got) => fail(format!(
                "`// Coverage: {want:.1}%` does not hold: coverage is {got:.1}%"
            )),
            None => fail(format!(
                "`// Coverage: {want:.1}%` does not hold: no coverage figure (add `cover` to the info string)"
            )),
        },
        ClaimKind::Signal(want) => match outcome.signal.map(signal_name) {
            Some(got) if got.eq_ignore_ascii_case(want) => None,
            Some(got) => fail(format!(
                "`// Signal: {want}` does not hold: it was killed by {got}"
            )),
            // A wrong class is reported once, above.
            None => None,
        },
        ClaimKind::Exit(n) => match outcome.exit_status {
            Some(got) if got == *n => None,
            Some(got) => fail(format!(
                "`// Exit: {n}` does not hold: the exit status is {got}"
            )),
            None => fail(format!(
                "`// Exit: {n}` does not hold: there is no exit status ({})",
                outcome.class.describe()
            )),
        },
        ClaimKind::CompileError(_) => None,
    }
}

/// An import of a module that no go.mod pins fails the build without network; say what to add.
fn unpinned_modules(snippet: &Snippet, outcome: &Outcome) -> Vec<Failure> {
    static UNPINNED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^(?:\S+?:(\d+)(?::\d+)?: )?(?:cannot find module providing package|no required module provides package) ([^\s:;]+)").unwrap()
    });
    if outcome.class != Class::CompileError {
        return Vec::new();
    }
    UNPINNED
        .captures_iter(&outcome.diagnostics)
        .map(|c| {
            let line = c.get(1).and_then(|l| l.as_str().parse().ok()).unwrap_or(snippet.line);
            Failure::new(
                line,
                format!(
                    "`{}` is not pinned: add it to the go.mod beside the documents (`go get {}` in its folder; `go mod init` first if there is none)",
                    &c[2], &c[2]
                ),
            )
        })
        .collect()
}

/// `want` matches `got` where a line `...` stands for any run of lines (none included) and
/// `[..]` for any text within a line, as in Go's and Cargo's test output conventions.
pub fn elided_match(want: &str, got: &str) -> bool {
    if !want.contains("...") && !want.contains("[..]") {
        return want == got;
    }
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    // reachable[j]: the first i lines of `want` can match the first j lines of `got`.
    let mut reachable = vec![false; g.len() + 1];
    reachable[0] = true;
    for line in w {
        let mut next = vec![false; g.len() + 1];
        if line.trim() == "..." {
            let mut on = false;
            for j in 0..=g.len() {
                on |= reachable[j];
                next[j] = on;
            }
        } else {
            for j in 0..g.len() {
                if reachable[j] && line_matches(line, g[j]) {
                    next[j + 1] = true;
                }
            }
        }
        reachable = next;
    }
    reachable[g.len()]
}

fn line_matches(want: &str, got: &str) -> bool {
    if !want.contains("[..]") {
        return want == got;
    }
    let parts: Vec<String> = want.split("[..]").map(regex::escape).collect();
    Regex::new(&format!("^{}$", parts.join(".*")))
        .map(|re| re.is_match(got))
        .unwrap_or(false)
}

/// `text` occurs in `haystack`, with `[..]` standing for any text.
fn contains_elided(haystack: &str, text: &str) -> bool {
    if !text.contains("[..]") {
        return haystack.contains(text);
    }
    let parts: Vec<String> = text.split("[..]").map(regex::escape).collect();
    Regex::new(&format!("(?s){}", parts.join(".*?")))
        .map(|re| re.is_match(haystack))
        .unwrap_or(false)
}

/// `// Panic:` and `// Fatal:`: the message after `prefix` contains `text`. A wrong class is
/// reported once, by `check_claims`, so here only the message counts.
fn message_claim(
    claim: &Claim,
    outcome: &Outcome,
    text: &str,
    prefix: &str,
    what: &str,
    classes: &[Class],
) -> Option<Failure> {
    let msg = message_after(&outcome.stderr, prefix)?;
    (classes.contains(&outcome.class) && !contains_elided(&msg, text)).then(|| {
        Failure::new(claim.line, format!("{what} does not contain {text:?}")).with_diff(text, &msg)
    })
}

/// The message of a panic or fatal error: its first line after `prefix`, with the lines that
/// continue it (a re-panic, `[recovered]`), up to the goroutine trace.
fn message_after(stderr: &str, prefix: &str) -> Option<String> {
    let start = stderr.lines().position(|l| l.starts_with(prefix))?;
    let lines: Vec<&str> = stderr
        .lines()
        .skip(start)
        .take_while(|l| !l.is_empty() && !l.starts_with("goroutine "))
        .collect();
    Some(lines.join("\n")[prefix.len()..].to_string())
}

/// One message of the go command's output as Go's test runner splits it (`splitOutput` in
/// `cmd/internal/testdir`): a line with the tab-indented lines that continue it (`\thave
/// (number)`, `\twant (int, int)`, `\tother declaration of x`), joined with newlines.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    /// The file and line it is at, when it names one.
    at: Option<(String, usize)>,
    /// The text after `file:line:col: `, continuation lines included: what patterns match.
    text: String,
}

/// The messages of a failed build, in order. Package headers (`# pkg`) and `go tool` lines are
/// skipped, as Go's runner skips them. Go's runner also skips errors at `<autogenerated>`
/// positions (only `ERRORAUTO` claims them); here they are kept, as errors no claim can name:
/// the program does not build, whatever the claims say.
fn split_output(diagnostics: &str) -> Vec<Message> {
    static POSITION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)^([^\n]+?):(\d+)(?::\d+)?: (.*)$").unwrap());
    let mut joined: Vec<String> = Vec::new();
    for line in diagnostics.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('\t') && !joined.is_empty() {
            let last = joined.last_mut().expect("not empty");
            last.push('\n');
            last.push_str(line);
        } else if line.starts_with("go tool") || line.starts_with('#') || line.trim().is_empty() {
            continue;
        } else {
            joined.push(line.to_string());
        }
    }
    joined
        .into_iter()
        .map(|m| match POSITION.captures(&m) {
            Some(c) => Message {
                at: Some((c[1].to_string(), c[2].parse().unwrap_or(0))),
                text: c[3].to_string(),
            },
            None => Message { at: None, text: m },
        })
        .collect()
}

/// What the go command says on the way to an error without being one.
fn is_progress(text: &str) -> bool {
    text.starts_with("go: finding module for package ") || text.starts_with("go: downloading ")
}

/// `// ERROR` claims, as Go's test runner checks them (`errorCheck` in `cmd/internal/testdir`),
/// over the document's compile errors: each pattern, line by line and in order, takes every
/// error of its line that it matches and that no pattern before it took, and must take at
/// least one; every error must be taken by a pattern of its line. An error that is not at a
/// line of the document (a file the go command wrote, a package outside the snippet) cannot be
/// claimed, so it fails the snippet too; Go's runner ignores those, but there the test is the
/// whole program and nothing else is built.
fn check_compile_errors(snippet: &Snippet, outcome: &Outcome, doc: &str) -> Vec<Failure> {
    let claims: Vec<(usize, &str)> = snippet
        .claims
        .iter()
        .filter_map(|c| match &c.kind {
            ClaimKind::CompileError(p) => Some((c.line, p.as_str())),
            _ => None,
        })
        .collect();
    if outcome.class != Class::CompileError {
        return claims
            .iter()
            .map(|(line, p)| {
                Failure::new(
                    *line,
                    format!(
                        "expected a compile error matching `{p}` on this line, but the snippet compiled ({})",
                        outcome.class.describe()
                    ),
                )
            })
            .collect();
    }
    let (local, elsewhere): (Vec<Message>, Vec<Message>) = split_output(&outcome.diagnostics)
        .into_iter()
        .filter(|m| !is_progress(&m.text))
        .partition(|m| m.at.as_ref().is_some_and(|(f, _)| f == doc));
    let line_of = |m: &Message| m.at.as_ref().map_or(0, |(_, l)| *l);
    // The errors no pattern has taken yet, by their place in the output.
    let mut left: Vec<(usize, &Message)> = local.iter().enumerate().collect();
    let mut failures = Vec::new();
    // Lines whose errors a failure has shown, none of them matching a pattern of the line.
    let mut shown_lines: Vec<usize> = Vec::new();
    for (line, pattern) in &claims {
        let re = match crate::claims::goregexp::compile(&crate::claims::grammar::with_line(
            pattern, doc, *line,
        )) {
            Ok(re) => re,
            Err(e) => {
                failures.push(Failure::new(*line, format!("bad regexp in // ERROR: {e}")));
                continue;
            }
        };
        let (on_line, rest): (Vec<_>, Vec<_>) =
            left.into_iter().partition(|(_, m)| line_of(m) == *line);
        left = rest;
        if on_line.is_empty() {
            let taken = local.iter().any(|m| line_of(m) == *line);
            let why = if taken {
                "every compile error on this line is matched by a pattern before it"
            } else {
                "there is no compile error on this line"
            };
            failures.push(
                Failure::new(
                    *line,
                    format!("no compile error on this line is left to match `{pattern}`: {why}"),
                )
                .with_diff(pattern, &messages_on(&local, *line)),
            );
            continue;
        }
        let (matched, unmatched): (Vec<_>, Vec<_>) =
            on_line.into_iter().partition(|(_, m)| re.is_match(&m.text));
        if matched.is_empty() {
            shown_lines.push(*line);
            let got: Vec<&str> = unmatched.iter().map(|(_, m)| m.text.as_str()).collect();
            failures.push(
                Failure::new(
                    *line,
                    format!("no compile error on this line matches `{pattern}`"),
                )
                .with_diff(pattern, &got.join("\n")),
            );
        }
        left.extend(unmatched);
    }
    left.sort_by_key(|(i, _)| *i);
    for (_, m) in left {
        let line = line_of(m);
        // Go's runner lists it again; the failure above shows it already.
        if shown_lines.contains(&line) {
            continue;
        }
        let message = if claims.iter().any(|(l, _)| *l == line) {
            format!(
                "compile error at {doc}:{line} matched by no `// ERROR` pattern of its line: {}",
                m.text
            )
        } else {
            format!("unclaimed compile error at {doc}:{line}: {}", m.text)
        };
        failures.push(Failure::new(line, message));
    }
    if !elsewhere.is_empty() || local.is_empty() {
        let text: Vec<String> = elsewhere
            .iter()
            .map(|m| match &m.at {
                Some((f, l)) => format!("{f}:{l}: {}", m.text),
                None => m.text.clone(),
            })
            .collect();
        let shown = if text.is_empty() {
            outcome.diagnostics.trim().to_string()
        } else {
            text.join("\n")
        };
        failures.push(
            Failure::new(
                snippet.line,
                "the build failed outside the snippet's own lines, where no `// ERROR` can claim it",
            )
            .with_diff("", &shown),
        );
    }
    failures
}

/// The output as a diff against an elided claim shows it: each output line that a claimed line
/// with `[..]` matches (paired by the longest common subsequence under that match) is shown as
/// the claimed line, so the diff marks only the lines that really differ.
pub fn align_elided(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    // Past a few million cells the plain output is shown; diffs are cut long before that.
    if !want.contains("[..]") || w.len().saturating_mul(g.len()) > 4_000_000 {
        return got.to_string();
    }
    let eq = |i: usize, j: usize| w[i].trim() != "..." && line_matches(w[i], g[j]);
    // lcs[i][j]: the longest common subsequence of w[i..] and g[j..].
    let mut lcs = vec![vec![0u32; g.len() + 1]; w.len() + 1];
    for i in (0..w.len()).rev() {
        for j in (0..g.len()).rev() {
            lcs[i][j] = if eq(i, j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut shown: Vec<&str> = g.clone();
    let (mut i, mut j) = (0, 0);
    while i < w.len() && j < g.len() {
        if eq(i, j) && lcs[i][j] == lcs[i + 1][j + 1] + 1 {
            shown[j] = w[i];
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let mut out = shown.join("\n");
    if got.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `// Unordered output:`: every claimed line matches a line of its own in the output (`[..]`
/// elides within a line), and no output line is left over.
pub fn unordered_match(want: &str, got: &str) -> bool {
    if !want.contains("[..]") {
        return want == got;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    unordered_pairs(&w, &g).is_some()
}

/// For each output line, the claimed line it is paired with, when every claimed line pairs with
/// an output line of its own and none is left over. A claimed line with `[..]` may match several
/// output lines, so they are paired by augmenting paths (Kuhn's matching) rather than greedily,
/// which could pair a broad pattern with the only line a narrow one matches.
fn unordered_pairs(w: &[&str], g: &[&str]) -> Option<Vec<usize>> {
    if w.len() != g.len() {
        return None;
    }
    pairing(w, g).into_iter().collect()
}

/// A maximum pairing of claimed lines `w` with output lines `g`: for each output line, the
/// claimed line it is paired with, if any.
fn pairing(w: &[&str], g: &[&str]) -> Vec<Option<usize>> {
    let edges: Vec<Vec<usize>> = w
        .iter()
        .map(|wl| (0..g.len()).filter(|&j| line_matches(wl, g[j])).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; g.len()];
    fn pair(
        i: usize,
        edges: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &j in &edges[i] {
            if !seen[j] {
                seen[j] = true;
                if owner[j].is_none_or(|k| pair(k, edges, seen, owner)) {
                    owner[j] = Some(i);
                    return true;
                }
            }
        }
        false
    }
    for i in 0..w.len() {
        pair(i, &edges, &mut vec![false; g.len()], &mut owner);
    }
    owner
}

/// The output of a failed `// Unordered output:` claim as its diff shows it: sorted, with each
/// line that a claimed `[..]` line matched shown as that claimed line, so the diff marks only
/// the lines nothing matched (as `align_elided` does for `// Output:`).
fn unordered_shown(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    if !want.contains("[..]") || w.len().saturating_mul(g.len()) > 4_000_000 {
        return got.to_string();
    }
    let mut shown: Vec<&str> = pairing(&w, &g)
        .iter()
        .zip(&g)
        .map(|(i, g)| i.map_or(*g, |i| w[i]))
        .collect();
    shown.sort_unstable();
    shown.join("\n")
}

/// The record of a stdout that an `// Unordered output:` claim with `[..]` holds for: its lines
/// sorted, each line that a claimed line with `[..]` matched replaced by that claimed line, so
/// what the claim elides (which worker took which job) is not recorded to differ between runs.
/// `None` when the claim elides nothing or does not hold.
pub fn unordered_with_elisions(claim: &str, output: &str) -> Option<String> {
    if !claim.contains("[..]") {
        return None;
    }
    let lines =
        |s: &str| -> Vec<String> { s.trim().lines().map(|l| l.trim().to_string()).collect() };
    let (w, g) = (lines(claim), lines(output));
    let (wr, gr): (Vec<&str>, Vec<&str>) = (
        w.iter().map(String::as_str).collect(),
        g.iter().map(String::as_str).collect(),
    );
    let owner = unordered_pairs(&wr, &gr)?;
    let mut kept: Vec<&str> = owner
        .iter()
        .zip(&gr)
        .map(|(&i, g)| if wr[i].contains("[..]") { wr[i] } else { *g })
        .collect();
    kept.sort_unstable();
    Some(kept.iter().map(|l| format!("{l}\n")).collect())
}

/// A record's text with the elisions of the claim that holds for it: where a claimed line with
/// `[..]` matches the output's line, the record keeps the claimed line, so what the claim says
/// varies (a time, an address) is not recorded to go stale. Only when claim and output have the
/// same lines one for one (no `...`); otherwise `None`, and the output is recorded as it is.
pub fn with_elisions(claim: &str, output: &str) -> Option<String> {
    let claim = claim.trim();
    if !claim.contains("[..]") || claim.lines().any(|l| l.trim() == "...") {
        return None;
    }
    let trimmed = output.trim();
    let (w, g): (Vec<&str>, Vec<&str>) = (claim.lines().collect(), trimmed.lines().collect());
    if w.len() != g.len() || !w.iter().zip(&g).all(|(w, g)| line_matches(w, g)) {
        return None;
    }
    // The output's own leading and trailing space (which claims do not see) stays as it was.
    let start = output.find(trimmed).unwrap_or(0);
    let (before, after) = (&output[..start], &output[start + trimmed.len()..]);
    let lines: Vec<&str> = w
        .iter()
        .zip(&g)
        .map(|(w, g)| if w.contains("[..]") { *w } else { *g })
        .collect();
    Some(format!("{before}{}{after}", lines.join("\n")))
}

/// The compile errors at `line`, one a line, for a failure's diff.
fn messages_on(messages: &[Message], line: usize) -> String {
    let texts: Vec<&str> = messages
        .iter()
        .filter(|m| m.at.as_ref().is_some_and(|(_, l)| *l == line))
        .map(|m| m.text.as_str())
        .collect();
    if texts.is_empty() {
        "(no compile error on this line)".to_string()
    } else {
        texts.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elision_of_lines() {
        assert!(elided_match("a\n...\nd", "a\nb\nc\nd"));
        assert!(elided_match("a\n...\nd", "a\nd"));
        assert!(elided_match("...", ""));
        assert!(elided_match("...\nlast", "x\ny\nlast"));
        assert!(!elided_match("a\n...\nd", "a\nb\nc"));
        assert!(!elided_match("a\nd", "a\nb\nd"));
    }

    #[test]
    fn elision_within_a_line() {
        assert!(elided_match("ptr=0x[..] ok", "ptr=0xc000012345 ok"));
        assert!(elided_match("[..]", "anything"));
        assert!(!elided_match("ptr=[..] ok", "ptr=1 no"));
        assert!(elided_match("a(x) [..]\n...\nz", "a(x) 1\nq\nz"));
        assert!(
            !elided_match("a(x)", "a x"),
            "regexp characters are literal"
        );
    }

    #[test]
    fn contains_with_elision() {
        assert!(contains_elided(
            "index out of range [5] with length 3",
            "index out of range [..] with length 3"
        ));
        assert!(contains_elided("abc", "b"));
        assert!(!contains_elided("abc", "x[..]c"));
    }

    /// A snippet of `code` at line 10 of doc.md (code from line 11), with its claims parsed,
    /// checked against a failed build that printed `diagnostics`.
    fn errorcheck(code: &str, diagnostics: &str) -> Vec<(usize, String)> {
        let snippet = Snippet {
            id: "s".into(),
            doc: "doc.md".into(),
            line: 10,
            code_line: 11,
            title: String::new(),
            item: String::new(),
            attrs: Default::default(),
            code: code.into(),
            claims: crate::claims::grammar::parse_claims(code, 11).unwrap(),
            problem: None,
        };
        let outcome = Outcome {
            class: Class::CompileError,
            exit_status: None,
            stdout: String::new(),
            stderr: String::new(),
            diagnostics: diagnostics.into(),
            vet: String::new(),
            tests: Default::default(),
            coverage: None,
            signal: None,
        };
        check_claims(&snippet, &outcome)
            .into_iter()
            .map(|f| (f.line, f.message))
            .collect()
    }

    #[test]
    fn a_snippet_that_claims_compile_errors_cannot_claim_what_it_prints() {
        let code = "var a int = \"x\" // ERROR \"cannot use\"\nfmt.Println(a)\n// Output: x\n";
        let diag = "doc.md:11:13: cannot use \"x\" (untyped string constant) as int value in variable declaration\n";
        let f = errorcheck(code, diag);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 13);
        assert!(f[0].1.contains("`// Output:` cannot hold"), "{f:?}");
    }

    #[test]
    fn every_error_of_a_claimed_line_must_be_matched() {
        let code = "var a int = \"x\"; var b string = 1 // ERROR \"cannot use .x.\"\n";
        let two = "doc.md:11:13: cannot use \"x\" (untyped string constant) as int value in variable declaration\n\
                   doc.md:11:33: cannot use 1 (untyped int constant) as string value in variable declaration\n";
        let f = errorcheck(code, two);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 11);
        assert!(
            f[0].1
                .contains("matched by no `// ERROR` pattern of its line: cannot use 1"),
            "{f:?}"
        );
        // One pattern for each, or one that matches both.
        let both =
            "var a int = \"x\"; var b string = 1 // ERROR \"cannot use .x.\" \"cannot use 1\"\n";
        assert_eq!(errorcheck(both, two), vec![]);
        assert_eq!(errorcheck("x // ERROR \"cannot use\"\n", two), vec![]);
    }

    #[test]
    fn each_pattern_needs_an_error_no_pattern_before_it_took() {
        let one = "doc.md:11:6: declared and not used: x\n";
        let f = errorcheck("x := 1 // ERROR \"declared\" \"not used\"\n", one);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("matched by a pattern before it"), "{f:?}");
        let f = errorcheck("x := 1\ny := 2 // ERROR \"declared\"\n", one);
        assert!(
            f.iter()
                .any(|(l, m)| *l == 12 && m.contains("there is no compile error on this line")),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|(l, m)| *l == 11 && m.contains("unclaimed compile error at doc.md:11")),
            "{f:?}"
        );
        let f = errorcheck("x := 1 // ERROR \"used: y\"\n", one);
        assert_eq!(
            f,
            vec![(
                11,
                "no compile error on this line matches `used: y`".to_string()
            )]
        );
    }

    #[test]
    fn continuation_lines_belong_to_the_message() {
        let out = "# snipcheck.local/s3\ndoc.md:11:30: not enough return values\n\thave (number)\n\twant (int, int)\n";
        let code = "func f() (int, int) { return 1 } // ERROR \"not enough return values\\n\\thave \\(number\\)\"\n";
        assert_eq!(errorcheck(code, out), vec![]);
        // `$` is the end of the whole message, as in Go's runner.
        let f = errorcheck("f() // ERROR \"return values$\"\n", out);
        assert_eq!(f.len(), 1, "{f:?}");
        // A continuation into GOROOT is part of the message; LINE names a position.
        let out =
            "doc.md:12:6: x redeclared in this block\n\tdoc.md:11:6: other declaration of x\n";
        let code = "var x int\nvar x int // ERROR \"LINE-1:6: other declaration of x\"\n";
        assert_eq!(errorcheck(code, out), vec![]);
    }

    #[test]
    fn an_error_outside_the_document_fails_the_claims() {
        let out =
            "doc.md:11:6: declared and not used: x\nmain.go:3:8: \"os\" imported and not used\n";
        let f = errorcheck("x := 1 // ERROR \"declared\"\n", out);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 10);
        assert!(f[0].1.contains("outside the snippet's own lines"), "{f:?}");
        // Nor can an error at an `<autogenerated>` position be claimed.
        let out = "doc.md:11:6: declared and not used: x\n<autogenerated>:1: oops\n";
        let f = errorcheck("x := 1 // ERROR \"declared\"\n", out);
        assert!(f[0].1.contains("outside the snippet's own lines"), "{f:?}");
        // The go command's progress is not an error.
        let out = "go: finding module for package example.com/x\ndoc.md:11:8: cannot find module providing package example.com/x\n";
        assert_eq!(
            errorcheck(
                "import \"example.com/x\" // ERROR \"cannot find module\"\n",
                out
            ),
            vec![]
        );
    }

    #[test]
    fn a_runtime_error_is_a_panic() {
        assert!(class_holds(Class::Panic, Class::RuntimeError));
        assert!(!class_holds(Class::RuntimeError, Class::Panic));
        assert!(!class_holds(Class::Ok, Class::Panic));
    }

    #[test]
    fn unordered_output_honours_elision() {
        assert!(unordered_match("a\nb [..]", "b 2\na"));
        assert!(!unordered_match("a\nb [..]", "c 2\na"));
        // A broad pattern must not take the only line a narrow one matches.
        assert!(unordered_match("[..]\nx1", "x1\ny"));
        assert!(!unordered_match("a\na", "a\nb"));
        // Two runs that give the jobs to other workers record the same text.
        let claim = "worker [..] took job 2\nworker [..] took job 1\ndone";
        let a = unordered_with_elisions(claim, "worker 1 took job 1\nworker 2 took job 2\ndone\n");
        let b = unordered_with_elisions(claim, "done\nworker 2 took job 1\nworker 1 took job 2\n");
        assert_eq!(
            a.as_deref(),
            Some("done\nworker [..] took job 1\nworker [..] took job 2\n")
        );
        assert_eq!(a, b);
        // Not when the claim does not hold, or elides nothing.
        assert_eq!(
            unordered_with_elisions(claim, "worker 1 took job 3\nworker 2 took job 2\ndone\n"),
            None
        );
        assert_eq!(unordered_with_elisions("a\nb", "b\na\n"), None);
        // A failed claim's diff shows the lines a `[..]` line matched as that line.
        assert_eq!(
            unordered_shown("w [..] job 1\nw [..] job 2", "w 3 job 2\nw 1 job 7"),
            "w 1 job 7\nw [..] job 2"
        );
    }

    #[test]
    fn records_take_the_elisions_of_a_claim_that_holds() {
        assert_eq!(
            with_elisions("now: [..]\nok", "now: 10:21:07\nok\n").as_deref(),
            Some("now: [..]\nok\n")
        );
        assert_eq!(with_elisions("now: [..]", "then: 1\n"), None);
        assert_eq!(with_elisions("a\n...\n[..]", "a\nb\nc\n"), None);
        assert_eq!(with_elisions("no elision", "no elision\n"), None);
    }

    #[test]
    fn a_diff_lines_the_elided_lines_up() {
        let want = "start\nat [..]\nend";
        let got = "start\nat 10:21\nEND\n";
        assert_eq!(align_elided(want, got), "start\nat [..]\nEND\n");
        // A line the elision does not match stays as printed.
        assert_eq!(align_elided("x [..]", "y 1"), "y 1");
        assert_eq!(align_elided("no elision", "other"), "other");
    }
}
