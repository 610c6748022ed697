//! Where a run's packages are, for the diagnostics that point into them.

use super::resolve::{Resolved, Spec};
use crate::diagnostics::Sources;
use crate::env::Env;

/// Where the run's packages are, for the diagnostics: paths shown from
/// GitHub's workspace under Actions, else from the repository's or
/// workspace's root; a suggested rule goes in the rules file in force.
pub(super) fn sources(spec: &Spec, suite: &Resolved, env: &Env) -> Sources {
    let root = env
        .github
        .as_ref()
        .and_then(|g| g.workspace.clone())
        .unwrap_or_else(|| env.root.clone());
    let mut sources = Sources::new(&root);
    let rules_file = spec
        .rules
        .as_ref()
        .map(|(path, _)| {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            sources.shown(&path)
        })
        .or_else(|| {
            spec.default_rules_file
                .as_ref()
                .map(|p| p.display().to_string())
        });
    sources = sources.with_rules_file(rules_file);
    for member in &suite.members {
        sources.add_package(&member.name, &member.version, &member.dir);
    }
    sources
}
