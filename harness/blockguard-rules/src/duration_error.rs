//! Why a duration in a suite file does not parse.

/// A duration that does not parse: the text, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}`: {problem} (expected e.g. \"60s\", \"500ms\", \"2m\", \"1h\" or \"1m30s\")")]
pub struct DurationError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub problem: DurationProblem,
}

/// What is wrong with a duration's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationProblem {
    /// Nothing was given.
    #[error("it is empty")]
    Empty,
    /// A unit with no number before it.
    #[error("a number must come before each unit")]
    NoNumber,
    /// A number that does not fit in 64 bits.
    #[error("the number is too large")]
    NumberTooLarge,
    /// A number with no unit after it.
    #[error("a unit must follow each number")]
    NoUnit,
    /// A unit other than `h`, `m`, `s`, `ms` and `us`.
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    /// The sum does not fit in a `Duration`.
    #[error("it is too large")]
    TooLarge,
    /// Zero in all.
    #[error("it must be longer than zero")]
    Zero,
}
