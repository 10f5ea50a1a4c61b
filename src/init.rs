//! `snipcheck init`: what a repository needs to start: a commented `snipcheck.toml` (never over
//! an existing one), `*.toml.new` in `.gitignore` (pending results are never committed), and
//! with `--workflow` the GitHub Actions workflow that runs the check on every change.

use std::fs;
use std::path::Path;

use crate::error::Error;

const WORKFLOW: &str = include_str!("../ci/github-workflow.yml");
const WORKFLOW_PATH: &str = ".github/workflows/snipcheck.yml";
const IGNORE_LINE: &str = "*.toml.new";

fn config(documents: &str) -> String {
    format!(
        r#"# snipcheck's settings. Command-line flags and SNIPCHECK_* variables override them.
# Unknown keys are errors, so a typo is not silently ignored.

# Markdown files or folders (searched for *.md) whose Go snippets are verified.
documents = ["{documents}"]
# Where the recorded results live (one .toml per snippet); commit this folder.
expected = "expected"
# How long one snippet may run.
timeout = "10s"
# Snippets built and run at once (default: the number of cores).
# jobs = 2
# Run every snippet on the Go Playground's clock (2009-11-10 23:00:00 UTC, sleeps return at
# once), so output with the time in it is the same on every run; `faketime=false` opts one out.
# faketime = true

# What a snippet may use while it runs (these are the defaults).
# [sandbox]
# memory = "512MiB"
# output = "1MiB"
"#
    )
}

/// What `init` did, one line each, for the user to read.
pub fn init(root: &Path, documents: &str, workflow: bool) -> Result<Vec<String>, Error> {
    let mut done = Vec::new();
    let write = |path: &Path, text: &str| {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        fs::write(path, text).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    };
    let cfg = root.join("snipcheck.toml");
    if cfg.exists() {
        done.push("kept snipcheck.toml: it exists already".to_string());
    } else {
        write(&cfg, &config(documents))?;
        done.push(format!(
            "wrote snipcheck.toml (documents = [\"{documents}\"])"
        ));
    }
    let ignore = root.join(".gitignore");
    let text = fs::read_to_string(&ignore).unwrap_or_default();
    if text.lines().any(|l| l.trim() == IGNORE_LINE) {
        done.push(format!("kept .gitignore: it ignores {IGNORE_LINE} already"));
    } else {
        let mut text = text;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("# snipcheck's pending results wait for review; they are never committed.\n");
        text.push_str(IGNORE_LINE);
        text.push('\n');
        write(&ignore, &text)?;
        done.push(format!("added {IGNORE_LINE} to .gitignore"));
    }
    if workflow {
        let path = root.join(WORKFLOW_PATH);
        if path.exists() {
            done.push(format!("kept {WORKFLOW_PATH}: it exists already"));
        } else {
            write(&path, WORKFLOW)?;
            done.push(format!(
                "wrote {WORKFLOW_PATH} (it uses the snipcheck action: replace OWNER in it with the owner of snipcheck's repository)"
            ));
        }
    }
    done.push(format!(
        "next: put Go snippets in {documents}/*.md, run `snipcheck verify --accept`, commit expected/"
    ));
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_and_keeps_what_is_there() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(".gitignore"), "/target").unwrap();
        let done = init(tmp.path(), "docs", true).unwrap();
        assert!(done[0].starts_with("wrote snipcheck.toml"), "{done:?}");
        let gi = fs::read_to_string(tmp.path().join(".gitignore")).unwrap();
        assert!(
            gi.starts_with("/target\n#") && gi.ends_with("*.toml.new\n"),
            "{gi}"
        );
        assert_eq!(
            fs::read_to_string(tmp.path().join(WORKFLOW_PATH)).unwrap(),
            WORKFLOW
        );
        // The config it writes is one snipcheck reads.
        let cfg = tmp.path().join("snipcheck.toml");
        let file = crate::config::load_file(Some(&cfg)).unwrap();
        assert_eq!(file.documents.unwrap(), [std::path::PathBuf::from("docs")]);
        // Its commented settings are ones snipcheck knows, once uncommented.
        let text = fs::read_to_string(&cfg).unwrap();
        let on = text.replace("# faketime = true", "faketime = true");
        assert_ne!(on, text);
        let file = crate::config::parse_file(&cfg, &on).unwrap();
        assert_eq!(file.faketime, Some(true));
        // Again: nothing is written twice.
        let again = init(tmp.path(), "docs", true).unwrap();
        assert!(
            again[..3].iter().all(|l| l.starts_with("kept")),
            "{again:?}"
        );
        let gi2 = fs::read_to_string(tmp.path().join(".gitignore")).unwrap();
        assert_eq!(gi, gi2);
    }
}
