//! Markdown -> snippets. pulldown-cmark finds the fenced `go` blocks (so tildes, indented fences,
//! lists and CRLF follow CommonMark), its source offsets give Markdown line numbers, headings give
//! ids; each block's info string is read by `attributes` and its claim comments by
//! `claims::grammar`.
//!
//! Size: about 340 lines of code; the other 800 are tests, one per CommonMark edge case.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use regex::Regex;

use crate::claims::grammar::parse_claims;
use crate::error::{Error, Problem};

use super::attributes::{parse_attrs, split_info};
use crate::snippet::Snippet;

/// Pulls every `go` block out of one document. All problems in the document are collected, so a
/// maintainer sees every broken fence and duplicate id at once.
pub fn extract(doc: &Path, text: &str) -> Result<Vec<Snippet>, Error> {
    extract_document(doc, text).map(|d| d.snippets)
}

/// Everything snipcheck reads in a document: its items, its snippets, and the claims it marks as
/// not checkable.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub items: Vec<Item>,
    pub snippets: Vec<Snippet>,
    pub unchecked: Vec<Unchecked>,
}

/// A numbered heading (or, in a document without numbers, any heading).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub line: usize,
    /// A numbered heading (`### 1028. ...`).
    pub numbered: bool,
}

/// `> **Unchecked:** REASON`: a claim the document makes that no code here can check, marked so
/// that readers and the coverage view both see it.
/// `> **Unchecked (opinion):** REASON` also says why no code can check it: one of
/// `UNCHECKED_CLASSES`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unchecked {
    pub item: Option<String>,
    pub line: usize,
    pub class: Option<String>,
    pub reason: String,
}

/// Why a claim cannot be checked here, as an Unchecked marker may say, with what each means.
pub const UNCHECKED_CLASSES: &[(&str, &str)] = &[
    (
        "opinion",
        "a judgment, advice, an analogy or a framing: there is nothing to run",
    ),
    (
        "history",
        "what happened before: Go's releases, other languages",
    ),
    (
        "service",
        "needs a server this machine does not run (a database, a broker, a workflow server)",
    ),
    (
        "hardware",
        "needs hardware this machine lacks (more CPUs, a real CPU quota)",
    ),
    (
        "host",
        "depends on a setting of the whole host that a snippet must not change",
    ),
    (
        "external",
        "a fact about another system (the kernel, cryptography, a policy document) that no Go program here can observe",
    ),
    (
        "unavailable",
        "needs software that the registries this machine reaches do not serve",
    ),
];

static UNCHECKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*>\s*(?:\*\*Unchecked(?:\s*\(([^)]*)\))?:\*\*|\*\*Unchecked(?:\s*\(([^)]*)\))?\*\*:|Unchecked(?:\s*\(([^)]*)\))?:)\s*(.*?)\s*$",
    )
    .unwrap()
});

pub fn extract_document(doc: &Path, text: &str) -> Result<Extracted, Error> {
    let lines = LineIndex::new(text);
    let mut items: Vec<Item> = Vec::new();
    let mut unchecked: Vec<Unchecked> = Vec::new();
    let mut heading_line = 0;
    let mut problems = Vec::new();
    let mut snippets: Vec<Snippet> = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut in_heading: Option<String> = None;
    let mut block: Option<Block> = None;
    let mut per_item: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();

    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = Some(String::new());
                heading_line = lines.line_of(range.start);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(t) = in_heading.take() {
                    let h = Heading::new(t.trim(), heading.take());
                    if items.last().is_none_or(|i| i.id != h.item) {
                        items.push(Item {
                            id: h.item.clone(),
                            title: h.title.clone(),
                            line: heading_line,
                            numbered: h.numbered,
                        });
                    }
                    heading = Some(h);
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                let first = lines.line_of(range.start);
                for (i, l) in text[range.clone()].lines().enumerate() {
                    let line = first + i;
                    if let Some(c) = UNCHECKED.captures(l)
                        && unchecked.iter().all(|u| u.line != line)
                    {
                        let class = c
                            .get(1)
                            .or(c.get(2))
                            .or(c.get(3))
                            .map(|m| m.as_str().trim().to_string());
                        if let Some(class) = &class
                            && !UNCHECKED_CLASSES.iter().any(|(k, _)| k == class)
                        {
                            let known: Vec<&str> =
                                UNCHECKED_CLASSES.iter().map(|(k, _)| *k).collect();
                            problems.push(Problem::new(
                                format!("{}:{line}", doc.display()),
                                format!(
                                    "`Unchecked ({class})`: unknown class; say why no code can check the claim with one of {}, or leave the class out",
                                    known.join(", ")
                                ),
                            ));
                        }
                        unchecked.push(Unchecked {
                            item: heading.as_ref().map(|h| h.item.clone()),
                            line,
                            class,
                            reason: c[4].to_string(),
                        });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) if in_heading.is_some() => {
                in_heading.as_mut().unwrap().push_str(&t);
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = split_info(&info);
                // GitHub highlights `golang` as Go too, and collections use both. A
                // `testscript` block is a script of go-internal's testscript (`go::testscript`).
                let script = match words.first().map(String::as_str) {
                    Some("go" | "golang") => false,
                    Some("testscript") => true,
                    _ => continue,
                };
                words.remove(0);
                let line = lines.line_of(range.start);
                let closed = fence_is_closed(&text[range.clone()]);
                block = Some(Block {
                    line,
                    script,
                    words,
                    code: String::new(),
                    code_line: None,
                    closed,
                });
            }
            Event::Text(t) if block.is_some() => {
                let b = block.as_mut().unwrap();
                b.code_line.get_or_insert(lines.line_of(range.start));
                b.code.push_str(&t);
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some(b) = block.take() else { continue };
                let at = |line| format!("{}:{line}", doc.display());
                if !b.closed {
                    problems.push(Problem::new(
                        at(b.line),
                        "this go fence is never closed, so it swallows the rest of the document; add the closing fence",
                    ));
                    continue;
                }
                // A bad attribute or claim is this snippet's problem alone: it keeps its place
                // (and its id) and is reported as its error, while the others run.
                let mut problem = None;
                let parsed = if b.script {
                    super::attributes::parse_script_attrs(&b.words)
                } else {
                    parse_attrs(&b.words)
                };
                let attrs = match parsed {
                    Ok(a) => a,
                    Err(msg) => {
                        problem = Some(Problem::new(at(b.line), msg));
                        // The id it names still counts, so the others' ids do not move.
                        crate::snippet::Attrs {
                            id: b
                                .words
                                .iter()
                                .find_map(|w| w.strip_prefix("id="))
                                .filter(|v| super::attributes::valid_id(v))
                                .map(str::to_string),
                            script: b.script,
                            ..Default::default()
                        }
                    }
                };
                let code = b.code.replace("\r\n", "\n");
                let code_line = b.code_line.unwrap_or(b.line + 1);
                // A script's own lines are its claims (`stdout`, `cmp`, `! exec`); its `#`
                // comments are not Go's.
                let claims = match if b.script {
                    Ok(Vec::new())
                } else {
                    parse_claims(&code, code_line)
                } {
                    Ok(c) => c,
                    Err((line, msg)) => {
                        problem.get_or_insert(Problem::new(at(line), msg));
                        Vec::new()
                    }
                };
                let item = heading.as_ref().map(|h| h.item.clone());
                let (id, title) = match (&attrs.id, &heading) {
                    (Some(id), h) => (id.clone(), h.as_ref().map(|h| h.title.clone())),
                    // `## ..` has no letter or digit to make a slug of: an empty id would name
                    // the record `.toml` and show as a blank in reports.
                    (None, Some(h)) if h.item.is_empty() => {
                        problems.push(Problem::new(
                            at(b.line),
                            format!(
                                "the heading above this snippet ({:?}) has no letter or digit to take an id from; add an id=NAME attribute",
                                h.title
                            ),
                        ));
                        continue;
                    }
                    (None, Some(h)) => {
                        let n = per_item.entry(h.item.clone()).or_insert(0);
                        *n += 1;
                        let id = if *n == 1 {
                            h.item.clone()
                        } else {
                            format!("{}-{n}", h.item)
                        };
                        (id, Some(h.title.clone()))
                    }
                    (None, None) => {
                        problems.push(Problem::new(
                            at(b.line),
                            "this snippet has no heading above it to take its id from; add an id=NAME attribute",
                        ));
                        continue;
                    }
                };
                let b_id = id.clone();
                if let Some(first) = seen.insert(id.clone(), b.line) {
                    problems.push(Problem::new(
                        at(b.line),
                        format!(
                            "duplicate snippet id `{id}` (also at line {first}); give one of them an id=NAME attribute"
                        ),
                    ));
                    continue;
                }
                snippets.push(Snippet {
                    id,
                    doc: doc.to_path_buf(),
                    line: b.line,
                    code_line,
                    title: title.unwrap_or_default(),
                    item: item.unwrap_or_else(|| b_id.clone()),
                    attrs,
                    code,
                    claims,
                    problem,
                });
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(Extracted {
            items,
            snippets,
            unchecked,
        })
    } else {
        // The document cannot be used as it is; its snippets' own problems are listed with
        // its, so every problem shows at once.
        problems.extend(snippets.into_iter().filter_map(|s| s.problem));
        problems.sort_by_key(|p| {
            p.at.rsplit_once(':')
                .and_then(|(_, l)| l.parse::<usize>().ok())
                .unwrap_or(0)
        });
        Err(Error::Problems(problems))
    }
}

struct Block {
    line: usize,
    /// A ```` ```testscript ```` block.
    script: bool,
    words: Vec<String>,
    code: String,
    code_line: Option<usize>,
    closed: bool,
}

/// The item a snippet belongs to. A numbered heading (`### 1028. ...`) starts an item that lasts
/// until the next numbered heading, so sub-headings such as `#### Indepth` stay inside it; in a
/// document without numbered headings every heading is an item, named by its slug.
struct Heading {
    item: String,
    title: String,
    numbered: bool,
}

impl Heading {
    fn new(text: &str, previous: Option<Heading>) -> Heading {
        static NUMBERED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^(\d+(?:\.\d+)*)\.\s").unwrap());
        if let Some(c) = NUMBERED.captures(text) {
            return Heading {
                item: c[1].to_string(),
                title: text.to_string(),
                numbered: true,
            };
        }
        match previous {
            Some(p) if p.numbered => p,
            _ => Heading {
                item: slug(text),
                title: text.to_string(),
                numbered: false,
            },
        }
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A fence is closed when the block's source ends with a fence line of the same character at least
/// as long as the opening one; CommonMark lets an unclosed fence run to the end of the document,
/// which in a snippet file is always a mistake.
fn fence_is_closed(source: &str) -> bool {
    let mut lines = source.lines();
    let open = lines.next().unwrap_or("").trim_start();
    let ch = open.chars().next().unwrap_or('`');
    let len = open.chars().take_while(|&c| c == ch).count();
    let Some(last) = source.trim_end_matches(['\n', '\r']).lines().last() else {
        return false;
    };
    if source.lines().count() < 2 {
        return false;
    }
    // Inside a block quote every line of the block, the closing fence too, carries the `>`
    // markers; the opening line's range starts after them.
    let last = last
        .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
        .trim_end();
    let fence_len = last.chars().take_while(|&c| c == ch).count();
    fence_len >= len && last[fence_len..].trim().is_empty()
}

/// Byte offset -> 1-based line number (pulldown-cmark gives offsets; reports want lines).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::claims::grammar::with_line;
    use crate::snippet::{Attrs, Claim, ClaimKind, GoVersion};

    fn ok(md: &str) -> Vec<Snippet> {
        match extract(Path::new("doc.md"), md) {
            Ok(s)
                if s.iter()
                    .all(|s| s.problem.is_none() && s.attrs.unknown.is_empty()) =>
            {
                s
            }
            Ok(s) => panic!("unexpected problems: {s:?}"),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    /// Every problem found: the document's own, and each snippet's (a bad attribute or claim,
    /// an attribute nobody accepted), in line order, as `verify` reports them.
    fn problems(md: &str) -> Vec<Problem> {
        let mut ps = match extract(Path::new("doc.md"), md) {
            Ok(snippets) => snippets
                .iter()
                .filter_map(|s| {
                    s.problem.clone().or_else(|| {
                        super::super::attributes::unknown_problem(&s.attrs.unknown, &[])
                            .map(|m| Problem::new(format!("doc.md:{}", s.line), m))
                    })
                })
                .collect(),
            Err(Error::Problems(ps)) => ps,
            Err(e) => panic!("unexpected error kind: {e}"),
        };
        assert!(!ps.is_empty(), "expected problems in {md:?}");
        let line = |p: &Problem| {
            p.at.rsplit_once(':')
                .and_then(|(_, l)| l.parse::<usize>().ok())
                .unwrap_or(0)
        };
        ps.sort_by_key(line);
        ps
    }

    fn one_problem(md: &str) -> Problem {
        let ps = problems(md);
        assert_eq!(ps.len(), 1, "{ps:?}");
        ps.into_iter().next().unwrap()
    }

    fn claim(line: usize, kind: ClaimKind) -> Claim {
        Claim {
            line,
            kind,
            go: None,
            release: None,
        }
    }

    fn output(s: &str) -> ClaimKind {
        ClaimKind::Output(s.to_string())
    }

    // ---- fences ----

    #[test]
    fn stderr_claims_end_only_at_a_capitalised_claim_word() {
        let code =
            "println(1)\npanic(\"x\")\n// Stderr:\n// 1\n// panic: x\n// Panic: x\n// Output:\n";
        assert_eq!(
            parse_claims(code, 10),
            Ok(vec![
                claim(12, ClaimKind::Stderr("1\npanic: x".into())),
                claim(15, ClaimKind::Panic("x".into())),
                claim(16, output("")),
            ])
        );
        let (line, msg) = parse_claims("f()\n// Stderr: a\n// Stderr: b\n", 5).unwrap_err();
        assert_eq!(line, 7);
        assert!(msg.contains("at most one stderr claim"), "{msg}");
    }

    #[test]
    fn backtick_fence_basic() {
        let s = ok("# A\n\n```go\nx := 1\n_ = x\n```\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "a");
        assert_eq!(s[0].doc, Path::new("doc.md"));
        assert_eq!(s[0].line, 3);
        assert_eq!(s[0].code_line, 4);
        assert_eq!(s[0].title, "A");
        assert_eq!(s[0].code, "x := 1\n_ = x\n");
        assert_eq!(s[0].attrs, Attrs::default());
        assert!(s[0].claims.is_empty());
    }

    #[test]
    fn tilde_fence() {
        let s = ok("# A\n\n~~~go\nfmt.Println(1)\n~~~\n");
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (3, 4));
        assert_eq!(s[0].code, "fmt.Println(1)\n");
    }

    #[test]
    fn backtick_fence_longer_than_three() {
        let s = ok("# A\n\n````go\n```\nfmt.Println(1)\n````\n");
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (3, 4));
        assert_eq!(s[0].code, "```\nfmt.Println(1)\n");
    }

    #[test]
    fn indented_fence_is_deindented() {
        let s = ok("# A\n\n   ```go\n   if true {\n      x()\n   }\n   ```\n");
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (3, 4));
        assert_eq!(s[0].code, "if true {\n   x()\n}\n");
    }

    #[test]
    fn one_space_indented_fence() {
        let s = ok("# A\n\n ```go\n x := 1\n ```\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].code, "x := 1\n");
    }

    #[test]
    fn fence_inside_list_item_is_deindented() {
        let md = "# A\n\n- item:\n\n  ```go\n  fmt.Println(1)\n  // Output: 1\n  ```\n- next\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (5, 6));
        assert_eq!(s[0].code, "fmt.Println(1)\n// Output: 1\n");
        assert_eq!(s[0].claims, vec![claim(7, output("1"))]);
    }

    #[test]
    fn fence_inside_blockquote() {
        let md = "# A\n\n> ```go\n> fmt.Println(1)\n> // Output: 1\n> ```\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (3, 4));
        assert_eq!(s[0].code, "fmt.Println(1)\n// Output: 1\n");
        assert_eq!(s[0].claims, vec![claim(5, output("1"))]);
    }

    #[test]
    fn unterminated_fence_inside_blockquote() {
        let p = one_problem("# A\n\n> ```go\n> x()\n\nafter\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.contains("never closed"), "{}", p.message);
    }

    #[test]
    fn crlf_line_endings() {
        let md =
            "# A\r\n\r\ntext\r\n\r\n```go norun\r\nfmt.Println(1)\r\n// Output:\r\n// 1\r\n```\r\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].title, "A");
        assert_eq!(s[0].id, "a");
        assert!(s[0].attrs.norun);
        assert_eq!((s[0].line, s[0].code_line), (5, 6));
        assert_eq!(s[0].code, "fmt.Println(1)\n// Output:\n// 1\n");
        assert!(!s[0].code.contains('\r'));
        assert_eq!(s[0].claims, vec![claim(7, output("1"))]);
    }

    #[test]
    fn unterminated_fence_is_an_error_naming_its_line() {
        let p = one_problem("# A\n\ntext\n\n```go\nfmt.Println(1)\n\nmore text\n");
        assert_eq!(p.at, "doc.md:5");
        assert!(p.message.contains("never closed"), "{}", p.message);
    }

    #[test]
    fn unterminated_fence_at_end_with_only_the_opening_line() {
        let p = one_problem("# A\n\n```go");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.contains("never closed"), "{}", p.message);
    }

    #[test]
    fn unterminated_fence_ending_with_a_shorter_fence() {
        let p = one_problem("# A\n\n````go\nx := 1\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.contains("never closed"), "{}", p.message);
    }

    #[test]
    fn closing_fence_longer_than_opening() {
        let s = ok("# A\n\n```go\nx()\n`````\n");
        assert_eq!(s[0].code, "x()\n");
    }

    #[test]
    fn empty_go_block() {
        let s = ok("# A\n\n```go\n```\n");
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].line, s[0].code_line), (3, 4));
        assert_eq!(s[0].code, "");
        assert!(s[0].claims.is_empty());
    }

    // ---- info strings ----

    #[test]
    fn info_norun_with_space() {
        let s = ok("# A\n\n```go norun\nx()\n```\n");
        assert_eq!(
            s[0].attrs,
            Attrs {
                norun: true,
                ..Attrs::default()
            }
        );
    }

    #[test]
    fn info_norun_with_comma() {
        let s = ok("# A\n\n```go,norun\nx()\n```\n");
        assert!(s[0].attrs.norun);
        assert_eq!(s[0].attrs.ignore, None);
    }

    #[test]
    fn info_timeout() {
        let s = ok("# A\n\n```go timeout=2s\nx()\n```\n");
        assert_eq!(s[0].attrs.timeout, Some(Duration::from_secs(2)));
        assert!(!s[0].attrs.norun);
    }

    #[test]
    fn info_ignore_with_quoted_reason() {
        let s = ok("# A\n\n```go ignore=\"needs a server\"\nx()\n```\n");
        assert_eq!(s[0].attrs.ignore.as_deref(), Some("needs a server"));
    }

    #[test]
    fn info_ignore_without_reason() {
        let s = ok("# A\n\n```go ignore\nx()\n```\n");
        assert_eq!(s[0].attrs.ignore.as_deref(), Some(""));
    }

    #[test]
    fn info_id_overrides_heading() {
        let s = ok("### 7. Seven\n\n```go id=my-id\nx()\n```\n");
        assert_eq!(s[0].id, "my-id");
        assert_eq!(s[0].attrs.id.as_deref(), Some("my-id"));
        assert_eq!(s[0].title, "7. Seven");
    }

    #[test]
    fn info_several_attributes() {
        let s = ok("# A\n\n```go norun, timeout=500ms id=x.y_z\nx()\n```\n");
        assert_eq!(
            s[0].attrs,
            Attrs {
                ignore: None,
                norun: true,
                timeout: Some(Duration::from_millis(500)),
                id: Some("x.y_z".into()),
                ..Attrs::default()
            }
        );
        assert_eq!(s[0].id, "x.y_z");
    }

    #[test]
    fn fidelity_attributes() {
        let s = ok(
            "# A\n\n```go varies=5 race go=1.21 min_go=1.22 godebug=a=1 godebug=b=2 env=K=V=W args=\"x  y\" stdin=\"a\\nb\"\nx()\n```\n",
        );
        assert_eq!(
            s[0].attrs,
            Attrs {
                varies: Some(5),
                race: true,
                go: Some(GoVersion(1, 21)),
                min_go: Some(GoVersion(1, 22)),
                godebug: vec!["a=1".into(), "b=2".into()],
                env: vec![("K".into(), "V=W".into())],
                args: vec!["x".into(), "y".into()],
                stdin: Some("a\nb".into()),
                ..Attrs::default()
            }
        );
        assert_eq!(
            ok("# A\n\n```go vet varies\nx()\n```\n")[0].attrs.varies,
            Some(0)
        );
        for bad in ["varies=1", "go=one", "env==x", "norun varies"] {
            let md = format!("# A\n\n```go {bad}\nx()\n```\n");
            assert!(!problems(&md).is_empty(), "{bad}");
        }
    }

    #[test]
    fn golang_is_go_but_gopher_and_capital_go_are_not_snippets() {
        let md = "# A\n\n```golang\nx()\n```\n\n```gopher\ny()\n```\n\n```Go\nz()\n```\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].code, "x()\n");
    }

    /// A `testscript` block is a snippet whose `#` comments and `// Output:`-like lines are
    /// script text, not claims; it takes the attributes a script can use, and no others.
    #[test]
    fn testscript_blocks_are_scripts_with_their_own_attributes() {
        let md = "# A\n\n```testscript timeout=30s env=K=v\n# a comment\nexec echo hi\n// Output: no\n```\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert!(s[0].attrs.script);
        assert_eq!(s[0].attrs.timeout, Some(Duration::from_secs(30)));
        assert_eq!(s[0].attrs.env, [("K".to_string(), "v".to_string())]);
        assert!(s[0].claims.is_empty(), "{:?}", s[0].claims);
        assert_eq!((s[0].id.as_str(), s[0].code_line), ("a", 4));
        let p = one_problem("# A\n\n```testscript race\nexec go test ./...\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(
            p.message.contains("testscript block takes ignore"),
            "{}",
            p.message
        );
    }

    #[test]
    fn empty_info_string_block_is_ignored() {
        let md = "# A\n\n```\nnot go\n```\n\n```go\nx()\n```\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, 7);
        assert_eq!(s[0].code, "x()\n");
    }

    #[test]
    fn non_go_blocks_are_ignored() {
        let md = "# A\n\n```sh\ngo run .\n```\n\n```python\nprint(1)\n```\n\n    go indented code\n\n```go\nx()\n```\n";
        let s = ok(md);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "a");
        assert_eq!(s[0].line, 13);
        assert_eq!(s[0].code, "x()\n");
    }

    #[test]
    fn unknown_attribute_is_an_error() {
        let p = one_problem("# A\n\n```go bogus\nx()\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(
            p.message.contains("unknown attribute `bogus`"),
            "{}",
            p.message
        );
    }

    #[test]
    fn norun_with_a_value_is_an_error() {
        let p = one_problem("# A\n\n```go norun=yes\nx()\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(
            p.message.contains("unknown attribute `norun=yes`"),
            "{}",
            p.message
        );
    }

    #[test]
    fn bad_timeout_is_an_error() {
        let p = one_problem("# A\n\n```go timeout=xyz\nx()\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.starts_with("timeout=xyz: "), "{}", p.message);
    }

    #[test]
    fn bad_id_is_an_error() {
        let p = one_problem("# A\n\n```go id=a/b\nx()\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.starts_with("id=a/b: "), "{}", p.message);
    }

    // ---- ids and titles ----

    #[test]
    fn numbered_heading_gives_item_number_and_plain_title() {
        let md = "### 1028. **Tricky**: x\n\n```go\na()\n```\n\n```go\nb()\n```\n";
        let s = ok(md);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, "1028");
        assert_eq!(s[1].id, "1028-2");
        assert_eq!(s[0].title, "1028. Tricky: x");
        assert_eq!(s[1].title, "1028. Tricky: x");
        assert_eq!((s[0].line, s[1].line), (3, 7));
    }

    #[test]
    fn a_number_without_its_dot_is_not_an_item() {
        let s = ok("## 2024 Roadmap\n\n```go\na()\n```\n");
        assert_eq!(s[0].id, "2024-roadmap");
    }

    #[test]
    fn title_drops_inline_code_markup() {
        let s = ok("### 12. Why is `x != nil` *true*?\n\n```go\na()\n```\n");
        assert_eq!(s[0].id, "12");
        assert_eq!(s[0].title, "12. Why is x != nil true?");
    }

    #[test]
    fn indepth_subheading_keeps_the_numbered_item() {
        let md = "### 1028. Tricky\n\n```go\na()\n```\n\n#### Indepth\n\n```go\nb()\n```\n\n### 1029. Next\n\n```go\nc()\n```\n";
        let s = ok(md);
        let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["1028", "1028-2", "1029"]);
        assert_eq!(s[1].title, "1028. Tricky");
        assert_eq!(s[2].title, "1029. Next");
    }

    #[test]
    fn document_without_numbered_headings_uses_slugs() {
        let md = "# Getting Started!\n\n```go\na()\n```\n\n```go\nb()\n```\n\n## Maps & `sync.Map`\n\n```go\nc()\n```\n";
        let s = ok(md);
        let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["getting-started", "getting-started-2", "maps-sync-map"]
        );
        assert_eq!(s[2].title, "Maps & sync.Map");
    }

    #[test]
    fn block_before_any_heading_needs_an_id() {
        let p = one_problem("intro\n\n```go\nx()\n```\n");
        assert_eq!(p.at, "doc.md:3");
        assert!(p.message.contains("add an id=NAME"), "{}", p.message);
    }

    #[test]
    fn block_before_any_heading_with_an_id() {
        let s = ok("intro\n\n```go id=intro\nx()\n```\n");
        assert_eq!(s[0].id, "intro");
        assert_eq!(s[0].title, "");
    }

    #[test]
    fn explicit_id_does_not_use_up_a_number() {
        let md = "### 5. Five\n\n```go\na()\n```\n\n```go id=extra\nb()\n```\n\n```go\nc()\n```\n";
        let ids: Vec<String> = ok(md).into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["5", "extra", "5-2"]);
    }

    #[test]
    fn duplicate_id_is_an_error_naming_both_lines() {
        let md = "### 5. Five\n\n```go id=x\na()\n```\n\n```go id=x\nb()\n```\n";
        let p = one_problem(md);
        assert_eq!(p.at, "doc.md:7");
        assert!(
            p.message.contains("duplicate snippet id `x`"),
            "{}",
            p.message
        );
        assert!(p.message.contains("line 3"), "{}", p.message);
    }

    #[test]
    fn explicit_id_clashing_with_a_derived_one() {
        let md = "### 5. Five\n\n```go\na()\n```\n\n```go id=5\nb()\n```\n";
        let p = one_problem(md);
        assert_eq!(p.at, "doc.md:7");
        assert!(
            p.message.contains("`5`") && p.message.contains("line 3"),
            "{}",
            p.message
        );
    }

    #[test]
    fn all_problems_are_collected() {
        let md = "```go\nx()\n```\n\n# A\n\n```go bogus\ny()\n```\n\n```go\n// Exit: x\n```\n";
        let ats: Vec<String> = problems(md).into_iter().map(|p| p.at).collect();
        // `bogus` (line 7) is not a problem of the document: whether it is one depends on the
        // project's `ignored_attributes`, which `verify` applies.
        assert_eq!(ats, ["doc.md:1", "doc.md:12"]);
    }

    #[test]
    fn text_above_changes_line_but_not_id() {
        let before = "### 3. Three\n\n```go\nx()\n```\n";
        let after = "### 3. Three\n\nSome new\nexplanation.\n\n```go\nx()\n```\n";
        let (a, b) = (ok(before), ok(after));
        assert_eq!(a[0].id, "3");
        assert_eq!(b[0].id, "3");
        assert_eq!((a[0].line, a[0].code_line), (3, 4));
        assert_eq!((b[0].line, b[0].code_line), (6, 7));
    }

    // ---- claims ----

    #[test]
    fn multi_line_output() {
        let md = "# A\n\n```go\nfmt.Println(1)\nfmt.Println(2)\n// Output:\n// 1\n// 2\n```\n";
        let s = ok(md);
        assert_eq!(s[0].claims, vec![claim(6, output("1\n2"))]);
    }

    #[test]
    fn single_line_output() {
        let s = ok("# A\n\n```go\nfmt.Println(1)\n// Output: 1\n```\n");
        assert_eq!(s[0].claims, vec![claim(5, output("1"))]);
    }

    #[test]
    fn unordered_output() {
        let s = ok("# A\n\n```go\nf()\n// Unordered output:\n// b\n// a\n```\n");
        assert_eq!(
            s[0].claims,
            vec![claim(5, ClaimKind::UnorderedOutput("b\na".into()))]
        );
    }

    #[test]
    fn claim_headers_are_case_insensitive() {
        assert_eq!(
            parse_claims("f()\n// output: 1\n", 10),
            Ok(vec![claim(11, output("1"))])
        );
        assert_eq!(
            parse_claims("f()\n// UNORDERED OUTPUT:\n// 1\n", 10),
            Ok(vec![claim(11, ClaimKind::UnorderedOutput("1".into()))])
        );
        assert_eq!(
            parse_claims("f()\n// panic: boom\n", 10),
            Ok(vec![claim(11, ClaimKind::Panic("boom".into()))])
        );
    }

    #[test]
    fn panic_claim() {
        assert_eq!(
            parse_claims("f()\n// Panic: close of nil channel\n", 1),
            Ok(vec![claim(
                2,
                ClaimKind::Panic("close of nil channel".into())
            )])
        );
    }

    #[test]
    fn fatal_claim() {
        assert_eq!(
            parse_claims("f()\n// Fatal: all goroutines are asleep\n", 1),
            Ok(vec![claim(
                2,
                ClaimKind::Fatal("all goroutines are asleep".into())
            )])
        );
    }

    #[test]
    fn exit_claim() {
        assert_eq!(
            parse_claims("os.Exit(3)\n// Exit: 3\n", 1),
            Ok(vec![claim(2, ClaimKind::Exit(3))])
        );
    }

    #[test]
    fn output_then_exit() {
        assert_eq!(
            parse_claims("f()\n// Output: hi\n// Exit: 3\n", 20),
            Ok(vec![claim(21, output("hi")), claim(22, ClaimKind::Exit(3))])
        );
    }

    #[test]
    fn exit_not_a_number_is_an_error() {
        let (line, msg) = parse_claims("f()\n// Exit: x\n", 5).unwrap_err();
        assert_eq!(line, 6);
        assert!(msg.contains("whole number"), "{msg}");
    }

    #[test]
    fn panic_without_text_is_an_error() {
        let (line, msg) = parse_claims("f()\n// Panic:\n", 5).unwrap_err();
        assert_eq!(line, 6);
        assert_eq!(msg, "`// Panic:` needs the text the message contains");
    }

    #[test]
    fn fatal_without_text_is_an_error() {
        let (line, msg) = parse_claims("f()\n// Fatal:   \n", 5).unwrap_err();
        assert_eq!(line, 6);
        assert_eq!(msg, "`// Fatal:` needs the text the message contains");
    }

    #[test]
    fn two_output_claims_are_an_error() {
        let (line, msg) =
            parse_claims("f()\n// Output: a\n// Unordered output: b\n", 5).unwrap_err();
        assert_eq!(line, 7);
        assert!(msg.contains("at most one output claim"), "{msg}");
    }

    #[test]
    fn plain_comment_after_a_claim_is_an_error() {
        let (line, msg) = parse_claims("f()\n// Panic: boom\n// see above\n", 5).unwrap_err();
        assert_eq!(line, 7);
        assert!(msg.contains("not one"), "{msg}");
    }

    #[test]
    fn claim_errors_go_through_extract_with_markdown_lines() {
        let p = one_problem("# A\n\n```go\nf()\n// Panic: boom\n// see above\n```\n");
        assert_eq!(p.at, "doc.md:6");
    }

    #[test]
    fn claims_at_the_end_of_main_in_a_whole_program() {
        let code = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n\t// Output:\n\t// hi\n}\n";
        assert_eq!(parse_claims(code, 100), Ok(vec![claim(106, output("hi"))]));
    }

    #[test]
    fn claims_after_the_closing_brace() {
        let code = "package main\n\nfunc main() {\n\tpanic(\"boom\")\n}\n\n// Panic: boom\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![claim(7, ClaimKind::Panic("boom".into()))])
        );
    }

    #[test]
    fn comments_not_at_the_end_are_not_claims() {
        let code = "// Output: not a claim\nf()\n";
        assert_eq!(parse_claims(code, 1), Ok(vec![]));
    }

    #[test]
    fn normal_comment_before_the_claims_is_not_a_claim() {
        let code = "f()\n// This prints one line.\n// Output: 1\n";
        assert_eq!(parse_claims(code, 1), Ok(vec![claim(3, output("1"))]));
    }

    #[test]
    fn trailing_comments_without_a_claim() {
        assert_eq!(parse_claims("f()\n// just a note\n", 1), Ok(vec![]));
    }

    #[test]
    fn blank_line_between_claims() {
        assert_eq!(
            parse_claims("f()\n// Panic: boom\n\n// Exit: 2\n", 1),
            Ok(vec![
                claim(2, ClaimKind::Panic("boom".into())),
                claim(4, ClaimKind::Exit(2))
            ])
        );
    }

    #[test]
    fn blank_line_after_a_claim_before_the_closing_brace() {
        let code = "func main() {\n\tpanic(\"boom\")\n\t// Panic: boom\n\n}\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![claim(3, ClaimKind::Panic("boom".into()))])
        );
    }

    #[test]
    fn output_keeps_inner_indentation_and_drops_one_space() {
        let code = "f()\n// Output:\n// a\n//   b\n//c\n\t//  d\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![claim(2, output("a\n  b\nc\n d"))])
        );
    }

    #[test]
    fn error_claim_at_end_of_code_line() {
        let code = "x := 1\ny := 2 // ERROR \"declared and not used: y\"\n";
        assert_eq!(
            parse_claims(code, 10),
            Ok(vec![claim(
                11,
                ClaimKind::CompileError("declared and not used: y".into())
            )])
        );
    }

    #[test]
    fn error_claim_with_escaped_quote() {
        let code = "f(\"a\") // ERROR \"cannot use \\\"a\\\" \\(untyped\"\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![claim(
                1,
                ClaimKind::CompileError(r#"cannot use "a" \(untyped"#.into())
            )])
        );
    }

    #[test]
    fn error_claim_with_backquoted_pattern() {
        let code = "close(nil) // ERROR `invalid operation: \"x\" \\d`\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![claim(
                1,
                ClaimKind::CompileError(r#"invalid operation: "x" \d"#.into())
            )])
        );
    }

    #[test]
    fn error_claim_with_two_patterns() {
        let code = "a, b := 1, 2 // ERROR \"a declared\" `b declared`\n";
        assert_eq!(
            parse_claims(code, 3),
            Ok(vec![
                claim(3, ClaimKind::CompileError("a declared".into())),
                claim(3, ClaimKind::CompileError("b declared".into())),
            ])
        );
    }

    #[test]
    fn every_pattern_after_error_counts_as_in_go_s_runner() {
        let ce = |p: &str| ClaimKind::CompileError(p.into());
        // A comment after the patterns is skipped, and does not hide the claim.
        assert_eq!(
            parse_claims(
                "x := 1 // ERROR \"declared and not used\" // x is never read\n",
                1
            ),
            Ok(vec![claim(1, ce("declared and not used"))])
        );
        // A quoted string anywhere after ERROR is a pattern, as Go's runner reads it.
        assert_eq!(
            parse_claims("x := 1 // ERROR \"declared\" // x is \"never\" read\n", 1),
            Ok(vec![claim(1, ce("declared")), claim(1, ce("never"))])
        );
        assert_eq!(
            parse_claims("x := 1 // GC_ERROR \"declared\"\n", 1),
            Ok(vec![claim(1, ce("declared"))])
        );
        // `////` disables the claim; a word that merely starts with ERROR is none.
        assert_eq!(
            parse_claims("x := 1 //// ERROR \"declared\"\n", 1),
            Ok(vec![])
        );
        assert_eq!(
            parse_claims("x := 1 // ERRORS \"declared\"\n", 1),
            Ok(vec![])
        );
        // Go's own idioms: regexp escapes as written, a literal brace.
        assert_eq!(
            parse_claims(
                "v := T{} // ERROR \"cannot use T{} \\(value of struct type T\\)\"\n",
                1
            ),
            Ok(vec![claim(
                1,
                ce(r"cannot use T{} \(value of struct type T\)")
            )])
        );
    }

    #[test]
    fn error_without_a_pattern_is_an_error() {
        for code in [
            "x := 1 // ERROR declared and not used\n",
            "x := 1 // ERROR\n",
        ] {
            let (line, msg) = parse_claims(code, 7).unwrap_err();
            assert_eq!(line, 7);
            assert!(msg.contains("without a pattern"), "{msg}");
        }
    }

    #[test]
    fn line_in_a_pattern_is_the_claim_s_position() {
        assert_eq!(
            with_line("at LINE-1: x", "a/doc.md", 10),
            r"at a/doc\.md:9: x"
        );
        assert_eq!(with_line("LINE+2 LINE", "d.md", 10), r"d\.md:12 d\.md:10");
    }

    #[test]
    fn error_claim_with_invalid_regexp() {
        let (line, msg) = parse_claims("x\ny // ERROR \"(unclosed\"\n", 4).unwrap_err();
        assert_eq!(line, 5);
        assert!(msg.starts_with("bad regexp in // ERROR"), "{msg}");
    }

    #[test]
    fn error_claim_and_output_claim_together() {
        let code = "x := 1 // ERROR \"x\"\n// Output: 1\n";
        assert_eq!(
            parse_claims(code, 1),
            Ok(vec![
                claim(1, ClaimKind::CompileError("x".into())),
                claim(2, output("1")),
            ])
        );
    }

    #[test]
    fn error_claim_lines_through_extract() {
        let md = "# A\n\n```go\ns := []int{1}\nappend(s, 2) // ERROR \"is not used\"\n```\n";
        let s = ok(md);
        assert_eq!(
            s[0].claims,
            vec![claim(5, ClaimKind::CompileError("is not used".into()))]
        );
    }

    #[test]
    fn fragment_with_imports_is_extracted_verbatim() {
        let md = "# A\n\n```go\nimport \"strings\"\n\nfmt.Println(strings.ToUpper(\"a\"))\n// Output: A\n```\n";
        let s = ok(md);
        assert_eq!(
            s[0].code,
            "import \"strings\"\n\nfmt.Println(strings.ToUpper(\"a\"))\n// Output: A\n"
        );
        assert_eq!(s[0].code_line, 4);
        assert_eq!(s[0].claims, vec![claim(7, output("A"))]);
    }
}
