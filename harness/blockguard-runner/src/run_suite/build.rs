//! Build: `cargo test --no-run --message-format=json` in the crate's folder,
//! into the one target directory all suites share. A failed build is a
//! result (the report says `failed`), not an error of the tool. Under
//! `--message-format json` the compiler's messages go on to stdout.

use crate::env::Env;
use crate::redact::redacted;
use crate::run_suite::console::{Console, Phase};
use crate::run_suite::layout::Layout;
use crate::run_suite::resolve::suite::Resolved;
use crate::run_suite::under_test::UnderTest;
use crate::sandbox_env::SandboxEnv;
use crate::untrusted_text;
use blockguard_protocol::sandbox::SandboxPaths;
use blockguard_protocol::under_test::Package;
use cargo_metadata::{Artifact, Message, TargetKind};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One test executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBinary {
    /// The cargo target name (unique within the suite).
    pub name: String,
    /// The executable.
    pub exe: PathBuf,
    /// Its package's folder: tests run there, as under `cargo test`.
    pub package_dir: PathBuf,
    /// Its package's name and version, for `CARGO_PKG_*`.
    pub package: (String, String),
    /// Built with libtest (`harness = false` targets are not): false means
    /// its `main` is its one test.
    pub libtest: bool,
    /// Variables every test process of it gets (a merged doctest's number).
    pub env: Vec<(String, String)>,
    /// What cargo said of it, for messages in cargo's own form; `None`
    /// where cargo did not build it here.
    pub cargo: Option<CargoTarget>,
    /// The packages under test, with their targets' crate names: the
    /// code an event's site is in.
    pub under_test: Vec<Package>,
}

/// A test binary as cargo names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoTarget {
    /// Its package's id.
    pub package_id: String,
    /// Its target: kind, name, source path.
    pub target: cargo_metadata::Target,
}

/// What the build produced.
#[derive(Debug, Clone)]
pub enum Built {
    /// The test executables.
    Ok(Vec<TestBinary>),
    /// The compiler's first error lines.
    Failed(String),
}

/// cargo could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The dependencies could not be downloaded before a sandboxed build.
    #[error("cannot fetch the dependencies (`cargo fetch`): {0}")]
    Fetch(String),
    /// cargo did not start or its output broke off.
    #[error("cannot run `cargo test --no-run`: {0}")]
    Cargo(std::io::Error),
}

/// Lines of the first compiler error kept for the report.
const ERROR_LINES: usize = 20;

/// Builds the suite's test executables; with `sandbox` (the launcher
/// that makes it, what it shows, and the variables it passes), the
/// dependencies are fetched first (the one step with the network), then
/// the build runs offline in the sandbox, able to write only the suite's
/// build folder and its packages. The packages at `under_test` (the
/// suite's, or every selected member of a workspace) are the code under
/// test of every executable.
pub fn build(
    suite: &Resolved,
    under_test: &[PathBuf],
    features: &[String],
    layout: &Layout,
    env: &Env,
    console: &Console,
    sandbox: Option<(&Path, SandboxPaths, &SandboxEnv)>,
) -> Result<Built, BuildError> {
    let phase = console.phase(format!("building {} {}", suite.krate, suite.version));
    let mut cmd = if let Some((launcher, paths, sandbox_env)) = &sandbox {
        fetch(suite, env)?;
        let mut cmd = crate::sandbox::command(launcher, &env.cargo, paths);
        sandbox_env.restrict(&mut cmd);
        cmd.arg("test").arg("--offline");
        cmd
    } else {
        let mut cmd = Command::new(&env.cargo);
        cmd.arg("test");
        cmd
    };
    cmd.args(["--no-run", "--message-format=json"])
        .arg("--manifest-path")
        .arg(suite.dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(layout.build())
        .current_dir(&suite.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let mut child = cmd.spawn().map_err(BuildError::Cargo)?;
    let stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::scope(|scope| {
        let stderr = scope.spawn(|| cargo_stderr(stderr, &phase));
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut binaries = Vec::new();
        let mut first_error = None;
        let mut tested = UnderTest::new(under_test);
        for line in stdout.lines() {
            let line = line.map_err(BuildError::Cargo)?;
            let Some(message) = Message::parse_stream(line.as_bytes()).next() else {
                continue;
            };
            let message = message.map_err(BuildError::Cargo)?;
            // With cargo's messages on stdout (`--message-format json`),
            // the build's warnings and errors are among them, as cargo's.
            if console.stdout_reserved() && matches!(message, Message::CompilerMessage(_)) {
                println!("{}", untrusted_text::json(&redacted(&line)));
            }
            match message {
                Message::CompilerArtifact(a) => {
                    tested.artifact(&a);
                    if let Some(binary) = test_binary(&a) {
                        binaries.push(binary);
                    }
                }
                Message::CompilerMessage(m)
                    if first_error.is_none()
                        && m.message.level
                            == cargo_metadata::diagnostic::DiagnosticLevel::Error =>
                {
                    first_error = m
                        .message
                        .rendered
                        .clone()
                        .map(|text| (package_of(&m.package_id), text));
                }
                _ => {}
            }
        }
        let status = child.wait().map_err(BuildError::Cargo)?;
        let stderr = stderr.join().unwrap_or_default();
        let packages = tested.packages();
        for binary in &mut binaries {
            binary.under_test = packages.clone();
        }
        Ok::<_, BuildError>((status, binaries, first_error, stderr))
    });
    let (status, binaries, first_error, stderr) = stderr?;
    phase.finish();
    if !status.success() {
        let message = match first_error {
            Some(((name, version), text)) => {
                let who = if name == suite.krate {
                    format!("{name} {version} itself")
                } else {
                    format!("its dependency {name} {version}")
                };
                // rustc's own words say why: a missing import is as likely a
                // dev-dependency the published manifest left out as the toolchain.
                format!(
                    "{who} did not compile; rustc said:\n{}",
                    first_lines(&text, ERROR_LINES)
                )
            }
            None => first_lines(&cargo_errors(&stderr), ERROR_LINES),
        };
        return Ok(Built::Failed(redacted(&message)));
    }
    Ok(Built::Ok(unique_names(binaries)))
}

/// `cargo fetch`: the dependencies downloaded (and unpacked) before the
/// sandboxed build, which has no network.
fn fetch(suite: &Resolved, env: &Env) -> Result<(), BuildError> {
    let out = Command::new(&env.cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(suite.dir.join("Cargo.toml"))
        .current_dir(&suite.dir)
        .stdin(Stdio::null())
        .output()
        .map_err(BuildError::Cargo)?;
    if out.status.success() {
        return Ok(());
    }
    Err(BuildError::Fetch(cargo_errors(&redacted(
        &String::from_utf8_lossy(&out.stderr),
    ))))
}

/// A test executable, if this artifact is one: built with the test profile,
/// executable, and never an example or a bench.
fn test_binary(a: &Artifact) -> Option<TestBinary> {
    let excluded = [TargetKind::Example, TargetKind::Bench];
    if !a.profile.test || a.target.kind.iter().any(|k| excluded.contains(k)) {
        return None;
    }
    let exe = a.executable.as_ref()?;
    let package_dir = a.manifest_path.parent()?.as_std_path().to_path_buf();
    let package = package_of(&a.package_id);
    let libtest = uses_libtest(
        &a.manifest_path.clone().into_std_path_buf(),
        &a.target.kind,
        &a.target.name,
    );
    Some(TestBinary {
        name: a.target.name.clone(),
        exe: exe.clone().into_std_path_buf(),
        package_dir,
        package,
        libtest,
        env: Vec::new(),
        cargo: Some(CargoTarget {
            package_id: a.package_id.repr.clone(),
            target: a.target.clone(),
        }),
        under_test: Vec::new(),
    })
}

/// Whether cargo builds this target with libtest: its manifest's `harness`
/// key (cargo's metadata does not carry it), true when absent.
pub fn uses_libtest(manifest: &std::path::Path, kind: &[TargetKind], name: &str) -> bool {
    let Some(doc) = std::fs::read_to_string(manifest)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return true;
    };
    let harness = |target: &toml::Value| target.get("harness").and_then(toml::Value::as_bool);
    let named = |key: &str| {
        doc.get(key)?
            .as_array()?
            .iter()
            .find(|t| t.get("name").and_then(toml::Value::as_str) == Some(name))
            .and_then(harness)
    };
    let found = if kind.contains(&TargetKind::Lib) {
        doc.get("lib").and_then(harness)
    } else if kind.contains(&TargetKind::Test) {
        named("test")
    } else if kind.contains(&TargetKind::Bin) {
        named("bin")
    } else {
        None
    };
    found.unwrap_or(true)
}

/// A package id's name and version: `registry+https://…#name@1.2.3`,
/// `path+file:///…/name#1.2.3` (the folder names the package).
fn package_of(id: &cargo_metadata::PackageId) -> (String, String) {
    let (head, spec) = id.repr.rsplit_once('#').unwrap_or(("", &id.repr));
    match spec.split_once('@') {
        Some((name, version)) => (name.to_owned(), version.to_owned()),
        None => {
            let folder = head.rsplit('/').next().unwrap_or_default();
            (folder.to_owned(), spec.to_owned())
        }
    }
}

/// A lib and a bin may share a target name; the second gets `-2`, so each
/// binary has its own name in reports and snapshot names.
fn unique_names(mut binaries: Vec<TestBinary>) -> Vec<TestBinary> {
    binaries.sort_by(|a, b| a.name.cmp(&b.name).then(a.exe.cmp(&b.exe)));
    binaries.dedup_by(|a, b| a.exe == b.exe);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for binary in &mut binaries {
        let count = seen.entry(binary.name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            binary.name = format!("{}-{count}", binary.name);
        }
    }
    binaries
}

/// Reads cargo's stderr, showing its progress on the spinner.
fn cargo_stderr(stderr: impl std::io::Read, phase: &Phase) -> String {
    let mut text = String::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let line = redacted(&line);
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            phase.update(trimmed.to_owned());
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// cargo's own error lines (resolution, manifest, network), when the
/// compiler said nothing.
fn cargo_errors(stderr: &str) -> String {
    let from_error: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("error"))
        .collect();
    if from_error.is_empty() {
        stderr.trim().to_owned()
    } else {
        from_error.join("\n")
    }
}

fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(name: &str, exe: &str) -> TestBinary {
        TestBinary {
            name: name.into(),
            exe: exe.into(),
            package_dir: "/p".into(),
            package: ("p".into(), "1.0.0".into()),
            libtest: true,
            env: Vec::new(),
            cargo: None,
            under_test: Vec::new(),
        }
    }

    #[test]
    fn a_lib_and_a_bin_with_one_name_stay_apart() {
        let names: Vec<_> = unique_names(vec![binary("x", "/b/x-2"), binary("x", "/b/x-1")])
            .into_iter()
            .map(|b| b.name)
            .collect();
        assert_eq!(names, ["x", "x-2"]);
    }

    #[test]
    fn package_ids_name_their_package() {
        let id = |repr: &str| cargo_metadata::PackageId { repr: repr.into() };
        assert_eq!(
            package_of(&id(
                "registry+https://github.com/rust-lang/crates.io-index#rustc-serialize@0.3.24"
            )),
            ("rustc-serialize".into(), "0.3.24".into())
        );
        assert_eq!(
            package_of(&id("path+file:///work/fixtures/outcomes#0.1.0")),
            ("outcomes".into(), "0.1.0".into())
        );
    }

    #[test]
    fn harness_false_targets_are_found_in_the_manifest() {
        let dir = std::env::temp_dir().join(format!("blockguard-harness-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"p\"\n[lib]\nharness = false\n\
             [[test]]\nname = \"python\"\nharness = false\n[[test]]\nname = \"plain\"\n",
        )
        .unwrap();
        assert!(!uses_libtest(&manifest, &[TargetKind::Test], "python"));
        assert!(uses_libtest(&manifest, &[TargetKind::Test], "plain"));
        assert!(uses_libtest(&manifest, &[TargetKind::Test], "unlisted"));
        assert!(!uses_libtest(&manifest, &[TargetKind::Lib], "p"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cargo_errors_start_at_the_first_error_line() {
        let stderr = "    Updating index\nerror: no matching package\n  hint\n";
        assert_eq!(cargo_errors(stderr), "error: no matching package\n  hint");
    }
}
