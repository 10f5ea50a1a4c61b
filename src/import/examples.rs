//! Go testable examples (`func ExampleX()` with `// Output:` in a `_test.go` file) -> one `test`
//! snippet per package: a txtar archive of the package's files (and the module's go.mod), whose
//! claim names every example that `go test` runs and checks. `go test` compares each example's
//! output with its comment, so the claim holds exactly when the examples do.

use std::sync::LazyLock;

use regex::Regex;

static EXAMPLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^func (Example\w*)\(\)\s*\{").unwrap());
static OUTPUT_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*//\s*(unordered output|output):").unwrap());

/// The examples in a test file that `go test` runs: those with an output comment (an example
/// without one is only compiled). In the order of the file.
pub fn run_examples(test_file: &str) -> Vec<String> {
    let starts: Vec<(usize, String)> = EXAMPLE
        .captures_iter(test_file)
        .map(|c| (c.get(0).unwrap().start(), c[1].to_string()))
        .collect();
    let mut out = Vec::new();
    for (i, (start, name)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(test_file.len(), |(s, _)| *s);
        if OUTPUT_COMMENT.is_match(&test_file[*start..end]) {
            out.push(name.clone());
        }
    }
    out
}

/// The txtar archive of `files` (name, text), test files last so the claim ends a Go file.
pub fn archive(mut files: Vec<(String, String)>, examples: &[String]) -> String {
    files.sort_by_key(|(name, _)| (name.ends_with("_test.go"), name != "go.mod", name.clone()));
    let mut out = String::new();
    for (name, text) in &files {
        out.push_str(&format!("-- {name} --\n"));
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    if !examples.is_empty() {
        out.push_str(&format!("\n// Tests passed: {}\n", examples.join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_with_output_are_the_ones_run() {
        let f = "func ExampleArea() {\n\tfmt.Println(1)\n\t// Output: 1\n}\n\nfunc ExampleNoOutput() {\n\tArea()\n}\n\nfunc ExampleShape_Name() {\n\t// Unordered output:\n\t// a\n}\n";
        assert_eq!(run_examples(f), ["ExampleArea", "ExampleShape_Name"]);
    }

    #[test]
    fn test_files_come_last() {
        let a = archive(
            vec![
                ("x_test.go".into(), "package x\n".into()),
                ("x.go".into(), "package x".into()),
                ("go.mod".into(), "module m\n".into()),
            ],
            &["ExampleA".into()],
        );
        assert_eq!(
            a,
            "-- go.mod --\nmodule m\n-- x.go --\npackage x\n-- x_test.go --\npackage x\n\n// Tests passed: ExampleA\n"
        );
    }
}
