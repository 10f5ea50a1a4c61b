//! `--partition hash:K/N` and `slice:K/N`: splitting one run across N CI jobs, with nextest's
//! meaning. Both apply after `--filter`, and every snippet lands in exactly one of the N
//! partitions. `hash` puts a snippet by a hash of its document path and id, so adding or removing
//! snippets never moves the others; `slice` deals the selected snippets out in document order,
//! round robin, which gives even partitions but moves snippets when others are added.
//!
//! Orphaned records are a property of the whole set, not of a partition: every partition extracts
//! every document (that is cheap), and only partition 1 checks the records against all of them, so
//! an orphan is reported exactly once.

use std::fmt;
use std::str::FromStr;

use crate::snippet::Snippet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hash,
    Slice,
}

/// Partition `shard` (1-based) of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: Kind,
    pub shard: u64,
    pub total: u64,
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Partition, String> {
        let usage = "write it as hash:K/N or slice:K/N, with 1 <= K <= N (e.g. hash:1/3)";
        let (kind, rest) = match s.split_once(':') {
            Some(("hash", rest)) => (Kind::Hash, rest),
            Some(("slice", rest)) => (Kind::Slice, rest),
            _ => return Err(format!("`{s}`: {usage}")),
        };
        let (k, n) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: {usage}"))?;
        let (shard, total) = match (k.parse::<u64>(), n.parse::<u64>()) {
            (Ok(k), Ok(n)) if k >= 1 && k <= n => (k, n),
            _ => return Err(format!("`{s}`: {usage}")),
        };
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Hash => "hash",
            Kind::Slice => "slice",
        };
        write!(f, "{kind}:{}/{}", self.shard, self.total)
    }
}

impl Partition {
    /// Whether this partition checks for orphaned records: only the first one does.
    pub fn checks_orphans(&self) -> bool {
        self.shard == 1
    }

    /// The bucket (0-based) of the snippet at `index` in the selected list.
    fn bucket(&self, index: usize, snippet: &Snippet) -> u64 {
        match self.kind {
            Kind::Hash => stable_hash(snippet) % self.total,
            Kind::Slice => index as u64 % self.total,
        }
    }

    pub fn contains(&self, index: usize, snippet: &Snippet) -> bool {
        self.bucket(index, snippet) == self.shard - 1
    }
}

/// Keeps the snippets of `partition` (all of them without one).
pub fn select(snippets: &[Snippet], partition: Option<&Partition>) -> Vec<Snippet> {
    snippets
        .iter()
        .enumerate()
        .filter(|(i, s)| partition.is_none_or(|p| p.contains(*i, s)))
        .map(|(_, s)| s.clone())
        .collect()
}

/// FNV-1a (64 bit) of `doc` NUL `id`, with `/` as the separator on every platform: the same
/// snippet falls in the same bucket on every machine and in every release of snipcheck.
fn stable_hash(snippet: &Snippet) -> u64 {
    let doc: Vec<String> = snippet
        .doc
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let key = format!("{}\0{}", doc.join("/"), snippet.id);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::snippet::Attrs;

    fn snippet(doc: &str, id: &str) -> Snippet {
        Snippet {
            id: id.into(),
            doc: PathBuf::from(doc),
            line: 1,
            code_line: 2,
            title: String::new(),
            item: id.into(),
            attrs: Attrs::default(),
            code: String::new(),
            claims: Vec::new(),
            problem: None,
        }
    }

    fn many(n: usize) -> Vec<Snippet> {
        (0..n)
            .map(|i| snippet(&format!("docs/d{}.md", i % 3), &format!("{}", 1000 + i)))
            .collect()
    }

    fn p(s: &str) -> Partition {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(
            p("hash:2/3"),
            Partition {
                kind: Kind::Hash,
                shard: 2,
                total: 3
            }
        );
        assert_eq!(p("slice:1/1").to_string(), "slice:1/1");
        for bad in [
            "hash:0/3",
            "hash:4/3",
            "count:1/2",
            "hash:1",
            "hash:a/b",
            "1/2",
            "",
        ] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_snippet_in_exactly_one_partition() {
        let all = many(50);
        for kind in ["hash", "slice"] {
            for n in 1..=5 {
                let mut seen: Vec<String> = (1..=n)
                    .flat_map(|k| select(&all, Some(&p(&format!("{kind}:{k}/{n}")))))
                    .map(|s| format!("{}#{}", s.doc.display(), s.id))
                    .collect();
                seen.sort();
                let mut want: Vec<String> = all
                    .iter()
                    .map(|s| format!("{}#{}", s.doc.display(), s.id))
                    .collect();
                want.sort();
                assert_eq!(seen, want, "{kind} {n}");
            }
        }
    }

    #[test]
    fn slices_are_even_and_round_robin() {
        let all = many(10);
        let first = select(&all, Some(&p("slice:1/3")));
        let ids: Vec<&str> = first.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["1000", "1003", "1006", "1009"]);
        assert_eq!(select(&all, Some(&p("slice:3/3"))).len(), 3);
    }

    #[test]
    fn hash_is_stable_as_snippets_are_added() {
        let before = many(30);
        let mut after = many(30);
        after.insert(0, snippet("docs/new.md", "1"));
        after.insert(10, snippet("docs/d0.md", "999"));
        for k in 1..=3 {
            let part = p(&format!("hash:{k}/3"));
            let was: Vec<Snippet> = select(&before, Some(&part));
            let now: Vec<Snippet> = select(&after, Some(&part))
                .into_iter()
                .filter(|s| s.id != "1" && s.id != "999")
                .collect();
            assert_eq!(was, now, "partition {k}");
        }
    }

    #[test]
    fn hash_is_pinned() {
        // FNV-1a of "a.md\0x"; a change here would move snippets between CI jobs.
        assert_eq!(stable_hash(&snippet("a.md", "x")), 0x27e6_93ec_91ac_3bbf);
        assert_eq!(
            stable_hash(&snippet("./a.md", "x")),
            stable_hash(&snippet("a.md", "x"))
        );
    }
}
