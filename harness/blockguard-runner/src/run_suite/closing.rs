//! The end of a run that finished: the report files, then the summary
//! with every finding as a diagnostic, and the findings as GitHub's
//! annotations and cargo's JSON messages where those are asked for.

use super::console::Console;
use super::error::RunSuiteError;
use super::layout::Layout;
use super::report::{Closing, junit, summary, to_json, write_atomically};
use crate::diagnostics::{self, Sources, cargo_json, github, render};
use crate::env::Env;
use crate::options::{MessageFormat, RunOptions};
use crate::schema::Report;
use std::path::PathBuf;

/// The JSON report (always, and to `--report`), JUnit (`--junit`), SARIF
/// (`--sarif`), then the summary with every finding as a diagnostic;
/// under GitHub Actions the findings as annotations, and with
/// `--message-format json` as cargo's messages on stdout.
pub(super) fn write_reports(
    report: &Report,
    args: &RunOptions,
    layout: &Layout,
    console: &Console,
    sources: &Sources,
    env: &Env,
) -> Result<(), RunSuiteError> {
    let json = to_json(report);
    let main = layout.report(&report.suite.name);
    write_atomically(&main, &json)?;
    if let Some(path) = &args.report {
        write_atomically(path, &json)?;
    }
    if let Some(path) = &args.junit {
        write_atomically(path, &junit(report))?;
    }
    if let Some(path) = &args.sarif {
        write_atomically(path, &to_json(&diagnostics::sarif::sarif(report, sources)))?;
    }
    let findings = diagnostics::findings(report);
    let annotations = env
        .github
        .as_ref()
        .map(|g| github::annotations(&findings, sources, g.workspace.as_deref()));
    let notes: Vec<String> = annotations.iter().filter_map(|a| a.left_out()).collect();
    // The file the user asked for is the one they look for.
    let shown: PathBuf = match &args.report {
        Some(path) => path.clone(),
        None => main
            .strip_prefix(layout.root())
            .map_or_else(|_| main.clone(), PathBuf::from),
    };
    let diagnostics = render::render_all(&findings, sources);
    console.block(&summary(
        report,
        &Closing {
            report_path: &shown.display().to_string(),
            diagnostics: &diagnostics,
            notes: &notes,
        },
    ));
    // GitHub reads workflow commands on either stream.
    let stdout_reserved = args.message_format == MessageFormat::Json;
    if let Some(annotations) = annotations {
        match stdout_reserved {
            true => eprint!("{}", annotations.text),
            false => print!("{}", annotations.text),
        }
    }
    if stdout_reserved {
        print!("{}", cargo_json::messages(&findings, sources));
    }
    Ok(())
}
