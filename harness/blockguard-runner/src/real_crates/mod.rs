//! `cargo xtask real-crates`: the precision gate. A pinned list of real
//! crates (`real-crates/*.toml`) runs through `cargo blockguard test` in
//! audit mode, compared with plain `cargo test` (transparency), and in
//! check mode, compared with reviewed expectations (each denied call and
//! why it is right). Any drift fails.

mod command;
mod compare;
mod crate_file;
mod error;
mod guarded;
mod libtest_output;
mod plain;
mod render;
mod row;
mod server;
mod source;

pub use command::run;
