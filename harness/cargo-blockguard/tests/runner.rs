//! `cargo blockguard exec` as the target runner of `fixtures/workspace`,
//! set exactly as the book's `docs/src/guide/cargo-blockguard.md` says,
//! under plain `cargo test` (unit,
//! integration and doc tests, merged and not) and plain `cargo nextest run`.

mod support;

// Each test file uses part of the table.
#[allow(dead_code)]
#[path = "../../../fixtures/workspace/expected.rs"]
mod expected;

use expected::EXPECTED;
use support::{cargo_with_runner, shown, text, with_runner};

#[test]
fn the_guide_sets_the_runner_binary_itself_and_it_starts_without_relocations() {
    // A cargo per test binary would cost each about 20 ms more.
    assert_eq!(support::guide_runner()[0], "cargo-blockguard");
    // Linked at a fixed address: no start-up relocations for the runner
    // that starts once per binary (per test under nextest). ELF e_type
    // ET_EXEC is 2 (a PIE is ET_DYN, 3).
    use std::io::Read;
    let mut header = [0u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_cargo-blockguard"))
        .and_then(|mut f| f.read_exact(&mut header))
        .unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    assert_eq!(
        u16::from_le_bytes([header[16], header[17]]),
        2,
        "not ET_EXEC"
    );
}

#[test]
fn plain_cargo_test_runs_every_test_and_doctest_guarded() {
    let (dir, path) = with_runner("workspace", "cargo-test", &[]);
    let out = cargo_with_runner(&dir, &path, &["test", "--no-fail-fast"]);
    assert_eq!(out.status.code(), Some(101), "{}", shown(&out));
    let all = text(&out);
    for e in EXPECTED {
        if e.binary == "doctests" {
            let result = match e.outcome {
                "pass" => "ok",
                "ignored" => "ignored",
                _ => "FAILED",
            };
            // rustdoc names a doctest it only compiles `NAME - compile`.
            let line = format!("test {} ... {result}", e.name);
            let compiled = format!("test {} - compile ... {result}", e.name);
            assert!(
                all.contains(&line) || all.contains(&compiled),
                "{line}\n{all}"
            );
        }
        let Some((call, site)) = e.denied else {
            continue;
        };
        let line = format!("blocked: 1 denied blocking call: {call} (");
        assert!(
            all.contains(&line) && all.contains(&format!("at {site} via")),
            "{}\n{all}",
            e.name
        );
    }
}

#[test]
fn plain_cargo_nextest_run_fails_each_blocked_test_with_its_calls() {
    let (dir, path) = with_runner("workspace", "nextest", &[]);
    let out = cargo_with_runner(
        &dir,
        &path,
        &["nextest", "run", "--no-fail-fast", "--no-tests", "pass"],
    );
    // nextest's exit code for failing tests.
    assert_eq!(out.status.code(), Some(100), "{}", shown(&out));
    let all = text(&out);
    // nextest does not run doctests.
    for e in EXPECTED.iter().filter(|e| e.binary != "doctests") {
        // nextest names a test `<binary id> <name>`: the package, and
        // `package::target` for an integration test.
        let binary = if e.binary == e.package {
            e.package.to_owned()
        } else {
            format!("{}::{}", e.package, e.binary)
        };
        let verdict = match e.outcome {
            "pass" | "suppressed" => "PASS",
            _ => "FAIL",
        };
        let shown_as = format!("{binary} {}", e.name);
        let line = all
            .lines()
            .find(|l| {
                l.contains(&format!(") {shown_as}"))
                    && (l.contains(" PASS ") || l.contains(" FAIL "))
            })
            .unwrap_or_else(|| panic!("{shown_as}: no status line\n{all}"));
        assert!(line.contains(verdict), "{shown_as}: {line}");
        if let Some((call, site)) = e.denied {
            assert!(
                all.contains(&format!("1 denied blocking call: {call} (")) && all.contains(site),
                "{all}"
            );
        }
    }
}
