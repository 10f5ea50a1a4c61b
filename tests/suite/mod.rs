mod bad_input;
mod bundled;
mod fixtures;
mod hostile;
mod records;
mod support;
