//! Durations as written in suite files: `"60s"`, `"500ms"`, `"1m30s"`.

use crate::duration_error::{DurationError, DurationProblem};
use std::time::Duration;

/// Parses a positive duration made of `<integer><unit>` parts, units `h`,
/// `m`, `s`, `ms` and `us` (budgets of single calls are that short), e.g. `"60s"`, `"500ms"`, `"2m"`, `"1h"`, `"1m30s"`.
///
/// The error says what is wrong, for a message that quotes the text.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let mut rest = text;
    let mut total = Duration::ZERO;
    if rest.is_empty() {
        return Err(expected(text, DurationProblem::Empty));
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(expected(text, DurationProblem::NoNumber));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| expected(text, DurationProblem::NumberTooLarge))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "h" => number.checked_mul(3600).map(Duration::from_secs),
            "m" => number.checked_mul(60).map(Duration::from_secs),
            "s" => Some(Duration::from_secs(number)),
            "ms" => Some(Duration::from_millis(number)),
            "us" => Some(Duration::from_micros(number)),
            "" => return Err(expected(text, DurationProblem::NoUnit)),
            unit => {
                return Err(expected(
                    text,
                    DurationProblem::UnknownUnit(unit.to_owned()),
                ));
            }
        };
        total = part
            .and_then(|p| total.checked_add(p))
            .ok_or_else(|| expected(text, DurationProblem::TooLarge))?;
        rest = &rest[unit_len..];
    }
    if total.is_zero() {
        // A zero per-test timeout would fail every test before it starts.
        return Err(expected(text, DurationProblem::Zero));
    }
    Ok(total)
}

fn expected(text: &str, problem: DurationProblem) -> DurationError {
    DurationError {
        text: text.to_owned(),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn parses_units_and_sums() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1s250ms"), Ok(Duration::from_millis(1250)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "",
            "60",
            "s",
            "1.5s",
            "10x",
            "-1s",
            " 1s",
            "0s",
            "1 s",
            "99999999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn the_message_quotes_the_text_and_shows_examples() {
        assert_eq!(
            parse_duration("10x").unwrap_err().to_string(),
            "`10x`: unknown unit `x` (expected e.g. \"60s\", \"500ms\", \"2m\", \"1h\" or \"1m30s\")"
        );
    }
}
