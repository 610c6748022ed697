//! Well-formed files parse to the values they say.

use blockguard_protocol::{Class, Mode};
use blockguard_rules::{builtin, load, parse_str};
use std::path::PathBuf;
use std::time::Duration;

/// DESIGN §5's example, verbatim.
const DESIGN_EXAMPLE: &str = r#"[suite]
crate = "crossbeam-channel"   # crates.io name; or path = "..." for a local crate
version = "0.5.15"            # pinned, so nightly reports compare like with like
features = []
timeout = "60s"               # per test
mode = "check"

[[allow]]                     # an explicit allowance
call = "futex_wait"           # a call name, or class = "sync"
within = "crossbeam_utils::sync::parker::*"   # glob over demangled frames on the stack
tests = "*"                   # glob over binary::test names
reason = "the parker is the channel's own wait point"

[[suppress]]                  # a known benign race failure
tests = "select::*"
message = "(?i)connection reset by peer"      # regex over the failure message / stderr
reason = "benign race: the peer closes before the final write"
"#;

#[test]
fn design_example_parses() {
    let file = parse_str(DESIGN_EXAMPLE, "suites/crossbeam-channel.toml", "rules").unwrap();
    assert_eq!(file.source, "suites/crossbeam-channel.toml");

    let suite = file.suite.expect("[suite] is present");
    assert_eq!(suite.krate.as_deref(), Some("crossbeam-channel"));
    assert_eq!(suite.path, None);
    assert_eq!(suite.version.as_deref(), Some("0.5.15"));
    assert!(suite.features.is_empty());
    assert_eq!(suite.timeout, Some(Duration::from_secs(60)));
    assert_eq!(suite.mode, Some(Mode::Check));

    let [allow] = file.allow.as_slice() else {
        panic!("one allow rule: {:?}", file.allow)
    };
    assert_eq!(allow.id, "rules:allow[0]");
    assert_eq!(allow.calls, ["futex_wait"]);
    assert_eq!(allow.class, None);
    assert_eq!(allow.within, ["crossbeam_utils::sync::parker::*"]);
    assert_eq!(allow.tests, "*");
    assert!(allow.fds.is_empty());
    assert_eq!(allow.reason, "the parker is the channel's own wait point");
    assert_eq!(allow.line, 8);

    let [suppress] = file.suppress.as_slice() else {
        panic!("one suppress rule: {:?}", file.suppress)
    };
    assert_eq!(suppress.id, "rules:suppress[0]");
    assert_eq!(suppress.tests, "select::*");
    assert_eq!(suppress.message, "(?i)connection reset by peer");
    assert_eq!(
        suppress.reason,
        "benign race: the peer closes before the final write"
    );
    assert_eq!(suppress.line, 14);
}

#[test]
fn rules_only_file_with_path_suite_and_lists() {
    let text = r#"
[suite]
path = "fixtures/sleepy"
features = ["std", "extra"]
timeout = "1m30s"
mode = "farm"
env = ["DATABASE_HOST", "_Fixture_2"]

[[allow]]
call = ["read", "write"]
class = "pipe"
fds = [3, 4]
reason = "the fixture's own pipe"

[[allow]]
within = ["a::*", "b::*"]
tests = "basic::*"
reason = "second"
"#;
    let file = parse_str(text, "label", "custom").unwrap();
    let suite = file.suite.unwrap();
    assert_eq!(suite.krate, None);
    assert_eq!(suite.path, Some(PathBuf::from("fixtures/sleepy")));
    assert_eq!(suite.features, ["std", "extra"]);
    assert_eq!(suite.timeout, Some(Duration::from_secs(90)));
    assert_eq!(suite.mode, Some(Mode::Farm));
    assert_eq!(suite.env, ["DATABASE_HOST", "_Fixture_2"]);

    let ids: Vec<_> = file.allow.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["custom:allow[0]", "custom:allow[1]"]);
    assert_eq!(file.allow[0].calls, ["read", "write"]);
    assert_eq!(file.allow[0].class, Some(Class::Pipe));
    assert_eq!(file.allow[0].fds, [3, 4]);
    assert_eq!(file.allow[0].line, 9);
    assert_eq!(file.allow[1].within, ["a::*", "b::*"]);
    assert_eq!(file.allow[1].tests, "basic::*");
    assert_eq!(file.allow[1].line, 15);
}

#[test]
fn empty_file_and_inline_tables() {
    let empty = parse_str("", "empty", "rules").unwrap();
    assert!(empty.suite.is_none() && empty.allow.is_empty() && empty.suppress.is_empty());

    let text =
        "suite = { crate = \"x\" }\n\nallow = [\n  { call = \"write\", reason = \"r\" },\n]\n";
    let file = parse_str(text, "inline", "rules").unwrap();
    assert_eq!(file.suite.unwrap().krate.as_deref(), Some("x"));
    assert_eq!(file.allow[0].calls, ["write"]);
    assert_eq!(file.allow[0].line, 4);
}

#[test]
fn load_reads_a_file_with_rules_ids() {
    let dir = std::env::temp_dir().join(format!("blockguard-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("suite.toml");
    std::fs::write(&path, DESIGN_EXAMPLE).unwrap();
    let file = load(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    let file = file.unwrap();
    assert_eq!(file.source, path.display().to_string());
    assert_eq!(file.allow[0].id, "rules:allow[0]");
}

#[test]
fn builtin_rules_parse_with_reasons() {
    let rules = builtin();
    assert_eq!(rules.source, "builtin-rules.toml");
    assert!(rules.suite.is_none());
    assert_eq!(rules.allow.len(), 6);
    for (i, rule) in rules.allow.iter().enumerate() {
        assert_eq!(rule.id, format!("builtin:allow[{i}]"));
        assert!(rule.reason.len() > 20, "{}: {}", rule.id, rule.reason);
    }
}
