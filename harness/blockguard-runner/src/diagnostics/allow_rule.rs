//! The `[[allow]]` that would allow a finding's call at its site: what
//! each output offers as the way to accept a wait that is the test's own.

use blockguard_protocol::TraceEvent;

/// The reason left for the reader to write.
pub const REASON: &str = "why this wait is the test's own";

/// The rule's lines: `[[allow]]`, `call`, `within` (the site, matched as
/// it is) and a `reason` placeholder.
pub fn lines(event: &TraceEvent) -> Vec<String> {
    vec![
        "[[allow]]".to_owned(),
        format!("call = {}", toml_string(&event.call)),
        format!("within = {}", toml_string(&glob_literal(&event.site))),
        format!("reason = {}", toml_string(REASON)),
    ]
}

/// `text` as a glob that matches only itself: the glob characters
/// (`{{closure}}`'s braces, `[`, `*`) escaped with a backslash.
fn glob_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A TOML string: `"…"` when nothing in it needs escaping, else a literal
/// one (`'…'`, where backslashes stay as they are) when it can be, else
/// `"…"` escaped.
fn toml_string(text: &str) -> String {
    let control = text.chars().any(char::is_control);
    if !control && !text.contains(['"', '\\']) {
        format!("\"{text}\"")
    } else if !control && !text.contains('\'') {
        format!("'{text}'")
    } else {
        toml::Value::String(text.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::sample::event;
    use blockguard_protocol::Class;
    use blockguard_rules::CallQuery;

    /// The suggested rule parses, and allows the call at its site alone.
    fn allows(site: &str) {
        let e = event(site);
        let text = lines(&e).join("\n");
        let file = blockguard_rules::parse_str(&text, "blockguard.toml", "rules")
            .unwrap_or_else(|err| panic!("{text}\n{err}"));
        let allowed = |frames: &[&str]| {
            let query = CallQuery {
                call: &e.call,
                class: Class::Sleep,
                fd: None,
                binary: Some("b"),
                test: "tests::naps",
                frames,
                lock_wait: false,
            };
            file.first_allow(&query).is_some()
        };
        assert!(allowed(&["std::thread::sleep", site]), "{text}");
        assert!(!allowed(&["a::other"]), "{text}");
    }

    #[test]
    fn the_suggested_rule_allows_the_site_and_nothing_else() {
        allows("outcomes::tests::sleeps");
        allows("parallel_async::{{closure}}");
        allows("<[u8] as a::Read>::read");
        allows("it's \"quoted\"");
        assert_eq!(
            lines(&event("a::{{closure}}"))[2],
            r"within = 'a::\{\{closure\}\}'"
        );
    }
}
