//! `junit.xml`: a `<testsuite>` per suite × toolchain, a `<testcase>` per
//! test. `fail` and `blocked` are failures, `timeout`, `crash`, a failed
//! build and a run that could not start are errors, `suppressed` and
//! `ignored` skipped. No times, so reruns compare equal.

use super::super::entry::Entry;
use crate::run_suite::xml_escape as escape;
use crate::schema::Outcome;
use std::fmt::Write;

/// The JUnit XML.
pub fn junit(entries: &[Entry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"blockguard nightly\">\n",
    );
    for e in entries {
        let name = escape(&e.key());
        let Some(report) = e.report.as_ref().filter(|_| e.error.is_none()) else {
            let why = e.error.as_deref().unwrap_or("no report");
            let _ = writeln!(
                xml,
                "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    \
                 <testcase name=\"run\" classname=\"{name}\"><error type=\"error\" message=\"{}\"/></testcase>\n  </testsuite>",
                escape(why)
            );
            continue;
        };
        if report.build.status.failed() {
            let why = report
                .build
                .message
                .as_deref()
                .unwrap_or("the suite did not build");
            let _ = writeln!(
                xml,
                "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    \
                 <testcase name=\"build\" classname=\"{name}\"><error type=\"build-failed\" message=\"{}\"/></testcase>\n  </testsuite>",
                escape(why.lines().next().unwrap_or(why))
            );
            continue;
        }
        let count = |f: fn(Outcome) -> bool| report.tests.iter().filter(|t| f(t.outcome)).count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            report.tests.len(),
            count(|o| matches!(o, Outcome::Fail | Outcome::Blocked)),
            count(|o| matches!(o, Outcome::Timeout | Outcome::Crash | Outcome::Limit)),
            count(|o| matches!(o, Outcome::Suppressed | Outcome::Ignored)),
        );
        for t in &report.tests {
            let _ = write!(
                xml,
                "    <testcase name=\"{}\" classname=\"{name}::{}\"",
                escape(&t.key.name),
                escape(&t.key.binary)
            );
            let message = t.message.as_deref().or(t.rule.as_deref()).unwrap_or("");
            let first = escape(message.lines().next().unwrap_or(""));
            match t.outcome {
                Outcome::Pass | Outcome::Flaky => xml.push_str("/>\n"),
                Outcome::Fail | Outcome::Blocked => {
                    let _ = writeln!(
                        xml,
                        "><failure type=\"{}\" message=\"{first}\"/></testcase>",
                        t.outcome
                    );
                }
                Outcome::Timeout | Outcome::Crash | Outcome::Limit => {
                    let _ = writeln!(
                        xml,
                        "><error type=\"{}\" message=\"{first}\"/></testcase>",
                        t.outcome
                    );
                }
                Outcome::Suppressed | Outcome::Ignored => {
                    let _ = writeln!(xml, "><skipped message=\"{first}\"/></testcase>");
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
