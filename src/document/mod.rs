//! Stage 1, documents -> snippets. In: the paths the user named (files and folders). Out: each
//! Markdown document's text (`discover`), and the `Snippet`s in it (`extract`): code, Markdown
//! line, id, attributes (`attributes`) and the claims its comments make (read by
//! `claims::grammar`); a txtar block becomes several files
//! (`txtar`); a snippet with claims about particular Go versions becomes one variant per
//! version (`variants`). Nothing here runs Go.

pub mod attributes;
pub mod discover;
pub mod extract;
pub mod txtar;
pub mod variants;
