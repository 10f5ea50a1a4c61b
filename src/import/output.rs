//! What a terminal showed -> claims. The transcript mixes the program's stdout and stderr in the
//! order the terminal showed them, and adds what `go run` prints (`exit status N`) and the
//! runtime's trace after a panic. This keeps what a snippet can claim: the output lines, the exit
//! status, the panic or fatal error's message, with what changes on every run (timestamps,
//! measured durations, addresses) elided as `[..]`.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Default, PartialEq)]
pub struct Claims {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub exit: Option<i32>,
    pub panic: Option<String>,
    pub fatal: Option<String>,
    /// How the lines were changed: "elided a timestamp", and the like.
    pub changes: Vec<String>,
}

static EXIT_STATUS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^exit status (\d+)$").unwrap());

/// Lines in the log package's default format (a date and time first) and slog's text format:
/// what the standard library writes to stderr when a program logs.
static LOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? |time=\S+ level=)").unwrap()
});

/// Text that differs between two runs of the same program, each with the name the import gives
/// it. Ordered: the first pattern that matches a stretch of a line elides it.
static VARYING: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        (
            "a timestamp",
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?( [+-]\d{4} [A-Z]+)?( m=[+-]\d+\.\d+)?",
        ),
        ("a timestamp", r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?"),
        (
            "a measured duration",
            r"\b\d+(\.\d{3,})(ns|µs|us|ms|s)\b|\b\d+(\.\d+)?(ms|µs|ns)\d+(\.\d+)?",
        ),
        ("an address", r"0x[0-9a-f]{6,}"),
    ]
    .into_iter()
    .map(|(name, re)| (name, Regex::new(re).unwrap()))
    .collect()
});

/// `writes_stderr`: the program's source can write to stderr (log, os.Stderr, println), so
/// some lines may be stderr's; log-formatted lines are taken as stderr, the rest as stdout.
pub fn claims(lines: &[String], writes_stderr: bool) -> Claims {
    let mut c = Claims::default();
    let mut lines: Vec<String> = lines.to_vec();
    if let Some(m) = lines.last().and_then(|l| EXIT_STATUS.captures(l.trim())) {
        c.exit = m[1].parse().ok();
        lines.pop();
    }
    if let Some(at) = lines.iter().position(|l| l.starts_with("panic: ")) {
        let msg = lines[at]["panic: ".len()..]
            .trim_end_matches(" [recovered]")
            .to_string();
        c.panic = Some(msg);
        lines.truncate(at);
        // A panic's exit status is the panic claim's to check.
        c.exit = None;
    } else if let Some(at) = lines.iter().position(|l| l.starts_with("fatal error: ")) {
        c.fatal = Some(lines[at]["fatal error: ".len()..].to_string());
        lines.truncate(at);
        c.exit = None;
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    for line in lines {
        let (line, changed) = elide(&line);
        for what in changed {
            let note = format!("elided {what}");
            if !c.changes.contains(&note) {
                c.changes.push(note);
            }
        }
        if writes_stderr && LOG_LINE.is_match(&line.replace("[..]", "2000/01/01 00:00:00")) {
            c.stderr.push(line);
        } else {
            c.stdout.push(line);
        }
    }
    c
}

fn elide(line: &str) -> (String, Vec<&'static str>) {
    let mut out = line.to_string();
    let mut changed = Vec::new();
    for (name, re) in VARYING.iter() {
        if re.is_match(&out) {
            out = re.replace_all(&out, "[..]").into_owned();
            changed.push(*name);
        }
    }
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(String::from).collect()
    }

    #[test]
    fn exit_status_and_output() {
        let c = claims(&lines("usage: x FILE\nexit status 3"), false);
        assert_eq!((c.stdout, c.exit), (vec!["usage: x FILE".into()], Some(3)));
    }

    #[test]
    fn a_panic_keeps_its_message_not_its_trace() {
        let t = "before\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:5 +0x1d\nexit status 2";
        let c = claims(&lines(t), false);
        assert_eq!(c.stdout, ["before"]);
        assert_eq!((c.panic.as_deref(), c.exit), (Some("boom"), None));
    }

    #[test]
    fn logs_go_to_stderr_with_their_time_elided() {
        let t = "start\n2024/03/14 10:21:07 connecting\ntook 1.002345s\nat 0xc000012345";
        let c = claims(&lines(t), true);
        assert_eq!(c.stdout, ["start", "took [..]", "at [..]"]);
        assert_eq!(c.stderr, ["[..] connecting"]);
        assert_eq!(
            c.changes,
            [
                "elided a timestamp",
                "elided a measured duration",
                "elided an address"
            ]
        );
        // Without a way to write to stderr, a log-looking line is stdout's.
        assert_eq!(claims(&lines(t), false).stderr, Vec::<String>::new());
    }

    #[test]
    fn set_durations_are_not_measurements() {
        let c = claims(&lines("1.5s\n250ms\n2h0m0s"), false);
        assert_eq!(c.stdout, ["1.5s", "250ms", "2h0m0s"]);
    }
}
