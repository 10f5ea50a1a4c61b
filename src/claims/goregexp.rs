//! Go regexp syntax -> the `regex` crate's. `// ERROR` patterns are Go regexps (RE2 as Go's
//! `regexp/syntax` parses it), and the two dialects read some text differently: a `{` that
//! starts no repetition is a literal in Go and an error here; `\Q...\E` quotes text in Go only;
//! Go's `\d`, `\s`, `\w` and `\b` are ASCII, the crate's Unicode; `\<` is a literal in Go and a
//! word boundary here; inside a class `[`, `&&`, `--` and `~~` are literals in Go and set
//! operations here. `translate` rewrites a Go pattern into one that means the same to the
//! crate, and refuses what Go's `regexp.Compile` refuses (so a claim is not read in a way Go
//! would never read it).

use regex::{Regex, RegexBuilder};

/// A Go pattern as a compiled `Regex` with Go's meaning.
pub fn compile(go: &str) -> Result<Regex, String> {
    let rust = translate(go)?;
    // A pattern nested hundreds deep overflows the parser's stack (fuzzing found one); no
    // compiler message needs more than a few levels.
    RegexBuilder::new(&rust)
        .nest_limit(32)
        .build()
        .map_err(|e| e.to_string())
}

/// What one step of the Go pattern is, for writing it out.
enum Token {
    /// Something a repetition can follow: a literal, a class, an escape, `.`, `^`, `$`.
    Atom(String),
    /// `*`, `+?`, `{2,3}` ...
    Repeat(String),
    /// `(`, `(?:`, `(?P<name>`, `(?i:`.
    Open(String),
    Close,
    Alternate,
    /// Flags alone, `(?i)`: they take no operand.
    Flags(String),
    /// `\Q...\E`: a literal for each character, so a repetition after it repeats the last.
    Quote(Vec<String>),
}

/// The pattern in the `regex` crate's syntax, or why Go would refuse it.
pub fn translate(go: &str) -> Result<String, String> {
    let chars: Vec<char> = go.chars().collect();
    let mut out = String::with_capacity(go.len() + 8);
    // Where the last operand (an atom, or a group with its repetitions) starts in `out`.
    let mut operand: Option<usize> = None;
    let mut groups: Vec<usize> = Vec::new();
    // Whether the last thing was a repetition: Go refuses `**` and `{2}{3}`, which the crate
    // would read as a repetition of a repetition ...
    let mut last_was_repeat = false;
    // ... but not with flags between (`d*(?i)*`, which repeats `d*`). A repetition after flags
    // repeats what came before them, which the crate refuses to read: flags are written out
    // before the next thing that is not a repetition.
    let mut flags = String::new();
    let mut after_flags = false;
    let mut i = 0;
    while i < chars.len() {
        let (token, used) = token(&chars[i..])?;
        i += used;
        // An empty `\Q\E` is nothing, like flags.
        let token = match token {
            Token::Quote(q) if q.is_empty() => Token::Flags(String::new()),
            t => t,
        };
        if !matches!(token, Token::Repeat(_) | Token::Flags(_)) {
            out.push_str(&flags);
            flags.clear();
            after_flags = false;
        }
        match token {
            Token::Atom(text) => {
                operand = Some(out.len());
                out.push_str(&text);
                last_was_repeat = false;
            }
            Token::Repeat(text) => {
                if last_was_repeat {
                    match operand {
                        Some(start) if after_flags => {
                            out.insert_str(start, "(?:");
                            out.push(')');
                        }
                        _ => return Err(format!("invalid nested repetition operator: `{text}`")),
                    }
                }
                out.push_str(&text);
                last_was_repeat = true;
                after_flags = false;
            }
            Token::Open(text) => {
                groups.push(out.len());
                out.push_str(&text);
                operand = None;
                last_was_repeat = false;
            }
            Token::Close => {
                out.push(')');
                operand = groups.pop();
                last_was_repeat = false;
            }
            Token::Alternate => {
                out.push('|');
                operand = None;
                last_was_repeat = false;
            }
            Token::Flags(text) => {
                flags.push_str(&text);
                after_flags = true;
            }
            Token::Quote(literals) => {
                for l in literals {
                    operand = Some(out.len());
                    out.push_str(&l);
                }
                last_was_repeat = false;
            }
        }
    }
    out.push_str(&flags);
    Ok(out)
}

/// The token at the start of `chars`, in the crate's syntax, and how many chars it took.
fn token(chars: &[char]) -> Result<(Token, usize), String> {
    let c = chars[0];
    Ok(match c {
        '\\' => {
            let Some(&n) = chars.get(1) else {
                return Err("trailing backslash at end of expression".into());
            };
            match n {
                'Q' => {
                    // Literal text up to `\E` or the end.
                    let rest: String = chars[2..].iter().collect();
                    let (lit, used) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], end + 2),
                        None => (rest.as_str(), rest.len()),
                    };
                    let used = 2 + rest[..used].chars().count();
                    let literals = lit
                        .chars()
                        .map(|c| regex::escape(c.encode_utf8(&mut [0; 4])))
                        .collect();
                    (Token::Quote(literals), used)
                }
                'A' | 'z' => (Token::Atom(format!("\\{n}")), 2),
                // Go's word boundary is ASCII.
                'b' | 'B' => (Token::Atom(format!("(?-u:\\{n})")), 2),
                _ => {
                    let (text, used) = escape(&chars[1..])?;
                    (Token::Atom(text), 1 + used)
                }
            }
        }
        '[' => {
            let (text, used) = class(chars)?;
            (Token::Atom(text), used)
        }
        '{' => match repetition(chars)? {
            Some(used) => {
                let mut text: String = chars[..used].iter().collect();
                // `{n}?` is the lazy form, not another repetition.
                let lazy = chars.get(used) == Some(&'?');
                if lazy {
                    text.push('?');
                }
                (Token::Repeat(text), used + usize::from(lazy))
            }
            None => (Token::Atom("\\{".into()), 1),
        },
        '*' | '+' | '?' => {
            if chars.get(1) == Some(&'?') {
                (Token::Repeat(format!("{c}?")), 2)
            } else {
                (Token::Repeat(c.to_string()), 1)
            }
        }
        '(' => {
            let used = group(chars)?;
            let text: String = chars[..used].iter().collect();
            if text.ends_with(')') {
                // `(?)`, which the crate refuses, sets nothing.
                let text = if used == 3 { String::new() } else { text };
                (Token::Flags(text), used)
            } else {
                (Token::Open(text), used)
            }
        }
        ')' => (Token::Close, 1),
        '|' => (Token::Alternate, 1),
        '^' | '$' | '.' => (Token::Atom(c.to_string()), 1),
        _ => (Token::Atom(regex::escape(c.encode_utf8(&mut [0; 4]))), 1),
    })
}

/// An escape after a backslash (`chars` starts after it), as Go's `parseEscape` and Perl
/// classes read it: the crate's text for it and how many chars it took. In a class, a Perl
/// class is written as a nested class, which the crate unites with the rest.
fn escape(chars: &[char]) -> Result<(String, usize), String> {
    let c = chars[0];
    let invalid = |n: usize| {
        let text: String = chars[..n.min(chars.len())].iter().collect();
        Err(format!("invalid escape sequence: `\\{text}`"))
    };
    let perl = |class: &str| Ok((class.to_string(), 1));
    match c {
        // Go's Perl classes are ASCII only.
        'd' => perl("[0-9]"),
        'D' => perl("[^0-9]"),
        's' => perl("[\\t\\n\\x0C\\r ]"),
        'S' => perl("[^\\t\\n\\x0C\\r ]"),
        'w' => perl("[0-9A-Za-z_]"),
        'W' => perl("[^0-9A-Za-z_]"),
        'p' | 'P' => {
            // `\pL` or `\p{Name}` (`\p{^Name}` negates); the crate knows Go's names.
            match chars.get(1) {
                Some('{') => match chars.iter().position(|&x| x == '}') {
                    Some(end) => {
                        let name: String = chars[2..end].iter().collect();
                        // Go negates with `{^Name}`, the crate only with `\P`.
                        let (c, name) = match name.strip_prefix('^') {
                            Some(n) if c == 'p' => ('P', n.to_string()),
                            Some(n) => ('p', n.to_string()),
                            None => (c, name),
                        };
                        Ok((format!("\\{c}{{{name}}}"), end + 1))
                    }
                    None => Err(format!(
                        "invalid character class range: `\\{}`",
                        chars.iter().collect::<String>()
                    )),
                },
                Some(&l) if l.is_alphabetic() => Ok((format!("\\{c}{l}"), 2)),
                _ => invalid(2),
            }
        }
        'a' => Ok(("\\x07".into(), 1)),
        'f' => Ok(("\\x0C".into(), 1)),
        't' => Ok(("\\t".into(), 1)),
        'n' => Ok(("\\n".into(), 1)),
        'r' => Ok(("\\r".into(), 1)),
        'v' => Ok(("\\x0B".into(), 1)),
        // Octal: `\0` with up to two more digits, or `\1`-`\7` with one or two more (a single
        // non-zero digit would be a backreference, which Go does not have).
        '0'..='7' => {
            let digits: usize = chars[1..]
                .iter()
                .take(2)
                .take_while(|d| ('0'..='7').contains(*d))
                .count();
            if c != '0' && digits == 0 {
                return invalid(1);
            }
            let text: String = chars[..=digits].iter().collect();
            let value = u32::from_str_radix(&text, 8).expect("octal digits");
            Ok((format!("\\x{{{value:X}}}"), digits + 1))
        }
        'x' => match chars.get(1) {
            Some('{') => {
                let end = chars.iter().position(|&x| x == '}');
                let hex: Option<String> = end.map(|e| chars[2..e].iter().collect());
                match (end, hex) {
                    (Some(e), Some(h))
                        if !h.is_empty()
                            && u32::from_str_radix(&h, 16).is_ok_and(|v| v <= 0x10FFFF) =>
                    {
                        let v = u32::from_str_radix(&h, 16).expect("checked");
                        Ok((format!("\\x{{{v:X}}}"), e + 1))
                    }
                    _ => invalid(chars.len().min(end.map_or(chars.len(), |e| e + 1))),
                }
            }
            _ => match (chars.get(1), chars.get(2)) {
                (Some(a), Some(b)) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                    Ok((format!("\\x{a}{b}"), 3))
                }
                _ => invalid(3),
            },
        },
        // Any ASCII punctuation stands for itself (`\<` too, a word boundary in the crate).
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => {
            Ok((regex::escape(c.encode_utf8(&mut [0; 4])), 1))
        }
        _ => invalid(1),
    }
}

/// A character class starting at `chars[0] == '['`: the crate's text and the chars it took.
fn class(chars: &[char]) -> Result<(String, usize), String> {
    let whole: String = chars.iter().collect();
    let missing = || Err(format!("missing closing ]: `{whole}`"));
    let mut out = String::from("[");
    let mut i = 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return missing();
        };
        if c == ']' && !first {
            out.push(']');
            return Ok((out, i + 1));
        }
        first = false;
        // `[:alpha:]`, `[:^alpha:]`: the crate has the same ASCII classes.
        if c == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let name = &rest[..end];
                const NAMES: &[&str] = &[
                    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower",
                    "print", "punct", "space", "upper", "word", "xdigit",
                ];
                if !NAMES.contains(&name.trim_start_matches('^')) {
                    return Err(format!("invalid character class range: `[:{name}:]`"));
                }
                out.push_str(&format!("[:{name}:]"));
                i += 2 + rest[..end].chars().count() + 2;
                continue;
            }
        }
        if c == '\\'
            && matches!(
                chars.get(i + 1),
                Some('d' | 'D' | 's' | 'S' | 'w' | 'W' | 'p' | 'P')
            )
        {
            let (text, used) = escape(&chars[i + 1..])?;
            out.push_str(&text);
            i += 1 + used;
            continue;
        }
        let (lo, used) = class_char(&chars[i..])?;
        i += used;
        // `a-z`; a `-` before the closing `]` is a literal.
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']') {
            let (hi, used) = class_char(&chars[i + 1..])?;
            if hi < lo {
                return Err(format!("invalid character class range: `{}-{}`", lo, hi));
            }
            out.push_str(&format!("{}-{}", class_literal(lo), class_literal(hi)));
            i += 1 + used;
        } else {
            out.push_str(&class_literal(lo));
        }
    }
}

/// One character of a class (a literal or an escape), with the chars it took.
fn class_char(chars: &[char]) -> Result<(char, usize), String> {
    match chars.first() {
        None => Err("missing closing ]".into()),
        Some('\\') => {
            let Some(&n) = chars.get(1) else {
                return Err("trailing backslash at end of expression".into());
            };
            // The escapes that stand for one character; `\b`, `\Q` and the like are not ones
            // in a class.
            if !(matches!(n, 'a' | 'f' | 't' | 'n' | 'r' | 'v' | 'x' | '0'..='7')
                || (n.is_ascii() && !n.is_ascii_alphanumeric()))
            {
                return Err(format!("invalid escape sequence: `\\{n}`"));
            }
            let (text, used) = escape(&chars[1..])?;
            Ok((char_of(&text, n), used + 1))
        }
        Some(&c) => Ok((c, 1)),
    }
}

/// The character an escape's translation stands for (it is one of `escape`'s single-character
/// forms).
fn char_of(text: &str, escaped: char) -> char {
    if let Some(hex) = text.strip_prefix("\\x{").and_then(|t| t.strip_suffix('}')) {
        return char::from_u32(u32::from_str_radix(hex, 16).unwrap_or(0)).unwrap_or('\0');
    }
    if let Some(hex) = text.strip_prefix("\\x") {
        return char::from_u32(u32::from_str_radix(hex, 16).unwrap_or(0)).unwrap_or('\0');
    }
    match text {
        "\\t" => '\t',
        "\\n" => '\n',
        "\\r" => '\r',
        _ => escaped,
    }
}

/// A character as a literal inside a crate class: everything but letters and digits escaped,
/// so `[`, `-`, `&`, `~` and `^` are never read as class syntax.
fn class_literal(c: char) -> String {
    // `\<` and `\>` are word boundaries to the crate, and no escapes in a class.
    if c.is_ascii_alphanumeric() || matches!(c, '<' | '>') || !c.is_ascii() && !c.is_whitespace() {
        c.to_string()
    } else if c.is_ascii_graphic() {
        format!("\\{c}")
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}

/// The length of a repetition `{n}`, `{n,}` or `{n,m}` at `chars[0] == '{'`, as Go reads one
/// (no leading zeros, no `{,m}`), or `None` when the `{` is a literal.
fn repetition(chars: &[char]) -> Result<Option<usize>, String> {
    let number = |from: usize| -> Option<(u32, usize)> {
        let n = chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 0 || (n > 1 && chars[from] == '0') {
            return None;
        }
        let text: String = chars[from..from + n].iter().collect();
        // Too many digits is a count above 1000 all the same.
        Some((text.parse().unwrap_or(u32::MAX), n))
    };
    let Some((min, n)) = number(1) else {
        return Ok(None);
    };
    let mut i = 1 + n;
    let mut max = Some(min);
    if chars.get(i) == Some(&',') {
        i += 1;
        max = None;
        if chars.get(i) != Some(&'}') {
            let Some((m, n)) = number(i) else {
                return Ok(None);
            };
            max = Some(m);
            i += n;
        }
    }
    if chars.get(i) != Some(&'}') {
        return Ok(None);
    }
    let text: String = chars[..=i].iter().collect();
    if min > 1000 || max.is_some_and(|m| m > 1000 || m < min) {
        return Err(format!("invalid repeat count: `{text}`"));
    }
    Ok(Some(i + 1))
}

/// The length of a group's opening at `chars[0] == '('`: `(`, `(?:`, `(?P<name>`, `(?<name>`,
/// `(?flags)` or `(?flags:`, with Go's flags only (`i`, `m`, `s`, `U`).
fn group(chars: &[char]) -> Result<usize, String> {
    if chars.get(1) != Some(&'?') {
        return Ok(1);
    }
    let rest: String = chars.iter().collect();
    let bad = || {
        Err(format!(
            "invalid or unsupported Perl syntax: `{}`",
            rest.chars().take(4).collect::<String>()
        ))
    };
    let name_start = if rest.starts_with("(?P<") {
        4
    } else if rest.starts_with("(?<") {
        3
    } else {
        0
    };
    if name_start > 0 {
        let Some(end) = chars[name_start..].iter().position(|&c| c == '>') else {
            return bad();
        };
        let name = &chars[name_start..name_start + end];
        if name.is_empty() || !name.iter().all(|c| c.is_alphanumeric() || *c == '_') {
            return Err(format!(
                "invalid named capture: `{}`",
                chars[..name_start + end + 1].iter().collect::<String>()
            ));
        }
        return Ok(name_start + end + 1);
    }
    let mut i = 2;
    let mut negated = false;
    let mut flag = false;
    loop {
        match chars.get(i) {
            Some('i' | 'm' | 's' | 'U') => flag = true,
            Some('-') if !negated => {
                negated = true;
                flag = false;
            }
            Some(':') | Some(')') => {
                // A `-` needs a flag after it: Go refuses `(?-)` and `(?i-:`.
                if negated && !flag {
                    return bad();
                }
                return Ok(i + 1);
            }
            _ => return bad(),
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pattern` compiles and matches `text` (or not) as Go's regexp does; each expectation was
    /// checked against Go's `regexp.MatchString`.
    fn go_match(pattern: &str, text: &str) -> bool {
        compile(pattern)
            .unwrap_or_else(|e| panic!("{pattern:?} refused: {e}"))
            .is_match(text)
    }

    fn refused(pattern: &str) -> String {
        match compile(pattern) {
            Ok(re) => panic!("{pattern:?} accepted as {:?}", re.as_str()),
            Err(e) => e,
        }
    }

    #[test]
    fn a_brace_that_starts_no_repetition_is_a_literal() {
        assert!(go_match(
            r"cannot use T{} \(value of struct type T\) as int value",
            "cannot use T{} (value of struct type T) as int value in variable declaration"
        ));
        assert!(go_match(
            r"\[\]int{...} does not escape$",
            "[]int{...} does not escape"
        ));
        assert!(go_match("a{", "a{"));
        assert!(go_match("a{01}", "a{01}"), "a leading zero is no count");
        assert!(go_match("a{,2}", "a{,2}"), "Go has no {{,m}}");
        assert!(go_match("x{2", "x{2"));
        assert!(go_match("}", "}"));
        assert!(go_match("]", "]"));
        assert!(go_match("^a{2}$", "aa"));
        assert!(!go_match("^a{2}$", "a{2}"));
        assert!(go_match("^a{1,}b{0,1}$", "aaa"));
        assert!(go_match("^a{2}?$", "aa"), "lazy repetition");
        assert!(refused("a{1001}").contains("invalid repeat count"));
        assert!(refused("a{2}{3}").contains("nested repetition"));
        assert!(refused("x**").contains("nested repetition"));
    }

    #[test]
    fn quoted_text() {
        assert!(go_match(r"\Qa.b", "a.b"));
        assert!(!go_match(r"^\Qa.b", "axb"));
        assert!(go_match(r"^\Qa.b\E+$", "a.bb"));
        assert!(go_match(r"\Q(*)\E x", "(*) x"));
        // A repetition repeats the last quoted character; an empty quote is nothing.
        assert!(go_match(r"^\Qab\E*$", "abbb"));
        assert!(
            go_match(r"^\Qab\E*(?i)*$", "abbb"),
            "a(?:b*)*, (?i) after it"
        );
        assert!(!go_match(r"^\Qab\E*(?i)*$", "abB"));
        assert!(go_match(r"^s\Q\E{2}$", "ss"));
    }

    #[test]
    fn perl_classes_and_word_boundaries_are_ascii() {
        assert!(!go_match(r"\d", "٣"), "Arabic-Indic digit");
        assert!(go_match(r"^\d+$", "123"));
        assert!(!go_match(r"\s", "\u{0B}"), "vertical tab is not \\s in Go");
        assert!(!go_match(r"\s", "\u{A0}"));
        assert!(go_match(r"^\s$", "\u{0C}"));
        assert!(!go_match(r"\w", "é"));
        assert!(go_match(r"\W", "é"));
        assert!(go_match(r"^[\d-z]+$", "1-z"));
        assert!(go_match(r"^[^\d]$", "x"));
        assert!(!go_match(r"^[^\d]$", "1"));
        // `é` is no word character in Go, so there is a boundary between it and `x`.
        assert!(go_match(r"é\bx", "éx"));
        assert!(!go_match(r"a\Bé", "aé"));
    }

    #[test]
    fn escapes() {
        assert!(
            go_match(r"\<T\>", "<T>"),
            "a literal in Go, a boundary in the crate"
        );
        assert!(go_match(r"\_", "_"));
        assert!(go_match(r"\ ", " "));
        assert!(go_match(r"^\101$", "A"), "octal");
        assert!(go_match(r"^\0$", "\0"));
        assert!(go_match(r"^\12$", "\n"));
        assert!(go_match(r"^\x41\x{42}$", "AB"));
        assert!(go_match(r"^\a\f\t\n\r\v$", "\x07\x0C\t\n\r\x0B"));
        assert!(go_match(r"^\pN\p{Greek}\PL\p{^Greek}$", "1α1a"));
        for bad in [
            r"\C", r"\1", r"\8", r"\u0041", r"\Z", r"\E", r"\x4", r"\y", "a\\",
        ] {
            refused(bad);
        }
    }

    #[test]
    fn classes_hold_literals_where_the_crate_has_operators() {
        assert!(go_match("^[[]$", "["));
        assert!(go_match("^[]a]$", "]"));
        assert!(go_match("^[a-]$", "-"));
        assert!(go_match("^[a&&b]$", "&"));
        assert!(
            refused("[a--b]").contains("range"),
            "a range from a down to -"
        );
        assert!(go_match("^[--/]$", "."));
        assert!(go_match("^[<>:]+$", "<>:"), "no word boundaries in a class");
        assert!(go_match("^[~~]$", "~"));
        assert!(go_match("^[^]]$", "x"));
        assert!(go_match("^[[:alpha:]]+$", "ab"));
        assert!(go_match("^[[:^alpha:]]$", "1"));
        assert!(
            go_match("^[[:alpha]$", ":"),
            "no named class: `[` `:` `a` ..."
        );
        assert!(go_match(r"^[\]\\]+$", "]\\"));
        assert!(go_match(r"^[\x41-\x43]+$", "ABC"));
        assert!(refused("[z-a]").contains("range"));
        assert!(refused("[[:nope:]]").contains("range"));
        refused(r"[\b]");
        refused(r"[\Q]");
        refused("[a");
    }

    #[test]
    fn groups_and_flags_as_go_has_them() {
        assert!(go_match("(?i)DECLARED", "declared"));
        assert!(go_match("(?s)a.b", "a\nb"));
        assert!(!go_match("a.b", "a\nb"));
        assert!(go_match("(?m)^b$", "a\nb\nc"));
        assert!(!go_match("^b$", "a\nb"));
        assert!(go_match("(?P<x>a)(?<y>b)(?:c)", "abc"));
        assert!(go_match("(?U)a+", "a"));
        assert!(go_match("(?)a", "a"));
        // A repetition after flags repeats what came before them.
        assert!(go_match("^bd(?i)?$", "b"));
        assert!(go_match("^b(?i){1}x$", "bX"));
        assert!(go_match("^d*(?i)*$", "dd"), "flags between: `(?:d*)*`");
        assert!(go_match("^x(?:a{2})(?i)?$", "x"));
        for bad in [
            "(?x)a", "(?u)a", "(?R)a", "(?-)a", "(?i-)a", "(?<>a)", "(?P=x)",
        ] {
            refused(bad);
        }
    }
}
