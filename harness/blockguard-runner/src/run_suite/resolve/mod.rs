//! Resolve: from what the user named to a crate's source on disk.

pub mod error;
pub mod local;
pub(crate) mod registry;
mod spec;
pub mod suite;

pub use error::ResolveError;
pub use spec::Spec;
pub use suite::{Resolved, resolve};
