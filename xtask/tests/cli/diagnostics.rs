//! The findings where developers act on them, from a real run of the
//! locations fixture (`fixtures/locations`), each output checked against
//! its table of expected sites: cargo's JSON messages on stdout
//! (`--message-format json`), a SARIF log that the SARIF SDK's validator
//! accepts (`--sarif`), GitHub's workflow commands (`GITHUB_ACTIONS=true`)
//! and the terminal's rustc-style diagnostics.

use crate::locations::expected::{EXPECTED, Site, line_of};
use crate::run_suite::{Run, run_suite, scratch};
use crate::support::root;
use cargo_metadata::Message;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// The package under test, from the repository's root (where SARIF's and
/// the annotations' paths start, as GitHub's workspace would).
const APP: &str = "fixtures/locations/app";

/// The fixture with every output on: its run and its SARIF log.
fn located() -> &'static (Run, Value) {
    static RUN: OnceLock<(Run, Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("diagnostics");
        let sarif = dir.join("out/blockguard.sarif");
        let workspace = root();
        let run = run_suite(
            &dir,
            &[
                "fixtures/locations.toml",
                "--sarif",
                sarif.to_str().unwrap(),
                "--message-format",
                "json",
                "--snapshots",
                "none",
            ],
            &[
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

/// A site's file from the repository's root, and its line.
fn place(site: &Site) -> (String, u64) {
    let file = format!("{APP}/{}", site.file);
    let text = std::fs::read_to_string(root().join(&file)).unwrap();
    (file, u64::from(line_of(&text, site.marker)))
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
fn stdout_is_cargos_json_messages_one_per_site_at_its_line() {
    let (run, _) = located();
    let messages: Vec<Message> = Message::parse_stream(run.stdout.as_bytes())
        .map(|m| m.expect("a line of stdout that is not cargo's JSON"))
        .collect();
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
    assert_eq!(findings.len(), EXPECTED.len(), "{}", run.explain());
    for site in EXPECTED {
        let (file, line) = place(site);
        let found = findings.iter().find(|c| {
            c.message.spans.iter().any(|s| {
                s.is_primary && s.file_name == file && u64::try_from(s.line_start) == Ok(line)
            })
        });
        let c = found.unwrap_or_else(|| panic!("no message at {file}:{line}\n{}", run.explain()));
        let d = &c.message;
        assert_eq!(
            d.code.as_ref().unwrap().code,
            format!("blocking::{}", site.class)
        );
        assert!(
            d.message.contains(&format!("located::{}", site.test)),
            "{d:?}"
        );
        assert_eq!(c.target.name, "located");
        assert!(c.package_id.repr.contains("app"), "{}", c.package_id);
        assert!(
            d.rendered
                .as_deref()
                .is_some_and(|r| r.contains(&format!("--> {file}:{line}:"))),
            "{d:?}"
        );
    }
    assert!(
        matches!(messages.last(), Some(Message::BuildFinished(f)) if !f.success),
        "{}",
        run.explain()
    );
    // libtest's lines went to stderr.
    assert!(run.stderr.contains("running 6 tests"), "{}", run.explain());
}

#[test]
fn the_sarif_log_is_valid_with_one_result_per_site_at_its_line() {
    let (run, log) = located();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), EXPECTED.len(), "{log:#}\n{}", run.explain());
    for site in EXPECTED {
        let (file, line) = place(site);
        let r = results
            .iter()
            .find(|r| {
                let physical = &r["locations"][0]["physicalLocation"];
                physical["artifactLocation"]["uri"] == file.as_str()
                    && physical["region"]["startLine"] == line
            })
            .unwrap_or_else(|| panic!("no result at {file}:{line}: {log:#}"));
        assert_eq!(r["ruleId"], format!("blocking/{}", site.class));
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "SRCROOT"
        );
        let message = r["message"]["text"].as_str().unwrap();
        assert!(
            message.contains(&format!("located::{}", site.test)),
            "{message}"
        );
        let flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap();
        assert_eq!(
            flow.last().unwrap()["location"]["logicalLocations"][0]["fullyQualifiedName"],
            site.call
        );
    }
}

#[test]
fn under_github_actions_each_site_is_an_error_annotation_at_its_line() {
    let (run, _) = located();
    let annotations: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    // Fewer than GitHub's ten per step: every one is shown.
    assert_eq!(annotations.len(), EXPECTED.len(), "{}", run.explain());
    for site in EXPECTED {
        let (file, line) = place(site);
        let at = format!("::error file={file},line={line},");
        let a = annotations
            .iter()
            .find(|a| a.starts_with(&at))
            .unwrap_or_else(|| panic!("no annotation {at}\n{}", run.explain()));
        assert!(
            a.contains(&format!(
                "title=blocking%3A%3A{}%3A {}",
                site.class, site.call
            )),
            "{a}"
        );
        assert!(
            a.contains(&format!("[[allow]]%0Acall = \"{}\"", site.call)),
            "{a}"
        );
    }
}

#[test]
fn the_terminal_shows_each_site_as_rustc_shows_an_error() {
    let (run, _) = located();
    for site in EXPECTED {
        let (file, line) = place(site);
        let arrow = format!("--> {file}:{line}:");
        let at = run
            .stderr
            .find(&arrow)
            .unwrap_or_else(|| panic!("no `{arrow}`\n{}", run.explain()));
        let block = &run.stderr[at..];
        let block = &block[..block.find("\nerror[").unwrap_or(block.len())];
        // The source line, a caret under the call, and the rule that allows it.
        let source = std::fs::read_to_string(root().join(&file)).unwrap();
        let text = source
            .lines()
            .nth(usize::try_from(line).unwrap() - 1)
            .unwrap();
        assert!(block.contains(text.trim_end()), "{block}");
        assert!(block.contains('^'), "{block}");
        assert!(
            block.contains("= help: to allow it")
                && block.contains(&format!("call = \"{}\"", site.call)),
            "{block}"
        );
        assert!(
            block.contains(&format!("= note: via {}", site.via)),
            "{block}"
        );
    }
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
