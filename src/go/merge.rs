//! Merged builds: many snippets linked into one binary, each its own package (or a file of a
//! pack, `pack`) behind a generated dispatcher `main`, each still run as its own process (`binary s3 ARGS...`), the way Rust 2024
//! merges doctests. One link instead of hundreds is what makes a large document fast.
//!
//! Only snippets whose outcome cannot tell the difference are merged: every package's
//! initialisers run in every process of the merged binary, so a snippet with `init`, a
//! package-level variable initialised by a call, a `//go:` directive, or an import of a
//! registry others fill at init (`crypto`, `image`, `database/sql` ...) is built alone. What
//! still differs (the package name in stack traces, the dispatcher's own frame) is rewritten
//! back by `unmerge`, so a snippet's stderr reads the same as when it runs alone.

use std::sync::LazyLock;

use regex::Regex;

use crate::go::wrap::mask;

/// Whether a `package main` source can share a binary with others without changing its outcome.
pub fn can_merge(source: &str) -> bool {
    // `//go:debug`, `//go:build`, `//go:embed`, `//go:linkname` ... change how the package or
    // the whole binary is built.
    if source.lines().any(|l| l.trim_start().starts_with("//go:")) {
        return false;
    }
    // A program that runs itself again (`/proc/self/exe`, `os.Executable`) would run the
    // dispatcher without a snippet name.
    if source.contains("os.Executable") {
        return false;
    }
    // The dispatcher calls its one `func main()`, renamed where its token is (`pack`); an
    // `init`, at any column, would run in every process of the binary.
    if crate::go::pack::read(source).is_none_or(|s| s.declared.contains("init")) {
        return false;
    }
    let masked = mask(source);
    !package_vars_call_functions(&masked)
        && !reads_or_fills_a_registry(source)
        && !may_see_its_package(source)
}

/// Whether the program may observe what merging changes: its package's name and path
/// (`snipcheck.local/s3.T` instead of `main.T`), its function names (`s3.Main` for
/// `main.main`), the frames and goroutines of the binary around it, or the arguments the
/// dispatcher was started with. A panic value of the snippet's own type, printed by the
/// runtime, is caught when it happens (`shows_package`); what is only compared, never printed
/// (`fmt.Sprintf("%T", v) == "main.T"`), can only be seen here, so this errs on the side of
/// building alone: any use of reflection, of the runtime's introspection, of the verbs that
/// print type names, or of the process's own `/proc` entry.
fn may_see_its_package(source: &str) -> bool {
    // `%T` and `%#v` print type names (`%#v` in `main.T{X:1}`); `%v` of a `reflect.Type`
    // needs `reflect`, which is below.
    const VERBS: [&str; 2] = ["%T", "%#v"];
    // reflect: type names and package paths; runtime: callers and function names, goroutine
    // counts and memory statistics of the whole binary; gob: registered type names; slog's
    // AddSource and pprof: function names.
    const INTROSPECTION: [&str; 7] = [
        "reflect",
        "runtime",
        "runtime/debug",
        "runtime/pprof",
        "runtime/trace",
        "encoding/gob",
        "plugin",
    ];
    VERBS.iter().any(|v| source.contains(v))
        || source.contains("AddSource")
        || source.contains("/proc/self")
        || crate::go::wrap::import_specs(source)
            .iter()
            .any(|(_, path)| INTROSPECTION.contains(&path.as_str()))
}

/// A package-level `var` whose initialiser calls something (`var start = time.Now()`) runs at
/// start-up of every process of a merged binary. `make` and `new` have no effects to observe.
/// A declaration runs from `var` to the line where its brackets close and that does not end
/// in `=` or `,`; anything after its first `=` that still calls is taken as a call (a function
/// literal's type too: leaving a snippet unmerged only costs time).
fn package_vars_call_functions(masked: &str) -> bool {
    static HARMLESS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(make|new|len|cap)\s*\(").unwrap());
    let calls = |decl: &str| {
        let decl = HARMLESS.replace_all(decl, "");
        decl.find('=').is_some_and(|eq| decl[eq..].contains('('))
    };
    let mut depth: i64 = 0;
    let mut decl: Option<String> = None;
    for line in masked.lines() {
        if depth == 0 && decl.is_none() && (line.starts_with("var ") || line.starts_with("var(")) {
            decl = Some(String::new());
        }
        for c in line.chars() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                _ => {}
            }
        }
        if let Some(d) = decl.as_mut() {
            d.push_str(line);
            d.push('\n');
            let open = line.trim_end().ends_with('=') || line.trim_end().ends_with(',');
            if depth <= 0 && !open {
                if calls(d) {
                    return true;
                }
                decl = None;
            }
        }
    }
    decl.is_some_and(|d| calls(&d))
}

/// Imports whose package-level state other packages fill at init: in a merged binary every
/// snippet's imports register, so `crypto.SHA256.Available()`, `image.Decode` or
/// `sql.Drivers()` would see what another snippet linked. The registering side (`expvar` and
/// `net/http/pprof` on the default mux, blank imports of drivers and codecs) stays out too.
fn reads_or_fills_a_registry(source: &str) -> bool {
    const REGISTRIES: [&str; 5] = [
        "crypto",
        "image",
        "database/sql",
        "expvar",
        "net/http/pprof",
    ];
    crate::go::wrap::import_specs(source)
        .iter()
        .any(|(alias, path)| alias.as_deref() == Some("_") || REGISTRIES.contains(&path.as_str()))
}

/// Where a merged snippet's `main` went: `binary KEY ARGS...` calls `PACKAGE.FUNC`, which is
/// `s3.Main` for a package of its own, `g3.S7_main` for a member of a pack (`pack`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub package: String,
    pub func: String,
}

impl Entry {
    /// A snippet merged as its own package, `pack::as_package(source, key)`.
    pub fn alone(key: &str) -> Entry {
        Entry {
            key: key.to_string(),
            package: key.to_string(),
            func: "Main".into(),
        }
    }
}

/// The dispatcher: `binary KEY ARGS...` runs that entry's function with `ARGS` as its
/// arguments. It starts no goroutine and allocates nothing a snippet could notice. The entry is
/// called through a table so the compiler cannot inline it: alone, `main.main` is a frame of its
/// own in every trace, and merged it must be too.
pub fn dispatcher(module: &str, entries: &[Entry]) -> String {
    let mut src = String::from("package main\n\nimport (\n\t\"os\"\n\n");
    let mut imported = std::collections::HashSet::new();
    for e in entries {
        if imported.insert(&e.package) {
            src.push_str(&format!("\t{0} \"{module}/{0}\"\n", e.package));
        }
    }
    src.push_str(")\n\nvar mains = map[string]func(){\n");
    for e in entries {
        src.push_str(&format!("\t\"{}\": {}.{},\n", e.key, e.package, e.func));
    }
    src.push_str("}\n\nfunc main() {\n\tf, ok := mains[os.Args[1]]\n\tif !ok {\n\t\tos.Exit(125)\n\t}\n\tos.Args = append(os.Args[:1:1], os.Args[2:]...)\n\tf()\n}\n");
    src
}

/// The stderr of a merged run as the snippet alone would have written it: the package path
/// `module/package.` is `main.` again (and the entry's function is `main`), and the
/// dispatcher's frame, the one in `dispatcher_file`, is gone. Only the entry's own code runs in
/// the process, so every other name of its package is its own.
pub fn unmerge(stderr: &str, module: &str, entry: &Entry, dispatcher_file: &str) -> String {
    let qualified = format!("{module}/{}.", entry.package);
    let text = stderr
        .replace(&format!("{qualified}{}", entry.func), "main.main")
        .replace(&qualified, "main.");
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let next_is_dispatcher = lines
            .get(i + 1)
            .is_some_and(|l| l.trim_start().starts_with(dispatcher_file));
        if lines[i] == "main.main()" && next_is_dispatcher {
            i += 2;
            continue;
        }
        out.push(lines[i]);
        i += 1;
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Whether a merged run's stderr (before `unmerge`) shows one of the binary's snippet packages
/// being initialised (`module/g3.init()`, `module/s7.init.func1()`): then the failure may be
/// another snippet's, and only a run alone tells.
pub fn shows_init(stderr: &str, module: &str) -> bool {
    stderr.match_indices(&format!("{module}/")).any(|(i, m)| {
        let rest = &stderr[i + m.len()..];
        let name = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(rest, |n| &rest[..n]);
        let after = &rest[name.len()..];
        matches!(name.as_bytes().first(), Some(b's' | b'g'))
            && name.len() > 1
            && name[1..].bytes().all(|b| b.is_ascii_digit())
            && after.starts_with(".init")
            && !after[5..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

/// Whether a merged run's output shows the package it was merged as (`s3.T` printed by `%T`,
/// a panic with a value of the snippet's own type): then only a run alone gives the real output.
pub fn shows_package(text: &str, name: &str) -> bool {
    // `\bNAME\.` without compiling a regex for every run.
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(&format!("{name}."))
        .any(|(i, _)| !text[..i].chars().next_back().is_some_and(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_can_merge() {
        assert!(can_merge(
            "package main\n\nfunc main() {\n\tprintln(1)\n}\n"
        ));
        assert!(can_merge(
            "package main\n\nvar m = make(map[string]int)\nvar n = 3\n\nfunc main() {}\n"
        ));
        assert!(!can_merge(
            "package main\n\nfunc init() {}\n\nfunc main() {}\n"
        ));
        // Indented, and `main`s that do not compile alone but would once renamed.
        for src in [
            "package main\n\n  func init() {}\n\nfunc main() {}\n",
            "package main\n\nvar main = 1\n\nfunc main() {}\n",
            "package main\n\nfunc main() {}\n\nfunc main() {}\n",
            "package main\n\nfunc main(n int) {}\n",
        ] {
            assert!(!can_merge(src), "{src}");
        }
        assert!(!can_merge(
            "package main\n\nvar start = time.Now()\n\nfunc main() {}\n"
        ));
        assert!(!can_merge(
            "package main\n\nvar (\n\ta = 1\n\tb = f()\n)\n\nfunc main() {}\n"
        ));
        assert!(!can_merge(
            "//go:debug panicnil=1\npackage main\n\nfunc main() {}\n"
        ));
        assert!(can_merge(
            "package main\n\nfunc main() {\n\tx := \"func init() {}\"\n\t_ = x\n}\n"
        ));
    }

    #[test]
    fn an_initialiser_on_later_lines_is_still_an_initialiser() {
        // The call on the line after `=`, inside a composite literal, or after a `,`.
        for decl in [
            "var n, _ =\n\tfmt.Println(\"side effect\")\n",
            "var cfg = Config{\n\tName: strings.ToUpper(\"x\"),\n}\n",
            "var a,\n\tb = f()\n",
        ] {
            let src = format!("package main\n\n{decl}\nfunc main() {{}}\n");
            assert!(!can_merge(&src), "{src}");
        }
        // Declarations without calls, over several lines, are fine.
        assert!(can_merge(
            "package main\n\nvar names = []string{\n\t\"a\",\n}\nvar m = make(\n\tmap[string]int,\n)\n\nfunc main() {\n\tprintln(len(names), m)\n}\n"
        ));
    }

    #[test]
    fn registries_keep_a_snippet_alone() {
        for imports in [
            "import \"crypto\"",
            "import (\n\t\"fmt\"\n\t\"image\"\n)",
            "import \"database/sql\"",
            "import _ \"image/png\"",
            "import \"expvar\"",
            "import _ \"net/http/pprof\"",
        ] {
            let src = format!("package main\n\n{imports}\n\nfunc main() {{}}\n");
            assert!(!can_merge(&src), "{src}");
        }
        assert!(can_merge(
            "package main\n\nimport (\n\t\"crypto/sha256\"\n\t\"image/png\"\n)\n\nfunc main() {\n\t_, _ = sha256.New, png.Decode\n}\n"
        ));
    }

    #[test]
    fn what_shows_the_package_keeps_a_snippet_alone() {
        for body in [
            "\tfmt.Printf(\"%T\\n\", T{})",
            "\tfmt.Printf(\"%#v\\n\", T{})",
            "\tb, _ := os.ReadFile(\"/proc/self/cmdline\")\n\t_ = b",
            "\th := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{AddSource: true})\n\t_ = h",
        ] {
            let src =
                format!("package main\n\ntype T struct{{ X int }}\n\nfunc main() {{\n{body}\n}}\n");
            assert!(!can_merge(&src), "{src}");
        }
        for import in [
            "reflect",
            "runtime",
            "runtime/debug",
            "runtime/pprof",
            "encoding/gob",
        ] {
            let src = format!("package main\n\nimport \"{import}\"\n\nfunc main() {{}}\n");
            assert!(!can_merge(&src), "{src}");
        }
        assert!(can_merge(
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Printf(\"%v %d\\n\", 1, 2)\n}\n"
        ));
    }

    #[test]
    fn dispatcher_source() {
        let packed = |key: &str| Entry {
            key: key.into(),
            package: "g5".into(),
            func: format!("S{}_main", &key[1..]),
        };
        let d = dispatcher(
            "snipcheck.local",
            &[
                Entry::alone("s1"),
                packed("s5"),
                packed("s6"),
                Entry::alone("s4"),
            ],
        );
        assert!(d.contains("\ts4 \"snipcheck.local/s4\"\n"));
        assert!(d.contains("\t\"s1\": s1.Main,\n"));
        assert!(d.contains("\t\"s6\": g5.S6_main,\n"));
        assert_eq!(d.matches("\"snipcheck.local/g5\"").count(), 1);
    }

    #[test]
    fn unmerged_traces_read_as_alone() {
        let merged = "panic: boom\n\ngoroutine 1 [running]:\nsnipcheck.local/s3.f(...)\n\tdoc.md:7\nsnipcheck.local/s3.Main()\n\tdoc.md:9 +0x1d\nmain.main()\n\t/tmp/x/cmd/main.go:12 +0x2f\n";
        assert_eq!(
            unmerge(
                merged,
                "snipcheck.local",
                &Entry::alone("s3"),
                "/tmp/x/cmd/main.go"
            ),
            "panic: boom\n\ngoroutine 1 [running]:\nmain.f(...)\n\tdoc.md:7\nmain.main()\n\tdoc.md:9 +0x1d\n"
        );
        let goroutine = "created by snipcheck.local/s3.Main in goroutine 1\n";
        assert_eq!(
            unmerge(
                goroutine,
                "snipcheck.local",
                &Entry::alone("s3"),
                "/tmp/x/cmd/main.go"
            ),
            "created by main.main in goroutine 1\n"
        );
        // A member of a pack: its entry is `main.main`, its package's other names `main.`;
        // another member's entry whose name starts the same is not its own.
        let member = Entry {
            key: "s1".into(),
            package: "g1".into(),
            func: "S1_main".into(),
        };
        let packed = "panic: x\n\ngoroutine 1 [running]:\nsnipcheck.local/g1.S1_main.func1()\n\tdoc.md:3\nsnipcheck.local/g1.(*T).M(...)\n\tdoc.md:2\nsnipcheck.local/g1.S1_main()\n\tdoc.md:4 +0x1d\nmain.main()\n\t/tmp/x/cmd/main.go:12 +0x2f\n";
        assert_eq!(
            unmerge(packed, "snipcheck.local", &member, "/tmp/x/cmd/main.go"),
            "panic: x\n\ngoroutine 1 [running]:\nmain.main.func1()\n\tdoc.md:3\nmain.(*T).M(...)\n\tdoc.md:2\nmain.main()\n\tdoc.md:4 +0x1d\n"
        );
        assert!(!"snipcheck.local/g1.S10_main".contains("snipcheck.local/g1.S1_main"));
    }

    #[test]
    fn a_package_initialised_in_a_trace() {
        let m = "snipcheck.local";
        assert!(shows_init(
            "goroutine 1 [running]:\nsnipcheck.local/g1.init()\n",
            m
        ));
        assert!(shows_init("snipcheck.local/s12.init.func1()\n", m));
        assert!(shows_init("snipcheck.local/s3.init.0()\n", m));
        assert!(!shows_init("snipcheck.local/g1.initialise()\n", m));
        assert!(!shows_init(
            "snipcheck.local/g1.S1_main()\nmain.init()\n",
            m
        ));
        assert!(!shows_init("snipcheck.local/cmd.init()\n", m));
        assert!(!shows_init("panic: boom\n", m));
    }

    #[test]
    fn package_names_in_output() {
        assert!(shows_package("main.T vs s3.T", "s3"));
        assert!(!shows_package("s31.T", "s3"));
        assert!(!shows_package("ok", "s3"));
        assert!(!shows_package("xs3.T", "s3"));
        assert!(shows_package("(s3.T)", "s3"));
    }
}
