//! Shell transcripts of a program's runs, as tutorial sites print them (`$ go run hello.go`, then
//! what the terminal showed) -> the runs snipcheck can repeat: arguments, standard input and
//! environment from the command line, and the output, exit status and panic from what follows.
//! A command snipcheck cannot repeat (a pipe from a file, `time`, a second tool) is kept with the
//! reason, so the import can say why it left it unclaimed.

use std::sync::LazyLock;

use regex::Regex;

/// One `$ ...` command of a transcript and the lines it printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The transcript's line of the `$`.
    pub line: usize,
    pub text: String,
    pub output: Vec<String>,
}

/// A run of the program that a snippet can repeat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    pub args: Vec<String>,
    pub stdin: Option<String>,
    pub env: Vec<(String, String)>,
    pub output: Vec<String>,
}

/// What a command is, for the program `file` (its name, `hello.go`).
#[derive(Debug, PartialEq)]
pub enum Kind {
    Run(Run),
    /// `go build hello.go`: prints nothing, makes the `./hello` a later command runs.
    Build,
    Other(String),
}

pub fn parse(text: &str) -> Vec<Command> {
    let mut commands: Vec<Command> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            commands.push(Command {
                line: i + 1,
                text: cmd.trim().to_string(),
                output: Vec::new(),
            });
        } else if let Some(c) = commands.last_mut() {
            c.output.push(line.to_string());
        }
    }
    for c in &mut commands {
        while c.output.last().is_some_and(|l| l.trim().is_empty()) {
            c.output.pop();
        }
    }
    fold_exit_queries(commands)
}

/// `$ ./prog` then `$ echo $?` printing `3`: the status belongs to the run before it. It is
/// written as go run writes it (`exit status 3`), so one rule reads both; a status of 0 says
/// nothing more than a clean run.
fn fold_exit_queries(commands: Vec<Command>) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    for c in commands {
        let status = (c.text == "echo $?")
            .then(|| c.output.first().and_then(|l| l.trim().parse::<i32>().ok()))
            .flatten();
        match (status, out.last_mut()) {
            (Some(n), Some(prev)) if c.output.len() == 1 => {
                if n != 0 {
                    prev.output.push(format!("exit status {n}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Splits a command line into words, with the shell's single and double quotes.
fn words(cmd: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                started = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                started = true;
                cur.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                started = true;
                cur.push(c);
            }
        }
    }
    if started {
        out.push(cur);
    }
    Some(out)
}

/// `printf`'s and `echo -e`'s escapes that transcripts use.
fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

static ENV_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*=").unwrap());

/// What `cmd` does with the program `file` (`hello.go`, whose binary is `./hello`).
pub fn kind(cmd: &str, file: &str) -> Kind {
    let stem = file.strip_suffix(".go").unwrap_or(file);
    let (feed, run) = match cmd.split_once(" | ") {
        Some((feed, run)) if !run.contains(" | ") => (Some(feed), run),
        Some(_) => return Kind::Other("a pipeline of more than two commands".into()),
        None => (None, cmd),
    };
    if run.contains(['>', '<', ';', '&', '`', '$']) {
        return Kind::Other("a redirection, a variable or several commands on one line".into());
    }
    let Some(mut w) = words(run) else {
        return Kind::Other("an unclosed quote".into());
    };
    let mut env = Vec::new();
    while w.first().is_some_and(|x| ENV_WORD.is_match(x)) {
        let x = w.remove(0);
        let (k, v) = x.split_once('=').expect("matched KEY=");
        env.push((k.to_string(), v.to_string()));
    }
    let args: Vec<String> = match w.as_slice() {
        [go, b, f] if go == "go" && b == "build" && (f == file || f == ".") => return Kind::Build,
        [go, b] if go == "go" && b == "build" => return Kind::Build,
        [go, r, f, rest @ ..] if go == "go" && r == "run" && (f == file || f == ".") => {
            rest.to_vec()
        }
        [bin, rest @ ..] if *bin == format!("./{stem}") => rest.to_vec(),
        [first, ..] if first == "time" => {
            return Kind::Other("`time` prints how long the run took".into());
        }
        _ => return Kind::Other(format!("not a run of {file}")),
    };
    let stdin = match feed {
        None => None,
        Some(feed) => match stdin_of(feed) {
            Ok(s) => Some(s),
            Err(why) => return Kind::Other(why),
        },
    };
    Kind::Run(Run {
        args,
        stdin,
        env,
        output: Vec::new(),
    })
}

fn stdin_of(feed: &str) -> Result<String, String> {
    let w = words(feed).ok_or("an unclosed quote")?;
    match w.as_slice() {
        [echo, rest @ ..] if echo == "echo" => {
            let (newline, escapes, rest) = match rest {
                [n, r @ ..] if n == "-n" => (false, false, r),
                [e, r @ ..] if e == "-e" => (true, true, r),
                r => (true, false, r),
            };
            let mut s = rest.join(" ");
            if escapes {
                s = unescape(&s);
            }
            if newline {
                s.push('\n');
            }
            Ok(s)
        }
        [printf, fmt] if printf == "printf" && !fmt.contains('%') => Ok(unescape(fmt)),
        _ => Err(format!(
            "standard input from `{feed}`, which a snippet cannot repeat (it takes stdin= text)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_their_output() {
        let t = "$ go run hello.go\nhello\n\n$ go run hello.go x\nx\n\n";
        let c = parse(t);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].output, ["hello"]);
        assert_eq!((c[1].line, c[1].text.as_str()), (4, "go run hello.go x"));
    }

    #[test]
    fn an_exit_status_query_belongs_to_the_run_before_it() {
        let c = parse("$ ./exit\nbye\n$ echo $?\n3\n$ ./ok\n$ echo $?\n0\n");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].output, ["bye", "exit status 3"]);
        assert!(c[1].output.is_empty());
    }

    #[test]
    fn arguments_input_and_environment() {
        let Kind::Run(r) = kind(
            "printf 'a\\nb\\n' | NAME=gopher go run args.go 'one two' three",
            "args.go",
        ) else {
            panic!()
        };
        assert_eq!(r.args, ["one two", "three"]);
        assert_eq!(r.stdin.as_deref(), Some("a\nb\n"));
        assert_eq!(r.env, [("NAME".to_string(), "gopher".to_string())]);
        let Kind::Run(r) = kind("echo \"hello world\" | go run wc.go", "wc.go") else {
            panic!()
        };
        assert_eq!(r.stdin.as_deref(), Some("hello world\n"));
        assert_eq!(kind("go build hello.go", "hello.go"), Kind::Build);
        assert!(matches!(kind("./hello a", "hello.go"), Kind::Run(r) if r.args == ["a"]));
    }

    #[test]
    fn what_cannot_be_repeated_says_why() {
        for cmd in [
            "cat in.txt | go run wc.go",
            "time go run wc.go",
            "go run wc.go > out.txt",
            "go test ./...",
        ] {
            assert!(matches!(kind(cmd, "wc.go"), Kind::Other(_)), "{cmd}");
        }
    }
}
