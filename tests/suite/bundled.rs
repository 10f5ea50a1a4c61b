//! The bundled document: it verifies against its committed records, a wrong claim in it is
//! caught at its line, every item of it has been gone through, and the document's original
//! wrong claims (tests/fixtures/original-claims.md) are each flagged, at their lines, with the
//! outcome they really have.

use super::support::{copy, project, repo, snipcheck};

const DOC: &str = "snippets/go-qa-1021-1045.md";
const ORIGINAL: &str = "tests/fixtures/original-claims.md";
/// What a copy of the bundled document set needs: the document, its go.mod, records and config.
const BUNDLE: &[&str] = &[
    DOC,
    "snippets/go.mod",
    "snippets/go.sum",
    "snippets/tools",
    "expected",
    "snipcheck.toml",
];

#[test]
fn bundled_document_holds_against_its_records() {
    let dir = project(BUNDLE);
    let run = snipcheck(dir.path(), &["verify", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
}

#[test]
fn changing_one_claimed_output_line_fails_at_that_line() {
    let dir = project(BUNDLE);
    let path = dir.path().join(DOC);
    let text = std::fs::read_to_string(&path).unwrap();
    let (line_no, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| *l == "// [1 4 3]")
        .expect("item 1028 claims [1 4 3]");
    let line_no = line_no + 1;
    std::fs::write(&path, text.replacen("// [1 4 3]", "// [1 2 3]", 1)).unwrap();

    let run = snipcheck(dir.path(), &["verify", "--locked", "--filter", "1028"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let at = format!("{DOC}:{line_no}: `// Output:` does not hold");
    assert!(run.stdout.contains(&at), "wanted {at:?} in\n{}", run.stdout);
    assert!(run.stdout.contains("-[1 2 3]\n") && run.stdout.contains("+[1 4 3]\n"));
    assert!(
        run.stdout.ends_with("2 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}

/// Every item 1021-1045 has been gone through: each has at least one snippet (a go or a
/// testscript block) or a visible `> **Unchecked (CLASS):**` line, and every such line says why
/// no code can check it here: a class `list` knows, and a reason.
#[test]
fn every_item_has_snippets_or_unchecked_markers() {
    let text = std::fs::read_to_string(repo().join(DOC)).unwrap();
    let mut items: Vec<(u32, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("### ") {
            let number: u32 = rest[..4]
                .parse()
                .expect("an item heading starts with its number");
            items.push((number, String::new()));
        } else if let Some((_, body)) = items.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    let numbers: Vec<u32> = items.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, (1021..=1045).collect::<Vec<_>>());
    for (number, body) in &items {
        let snippets = body
            .lines()
            .filter(|l| l.starts_with("```go") || l.starts_with("```testscript"))
            .count();
        let unchecked: Vec<&str> = body
            .lines()
            .filter(|l| l.starts_with("> **Unchecked"))
            .collect();
        assert!(
            snippets + unchecked.len() > 0,
            "item {number} has neither a snippet nor an Unchecked marker"
        );
        for marker in unchecked {
            let rest = marker.trim_start_matches("> **Unchecked (");
            let (class, reason) = rest.split_once("):**").unwrap_or(("", rest));
            assert!(
                snipcheck::document::extract::UNCHECKED_CLASSES
                    .iter()
                    .any(|(k, _)| *k == class),
                "item {number}: an Unchecked marker without a known class: {marker:?}"
            );
            assert!(
                reason.trim().len() > 10,
                "item {number}: an Unchecked marker without a reason: {marker:?}"
            );
        }
    }
}

/// One wrong original claim: its snippet id, the outcome class it really has, and lines of the
/// fixture (by their text, first match after the snippet's fence) that the failure must cite.
struct Wrong {
    id: &'static str,
    class: &'static str,
    cites: &'static [&'static str],
}

const WRONG: &[Wrong] = &[
    Wrong {
        id: "1022",
        class: "fatal",
        cites: &["// Output:", "for v := range out2 {"],
    },
    Wrong {
        id: "1028",
        class: "compile_error",
        cites: &["// Output: [1 4 3]", "append(s[:1], 4)"],
    },
    Wrong {
        id: "1029",
        class: "compile_error",
        cites: &[
            "// Output: true",
            "fmt.Println(interface{}(*int(nil)) != nil)",
        ],
    },
    Wrong {
        id: "1031",
        class: "compile_error",
        cites: &["// Panic: close of nil channel", "close(nil)"],
    },
    Wrong {
        id: "1032",
        class: "ok",
        cites: &["// Output: len: 0 map shrank: true"],
    },
    Wrong {
        id: "1034",
        class: "compile_error",
        cites: &["func WithPort(p int) Option"],
    },
    Wrong {
        id: "1039",
        class: "ok",
        cites: &["// Output: crypto/rand key is all zeros: true"],
    },
    Wrong {
        id: "1040",
        class: "ok",
        cites: &["// ..."],
    },
    Wrong {
        id: "1041",
        class: "ok",
        cites: &["// Coverage: 100.0%"],
    },
    Wrong {
        id: "1043",
        class: "compile_error",
        cites: &["func (s *Svc) Register()"],
    },
    Wrong {
        id: "1044",
        class: "ok",
        cites: &["// Output: GET /items/42 -> 404"],
    },
    Wrong {
        id: "1045",
        class: "panic",
        cites: &["// Signal: SIGABRT"],
    },
];

/// The fixture's line of `### ID.`'s first snippet fence, and the first line after it whose
/// trimmed text starts with `text`.
fn fence_line(fixture: &str, id: &str) -> usize {
    let heading = format!("### {id}.");
    let lines: Vec<&str> = fixture.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&heading))
        .unwrap_or_else(|| panic!("no heading {heading:?} in the fixture"));
    start
        + lines[start..]
            .iter()
            .position(|l| l.starts_with("```go"))
            .unwrap_or_else(|| panic!("no snippet under {heading:?}"))
        + 1
}

fn line_after(fixture: &str, from: usize, text: &str) -> usize {
    fixture
        .lines()
        .enumerate()
        .skip(from)
        .find(|(_, l)| l.trim_start().starts_with(text))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no line {text:?} after line {from}"))
}

#[test]
fn original_wrong_claims_are_flagged_at_their_lines_with_their_outcome() {
    // The fixture imports go-cmp (1040), so it runs beside the document set's go.mod.
    let dir = project(&[ORIGINAL]);
    copy(&repo().join("snippets/go.mod"), &dir.path().join("go.mod"));
    copy(&repo().join("snippets/go.sum"), &dir.path().join("go.sum"));
    let records = tempfile::tempdir().unwrap();
    let run = snipcheck(
        dir.path(),
        &[
            "verify",
            ORIGINAL,
            "--expected",
            records.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let fixture = std::fs::read_to_string(repo().join(ORIGINAL)).unwrap();

    // The report, as (id, header line, outcome class, whole block).
    let mut fails: Vec<(String, usize, String, String)> = Vec::new();
    for block in run.stdout.split("\nFAIL  ").skip(1) {
        let mut lines = block.lines();
        let header = lines.next().unwrap();
        let mut words = header.split("  ");
        let place = words.next().unwrap();
        let id = words.next().unwrap().to_string();
        let line: usize = place
            .strip_prefix(&format!("{ORIGINAL}:"))
            .unwrap_or_else(|| panic!("a FAIL line outside the fixture: {header}"))
            .parse()
            .unwrap();
        let class = lines
            .next()
            .and_then(|l| l.trim().strip_prefix("outcome: "))
            .unwrap_or_else(|| panic!("no outcome under {header}"))
            .to_string();
        fails.push((id, line, class, block.to_string()));
    }

    let got: Vec<&str> = fails.iter().map(|(id, ..)| id.as_str()).collect();
    let want: Vec<&str> = WRONG.iter().map(|w| w.id).collect();
    assert_eq!(got, want, "{}", run.stdout);

    for (wrong, (id, line, class, block)) in WRONG.iter().zip(&fails) {
        let fence = fence_line(&fixture, id);
        assert_eq!(*line, fence, "{id} is reported at its fence\n{block}");
        assert_eq!(class, wrong.class, "{id}'s outcome class\n{block}");
        for text in wrong.cites {
            let cited = format!("{ORIGINAL}:{}", line_after(&fixture, fence, text));
            assert!(
                block.contains(&cited),
                "{id}: wanted {cited} ({text:?}) in\n{block}"
            );
        }
    }
    assert!(
        run.stdout
            .ends_with(&format!("0 passed, {} failed\n", WRONG.len())),
        "{}",
        run.stdout
    );
}
