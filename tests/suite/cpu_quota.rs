//! `cpus=`: a snippet's threads together get a CFS quota (a cgroup v1 cpu group), so claims
//! about throttling can be checked. Shown holding, failing at its line without the quota, and
//! refused (never run unthrottled) where there is no cpu cgroup.

use super::support::{snipcheck, write};

const DOC: &str = r#"# Doc

## Throttled

```go cpus=0.05
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

func nrThrottled() int {
	self, _ := os.ReadFile("/proc/self/cgroup")
	for _, line := range strings.Split(string(self), "\n") {
		if p := strings.SplitN(line, ":", 3); len(p) == 3 && p[1] == "cpu" {
			stat, _ := os.ReadFile("/sys/fs/cgroup/cpu" + p[2] + "/cpu.stat")
			var n int
			for _, l := range strings.Split(string(stat), "\n") {
				fmt.Sscanf(l, "nr_throttled %d", &n)
			}
			return n
		}
	}
	return 0
}

func main() {
	var ru syscall.Rusage
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Println("throttled:", nrThrottled() > 0)
	fmt.Println("at most 0.1 s of CPU in 0.5 s:", used <= 100*time.Millisecond)
}

// Output:
// throttled: true
// at most 0.1 s of CPU in 0.5 s: true
```
"#;

/// The same check as a `go test` snippet: the test binary runs under the quota, not the go
/// command that builds it.
const TEST_DOC: &str = r#"# Doc

## Throttled test

```go test cpus=0.05
-- q_test.go --
package q

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestThrottled(t *testing.T) {
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
	}
	self, _ := os.ReadFile("/proc/self/cgroup")
	for _, line := range strings.Split(string(self), "\n") {
		if p := strings.SplitN(line, ":", 3); len(p) == 3 && p[1] == "cpu" {
			stat, _ := os.ReadFile("/sys/fs/cgroup/cpu" + p[2] + "/cpu.stat")
			if strings.Contains(string(stat), "nr_throttled 0\n") || len(stat) == 0 {
				t.Fatalf("not throttled: %s", stat)
			}
		}
	}
}

// Tests passed: TestThrottled
```
"#;

/// Whether this machine lets snipcheck make cpu groups (root, cgroup v1): where it does not,
/// the refusal is what is checked.
fn cpu_cgroup_usable() -> bool {
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    root && std::path::Path::new("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").exists()
}

/// A fresh project folder where a quota can be set; `None`, saying why on stderr, elsewhere.
fn project_with_cpu_cgroup() -> Option<tempfile::TempDir> {
    if !cpu_cgroup_usable() {
        eprintln!(
            "skipped: no writable cgroup v1 cpu controller here (the refusal test covers it)"
        );
        return None;
    }
    Some(tempfile::tempdir().unwrap())
}

#[test]
fn a_cpu_quota_throttles_and_without_it_the_claim_fails_at_its_line() {
    let Some(dir) = project_with_cpu_cgroup() else {
        return;
    };
    let d = dir.path();
    write(&d.join("docs/doc.md"), DOC);
    let run = snipcheck(d, &["verify", "--accept", "docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // Mutation: the same program without the quota is not throttled.
    write(
        &d.join("docs/doc.md"),
        &DOC.replace("```go cpus=0.05", "```go"),
    );
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/doc.md:43: `// Output:` does not hold"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+throttled: false"), "{}", run.stdout);

    // Mutation: a quota of two CPUs is never reached by one busy thread.
    write(&d.join("docs/doc.md"), &DOC.replace("cpus=0.05", "cpus=2"));
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("+throttled: false"), "{}", run.stdout);
}

#[test]
fn a_test_binary_runs_under_the_quota() {
    let Some(dir) = project_with_cpu_cgroup() else {
        return;
    };
    let d = dir.path();
    write(&d.join("docs/doc.md"), TEST_DOC);
    let run = snipcheck(d, &["verify", "--accept", "docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: without the quota the test fails, and so does the claim, at its line.
    write(&d.join("docs/doc.md"), &TEST_DOC.replace(" cpus=0.05", ""));
    let run = snipcheck(d, &["verify", "docs"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("docs/doc.md:31: `// Tests passed: TestThrottled` does not hold"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_a_cpu_cgroup_a_quota_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("docs/doc.md"), DOC);
    let run = snipcheck(
        d,
        &["verify", "docs"],
        &[("SNIPCHECK_SANDBOX_DISABLE", "cgroup")],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("docs/doc.md:5: `cpus=` asks for a CPU quota"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("ok "), "{}", run.stdout);
}
