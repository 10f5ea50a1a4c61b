//! The claim grammar: the comments at the end of a snippet -> `Claim`s. `// Output:` and its
//! lines, `// Stderr:`, `// Unordered output:`, `// Panic:`, `// Fatal:`, `// Exit:`, the test
//! and tool claims, each optionally about particular Go versions (`// Output (go1.21):`); and
//! `// ERROR "REGEXP"` at the end of a code line, read as Go's test runner reads it. A new claim
//! kind is parsed here (its word in `CLAIM_HEADER`) and checked in `compare`.

use std::sync::LazyLock;

use regex::Regex;

use crate::snippet::{Claim, ClaimKind, GoSpec, ReleaseRange, TestStatus};

static CLAIM_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^//\s*(unordered output|output|stderr|panic|fatal|exit|race|vet|tests passed|tests failed|tests skipped|tests run|coverage|signal)(?:\s*\(\s*([^)]*?)\s*\))?:(.*)$")
        .unwrap()
});
/// `// ERROR` or `// GC_ERROR` (which Go's runner reads alike: snipcheck builds with gc), as in
/// Go's `wantedErrors`; the patterns are every quoted or back-quoted string after it.
static ERROR_CLAIM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"//\s*(?:GC_)?ERROR(?:\s+(.*))?$").unwrap());

/// The patterns of one line's `// ERROR` claim, as Go's test runner reads them (`wantedErrors`
/// in `cmd/internal/testdir`): `None` when the line claims nothing (no `ERROR`, or a `////`
/// anywhere on it, which disables the claim). Every `"..."` and `` `...` `` after `ERROR` is a
/// pattern, wherever it stands, so no pattern is silently dropped: text between them (`// a
/// note`) is skipped. Inside `"..."` the text is taken as written, as Go's runner takes it
/// (`\(` is the regexp's escape), except that `\"` stands for a quote, which Go's runner cannot
/// put in a pattern at all.
pub fn error_patterns(line: &str) -> Option<Result<Vec<String>, String>> {
    if line.contains("////") {
        return None;
    }
    let claim = ERROR_CLAIM.captures(line)?;
    let rest = claim.get(1).map_or("", |m| m.as_str());
    let mut patterns = Vec::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut p = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.next() {
                            Some('"') => p.push('"'),
                            Some(n) => {
                                p.push('\\');
                                p.push(n);
                            }
                            None => p.push('\\'),
                        },
                        c => p.push(c),
                    }
                }
                // An unclosed quote is no pattern, as in Go's runner.
                if closed {
                    patterns.push(p);
                }
            }
            '`' => {
                let mut p = String::new();
                for c in chars.by_ref() {
                    if c == '`' {
                        patterns.push(std::mem::take(&mut p));
                        break;
                    }
                    p.push(c);
                }
            }
            _ => {}
        }
    }
    if patterns.is_empty() {
        return Some(Err(
            "`// ERROR` without a pattern: write `// ERROR \"REGEXP\"` (or `////` to disable it, as in Go's test runner)".into(),
        ));
    }
    Some(Ok(patterns))
}

/// The releases an `// ERROR (before go1.22) "REGEXP"` claim is about (`None`: every release).
/// Go's runner skips the text between `ERROR` and the patterns, so such a line means the same
/// to it as one without the parentheses.
fn error_releases(line: &str) -> Result<Option<ReleaseRange>, String> {
    static QUALIFIED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"//\s*(?:GC_)?ERROR\s+\(([^)"`]*)\)"#).unwrap());
    let Some(q) = QUALIFIED.captures(line) else {
        return Ok(None);
    };
    match qualifier(&q[1]) {
        Some((None, Some(release))) => Ok(Some(release)),
        _ => Err(format!(
            "`// ERROR ({})`: write the Go releases the error is about, like `// ERROR (before go1.22) \"REGEXP\"` or (from go1.25); a language version does not key an ERROR claim (give that version a block of its own with `go=1.21`)",
            &q[1]
        )),
    }
}

/// The pattern with each `LINE`, `LINE+N` and `LINE-N` replaced by `doc:line` (the line the
/// claim stands on, plus or minus N), as Go's runner does before compiling it, so that a
/// pattern can name a position: `LINE-1:\d+: other declaration of x`.
pub fn with_line(pattern: &str, doc: &str, line: usize) -> String {
    static LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"LINE(?:([+-])(\d+))?").unwrap());
    LINE.replace_all(pattern, |c: &regex::Captures| {
        let delta: usize = c.get(2).and_then(|d| d.as_str().parse().ok()).unwrap_or(0);
        let n = match c.get(1).map(|m| m.as_str()) {
            Some("-") => line.saturating_sub(delta),
            _ => line.saturating_add(delta),
        };
        // Quoted, so that a document path is matched as written.
        format!("{}:{n}", regex::escape(doc))
    })
    .into_owned()
}

/// Parses the claims of one block. `first_line` is the Markdown line of the block's first code
/// line. Errors carry the Markdown line they are about.
pub fn parse_claims(code: &str, first_line: usize) -> Result<Vec<Claim>, (usize, String)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut claims = Vec::new();

    for (i, l) in lines.iter().enumerate() {
        if let Some(found) = error_patterns(l) {
            let release = error_releases(l).map_err(|e| (first_line + i, e))?;
            for re in found.map_err(|e| (first_line + i, e))? {
                // Go's runner puts `file:line` for `LINE` before compiling; any line will do
                // to see whether the pattern compiles.
                if let Err(e) = crate::claims::goregexp::compile(&with_line(&re, "doc.md", 1)) {
                    return Err((first_line + i, format!("bad regexp in // ERROR: {e}")));
                }
                claims.push(Claim {
                    line: first_line + i,
                    kind: ClaimKind::CompileError(re),
                    go: None,
                    release,
                });
            }
        }
    }

    let Some((start, end)) = trailing_comments(&lines) else {
        return Ok(claims);
    };
    let Some(first) = (start..end).find(|&i| CLAIM_HEADER.is_match(lines[i].trim())) else {
        return Ok(claims);
    };
    let mut i = first;
    let mut saw_output = Vec::new();
    let mut saw_stderr = Vec::new();
    while i < end {
        let line_no = first_line + i;
        let text = lines[i].trim();
        if text.is_empty() {
            i += 1;
            continue;
        }
        let Some(h) = CLAIM_HEADER.captures(text) else {
            return Err((
                line_no,
                "this comment sits among the claims but is not one; move it above the first claim"
                    .into(),
            ));
        };
        let head = h[1].to_ascii_lowercase();
        let (go, release) = match h.get(2) {
            None => (None, None),
            Some(spec) => qualifier(spec.as_str()).ok_or_else(|| {
                (
                    line_no,
                    format!(
                        "`({})`: write the Go language versions a claim is about like (go1.21) or (go1.22+), the Go releases like (before go1.22) or (from go1.22), or one of each: (go1.21, from go1.22)",
                        spec.as_str()
                    ),
                )
            })?,
        };
        let rest = h[3].trim().to_string();
        i += 1;
        let kind = match head.as_str() {
            "output" | "unordered output" | "stderr" => {
                let (saw, what) = match head.as_str() {
                    "stderr" => (&mut saw_stderr, "stderr"),
                    _ => (&mut saw_output, "output"),
                };
                if saw.contains(&(go, release)) {
                    return Err((
                        line_no,
                        format!(
                            "a snippet has at most one {what} claim (per Go version and release range)"
                        ),
                    ));
                }
                saw.push((go, release));
                let mut body = vec![rest];
                // Standard error holds the runtime's own `panic: ...` lines: there only a claim
                // word with a capital (`// Panic:`) ends the text.
                let ends = |l: &str| match CLAIM_HEADER.captures(l.trim()) {
                    Some(h) if head == "stderr" => h[1].starts_with(|c: char| c.is_uppercase()),
                    Some(_) => true,
                    None => false,
                };
                while i < end && !ends(lines[i]) {
                    body.push(comment_text(lines[i]).to_string());
                    i += 1;
                }
                let body = body.join("\n").trim().to_string();
                if head == "output" {
                    ClaimKind::Output(body)
                } else if head == "stderr" {
                    ClaimKind::Stderr(body)
                } else {
                    ClaimKind::UnorderedOutput(body)
                }
            }
            "panic" | "fatal" if rest.is_empty() => {
                return Err((
                    line_no,
                    format!("`// {}:` needs the text the message contains", &h[1]),
                ));
            }
            "vet" if rest.is_empty() => {
                return Err((
                    line_no,
                    "`// Vet:` needs the text the finding contains".into(),
                ));
            }
            "tests passed" | "tests failed" | "tests skipped" | "tests run" => {
                let names: Vec<String> = rest.split_whitespace().map(String::from).collect();
                if names.is_empty() && head != "tests run" {
                    return Err((
                        line_no,
                        format!("`// {}:` needs the names of the tests", &h[1]),
                    ));
                }
                match head.as_str() {
                    "tests passed" => ClaimKind::Tests(TestStatus::Pass, names),
                    "tests failed" => ClaimKind::Tests(TestStatus::Fail, names),
                    "tests skipped" => ClaimKind::Tests(TestStatus::Skip, names),
                    _ => ClaimKind::TestsRun(names),
                }
            }
            "coverage" => match rest.trim_end_matches('%').trim().parse::<f64>() {
                Ok(c) => ClaimKind::Coverage(c),
                Err(_) => {
                    return Err((
                        line_no,
                        format!("`// Coverage: {rest}`: write a figure like 75.0%"),
                    ));
                }
            },
            "signal" if rest.is_empty() => {
                return Err((
                    line_no,
                    "`// Signal:` needs the signal's name, e.g. SIGKILL".into(),
                ));
            }
            "signal" => ClaimKind::Signal(rest),
            "panic" => ClaimKind::Panic(rest),
            "race" => ClaimKind::Race(rest),
            "vet" => ClaimKind::Vet(rest),
            "fatal" => ClaimKind::Fatal(rest),
            "exit" => match rest.parse::<i32>() {
                Ok(n) => ClaimKind::Exit(n),
                Err(_) => {
                    return Err((
                        line_no,
                        format!("`// Exit: {rest}`: the exit status must be a whole number"),
                    ));
                }
            },
            _ => unreachable!("CLAIM_HEADER matches only these"),
        };
        claims.push(Claim {
            line: line_no,
            kind,
            go,
            release,
        });
    }
    Ok(claims)
}

/// What stands between a claim word's parentheses: a language version (`go1.21`, `go1.22+`), a
/// release range (`before go1.22`, `from go1.22`), or one of each separated by a comma.
fn qualifier(spec: &str) -> Option<(Option<GoSpec>, Option<ReleaseRange>)> {
    let (mut go, mut release) = (None, None);
    for part in spec.split(',').map(str::trim) {
        if part.starts_with("from ") || part.starts_with("before ") {
            if release.is_some() {
                return None;
            }
            release = Some(ReleaseRange::parse(part)?);
        } else {
            if go.is_some() {
                return None;
            }
            go = Some(GoSpec::parse(part)?);
        }
    }
    Some((go, release))
}

/// The run of comment lines that ends the snippet: either its last lines, or the last lines
/// before a final closing brace (the end of `main` in a whole program, where Go's examples put
/// their `// Output:`). Blank lines inside the run are allowed.
fn trailing_comments(lines: &[&str]) -> Option<(usize, usize)> {
    let is_comment = |l: &str| l.trim_start().starts_with("//");
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    if end > 0 && !is_comment(lines[end - 1]) && lines[end - 1].trim() == "}" {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && (is_comment(lines[start - 1]) || lines[start - 1].trim().is_empty()) {
        start -= 1;
    }
    (start < end).then_some((start, end))
}

/// The text of a `//` comment line, less the marker and one space, as Go's `CommentGroup.Text`.
fn comment_text(line: &str) -> &str {
    let t = line.trim_start();
    let t = t.strip_prefix("//").unwrap_or(t);
    t.strip_prefix(' ').unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snippet::GoVersion;

    #[test]
    fn an_error_claim_can_be_about_some_releases() {
        let code = "import \"math/rand/v2\" // ERROR (before go1.22) \"math/rand/v2\"\nx() // ERROR \"y\"\n";
        let claims = parse_claims(code, 10).unwrap();
        assert_eq!(claims.len(), 2);
        assert_eq!(claims[0].qualifier().as_deref(), Some("before go1.22"));
        assert_eq!(
            claims[0].kind,
            ClaimKind::CompileError("math/rand/v2".into())
        );
        assert_eq!(claims[1].qualifier(), None);
        for bad in [
            "x // ERROR (go1.21) \"y\"",
            "x // ERROR (after go1.22) \"y\"",
        ] {
            let err = parse_claims(bad, 3).unwrap_err();
            assert_eq!(err.0, 3, "{bad}");
            assert!(err.1.contains("(before go1.22)"), "{bad}: {}", err.1);
        }
    }

    #[test]
    fn claims_about_releases_and_language_versions() {
        let code = "fmt.Println(1)\n\
                    // Output (before go1.22): 3\n\
                    // Output (from go1.22 before go1.25.2): 0\n\
                    // Output (go1.21, from go1.25.2): 3\n";
        let claims = parse_claims(code, 10).unwrap();
        let r = |i: usize| claims[i].release.unwrap();
        assert_eq!(claims[0].line, 11);
        assert!(r(0).holds_for((1, 21, 13)) && !r(0).holds_for((1, 22, 0)));
        assert!(r(1).holds_for((1, 22, 0)) && r(1).holds_for((1, 25, 1)));
        assert!(!r(1).holds_for((1, 25, 2)));
        assert_eq!(claims[2].go.map(|g| g.version), Some(GoVersion(1, 21)));
        assert_eq!(claims[2].qualifier().unwrap(), "go1.21, from go1.25.2");
        assert_eq!(
            claims[1].qualifier().unwrap(),
            "from go1.22 before go1.25.2"
        );
        for bad in [
            "after go1.22",
            "from 1.22",
            "before go1.22, before go1.23",
            "go1.21, go1.22",
        ] {
            let err = parse_claims(&format!("x()\n// Output ({bad}): 1\n"), 1).unwrap_err();
            assert_eq!(err.0, 2, "{bad}");
            assert!(err.1.contains("(before go1.22)"), "{bad}: {}", err.1);
        }
        // Two output claims about the same releases contradict each other.
        let twice = "x()\n// Output (from go1.22): 1\n// Output (from go1.22): 2\n";
        assert!(
            parse_claims(twice, 1)
                .unwrap_err()
                .1
                .contains("at most one output")
        );
    }
}
