//! Claims against outcomes. In: a snippet's claims and the `Outcome` of building and running it.
//! Out: the outcome's stable form (`normalize`: an ordered list of named rules that remove what
//! changes between runs and machines) and a `Failure` value for every claim that does not hold
//! (`compare`), with `// ERROR` patterns read as Go regexps (`goregexp`). A new claim kind is parsed in `grammar` and checked in `compare`.

pub mod compare;
pub mod goregexp;
pub mod grammar;
pub mod normalize;
