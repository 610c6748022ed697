//! The record folder (`exec --record DIR`): what the doctest runner
//! ([`super::doctests`]) and the target runner ([`super::exec`]) agree on.
//! The doctest runner writes the doctests' names and the ones to skip
//! before `cargo test --doc` runs; the target runner, run once per
//! doctest, takes the next name and writes its record.

use crate::schema::TestEntry;

/// Under a `--record` folder: the doctests' names in the order they will
/// run, one per line (written by `cargo blockguard test` beforehand) ...
pub const RECORD_NAMES: &str = "names";
/// ... those of them the caller's filters did not choose, which the
/// runner skips ...
pub const RECORD_SKIP: &str = "skip";
/// ... and the records, numbered in the order they ran (a skipped
/// doctest's number is taken by an empty `.skipped` file).
pub const RECORD_RUNS: &str = "runs";

/// One guarded doctest's result, as `--record` writes it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DoctestRun {
    /// The report entry (named by number: the caller knows the name).
    pub entry: TestEntry,
    /// Ids of the rules that matched.
    pub matched_rules: std::collections::BTreeSet<String>,
}
