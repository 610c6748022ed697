//! Resolve: from what the user named to a crate's source on disk.

mod error;
mod local;
mod registry;
mod spec;
mod suite;

pub use error::ResolveError;
pub use spec::Spec;
pub use suite::{Resolved, SourceKind, resolve};
