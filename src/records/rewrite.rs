//! Rewriting a document's claims to match an accepted result: `// Output:` (and its lines),
//! `// Unordered output:`, `// Panic:`, `// Fatal:` and `// Exit:`. Only the lines of the claims
//! that no longer hold are replaced; every other byte of the document stays as it was (line
//! endings, indentation and block-quote markers of the claim lines are kept too). A claim is
//! rewritten only when the result still ends the way the claims say (a panic stays a panic): when
//! it does not, the claims need a person, and no rewrite is offered. `// ERROR` patterns are
//! regular expressions written by a person and are never rewritten, and text a Markdown claim
//! cannot hold as it is (control characters, U+FFFD) is never written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::claims::compare::{class_holds, elided_match, expected_class};
use crate::document::discover;
use crate::document::extract::extract;
use crate::error::Error;
use crate::records::expected::Record;
use crate::snippet::{ClaimKind, Class, Snippet};

/// Claim headers, as `extract` recognizes them.
static CLAIM_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^//\s*(unordered output|output|panic|fatal|exit):").unwrap());

/// Text that normalization put in a record; a claim holding it would never match a real run.
const PLACEHOLDERS: [&str; 7] = [
    "0x?",
    "$WORK",
    "$TMP",
    "$GOROOT",
    "$GOCACHE",
    "$GOMODCACHE",
    "(varies between runs)",
];

/// One claim's lines (1-based Markdown lines `first..=last`) and what replaces them.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub first: usize,
    pub last: usize,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

/// A rewrite of one document.
#[derive(Debug, Clone)]
pub struct Plan {
    pub doc: PathBuf,
    pub edits: Vec<Edit>,
    pub text: String,
}

impl Plan {
    /// The edits as diff lines with their Markdown line numbers, for a person to approve.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.edits {
            out.push(format!("@@ {}:{} @@", self.doc.display(), e.first));
            out.extend(e.old.iter().map(|l| format!("-{l}")));
            out.extend(e.new.iter().map(|l| format!("+{l}")));
        }
        out
    }

    /// Writes the rewritten document atomically, keeping its permissions. A document reached
    /// through a symbolic link is written where the link leads (the link stays a link), and only
    /// when that is inside the project: a link can arrive in a pull request.
    pub fn write(&self) -> Result<(), Error> {
        write_keeping_permissions(&target(&self.doc)?, self.text.as_bytes())
    }
}

/// Why no rewrite is offered, when a claim does not hold but cannot be rewritten.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    /// Every claim holds (or there is none to rewrite).
    Nothing,
    /// A person has to change the claims (the message says why).
    ByHand(String),
}

/// Reads `doc` afresh (an earlier rewrite may have moved lines), finds snippet `id` in it and plans
/// the rewrite of the claims that `actual` contradicts.
pub fn plan(doc: &Path, id: &str, actual: &Record) -> Result<Result<Plan, Plain>, Error> {
    let d = discover::read(doc)?;
    let snippets = extract(&d.path, &d.text)?;
    let Some(snippet) = snippets.iter().find(|s| s.id == id) else {
        return Ok(Err(Plain::ByHand(format!(
            "snippet `{id}` is no longer in {}",
            doc.display()
        ))));
    };
    Ok(edits(&d.text, snippet, actual).map(|edits| Plan {
        doc: doc.to_path_buf(),
        text: apply(&d.text, &edits),
        edits,
    }))
}

/// The edits that make `snippet`'s claims in `text` say what `actual` shows.
pub fn edits(text: &str, snippet: &Snippet, actual: &Record) -> Result<Vec<Edit>, Plain> {
    let claimed = expected_class(snippet);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let code: Vec<&str> = snippet.code.lines().collect();
    let mut edits = Vec::new();
    for claim in &snippet.claims {
        let new_text = match &claim.kind {
            ClaimKind::Output(want) => {
                let got = actual.stdout.replace("\r\n", "\n");
                (!elided_match(want.trim(), got.trim()))
                    .then(|| Body::Lines(got.trim().to_string()))
            }
            ClaimKind::Stderr(want) => {
                let got = actual.stderr.replace("\r\n", "\n");
                (!elided_match(want.trim(), got.trim()))
                    .then(|| Body::Lines(got.trim().to_string()))
            }
            ClaimKind::UnorderedOutput(want) => {
                let sorted = |s: &str| {
                    let mut v: Vec<&str> = s.trim().lines().map(str::trim).collect();
                    v.sort_unstable();
                    v.join("\n")
                };
                let got = sorted(&actual.stdout);
                (got != sorted(want)).then_some(Body::Lines(got))
            }
            ClaimKind::Panic(want) => message(&actual.stderr, "panic: ")
                .filter(|m| !m.contains(want.as_str()))
                .map(Body::Inline),
            ClaimKind::Fatal(want) => message(&actual.stderr, "fatal error: ")
                .filter(|m| !m.contains(want.as_str()))
                .map(Body::Inline),
            ClaimKind::Exit(want) => actual
                .exit_status
                .filter(|got| got != want)
                .map(|got| Body::Inline(got.to_string())),
            // Compile errors are patterns, and the other claims name tests, races, findings
            // and signals: a person rewrites those.
            _ => None,
        };
        let Some(body) = new_text else { continue };
        if !class_holds(claimed, actual.class) {
            return Err(Plain::ByHand(format!(
                "the claims describe {}, but the result is {}: change the claims by hand",
                claimed.describe(),
                actual.class.describe()
            )));
        }
        let text = match &body {
            Body::Lines(t) | Body::Inline(t) => t,
        };
        if let Some(p) = PLACEHOLDERS.iter().find(|p| text.contains(*p)) {
            return Err(Plain::ByHand(format!(
                "the new text holds `{p}`, which normalization put in the record: change the claim by hand"
            )));
        }
        if let Some(what) = unwritable(text) {
            return Err(Plain::ByHand(format!(
                "the new text holds {what}, which a claim in Markdown cannot hold as it is: change the claim by hand"
            )));
        }
        edits.push(edit(&lines, &code, snippet.code_line, claim.line, &body));
    }
    if edits.is_empty() {
        if actual.class != claimed && actual.class != Class::CompileError {
            return Err(Plain::ByHand(format!(
                "the claims describe {}, but the result is {}: change the claims by hand",
                claimed.describe(),
                actual.class.describe()
            )));
        }
        return Err(Plain::Nothing);
    }
    Ok(edits)
}

/// What in a claim's new text cannot be written into the document verbatim: a NUL (the next
/// `verify` refuses the document), a carriage return without its line feed (CommonMark ends the
/// line there, so the rest of the output would be read as Markdown: a heading, a fence), any
/// other control character, and U+FFFD, which is what output that was not UTF-8 became.
fn unwritable(text: &str) -> Option<String> {
    let c = text
        .chars()
        .find(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFD}')?;
    Some(match c {
        '\0' => "a NUL byte".to_string(),
        '\r' => "a carriage return without a line feed".to_string(),
        '\u{FFFD}' => "U+FFFD (output that was not valid UTF-8 is recorded as it)".to_string(),
        c => format!("the control character U+{:04X}", c as u32),
    })
}

enum Body {
    /// The text after the header, on the header's line.
    Inline(String),
    /// Output lines: on the header's line if it held its text there and there is one line, else
    /// one comment line each below it.
    Lines(String),
}

/// The first line of a panic's or fatal error's message.
fn message(stderr: &str, prefix: &str) -> Option<String> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|m| m.trim().to_string())
}

fn content(line: &str) -> &str {
    let l = line.strip_suffix('\n').unwrap_or(line);
    l.strip_suffix('\r').unwrap_or(l)
}

fn ending(line: &str) -> &str {
    &line[content(line).len()..]
}

/// The edit for the claim whose header is on Markdown line `header`.
fn edit(lines: &[&str], code: &[&str], code_line: usize, header: usize, body: &Body) -> Edit {
    // The claim's lines: its header, and for output claims the comment lines after it up to the
    // next claim or the end of the comments (blank lines inside count, trailing ones do not).
    let mut last = header;
    if let Body::Lines(_) = body {
        let mut k = header - code_line + 1;
        while let Some(l) = code.get(k).map(|l| l.trim()) {
            if l.starts_with("//") && !CLAIM_HEADER.is_match(l) {
                last = code_line + k;
            } else if !l.is_empty() {
                break;
            }
            k += 1;
        }
    }
    let head_line = lines[header - 1];
    let head_text = content(head_line);
    let at = head_text.find("//").unwrap_or(0);
    let prefix = &head_text[..at];
    let colon = head_text[at..]
        .find(':')
        .map_or(head_text.len(), |c| at + c + 1);
    let head = &head_text[at..colon];
    let inline = !head_text[colon..].trim().is_empty();
    let body_prefix = if last > header {
        let t = content(lines[header]);
        &t[..t.find("//").unwrap_or(0)]
    } else {
        prefix
    };
    let new = match body {
        Body::Inline(t) => vec![format!("{prefix}{head} {t}")],
        Body::Lines(t) if t.is_empty() => vec![format!("{prefix}{head}")],
        Body::Lines(t) if inline && !t.contains('\n') => vec![format!("{prefix}{head} {t}")],
        Body::Lines(t) => std::iter::once(format!("{prefix}{head}"))
            .chain(t.lines().map(|l| {
                if l.is_empty() {
                    format!("{body_prefix}//")
                } else {
                    format!("{body_prefix}// {l}")
                }
            }))
            .collect(),
    };
    Edit {
        first: header,
        last,
        old: (header..=last)
            .map(|n| content(lines[n - 1]).to_string())
            .collect(),
        new,
    }
}

/// `text` with each edit's lines replaced; every other byte is kept. New lines take the line
/// ending of the claim's header line.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut n = 1;
    while n <= lines.len() {
        match edits.iter().find(|e| e.first == n) {
            Some(e) => {
                let eol = ending(lines[e.first - 1]);
                let eol = if eol.is_empty() { "\n" } else { eol };
                let last_eol = ending(lines[e.last - 1]);
                for (i, l) in e.new.iter().enumerate() {
                    out.push_str(l);
                    // The last line keeps its own ending, even none at the end of the file.
                    out.push_str(if i + 1 == e.new.len() { last_eol } else { eol });
                }
                n = e.last + 1;
            }
            None => {
                out.push_str(lines[n - 1]);
                n += 1;
            }
        }
    }
    out
}

/// The file to write for document `doc`: itself, or where the links on its path lead if that
/// is inside the project (the working directory).
fn target(doc: &Path) -> Result<PathBuf, Error> {
    let cannot = |e| Error::io(format!("cannot read {}", doc.display()), e);
    let cwd = std::env::current_dir().map_err(cannot)?;
    let given = cwd.join(doc);
    let real = std::fs::canonicalize(&given).map_err(cannot)?;
    if real == given {
        return Ok(doc.to_path_buf());
    }
    let project = std::fs::canonicalize(&cwd).map_err(cannot)?;
    if !real.starts_with(&project) {
        return Err(Error::at(
            doc.display().to_string(),
            format!(
                "this document is reached through a symbolic link that leads out of the project (to {}); snipcheck does not write there: change the claims by hand",
                real.display()
            ),
        ));
    }
    Ok(real)
}

fn write_keeping_permissions(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let perms = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
        .permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(format!("cannot write in {}", dir.display()), e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().set_permissions(perms))
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(class: Class, stdout: &str, stderr: &str, exit: Option<i32>) -> Record {
        Record {
            go_version: "go1.26.8".into(),
            class,
            exit_status: exit,
            stdout: stdout.into(),
            stderr: stderr.into(),
            diagnostics: String::new(),
            ..Record::default()
        }
    }

    fn ok(stdout: &str) -> Record {
        record(Class::Ok, stdout, "", Some(0))
    }

    fn rewrite(md: &str, actual: &Record) -> Result<String, Plain> {
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        let e = edits(md, &snippets[0], actual)?;
        let out = apply(md, &e);
        // The rewritten claims hold.
        let again = extract(Path::new("doc.md"), &out).unwrap();
        assert_eq!(edits(&out, &again[0], actual), Err(Plain::Nothing), "{out}");
        Ok(out)
    }

    /// Everything outside lines `first..=last` (1-based, in `before`) is byte for byte the same.
    fn untouched_outside(before: &str, after: &str, first: usize, last: usize, added: isize) {
        let b: Vec<&str> = before.split_inclusive('\n').collect();
        let a: Vec<&str> = after.split_inclusive('\n').collect();
        assert_eq!(a[..first - 1], b[..first - 1]);
        let tail = (last as isize + added) as usize;
        assert_eq!(a[tail..], b[last..]);
    }

    #[test]
    fn inline_output_stays_inline() {
        let md = "# A\n\nSome text.\n\n```go\nfmt.Println(1)\n// Output: 2\n```\n\nAfter.\n";
        let out = rewrite(md, &ok("1\n")).unwrap();
        assert_eq!(out, md.replace("// Output: 2", "// Output: 1"));
    }

    #[test]
    fn multi_line_output_replaces_its_lines_only() {
        let md = "# A\n\n```go\nfmt.Println(1)\nfmt.Println(2)\n// Output:\n// 1\n//\n// 3\n// Exit: 0\n```\n";
        let out = rewrite(md, &ok("1\n\n2\n")).unwrap();
        assert_eq!(
            out,
            "# A\n\n```go\nfmt.Println(1)\nfmt.Println(2)\n// Output:\n// 1\n//\n// 2\n// Exit: 0\n```\n"
        );
        untouched_outside(md, &out, 6, 9, 0);
    }

    #[test]
    fn output_that_grows_and_shrinks() {
        let md = "# A\n\n```go\nx()\n// Output: a\n```\ntail\n";
        let grown = rewrite(md, &ok("a\nb\nc\n")).unwrap();
        assert_eq!(
            grown,
            "# A\n\n```go\nx()\n// Output:\n// a\n// b\n// c\n```\ntail\n"
        );
        untouched_outside(md, &grown, 5, 5, 3);
        let shrunk = rewrite(&grown, &ok("z\n")).unwrap();
        assert_eq!(shrunk, "# A\n\n```go\nx()\n// Output:\n// z\n```\ntail\n");
        let empty = rewrite(&grown, &ok("")).unwrap();
        assert_eq!(empty, "# A\n\n```go\nx()\n// Output:\n```\ntail\n");
    }

    #[test]
    fn crlf_list_indent_and_case_are_kept() {
        let md = "# A\r\n\r\n- item\r\n\r\n  ```go\r\n  x()\r\n  // output:\r\n  // old\r\n  ```\r\n- next\r\n";
        let out = rewrite(md, &ok("new\r\nlines\n")).unwrap();
        assert_eq!(
            out,
            "# A\r\n\r\n- item\r\n\r\n  ```go\r\n  x()\r\n  // output:\r\n  // new\r\n  // lines\r\n  ```\r\n- next\r\n"
        );
        untouched_outside(md, &out, 7, 8, 1);
    }

    #[test]
    fn blockquote_and_whole_program_tabs() {
        let md = "# A\n\n> ```go\n> x()\n> // Output: 1\n> ```\n";
        assert_eq!(
            rewrite(md, &ok("2\n")).unwrap(),
            md.replace("Output: 1", "Output: 2")
        );
        let prog = "# P\n\n```go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n\t// Output:\n\t// ho\n}\n```\n";
        let out = rewrite(prog, &ok("hi\n")).unwrap();
        assert_eq!(out, prog.replace("\t// ho\n", "\t// hi\n"));
    }

    #[test]
    fn unordered_output_is_written_sorted() {
        let md = "# A\n\n```go\nx()\n// Unordered output:\n// b\n// a\n```\n";
        let out = rewrite(md, &ok("a\nc\n")).unwrap();
        assert_eq!(
            out,
            "# A\n\n```go\nx()\n// Unordered output:\n// a\n// c\n```\n"
        );
        // The same lines in another order hold already.
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        assert_eq!(edits(md, &snippets[0], &ok("a\nb\n")), Err(Plain::Nothing));
    }

    #[test]
    fn panic_fatal_and_exit_messages() {
        let md = "# A\n\n```go\nx()\n// Panic: old message\n```\n";
        let p = record(
            Class::Panic,
            "",
            "panic: new message [recovered]\n\ngoroutine N [running]:\n",
            Some(2),
        );
        assert_eq!(
            rewrite(md, &p).unwrap(),
            md.replace("old message", "new message [recovered]")
        );
        let md = "# A\n\n```go\nx()\n// Fatal: deadlock\n```\n";
        let f = record(
            Class::Fatal,
            "",
            "fatal error: concurrent map writes\n",
            Some(2),
        );
        assert_eq!(
            rewrite(md, &f).unwrap(),
            md.replace("deadlock", "concurrent map writes")
        );
        let md = "# A\n\n```go\nos.Exit(3)\n// Exit: 2\n```\n";
        let e = record(Class::Exit, "", "", Some(3));
        assert_eq!(rewrite(md, &e).unwrap(), md.replace("Exit: 2", "Exit: 3"));
    }

    #[test]
    fn a_changed_class_is_left_to_a_person() {
        let md = "# A\n\n```go\nx()\n// Output: 1\n```\n";
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        let p = record(Class::Panic, "", "panic: boom\n", Some(2));
        assert!(matches!(
            edits(md, &snippets[0], &p),
            Err(Plain::ByHand(m)) if m.contains("a panic")
        ));
    }

    #[test]
    fn normalized_text_is_never_written_into_a_claim() {
        let md = "# A\n\n```go\nx()\n// Panic: nil map\n```\n";
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        let p = record(Class::Panic, "", "panic: bad pointer 0x?\n", Some(2));
        assert!(matches!(
            edits(md, &snippets[0], &p),
            Err(Plain::ByHand(m)) if m.contains("0x?")
        ));
    }

    #[test]
    fn control_bytes_and_replaced_bytes_are_never_written_into_a_claim() {
        let md = "# A\n\n```go\nx()\n// Output: a\n```\n";
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        for (stdout, what) in [
            ("a\0b\n", "a NUL byte"),
            (
                "a\r## Injected\r```go\n",
                "a carriage return without a line feed",
            ),
            ("caf\u{FFFD}\n", "U+FFFD"),
            ("\x1b[2Jx\n", "U+001B"),
        ] {
            match edits(md, &snippets[0], &ok(stdout)) {
                Err(Plain::ByHand(m)) => assert!(m.contains(what), "{stdout:?}: {m}"),
                other => panic!("{stdout:?}: {other:?}"),
            }
        }
        let p = record(Class::Panic, "", "panic: a\0b\n", Some(2));
        let md = "# A\n\n```go\nx()\n// Panic: c\n```\n";
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        assert!(matches!(edits(md, &snippets[0], &p), Err(Plain::ByHand(_))));
        // A CRLF and tabs are written as the document's own line ends and text.
        let md = "# A\n\n```go\nx()\n// Output: a\n```\n";
        assert!(rewrite(md, &ok("b\tc\r\nd\n")).is_ok());
    }

    #[test]
    fn compile_error_claims_are_not_rewritten() {
        let md = "# A\n\n```go\nx := 1 // ERROR \"declared and not used\"\n```\n";
        let snippets = extract(Path::new("doc.md"), md).unwrap();
        let c = Record {
            class: Class::CompileError,
            ..ok("")
        };
        assert_eq!(edits(md, &snippets[0], &c), Err(Plain::Nothing));
    }

    #[test]
    fn plan_reads_the_document_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("doc.md");
        std::fs::write(&doc, "# A\n\n```go\nx()\n// Output: 1\n```\n").unwrap();
        std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o644)).unwrap();
        let plan = plan(&doc, "a", &ok("2\n")).unwrap().unwrap();
        assert_eq!(
            plan.describe(),
            [
                format!("@@ {}:5 @@", doc.display()),
                "-// Output: 1".into(),
                "+// Output: 2".into()
            ]
        );
        plan.write().unwrap();
        assert_eq!(
            std::fs::read_to_string(&doc).unwrap(),
            "# A\n\n```go\nx()\n// Output: 2\n```\n"
        );
        let mode = std::fs::metadata(&doc).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}
