//! `// ERROR` claims as Go's test runner checks them (`errorCheck` and `wantedErrors` in
//! `cmd/internal/testdir`): every error of a claimed line matched, Go regexp syntax, continuation
//! lines, every pattern after `ERROR`, all errors (`-e`), malformed package clauses. Each rule
//! once holding and once failing; every failure must be reported at its Markdown line.

use super::support::{files, record_then_verify, repo, snipcheck, verify_failing};

const HOLD: &str = "tests/fixtures/errorcheck-hold.md";
const FAIL: &str = "tests/fixtures/errorcheck-fail.md";

#[test]
fn errorcheck_claims_hold() {
    let (run, _, tmp) = record_then_verify(HOLD);
    assert!(
        run.stdout.ends_with("18 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
    // `list` judges the claims against the records alone, and agrees.
    let exp = tmp.path().join("expected");
    let list = snipcheck(
        &repo(),
        &["list", "--expected", exp.to_str().unwrap(), HOLD],
        &[],
    );
    assert!(
        list.stdout.contains("18 snippets (18 hold, 0 fail,"),
        "{}{}",
        list.stdout,
        list.stderr
    );
}

/// Each snippet of the failing document (by its fence line) fails at the line of the claim that
/// does not hold, for the reason given.
#[test]
fn errorcheck_claims_fail_at_their_lines() {
    let (run, _) = verify_failing(FAIL, "0 passed, 16 failed");
    let cases: &[(usize, usize, &str)] = &[
        // Item 2: an error of a claimed line that no pattern of the line matches.
        (
            7,
            8,
            "compile error at tests/fixtures/errorcheck-fail.md:8 matched by no `// ERROR` pattern of its line: cannot use 1",
        ),
        // Item 2: each pattern needs an error of its own.
        (
            14,
            15,
            "no compile error on this line is left to match `not used`: every compile error on this line is matched by a pattern before it",
        ),
        // Item 2: an unused variable is an error of its line like any other.
        (
            20,
            22,
            "matched by no `// ERROR` pattern of its line: declared and not used: y",
        ),
        // Item 6: `-e` shows the errors after the tenth.
        (
            27,
            38,
            "unclaimed compile error at tests/fixtures/errorcheck-fail.md:38: cannot use \"11\"",
        ),
        // Item 3: `\<` is a literal `<` in Go, a word boundary in the regex crate.
        (
            43,
            44,
            r"no compile error on this line matches `undefined: \<T\>`",
        ),
        // Item 3: a literal brace is read, and the rest of the pattern does not match.
        (
            49,
            52,
            r"no compile error on this line matches `cannot use T{} \(value of struct type T\) as string value`",
        ),
        // Item 4: the message goes on with its continuation lines, so `$` is not after "values".
        (
            57,
            59,
            "no compile error on this line matches `not enough return values$`",
        ),
        // Item 5: a note after the patterns does not hide the claim ...
        (
            65,
            66,
            "expected a compile error matching `declared and not used` on this line, but the snippet compiled",
        ),
        // ... nor does GC_ERROR.
        (
            72,
            73,
            "expected a compile error matching `declared and not used` on this line, but the snippet compiled",
        ),
        // Item 6: an import the go command cannot resolve stops its build before the compiler
        // runs; the compiler's errors on the other lines are reported all the same.
        (
            85,
            91,
            "unclaimed compile error at tests/fixtures/errorcheck-fail.md:91: cannot use \"x\"",
        ),
        // Item 7: `package%` is a whole file whose clause is malformed.
        (
            79,
            80,
            "no compile error on this line matches `expected 'package'`",
        ),
        // Item 6: where the go command stopped loading, a line's error is in the compiler's
        // words when the compiler has its own, and the go command's do not match it ...
        (
            98,
            101,
            "no compile error on this line matches `malformed import path`",
        ),
        // ... a message of the go command's of several lines goes whole, and the compiler's
        // error at its line still has to be claimed ...
        (
            108,
            111,
            "unclaimed compile error at tests/fixtures/errorcheck-fail.md:111: invalid import path (invalid character U+000A)",
        ),
        // ... and where the compiler only says the go command gave it nothing (no files for
        // an embed pattern), the go command's error stands, to be claimed like any other.
        (
            119,
            124,
            "unclaimed compile error at tests/fixtures/errorcheck-fail.md:124: pattern nothere.txt: no matching files found",
        ),
        // An import that does not resolve, on a line where the compiler has its own words
        // for another error, is an error to claim all the same.
        (
            143,
            146,
            "matched by no `// ERROR` pattern of its line: could not import nosuchpkg (open : no such file or directory)",
        ),
        // The end of the file is the block's last line, not the closing fence.
        (
            134,
            134,
            "got a compile error at tests/fixtures/errorcheck-fail.md:138",
        ),
    ];
    for (fence, line, message) in cases {
        let block = run
            .stdout
            .split("\nFAIL  ")
            .find(|b| b.starts_with(&format!("{FAIL}:{fence} ")))
            .unwrap_or_else(|| {
                panic!(
                    "no failure for the snippet at line {fence}:\n{}",
                    run.stdout
                )
            });
        let at = format!("      {FAIL}:{line}: ");
        assert!(
            block
                .lines()
                .any(|l| l.starts_with(&at) && l.contains(message)),
            "the snippet at line {fence} does not fail at line {line} with\n{message}\n{block}"
        );
        let failures = block
            .lines()
            .filter(|l| l.starts_with(&format!("      {FAIL}:")))
            .count();
        assert_eq!(failures, 1, "one failure expected:\n{block}");
    }
}

/// Snippets that claim compile errors are built with `-e` in a batch of their own, or alone (a
/// failed load is compiled again by `go tool compile`): the records are the same both ways.
#[test]
fn errorcheck_records_are_the_same_built_together_or_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let record = |dir: &str, extra: &[&str]| {
        let exp = tmp.path().join(dir);
        let mut args = vec![
            "verify",
            "--accept",
            "--expected",
            exp.to_str().unwrap(),
            HOLD,
            FAIL,
        ];
        args.extend_from_slice(extra);
        let run = snipcheck(&repo(), &args, &[]);
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        exp
    };
    let together = record("together", &[]);
    let alone = record("alone", &["--no-merge"]);
    let names = files(&together);
    assert_eq!(names, files(&alone));
    assert_eq!(names.len(), 34, "{names:?}");
    for name in names {
        let a = std::fs::read_to_string(together.join(&name)).unwrap();
        let b = std::fs::read_to_string(alone.join(&name)).unwrap();
        assert_eq!(a, b, "{name} differs between a batch and an alone build");
    }
}

/// `// ERROR` patterns mean what they mean to Go: each pattern is compiled by Go's `regexp` and by
/// snipcheck's translation, and both must refuse it or both accept it and agree on every input.
/// The patterns are the translation's known differences and a few thousand built at random from
/// the characters where the dialects differ.
#[test]
fn patterns_mean_what_they_mean_to_go() {
    let mut patterns: Vec<String> = [
        r"cannot use T{} \(value of struct type T\) as int value",
        r"\[\]int{...} does not escape$",
        "a{",
        "a{01}",
        "a{,2}",
        "a{2}",
        "a{2,}",
        "a{2,3}?",
        "a{1001}",
        "a{2}{3}",
        "x**",
        r"\Qa.b",
        r"\Qa.b\E+",
        r"\d",
        r"\s",
        r"\w",
        r"\b",
        r"é\bx",
        r"\<T\>",
        r"\_",
        r"\101",
        r"\0",
        r"\12",
        r"\1",
        r"\8",
        r"\x41\x{42}",
        r"\x4",
        r"\u0041",
        r"\Z",
        r"\C",
        r"\pN\p{Greek}\PL\p{^Greek}",
        "[[]",
        "[]a]",
        "[a-]",
        "[a&&b]",
        "[a--b]",
        "[--/]",
        "[~~]",
        "[^]]",
        "[[:alpha:]]",
        "[[:^alpha:]]",
        "[[:alpha]",
        "[[:nope:]]",
        r"[\d-z]",
        r"[^\d]",
        r"[\b]",
        r"[\Q]",
        "(?i)DECLARED",
        "(?s)a.b",
        "(?m)^b$",
        "(?P<x>a)(?<y>b)(?:c)",
        "(?U)a+",
        "(?)a",
        "(?x)a",
        "(?-)a",
        "(?i-)a",
        "(?<>a)",
        "not enough return values$",
        "not enough return values\\n\\thave \\(number\\)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Characters where the two dialects differ, and some that are the same everywhere.
    let alphabet: Vec<&str> = vec![
        "a",
        "b",
        "T",
        "1",
        "0",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "\\",
        "*",
        "+",
        "?",
        "|",
        "^",
        "$",
        ".",
        ",",
        "-",
        ":",
        "&",
        "~",
        "<",
        ">",
        "d",
        "s",
        "w",
        "Q",
        "E",
        "p",
        "x",
        "n",
        " ",
        "é",
        "{1}",
        "{1,2}",
        "[:alpha:]",
        "\\Q",
        "\\E",
        "\\d",
        "\\b",
        "\\<",
        "(?i)",
        "\\x41",
        "\\101",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    for _ in 0..3000 {
        let len = 1 + next(8);
        patterns.push((0..len).map(|_| alphabet[next(alphabet.len())]).collect());
    }
    let inputs = [
        "",
        "a",
        "T{}",
        "<T>",
        "a{",
        "a{01}",
        "aa",
        "1",
        "٣",
        "é x",
        "[]int{...} does not escape",
        "not enough return values\n\thave (number)\n\twant (int, int)",
        "A b\nB",
        "a.b&-~:[]{}",
        "\u{0B} \u{0C}",
        "Qx E",
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module oracle\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.path().join("main.go"),
        r#"package main

import (
	"encoding/json"
	"os"
	"regexp"
)

// Reads {"patterns": [...], "inputs": [...]}; writes, per pattern, null when regexp.Compile
// refuses it, else whether it matches each input.
func main() {
	var in struct{ Patterns, Inputs []string }
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := make([][]bool, len(in.Patterns))
	for i, p := range in.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			continue
		}
		out[i] = []bool{}
		for _, s := range in.Inputs {
			out[i] = append(out[i], re.MatchString(s))
		}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
"#,
    )
    .unwrap();
    let mut go = std::process::Command::new("go")
        .args(["run", "."])
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("go run");
    let request = serde_json::json!({ "patterns": patterns, "inputs": inputs });
    serde_json::to_writer(go.stdin.take().unwrap(), &request).unwrap();
    let out = go.wait_with_output().unwrap();
    assert!(out.status.success(), "the Go oracle failed");
    let go_says: Vec<Option<Vec<bool>>> = serde_json::from_slice(&out.stdout).unwrap();
    let mut differ = Vec::new();
    for (p, want) in patterns.iter().zip(go_says) {
        let got = snipcheck::claims::goregexp::compile(p)
            .ok()
            .map(|re| inputs.iter().map(|s| re.is_match(s)).collect::<Vec<_>>());
        if got != want {
            differ.push(format!("{p:?}: Go {want:?}, snipcheck {got:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} patterns differ:\n{}",
        differ.len(),
        patterns.len(),
        differ.join("\n")
    );
}
