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
        // The file ends where the block's last line does, without the line break before the
        // closing fence: the compiler puts an error at the end of the file (`unexpected EOF`)
        // on the line after the last line break, which would be the fence, where no claim
        // can stand. As in Go's test files that end without one, it is the last code line.
        let code = snippet.code.strip_suffix('\n').unwrap_or(&snippet.code);
        return Ok(Program {
            source: format!("{}{code}", directive(0)),
            is_main: pkg == "main",
        });
    }

    let code_lines: Vec<&str> = snippet.code.lines().collect();
    let masked_lines: Vec<&str> = masked.lines().collect();
    let split = header_end(&masked_lines);
    let header = code_lines[..split].join("\n");
    let body = code_lines[split..].join("\n");
    static MAIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^func\s+main\s*\(").unwrap());
    let has_main = MAIN.is_match(&masked_lines[..split].join("\n"));

    let imported = imported_names(&header);
    let declared = declared_names(&masked);
    let mut imports = BTreeSet::new();
    for name in used_qualifiers(&masked) {
        if imported.contains(&name) || declared.contains(&name) {
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

/// The import declarations' specs in Go source: (alias, path), the alias `_` or `.` included.
pub fn import_specs(source: &str) -> Vec<(Option<String>, String)> {
    static DECL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^import\s*(?:\(([^)]*)\)|(.*))").unwrap());
    static SPEC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?m)(?:^|;)\s*([A-Za-z_]\w*|\.)?\s*"([^"]+)""#).unwrap());
    DECL.captures_iter(source)
        .filter_map(|d| d.get(1).or(d.get(2)))
        .flat_map(|m| SPEC.captures_iter(m.as_str()))
        .map(|c| (c.get(1).map(|a| a.as_str().to_string()), c[2].to_string()))
        .collect()
}

/// Whether the code is a whole Go file (it starts with a package clause).
pub fn is_whole_file(code: &str) -> bool {
    package_clause(&mask(code)).is_some()
}

/// Whether the code is a whole Go file of a package other than `main`: it is only compiled.
pub fn is_library(code: &str) -> bool {
    package_clause(&mask(code)).is_some_and(|name| name != "main")
}

/// The package name when the code starts with a package clause. `package` is a keyword, so a
/// block whose first token is `package` is a whole file even when its clause is malformed
/// (`package%`, `package` alone): the compiler reports that, at its line. The name is empty
/// then; a name is an identifier, so `package main;` is `main`.
fn package_clause(masked: &str) -> Option<String> {
    let rest = masked.trim_start().strip_prefix("package")?;
    if rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
    {
        // `packages := ...`: an identifier that merely starts with the keyword.
        return None;
    }
    Some(
        rest.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect(),
    )
}

/// Index of the first statement line: the fragment's leading imports and top-level declarations
/// (`import`, `func`, `type`, `var`, `const` at column 0, each running until its brackets close)
/// stay at package level; everything from the first other line on goes into `main`. A function
/// literal at column 0 (`func() { ... }()`, gofmt writes no space after its `func`) is a statement.
fn header_end(masked: &[&str]) -> usize {
    static DECL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^((import|type|var|const)\b|func\s)").unwrap());
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

/// Names the header's import declarations bind (the alias, or the package's name). Only the
/// specs of `import` declarations count, not strings elsewhere in the header.
fn imported_names(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (alias, path) in import_specs(header) {
        let name = match alias {
            Some(alias) => alias,
            None => {
                let path = path.as_str();
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

/// The names the fragment declares itself (variables, constants, types, functions and
/// parameters), which shadow packages of those names. Found by pattern, not by parsing: a
/// name that only looks declared merely keeps an import from being inferred.
fn declared_names(masked: &str) -> BTreeSet<String> {
    static SHORT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b((?:\w+\s*,\s*)*\w+)\s*:=").unwrap());
    static KEYWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:var|const|type|func)\s+(\w+)\b").unwrap());
    static PARAM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[(,]\s*(\w+)\s+[\w*\[\]]").unwrap());
    let mut names = BTreeSet::new();
    for c in SHORT.captures_iter(masked) {
        names.extend(c[1].split(',').map(|n| n.trim().to_string()));
    }
    for re in [&*KEYWORD, &*PARAM] {
        names.extend(re.captures_iter(masked).map(|c| c[1].to_string()));
    }
    names
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::snippet::Attrs;

    fn std_map() -> BTreeMap<String, Vec<String>> {
        crate::go::toolchain::std_names(
            "fmt\nos\nstrings\nsort\nmath/rand\ncrypto/rand\nmath/rand/v2\ntime\nsync\n",
        )
    }

    /// A snippet whose fence is on Markdown line 9, so its code starts on line 10.
    fn snippet(code: &str) -> Snippet {
        Snippet {
            id: "1".into(),
            doc: PathBuf::from("doc.md"),
            line: 9,
            code_line: 10,
            title: "1. T".into(),
            item: "1".into(),
            attrs: Attrs::default(),
            code: code.into(),
            claims: vec![],
            problem: None,
        }
    }

    fn wrapped(code: &str) -> Program {
        match wrap(&snippet(code), &std_map()) {
            Ok(p) => p,
            Err(p) => panic!("unexpected problem: {p:?}"),
        }
    }

    fn source(code: &str) -> String {
        let p = wrapped(code);
        assert!(p.is_main);
        p.source
    }

    // ---- whole programs ----

    /// A whole file as `wrap` writes it: its `//line` directive, then the block's lines.
    fn as_file(code: &str) -> String {
        format!("//line doc.md:10:1\n{}", code.strip_suffix('\n').unwrap())
    }

    #[test]
    fn whole_program_is_kept_verbatim() {
        let code = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n";
        let p = wrapped(code);
        // All but the line break before the closing fence: the file ends on the block's last
        // line, so an error at its end is at that line.
        assert_eq!(
            p.source,
            "//line doc.md:10:1\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}"
        );
        assert!(p.is_main);
        let open = wrapped("package main\n\nfunc f() {\n\tbar(1,\n");
        assert!(open.source.ends_with("\tbar(1,"), "{:?}", open.source);
    }

    #[test]
    fn whole_program_after_a_leading_comment() {
        let code = "// Package main shows x.\n/* more */\npackage main\n\nfunc main() {}\n";
        let p = wrapped(code);
        assert_eq!(p.source, as_file(code));
        assert!(p.is_main);
    }

    #[test]
    fn a_malformed_package_clause_is_still_a_whole_file() {
        for code in [
            "package%\nfunc main() {}\n",
            "package\n",
            "package main;\nfunc main() {}\n",
        ] {
            let p = wrapped(code);
            assert_eq!(p.source, as_file(code), "{code:?}");
        }
        assert!(wrapped("package main;\nfunc main() {}\n").is_main);
        assert!(!wrapped("package%\nfunc main() {}\n").is_main);
        // An identifier that starts with the keyword is a statement.
        let p = wrapped("packages := 1\n_ = packages\n");
        assert!(p.source.contains("func main() {"), "{}", p.source);
    }

    #[test]
    fn library_package_is_not_main() {
        let code = "package foo\n\nfunc F() int { return fmt.X }\n";
        let p = wrapped(code);
        assert_eq!(p.source, as_file(code));
        assert!(!p.is_main);
    }

    #[test]
    fn whole_program_uses_the_code_line_of_the_snippet() {
        let mut s = snippet("package main\nfunc main() {}\n");
        s.line = 41;
        s.code_line = 42;
        let p = wrap(&s, &std_map()).unwrap();
        assert_eq!(p.source, "//line doc.md:42:1\npackage main\nfunc main() {}");
    }

    // ---- fragments ----

    #[test]
    fn fragment_is_wrapped_in_main_with_inferred_import() {
        assert_eq!(
            source("fmt.Println(1)\n// Output: 1\n"),
            "package main\n\nimport \"fmt\"\n\n\nfunc main() {\n//line doc.md:10:1\nfmt.Println(1)\n// Output: 1\n}\n"
        );
    }

    #[test]
    fn fragment_without_imports() {
        assert_eq!(
            source("x := 1\n_ = x\n"),
            "package main\n\n\n\nfunc main() {\n//line doc.md:10:1\nx := 1\n_ = x\n}\n"
        );
    }

    #[test]
    fn inferred_imports_are_sorted_and_unique() {
        let code = "time.Sleep(0)\nos.Exit(strings.Count(\"\", \"\"))\nfmt.Println()\nfmt.Println()\nsort.Ints(nil)\n";
        let src = source(code);
        assert!(
            src.starts_with(
                "package main\n\nimport \"fmt\"\nimport \"os\"\nimport \"sort\"\nimport \"strings\"\nimport \"time\"\n\n"
            ),
            "{src}"
        );
    }

    #[test]
    fn unknown_qualifiers_are_not_imported() {
        // `errgroup` is not in the standard library, `x` is a local.
        assert_eq!(
            source("x.Y()\nerrgroup.Go()\n"),
            "package main\n\n\n\nfunc main() {\n//line doc.md:10:1\nx.Y()\nerrgroup.Go()\n}\n"
        );
    }

    #[test]
    fn leading_declarations_stay_at_package_level() {
        let code = "type T struct {\n\tN int\n}\n\nfunc (t T) String() string {\n\treturn fmt.Sprint(t.N)\n}\n\nvar (\n\ta = 1\n\tb = 2\n)\n\nfmt.Println(T{a + b})\n";
        let header = "type T struct {\n\tN int\n}\n\nfunc (t T) String() string {\n\treturn fmt.Sprint(t.N)\n}\n\nvar (\n\ta = 1\n\tb = 2\n)";
        assert_eq!(
            source(code),
            format!(
                "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\n{header}\n\nfunc main() {{\n//line doc.md:22:1\n\nfmt.Println(T{{a + b}})\n}}\n"
            )
        );
    }

    #[test]
    fn leading_const_and_single_line_func() {
        let code = "const n = 3\nfunc double(x int) int { return 2 * x }\nfmt.Println(double(n))\n";
        assert_eq!(
            source(code),
            "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nconst n = 3\nfunc double(x int) int { return 2 * x }\n\nfunc main() {\n//line doc.md:12:1\nfmt.Println(double(n))\n}\n"
        );
    }

    #[test]
    fn braces_in_strings_do_not_confuse_the_header() {
        let code = "var open = \"{(\"\nfmt.Println(open)\n";
        assert_eq!(
            source(code),
            "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nvar open = \"{(\"\n\nfunc main() {\n//line doc.md:11:1\nfmt.Println(open)\n}\n"
        );
    }

    #[test]
    fn indented_declarations_are_statements() {
        let code = "if true {\nvar x = 1\n_ = x\n}\n";
        assert_eq!(
            source(code),
            format!("package main\n\n\n\nfunc main() {{\n//line doc.md:10:1\n{code}}}\n")
        );
    }

    #[test]
    fn func_literal_at_column_zero_is_a_statement() {
        let code = "func() {\n\tdefer fmt.Println(\"deferred\")\n}()\n";
        assert_eq!(
            source(code),
            format!(
                "package main\n\nimport \"fmt\"\n\n\nfunc main() {{\n//line doc.md:10:1\n{code}}}\n"
            )
        );
    }

    #[test]
    fn fragment_declaring_main_is_not_wrapped_again() {
        let code = "import \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n// Output: 1\n";
        assert_eq!(
            source(code),
            "package main\n\n\n//line doc.md:10:1\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n//line doc.md:15:1\n// Output: 1\n"
        );
    }

    #[test]
    fn fragment_declaring_main_gets_inferred_imports() {
        let code = "func main() {\n\tfmt.Println(1)\n}\n";
        assert_eq!(
            source(code),
            "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nfunc main() {\n\tfmt.Println(1)\n}\n"
        );
    }

    // ---- imports ----

    #[test]
    fn plain_user_import_is_not_inferred_again() {
        let code = "import \"strings\"\n\nfmt.Println(strings.ToUpper(\"a\"))\n";
        assert_eq!(
            source(code),
            "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nimport \"strings\"\n\nfunc main() {\n//line doc.md:11:1\n\nfmt.Println(strings.ToUpper(\"a\"))\n}\n"
        );
    }

    #[test]
    fn aliased_user_import_is_not_inferred_again() {
        let code = "import rand \"crypto/rand\"\n\nrand.Read(nil)\n";
        assert_eq!(
            source(code),
            "package main\n\n\n//line doc.md:10:1\nimport rand \"crypto/rand\"\n\nfunc main() {\n//line doc.md:11:1\n\nrand.Read(nil)\n}\n"
        );
    }

    #[test]
    fn alias_to_another_name_leaves_the_package_name_free() {
        let code = "import str \"strings\"\n\nfmt.Println(str.ToUpper(\"a\"))\n";
        let src = source(code);
        assert!(
            src.starts_with(
                "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nimport str \"strings\"\n"
            ),
            "{src}"
        );
    }

    #[test]
    fn major_version_import_is_named_by_the_element_before() {
        let code = "import \"math/rand/v2\"\n\n_ = rand.IntN(3)\n";
        assert_eq!(
            source(code),
            "package main\n\n\n//line doc.md:10:1\nimport \"math/rand/v2\"\n\nfunc main() {\n//line doc.md:11:1\n\n_ = rand.IntN(3)\n}\n"
        );
    }

    #[test]
    fn grouped_imports_are_not_inferred_again() {
        let code = "import (\n\t\"os\"\n\tmr \"math/rand\"\n\t\"crypto/rand\"\n)\n\nos.Exit(mr.Intn(1))\nrand.Read(nil)\nfmt.Println()\n";
        assert_eq!(
            source(code),
            "package main\n\nimport \"fmt\"\n\n//line doc.md:10:1\nimport (\n\t\"os\"\n\tmr \"math/rand\"\n\t\"crypto/rand\"\n)\n\nfunc main() {\n//line doc.md:15:1\n\nos.Exit(mr.Intn(1))\nrand.Read(nil)\nfmt.Println()\n}\n"
        );
    }

    #[test]
    fn imported_names_examples() {
        let header = "import \"fmt\" // the printer\nimport (\"os\"; s \"strings\")\nimport (\n\t// comment \"x\"\n\t_ \"embed\"\n\t. \"math\"\n\t\"math/rand/v2\"\n)\nvar v = []string{\n\t\"sort\",\n}\n";
        let want: BTreeSet<String> = ["fmt", "os", "s", "_", ".", "rand"]
            .map(String::from)
            .into();
        assert_eq!(imported_names(header), want);
    }

    #[test]
    fn string_on_its_own_line_in_a_declaration_is_not_an_import() {
        let code =
            "var names = []string{\n\t\"strings\",\n}\n\nfmt.Println(strings.Join(names, \",\"))\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\nimport \"strings\"\n\n"),
            "{src}"
        );
    }

    #[test]
    fn ambiguous_name_is_a_problem_listing_the_candidates() {
        let err = wrap(&snippet("fmt.Println(rand.Intn(3))\n"), &std_map()).unwrap_err();
        assert_eq!(
            err,
            Problem::new(
                "doc.md:9",
                "`rand` could be any of math/rand, crypto/rand, math/rand/v2; add an import line to the snippet"
            )
        );
    }

    #[test]
    fn names_in_strings_and_comments_are_not_imported() {
        let code =
            "println(\"fmt.Println\", `os.Exit`, 'x') // os.Exit\n/* time.Now()\n sort.Ints */\n";
        assert_eq!(
            source(code),
            format!("package main\n\n\n\nfunc main() {{\n//line doc.md:10:1\n{code}}}\n")
        );
    }

    #[test]
    fn short_variable_shadowing_a_package_is_not_imported() {
        let code = "time := struct{ Now int }{3}\nfmt.Println(time.Now)\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\n\n\nfunc main"),
            "{src}"
        );
    }

    #[test]
    fn multi_assignment_shadowing_a_package_is_not_imported() {
        let code = "n, strings := 1, struct{ X int }{}\nfmt.Println(n, strings.X)\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\n\n\nfunc main"),
            "{src}"
        );
    }

    #[test]
    fn range_variable_shadowing_a_package_is_not_imported() {
        let code = "for _, os := range []struct{ X int }{{1}} {\n\tfmt.Println(os.X)\n}\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\n\n\nfunc main"),
            "{src}"
        );
    }

    #[test]
    fn var_shadowing_a_package_is_not_imported() {
        let code = "var sort struct{ X int }\nfmt.Println(sort.X)\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\n\n//line"),
            "{src}"
        );
    }

    #[test]
    fn parameter_shadowing_a_package_is_not_imported() {
        let code = "f := func(time struct{ N int }) int { return time.N }\n_ = f\n";
        assert_eq!(
            source(code),
            format!("package main\n\n\n\nfunc main() {{\n//line doc.md:10:1\n{code}}}\n")
        );
    }

    #[test]
    fn similar_names_do_not_shadow() {
        // `mytime` and `times` are not `time`, so `time` is still imported.
        let code = "mytime, times := 1, 2\n_, _ = mytime, times\ntime.Sleep(0)\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"time\"\n\n"),
            "{src}"
        );
    }

    #[test]
    fn selector_chains_count_only_the_first_name() {
        let code =
            "x := struct{ os struct{ Exit int } }{}\nfmt.Println(x.os.Exit, time.Now().Unix())\n";
        let src = source(code);
        assert!(
            src.starts_with("package main\n\nimport \"fmt\"\nimport \"time\"\n\n\nfunc main"),
            "{src}"
        );
    }

    #[test]
    fn used_qualifiers_examples() {
        let got = used_qualifiers("a.b.C\nfmt.Println(os.Args[0]+strings.X)\n_ = 3.14\n");
        let want: BTreeSet<String> = ["a", "fmt", "os", "strings"].map(String::from).into();
        assert_eq!(got, want);
    }

    // ---- mask ----

    #[test]
    fn mask_line_comment() {
        assert_eq!(mask("a // fmt.X\nb"), "a         \nb");
    }

    #[test]
    fn mask_block_comment_keeps_newlines() {
        assert_eq!(mask("a /* b\nc */ d"), "a     \n     d");
    }

    #[test]
    fn mask_string_with_escapes() {
        assert_eq!(mask(r#"f("a\"b//c", x)"#), r#"f("       ", x)"#);
    }

    #[test]
    fn mask_raw_string_keeps_newlines() {
        assert_eq!(mask("x := `a\\\nb\"`\ny"), "x := `  \n  `\ny");
    }

    #[test]
    fn mask_runes() {
        assert_eq!(mask(r#"r := '\'' + '"' + 'x'"#), r#"r := '  ' + ' ' + ' '"#);
    }

    #[test]
    fn mask_keeps_division_and_code() {
        assert_eq!(mask("a := b / c\nd /= 2"), "a := b / c\nd /= 2");
    }

    #[test]
    fn mask_keeps_length_and_newlines() {
        let code = "s := \"é\\n\" // ü\n/* ∑\n */ r := '\\u00e9'\nt := `x\n\ny`\n";
        let m = mask(code);
        assert_eq!(m.chars().count(), code.chars().count());
        let newlines = |s: &str| s.matches('\n').count();
        assert_eq!(newlines(&m), newlines(code));
        assert_eq!(m.lines().count(), code.lines().count());
        assert_eq!(
            m,
            "s := \"   \"     \n    \n    r := '      '\nt := ` \n\n `\n"
        );
    }
}
