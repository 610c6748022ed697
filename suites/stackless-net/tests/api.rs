//! The `blockguard` API itself: these hold under the scheduler and, with
//! its fallbacks, without it (plain `cargo test`).

use blockguard::{Class, allow_blocking, channel, expect_blocking, spawn, yield_now};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn a_channel_delivers_in_the_order_values_were_sent() {
    let (tx, rx) = channel();
    let sender = spawn(move || {
        for i in 0..20 {
            tx.send(i).unwrap();
        }
    });
    let got: Vec<i32> = rx.iter().collect();
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    sender.join();
}

#[test]
fn send_waits_until_the_value_is_taken() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = channel();
    let sender = {
        let log = Arc::clone(&log);
        spawn(move || {
            tx.send("ping").unwrap();
            log.lock().unwrap().push("sent");
        })
    };
    blockguard::sleep(Duration::from_millis(20));
    log.lock().unwrap().push("receiving");
    assert_eq!(rx.recv().unwrap(), "ping");
    sender.join();
    assert_eq!(*log.lock().unwrap(), ["receiving", "sent"]);
}

#[test]
fn recv_fails_once_every_sender_is_gone_and_send_once_the_receiver_is() {
    let (tx, rx) = channel::<u8>();
    drop(tx);
    assert!(rx.recv().is_err());
    let (tx, rx) = channel::<u8>();
    drop(rx);
    assert_eq!(tx.send(7).unwrap_err().0, 7);
}

#[test]
fn yield_now_takes_turns_round_robin() {
    if !blockguard::under_scheduler() {
        // Threads take no turns; the order below is the scheduler's promise.
        return;
    }
    let log = Arc::new(Mutex::new(String::new()));
    let handles: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|name| {
            let log = Arc::clone(&log);
            spawn(move || {
                for _ in 0..3 {
                    log.lock().unwrap().push_str(name);
                    yield_now();
                }
            })
        })
        .collect();
    for h in handles {
        h.join();
    }
    assert_eq!(*log.lock().unwrap(), "abcabcabc");
}

#[test]
fn sleep_lets_the_others_run_meanwhile() {
    let start = Instant::now();
    let sleepers: Vec<_> = (0..5)
        .map(|_| spawn(|| blockguard::sleep(Duration::from_millis(100))))
        .collect();
    for s in sleepers {
        s.join();
    }
    // Five 100 ms sleeps side by side, not one after another.
    assert!(start.elapsed() < Duration::from_millis(450), "{:?}", start.elapsed());
}

#[test]
fn allow_blocking_allows_only_inside_its_scope() {
    // Inside: allowed (recorded with the reason). Outside: the suite's
    // mode decides (farmed). The report and snapshot show both.
    allow_blocking("the test naps on purpose to show a scoped allowance", || {
        std::thread::sleep(Duration::from_millis(1));
    });
    std::thread::sleep(Duration::from_millis(2));
}

#[test]
fn expect_blocking_sees_the_blocking_call() {
    if !blockguard::under_scheduler() {
        let missing = std::panic::catch_unwind(|| expect_blocking(Class::Sleep, || ()));
        assert!(missing.is_err(), "without the runtime expect_blocking must refuse");
        return;
    }
    let n = expect_blocking(Class::Sleep, || {
        std::thread::sleep(Duration::from_millis(1));
        42
    });
    assert_eq!(n, 42);
    let none = std::panic::catch_unwind(|| expect_blocking(Class::Net, || ()));
    let message = *none.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("attempted no blocking call of class net"), "{message}");
}

#[test]
fn a_deadlock_names_every_stuck_microthread_and_where_it_waits() {
    if !blockguard::under_scheduler() {
        // Threads would hang for ever; only the scheduler can tell.
        return;
    }
    let (_keep, rx) = channel::<u8>();
    let (tx2, _rx2) = channel::<u8>();
    let stuck = spawn(move || {
        tx2.send(1).unwrap();
    });
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rx.recv()));
    let message = *failure.unwrap_err().downcast::<String>().unwrap();
    assert!(message.starts_with("deadlock: all 2 microthreads wait"), "{message}");
    assert!(message.contains("#0 'main' waits in recv at tests/api.rs:"), "{message}");
    assert!(message.contains("'microthread' waits in send at tests/api.rs:"), "{message}");
    drop(stuck);
}

#[test]
fn spawned_work_runs_and_returns_its_value() {
    let h = spawn(|| (1..=10).sum::<u32>());
    assert_eq!(h.join(), 55);
}
