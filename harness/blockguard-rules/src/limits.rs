//! How long a pattern may be, checked on its text before it is compiled.
//!
//! Every guarded process compiles the rules file's patterns and runs them
//! against every frame of every blocking call, so a pattern's cost is paid
//! many times over; nothing bounded globs (a 10 KB `within` took seconds),
//! and the regex crate's own limit is on the compiled program, which it
//! reaches only after parsing. Real rules are well under 100 bytes.

use crate::error::RulesErrorKind;

/// The longest glob (`within`, `tests`), in bytes.
pub const MAX_GLOB_BYTES: usize = 1024;
/// The longest regex (`message`), in bytes.
pub const MAX_REGEX_BYTES: usize = 4096;

/// A glob's text is within [`MAX_GLOB_BYTES`].
pub(crate) fn glob(text: &str) -> Result<(), RulesErrorKind> {
    bounded("glob", text, MAX_GLOB_BYTES)
}

/// A regex's text is within [`MAX_REGEX_BYTES`].
pub(crate) fn regex(text: &str) -> Result<(), RulesErrorKind> {
    bounded("regex", text, MAX_REGEX_BYTES)
}

fn bounded(pattern: &'static str, text: &str, limit: usize) -> Result<(), RulesErrorKind> {
    if text.len() > limit {
        return Err(RulesErrorKind::TooLong {
            pattern,
            bytes: text.len(),
            limit,
        });
    }
    Ok(())
}
