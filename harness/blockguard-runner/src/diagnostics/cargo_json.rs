//! cargo's JSON message stream (`--message-format json`), for editors and
//! tools that read `cargo check`'s: one `compiler-message` line per
//! finding, shaped as rustc's diagnostics (the site as the primary span,
//! the notes and help as children, the terminal's rendering as
//! `rendered`), then `build-finished`. Paths are relative to the root, as
//! cargo's are to the workspace's.

use super::explain;
use super::finding::Finding;
use super::render;
use super::source_line;
use super::sources::Sources;
use super::text;
use crate::untrusted_text;
use serde::Serialize;
use serde_json::json;

/// Every finding as a `compiler-message` line, each ending in a newline.
pub fn messages(findings: &[Finding<'_>], sources: &Sources) -> String {
    findings
        .iter()
        .map(|f| line(&message(f, sources)))
        .collect()
}

/// The stream's last line: `build-finished`, with whether the run passed.
pub fn finished(success: bool) -> String {
    line(&json!({"reason": "build-finished", "success": success}))
}

/// One line of JSON, with what the crate chose made safe
/// ([`untrusted_text::json`]).
fn line(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).expect("a message serializes");
    untrusted_text::json(&text) + "\n"
}

/// cargo's message for one finding.
#[derive(Serialize)]
struct CompilerMessage {
    reason: &'static str,
    package_id: String,
    manifest_path: String,
    target: serde_json::Value,
    message: Diagnostic,
}

/// rustc's diagnostic.
#[derive(Serialize)]
struct Diagnostic {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<Span>,
    children: Vec<Diagnostic>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct Span {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<String>,
    expansion: Option<()>,
}

#[derive(Serialize)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

fn message(f: &Finding<'_>, sources: &Sources) -> CompilerMessage {
    let key = &f.test.key;
    let package = sources.package(&key.package);
    let dir = package.map(|p| p.dir.clone()).unwrap_or_default();
    let version = package.map_or("", |p| p.version.as_str());
    let package_id = package
        .and_then(|p| p.id.clone())
        .unwrap_or_else(|| format!("path+file://{}#{}@{version}", dir.display(), key.package));
    let target = package
        .and_then(|p| p.targets.get(&key.binary))
        .map(|t| serde_json::to_value(t).expect("a target serializes"))
        .unwrap_or_else(|| {
            // A doctest, or a binary the build did not name: the package's
            // folder stands for its source.
            json!({
                "kind": ["test"], "crate_types": ["bin"], "name": key.binary,
                "src_path": dir.display().to_string(), "edition": "2021",
                "doc": false, "doctest": false, "test": true
            })
        });
    let child = |level: &'static str, message: String| Diagnostic {
        message_type: "diagnostic",
        message,
        code: None,
        level,
        spans: Vec::new(),
        children: Vec::new(),
        rendered: None,
    };
    let mut children: Vec<Diagnostic> = text::notes(f)
        .into_iter()
        .map(|note| child("note", note))
        .collect();
    children.push(child("help", text::help(f, sources).join("\n")));
    CompilerMessage {
        reason: "compiler-message",
        package_id,
        manifest_path: dir.join("Cargo.toml").display().to_string(),
        target,
        message: Diagnostic {
            message_type: "diagnostic",
            message: text::title(f),
            code: Some(Code {
                code: f.code(),
                explanation: Some(explain::full(f.event.class)),
            }),
            level: f.severity.as_str(),
            spans: span(f, sources).into_iter().collect(),
            children,
            rendered: Some(render::render(f, sources) + "\n"),
        },
    }
}

/// The site as the primary span, where its file and line are known.
fn span(f: &Finding<'_>, sources: &Sources) -> Option<Span> {
    let e = f.event;
    let line = e.line?;
    let path = sources.path_of(&f.test.key.package, e.file.as_deref()?)?;
    let file_name = sources.shown(&path);
    let label = Some(text::label(f));
    let line_no = line as usize;
    let span = match source_line::read(&path, line, e.column) {
        Some(source) => {
            let (start, end) = source.columns();
            Span {
                file_name,
                byte_start: source.offset + source.span.start,
                byte_end: source.offset + source.span.end,
                line_start: line_no,
                line_end: line_no,
                column_start: start,
                column_end: end,
                is_primary: true,
                text: vec![SpanLine {
                    text: source.text.clone(),
                    highlight_start: start,
                    highlight_end: end,
                }],
                label,
                suggested_replacement: None,
                suggestion_applicability: None,
                expansion: None,
            }
        }
        None => {
            let column = e.column.unwrap_or(1) as usize;
            Span {
                file_name,
                byte_start: 0,
                byte_end: 0,
                line_start: line_no,
                line_end: line_no,
                column_start: column,
                column_end: column + 1,
                is_primary: true,
                text: Vec::new(),
                label,
                suggested_replacement: None,
                suggestion_applicability: None,
                expansion: None,
            }
        }
    };
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::finding::findings;
    use crate::diagnostics::sample::{self, event, located, report, test};
    use blockguard_protocol::Mode;
    use cargo_metadata::Message;
    use cargo_metadata::diagnostic::DiagnosticLevel;

    #[test]
    fn each_finding_is_a_compiler_message_cargo_metadata_reads() {
        let (root, sources) = sample::workspace("cargo-json");
        let r = report(
            Mode::Check,
            vec![test("tests::naps", vec![located(), event("a::b")])],
        );
        let text = messages(&findings(&r), &sources) + &finished(false);
        sample::remove(&root);
        let parsed: Vec<Message> = Message::parse_stream(text.as_bytes())
            .map(|m| m.unwrap())
            .collect();
        assert_eq!(parsed.len(), 3, "{text}");
        let Message::CompilerMessage(located) = &parsed[0] else {
            panic!("{text}");
        };
        let d = &located.message;
        assert_eq!(d.level, DiagnosticLevel::Error);
        assert_eq!(d.code.as_ref().unwrap().code, "blocking::sleep");
        assert_eq!(
            d.message,
            "clock_nanosleep (sleep) in a microthread, in sample::tests::naps"
        );
        let s = &d.spans[0];
        assert_eq!(
            (
                s.file_name.as_str(),
                s.line_start,
                s.column_start,
                s.column_end,
                s.is_primary
            ),
            ("sample/src/lib.rs", 5, 9, 27, true)
        );
        let lib = sample::LIB_RS;
        assert_eq!(
            &lib[s.byte_start as usize..s.byte_end as usize],
            "std::thread::sleep"
        );
        assert_eq!(d.children.len(), 3);
        assert_eq!(d.children[2].level, DiagnosticLevel::Help);
        assert!(
            d.rendered
                .as_deref()
                .unwrap()
                .contains(" --> sample/src/lib.rs:5:9\n"),
            "{d:?}"
        );
        assert_eq!(located.target.name, "sample");
        let raw: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert!(
            raw["manifest_path"]
                .as_str()
                .unwrap()
                .ends_with("sample/Cargo.toml")
        );
        let Message::CompilerMessage(unlocated) = &parsed[1] else {
            panic!("{text}");
        };
        assert!(unlocated.message.spans.is_empty());
        let Message::BuildFinished(finished) = &parsed[2] else {
            panic!("{text}");
        };
        assert!(!finished.success);
    }
}
