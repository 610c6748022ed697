//! Issue 25's gate, `cargo xtask real-crates`, on a crate of its own: a
//! local crate with one test that blocks and one that does not, run
//! plainly, in audit and in check mode through a real `cargo-blockguard`.
//! A denial nobody expected fails the gate and is printed as the table
//! that would expect it; a reviewed expectation makes it hold; an expected
//! denial that no longer happens fails it again.

use crate::run_suite::scratch;
use crate::support::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LIB: &str = "\
#[cfg(test)]
mod tests {
    #[test]
    fn naps() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }

    #[test]
    fn adds() {
        assert_eq!(1 + 1, 2);
    }
}
";

/// The debug `cargo-blockguard`, built if it is not up to date.
fn cargo_blockguard() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "-q",
            "-p",
            "cargo-blockguard",
            "--bin",
            "cargo-blockguard",
        ])
        .current_dir(root())
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .unwrap();
    assert!(status.success());
    root().join("target/debug/cargo-blockguard")
}

/// The list folder: the crate and its file, with `expect` appended.
fn list(dir: &Path, expect: &str) -> PathBuf {
    let krate = dir.join("napper");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"napper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(krate.join("src/lib.rs"), LIB).unwrap();
    let crates = dir.join("crates");
    std::fs::create_dir_all(&crates).unwrap();
    std::fs::write(
        crates.join("napper.toml"),
        format!("[crate]\nname = \"napper\"\npath = \"../napper\"\nkind = \"fixture\"\n{expect}"),
    )
    .unwrap();
    crates
}

fn gate(crates: &Path, exe: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["real-crates", "-j", "2", "--dir"])
        .arg(crates)
        .arg("--cargo-blockguard")
        .arg(exe)
        .current_dir(root())
        .env("BLOCKGUARD_CACHE_DIR", crates.join("cache"))
        .output()
        .unwrap()
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const EXPECTED: &str = "\n[[expect]]\ntest = \"napper::tests::naps\"\ncall = \"clock_nanosleep\"\n\
    site = \"napper::tests::naps\"\nwhy = \"the test sleeps on purpose\"\n";

#[test]
fn the_gate_fails_on_drift_either_way_and_holds_on_reviewed_expectations() {
    let exe = cargo_blockguard();
    let dir = scratch("real-crates");

    // Nothing expected: the nap is drift, printed as its [[expect]] table.
    let out = gate(&list(&dir, ""), &exe);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("denied, not expected"), "{}", shown(&out));
    assert!(
        stderr.contains("test = \"napper::tests::naps\""),
        "{}",
        shown(&out)
    );
    assert!(
        stderr.contains("call = \"clock_nanosleep\""),
        "{}",
        shown(&out)
    );
    // Audit ended both tests as plain cargo test did.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("| napper (path) | fixture | 2 pass, 0 fail, 0 ignored | same: 2 pass"),
        "{table}"
    );

    // Reviewed and expected: the gate holds.
    let out = gate(&list(&dir, EXPECTED), &exe);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 denied calls, 1 expected: as expected")
    );

    // An expected denial that is gone (the test no longer naps) is drift.
    let crates = list(&dir, EXPECTED);
    std::fs::write(
        dir.join("napper/src/lib.rs"),
        LIB.replace(
            "std::thread::sleep(std::time::Duration::from_millis(1));",
            "",
        ),
    )
    .unwrap();
    let out = gate(&crates, &exe);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expected, not denied: napper::tests::naps"),
        "{}",
        shown(&out)
    );
}

#[test]
fn an_expectation_without_a_reason_is_a_setup_error_naming_its_line() {
    let dir = scratch("real-crates-no-reason");
    let crates = list(&dir, &EXPECTED.replace("the test sleeps on purpose", ""));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["real-crates", "--dir"])
        .arg(&crates)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("napper.toml: line 6: key `expect[0].why` must not be empty"),
        "{stderr}"
    );
}
