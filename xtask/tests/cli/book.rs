//! The book under `docs/`, checked without mdbook: every chapter is in
//! `SUMMARY.md` and every entry there exists; every relative link and image
//! in the book and in README.md points at a file that exists and, for an
//! `#anchor` into a Markdown page, at one of its headings; README.md stays
//! the front door, at most 300 lines. CI also builds the book with mdbook
//! (`.ci/run`).

use crate::support::root;
use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// The longest README.md may be.
const README_MAX_LINES: usize = 300;

fn src() -> PathBuf {
    root().join("docs/src")
}

/// Every `.md` file under `dir`, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text with fenced code blocks blanked out (their lines kept empty,
/// so line numbers still count).
fn without_fences(text: &str) -> Vec<String> {
    let mut fence: Option<String> = None;
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        match &fence {
            Some(open) if marker.len() >= open.len() && marker.starts_with(&open[..1]) => {
                fence = None;
                lines.push(String::new());
            }
            Some(_) => lines.push(String::new()),
            None if marker.len() >= 3 => {
                fence = Some(marker);
                lines.push(String::new());
            }
            None => lines.push(line.to_owned()),
        }
    }
    lines
}

/// A line with its inline code spans removed.
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // Find the closing run of exactly the same length.
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                if other == run {
                    closed = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => i = end,
            None => {
                // An unmatched run is literal text.
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The link and image targets of a Markdown text, with their line numbers:
/// every `](target)` outside code.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in without_fences(text).iter().enumerate() {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(after.len());
            found.push((n + 1, after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    found
}

/// mdBook's id for a heading's text: lowercased, whitespace to `-`, every
/// character but alphanumerics, `-` and `_` removed.
fn anchor_id(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().next().unwrap())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// A heading's text as rendered: code spans' backticks and links' targets
/// dropped.
fn heading_text(raw: &str) -> String {
    let mut text = raw.replace('`', "");
    while let Some(open) = text.find("](") {
        let Some(close) = text[open..].find(')') else {
            break;
        };
        text.replace_range(open..open + close + 1, "");
    }
    text.replace(['[', ']', '*'], "")
}

/// The anchor ids of a Markdown page's headings, repeats numbered as
/// mdBook numbers them (`id`, `id-1`, `id-2`).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ids = BTreeSet::new();
    for line in without_fences(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let id = anchor_id(heading_text(line[hashes..].trim()).trim());
        let count = seen.entry(id.clone()).or_insert(0);
        ids.insert(if *count == 0 {
            id.clone()
        } else {
            format!("{id}-{count}")
        });
        *count += 1;
    }
    ids
}

/// `path` without `.` and `..` components.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What is wrong with the relative links of the Markdown `files`: each a
/// `file:line: message`.
fn broken_links(files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, target) in links(&text) {
            let is_external = target.contains("://") || target.starts_with("mailto:");
            if is_external || target.is_empty() {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if path.is_empty() {
                file.clone()
            } else {
                normalize(&file.parent().unwrap().join(path))
            };
            let at = format!("{}:{line}", file.display());
            if !linked.exists() {
                problems.push(format!(
                    "{at}: `{target}`: {} does not exist",
                    linked.display()
                ));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if linked.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let headings = anchors(&std::fs::read_to_string(&linked).unwrap());
            if !headings.contains(anchor) {
                problems.push(format!(
                    "{at}: `{target}`: {} has no heading #{anchor} (it has: {})",
                    linked.display(),
                    headings.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    problems
}

#[test]
fn every_chapter_is_in_the_summary_and_every_entry_exists() {
    let src = src();
    let summary_path = src.join("SUMMARY.md");
    let summary = std::fs::read_to_string(&summary_path).unwrap();
    let mut listed = BTreeSet::new();
    let mut problems = Vec::new();
    for (line, target) in links(&summary) {
        let chapter = normalize(&src.join(&target));
        if !chapter.is_file() {
            problems.push(format!("SUMMARY.md:{line}: `{target}` does not exist"));
        }
        if !listed.insert(chapter) {
            problems.push(format!("SUMMARY.md:{line}: `{target}` is listed twice"));
        }
    }
    for file in markdown_files(&src) {
        if file != summary_path && !listed.contains(&file) {
            problems.push(format!(
                "{} is not listed in SUMMARY.md",
                file.strip_prefix(&src).unwrap().display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relative_link_of_the_book_and_the_readme_resolves() {
    let mut files = markdown_files(&src());
    files.push(root().join("README.md"));
    let problems = broken_links(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readme_is_the_front_door() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move the rest into the book under docs/src/"
    );
}

#[test]
fn the_link_check_finds_a_missing_file_and_a_missing_heading() {
    let dir = root().join("target/tmp/book-link-check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("guide")).unwrap();
    std::fs::write(
        dir.join("guide/a.md"),
        "# A\n\n## The `cargo xtask run-suite` command: what's in it\n\n\
         [ok](b.md#b-itself) [ok](#the-cargo-xtask-run-suite-command-whats-in-it)\n\
         [gone](missing.md) ![gone](../images/none.png)\n[no heading](b.md#nowhere)\n\
         `[in code](nowhere.md)`\n\n```md\n[in a fence](nowhere.md)\n```\n\
         [external](https://example.com/x.md)\n",
    )
    .unwrap();
    std::fs::write(dir.join("guide/b.md"), "# B itself\n").unwrap();
    let problems = broken_links(&[dir.join("guide/a.md")]);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("missing.md"), "{problems:#?}");
    assert!(problems[1].contains("none.png"), "{problems:#?}");
    assert!(problems[2].contains("#nowhere"), "{problems:#?}");
}
