//! Harness errors: what stops snipcheck from doing its job (bad input, a missing toolchain, IO).
//! A snippet whose claim does not hold is not an error; it is a verdict (see `compare`).

use std::fmt;

/// Exit statuses, documented in the README.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// One problem in the input, at a place the user can open (`path:line` or `path`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug)]
pub enum Error {
    /// Problems in documents, records or configuration, all of them at once.
    Problems(Vec<Problem>),
    /// The Go toolchain is missing, broken or too old.
    Toolchain(String),
    /// Anything else, with what was being done.
    Other(String),
}

impl Error {
    pub fn at(at: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Problems(vec![Problem::new(at, message)])
    }

    pub fn io(what: impl fmt::Display, err: std::io::Error) -> Error {
        Error::Other(format!("{what}: {err}"))
    }
}

/// A TOML file that does not parse (or has unknown keys), at its line and column, with what to
/// do about it.
pub fn toml_error(path: &std::path::Path, text: &str, e: &toml::de::Error, advice: &str) -> Error {
    let at = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{}:{line}:{col}", path.display())
        }
        None => path.display().to_string(),
    };
    Error::at(at, format!("{}; {advice}", e.message().trim()))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Problems(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "error: {}: {}", p.at, shorten(&p.message))?;
                }
                Ok(())
            }
            Error::Toolchain(m) | Error::Other(m) => write!(f, "error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Messages quote the input; a 10 MB info string must not become a 10 MB error line.
const MAX_MESSAGE: usize = 1000;

fn shorten(message: &str) -> std::borrow::Cow<'_, str> {
    if message.len() <= MAX_MESSAGE {
        return message.into();
    }
    let mut end = MAX_MESSAGE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{} [... {} more bytes]",
        &message[..end],
        message.len() - end
    )
    .into()
}
