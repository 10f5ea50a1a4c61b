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
