//! What marks a folder as a nightly report: the marker file written first,
//! and the schema of its `results.json`.

/// The `schema` of every `results.json`.
pub const SCHEMA: &str = "blockguard-nightly/1";

/// Written first into every report folder, so that even an interrupted
/// night's folder is known for one.
pub const MARKER: &str = ".blockguard-nightly";
