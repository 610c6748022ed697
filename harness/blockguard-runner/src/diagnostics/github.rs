//! GitHub Actions workflow commands (`::error file=…,line=…::message`):
//! under `GITHUB_ACTIONS=true`, each finding becomes an annotation on its
//! line of the pull request, `::error` for denied calls and `::warning` in
//! audit mode. Paths are relative to `GITHUB_WORKSPACE`. GitHub shows at
//! most [`PER_LEVEL`] of each per step, so no more are printed: the
//! closing summary says how many were left out.

use super::finding::{Finding, Severity};
use super::source_line;
use super::sources::{Sources, relative_to};
use super::text;
use crate::untrusted_text::visible;
use std::path::Path;

/// Annotations GitHub shows per step, for errors and for warnings each.
pub const PER_LEVEL: usize = 10;

/// The workflow commands of a run's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// The commands, one a line.
    pub text: String,
    /// Errors not annotated, past the limit.
    pub errors_left_out: usize,
    /// Warnings not annotated, past the limit.
    pub warnings_left_out: usize,
}

impl Annotations {
    /// The summary's line on what was left out, if anything was.
    pub fn left_out(&self) -> Option<String> {
        let (e, w) = (self.errors_left_out, self.warnings_left_out);
        let what = match (e, w) {
            (0, 0) => return None,
            (e, 0) => format!("{e} more error(s)"),
            (0, w) => format!("{w} more warning(s)"),
            (e, w) => format!("{e} more error(s) and {w} more warning(s)"),
        };
        Some(format!(
            "GitHub annotations: {what} not annotated (GitHub shows {PER_LEVEL} of each per step); the diagnostics above list them all"
        ))
    }
}

/// The first [`PER_LEVEL`] errors and warnings as workflow commands, with
/// paths relative to `workspace` (`GITHUB_WORKSPACE`; the root of
/// `sources` when unset).
pub fn annotations(
    findings: &[Finding<'_>],
    sources: &Sources,
    workspace: Option<&Path>,
) -> Annotations {
    let mut out = Annotations::default();
    let (mut errors, mut warnings) = (0, 0);
    for f in findings {
        let (shown, left_out) = match f.severity {
            Severity::Error => (&mut errors, &mut out.errors_left_out),
            Severity::Warning => (&mut warnings, &mut out.warnings_left_out),
        };
        if *shown == PER_LEVEL {
            *left_out += 1;
            continue;
        }
        *shown += 1;
        out.text.push_str(&command(f, sources, workspace));
        out.text.push('\n');
    }
    out
}

/// One finding's command.
fn command(f: &Finding<'_>, sources: &Sources, workspace: Option<&Path>) -> String {
    let e = f.event;
    let path = e
        .file
        .as_deref()
        .and_then(|file| sources.path_of(&f.test.key.package, file));
    let file = path.as_deref().and_then(|path| match workspace {
        Some(workspace) => relative_to(path, workspace),
        None => sources.relative(path),
    });
    let mut properties = Vec::new();
    let mut message = Vec::new();
    match (file, e.line) {
        (Some(file), Some(line)) => {
            properties.push(format!("file={}", property(&file)));
            properties.push(format!("line={line}"));
            let source = path
                .as_deref()
                .and_then(|path| source_line::read(path, line, e.column));
            match source {
                Some(source) => {
                    let (start, end) = source.columns();
                    properties.push(format!("col={start}"));
                    properties.push(format!("endColumn={end}"));
                }
                None => properties.extend(e.column.map(|c| format!("col={c}"))),
            }
            message.push(text::label(f));
        }
        _ => message.push(text::one_line(f)),
    }
    properties.push(format!(
        "title={}",
        property(&format!("{}: {}", f.code(), text::title(f)))
    ));
    message.extend(text::notes(f));
    message.extend(text::help(f, sources));
    format!(
        "::{} {}::{}",
        f.severity.as_str(),
        properties.join(","),
        data(&message.join("\n"))
    )
}

/// A message, escaped as GitHub reads it: `%`, CR and LF.
fn data(text: &str) -> String {
    visible(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property's value: a message's escapes, and `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::finding::findings;
    use crate::diagnostics::sample::{self, event, located, report, test};
    use blockguard_protocol::Mode;

    #[test]
    fn a_located_finding_is_an_error_on_its_line_relative_to_the_workspace() {
        let (root, sources) = sample::workspace("github");
        let r = report(Mode::Check, vec![test("tests::naps", vec![located()])]);
        let shown = annotations(&findings(&r), &sources, Some(&root));
        sample::remove(&root);
        assert_eq!(
            shown.text,
            "::error file=sample/src/lib.rs,line=5,col=9,endColumn=27,\
             title=blocking%3A%3Asleep%3A clock_nanosleep (sleep) in a microthread%2C in sample%3A%3Atests%3A%3Anaps\
             ::blocks the thread in sample::tests::naps (2 calls)%0A\
             via std::thread::functions::sleep%0A\
             chain: sample::tests::naps → std::thread::functions::sleep → clock_nanosleep%0A\
             to allow it, add to blockguard.toml:%0A[[allow]]%0Acall = \"clock_nanosleep\"%0A\
             within = \"sample::tests::naps\"%0Areason = \"why this wait is the test's own\"\n"
        );
        assert_eq!(shown.left_out(), None);
    }

    #[test]
    fn at_most_ten_of_each_level_and_the_rest_are_counted() {
        let (root, sources) = sample::workspace("github-limit");
        let tests = (0..12)
            .map(|i| test(&format!("tests::t{i}"), vec![event("a::b")]))
            .collect();
        let r = report(Mode::Audit, tests);
        let shown = annotations(&findings(&r), &sources, Some(&root));
        sample::remove(&root);
        assert_eq!(shown.text.lines().count(), PER_LEVEL);
        assert!(
            shown
                .text
                .lines()
                .all(|l| l.starts_with("::warning title=")),
            "{}",
            shown.text
        );
        assert_eq!((shown.errors_left_out, shown.warnings_left_out), (0, 2));
        assert!(
            shown
                .left_out()
                .unwrap()
                .contains("2 more warning(s) not annotated")
        );
    }

    #[test]
    fn what_the_crate_chose_cannot_end_the_command_or_start_another() {
        let mut e = event("a%0A::b,c\r\n::error::forged\u{1b}[2J");
        e.file = Some("src/x,y:z.rs".into());
        e.line = Some(3);
        let (root, sources) = sample::workspace("github-escape");
        let r = report(Mode::Check, vec![test("tests::naps", vec![e])]);
        let shown = annotations(&findings(&r), &sources, Some(&root));
        sample::remove(&root);
        assert_eq!(shown.text.lines().count(), 1, "{}", shown.text);
        assert!(
            shown
                .text
                .starts_with("::error file=sample/src/x%2Cy%3Az.rs,line=3,title="),
            "{}",
            shown.text
        );
        assert!(
            shown
                .text
                .contains("a%250A::b,c%0D%0A::error::forged\\u{1b}[2J"),
            "{}",
            shown.text
        );
    }
}
