//! Packs: several merged snippets compiled as one Go package, each in a file of its own. Under
//! an empty build cache most of a merged build is the compiler started once per package (about
//! 20 ms of CPU each, 380 times at N=400); a pack of 25 starts it once.
//!
//! Imports are file-scoped in Go, so files keep their own; the package block is shared, so a
//! snippet is packed only with others whose package-level names it neither declares nor even
//! spells (`shape`): a snippet that uses a name it never declares would otherwise compile
//! against its neighbour's and pass where, alone, it does not compile. `main` becomes
//! `S{index}_main` (never a prefix of another's, so `unmerge` can rewrite it back), and a source
//! that already spells such a name, or that the merge rules' text scans cannot read as plain
//! Go (`+build` lines, cgo), is built as a package of its own, as before.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

/// At most this many snippets in a pack: an edit recompiles its pack, and 25 short files
/// compile in a few tens of milliseconds.
pub const PACK: usize = 25;

/// What packing needs to know of a `package main` source, read from its tokens (comments,
/// strings and runes skipped, brackets counted), not guessed from its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Where the package clause's name is.
    package: Range<usize>,
    /// Where the top-level `func main`'s name is.
    main: Range<usize>,
    /// The names it declares in the package block; more than that when a declaration spans
    /// lines, never fewer.
    pub declared: BTreeSet<String>,
    /// Every identifier it spells, anywhere.
    pub spelled: HashSet<String>,
}

#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    /// How many brackets are open around it (an opening bracket counts outside itself).
    depth: usize,
    /// A newline (or a comment holding one) came between it and the previous token.
    line_start: bool,
}

fn ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Go's tokens as far as `shape` needs them: identifiers and keywords, brackets, `;` and `,`;
/// anything else (numbers, operators, literals) is one token of its own text. `None` when a
/// comment or literal is not closed.
fn tokens(src: &str) -> Option<Vec<Token<'_>>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut line_start = true;
    let mut it = src.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let rest = &src[i..];
        if c == '\n' {
            line_start = true;
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(src.len(), |n| i + n);
            while it.peek().is_some_and(|&(j, _)| j < end) {
                it.next();
            }
            continue;
        }
        if let Some(body) = rest.strip_prefix("/*") {
            let len = body.find("*/")? + 4;
            line_start |= rest[..len].contains('\n');
            while it.peek().is_some_and(|&(j, _)| j < i + len) {
                it.next();
            }
            continue;
        }
        let end = match c {
            '"' | '\'' => {
                let mut escaped = false;
                let mut end = None;
                for (j, d) in rest.char_indices().skip(1) {
                    match d {
                        '\n' => return None,
                        '\\' if !escaped => escaped = true,
                        d if d == c && !escaped => {
                            end = Some(i + j + 1);
                            break;
                        }
                        _ => escaped = false,
                    }
                }
                end?
            }
            '`' => i + 1 + rest[1..].find('`')? + 1,
            c if ident_start(c) => {
                i + rest
                    .char_indices()
                    .find(|&(_, d)| !ident_char(d))
                    .map_or(rest.len(), |(j, _)| j)
            }
            // Numbers, with their letters and dots (`0x1p-2` splits at `-`: harmless).
            c if c.is_ascii_digit() => {
                i + rest
                    .char_indices()
                    .find(|&(_, d)| !(ident_char(d) || d == '.'))
                    .map_or(rest.len(), |(j, _)| j)
            }
            c => i + c.len_utf8(),
        };
        let closing = matches!(c, ')' | ']' | '}');
        if closing {
            depth = depth.checked_sub(1)?;
        }
        out.push(Token {
            text: &src[i..end],
            start: i,
            depth,
            line_start,
        });
        if matches!(c, '(' | '[' | '{') {
            depth += 1;
        }
        line_start = false;
        while it.peek().is_some_and(|&(j, _)| j < end) {
            it.next();
        }
    }
    (depth == 0).then_some(out)
}

fn is_ident(t: &Token) -> bool {
    t.text.chars().next().is_some_and(ident_start)
}

/// The identifiers of the list that starts at `toks[i]` (`a, b, c`): for a `var`, `const` or
/// `type` spec, the names it declares (a type spec's one name, then not a comma).
fn ident_list(toks: &[Token], mut i: usize, names: &mut BTreeSet<String>) {
    while let Some(t) = toks.get(i).filter(|t| is_ident(t)) {
        // `_` binds nothing.
        if t.text != "_" {
            names.insert(t.text.to_string());
        }
        if toks.get(i + 1).is_some_and(|t| t.text == ",") {
            i += 2;
        } else {
            break;
        }
    }
}

/// The shape of `source` when it can be packed: `read`, and no cgo, no `+build` constraint, no
/// name of the form packing gives entries.
pub fn shape(source: &str) -> Option<Shape> {
    if source.contains("+build") || source.contains("\"C\"") {
        return None;
    }
    read(source).filter(|s| !s.spelled.iter().any(|n| entry_like(n)))
}

/// `source` read from its tokens when it is `package main` whose only package-level `main` is
/// one `func main() {`: the dispatcher calls it as a `func()`, and a second `main`, or one that
/// is a variable, which do not compile alone, would compile once renamed. `None` otherwise.
pub fn read(source: &str) -> Option<Shape> {
    let toks = tokens(source)?;
    let mut package = None;
    let mut main = None;
    let mut declared = BTreeSet::new();
    let spelled: HashSet<String> = toks
        .iter()
        .filter(|t| is_ident(t))
        .map(|t| t.text.to_string())
        .collect();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.depth != 0 {
            i += 1;
            continue;
        }
        let next = toks.get(i + 1);
        match t.text {
            "package" => {
                let name = next.filter(|n| n.text == "main")?;
                if package.is_some() {
                    return None;
                }
                package = Some(name.start..name.start + 4);
            }
            "func" => {
                // A method's name is not in the package block.
                // `main` is renamed: no other member can reach it.
                if let Some(name) = next.filter(|n| is_ident(n)) {
                    if name.text != "main" {
                        declared.insert(name.text.to_string());
                    } else if main.replace(name.start..name.start + 4).is_some()
                        || toks[i + 2..]
                            .iter()
                            .take(3)
                            .map(|t| t.text)
                            .ne(["(", ")", "{"])
                    {
                        return None;
                    }
                }
            }
            "var" | "const" | "type" => {
                if next.is_some_and(|n| n.text == "(") {
                    // Every spec of the group starts after `(`, `;` or a newline.
                    let mut j = i + 2;
                    let mut spec_start = true;
                    while let Some(u) = toks.get(j) {
                        if u.depth == 0 {
                            break;
                        }
                        if u.depth == 1 && (spec_start || u.line_start) {
                            ident_list(&toks, j, &mut declared);
                        }
                        spec_start = u.depth == 1 && u.text == ";";
                        j += 1;
                    }
                } else {
                    ident_list(&toks, i + 1, &mut declared);
                }
            }
            _ => {}
        }
        i += 1;
    }
    // A `var`, `const` or `type` named `main`.
    if declared.contains("main") {
        return None;
    }
    Some(Shape {
        package: package?,
        main: main?,
        declared,
        spelled,
    })
}

/// `S{digits}_main`, and names that start so (`unmerge` rewrites the prefix): the names
/// packing gives entries.
fn entry_like(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('S') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with("_main")
}

/// The name snippet `index`'s `main` has in its pack.
pub fn entry(index: usize) -> String {
    format!("S{index}_main")
}

/// `source` as a file of pack `package`, its `main` renamed `entry(index)`.
pub fn as_member(source: &str, shape: &Shape, package: &str, index: usize) -> String {
    rename(source, shape, package, &entry(index))
}

/// `source` with its package clause's name `package` and its `main` named `func`, where the
/// tokens are (not where a pattern guesses them).
pub fn rename(source: &str, shape: &Shape, package: &str, func: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    out.push_str(&source[..shape.package.start]);
    out.push_str(package);
    out.push_str(&source[shape.package.end..shape.main.start]);
    out.push_str(func);
    out.push_str(&source[shape.main.end..]);
    out
}

/// `source` as a package of its own, `name`, its `main` renamed `Main`, for the dispatcher to
/// call; `None` unless `read` reads it (which `merge::can_merge` requires).
pub fn as_package(source: &str, name: &str) -> Option<String> {
    read(source).map(|s| rename(source, &s, name, "Main"))
}

/// Consecutive runs of `shapes` that can share a package: at most `max` each, no member
/// declaring a name another spells. A source without a shape is a run of its own.
pub fn packs(shapes: &[Option<&Shape>], max: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut declared: HashSet<&str> = HashSet::new();
    let mut spelled: HashSet<&str> = HashSet::new();
    for (i, shape) in shapes.iter().enumerate() {
        let fits = shape.is_some_and(|s| {
            i - start < max
                && !s.declared.iter().any(|d| spelled.contains(d.as_str()))
                && !declared.iter().any(|d| s.spelled.contains(*d))
        });
        if i > start && !fits {
            out.push(start..i);
            start = i;
            declared.clear();
            spelled.clear();
        }
        match shape {
            Some(s) => {
                declared.extend(s.declared.iter().map(String::as_str));
                spelled.extend(s.spelled.iter().map(String::as_str));
            }
            None => {
                out.push(i..i + 1);
                start = i + 1;
            }
        }
    }
    if start < shapes.len() {
        out.push(start..shapes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(src: &str) -> Vec<String> {
        shape(src).expect("a shape").declared.into_iter().collect()
    }

    #[test]
    fn the_names_a_source_declares_in_the_package_block() {
        let src = "//line doc.md:3:1\npackage main\n\nimport (\n\t\"fmt\"\n)\n\n\
            const (\n\tA, B = 1, 2\n\tC\n); var x, y int\n\
            type (\n\tT struct {\n\t\tinner int\n\t}\n\tU = T\n)\n\
            type G[P any] struct{ v P }\n\
            func (t T) Method() {}\n\
              func helper() { var local = 1; _ = local }\n\
            var (z = func() int { w := 1; return w }())\n\
            func main() { fmt.Println(\"func fake() {\", `var q`) /* type R int */ }\n";
        assert_eq!(
            declared(src),
            ["A", "B", "C", "G", "T", "U", "helper", "x", "y", "z"]
        );
        let s = shape(src).unwrap();
        assert!(s.spelled.contains("inner") && s.spelled.contains("local"));
        assert!(!s.spelled.contains("fake") && !s.spelled.contains("R"));
    }

    #[test]
    fn a_spec_continued_on_the_next_line_declares_more_never_less() {
        let src = "package main\nvar (\n\ta = 1 +\n\t\tb\n\tc = 2\n)\nfunc main() {}\n";
        assert_eq!(declared(src), ["a", "b", "c"]);
        assert!(declared("package main\nvar _ = 1\nfunc main() {}\n").is_empty());
    }

    #[test]
    fn what_has_no_shape() {
        for src in [
            "package lib\nfunc main() {}\n",
            "package main\nfunc notmain() {}\n",
            "package main\nfunc main() {}\nfunc main() {}\n",
            "// +build linux\n\npackage main\nfunc main() {}\n",
            "package main\n// #include <stdio.h>\nimport \"C\"\nfunc main() {}\n",
            "package main\nfunc main() { S3_main() }\n",
            "package main\nfunc main() { x := \"unterminated }\n",
            "package main\nfunc main() { \n",
        ] {
            assert_eq!(shape(src), None, "{src}");
        }
        assert!(shape("package main\nfunc main() { S3main(); S_main() }\n").is_some());
        assert_eq!(
            shape("package main\nfunc S3_mainly() {}\nfunc main() {}\n"),
            None
        );
    }

    #[test]
    fn only_one_plain_func_main_is_a_main() {
        for src in [
            // Alone: `cannot declare main - must be func`, `main redeclared`, `func main must
            // have no arguments and no return values`; renamed, each would compile.
            "package main\nvar main = \"hi\"\nfunc main() { println(main) }\n",
            "package main\ntype (\n\tmain int\n)\nfunc main() {}\n",
            "package main\nfunc main() {}\nfunc main() {}\n",
            "package main\nfunc main(args []string) {}\n",
            "package main\nfunc main() int { return 0 }\n",
            "package main\nfunc main[T any]() {}\n",
        ] {
            assert_eq!(read(src), None, "{src}");
            assert_eq!(as_package(src, "s1"), None, "{src}");
        }
        let src =
            "package main\nfunc (t T) main() {}\ntype T int\n  func init() {}\nfunc main() {\n}\n";
        assert!(read(src).unwrap().declared.contains("init"));
        assert_eq!(
            as_package("package main\n  func main() {\n}\nfunc mainly() {}\n", "s3").unwrap(),
            "package s3\n  func Main() {\n}\nfunc mainly() {}\n"
        );
    }

    #[test]
    fn a_member_is_renamed_where_its_tokens_are() {
        let src = "//line doc.md:1:1\npackage   main // main\n\n  func main() {\n\tprintln(\"main\")\n}\n";
        let s = shape(src).unwrap();
        assert_eq!(
            as_member(src, &s, "g7", 9),
            "//line doc.md:1:1\npackage   g7 // main\n\n  func S9_main() {\n\tprintln(\"main\")\n}\n"
        );
    }

    #[test]
    fn a_snippet_is_packed_only_with_snippets_it_cannot_see() {
        let src = [
            "package main\nvar registry = 1\nfunc main() { println(registry) }\n",
            "package main\nfunc main() { println(2) }\n",
            // Uses `registry` without declaring it: alone it does not compile.
            "package main\nfunc main() { println(registry) }\n",
            "package main\nfunc main() { println(3) }\n",
            // Declares what an earlier member of the pack spells.
            "package main\nfunc println(int) {}\nfunc main() {}\n",
            "package lib\n",
            "package main\nfunc main() {}\n",
            "package main\nfunc main() {}\n",
            "package main\nfunc main() {}\n",
        ];
        let shapes: Vec<Option<Shape>> = src.iter().map(|s| shape(s)).collect();
        let refs: Vec<Option<&Shape>> = shapes.iter().map(Option::as_ref).collect();
        assert_eq!(packs(&refs, 25), [0..2, 2..4, 4..5, 5..6, 6..9]);
        assert_eq!(packs(&refs[6..], 2), [0..2, 2..3]);
        assert!(packs(&[], 2).is_empty());
    }

    #[test]
    fn renames_package_and_main() {
        assert_eq!(
            as_package(
                "//line d.md:3:1\npackage main\n\nfunc main() {\n}\n\nfunc mainly() {}\n",
                "s3"
            )
            .unwrap(),
            "//line d.md:3:1\npackage s3\n\nfunc Main() {\n}\n\nfunc mainly() {}\n"
        );
    }
}
