//! Names as file names, one to one: a test's snapshot (`<binary>__<test>`)
//! and a binary's trace folder. Two names never share a file, and a name
//! that reads back from its file name keeps the file name it always had,
//! so accepted snapshots do not move.
//!
//! A name's *plain form* keeps ASCII letters, digits, `-` and `_`, writes
//! `::` as `__` and any other character as `_`. A name is written as its
//! plain form when that form holds no `--` and reads back as the name
//! (each `__`, left to right, read as `::`); any other name is written as
//! its plain form, `--`, and 16 hex digits of the FNV-1a hash of the name.
//!
//! Why two names never share a file name:
//! - both written plain: the file name reads back as the name;
//! - one plain, one hashed: only the hashed one holds `--`;
//! - both hashed: their last 16 digits are their hashes, equal only when
//!   the names collide in 64 bits. FNV-1a is no cryptographic hash, so a
//!   crate could build such a pair on purpose; its two tests would then
//!   share a snapshot, and the one whose calls differ from it shows as
//!   changed on every run: a nuisance, nothing hidden.

use crate::schema::TestKey;

/// `name` as a file name.
pub fn for_name(name: &str) -> String {
    written(name, true, &[name.as_bytes()])
}

/// The snapshot file name (without `.snap`) of a test: the scheme above
/// applied to `binary::test` (a suite's packages keep their snapshots
/// apart, in folders of their own).
pub fn for_test(key: &TestKey) -> String {
    let (binary, test) = (key.binary.as_str(), key.name.as_str());
    let joined = key.to_string();
    // `binary::test` reads back as its two parts only when the binary
    // holds no `:` (cargo's target names never do); 0xFF, never in UTF-8,
    // separates them in the hash.
    written(
        &joined,
        !binary.contains(':'),
        &[binary.as_bytes(), &[0xFF], test.as_bytes()],
    )
}

fn written(name: &str, may_stay_plain: bool, key: &[&[u8]]) -> String {
    let plain = plain(name);
    if may_stay_plain && read_back(&plain) == name && !plain.contains("--") {
        plain
    } else {
        format!("{plain}--{:016x}", fnv1a(key))
    }
}

fn plain(name: &str) -> String {
    name.replace("::", "__")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn read_back(plain: &str) -> String {
    plain.replace("__", "::")
}

/// 64-bit FNV-1a: fixed by its definition, so a name's file name is the
/// same with every Rust version (std's `DefaultHasher` promises no such
/// thing).
pub(crate) fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    parts
        .iter()
        .flat_map(|part| part.iter())
        .fold(OFFSET_BASIS, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(PRIME)
        })
}

#[cfg(test)]
mod tests {
    use super::{fnv1a, for_name, for_test};
    use crate::schema::TestKey;
    use std::collections::BTreeSet;

    #[test]
    fn the_hash_is_standard_fnv1a() {
        // The published FNV-1a 64 test vectors: file names must not move.
        assert_eq!(fnv1a(&[b""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&[b"foo", b"bar"]), 0x85944171f73967e8);
    }

    #[test]
    fn names_that_read_back_keep_their_plain_file_names() {
        for (binary, test, file) in [
            ("outcomes", "tests::hangs", "outcomes__tests__hangs"),
            (
                "select_macro",
                "linearizable_timeout",
                "select_macro__linearizable_timeout",
            ),
            ("mpsc", "channel::a_b", "mpsc__channel__a_b"),
            ("tokio-util", "a::_b", "tokio-util__a___b"),
            ("files", "tests::Reads9", "files__tests__Reads9"),
        ] {
            assert_eq!(for_test(&TestKey::new("", binary, test)), file);
        }
        assert_eq!(for_name("select_macro"), "select_macro");
        assert_eq!(for_name("tokio-util"), "tokio-util");
    }

    #[test]
    fn names_that_would_share_a_plain_form_get_different_files() {
        let pairs: &[[(&str, &str); 2]] = &[
            [("t", "tests::tëst_ünïcødé"), ("t", "tests::tåst_ünïcødé")],
            [("t", "a::b"), ("t", "a__b")],
            [("t", "a_::b"), ("t", "a::_b")],
            [("a_", "b"), ("a", "_b")],
            [("a", "b::c"), ("a__b", "c")],
            [("a:", ":b"), ("a", "::b")],
            [("t", "x--y"), ("t", "x__y")],
            [("t", "x y"), ("t", "x_y")],
            [
                ("doctests", "src/lib.rs - Foo (line 3)"),
                ("doctests", "src_lib_rs_-_Foo__line_3_"),
            ],
        ];
        for [a, b] in pairs {
            assert_ne!(
                for_test(&TestKey::new("", a.0, a.1)),
                for_test(&TestKey::new("", b.0, b.1)),
                "{a:?} {b:?}"
            );
        }
        assert_ne!(for_name("tëst"), for_name("tåst"));
        assert_ne!(for_name("a::b"), for_name("a__b"));
    }

    #[test]
    fn a_name_that_does_not_read_back_is_its_plain_form_and_a_hash() {
        let file = for_test(&TestKey::new("", "t", "tests::tëst_ünïcødé"));
        let (plain, hash) = file.rsplit_once("--").unwrap();
        assert_eq!(plain, "t__tests__t_st__n_c_d_");
        assert_eq!(hash.len(), 16);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        let doctest = for_test(&TestKey::doctest("", "src/lib.rs - Foo (line 3)"));
        assert!(doctest.starts_with("doctests__src_lib_rs_-_Foo__line_3_--"));
        // A name holding `--` is hashed, so no plain name ends like a hash.
        assert!(for_test(&TestKey::new("", "t", "x--y")).starts_with("t__x--y--"));
    }

    #[test]
    fn every_file_name_is_safe_and_distinct() {
        let tests = [
            "a", "a_", "_a", "a::b", "a__b", "a_::b", "a::_b", "a:::b", "a___b", "a--b", "a-b",
            "tëst", "tåst", "a b", "a/b", "a.b", "a::", "::a", "", ":",
        ];
        let binaries = ["t", "t_", "t-", "t__a", "t::a", "t:"];
        let mut seen = BTreeSet::new();
        for binary in binaries {
            for test in tests {
                let file = for_test(&TestKey::new("", binary, test));
                assert!(
                    file.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{file}"
                );
                assert!(seen.insert(file), "{binary} {test}");
            }
        }
    }
}
