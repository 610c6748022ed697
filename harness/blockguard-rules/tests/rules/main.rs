//! The crate's one integration test binary.

mod compiled;
mod errors;
mod files;
mod matching;
