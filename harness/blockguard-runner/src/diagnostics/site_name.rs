//! A site as the outputs name it. A closure or async block is demangled as
//! `{{closure}}`, which says nothing of which one: it is shown as
//! `{closure}` with its location after it
//! (`parallel_async::{closure} at tests/test.rs:119`).

use blockguard_protocol::TraceEvent;

/// A demangled path for people to read: each `{{closure}}` as `{closure}`.
pub fn readable(path: &str) -> String {
    path.replace("{{closure}}", "{closure}")
}

/// The event's site, for people to read.
pub fn shown(event: &TraceEvent) -> String {
    let name = readable(&event.site);
    match (&event.file, event.line) {
        (Some(file), Some(line)) if event.site.contains('{') => format!("{name} at {file}:{line}"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::sample::event;

    #[test]
    fn a_closure_is_named_once_with_its_location_and_a_function_as_it_is() {
        let mut closure = event("parallel_async::{{closure}}");
        assert_eq!(shown(&closure), "parallel_async::{closure}");
        closure.file = Some("tests/test.rs".into());
        closure.line = Some(119);
        assert_eq!(
            shown(&closure),
            "parallel_async::{closure} at tests/test.rs:119"
        );
        let mut function = event("outcomes::tests::sleeps");
        function.file = Some("src/lib.rs".into());
        function.line = Some(24);
        assert_eq!(shown(&function), "outcomes::tests::sleeps");
    }
}
