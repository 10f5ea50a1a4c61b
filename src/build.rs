//! Programs -> binaries. One temporary Go module holds every snippet as its own `main` package;
//! `Builder::build` takes the whole batch at once, so the way it is built (one `go build` per
//! package today) can change without touching the steps around it.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::TempDir;

use crate::error::Error;
use crate::toolchain::Toolchain;
use crate::wrap::Program;

/// What building one program gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    /// A `main` package, linked; run it.
    Binary(PathBuf),
    /// A library package: it compiled, and there is nothing to run.
    Library,
    /// It did not compile; the go command's output.
    Failed { diagnostics: String },
}

/// The temporary module. It is removed when dropped.
pub struct Workspace {
    dir: TempDir,
    toolchain: Toolchain,
}

impl Workspace {
    pub fn new(toolchain: &Toolchain) -> Result<Workspace, Error> {
        let dir = tempfile::Builder::new()
            .prefix("snipcheck-")
            .tempdir()
            .map_err(|e| Error::io("cannot create a temporary directory", e))?;
        let go_mod = format!("module snipcheck.local\n\ngo {}\n", toolchain.go_line());
        fs::write(dir.path().join("go.mod"), go_mod)
            .map_err(|e| Error::io("cannot write the temporary go.mod", e))?;
        fs::create_dir(dir.path().join("bin"))
            .map_err(|e| Error::io("cannot create the temporary bin directory", e))?;
        Ok(Workspace {
            dir,
            toolchain: toolchain.clone(),
        })
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

    /// Builds every program, in parallel on the current rayon pool. Results are in input order.
    pub fn build(&self, programs: &[&Program]) -> Result<Vec<Built>, Error> {
        programs
            .par_iter()
            .enumerate()
            .map(|(i, p)| self.build_one(i, p))
            .collect()
    }

    fn build_one(&self, index: usize, program: &Program) -> Result<Built, Error> {
        let pkg = format!("s{index}");
        let pkg_dir = self.dir.path().join(&pkg);
        fs::create_dir_all(&pkg_dir)
            .map_err(|e| Error::io(format!("cannot create {}", pkg_dir.display()), e))?;
        fs::write(pkg_dir.join("main.go"), &program.source)
            .map_err(|e| Error::io(format!("cannot write {}", pkg_dir.display()), e))?;

        let binary = self.dir.path().join("bin").join(&pkg);
        let mut cmd = self.toolchain.command();
        // The go command's own temporary files live in the workspace, so they go with it.
        cmd.current_dir(self.dir.path())
            .env("GOTMPDIR", self.dir.path())
            .arg("build");
        if program.is_main {
            cmd.arg("-o").arg(&binary);
        }
        let out = cmd
            .arg(format!("./{pkg}"))
            .output()
            .map_err(|e| Error::Toolchain(format!("cannot run `go build`: {e}")))?;
        if out.status.success() {
            return Ok(if program.is_main {
                Built::Binary(binary)
            } else {
                Built::Library
            });
        }
        let mut diagnostics = String::from_utf8_lossy(&out.stderr).into_owned();
        diagnostics.push_str(&String::from_utf8_lossy(&out.stdout));
        Ok(Built::Failed { diagnostics })
    }
}
