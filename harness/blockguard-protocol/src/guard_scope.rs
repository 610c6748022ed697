//! Which contexts are guarded: `--guard`, and `guard` in a suite file or
//! `blockguard.toml`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The guarded contexts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardScope {
    /// The test's body is a microthread, and so is everything it runs:
    /// "is this library safe to call from a task?"
    #[default]
    Test,
    /// Only executor task polls and blockguard's own spawned microthreads:
    /// "does my async code block inside its tasks?" The test's plain
    /// thread (its body outside any task) is not guarded.
    Tasks,
}

impl GuardScope {
    /// The lowercase name used on the command line and in the environment.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardScope::Test => "test",
            GuardScope::Tasks => "tasks",
        }
    }
}

impl fmt::Display for GuardScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of the scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScope(pub String);

impl fmt::Display for UnknownScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown guard scope `{}` (expected test or tasks)",
            self.0
        )
    }
}

impl std::error::Error for UnknownScope {}

impl FromStr for GuardScope {
    type Err = UnknownScope;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "test" => Ok(GuardScope::Test),
            "tasks" => Ok(GuardScope::Tasks),
            other => Err(UnknownScope(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_by_name_and_others_are_refused() {
        for scope in [GuardScope::Test, GuardScope::Tasks] {
            assert_eq!(scope.as_str().parse(), Ok(scope));
        }
        assert_eq!(GuardScope::default(), GuardScope::Test);
        let refused = "task".parse::<GuardScope>().unwrap_err();
        assert_eq!(
            refused.to_string(),
            "unknown guard scope `task` (expected test or tasks)"
        );
    }
}
