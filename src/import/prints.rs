//! Claims written beside statements, as gotcha collections write them: `fmt.Println(len(s))
//! //prints: 3`, `x := 1 //error` (or `//error: declared and not used: x`), `m["a"] = 1
//! //panics` (or `//panics: assignment to entry in nil map`). The comment goes; the claim it made
//! becomes a snipcheck claim: the printed lines, in source order, as `// Output:`; an error as
//! `// ERROR "REGEXP"` on its line (the message quoted as a literal); a panic as `// Panic:`.

use std::sync::LazyLock;

use regex::Regex;

static PRINTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\s*//\s*(?:prints|output|=>)\s*:\s?(.*)$").unwrap());
static ERROR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\s*//\s*(?:compile\s+)?error(?:\s*:\s*(.*))?\s*$").unwrap());
static PANICS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\s*//\s*panics?(?:\s*:\s*(.*))?\s*$").unwrap());

#[derive(Debug, Default, PartialEq)]
pub struct Annotated {
    /// The program with the annotations taken out (and `// ERROR` put on the lines of errors).
    pub code: String,
    pub output: Vec<String>,
    pub panic: Option<String>,
    pub errors: usize,
}

/// None when no line carries an annotation.
pub fn annotated(source: &str) -> Option<Annotated> {
    let mut a = Annotated::default();
    let mut any = false;
    for line in source.lines() {
        if let Some(m) = PRINTS.captures(line) {
            any = true;
            if a.panic.is_none() {
                a.output.push(m[1].trim_end().to_string());
            }
            a.code.push_str(&line[..m.get(0).unwrap().start()]);
        } else if let Some(m) = ERROR.captures(line) {
            any = true;
            a.errors += 1;
            let pattern = match m.get(1).map(|g| g.as_str().trim()) {
                Some(msg) if !msg.is_empty() => go_quote(&regex::escape(msg)),
                _ => "\".\"".to_string(),
            };
            a.code.push_str(&line[..m.get(0).unwrap().start()]);
            a.code.push_str(" // ERROR ");
            a.code.push_str(&pattern);
        } else if let Some(m) = PANICS.captures(line) {
            any = true;
            if a.panic.is_none() {
                // A bare `//panics` claims a panic, whatever its message.
                a.panic = Some(
                    m.get(1)
                        .map(|g| g.as_str().trim())
                        .filter(|t| !t.is_empty())
                        .map_or("[..]".to_string(), str::to_string),
                );
            }
            a.code.push_str(&line[..m.get(0).unwrap().start()]);
        } else {
            a.code.push_str(line);
        }
        a.code.push('\n');
    }
    any.then_some(a)
}

/// `s` as Go's test runner reads a quoted pattern: the text between the quotes as it stands (no
/// escapes are processed), so a quote inside becomes `.`.
fn go_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_panics_and_errors() {
        let src = "s := []int{1}\nfmt.Println(len(s)) //prints: 1\nfmt.Println(s) // prints: [1]\nvar m map[string]int\nm[\"a\"] = 1 //panics: assignment to entry in nil map\nfmt.Println(2) //prints: 2\n";
        let a = annotated(src).unwrap();
        assert_eq!(a.output, ["1", "[1]"]);
        assert_eq!(a.panic.as_deref(), Some("assignment to entry in nil map"));
        assert!(a.code.contains("fmt.Println(len(s))\n"), "{}", a.code);
        let e = annotated("x := 1 //error: declared and not used: x\ny := f() //error\n").unwrap();
        assert_eq!(
            e.code,
            "x := 1 // ERROR \"declared and not used: x\"\ny := f() // ERROR \".\"\n"
        );
        assert_eq!(e.errors, 2);
        assert!(annotated("fmt.Println(1) // a comment\n").is_none());
    }

    #[test]
    fn patterns_are_literal() {
        let e = annotated("f(x) //error: cannot use x (variable of type int) as string\n").unwrap();
        assert!(
            e.code
                .ends_with("// ERROR \"cannot use x \\(variable of type int\\) as string\"\n"),
            "{}",
            e.code
        );
    }
}
