//! `--format json`: one JSON object per line and per event, for scripts. Every object has a
//! `type`: `started`, `finished` (one per snippet, with its verdict), `orphan`, `summary`.
//! Durations are in seconds. Fields are only ever added, never renamed.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Event, Reporter, SnippetResult, Status};

pub struct Json<W: Write> {
    out: W,
}

impl<W: Write> Json<W> {
    pub fn new(out: W) -> Json<W> {
        Json { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for Json<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        let value = match event {
            Event::Started {
                snippets,
                documents,
                go_version,
            } => json!({
                "type": "started",
                "snippets": snippets,
                "documents": documents,
                "go_version": go_version,
            }),
            Event::Finished(r) => finished(r),
            Event::Orphan { path, failed, note } => json!({
                "type": "orphan",
                "record": path.display().to_string(),
                "failed": failed,
                "note": note,
            }),
            Event::Matrix(m) => json!({
                "type": "matrix",
                "releases": m.releases,
                "rows": m.rows,
            }),
            Event::Summary(s) => json!({
                "type": "summary",
                "passed": s.passed,
                "failed": s.failed,
                "skipped": s.skipped,
                "new": s.new,
                "elapsed": s.elapsed.as_secs_f64(),
                "advice": s.advice,
            }),
        };
        writeln!(self.out, "{value}")?;
        if matches!(event, Event::Summary(_)) {
            self.out.flush()?;
        }
        Ok(())
    }
}

/// The verdict as one word: `passed`, `new`, `failed` or `skipped`.
pub fn verdict(status: &Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::New => "new",
        Status::Failed => "failed",
        Status::Skipped(_) => "skipped",
    }
}

fn finished(r: &SnippetResult) -> Value {
    let s = &r.snippet;
    let failures: Vec<Value> = r
        .failures
        .iter()
        .map(|f| {
            let mut v = json!({ "line": f.line, "message": f.message });
            if let Some((expected, actual)) = &f.diff {
                v["expected"] = json!(expected);
                v["actual"] = json!(actual);
            }
            v
        })
        .collect();
    let mut v = json!({
        "type": "finished",
        "doc": s.doc.display().to_string(),
        "id": s.id,
        "line": s.line,
        "title": s.title,
        "verdict": verdict(&r.status),
        "class": r.class,
        "elapsed": r.elapsed.as_secs_f64(),
        "failures": failures,
        "notes": r.notes,
    });
    if let Status::Skipped(reason) = &r.status {
        v["reason"] = json!(reason);
    }
    if let Some(release) = &r.release {
        v["release"] = json!(release);
    }
    v
}
