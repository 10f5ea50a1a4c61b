//! `snipcheck list`: the coverage view, from the records, without building anything.

use super::support::{snipcheck, write};

const DOC: &str = "\
# Items

### 1. Prints

```go
fmt.Println(\"one\")
// Output: one
```

```go ignore=\"needs a server\"
http.Get(url)
```

### 2. History

Go 1 came out in 2012.

> **Unchecked:** a history note

### 3. Nothing here

Just prose.

### 4. Changed

```go
fmt.Println(4)
// Output: 4
```

```go
fmt.Println(5)
```
";

#[test]
fn list_shows_snippets_claims_verdicts_and_unchecked_claims() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/doc.md"), DOC);
    assert_eq!(
        snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]).code,
        0
    );
    // The claim changes after the result was recorded: the record no longer bears it out.
    let doc = dir.path().join("docs/doc.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replace("// Output: 4", "// Output: four")).unwrap();
    std::fs::remove_file(dir.path().join("expected/docs/doc/4-2.toml")).unwrap();

    let run = snipcheck(dir.path(), &["list", "docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("list", run.stdout);
}

/// A `varies` snippet's record holds no output, so `list` does not call its output claim failed
/// (verify checks it on runs); a wrong claim about how it ends still fails.
#[test]
fn varies_snippets_with_output_claims_hold_as_verify_says() {
    let dir = tempfile::tempdir().unwrap();
    let doc = "# Items\n\n### 1. Order\n\n```go varies\nm := map[int]bool{}\nfor i := range 50 {\n\tm[i] = true\n}\nfor k := range m {\n\tfmt.Print(k%1, \" \")\n}\nfmt.Println(len(m))\n// Output: [..]50\n```\n";
    write(&dir.path().join("docs/doc.md"), doc);
    let run = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]);
    assert_eq!(
        run.code, 1,
        "varies needs outputs that differ: {}",
        run.stdout
    );
    // Printing the keys themselves makes the runs differ.
    let doc = doc.replace("k%1", "k");
    write(&dir.path().join("docs/doc.md"), &doc);
    let run = snipcheck(dir.path(), &["verify", "docs", "--accept"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = snipcheck(dir.path(), &["list", "docs"], &[]);
    assert!(run.stdout.contains("holds"), "{}", run.stdout);
    assert!(!run.stdout.contains("FAILS"), "{}", run.stdout);
    // Mutation: a claim the record contradicts (it exits 0, not 3) still fails in the list.
    write(
        &dir.path().join("docs/doc.md"),
        &doc.replace("// Output: [..]50", "// Output: [..]50\n// Exit: 3"),
    );
    let run = snipcheck(dir.path(), &["list", "docs"], &[]);
    assert!(run.stdout.contains("FAILS"), "{}", run.stdout);
}

/// An Unchecked marker may say why no code can check its claim (`Unchecked (opinion)`): `list`
/// shows the class and counts the markers by class; a class it does not know is that line's
/// input problem (exit 2), and the rest is still listed and verified.
#[test]
fn unchecked_markers_say_their_class() {
    let dir = tempfile::tempdir().unwrap();
    let doc = "# Items\n\n### 1. Style\n\n> **Unchecked (opinion):** \"cleanest\" is a judgment.\n\n### 2. Server\n\n> **Unchecked (service):** needs a Kafka broker.\n\n### 3. Old\n\n> **Unchecked:** an unclassified note.\n";
    write(&dir.path().join("docs/doc.md"), doc);
    let run = snipcheck(dir.path(), &["list", "docs"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("unchecked (opinion) line 5     \"cleanest\" is a judgment."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("3 unchecked (1 opinion, 1 service, 1 unclassified)"),
        "{}",
        run.stdout
    );
    let run = snipcheck(dir.path(), &["list", "docs", "--format", "json"], &[]);
    assert!(
        run.stdout.contains("\"class\":\"service\""),
        "{}",
        run.stdout
    );
    // Mutation: a class that is not one of the known ones.
    write(
        &dir.path().join("docs/doc.md"),
        &doc.replace("(service)", "(kafka)"),
    );
    let run = snipcheck(dir.path(), &["verify", "docs"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        format!("{}{}", run.stdout, run.stderr)
            .contains("docs/doc.md:9: `Unchecked (kafka)`: unknown class"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
