//! A CI's credentials reach no output: a test and a build that print the
//! runner's tokens, run without the sandbox (so they can see them), leave
//! them in none of stdout, stderr, the JSON report and the JUnit file; each
//! shows `[redacted: NAME]` where the value was.

use crate::run_suite::{Run, run_suite, scratch, tiny_crate};

const REGISTRY_TOKEN: &str = "bg-fake-secret-0123456789";
const GITHUB_TOKEN: &str = "ghp_bgFakeGithubToken42";

const SECRETS: [(&str, &str); 2] = [
    ("CARGO_REGISTRY_TOKEN", REGISTRY_TOKEN),
    ("GITHUB_TOKEN", GITHUB_TOKEN),
];

/// Runs the crate `lib_rs` unsandboxed with [`SECRETS`] in the runner's
/// environment; the run and every output's text.
fn run_with_secrets(name: &str, lib_rs: &str) -> (Run, String) {
    let dir = scratch(name);
    let krate = tiny_crate(&dir, name, lib_rs);
    let junit = dir.join("junit.xml");
    let run = run_suite(
        &dir,
        &[
            "--path",
            krate.to_str().unwrap(),
            "--no-sandbox",
            "--junit",
            junit.to_str().unwrap(),
        ],
        &SECRETS,
    );
    let outputs = format!(
        "--- stdout\n{}\n--- stderr\n{}\n--- report\n{}\n--- junit\n{}",
        run.stdout,
        run.stderr,
        run.report
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default(),
        std::fs::read_to_string(&junit).unwrap_or_default(),
    );
    (run, outputs)
}

fn assert_no_secret(outputs: &str) {
    for (name, value) in SECRETS {
        assert!(
            !outputs.contains(value),
            "{name}'s value leaked:\n{outputs}"
        );
    }
}

#[test]
fn a_test_that_prints_the_runners_tokens_leaves_them_in_no_output() {
    let (run, outputs) = run_with_secrets(
        "prints-tokens",
        "#[test]\nfn prints_its_environment() {\n    \
         for (name, value) in std::env::vars() {\n        \
         println!(\"{name}={value}\");\n        eprintln!(\"{name}={value}\");\n    }\n    \
         let token = std::env::var(\"CARGO_REGISTRY_TOKEN\").unwrap();\n    \
         let github = std::env::var(\"GITHUB_TOKEN\").unwrap();\n    \
         panic!(\"the tokens are {token} and {github}\");\n}\n",
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    assert_no_secret(&outputs);
    let message = run.report.as_ref().unwrap()["tests"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains(
            "the tokens are [redacted: CARGO_REGISTRY_TOKEN] and [redacted: GITHUB_TOKEN]"
        ),
        "{message}\n{}",
        run.explain()
    );
}

#[test]
fn a_build_error_that_quotes_a_token_leaves_it_in_no_output() {
    let (run, outputs) = run_with_secrets(
        "quotes-a-token",
        "compile_error!(concat!(\"the token is \", env!(\"GITHUB_TOKEN\")));\n",
    );
    assert_eq!(run.code, 1, "{}", run.explain());
    assert_no_secret(&outputs);
    let build = &run.report.as_ref().unwrap()["build"];
    assert!(
        build["message"]
            .as_str()
            .unwrap_or_default()
            .contains("the token is [redacted: GITHUB_TOKEN]"),
        "{build:#}"
    );
}
