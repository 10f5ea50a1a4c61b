//! The GitHub Action (ci/action): its script, run.sh, as the action's steps run it, with the
//! environment GitHub sets, on a content repository made in a temporary directory (the test's
//! snipcheck, the real Go): annotations, the job summary, the step outputs, the JUnit report and
//! the staged pending results; the pending results' round trip through an artifact into a fresh
//! clone and `snipcheck review`; which snipcheck the action builds and when it builds it; and
//! that action.yml reads only outputs the script writes.
//!
//! Not run here: GitHub itself (setup-go, actions/cache, actions/upload-artifact). The artifact
//! is simulated by the rule upload-artifact documents for the paths it is given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::{Run, files, repo, snipcheck, write};

use super::support::GUIDE as DOC;

/// A maintainer's change: the slices snippet and its claim change (a stale record), and a new
/// item is added (no record).
fn changed_doc() -> String {
    DOC.replace("s := []int{1, 2, 3}", "s := []int{1, 2, 3, 4}")
        .replace("// Output: 3", "// Output: 4")
        + "\n## Strings\n\n```go\nfmt.Println(strings.ToUpper(\"go\"))\n// Output: GO\n```\n"
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A content repository (a git repository) whose records hold and are committed.
fn content_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("snipcheck.toml"), "documents = [\"docs\"]\n");
    write(&d.join(".gitignore"), "*.toml.new\n");
    write(&d.join("docs/guide.md"), DOC);
    let accept = snipcheck(d, &["verify", "--accept"], &[]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "docs and records"]);
    dir
}

/// What GitHub gives one job: its files (outputs, summary, temporary folder, event) in `gh`.
struct Job {
    gh: tempfile::TempDir,
}

impl Job {
    fn new() -> Job {
        let gh = tempfile::tempdir().unwrap();
        write(
            &gh.path().join("event.json"),
            r#"{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"ref":"fix-docs"},"base":{"ref":"main"}}}"#,
        );
        std::fs::create_dir_all(gh.path().join("runner-temp")).unwrap();
        Job { gh }
    }

    fn runner_temp(&self) -> PathBuf {
        self.gh.path().join("runner-temp")
    }

    /// The `name=value` lines the steps wrote to $GITHUB_OUTPUT.
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.gh.path().join("output"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.gh.path().join("summary.md")).unwrap_or_default()
    }

    /// `run.sh STEP` as the action's step runs it: GitHub's variables set, the step's inputs
    /// as INPUT_*, started in a directory that is not the workspace (the script goes there).
    fn step(&self, workspace: &Path, step: &str, env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("ci/action/run.sh"))
            .arg(step)
            .current_dir(self.gh.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("GITHUB_")
                || k.starts_with("RUNNER_")
                || k.starts_with("SNIPCHECK_")
                || k.starts_with("INPUT_")
                || k == "CI"
            {
                cmd.env_remove(k);
            }
        }
        let gh = self.gh.path();
        cmd.env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_OUTPUT", gh.join("output"))
            .env("GITHUB_STEP_SUMMARY", gh.join("summary.md"))
            .env("GITHUB_EVENT_PATH", gh.join("event.json"))
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_HEAD_REF", "fix-docs")
            .env("GITHUB_REF_NAME", "7/merge")
            .env("GITHUB_REPOSITORY", "owner/content")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_JOB", "verify")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_TEMP", self.runner_temp())
            .env("SNIPCHECK_NO_CACHE", "true");
        // The workspace's stable place goes with this run (see `support::snipcheck`).
        let tmp = tempfile::tempdir().unwrap();
        cmd.env("TMPDIR", tmp.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run::from(out)
    }

    /// The verify step, with the test's build of snipcheck.
    fn verify(&self, workspace: &Path, partition: &str) -> Run {
        self.step(
            workspace,
            "verify",
            &[
                ("SNIPCHECK_BIN", env!("CARGO_BIN_EXE_snipcheck")),
                ("INPUT_DOCUMENTS", ""),
                ("INPUT_PARTITION", partition),
            ],
        )
    }
}

/// The artifact suffix run.sh gives a job: job, Go version and partition (`all` when there is
/// none), made safe for a name.
fn suffix(partition: &str) -> String {
    let partition = if partition.is_empty() {
        "all"
    } else {
        partition
    };
    format!("verify-{}-{partition}", super::support::go_version())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What actions/upload-artifact stores for `path` (its documented rule): each search path's
/// root is the path itself, or the part before the first wildcard; with several search paths,
/// their least common ancestor. Files are stored relative to that root. Returns (name in the
/// artifact, file on disk).
fn upload_artifact(cwd: &Path, path: &str) -> Vec<(String, PathBuf)> {
    let mut roots = Vec::new();
    let mut found = Vec::new();
    for search in path.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = search.split('/').collect();
        let glob = parts.iter().position(|p| p.contains('*'));
        let root: PathBuf = cwd.join(parts[..glob.unwrap_or(parts.len())].join("/"));
        let pattern = glob.map(|g| parts[g..].join("/"));
        for f in files(&root) {
            // `**/*.toml.new` and the like: what matters here is the file name's ending.
            let matches = pattern.as_ref().is_none_or(|p| {
                let tail = p.rsplit('/').next().unwrap().trim_start_matches('*');
                f.ends_with(tail)
            });
            if matches {
                found.push(root.join(&f));
            }
        }
        roots.push(root);
    }
    let mut lca = roots[0].clone();
    for r in &roots[1..] {
        while !r.starts_with(&lca) {
            lca.pop();
        }
    }
    let mut out: Vec<(String, PathBuf)> = found
        .into_iter()
        .map(|f| (f.strip_prefix(&lca).unwrap().display().to_string(), f))
        .collect();
    out.sort();
    out
}

/// `gh run download --name ARTIFACT --dir .`: the artifact's files, at their names, under `dir`.
fn download(artifact: &[(String, PathBuf)], dir: &Path) {
    for (name, file) in artifact {
        let to = dir.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(file, to).unwrap();
    }
}

fn annotations(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("::")).collect()
}

#[test]
fn the_verify_step_annotates_summarizes_reports_and_stages_the_pending_results() {
    let content = content_repository();
    let d = content.path();
    write(&d.join("docs/guide.md"), &changed_doc());
    let job = Job::new();
    let run = job.verify(d, "");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    // Annotations at the Markdown lines: the stale record at the slices fence, the new item at
    // its fence.
    let notes = annotations(&run.stdout);
    assert!(
        notes[0].starts_with(
            "::error file=docs/guide.md,line=5,title=snipcheck%3A slices Slices::the outcome differs from the recorded result expected/docs/guide/slices.toml%0A"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        notes[1],
        "::error file=docs/guide.md,line=21,title=snipcheck%3A strings Strings::no recorded result (expected/docs/guide/strings.toml is missing)"
    );
    assert_eq!(
        changed_doc().lines().nth(20),
        Some("```go"),
        "line 21 is the new item's fence"
    );
    assert!(
        run.stdout.ends_with("1 passed, 2 failed\n"),
        "{}",
        run.stdout
    );

    // The step's outputs.
    let s = suffix("");
    let work = job.runner_temp().join(format!("snipcheck-{s}"));
    let outputs = job.outputs();
    let expected: BTreeMap<String, String> = [
        ("exit-code", "1".to_string()),
        ("passed", "1".to_string()),
        ("failed", "2".to_string()),
        ("junit", work.join("junit.xml").display().to_string()),
        ("junit-artifact", format!("snipcheck-junit-{s}")),
        ("pending-count", "2".to_string()),
        ("pending-dir", work.join("pending").display().to_string()),
        ("pending-artifact", format!("snipcheck-pending-{s}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(outputs, expected);

    // The JUnit report, read as a consumer reads it.
    let junit = std::fs::read_to_string(work.join("junit.xml")).unwrap();
    let junit = quick_junit::Report::deserialize_from_str(&junit).unwrap();
    assert_eq!((junit.tests, junit.failures), (3, 2));

    // The pending results, staged at their paths in the repository; nothing was recorded.
    assert_eq!(
        files(&work.join("pending")),
        [
            "expected/docs/guide/slices.toml.new",
            "expected/docs/guide/strings.toml.new"
        ]
    );
    assert_eq!(
        std::fs::read(work.join("pending/expected/docs/guide/slices.toml.new")).unwrap(),
        std::fs::read(d.join("expected/docs/guide/slices.toml.new")).unwrap()
    );
    assert_eq!(
        files(&d.join("expected")),
        [
            "docs/guide/maps.toml",
            "docs/guide/slices.toml",
            "docs/guide/slices.toml.new",
            "docs/guide/strings.toml.new"
        ]
    );

    // The summary: snipcheck's table, then how to take the pending results.
    let summary = job.summary();
    assert!(
        summary.starts_with("### ❌ snipcheck: 1 passed, 2 failed"),
        "{summary}"
    );
    assert!(
        summary.contains("| strings Strings | `docs/guide.md:21` |"),
        "{summary}"
    );
    let steps = format!(
        "2 pending result(s) of this job are in the artifact `snipcheck-pending-{s}`, at their paths in the repository (expected/...). To review them, in a clone of the repository on `fix-docs`, from its root:\n\n```sh\ngh run download 4242 --repo owner/content --name snipcheck-pending-{s} --dir .\nsnipcheck review\ngit add expected && git commit -m \"snipcheck: record the reviewed results\"\n```\n"
    );
    assert!(summary.contains(&steps), "{summary}");
}

#[test]
fn a_passing_run_stages_nothing_and_a_harness_error_exits_2() {
    let content = content_repository();
    let d = content.path();
    let job = Job::new();
    let run = job.verify(d, "hash:1/2");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(annotations(&run.stdout).is_empty(), "{}", run.stdout);
    let outputs = job.outputs();
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["pending-count"], "0");
    assert_eq!(outputs["failed"], "0");
    assert!(
        outputs["pending-artifact"].ends_with("-hash-1-2"),
        "{outputs:?}"
    );
    assert!(files(Path::new(&outputs["pending-dir"])).is_empty());
    let summary = job.summary();
    assert!(summary.starts_with("### ✅ snipcheck:"), "{summary}");
    assert!(!summary.contains("Pending results"), "{summary}");

    // An unknown document: snipcheck cannot run; the step says so with exit status 2.
    let job = Job::new();
    let run = job.step(
        d,
        "verify",
        &[
            ("SNIPCHECK_BIN", env!("CARGO_BIN_EXE_snipcheck")),
            ("INPUT_DOCUMENTS", "docs/missing.md"),
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let outputs = job.outputs();
    assert_eq!(outputs["exit-code"], "2");
    assert_eq!(outputs["junit"], "");
    assert_eq!(outputs["pending-count"], "0");

    // No binary at all: a clear error, not a run.
    let run = Job::new().step(d, "verify", &[("SNIPCHECK_ROOT", "/nonexistent")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no snipcheck binary"), "{}", run.stderr);
}

#[test]
fn pending_results_round_trip_from_the_matrix_artifacts_through_review_into_a_fresh_clone() {
    let content = content_repository();
    let d = content.path();
    write(&d.join("docs/guide.md"), &changed_doc());
    git(d, &["commit", "-q", "-am", "a changed and a new item"]);

    // Two jobs of the matrix, one per partition, each in a checkout of its own with its own
    // artifact.
    let mut artifacts = Vec::new();
    let mut globbed = Vec::new();
    let mut jobs = Vec::new();
    for partition in ["hash:1/2", "hash:2/2"] {
        let checkout = tempfile::tempdir().unwrap();
        git(
            checkout.path(),
            &["clone", "-q", d.to_str().unwrap(), "content"],
        );
        let ws = checkout.path().join("content");
        let job = Job::new();
        let run = job.verify(&ws, partition);
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        let outputs = job.outputs();
        // The upload step's `path:` is the pending-dir output (see action.yml).
        artifacts.push(upload_artifact(&ws, &outputs["pending-dir"]));
        // What the old workflow uploaded (`path: expected/**/*.toml.new`).
        globbed.extend(upload_artifact(&ws, "expected/**/*.toml.new"));
        // Kept until the artifacts are "downloaded".
        jobs.push((job, checkout));
    }
    let mut names: Vec<&str> = artifacts
        .iter()
        .flatten()
        .map(|(n, _)| n.as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "expected/docs/guide/slices.toml.new",
            "expected/docs/guide/strings.toml.new"
        ],
        "the artifacts keep the records' paths, and each result is in one partition"
    );
    // The glob loses the prefix: downloaded into the repository's root, those files would land
    // where review does not look.
    let mut names: Vec<&str> = globbed.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["docs/guide/slices.toml.new", "docs/guide/strings.toml.new"]
    );

    // A maintainer's fresh clone of the branch: download each artifact into its root, review.
    let clones = tempfile::tempdir().unwrap();
    git(
        clones.path(),
        &["clone", "-q", d.to_str().unwrap(), "content"],
    );
    let clone = clones.path().join("content");
    for artifact in &artifacts {
        download(artifact, &clone);
    }
    let pending = snipcheck(&clone, &["pending"], &[]);
    assert!(
        pending.stdout.contains("changed") && pending.stdout.contains("new"),
        "{}",
        pending.stdout
    );
    let review = snipcheck(&clone, &["review", "--accept-all"], &[]);
    assert_eq!(review.code, 0, "{}{}", review.stdout, review.stderr);
    assert_eq!(
        files(&clone.join("expected")),
        [
            "docs/guide/maps.toml",
            "docs/guide/slices.toml",
            "docs/guide/strings.toml"
        ]
    );
    // The records are what CI produced, and CI's check now passes on them.
    let (_, from_ci) = artifacts
        .iter()
        .flatten()
        .find(|(n, _)| n.ends_with("strings.toml.new"))
        .unwrap();
    assert_eq!(
        std::fs::read(clone.join("expected/docs/guide/strings.toml")).unwrap(),
        std::fs::read(from_ci).unwrap()
    );
    let job = Job::new();
    let run = job.verify(&clone, "");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(job.outputs()["passed"], "3");
    let check = snipcheck(&clone, &["verify", "--locked"], &[("CI", "true")]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// A stand-in for cargo that notes its arguments and "installs" a snipcheck into --root.
fn fake_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    write(
        &bin.join("cargo"),
        r#"#!/usr/bin/env bash
echo "$*" >> "$FAKE_CARGO_LOG"
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then mkdir -p "$2/bin"; printf '#!/bin/sh\n' > "$2/bin/snipcheck"; chmod +x "$2/bin/snipcheck"; fi
  shift
done
"#,
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn the_action_builds_its_own_checkout_once_per_version_or_the_version_asked_for() {
    let content = content_repository();
    let d = content.path();
    let tools = tempfile::tempdir().unwrap();
    let bin = fake_cargo(tools.path());
    let log = tools.path().join("cargo.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let cache = tools.path().join("toolcache");

    // Which snipcheck: the action's own, named by its version and a hash of its source.
    let job = Job::new();
    let key_env = [
        ("PATH", path.as_str()),
        ("RUNNER_TOOL_CACHE", cache.to_str().unwrap()),
    ];
    let run = job.step(d, "key", &key_env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outputs = job.outputs();
    let version = &outputs["version"];
    assert!(
        version.starts_with(&format!("{}-", env!("CARGO_PKG_VERSION"))),
        "{outputs:?}"
    );
    assert_eq!(
        outputs["root"],
        cache.join("snipcheck").join(version).display().to_string()
    );
    assert!(
        outputs["key"].starts_with("snipcheck-Linux-") && outputs["key"].ends_with(version),
        "{outputs:?}"
    );
    assert_eq!(outputs["go-version"], super::support::go_version());
    // The same source, the same key (so the cache hits).
    let again = Job::new();
    again.step(d, "key", &key_env);
    assert_eq!(again.outputs()["key"], outputs["key"]);

    // A cache miss builds from the action's own checkout; with the build there, nothing runs.
    let root = outputs["root"].clone();
    let install = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("PATH", path.as_str()),
            ("SNIPCHECK_ROOT", root.as_str()),
            ("FAKE_CARGO_LOG", log.to_str().unwrap()),
        ];
        env.extend_from_slice(extra);
        Job::new().step(d, "install", &env)
    };
    let run = install(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = install(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("installed already"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "install --locked --root {root} --path {} snipcheck\n",
            repo().display()
        )
    );

    // Another version: a tag or a commit of snipcheck's repository, with cargo install --git.
    let job = Job::new();
    job.step(d, "key", &[("INPUT_VERSION", "v1.2.3"), key_env[1]]);
    assert_eq!(job.outputs()["version"], "v1.2.3");
    std::fs::remove_file(&log).unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    let url = ("SNIPCHECK_GIT_URL", "https://example.com/owner/snipcheck");
    let run = install(&[("INPUT_VERSION", "v1.2.3"), url]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    std::fs::remove_dir_all(&root).unwrap();
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let run = install(&[("INPUT_VERSION", commit), url]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "install --locked --root {root} --git https://example.com/owner/snipcheck --tag v1.2.3 snipcheck\n\
             install --locked --root {root} --git https://example.com/owner/snipcheck --rev {commit} snipcheck\n"
        )
    );
    // Without a repository to take it from, it says what to set.
    std::fs::remove_dir_all(&root).unwrap();
    let run = install(&[("INPUT_VERSION", "v1.2.3")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("SNIPCHECK_GIT_URL"), "{}", run.stderr);
}

#[test]
fn action_yml_reads_only_outputs_the_script_writes_and_uploads_the_staged_folder() {
    let action = std::fs::read_to_string(repo().join("ci/action/action.yml")).unwrap();
    let written = |step: &str| -> Vec<String> {
        let script = std::fs::read_to_string(repo().join("ci/action/run.sh")).unwrap();
        let body = script
            .split(&format!("\ncmd_{step}() {{"))
            .nth(1)
            .unwrap()
            .split("\n}\n")
            .next()
            .unwrap()
            .to_string();
        regex::Regex::new(r"(?m)^\s*output ([a-z-]+) ")
            .unwrap()
            .captures_iter(&body)
            .map(|c| c[1].to_string())
            .collect()
    };
    let read = regex::Regex::new(r"steps\.(key|verify)\.outputs\.([a-z-]+)").unwrap();
    let mut seen = 0;
    for c in read.captures_iter(&action) {
        let step = &c[1];
        assert!(
            written(step).contains(&c[2].to_string()),
            "action.yml reads steps.{step}.outputs.{} that run.sh {step} does not write",
            &c[2]
        );
        seen += 1;
    }
    assert!(seen >= 10, "{seen}");
    // Each step of the script is called by the action.
    for step in ["key", "install", "verify"] {
        assert!(
            action.contains(&format!("run: '\"$GITHUB_ACTION_PATH/run.sh\" {step}'")),
            "{step}"
        );
    }
    // The action runs the script, and the script ci/check, as programs: both must stay
    // executable in git (the tests above run them through bash).
    use std::os::unix::fs::PermissionsExt;
    for script in ["ci/action/run.sh", "ci/check"] {
        let mode = std::fs::metadata(repo().join(script))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{script} is not executable");
    }
    // The pending results are uploaded as the staged folder, never as a glob (see the round
    // trip above).
    assert!(action.contains("path: ${{ steps.verify.outputs.pending-dir }}"));
    assert!(!action.contains("*.toml.new"));
    // The example workflow uses the action, over partitions and Go versions.
    let workflow = std::fs::read_to_string(repo().join("ci/github-workflow.yml")).unwrap();
    for line in [
        "uses: OWNER/snipcheck/ci/action@v1",
        "partition: ${{ matrix.partition }}",
        "go-version: ${{ matrix.go }}",
    ] {
        assert!(workflow.contains(line), "{line}");
    }
}
