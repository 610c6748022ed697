//! `index.html`: one self-contained page (inline CSS and SVG, no script,
//! nothing fetched): the verdict table, a chart of outcomes per crate, the
//! blocking sites most crates share, the regressions, and a section per
//! crate down to its tests.

use super::super::entry::Entry;
use super::super::results::{Results, SuiteResult};
use super::markdown::common_sites;
use crate::run_suite::xml_escape;
use crate::schema::{Outcome, Summary};
use crate::untrusted_text;
use blockguard_protocol::Verdict as CallVerdict;
use std::fmt::Write;

/// Outcome colours of the chart and the badges.
const OUTCOMES: [(Outcome, &str); 9] = [
    (Outcome::Pass, "#2e7d32"),
    (Outcome::Suppressed, "#8bc34a"),
    (Outcome::Flaky, "#ff7043"),
    (Outcome::Ignored, "#b0bec5"),
    (Outcome::Blocked, "#f9a825"),
    (Outcome::Fail, "#c62828"),
    (Outcome::Timeout, "#6a1b9a"),
    (Outcome::Crash, "#000000"),
    (Outcome::Limit, "#8b4513"),
];

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#1c1c1c;padding:0 1em}\
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.n{text-align:right}code{font-size:12px}\
.v{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff;white-space:nowrap}small{color:#555}\
.compatible{background:#2e7d32}.blocking{background:#f9a825;color:#1c1c1c}.failing{background:#c62828}\
.build-failed{background:#5d4037}.error{background:#616161}\
details{margin:.3em 0}summary{cursor:pointer}pre{white-space:pre-wrap;background:#f7f7f7;padding:.5em}";

/// The page.
pub fn html(results: &Results, entries: &[Entry]) -> String {
    let mut h = String::new();
    let title = format!("blockguard nightly, {}", results.date);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    verdict_table(&mut h, results);
    chart(&mut h, results);
    regressions(&mut h, results);
    sites(&mut h, results);
    h.push_str("<h2>Suites</h2>\n");
    for (s, e) in results.suites.iter().zip(entries) {
        suite_section(&mut h, s, e);
    }
    h.push_str("</body></html>\n");
    h
}

/// Text for the page: HTML-escaped, with the bidi controls and other
/// dangerous characters shown as the terminal shows them (as references
/// the browser would still obey them).
fn escape(text: &str) -> String {
    xml_escape(&untrusted_text::visible(text))
}

fn anchor(s: &SuiteResult) -> String {
    format!("suite-{}-{}", s.suite, s.toolchain)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn verdict_table(h: &mut String, results: &Results) {
    h.push_str(
        "<h2>Verdicts</h2>\n<table id=\"verdicts\"><thead><tr><th>suite</th><th>crate</th>\
         <th>toolchain</th><th>verdict</th><th>pass</th><th>fail</th><th>blocked</th><th>timeout</th>\
         <th>crash</th><th>suppressed</th><th>ignored</th><th>denied, tests per class</th></tr></thead><tbody>\n",
    );
    for s in &results.suites {
        let m = &s.summary;
        let _ = writeln!(
            h,
            "<tr class=\"run\" data-verdict=\"{v}\"><td><a href=\"#{a}\">{}</a></td><td>{} {}</td><td>{}<br><small>{}</small></td>\
             <td><span class=\"v {v}\">{v}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&s.suite),
            escape(&s.krate),
            escape(&s.version),
            escape(&s.toolchain),
            escape(s.rustc.as_deref().unwrap_or("not installed")),
            m.pass,
            m.fail,
            m.blocked,
            m.timeout,
            m.crash,
            m.suppressed,
            m.ignored,
            escape(&s.classes_text()),
            v = s.verdict,
            a = anchor(s),
        );
    }
    h.push_str("</tbody></table>\n");
}

/// Stacked horizontal bars, one per suite × toolchain, each as wide as the
/// suite's share of its own tests.
fn chart(h: &mut String, results: &Results) {
    const LABEL: u32 = 260;
    const BAR: u32 = 600;
    const ROW: u32 = 22;
    let height = ROW * u32::try_from(results.suites.len()).unwrap_or(0) + 40;
    let _ = writeln!(
        h,
        "<h2>Outcomes per crate</h2>\n<svg id=\"outcomes-chart\" role=\"img\" aria-label=\"outcomes per crate\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" font-size=\"12\">",
        LABEL + BAR + 120
    );
    for (i, s) in results.suites.iter().enumerate() {
        let y = ROW * u32::try_from(i).unwrap_or(0);
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 8,
            y + 15,
            escape(&format!("{} ({})", s.suite, s.toolchain))
        );
        let total: usize = OUTCOMES.iter().map(|(o, _)| s.summary.get(*o)).sum();
        if total == 0 {
            let _ = writeln!(
                h,
                "<rect x=\"{LABEL}\" y=\"{}\" width=\"{BAR}\" height=\"16\" fill=\"#e0e0e0\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text>",
                y + 2,
                LABEL + 6,
                y + 15,
                escape(&format!("no tests ran: {}", s.verdict))
            );
            continue;
        }
        let mut x = f64::from(LABEL);
        for (outcome, colour) in OUTCOMES {
            let n = s.summary.get(outcome);
            if n == 0 {
                continue;
            }
            let w = f64::from(BAR) * n as f64 / total as f64;
            let _ = writeln!(
                h,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"16\" fill=\"{colour}\"><title>{outcome}: {n}</title></rect>",
                y + 2
            );
            x += w;
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\">{total} tests</text>",
            LABEL + BAR + 8,
            y + 15
        );
    }
    let legend_y = ROW * u32::try_from(results.suites.len()).unwrap_or(0) + 20;
    for (i, (outcome, colour)) in OUTCOMES.iter().enumerate() {
        let x = LABEL + 90 * u32::try_from(i).unwrap_or(0);
        let _ = writeln!(
            h,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{outcome}</text>",
            legend_y - 10,
            x + 16,
            legend_y
        );
    }
    h.push_str("</svg>\n");
}

fn regressions(h: &mut String, results: &Results) {
    h.push_str("<h2>Regressions</h2>\n");
    let Some(baseline) = &results.baseline else {
        h.push_str("<p>No earlier report to compare with.</p>\n");
        return;
    };
    let _ = writeln!(h, "<p>Compared with {}.</p>", escape(baseline));
    let r = &results.regressions;
    for (title, id, changes) in [
        ("Newly blocking", "newly-blocking", &r.newly_blocking),
        ("Newly failing", "newly-failing", &r.newly_failing),
        ("Fixed", "fixed", &r.fixed),
    ] {
        let _ = writeln!(h, "<h3>{title} ({})</h3><ul id=\"{id}\">", changes.len());
        for c in changes {
            let what = c.test.as_deref().unwrap_or("the suite");
            let _ = writeln!(
                h,
                "<li>{}@{}: <code>{}</code>: {} → {}</li>",
                escape(&c.suite),
                escape(&c.toolchain),
                escape(what),
                escape(&c.was),
                escape(&c.now)
            );
        }
        h.push_str("</ul>\n");
    }
    let _ = writeln!(
        h,
        "<h3>New blocking sites ({})</h3><ul id=\"new-sites\">",
        r.new_sites.len()
    );
    for s in &r.new_sites {
        let _ = writeln!(
            h,
            "<li>{}@{}: <code>{}</code></li>",
            escape(&s.suite),
            escape(&s.toolchain),
            escape(&s.site)
        );
    }
    h.push_str("</ul>\n");
}

fn sites(h: &mut String, results: &Results) {
    h.push_str("<h2>Most common blocking sites</h2>\n");
    let common = common_sites(results);
    if common.is_empty() {
        h.push_str("<p>No denied calls.</p>\n");
        return;
    }
    h.push_str("<table id=\"common-sites\"><thead><tr><th>site</th><th>crates</th><th>suites</th></tr></thead><tbody>\n");
    for (site, suites) in common.iter().take(20) {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(site),
            suites.len(),
            escape(&suites.join(", "))
        );
    }
    h.push_str("</tbody></table>\n");
}

fn suite_section(h: &mut String, s: &SuiteResult, e: &Entry) {
    let _ = writeln!(
        h,
        "<section id=\"{}\"><h3>{} {} ({}) <span class=\"v {v}\">{v}</span></h3>",
        anchor(s),
        escape(&s.suite),
        escape(&s.version),
        escape(s.rustc.as_deref().unwrap_or(&s.toolchain)),
        v = s.verdict
    );
    if let Some(message) = &s.message {
        let _ = writeln!(h, "<pre>{}</pre>", escape(message));
    }
    let Some(report) = &e.report else {
        h.push_str("</section>\n");
        return;
    };
    let _ = writeln!(
        h,
        "<details><summary>{} tests: {}</summary><table class=\"tests\"><thead><tr><th>test</th>\
         <th>outcome</th><th>why</th><th>denied calls</th></tr></thead><tbody>",
        report.tests.len(),
        escape(&counts(&s.summary))
    );
    for t in &report.tests {
        let why = t.message.as_deref().or(t.rule.as_deref()).unwrap_or("");
        let calls: Vec<String> = t
            .blocking
            .iter()
            .filter(|c| c.event.verdict == CallVerdict::Denied)
            .map(|c| {
                format!(
                    "<code>{}</code> at <code>{}</code>",
                    escape(&c.event.call),
                    escape(&c.event.site)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&t.key.to_string()),
            t.outcome,
            escape(why.lines().next().unwrap_or("")),
            calls.join("<br>")
        );
    }
    h.push_str("</tbody></table></details></section>\n");
}

fn counts(s: &Summary) -> String {
    OUTCOMES
        .iter()
        .filter(|(o, _)| s.get(*o) > 0)
        .map(|(o, _)| format!("{} {o}", s.get(*o)))
        .collect::<Vec<_>>()
        .join(", ")
}
