//! Findings where developers act on them. Every denied blocking call of a
//! report, one [`Finding`] per distinct site of a test, said the same way
//! everywhere from the report's model alone:
//!
//! - [`render`]: in the terminal, as rustc writes a diagnostic;
//! - [`sarif`]: a SARIF 2.1.0 log (`--sarif FILE`), for code scanning;
//! - [`github`]: GitHub Actions workflow commands, as annotations;
//! - [`cargo_json`]: cargo's JSON messages (`--message-format json`), for
//!   editors.
//!
//! A site's `file` is relative to its package's root: [`Sources`] knows
//! where each package is.

mod allow_rule;
pub mod cargo_json;
mod explain;
mod finding;
pub mod github;
pub mod render;
#[cfg(test)]
mod sample;
pub mod sarif;
pub(crate) mod site_name;
mod source_line;
mod sources;
mod text;

pub use finding::{Finding, Severity, findings};
pub use site_name::shown as site_shown;
pub use sources::Sources;
