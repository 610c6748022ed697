//! What is said of a finding, in words every output shares: the title,
//! the label under the call, the notes and the help. Raw text: each
//! output makes it safe for where it goes.

use super::allow_rule;
use super::finding::Finding;
use super::site_name;
use super::sources::Sources;
use blockguard_protocol::trace::MICROTHREAD;

/// `clock_nanosleep (sleep) in a microthread, in outcomes::tests::sleeps`.
pub fn title(f: &Finding<'_>) -> String {
    let e = f.event;
    let escaped = if e.escaped { ", escaped" } else { "" };
    let context = match e.context.as_deref() {
        None | Some(MICROTHREAD) => "a microthread".to_owned(),
        Some(executor) => format!("a {executor} task"),
    };
    format!(
        "{} ({}{escaped}) in {context}, in {}",
        e.call, e.class, f.test.key
    )
}

/// What the call at the site does: `blocks the thread in a::b (3 calls)`.
pub fn label(f: &Finding<'_>) -> String {
    let calls = match f.calls {
        1 => "1 call".to_owned(),
        n => format!("{n} calls"),
    };
    format!(
        "blocks the thread in {} ({calls})",
        site_name::shown(f.event)
    )
}

/// The notes: the APIs the site called through, the chain through the
/// libraries, and whether the code under test was on the stack at all.
pub fn notes(f: &Finding<'_>) -> Vec<String> {
    let mut notes = vec![format!("via {}", f.vias.join(", "))];
    if !f.event.chain.is_empty() {
        notes.push(format!("chain: {}", f.event.chain.join(" → ")));
    }
    if f.event.outside {
        notes.push(
            "no frame of the code under test was on the stack: the site is the \
             first frame outside std"
                .to_owned(),
        );
    }
    notes
}

/// The help: the rules-file entry that would allow the call, its lines.
pub fn help(f: &Finding<'_>, sources: &Sources) -> Vec<String> {
    let file = sources
        .rules_file()
        .unwrap_or("a rules file (--rules FILE)");
    let mut lines = vec![format!("to allow it, add to {file}:")];
    lines.extend(allow_rule::lines(f.event));
    lines
}

/// The one-line form, where the site has no file and line:
/// `outcomes::tests::sleeps: clock_nanosleep (sleep) at a::b via c`.
pub fn one_line(f: &Finding<'_>) -> String {
    let e = f.event;
    let escaped = if e.escaped { ", escaped" } else { "" };
    format!(
        "{}: {} ({}{escaped}) at {} via {}",
        f.test.key,
        e.call,
        e.class,
        site_name::shown(e),
        f.vias.join(", ")
    )
}
