//! `--html FILE` and `--format html`: the page of the report-formats fixture, read back as a
//! browser builds it. scraper (html5ever, the HTML5 parser of Servo) parses it by the HTML5
//! tree-building rules, so markup that escaping let through would show here as the element a
//! browser would make of it, not as a substring that a regex might miss. The checks: the counts
//! in the header, each snippet's verdict under its heading, a failure's diff after its claim, the
//! summary's links landing on the failures, nothing loaded from outside, and a hostile title and
//! output shown as text. What a person sees in a real browser is checked by `ci/html-check`, a
//! step of `.ci/run` (it needs Chromium).

use std::path::Path;

use scraper::{ElementRef, Html, Selector};

use super::support::{go_version, repo, snipcheck, write};

const DOC: &str = "tests/fixtures/formats.md";

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect()
}

fn one<'a>(page: &'a Html, s: &str) -> ElementRef<'a> {
    let selector = sel(s);
    let mut all = page.select(&selector);
    let first = all.next().unwrap_or_else(|| panic!("no {s}"));
    assert!(all.next().is_none(), "more than one {s}");
    first
}

/// Verifies the fixture with `--format json --html FILE`: the page is written beside the JSON.
fn fixture_page(tmp: &Path) -> (String, Html) {
    let file = tmp.join("report").join("snipcheck.html");
    let exp = tmp.join("expected");
    let run = snipcheck(
        &repo(),
        &[
            "verify",
            DOC,
            "--expected",
            exp.to_str().unwrap(),
            "--format",
            "json",
            "--html",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap();
    assert!(last.starts_with(r#"{"type":"summary""#), "{}", run.stdout);
    let source = std::fs::read_to_string(&file).unwrap();
    let page = Html::parse_document(&source);
    assert!(page.errors.is_empty(), "{:?}\n{source}", page.errors);
    (source, page)
}

#[test]
fn the_page_shows_counts_verdicts_diffs_and_links() {
    let tmp = tempfile::tempdir().unwrap();
    let (source, page) = fixture_page(tmp.path());

    // The header: the counts, the Go version, the run time.
    let counts: Vec<(String, String)> = page
        .select(&sel("#summary .counts li"))
        .map(|li| {
            (
                li.attr("data-verdict").unwrap().to_string(),
                text(li.select(&sel(".n")).next().unwrap()),
            )
        })
        .collect();
    let want = [
        ("holds", "0"),
        ("new", "1"),
        ("fails", "2"),
        ("skipped", "1"),
        ("unchecked", "1"),
    ];
    assert_eq!(
        counts,
        want.map(|(v, n)| (v.to_string(), n.to_string())),
        "{source}"
    );
    assert_eq!(text(one(&page, "#summary .go")), go_version());
    assert!(
        regex::Regex::new(r"^\d+\.\d\ds$")
            .unwrap()
            .is_match(&text(one(&page, "#summary .elapsed")))
    );
    assert_eq!(
        text(one(&page, "#summary .totals")),
        "1 passed, 2 failed, 1 skipped"
    );

    // Each verdict under the heading of its snippet, at the snippet's Markdown line.
    let article = one(&page, "article.doc");
    let mut heading = String::new();
    let mut placed = Vec::new();
    for child in article.children().filter_map(ElementRef::wrap) {
        if child.value().name() == "h2" {
            heading = text(child);
        } else if let Some(v) = child.attr("data-verdict") {
            let badge = text(child.select(&sel(".badge")).next().unwrap());
            assert_eq!(badge, v);
            placed.push(format!(
                "{heading}: {v} at {}",
                child.attr("data-line").unwrap()
            ));
        }
    }
    assert_eq!(
        placed,
        [
            "Holds: new at 7",
            "Wrong output: fails at 14",
            "Wrong panic: fails at 23",
            "Shown only: skipped at 31",
            "Not checkable: unchecked at 39",
        ]
    );
    // Only the failing snippets are open; the others fold their code.
    let open: Vec<&str> = page
        .select(&sel("details.snip[open]"))
        .map(|d| d.attr("id").unwrap())
        .collect();
    assert_eq!(open, ["d1-wrong-output", "d1-wrong-panic"]);

    // The failure right after its claim's line, with its diff line by line.
    let lines: Vec<String> = std::fs::read_to_string(repo().join(DOC))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let failure = one(&page, "#d1-wrong-output .failure");
    assert_eq!(failure.attr("data-line"), Some("18"));
    assert_eq!(
        text(failure.select(&sel(".msg")).next().unwrap()),
        "line 18: // Output: does not hold"
    );
    let claim = failure
        .prev_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .unwrap();
    assert_eq!(claim.value().name(), "pre");
    assert_eq!(text(one(&page, "#d1-wrong-output mark.bad")), lines[17]);
    assert!(text(claim).ends_with(&format!("{}\n", lines[17])));
    let diff: Vec<String> = failure.select(&sel(".diff > div")).map(text).collect();
    assert_eq!(
        diff,
        [
            "--- expected",
            "+++ actual",
            "@@ -1 +1 @@",
            "-[1 4 3] <&> \"quoted\" 100%",
            "+[1 2 3] <&> \"quoted\" 100%",
        ]
    );
    assert_eq!(
        failure
            .select(&sel(".diff > div.a"))
            .map(text)
            .collect::<Vec<_>>(),
        ["+[1 2 3] <&> \"quoted\" 100%"]
    );
    // The outcome class and the time in the snippet's head.
    assert_eq!(text(one(&page, "#d1-wrong-panic .class")), "outcome: panic");

    // Every link of the summary lands on its failure, named by the claim's Markdown line.
    let links: Vec<(String, String)> = page
        .select(&sel("#summary .failures a"))
        .map(|a| (text(a), a.attr("href").unwrap().to_string()))
        .collect();
    assert_eq!(links.len(), 2, "{source}");
    for ((label, href), line) in links.iter().zip(["18", "26"]) {
        assert_eq!(label, &format!("{DOC}:{line}"));
        let id = href.strip_prefix('#').unwrap();
        let target = page
            .select(&sel(&format!("[id=\"{id}\"]")))
            .collect::<Vec<_>>();
        assert_eq!(target.len(), 1, "{href}");
        assert!(
            target[0]
                .value()
                .has_class("failure", scraper::CaseSensitivity::CaseSensitive)
        );
        assert_eq!(target[0].attr("data-line"), Some(line));
    }

    // Self-contained: nothing to load, and the browser told to load nothing.
    for s in [
        "script", "link", "img", "iframe", "object", "embed", "[src]",
    ] {
        assert_eq!(page.select(&sel(s)).count(), 0, "{s} in\n{source}");
    }
    for e in page.tree.nodes().filter_map(ElementRef::wrap) {
        for (name, value) in e.value().attrs() {
            let v = value.to_ascii_lowercase();
            assert!(
                !v.contains("http:") && !v.contains("https:") && !v.starts_with("//"),
                "{name}={value:?}"
            );
            if name == "href" {
                assert!(value.starts_with('#'), "{name}={value:?}");
            }
        }
    }
    let style = text(one(&page, "style"));
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "{style}"
    );
    let csp = one(&page, "meta[http-equiv=\"Content-Security-Policy\"]");
    assert!(
        csp.attr("content")
            .unwrap()
            .starts_with("default-src 'none';")
    );
}

/// A title and a program's output with markup and escape sequences: shown as text, run as
/// nothing. The document's own HTML is text too.
#[test]
fn a_hostile_title_and_output_are_text() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = "# Doc <img src=x onerror=alert(1)>\n\n\
               ## Title <script>alert(1)</script> \u{1b}]0;owned\u{7}\n\n\
               <script>alert(2)</script>\n\n\
               ```go\n\
               fmt.Print(\"<script>alert(3)</script>\\x1b[2J\")\n\
               // Output: <i>nothing</i>\n\
               ```\n";
    write(&tmp.path().join("doc.md"), doc);
    let run = snipcheck(
        tmp.path(),
        &["verify", "doc.md", "--expected", "exp", "--format", "html"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let source = &run.stdout;
    assert!(!source.contains(['\u{1b}', '\u{7}']), "{source}");
    let page = Html::parse_document(source);
    for s in ["script", "img", "i"] {
        assert_eq!(page.select(&sel(s)).count(), 0, "{s} in\n{source}");
    }
    assert_eq!(
        text(one(&page, "article h2")),
        "Title <script>alert(1)</script> \\u{1b}]0;owned\\u{7}"
    );
    assert_eq!(
        text(one(&page, "article h1")),
        "Doc <img src=x onerror=alert(1)>"
    );
    assert_eq!(
        text(one(&page, "article pre.raw")),
        "<script>alert(2)</script>\n"
    );
    let diff: Vec<String> = page
        .select(&sel(".failure .diff > div"))
        .map(text)
        .collect();
    assert!(
        diff.contains(&"+<script>alert(3)</script>\\u{1b}[2J".to_string()),
        "{diff:?}"
    );
    assert!(diff.contains(&"-<i>nothing</i>".to_string()), "{diff:?}");
}
