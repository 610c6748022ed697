//! A report's JSON text, and writing a report atomically: a temporary
//! file beside it, then a rename, so an interrupted run leaves the
//! previous report whole.

use crate::untrusted_text;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct ReportError {
    path: PathBuf,
    source: std::io::Error,
}

/// `value` as a JSON report file holds it: pretty, with the bidi and
/// other invisible characters of the names and messages in it escaped
/// (see [`untrusted_text::json`]), and a final newline.
pub fn to_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string_pretty(value).expect("a report serializes");
    untrusted_text::json(&text) + "\n"
}

/// Writes `text` to `path` atomically.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), ReportError> {
    let err = |source| ReportError {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("bg-report-{}", std::process::id()));
        let path = dir.join("r.json");
        write_atomically(&path, "one").unwrap();
        write_atomically(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
