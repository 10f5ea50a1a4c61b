//! The commands testscript blocks run (`dlv`, `ent`, a linter), built outside the sandbox.
//! They come from one of two places: the document set's own go.mod (its `tool` lines, and
//! `tools` in snipcheck.toml), built with the toolchain the snippets run on; or, with
//! `tools_module`, a module of their own, built with the installed go whatever release the
//! snippets run on. The second keeps a tool's requirements out of the snippets' module: a tool
//! that needs a newer Go (Delve 1.26 needs go1.23.1 to build) would otherwise make every older
//! release of the matrix refuse the whole document set.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;
use crate::go::toolchain::Toolchain;

/// A folder with a go.mod that pins the scripts' tools (`tools_module` in snipcheck.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolsModule {
    pub dir: PathBuf,
    pub go_mod: String,
    pub go_sum: String,
}

impl ToolsModule {
    /// Reads `dir`'s go.mod and go.sum; `config` is the file that named it, for the error.
    pub fn load(dir: &Path, config: &str) -> Result<ToolsModule, Error> {
        let go_mod = fs::read_to_string(dir.join("go.mod")).map_err(|e| {
            Error::at(
                config,
                format!(
                    "tools_module = {:?}: cannot read its go.mod ({e}); make it a module that pins the tools (`go mod init` there, then `go get -tool MODULE/cmd/NAME@VERSION`)",
                    dir.display()
                ),
            )
        })?;
        // A module whose tools need nothing outside the standard library has no go.sum.
        let go_sum = fs::read_to_string(dir.join("go.sum")).unwrap_or_default();
        Ok(ToolsModule {
            dir: dir.to_path_buf(),
            go_mod,
            go_sum,
        })
    }

    /// The binaries `build` makes: of its `tool` lines and `extra`.
    pub fn tool_names(&self, extra: &[String]) -> Vec<String> {
        let mut names: Vec<String> = crate::go::build::tool_lines(&self.go_mod)
            .iter()
            .chain(extra)
            .map(|p| crate::go::build::command_name(p).to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// What a cached result depends on: the pinned versions.
    pub fn key(&self) -> String {
        format!("{}\n{}\n{}", self.dir.display(), self.go_mod, self.go_sum)
    }

    /// Builds its `tool` lines and `extra` into `bin` with `installed`, in a copy of the module
    /// at `work` (the user's folder is not written to): its modules are downloaded first (from
    /// the module cache, or once from the proxy), then built without network.
    pub fn build(
        &self,
        installed: &Toolchain,
        extra: &[String],
        work: &Path,
        bin: &Path,
        cgo: bool,
    ) -> Result<(), Error> {
        let at = self.dir.join("go.mod").display().to_string();
        let mut wanted: Vec<String> = crate::go::build::tool_lines(&self.go_mod);
        wanted.extend(extra.iter().cloned());
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        fs::create_dir_all(work)
            .and_then(|()| fs::write(work.join("go.mod"), &self.go_mod))
            .and_then(|()| fs::write(work.join("go.sum"), &self.go_sum))
            .map_err(|e| Error::io(format!("cannot copy {at} to {}", work.display()), e))?;
        let mut cmd = installed.command();
        cmd.current_dir(work)
            .env("GOTMPDIR", work)
            .env("GOFLAGS", "-mod=mod");
        crate::go::build::download_modules(cmd, &at, "the tools' modules")?;
        let mut cmd = installed.command();
        cmd.current_dir(work)
            .env("GOTMPDIR", work)
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off");
        build_commands(cmd, &wanted, bin, cgo).map_err(|why| {
            Error::at(
                &at,
                format!(
                    "cannot build the tools {} for the testscript blocks: {why}; each must be a command (package main) of a module this go.mod requires (`go get -tool MODULE/cmd/NAME@VERSION` in its folder)",
                    wanted.join(", ")
                ),
            )
        })
    }
}

/// `go build -o bin/ wanted...` with `go` (already in its module's folder), without cgo unless
/// `cgo`. The go command relinks a tool only when it is out of date. Err: what went wrong.
pub fn build_commands(
    mut go: Command,
    wanted: &[String],
    bin: &Path,
    cgo: bool,
) -> Result<(), String> {
    if !cgo {
        go.env("CGO_ENABLED", "0");
    }
    let out = go
        .args(["build", "-o"])
        .arg(format!("{}/", bin.display()))
        .args(wanted)
        .output()
        .map_err(|e| format!("cannot run `go build`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_without_go_mod_is_an_error_naming_the_config() {
        let tmp = tempfile::tempdir().unwrap();
        let err = ToolsModule::load(tmp.path(), "snipcheck.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("snipcheck.toml: tools_module"), "{err}");
        assert!(err.contains("go get -tool"), "{err}");
    }

    #[test]
    fn the_key_changes_with_the_pinned_versions() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("go.mod"), "module t\n\ngo 1.24\n").unwrap();
        let a = ToolsModule::load(tmp.path(), "c").unwrap();
        fs::write(tmp.path().join("go.sum"), "x v1.0.0 h1:=\n").unwrap();
        let b = ToolsModule::load(tmp.path(), "c").unwrap();
        assert_ne!(a.key(), b.key());
    }
}
