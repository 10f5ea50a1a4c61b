//! Link stamps: a record, beside a link's binaries, of everything the go command would read to
//! build them (the command line and its environment, the toolchain's files, go.mod and go.sum,
//! every source file snipcheck wrote for the link) and of the binaries it wrote. When the next
//! run would give the go command the same inputs and the binaries are the ones it wrote, the
//! go command is not asked again: checking that 19,000 merged packages are up to date took it
//! 15 of a 59-second run at N=20,000 (issue 16), which is what this saves. A batch's stamp
//! also keeps what the go command said (`said`), so a failed compile is read back too.
//!
//! It must never let a stale binary run (a false pass): anything not known exactly refuses the
//! stamp (a `replace` to a local folder, whose files are not ours), and a stamp is written only
//! when the build left go.mod and go.sum as they were. What it trusts, as the go command's own
//! module verification does: the module cache is read-only (its contents are checked against
//! go.sum when downloaded), and the Go distribution is not edited in place without its tools
//! changing (their sizes and times are in the key).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::go::toolchain::Toolchain;
use crate::records::cache::key;

/// The environment variables the go command (and cgo's C compiler) may read, besides those the
/// command sets itself: every `GO*` and `CGO_*`, and these.
const READ_BY_GO: [&str; 9] = [
    "AR",
    "CC",
    "CXX",
    "FC",
    "GCCGO",
    "HOME",
    "PATH",
    "PKG_CONFIG",
    "XDG_CONFIG_HOME",
];

/// The key of one go command over `files` (paths relative to `workspace`, with the contents it
/// will find there), or None when its inputs are not all known here.
pub fn fingerprint<P: AsRef<str>, C: AsRef<str>>(
    cmd: &Command,
    workspace: &Path,
    toolchain: &Toolchain,
    files: &[(P, C)],
) -> Option<String> {
    let go_mod = fs::read_to_string(workspace.join("go.mod")).ok()?;
    if replaces_with_a_folder(&go_mod) || workspace.join("vendor").exists() {
        return None;
    }
    let go_sum = fs::read_to_string(workspace.join("go.sum")).unwrap_or_default();
    let mut env: BTreeMap<String, String> =
        std::env::vars().filter(|(k, _)| read_by_go(k)).collect();
    for (k, v) in cmd.get_envs() {
        let k = k.to_string_lossy().into_owned();
        match v {
            Some(v) => env.insert(k, v.to_string_lossy().into_owned()),
            None => env.remove(&k),
        };
    }
    let goenv = goenv_file(&env).and_then(|p| fs::read_to_string(p).ok());
    let mut parts: Vec<String> = vec![
        "link-stamp 1".into(),
        workspace.display().to_string(),
        cmd.get_current_dir()
            .unwrap_or(workspace)
            .display()
            .to_string(),
        cmd.get_program().to_string_lossy().into_owned(),
        toolchain.version.clone(),
        toolchain.goroot.clone(),
        toolchain_files(toolchain),
        goenv.unwrap_or_default(),
        go_mod,
        go_sum,
    ];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.extend(env.into_iter().map(|(k, v)| format!("{k}={v}")));
    // The sources (megabytes at scale) are hashed where they are, not copied.
    let refs: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .chain(
            files
                .iter()
                .flat_map(|(path, content)| [path.as_ref(), content.as_ref()]),
        )
        .collect();
    Some(key(&refs))
}

/// Whether the stamp at `path` says `fingerprint` and every one of `binaries` is still the file
/// that build wrote (size, modification time, inode).
pub fn holds(path: &Path, fingerprint: &str, binaries: &[PathBuf]) -> bool {
    let Ok(text) = fs::read_to_string(path) else {
        return false;
    };
    text == stamp_text(fingerprint, binaries).unwrap_or_default()
}

/// Records that `binaries` were built from the inputs of `fingerprint`. Best effort: without a
/// stamp the next run asks the go command, as it always did.
pub fn write(path: &Path, fingerprint: &str, binaries: &[PathBuf]) {
    if let Some(text) = stamp_text(fingerprint, binaries) {
        let _ = fs::write(path, text);
    }
}

/// What the go command said (whether it succeeded, and its stderr), kept beside the stamp at
/// `path` by `write_said`: read back when the stamp holds for `fingerprint`, for what was said,
/// and for those of `binaries` that exist (a unit that failed has none). The go command never
/// caches a failed compile; this is what spares the `-e` batch from compiling again.
pub fn said(path: &Path, fingerprint: &str, binaries: &[PathBuf]) -> Option<(bool, String)> {
    let text = fs::read_to_string(path.with_extension("said")).ok()?;
    let (status, stderr) = text.split_once('\n')?;
    let success = match status {
        "ok" => true,
        "failed" => false,
        _ => return None,
    };
    holds(path, &said_key(fingerprint, &text), &present(binaries))
        .then(|| (success, stderr.to_string()))
}

/// `write`, and what the go command said beside it, for `said`. The stamp's key covers what
/// was said, so an answer edited, or left by another build, is not read back.
pub fn write_said(
    path: &Path,
    fingerprint: &str,
    binaries: &[PathBuf],
    success: bool,
    stderr: &str,
) {
    let text = format!("{}\n{stderr}", if success { "ok" } else { "failed" });
    if fs::write(path.with_extension("said"), &text).is_ok() {
        write(path, &said_key(fingerprint, &text), &present(binaries));
    }
}

fn said_key(fingerprint: &str, said: &str) -> String {
    key(&[fingerprint, said])
}

fn present(binaries: &[PathBuf]) -> Vec<PathBuf> {
    binaries.iter().filter(|b| b.is_file()).cloned().collect()
}

/// Removes a stamp before a build that may change its binaries.
pub fn forget(path: &Path) {
    let _ = fs::remove_file(path);
}

fn stamp_text(fingerprint: &str, binaries: &[PathBuf]) -> Option<String> {
    let mut text = format!("fingerprint {fingerprint}\n");
    for b in binaries {
        let m = fs::metadata(b).ok()?;
        text.push_str(&format!(
            "binary {} {} {}.{:09} {}\n",
            b.display(),
            m.len(),
            m.mtime(),
            m.mtime_nsec(),
            m.ino()
        ));
    }
    Some(text)
}

fn read_by_go(name: &str) -> bool {
    name.starts_with("GO") || name.starts_with("CGO_") || READ_BY_GO.contains(&name)
}

/// The go command's own settings file (`go env -w`), which it reads like the environment.
fn goenv_file(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    match env.get("GOENV").map(String::as_str) {
        Some("off") => None,
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            let config = env
                .get("XDG_CONFIG_HOME")
                .filter(|c| !c.is_empty())
                .map(PathBuf::from)
                .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".config")))?;
            Some(config.join("go").join("env"))
        }
    }
}

/// The distribution's version file, and the size, time and inode of the go command and of
/// each compiler, assembler, linker and cgo tool: an upgrade in place changes them.
fn toolchain_files(t: &Toolchain) -> String {
    let root = Path::new(&t.goroot);
    let mut files = vec![
        root.join("VERSION"),
        root.join("bin").join("go"),
        t.go.clone(),
    ];
    if let Ok(dirs) = fs::read_dir(root.join("pkg").join("tool")) {
        let mut dirs: Vec<PathBuf> = dirs.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for d in dirs {
            for tool in ["compile", "link", "asm", "cgo"] {
                files.push(d.join(tool));
            }
        }
    }
    let mut out = fs::read_to_string(root.join("VERSION")).unwrap_or_default();
    for f in files {
        if let Ok(m) = fs::metadata(&f) {
            out.push_str(&format!(
                "\n{} {} {}.{:09} {}",
                f.display(),
                m.len(),
                m.mtime(),
                m.mtime_nsec(),
                m.ino()
            ));
        }
    }
    out
}

/// A `replace` whose target is a folder (`=> ../lib`, `=> /src/lib`): its files can change
/// without anything here knowing.
fn replaces_with_a_folder(go_mod: &str) -> bool {
    go_mod.split("=>").skip(1).any(|after| {
        after
            .split_whitespace()
            .next()
            .is_some_and(|target| target.starts_with('.') || target.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolchain() -> Toolchain {
        Toolchain {
            go: PathBuf::from("go"),
            version: "go1.26.8".into(),
            release: (1, 26),
            goroot: "/nonexistent/goroot".into(),
            gocache: String::new(),
            gomodcache: String::new(),
            cgo_enabled: false,
            cc: String::new(),
            std: Default::default(),
        }
    }

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("go.mod"),
            "module snipcheck.local\n\ngo 1.26\n",
        )
        .unwrap();
        dir
    }

    fn go(dir: &Path) -> Command {
        let mut cmd = Command::new("go");
        cmd.current_dir(dir).env("GOFLAGS", "-mod=mod").args([
            "build",
            "-o",
            "bin/",
            "./cmd/merged0",
        ]);
        cmd
    }

    #[test]
    fn every_input_is_in_the_fingerprint() {
        let ws = workspace();
        let t = toolchain();
        let files = vec![("s0/main.go".to_string(), "package s0\n".to_string())];
        let base = fingerprint(&go(ws.path()), ws.path(), &t, &files).unwrap();
        assert_eq!(
            fingerprint(&go(ws.path()), ws.path(), &t, &files).unwrap(),
            base,
            "the same inputs, the same key"
        );

        let edited = vec![("s0/main.go".to_string(), "package s0 \n".to_string())];
        assert_ne!(
            fingerprint(&go(ws.path()), ws.path(), &t, &edited).unwrap(),
            base,
            "a source file"
        );
        let mut flags = go(ws.path());
        flags.arg("-tags=faketime");
        assert_ne!(
            fingerprint(&flags, ws.path(), &t, &files).unwrap(),
            base,
            "an argument"
        );
        let mut env = go(ws.path());
        env.env("CGO_ENABLED", "0");
        assert_ne!(
            fingerprint(&env, ws.path(), &t, &files).unwrap(),
            base,
            "the command's environment"
        );
        let other = Toolchain {
            version: "go1.26.9".into(),
            ..toolchain()
        };
        assert_ne!(
            fingerprint(&go(ws.path()), ws.path(), &other, &files).unwrap(),
            base,
            "the toolchain"
        );
        fs::write(ws.path().join("go.sum"), "example.com/m v1.0.0 h1:x=\n").unwrap();
        let with_sum = fingerprint(&go(ws.path()), ws.path(), &t, &files).unwrap();
        assert_ne!(with_sum, base, "go.sum");
        fs::write(
            ws.path().join("go.mod"),
            "module snipcheck.local\n\ngo 1.26\n\nrequire example.com/m v1.0.0\n",
        )
        .unwrap();
        assert_ne!(
            fingerprint(&go(ws.path()), ws.path(), &t, &files).unwrap(),
            with_sum,
            "go.mod"
        );
    }

    #[test]
    fn a_folder_replacement_or_a_vendor_folder_refuses_a_stamp() {
        let ws = workspace();
        let t = toolchain();
        for target in ["../lib", "./lib", "/src/lib"] {
            fs::write(
                ws.path().join("go.mod"),
                format!("module snipcheck.local\n\nreplace example.com/lib => {target}\n"),
            )
            .unwrap();
            assert_eq!(
                fingerprint(&go(ws.path()), ws.path(), &t, NO_FILES),
                None,
                "{target}"
            );
        }
        fs::write(
            ws.path().join("go.mod"),
            "module snipcheck.local\n\nreplace example.com/lib => example.com/fork v1.2.0\n",
        )
        .unwrap();
        assert!(fingerprint(&go(ws.path()), ws.path(), &t, NO_FILES).is_some());
        fs::create_dir(ws.path().join("vendor")).unwrap();
        assert_eq!(fingerprint(&go(ws.path()), ws.path(), &t, NO_FILES), None);
    }

    const NO_FILES: &[(&str, &str)] = &[];

    #[test]
    fn what_was_said_is_read_back_only_as_it_was_written() {
        let ws = workspace();
        let (ok, failed) = (ws.path().join("s0"), ws.path().join("s1"));
        fs::write(&ok, "binary").unwrap();
        let stamp = ws.path().join("batch-e.stamp");
        let both = [ok.clone(), failed];
        assert_eq!(said(&stamp, "k", &both), None, "nothing kept");
        write_said(&stamp, "k", &both, false, "# snipcheck.local/s1\nerror\n");
        assert_eq!(
            said(&stamp, "k", &both),
            Some((false, "# snipcheck.local/s1\nerror\n".to_string()))
        );
        assert_eq!(said(&stamp, "other", &both), None);
        let kept = stamp.with_extension("said");
        fs::write(&kept, "failed\n# snipcheck.local/s1\nforged\n").unwrap();
        assert_eq!(said(&stamp, "k", &both), None, "an edited answer");
        write_said(&stamp, "k", &both, true, "");
        fs::remove_file(&ok).unwrap();
        assert_eq!(said(&stamp, "k", &both), None, "a binary that is gone");
    }

    #[test]
    fn a_stamp_holds_only_for_its_fingerprint_and_the_binaries_it_saw() {
        let ws = workspace();
        let bin = ws.path().join("merged0");
        fs::write(&bin, "binary").unwrap();
        let stamp = ws.path().join("merged.stamp");
        assert!(!holds(&stamp, "k", std::slice::from_ref(&bin)), "no stamp");
        write(&stamp, "k", std::slice::from_ref(&bin));
        assert!(holds(&stamp, "k", std::slice::from_ref(&bin)));
        assert!(!holds(&stamp, "other", std::slice::from_ref(&bin)));

        // Rewritten by anything else (another build, a person), the binary is not trusted.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(&bin, "binarz").unwrap();
        assert!(!holds(&stamp, "k", std::slice::from_ref(&bin)));
        write(&stamp, "k", std::slice::from_ref(&bin));
        fs::remove_file(&bin).unwrap();
        assert!(!holds(&stamp, "k", &[bin]), "a binary that is gone");
        forget(&stamp);
        assert!(!stamp.exists());
    }
}
