//! Snippet -> Go source. A whole program is used as printed; a fragment is wrapped into
//! `package main` with its statements inside `func main`, and the standard-library imports it
//! uses but does not write are added. `//line` directives map every line back to the Markdown,
//! so compile errors and panic traces name the document and its line.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Problem;
use crate::snippet::Snippet;

/// The Go source of one snippet, ready to be written as `main.go` of its own package.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub source: String,
    /// `package main`: the build makes a binary that can be run. A library package is only built.
    pub is_main: bool,
}

pub fn wrap(snippet: &Snippet, std: &BTreeMap<String, Vec<String>>) -> Result<Program, Problem> {
    let masked = mask(&snippet.code);
    let directive = |offset: usize| {
        format!(
            "//line {}:{}:1\n",
            snippet.doc.display(),
            snippet.code_line + offset
        )
    };
    if let Some(pkg) = package_clause(&masked) {
        return Ok(Program {
            source: format!("{}{}", directive(0), snippet.code),
            is_main: pkg == "main",
        });
    }

    let code_lines: Vec<&str> = snippet.code.lines().collect();
    let masked_lines: Vec<&str> = masked.lines().collect();
    let split = header_end(&masked_lines);
    let header = code_lines[..split].join("\n");
    let body = code_lines[split..].join("\n");
    let has_main = Regex::new(r"(?m)^func\s+main\s*\(")
        .unwrap()
        .is_match(&masked_lines[..split].join("\n"));

    let imported = imported_names(&header);
    let mut imports = BTreeSet::new();
    for name in used_qualifiers(&masked) {
        if imported.contains(&name) || declared_locally(&masked, &name) {
            continue;
        }
        match std.get(&name).map(Vec::as_slice) {
            Some([path]) => {
                imports.insert(path.clone());
            }
            Some(paths) => {
                return Err(Problem::new(
                    format!("{}:{}", snippet.doc.display(), snippet.line),
                    format!(
                        "`{name}` could be any of {}; add an import line to the snippet",
                        paths.join(", ")
                    ),
                ));
            }
            None => {}
        }
    }

    let mut src = String::from("package main\n\n");
    for path in &imports {
        src.push_str(&format!("import \"{path}\"\n"));
    }
    src.push('\n');
    if !header.trim().is_empty() {
        src.push_str(&directive(0));
        src.push_str(&header);
        src.push('\n');
    }
    if !has_main {
        src.push_str("\nfunc main() {\n");
        if !body.trim().is_empty() {
            src.push_str(&directive(split));
            src.push_str(&body);
            src.push('\n');
        }
        src.push_str("}\n");
    } else if !body.trim().is_empty() {
        src.push_str(&directive(split));
        src.push_str(&body);
        src.push('\n');
    }
    Ok(Program {
        source: src,
        is_main: true,
    })
}

/// The package name when the code starts with a package clause.
fn package_clause(masked: &str) -> Option<String> {
    let first = masked.split_whitespace().take(2).collect::<Vec<_>>();
    match first.as_slice() {
        ["package", name] => Some(name.to_string()),
        _ => None,
    }
}

/// Index of the first statement line: the fragment's leading imports and top-level declarations
/// (`import`, `func`, `type`, `var`, `const` at column 0, each running until its brackets close)
/// stay at package level; everything from the first other line on goes into `main`.
fn header_end(masked: &[&str]) -> usize {
    static DECL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(import|func|type|var|const)\b").unwrap());
    let mut depth: i64 = 0;
    let mut header_end = 0;
    for (i, line) in masked.iter().enumerate() {
        if depth == 0 {
            if line.trim().is_empty() {
                continue;
            }
            if !DECL.is_match(line) {
                return header_end;
            }
        }
        for c in line.chars() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                _ => {}
            }
        }
        header_end = i + 1;
    }
    header_end
}

/// Names the header's import declarations bind (the alias, or the package's name).
fn imported_names(header: &str) -> BTreeSet<String> {
    static SPEC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)(?:^import\s+|^\s+|^import\s*\(\s*)([A-Za-z_]\w*|\.)?\s*"([^"]+)""#)
            .unwrap()
    });
    let mut names = BTreeSet::new();
    for c in SPEC.captures_iter(header) {
        let name = match c.get(1) {
            Some(alias) => alias.as_str().to_string(),
            None => {
                let path = &c[2];
                let mut parts = path.rsplit('/');
                let last = parts.next().unwrap_or(path);
                let is_major = last.len() > 1
                    && last.starts_with('v')
                    && last[1..].chars().all(|c| c.is_ascii_digit());
                match (is_major, parts.next()) {
                    (true, Some(prev)) => prev.to_string(),
                    _ => last.to_string(),
                }
            }
        };
        names.insert(name);
    }
    names
}

/// Identifiers used as `name.Something`, not themselves after a dot (so `a.b.C` gives `a` only).
fn used_qualifiers(masked: &str) -> BTreeSet<String> {
    static QUAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(^|[^.\w])([a-z_]\w*)\.[A-Za-z_]").unwrap());
    QUAL.captures_iter(masked)
        .map(|c| c[2].to_string())
        .collect()
}

/// Whether the fragment declares `name` itself (a variable, constant, type, function or
/// parameter), which shadows a package of that name.
fn declared_locally(masked: &str, name: &str) -> bool {
    let n = regex::escape(name);
    let patterns = [
        format!(r"\b{n}\s*(,\s*\w+\s*)*:="),
        format!(r",\s*{n}\s*(,\s*\w+\s*)*:="),
        format!(r"\b(var|const|type|func)\s+{n}\b"),
        format!(r"[(,]\s*{n}\s+[\w*\[\]]"),
    ];
    patterns
        .iter()
        .any(|p| Regex::new(p).unwrap().is_match(masked))
}

/// The code with comments, strings and rune literals blanked out (newlines kept), so the
/// scanners above never see a `fmt.` inside a string.
pub fn mask(code: &str) -> String {
    #[derive(PartialEq)]
    enum S {
        Code,
        Line,
        Block,
        Str,
        Raw,
        Rune,
    }
    let mut out = String::with_capacity(code.len());
    let mut state = S::Code;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
        match state {
            S::Code => match c {
                '/' if chars.peek() == Some(&'/') => {
                    state = S::Line;
                    out.push(' ');
                }
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    state = S::Block;
                    out.push_str("  ");
                }
                '"' => {
                    state = S::Str;
                    out.push('"');
                }
                '`' => {
                    state = S::Raw;
                    out.push('`');
                }
                '\'' => {
                    state = S::Rune;
                    out.push('\'');
                }
                c => out.push(c),
            },
            S::Line => {
                if c == '\n' {
                    state = S::Code;
                }
                out.push(blank(c));
            }
            S::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    state = S::Code;
                    out.push_str("  ");
                } else {
                    out.push(blank(c));
                }
            }
            S::Str | S::Rune => {
                let close = if state == S::Str { '"' } else { '\'' };
                if c == '\\' {
                    out.push(' ');
                    if let Some(n) = chars.next() {
                        out.push(blank(n));
                    }
                } else if c == close || c == '\n' {
                    state = S::Code;
                    out.push(c);
                } else {
                    out.push(' ');
                }
            }
            S::Raw => {
                if c == '`' {
                    state = S::Code;
                    out.push('`');
                } else {
                    out.push(blank(c));
                }
            }
        }
    }
    out
}
