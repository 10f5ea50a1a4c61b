//! `--partition`: every snippet runs in exactly one partition, and orphaned records are reported
//! once, by partition 1.

use std::collections::BTreeSet;

use super::support::{snipcheck, write};

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("# Partitions\n");
    for i in 1..=7 {
        doc.push_str(&format!(
            "\n### {i}. Item\n\n```go\nfmt.Println({i})\n// Output: {i}\n```\n"
        ));
    }
    write(&dir.path().join("docs/doc.md"), &doc);
    write(
        &dir.path().join("snipcheck.toml"),
        "documents = [\"docs\"]\n",
    );
    write(
        &dir.path().join("expected/docs/doc/99.toml"),
        "go_version = \"go1.26.8\"\nclass = \"ok\"\nexit_status = 0\nstdout = \"\"\n",
    );
    dir
}

/// The ids a partition ran, and the orphans it reported.
fn run(dir: &std::path::Path, partition: &str) -> (BTreeSet<String>, Vec<String>) {
    let run = snipcheck(
        dir,
        &[
            "verify",
            "--locked",
            "--format",
            "json",
            "--partition",
            partition,
        ],
        &[],
    );
    assert_eq!(
        run.code, 1,
        "no records: everything fails\n{}{}",
        run.stdout, run.stderr
    );
    let mut ids = BTreeSet::new();
    let mut orphans = Vec::new();
    for line in run.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        match v["type"].as_str().unwrap() {
            "finished" => assert!(ids.insert(v["id"].as_str().unwrap().to_string())),
            "orphan" => orphans.push(v["record"].as_str().unwrap().to_string()),
            _ => {}
        }
    }
    (ids, orphans)
}

#[test]
fn every_snippet_runs_in_exactly_one_partition_and_orphans_once() {
    let dir = project();
    let all: BTreeSet<String> = (1..=7).map(|i| i.to_string()).collect();
    for kind in ["hash", "slice"] {
        let (first, orphans_1) = run(dir.path(), &format!("{kind}:1/2"));
        let (second, orphans_2) = run(dir.path(), &format!("{kind}:2/2"));
        assert!(first.is_disjoint(&second), "{kind}: {first:?} {second:?}");
        assert_eq!(&first | &second, all, "{kind}");
        assert_eq!(orphans_1, ["expected/docs/doc/99.toml"], "{kind}");
        assert!(orphans_2.is_empty(), "{kind}: {orphans_2:?}");
        if kind == "slice" {
            // Dealt out in document order.
            assert_eq!(first, ["1", "3", "5", "7"].map(String::from).into());
        }
    }
}

#[test]
fn a_bad_partition_is_a_usage_error() {
    let dir = project();
    let run = snipcheck(dir.path(), &["verify", "--partition", "hash:3/2"], &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("write it as hash:K/N or slice:K/N"),
        "{}",
        run.stderr
    );
}
