//! Snippets -> the variants that run. A snippet with claims about particular Go versions
//! (`// Output (go1.21):`) becomes one variant per version, each with its own id, record and
//! language version; every other snippet is itself.

use crate::error::{Error, Problem};
use crate::snippet::{GoVersion, Snippet};

/// A snippet with claims about particular Go versions (`// Output (go1.21):`) runs once per
/// version, as a variant with its own id (`1028@go1.21`), record and language version; each
/// variant is held to the claims about its version and to the claims about every version.
/// `go1.22+` is checked at 1.22 and at the toolchain's own version (the variant `@latest`).
pub fn expand_versions(snippets: Vec<Snippet>, current: GoVersion) -> Result<Vec<Snippet>, Error> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for s in snippets {
        // (suffix, version): exact versions by name; the installed toolchain as `latest`, so
        // that its record keeps its name across Go upgrades.
        let mut variants = std::collections::BTreeMap::new();
        for spec in s.claims.iter().filter_map(|c| c.go) {
            variants.insert(format!("go{}", spec.version), spec.version);
            if spec.and_later {
                variants.insert("latest".to_string(), current.max(spec.version));
            }
        }
        if variants.is_empty() {
            out.push(s);
            continue;
        }
        if s.attrs.go.is_some() {
            problems.push(Problem::new(
                format!("{}:{}", s.doc.display(), s.line),
                "`go=` and claims about particular Go versions contradict each other; keep one",
            ));
            continue;
        }
        for (suffix, v) in variants {
            let mut variant = s.clone();
            variant.id = format!("{}@{suffix}", s.id);
            variant.attrs.go = Some(v);
            variant.attrs.min_go = Some(v.max(s.attrs.min_go.unwrap_or(v)));
            variant
                .claims
                .retain(|c| c.go.is_none_or(|g| g.holds_for(v)));
            out.push(variant);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Problems(problems))
    }
}
