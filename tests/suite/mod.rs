mod bad_input;
mod bundled;
mod fidelity;
mod fixtures;
mod list;
mod records;
mod support;
