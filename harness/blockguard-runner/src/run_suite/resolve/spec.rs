//! What the user asked for: a crates.io crate, a suite (by name or file),
//! or a local crate; with the settings and rules that come with it.

use super::error::ResolveError;
use super::local::Selection;
use crate::options::RunSuiteArgs;
use crate::run_suite::layout::Layout;
use blockguard_protocol::{GuardScope, Mode};
use blockguard_rules::{RulesFile, check_crate_name, check_version};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the crate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// crates.io; the newest version when `version` is `None`.
    CratesIo {
        /// The crate's name.
        name: String,
        /// The exact version.
        version: Option<String>,
    },
    /// A local crate's folder.
    Path(PathBuf),
}

/// A request, before any download or build.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The suite's name when the request fixes it (a suite file's stem);
    /// otherwise it is the crate's name.
    pub name: Option<String>,
    /// Where the crate comes from.
    pub origin: Origin,
    /// Cargo features from the suite.
    pub features: Vec<String>,
    /// The suite's per-test timeout.
    pub timeout: Option<Duration>,
    /// The suite's mode.
    pub mode: Option<Mode>,
    /// Which contexts the suite guards.
    pub guard: Option<GuardScope>,
    /// The runner's variables a sandboxed build and its tests get besides
    /// the allowlist (the suite's `env`).
    pub env: Vec<String>,
    /// The rules file in force and its path.
    pub rules: Option<(PathBuf, RulesFile)>,
    /// Where an `[[allow]]` the diagnostics suggest goes when no rules file
    /// is in force: a workspace's `blockguard.toml`, relative to its root.
    pub default_rules_file: Option<PathBuf>,
    /// Things the user should know, e.g. an ignored `[suite]` table.
    pub warnings: Vec<String>,
    /// Which packages of a local workspace run.
    pub selection: Selection,
}

impl Spec {
    /// For a crates.io crate, the suite's name (known before it is
    /// fetched, so that a sandboxed suite's copy goes into its own
    /// folder); `None` for a local crate.
    pub fn crates_io_suite(&self) -> Option<&str> {
        match &self.origin {
            Origin::CratesIo { name, .. } => Some(self.name.as_deref().unwrap_or(name)),
            Origin::Path(_) => None,
        }
    }

    /// Reads the request from the command line. A malformed rules or suite
    /// file is an error here, before anything is downloaded or built.
    pub fn from_args(args: &RunSuiteArgs, layout: &Layout) -> Result<Spec, ResolveError> {
        let cli_rules = match &args.run.rules {
            Some(path) => Some((path.clone(), blockguard_rules::load(path)?)),
            None => None,
        };
        let selection = Selection {
            packages: args.run.packages.clone(),
            workspace: args.run.workspace,
        };
        let with_selection = |spec: Spec| Spec { selection, ..spec };
        if let Some(dir) = &args.path {
            return Ok(with_selection(Spec::plain(
                Origin::Path(dir.clone()),
                cli_rules,
            )));
        }
        if let Some(target) = &args.target {
            return Spec::named(target, cli_rules, layout).map(with_selection);
        }
        match cli_rules {
            // A rules file with a [suite] table can name the suite itself.
            Some((path, file)) if file.suite.is_some() => {
                Spec::from_suite_file(&path.clone(), file.clone(), Some((path, file)))
            }
            _ => Err(ResolveError::NothingToRun),
        }
    }

    /// A crate or suite named on a command line (see `run-suite --help`).
    pub fn named(
        target: &str,
        cli_rules: Option<(PathBuf, RulesFile)>,
        layout: &Layout,
    ) -> Result<Spec, ResolveError> {
        match suite_file(target, layout)? {
            Some(path) => {
                let file = blockguard_rules::load(&path)?;
                Spec::from_suite_file(&path, file, cli_rules)
            }
            None => Ok(Spec::plain(crate_spec(target)?, cli_rules)),
        }
    }

    fn plain(origin: Origin, rules: Option<(PathBuf, RulesFile)>) -> Spec {
        let mut warnings = Vec::new();
        if let Some((path, file)) = &rules
            && file.suite.is_some()
        {
            warnings.push(format!(
                "{}: its [suite] table is ignored because the crate is named on the command line",
                path.display()
            ));
        }
        Spec {
            name: None,
            origin,
            features: Vec::new(),
            timeout: None,
            mode: None,
            guard: None,
            env: Vec::new(),
            rules,
            default_rules_file: None,
            warnings,
            selection: Selection::default(),
        }
    }

    /// A user's own workspace at `dir` (`cargo blockguard test`), with its
    /// configuration file: the file's rules, and from its `[suite]` table
    /// the mode, timeout, features and env (the crate is the workspace's).
    pub fn workspace(
        dir: &Path,
        config: Option<(PathBuf, RulesFile)>,
        selection: Selection,
    ) -> Spec {
        let suite = config.as_ref().and_then(|(_, file)| file.suite.clone());
        let mut warnings = Vec::new();
        if let (Some((path, _)), Some(suite)) = (&config, &suite)
            && (suite.krate.is_some() || suite.version.is_some())
        {
            warnings.push(format!(
                "{}: `crate` and `version` in its [suite] table are ignored: the crate is this workspace's",
                path.display()
            ));
        }
        let suite = suite.unwrap_or_default();
        Spec {
            name: None,
            origin: Origin::Path(dir.to_path_buf()),
            features: suite.features,
            timeout: suite.timeout,
            mode: suite.mode,
            guard: suite.guard,
            env: suite.env,
            rules: config,
            default_rules_file: Some(PathBuf::from("blockguard.toml")),
            warnings,
            selection,
        }
    }

    fn from_suite_file(
        path: &Path,
        file: RulesFile,
        cli_rules: Option<(PathBuf, RulesFile)>,
    ) -> Result<Spec, ResolveError> {
        let suite = file
            .suite
            .clone()
            .ok_or_else(|| ResolveError::NoSuiteTable(path.to_path_buf()))?;
        let origin = match (suite.krate, suite.path) {
            (Some(name), _) => Origin::CratesIo {
                name,
                version: suite.version,
            },
            // A suite's `path` is relative to the suite file's folder.
            (None, Some(dir)) => Origin::Path(path.parent().unwrap_or(Path::new(".")).join(dir)),
            (None, None) => return Err(ResolveError::NoSuiteTable(path.to_path_buf())),
        };
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        Ok(Spec {
            name,
            origin,
            features: suite.features,
            timeout: suite.timeout,
            mode: suite.mode,
            guard: suite.guard,
            env: suite.env,
            rules: cli_rules.or_else(|| Some((path.to_path_buf(), file))),
            default_rules_file: None,
            warnings: Vec::new(),
            selection: Selection::default(),
        })
    }
}

/// The suite file `target` names: a path ending in `.toml`, or
/// `suites/<target>.toml` when it exists.
fn suite_file(target: &str, layout: &Layout) -> Result<Option<PathBuf>, ResolveError> {
    if target.ends_with(".toml") {
        let path = PathBuf::from(target);
        return if path.is_file() {
            Ok(Some(path))
        } else {
            Err(ResolveError::NoSuiteFile(path))
        };
    }
    let named = layout.suites().join(format!("{target}.toml"));
    Ok(named.is_file().then_some(named))
}

/// `name` or `name@version`, checked as a suite file's `[suite]` is.
fn crate_spec(spec: &str) -> Result<Origin, ResolveError> {
    let bad = |why| ResolveError::BadCrateSpec {
        spec: spec.to_owned(),
        why,
    };
    let (name, version) = match spec.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (spec, None),
    };
    check_crate_name(name).map_err(bad)?;
    if let Some(v) = version {
        check_version(v).map_err(bad)?;
    }
    Ok(Origin::CratesIo {
        name: name.to_owned(),
        version: version.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_specs_split_at_the_at_sign() {
        assert_eq!(
            crate_spec("itoa@1.0.15").unwrap(),
            Origin::CratesIo {
                name: "itoa".into(),
                version: Some("1.0.15".into())
            }
        );
        assert_eq!(
            crate_spec("same-file").unwrap(),
            Origin::CratesIo {
                name: "same-file".into(),
                version: None
            }
        );
    }

    #[test]
    fn crate_specs_that_could_inject_into_a_manifest_are_refused() {
        for bad in [
            "",
            "a\"b",
            "x@",
            "x@1 || 2",
            "a b",
            "../x",
            "x@1.0.6\"\n[dependencies.evil]",
            "x@../../1.0.0",
        ] {
            assert!(crate_spec(bad).is_err(), "{bad:?}");
        }
    }
}
