//! The processes below this one, found in `/proc`: what a test left
//! behind, for its reaper to name and kill, and what a killed reaper left,
//! for the run's init. It reads whichever `/proc` is mounted, our PID
//! namespace's or an ancestor's (where ours could not be mounted), and
//! names each process by its pid in our namespace (its `NSpid` line).

use blockguard_protocol::contain::shown_command_line;
use std::collections::{BTreeMap, BTreeSet};

/// A process below us.
pub struct Descendant {
    /// Its pid in our PID namespace, as the test saw it and as `kill`
    /// takes it.
    pub pid: i32,
    /// Its command line (empty for a zombie), cut to
    /// [`blockguard_protocol::contain::COMMAND_LINE_MAX`] bytes.
    pub command: String,
}

impl Descendant {
    /// `pid: command line`, as the report names a leaked process.
    pub fn named(&self) -> String {
        format!("{}: {}", self.pid, self.command)
    }
}

/// Every process below us, by pid.
pub fn descendants() -> Vec<Descendant> {
    let Some(me) = pid_of("/proc/self") else {
        return Vec::new();
    };
    let depth = ns_pids(me).map_or(0, |pids| pids.len().saturating_sub(1));
    let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for pid in listed() {
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut below = BTreeSet::new();
    let mut todo = vec![me];
    while let Some(pid) = todo.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            if child != me && below.insert(child) {
                todo.push(child);
            }
        }
    }
    let mut found: Vec<Descendant> = below
        .into_iter()
        .filter_map(|pid| {
            let ours = match ns_pids(pid) {
                Some(pids) => *pids.get(depth)?,
                None => pid,
            };
            Some(Descendant {
                pid: ours,
                command: command_line(pid),
            })
        })
        .collect();
    found.sort_by_key(|d| d.pid);
    found
}

/// The pids `/proc` lists (pids of its own namespace).
fn listed() -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// The pid a `/proc/self`-like link names.
fn pid_of(link: &str) -> Option<i32> {
    std::fs::read_link(link).ok()?.to_str()?.parse().ok()
}

/// The parent of `pid` (0 when it is outside the namespace of `/proc`).
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's closing parenthesis: state, then the parent.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// `pid`'s pids from the namespace of `/proc` down to its own (`NSpid`).
fn ns_pids(pid: i32) -> Option<Vec<i32>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
    line.split_whitespace().map(|p| p.parse().ok()).collect()
}

/// `pid`'s command line, as a leaked process is named.
fn command_line(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    shown_command_line(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_found_with_its_command_line_and_pid() {
        let mut child = std::process::Command::new("sleep")
            .arg("30.25")
            .spawn()
            .expect("sleep starts");
        let pid = i32::try_from(child.id()).unwrap();
        let is_it = |d: &Descendant| d.pid == pid && d.command == "sleep 30.25";
        // Until the child has exec'd, its command line is not yet `sleep`'s.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut found = descendants();
        while !found.iter().any(is_it) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
            found = descendants();
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            found.iter().any(is_it),
            "{:?}",
            found.iter().map(Descendant::named).collect::<Vec<_>>()
        );
    }
}
