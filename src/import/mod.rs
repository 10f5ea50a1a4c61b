//! `snipcheck import`: existing Go teaching material -> a Markdown document of snippets with
//! claims, so a collection can adopt snipcheck without rewriting it by hand. In: `.go` programs
//! with a shell transcript beside them (`hello.go` + `hello.sh`, `.txt` or `.out`: the tutorial
//! sites' style), programs whose statements carry `//prints:`, `//error` and `//panics` comments
//! (the gotcha collections' style, with a README.md that links them), and packages with testable
//! examples (`func ExampleX` in `_test.go` files). Out: the document, and a note per program
//! saying what was claimed, what was elided and what was left unclaimed, and why.
//!
//! Nothing is run here: the import writes what the material claims, and `snipcheck verify` then
//! says which of those claims hold.

pub mod examples;
pub mod output;
pub mod prints;
pub mod transcript;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Error;
use transcript::Kind;

/// How much of a program's claims the import could write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every claim of the material, as it stands.
    Claimed,
    /// Claimed, with what changes on every run elided, or the output split by a guess.
    Adjusted,
    /// Some of it could not be written as a claim (or none): the note says why.
    Unclaimed,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub source: String,
    pub verdict: Verdict,
    pub why: String,
}

pub struct Imported {
    pub markdown: String,
    pub notes: Vec<Note>,
}

const TRANSCRIPTS: [&str; 4] = ["sh", "txt", "out", "transcript"];

pub fn import(paths: &[PathBuf]) -> Result<Imported, Error> {
    let mut md = String::new();
    let mut notes = Vec::new();
    let title = match paths {
        [one] => one.display().to_string(),
        _ => "Go examples".to_string(),
    };
    md.push_str(&format!("# {title}\n\nImported by `snipcheck import`.\n"));
    for path in paths {
        if path.is_dir() {
            import_dir(path, &mut md, &mut notes)?;
        } else if path.extension().is_some_and(|e| e == "go") {
            let stem = stem(path);
            md.push_str(&format!("\n## {stem}\n"));
            import_program(path, &mut md, &mut notes)?;
        } else {
            return Err(Error::at(
                path.display().to_string(),
                "snipcheck import reads .go programs (with a transcript beside them, or \
                 //prints: comments), folders of them, and folders of packages with testable \
                 examples; this is none of those",
            ));
        }
    }
    Ok(Imported {
        markdown: md,
        notes,
    })
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| {
        Error::at(
            path.display().to_string(),
            format!("cannot read this file ({e})"),
        )
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn go_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    Ok(files)
}

static GO_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\]\(\.?/?([\w./-]+\.go)\)").unwrap());

fn import_dir(dir: &Path, md: &mut String, notes: &mut Vec<Note>) -> Result<(), Error> {
    let files = go_files(dir)?;
    let tests: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("_test.go"))
        .collect();
    if !tests.is_empty() || dir.join("go.mod").is_file() {
        return import_examples(dir, md, notes);
    }
    let readme = dir.join("README.md");
    if readme.is_file() {
        let text = read(&readme)?;
        if GO_LINK.is_match(&text) {
            return import_readme(dir, &text, md, notes);
        }
    }
    for f in &files {
        md.push_str(&format!("\n## {}\n", stem(f)));
        import_program(f, md, notes)?;
    }
    // Folders of examples: one level down, each its own section.
    let mut subdirs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        if !go_files(&sub)?.is_empty() {
            import_dir(&sub, md, notes)?;
        }
    }
    Ok(())
}

/// A README that links programs: its text as it is, each linked program's snippet after the
/// line that links it, so the explanations stay beside the code.
fn import_readme(
    dir: &Path,
    text: &str,
    md: &mut String,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    let mut first_heading = true;
    for line in text.lines() {
        // The import's own title stands first; the README's becomes a section of it.
        if first_heading && line.starts_with("# ") {
            first_heading = false;
            md.push_str(&format!("\n{line}\n"));
            continue;
        }
        md.push('\n');
        md.push_str(line);
        for m in GO_LINK.captures_iter(line) {
            let path = dir.join(&m[1]);
            if path.is_file() {
                md.push('\n');
                import_program(&path, md, notes)?;
            }
        }
    }
    md.push('\n');
    Ok(())
}

/// A package's testable examples, as one `go test` snippet.
fn import_examples(dir: &Path, md: &mut String, notes: &mut Vec<Note>) -> Result<(), Error> {
    let mut files = Vec::new();
    let mut examples = Vec::new();
    let gomod = dir.join("go.mod");
    if gomod.is_file() {
        files.push(("go.mod".to_string(), read(&gomod)?));
    }
    for f in go_files(dir)? {
        let text = read(&f)?;
        if f.to_string_lossy().ends_with("_test.go") {
            examples.extend(examples::run_examples(&text));
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        files.push((name, text));
    }
    let source = dir.display().to_string();
    md.push_str(&format!("\n## {}\n\n", stem(dir)));
    md.push_str(&fence("go test", &examples::archive(files, &examples)));
    notes.push(if examples.is_empty() {
        Note {
            source,
            verdict: Verdict::Unclaimed,
            why: "no example with an output comment: the tests must pass, nothing more is claimed"
                .into(),
        }
    } else {
        Note {
            source,
            verdict: Verdict::Claimed,
            why: format!("{} examples, checked by go test", examples.len()),
        }
    });
    // Subpackages with examples of their own.
    let mut subdirs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("testdata"))
        .collect();
    subdirs.sort();
    for sub in subdirs {
        if go_files(&sub)?
            .iter()
            .any(|p| p.to_string_lossy().ends_with("_test.go"))
        {
            md.push('\n');
            import_examples(&sub, md, notes)?;
        }
    }
    Ok(())
}

/// Whether the program's source can write to stderr.
fn writes_stderr(code: &str) -> bool {
    ["os.Stderr", "log.", "slog.", "println(", "print("]
        .iter()
        .any(|w| code.contains(w))
}

static CLAIM_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Unordered output|Output|Stderr|Panic|Fatal|Exit|Race|Vet|Tests passed|Tests failed|Tests skipped|Tests run|Coverage|Signal)(\s*\([^)]*\))?:").unwrap()
});

fn import_program(path: &Path, md: &mut String, notes: &mut Vec<Note>) -> Result<(), Error> {
    let code = read(path)?;
    let source = path.display().to_string();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let transcript = TRANSCRIPTS
        .iter()
        .map(|ext| path.with_extension(ext))
        .find(|p| p.is_file());
    if let Some(t) = transcript {
        let commands = transcript::parse(&read(&t)?);
        let mut runs = 0;
        let mut unclaimed = Vec::new();
        for c in &commands {
            match transcript::kind(&c.text, &file) {
                Kind::Build => {}
                Kind::Other(why) => {
                    unclaimed.push(format!("{}:{}: `$ {}`: {why}", t.display(), c.line, c.text))
                }
                Kind::Run(mut run) => {
                    run.output = c.output.clone();
                    let place = format!("{}:{}", t.display(), c.line);
                    match program_snippet(&code, &run) {
                        Ok((block, changes)) => {
                            md.push('\n');
                            md.push_str(&block);
                            runs += 1;
                            notes.push(Note {
                                source: place,
                                verdict: if changes.is_empty() {
                                    Verdict::Claimed
                                } else {
                                    Verdict::Adjusted
                                },
                                why: changes.join(", "),
                            });
                        }
                        Err(why) => unclaimed.push(format!("{place}: {why}")),
                    }
                }
            }
        }
        for why in &unclaimed {
            notes.push(Note {
                source: source.clone(),
                verdict: Verdict::Unclaimed,
                why: why.clone(),
            });
        }
        if runs == 0 {
            md.push('\n');
            md.push_str(&fence("go norun", &code));
        }
        return Ok(());
    }
    if let Some(a) = prints::annotated(&code) {
        let mut claims = Vec::new();
        if a.errors == 0 {
            if let Some(p) = &a.panic {
                claims.push(format!("// Panic: {p}"));
            }
            if !a.output.is_empty() {
                claims.push("// Output:".to_string());
                claims.extend(a.output.iter().map(|l| comment(l)));
            }
        }
        let bad = a.output.iter().find(|l| CLAIM_WORD.is_match(l));
        let mut body = a.code.clone();
        if bad.is_none() {
            push_claims(&mut body, &claims);
        }
        md.push('\n');
        md.push_str(&fence("go", &body));
        notes.push(match bad {
            Some(l) => Note {
                source,
                verdict: Verdict::Unclaimed,
                why: format!("the printed line {l:?} reads as a claim"),
            },
            None => Note {
                source,
                verdict: Verdict::Claimed,
                why: if a.errors > 0 {
                    format!("{} compile errors", a.errors)
                } else {
                    String::new()
                },
            },
        });
        return Ok(());
    }
    md.push('\n');
    md.push_str(&fence("go norun", &code));
    notes.push(Note {
        source,
        verdict: Verdict::Unclaimed,
        why: "no transcript (.sh, .txt, .out) and no //prints: comments: only compiled".into(),
    });
    Ok(())
}

/// A snippet of `code` repeating `run`, with the claims its output makes; or why it cannot be.
fn program_snippet(code: &str, run: &transcript::Run) -> Result<(String, Vec<String>), String> {
    let mut info = String::from("go");
    if !run.args.is_empty() {
        if run
            .args
            .iter()
            .any(|a| a.is_empty() || a.contains(char::is_whitespace))
        {
            return Err("an argument with spaces, which args= cannot hold".into());
        }
        info.push_str(&format!(" args=\"{}\"", run.args.join(" ")));
    }
    if let Some(stdin) = &run.stdin {
        if stdin.contains(['"', '`', '\\']) {
            return Err(
                "standard input with a quote or backslash, which stdin= cannot hold".into(),
            );
        }
        info.push_str(&format!(" stdin=\"{}\"", stdin.replace('\n', "\\n")));
    }
    for (k, v) in &run.env {
        if v.contains(|c: char| c.is_whitespace() || c == '"' || c == '`') {
            return Err(format!("the variable {k}'s value, which env= cannot hold"));
        }
        info.push_str(&format!(" env={k}={v}"));
    }
    let stderr_possible = writes_stderr(code);
    let c = output::claims(&run.output, stderr_possible);
    if let Some(l) = c
        .stdout
        .iter()
        .chain(&c.stderr)
        .find(|l| CLAIM_WORD.is_match(l))
    {
        return Err(format!("the output line {l:?} reads as a claim"));
    }
    let mut claims = Vec::new();
    if let Some(p) = &c.panic {
        claims.push(format!("// Panic: {p}"));
    }
    if let Some(f) = &c.fatal {
        claims.push(format!("// Fatal: {f}"));
    }
    if let Some(n) = c.exit {
        claims.push(format!("// Exit: {n}"));
    }
    if !c.stdout.is_empty() {
        claims.push("// Output:".into());
        claims.extend(c.stdout.iter().map(|l| comment(l)));
    }
    if !c.stderr.is_empty() {
        claims.push("// Stderr:".into());
        claims.extend(c.stderr.iter().map(|l| comment(l)));
    }
    let mut changes = c.changes;
    if !c.stderr.is_empty() {
        changes.push("log lines taken as stderr".into());
    } else if stderr_possible && !c.stdout.is_empty() {
        changes.push("it can write to stderr: every line was taken as stdout".into());
    }
    let mut body = code.to_string();
    push_claims(&mut body, &claims);
    Ok((fence(&info, &body), changes))
}

fn comment(line: &str) -> String {
    if line.is_empty() {
        "//".into()
    } else {
        format!("// {line}")
    }
}

/// Claims go after the program's last line, where snipcheck reads them.
fn push_claims(body: &mut String, claims: &[String]) {
    if claims.is_empty() {
        return;
    }
    while body.ends_with("\n\n") {
        body.pop();
    }
    if !body.ends_with('\n') {
        body.push('\n');
    }
    for c in claims {
        body.push_str(c);
        body.push('\n');
    }
}

/// A fenced block with a fence longer than any backtick run in the code.
fn fence(info: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    let mut body = body.to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("{ticks}{info}\n{body}{ticks}\n")
}

/// The notes as the import prints them to stderr: one line each, then the totals.
pub fn summary(notes: &[Note]) -> String {
    let mut out = String::new();
    for n in notes {
        let word = match n.verdict {
            Verdict::Claimed => "claimed  ",
            Verdict::Adjusted => "adjusted ",
            Verdict::Unclaimed => "unclaimed",
        };
        if n.why.is_empty() {
            out.push_str(&format!("{word} {}\n", n.source));
        } else {
            out.push_str(&format!("{word} {}  {}\n", n.source, n.why));
        }
    }
    let count = |v| notes.iter().filter(|n| n.verdict == v).count();
    out.push_str(&format!(
        "{} claimed as they stand, {} adjusted, {} left unclaimed; run `snipcheck verify` on the document to see which claims hold\n",
        count(Verdict::Claimed),
        count(Verdict::Adjusted),
        count(Verdict::Unclaimed)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_and_its_run() {
        let run = transcript::Run {
            args: vec!["a".into()],
            stdin: Some("x\n".into()),
            env: vec![("K".into(), "v".into())],
            output: vec!["hello".into(), "".into(), "exit status 3".into()],
        };
        let (block, changes) = program_snippet("package main\n\nfunc main() {}\n\n", &run).unwrap();
        assert_eq!(
            block,
            "```go args=\"a\" stdin=\"x\\n\" env=K=v\npackage main\n\nfunc main() {}\n// Exit: 3\n// Output:\n// hello\n```\n"
        );
        assert!(changes.is_empty());
    }

    #[test]
    fn fences_outgrow_the_code() {
        assert!(fence("go", "s := `a`\n").starts_with("```go\n"));
        assert!(fence("go", "// ```go\n").starts_with("````go\n"));
    }
}
