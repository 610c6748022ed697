//! `cargo blockguard run`: a program under the guards, through the engine.

use crate::cli::RunArgs;
use crate::{config, fail, runtime};
use blockguard_protocol::Mode;
use blockguard_runner::env as engine_env;
use blockguard_runner::run_program::{self, ProgramRun};
use std::path::PathBuf;

/// Runs the command; its exit code.
pub fn run(args: &RunArgs) -> u8 {
    let preload = match std::env::var_os(engine_env::PRELOAD) {
        Some(path) => PathBuf::from(path),
        None => match runtime::unpacked() {
            Ok(library) => library,
            Err(e) => return fail(format!("the guard runtime: {e}")),
        },
    };
    // Inside a workspace its configuration applies; outside, none does.
    let config = match &args.rules {
        Some(path) => Some(path.clone()),
        None => config::find(None).ok().and_then(|w| w.config),
    };
    let file = match &config {
        Some(path) => match blockguard_rules::load(path) {
            Ok(file) => Some(file),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let mode = args
        .mode
        .or_else(|| file.as_ref().and_then(|f| f.suite.as_ref()?.mode))
        .unwrap_or(Mode::Audit);
    let Some((program, rest)) = args.command.split_first() else {
        return fail("no program to run: give it after `--`");
    };
    let symbols = preload.parent().map(|dir| dir.join("symbols"));
    run_program::run(&ProgramRun {
        program: program.clone(),
        args: rest.to_vec(),
        mode,
        serve: args.serve.clone(),
        preload,
        rules: config.map(|p| std::path::absolute(&p).unwrap_or(p)),
        symbols,
        farm_workers: args.farm_workers,
    })
}
