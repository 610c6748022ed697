//! `[[allow]]` rules: explicit allowances for blocking calls.

use crate::contended::Contended;
use crate::error::{RulesError, RulesErrorKind};
use crate::fields::Fields;
use crate::glob;
use crate::glob::{Globs, TestsGlob};
use blockguard_protocol::Class;
use std::time::Duration;

/// One attempted blocking call, as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct CallQuery<'a> {
    /// The call's name, e.g. `write` or `futex_wait`.
    pub call: &'a str,
    /// The call's class.
    pub class: Class,
    /// The file descriptor it acts on, if any.
    pub fd: Option<i32>,
    /// The test binary's cargo target name, when known.
    pub binary: Option<&'a str>,
    /// The test's libtest name.
    pub test: &'a str,
    /// The demangled frame names on the stack, innermost first.
    pub frames: &'a [&'a str],
    /// It waits for a lock another thread holds (see [`Contended`]).
    pub lock_wait: bool,
}

/// An allowance: a blocking call that matches every given condition is
/// `allowed`, with this rule's reason.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AllowRule {
    /// `"{prefix}:allow[N]"`, N counting `[[allow]]` tables from 0.
    pub id: String,
    /// Call names; empty means any call.
    pub calls: Vec<String>,
    /// The class the call must have.
    pub class: Option<Class>,
    /// Globs over frame names; empty means anywhere. `*` crosses `::`;
    /// `{a,b}` and `[...]` are glob syntax, so a literal `{{closure}}` is
    /// escaped: `'\{\{closure\}\}'` (a TOML literal string).
    pub within: Vec<String>,
    /// Glob over `binary::test` or `test`.
    pub tests: String,
    /// File descriptors; empty means any (or none).
    pub fds: Vec<i32>,
    /// Why the call is allowed.
    pub reason: String,
    /// A call allowed by this rule that takes longer is denied, over budget.
    pub under: Option<Duration>,
    /// `contended = "allow"`: the rule allows lock waits only.
    pub contended: Option<Contended>,
    /// 1-based line of the rule's header.
    pub line: usize,
    within_set: Option<Globs>,
    tests_matcher: TestsGlob,
}

const KEYS: &[&str] = &[
    "call",
    "class",
    "within",
    "tests",
    "fds",
    "under",
    "contended",
    "reason",
];

impl AllowRule {
    /// Whether the call meets every condition of this rule.
    pub fn matches(&self, q: &CallQuery<'_>) -> bool {
        (self.calls.is_empty() || self.calls.iter().any(|c| c == q.call))
            && self.class.is_none_or(|c| c == q.class)
            && (self.contended.is_none() || q.lock_wait)
            // A rule about fds says nothing about calls that have none.
            && (self.fds.is_empty() || q.fd.is_some_and(|fd| self.fds.contains(&fd)))
            && glob::matches_test(&self.tests_matcher, q.binary, q.test)
            && self
                .within_set
                .as_ref()
                .is_none_or(|set| q.frames.iter().any(|frame| set.matches_frame(frame)))
    }

    /// The rule `contended = "allow"` in `[suite]` stands for: any lock
    /// wait, after the file's own rules.
    pub(crate) fn suite_contended(id: String, line: usize) -> AllowRule {
        AllowRule {
            id,
            calls: Vec::new(),
            class: None,
            within: Vec::new(),
            tests: "*".to_owned(),
            fds: Vec::new(),
            reason: "a contended lock wait: the suite allows them (contended = \"allow\")"
                .to_owned(),
            under: None,
            contended: Some(Contended::Allow),
            line,
            within_set: None,
            tests_matcher: TestsGlob::new(glob::compile("*").expect("`*` is a glob")),
        }
    }

    pub(crate) fn parse(f: &Fields<'_>, id: String, line: usize) -> Result<AllowRule, RulesError> {
        f.only(KEYS)?;
        let calls = f.string_or_strings("call")?;
        if let Some(empty) = calls.iter().flatten().find(|c| c.value.trim().is_empty()) {
            return Err(f.error("call", empty.span.clone(), RulesErrorKind::Empty));
        }
        let class = match f.string("class")? {
            None => None,
            Some(c) => Some(
                c.value
                    .parse::<Class>()
                    .map_err(|e| f.error("class", c.span, RulesErrorKind::BadClass(e)))?,
            ),
        };
        let within = f.string_or_strings("within")?;
        let within_set = match &within {
            None => None,
            Some(globs) => {
                let compiled = globs
                    .iter()
                    .map(|g| {
                        glob::compile(g.value)
                            .map_err(|kind| f.error("within", g.span.clone(), kind))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Some(Globs::new(compiled))
            }
        };
        let (tests, tests_matcher) = glob::tests_key(f)?;
        let fds = f.i32s("fds")?;
        let under = crate::test_settings::duration_key(f, "under")?;
        let contended = Contended::parse(f)?;
        let reason = f.required_string("reason")?;
        let conditions = [calls.is_some(), class.is_some(), within.is_some()];
        if !conditions.contains(&true) && fds.is_none() && contended.is_none() {
            return Err(f.table_error(RulesErrorKind::NoCondition));
        }
        Ok(AllowRule {
            id,
            calls: calls
                .into_iter()
                .flatten()
                .map(|c| c.value.to_owned())
                .collect(),
            class,
            within: within
                .into_iter()
                .flatten()
                .map(|g| g.value.to_owned())
                .collect(),
            tests,
            fds: fds.unwrap_or_default(),
            reason: reason.value.to_owned(),
            under,
            contended,
            line,
            within_set,
            tests_matcher,
        })
    }
}
