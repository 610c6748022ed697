//! The night's report in four formats, each a pure function of the
//! results and the entries.

mod html;
mod junit;
mod markdown;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;
