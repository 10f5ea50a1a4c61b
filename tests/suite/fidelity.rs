//! Go fidelity: outcome classes, races, vet, varying output, elision, language versions,
//! GODEBUG, min_go, env/args/stdin and third-party modules, each once holding and once failing.

use super::support::{files, record_then_verify, repo, snipcheck, verify_failing, write};

#[test]
fn fidelity_claims_hold() {
    let (_, report, tmp) = record_then_verify("tests/fixtures/fidelity-hold.md");
    insta::assert_snapshot!("fidelity_hold", report);
    let record = |name: &str| {
        std::fs::read_to_string(
            tmp.path()
                .join("expected/tests/fixtures/fidelity-hold")
                .join(name),
        )
        .unwrap()
    };
    let race = record("data-race.toml");
    assert!(race.contains("class = \"race\""), "{race}");
    assert!(race.contains("WARNING: DATA RACE"), "{race}");
    let varies = record("map-order-varies.toml");
    assert!(varies.contains("(varies between runs)"), "{varies}");
}

#[test]
fn fidelity_claims_fail() {
    let (_, report) = verify_failing("tests/fixtures/fidelity-fail.md", "2 passed, 10 failed");
    // Which of the two racing accesses the detector reports first varies from run to run.
    let race = regex::Regex::new(r"(?s)(\+=+\n).*?\+=+\n").unwrap();
    let report = race.replace_all(&report, "$1        +[the race report]\n");
    let at = regex::Regex::new(r"got a data race at \S+").unwrap();
    let report = at.replace_all(&report, "got a data race at [LINE]");
    insta::assert_snapshot!("fidelity_fail", report);
}

#[test]
fn pinned_modules_build_offline_and_unpinned_ones_say_what_to_add() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("expected");
    let exp = exp.to_str().unwrap();
    let args = ["verify", "tests/fixtures/modules", "--expected", exp];
    let run = snipcheck(&repo(), &args, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "new   tests/fixtures/modules/modules.md:7  errgroup-returns-the-first-error"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("tests/fixtures/modules/modules.md:25: `github.com/google/uuid` is not pinned: add it to the go.mod beside the documents (`go get github.com/google/uuid` in its folder"),
        "{}",
        run.stdout
    );
    // With the module cache warm, no network is needed.
    let offline = snipcheck(&repo(), &args, &[("GOPROXY", "off")]);
    assert_eq!(offline.code, 1, "{}{}", offline.stdout, offline.stderr);
    assert!(
        offline.stdout.contains("1 passed, 1 failed"),
        "{}",
        offline.stdout
    );
}

#[test]
fn a_flaky_result_is_refused_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("docs/doc.md"),
        "# Doc\n\n## Clock\n\n```go\nfmt.Println(time.Now().UnixNano())\n```\n",
    );
    let run = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("the outcome differs between two runs, so it is not recorded"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("mark the snippet `varies`"),
        "{}",
        run.stdout
    );
    assert_eq!(files(dir.path()), ["docs/doc.md"]);
}

#[test]
fn race_without_a_c_compiler_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("docs/doc.md"),
        "# Doc\n\n## R\n\n```go race\nfmt.Println(1)\n```\n",
    );
    let run = snipcheck(dir.path(), &["verify", "docs"], &[("CGO_ENABLED", "0")]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("docs/doc.md:5: the race detector needs cgo"),
        "{}",
        run.stderr
    );
}

#[test]
fn go_test_and_multi_file_claims_hold() {
    let (_, report, tmp) = record_then_verify("tests/fixtures/gotest-hold.md");
    insta::assert_snapshot!("gotest_hold", report);
    let record = std::fs::read_to_string(
        tmp.path()
            .join("expected/tests/fixtures/gotest-hold/examples-failures-and-coverage.toml"),
    )
    .unwrap();
    assert!(record.contains("class = \"test_fail\""), "{record}");
    assert!(record.contains("TestMinIsBroken = \"fail\""), "{record}");
    assert!(
        record.contains("gotest-hold.md:+32: Min(1, 2) is not 2"),
        "{record}"
    );
}

#[test]
fn go_test_claims_fail() {
    let (_, report) = verify_failing("tests/fixtures/gotest-fail.md", "0 passed, 4 failed");
    insta::assert_snapshot!("gotest_fail", report);
}

/// A `go test` snippet's timeout is for its tests: on a fresh machine (an empty build cache)
/// compiling `testing` and `net/http` (TLS, HTTP/2) takes far longer than the default 10s
/// (40s and more on 2 cores), and it still holds, because the test binary is compiled before
/// the clock starts; the timed `go test` only links it. Its own hang is still a timeout (the
/// mutation).
#[test]
fn a_go_test_snippet_s_timeout_leaves_out_a_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let doc = "# Doc\n\n## Server\n\n```go test timeout=10s\npackage srv\n\nimport (\n\t\"io\"\n\t\"net/http\"\n\t\"net/http/httptest\"\n\t\"testing\"\n)\n\nfunc TestHello(t *testing.T) {\n\trec := httptest.NewRecorder()\n\thttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, \"hi\") }).ServeHTTP(rec, httptest.NewRequest(\"GET\", \"/\", nil))\n\tif rec.Body.String() != \"hi\" {\n\t\tt.Fatal(rec.Body.String())\n\t}\n}\n\n// Tests passed: TestHello\n```\n";
    write(&tmp.path().join("doc.md"), doc);
    let env = [("GOCACHE", cache.path().to_str().unwrap())];
    let run = snipcheck(tmp.path(), &["verify", "doc.md", "--no-cache"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Mutation: the test itself outlives the timeout.
    write(
        &tmp.path().join("doc.md"),
        &doc.replace("rec := httptest", "select {}\n\trec := httptest"),
    );
    let run = snipcheck(tmp.path(), &["verify", "doc.md", "--no-cache"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("timeout"), "{}", run.stdout);
}

/// Since Go 1.24 a map of two keys iterates in one order 7 times in 8, so a true `varies`
/// claim on it needs many runs to see the other order: with the old default of 10 runs each
/// such snippet failed one time in four. Ten of them, each with its own keys, all hold with the
/// default of 100 (a false failure about once in 100,000 runs of this test). Mutation: with
/// `DEFAULT_VARIES_RUNS` back at 10, this test failed 3 of 3 tries.
#[test]
fn a_rarely_varying_map_order_holds_as_varies() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("# Two keys\n");
    for i in 0..10 {
        doc.push_str(&format!(
            "\n## Map {i}\n\n```go varies\nm := map[string]int{{\"a{i}\": 1, \"b{i}\": 2}}\nfor k := range m {{\n\tfmt.Print(k, \" \")\n}}\nfmt.Println()\n```\n"
        ));
    }
    write(&dir.path().join("maps.md"), &doc);
    let run = snipcheck(dir.path(), &["verify", "maps.md", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with("10 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
}
