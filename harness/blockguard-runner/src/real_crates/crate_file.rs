//! A pinned real crate and what its check run is expected to deny:
//! `real-crates/<name>.toml`, one file per crate.

use super::error::RealCratesError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One file of the list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateFile {
    /// The crate and how it is run.
    #[serde(rename = "crate")]
    pub krate: CrateSpec,
    /// Each denied call check mode is expected to report, with why.
    #[serde(default)]
    pub expect: Vec<Expected>,
    /// Tests whose end varies from run to run without the guards: left
    /// out of the transparency comparison, with why.
    #[serde(default)]
    pub flaky: Vec<Flaky>,
    /// The file it was read from.
    #[serde(skip)]
    pub file: PathBuf,
}

/// The crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateSpec {
    /// Its name on crates.io.
    pub name: String,
    /// The pinned version (crates.io); absent with `path`.
    #[serde(default)]
    pub version: Option<String>,
    /// A local crate instead, relative to this file's folder.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// What kind of async crate it is (executor, pool, channel, http,
    /// database, ...): shown in the table.
    pub kind: String,
    /// libtest arguments for both runs (filters, `--skip`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Cargo features for both runs.
    #[serde(default)]
    pub features: Vec<String>,
    /// Variables every run's tests get (a database's address).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// A server the tests talk to over loopback, started for the crate's
    /// runs and ended after them.
    #[serde(default)]
    pub server: Option<Server>,
}

/// A loopback server for a crate's tests (a database driver's).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// The program and its arguments.
    pub run: Vec<String>,
    /// The loopback port it listens on: the runs start once it accepts.
    pub port: u16,
}

/// One denied call the check run reports, and why that is right. `test`,
/// `call` and `site` match whole; `*` in them stands for any run of
/// characters, so one reviewed pattern may cover many tests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The test, `binary::name`.
    pub test: String,
    /// The libc function or syscall (`futex_wait`, `read`).
    pub call: String,
    /// The site: the innermost frame of the code under test.
    pub site: String,
    /// Why this denial is right (required: an expectation is a reviewed
    /// finding, not a recording).
    pub why: String,
    /// It depends on timing: seen in some runs, not in others.
    #[serde(default)]
    pub sometimes: bool,
}

/// A test that passes or fails by timing under plain `cargo test` too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flaky {
    /// The test, `binary::name`.
    pub test: String,
    /// What makes it flaky, seen without the guards.
    pub why: String,
}

impl CrateFile {
    /// Reads and checks one file.
    pub fn load(path: &Path) -> Result<CrateFile, RealCratesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RealCratesError::Io {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |message: String| RealCratesError::Invalid {
            path: path.to_owned(),
            message,
        };
        let mut file: CrateFile = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        file.file = path.to_owned();
        match (&file.krate.version, &file.krate.path) {
            (Some(_), Some(_)) => {
                return Err(invalid(at(
                    &text,
                    "path",
                    "`crate.version` and `crate.path` exclude each other",
                )));
            }
            (None, None) => {
                return Err(invalid(at(
                    &text,
                    "[crate]",
                    "`crate` needs `version` (crates.io) or `path`",
                )));
            }
            _ => {}
        }
        for (i, expected) in file.expect.iter().enumerate() {
            for (key, value) in [
                ("test", &expected.test),
                ("call", &expected.call),
                ("site", &expected.site),
                ("why", &expected.why),
            ] {
                if value.trim().is_empty() {
                    return Err(invalid(format!(
                        "line {}: key `expect[{i}].{key}` must not be empty{}",
                        nth_table_line(&text, "[[expect]]", i),
                        if key == "why" {
                            ": say why this denial is right"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
        for (i, flaky) in file.flaky.iter().enumerate() {
            if flaky.why.trim().is_empty() || flaky.test.trim().is_empty() {
                return Err(invalid(format!(
                    "line {}: `flaky[{i}]` needs a `test` and a `why` (what makes it flaky without the guards)",
                    nth_table_line(&text, "[[flaky]]", i),
                )));
            }
        }
        Ok(file)
    }

    /// The crate's label: `name version` or `name (path)`.
    pub fn label(&self) -> String {
        match &self.krate.version {
            Some(version) => format!("{} {version}", self.krate.name),
            None => format!("{} (path)", self.krate.name),
        }
    }

    /// A local crate's folder.
    pub fn local_dir(&self) -> Option<PathBuf> {
        let path = self.krate.path.as_ref()?;
        let base = self.file.parent().unwrap_or(Path::new("."));
        Some(base.join(path))
    }
}

/// Every `*.toml` in `dir`, by name; `only` keeps those crates.
pub fn load_all(dir: &Path, only: &[String]) -> Result<Vec<CrateFile>, RealCratesError> {
    let io = |source| RealCratesError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let files = paths
        .iter()
        .map(|p| CrateFile::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    for name in only {
        if !files.iter().any(|f| &f.krate.name == name) {
            return Err(RealCratesError::Unknown {
                name: name.clone(),
                dir: dir.to_owned(),
            });
        }
    }
    Ok(files
        .into_iter()
        .filter(|f| only.is_empty() || only.contains(&f.krate.name))
        .collect())
}

/// `line N: MESSAGE`, at the first line that starts with `needle`.
fn at(text: &str, needle: &str, message: &str) -> String {
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with(needle))
        .map_or(1, |i| i + 1);
    format!("line {line}: {message}")
}

/// The line of the `n`th (0-based) `[[expect]]` table.
fn nth_table_line(text: &str, header: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(n)
        .map_or(1, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<CrateFile, String> {
        let dir = std::env::temp_dir().join(format!("bg-crate-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.toml", text.len()));
        std::fs::write(&path, text).unwrap();
        CrateFile::load(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn a_pinned_crate_with_a_reviewed_expectation_loads() {
        let file = load(
            "[crate]\nname = \"blocking\"\nversion = \"1.7.0\"\nkind = \"executor\"\n\n\
             [[expect]]\ntest = \"unblock::chan\"\ncall = \"futex_wait\"\n\
             site = \"unblock::chan\"\nwhy = \"recv_blocking in a poll\"\n",
        )
        .unwrap();
        assert_eq!(file.label(), "blocking 1.7.0");
        assert_eq!(file.expect.len(), 1);
        assert!(!file.expect[0].sometimes);
    }

    #[test]
    fn an_expectation_without_a_reason_is_refused_at_its_line() {
        let err = load(
            "[crate]\nname = \"x\"\nversion = \"1.0.0\"\nkind = \"pool\"\n\n\
             [[expect]]\ntest = \"a::b\"\ncall = \"read\"\nsite = \"x::y\"\nwhy = \"\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("line 6: key `expect[0].why` must not be empty"),
            "{err}"
        );
        assert!(err.contains(".toml"), "{err}");
    }

    #[test]
    fn a_flaky_test_needs_its_reason() {
        let ok = load(
            "[crate]\nname = \"x\"\nversion = \"1\"\nkind = \"pool\"\n\n\
             [[flaky]]\ntest = \"x::t\"\nwhy = \"fails 3 in 5 plainly\"\n",
        )
        .unwrap();
        assert_eq!(ok.flaky[0].test, "x::t");
        let err = load(
            "[crate]\nname = \"x\"\nversion = \"1\"\nkind = \"pool\"\n\n\
             [[flaky]]\ntest = \"x::t\"\nwhy = \" \"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("line 6: `flaky[0]` needs a `test` and a `why`"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = load("[crate]\nname = \"x\"\nversion = \"1\"\nkind = \"pool\"\nfeature = []\n")
            .unwrap_err();
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("unknown field `feature`"), "{err}");
    }

    #[test]
    fn a_crate_needs_a_version_or_a_path_not_both() {
        let err = load("[crate]\nname = \"x\"\nkind = \"pool\"\n").unwrap_err();
        assert!(err.contains("needs `version`"), "{err}");
        let err = load("[crate]\nname = \"x\"\nversion = \"1\"\npath = \"x\"\nkind = \"pool\"\n")
            .unwrap_err();
        assert!(
            err.contains("line 4") && err.contains("exclude each other"),
            "{err}"
        );
    }
}
