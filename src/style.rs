//! Colour for people, never for machines: plain ANSI codes. `--color auto` (the default) colours
//! a terminal unless `NO_COLOR` is set (https://no-color.org: set and not empty), and also what is
//! not a terminal when `FORCE_COLOR` or `CLICOLOR_FORCE` asks for it (set, not empty and not
//! `0`), as CI logs that show colour (GitHub Actions) set them; `NO_COLOR` wins over both.
//! `--color always` and `--color never` decide alone.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// `--color`, as cargo and ripgrep take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour a terminal, unless NO_COLOR is set; colour anything when FORCE_COLOR or
    /// CLICOLOR_FORCE is set (NO_COLOR still wins).
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// The command line's choice, for every later `wanted`; set once, at start.
pub fn choose(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// A variable that asks for something: set, not empty and not `0`.
fn asks(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0")
}

pub const RED: &str = "31";
pub const GREEN: &str = "32";
pub const YELLOW: &str = "33";
pub const CYAN: &str = "36";
pub const BOLD: &str = "1";
pub const DIM: &str = "2";
pub const BOLD_RED: &str = "1;31";

/// Whether to colour what goes to a stream that `is_terminal` or not.
pub fn wanted(is_terminal: bool) -> bool {
    match CHOICE.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && (is_terminal || asks("FORCE_COLOR") || asks("CLICOLOR_FORCE"))
        }
    }
}

/// Whether to colour standard output.
pub fn stdout_wanted() -> bool {
    wanted(std::io::stdout().is_terminal())
}

/// `text` in the colour `code` when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on && !text.is_empty() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Text from a snippet or a document as a terminal may show it: control characters other than
/// tab and newline (escape sequences that set the window title, clear the screen or write the
/// clipboard; a carriage return that overwrites a line) become `\u{1b}`-style text, as cargo
/// and git show them. C1 controls too: some terminals read U+009B as the start of a sequence.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c != '\n' && c != '\t' && c.is_control();
    if !text.contains(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A line of a unified diff, coloured by what it is; control characters made visible.
pub fn diff_line(line: &str, on: bool) -> String {
    let line = &*visible(line);
    let code = if line.starts_with("+++") || line.starts_with("---") {
        BOLD
    } else if line.starts_with('+') {
        GREEN
    } else if line.starts_with('-') {
        RED
    } else if line.starts_with("@@") {
        CYAN
    } else {
        return line.to_string();
    };
    paint(line, code, on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_only_when_on() {
        assert_eq!(paint("FAIL", BOLD_RED, false), "FAIL");
        assert_eq!(paint("FAIL", BOLD_RED, true), "\x1b[1;31mFAIL\x1b[0m");
        assert_eq!(diff_line("-a", true), "\x1b[31m-a\x1b[0m");
        assert_eq!(diff_line("+a", true), "\x1b[32m+a\x1b[0m");
        assert_eq!(diff_line(" a", true), " a");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            visible("a\x1b]0;title\x07b\rc\td\n\u{9b}2J"),
            "a\\u{1b}]0;title\\u{7}b\\u{d}c\td\n\\u{9b}2J"
        );
        assert_eq!(visible("plain ünïcode\n"), "plain ünïcode\n");
        assert_eq!(diff_line("+\x1b[2J", false), "+\\u{1b}[2J");
    }

    #[test]
    fn never_on_a_pipe() {
        if !asks("FORCE_COLOR") && !asks("CLICOLOR_FORCE") {
            assert!(!wanted(false));
        }
    }
}
