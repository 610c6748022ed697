//! Why the launcher's command line does not parse.

/// The command line does not parse.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// The arguments end before `--`.
    #[error("no `--` before the program")]
    NoSeparator,
    /// A flag is last, with no value.
    #[error("{0} needs a value")]
    NoValue(String),
    /// `--limits` does not parse.
    #[error("--limits takes MEMORY:FILE_SIZE:PROCESSES")]
    BadLimits,
    /// A pid flag's value is not a positive number.
    #[error("{0} takes a pid")]
    NotAPid(&'static str),
    /// A flag the launcher does not take.
    #[error("unknown flag {0}")]
    UnknownFlag(String),
    /// An argument of the program cannot be passed to `execvp`.
    #[error("an argument has a NUL byte")]
    NulByte,
    /// Nothing after `--`.
    #[error("no program after `--`")]
    NoProgram,
    /// Two ways to get the test's namespaces were both asked for (a
    /// sandbox of its own and the run's, or the run's PID namespace and a
    /// sandbox).
    #[error("{0} and {1} exclude each other")]
    Exclusive(&'static str, &'static str),
    /// The runner's pid is missing.
    #[error("--parent is required")]
    NoParent,
}

#[cfg(test)]
mod tests {
    use crate::args::Args;
    use std::ffi::OsString;

    fn error(argv: &[&str]) -> String {
        match Args::parse(argv.iter().map(OsString::from)) {
            Ok(_) => panic!("{argv:?} parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn each_mistake_is_named() {
        assert_eq!(error(&["--parent"]), "--parent needs a value");
        assert_eq!(error(&["--parent", "0", "--", "x"]), "--parent takes a pid");
        assert_eq!(error(&["--bogus", "1"]), "unknown flag --bogus");
        assert_eq!(error(&["--parent", "1"]), "no `--` before the program");
        assert_eq!(error(&["--parent", "1", "--"]), "no program after `--`");
        assert_eq!(error(&["--", "x"]), "--parent is required");
        assert_eq!(
            error(&[
                "--sandbox",
                "--join-sandbox",
                "2",
                "--parent",
                "1",
                "--",
                "x"
            ]),
            "--sandbox and --join-sandbox exclude each other"
        );
        assert_eq!(
            error(&[
                "--join-sandbox",
                "2",
                "--join-pids",
                "3",
                "--parent",
                "1",
                "--",
                "x"
            ]),
            "--join-pids and --join-sandbox exclude each other"
        );
    }
}
