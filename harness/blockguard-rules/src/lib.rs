//! Suite and rules files (DESIGN §5): parsing with located errors, and the
//! matching of `[[allow]]` and `[[suppress]]` rules.
//!
//! One TOML file describes a suite (`[suite]`, optional) and its rules. Every
//! mistake in it — unknown keys, wrong types, bad globs or regexes, a rule
//! without a reason — is a [`RulesError`] that names file, line, column and
//! key.
#![deny(missing_docs)]

mod allow;
mod builtin;
mod compiled;
mod contended;
mod credential;
mod duration;
mod duration_error;
mod error;
mod executors;
mod fields;
mod file;
mod frame_forms;
mod glob;
mod glob_serde;
mod limits;
mod locate;
mod names;
mod parse;
mod std_paths;
mod suite;
mod suppress;
mod test_settings;

pub use allow::{AllowRule, CallQuery};
pub use builtin::{BUILTIN_EXECUTORS_TOML, BUILTIN_TOML, builtin, builtin_executors};
pub use compiled::{CompiledError, from_compiled, to_compiled};
pub use contended::Contended;
pub use credential::looks_like_credential;
pub use duration::parse_duration;
pub use duration_error::{DurationError, DurationProblem};
pub use error::{RulesError, RulesErrorKind};
pub use executors::{ExecutorDecl, MachineryRule, Placed, place};
pub use file::RulesFile;
pub use frame_forms::{frame_forms, split_qualified};
pub use limits::{MAX_GLOB_BYTES, MAX_REGEX_BYTES};
pub use names::{MAX_CRATE_NAME, NameError, check_crate_name, check_feature, check_version};
pub use parse::{load, load_for_guards, parse_str};
pub use std_paths::{Fold, PRIVATE_MODULES, is_private, public_path};
pub use suite::Suite;
pub use suppress::SuppressRule;
pub use test_settings::TestSettings;
