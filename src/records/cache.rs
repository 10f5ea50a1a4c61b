//! The result cache: which snippets passed, keyed on everything that can change their outcome or
//! verdict (snipcheck's version, the Go toolchain, the document set's go.mod and go.sum, the
//! snippet's code, attributes and claims, and its record). A snippet whose key is known passed
//! before and is reported as passing without being built or run, so a run after a one-snippet
//! edit pays for that snippet only. It lives outside the repository (the user's cache
//! directory) and is only a cache: losing it, or two runs racing on it, costs time, never
//! correctness.

use std::collections::HashSet;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use crate::records::expected::write_atomic;

/// Bump when what a key covers changes, or what a pass means: a snippet that passed under the
/// old rules (cache-1: `// ERROR` before Go's errorcheck rules) must be checked again.
const FORMAT: &str = "snipcheck-cache-2";
/// Keys kept at most; the oldest go first.
const MAX_KEYS: usize = 100_000;

pub struct Cache {
    path: Option<PathBuf>,
    known: HashSet<String>,
    order: Vec<String>,
    added: bool,
}

/// `$SNIPCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/snipcheck`, else `~/.cache/snipcheck`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("SNIPCHECK_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("snipcheck")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("snipcheck")))
}

impl Cache {
    /// A cache that remembers nothing and writes nothing.
    pub fn off() -> Cache {
        Cache {
            path: None,
            known: HashSet::new(),
            order: Vec::new(),
            added: false,
        }
    }

    /// Opens the cache in `dir`; an unreadable cache is an empty one.
    pub fn open(dir: Option<PathBuf>) -> Cache {
        let Some(dir) = dir else {
            return Cache::off();
        };
        let path = dir.join("passed");
        let order: Vec<String> = fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        Cache {
            known: order.iter().cloned().collect(),
            order,
            path: Some(path),
            added: false,
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.known.contains(key)
    }

    pub fn insert(&mut self, key: String) {
        if self.path.is_some() && self.known.insert(key.clone()) {
            self.order.push(key);
            self.added = true;
        }
    }

    /// Writes the cache back if anything was added. Failing to is not worth failing a run for.
    pub fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if !self.added {
            return;
        }
        if self.order.len() > MAX_KEYS {
            self.order.drain(..self.order.len() - MAX_KEYS);
        }
        let mut text = self.order.join("\n");
        text.push('\n');
        let _ = write_atomic(path, text.as_bytes());
        self.added = false;
    }
}

/// A 128-bit key over `parts`, as hex. The parts are length-prefixed so that no two different
/// lists hash alike by running together.
pub fn key(parts: &[&str]) -> String {
    let half = |salt: u64| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        FORMAT.hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        for p in parts {
            p.len().hash(&mut h);
            p.hash(&mut h);
        }
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_every_part_and_its_boundaries() {
        assert_eq!(key(&["a", "b"]), key(&["a", "b"]));
        assert_ne!(key(&["a", "b"]), key(&["a", "c"]));
        assert_ne!(key(&["ab", ""]), key(&["a", "b"]));
        assert_eq!(key(&["x"]).len(), 32);
    }

    #[test]
    fn remembers_across_opens_and_off_remembers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::open(Some(dir.path().to_path_buf()));
        assert!(!c.contains("k1"));
        c.insert("k1".into());
        c.save();
        let c = Cache::open(Some(dir.path().to_path_buf()));
        assert!(c.contains("k1"));
        let mut off = Cache::off();
        off.insert("k1".into());
        assert!(!off.contains("k1"));
    }
}
