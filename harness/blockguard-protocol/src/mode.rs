//! What the guards do with a denied call.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The guard mode of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A denied call is not executed; the microthread stops there.
    Deny,
    /// A denied call is executed and recorded; the test ends `blocked`.
    #[default]
    Check,
    /// Every call is executed and recorded; the outcome is untouched.
    Audit,
    /// A guarded call runs on a worker thread while the microthread waits.
    Farm,
}

impl Mode {
    /// The lowercase name used on the command line and in the environment.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Deny => "deny",
            Mode::Check => "check",
            Mode::Audit => "audit",
            Mode::Farm => "farm",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of the modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown mode `{}` (expected deny, check, audit or farm)",
            self.0
        )
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "deny" => Ok(Mode::Deny),
            "check" => Ok(Mode::Check),
            "audit" => Ok(Mode::Audit),
            "farm" => Ok(Mode::Farm),
            other => Err(UnknownMode(other.to_owned())),
        }
    }
}
