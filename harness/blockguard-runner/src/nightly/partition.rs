//! `--partition hash:K/N`: shard K of N (1-based) takes the suites whose
//! name hashes to K - 1 modulo N. The hash is FNV-1a over the name's
//! bytes, fixed here so that every machine and every version agrees.

use std::fmt;
use std::str::FromStr;

/// One shard of the suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// This shard, 1..=count.
    pub shard: u64,
    /// The number of shards.
    pub count: u64,
}

impl Partition {
    /// Whether `suite` belongs to this shard.
    pub fn takes(&self, suite: &str) -> bool {
        fnv1a(suite.as_bytes()) % self.count == self.shard - 1
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}`: expected hash:K/N with 1 <= K <= N, e.g. hash:1/3");
        let spec = text.strip_prefix("hash:").ok_or_else(bad)?;
        let (k, n) = spec.split_once('/').ok_or_else(bad)?;
        let (shard, count): (u64, u64) =
            (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if shard == 0 || count == 0 || shard > count {
            return Err(bad());
        }
        Ok(Partition { shard, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hash:{}/{}", self.shard, self.count)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_lands_in_exactly_one_shard() {
        let suites = [
            "mio",
            "socket2",
            "tempfile",
            "crossbeam-channel",
            "a",
            "b",
            "c",
        ];
        for count in 1..=4 {
            for suite in suites {
                let shards = (1..=count)
                    .filter(|&shard| Partition { shard, count }.takes(suite))
                    .count();
                assert_eq!(shards, 1, "{suite} in {count} shards");
            }
        }
    }

    #[test]
    fn the_hash_is_fixed() {
        // FNV-1a's published test value for "a".
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn bad_specs_are_refused() {
        assert_eq!("hash:2/3".parse(), Ok(Partition { shard: 2, count: 3 }));
        for bad in [
            "2/3",
            "hash:0/3",
            "hash:4/3",
            "hash:1/0",
            "hash:x/2",
            "count:1/2",
        ] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }
}
