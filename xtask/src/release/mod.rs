//! `cargo xtask dist`: the prebuilt `cargo-blockguard` a release carries,
//! named and laid out as cargo-binstall looks for it.
//!
//! - [`binstall`]: the manifest's `[package.metadata.binstall]` templates,
//!   rendered for one target (the one declaration of where the archive
//!   lives and what is in it);
//! - [`dist`]: build, pack and checksum the archive, and check that the
//!   release's tag is the version binstall will ask for.

mod binstall;
mod dist;

pub use dist::{DistArgs, run};
