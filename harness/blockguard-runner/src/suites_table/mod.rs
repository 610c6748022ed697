//! `cargo xtask suites-table`: every suite under plain nextest, `audit` and
//! `check`, as the transparency and findings table of `suites/README.md`.

mod command;
mod error;
pub mod nextest;
mod render;
mod row;

pub use command::run;
