//! The suites in `suites/`: one `<name>.toml` each (DESIGN §2). A
//! first-party suite's crate lives in a folder beside its file, which the
//! file names with `path`.

use std::path::Path;

/// The names of every suite in `suites_dir`, sorted.
pub fn suite_names(suites_dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(suites_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml")
            && path.is_file()
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_are_the_toml_files_sorted_by_name() {
        let dir = std::env::temp_dir().join(format!("blockguard-catalog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("first-party")).unwrap();
        for file in ["b.toml", "a.toml", "README.md"] {
            std::fs::write(dir.join(file), "").unwrap();
        }
        assert_eq!(suite_names(&dir).unwrap(), ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
