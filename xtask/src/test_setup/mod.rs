//! `cargo xtask test`: installs what blockguard's own tests need when it
//! is missing, then runs them (`cargo test --workspace`).
//!
//! - [`disk`]: the free space where they build, said before the first build;
//! - [`tools`]: the tools the tests use, each with how to tell it is here
//!   and how to install it, declared once;
//! - [`run`]: the command: find what is missing, install it (or with
//!   `--dry-run` say how), then the tests.

mod disk;
mod run;
mod tools;

pub use run::{TestArgs, run};
