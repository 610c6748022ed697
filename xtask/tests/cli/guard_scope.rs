//! `--guard tasks`: the test's plain thread is not a guarded context, a
//! task poll still is; the default guards both, and the report and the
//! summary say which scope ran.

use crate::run_suite::{Run, run_suite, scratch};
use serde_json::Value;

fn denied(run: &Run, name: &str) -> Vec<String> {
    let report = run.report.as_ref().expect("a report");
    let test = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the report:\n{}", run.explain()));
    test["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "denied")
        .map(|c| format!("{} at {}", c["call"], c["site"]))
        .collect()
}

fn outcome<'a>(run: &'a Run, name: &str) -> &'a Value {
    let report = run.report.as_ref().expect("a report");
    &report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the report:\n{}", run.explain()))["outcome"]
}

#[test]
fn tasks_scope_leaves_the_plain_thread_alone_and_still_guards_task_polls() {
    let dir = scratch("guard-tasks-plain");
    let plain = "tests::sleeps";
    // The harness's names are `binary::name`.
    let exact = "outcomes::tests::sleeps";
    let default = run_suite(
        &dir,
        &["fixtures/outcomes.toml", "--", "--exact", exact],
        &[],
    );
    assert_eq!(outcome(&default, plain), "blocked", "{}", default.explain());
    assert_eq!(default.report.as_ref().unwrap()["guard"], "test");

    let tasks = run_suite(
        &dir,
        &[
            "fixtures/outcomes.toml",
            "--guard",
            "tasks",
            "--",
            "--exact",
            exact,
        ],
        &[],
    );
    assert_eq!(outcome(&tasks, plain), "pass", "{}", tasks.explain());
    assert!(denied(&tasks, plain).is_empty(), "{}", tasks.explain());
    assert_eq!(tasks.report.as_ref().unwrap()["guard"], "tasks");
    assert!(
        tasks
            .stderr
            .contains("guarding task polls and spawned microthreads only"),
        "the summary names the scope:\n{}",
        tasks.explain()
    );

    let dir = scratch("guard-tasks-task");
    let in_task = "tokio_current::blocks_std_sleep";
    let exact = format!("async_zoo::{in_task}");
    let tasks = run_suite(
        &dir,
        &[
            "fixtures/async-zoo.toml",
            "--guard",
            "tasks",
            "--",
            "--exact",
            &exact,
        ],
        &[],
    );
    assert_eq!(outcome(&tasks, in_task), "blocked", "{}", tasks.explain());
    let calls = denied(&tasks, in_task);
    assert!(
        calls.iter().any(|c| c.contains("nanosleep")),
        "the sleep inside the task poll is still denied: {calls:?}\n{}",
        tasks.explain()
    );
}

#[test]
fn a_suite_file_sets_the_scope_and_a_bad_one_names_its_line() {
    let dir = scratch("guard-suite-file");
    let suite = dir.join("outcomes-tasks.toml");
    let fixture = crate::support::root().join("fixtures/outcomes");
    std::fs::write(
        &suite,
        format!(
            "[suite]\npath = {:?}\nguard = \"tasks\"\n",
            fixture.display().to_string()
        ),
    )
    .unwrap();
    let run = run_suite(
        &dir,
        &[
            suite.to_str().unwrap(),
            "--",
            "--exact",
            "outcomes::tests::sleeps",
        ],
        &[],
    );
    assert_eq!(outcome(&run, "tests::sleeps"), "pass", "{}", run.explain());

    std::fs::write(&suite, "[suite]\npath = \".\"\nguard = \"everything\"\n").unwrap();
    let bad = run_suite(&dir, &[suite.to_str().unwrap()], &[]);
    assert_eq!(bad.code, 2, "{}", bad.explain());
    assert!(
        bad.stderr.contains(":3:") && bad.stderr.contains("unknown guard scope `everything`"),
        "{}",
        bad.explain()
    );
}
