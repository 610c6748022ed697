//! What the repository-level benches share: the guard that makes `cargo
//! test` skip them, the repository's root, and medians.

// Each bench uses its own part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository's root when cargo runs `name` as a bench; `None`, after
/// saying how to run it, when `cargo test` runs it as a plain target.
pub fn root_when_benching(name: &str) -> Option<PathBuf> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("{name}: a benchmark; run it with `cargo bench -p xtask --bench {name}`");
        return None;
    }
    Some(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask sits in the repository")
            .to_path_buf(),
    )
}

/// The median of `xs` (the mean of the middle two for an even count).
pub fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}
