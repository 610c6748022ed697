//! libtest-mimic's lines as the run's outcomes say them: a test that was
//! blocked (timed out, crashed, hit a limit) is shown as such, not as
//! libtest's `FAILED`, and the `test result:` line counts each outcome
//! once, as the summary does.

use crate::schema::Outcome;
use std::collections::HashMap;

/// The outcome of each finished test, by its libtest name.
pub type Outcomes = HashMap<String, Outcome>;

/// The line to print for one line libtest-mimic wrote.
pub fn rewrite(line: &str, outcomes: &Outcomes) -> String {
    if let Some(rest) = line.strip_prefix("test result: ") {
        return conclusion(rest, outcomes).unwrap_or_else(|| line.to_owned());
    }
    // libtest-mimic pads names to one width: the padding stays.
    if let Some(padded) = line
        .strip_prefix("test ")
        .and_then(|rest| rest.strip_suffix(" ... FAILED"))
        && let Some(outcome) = outcomes.get(padded.trim_end())
        && *outcome != Outcome::Fail
        && outcome.is_failure()
    {
        return format!("test {padded} ... {}", outcome.as_str().to_uppercase());
    }
    line.to_owned()
}

/// `FAILED. 20 passed; 4 failed; …` with `4 failed` split into the
/// outcomes that made it up; `None` if the line is not as expected or the
/// outcomes do not add up to libtest's count.
fn conclusion(rest: &str, outcomes: &Outcomes) -> Option<String> {
    let (verdict, counts) = rest.split_once(". ")?;
    let mut parts: Vec<String> = counts.split("; ").map(str::to_owned).collect();
    let at = parts.iter().position(|p| p.ends_with(" failed"))?;
    let failed: usize = parts[at].strip_suffix(" failed")?.parse().ok()?;
    let count = |o: Outcome| outcomes.values().filter(|v| **v == o).count();
    let kinds: Vec<(Outcome, usize)> = Outcome::ALL
        .into_iter()
        .filter(|o| o.is_failure())
        .map(|o| (o, count(o)))
        .collect();
    if kinds.iter().map(|(_, n)| n).sum::<usize>() != failed {
        return None;
    }
    let split: Vec<String> = kinds
        .iter()
        .filter(|(o, n)| *o == Outcome::Fail || *n > 0)
        .map(|(o, n)| match o {
            Outcome::Fail => format!("{n} failed"),
            o => format!("{n} {o}"),
        })
        .collect();
    parts.splice(at..=at, split);
    Some(format!("test result: {verdict}. {}", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Outcomes {
        [
            ("t::a", Outcome::Pass),
            ("t::b", Outcome::Blocked),
            ("t::c", Outcome::Blocked),
            ("t::d", Outcome::Timeout),
            ("t::e", Outcome::Fail),
        ]
        .into_iter()
        .map(|(n, o)| (n.to_owned(), o))
        .collect()
    }

    #[test]
    fn the_conclusion_counts_blocked_tests_as_blocked_not_failed() {
        let line = "test result: FAILED. 1 passed; 4 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.31s";
        assert_eq!(
            rewrite(line, &outcomes()),
            "test result: FAILED. 1 passed; 1 failed; 2 blocked; 1 timeout; 0 ignored; 0 measured; 0 filtered out; finished in 0.31s"
        );
    }

    #[test]
    fn a_blocked_test_is_shown_blocked_and_a_failed_one_failed() {
        let outcomes = outcomes();
        assert_eq!(
            rewrite("test t::b ... FAILED", &outcomes),
            "test t::b ... BLOCKED"
        );
        assert_eq!(
            rewrite("test t::d ... FAILED", &outcomes),
            "test t::d ... TIMEOUT"
        );
        assert_eq!(
            rewrite("test t::e ... FAILED", &outcomes),
            "test t::e ... FAILED"
        );
        assert_eq!(rewrite("test t::a ... ok", &outcomes), "test t::a ... ok");
        assert_eq!(
            rewrite("test t::b   ... FAILED", &outcomes),
            "test t::b   ... BLOCKED"
        );
    }

    #[test]
    fn counts_that_do_not_add_up_leave_libtest_words_as_they_are() {
        let line = "test result: FAILED. 1 passed; 7 failed; 0 ignored";
        assert_eq!(rewrite(line, &outcomes()), line);
        assert_eq!(rewrite("test result: ok", &outcomes()), "test result: ok");
    }
}
