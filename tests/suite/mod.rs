mod bad_input;
mod bundled;
mod fixtures;
mod records;
mod support;
