//! What a sandboxed build and its tests see of the runner's environment:
//! the variables of [`ALLOWLIST`] and those the suite file declares
//! (`[suite] env`), and never one whose name looks like a credential
//! ([`looks_like_credential`]), even where a pattern would pass it. The
//! rest stays out, so a CI's tokens never reach a crate's build scripts,
//! proc macros or tests. What blockguard sets for a child itself (the guard
//! runtime's variables, a test's `CARGO_PKG_*`) is set on top, as before.
//!
//! Left out on purpose: `TMPDIR` (the sandbox has its own `/tmp`, and a
//! folder elsewhere is read-only in it); cargo's registry, HTTP and
//! source settings (the sandboxed build is offline, and they carry tokens
//! and proxy passwords); `DISPLAY` and the desktop's sockets. A suite that
//! needs one of them declares it.

use blockguard_rules::looks_like_credential;
use std::ffi::{OsStr, OsString};
use std::process::Command;

/// The runner's variables every sandboxed child gets, by what needs them;
/// a pattern ending in `*` is a prefix. The book's table of them
/// (`docs/src/reference/environment.md`) is this one (a test compares the
/// two).
pub const ALLOWLIST: &[(&str, &[&str])] = &[
    (
        // LD_LIBRARY_PATH: a toolchain or system library outside the
        // loader's folders (Nix, conda) loads only with it.
        "finding programs and libraries, and who runs them",
        &[
            "PATH",
            "LD_LIBRARY_PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "SHELL",
        ],
    ),
    (
        "the terminal, the language and the time zone",
        &[
            "TERM",
            "NO_COLOR",
            "CLICOLOR*",
            "LANG",
            "LANGUAGE",
            "LC_*",
            "TZ",
        ],
    ),
    (
        // The wrappers: cargo's config files, which the sandbox shows,
        // may name one too; the wrapper's own settings (`SCCACHE_*`) are
        // a suite's to declare. RUSTC_BOOTSTRAP: a CI that builds with
        // nightly features on a stable toolchain.
        "the toolchain",
        &[
            "RUSTUP_HOME",
            "RUSTUP_TOOLCHAIN",
            "CARGO",
            "CARGO_HOME",
            "RUSTC",
            "RUSTDOC",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "RUSTC_BOOTSTRAP",
        ],
    ),
    (
        "the flags the crate is built with",
        &[
            "RUSTFLAGS",
            "RUSTDOCFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_ENCODED_RUSTDOCFLAGS",
        ],
    ),
    (
        // CARGO_TARGET_*: the target's linker and runner (and
        // CARGO_TARGET_DIR, which the build's `--target-dir` overrides).
        "cargo's settings, not its registries'",
        &[
            "CARGO_BUILD_*",
            "CARGO_TARGET_*",
            "CARGO_PROFILE_*",
            "CARGO_TERM_*",
            "CARGO_INCREMENTAL",
            "CARGO_NET_OFFLINE",
        ],
    ),
    (
        "C and C++ built by build scripts (`cc`, `pkg-config`)",
        &[
            "CC",
            "CXX",
            "AR",
            "CFLAGS",
            "CXXFLAGS",
            "CPPFLAGS",
            "LDFLAGS",
            "PKG_CONFIG*",
        ],
    ),
    (
        // CI: crates skip tests that need a desktop or the network there.
        "the tests' own switches",
        &["RUST_*", "CI"],
    ),
];

/// Whether `name` matches an allowlist pattern.
fn allowlisted(name: &str) -> bool {
    ALLOWLIST
        .iter()
        .flat_map(|(_, patterns)| patterns.iter())
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *pattern,
        })
}

/// The variables a sandboxed child of one suite gets: the allowlist's and
/// the suite's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxEnv {
    declared: Vec<String>,
}

impl SandboxEnv {
    /// The allowlist and `declared`, the suite file's `env`.
    pub fn new(declared: &[String]) -> SandboxEnv {
        SandboxEnv {
            declared: declared.to_vec(),
        }
    }

    /// Whether a variable named `name` passes.
    pub fn passes(&self, name: &OsStr) -> bool {
        let Some(name) = name.to_str() else {
            return false;
        };
        !looks_like_credential(name)
            && (allowlisted(name) || self.declared.iter().any(|d| d == name))
    }

    /// Those of `vars` that pass.
    pub fn filter(
        &self,
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Vec<(OsString, OsString)> {
        vars.into_iter()
            .filter(|(name, _)| self.passes(name))
            .collect()
    }

    /// Those of the runner's own variables that pass.
    pub fn vars(&self) -> Vec<(OsString, OsString)> {
        self.filter(std::env::vars_os())
    }

    /// Makes `cmd` start from the runner's variables that pass, instead of
    /// all of them; what was set on it already (the sandbox's own) stays.
    pub fn restrict(&self, cmd: &mut Command) {
        restrict_to(cmd, self.vars());
    }
}

/// `cmd` with exactly `vars`, then what was set on it already.
fn restrict_to(cmd: &mut Command, vars: Vec<(OsString, OsString)>) {
    let own: Vec<(OsString, Option<OsString>)> = cmd
        .get_envs()
        .map(|(name, value)| (name.to_owned(), value.map(OsStr::to_owned)))
        .collect();
    cmd.env_clear().envs(vars);
    for (name, value) in own {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Launch, spawn_and_wait};
    use std::time::Duration;

    const SECRET: &str = "bg-fake-secret-0123456789";

    /// A CI's environment: what cargo and tests need, credentials, and
    /// settings of other programs.
    fn runners_vars() -> Vec<(OsString, OsString)> {
        [
            ("PATH", "/usr/bin:/bin"),
            ("HOME", "/home/ci"),
            ("LC_ALL", "C.UTF-8"),
            ("RUST_BACKTRACE", "1"),
            ("RUSTUP_TOOLCHAIN", "stable"),
            ("CARGO_TERM_COLOR", "always"),
            ("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER", "clang"),
            ("PKG_CONFIG_PATH", "/opt/lib/pkgconfig"),
            ("CI", "true"),
            ("SUITE_DATABASE_HOST", "localhost"),
            ("CARGO_REGISTRY_TOKEN", SECRET),
            ("CARGO_REGISTRIES_MINE_TOKEN", SECRET),
            ("CARGO_REGISTRY_CREDENTIAL_PROVIDER", "cargo:token"),
            ("CARGO_TARGET_SIGNING_KEY", SECRET),
            ("RUST_LOG_TOKEN", SECRET),
            ("GITHUB_TOKEN", SECRET),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("FOO_BAR", "unlisted"),
            ("TMPDIR", "/var/tmp"),
            ("CARGO_HTTP_PROXY", "http://user:pass@proxy:3128"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
    }

    fn suite() -> SandboxEnv {
        SandboxEnv::new(&["SUITE_DATABASE_HOST".to_owned()])
    }

    #[test]
    fn the_allowlist_and_the_suites_names_pass_and_credentials_never_do() {
        let passed: Vec<String> = suite()
            .filter(runners_vars())
            .into_iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            passed,
            [
                "PATH",
                "HOME",
                "LC_ALL",
                "RUST_BACKTRACE",
                "RUSTUP_TOOLCHAIN",
                "CARGO_TERM_COLOR",
                "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
                "PKG_CONFIG_PATH",
                "CI",
                "SUITE_DATABASE_HOST",
            ]
        );
    }

    #[test]
    fn a_declared_credential_does_not_pass_either() {
        let declared = SandboxEnv::new(&["GITHUB_TOKEN".to_owned()]);
        assert!(!declared.passes(OsStr::new("GITHUB_TOKEN")));
        assert!(!SandboxEnv::default().passes(OsStr::new("SUITE_DATABASE_HOST")));
    }

    /// The variables `/usr/bin/env` printed, one `NAME=VALUE` a line.
    fn printed(stdout: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn assert_sandboxed(vars: &[String]) {
        for gone in [
            "CARGO_REGISTRY_TOKEN=",
            "GITHUB_TOKEN=",
            "AWS_SECRET_ACCESS_KEY=",
            "FOO_BAR=",
            "TMPDIR=",
        ] {
            assert!(!vars.iter().any(|v| v.starts_with(gone)), "{gone} {vars:?}");
        }
        assert!(!vars.iter().any(|v| v.contains(SECRET)), "{vars:?}");
        assert!(vars.contains(&"PATH=/usr/bin:/bin".to_owned()), "{vars:?}");
        let declared = "SUITE_DATABASE_HOST=localhost".to_owned();
        assert!(vars.contains(&declared), "{vars:?}");
    }

    #[test]
    fn a_sandboxed_build_command_gets_only_what_passes_and_keeps_its_own() {
        let mut cmd = Command::new("/usr/bin/env");
        cmd.env("RUST_TEST_THREADS", "1");
        restrict_to(&mut cmd, suite().filter(runners_vars()));
        let vars = printed(&cmd.output().unwrap().stdout);
        assert_sandboxed(&vars);
        assert!(vars.contains(&"RUST_TEST_THREADS=1".to_owned()), "{vars:?}");
    }

    #[test]
    fn a_sandboxed_test_launch_gets_only_what_passes_and_its_own() {
        let done = spawn_and_wait(&Launch {
            exe: "/usr/bin/env".into(),
            cwd: "/".into(),
            env_base: Some(suite().filter(runners_vars())),
            env: vec![("CARGO_PKG_NAME".into(), "escapes".into())],
            env_remove: vec!["HOME"],
            timeout: Duration::from_secs(10),
            ..Launch::default()
        })
        .unwrap();
        let vars = printed(done.stdout.as_bytes());
        assert_sandboxed(&vars);
        assert!(
            vars.contains(&"CARGO_PKG_NAME=escapes".to_owned()),
            "{vars:?}"
        );
        assert!(!vars.iter().any(|v| v.starts_with("HOME=")), "{vars:?}");
    }

    /// The book's table, as this module's allowlist renders it.
    fn book_table() -> String {
        let mut table = String::from("| what needs them | variables |\n|---|---|\n");
        for (what, patterns) in ALLOWLIST {
            let names: Vec<String> = patterns.iter().map(|p| format!("`{p}`")).collect();
            table.push_str(&format!("| {what} | {} |\n", names.join(", ")));
        }
        table
    }

    #[test]
    fn the_book_lists_the_allowlist() {
        let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/src/reference/environment.md");
        let text = std::fs::read_to_string(&page).unwrap();
        let table = book_table();
        assert!(
            text.contains(&table),
            "docs/src/reference/environment.md's table of what a sandboxed build and test see of the environment differs from sandbox_env::ALLOWLIST; it should read:\n{table}"
        );
    }
}
