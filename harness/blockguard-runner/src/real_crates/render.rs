//! The gate's table (Markdown, for the book) and its drift, said so that
//! the fix can be pasted.

use super::compare::Denial;
use super::row::Row;
use crate::untrusted_text;

/// Marks the start of the generated table in the book's page.
pub const BEGIN: &str = "<!-- real-crates:begin (cargo xtask real-crates --write) -->";
/// Marks its end.
pub const END: &str = "<!-- real-crates:end -->";

/// One row per crate.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| crate | kind | plain `cargo test` | audit against plain | check against expectations \
         | wall: plain / audit / check |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let check = match &row.error {
            Some(e) => format!("**error**: {e}"),
            None => row.check_cell(),
        };
        let cells = [
            row.label.clone(),
            row.kind.clone(),
            row.plain_cell(),
            row.audit_cell(),
            check,
            row.times_cell(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A cell: one line, untrusted text escaped.
fn cell(text: &str) -> String {
    // `**` is ours; everything else came from the crates.
    let parts: Vec<String> = text.split("**").map(untrusted_text::markdown).collect();
    parts.join("**").replace('\n', " ")
}

/// What differs, for the terminal: each difference, and each unexpected
/// denial as the `[[expect]]` table that would accept it once reviewed.
pub fn drift_text(row: &Row) -> String {
    let mut out = String::new();
    if let Some(error) = &row.error {
        out.push_str(&format!("  error: {error}\n"));
    }
    for d in &row.differences {
        let plain = d
            .plain
            .map_or("not run".to_owned(), |p| format!("{p:?}").to_lowercase());
        let audit = d.audit.map_or("not run".to_owned(), |a| a.to_string());
        out.push_str(&format!(
            "  audit is not transparent: {}: plain cargo test {plain}, audit {audit}\n",
            untrusted_text::visible(&d.test)
        ));
    }
    for e in &row.drift.missing {
        out.push_str(&format!(
            "  expected, not denied: {}: {} at {} ({})\n",
            e.test, e.call, e.site, e.why
        ));
    }
    if !row.drift.unexpected.is_empty() {
        out.push_str("  denied, not expected; once reviewed, expect each with:\n");
        for d in &row.drift.unexpected {
            out.push_str(&expect_table(d));
        }
    }
    out
}

/// The `[[expect]]` table for a denial, its `why` left for the reviewer.
fn expect_table(d: &Denial) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let sometimes = if d.timing {
        "    sometimes = true\n"
    } else {
        ""
    };
    format!(
        "\n    [[expect]]\n    test = {}\n    call = {}\n    site = {}\n{sometimes}    why = \"\"\n",
        quoted(&d.test),
        quoted(&d.call),
        quoted(&d.site)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unexpected_denial_is_shown_as_the_table_that_expects_it() {
        let text = expect_table(&Denial {
            test: "unblock::chan".to_owned(),
            call: "futex_wait".to_owned(),
            site: "<blocking::Unblock<T> as x>::poll \"q\"".to_owned(),
            timing: true,
        });
        let parsed: toml::Table = toml::from_str(&text.replace("[[expect]]", "")).unwrap();
        assert_eq!(
            parsed["site"].as_str(),
            Some("<blocking::Unblock<T> as x>::poll \"q\"")
        );
        assert_eq!(parsed["why"].as_str(), Some(""));
        assert_eq!(parsed["sometimes"].as_bool(), Some(true));
    }

    #[test]
    fn cells_escape_what_the_crates_wrote_but_keep_our_emphasis() {
        let c = cell("**1 differ**: <T as U>|x");
        assert!(c.starts_with("**1 differ**"), "{c}");
        assert!(!c.contains("<T"), "{c}");
        assert!(c.contains("&#124;x"), "{c}");
    }
}
