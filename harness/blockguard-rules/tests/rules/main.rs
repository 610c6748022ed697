//! The crate's one integration test binary.

mod errors;
mod files;
mod matching;
