//! Crate names, versions and feature names, checked as cargo and crates.io
//! check them. These strings become folder names, manifest entries and
//! command-line arguments, so one with `../`, a quote or a newline must
//! never get that far. The command line's `name@version` and a suite file's
//! `[suite]` table both go through these functions.

/// The longest crate name crates.io accepts.
pub const MAX_CRATE_NAME: usize = 64;

/// A crate name, version or feature name that cargo would not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Not ASCII letters, digits, `-` and `_` starting with a letter.
    #[error(
        "{0:?} is not a crate name: a crate name is ASCII letters, digits, `-` and `_`, and starts with a letter"
    )]
    Crate(String),
    /// Longer than crates.io allows.
    #[error("the crate name is {0} bytes; crates.io allows at most {MAX_CRATE_NAME}")]
    CrateTooLong(usize),
    /// Not an exact semver version.
    #[error("{version:?} is not an exact version such as 1.0.15: {why}")]
    Version {
        /// What was given.
        version: String,
        /// semver's reason.
        why: String,
    },
    /// Not a feature name, nor `dependency/feature`.
    #[error(
        "{0:?} is not a feature name: ASCII letters, digits, `_`, `-`, `+` and `.`, starting with a letter, digit or `_`; `dependency/feature` for a dependency's feature"
    )]
    Feature(String),
}

/// A crates.io crate name.
pub fn check_crate_name(name: &str) -> Result<(), NameError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(NameError::Crate(name.to_owned()));
    }
    if name.len() > MAX_CRATE_NAME {
        return Err(NameError::CrateTooLong(name.len()));
    }
    Ok(())
}

/// An exact version (`1.0.15`, `0.3.0-alpha.1`): suites pin one, so that
/// reports compare like with like.
pub fn check_version(version: &str) -> Result<(), NameError> {
    semver::Version::parse(version)
        .map(drop)
        .map_err(|e| NameError::Version {
            version: version.to_owned(),
            why: e.to_string(),
        })
}

/// A feature for `cargo --features`: `name` or `dependency/name`.
pub fn check_feature(feature: &str) -> Result<(), NameError> {
    let part_ok = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || "_-+.".contains(c))
    };
    let ok = match feature.split_once('/') {
        Some((dependency, name)) => check_crate_name(dependency).is_ok() && part_ok(name),
        None => part_ok(feature),
    };
    if ok {
        Ok(())
    } else {
        Err(NameError::Feature(feature.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_cargos() {
        for good in ["same-file", "os_pipe", "a", "x86"] {
            assert_eq!(check_crate_name(good), Ok(()), "{good}");
        }
        for bad in [
            "", "../x", "a b", "a\"b", "a\nb", "1x", "-x", "é", "a/b", "a.b",
        ] {
            assert!(check_crate_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_crate_name(&"a".repeat(65)),
            Err(NameError::CrateTooLong(65))
        );
    }

    #[test]
    fn versions_are_exact_semver() {
        for good in ["1.0.6", "0.3.0-alpha.1", "1.2.3+build.5"] {
            assert_eq!(check_version(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "1.0",
            "=1.0.6",
            "1.0.6 ",
            "../1.0.6",
            "1.0.6\"\n[dependencies.evil]",
            "1 || 2",
        ] {
            assert!(check_version(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn features_are_cargos() {
        for good in ["std", "os-poll", "serde/derive", "a.b", "c++", "_x", "2d"] {
            assert_eq!(check_feature(good), Ok(()), "{good}");
        }
        for bad in [
            "", "a b", "a,b", "a\"b", "a\n", "a/b/c", "/x", "x/", "-x", "../x",
        ] {
            assert!(check_feature(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn what_was_given_is_shown_escaped() {
        let shown = check_version("1\n[x]").unwrap_err().to_string();
        assert!(
            shown.starts_with("\"1\\n[x]\" is not an exact version"),
            "{shown}"
        );
    }
}
