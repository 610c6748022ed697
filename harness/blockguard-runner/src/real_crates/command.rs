//! Runs each pinned crate three ways and says whether the gate holds.

use super::compare::{denials, drift, transparency};
use super::crate_file::{CrateFile, load_all};
use super::guarded::{GuardedRun, build_cargo_blockguard};
use super::render::{BEGIN, END, drift_text, markdown};
use super::row::Row;
use super::{plain, source};
use crate::env::Env;
use crate::options::RealCratesArgs;
use crate::schema::exit;
use blockguard_protocol::Mode;
use std::path::Path;
use std::time::Instant;

/// The book's page the table is written into.
const PAGE: &str = "docs/src/guide/real-crates.md";

/// Runs the command; its exit code.
pub fn run(args: &RealCratesArgs, env: &Env) -> u8 {
    env.die_with_parent();
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| env.root.join("real-crates"));
    let files = match load_all(&dir, &args.crates) {
        Ok(files) => files,
        Err(e) => return setup_error(e),
    };
    let work = env.root.join("target/blockguard/real-crates");
    let logs = work.join("logs");
    if let Err(source) = std::fs::create_dir_all(&logs) {
        return setup_error(format!("{}: {source}", logs.display()));
    }
    let exe = match &args.cargo_blockguard {
        // Runs start in each crate's folder: a relative path is ours.
        Some(exe) => std::path::absolute(exe).unwrap_or_else(|_| exe.clone()),
        None => {
            eprintln!("real-crates: building cargo-blockguard");
            match build_cargo_blockguard(env) {
                Ok(exe) => exe,
                Err(e) => return setup_error(e),
            }
        }
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let rows: Vec<Row> = files
        .iter()
        .map(|file| {
            eprintln!("real-crates: {}", file.label());
            let row = row(file, &exe, &work, &logs, jobs, args.sandbox, env);
            eprint!("{}", drift_text(&row));
            row
        })
        .collect();
    let table = markdown(&rows);
    print!("{table}");
    if args.write {
        let page = env.root.join(PAGE);
        if let Err(why) = write_into(&page, &table) {
            return setup_error(why);
        }
        eprintln!("real-crates: wrote the table into {}", page.display());
    }
    let drifted: Vec<&str> = rows
        .iter()
        .filter(|r| !r.holds())
        .map(|r| r.label.as_str())
        .collect();
    if drifted.is_empty() {
        eprintln!("real-crates: {} crates, no drift", rows.len());
        exit::OK
    } else {
        eprintln!("real-crates: drift in {}", drifted.join(", "));
        exit::FAILED
    }
}

/// Plain, audit, check: in that order; check's build is a no-op after
/// audit's.
fn row(
    file: &CrateFile,
    exe: &Path,
    work: &Path,
    logs: &Path,
    jobs: usize,
    sandbox: bool,
    env: &Env,
) -> Row {
    let (label, kind) = (file.label(), file.krate.kind.clone());
    let dir = match source::folder(file, &work.join("src"), env) {
        Ok(dir) => dir,
        Err(e) => return Row::failed(label, kind, e.to_string()),
    };
    let stem = label.replace([' ', '(', ')'], "-");
    let _server = match &file.krate.server {
        Some(server) => {
            match super::server::start(server, &logs.join(format!("{stem}.server.log"))) {
                Ok(running) => Some(running),
                Err(e) => return Row::failed(label, kind, e),
            }
        }
        None => None,
    };
    let started = Instant::now();
    let plain_log = logs.join(format!("{stem}.plain.log"));
    let krate = &file.krate;
    let plain = match plain::run(&env.cargo, &dir, krate, &plain_log) {
        Ok(plain) => plain,
        Err(e) => return Row::failed(label, kind, format!("plain cargo test: {e}")),
    };
    let plain_time = started.elapsed();
    // The crate's features reach cargo blockguard test as a user gives
    // them: in the rules file's [suite].
    let rules = (!krate.features.is_empty() || !krate.env.is_empty())
        .then(|| logs.join(format!("{stem}.rules.toml")));
    if let Some(rules) = &rules {
        let mut suite = toml::Table::new();
        suite.insert("path".to_owned(), dir.to_string_lossy().into_owned().into());
        suite.insert("features".to_owned(), krate.features.clone().into());
        // Named, so that the sandbox passes them too.
        let names: Vec<String> = krate.env.keys().cloned().collect();
        suite.insert("env".to_owned(), names.into());
        let text = toml::to_string(&toml::Table::from_iter([(
            "suite".to_owned(),
            suite.into(),
        )]))
        .expect("a table of strings serializes");
        if let Err(e) = std::fs::write(rules, text) {
            return Row::failed(label, kind, format!("{}: {e}", rules.display()));
        }
    }
    let guarded = |mode: Mode| {
        let started = Instant::now();
        let report = GuardedRun {
            exe,
            dir: &dir,
            mode,
            sandbox,
            jobs,
            libtest: &file.krate.args,
            rules: rules.as_deref(),
            env: &krate.env,
            report: logs.join(format!("{stem}.{mode}.json")),
            log: logs.join(format!("{stem}.{mode}.log")),
        }
        .run();
        (report, started.elapsed())
    };
    let (audit, audit_time) = guarded(Mode::Audit);
    let (check, check_time) = guarded(Mode::Check);
    let (audit, check) = match (audit, check) {
        (Ok(a), Ok(c)) => (a, c),
        (Err(e), _) => return Row::failed(label, kind, format!("audit: {e}")),
        (_, Err(e)) => return Row::failed(label, kind, format!("check: {e}")),
    };
    let flaky: Vec<&str> = file.flaky.iter().map(|f| f.test.as_str()).collect();
    let differences: Vec<_> = transparency(&plain.outcomes, &plain.silent, &audit)
        .into_iter()
        .filter(|d| !flaky.contains(&d.test.as_str()))
        .collect();
    let (denied, contended) = denials(&check);
    let drift = drift(&denied, &file.expect);
    let error = (!plain.built).then(|| {
        format!(
            "plain cargo test built nothing: see {}",
            plain_log.display()
        )
    });
    Row {
        label,
        kind,
        error,
        plain: Some(plain),
        differences,
        drift,
        expected: file.expect.len(),
        denied: denied.len(),
        contended: contended.len(),
        times: [plain_time, audit_time, check_time],
        audit: Some(audit),
        check: Some(check),
    }
}

fn setup_error(e: impl std::fmt::Display) -> u8 {
    eprintln!("error: {e}");
    exit::ERROR
}

fn write_into(page: &Path, table: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
    let new = crate::generated_text::splice(&text, BEGIN, END, table)
        .ok_or_else(|| format!("{}: no {BEGIN} … {END} markers", page.display()))?;
    std::fs::write(page, new).map_err(|e| format!("{}: {e}", page.display()))
}
