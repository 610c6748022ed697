//! `cargo xtask nightly`: every selected suite under every toolchain, one
//! run-suite child each, then the report.

use super::baseline::newest_before;
use super::date::{is_date, today};
use super::entry::{self, Entry};
use super::error::NightlyError;
use super::folder;
use super::publish::publish;
use super::toolchain::{self, ToolchainError};
use crate::catalog::suite_names;
use crate::env::{Env, Preload};
use crate::events::feed::FeedFollower;
use crate::live::dashboard::Dashboard;
use crate::live::hub::Hub;
use crate::options::NightlyArgs;
use crate::run_suite::console::Console;
use crate::run_suite::preload::guard_runtime;
use crate::schema::exit;
use crate::suite_child::SuiteRun;
use globset::{Glob, GlobSetBuilder};
use std::path::Path;
use std::sync::Arc;

/// Runs the command; returns its exit code.
pub fn run(args: &NightlyArgs, env: &Env) -> u8 {
    // The dashboard is up, or has failed the command, before anything runs.
    let dashboard = match args.serve.as_deref().map(Dashboard::start) {
        None => None,
        Some(Ok(dashboard)) => Some(dashboard),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    let live = dashboard.as_ref().map(Dashboard::live);
    if let Some(live) = live {
        live.describe("nightly", "per suite");
    }
    let code = match nightly(args, env, live) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            exit::ERROR
        }
    };
    match dashboard {
        Some(dashboard) => dashboard.finish(code),
        None => code,
    }
}

fn nightly(args: &NightlyArgs, env: &Env, live: Option<&Arc<Hub>>) -> Result<u8, NightlyError> {
    let date = match &args.date {
        Some(d) if is_date(d) => d.clone(),
        Some(d) => return Err(NightlyError::BadDate(d.clone())),
        None => today(),
    };
    let suites_dir = args
        .suites_dir
        .clone()
        .unwrap_or_else(|| env.root.join("suites"));
    let names = select(&suites_dir, args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| env.root.join("reports").join(&date));
    let baseline = match &args.baseline {
        Some(dir) if dir.join("results.json").is_file() => Some(dir.clone()),
        Some(dir) => return Err(NightlyError::NoBaseline(dir.clone())),
        None => newest_before(&out, &date),
    };
    // Before anything runs: refused unless ours to write, then emptied of
    // an earlier night's entries, which would mix in.
    folder::prepare(&out, baseline.as_deref())?;
    eprintln!(
        "nightly {date}: {} suite(s) × {} toolchain(s){} into {}",
        names.len(),
        args.toolchains.len(),
        args.partition
            .map_or_else(String::new, |p| format!(", shard {p}")),
        out.display()
    );

    // One guard runtime for every child, whatever toolchain builds the suite.
    let preload = match &env.preload {
        Preload::Disabled => None,
        // An empty shard runs nothing, so it needs no runtime.
        _ if names.is_empty() => None,
        _ => guard_runtime(env, &Console::new())?.library,
    };
    for toolchain in &args.toolchains {
        let rustc = toolchain::version(toolchain);
        for name in &names {
            let shared = Shared {
                suites_dir: &suites_dir,
                preload: preload.as_deref(),
                args,
                out: &out,
                live,
            };
            let entry = run_one(&shared, name, toolchain, &rustc);
            eprintln!("  {}: {}", entry.key(), entry.verdict());
            entry.write(&out)?;
        }
    }

    let entries = entry::read_all(&out)?;
    let results = publish(&out, &date, &entries, baseline.as_deref())?;
    eprintln!("nightly: wrote {}", out.join("index.html").display());
    if args.fail_on_regression && results.regressions.any() {
        eprintln!(
            "nightly: regressions since {}",
            results.baseline.unwrap_or_default()
        );
        return Ok(exit::FAILED);
    }
    Ok(exit::OK)
}

/// Suites in `suites_dir` matching `--suite` (names or globs), then the
/// partition's share of them.
fn select(suites_dir: &Path, args: &NightlyArgs) -> Result<Vec<String>, NightlyError> {
    let all = suite_names(suites_dir).map_err(NightlyError::io(suites_dir))?;
    let mut picked = all.clone();
    if !args.suites.is_empty() {
        let mut set = GlobSetBuilder::new();
        for pattern in &args.suites {
            // The rules files' bound on globs holds here too.
            if pattern.len() > blockguard_rules::MAX_GLOB_BYTES {
                return Err(NightlyError::GlobTooLong {
                    len: pattern.len(),
                    limit: blockguard_rules::MAX_GLOB_BYTES,
                });
            }
            let glob = Glob::new(pattern).map_err(|source| NightlyError::BadGlob {
                pattern: pattern.clone(),
                source,
            })?;
            set.add(glob);
        }
        let set = set.build().map_err(|source| NightlyError::BadGlob {
            pattern: args.suites.join(" "),
            source,
        })?;
        picked.retain(|name| set.is_match(name));
        for pattern in &args.suites {
            let literal = !pattern.contains(['*', '?', '[', '{']);
            if literal && !all.contains(pattern) {
                return Err(NightlyError::NoSuchSuite {
                    pattern: pattern.clone(),
                    dir: suites_dir.to_path_buf(),
                });
            }
        }
    }
    if let Some(partition) = args.partition {
        picked.retain(|name| partition.takes(name));
    }
    Ok(picked)
}

/// What every suite's run shares.
struct Shared<'a> {
    suites_dir: &'a Path,
    preload: Option<&'a Path>,
    args: &'a NightlyArgs,
    out: &'a Path,
    live: Option<&'a Arc<Hub>>,
}

fn run_one(
    shared: &Shared<'_>,
    name: &str,
    toolchain: &str,
    rustc: &Result<String, ToolchainError>,
) -> Entry {
    let &Shared {
        suites_dir,
        preload,
        args,
        out,
        live,
    } = shared;
    let file = suites_dir.join(format!("{name}.toml"));
    let (krate, version) = pinned(&file);
    let mut entry = Entry {
        suite: name.to_owned(),
        krate,
        version,
        toolchain: toolchain.to_owned(),
        rustc: rustc.as_ref().ok().cloned(),
        error: None,
        report: None,
    };
    if let Err(why) = rustc {
        entry.error = Some(why.to_string());
        return entry;
    }
    let mut child_args = Vec::new();
    if let Some(jobs) = args.jobs {
        child_args.extend(["-j".to_owned(), jobs.to_string()]);
    }
    child_args.extend(args.sandboxing.to_args());
    let mut env = toolchain::child_env(toolchain);
    env.push(("INSTA_UPDATE", "no".to_owned()));
    if let Some(preload) = preload {
        env.push(("BLOCKGUARD_PRELOAD", preload.display().to_string()));
    }
    let key = entry.key();
    let feed = out.join("logs").join(format!("{key}.live.jsonl"));
    let following = live.map(|live| {
        let _ = std::fs::remove_file(&feed);
        child_args.extend(["--live-feed".to_owned(), feed.display().to_string()]);
        FeedFollower::start(live, &key, feed.clone())
    });
    let target = file.display().to_string();
    let result = SuiteRun {
        suite: &target,
        args: child_args,
        report: out.join("logs").join(format!("{key}.report.json")),
        log: out.join("logs").join(format!("{key}.log")),
        env,
    }
    .run();
    if let Some(following) = following {
        following.finish();
        let _ = std::fs::remove_file(&feed);
    }
    match result.report {
        Ok(report) => entry.report = Some(report),
        Err(why) => entry.error = Some(why.to_string()),
    }
    entry
}

/// The crate and version a suite file pins; the suite's name and nothing
/// when it names a local crate or does not parse.
fn pinned(file: &Path) -> (String, String) {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match blockguard_rules::load(file).ok().and_then(|f| f.suite) {
        Some(suite) => (
            suite.krate.unwrap_or(stem),
            suite.version.unwrap_or_default(),
        ),
        None => (stem, String::new()),
    }
}
