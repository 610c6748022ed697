//! The findings of a report: one per distinct blocking site of a test,
//! the one list every output reads, so that the terminal, SARIF, GitHub's
//! annotations and cargo's messages say the same thing.

use crate::schema::{Report, TestEntry};
use blockguard_protocol::{Mode, TraceEvent, Verdict};

/// How grave a finding is: denied calls fail the run, except in audit
/// mode, which only records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A denied call in `check` or `deny` mode.
    Error,
    /// A denied call in `audit` mode.
    Warning,
}

impl Severity {
    /// The level's name as rustc, SARIF and GitHub spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One distinct blocking site of one test: its denied calls with the same
/// call, class, site and location, taken together.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// The test that made the calls.
    pub test: &'a TestEntry,
    /// The first of its events at this site; what every output shows.
    pub event: &'a TraceEvent,
    /// Every distinct API the site called through, in the order seen.
    pub vias: Vec<&'a str>,
    /// Calls made at the site.
    pub calls: u64,
    /// How grave it is.
    pub severity: Severity,
}

impl Finding<'_> {
    /// rustc's diagnostic code: `blocking::sleep`.
    pub fn code(&self) -> String {
        format!("blocking::{}", self.event.class)
    }

    /// SARIF's rule id: `blocking/sleep`.
    pub fn rule_id(&self) -> String {
        format!("blocking/{}", self.event.class)
    }
}

/// Every finding of `report`, test by test in report order, sites in the
/// order first seen. Allowed and farmed calls are not findings.
pub fn findings(report: &Report) -> Vec<Finding<'_>> {
    let severity = match report.mode {
        Mode::Audit => Severity::Warning,
        _ => Severity::Error,
    };
    let mut all = Vec::new();
    for test in &report.tests {
        let mut of_test: Vec<Finding<'_>> = Vec::new();
        for call in test
            .blocking
            .iter()
            .filter(|c| c.event.verdict == Verdict::Denied)
        {
            let e = &call.event;
            match of_test.iter_mut().find(|f| same_site(f.event, e)) {
                Some(f) => {
                    f.calls += call.calls;
                    if !f.vias.contains(&e.via.as_str()) {
                        f.vias.push(&e.via);
                    }
                }
                None => of_test.push(Finding {
                    test,
                    event: e,
                    vias: vec![&e.via],
                    calls: call.calls,
                    severity,
                }),
            }
        }
        all.extend(of_test);
    }
    all
}

fn same_site(a: &TraceEvent, b: &TraceEvent) -> bool {
    (&a.call, a.class, &a.site, &a.file, a.line, a.column)
        == (&b.call, b.class, &b.site, &b.file, b.line, b.column)
}
