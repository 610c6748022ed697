//! Typed, located access to the keys of one table of a rules file.

use crate::error::{RulesError, RulesErrorKind};
use crate::locate::Source;
use std::ops::Range;
use toml_edit::{Item, TableLike, Value};

/// A value with the place in the text it came from.
pub(crate) struct At<T> {
    pub(crate) value: T,
    pub(crate) span: Option<Range<usize>>,
}

/// One table of the file (`[suite]`, one `[[allow]]`, …) with its dotted
/// path and header position, so each error can say where and which key.
pub(crate) struct Fields<'a> {
    src: &'a Source<'a>,
    table: &'a dyn TableLike,
    path: String,
    header: Option<Range<usize>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(
        src: &'a Source<'a>,
        table: &'a dyn TableLike,
        path: String,
        header: Option<Range<usize>>,
    ) -> Self {
        Fields {
            src,
            table,
            path,
            header,
        }
    }

    /// `path.key`, the name errors use for a key of this table.
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An error about `key`, at `span`.
    pub(crate) fn error(
        &self,
        key: &str,
        span: Option<Range<usize>>,
        kind: RulesErrorKind,
    ) -> RulesError {
        self.src.error(span, Some(self.key_path(key)), kind)
    }

    /// An error about the table as a whole, at its header.
    pub(crate) fn table_error(&self, kind: RulesErrorKind) -> RulesError {
        self.src
            .error(self.header.clone(), Some(self.path.clone()), kind)
    }

    /// Rejects the first key, in file order, that is not in `allowed`.
    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), RulesError> {
        let Some((key, item)) = self.table.iter().find(|(k, _)| !allowed.contains(k)) else {
            return Ok(());
        };
        let span = self
            .table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| item.span());
        let expected = allowed
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Err(self.error(key, span, RulesErrorKind::UnknownKey { expected }))
    }

    /// The value of `key`, with the best position known for it.
    fn get(&self, key: &str) -> Option<(&'a Item, Option<Range<usize>>)> {
        let (k, item) = self.table.get_key_value(key)?;
        // Dotted-key tables have no span of their own; fall back to the key.
        Some((item, item.span().or_else(|| k.span())))
    }

    /// The value of `key` as a plain TOML value, or a type error.
    fn value(
        &self,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<At<&'a Value>>, RulesError> {
        match self.get(key) {
            None => Ok(None),
            Some((Item::Value(value), span)) => Ok(Some(At { value, span })),
            Some((item, span)) => Err(self.wrong_type(key, span, expected, item.type_name())),
        }
    }

    fn wrong_type(
        &self,
        key: &str,
        span: Option<Range<usize>>,
        expected: &'static str,
        found: &'static str,
    ) -> RulesError {
        self.error(key, span, RulesErrorKind::WrongType { expected, found })
    }

    /// The error for an absent required key: at the table's header.
    pub(crate) fn missing(&self, key: &'static str) -> RulesError {
        self.src.error(
            self.header.clone(),
            Some(self.key_path(key)),
            RulesErrorKind::Missing(key),
        )
    }

    /// An optional string.
    pub(crate) fn string(&self, key: &str) -> Result<Option<At<&'a str>>, RulesError> {
        const EXPECTED: &str = "a string";
        let Some(At { value: v, span }) = self.value(key, EXPECTED)? else {
            return Ok(None);
        };
        match v.as_str() {
            Some(s) => Ok(Some(At { value: s, span })),
            None => Err(self.wrong_type(key, span, EXPECTED, v.type_name())),
        }
    }

    /// An optional string that must not be empty when given.
    pub(crate) fn non_empty_string(&self, key: &str) -> Result<Option<At<&'a str>>, RulesError> {
        match self.string(key)? {
            Some(s) if s.value.trim().is_empty() => {
                Err(self.error(key, s.span, RulesErrorKind::Empty))
            }
            other => Ok(other),
        }
    }

    /// A required, non-empty string.
    pub(crate) fn required_string(&self, key: &'static str) -> Result<At<&'a str>, RulesError> {
        self.non_empty_string(key)?.ok_or_else(|| self.missing(key))
    }

    /// A string or a non-empty array of strings; each item keeps its span.
    pub(crate) fn string_or_strings(
        &self,
        key: &str,
    ) -> Result<Option<Vec<At<&'a str>>>, RulesError> {
        const EXPECTED: &str = "a string or an array of strings";
        let Some(At { value: v, span }) = self.value(key, EXPECTED)? else {
            return Ok(None);
        };
        if let Some(s) = v.as_str() {
            return Ok(Some(vec![At { value: s, span }]));
        }
        if v.as_array().is_none() {
            return Err(self.wrong_type(key, span, EXPECTED, v.type_name()));
        }
        let items = self.array_items(key, v, span.clone(), EXPECTED)?;
        if items.is_empty() {
            // An empty list reads as "any", which is what leaving it out says.
            return Err(self.error(key, span, RulesErrorKind::Empty));
        }
        Ok(Some(items))
    }

    /// An optional array of strings, possibly empty.
    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<At<&'a str>>>, RulesError> {
        const EXPECTED: &str = "an array of strings";
        let Some(At { value: v, span }) = self.value(key, EXPECTED)? else {
            return Ok(None);
        };
        self.array_items(key, v, span, EXPECTED).map(Some)
    }

    fn array_items(
        &self,
        key: &str,
        v: &'a Value,
        span: Option<Range<usize>>,
        expected: &'static str,
    ) -> Result<Vec<At<&'a str>>, RulesError> {
        let Some(array) = v.as_array() else {
            return Err(self.wrong_type(key, span, expected, v.type_name()));
        };
        array
            .iter()
            .map(|item| match item.as_str() {
                Some(s) => Ok(At {
                    value: s,
                    span: item.span(),
                }),
                None => Err(self.wrong_type(key, item.span(), "a string", item.type_name())),
            })
            .collect()
    }

    /// A non-empty array of `i32` integers.
    pub(crate) fn i32s(&self, key: &str) -> Result<Option<Vec<i32>>, RulesError> {
        const EXPECTED: &str = "an array of integers";
        let Some(At { value: v, span }) = self.value(key, EXPECTED)? else {
            return Ok(None);
        };
        let Some(array) = v.as_array() else {
            return Err(self.wrong_type(key, span, EXPECTED, v.type_name()));
        };
        if array.is_empty() {
            return Err(self.error(key, span, RulesErrorKind::Empty));
        }
        array
            .iter()
            .map(|item| {
                let n = item.as_integer().ok_or_else(|| {
                    self.wrong_type(key, item.span(), "an integer", item.type_name())
                })?;
                i32::try_from(n)
                    .map_err(|_| self.error(key, item.span(), RulesErrorKind::OutOfRange(n)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}
