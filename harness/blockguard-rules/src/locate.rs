//! Turning byte offsets in the text into the positions errors report.

use crate::error::{RulesError, RulesErrorKind};
use std::ops::Range;

/// The text being parsed and its label, for building located errors.
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
    pub(crate) file: &'a str,
}

impl Source<'_> {
    /// An error at the start of `span`; no span means the top of the file.
    pub(crate) fn error(
        &self,
        span: Option<Range<usize>>,
        key: Option<String>,
        kind: RulesErrorKind,
    ) -> RulesError {
        let (line, column) = line_column(self.text, span.map_or(0, |s| s.start));
        RulesError {
            file: self.file.to_owned(),
            line,
            column,
            key,
            kind,
        }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line_of(&self, span: Option<Range<usize>>) -> usize {
        line_column(self.text, span.map_or(0, |s| s.start)).0
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    // Clamp and step back to a char boundary: never panic on a stray offset.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn counts_lines_and_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}
