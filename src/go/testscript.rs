//! Script snippets: a ```` ```testscript ```` block is a script of rogpeppe/go-internal's
//! testscript (the Go ecosystem's format for command tests: `exec`, `stdout`, `! exec`, `cmp`
//! lines, then the files as a txtar archive), run by the real testscript library. In: the
//! snippet. Out: a `Unit` that `go test` runs (a small generated test whose `TestScript` calls
//! `testscript.Run` on the script, in a module of its own pinned here), and, from what
//! `go test -json` printed, the script's log and the script lines that failed.
//!
//! The driver's module is snipcheck's, not the document set's: the script language a document
//! is checked with then changes only with snipcheck. go-internal v1.13.1 is the newest release
//! whose `go` line (1.22) is snipcheck's minimum Go; its go.sum is below, so the build needs the
//! proxy once (`go mod download`) and never after. The test binary runs contained, like any
//! `test` snippet (`go test -exec`); what the scripts' `exec go ...` need inside is given by
//! `Workspace::prepare_scripts` and `Sandbox::go_test`.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::Problem;
use crate::go::build::Unit;
use crate::snippet::Snippet;

/// The module of the generated test.
pub const GO_MOD: &str = "module snipcheck.local/script

go 1.22

require github.com/rogpeppe/go-internal v1.13.1

require (
	golang.org/x/sys v0.21.0 // indirect
	golang.org/x/tools v0.22.0 // indirect
)
";

/// `go mod tidy`'s go.sum for `GO_MOD`.
pub const GO_SUM: &str =
    "github.com/rogpeppe/go-internal v1.13.1 h1:KvO1DLK/DRN07sQ1LQKScxyZJuNnedQ5/wKSR38lUII=
github.com/rogpeppe/go-internal v1.13.1/go.mod h1:uMEvuHeurkdAXX61udpOXGD/AzZDWNMNyH2VO9fmH0o=
golang.org/x/sys v0.21.0 h1:rF+pYz3DAGSQAxAu1CbC7catZg4ebC4UIeIhKxBZvws=
golang.org/x/sys v0.21.0/go.mod h1:/VUhepiaJMQUp4+oa/7Zr1D23ma6VTLIYjOOTFZPUcA=
golang.org/x/tools v0.22.0 h1:gqSGLZqv+AI9lIQzniJ0nZDRG5GBPsSi+DRNHWNz6yA=
golang.org/x/tools v0.22.0/go.mod h1:aCwcsjqvq7Yqt6TNyX7QMU2enbQ/Gt0bo6krSeEri+c=
";

/// Where the script is written in the driver's package; testscript names it so in its log.
pub const SCRIPT_FILE: &str = "testdata/script.txtar";

/// The environment variables the script's commands get from the test process (testscript
/// starts each script with an environment of its own): what the go command needs to work
/// offline in the sandbox, set by `execute`; and the snippet's own `env=` names, listed in
/// `ENV_NAMES_VAR`.
pub const ENV_NAMES_VAR: &str = "SNIPCHECK_SCRIPT_ENV";

/// The generated test: runs `testscript/script.txtar` with the environment above. Each script
/// gets its own GOPATH in its work directory, so the go command never reaches for
/// `$HOME/go` (testscript's HOME is `/no-home`).
pub const DRIVER: &str = r#"package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			names := []string{"GOROOT", "GOCACHE", "GOFLAGS", "GOPROXY", "GOSUMDB", "GOTOOLCHAIN", "GOTELEMETRY", "GOWORK", "GO111MODULE", "GOMODCACHE", "CGO_ENABLED", "LANG", "LC_ALL", "TZ"}
			names = append(names, strings.Split(os.Getenv("SNIPCHECK_SCRIPT_ENV"), ",")...)
			for _, k := range names {
				if v, ok := os.LookupEnv(k); ok && k != "" {
					e.Setenv(k, v)
				}
			}
			e.Setenv("GOPATH", filepath.Join(e.WorkDir, ".gopath"))
			return nil
		},
	})
}
"#;

/// The snippet as a `go test` unit: the driver, its module, and the script.
pub fn unit(s: &Snippet) -> Result<Unit, Problem> {
    // testscript parses the archive itself; this finds a broken file marker (a name given
    // twice, an absolute one) at its Markdown line before anything is built.
    crate::document::txtar::parse(&s.code).map_err(|(line, msg)| {
        Problem::new(format!("{}:{}", s.doc.display(), s.code_line + line), msg)
    })?;
    Ok(Unit {
        files: vec![
            ("go.mod".into(), GO_MOD.into()),
            ("go.sum".into(), GO_SUM.into()),
            ("script_test.go".into(), DRIVER.into()),
            (SCRIPT_FILE.into(), s.code.clone()),
        ],
        go_mod: Some(GO_MOD.into()),
        test: true,
        script: true,
        doc: s.doc.display().to_string(),
        ..Unit::default()
    })
}

/// The script's log (each command, what it printed, the failure), out of `go test -v`'s report
/// (`report.output` of `gotest::parse`): testscript logs through `t.Log`, so its lines follow
/// `testscript.go:N: ` and are indented by eight spaces. The log starts with the environment
/// (`WORK=$WORK` to the first blank line), which names this machine's paths, and section
/// headers end with the time they took: both are left out, so that the log can be recorded.
pub fn read_log(output: &str) -> String {
    static START: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^    testscript\.go:\d+: (.*)$").unwrap());
    static TIMING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(#.*?) \(\d+\.\d+s\)$").unwrap());
    let mut lines: Vec<String> = Vec::new();
    let mut inside = false;
    for line in output.lines() {
        if let Some(c) = START.captures(line) {
            inside = true;
            lines.push(c[1].to_string());
        } else if inside && let Some(rest) = line.strip_prefix("        ") {
            lines.push(rest.to_string());
        } else if inside && line.trim().is_empty() {
            lines.push(String::new());
        } else {
            inside = false;
        }
    }
    if lines.first().is_some_and(|l| l.starts_with("WORK=")) {
        let blank = lines
            .iter()
            .position(|l| l.is_empty())
            .unwrap_or(lines.len());
        lines.drain(..(blank + 1).min(lines.len()));
    }
    let mut log = String::new();
    for line in &lines {
        log.push_str(&TIMING.replace(line, "$1"));
        log.push('\n');
    }
    log.trim_end().to_string() + "\n"
}

/// The script lines a log (`read_log`) says failed, `FAIL: testdata/script.txtar:N: MESSAGE`,
/// with their messages.
pub fn failures(log: &str) -> Vec<(usize, String)> {
    static FAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?m)^FAIL: {}:(\d+): (.*)$",
            regex::escape(SCRIPT_FILE)
        ))
        .unwrap()
    });
    FAIL.captures_iter(log)
        .filter_map(|c| Some((c[1].parse().ok()?, c[2].to_string())))
        .collect()
}

/// The log with `testdata/script.txtar:N` as the Markdown line of that script line.
pub fn at_markdown_lines(log: &str, s: &Snippet) -> String {
    static AT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!(r"{}:(\d+)", regex::escape(SCRIPT_FILE))).unwrap());
    AT.replace_all(log, |c: &regex::Captures| match c[1].parse::<usize>() {
        Ok(n) => format!("{}:{}", s.doc.display(), markdown_line(s, n)),
        Err(_) => c[0].to_string(),
    })
    .into_owned()
}

/// The Markdown line of script line `n` (1-based): the script is the block's code.
pub fn markdown_line(s: &Snippet, n: usize) -> usize {
    s.code_line + n.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `go test -json`'s text (gotest::parse) of a real failing run (go1.26.8, v1.13.1).
    const FAILED: &str = "=== RUN   TestScript
=== RUN   TestScript/script
=== PAUSE TestScript/script
=== CONT  TestScript/script
    testscript.go:584: WORK=$WORK
        PATH=/usr/local/go/bin:/usr/bin
        GOTRACEBACK=system
        HOME=/no-home
        TMPDIR=$WORK/.tmp
        devnull=/dev/null
        /=/
        :=:
        $=$
        exe=
        GOCACHE=/tmp/cache
        
        # the go command works (0.689s)
        > exec go version
        [stdout]
        go version go1.26.8 linux/amd64
        > stdout 'go1\\.26'
        > stdout 'nope'
        FAIL: testdata/script.txtar:3: no match for `nope` found in stdout
        
--- FAIL: TestScript/script (0.72s)
--- FAIL: TestScript (0.00s)
FAIL
FAIL\tsnipcheck.local/script\t0.721s
";

    #[test]
    fn the_log_without_environment_and_timings() {
        let log = read_log(FAILED);
        assert_eq!(
            log,
            "# the go command works\n> exec go version\n[stdout]\ngo version go1.26.8 linux/amd64\n\
             > stdout 'go1\\.26'\n> stdout 'nope'\n\
             FAIL: testdata/script.txtar:3: no match for `nope` found in stdout\n"
        );
        assert_eq!(
            failures(&log),
            [(3, "no match for `nope` found in stdout".to_string())]
        );
    }

    #[test]
    fn a_passing_log_has_no_failures() {
        let passing = FAILED.replace("        > stdout 'nope'\n", "").replace(
            "        FAIL: testdata/script.txtar:3: no match for `nope` found in stdout\n",
            "",
        );
        let log = read_log(&passing);
        assert!(failures(&log).is_empty());
        assert!(log.ends_with("> stdout 'go1\\.26'\n"), "{log}");
    }

    #[test]
    fn script_lines_are_markdown_lines() {
        let s = Snippet {
            id: "x".into(),
            doc: "docs/a.md".into(),
            line: 10,
            code_line: 11,
            title: String::new(),
            item: "x".into(),
            attrs: Default::default(),
            code: String::new(),
            claims: Vec::new(),
            problem: None,
        };
        assert_eq!(markdown_line(&s, 1), 11);
        assert_eq!(
            at_markdown_lines("FAIL: testdata/script.txtar:3: no match", &s),
            "FAIL: docs/a.md:13: no match"
        );
    }
}
