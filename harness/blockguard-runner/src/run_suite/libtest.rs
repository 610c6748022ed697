//! libtest flags that libtest-mimic parses but libtest itself refuses,
//! refused with libtest's own words, before anything runs
//! (`--test-threads 0` made libtest-mimic wait forever on no threads).
//!
//! What libtest-mimic does not parse at all is already refused by its
//! parser before anything runs: `--format junit`, and libtest's unstable
//! `--shuffle`, `--shuffle-seed`, `--report-time`, `--ensure-time`,
//! `--exclude-should-panic` and `--force-run-in-process` (none of which
//! this front end could honour). libtest's `-Z unstable-options` unlocks
//! `--format json` as it does on a nightly toolchain: the front end has no
//! release channel, and its JSON is libtest-mimic's.

use super::error::RunSuiteError;
use clap::Parser;
use libtest_mimic::{Arguments, FormatSetting};

/// A flag combination libtest refuses; the messages are libtest's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// `--test-threads 0`.
    #[error("argument for --test-threads must not be 0")]
    ZeroTestThreads,
    /// `--ignored` with `--include-ignored`.
    #[error("the options --include-ignored and --ignored are mutually exclusive")]
    IgnoredAndIncludeIgnored,
    /// `--format json` without `-Z unstable-options`.
    #[error(
        "The \"json\" format is only accepted on the nightly compiler with -Z unstable-options"
    )]
    UnstableJson,
}

/// Refuses what libtest would refuse of the parsed flags.
pub fn as_libtest_would(args: &Arguments) -> Result<(), Refused> {
    if args.test_threads == Some(0) {
        return Err(Refused::ZeroTestThreads);
    }
    if args.ignored && args.include_ignored {
        return Err(Refused::IgnoredAndIncludeIgnored);
    }
    if args.format == Some(FormatSetting::Json) && args.unstable_flags.is_none() {
        return Err(Refused::UnstableJson);
    }
    Ok(())
}

/// Parses the libtest flags a run was given, and refuses what libtest
/// itself would refuse.
pub(crate) fn libtest_args(flags: &[String]) -> Result<Arguments, RunSuiteError> {
    let argv = std::iter::once("run-suite --").chain(flags.iter().map(String::as_str));
    let parsed = Arguments::try_parse_from(argv)
        .map_err(|e| RunSuiteError::LibtestArgs(e.to_string().trim().to_owned()))?;
    as_libtest_would(&parsed).map_err(|e| RunSuiteError::LibtestArgs(e.to_string()))?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(flags: &[&str]) -> Result<(), Refused> {
        let argv = std::iter::once("run-suite --").chain(flags.iter().copied());
        as_libtest_would(&Arguments::try_parse_from(argv).expect("libtest-mimic parses it"))
    }

    #[test]
    fn what_libtest_refuses_is_refused_with_its_words() {
        assert_eq!(
            check(&["--test-threads", "0"]),
            Err(Refused::ZeroTestThreads)
        );
        assert_eq!(
            check(&["--ignored", "--include-ignored"]),
            Err(Refused::IgnoredAndIncludeIgnored)
        );
        assert_eq!(check(&["--format", "json"]), Err(Refused::UnstableJson));
        assert_eq!(
            Refused::ZeroTestThreads.to_string(),
            "argument for --test-threads must not be 0"
        );
    }

    #[test]
    fn what_libtest_takes_is_taken() {
        for flags in [
            &[][..],
            &["--test-threads", "1"],
            &["--include-ignored"],
            &["--format", "terse", "--exact", "a::b"],
            &["-Z", "unstable-options", "--format", "json"],
        ] {
            assert_eq!(check(flags), Ok(()), "{flags:?}");
        }
    }
}
