//! Go's txtar archive format (golang.org/x/tools/txtar): a free-form comment, then files, each
//! introduced by a `-- NAME --` marker line. Documentation uses it to show a whole module (go.mod,
//! several files, testdata) in one code block, the same way Go's own tests do.
//!
//! Go's parser accepts any input. This one refuses names that could not be written safely under
//! a scratch directory (absolute, `..`, backslashes, empty) and names given twice, because the
//! caller turns names into paths and a silently dropped or overwritten file would make a snippet
//! pass or fail for the wrong reason. Errors carry the 0-based line of the offending marker so
//! the caller can point into the Markdown document.

use std::collections::HashMap;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Slash-separated relative path, e.g. `testdata/in.txt`.
    pub name: String,
    /// The content, always ending in a line ending unless empty.
    pub data: String,
    /// 0-based index within the input of the first line of `data` (the line after the marker),
    /// so that a compiler position `name:N` maps to input line `line + N - 1`.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Archive {
    /// Everything before the first marker.
    pub comment: String,
    pub files: Vec<File>,
}

/// True when the first non-blank line is a file marker. Callers use this to tell an archive
/// from a single Go file; requiring the marker first (rather than anywhere) keeps a Go file that
/// merely contains a `-- x --` line in a raw string from being taken for an archive.
pub fn is_archive(text: &str) -> bool {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| marker_name(line).is_some())
}

/// Splits `text` into its comment and files. Line endings inside data are kept as written.
pub fn parse(text: &str) -> Result<Archive, (usize, String)> {
    let mut archive = Archive::default();
    // The file being filled, with the line ending of its marker; None while in the comment.
    let mut current: Option<(File, &str)> = None;
    let mut body = String::new();
    let mut first_marker: HashMap<String, usize> = HashMap::new();

    for (index, line) in text.split_inclusive('\n').enumerate() {
        let Some(name) = marker_name(line) else {
            body.push_str(line);
            continue;
        };
        check_name(name).map_err(|message| (index, message))?;
        if let Some(first) = first_marker.insert(name.to_string(), index) {
            return Err((
                index,
                format!(
                    "file {name:?} appears twice (its first marker is {} lines up)",
                    index - first
                ),
            ));
        }
        finish(&mut archive, current.take(), std::mem::take(&mut body));
        let file = File {
            name: name.to_string(),
            data: String::new(),
            line: index + 1,
        };
        current = Some((file, line_ending(line)));
    }
    finish(&mut archive, current, body);
    Ok(archive)
}

/// Stores the collected body as the comment or as the current file's data, adding the final
/// line ending that txtar promises even when the input's last line has none.
fn finish(archive: &mut Archive, current: Option<(File, &str)>, mut body: String) {
    let ending = current.as_ref().map_or("\n", |(_, ending)| ending);
    if !body.is_empty() && !body.ends_with('\n') {
        body.push_str(ending);
    }
    match current {
        Some((mut file, _)) => {
            file.data = body;
            archive.files.push(file);
        }
        None => archive.comment = body,
    }
}

/// The name inside a marker line, trimmed; `Some("")` for a marker with a blank name, so the
/// caller can reject it instead of treating it as text. A trailing `\r` is tolerated: a Markdown
/// file checked out with CRLF endings should mean the same archive. (x/tools revisions differ
/// here; those without CRLF support see no markers at all in such input.)
fn marker_name(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    // Stripping the prefix first makes `-- --` (prefix and suffix overlapping) plain text, as in Go.
    let inner = line.strip_prefix("-- ")?.strip_suffix(" --")?;
    Some(inner.trim())
}

/// The ending to add to a file whose last line has none: the one of its marker, so a CRLF
/// archive stays CRLF throughout.
fn line_ending(marker_line: &str) -> &'static str {
    if marker_line.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("file marker has an empty name".to_string());
    }
    if name.contains('\\') {
        return Err(format!(
            "file name {name:?} contains a backslash; txtar names are slash-separated"
        ));
    }
    let bytes = name.as_bytes();
    // A drive prefix (`C:`) is absolute on Windows even without a leading slash.
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || drive {
        return Err(format!("file name {name:?} is absolute"));
    }
    if name.split('/').any(|segment| segment == "..") {
        return Err(format!(
            "file name {name:?} has a `..` segment and would escape the module"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &str, line: usize) -> File {
        File {
            name: name.to_string(),
            data: data.to_string(),
            line,
        }
    }

    fn names(archive: &Archive) -> Vec<&str> {
        archive.files.iter().map(|f| f.name.as_str()).collect()
    }

    /// The "basic" case of x/tools' txtar tests: a marker-like `-- foo ---`, a name with a space,
    /// an empty file, a file without final newline and a too-short `-- --` at the end.
    const GO_BASIC: &str = "comment1
comment2
-- file1 --
File 1 text.
-- foo ---
More file 1 text.
-- file 2 --
File 2 text.
-- empty --
-- noNL --
hello world
-- empty filename line --
some content
-- --";

    #[test]
    fn go_basic_example() {
        let archive = parse(GO_BASIC).unwrap();
        assert_eq!(archive.comment, "comment1\ncomment2\n");
        assert_eq!(
            archive.files,
            vec![
                file("file1", "File 1 text.\n-- foo ---\nMore file 1 text.\n", 3),
                file("file 2", "File 2 text.\n", 7),
                file("empty", "", 9),
                file("noNL", "hello world\n", 10),
                file("empty filename line", "some content\n-- --\n", 12),
            ]
        );
        assert!(!is_archive(GO_BASIC), "the comment comes first");
    }

    #[test]
    fn go_module_example() {
        let text = "-- go.mod --
module example.com/hello

go 1.22
-- hello.go --
package main

func main() { println(\"hello\") }
-- testdata/in.txt --
input
";
        assert!(is_archive(text));
        let archive = parse(text).unwrap();
        assert_eq!(archive.comment, "");
        assert_eq!(names(&archive), ["go.mod", "hello.go", "testdata/in.txt"]);
        assert_eq!(
            archive.files[0].data,
            "module example.com/hello\n\ngo 1.22\n"
        );
        assert_eq!(
            archive.files[1].data,
            "package main\n\nfunc main() { println(\"hello\") }\n"
        );
        assert_eq!(archive.files[2].data, "input\n");
    }

    #[test]
    fn line_indexes_are_exact() {
        let text = "\n\n-- a.go --\nline 3\nline 4\n-- b.go --\n-- c.go --\nline 7\n";
        let archive = parse(text).unwrap();
        let lines: Vec<_> = archive.files.iter().map(|f| f.line).collect();
        assert_eq!(lines, [3, 6, 7]);
        let input: Vec<&str> = text.lines().collect();
        // `line` is where the data starts: its first line is that input line.
        assert_eq!(input[archive.files[0].line], "line 3");
        assert_eq!(input[archive.files[2].line], "line 7");
        assert_eq!(archive.comment, "\n\n");
    }

    #[test]
    fn crlf_markers_and_data() {
        let text = "note\r\n-- a.go --\r\npackage a\r\n-- b.txt --\r\nno newline";
        assert!(!is_archive(text));
        let archive = parse(text).unwrap();
        assert_eq!(archive.comment, "note\r\n");
        assert_eq!(
            archive.files,
            vec![
                file("a.go", "package a\r\n", 2),
                file("b.txt", "no newline\r\n", 4)
            ]
        );
        assert!(is_archive("\r\n-- a.go --\r\n"));
    }

    #[test]
    fn go_crlf_and_mixed_cases() {
        // x/tools' "mixed line endings" case: data keeps each line's own ending.
        let text = "comment1\ncomment2\r\n-- file1 --\r\nFile 1 text.\n-- foo ---\r\n\
                    More file 1 text.\r\n-- empty --\r\n-- empty filename line --\r\n\
                    some content\r\n-- --\n";
        let archive = parse(text).unwrap();
        assert_eq!(archive.comment, "comment1\ncomment2\r\n");
        assert_eq!(
            archive.files,
            vec![
                file(
                    "file1",
                    "File 1 text.\n-- foo ---\r\nMore file 1 text.\r\n",
                    3
                ),
                file("empty", "", 7),
                file("empty filename line", "some content\r\n-- --\n", 8),
            ]
        );
    }

    #[test]
    fn marker_like_lines_are_data() {
        let text = "-- a --\n--x--\n-- a --x\n --  b --\n-- c -- \n--c --\n-- d--\n---- e ----\n";
        let archive = parse(text).unwrap();
        // Each needs "-- " exactly at the start and " --" exactly at the end of the line.
        assert_eq!(names(&archive), ["a"]);
        assert_eq!(archive.files[0].data, &text["-- a --\n".len()..]);
    }

    #[test]
    fn names_are_trimmed_and_inner_dashes_kept() {
        let archive = parse("--   spaced name.txt\t --\nx\n-- a -- b --\ny\n").unwrap();
        assert_eq!(names(&archive), ["spaced name.txt", "a -- b"]);
    }

    #[test]
    fn empty_files() {
        let archive = parse("-- a --\n-- b --\n\n-- c --").unwrap();
        assert_eq!(
            archive.files,
            vec![file("a", "", 1), file("b", "\n", 2), file("c", "", 4)]
        );
    }

    #[test]
    fn trailing_file_without_newline_gets_one() {
        let archive = parse("-- main.go --\npackage main").unwrap();
        assert_eq!(archive.files, vec![file("main.go", "package main\n", 1)]);
    }

    #[test]
    fn comment_only() {
        let archive = parse("just words").unwrap();
        assert_eq!(archive.comment, "just words\n");
        assert!(archive.files.is_empty());
        assert_eq!(parse("").unwrap(), Archive::default());
    }

    #[test]
    fn is_archive_skips_blank_lines_only() {
        assert!(is_archive("\n  \n\t\n-- go.mod --\nmodule m\n"));
        assert!(!is_archive("package main\n-- go.mod --\n"));
        assert!(!is_archive(""));
        assert!(!is_archive("   \n"));
        assert!(!is_archive("  -- indented --\n"));
        assert!(!is_archive("-- --\n"));
        // A blank-named marker is still a marker; parse reports the name.
        assert!(is_archive("--  --\n"));
    }

    #[test]
    fn bad_names_are_errors_at_their_marker() {
        let cases = [
            ("--  --", "empty name"),
            ("--    \t --", "empty name"),
            ("-- /etc/passwd --", "absolute"),
            ("-- C:/x.go --", "absolute"),
            ("-- ../x.go --", "`..`"),
            ("-- a/../../x.go --", "`..`"),
            ("-- a/.. --", "`..`"),
            ("-- a\\b.go --", "backslash"),
        ];
        for (marker, want) in cases {
            let text = format!("comment\n-- ok.go --\npackage ok\n{marker}\ndata\n");
            let (line, message) = parse(&text).unwrap_err();
            assert_eq!(line, 3, "{marker}");
            assert!(message.contains(want), "{marker}: {message}");
        }
    }

    #[test]
    fn dots_inside_names_are_fine() {
        let archive = parse("-- a..b/..c/.d/x..go --\n-- ./y.go --\n").unwrap();
        assert_eq!(names(&archive), ["a..b/..c/.d/x..go", "./y.go"]);
    }

    #[test]
    fn duplicate_name_is_an_error_at_the_second_marker() {
        let text = "-- a.go --\npackage a\n-- b.go --\n-- a.go --\npackage b\n";
        let (line, message) = parse(text).unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("\"a.go\" appears twice"), "{message}");
        // Trimming happens before the comparison.
        assert_eq!(parse("-- a --\n--  a  --\n").unwrap_err().0, 1);
    }
}
