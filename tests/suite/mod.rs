mod bad_input;
mod bundled;
mod fidelity;
mod fixtures;
mod records;
mod support;
