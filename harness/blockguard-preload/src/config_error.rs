//! Why the environment the runner set is invalid.

use blockguard_protocol::env;
use blockguard_protocol::guard_scope::UnknownScope;
use blockguard_protocol::mode::UnknownMode;

/// A variable of the environment protocol has an invalid value; the
/// message names it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable's value is not text.
    #[error("{name} is not valid UTF-8")]
    NotUtf8 {
        /// The variable.
        name: &'static str,
    },
    /// The mode is not one of the guard modes.
    #[error("{}: {}", env::MODE, .0)]
    Mode(UnknownMode),
    /// The guard scope is not one of the scopes.
    #[error("{}: {}", env::GUARD, .0)]
    Guard(UnknownScope),
    /// The harness is neither of the two kinds.
    #[error("{}: `{}` is neither `libtest` nor `none`", env::HARNESS, .0)]
    Harness(String),
    /// The worker count is not a number in range.
    #[error(
        "{}: `{}` is not a number of workers from 1 to 1024",
        env::FARM_WORKERS,
        .0
    )]
    FarmWorkers(String),
    /// The file of test names cannot be read.
    #[error("{}: cannot read {path}: {source}", env::TESTS)]
    Tests {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The code under test is not named as the protocol says.
    #[error("{}: {}", env::UNDER_TEST, .0)]
    UnderTest(blockguard_protocol::under_test::UnderTestError),
    /// One test and a whole binary were both asked for.
    #[error(
        "{} and {} are both set: a process runs one test or a whole binary",
        env::TEST,
        env::TESTS
    )]
    TestAndTests,
}

#[cfg(test)]
mod tests {
    use super::ConfigError;

    #[test]
    fn each_message_names_its_variable() {
        assert_eq!(
            ConfigError::FarmWorkers("0".to_owned()).to_string(),
            "BLOCKGUARD_FARM_WORKERS: `0` is not a number of workers from 1 to 1024"
        );
        assert_eq!(
            ConfigError::Harness("x".to_owned()).to_string(),
            "BLOCKGUARD_HARNESS: `x` is neither `libtest` nor `none`"
        );
        assert_eq!(
            ConfigError::TestAndTests.to_string(),
            "BLOCKGUARD_TEST and BLOCKGUARD_TESTS are both set: a process runs one test or a whole binary"
        );
    }
}
