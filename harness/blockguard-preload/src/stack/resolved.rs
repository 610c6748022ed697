//! What resolving one return address gives: the names there (more than one
//! where calls were inlined), innermost first, each with where in the
//! source it is.

use std::sync::Arc;

/// A place in the source, from the DWARF line table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the line table names it (absolute where the compiler
    /// was given a relative path and a directory).
    pub file: Arc<str>,
    /// The line, from 1, if the table has one.
    pub line: Option<u32>,
    /// The column, from 1, if the table has one.
    pub column: Option<u32>,
}

/// One (possibly inlined) frame at an address, as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Demangled name without hash.
    pub name: String,
    /// Where it is, when the debug info says.
    pub location: Option<Location>,
}

impl Resolved {
    /// A frame known by name only.
    pub fn named(name: impl Into<String>) -> Resolved {
        Resolved {
            name: name.into(),
            location: None,
        }
    }
}
