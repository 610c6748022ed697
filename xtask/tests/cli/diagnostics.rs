//! The findings where developers act on them, from a real run of the
//! outcomes fixture's blocked test: cargo's JSON messages on stdout
//! (`--message-format json`), a SARIF log that the SARIF SDK's validator
//! accepts (`--sarif`), and GitHub's workflow commands
//! (`GITHUB_ACTIONS=true`). The guard runtime may or may not know the
//! site's file and line: what is asserted holds either way; the exact
//! locations are the unit tests' (`harness/blockguard-runner/src/diagnostics/`).

use crate::run_suite::{Run, run_suite, scratch};
use crate::support::root;
use cargo_metadata::Message;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

const TEST: &str = "outcomes::tests::sleeps";

/// The blocked test alone, with every output on.
fn sleeps() -> &'static (Run, Value) {
    static RUN: OnceLock<(Run, Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("diagnostics");
        let sarif = dir.join("out/blockguard.sarif");
        let workspace = root();
        let run = run_suite(
            &dir,
            &[
                "fixtures/outcomes.toml",
                "--sarif",
                sarif.to_str().unwrap(),
                "--message-format",
                "json",
                "--",
                "--exact",
                TEST,
            ],
            &[
                ("INSTA_UPDATE", "no"),
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_WORKSPACE", workspace.to_str().unwrap()),
            ],
        );
        assert_eq!(run.code, 1, "{}", run.explain());
        validate(&sarif);
        let log = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        (run, log)
    })
}

/// Fails when the SARIF SDK's validator (with GitHub's rules) finds an
/// error in the log at `path`; `.ci/run` installs it.
fn validate(path: &Path) {
    let out = std::process::Command::new("node")
        .arg(root().join(".ci/sarif/validate.mjs"))
        .arg(path)
        .output()
        .expect("node runs the SARIF validator");
    assert!(
        out.status.success(),
        "{}: {}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn stdout_is_cargos_json_messages_alone_one_per_blocking_site() {
    let (run, _) = sleeps();
    let messages: Vec<Message> = Message::parse_stream(run.stdout.as_bytes())
        .map(|m| m.expect("a line of stdout that is not cargo's JSON"))
        .collect();
    // The build's own messages, if it has any, come first.
    let findings: Vec<&cargo_metadata::CompilerMessage> = messages
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c)
                if c.message
                    .code
                    .as_ref()
                    .is_some_and(|c| c.code.starts_with("blocking::")) =>
            {
                Some(c)
            }
            _ => None,
        })
        .collect();
    assert_eq!(findings.len(), 1, "{}", run.explain());
    let finding = findings[0];
    let d = &finding.message;
    assert_eq!(d.code.as_ref().unwrap().code, "blocking::sleep");
    assert!(
        d.message.contains(TEST) && d.message.contains("clock_nanosleep"),
        "{d:?}"
    );
    assert_eq!(finding.target.name, "outcomes");
    let rendered = d.rendered.as_deref().unwrap();
    assert!(
        rendered.starts_with("error[blocking::sleep]: "),
        "{rendered}"
    );
    // With the site's line: the span is there, in the fixture's source.
    for span in &d.spans {
        assert!(span.is_primary && span.line_start > 0, "{span:?}");
        assert!(span.file_name.starts_with("fixtures/outcomes/"), "{span:?}");
    }
    assert!(
        matches!(messages.last(), Some(Message::BuildFinished(f)) if !f.success),
        "{}",
        run.explain()
    );
    // libtest's lines went to stderr.
    assert!(run.stderr.contains("running 1 test"), "{}", run.explain());
}

#[test]
fn the_sarif_log_is_valid_and_has_the_blocked_call_as_its_result() {
    let (run, log) = sleeps();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{log:#}\n{}", run.explain());
    let r = &results[0];
    assert_eq!(
        (&r["ruleId"], &r["level"]),
        (&"blocking/sleep".into(), &"error".into())
    );
    let message = r["message"]["text"].as_str().unwrap();
    assert!(
        message.contains(TEST) && message.contains("clock_nanosleep"),
        "{message}"
    );
    let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().unwrap();
    // The site's file when known, else the package's manifest.
    assert!(
        uri.starts_with("fixtures/outcomes/src/") || uri == "fixtures/outcomes/Cargo.toml",
        "{artifact}"
    );
    assert_eq!(artifact["uriBaseId"], "SRCROOT");
    let flow = &r["codeFlows"][0]["threadFlows"][0]["locations"];
    let last = flow.as_array().unwrap().last().unwrap();
    assert_eq!(
        last["location"]["logicalLocations"][0]["fullyQualifiedName"],
        "clock_nanosleep"
    );
}

#[test]
fn under_github_actions_each_denied_call_is_an_error_annotation() {
    let (run, _) = sleeps();
    let annotations: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(annotations.len(), 1, "{}", run.explain());
    let a = annotations[0];
    assert!(
        a.contains("title=blocking%3A%3Asleep%3A clock_nanosleep (sleep)")
            && a.contains("outcomes%3A%3Atests%3A%3Asleeps"),
        "{a}"
    );
    if a.contains("file=") {
        assert!(a.starts_with("::error file=fixtures/outcomes/src/"), "{a}");
    }
    assert!(a.contains("[[allow]]%0Acall = \"clock_nanosleep\""), "{a}");
}

#[test]
fn a_listing_in_json_mode_leaves_stdout_to_the_messages_too() {
    let dir = scratch("diagnostics-list");
    let run = run_suite(
        &dir,
        &[
            "fixtures/outcomes.toml",
            "--message-format",
            "json",
            "--",
            "--list",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.explain());
    let messages: Vec<Message> = Message::parse_stream(run.stdout.as_bytes())
        .map(|m| m.expect("a line of stdout that is not cargo's JSON"))
        .collect();
    assert!(
        matches!(&messages[..], [Message::BuildFinished(f)] if f.success),
        "{}",
        run.explain()
    );
    assert!(
        run.stderr.contains("outcomes::tests::passes: test"),
        "{}",
        run.explain()
    );
}

#[test]
fn in_json_mode_the_builds_own_compiler_messages_come_first() {
    let dir = scratch("diagnostics-warning");
    let krate = crate::run_suite::tiny_crate(
        &dir,
        "warns",
        "pub fn f() -> u32 {\n    let unused = 1;\n    2\n}\n\n#[test]\nfn ok() {\n    assert_eq!(f(), 2);\n}\n",
    );
    let run = run_suite(
        &dir,
        &[
            "--path",
            krate.to_str().unwrap(),
            "--message-format",
            "json",
        ],
        &[("INSTA_UPDATE", "no")],
    );
    assert_eq!(run.code, 0, "{}", run.explain());
    let messages: Vec<Message> = Message::parse_stream(run.stdout.as_bytes())
        .map(|m| m.expect("a line of stdout that is not cargo's JSON"))
        .collect();
    let codes: Vec<&str> = messages
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => c.message.code.as_ref().map(|c| c.code.as_str()),
            _ => None,
        })
        .collect();
    assert!(codes.contains(&"unused_variables"), "{}", run.explain());
    assert!(
        matches!(messages.last(), Some(Message::BuildFinished(f)) if f.success),
        "{}",
        run.explain()
    );
}
