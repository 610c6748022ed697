//! What plain `cargo test` said of each test, read from its output (cargo's
//! lines and libtest's, on one stream): the binary from cargo's `Running`
//! and `Doc-tests` lines, each test from libtest's `test NAME ... RESULT`.

use std::collections::BTreeMap;

/// What plain `cargo test` said of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainOutcome {
    Pass,
    Fail,
    Ignored,
}

/// `(binary, name)` → outcome, binaries named as cargo's targets are, with
/// `-` as `_` (their executables' names have no dashes); doctests are
/// binary `doctests`, named without rustdoc's ` - compile` suffixes.
pub type PlainOutcomes = BTreeMap<(String, String), PlainOutcome>;

/// Reads the output; also the binaries that printed no test line (those
/// built without libtest).
pub fn parse(output: &str) -> (PlainOutcomes, Vec<String>) {
    let mut outcomes = PlainOutcomes::new();
    let mut silent = Vec::new();
    let mut binary: Option<(String, bool)> = None;
    let mut finish = |binary: &mut Option<(String, bool)>| {
        if let Some((name, false)) = binary.take() {
            silent.push(name);
        }
    };
    for line in output.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            finish(&mut binary);
            binary = executable_target(rest).map(|name| (name, false));
        } else if trimmed.starts_with("Doc-tests ") {
            finish(&mut binary);
            binary = Some(("doctests".to_owned(), false));
        } else if let Some((name, outcome)) = test_line(line)
            && let Some((target, seen)) = binary.as_mut()
        {
            *seen = true;
            outcomes.insert((target.clone(), name), outcome);
        }
    }
    finish(&mut binary);
    (outcomes, silent)
}

/// `unittests src/lib.rs (target/debug/deps/blocking-0a1b2c)` → `blocking`.
fn executable_target(rest: &str) -> Option<String> {
    let path = rest.rsplit_once('(')?.1.strip_suffix(')')?;
    let file = path.rsplit('/').next()?;
    let name = file.rsplit_once('-').map_or(file, |(name, _hash)| name);
    Some(normalized(name))
}

/// A cargo target's name as its executable has it.
pub fn normalized(target: &str) -> String {
    target.replace('-', "_")
}

/// `test NAME ... ok|FAILED|ignored[, reason]`.
fn test_line(line: &str) -> Option<(String, PlainOutcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.rsplit_once(" ... ")?;
    let outcome = match result.trim_end() {
        "ok" => PlainOutcome::Pass,
        "FAILED" => PlainOutcome::Fail,
        // A reason may run onto the next lines, leaving `ignored,` here.
        r if r == "ignored" || r.starts_with("ignored,") => PlainOutcome::Ignored,
        _ => return None,
    };
    // libtest's and rustdoc's notes after a name are not part of it.
    let name = [" - should panic", " - compile fail", " - compile"]
        .iter()
        .find_map(|note| name.strip_suffix(note))
        .unwrap_or(name);
    Some((name.to_owned(), outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
   Compiling blocking v1.7.0
    Finished `test` profile [unoptimized + debuginfo] target(s) in 9.1s
     Running unittests src/lib.rs (target/debug/deps/blocking-5d2f7b6b0a3a1c7e)

running 2 tests
test tests::a ... ok
test tests::b ... ignored, needs a network
test tests::c ... ignored, 
    a reason on lines of its own
     Running tests/unblock.rs (target/debug/deps/unblock-0f6e1d)

running 3 tests
test chan ... FAILED
test panic ... ok
test overflows - should panic ... ok
     Running tests/custom.rs (target/debug/deps/my_custom-77aa)
custom main says hello
   Doc-tests blocking

running 3 tests
test src/lib.rs - Unblock (line 474) ... ok
test src/lib.rs - (line 27) - compile ... ok
test src/lib.rs - x (line 9) ... ignored
";

    #[test]
    fn each_test_is_taken_under_its_binary_and_harnessless_binaries_are_named() {
        let (outcomes, silent) = parse(OUTPUT);
        let get = |b: &str, n: &str| outcomes.get(&(b.to_owned(), n.to_owned())).copied();
        assert_eq!(get("blocking", "tests::a"), Some(PlainOutcome::Pass));
        assert_eq!(get("blocking", "tests::b"), Some(PlainOutcome::Ignored));
        assert_eq!(get("blocking", "tests::c"), Some(PlainOutcome::Ignored));
        assert_eq!(get("unblock", "chan"), Some(PlainOutcome::Fail));
        assert_eq!(get("unblock", "panic"), Some(PlainOutcome::Pass));
        assert_eq!(get("unblock", "overflows"), Some(PlainOutcome::Pass));
        assert_eq!(
            get("doctests", "src/lib.rs - Unblock (line 474)"),
            Some(PlainOutcome::Pass)
        );
        assert_eq!(
            get("doctests", "src/lib.rs - (line 27)"),
            Some(PlainOutcome::Pass)
        );
        assert_eq!(
            get("doctests", "src/lib.rs - x (line 9)"),
            Some(PlainOutcome::Ignored)
        );
        assert_eq!(outcomes.len(), 9);
        assert_eq!(silent, ["my_custom"]);
    }
}
