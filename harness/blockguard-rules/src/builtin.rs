//! The built-in allowances, shipped as a readable rules file.

use crate::file::RulesFile;
use crate::parse::parse_str;

/// The text of `builtin-rules.toml`.
pub const BUILTIN_TOML: &str = include_str!("../builtin-rules.toml");

/// The built-in allowances, with ids `builtin:allow[N]`.
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file parses.
pub fn builtin() -> RulesFile {
    parse_str(BUILTIN_TOML, "builtin-rules.toml", "builtin")
        .unwrap_or_else(|e| panic!("the shipped builtin-rules.toml is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::builtin;

    #[test]
    fn builtin_rules_parse() {
        let rules = builtin();
        assert!(rules.suite.is_none());
        assert!(!rules.allow.is_empty());
        assert!(
            rules
                .allow
                .iter()
                .all(|r| r.id.starts_with("builtin:allow["))
        );
    }
}
