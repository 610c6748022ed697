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

/// Each of `ways` ways measured in each of `rounds` rounds, all in turn,
/// the order reversed every other round so that neither end of a round
/// favours one way; `measure(i, figures)` adds way `i`'s figures.
pub fn in_turn(
    rounds: usize,
    ways: usize,
    mut measure: impl FnMut(usize, &mut Vec<f64>),
) -> Vec<Vec<f64>> {
    let mut figures: Vec<Vec<f64>> = vec![Vec::new(); ways];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..ways).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            measure(i, &mut figures[i]);
        }
    }
    figures
}
