//! The suite's rules: `[[allow]]` goes to the guard runtime by path,
//! `[[suppress]]` is applied here, and rules that matched nothing in an
//! unfiltered run are reported as stale.
//!
//! The built-in allowances live in the guard runtime; they are never
//! reported as stale (they are generic, not about this suite).

use crate::schema::StaleRule;
use blockguard_protocol::TestKey;
use blockguard_rules::{RulesFile, SuppressRule};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The rules file in force, if any, and where it is.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    file: Option<(PathBuf, RulesFile)>,
}

impl Rules {
    /// The rules of `file`, read from `path`.
    pub fn new(file: Option<(PathBuf, RulesFile)>) -> Rules {
        Rules { file }
    }

    /// The same rules, the file copied into `folder` and read from there:
    /// what a sandboxed process is given, since the host's path may not
    /// be visible inside (a file under the host's `/tmp`).
    pub fn passed_in(&self, folder: &Path) -> std::io::Result<Rules> {
        let Some((path, file)) = &self.file else {
            return Ok(self.clone());
        };
        std::fs::create_dir_all(folder)?;
        let copy = folder.join("rules.toml");
        std::fs::copy(path, &copy)?;
        Ok(Rules {
            file: Some((copy, file.clone())),
        })
    }

    /// The path the guard runtime reads `[[allow]]` from.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(path, _)| path.as_path())
    }

    /// `test`'s budget of blocked time, if its rules give it one.
    pub fn budget(&self, test: &TestKey) -> Option<std::time::Duration> {
        self.file.as_ref()?.1.budget(test)
    }

    /// The first `[[suppress]]` rule that names this failure.
    pub fn suppress(&self, test: &TestKey, failure_text: &str) -> Option<&SuppressRule> {
        let (_, file) = self.file.as_ref()?;
        file.first_suppress(test, failure_text)
    }

    /// The rules whose ids are in neither set of rule ids that matched.
    pub fn stale(&self, matched: &BTreeSet<String>) -> Vec<StaleRule> {
        let Some((_, file)) = &self.file else {
            return Vec::new();
        };
        let allow = file.allow.iter().map(|r| (&r.id, r.line, &r.reason));
        let suppress = file.suppress.iter().map(|r| (&r.id, r.line, &r.reason));
        allow
            .chain(suppress)
            .filter(|(id, _, _)| !matched.contains(*id))
            .map(|(id, line, reason)| StaleRule {
                id: id.clone(),
                file: file.source.clone(),
                line,
                reason: reason.clone(),
            })
            .collect()
    }
}
