//! Runs each suite three ways and prints (or writes) the table.

use super::error::TableError;
use super::nextest::{Baseline, baseline};
use super::render::{BEGIN, END, markdown, splice};
use super::row::{Row, Side};
use crate::catalog::suite_names;
use crate::env::Env;
use crate::options::SuitesTableArgs;
use crate::run_suite::locate;
use crate::schema::exit;
use crate::suite_child::SuiteRun;
use blockguard_protocol::Mode;
use std::path::Path;

/// Runs the command; returns its exit code.
pub fn run(args: &SuitesTableArgs, env: &Env) -> u8 {
    let suites_dir = env.root.join("suites");
    let names = if args.suites.is_empty() {
        match suite_names(&suites_dir) {
            Ok(names) => names,
            Err(e) => {
                eprintln!("error: {}: {e}", suites_dir.display());
                return exit::ERROR;
            }
        }
    } else {
        args.suites.clone()
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let logs = env.root.join("target/blockguard/suites-table");
    if let Err(e) = std::fs::create_dir_all(&logs) {
        eprintln!("error: {}: {e}", logs.display());
        return exit::ERROR;
    }
    let rows: Vec<Row> = names
        .iter()
        .map(|name| row(name, jobs, &logs, env, args.no_sandbox))
        .collect();
    let table = markdown(&rows);
    print!("{table}");
    if args.write {
        let readme = suites_dir.join("README.md");
        if let Err(why) = write_into(&readme, &table) {
            eprintln!("error: {why}");
            return exit::ERROR;
        }
        eprintln!("suites-table: wrote the table into {}", readme.display());
    }
    let differing: Vec<&str> = rows
        .iter()
        .filter(|r| !r.transparent())
        .map(|r| r.suite.as_str())
        .collect();
    if differing.is_empty() {
        exit::OK
    } else {
        eprintln!(
            "suites-table: audit passes other tests than nextest in: {}",
            differing.join(", ")
        );
        exit::FAILED
    }
}

/// nextest and audit run back to back, so their run phases meet the same
/// machine load.
fn row(name: &str, jobs: usize, logs: &Path, env: &Env, no_sandbox: bool) -> Row {
    eprintln!("suites-table: {name}");
    let located = match locate(name, env) {
        Ok(located) => located,
        Err(e) => return Row::unresolved(name, e.to_string()),
    };
    // A farm-mode suite blocks its one thread in audit mode by design: it
    // is compared in its own mode, where its calls run on workers.
    let own_mode = own_mode(name, env);
    let transparent_mode = if own_mode == Some(Mode::Farm) {
        "farm"
    } else {
        "audit"
    };
    let audit = run_suite(name, Some(transparent_mode), jobs, logs, no_sandbox);
    let nextest = match &audit {
        Side::Report(r) if r.build.status.failed() => {
            Baseline::Failed("the suite does not build".to_owned())
        }
        _ => baseline(&located, jobs, env),
    };
    let check = run_suite(name, None, jobs, logs, no_sandbox);
    let version = [&audit, &check].iter().find_map(|side| match side {
        Side::Report(r) => Some(r.suite.version.clone()),
        Side::Error(_) => None,
    });
    Row {
        suite: name.to_owned(),
        version,
        nextest,
        audit,
        check,
    }
}

/// `cargo xtask run-suite NAME [--mode MODE]` as a child (no mode: the
/// suite's own); the table reads its report. Snapshots are compared, never
/// written.
fn run_suite(name: &str, mode: Option<&str>, jobs: usize, logs: &Path, no_sandbox: bool) -> Side {
    let mut args = vec!["-j".to_owned(), jobs.to_string()];
    if no_sandbox {
        args.push("--no-sandbox".to_owned());
    }
    if let Some(mode) = mode {
        args.extend(["--mode".to_owned(), mode.to_owned()]);
    }
    let label = mode.unwrap_or("own");
    let run = SuiteRun {
        suite: name,
        args,
        report: logs.join(format!("{name}.{label}.json")),
        log: logs.join(format!("{name}.{label}.log")),
        env: vec![("INSTA_UPDATE", "no".to_owned())],
    };
    match run.run().report {
        Ok(r) => Side::Report(Box::new(r)),
        Err(why) => Side::Error(why.to_string()),
    }
}

/// The mode a suite file sets.
fn own_mode(name: &str, env: &Env) -> Option<Mode> {
    let file = env.root.join("suites").join(format!("{name}.toml"));
    blockguard_rules::load(&file).ok()?.suite?.mode
}

fn write_into(readme: &Path, table: &str) -> Result<(), TableError> {
    let io = |source| TableError::Io {
        path: readme.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(readme).map_err(io)?;
    let new = splice(&text, table).ok_or_else(|| TableError::NoMarkers {
        path: readme.to_path_buf(),
        begin: BEGIN,
        end: END,
    })?;
    std::fs::write(readme, new).map_err(io)
}
