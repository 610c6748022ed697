//! Text blockguard did not write: test names, panic messages, a test's
//! output, symbol names of the code under test. The crate under test
//! chooses all of it (`#[export_name = "<img src=x onerror=alert(1)>"]`),
//! so each output shows it in a form that cannot act on the reader:
//!
//! - [`visible`], for the terminal (and HTML, under its own escaping): a
//!   [`dangerous`] character as Rust writes it, `\u{202e}`; newlines and
//!   tabs stay. ESC never reaches the terminal, so a test's ANSI escapes
//!   cannot move the cursor or repaint the screen.
//! - [`markdown`], for a table cell or list item: on one line, no HTML and
//!   no Markdown syntax, dangerous characters as [`visible`] shows them.
//! - [`json`], for JSON text: the dangerous characters serde_json leaves
//!   raw as `\uXXXX` escapes; it parses to the same strings.

use std::fmt::Write;

/// Whether `c` must not reach an output as itself: the C0 and C1 controls
/// and DEL, which drive terminals (ESC, CSI); the bidi controls, which
/// reorder what is shown (U+202E makes `exe.txt` read as `txt.exe`); and
/// the invisible format characters, which make two names look the same.
/// All are in the Basic Multilingual Plane: [`json`] relies on it.
pub fn dangerous(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            // Bidi: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            // Invisible: zero-width space, non-joiner and joiner, the line
            // and paragraph separators, word joiner, byte order mark.
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'
            | '\u{feff}'
    )
}

/// `text` for the terminal: each dangerous character as `\u{…}` (lowercase
/// hex, as Rust's `char::escape_unicode` writes it), except newlines, tabs
/// and a carriage return that ends a line, which lay out a test's output.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if dangerous(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// `text` for a Markdown table cell or list item, also inside `<code>`: on
/// one line (line breaks and tabs become spaces), HTML's `&`, `<`, `>` and
/// the characters that would end a cell or open a code span, emphasis or
/// link (`|`, `` ` ``, `\`, `*`, `[`, `]`) as character references, the
/// other dangerous characters as [`visible`] shows them. Not for inside a
/// code span, where references are not read.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '`' | '\\' | '*' | '[' | ']' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if dangerous(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Serialized JSON with each dangerous character serde_json leaves raw
/// (DEL, C1, bidi, invisible) as a `\uXXXX` escape. Outside strings JSON
/// has only whitespace and ASCII punctuation, so these stand inside
/// strings, where the escape means the same character: the text stays
/// valid and parses to the same values. serde_json escapes the C0
/// controls inside strings itself; outside them a newline, tab or
/// carriage return is whitespace and stays.
pub fn json(serialized: &str) -> String {
    let mut out = String::with_capacity(serialized.len());
    for c in serialized.chars() {
        match c {
            '\n' | '\t' | '\r' => out.push(c),
            c if dangerous(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text a crate under test can choose, and what each form makes of it.
    const TABLE: &[(&str, &str, &str)] = &[
        // (input, visible, markdown)
        (
            "<img src=x onerror=alert(1)>",
            "<img src=x onerror=alert(1)>",
            "&lt;img src=x onerror=alert(1)&gt;",
        ),
        ("a|b", "a|b", "a&#124;b"),
        ("a`b", "a`b", "a&#96;b"),
        ("\\|", "\\|", "&#92;&#124;"),
        (
            "[x](javascript:1) *y*",
            "[x](javascript:1) *y*",
            "&#91;x&#93;(javascript:1) &#42;y&#42;",
        ),
        ("AT&T", "AT&T", "AT&amp;T"),
        ("exe\u{202e}txt.", "exe\\u{202e}txt.", "exe\\u{202e}txt."),
        ("\u{1b}[2Jgone", "\\u{1b}[2Jgone", "\\u{1b}&#91;2Jgone"),
        ("one\ntwo\tthree", "one\ntwo\tthree", "one two three"),
        (
            "line\r\nover\rwrite",
            "line\r\nover\\u{d}write",
            "line  over write",
        ),
        ("\u{9b}31m\u{7f}", "\\u{9b}31m\\u{7f}", "\\u{9b}31m\\u{7f}"),
        (
            "a\u{200b}b\u{feff}",
            "a\\u{200b}b\\u{feff}",
            "a\\u{200b}b\\u{feff}",
        ),
        (
            "crate::tests::ok_ünïcode",
            "crate::tests::ok_ünïcode",
            "crate::tests::ok_ünïcode",
        ),
    ];

    #[test]
    fn each_form_shows_untrusted_text_as_the_table_says() {
        for (input, terminal, md) in TABLE {
            assert_eq!(visible(input), *terminal, "visible({input:?})");
            assert_eq!(markdown(input), *md, "markdown({input:?})");
        }
    }

    #[test]
    fn every_bidi_control_is_dangerous() {
        let bidi = "\u{61c}\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}";
        assert!(bidi.chars().all(dangerous));
        assert!(!"é→日本語 \u{a0}".chars().any(dangerous));
    }

    #[test]
    fn no_form_lets_a_dangerous_character_through() {
        let all: String = (0..=0xffffu32)
            .filter_map(char::from_u32)
            .filter(|&c| dangerous(c))
            .collect();
        let kept = ['\n', '\t'];
        assert!(
            visible(&all)
                .chars()
                .all(|c| !dangerous(c) || kept.contains(&c))
        );
        assert!(!markdown(&all).chars().any(dangerous));
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_means_the_same() {
        let names = serde_json::json!({
            "name": "exe\u{202e}txt.",
            "site": "<img src=x onerror=alert(1)>",
            "message": "\u{1b}[2J\n\u{7f}\u{85}\u{200b}\u{2028}",
        });
        let raw = serde_json::to_string_pretty(&names).unwrap();
        assert!(raw.contains('\u{202e}'), "serde_json escapes it itself now");
        let escaped = json(&raw);
        assert!(
            !escaped.chars().any(|c| dangerous(c) && c != '\n'),
            "{escaped}"
        );
        assert!(escaped.contains("exe\\u202etxt."), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, names);
    }
}
