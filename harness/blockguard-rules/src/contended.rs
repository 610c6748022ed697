//! `contended = "allow"`: how lock waits are judged, on an `[[allow]]`
//! rule or for a whole suite.
//!
//! A lock wait is a call that reached the guard only because another
//! thread held the lock: its verdict would otherwise depend on timing.

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;

/// The one value `contended` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Contended {
    /// Lock waits are allowed, whether they waited or not.
    Allow,
}

impl Contended {
    /// `contended`'s value in table `f`, if it has the key.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Option<Contended>, RulesError> {
        match f.string("contended")? {
            None => Ok(None),
            Some(v) if v.value == "allow" => Ok(Some(Contended::Allow)),
            Some(v) => Err(f.error(
                "contended",
                v.span,
                RulesErrorKind::BadContended(v.value.to_owned()),
            )),
        }
    }
}
