//! The allowances in force: the built-in rules file, then the suite's; and
//! the executors known (built in, then the suite's).

use blockguard_rules::{AllowRule, CallQuery, ExecutorDecl, MachineryRule, Placed, RulesFile};
use std::sync::OnceLock;

static RULES: OnceLock<Vec<RulesFile>> = OnceLock::new();
/// The suite's file, read at load (so a bad one stops the test before it
/// runs), and joined to the built-ins when a rule is first asked for.
static USER: OnceLock<Option<RulesFile>> = OnceLock::new();
/// Every descriptor some rule names, gathered once: read on each guarded call.
static NAMED_FDS: OnceLock<Vec<i32>> = OnceLock::new();

/// Installs the rule files; `user` is the file named by BLOCKGUARD_RULES.
pub fn install(user: Option<RulesFile>) {
    let _ = USER.set(user);
}

/// The files in force, built-ins first. The built-ins are parsed on first
/// use: a test process that makes no guarded call and starts no executor
/// thread never parses them (about 0.3 ms of TOML and globs).
/// `None` before [`install`].
fn files() -> Option<&'static [RulesFile]> {
    let user = USER.get()?;
    let files = RULES.get_or_init(|| {
        let mut files = vec![
            blockguard_rules::builtin(),
            blockguard_rules::builtin_executors(),
        ];
        files.extend(user.clone());
        files
    });
    Some(files)
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
    USER.get().is_some() && named_fds().binary_search(&fd).is_ok()
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
