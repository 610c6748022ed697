//! Generated text kept inside a hand-written page, between two markers.

/// `text` with what lies between `begin` and `end` replaced by `table`;
/// `None` when the markers are missing or out of order.
pub fn splice(text: &str, begin: &str, end: &str, table: &str) -> Option<String> {
    let start = text.find(begin)? + begin.len();
    let stop = text[start..].find(end)? + start;
    Some(format!("{}\n{}{}", &text[..start], table, &text[stop..]))
}
