//! Every malformed file is an error naming its line, column and key.

use blockguard_rules::parse_str;
use rstest::rstest;

#[rstest]
#[case::unknown_key_in_allow(
    "[[allow]]\ncall = \"write\"\nreson = \"typo\"\n",
    3,
    1,
    Some("allow[0].reson"),
    "unknown key (expected one of: `call`"
)]
#[case::unknown_key_in_suite(
    "[suite]\ncrate = \"x\"\n  feature = [\"std\"]\n",
    3,
    3,
    Some("suite.feature"),
    "unknown key"
)]
#[case::unknown_key_in_suppress(
    "[[suppress]]\nmessage = \"x\"\nreason = \"r\"\ntest = \"a\"\n",
    4,
    1,
    Some("suppress[0].test"),
    "unknown key (expected one of: `tests`, `message`, `reason`)"
)]
#[case::unknown_top_level_table(
    "[suite]\ncrate = \"x\"\n\n[allowed]\ncall = \"write\"\n",
    4,
    2,
    Some("allowed"),
    "expected one of: `suite`, `allow`, `suppress`"
)]
#[case::unknown_top_level_key("title = \"x\"\n", 1, 1, Some("title"), "unknown key")]
#[case::suite_not_a_table(
    "suite = \"x\"\n",
    1,
    9,
    Some("suite"),
    "expected a table, found string"
)]
#[case::allow_single_table(
    "[allow]\ncall = \"write\"\nreason = \"r\"\n",
    1,
    1,
    Some("allow"),
    "expected an array of tables, found table"
)]
#[case::features_wrong_type(
    "[suite]\ncrate = \"x\"\nfeatures = \"std\"\n",
    3,
    12,
    Some("suite.features"),
    "expected an array of strings, found string"
)]
#[case::features_element_wrong_type(
    "[suite]\ncrate = \"x\"\nfeatures = [\"std\", 1]\n",
    3,
    20,
    Some("suite.features"),
    "expected a string, found integer"
)]
#[case::bad_glob_in_within(
    "[[allow]]\nwithin = [\"ok::*\", \"bad[::*\"]\nreason = \"r\"\n",
    2,
    20,
    Some("allow[0].within"),
    "invalid glob: error parsing glob 'bad[::*'"
)]
#[case::bad_tests_glob(
    "[[allow]]\ncall = \"write\"\ntests = \"a{b\"\nreason = \"r\"\n",
    3,
    9,
    Some("allow[0].tests"),
    "invalid glob"
)]
#[case::bad_regex_in_message(
    "[[suppress]]\nmessage = \"(unclosed\"\nreason = \"r\"\n",
    2,
    11,
    Some("suppress[0].message"),
    "invalid regex"
)]
#[case::bad_class(
    "[[allow]]\nclass = \"fsync\"\nreason = \"r\"\n",
    2,
    9,
    Some("allow[0].class"),
    "unknown class `fsync`"
)]
#[case::bad_class_names_every_class(
    "[[allow]]\nclass = \"spinning\"\nreason = \"r\"\n",
    2,
    9,
    Some("allow[0].class"),
    "unknown class `spinning` (expected one of sleep, sync, net, pipe, fs, process, dns, poll, spin)"
)]
#[case::bad_mode(
    "[suite]\ncrate = \"x\"\nmode = \"strict\"\n",
    3,
    8,
    Some("suite.mode"),
    "unknown mode `strict`"
)]
#[case::bad_guard(
    "[suite]\ncrate = \"x\"\nguard = \"task\"\n",
    3,
    9,
    Some("suite.guard"),
    "unknown guard scope `task` (expected test or tasks)"
)]
#[case::bad_timeout(
    "[suite]\ncrate = \"x\"\ntimeout = \"60\"\n",
    3,
    11,
    Some("suite.timeout"),
    "invalid duration: `60`: a unit must follow each number"
)]
#[case::timeout_not_a_string(
    "[suite]\ncrate = \"x\"\ntimeout = 60\n",
    3,
    11,
    Some("suite.timeout"),
    "expected a string, found integer"
)]
#[case::missing_reason(
    "[[allow]]\ncall = \"write\"\nreason = \"ok\"\n\n[[allow]]\ncall = \"read\"\n",
    5,
    1,
    Some("allow[1].reason"),
    "missing required key `reason`"
)]
#[case::empty_reason(
    "[[allow]]\ncall = \"write\"\nreason = \"  \"\n",
    3,
    10,
    Some("allow[0].reason"),
    "must not be empty"
)]
#[case::missing_message(
    "[[suppress]]\nreason = \"r\"\n",
    1,
    1,
    Some("suppress[0].message"),
    "missing required key `message`"
)]
#[case::allow_with_no_condition(
    "[[allow]]\ntests = \"*\"\nreason = \"r\"\n",
    1,
    1,
    Some("allow[0]"),
    "needs at least one of `call`, `class`, `within`, `fds` or `contended`"
)]
#[case::bad_under(
    "[[allow]]\ncall = \"read\"\nunder = \"1 ms\"\nreason = \"r\"\n",
    3,
    9,
    Some("allow[0].under"),
    "invalid duration"
)]
#[case::bad_contended(
    "[[allow]]\nclass = \"sync\"\ncontended = \"yes\"\nreason = \"r\"\n",
    3,
    13,
    Some("allow[0].contended"),
    "the one value is \"allow\""
)]
#[case::bad_suite_budget(
    "[suite]\npath = \"x\"\nbudget = \"soon\"\n",
    3,
    10,
    Some("suite.budget"),
    "invalid duration"
)]
#[case::test_table_without_budget(
    "[[test]]\ntests = \"a::*\"\n",
    1,
    1,
    Some("test[0].budget"),
    "missing required key `budget`"
)]
#[case::suite_with_crate_and_path(
    "[suite]\ncrate = \"x\"\npath = \"../x\"\n",
    3,
    8,
    Some("suite.path"),
    "`crate` and `path` are exclusive"
)]
#[case::suite_with_neither(
    "# comment\n[suite]\nversion = \"1.0\"\n",
    2,
    1,
    Some("suite"),
    "needs `crate`"
)]
#[case::toml_syntax_error(
    "[[allow]\ncall = \"write\"\n",
    1,
    8,
    None,
    "invalid TOML: invalid table header; expected `.`, `]]`"
)]
#[case::duplicate_key(
    "[[allow]]\ncall = \"write\"\ncall = \"read\"\nreason = \"r\"\n",
    3,
    1,
    None,
    "duplicate key"
)]
#[case::fds_not_integers(
    "[[allow]]\nfds = [1, \"2\"]\nreason = \"r\"\n",
    2,
    11,
    Some("allow[0].fds"),
    "expected an integer, found string"
)]
#[case::fds_not_an_array(
    "[[allow]]\nfds = 1\nreason = \"r\"\n",
    2,
    7,
    Some("allow[0].fds"),
    "expected an array of integers, found integer"
)]
#[case::fd_out_of_range(
    "[[allow]]\nfds = [4294967296]\nreason = \"r\"\n",
    2,
    8,
    Some("allow[0].fds"),
    "integer 4294967296 is out of range"
)]
#[case::call_wrong_type(
    "[[allow]]\ncall = 3\nreason = \"r\"\n",
    2,
    8,
    Some("allow[0].call"),
    "expected a string or an array of strings, found integer"
)]
#[case::call_element_wrong_type(
    "[[allow]]\ncall = [\"write\", true]\nreason = \"r\"\n",
    2,
    18,
    Some("allow[0].call"),
    "expected a string, found boolean"
)]
#[case::call_empty_array(
    "[[allow]]\ncall = []\nreason = \"r\"\n",
    2,
    8,
    Some("allow[0].call"),
    "must not be empty"
)]
#[case::within_as_table(
    "[[allow]]\nreason = \"r\"\n[allow.within]\nx = 1\n",
    3,
    1,
    Some("allow[0].within"),
    "expected a string or an array of strings, found table"
)]
#[case::inline_allow_not_a_table(
    "allow = [{ call = \"write\", reason = \"r\" }, \"x\"]\n",
    1,
    44,
    Some("allow[1]"),
    "expected a table, found string"
)]
#[case::unknown_key_in_inline_allow(
    "allow = [{ call = \"write\", why = \"r\" }]\n",
    1,
    28,
    Some("allow[0].why"),
    "unknown key"
)]
#[case::suite_crate_that_is_a_path(
    "[suite]\ncrate = \"../x\"\n",
    2,
    9,
    Some("suite.crate"),
    "\"../x\" is not a crate name"
)]
#[case::suite_crate_with_a_newline(
    "[suite]\ncrate = \"x\\ny\"\n",
    2,
    9,
    Some("suite.crate"),
    "\"x\\ny\" is not a crate name"
)]
#[case::suite_version_that_would_inject_a_table(
    "[suite]\ncrate = \"x\"\nversion = \"1.0.6\\\"\\n[dependencies.evil]\"\n",
    3,
    11,
    Some("suite.version"),
    "is not an exact version such as 1.0.15"
)]
#[case::suite_version_that_is_a_requirement(
    "[suite]\npath = \"x\"\nversion = \">=1, <2\"\n",
    3,
    11,
    Some("suite.version"),
    "is not an exact version"
)]
#[case::suite_feature_with_a_space(
    "[suite]\ncrate = \"x\"\nfeatures = [\"std\", \"a b\"]\n",
    3,
    20,
    Some("suite.features"),
    "\"a b\" is not a feature name"
)]
#[case::suite_env_naming_a_credential(
    "[suite]\ncrate = \"x\"\nenv = [\"PATH_EXTRA\", \"GITHUB_TOKEN\"]\n",
    3,
    22,
    Some("suite.env"),
    "GITHUB_TOKEN looks like a credential, and a sandboxed suite is never given one"
)]
#[case::suite_env_naming_a_registry_credential_in_lower_case(
    "[suite]\npath = \".\"\nenv = [\"cargo_registries_mine_token\"]\n",
    3,
    8,
    Some("suite.env"),
    "cargo_registries_mine_token looks like a credential"
)]
#[case::suite_env_naming_no_variable(
    "[suite]\ncrate = \"x\"\nenv = [\"A=B\"]\n",
    3,
    8,
    Some("suite.env"),
    "\"A=B\" is not a variable name"
)]
#[case::suite_env_not_a_list(
    "[suite]\ncrate = \"x\"\nenv = \"HOSTNAME\"\n",
    3,
    7,
    Some("suite.env"),
    "expected an array of strings, found string"
)]
fn malformed_file_is_located(
    #[case] text: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] key: Option<&str>,
    #[case] fragment: &str,
) {
    let err = parse_str(text, "suites/x.toml", "rules").expect_err("the file is malformed");
    let shown = err.to_string();
    assert_eq!(
        (err.line, err.column, err.key.as_deref()),
        (line, column, key),
        "{shown}"
    );
    assert_eq!(err.file, "suites/x.toml");
    assert!(shown.contains(fragment), "{shown:?} lacks {fragment:?}");
    let prefix = match key {
        Some(key) => format!("suites/x.toml:{line}:{column}: `{key}`: "),
        None => format!("suites/x.toml:{line}:{column}: "),
    };
    assert!(shown.starts_with(&prefix), "{shown:?} lacks {prefix:?}");
}

#[test]
fn unreadable_file_names_the_file() {
    let path = std::env::temp_dir().join("blockguard-rules-no-such-file.toml");
    let err = blockguard_rules::load(&path).expect_err("the file does not exist");
    assert_eq!((err.line, err.column, err.key.as_deref()), (0, 0, None));
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}: cannot read the rules file: ", path.display())),
        "{shown}"
    );
}

#[test]
fn damaged_input_is_an_error_never_a_panic() {
    let text = "[suite]\ncrate = \"x\"\ntimeout = \"1m30s\"\nmode = \"deny\"\n\n\
                [[allow]]\ncall = [\"write\"]\nwithin = \"a::*\"\nfds = [1]\nreason = \"é\"\n\n\
                [[suppress]]\nmessage = \"(?i)reset\"\nreason = \"r\"\n";
    let cuts = text.char_indices().map(|(i, _)| i);
    for cut in cuts.clone() {
        let damaged = [&text[..cut], &text[..cut].replace('"', "'"), &text[cut..]];
        for damaged in damaged {
            if let Err(err) = parse_str(damaged, "x.toml", "rules") {
                assert!(err.line >= 1 && err.column >= 1, "{err}");
            }
        }
    }
}

/// A file whose rule has a pattern of `bytes` bytes at `key`, on line 2.
fn with_pattern(key: &str, bytes: usize) -> String {
    let pattern = "a".repeat(bytes);
    match key {
        "message" => format!("[[suppress]]\nmessage = \"{pattern}\"\nreason = \"r\"\n"),
        _ => format!("[[allow]]\n{key} = \"{pattern}\"\ncall = \"x\"\nreason = \"r\"\n"),
    }
}

#[rstest]
#[case::within(
    "within",
    10,
    "allow[0].within",
    "glob",
    blockguard_rules::MAX_GLOB_BYTES
)]
#[case::tests("tests", 9, "allow[0].tests", "glob", blockguard_rules::MAX_GLOB_BYTES)]
#[case::message(
    "message",
    11,
    "suppress[0].message",
    "regex",
    blockguard_rules::MAX_REGEX_BYTES
)]
fn a_pattern_over_its_length_limit_is_refused_before_compiling(
    #[case] key: &str,
    #[case] column: usize,
    #[case] path: &str,
    #[case] kind: &str,
    #[case] limit: usize,
) {
    let at_limit = parse_str(&with_pattern(key, limit), "x.toml", "rules");
    assert!(at_limit.is_ok(), "{:?}", at_limit.err());
    let err = parse_str(&with_pattern(key, limit + 1), "x.toml", "rules")
        .expect_err("one byte over the limit");
    assert_eq!(
        err.to_string(),
        format!(
            "x.toml:2:{column}: `{path}`: the {kind} is {} bytes; the limit is {limit}",
            limit + 1
        )
    );
}

#[test]
fn a_megabyte_within_glob_is_refused_without_compiling_it() {
    // Compiling it took minutes; the length is checked first.
    let text = format!(
        "[[allow]]\nwithin = [\"ok::*\", \"{}\"]\nreason = \"r\"\n",
        "*a".repeat(512 * 1024)
    );
    let err = parse_str(&text, "x.toml", "rules").expect_err("too long");
    assert_eq!(
        err.to_string(),
        format!(
            "x.toml:2:20: `allow[0].within`: the glob is 1048576 bytes; the limit is {}",
            blockguard_rules::MAX_GLOB_BYTES
        )
    );
}

/// `path` holding `text`, in a folder of the test's own.
fn written(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("blockguard-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("blockguard.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_guards_read_leaves_suppress_rules_to_the_runner() {
    // A suppress rule with a bad regex: the runner's read refuses it, the
    // guards' read leaves [[suppress]] out and checks everything else.
    let path = written(
        "guards-read",
        "[[allow]]\ncall = \"read\"\nreason = \"r\"\n\n[[suppress]]\nmessage = \"(unclosed\"\nreason = \"r\"\n",
    );
    let err = blockguard_rules::load(&path).expect_err("a bad regex");
    assert_eq!(
        (err.line, err.column, err.key.as_deref()),
        (6, 11, Some("suppress[0].message"))
    );
    let guards = blockguard_rules::load_for_guards(&path).expect("no suppress rule read");
    assert!(guards.suppress.is_empty());
    assert_eq!(guards.allow.len(), 1);
    // Every other table is checked as the runner checks it.
    std::fs::write(
        &path,
        "[[allow]]\ncall = \"read\"\nwithin = \"bad[\"\nreason = \"r\"\n",
    )
    .unwrap();
    let err = blockguard_rules::load_for_guards(&path).expect_err("a bad glob");
    assert_eq!(err.key.as_deref(), Some("allow[0].within"));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
