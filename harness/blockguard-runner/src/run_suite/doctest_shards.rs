//! Doctests split into shards that run side by side, each its own `cargo
//! test --doc` with the runner taking its doctests' names in order.
//!
//! rustdoc takes no name with a space as a filter (it splits
//! `--test-args` at whitespace), and every doctest's name has spaces. So a
//! shard asks for its doctests by a word of each name that as few other
//! names contain as can be (usually `474)`, the end of `(line 474)`).
//! Filters choose by substring, so a shard may also run a doctest of
//! another's: its runner skips it (the shard's skip list), and only the
//! shard that owns a doctest reports it.

/// One shard: the doctests it owns and the filters that ask for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// Its doctests, by rustdoc's full name.
    pub own: Vec<String>,
    /// libtest filters selecting them (and perhaps others); empty for
    /// the one shard of an unsplit run, which runs everything.
    pub filters: Vec<String>,
}

impl Shard {
    /// Whether rustdoc runs `name` in this shard.
    pub fn selects(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }
}

/// `names` (rustdoc's full names, every doctest listed) split over at most
/// `jobs` shards, dealt in turn so that each gets doctests from all over.
pub fn shards(names: &[String], jobs: usize) -> Vec<Shard> {
    let count = jobs.clamp(1, names.len().max(1));
    if count == 1 {
        return vec![Shard {
            own: names.to_vec(),
            filters: Vec::new(),
        }];
    }
    let mut shards = vec![
        Shard {
            own: Vec::new(),
            filters: Vec::new(),
        };
        count
    ];
    for (i, name) in names.iter().enumerate() {
        let shard = &mut shards[i % count];
        shard.own.push(name.clone());
        let word = rarest_word(name, names);
        if !shard.filters.contains(&word) {
            shard.filters.push(word);
        }
    }
    shards
}

/// The word of `name` the fewest of `names` contain (the last such word:
/// the line number ends a name, and is the likeliest to be its own).
fn rarest_word(name: &str, names: &[String]) -> String {
    name.split_whitespace()
        .rev()
        .min_by_key(|word| names.iter().filter(|n| n.contains(word)).count())
        .unwrap_or(name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn every_doctest_is_owned_once_and_selected_by_its_shard() {
        let all = names(&[
            "src/lib.rs - a (line 3)",
            "src/lib.rs - b (line 13)",
            "src/lib.rs - c (line 113)",
            "src/x.rs - d (line 3)",
            "src/lib.rs - e (line 9) - compile",
        ]);
        let shards = shards(&all, 2);
        assert_eq!(shards.len(), 2);
        for name in &all {
            let owners: Vec<&Shard> = shards.iter().filter(|s| s.own.contains(name)).collect();
            assert_eq!(owners.len(), 1, "{name}");
            assert!(owners[0].selects(name), "{name}: {:?}", owners[0].filters);
        }
        assert!(
            shards
                .iter()
                .all(|s| s.filters.iter().all(|f| !f.contains(' ')))
        );
    }

    #[test]
    fn a_word_no_other_name_has_is_chosen_where_there_is_one() {
        let all = names(&["src/lib.rs - a (line 3)", "src/lib.rs - b (line 13)"]);
        assert_eq!(rarest_word(&all[0], &all), "a");
        assert_eq!(rarest_word(&all[1], &all), "13)");
    }

    #[test]
    fn one_job_or_one_doctest_is_one_shard_that_runs_all() {
        let all = names(&["src/lib.rs - a (line 3)", "src/lib.rs - b (line 13)"]);
        let one = shards(&all, 1);
        assert_eq!(one.len(), 1);
        assert!(one[0].filters.is_empty() && one[0].selects("anything"));
        assert_eq!(shards(&all[..1], 8).len(), 1);
        assert_eq!(shards(&[], 8).len(), 1);
    }
}
