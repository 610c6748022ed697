//! The GitHub Actions job of `docs/ci/blockguard.yml`, its `run:` lines
//! exactly as written, on a copy of `fixtures/workspace` outside this
//! repository: `cargo install --path` (into a temporary root) gives a
//! `cargo blockguard` that carries its guard runtime and needs nothing from
//! here, then the job's test steps run; the SARIF log it uploads passes
//! the SARIF validator.

mod support;

use std::path::Path;
use std::process::Command;
use support::{copy_fixture, entries, root, shown};

/// The `run:` lines of a workflow file, in order.
fn run_lines(workflow: &Path) -> Vec<String> {
    std::fs::read_to_string(workflow)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("run: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_documented_job_installs_and_runs_outside_the_repository() {
    let scratch = support::scratch();
    let install_root = scratch.join("install-root");
    let outside = std::env::temp_dir();
    assert!(
        !outside.starts_with(root()),
        "the temporary folder is inside the repository"
    );
    let dir = copy_fixture("workspace", &outside, "blockguard-job");
    // The job's second checkout: blockguard's source.
    std::os::unix::fs::symlink(root(), dir.join(".blockguard-src")).unwrap();
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    let cache = outside.join(format!("blockguard-cache-{}", std::process::id()));
    let path = std::env::join_paths(std::iter::once(install_root.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let lines = run_lines(&root().join("docs/ci/blockguard.yml"));
    assert_eq!(lines.len(), 3, "{lines:?}");
    let mut codes = Vec::new();
    let mut outputs = Vec::new();
    for line in &lines {
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("CARGO_INSTALL_ROOT", &install_root)
            // Kept between runs so that a second run builds nothing.
            .env("CARGO_TARGET_DIR", root().join("target/blockguard-install"))
            .env("BLOCKGUARD_CACHE_DIR", &cache)
            .env_remove("BLOCKGUARD_PRELOAD")
            .env_remove("BLOCKGUARD_SNAPSHOTS")
            .output()
            .expect("sh");
        codes.push(out.status.code());
        outputs.push(shown(&out));
        // The install builds into the shared target folder; the tests must not.
        if line.starts_with("cargo install") {
            assert!(out.status.success(), "{line}\n{}", shown(&out));
        }
    }
    // The fixture has blocked tests: both test steps fail, as they should.
    assert_eq!(codes[1..], [Some(1), Some(100)], "{outputs:#?}");
    let report = support::report(&dir.join("target/blockguard/report.json"));
    let packages: std::collections::BTreeSet<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["package"].as_str().unwrap())
        .collect();
    assert_eq!(packages.into_iter().collect::<Vec<_>>(), ["alpha", "beta"]);
    assert!(entries(&report).contains(&"alpha alpha tests::naps blocked".to_owned()));
    let junit = std::fs::read_to_string(dir.join("target/blockguard/junit.xml")).unwrap();
    assert!(junit.contains("<testsuites"), "{junit}");
    // The log code scanning takes: valid, with the sleep of alpha's test.
    let sarif = dir.join("target/blockguard/blockguard.sarif");
    let validated = Command::new("node")
        .arg(root().join(".ci/sarif/validate.mjs"))
        .arg(&sarif)
        .output()
        .expect("node runs the SARIF validator");
    assert!(validated.status.success(), "{}", shown(&validated));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "blocking/sleep"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("alpha::tests::naps")),
        "{log:#}"
    );
    assert!(outputs[2].contains("1 denied blocking call: clock_nanosleep (sleep) at alpha::nap"));
    let unpacked: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(
        unpacked.len(),
        1,
        "one unpacked runtime in {}",
        cache.display()
    );
    let runtime = unpacked[0].path();
    assert!(runtime.join("libblockguard_preload.so").is_file());
    assert!(runtime.join("blockguard-contain").is_file());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&cache);
}
