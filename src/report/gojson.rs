//! `--format go-json`: the events `go test -json` writes (test2json's `TestEvent`s, one JSON
//! object per line), so the tools that read Go test output (gotestsum, go-junit-report, IDEs)
//! read a snipcheck run as a Go test run: each document is a package, each snippet a test named
//! by its id. A snippet's `run`, `output` and terminal (`pass`, `fail`, `skip`) events come
//! together when its result is in; a package's `start` comes before its first snippet and its
//! terminal event at the end of the run, since results of several documents may interleave.
//! Failed orphaned records are failing tests of a package of their own, `orphaned-records`.

use std::io::{self, Write};
use std::time::{Instant, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::{Event, Reporter, SnippetResult, Status, unified_diff};

/// The package the orphaned records' tests belong to: they have no document.
pub const ORPHANS: &str = "orphaned-records";

pub struct GoJson<W: Write> {
    out: W,
    /// The packages started so far, in order, with whether one of their tests failed.
    packages: Vec<(String, bool)>,
    started: Instant,
}

impl<W: Write> GoJson<W> {
    pub fn new(out: W) -> GoJson<W> {
        GoJson {
            out,
            packages: Vec::new(),
            started: Instant::now(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// One event, with the fields test2json sets, in its order.
    fn emit(
        &mut self,
        action: &str,
        package: &str,
        test: Option<&str>,
        rest: &[(&str, Value)],
    ) -> io::Result<()> {
        let mut m = Map::new();
        let now: DateTime<Utc> = SystemTime::now().into();
        m.insert(
            "Time".into(),
            json!(now.to_rfc3339_opts(SecondsFormat::Nanos, true)),
        );
        m.insert("Action".into(), json!(action));
        m.insert("Package".into(), json!(package));
        if let Some(t) = test {
            m.insert("Test".into(), json!(t));
        }
        for (k, v) in rest {
            m.insert((*k).into(), v.clone());
        }
        writeln!(self.out, "{}", Value::Object(m))
    }

    fn output(&mut self, package: &str, test: Option<&str>, line: &str) -> io::Result<()> {
        self.emit("output", package, test, &[("Output", json!(line))])
    }

    /// Starts `package` the first time it is seen; marks it failed when `failed`.
    fn package(&mut self, package: &str, failed: bool) -> io::Result<()> {
        match self.packages.iter_mut().find(|(p, _)| p == package) {
            Some((_, f)) => *f |= failed,
            None => {
                self.packages.push((package.to_string(), failed));
                self.emit("start", package, None, &[])?;
            }
        }
        Ok(())
    }

    /// A test's events, from `run` to its terminal action.
    fn test(
        &mut self,
        package: &str,
        test: &str,
        action: &str,
        elapsed: f64,
        body: &[String],
    ) -> io::Result<()> {
        self.package(package, action == "fail")?;
        self.emit("run", package, Some(test), &[])?;
        self.output(package, Some(test), &format!("=== RUN   {test}\n"))?;
        for line in body {
            self.output(package, Some(test), &format!("    {line}\n"))?;
        }
        let word = match action {
            "fail" => "FAIL",
            "skip" => "SKIP",
            _ => "PASS",
        };
        self.output(
            package,
            Some(test),
            &format!("--- {word}: {test} ({elapsed:.2}s)\n"),
        )?;
        self.emit(action, package, Some(test), &[("Elapsed", json!(elapsed))])
    }

    fn finished(&mut self, r: &SnippetResult) -> io::Result<()> {
        let s = &r.snippet;
        let doc = s.doc.display().to_string();
        let mut body = vec![format!("{doc}:{}: {}", s.line, s.title)];
        let action = match &r.status {
            Status::Passed | Status::New => "pass",
            Status::Failed => "fail",
            Status::Skipped(_) => "skip",
        };
        if let Status::Skipped(why) = &r.status
            && !why.is_empty()
        {
            body.push(format!("skipped: {why}"));
        }
        if let Some(class) = r.class.filter(|_| r.status == Status::Failed) {
            body.push(format!("outcome: {}", class.name()));
        }
        for f in &r.failures {
            body.push(format!("{doc}:{}: {}", f.line, f.message));
            if let Some((expected, actual)) = &f.diff {
                body.extend(
                    unified_diff(expected, actual)
                        .into_iter()
                        .map(|l| format!("  {l}")),
                );
            }
        }
        body.extend(r.notes.iter().cloned());
        // Go's test output is one line per event; a message may hold several.
        let body: Vec<String> = body
            .iter()
            .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        self.test(&doc, &r.shown_id(), action, r.elapsed.as_secs_f64(), &body)
    }
}

impl<W: Write> Reporter for GoJson<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Started { .. } | Event::Matrix(_) => Ok(()),
            Event::Finished(r) => self.finished(r),
            Event::Orphan { path, failed, note } => {
                let action = if failed { "fail" } else { "skip" };
                let record = path.display().to_string();
                self.test(ORPHANS, &record, action, 0.0, &[note.to_string()])
            }
            Event::Summary(s) => {
                let elapsed = self.started.elapsed().as_secs_f64();
                for line in &s.advice {
                    // Advice belongs to the run; Go prints such lines before the package's end.
                    if let Some((p, _)) = self.packages.last().cloned() {
                        self.output(&p, None, &format!("{line}\n"))?;
                    }
                }
                for (p, failed) in std::mem::take(&mut self.packages) {
                    if failed {
                        self.output(&p, None, "FAIL\n")?;
                        self.output(&p, None, &format!("FAIL\t{p}\t{elapsed:.3}s\n"))?;
                        self.emit("fail", &p, None, &[("Elapsed", json!(elapsed))])?;
                    } else {
                        self.output(&p, None, "PASS\n")?;
                        self.output(&p, None, &format!("ok  \t{p}\t{elapsed:.3}s\n"))?;
                        self.emit("pass", &p, None, &[("Elapsed", json!(elapsed))])?;
                    }
                }
                self.out.flush()
            }
        }
    }
}
