//! No code. `snapshots/<suite>/*.snap` are written by `cargo xtask
//! run-suite`; cargo-insta searches package roots for them, so this folder
//! is a (trivial) workspace member.
