mod bad_input;
mod bundled;
mod fixtures;
mod fuzz_corpus;
mod hostile;
mod records;
mod support;
