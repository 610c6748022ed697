//! The terminal's form of a finding, as rustc writes a diagnostic
//! (annotate-snippets, rustc's own renderer): the title, `--> file:line:col`,
//! the source line with a caret under the call when the file can be read,
//! then `= note:` and `= help:` lines. A site without a file and line gets
//! the one-line form. Everything the crate chose (names, its source line)
//! is made [`untrusted_text::visible`] before it is laid out, so that the
//! caret stays under the call.

use super::finding::{Finding, Severity};
use super::source_line::{self, SourceLine};
use super::sources::Sources;
use super::text;
use crate::untrusted_text::visible;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

/// Every finding, each followed by a blank line.
pub fn render_all(findings: &[Finding<'_>], sources: &Sources) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&render(f, sources));
        out.push_str("\n\n");
    }
    out
}

/// One finding, without a final newline.
pub fn render(f: &Finding<'_>, sources: &Sources) -> String {
    let e = f.event;
    let path = e
        .file
        .as_deref()
        .and_then(|file| sources.path_of(&f.test.key.package, file));
    let (Some(path), Some(line)) = (path, e.line) else {
        return format!(
            "{}[{}]: {}",
            f.severity.as_str(),
            f.code(),
            visible(&text::one_line(f))
        );
    };
    let shown = visible(&sources.shown(&path));
    let source = source_line::read(&path, line, e.column);
    let title = visible(&text::title(f));
    let code = f.code();
    let level = match f.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let label = visible(&text::label(f));
    let notes: Vec<String> = text::notes(f).iter().map(|n| visible(n)).collect();
    let help = visible(&text::help(f, sources).join("\n"));
    let head = level.primary_title(&title).id(&code);
    let group = match &source {
        Some(source) => {
            let (text, span) = visible_line(source);
            head.element(
                Snippet::source(text)
                    .line_start(line as usize)
                    .path(&shown)
                    .annotation(AnnotationKind::Primary.span(span).label(&label)),
            )
        }
        None => {
            let mut origin = Origin::path(&shown).line(line as usize);
            if let Some(column) = e.column {
                origin = origin.char_column(column as usize);
            }
            head.element(origin)
        }
    };
    let group: Group<'_> = notes
        .iter()
        .fold(group, |g, note| g.element(Level::NOTE.message(note)))
        .element(Level::HELP.message(&help));
    Renderer::plain().render(&[group])
}

/// The line as the terminal shows it, and where the call is in that.
fn visible_line(source: &SourceLine) -> (String, std::ops::Range<usize>) {
    let before = visible(&source.text[..source.span.start]);
    let call = visible(&source.text[source.span.clone()]);
    let after = visible(&source.text[source.span.end..]);
    let span = before.len()..before.len() + call.len();
    (format!("{before}{call}{after}"), span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::finding::findings;
    use crate::diagnostics::sample::{self, event, located, report, test};
    use blockguard_protocol::Mode;

    #[test]
    fn a_located_call_is_shown_as_rustc_shows_an_error() {
        let (root, sources) = sample::workspace("render");
        let r = report(Mode::Check, vec![test("tests::naps", vec![located()])]);
        let shown = render_all(&findings(&r), &sources);
        sample::remove(&root);
        let expected = r#"error[blocking::sleep]: clock_nanosleep (sleep) in a microthread, in sample::tests::naps
 --> sample/src/lib.rs:5:9
  |
5 |         std::thread::sleep(std::time::Duration::from_millis(1));
  |         ^^^^^^^^^^^^^^^^^^ blocks the thread in sample::tests::naps (2 calls)
  |
  = note: via std::thread::functions::sleep
  = note: chain: sample::tests::naps → std::thread::functions::sleep → clock_nanosleep
  = help: to allow it, add to blockguard.toml:
          [[allow]]
          call = "clock_nanosleep"
          within = "sample::tests::naps"
          reason = "why this wait is the test's own"

"#;
        assert_eq!(shown, expected, "\n{shown}");
    }

    #[test]
    fn audit_mode_warns_and_an_unreadable_file_still_says_where() {
        let (root, sources) = sample::workspace("render-audit");
        let mut gone = located();
        gone.file = Some("src/gone.rs".into());
        let r = report(Mode::Audit, vec![test("tests::naps", vec![gone])]);
        let shown = render_all(&findings(&r), &sources);
        sample::remove(&root);
        assert!(
            shown.starts_with("warning[blocking::sleep]: clock_nanosleep (sleep) in a microthread, in sample::tests::naps\n--> sample/src/gone.rs:5:9\n = note: via"),
            "{shown}"
        );
        assert!(shown.contains("= help: to allow it"), "{shown}");
    }

    #[test]
    fn without_a_location_a_finding_is_one_line_and_a_closure_is_named_once() {
        let sources = Sources::new(std::path::Path::new("/ws"));
        let r = report(
            Mode::Check,
            vec![test("tests::naps", vec![event("a::b::{{closure}}")])],
        );
        assert_eq!(
            render_all(&findings(&r), &sources),
            "error[blocking::sleep]: sample::tests::naps: clock_nanosleep (sleep) at a::b::{closure} via std::thread::functions::sleep\n\n"
        );
    }

    #[test]
    fn what_the_crate_chose_is_shown_visibly_and_the_caret_stays_under_the_call() {
        let (root, sources) = sample::workspace("render-bidi");
        std::fs::write(
            root.join("sample/src/lib.rs"),
            "\n\n\n\n    /*\u{202e}*/ std::thread::sleep(d);\n",
        )
        .unwrap();
        let mut e = located();
        e.column = Some(11);
        e.site = "exe\u{202e}txt.".into();
        let r = report(Mode::Check, vec![test("tests::naps", vec![e])]);
        let shown = render_all(&findings(&r), &sources);
        sample::remove(&root);
        assert!(!shown.contains('\u{202e}'), "{shown}");
        assert!(
            shown.contains("5 |     /*\\u{202e}*/ std::thread::sleep(d);\n  |                  ^^^^^^^^^^^^^^^^^^ blocks the thread in exe\\u{202e}txt."),
            "{shown}"
        );
    }
}
