//! The release matrix view: one row per snippet, one column per Go release, and in each cell
//! whether the snippet's claims hold there. Made by `verify --go 1.21,1.22` (from the runs) and
//! by `list --matrix` (from the records); written as text by both, and as JSON.

use std::io::{self, Write};

use serde::Serialize;

/// One cell: what a release made of a snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// The claims hold, and the outcome is the common one (the newest release's).
    Holds,
    /// The claims hold, and this release's outcome differs from the common one: the snippet is
    /// release-specific here (its record has an entry for this release).
    Varies,
    /// A claim or the record does not hold.
    Fails,
    /// Not run on this release: it needs a newer one (`min_go`, a `go` line, a `go1.22+`
    /// variant), or is ignored.
    NotApplicable,
    /// No record for this release (`list --matrix` only), or not run (`--fail-fast`).
    Unknown,
}

impl Cell {
    pub fn word(self) -> &'static str {
        match self {
            Cell::Holds => "holds",
            Cell::Varies => "varies",
            Cell::Fails => "FAILS",
            Cell::NotApplicable => "n/a",
            Cell::Unknown => "-",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    pub doc: String,
    pub line: usize,
    pub id: String,
    /// One per column; `None` where the release never reported the snippet.
    pub cells: Vec<Option<Cell>>,
}

/// Rows in document order, columns oldest release first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Matrix {
    pub releases: Vec<String>,
    pub rows: Vec<Row>,
}

impl Matrix {
    pub fn new(mut releases: Vec<String>) -> Matrix {
        releases.sort_by_key(|r| crate::go::releases::parse_version(r).unwrap_or_default());
        Matrix {
            releases,
            rows: Vec::new(),
        }
    }

    /// Sets the cell of snippet `id` (of `doc`, at `line`) under `release`.
    pub fn set(&mut self, doc: &str, line: usize, id: &str, release: &str, cell: Cell) {
        let Some(col) = self.releases.iter().position(|r| r == release) else {
            return;
        };
        let at = match self.rows.iter().position(|r| r.doc == doc && r.id == id) {
            Some(i) => i,
            None => {
                self.rows.push(Row {
                    doc: doc.to_string(),
                    line,
                    id: id.to_string(),
                    cells: vec![None; self.releases.len()],
                });
                self.rows.len() - 1
            }
        };
        self.rows[at].cells[col] = Some(cell);
    }

    /// Rows in document order (a variant `ID@go1.21` beside its snippet).
    pub fn sort(&mut self) {
        self.rows
            .sort_by(|a, b| (&a.doc, a.line, &a.id).cmp(&(&b.doc, b.line, &b.id)));
    }

    /// Whether every cell of a row is the same (then the row is not release-specific).
    fn uniform(row: &Row) -> bool {
        row.cells.windows(2).all(|w| w[0] == w[1])
    }

    /// The text table: a header of releases, then `place  id  cell cell ...`, and a line of
    /// counts. Rows whose cells all agree are listed too; `*` marks those that do not.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        let place = |r: &Row| format!("{}:{}", r.doc, r.line);
        let pw = self.rows.iter().map(|r| place(r).len()).max().unwrap_or(0);
        let iw = self
            .rows
            .iter()
            .map(|r| r.id.len())
            .max()
            .unwrap_or(2)
            .max(2);
        let cw: Vec<usize> = self.releases.iter().map(|r| r.len().max(6)).collect();
        let mut line = format!("{:pw$}  {:iw$}  ", "", "id");
        for (r, w) in self.releases.iter().zip(&cw) {
            line.push_str(&format!(" {r:w$}"));
        }
        writeln!(out, "{}", line.trim_end())?;
        let mut specific = 0;
        for row in &self.rows {
            let mark = if Matrix::uniform(row) {
                " "
            } else {
                specific += 1;
                "*"
            };
            let mut line = format!("{:pw$}  {:iw$} {mark}", place(row), row.id);
            for (c, w) in row.cells.iter().zip(&cw) {
                line.push_str(&format!(" {:w$}", c.map_or("-", |c| c.word())));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        writeln!(
            out,
            "{} snippet{} on {} release{}; {} release-specific (*)",
            self.rows.len(),
            super::plural(self.rows.len()),
            self.releases.len(),
            super::plural(self.releases.len()),
            specific
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_document_order_columns_oldest_first() {
        let mut m = Matrix::new(vec!["go1.26.8".into(), "go1.21.13".into()]);
        m.set("d.md", 9, "b", "go1.26.8", Cell::Holds);
        m.set("d.md", 3, "a", "go1.21.13", Cell::Varies);
        m.set("d.md", 3, "a", "go1.26.8", Cell::Holds);
        m.set("d.md", 9, "b", "go1.21.13", Cell::Holds);
        m.set("d.md", 9, "b", "go1.99.0", Cell::Fails);
        m.sort();
        let mut out = Vec::new();
        m.write_text(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "        id   go1.21.13 go1.26.8\n\
             d.md:3  a  * varies    holds\n\
             d.md:9  b    holds     holds\n\
             2 snippets on 2 releases; 1 release-specific (*)\n"
        );
    }
}
