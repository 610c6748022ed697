//! The `[suite]` table: which crate to run and how.

use crate::contended::Contended;
use crate::credential::looks_like_credential;
use crate::duration::parse_duration;
use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::names::{check_crate_name, check_feature, check_version};
use blockguard_protocol::{GuardScope, Mode};
use std::path::PathBuf;
use std::time::Duration;

/// A suite definition: exactly one of `krate` and `path` is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suite {
    /// The crates.io name (`crate = "..."`).
    pub krate: Option<String>,
    /// A local crate's directory (`path = "..."`), as written.
    pub path: Option<PathBuf>,
    /// The pinned version, so reports compare like with like.
    pub version: Option<String>,
    /// Cargo features to enable.
    pub features: Vec<String>,
    /// The per-test timeout.
    pub timeout: Option<Duration>,
    /// The most time each test's guarded contexts may spend blocked.
    pub budget: Option<Duration>,
    /// How lock waits are judged, where no rule says.
    pub contended: Option<Contended>,
    /// The guard mode.
    pub mode: Option<Mode>,
    /// Which contexts are guarded.
    pub guard: Option<GuardScope>,
    /// Variables of the runner's a sandboxed build and its tests get
    /// besides the runner's allowlist, when set: never a credential's.
    pub env: Vec<String>,
}

const KEYS: &[&str] = &[
    "crate",
    "path",
    "version",
    "features",
    "timeout",
    "budget",
    "contended",
    "mode",
    "guard",
    "env",
];

impl Suite {
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Suite, RulesError> {
        f.only(KEYS)?;
        let krate = f.non_empty_string("crate")?;
        let path = f.non_empty_string("path")?;
        match (&krate, &path) {
            (Some(_), Some(p)) => {
                return Err(f.error("path", p.span.clone(), RulesErrorKind::CrateAndPath));
            }
            (None, None) => return Err(f.table_error(RulesErrorKind::NoCrateOrPath)),
            _ => {}
        }
        let version = f.non_empty_string("version")?;
        let features = f.strings("features")?.unwrap_or_default();
        // Checked as the command line's `name@version` is: these reach
        // folder names, a manifest and cargo's command line.
        let bad_name = |key, span, e| f.error(key, span, RulesErrorKind::BadName(e));
        if let Some(k) = &krate {
            check_crate_name(k.value).map_err(|e| bad_name("crate", k.span.clone(), e))?;
        }
        if let Some(v) = &version {
            check_version(v.value).map_err(|e| bad_name("version", v.span.clone(), e))?;
        }
        for feature in &features {
            check_feature(feature.value)
                .map_err(|e| bad_name("features", feature.span.clone(), e))?;
        }
        let timeout = match f.string("timeout")? {
            None => None,
            Some(t) => Some(
                parse_duration(t.value)
                    .map_err(|why| f.error("timeout", t.span, RulesErrorKind::BadDuration(why)))?,
            ),
        };
        let budget = crate::test_settings::duration_key(f, "budget")?;
        let contended = Contended::parse(f)?;
        let mode = match f.string("mode")? {
            None => None,
            Some(m) => Some(
                m.value
                    .parse()
                    .map_err(|e| f.error("mode", m.span, RulesErrorKind::BadMode(e)))?,
            ),
        };
        let guard = match f.string("guard")? {
            None => None,
            Some(g) => Some(
                g.value
                    .parse()
                    .map_err(|e| f.error("guard", g.span, RulesErrorKind::BadScope(e)))?,
            ),
        };
        let env = f.strings("env")?.unwrap_or_default();
        for name in &env {
            check_variable(name.value).map_err(|e| f.error("env", name.span.clone(), e))?;
        }
        Ok(Suite {
            krate: krate.map(|k| k.value.to_owned()),
            path: path.map(|p| PathBuf::from(p.value)),
            version: version.map(|v| v.value.to_owned()),
            features: features.into_iter().map(|f| f.value.to_owned()).collect(),
            timeout,
            budget,
            contended,
            mode,
            guard,
            env: env.into_iter().map(|n| n.value.to_owned()).collect(),
        })
    }
}

/// A variable `env` may pass: a name a shell could set, and no
/// credential's, so that nobody believes a sandboxed suite gets one.
fn check_variable(name: &str) -> Result<(), RulesErrorKind> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(RulesErrorKind::BadVariable(name.to_owned()));
    }
    if looks_like_credential(name) {
        return Err(RulesErrorKind::CredentialVariable(name.to_owned()));
    }
    Ok(())
}
