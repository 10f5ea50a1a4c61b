//! Build units -> binaries. One temporary Go module (per document set `go.mod`) holds every
//! snippet as its own `main` package; a snippet that needs a module of its own (another `go`
//! line, or a multi-file snippet with its own go.mod) gets a nested module. `Workspace::build`
//! takes the whole batch at once, so the way it is built (one `go build` per package today) can
//! change without touching the steps around it.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use tempfile::TempDir;

use crate::error::Error;
use crate::merge;
use crate::snippet::GoVersion;
use crate::toolchain::Toolchain;

/// What to build for one snippet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unit {
    /// Files of the snippet's package, by path relative to its directory (`main.go`,
    /// `main_test.go`, `testdata/in.txt`).
    pub files: Vec<(String, String)>,
    /// `package main`: link a binary to run. A library package is only compiled.
    pub is_main: bool,
    /// `-race`.
    pub race: bool,
    /// Run `go vet` after a successful build.
    pub vet: bool,
    /// A module of its own: this `go` line on the shared requirements ...
    pub go_line: Option<GoVersion>,
    /// ... or this go.mod (a multi-file snippet's own).
    pub go_mod: Option<String>,
    /// Build nothing yet: the snippet is run with `go test` later.
    pub test: bool,
    /// May share one binary with other snippets (see `merge`).
    pub mergeable: bool,
}

/// What building one unit gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    /// A `main` package, linked; run it.
    Binary(PathBuf),
    /// A package of the merged binary: run `binary name ARGS...`.
    Merged { binary: PathBuf, name: String },
    /// It compiled, and there is nothing to run (a library package, or `norun`).
    Library,
    /// It compiled and `go vet` ran: its findings (empty when clean).
    Vetted(String),
    /// A test snippet, for `go test TARGET` in DIR.
    TestPackage { dir: PathBuf, target: String },
    /// It did not compile; the go command's output.
    Failed { diagnostics: String },
}

/// The document set's module: the `go.mod` (and `go.sum`) nearest above the documents, whose
/// requirements pin the third-party modules snippets may import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaseModule {
    pub path: PathBuf,
    pub go_mod: String,
    pub go_sum: String,
}

impl BaseModule {
    /// The nearest `go.mod` in `doc`'s folder or above it, up to (and including) `root`.
    pub fn find(doc: &Path, root: &Path) -> Result<Option<BaseModule>, Error> {
        let mut dir = doc.parent();
        while let Some(d) = dir {
            let candidate = if d.as_os_str().is_empty() {
                PathBuf::from("go.mod")
            } else {
                d.join("go.mod")
            };
            if candidate.is_file() {
                let go_mod = fs::read_to_string(&candidate)
                    .map_err(|e| Error::io(format!("cannot read {}", candidate.display()), e))?;
                let go_sum =
                    fs::read_to_string(candidate.with_file_name("go.sum")).unwrap_or_default();
                return Ok(Some(BaseModule {
                    path: candidate,
                    go_mod,
                    go_sum,
                }));
            }
            if d == root || d.as_os_str().is_empty() {
                break;
            }
            dir = d.parent();
        }
        Ok(None)
    }
}

/// `go.mod` text with its `module` line (and optionally its `go` line) replaced.
fn rewrite_go_mod(text: &str, go: Option<&str>) -> String {
    static MODULE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^module[ \t]+\S+[ \t]*$").unwrap());
    static GO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^go[ \t]+\S+[ \t]*$").unwrap());
    static TOOLCHAIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^toolchain[ \t]+\S+[ \t]*\n?").unwrap());
    let mut out = if MODULE.is_match(text) {
        MODULE.replace(text, "module snipcheck.local").into_owned()
    } else {
        format!("module snipcheck.local\n{text}")
    };
    if let Some(go) = go {
        out = TOOLCHAIN.replace(&out, "").into_owned();
        out = if GO.is_match(&out) {
            GO.replace(&out, format!("go {go}").as_str()).into_owned()
        } else {
            format!("{out}\ngo {go}\n")
        };
    }
    out
}

/// The temporary module. It is removed when dropped.
pub struct Workspace {
    dir: TempDir,
    toolchain: Toolchain,
    base: Option<BaseModule>,
    /// Link mergeable snippets into one binary (off: every snippet is built alone).
    pub merging: bool,
}

impl Workspace {
    pub fn new(toolchain: &Toolchain, base: Option<&BaseModule>) -> Result<Workspace, Error> {
        let dir = tempfile::Builder::new()
            .prefix("snipcheck-")
            .tempdir()
            .map_err(|e| Error::io("cannot create a temporary directory", e))?;
        let go_mod = match base {
            Some(b) => rewrite_go_mod(&b.go_mod, None),
            None => format!("module snipcheck.local\n\ngo {}\n", toolchain.go_line()),
        };
        let write = |name: &str, text: &str| {
            fs::write(dir.path().join(name), text)
                .map_err(|e| Error::io(format!("cannot write the temporary {name}"), e))
        };
        write("go.mod", &go_mod)?;
        if let Some(b) = base {
            write("go.sum", &b.go_sum)?;
        }
        fs::create_dir(dir.path().join("bin"))
            .map_err(|e| Error::io("cannot create the temporary bin directory", e))?;
        let ws = Workspace {
            dir,
            toolchain: toolchain.clone(),
            base: base.cloned(),
            merging: true,
        };
        if base.is_some() {
            ws.download()?;
        }
        Ok(ws)
    }

    /// Fetches the pinned modules once (from the module cache, or the proxy when it is cold), so
    /// that every build after it runs without network.
    fn download(&self) -> Result<(), Error> {
        let base = self.base.as_ref().expect("download is for a base module");
        let out = self
            .toolchain
            .command()
            .current_dir(self.dir.path())
            .env("GOTMPDIR", self.dir.path())
            .args(["mod", "download"])
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go mod download`: {e}")))?;
        if !out.status.success() {
            return Err(Error::at(
                base.path.display().to_string(),
                format!(
                    "cannot download the modules it requires: {}; check its require lines and go.sum (`go mod tidy` in its folder)",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A fresh directory for a snippet to run in, inside the workspace.
    pub fn run_dir(&self, index: usize) -> Result<PathBuf, Error> {
        let dir = self.dir.path().join("run").join(format!("s{index}"));
        fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        Ok(dir)
    }

    /// A `go` command for builds in this workspace: no network (the modules were downloaded
    /// when the workspace was made), requirements completed from the module cache.
    pub fn go(&self, dir: &Path) -> Command {
        let mut cmd = self.toolchain.command();
        // The go command's own temporary files live in the workspace, so they go with it.
        cmd.current_dir(dir)
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTMPDIR", self.dir.path());
        cmd
    }

    /// Links the mergeable units into one binary (`merge`) and says which were. The rest (and a
    /// snippet that broke the merged build) are for `build_alone`, which the workers call just
    /// before running each, so those builds overlap the runs of the merged snippets.
    pub fn build_merged_units(
        &self,
        units: &[(usize, &Unit)],
    ) -> Result<HashMap<usize, Built>, Error> {
        let candidates: Vec<(usize, &Unit)> = units
            .iter()
            .filter(|(_, u)| u.mergeable && self.merging)
            .copied()
            .collect();
        self.build_merged(&candidates)
    }

    /// Links the candidates into `bin/merged`. A package that fails to compile is dropped and
    /// the rest tried again; what is returned built merged, the others are left to be built
    /// alone (which also gives them their own, unmerged diagnostics).
    fn build_merged(&self, candidates: &[(usize, &Unit)]) -> Result<HashMap<usize, Built>, Error> {
        static FAILED_PACKAGE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?m)^# snipcheck\.local/s(\d+)\b").unwrap());
        let mut members: Vec<(usize, &Unit)> = candidates.to_vec();
        // Merging pays off from a handful of snippets on; and a few rounds of dropping broken
        // packages is enough, since each round drops every package the compiler named.
        for _round in 0..4 {
            if members.len() < 2 {
                break;
            }
            let names: Vec<String> = members.iter().map(|(i, _)| format!("s{i}")).collect();
            for ((_, unit), name) in members.iter().zip(&names) {
                let dir = self.dir.path().join(name);
                fs::create_dir_all(&dir)
                    .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
                let (_, source) = &unit.files[0];
                fs::write(dir.join("main.go"), merge::as_package(source, name))
                    .map_err(|e| Error::io(format!("cannot write {}", dir.display()), e))?;
            }
            let cmd_dir = self.dir.path().join("cmd");
            fs::create_dir_all(&cmd_dir)
                .map_err(|e| Error::io("cannot create the dispatcher's directory", e))?;
            fs::write(
                cmd_dir.join("main.go"),
                merge::dispatcher("snipcheck.local", &names),
            )
            .map_err(|e| Error::io("cannot write the dispatcher", e))?;
            let binary = self.dir.path().join("bin").join("merged");
            let out = self
                .go(self.dir.path())
                .args(["build", "-o"])
                .arg(&binary)
                .arg("./cmd")
                .output()
                .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
            if out.status.success() {
                return Ok(members
                    .iter()
                    .zip(names)
                    .map(|((i, _), name)| {
                        (
                            *i,
                            Built::Merged {
                                binary: binary.clone(),
                                name,
                            },
                        )
                    })
                    .collect());
            }
            let text = String::from_utf8_lossy(&out.stderr);
            let broken: HashSet<usize> = FAILED_PACKAGE
                .captures_iter(&text)
                .filter_map(|c| c[1].parse().ok())
                .collect();
            if broken.is_empty() {
                break;
            }
            members.retain(|(i, _)| !broken.contains(i));
        }
        Ok(HashMap::new())
    }

    /// The file the dispatcher is compiled from, as it appears in stack traces.
    pub fn dispatcher_file(&self) -> String {
        self.dir
            .path()
            .join("cmd")
            .join("main.go")
            .display()
            .to_string()
    }

    /// Builds one unit on its own.
    pub fn build_alone(&self, index: usize, unit: &Unit) -> Result<Built, Error> {
        // A unit with a module of its own lives in `m{index}`, a nested module the shared one
        // does not see; the others are packages `s{index}` of the shared module.
        let own_module = unit.go_line.is_some() || unit.go_mod.is_some();
        let (module_dir, pkg_dir, target) = if own_module {
            let m = self.dir.path().join(format!("m{index}"));
            (m.clone(), m, ".".to_string())
        } else {
            let pkg = format!("s{index}");
            (
                self.dir.path().to_path_buf(),
                self.dir.path().join(&pkg),
                format!("./{pkg}"),
            )
        };
        for (name, text) in &unit.files {
            let path = pkg_dir.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
            }
            fs::write(&path, text)
                .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        }
        if own_module {
            let go_mod = match (&unit.go_mod, &self.base) {
                (Some(own), _) => own.clone(),
                (None, Some(b)) => {
                    rewrite_go_mod(&b.go_mod, unit.go_line.map(|v| v.to_string()).as_deref())
                }
                (None, None) => format!(
                    "module snipcheck.local\n\ngo {}\n",
                    unit.go_line
                        .map_or(self.toolchain.go_line(), |v| v.to_string())
                ),
            };
            let write = |name: &str, text: &str| {
                fs::write(module_dir.join(name), text)
                    .map_err(|e| Error::io(format!("cannot write {name}"), e))
            };
            if unit.go_mod.is_none() || !unit.files.iter().any(|(n, _)| n == "go.mod") {
                write("go.mod", &go_mod)?;
            }
            if let Some(b) = &self.base {
                if !unit.files.iter().any(|(n, _)| n == "go.sum") {
                    write("go.sum", &b.go_sum)?;
                }
            }
        }
        if unit.test {
            // `go test` builds and runs in one step; compile errors show there.
            return Ok(Built::TestPackage {
                dir: module_dir,
                target,
            });
        }

        let binary = self.dir.path().join("bin").join(format!("s{index}"));
        let mut cmd = self.go(&module_dir);
        cmd.arg("build");
        if unit.race {
            cmd.arg("-race");
        }
        if unit.is_main {
            cmd.arg("-o").arg(&binary);
        }
        let out = cmd
            .arg(&target)
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
        if !out.status.success() {
            let mut diagnostics = String::from_utf8_lossy(&out.stderr).into_owned();
            diagnostics.push_str(&String::from_utf8_lossy(&out.stdout));
            // The go command names the position of an import it cannot resolve relative to the
            // package directory (`s3/doc.md:25:8`); the compiler uses the `//line` path as is.
            let prefix = Regex::new(&format!(r"(?m)(^|\s)(?:\./)?[sm]{index}/")).unwrap();
            let diagnostics = prefix.replace_all(&diagnostics, "$1").into_owned();
            return Ok(Built::Failed { diagnostics });
        }
        if unit.vet {
            let out = self
                .go(&module_dir)
                .args(["vet", &target])
                .output()
                .map_err(|e| Error::Toolchain(format!("cannot run `go vet`: {e}")))?;
            let mut findings = String::from_utf8_lossy(&out.stderr).into_owned();
            findings.push_str(&String::from_utf8_lossy(&out.stdout));
            return Ok(Built::Vetted(findings));
        }
        Ok(if unit.is_main {
            Built::Binary(binary)
        } else {
            Built::Library
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_rewrites() {
        let m = "module example.com/docs\n\ngo 1.22\n\ntoolchain go1.23.1\n\nrequire golang.org/x/sync v0.8.0\n";
        assert_eq!(
            rewrite_go_mod(m, None),
            "module snipcheck.local\n\ngo 1.22\n\ntoolchain go1.23.1\n\nrequire golang.org/x/sync v0.8.0\n"
        );
        assert_eq!(
            rewrite_go_mod(m, Some("1.21")),
            "module snipcheck.local\n\ngo 1.21\n\n\nrequire golang.org/x/sync v0.8.0\n"
        );
        assert_eq!(
            rewrite_go_mod("require x v1\n", Some("1.21")),
            "module snipcheck.local\nrequire x v1\n\ngo 1.21\n"
        );
    }
}
