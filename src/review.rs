//! `snipcheck review`: from a pending result to an accepted (or rejected) one.
//!
//! In a terminal, one screen per pending result: where it is, the snippet, its claims and a
//! coloured diff of the record against the pending result; one key decides (accept, reject, skip,
//! accept all, reject all, quit, or show the full output). Each decision is carried out at once,
//! so quitting (or Ctrl-C) keeps exactly what was not decided yet. When an accepted result
//! contradicts the document's claims, the rewrite of those claim lines is offered (see
//! `rewrite`). Without a terminal, `review` lists what is pending and exits 1 if anything is;
//! `--accept ID...`, `--reject ID...`, `--accept-all` and `--reject-all` decide for scripts.

use std::io::{self, IsTerminal, Write};

use similar::TextDiff;

use crate::cli::{ListFormat, ReviewArgs};
use crate::config::Places;
use crate::error::Error;
use crate::records::pending::{self, Pending};
use crate::records::rewrite::{self, Plain};
use crate::snippet::ClaimKind;
use crate::style::{self, paint};

/// Runs the command. `Ok(true)` (exit 0) when nothing is left pending.
pub fn run(places: &Places, args: &ReviewArgs) -> Result<bool, Error> {
    let items = pending::find(places)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let io_err = |e| Error::io("cannot write to the terminal", e);
    if !args.accept.is_empty() || !args.reject.is_empty() || args.accept_all || args.reject_all {
        return scripted(&items, args, &mut out);
    }
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        pending::list(&mut out, &items, ListFormat::Human).map_err(io_err)?;
        return Ok(items.is_empty());
    }
    if items.is_empty() {
        writeln!(out, "nothing pending").map_err(io_err)?;
        return Ok(true);
    }
    let term = console::Term::stdout();
    let mut keys = || -> io::Result<char> {
        Ok(match term.read_key()? {
            console::Key::Char(c) => c,
            console::Key::Escape => 'q',
            console::Key::Enter => '\n',
            _ => '\0',
        })
    };
    let tally = interactive(&items, &mut keys, &mut out, style::wanted(true)).map_err(io_err)?;
    Ok(tally.left == 0)
}

/// What a review session did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    pub accepted: usize,
    pub rejected: usize,
    pub rewritten: usize,
    /// Skipped, or not reached before quitting.
    pub left: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Decision {
    Accept,
    Reject,
    Skip,
}

const KEYS: &str = "a accept  r reject  s skip  A accept all  R reject all  o full output  q quit";

/// The review loop: `keys` gives one key press at a time; everything is written to `out`.
pub fn interactive(
    items: &[Pending],
    keys: &mut dyn FnMut() -> io::Result<char>,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    let mut all: Option<Decision> = None;
    let mut items = items.to_vec();
    for i in 0..items.len() {
        let item = items[i].clone();
        let item = &item;
        let decision = match all {
            Some(d) => d,
            None => {
                screen(out, item, i + 1, items.len(), color)?;
                loop {
                    write!(out, "{}\n> ", paint(KEYS, style::DIM, color))?;
                    out.flush()?;
                    let key = keys()?;
                    writeln!(out, "{}", key.escape_default())?;
                    match key {
                        'a' => break Decision::Accept,
                        'r' => break Decision::Reject,
                        's' | ' ' => break Decision::Skip,
                        'A' => {
                            all = Some(Decision::Accept);
                            break Decision::Accept;
                        }
                        'R' => {
                            all = Some(Decision::Reject);
                            break Decision::Reject;
                        }
                        'o' => full_output(out, item)?,
                        'q' => {
                            tally.left += items.len() - i;
                            writeln!(out, "quit: {} left pending", items.len() - i)?;
                            return finish(out, tally);
                        }
                        _ => writeln!(out, "unknown key")?,
                    }
                }
            }
        };
        match decision {
            Decision::Accept => {
                if let Err(e) = item.accept() {
                    writeln!(out, "{e}")?;
                    tally.left += 1;
                    continue;
                }
                tally.accepted += 1;
                writeln!(
                    out,
                    "{}  {}  {}",
                    paint("accepted", style::GREEN, color),
                    item.place(),
                    item.id
                )?;
                if all.is_none() {
                    let rewritten = offer_rewrite(out, keys, item, color)?;
                    if rewritten > 0 {
                        tally.rewritten += rewritten;
                        if let Err(e) = pending::refresh(&mut items[i + 1..], &item.doc) {
                            writeln!(out, "note: cannot read {} again: {e}", item.doc.display())?;
                        }
                    }
                } else {
                    note_claims(out, item)?;
                }
            }
            Decision::Reject => {
                if let Err(e) = item.reject() {
                    writeln!(out, "{e}")?;
                    tally.left += 1;
                    continue;
                }
                tally.rejected += 1;
                writeln!(
                    out,
                    "{}  {}  {}",
                    paint("rejected", style::RED, color),
                    item.place(),
                    item.id
                )?;
            }
            Decision::Skip => {
                tally.left += 1;
                writeln!(out, "skipped  {}  {}", item.place(), item.id)?;
            }
        }
    }
    finish(out, tally)
}

fn finish(out: &mut dyn Write, tally: Tally) -> io::Result<Tally> {
    writeln!(
        out,
        "\n{} accepted, {} rejected, {} claim{} rewritten, {} left pending",
        tally.accepted,
        tally.rejected,
        tally.rewritten,
        if tally.rewritten == 1 { "" } else { "s" },
        tally.left
    )?;
    out.flush()?;
    Ok(tally)
}

fn rule(out: &mut dyn Write, title: &str, color: bool) -> io::Result<()> {
    let width: usize = 78;
    let fill = width.saturating_sub(title.chars().count() + 4);
    writeln!(
        out,
        "{}",
        paint(
            &format!("── {title} {}", "─".repeat(fill)),
            style::BOLD,
            color
        )
    )
}

/// One pending result, on one screen.
fn screen(out: &mut dyn Write, p: &Pending, n: usize, total: usize, color: bool) -> io::Result<()> {
    writeln!(out)?;
    rule(out, &format!("{n}/{total}  {}", p.kind.word()), color)?;
    let title = p.snippet.as_ref().map_or("", |s| s.title.as_str());
    writeln!(
        out,
        "{}  {}  {}",
        paint(&p.place(), style::BOLD, color),
        p.id,
        title
    )?;
    let versions = match (&p.recorded, &p.actual) {
        (Some(r), Some(a)) => format!(" (recorded with {}, now {})", r.go_version, a.go_version),
        (None, Some(a)) => format!(" (none yet; now {})", a.go_version),
        (Some(r), None) => format!(" (recorded with {})", r.go_version),
        (None, None) => String::new(),
    };
    writeln!(out, "record: {}{versions}", p.record.display())?;
    match &p.snippet {
        Some(s) => {
            writeln!(out)?;
            for (i, l) in s.code.lines().enumerate() {
                writeln!(
                    out,
                    "{} {l}",
                    paint(&format!("{:>5} │", s.code_line + i), style::DIM, color)
                )?;
            }
            if !s.claims.is_empty() {
                writeln!(out, "\nclaims:")?;
                for c in &s.claims {
                    let text = match &c.kind {
                        ClaimKind::Output(t)
                        | ClaimKind::UnorderedOutput(t)
                        | ClaimKind::Stderr(t) => {
                            format!("{} {}", c.kind.label(), t.replace('\n', "⏎"))
                        }
                        k => k.label(),
                    };
                    let text = style::visible(&text);
                    writeln!(out, "  {}:{}  {text}", s.doc.display(), c.line)?;
                }
            }
        }
        None => writeln!(
            out,
            "no snippet has this id any more: accepting removes the record, rejecting keeps it"
        )?,
    }
    let recorded = p
        .recorded
        .as_ref()
        .map_or(String::new(), |r| r.comparable_all());
    let actual = p
        .actual
        .as_ref()
        .map_or(String::new(), |r| r.comparable_all());
    writeln!(out, "\nrecorded → pending:")?;
    for l in diff(&recorded, &actual) {
        writeln!(out, "  {}", style::diff_line(&l, color))?;
    }
    writeln!(out)
}

/// A unified diff with the record on the left, without a length cap: a person asked for it.
fn diff(recorded: &str, actual: &str) -> Vec<String> {
    let (mut old, mut new) = (recorded.to_string(), actual.to_string());
    for s in [&mut old, &mut new] {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
    }
    TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header("recorded", "pending")
        .to_string()
        .lines()
        .map(str::to_string)
        .collect()
}

fn full_output(out: &mut dyn Write, p: &Pending) -> io::Result<()> {
    let Some(a) = &p.actual else {
        return writeln!(out, "(an orphaned record has no new output)");
    };
    for (name, text) in [
        ("stdout", &a.stdout),
        ("stderr", &a.stderr),
        ("compiler", &a.diagnostics),
    ] {
        writeln!(out, "── {name} ──")?;
        write!(out, "{}", style::visible(text))?;
        if !text.is_empty() && !text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    writeln!(out, "── end ──")
}

/// After an accept: when the document's claims no longer match, offer to rewrite them. Returns
/// how many documents were rewritten (0 or 1).
fn offer_rewrite(
    out: &mut dyn Write,
    keys: &mut dyn FnMut() -> io::Result<char>,
    p: &Pending,
    color: bool,
) -> io::Result<usize> {
    let Some(actual) = &p.actual else {
        return Ok(0);
    };
    if p.snippet.is_none() {
        return Ok(0);
    }
    let plan = match rewrite::plan(&p.doc, &p.id, actual) {
        Ok(Ok(plan)) => plan,
        Ok(Err(Plain::Nothing)) => return Ok(0),
        Ok(Err(Plain::ByHand(why))) => {
            writeln!(out, "note: {}: {why}", p.place())?;
            return Ok(0);
        }
        Err(e) => {
            writeln!(out, "note: cannot plan a rewrite of the claims: {e}")?;
            return Ok(0);
        }
    };
    writeln!(
        out,
        "\nThe accepted result contradicts the document's claims. Rewrite them?"
    )?;
    for l in plan.describe() {
        writeln!(out, "  {}", style::diff_line(&l, color))?;
    }
    loop {
        write!(
            out,
            "{}\n> ",
            paint(
                &format!("y rewrite {}  n leave it", p.doc.display()),
                style::DIM,
                color
            )
        )?;
        out.flush()?;
        let key = keys()?;
        writeln!(out, "{}", key.escape_default())?;
        match key {
            'y' => {
                return match plan.write() {
                    Ok(()) => {
                        writeln!(out, "rewrote the claims in {}", p.doc.display())?;
                        Ok(1)
                    }
                    Err(e) => {
                        writeln!(out, "{e}")?;
                        Ok(0)
                    }
                };
            }
            'n' | 'q' => {
                writeln!(out, "left {} as it is", p.doc.display())?;
                return Ok(0);
            }
            _ => writeln!(out, "unknown key")?,
        }
    }
}

/// After an accept without a question: say when the claims no longer match.
fn note_claims(out: &mut dyn Write, p: &Pending) -> io::Result<()> {
    let Some(actual) = &p.actual else {
        return Ok(());
    };
    if p.snippet.is_none() {
        return Ok(());
    }
    match rewrite::plan(&p.doc, &p.id, actual) {
        Ok(Ok(plan)) => writeln!(
            out,
            "note: the claims at {}:{} no longer match the accepted result; edit them",
            p.doc.display(),
            plan.edits[0].first
        ),
        Ok(Err(Plain::ByHand(why))) => writeln!(out, "note: {}: {why}", p.place()),
        _ => Ok(()),
    }
}

/// `--accept`, `--reject`, `--accept-all`, `--reject-all`: every argument is checked before
/// anything is changed.
fn scripted(items: &[Pending], args: &ReviewArgs, out: &mut dyn Write) -> Result<bool, Error> {
    let io_err = |e| Error::io("cannot write the report", e);
    let mut decisions: Vec<Option<Decision>> = vec![None; items.len()];
    if args.accept_all {
        decisions.fill(Some(Decision::Accept));
    }
    if args.reject_all {
        decisions.fill(Some(Decision::Reject));
    }
    for (list, d) in [
        (&args.accept, Decision::Accept),
        (&args.reject, Decision::Reject),
    ] {
        for arg in list {
            for i in pending::select(items, arg)? {
                if decisions[i].is_some_and(|other| other != d) {
                    return Err(Error::Other(format!(
                        "`{arg}` is both accepted and rejected; choose one"
                    )));
                }
                decisions[i] = Some(d);
            }
        }
    }
    let mut left = 0;
    for (item, d) in items.iter().zip(&decisions) {
        match d {
            Some(Decision::Accept) => {
                item.accept()?;
                writeln!(out, "accepted  {}  {}", item.place(), item.id).map_err(io_err)?;
                if args.rewrite_claims && item.snippet.is_some() {
                    if let Some(actual) = &item.actual {
                        match rewrite::plan(&item.doc, &item.id, actual)? {
                            Ok(plan) => {
                                plan.write()?;
                                for l in plan.describe() {
                                    writeln!(out, "  {l}").map_err(io_err)?;
                                }
                                writeln!(out, "rewrote the claims in {}", item.doc.display())
                                    .map_err(io_err)?;
                            }
                            Err(Plain::ByHand(why)) => {
                                writeln!(out, "note: {}: {why}", item.place()).map_err(io_err)?
                            }
                            Err(Plain::Nothing) => {}
                        }
                    }
                } else {
                    note_claims(out, item).map_err(io_err)?;
                }
            }
            Some(Decision::Reject) => {
                item.reject()?;
                writeln!(out, "rejected  {}  {}", item.place(), item.id).map_err(io_err)?;
            }
            Some(Decision::Skip) | None => left += 1,
        }
    }
    if left > 0 {
        writeln!(out, "{left} left pending").map_err(io_err)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::records::expected::{self, Record};
    use crate::snippet::Class;

    fn ok(stdout: &str) -> Record {
        Record {
            go_version: "go1.26.8".into(),
            class: Class::Ok,
            exit_status: Some(0),
            stdout: stdout.into(),
            stderr: String::new(),
            diagnostics: String::new(),
            ..Record::default()
        }
    }

    /// Two items whose records say `a` and `b`, both with pending results; no Go is needed.
    fn project() -> (tempfile::TempDir, Places) {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("doc.md");
        std::fs::write(
            &doc,
            "# T\n\n## One\n\n```go\nf()\n// Output: a\n```\n\n## Two\n\n```go\ng()\n// Output: b\n```\n",
        )
        .unwrap();
        let places = Places {
            documents: vec![doc.clone()],
            expected: dir.path().join("expected"),
        };
        for (id, old, new) in [("one", "a\n", "a\nb\nc\n"), ("two", "b\n", "z\n")] {
            let record = expected::record_path(&places.expected, &doc, id);
            expected::write(&places.expected, &record, &ok(old)).unwrap();
            expected::write(&places.expected, &expected::pending_path(&record), &ok(new)).unwrap();
        }
        (dir, places)
    }

    fn session(places: &Places, keys: &str) -> (Tally, String) {
        let items = pending::find(places).unwrap();
        let mut keys = keys.chars();
        let mut next = || Ok(keys.next().expect("the session asked for more keys"));
        let mut out = Vec::new();
        let tally = interactive(&items, &mut next, &mut out, false).unwrap();
        (tally, String::from_utf8(out).unwrap())
    }

    fn doc(places: &Places) -> PathBuf {
        places.documents[0].clone()
    }

    #[test]
    fn a_rewrite_that_adds_lines_moves_the_later_screens() {
        let (_dir, places) = project();
        let (tally, screen) = session(&places, "ayq");
        assert_eq!(
            tally,
            Tally {
                accepted: 1,
                rejected: 0,
                rewritten: 1,
                left: 1
            }
        );
        let text = std::fs::read_to_string(doc(&places)).unwrap();
        assert!(
            text.contains("f()\n// Output:\n// a\n// b\n// c\n```"),
            "{text}"
        );
        // `Two` moved down by three lines (it was at 12): its screen says so.
        let second = &screen[screen.find("2/2").unwrap()..];
        assert!(second.contains(":15  two  Two"), "{second}");
        assert!(second.contains("   17 │ // Output: b"), "{second}");
    }

    #[test]
    fn unknown_keys_are_asked_again_and_skip_leaves_it_pending() {
        let (_dir, places) = project();
        let (tally, screen) = session(&places, "xsr");
        assert!(screen.contains("> x\nunknown key\n"), "{screen}");
        assert_eq!((tally.left, tally.rejected), (1, 1));
        let record = |id| expected::record_path(&places.expected, &doc(&places), id);
        assert!(expected::pending_path(&record("one")).exists());
        assert!(!expected::pending_path(&record("two")).exists());
        assert_eq!(expected::read(&record("two")).unwrap(), Some(ok("b\n")));
    }

    #[test]
    fn reject_all_drops_every_pending_result() {
        let (_dir, places) = project();
        let (tally, _) = session(&places, "R");
        assert_eq!((tally.rejected, tally.left), (2, 0));
        assert!(pending::find(&places).unwrap().is_empty());
    }
}
