//! The source line of a site, and the span of the call on it: what the
//! caret goes under, and cargo's spans count in bytes and columns.

use std::ops::Range;
use std::path::Path;

/// Files larger than this are not read for one line.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// One line of a source file and the call on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// The line, without its line ending.
    pub text: String,
    /// The byte offset of the line in its file.
    pub offset: usize,
    /// The call: a byte range in `text`.
    pub span: Range<usize>,
}

impl SourceLine {
    /// The span's first and one-past-last columns, from 1, in characters
    /// (as rustc counts them).
    pub fn columns(&self) -> (usize, usize) {
        let column = |byte: usize| self.text[..byte].chars().count() + 1;
        (column(self.span.start), column(self.span.end))
    }
}

/// Line `line` (from 1) of `path`, with the call at `column` (from 1, in
/// characters); `None` when the file cannot be read or is shorter.
pub fn read(path: &Path, line: u32, column: Option<u32>) -> Option<SourceLine> {
    if std::fs::metadata(path).ok()?.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    find(&text, line, column)
}

/// [`read`] over a file's text.
pub fn find(file: &str, line: u32, column: Option<u32>) -> Option<SourceLine> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut offset = 0;
    for (i, raw) in file.split_inclusive('\n').enumerate() {
        if i == index {
            let text = raw.strip_suffix('\n').unwrap_or(raw);
            let text = text.strip_suffix('\r').unwrap_or(text).to_owned();
            let span = span(&text, column);
            return Some(SourceLine { text, offset, span });
        }
        offset += raw.len();
    }
    None
}

/// The call at `column`: a path or method name (`std::thread::sleep`,
/// `rx.recv`), at least one character; with no column, the line's code.
fn span(text: &str, column: Option<u32>) -> Range<usize> {
    let code_start = text.len() - text.trim_start().len();
    let start = match column {
        Some(c) => text
            .char_indices()
            .nth(c.saturating_sub(1) as usize)
            .map_or(code_start, |(i, _)| i),
        None => code_start,
    };
    if column.is_none() {
        return start..text.trim_end().len().max(start);
    }
    let rest = &text[start..];
    let mut end = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | ':' | '.')))
        .map_or(rest.len(), |(i, _)| i);
    end = rest[..end].trim_end_matches([':', '.']).len();
    if end == 0 {
        end = rest.chars().next().map_or(0, char::len_utf8);
    }
    start..start + end
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "fn a() {}\r\n#[test]\nfn naps() {\n    std::thread::sleep(d);\n    rx.recv().unwrap();\n    é(1);\n}\n";

    #[test]
    fn the_call_at_the_column_is_the_span_and_columns_count_characters() {
        let sleep = find(FILE, 4, Some(5)).unwrap();
        assert_eq!(sleep.text, "    std::thread::sleep(d);");
        assert_eq!(&sleep.text[sleep.span.clone()], "std::thread::sleep");
        assert_eq!(sleep.offset, FILE.find("    std::thread").unwrap());
        assert_eq!(sleep.columns(), (5, 23));
        let recv = find(FILE, 5, Some(5)).unwrap();
        assert_eq!(&recv.text[recv.span.clone()], "rx.recv");
        let accent = find(FILE, 6, Some(5)).unwrap();
        assert_eq!(&accent.text[accent.span.clone()], "é");
        assert_eq!(accent.columns(), (5, 6));
    }

    #[test]
    fn without_a_column_the_line_is_the_span_and_a_short_file_has_no_line() {
        let line = find(FILE, 1, None).unwrap();
        assert_eq!(line.text, "fn a() {}");
        assert_eq!(&line.text[line.span.clone()], "fn a() {}");
        assert_eq!(find(FILE, 2, None).unwrap().offset, 11);
        assert_eq!(find(FILE, 99, Some(1)), None);
        assert_eq!(find(FILE, 0, Some(1)), None);
        let past_the_end = find(FILE, 4, Some(200)).unwrap();
        assert_eq!(
            &past_the_end.text[past_the_end.span.clone()],
            "std::thread::sleep"
        );
    }
}
