//! Environment variables read by the guard runtime. They are the whole
//! interface from runner to runtime; nothing else is passed.

/// `deny`, `check` (default), `audit` or `farm`.
pub const MODE: &str = "BLOCKGUARD_MODE";
/// Path of the JSON Lines trace file; appended to, created if missing.
pub const TRACE: &str = "BLOCKGUARD_TRACE";
/// Optional path of a rules file whose `[[allow]]` entries apply.
pub const RULES: &str = "BLOCKGUARD_RULES";
/// The libtest name of the one test this process runs (`module::test`).
pub const TEST: &str = "BLOCKGUARD_TEST";
/// Instead of `TEST`: a whole libtest binary runs in this process. The
/// path of a file naming, one per line, the tests libtest will start a
/// thread for, in the order it starts them.
pub const TESTS: &str = "BLOCKGUARD_TESTS";
/// Optional: the cargo target name of the test binary, so that a rule's
/// `tests` glob can name `binary::test`.
pub const BINARY: &str = "BLOCKGUARD_BINARY";
/// `none` for a test target built with `harness = false`: its `main` is the
/// one test, run as the guarded microthread, and `TEST` is [`MAIN_TEST`].
/// Unset or `libtest`: the test thread is found by its name.
pub const HARNESS: &str = "BLOCKGUARD_HARNESS";
/// Optional: a folder where the processes of one run share the names
/// they resolved, one file per object named by its GNU build id.
pub const SYMBOLS: &str = "BLOCKGUARD_SYMBOLS";
/// `test` (default) or `tasks`: which contexts are guarded
/// ([`crate::GuardScope`]).
pub const GUARD: &str = "BLOCKGUARD_GUARD";
/// Optional: the code under test, the packages being tested, each with
/// the crate names of its targets and its root folder
/// ([`crate::under_test`]). An event's site is the innermost frame of one
/// of those crates, and its file is relative to that package's root.
/// Unset: `CARGO_PKG_NAME` and the binary's own crate, rooted at
/// `CARGO_MANIFEST_DIR`.
pub const UNDER_TEST: &str = "BLOCKGUARD_UNDER_TEST";
/// Farm mode: how many worker threads run farmed calls (default 16).
pub const FARM_WORKERS: &str = "BLOCKGUARD_FARM_WORKERS";
/// The test name of a `harness = false` binary's only test.
pub const MAIN_TEST: &str = "main";
/// Bytes of a thread name kept by `pthread_setname_np` on Linux (16 with the NUL).
pub const THREAD_NAME_MAX: usize = 15;

/// The prefix of `test` that libtest's thread for it carries as its OS name.
pub fn thread_name_prefix(test: &str) -> &str {
    let mut end = test.len().min(THREAD_NAME_MAX);
    while !test.is_char_boundary(end) {
        end -= 1;
    }
    &test[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_to_fifteen_bytes() {
        assert_eq!(
            thread_name_prefix("tests::a_very_long_name"),
            "tests::a_very_l"
        );
        assert_eq!(thread_name_prefix("short"), "short");
    }

    #[test]
    fn cut_never_splits_a_character() {
        // 'é' is two bytes; a cut at byte 15 would fall inside it.
        let name = "aaaaaaaaaaaaaaé";
        assert_eq!(thread_name_prefix(name), "aaaaaaaaaaaaaa");
    }
}
