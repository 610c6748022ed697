//! JUnit XML: one `<testsuite>` per test binary. `fail` and `blocked` are
//! failures, `timeout` and `crash` errors, `suppressed` and `ignored`
//! skipped (with the reason).

use crate::schema::{Outcome, Report, TestEntry};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The report as JUnit XML.
pub fn junit(report: &Report) -> String {
    let mut by_binary: BTreeMap<&str, Vec<&TestEntry>> = BTreeMap::new();
    for test in &report.tests {
        by_binary.entry(&test.key.binary).or_default().push(test);
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all: Vec<&TestEntry> = report.tests.iter().collect();
    let _ = writeln!(
        xml,
        "<testsuites name=\"{}\"{}>",
        escape(&format!("blockguard {}", report.suite.name)),
        counts(&all)
    );
    if let Some(message) = &report.build.message {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"build\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">\n    \
             <testcase name=\"build\" classname=\"{}\"><error type=\"build-failed\" message=\"the suite did not build\">{}</error></testcase>\n  </testsuite>",
            escape(&report.suite.name),
            escape(message)
        );
    }
    for (binary, tests) in by_binary {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\"{}>",
            escape(binary),
            counts(&tests)
        );
        for test in tests {
            testcase(&mut xml, &report.suite.name, test);
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

fn testcase(xml: &mut String, suite: &str, test: &TestEntry) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}::{}\" time=\"{:.3}\"",
        escape(&test.key.name),
        escape(suite),
        escape(&test.key.binary),
        test.duration_ms as f64 / 1000.0
    );
    let message = test.message.as_deref().unwrap_or_default();
    if test.outcome == Outcome::Flaky {
        // It passed; each failed run is a flakyFailure, as Maven Surefire
        // writes reruns.
        xml.push_str(">\n");
        for attempt in test.attempts.iter().filter(|a| a.outcome.is_failure()) {
            let text = attempt.message.as_deref().unwrap_or_default();
            let _ = writeln!(
                xml,
                "      <flakyFailure type=\"{}\" message=\"{}\">{}</flakyFailure>",
                attempt.outcome,
                escape(text.lines().next().unwrap_or_default()),
                escape(text)
            );
        }
        xml.push_str("    </testcase>\n");
        return;
    }
    let (element, text) = match test.outcome {
        Outcome::Pass | Outcome::Flaky => (None, String::new()),
        Outcome::Fail | Outcome::Blocked => (Some("failure"), message.to_owned()),
        Outcome::Timeout | Outcome::Crash | Outcome::Limit => (Some("error"), message.to_owned()),
        Outcome::Suppressed => (
            Some("skipped"),
            format!("suppressed: {}", test.rule.as_deref().unwrap_or_default()),
        ),
        Outcome::Ignored => (Some("skipped"), "ignored".to_owned()),
    };
    match element {
        None => xml.push_str("/>\n"),
        Some(element) => {
            let first_line = text.lines().next().unwrap_or_default();
            let _ = writeln!(
                xml,
                ">\n      <{element} type=\"{}\" message=\"{}\">{}</{element}>\n    </testcase>",
                test.outcome,
                escape(first_line),
                escape(&text)
            );
        }
    }
}

fn counts(tests: &[&TestEntry]) -> String {
    let n = |f: fn(Outcome) -> bool| tests.iter().filter(|t| f(t.outcome)).count();
    let time: u64 = tests.iter().map(|t| t.duration_ms).sum();
    format!(
        " tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\"",
        tests.len(),
        n(|o| matches!(o, Outcome::Fail | Outcome::Blocked)),
        n(|o| matches!(o, Outcome::Timeout | Outcome::Crash | Outcome::Limit)),
        n(|o| matches!(o, Outcome::Suppressed | Outcome::Ignored)),
        time as f64 / 1000.0
    )
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot
/// carry at all (most control characters) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attempt;

    #[test]
    fn a_flaky_test_passes_with_each_failed_run_as_a_flaky_failure() {
        let test: TestEntry = serde_json::from_value(serde_json::json!({
            "binary": "b", "name": "t", "outcome": "flaky", "duration_ms": 5,
            "message": "failed 1 time(s), then passed", "rule": null, "snapshot": null,
            "blocking": []
        }))
        .unwrap();
        let test = TestEntry {
            attempts: vec![
                Attempt {
                    outcome: Outcome::Fail,
                    duration_ms: 2,
                    message: Some("boom <1>".into()),
                },
                Attempt {
                    outcome: Outcome::Pass,
                    duration_ms: 3,
                    message: None,
                },
            ],
            ..test
        };
        let mut xml = String::new();
        testcase(&mut xml, "s", &test);
        assert!(
            xml.contains("<flakyFailure type=\"fail\" message=\"boom &lt;1&gt;\">"),
            "{xml}"
        );
        assert_eq!(xml.matches("<flakyFailure").count(), 1, "{xml}");
        assert!(!xml.contains("<failure"), "{xml}");
    }

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1b}[31m"), "x\u{FFFD}[31m");
    }
}
