//! Markdown -> snippets. pulldown-cmark finds the fenced `go` blocks (so tildes, indented fences,
//! lists and CRLF follow CommonMark), its source offsets give Markdown line numbers, and the claim
//! comments at the end of each block are parsed here into `Claim`s.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use regex::Regex;

use crate::error::{Error, Problem};
use crate::snippet::{Attrs, Claim, ClaimKind, Snippet};
use crate::time::parse_duration;

/// Pulls every `go` block out of one document. All problems in the document are collected, so a
/// maintainer sees every broken fence and duplicate id at once.
pub fn extract(doc: &Path, text: &str) -> Result<Vec<Snippet>, Error> {
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let mut snippets: Vec<Snippet> = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut in_heading: Option<String> = None;
    let mut block: Option<Block> = None;
    let mut per_item: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();

    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(t) = in_heading.take() {
                    heading = Some(Heading::new(t.trim(), heading.take()));
                }
            }
            Event::Text(t) | Event::Code(t) if in_heading.is_some() => {
                in_heading.as_mut().unwrap().push_str(&t);
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = split_info(&info);
                if words.first().map(String::as_str) != Some("go") {
                    continue;
                }
                words.remove(0);
                let line = lines.line_of(range.start);
                let closed = fence_is_closed(&text[range.clone()]);
                block = Some(Block {
                    line,
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
                        "this ```go fence is never closed, so it swallows the rest of the document; add the closing fence",
                    ));
                    continue;
                }
                let attrs = match parse_attrs(&b.words) {
                    Ok(a) => a,
                    Err(msg) => {
                        problems.push(Problem::new(at(b.line), msg));
                        continue;
                    }
                };
                let code = b.code.replace("\r\n", "\n");
                let code_line = b.code_line.unwrap_or(b.line + 1);
                let claims = match parse_claims(&code, code_line) {
                    Ok(c) => c,
                    Err((line, msg)) => {
                        problems.push(Problem::new(at(line), msg));
                        continue;
                    }
                };
                let (id, title) = match (&attrs.id, &heading) {
                    (Some(id), h) => (id.clone(), h.as_ref().map(|h| h.title.clone())),
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
                    attrs,
                    code,
                    claims,
                });
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(snippets)
    } else {
        Err(Error::Problems(problems))
    }
}

struct Block {
    line: usize,
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
            LazyLock::new(|| Regex::new(r"^(\d+(?:\.\d+)*)\.?\s").unwrap());
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

/// Info strings are split on white space and commas (`go norun`, `go,norun`); a double-quoted
/// value may hold either (`ignore="needs a server"`).
fn split_info(info: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in info.chars() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted && (c.is_whitespace() || c == ',') => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn parse_attrs(words: &[String]) -> Result<Attrs, String> {
    let mut attrs = Attrs::default();
    for w in words {
        let (key, value) = match w.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (w.as_str(), None),
        };
        match (key, value) {
            ("ignore", reason) => attrs.ignore = Some(reason.unwrap_or("").to_string()),
            ("norun", None) => attrs.norun = true,
            ("timeout", Some(v)) => {
                attrs.timeout = Some(parse_duration(v).map_err(|e| format!("timeout={v}: {e}"))?)
            }
            ("id", Some(v)) if valid_id(v) => attrs.id = Some(v.to_string()),
            ("id", Some(v)) => {
                return Err(format!(
                    "id={v}: an id may hold only letters, digits, `-`, `_` and `.`"
                ));
            }
            _ => {
                return Err(format!(
                    "unknown attribute `{w}` in the info string; known: ignore, ignore=\"reason\", norun, timeout=DURATION, id=NAME"
                ));
            }
        }
    }
    Ok(attrs)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
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
    let last = last.trim();
    let fence_len = last.chars().take_while(|&c| c == ch).count();
    fence_len >= len && last[fence_len..].trim().is_empty()
}

static CLAIM_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^//\s*(unordered output|output|panic|fatal|exit):(.*)$").unwrap()
});
static ERROR_CLAIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"//\s*ERROR\s+((?:"(?:[^"\\]|\\.)*"\s*|`[^`]*`\s*)+)$"#).unwrap()
});
static ERROR_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""((?:[^"\\]|\\.)*)"|`([^`]*)`"#).unwrap());

/// Parses the claims of one block. `first_line` is the Markdown line of the block's first code
/// line. Errors carry the Markdown line they are about.
pub fn parse_claims(code: &str, first_line: usize) -> Result<Vec<Claim>, (usize, String)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut claims = Vec::new();

    for (i, l) in lines.iter().enumerate() {
        if let Some(c) = ERROR_CLAIM.captures(l) {
            for p in ERROR_PATTERN.captures_iter(&c[1]) {
                let re = match (p.get(1), p.get(2)) {
                    (Some(q), _) => q.as_str().replace("\\\"", "\""),
                    (_, Some(b)) => b.as_str().to_string(),
                    _ => unreachable!("the pattern has two alternatives"),
                };
                if let Err(e) = Regex::new(&re) {
                    return Err((first_line + i, format!("bad regexp in // ERROR: {e}")));
                }
                claims.push(Claim {
                    line: first_line + i,
                    kind: ClaimKind::CompileError(re),
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
    let mut saw_output = false;
    while i < end {
        let line_no = first_line + i;
        let text = lines[i].trim();
        let Some(h) = CLAIM_HEADER.captures(text) else {
            return Err((
                line_no,
                "this comment sits among the claims but is not one; move it above the first claim"
                    .into(),
            ));
        };
        let head = h[1].to_ascii_lowercase();
        let rest = h[2].trim().to_string();
        i += 1;
        let kind = match head.as_str() {
            "output" | "unordered output" => {
                if saw_output {
                    return Err((line_no, "a snippet has at most one output claim".into()));
                }
                saw_output = true;
                let mut body = vec![rest];
                while i < end && !CLAIM_HEADER.is_match(lines[i].trim()) {
                    body.push(comment_text(lines[i]).to_string());
                    i += 1;
                }
                let body = body.join("\n").trim().to_string();
                if head == "output" {
                    ClaimKind::Output(body)
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
            "panic" => ClaimKind::Panic(rest),
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
        });
    }
    Ok(claims)
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

/// Byte offset -> 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}
