//! `[[executor]]` and `[[machinery]]` tables: where an async executor polls
//! user code, and which of its own waits are not the user's blocking.
//!
//! A blocking call is placed by the innermost executor frame on its stack
//! (frames are given innermost first):
//!
//! | innermost executor frame | the call is |
//! |---|---|
//! | a `[[machinery]]` glob, with no `entry` frame inside a `poll` frame further out | the executor's own wait: allowed, with that table's reason |
//! | a `[[machinery]]` glob, inside an `entry` (a `block_on`) that is itself inside a `poll` | nested blocking: denied |
//! | a `poll` or `entry` glob | user code inside a task poll: judged by the rules |
//! | none | not inside an executor |

use crate::error::{RulesError, RulesErrorKind};
use crate::fields::{At, Fields};
use crate::glob;
use crate::glob::Globs;

/// One executor's shape.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExecutorDecl {
    /// Its name, e.g. `tokio`; `[[machinery]]` tables refer to it.
    pub name: String,
    /// The event `context` of calls judged inside its polls.
    pub context: String,
    /// The context on its own worker threads (`threads`), if it has any.
    pub worker_context: Option<String>,
    /// A second shape of the executor on the calling thread, told by a
    /// frame of its stack (tokio's multi-thread runtime's `block_on`), and
    /// that shape's context.
    flavor: Option<(Globs, String)>,
    /// Globs over OS thread names (15 bytes at most) of its worker threads:
    /// the guards judge task polls there too.
    threads: Option<Globs>,
    /// Frames that poll user code (a task, or the future given to `block_on`).
    poll: Globs,
    /// Frames of its entry points (`block_on`).
    entry: Globs,
}

/// One group of an executor's own waits, allowed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MachineryRule {
    /// `"{prefix}:machinery[N]"`.
    pub id: String,
    /// The executor's name.
    pub executor: String,
    /// Why these waits are not the user's blocking.
    pub reason: String,
    within: Globs,
}

/// Where a blocking call stands towards the executors.
#[derive(Debug, Clone, Copy)]
pub enum Placed<'a> {
    /// Not inside any executor.
    Outside,
    /// User code inside a task poll of this executor.
    InTask(&'a ExecutorDecl),
    /// The executor's own wait, allowed by this rule.
    Machinery(&'a ExecutorDecl, &'a MachineryRule),
    /// An executor's `block_on` (at this frame index) waiting inside a
    /// task poll of the outer executor.
    Nested {
        /// The outer executor, whose task is blocked.
        outer: &'a ExecutorDecl,
        /// The index of the `block_on` frame.
        entry: usize,
    },
}

const EXECUTOR_KEYS: &[&str] = &[
    "name",
    "context",
    "poll",
    "entry",
    "threads",
    "worker_context",
    "flavor",
    "flavor_context",
];
const MACHINERY_KEYS: &[&str] = &["executor", "within", "reason"];

fn globs(f: &Fields<'_>, key: &str) -> Result<Globs, RulesError> {
    let texts: Vec<At<&str>> = f.string_or_strings(key)?.unwrap_or_default();
    let compiled = texts
        .iter()
        .map(|g| glob::compile(g.value).map_err(|kind| f.error(key, g.span.clone(), kind)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Globs::new(compiled))
}

impl ExecutorDecl {
    /// True when an OS thread of this name is one of its worker threads.
    pub fn runs_thread(&self, name: &str) -> bool {
        self.threads.as_ref().is_some_and(|t| t.is_match(name))
    }

    /// The context of a call in its task poll, on a worker thread or not,
    /// with these frames (innermost first).
    pub fn context_on(&self, worker: bool, frames: &[&str]) -> &str {
        match (&self.worker_context, worker, &self.flavor) {
            (Some(c), true, _) => c,
            (_, false, Some((globs, context))) if frames.iter().any(|f| globs.matches_frame(f)) => {
                context
            }
            _ => &self.context,
        }
    }

    /// True when `frame` is one of its poll or entry frames.
    pub fn matches(&self, frame: &str) -> bool {
        self.poll.matches_frame(frame) || self.entry.matches_frame(frame)
    }

    pub(crate) fn parse(f: &Fields<'_>) -> Result<ExecutorDecl, RulesError> {
        f.only(EXECUTOR_KEYS)?;
        Ok(ExecutorDecl {
            name: f.required_string("name")?.value.to_owned(),
            context: f.required_string("context")?.value.to_owned(),
            poll: globs(f, "poll")?,
            entry: globs(f, "entry")?,
            worker_context: f.string("worker_context")?.map(|c| c.value.to_owned()),
            threads: match f.string_or_strings("threads")? {
                None => None,
                Some(_) => Some(globs(f, "threads")?),
            },
            flavor: match (f.string_or_strings("flavor")?, f.string("flavor_context")?) {
                (None, None) => None,
                (Some(_), Some(context)) => Some((globs(f, "flavor")?, context.value.to_owned())),
                (Some(_), None) => return Err(f.missing("flavor_context")),
                (None, Some(_)) => return Err(f.missing("flavor")),
            },
        })
    }
}

impl MachineryRule {
    /// True when `frame` is one of these waits' frames.
    pub fn matches(&self, frame: &str) -> bool {
        self.within.matches_frame(frame)
    }

    pub(crate) fn parse(
        f: &Fields<'_>,
        id: String,
        executors: &[ExecutorDecl],
    ) -> Result<MachineryRule, RulesError> {
        f.only(MACHINERY_KEYS)?;
        let executor = f.required_string("executor")?;
        if !executors.iter().any(|e| e.name == executor.value) {
            return Err(f.error(
                "executor",
                executor.span,
                RulesErrorKind::UnknownExecutor(executor.value.to_owned()),
            ));
        }
        if f.string_or_strings("within")?.is_none() {
            return Err(f.table_error(RulesErrorKind::NoMachineryFrames));
        }
        Ok(MachineryRule {
            id,
            executor: executor.value.to_owned(),
            reason: f.required_string("reason")?.value.to_owned(),
            within: globs(f, "within")?,
        })
    }
}

/// Places a call by its frames, innermost first (see the module docs).
pub fn place<'a>(
    executors: &[&'a ExecutorDecl],
    machinery: &[&'a MachineryRule],
    frames: &[&str],
) -> Placed<'a> {
    let by_name = |name: &str| executors.iter().copied().find(|e| e.name == name);
    for (i, frame) in frames.iter().enumerate() {
        // A frame that polls or enters is never the executor's own wait.
        if let Some(executor) = executors
            .iter()
            .copied()
            .find(|e| e.poll.matches_frame(frame) || e.entry.matches_frame(frame))
        {
            return Placed::InTask(executor);
        }
        if let Some(rule) = machinery
            .iter()
            .copied()
            .find(|m| m.within.matches_frame(frame))
        {
            let Some(executor) = by_name(&rule.executor) else {
                continue;
            };
            return match nested(executors, machinery, &frames[i + 1..]) {
                Some((entry, outer)) => Placed::Nested {
                    outer,
                    entry: i + 1 + entry,
                },
                None => Placed::Machinery(executor, rule),
            };
        }
    }
    Placed::Outside
}

/// An entry frame with a poll frame further out: its index and the outer
/// executor. Not when an executor's own frame lies between them: a
/// `block_on` in a closure a blocking pool runs (`spawn_blocking`,
/// `unblock`) is on a thread made for blocking, though that pool drives
/// its closures as tasks.
fn nested<'a>(
    executors: &[&'a ExecutorDecl],
    machinery: &[&MachineryRule],
    outward: &[&str],
) -> Option<(usize, &'a ExecutorDecl)> {
    let entry = outward
        .iter()
        .position(|f| executors.iter().any(|e| e.entry.matches_frame(f)))?;
    for frame in &outward[entry + 1..] {
        if let Some(outer) = executors
            .iter()
            .copied()
            .find(|e| e.poll.matches_frame(frame))
        {
            return Some((entry, outer));
        }
        if machinery.iter().any(|m| m.within.matches_frame(frame)) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin_executors;

    fn placed(frames: &[&str]) -> String {
        let file = builtin_executors();
        let executors: Vec<&ExecutorDecl> = file.executors.iter().collect();
        let machinery: Vec<&MachineryRule> = file.machinery.iter().collect();
        match place(&executors, &machinery, frames) {
            Placed::Outside => "outside".to_owned(),
            Placed::InTask(e) => format!("in a {} task", e.name),
            Placed::Machinery(e, m) => format!("{} machinery {}", e.name, m.id),
            Placed::Nested { outer, entry } => format!("nested in {} at {entry}", outer.name),
        }
    }

    const TOKIO_TASK: &[&str] = &[
        "tokio::runtime::task::core::Core<T,S>::poll",
        "tokio::runtime::task::harness::poll_future",
        "tokio::runtime::scheduler::current_thread::CoreGuard::block_on",
        "tokio::runtime::runtime::Runtime::block_on",
        "zoo::test",
    ];

    #[test]
    fn user_code_inside_a_poll_is_in_a_task() {
        let frames = [&["zoo::test::{{closure}}"], TOKIO_TASK].concat();
        assert_eq!(placed(&frames), "in a tokio task");
    }

    #[test]
    fn the_multi_thread_runtimes_block_on_is_a_context_of_its_own() {
        let file = builtin_executors();
        let tokio = file.executors.iter().find(|e| e.name == "tokio").unwrap();
        let multi = [
            "zoo::test::{{closure}}",
            "tokio::runtime::park::CachedParkThread::block_on::{{closure}}",
            "tokio::task::coop::with_budget",
            "tokio::runtime::park::CachedParkThread::block_on",
            "tokio::runtime::context::runtime::enter_runtime",
            "tokio::runtime::scheduler::multi_thread::MultiThread::block_on",
            "tokio::runtime::runtime::Runtime::block_on_inner",
            "zoo::test",
        ];
        assert_eq!(tokio.context_on(false, &multi), "tokio-multi-thread");
        assert_eq!(tokio.context_on(true, &multi), "tokio-worker");
        let current = [&["zoo::test::{{closure}}"], TOKIO_TASK].concat();
        assert_eq!(tokio.context_on(false, &current), "tokio-current-thread");
    }

    #[test]
    fn a_flavor_needs_its_context() {
        let err = crate::parse_str(
            "[[executor]]\nname = \"x\"\ncontext = \"x\"\nflavor = [\"x::*\"]\n",
            "rules.toml",
            "rules",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("flavor_context"), "{err}");
        assert!(err.contains("rules.toml:1"), "{err}");
    }

    #[test]
    fn the_executors_park_is_its_machinery() {
        let frames = [
            "mio::poll::Poll::poll",
            "tokio::runtime::io::driver::Driver::turn",
            "tokio::runtime::scheduler::current_thread::Context::park",
            "tokio::runtime::scheduler::current_thread::CoreGuard::block_on",
            "tokio::runtime::runtime::Runtime::block_on",
            "zoo::test",
        ];
        assert_eq!(placed(&frames), "tokio machinery executors:machinery[0]");
    }

    #[test]
    fn a_block_on_inside_a_task_poll_is_nested() {
        let inner = [
            "futures_executor::local_pool::run_executor::{{closure}}",
            "futures_executor::local_pool::run_executor",
            "futures_executor::local_pool::block_on",
            "zoo::test::{{closure}}",
        ];
        let frames = [&inner[..], TOKIO_TASK].concat();
        assert_eq!(placed(&frames), "nested in tokio at 2");
        // The same wait at the top of a test is the entry point's own.
        assert!(placed(&inner).starts_with("futures machinery"));
    }

    #[test]
    fn tokios_own_short_locks_under_contention_are_its_machinery() {
        let frames = [
            &[
                "std::sys::sync::mutex::futex::Mutex::lock_contended",
                "tokio::loom::std::mutex::Mutex<T>::lock",
                "tokio::sync::batch_semaphore::Semaphore::poll_acquire",
                "<tokio::sync::batch_semaphore::Acquire as core::future::future::Future>::poll",
                "deadpool::unmanaged::Pool<T>::get::{{closure}}",
                "zoo::test::{{closure}}",
            ][..],
            TOKIO_TASK,
        ]
        .concat();
        assert!(
            placed(&frames).starts_with("tokio machinery"),
            "{}",
            placed(&frames)
        );
    }

    #[test]
    fn futures_lites_and_async_stds_block_on_are_their_own_executors() {
        let lite = [
            "zoo::test::{{closure}}",
            "futures_lite::future::block_on::{{closure}}",
            "futures_lite::future::block_on",
            "zoo::test",
        ];
        assert_eq!(placed(&lite), "in a futures-lite task");
        assert_eq!(
            placed(&[&["zoo::test::{{closure}}"], ASYNC_STD_TASK].concat()),
            "in a async-std task"
        );
        // Its block_on parking in the reactor is the executor's wait, not
        // a block_on nested in a task (issue 25's gate: every async-std
        // test was blocked by it).
        let reactor = [
            &[
                "epoll_wait",
                "polling::Poller::wait",
                "async_io::driver::block_on::{{closure}}",
            ][..],
            &ASYNC_STD_TASK[4..],
        ]
        .concat();
        assert!(
            placed(&reactor).starts_with("smol machinery"),
            "{}",
            placed(&reactor)
        );
    }

    /// A future polled by async-std's block_on, innermost first.
    const ASYNC_STD_TASK: &[&str] = &[
        "async_std::task::task_locals_wrapper::TaskLocalsWrapper::set_current::{{closure}}",
        "std::thread::LocalKey<T>::with",
        "<async_std::task::builder::SupportTaskLocals<F> as core::future::future::Future>::poll",
        "async_executor::LocalExecutor::run::{{closure}}",
        "async_io::driver::block_on::{{closure}}",
        "std::thread::LocalKey<T>::with",
        "async_io::driver::block_on",
        "async_global_executor::executor::block_on::{{closure}}",
        "std::thread::LocalKey<T>::with",
        "async_global_executor::executor::block_on",
        "async_std::task::builder::Builder::blocking::{{closure}}::{{closure}}",
        "async_std::task::builder::Builder::blocking",
        "async_std::task::block_on::block_on",
        "zoo::test",
    ];

    #[test]
    fn event_listener_2s_list_lock_and_async_executors_schedule_are_machinery() {
        for inner in [
            "<event_listener::EventListener as core::ops::drop::Drop>::drop",
            "event_listener::Event::notify_additional",
            "async_executor::Executor::schedule::{{closure}}",
        ] {
            let frames = [
                &["std::sync::Mutex<T>::lock", inner, "zoo::test::{{closure}}"][..],
                ASYNC_STD_TASK,
            ]
            .concat();
            assert!(
                placed(&frames).starts_with("smol machinery"),
                "{inner}: {}",
                placed(&frames)
            );
        }
        // Waiting on a listener is the user's blocking still.
        let wait = [
            &[
                "event_listener::EventListener::wait",
                "zoo::test::{{closure}}",
            ][..],
            ASYNC_STD_TASK,
        ]
        .concat();
        assert_eq!(placed(&wait), "in a async-std task");
    }

    #[test]
    fn event_listeners_list_lock_is_machinery_and_its_wait_is_not() {
        let lock = [
            "std::sys::sync::mutex::futex::Mutex::lock_contended",
            "event_listener::sys::<impl event_listener::Inner<T>>::with_inner",
            "async_io::driver::block_on::{{closure}}",
            "async_io::driver::block_on",
            "async_process::Reaper::start_driver_thread::{{closure}}",
        ];
        assert!(
            placed(&lock).starts_with("smol machinery"),
            "{}",
            placed(&lock)
        );
        let wait = [
            "event_listener::EventListener<T>::wait",
            "zoo::test::{{closure}}",
            "async_io::driver::block_on::{{closure}}",
            "async_io::driver::block_on",
            "zoo::test",
        ];
        assert_eq!(placed(&wait), "in a smol task");
    }

    /// Issue 25's gate: every `#[async_std::test]` of async-h1 was blocked
    /// by async-io starting its driver thread as the runtime's first
    /// block_on returned.
    #[test]
    fn async_ios_driver_start_as_block_on_returns_is_machinery() {
        let start = [
            "std::thread::park",
            "event_listener::EventListener::wait",
            "async_lock::once_cell::OnceCell<T>::get_or_init_blocking",
            "<async_io::driver::CallOnDrop<F> as core::ops::drop::Drop>::drop",
            "core::ptr::drop_in_place<async_io::driver::CallOnDrop<async_io::driver::block_on<(),async_global_executor::init::init::{{closure}}>::{{closure}}>>",
            "async_io::driver::block_on",
            "async_global_executor::init::init_with_config",
            "async_std::rt::RUNTIME::{{closure}}",
            "once_cell::sync::Lazy<T,F>::force",
            "async_std::task::block_on::block_on",
            "accept::basic",
        ];
        assert!(
            placed(&start).starts_with("smol machinery"),
            "{}",
            placed(&start)
        );
    }

    /// async-std's `async_file_clone`: a block_on inside the closure of
    /// `spawn_blocking` (the blocking crate's pool, which drives closures
    /// as tasks) parks a thread made for blocking, not a task.
    #[test]
    fn a_block_on_in_a_blocking_pools_closure_is_not_nested() {
        let frames = [
            "futex_wait",
            "std::sync::Condvar::wait",
            "parking::Parker::park",
            "async_io::driver::block_on::{{closure}}",
            "async_io::driver::block_on",
            "async_std::task::builder::Builder::blocking",
            "async_std::fs::file::tests::async_file_clone::{{closure}}::{{closure}}",
            "blocking::unblock::{{closure}}",
            "async_task::raw::RawTask<F,T,S,M>::run",
            "blocking::Executor::main_loop",
        ];
        assert!(
            placed(&frames).starts_with("smol machinery"),
            "{}",
            placed(&frames)
        );
        // Without the pool's frame, the same block_on is nested in a task.
        let in_a_task: Vec<&str> = frames
            .iter()
            .copied()
            .filter(|f| !f.starts_with("blocking::"))
            .collect();
        assert!(
            placed(&in_a_task).starts_with("nested in smol"),
            "{}",
            placed(&in_a_task)
        );
    }

    #[test]
    fn no_executor_frame_is_outside() {
        assert_eq!(placed(&["zoo::test", "std::thread::sleep"]), "outside");
    }

    #[test]
    fn a_machinery_table_of_an_undeclared_executor_is_a_located_error() {
        let text = "[[machinery]]\nexecutor = \"tokyo\"\nwithin = \"x::*\"\nreason = \"r\"\n";
        let error = crate::parse_str(text, "x.toml", "rules")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("x.toml:2:12: `machinery[0].executor`"),
            "{error}"
        );
    }
}
