//! The code under test, as the runner tells the runtime
//! ([`crate::env::UNDER_TEST`]): the packages being tested, each with the
//! crate names of its targets and its root folder. A frame of one of those
//! crates is the code under test; a file inside its package's root is
//! named relative to it.
//!
//! The value is one line per package, `CRATE,CRATE,…=ROOT`: crate names
//! hold no `,`, `=` or newline, and the root is everything after the first
//! `=` (empty when it cannot be said: a root that is not UTF-8 or holds a
//! newline).

use std::path::PathBuf;

/// One package under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The crate names of its targets (`-` written `_`, as rustc names
    /// crates): its lib, and each test, bin and example target.
    pub crates: Vec<String>,
    /// Its root folder (`CARGO_MANIFEST_DIR`), if known.
    pub root: Option<PathBuf>,
}

/// A value that is not lines of `CRATES=ROOT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnderTestError {
    /// The line at fault.
    pub line: String,
}

impl std::fmt::Display for UnderTestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not `CRATE,CRATE,…=ROOT` (crate names of ASCII letters, digits and `_`)",
            self.line
        )
    }
}

impl std::error::Error for UnderTestError {}

/// The crate name rustc gives a cargo target named `target`.
pub fn crate_name(target: &str) -> String {
    target.replace('-', "_")
}

/// The variable's value for `packages`.
pub fn encode(packages: &[Package]) -> String {
    let mut out = String::new();
    for package in packages {
        let crates: Vec<&str> = package
            .crates
            .iter()
            .map(String::as_str)
            .filter(|c| is_crate_name(c))
            .collect();
        if crates.is_empty() {
            continue;
        }
        let root = package
            .root
            .as_deref()
            .and_then(|r| r.to_str())
            .filter(|r| !r.contains('\n'))
            .unwrap_or_default();
        out.push_str(&crates.join(","));
        out.push('=');
        out.push_str(root);
        out.push('\n');
    }
    out
}

/// The packages a value names.
pub fn decode(text: &str) -> Result<Vec<Package>, UnderTestError> {
    let mut packages = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let bad = || UnderTestError {
            line: line.to_owned(),
        };
        let (crates, root) = line.split_once('=').ok_or_else(bad)?;
        let crates: Vec<String> = crates.split(',').map(str::to_owned).collect();
        if !crates.iter().all(|c| is_crate_name(c)) {
            return Err(bad());
        }
        packages.push(Package {
            crates,
            root: (!root.is_empty()).then(|| PathBuf::from(root)),
        });
    }
    Ok(packages)
}

fn is_crate_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_travel_through_the_value() {
        let packages = vec![
            Package {
                crates: vec!["r2d2".into(), "r2d2_tests".into()],
                root: Some("/src/r2d2 = the pool,1".into()),
            },
            Package {
                crates: vec!["alpha".into()],
                root: None,
            },
        ];
        let value = encode(&packages);
        assert_eq!(value, "r2d2,r2d2_tests=/src/r2d2 = the pool,1\nalpha=\n");
        assert_eq!(decode(&value), Ok(packages));
    }

    #[test]
    fn a_root_that_cannot_be_a_line_is_left_out_and_bad_lines_are_errors() {
        let odd = [Package {
            crates: vec!["a".into()],
            root: Some("/x\ny".into()),
        }];
        assert_eq!(encode(&odd), "a=\n");
        assert!(decode("no equals sign").is_err());
        assert!(decode("a-b=/x").is_err());
        assert!(decode("a,,b=/x").is_err());
        assert_eq!(crate_name("my-tests"), "my_tests");
    }
}
