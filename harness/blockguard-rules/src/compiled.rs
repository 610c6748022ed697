//! A rules file compiled ahead of time: its rules as they are after
//! parsing, in postcard's compact binary form. The guard runtime reads the
//! built-in files this way. Parsing them from TOML cost each test process
//! that made a guarded call about 0.4 ms, cold. Reading them back compiles
//! only their globs.

use crate::allow::AllowRule;
use crate::executors::{ExecutorDecl, MachineryRule};
use crate::file::RulesFile;
use serde::{Deserialize, Serialize};

/// What a compiled file carries: the tables the built-in files have.
#[derive(Serialize, Deserialize)]
struct Compiled {
    source: String,
    allow: Vec<AllowRule>,
    executors: Vec<ExecutorDecl>,
    machinery: Vec<MachineryRule>,
}

/// Why a rules file could not be compiled, or read back.
#[derive(Debug, thiserror::Error)]
pub enum CompiledError {
    /// The file has tables a compiled file does not carry.
    #[error("{0}: only [[allow]], [[executor]] and [[machinery]] tables can be compiled")]
    NotCarried(String),
    /// The bytes are not a compiled rules file of this version.
    #[error("not a compiled rules file: {0}")]
    Format(#[from] postcard::Error),
}

/// `file`, compiled.
pub fn to_compiled(file: &RulesFile) -> Result<Vec<u8>, CompiledError> {
    if file.suite.is_some() || !file.suppress.is_empty() || !file.tests.is_empty() {
        return Err(CompiledError::NotCarried(file.source.clone()));
    }
    let compiled = Compiled {
        source: file.source.clone(),
        allow: file.allow.clone(),
        executors: file.executors.clone(),
        machinery: file.machinery.clone(),
    };
    Ok(postcard::to_allocvec(&compiled)?)
}

/// A file [`to_compiled`] made, read back.
pub fn from_compiled(bytes: &[u8]) -> Result<RulesFile, CompiledError> {
    let Compiled {
        source,
        allow,
        executors,
        machinery,
    } = postcard::from_bytes(bytes)?;
    Ok(RulesFile {
        source,
        allow,
        executors,
        machinery,
        ..RulesFile::default()
    })
}
