//! The one error of this crate: a mistake at a place in a rules file.

use std::fmt;

/// A rules file could not be read or is wrong at a known place.
#[derive(Debug)]
pub struct RulesError {
    /// The file's display path or label.
    pub file: String,
    /// 1-based line of the offending key or value; 0 when the file could
    /// not be read at all.
    pub line: usize,
    /// 1-based column (in characters); 0 when `line` is 0.
    pub column: usize,
    /// Dotted path of the offending key, e.g. `allow[2].within`.
    pub key: Option<String>,
    /// What is wrong.
    pub kind: RulesErrorKind,
}

/// What is wrong with a rules file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesErrorKind {
    /// The file could not be read.
    #[error("cannot read the rules file: {0}")]
    Io(std::io::Error),
    /// The text is not valid TOML.
    #[error("invalid TOML: {0}")]
    Syntax(String),
    /// A key or table this format does not define.
    #[error("unknown key (expected one of: {expected})")]
    UnknownKey {
        /// The keys allowed at this place, comma-separated.
        expected: String,
    },
    /// A value of the wrong TOML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What this key takes.
        expected: &'static str,
        /// The TOML type that was given.
        found: &'static str,
    },
    /// A required key is absent.
    #[error("missing required key `{0}`")]
    Missing(&'static str),
    /// A string or array that must have content is empty.
    #[error("must not be empty")]
    Empty,
    /// An integer that does not fit (file descriptors are `i32`).
    #[error("integer {0} is out of range")]
    OutOfRange(i64),
    /// A glob that does not compile.
    #[error("invalid glob: {0}")]
    BadGlob(String),
    /// A regex that does not compile.
    #[error("invalid regex: {0}")]
    BadRegex(String),
    /// A glob or regex longer than its limit (see [`crate::MAX_GLOB_BYTES`]).
    #[error("the {pattern} is {bytes} bytes; the limit is {limit}")]
    TooLong {
        /// `glob` or `regex`.
        pattern: &'static str,
        /// Its length.
        bytes: usize,
        /// The limit for its kind.
        limit: usize,
    },
    /// A crate name, version or feature that cargo would not accept.
    #[error("{0}")]
    BadName(crate::names::NameError),
    /// A class name that is not one of the guard classes.
    #[error("{0}")]
    BadClass(blockguard_protocol::class::UnknownClass),
    /// A mode name that is not one of the guard modes.
    #[error("{0}")]
    BadMode(blockguard_protocol::mode::UnknownMode),
    /// A guard scope that is not `test` or `tasks`.
    #[error("{0}")]
    BadScope(blockguard_protocol::guard_scope::UnknownScope),
    /// A duration that does not parse.
    #[error("invalid duration: {0}")]
    BadDuration(crate::DurationError),
    /// An `[[allow]]` rule with no condition would allow every call.
    #[error(
        "an allow rule needs at least one of `call`, `class`, `within`, `fds` or `contended`; without them it would allow every call"
    )]
    NoCondition,
    /// `[suite]` names both a crates.io crate and a local path.
    #[error("`crate` and `path` are exclusive: give one")]
    CrateAndPath,
    /// A `[[machinery]]` table names an executor no `[[executor]]` declares.
    #[error("no `[[executor]]` named {0:?} is declared before this table")]
    UnknownExecutor(String),
    /// A `[[machinery]]` table without `within` would allow every call.
    #[error("a machinery rule needs `within`: without it it would allow every call")]
    NoMachineryFrames,
    /// `[suite]`'s `env` names something no shell could set.
    #[error(
        "{0:?} is not a variable name: ASCII letters, digits and `_`, not starting with a digit"
    )]
    BadVariable(String),
    /// `[suite]`'s `env` names a variable that looks like a credential.
    #[error(
        "{0} looks like a credential, and a sandboxed suite is never given one (its value is redacted from every output instead)"
    )]
    CredentialVariable(String),
    /// `contended` with a value other than `allow`.
    #[error("{0:?} is not a way to judge contended calls: the one value is \"allow\"")]
    BadContended(String),
    /// `[suite]` names neither a crates.io crate nor a local path.
    #[error("`[suite]` needs `crate` (a crates.io name) or `path` (a local crate)")]
    NoCrateOrPath,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        // Line 0 means "no position" (the file could not be read).
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, " `{key}`:")?;
        }
        write!(f, " {}", self.kind)
    }
}

impl std::error::Error for RulesError {}
