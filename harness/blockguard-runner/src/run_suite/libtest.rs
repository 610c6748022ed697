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
use std::ops::{Deref, DerefMut};

/// libtest's flags as a run takes them: libtest-mimic's parse, and every
/// filter. libtest takes several filters (a test any of them matches
/// runs); libtest-mimic takes one, so with more than one the run chooses
/// its tests itself.
#[derive(Debug, Clone)]
pub struct Libtest {
    /// The flags; `filter` set only when there is exactly one.
    pub args: Arguments,
    /// Every filter given.
    pub filters: Vec<String>,
}

impl Libtest {
    /// Whether test `name` (`binary::name`) is chosen as libtest chooses:
    /// a filter matches it (any test, without filters) and no `--skip`
    /// does; with `--exact`, by the whole name.
    pub fn chooses(&self, name: &str) -> bool {
        let matches = |pattern: &str| match self.args.exact {
            true => name == pattern,
            false => name.contains(pattern),
        };
        (self.filters.is_empty() || self.filters.iter().any(|f| matches(f)))
            && !self.args.skip.iter().any(|s| matches(s))
    }

    /// Whether the filters choose the test, where libtest-mimic cannot
    /// (more than one filter).
    pub fn filters_choose(&self, name: &str) -> bool {
        self.filters.len() <= 1 || self.chooses(name)
    }

    /// No filter, no `--skip`, no `--ignored`: every test had its chance.
    pub fn unfiltered(&self) -> bool {
        self.filters.is_empty() && self.args.skip.is_empty() && !self.args.ignored
    }
}

impl Deref for Libtest {
    type Target = Arguments;
    fn deref(&self) -> &Arguments {
        &self.args
    }
}

impl DerefMut for Libtest {
    fn deref_mut(&mut self) -> &mut Arguments {
        &mut self.args
    }
}

/// libtest-mimic's options that take a value (`--skip X` or `--skip=X`).
const TAKES_A_VALUE: [&str; 6] = [
    "--test-threads",
    "--logfile",
    "--skip",
    "--color",
    "--format",
    "-Z",
];

/// Splits the flags into options (with their values) and filters.
fn filters_apart(flags: &[String]) -> (Vec<&str>, Vec<String>) {
    let (mut options, mut filters) = (Vec::new(), Vec::new());
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        if !flag.starts_with('-') || flag == "-" {
            filters.push(flag.clone());
            continue;
        }
        options.push(flag.as_str());
        if TAKES_A_VALUE.contains(&flag.as_str())
            && let Some(value) = flags.next()
        {
            options.push(value);
        }
    }
    (options, filters)
}

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

/// Parses the libtest flags a run was given (after `--`), and refuses
/// what libtest itself would refuse.
pub(crate) fn libtest_args(flags: &[String]) -> Result<Libtest, RunSuiteError> {
    let (options, filters) = filters_apart(flags);
    let argv = std::iter::once("[libtest flags after --]").chain(options);
    let mut parsed = Arguments::try_parse_from(argv)
        .map_err(|e| RunSuiteError::LibtestArgs(e.to_string().trim().to_owned()))?;
    as_libtest_would(&parsed).map_err(|e| RunSuiteError::LibtestArgs(e.to_string()))?;
    parsed.filter = match filters.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    Ok(Libtest {
        args: parsed,
        filters,
    })
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

    fn parsed(flags: &[&str]) -> Libtest {
        let flags: Vec<String> = flags.iter().map(|f| (*f).to_owned()).collect();
        libtest_args(&flags).expect("libtest takes it")
    }

    #[test]
    fn several_filters_choose_what_any_of_them_matches() {
        let two = parsed(&["one", "--skip", "slow", "--test-threads", "2", "two"]);
        assert_eq!(two.filters, ["one", "two"]);
        assert_eq!((two.filter.as_deref(), two.test_threads), (None, Some(2)));
        assert!(two.chooses("b::one") && two.chooses("b::two_more"));
        assert!(!two.chooses("b::three") && !two.chooses("b::one_slow"));
        assert!(!two.unfiltered());
        let one = parsed(&["--exact", "b::one"]);
        assert_eq!(one.filter.as_deref(), Some("b::one"));
        assert!(one.chooses("b::one") && !one.chooses("b::one_more"));
        assert!(parsed(&["--format=terse", "--nocapture"]).unfiltered());
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
