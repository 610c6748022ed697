//! What a sandboxed program sees of the homes: none of them, but the
//! toolchain (rustup's and cargo's homes, read-only) and never cargo's
//! credentials. The rest of the host is read-only; the runner adds the
//! folders a run needs to these.

use blockguard_protocol::sandbox::SandboxPaths;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where users' homes live besides `$HOME`.
const HOMES: [&str; 2] = ["/home", "/root"];

/// The files in cargo's home that hold registry tokens.
const CREDENTIALS: [&str; 2] = ["credentials.toml", "credentials"];

/// The homes hidden and the toolchain shown, from this process's
/// environment.
pub fn paths() -> SandboxPaths {
    paths_from(|name| std::env::var_os(name))
}

/// [`paths`] from the variables `var` gives.
pub fn paths_from(var: impl Fn(&str) -> Option<OsString>) -> SandboxPaths {
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    // A home of `/` (some containers') is not hidden: it would hide the host.
    let home = absolute("HOME").filter(|h| h.parent().is_some());
    let in_home = |name: &str| home.as_ref().map(|h| h.join(name));
    let cargo_home = absolute("CARGO_HOME").or_else(|| in_home(".cargo"));
    let rustup_home = absolute("RUSTUP_HOME").or_else(|| in_home(".rustup"));
    let mut hidden: Vec<PathBuf> = home
        .iter()
        .cloned()
        .chain(HOMES.map(PathBuf::from))
        .collect();
    if let Some(cargo_home) = &cargo_home {
        hidden.extend(CREDENTIALS.iter().map(|file| cargo_home.join(file)));
    }
    let readable = cargo_home.into_iter().chain(rustup_home).collect();
    let real = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
        let mut real: Vec<PathBuf> = paths.iter().filter_map(|p| real_path(p)).collect();
        real.sort();
        real.dedup();
        real
    };
    SandboxPaths {
        readable: real(readable),
        writable: Vec::new(),
        hidden: real(hidden),
    }
}

/// `path` with its links resolved, as the sandbox mounts it; `None` if it
/// does not exist.
pub fn real_path(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_is_hidden_the_toolchain_shown_and_cargos_credentials_hidden() {
        let home = std::env::temp_dir().join(format!("bg-host-view-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        for dir in [".cargo/registry", ".rustup/toolchains", ".ssh"] {
            std::fs::create_dir_all(home.join(dir)).unwrap();
        }
        std::fs::write(home.join(".cargo/credentials.toml"), "token").unwrap();
        let home = real_path(&home).unwrap();
        let home_var = home.clone().into_os_string();
        let paths = paths_from(|name| (name == "HOME").then(|| home_var.clone()));
        assert!(paths.hidden.contains(&home), "{paths:?}");
        assert!(paths.hidden.contains(&home.join(".cargo/credentials.toml")));
        assert!(
            !paths.hidden.contains(&home.join(".cargo/credentials")),
            "only what exists"
        );
        assert_eq!(paths.readable, [home.join(".cargo"), home.join(".rustup")]);
        assert!(!paths.readable.iter().any(|p| p.ends_with(".ssh")));
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn cargo_and_rustup_homes_set_elsewhere_are_shown_and_a_relative_home_is_ignored() {
        let tools = real_path(&std::env::temp_dir()).unwrap();
        let tools_var = tools.clone().into_os_string();
        let paths = paths_from(|name| match name {
            "CARGO_HOME" | "RUSTUP_HOME" => Some(tools_var.clone()),
            "HOME" => Some("relative/home".into()),
            _ => None,
        });
        assert_eq!(paths.readable, [tools]);
        assert!(paths.hidden.iter().all(|p| p.is_absolute()));
    }

    #[test]
    fn a_home_of_the_root_folder_is_not_hidden() {
        let paths = paths_from(|name| (name == "HOME").then(|| "/".into()));
        assert!(!paths.hidden.contains(&PathBuf::from("/")), "{paths:?}");
    }
}
