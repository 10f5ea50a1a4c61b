//! The one integration-test binary: snipcheck run as a user runs it, on fixture documents, with
//! the real Go toolchain.

mod suite;
