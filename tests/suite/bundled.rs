//! The bundled document: it verifies against its committed records, and a wrong claim in it is
//! caught at its line.

use super::support::{project, snipcheck};

const DOC: &str = "snippets/go-qa-1021-1045.md";

#[test]
fn bundled_document_holds_against_its_records() {
    let dir = project(&[DOC, "expected", "snipcheck.toml"]);
    let run = snipcheck(dir.path(), &["verify", "--locked"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
}

#[test]
fn changing_one_claimed_output_line_fails_at_that_line() {
    let dir = project(&[DOC, "expected", "snipcheck.toml"]);
    let path = dir.path().join(DOC);
    let text = std::fs::read_to_string(&path).unwrap();
    let (line_no, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| *l == "// [1 4 3]")
        .expect("item 1028 claims [1 4 3]");
    let line_no = line_no + 1;
    std::fs::write(&path, text.replacen("// [1 4 3]", "// [1 2 3]", 1)).unwrap();

    let run = snipcheck(dir.path(), &["verify", "--locked"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let at = format!("{DOC}:{line_no}: `// Output:` does not hold");
    assert!(run.stdout.contains(&at), "wanted {at:?} in\n{}", run.stdout);
    assert!(run.stdout.contains("-[1 2 3]\n") && run.stdout.contains("+[1 4 3]\n"));
    assert!(
        run.stdout.ends_with("15 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}
