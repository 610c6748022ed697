//! `cargo blockguard test` end to end on `fixtures/workspace`, a virtual
//! workspace of two members (unit and integration tests) with a
//! blockguard.toml holding one rule of each kind. Expected results:
//! `fixtures/workspace/expected.rs`.

mod support;

// Each test file uses part of the table.
#[allow(dead_code)]
#[path = "../../../fixtures/workspace/expected.rs"]
mod expected;

use expected::EXPECTED;
use std::path::{Path, PathBuf};
use support::{blockguard_test, copy_fixture, entries, report, scratch, shown};

fn expected_entries(packages: &[&str]) -> Vec<String> {
    EXPECTED
        .iter()
        .filter(|e| packages.contains(&e.package))
        .map(|e| format!("{} {} {} {}", e.package, e.binary, e.name, e.outcome))
        .collect()
}

fn workspace_report(dir: &Path) -> serde_json::Value {
    let name = dir.file_name().unwrap().to_str().unwrap();
    report(&dir.join(format!("target/blockguard/reports/{name}.json")))
}

#[test]
fn every_member_runs_under_its_rules_and_every_entry_names_its_package() {
    let dir = copy_fixture("workspace", &scratch(), "all");
    let out = blockguard_test(&dir, &["-j", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = workspace_report(&dir);
    assert_eq!(entries(&report), expected_entries(&["alpha", "beta"]));
    assert_eq!(report["mode"], "check");
    for e in EXPECTED.iter().filter(|e| e.denied.is_some()) {
        let (call, site) = e.denied.unwrap();
        let entry = report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == e.name && t["package"] == e.package)
            .unwrap();
        let denied: Vec<(&str, &str)> = entry["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["verdict"] == "denied")
            .map(|c| (c["call"].as_str().unwrap(), c["site"].as_str().unwrap()))
            .collect();
        assert_eq!(denied, [(call, site)], "{}", e.name);
    }
    // Each package's snapshots are inside it, where `cargo insta review` looks.
    // A doctest's name does not read back from its plain form, so its file
    // name ends in the name's hash.
    for (package, snapshot) in [
        ("alpha", "alpha__tests__naps.snap.new"),
        ("alpha", "files__reads_its_manifest.snap.new"),
        (
            "alpha",
            "doctests__alpha_src_lib_rs_-_nap__line_27_--ab930c7588228365.snap.new",
        ),
        ("beta", "beta__tests__naps_with_leave.snap.new"),
        (
            "beta",
            "doctests__beta_src_lib_rs_-_manifest__line_16_--f1394cc9aca44357.snap.new",
        ),
    ] {
        let path = dir
            .join(package)
            .join("blockguard/snapshots")
            .join(snapshot);
        assert!(
            path.is_file(),
            "{} is missing\n{}",
            path.display(),
            shown(&out)
        );
    }
}

#[test]
fn dash_p_runs_only_the_packages_it_names() {
    let dir = copy_fixture("workspace", &scratch(), "dash-p");
    let out = blockguard_test(&dir, &["-p", "beta"]);
    // beta's nap is allowed and its failure suppressed; a doctest blocks.
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    // One package: the report is named after it.
    let report = support::report(&dir.join("target/blockguard/reports/beta.json"));
    assert_eq!(entries(&report), expected_entries(&["beta"]));
    assert!(!dir.join("alpha/blockguard").exists());
}

#[test]
fn a_libtest_filter_chooses_doctests_by_their_id_as_it_chooses_tests() {
    let dir = copy_fixture("workspace", &scratch(), "filter");
    let out = blockguard_test(&dir, &["-p", "alpha", "--", "nap"]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/alpha.json"));
    let chosen: Vec<String> = EXPECTED
        .iter()
        .filter(|e| e.package == "alpha" && format!("{}::{}", e.binary, e.name).contains("nap"))
        .map(|e| format!("{} {} {} {}", e.package, e.binary, e.name, e.outcome))
        .collect();
    // One test and one doctest.
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert_eq!(entries(&report), chosen, "{}", shown(&out));
}

#[test]
fn in_a_member_folder_only_that_member_runs() {
    let dir = copy_fixture("workspace", &scratch(), "member");
    let out = blockguard_test(&dir.join("alpha"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/alpha.json"));
    assert_eq!(entries(&report), expected_entries(&["alpha"]));
}

#[test]
fn the_configuration_may_live_under_dot_config() {
    let dir = copy_fixture("workspace", &scratch(), "dot-config");
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::rename(
        dir.join("blockguard.toml"),
        dir.join(".config/blockguard.toml"),
    )
    .unwrap();
    let out = blockguard_test(&dir, &["-p", "beta"]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/beta.json"));
    assert_eq!(entries(&report), expected_entries(&["beta"]));
}

#[test]
fn a_malformed_configuration_entry_names_its_file_line_column_and_key() {
    let dir = copy_fixture("workspace", &scratch(), "malformed");
    std::fs::write(
        dir.join("blockguard.toml"),
        "[[allow]]\ntests = \"beta::*\"\ncalls = \"read\"\nreason = \"a typo in a key\"\n",
    )
    .unwrap();
    let out = blockguard_test(&dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = dir.join("blockguard.toml");
    assert!(
        stderr.contains(&format!(
            "{}:3:1: `allow[0].calls`: unknown key",
            file.display()
        )),
        "{}",
        shown(&out)
    );
    assert!(
        !dir.join("target/blockguard/build").exists(),
        "nothing may build"
    );
}

#[test]
fn two_configuration_files_are_refused() {
    let dir = copy_fixture("workspace", &scratch(), "two-configs");
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::copy(
        dir.join("blockguard.toml"),
        dir.join(".config/blockguard.toml"),
    )
    .unwrap();
    let out = blockguard_test(&dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both exist; keep one"));
}

#[test]
fn an_unknown_package_is_an_error_that_lists_the_members() {
    let dir = copy_fixture("workspace", &scratch(), "unknown-p");
    let out = blockguard_test(&dir, &["-p", "gamma"]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the workspace has no package `gamma` (its members: alpha, beta)"),
        "{}",
        shown(&out)
    );
}

#[test]
fn a_test_that_passes_on_a_retry_is_flaky_with_every_attempt() {
    let dir = copy_fixture("workspace", &scratch(), "retries");
    let out = blockguard_test(&dir, &["-p", "alpha", "--retries", "2"]);
    // The blocked tests stay blocked through their retries.
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/alpha.json"));
    let tests = report["tests"].as_array().unwrap();
    let test = |name: &str| tests.iter().find(|t| t["name"] == name).unwrap();
    let attempts = |name: &str| -> Vec<String> {
        test(name)["attempts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|a| a["outcome"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(test("tests::passes_on_a_retry")["outcome"], "flaky");
    assert_eq!(attempts("tests::passes_on_a_retry"), ["fail", "pass"]);
    assert_eq!(test("tests::naps")["outcome"], "blocked");
    assert_eq!(attempts("tests::naps"), ["blocked", "blocked", "blocked"]);
    // A test that passed at once ran once.
    assert!(test("tests::adds").get("attempts").is_none());
    assert_eq!(report["summary"]["flaky"], 1);
    // Only the run that passed is compared with the snapshot.
    let snapshot = dir.join("alpha/blockguard/snapshots/alpha__tests__passes_on_a_retry.snap.new");
    assert!(snapshot.is_file(), "{}", shown(&out));
}

#[test]
fn a_rule_names_a_doctest_as_doctests_and_its_rustdoc_name() {
    let dir = copy_fixture("workspace", &scratch(), "doctest-rule");
    let mut config = std::fs::read_to_string(dir.join("blockguard.toml")).unwrap();
    config.push_str(
        "\n[[allow]]\ntests = \"doctests::beta/src/lib.rs - manifest*\"\nclass = \"fs\"\nreason = \"the doctest shows reading the manifest\"\n",
    );
    std::fs::write(dir.join("blockguard.toml"), config).unwrap();
    let out = blockguard_test(&dir, &["-p", "beta"]);
    // Its read is allowed now: nothing in beta fails.
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let report = support::report(&dir.join("target/blockguard/reports/beta.json"));
    let doctest = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "beta/src/lib.rs - manifest (line 16)")
        .unwrap();
    assert_eq!(doctest["outcome"], "pass", "{doctest:#}");
    let read = doctest["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call"] == "read")
        .unwrap();
    assert_eq!(read["verdict"], "allowed");
    assert_eq!(read["rule"], "the doctest shows reading the manifest");
}

/// The files named `name` under `dir`, at any depth.
fn found(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(self::found(&path, name));
        } else if entry.file_name() == name {
            found.push(path);
        }
    }
    found
}

/// `--sandbox` covers the doctests too: rustdoc builds them and they run
/// as `cargo test --doc` runs, so all of that runs in the sandbox. A
/// doctest's write outside the sandbox's folders fails under it and
/// works without it; so do a test's writes into the guard runtime's cache
/// and the workspace's `target/`, which a later run outside executes.
#[test]
fn under_the_sandbox_a_doctest_cannot_write_outside_it() {
    let parent = scratch().join("doctest-sandbox");
    let _ = std::fs::remove_dir_all(&parent);
    std::fs::create_dir_all(&parent).unwrap();
    let outside = parent.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let probe = outside.join("written-by-a-doctest");
    for (flags, sandboxed) in [(&["--sandbox"][..], true), (&[][..], false)] {
        let label = if sandboxed { "sandboxed" } else { "plain" };
        let dir = copy_fixture("workspace", &parent, label);
        let lib = dir.join("beta/src/lib.rs");
        let mut code = std::fs::read_to_string(&lib).unwrap();
        code.push_str(&format!(
            "\n/// Writes outside the package.\n///\n/// ```\n/// let _ = std::fs::write({:?}, \"x\");\n/// ```\npub fn escape() {{}}\n",
            probe.display().to_string()
        ));
        code.push_str(TAMPERS);
        std::fs::write(&lib, code).unwrap();
        let _ = std::fs::remove_file(&probe);
        let mut args = vec!["-p", "beta"];
        args.extend(flags);
        let out = blockguard_test(&dir, &args);
        let report = support::report(&dir.join("target/blockguard/reports/beta.json"));
        let ran = report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"].as_str().is_some_and(|n| n.contains("escape")));
        assert!(ran, "the doctest ran ({label}): {}", shown(&out));
        assert_eq!(probe.exists(), !sandboxed, "{label}: {}", shown(&out));
        let cache = scratch().join("cache");
        for place in [&cache, &dir.join("target")] {
            let left = found(place, TAMPERED);
            assert_eq!(
                left.is_empty(),
                sandboxed,
                "{label}: {left:?} {}",
                shown(&out)
            );
            left.iter().for_each(|f| std::fs::remove_file(f).unwrap());
        }
    }
    let _ = std::fs::remove_file(&probe);
}

/// What [`TAMPERS`] leaves.
const TAMPERED: &str = "written-by-a-test";

/// A test that writes beside the guard runtime it loads and into the
/// workspace's `target/`.
const TAMPERS: &str = r#"
#[cfg(test)]
mod tampers {
    #[test]
    fn writes_the_runtime_and_the_target_folder() {
        let runtime = std::path::PathBuf::from(std::env::var_os("LD_PRELOAD").unwrap());
        let _ = std::fs::write(runtime.with_file_name("written-by-a-test"), "x");
        let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        let _ = std::fs::write(target.join("written-by-a-test"), "x");
    }
}
"#;

#[test]
fn outside_any_crate_the_error_says_so_once() {
    let dir = std::env::temp_dir().join(format!("bg-no-crate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-blockguard"))
        .args(["blockguard", "test"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: could not find `Cargo.toml`"),
        "{stderr}"
    );
    assert!(!stderr.contains("error: error:"), "{stderr}");
}

#[test]
fn message_format_json_prints_cargos_messages_alone_on_stdout() {
    let dir = copy_fixture("workspace", &scratch(), "message-format");
    let out = blockguard_test(
        &dir,
        &["-p", "alpha", "--message-format", "json", "--", "naps"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let messages: Vec<cargo_metadata::Message> =
        cargo_metadata::Message::parse_stream(out.stdout.as_slice())
            .map(|m| m.expect("a line of stdout that is not cargo's JSON"))
            .collect();
    let findings: Vec<&cargo_metadata::CompilerMessage> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(c) => Some(c),
            _ => None,
        })
        .collect();
    // `naps` chooses the unit test alone (not the doctest `nap`).
    assert_eq!(findings.len(), 1, "{}", shown(&out));
    let f = findings[0];
    assert_eq!(f.message.code.as_ref().unwrap().code, "blocking::sleep");
    assert!(
        f.message.message.contains("alpha::tests::naps"),
        "{:?}",
        f.message
    );
    assert_eq!(f.target.name, "alpha");
    assert!(f.package_id.repr.contains("alpha"), "{}", f.package_id);
    assert!(
        matches!(messages.last(), Some(cargo_metadata::Message::BuildFinished(b)) if !b.success),
        "{}",
        shown(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("running 1 test"), "{stderr}");
}

/// Issue 25, item 5: doctests run side by side (`-j`), each still guarded
/// and named. Each of these two doctests leaves a mark and waits for the
/// other's: they pass only if they run at once. Both are in the report
/// under their own names, and the run's time counts them.
#[test]
fn doctests_run_side_by_side_each_guarded_and_named() {
    let dir = scratch().join("doctests-side-by-side");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"pair\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    let meet = |me: &str, other: &str| {
        format!(
            "/// ```\n/// let dir = std::path::Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"marks\");\n\
             /// std::fs::create_dir_all(&dir).unwrap();\n\
             /// std::fs::write(dir.join(\"{me}\"), \"\").unwrap();\n\
             /// let start = std::time::Instant::now();\n\
             /// while !dir.join(\"{other}\").exists() {{\n\
             ///     assert!(start.elapsed().as_secs() < 60, \"{other} never ran beside {me}\");\n\
             ///     std::thread::sleep(std::time::Duration::from_millis(20));\n\
             /// }}\n\
             /// ```\npub fn {me}() {{}}\n"
        )
    };
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("{}{}", meet("first", "second"), meet("second", "first")),
    )
    .unwrap();
    // Audit: the waits are the doctests' own and change nothing.
    let out = blockguard_test(&dir, &["--mode", "audit", "-j", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let report = report(&dir.join("target/blockguard/reports/pair.json"));
    let doctests: Vec<(&str, &str)> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["binary"] == "doctests")
        .map(|t| (t["name"].as_str().unwrap(), t["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        doctests,
        [
            ("src/lib.rs - first (line 1)", "pass"),
            ("src/lib.rs - second (line 12)", "pass")
        ],
        "{}",
        shown(&out)
    );
    // Guarded, each in its own name: the one that waited has its sleeps,
    // at its own line.
    let mut waited = 0;
    for t in report["tests"].as_array().unwrap() {
        let line = if t["name"].as_str().unwrap().contains("first") {
            1
        } else {
            12
        };
        for call in t["blocking"].as_array().unwrap() {
            assert_eq!(call["class"], "sleep", "{t:#}");
            let site = call["site"].as_str().unwrap();
            assert!(
                site.contains(&format!("_doctest_main_src_lib_rs_{line}_")),
                "{t:#}"
            );
            waited += 1;
        }
    }
    assert!(waited > 0, "{}", shown(&out));
}

/// The gate's deadpool-redis: doctests build with the configuration's
/// features, as the tests do; a doctest that does not compile is a
/// failure of its own, and the doctests after it keep their names.
#[test]
fn doctests_build_with_the_features_and_one_that_does_not_compile_fails_alone() {
    let dir = scratch().join("doctests-features");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"featured\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [features]\nextra = []\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("blockguard.toml"),
        "[suite]\npath = \".\"\nfeatures = [\"extra\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "/// ```\n/// featured::extra();\n/// ```\npub fn a() {}\n\
         /// ```\n/// let x: u32 = \"not a number\";\n/// ```\npub fn b() {}\n\
         /// ```\n/// std::thread::sleep(std::time::Duration::from_millis(1));\n/// ```\npub fn c() {}\n\
         #[cfg(feature = \"extra\")]\npub fn extra() {}\n",
    )
    .unwrap();
    let out = blockguard_test(&dir, &["--mode", "audit", "-j", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report = report(&dir.join("target/blockguard/reports/featured.json"));
    let doctest = |item: &str| {
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["binary"] == "doctests" && t["name"].as_str().unwrap().contains(item))
            .unwrap_or_else(|| panic!("no doctest {item}: {}", shown(&out)))
            .clone()
    };
    assert_eq!(doctest(" a (line 1)")["outcome"], "pass", "{}", shown(&out));
    let b = doctest(" b (line 5)");
    assert_eq!(b["outcome"], "fail", "{b:#}");
    assert_eq!(b["message"], "rustdoc could not compile it", "{b:#}");
    let c = doctest(" c (line 9)");
    assert_eq!(c["outcome"], "pass", "{c:#}");
    let sites: Vec<&str> = c["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["site"].as_str().unwrap())
        .collect();
    assert!(
        sites
            .iter()
            .any(|s| s.contains("_doctest_main_src_lib_rs_9_")),
        "c's own sleep, under c's name: {c:#}"
    );
}
