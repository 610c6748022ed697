//! Without the guard runtime (this test binary runs without it), every
//! function falls back as documented.

use blockguard::{Class, allow_blocking, channel, expect_blocking, spawn, under_scheduler};
use std::time::{Duration, Instant};

#[test]
fn nothing_here_runs_under_the_scheduler() {
    assert!(!under_scheduler());
}

#[test]
fn spawn_runs_on_a_thread_and_join_returns_its_value() {
    let here = std::thread::current().id();
    let there = spawn(move || std::thread::current().id()).join();
    assert_ne!(here, there);
}

#[test]
fn a_panic_in_a_spawned_thread_comes_back_at_join() {
    let h = spawn(|| panic!("gave up"));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.join())).unwrap_err();
    assert_eq!(*err.downcast::<&str>().unwrap(), "gave up");
}

#[test]
fn the_channel_is_a_rendezvous_in_order() {
    let (tx, rx) = channel();
    let sender = spawn(move || {
        let start = Instant::now();
        tx.send(1).unwrap();
        let waited = start.elapsed();
        tx.send(2).unwrap();
        waited
    });
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(rx.recv().unwrap(), 1);
    assert_eq!(rx.recv().unwrap(), 2);
    // The first send waited for the receiver.
    assert!(sender.join() >= Duration::from_millis(40));
    assert!(rx.recv().is_err(), "the sender is gone");
}

#[test]
fn sleep_and_yield_fall_back_to_std() {
    let start = Instant::now();
    blockguard::sleep(Duration::from_millis(20));
    blockguard::yield_now();
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn allow_blocking_just_runs_the_closure() {
    assert_eq!(allow_blocking("reason", || 7), 7);
}

#[test]
fn expect_blocking_refuses_to_pass_without_the_runtime() {
    let err = std::panic::catch_unwind(|| expect_blocking(Class::Sleep, || ())).unwrap_err();
    let message = *err.downcast::<String>().unwrap();
    assert!(message.contains("needs the guard runtime"), "{message}");
}
