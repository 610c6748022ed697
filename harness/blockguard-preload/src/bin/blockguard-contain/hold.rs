//! A holder's life (`--hold-sandbox`, `--hold-pids`): once its namespaces
//! are made, it says its pid on stdout and lives until its stdin ends
//! (the runner closes it, or dies). Each test's launcher joins them
//! through `/proc/<pid>/ns`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

/// Says our pid, then waits for the end of stdin.
pub fn until_stdin_ends() -> ExitCode {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", std::process::id())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(1);
    }
    drop(out);
    let mut stdin = std::io::stdin().lock();
    let mut line = Vec::new();
    while matches!(stdin.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        line.clear();
    }
    ExitCode::SUCCESS
}
