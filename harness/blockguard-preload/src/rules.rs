//! The allowances in force: the built-in rules file, then the suite's; and
//! the executors known (built in, then the suite's).

use blockguard_rules::{AllowRule, CallQuery, ExecutorDecl, MachineryRule, Placed, RulesFile};
use std::path::PathBuf;
use std::sync::OnceLock;

static RULES: OnceLock<Vec<RulesFile>> = OnceLock::new();
/// The suite's file, read at load in the test's own process (so a bad one
/// stops the test before it runs), and joined to the built-ins when a
/// rule is first asked for.
static USER: OnceLock<Option<RulesFile>> = OnceLock::new();
/// The suite's file in a program the test starts, read when a rule is
/// first asked for: the test's process has read it already, and most
/// programs (cargo, rustc, cc) never ask.
static USER_LATER: OnceLock<PathBuf> = OnceLock::new();
/// Every descriptor some rule names, gathered once: read on each guarded call.
static NAMED_FDS: OnceLock<Vec<i32>> = OnceLock::new();

/// Installs the rule files; `user` is the file named by BLOCKGUARD_RULES.
pub fn install(user: Option<RulesFile>) {
    let _ = USER.set(user);
}

/// Installs the rule files, the suite's (at `path`) to be read on first
/// use; a bad one then ends the process as it would have at load.
pub fn install_later(path: PathBuf) {
    let _ = USER_LATER.set(path);
}

/// The suite's file, read now if it was left for later; `None` before
/// either install.
fn user() -> Option<&'static Option<RulesFile>> {
    if let Some(user) = USER.get() {
        return Some(user);
    }
    let path = USER_LATER.get()?;
    Some(USER.get_or_init(|| {
        Some(blockguard_rules::load_for_guards(path).unwrap_or_else(|e| crate::exit::bad_input(e)))
    }))
}

/// The built-in files as the build script compiled them.
const BUILTIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rules.bin"));
const BUILTIN_EXECUTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-executors.bin"));

/// The files in force, built-ins first. The built-ins are read on first
/// use, compiled (their TOML cost a process about 0.4 ms cold); a test
/// process that makes no guarded call and starts no executor thread never
/// reads them. `None` before [`install`].
fn files() -> Option<&'static [RulesFile]> {
    let user = user()?;
    let files = RULES.get_or_init(|| {
        let mut files = vec![
            compiled_or_parsed(BUILTIN, blockguard_rules::builtin),
            compiled_or_parsed(BUILTIN_EXECUTORS, blockguard_rules::builtin_executors),
        ];
        files.extend(user.clone());
        files
    });
    Some(files)
}

/// A built-in file from its compiled bytes; parsed from its TOML should
/// they not read back (they always do: the build made them).
fn compiled_or_parsed(bytes: &[u8], parse: fn() -> RulesFile) -> RulesFile {
    blockguard_rules::from_compiled(bytes).unwrap_or_else(|_| parse())
}

fn named_fds() -> &'static [i32] {
    NAMED_FDS.get_or_init(|| {
        let mut fds: Vec<i32> = files()
            .unwrap_or_default()
            .iter()
            .flat_map(|f| &f.allow)
            .flat_map(|r| r.fds.iter().copied())
            .collect();
        fds.sort_unstable();
        fds.dedup();
        fds
    })
}

/// The first allowance matching the call, built-ins first.
pub fn first_allow(q: &CallQuery<'_>) -> Option<&'static AllowRule> {
    files()?.iter().find_map(|f| f.first_allow(q))
}

/// True when some rule names file descriptor `fd`, so calls on it must be
/// told apart from calls on other descriptors.
pub fn names_fd(fd: i32) -> bool {
    user().is_some() && named_fds().binary_search(&fd).is_ok()
}

/// Where a call with these frames (innermost first) stands towards the
/// executors.
pub fn place(frames: &[&str]) -> Placed<'static> {
    let Some(files) = files() else {
        return Placed::Outside;
    };
    let executors: Vec<&'static ExecutorDecl> = files.iter().flat_map(|f| &f.executors).collect();
    let machinery: Vec<&'static MachineryRule> = files.iter().flat_map(|f| &f.machinery).collect();
    blockguard_rules::place(&executors, &machinery, frames)
}

/// True for a frame of a known executor (any of its globs matches).
pub fn is_executor_frame(frame: &str) -> bool {
    files().is_some_and(|files| {
        files.iter().any(|f| {
            f.executors.iter().any(|e| e.matches(frame))
                || f.machinery.iter().any(|m| m.matches(frame))
        })
    })
}

/// True when an OS thread named `name` is a known executor's worker.
pub fn is_executor_thread(name: &str) -> bool {
    files().is_some_and(|files| {
        files
            .iter()
            .flat_map(|f| &f.executors)
            .any(|e| e.runs_thread(name))
    })
}

#[cfg(test)]
mod tests {
    use super::{BUILTIN, BUILTIN_EXECUTORS};
    use blockguard_rules::{RulesFile, from_compiled};

    fn ids(file: &RulesFile) -> Vec<String> {
        let allow = file.allow.iter().map(|r| r.id.clone());
        let executors = file.executors.iter().map(|e| e.name.clone());
        let machinery = file.machinery.iter().map(|m| m.id.clone());
        allow.chain(executors).chain(machinery).collect()
    }

    #[test]
    fn the_built_in_files_are_embedded_compiled_from_their_toml() {
        let embedded =
            [BUILTIN, BUILTIN_EXECUTORS].map(|b| from_compiled(b).expect("it reads back"));
        let parsed = [
            blockguard_rules::builtin(),
            blockguard_rules::builtin_executors(),
        ];
        for (embedded, parsed) in embedded.iter().zip(&parsed) {
            assert_eq!(embedded.source, parsed.source);
            assert_eq!(ids(embedded), ids(parsed));
            assert!(!ids(embedded).is_empty());
        }
    }
}
