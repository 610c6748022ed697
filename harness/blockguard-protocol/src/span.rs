//! Durations as budgets and their overruns are shown: `3.2 ms`, `250 µs`.

use std::time::Duration;

/// `d` in the largest unit that keeps it at least 1, with one decimal
/// where it has one: `1.5 s`, `3.2 ms`, `1 ms`, `250 µs`, `80 ns`.
pub fn readable(d: Duration) -> String {
    let nanos = d.as_nanos();
    let (unit, size) = match nanos {
        1_000_000_000.. => ("s", 1_000_000_000),
        1_000_000.. => ("ms", 1_000_000),
        1_000.. => ("µs", 1_000),
        _ => ("ns", 1),
    };
    let tenths = (nanos * 10 + size / 2) / size;
    match tenths % 10 {
        0 => format!("{} {unit}", tenths / 10),
        t => format!("{}.{t} {unit}", tenths / 10),
    }
}

/// The reason of a call denied for taking longer than its rule's `under`.
pub fn over_budget(took: Duration, under: Duration) -> String {
    format!("over budget: {} > {}", readable(took), readable(under))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_largest_unit() {
        assert_eq!(readable(Duration::from_micros(3_240)), "3.2 ms");
        assert_eq!(readable(Duration::from_millis(1)), "1 ms");
        assert_eq!(readable(Duration::from_micros(250)), "250 µs");
        assert_eq!(readable(Duration::from_millis(1_500)), "1.5 s");
        assert_eq!(readable(Duration::from_nanos(80)), "80 ns");
        assert_eq!(
            over_budget(Duration::from_micros(3_200), Duration::from_millis(1)),
            "over budget: 3.2 ms > 1 ms"
        );
    }
}
