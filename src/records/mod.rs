//! What is kept between runs. In: outcomes and decisions. Out: files. `expected` reads and
//! writes the committed records (`expected/<doc>/<id>.toml`); `pending` finds the `.toml.new`
//! results and orphaned records that `review` goes through; `cache` remembers which snippets
//! passed with nothing changed; `rewrite` edits a document's claims to match an accepted result.

pub mod cache;
pub mod expected;
pub mod pending;
pub mod rewrite;
