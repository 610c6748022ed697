//! Microthreads: [`spawn`] and [`JoinHandle`].

use crate::ffi::{self, Woken};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

/// A spawned microthread (or, without the runtime, thread).
pub struct JoinHandle<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Micro {
        id: u64,
        result: Arc<Mutex<Option<T>>>,
    },
    Thread(std::thread::JoinHandle<T>),
}

/// Runs `f` on a new microthread of the scheduler, beside the caller; it
/// starts when the caller next waits or yields. Off a microthread (no
/// guard runtime), runs it on a new OS thread instead.
///
/// A panic in `f` fails the test with its message: under the runtime at
/// once (no harness catches a microthread's panic), otherwise when the
/// handle is joined.
pub fn spawn<T, F>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    spawn_named("microthread", f)
}

/// [`spawn`] with a name, which deadlock reports and failures show.
pub fn spawn_named<T, F>(name: &str, f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    if let Some(abi) = ffi::active() {
        let result = Arc::new(Mutex::new(None));
        let out = Arc::clone(&result);
        let who = name.to_owned();
        let body = Box::new(move || match catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => *out.lock().unwrap_or_else(PoisonError::into_inner) = Some(value),
            Err(_) => abi.fail(&format!(
                "microthread '{who}' panicked (its message is above); the test fails"
            )),
        });
        if let Some(id) = abi.spawn(name, body) {
            return JoinHandle {
                inner: Inner::Micro { id, result },
            };
        }
        panic!("blockguard: no stack for microthread '{name}'");
    }
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .expect("blockguard: cannot spawn a thread");
    JoinHandle {
        inner: Inner::Thread(thread),
    }
}

impl<T> JoinHandle<T> {
    /// Waits for it to end and returns its result. Under the runtime the
    /// caller waits as a microthread; a join that can never end (a
    /// deadlock) panics with the report.
    #[track_caller]
    pub fn join(self) -> T {
        match self.inner {
            Inner::Micro { id, result } => {
                let abi = ffi::active().expect("a microthread's handle is joined on a microthread");
                match abi.join(id) {
                    Woken::Go => {}
                    Woken::Deadlock => panic!("{}", abi.deadlock_report()),
                    Woken::NotOnMicrothread => unreachable!("checked above"),
                }
                result
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                    .expect("a microthread that ended without panicking left its result")
            }
            Inner::Thread(thread) => match thread.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        }
    }
}
