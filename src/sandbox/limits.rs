//! What a snippet may use: memory, output, processes, file sizes, the network, the environment
//! and cgo. Set in the `[sandbox]` table of `snipcheck.toml`; `contain` enforces them at run
//! time, and `build_refusal` keeps what the (unsandboxed) build would expose out of it.

use serde::Deserialize;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Variables passed from snipcheck's environment to every snippet; everything else is dropped.
/// HOME and TMPDIR are set to the snippet's own directories.
pub const ENV_ALLOW_LIST: &[&str] = &["PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ"];

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Data (heap) of each snippet process, in bytes (RLIMIT_DATA). Together, a snippet's
    /// processes may use twice this (memory cgroup).
    pub memory: u64,
    /// Bytes kept of each of stdout and stderr; the pipe is closed after that.
    pub output: u64,
    /// Processes and threads a snippet may have at once (pids cgroup, or RLIMIT_NPROC).
    pub processes: u64,
    /// Largest file a snippet may write (RLIMIT_FSIZE), and the size of its own directory.
    pub files: u64,
    /// Whether snippets may reach the network.
    pub network: bool,
    /// Variables passed through besides `ENV_ALLOW_LIST`.
    pub env: Vec<String>,
    /// Whether snippets may use cgo (see `build_refusal`).
    pub cgo: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            memory: 512 * MIB,
            output: MIB,
            processes: 256,
            files: 64 * MIB,
            network: false,
            env: Vec::new(),
            cgo: false,
        }
    }
}

/// The `[sandbox]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    pub memory: Option<String>,
    pub output: Option<String>,
    pub processes: Option<u64>,
    pub files: Option<String>,
    pub network: Option<bool>,
    pub env: Option<Vec<String>>,
    pub cgo: Option<bool>,
}

impl SandboxConfig {
    /// The limits, defaults filled in. An error comes with the key it is about.
    pub fn resolve(&self) -> Result<Limits, (&'static str, String)> {
        let d = Limits::default();
        let size = |key: &'static str, v: &Option<String>, min: u64, default: u64| match v {
            None => Ok(default),
            Some(s) => match parse_size(s) {
                Ok(n) if n >= min => Ok(n),
                Ok(_) => Err((
                    key,
                    format!(
                        "sandbox.{key} = {s:?} is too small; the least is {}",
                        show_size(min)
                    ),
                )),
                Err(e) => Err((key, format!("sandbox.{key}: {e}"))),
            },
        };
        let processes = match self.processes {
            None => d.processes,
            Some(n) if (16..=1_000_000).contains(&n) => n,
            Some(n) => {
                return Err((
                    "processes",
                    format!(
                        "sandbox.processes = {n}: write a number from 16 to 1000000 (a Go program starts several threads)"
                    ),
                ));
            }
        };
        let env = self.env.clone().unwrap_or_default();
        if let Some(bad) = env
            .iter()
            .find(|v| v.is_empty() || v.contains('=') || v.contains('\0'))
        {
            return Err((
                "env",
                format!("sandbox.env: {bad:?} is not a variable name"),
            ));
        }
        Ok(Limits {
            // The Go runtime needs some tens of MiB of data before main runs.
            memory: size("memory", &self.memory, 64 * MIB, d.memory)?,
            output: size("output", &self.output, KIB, d.output)?,
            processes,
            files: size("files", &self.files, MIB, d.files)?,
            network: self.network.unwrap_or(d.network),
            env,
            cgo: self.cgo.unwrap_or(d.cgo),
        })
    }
}

/// Why a snippet with these files must not be built, if it must not. Builds are not sandboxed,
/// and the C compiler and the Go assembler print the lines of a file they cannot parse: a cgo
/// preamble's `#include "/home/you/.ssh/id_ed25519"` (or an assembly file's) would put a file
/// that snippets cannot read at run time into the report, and into the pending records CI may
/// upload. So cgo (and SWIG, which goes through it) is refused unless the project allows it, an
/// assembly file may include only files of the snippet's own (`textflag.h`, `x.h` beside it),
/// and a snippet's go.mod may `replace` a module only with a folder of its own: one elsewhere
/// on this machine would be compiled into the snippet, which could then print its sources.
pub fn build_refusal(files: &[(String, String)], cgo: bool) -> Option<String> {
    for (name, text) in files {
        let go = name.ends_with(".go") && imports_c(text);
        if !cgo && (go || name.ends_with(".swig") || name.ends_with(".swigcxx")) {
            return Some(format!(
                "{name} uses cgo{}, and snipcheck does not sandbox builds: the C compiler would read any file you can read (`#include \"/path\"`) and print it into the report. If the project trusts the C code in its snippets, set `cgo = true` in the [sandbox] table of snipcheck.toml",
                if go { " (import \"C\")" } else { "" }
            ));
        }
        if name == "go.mod" || name.ends_with("/go.mod") {
            for line in text.lines() {
                let Some((_, to)) = line.split_once("=>") else {
                    continue;
                };
                let to = to.split_whitespace().next().unwrap_or("").trim_matches('"');
                let local = to.starts_with('/') || to.starts_with("./") || to.starts_with("..");
                if local && (to.starts_with('/') || to.split('/').any(|c| c == "..")) {
                    return Some(format!(
                        "{name} replaces a module with {to:?}, outside the snippet's own files: that folder's Go code would be compiled into the snippet (builds are not sandboxed). Replace modules only with folders of the snippet's own (\"./lib\")"
                    ));
                }
            }
        }
        if name.ends_with(".s") || name.ends_with(".S") {
            for line in text.lines() {
                let Some(rest) = line.trim_start().strip_prefix('#') else {
                    continue;
                };
                let Some(path) = rest.trim_start().strip_prefix("include") else {
                    continue;
                };
                let path = path.trim().trim_matches(['"', '<', '>']);
                if path.starts_with('/') || path.split('/').any(|c| c == "..") {
                    return Some(format!(
                        "{name} includes {path:?}, outside the snippet's own files, and snipcheck does not sandbox builds: the assembler would print that file's lines into the report. Include only files of the snippet's own, or the toolchain's (\"textflag.h\")"
                    ));
                }
            }
        }
    }
    None
}

/// Whether Go source `code` imports "C": a small scan of its import declarations that skips
/// comments and literals, so a string or comment that mentions `import "C"` does not count.
fn imports_c(code: &str) -> bool {
    let b = code.as_bytes();
    let mut i = 0;
    // After `import`: 0 nothing, 1 a single spec, 2 inside `import ( ... )`.
    let mut state = 0;
    while i < b.len() {
        let c = b[i];
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if c == b'"' || c == b'`' || c == b'\'' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' && c != b'`' {
                    i += 1;
                }
                i += 1;
            }
            if c == b'"' && state != 0 && b.get(start..i) == Some(b"C") {
                return true;
            }
            if state == 1 {
                state = 0;
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if &b[start..i] == b"import" {
                state = 1;
            }
        } else {
            if state == 1 && c == b'(' {
                state = 2;
            } else if state == 2 && c == b')' {
                state = 0;
            }
            i += 1;
        }
    }
    false
}

/// `512MiB`, `1MiB`, `64KiB`, `2GiB`, `4096` (bytes). KB/MB/GB are read as KiB/MiB/GiB.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write it like 512MiB, 1MiB or 64KiB"))?;
    let unit_size = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "KiB" => KIB,
        "M" | "MB" | "MiB" => MIB,
        "G" | "GB" | "GiB" => GIB,
        u => return Err(format!("`{s}`: unknown unit `{u}`; use B, KiB, MiB or GiB")),
    };
    n.checked_mul(unit_size)
        .filter(|&b| b <= 1024 * GIB)
        .ok_or_else(|| format!("`{s}` is larger than 1024GiB"))
}

/// 1048576 -> `1 MiB`.
pub fn show_size(bytes: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB"), Ok(512 * MIB));
        assert_eq!(parse_size("1 MiB"), Ok(MIB));
        assert_eq!(parse_size("64KB"), Ok(64 * KIB));
        assert_eq!(parse_size("2G"), Ok(2 * GIB));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("1TiB").is_err());
        assert!(parse_size("99999999999GiB").is_err());
        assert_eq!(show_size(MIB), "1 MiB");
        assert_eq!(show_size(1500), "1500 bytes");
    }

    #[test]
    fn cgo_is_refused_unless_allowed() {
        let file = |name: &str, text: &str| vec![(name.to_string(), text.to_string())];
        let cgo = "package main\n\n/*\n#include \"/etc/shadow\"\n*/\nimport \"C\"\n";
        let why = build_refusal(&file("main.go", cgo), false).unwrap();
        assert!(why.contains("cgo = true"), "{why}");
        assert_eq!(build_refusal(&file("main.go", cgo), true), None);
        let grouped = "package main\n\nimport (\n\t\"fmt\"\n\t// C below\n\t\"C\"\n)\n";
        assert!(build_refusal(&file("main.go", grouped), false).is_some());
        assert!(build_refusal(&file("x.swig", ""), false).is_some());
        let mentions = "package main\n\n// import \"C\"\nimport \"fmt\"\n\nvar s = `import \"C\"`\nvar t = []string{\n\t\"C\",\n}\n";
        assert_eq!(build_refusal(&file("main.go", mentions), false), None);
    }

    #[test]
    fn assembly_includes_only_its_own_files() {
        let asm = |inc: &str| vec![("f_amd64.s".to_string(), format!("#include {inc}\n"))];
        assert_eq!(build_refusal(&asm("\"textflag.h\""), false), None);
        assert_eq!(build_refusal(&asm("\"inc/x.h\""), false), None);
        assert!(build_refusal(&asm("\"/root/secret\""), true).is_some());
        assert!(build_refusal(&asm("\"../../../etc/passwd\""), true).is_some());
    }

    #[test]
    fn go_mod_replaces_only_with_folders_of_the_snippet() {
        let go_mod = |r: &str| vec![("go.mod".to_string(), format!("module m\n\n{r}\n"))];
        assert_eq!(build_refusal(&go_mod("replace a => ./lib"), false), None);
        assert_eq!(
            build_refusal(&go_mod("replace a => b.example/c v1.0.0"), false),
            None
        );
        assert!(build_refusal(&go_mod("replace a => /home/you/private"), true).is_some());
        assert!(build_refusal(&go_mod("replace (\n\ta v1 => ../../x\n)"), true).is_some());
        assert!(build_refusal(&go_mod("replace a => ./lib/../../../x"), true).is_some());
    }

    #[test]
    fn defaults_and_bad_values() {
        assert_eq!(SandboxConfig::default().resolve(), Ok(Limits::default()));
        let c = SandboxConfig {
            memory: Some("1MiB".into()),
            ..Default::default()
        };
        assert!(c.resolve().unwrap_err().1.contains("sandbox.memory"));
        let c = SandboxConfig {
            processes: Some(2),
            ..Default::default()
        };
        assert!(c.resolve().unwrap_err().1.contains("sandbox.processes"));
        let c = SandboxConfig {
            env: Some(vec!["A=B".into()]),
            ..Default::default()
        };
        assert!(c.resolve().unwrap_err().1.contains("sandbox.env"));
    }
}
