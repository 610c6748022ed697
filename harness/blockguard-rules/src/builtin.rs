//! The built-in allowances, shipped as a readable rules file.

use crate::file::RulesFile;
use crate::parse::parse_str;

/// The text of `builtin-rules.toml`.
pub const BUILTIN_TOML: &str = include_str!("../builtin-rules.toml");

/// The text of `builtin-executors.toml`.
pub const BUILTIN_EXECUTORS_TOML: &str = include_str!("../builtin-executors.toml");

/// The executors blockguard knows and their own waits, with ids
/// `executors:machinery[N]`.
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file parses.
pub fn builtin_executors() -> RulesFile {
    parse_str(
        BUILTIN_EXECUTORS_TOML,
        "builtin-executors.toml",
        "executors",
    )
    .unwrap_or_else(|e| panic!("the shipped builtin-executors.toml is invalid: {e}"))
}

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
    use super::{builtin, builtin_executors};

    #[test]
    fn builtin_executors_parse() {
        let file = builtin_executors();
        let names: Vec<&str> = file.executors.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["tokio", "smol", "async-std", "futures-lite", "futures"]
        );
        assert!(file.allow.is_empty());
        assert!(
            file.machinery
                .iter()
                .all(|m| m.id.starts_with("executors:machinery[") && !m.reason.is_empty())
        );
    }

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
