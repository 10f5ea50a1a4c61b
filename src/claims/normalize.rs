//! Outcome text -> the stable form that is recorded and compared. An ordered list of small, named
//! rules; each removes one kind of noise that changes between runs or machines but says nothing
//! about the snippet. New rules go at the end, so earlier rules keep seeing what they expect.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What the rules need to know about the run: the paths that vary between machines and the
/// snippet's place in its document.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The temporary Go module the snippet was built in.
    pub work_dir: String,
    pub temp_dir: String,
    pub goroot: String,
    pub gocache: String,
    pub gomodcache: String,
    /// The document path as written in `//line` directives.
    pub doc: String,
    /// Markdown line of the snippet's opening fence.
    pub fence_line: usize,
    /// Normalizing for a record, not for a report: also drop what a reader wants to see but a
    /// record cannot hold stably (snippet-relative lines, the details of race reports).
    pub record: bool,
}

pub struct Rule {
    pub name: &'static str,
    pub apply: fn(&str, &Context) -> String,
}

/// The rules, in the order they run.
pub const RULES: &[Rule] = &[
    Rule {
        name: "go_build_package_header",
        apply: go_build_package_header,
    },
    Rule {
        name: "exit_status_lines",
        apply: exit_status_lines,
    },
    Rule {
        name: "temp_paths",
        apply: temp_paths,
    },
    Rule {
        name: "toolchain_paths",
        apply: toolchain_paths,
    },
    Rule {
        name: "goroot_frames",
        apply: goroot_frames,
    },
    Rule {
        name: "goroot_line_numbers",
        apply: goroot_line_numbers,
    },
    Rule {
        name: "snippet_relative_lines",
        apply: snippet_relative_lines,
    },
    Rule {
        name: "goroutine_ids",
        apply: goroutine_ids,
    },
    Rule {
        name: "pc_offsets",
        apply: pc_offsets,
    },
    Rule {
        name: "trace_arguments",
        apply: trace_arguments,
    },
    Rule {
        name: "signal_registers",
        apply: signal_registers,
    },
    Rule {
        name: "hex_addresses",
        apply: hex_addresses,
    },
    Rule {
        name: "race_reports",
        apply: race_reports,
    },
    Rule {
        name: "go_test_timings",
        apply: go_test_timings,
    },
    Rule {
        name: "snippet_package_paths",
        apply: snippet_package_paths,
    },
    Rule {
        name: "traceback_m_addresses",
        apply: traceback_m_addresses,
    },
    Rule {
        name: "debugger_code_addresses",
        apply: debugger_code_addresses,
    },
];

pub fn normalize(text: &str, cx: &Context) -> String {
    RULES
        .iter()
        .fold(text.to_string(), |acc, rule| (rule.apply)(&acc, cx))
}

/// The rules for compile errors (what `// ERROR` patterns are matched against, and what a
/// record keeps of them): the paths and names that are snipcheck's or the machine's, not the
/// document's. The other rules are for program output; on a compiler's message they would
/// change its words (`0xFFFFFFFFF` in a message is a constant as the document writes it, not a
/// pointer).
const DIAGNOSTIC_RULES: &[&str] = &[
    "go_build_package_header",
    "temp_paths",
    "toolchain_paths",
    "goroot_line_numbers",
    "snippet_relative_lines",
    "snippet_package_paths",
];

/// The go command's and the compiler's output, by `DIAGNOSTIC_RULES`.
pub fn normalize_diagnostics(text: &str, cx: &Context) -> String {
    RULES
        .iter()
        .filter(|r| DIAGNOSTIC_RULES.contains(&r.name))
        .fold(text.to_string(), |acc, rule| (rule.apply)(&acc, cx))
}

fn replace_all(re: &Regex, text: &str, with: &str) -> String {
    re.replace_all(text, with).into_owned()
}

/// `# snipcheck.local/s3`: the go command names the package it failed to build, and that name
/// is snipcheck's, not the document's.
fn go_build_package_header(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^# \S+(?: \[\S+\])?\n").unwrap());
    replace_all(&RE, text, "")
}

/// `exit status 2`: printed by `go run` and `go test`, repeating what the exit status says.
fn exit_status_lines(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^exit status -?\d+\n?").unwrap());
    replace_all(&RE, text, "")
}

/// The temporary module and the system's temporary directory differ on every run.
fn temp_paths(text: &str, cx: &Context) -> String {
    let mut out = text.to_string();
    for (path, name) in [(&cx.work_dir, "$WORK"), (&cx.temp_dir, "$TMP")] {
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            out = out.replace(path, name);
        }
    }
    out
}

/// GOROOT, the build cache and the module cache live in different places on each machine.
/// The longest first: a toolchain the go command fetched (the release matrix) has its GOROOT
/// inside the module cache, and its frames are still `$GOROOT/...`.
fn toolchain_paths(text: &str, cx: &Context) -> String {
    let mut out = text.to_string();
    let mut paths = [
        (&cx.gocache, "$GOCACHE"),
        (&cx.gomodcache, "$GOMODCACHE"),
        (&cx.goroot, "$GOROOT"),
    ];
    paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.trim_end_matches('/').len()));
    for (path, name) in paths {
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            out = out.replace(path, name);
        }
    }
    out
}

/// Stack frames inside the Go distribution (the runtime, `sync`, ...) differ between Go releases
/// and are not the document's to claim; the frames of the snippet's own code stay. A frame's
/// place is `file.go:LINE` (and a pc offset, registers); a compile error continued by a line in GOROOT
/// (`\t$GOROOT/src/x.go:12:6: other declaration of x`) names a column, and stays.
fn goroot_frames(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[^\t\n][^\n]*\n\t\$GOROOT/[^\n:]*:\d+(?: [^\n]*)?\n").unwrap()
    });
    replace_all(&RE, text, "")
}

/// Line numbers inside the Go distribution (its Go and assembly files: `runtime.goexit` is at
/// `asm_amd64.s:1771` on go1.26, `:1693` on go1.25) change with every release; the document
/// cannot claim them.
fn goroot_line_numbers(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\$GOROOT/\S+\.(?:go|s)):\d+").unwrap());
    replace_all(&RE, text, "$1:N")
}

/// `doc.md:45` -> `doc.md:+4` (lines after the opening fence), so a record does not change when
/// text above the snippet moves.
fn snippet_relative_lines(text: &str, cx: &Context) -> String {
    if !cx.record || cx.doc.is_empty() {
        return text.to_string();
    }
    thread_local! {
        // One pattern per document, not per snippet: compiling it is most of this rule's time.
        static BY_DOC: std::cell::RefCell<HashMap<String, Regex>> = Default::default();
    }
    BY_DOC.with_borrow_mut(|by_doc| {
        let re = by_doc.entry(cx.doc.clone()).or_insert_with(|| {
            // `go test` names a file by its base name (`doc.md:12: message` from t.Error).
            let base = cx.doc.rsplit('/').next().unwrap_or(&cx.doc);
            Regex::new(&format!(
                r"(?m)(^|[\s(])({}|{}):(\d+)",
                regex::escape(&cx.doc),
                regex::escape(base)
            ))
            .unwrap()
        });
        re.replace_all(text, |c: &Captures| {
            let line: usize = c[3].parse().unwrap_or(0);
            format!("{}{}:+{}", &c[1], &c[2], line.saturating_sub(cx.fence_line))
        })
        .into_owned()
    })
}

/// Goroutine ids depend on what the runtime started before the snippet's goroutines.
fn goroutine_ids(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([Gg]oroutine) \d+").unwrap());
    replace_all(&RE, text, "$1 N")
}

/// `+0x1d` after a frame's file:line is the program counter's offset in the function: it moves
/// with the compiler.
fn pc_offsets(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r" \+0x[0-9a-f]+\b").unwrap());
    replace_all(&RE, text, " +0x?")
}

/// Pointers (`0xc000012345`) differ between runs; short hex values such as trace arguments
/// (`0x1`) are kept.
fn hex_addresses(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b0x[0-9a-fA-F]{8,}\b").unwrap());
    replace_all(&RE, text, "0x?")
}

/// The argument words of a frame (`main.f(0xc000012345, 0x1?)`) are register and stack contents.
fn trace_arguments(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([^\s(][^\n]*?)\((?:0x[0-9a-f]+\??|\.\.\.|\{[^}]*\}|, )+\)$").unwrap()
    });
    replace_all(&RE, text, "$1(...)")
}

/// `[signal SIGSEGV: ... addr=0x0 pc=0x49e15b]`: the program counter moves with the compiler.
fn signal_registers(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bpc=0x[0-9a-f]+").unwrap());
    replace_all(&RE, text, "pc=0x?")
}

/// `goroutine 1 gp=0x? m=0 mp=0x548040 [running]:` (`GOTRACEBACK=crash` and beyond): `m0` is a
/// static variable of the runtime, too short an address for `hex_addresses`, and it moves with
/// the release and the module's `go` line.
fn traceback_m_addresses(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bmp=0x[0-9a-f]+").unwrap());
    replace_all(&RE, text, "mp=0x?")
}

/// Delve's code addresses (`Breakpoint 1 set at 0x4ac005`, `(PC: 0x4ac005)`, `main.notify
/// (0x49fe3a)`, `loclist entry at 0x3ab for address 0x4ac005`): too short for `hex_addresses`,
/// and they move with the release, the build flags and every change to the program.
fn debugger_code_addresses(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(set at|PC:|loclist entry at|for address) 0x[0-9a-f]+\b|(?m)^(\s+Goroutine \S+ - \w+: \S+ \S+) \(0x[0-9a-f]+\)",
        )
        .unwrap()
    });
    RE.replace_all(text, |c: &regex::Captures| match c.get(1) {
        Some(what) => format!("{} 0x?", what.as_str()),
        None => format!("{} (0x?)", &c[2]),
    })
    .into_owned()
}

/// Which of two racing accesses the detector saw first, and whether the other goroutine had
/// finished, change from run to run; what stays is where the racing accesses are. A report
/// keeps its header and the sorted set of the document's lines it names.
fn race_reports(text: &str, cx: &Context) -> String {
    if !cx.record {
        return text.to_string();
    }
    static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)==================\nWARNING: DATA RACE\n(.*?)==================\n")
            .unwrap()
    });
    static PLACE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^\s+(\S+\.md:\S+)").unwrap());
    BLOCK
        .replace_all(text, |c: &Captures| {
            let mut places: Vec<&str> = PLACE
                .captures_iter(c.get(1).map_or("", |m| m.as_str()))
                .map(|p| p.get(1).map_or("", |m| m.as_str()))
                .collect();
            places.sort_unstable();
            places.dedup();
            let mut out = String::from("==================\nWARNING: DATA RACE\n");
            for p in places {
                out.push_str(&format!("  at {p}\n"));
            }
            out.push_str("==================\n");
            out
        })
        .into_owned()
}

/// `--- PASS: TestA (0.01s)` and `ok  pkg 0.004s`: how long tests took is not a claim.
fn go_test_timings(text: &str, _: &Context) -> String {
    static ELAPSED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^(\s*--- (?:PASS|FAIL|SKIP): .*) \(\d+\.\d+s\)$").unwrap()
    });
    static SUMMARY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^(ok|FAIL)(\s+\S+)\s+\d+\.\d+s\b").unwrap());
    let text = ELAPSED.replace_all(text, "$1 (N.NNs)");
    SUMMARY.replace_all(&text, "$1$2\tN.NNs").into_owned()
}

/// `snipcheck.local/s7`: the package path of a snippet is its position in this run.
fn snippet_package_paths(text: &str, _: &Context) -> String {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bsnipcheck\.local/[sm]\d+\b").unwrap());
    replace_all(&RE, text, "snipcheck.local/snippet")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            work_dir: "/tmp/.tmpAbC123".into(),
            temp_dir: "/tmp".into(),
            goroot: "/usr/local/go".into(),
            gocache: "/root/.cache/go-build".into(),
            gomodcache: "/root/go/pkg/mod".into(),
            doc: "snippets/doc.md".into(),
            fence_line: 40,
            record: true,
        }
    }

    fn rule(name: &str) -> fn(&str, &Context) -> String {
        RULES.iter().find(|r| r.name == name).unwrap().apply
    }

    #[test]
    fn compile_errors_keep_the_compiler_s_words() {
        let text = "# snipcheck.local/s3\nsnippets/doc.md:44:15: cannot use 0xFFFFFFFFF (untyped int constant 68719476735) as int32 value\n\t/usr/local/go/src/x.go:3:1: other\n";
        assert_eq!(
            normalize_diagnostics(text, &cx()),
            "snippets/doc.md:+4:15: cannot use 0xFFFFFFFFF (untyped int constant 68719476735) as int32 value\n\t$GOROOT/src/x.go:N:1: other\n"
        );
    }

    #[test]
    fn go_build_package_header() {
        let f = rule("go_build_package_header");
        assert_eq!(
            f(
                "# snipcheck.local/s3\nsnippets/doc.md:44:2: undefined: x\n",
                &cx()
            ),
            "snippets/doc.md:44:2: undefined: x\n"
        );
        assert_eq!(f("#comment\n", &cx()), "#comment\n");
        assert_eq!(f("# pkg [pkg.test]\nx.md:1:2: e\n", &cx()), "x.md:1:2: e\n");
    }

    #[test]
    fn exit_status_lines() {
        let f = rule("exit_status_lines");
        assert_eq!(f("panic: boom\nexit status 2\n", &cx()), "panic: boom\n");
        assert_eq!(f("my exit status 2\n", &cx()), "my exit status 2\n");
    }

    #[test]
    fn temp_paths() {
        let f = rule("temp_paths");
        assert_eq!(
            f("open /tmp/.tmpAbC123/s1/x: denied; /tmp/other", &cx()),
            "open $WORK/s1/x: denied; $TMP/other"
        );
    }

    #[test]
    fn toolchain_paths() {
        let f = rule("toolchain_paths");
        assert_eq!(
            f(
                "/usr/local/go/src/runtime/panic.go:1 /root/.cache/go-build/ab /root/go/pkg/mod/x@v1",
                &cx()
            ),
            "$GOROOT/src/runtime/panic.go:1 $GOCACHE/ab $GOMODCACHE/x@v1"
        );
        // A fetched toolchain's GOROOT lies in the module cache.
        let fetched = Context {
            goroot: "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64".into(),
            ..cx()
        };
        assert_eq!(
            f(
                "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/panic.go:1 /root/go/pkg/mod/x@v1",
                &fetched
            ),
            "$GOROOT/src/runtime/panic.go:1 $GOMODCACHE/x@v1"
        );
    }

    #[test]
    fn goroot_line_numbers() {
        let f = rule("goroot_line_numbers");
        assert_eq!(
            f("\t$GOROOT/src/runtime/chan.go:414 +0x?", &cx()),
            "\t$GOROOT/src/runtime/chan.go:N +0x?"
        );
        assert_eq!(f("main.go:414", &cx()), "main.go:414");
        assert_eq!(
            f("    at $GOROOT/src/runtime/asm_amd64.s:1771", &cx()),
            "    at $GOROOT/src/runtime/asm_amd64.s:N"
        );
        assert_eq!(f("main.s:12", &cx()), "main.s:12");
    }

    #[test]
    fn snippet_relative_lines() {
        let f = rule("snippet_relative_lines");
        assert_eq!(
            f("snippets/doc.md:44:2: undefined: x", &cx()),
            "snippets/doc.md:+4:2: undefined: x"
        );
        assert_eq!(f("other.md:44", &cx()), "other.md:44");
        assert_eq!(f("    doc.md:44: broken", &cx()), "    doc.md:+4: broken");
        assert_eq!(
            f("a\nsnippets/doc.md:44:2: x\nsnippets/doc.md:45:2: y", &cx()),
            "a\nsnippets/doc.md:+4:2: x\nsnippets/doc.md:+5:2: y"
        );
        assert_eq!(
            f("\tsnippets/doc.md:45 +0x1d", &cx()),
            "\tsnippets/doc.md:+5 +0x1d"
        );
        let report = Context {
            record: false,
            ..cx()
        };
        assert_eq!(f("snippets/doc.md:44:2", &report), "snippets/doc.md:44:2");
    }

    #[test]
    fn goroutine_ids() {
        let f = rule("goroutine_ids");
        assert_eq!(
            f(
                "goroutine 18 [running]:\ncreated by main.main in goroutine 1",
                &cx()
            ),
            "goroutine N [running]:\ncreated by main.main in goroutine N"
        );
    }

    #[test]
    fn pc_offsets() {
        let f = rule("pc_offsets");
        assert_eq!(
            f("\tsnippets/doc.md:+4 +0x1d\n", &cx()),
            "\tsnippets/doc.md:+4 +0x?\n"
        );
    }

    #[test]
    fn hex_addresses() {
        let f = rule("hex_addresses");
        assert_eq!(f("main.f(0xc000012345, 0x1)", &cx()), "main.f(0x?, 0x1)");
    }

    #[test]
    fn goroot_frames() {
        let f = rule("goroot_frames");
        assert_eq!(
            f(
                "goroutine N [sync.Mutex.Lock]:\ninternal/sync.runtime_SemacquireMutex(...)\n\t$GOROOT/src/runtime/sema.go:95 +0x25\nmain.main()\n\tdoc.md:+3 +0x5c\n",
                &cx()
            ),
            "goroutine N [sync.Mutex.Lock]:\nmain.main()\n\tdoc.md:+3 +0x5c\n"
        );
        // A compile error whose continuation points into GOROOT is no frame: it stays whole.
        let error = "doc.md:5:6: Println redeclared in this block\n\t$GOROOT/src/fmt/print.go:313:6: other declaration of Println\n";
        assert_eq!(f(error, &cx()), error);
    }

    #[test]
    fn trace_arguments() {
        let f = rule("trace_arguments");
        assert_eq!(
            f(
                "internal/sync.(*Mutex).lockSlow(0x545510, 0x0?, {0x1, 0x2})\nmain.main()\nfmt.Println(\"a\")",
                &cx()
            ),
            "internal/sync.(*Mutex).lockSlow(...)\nmain.main()\nfmt.Println(\"a\")"
        );
    }

    #[test]
    fn debugger_code_addresses() {
        let f = rule("debugger_code_addresses");
        assert_eq!(
            f(
                "Breakpoint 1 set at 0x4ac005 for main.handle() ./main.go:13\n> [Breakpoint 1] main.handle() ./main.go:13 (hits goroutine(1):1 total:1) (PC: 0x4ac005)",
                &cx()
            ),
            "Breakpoint 1 set at 0x? for main.handle() ./main.go:13\n> [Breakpoint 1] main.handle() ./main.go:13 (hits goroutine(1):1 total:1) (PC: 0x?)"
        );
        assert_eq!(
            f(
                "(unreadable could not find loclist entry at 0x3ab for address 0x4ac005)",
                &cx()
            ),
            "(unreadable could not find loclist entry at 0x? for address 0x?)"
        );
        assert_eq!(
            f(
                "  Goroutine 1 - User: ./main.go:20 main.notify (0x49fe3a) [chan receive]",
                &cx()
            ),
            "  Goroutine 1 - User: ./main.go:20 main.notify (0x?) [chan receive]"
        );
        // Values a program prints are not addresses.
        assert_eq!(f("x = 0x4ac005 (0x10)", &cx()), "x = 0x4ac005 (0x10)");
    }

    #[test]
    fn traceback_m_addresses() {
        let f = rule("traceback_m_addresses");
        assert_eq!(
            f("goroutine 1 gp=0x? m=0 mp=0x548040 [running]:", &cx()),
            "goroutine 1 gp=0x? m=0 mp=0x? [running]:"
        );
        assert_eq!(f("a bump=0x1 stays", &cx()), "a bump=0x1 stays");
    }

    #[test]
    fn signal_registers() {
        let f = rule("signal_registers");
        assert_eq!(
            f(
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e15b]",
                &cx()
            ),
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x?]"
        );
    }

    #[test]
    fn race_reports() {
        let f = rule("race_reports");
        let report = "==================\nWARNING: DATA RACE\nRead at 0x? by goroutine N:\n  main.main.func1()\n      doc.md:+6 +0x?\n\nPrevious write at 0x? by goroutine N:\n  main.main.func1()\n      doc.md:+6 +0x?\n\nGoroutine N (running) created at:\n  main.main()\n      doc.md:+4 +0x?\n==================\nFound 1 data race(s)\n";
        assert_eq!(
            f(report, &cx()),
            "==================\nWARNING: DATA RACE\n  at doc.md:+4\n  at doc.md:+6\n==================\nFound 1 data race(s)\n"
        );
        let shown = Context {
            record: false,
            ..cx()
        };
        assert_eq!(f(report, &shown), report, "a report shows the whole race");
    }

    #[test]
    fn go_test_timings() {
        let f = rule("go_test_timings");
        assert_eq!(
            f(
                "--- FAIL: TestA (0.01s)\n    --- PASS: TestA/x (0.00s)\nok  \tsnipcheck.local/s1\t0.004s\tcoverage: 50.0% of statements\n",
                &cx()
            ),
            "--- FAIL: TestA (N.NNs)\n    --- PASS: TestA/x (N.NNs)\nok  \tsnipcheck.local/s1\tN.NNs\tcoverage: 50.0% of statements\n"
        );
    }

    #[test]
    fn snippet_package_paths() {
        let f = rule("snippet_package_paths");
        assert_eq!(
            f("FAIL\tsnipcheck.local/s12 [build failed]", &cx()),
            "FAIL\tsnipcheck.local/snippet [build failed]"
        );
    }

    #[test]
    fn rules_run_in_order_on_a_real_trace() {
        let trace = "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [sync.Mutex.Lock]:\ninternal/sync.runtime_SemacquireMutex(0x411dfd?, 0x0?, 0x44dd5f?)\n\t/usr/local/go/src/runtime/sema.go:95 +0x25\nsync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46\nmain.f(0xc000012345)\n\tsnippets/doc.md:45 +0x1d\nexit status 2\n";
        assert_eq!(
            normalize(trace, &cx()),
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine N [sync.Mutex.Lock]:\nmain.f(...)\n\tsnippets/doc.md:+5 +0x?\n"
        );
    }

    #[test]
    fn every_rule_has_a_test() {
        let src = include_str!("normalize.rs");
        for r in RULES {
            assert!(
                src.contains(&format!("fn {}() {{", r.name)),
                "rule {} has no test named after it",
                r.name
            );
        }
    }
}
