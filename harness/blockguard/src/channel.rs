//! A Stackless-style channel: a rendezvous. `send` waits until a receiver
//! has taken the value; `recv` waits until a sender offers one. Under the
//! runtime both wait as microthreads (the thread runs the others);
//! without it this is `std::sync::mpsc::sync_channel(0)`.
//!
//! Values are received in the order they were offered. A channel belongs
//! to the mode it was made in: one made on a microthread is used on the
//! scheduler's microthreads.

use crate::ffi::{self, Abi, Woken};
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::panic::Location;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The sending half; clone it for more senders.
pub struct Sender<T> {
    flavor: SenderFlavor<T>,
}

/// The receiving half.
pub struct Receiver<T> {
    flavor: ReceiverFlavor<T>,
}

enum SenderFlavor<T> {
    Micro(Arc<Mutex<Shared<T>>>),
    Std(mpsc::SyncSender<T>),
}

enum ReceiverFlavor<T> {
    Micro(Arc<Mutex<Shared<T>>>),
    Std(mpsc::Receiver<T>),
}

/// The receiver is gone; the value comes back.
#[derive(PartialEq, Eq)]
pub struct SendError<T>(pub T);

/// Every sender is gone and nothing is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a channel whose receiver is gone")
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("receiving on a channel whose senders are gone")
    }
}

impl<T> std::error::Error for SendError<T> {}
impl std::error::Error for RecvError {}

struct Offer<T> {
    ticket: u64,
    sender: u64,
    value: T,
}

struct Shared<T> {
    offers: VecDeque<Offer<T>>,
    waiting_receivers: VecDeque<u64>,
    taken: BTreeSet<u64>,
    next_ticket: u64,
    senders: usize,
    receiver: bool,
}

/// A new channel.
pub fn channel<T: Send>() -> (Sender<T>, Receiver<T>) {
    if ffi::active().is_some() {
        let shared = Arc::new(Mutex::new(Shared {
            offers: VecDeque::new(),
            waiting_receivers: VecDeque::new(),
            taken: BTreeSet::new(),
            next_ticket: 0,
            senders: 1,
            receiver: true,
        }));
        return (
            Sender {
                flavor: SenderFlavor::Micro(Arc::clone(&shared)),
            },
            Receiver {
                flavor: ReceiverFlavor::Micro(shared),
            },
        );
    }
    let (tx, rx) = mpsc::sync_channel(0);
    (
        Sender {
            flavor: SenderFlavor::Std(tx),
        },
        Receiver {
            flavor: ReceiverFlavor::Std(rx),
        },
    )
}

fn lock<T>(shared: &Mutex<Shared<T>>) -> MutexGuard<'_, Shared<T>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The runtime and the caller's id, or a panic naming the misuse.
fn on_microthread(op: &str) -> (&'static Abi, u64) {
    let abi = ffi::active().unwrap_or_else(|| {
        panic!("blockguard: {op} on a microthread channel from outside the scheduler")
    });
    let me = abi.current().expect("on a microthread");
    (abi, me)
}

/// Parks the caller; a deadlock panics with the runtime's report.
fn park(abi: &Abi, what: String) {
    match abi.park(&what) {
        Woken::Go => {}
        Woken::Deadlock => panic!("{}", abi.deadlock_report()),
        Woken::NotOnMicrothread => unreachable!("parked on a microthread"),
    }
}

impl<T> Sender<T> {
    /// Offers `value` and waits until a receiver takes it. Fails, giving
    /// the value back, when the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let shared = match &self.flavor {
            SenderFlavor::Std(tx) => return tx.send(value).map_err(|e| SendError(e.0)),
            SenderFlavor::Micro(shared) => shared,
        };
        let at = Location::caller();
        let (abi, me) = on_microthread("send");
        let ticket = {
            let mut s = lock(shared);
            if !s.receiver {
                return Err(SendError(value));
            }
            let ticket = s.next_ticket;
            s.next_ticket += 1;
            s.offers.push_back(Offer {
                ticket,
                sender: me,
                value,
            });
            if let Some(receiver) = s.waiting_receivers.pop_front() {
                abi.unpark(receiver);
            }
            ticket
        };
        loop {
            {
                let mut s = lock(shared);
                if s.taken.remove(&ticket) {
                    return Ok(());
                }
                if !s.receiver {
                    let i = s.offers.iter().position(|o| o.ticket == ticket);
                    let offer = s.offers.remove(i.expect("an untaken offer is queued"));
                    return Err(SendError(offer.expect("found above").value));
                }
            }
            park(abi, format!("send at {}:{}", at.file(), at.line()));
        }
    }
}

impl<T> Receiver<T> {
    /// Waits for a value. Fails when every sender is gone and nothing is
    /// offered.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        let shared = match &self.flavor {
            ReceiverFlavor::Std(rx) => return rx.recv().map_err(|_| RecvError),
            ReceiverFlavor::Micro(shared) => shared,
        };
        let at = Location::caller();
        let (abi, me) = on_microthread("recv");
        loop {
            {
                let mut s = lock(shared);
                if let Some(offer) = s.offers.pop_front() {
                    s.taken.insert(offer.ticket);
                    abi.unpark(offer.sender);
                    return Ok(offer.value);
                }
                if s.senders == 0 {
                    return Err(RecvError);
                }
                if !s.waiting_receivers.contains(&me) {
                    s.waiting_receivers.push_back(me);
                }
            }
            park(abi, format!("recv at {}:{}", at.file(), at.line()));
        }
    }

    /// Receives until every sender is gone.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        let flavor = match &self.flavor {
            SenderFlavor::Micro(shared) => {
                lock(shared).senders += 1;
                SenderFlavor::Micro(Arc::clone(shared))
            }
            SenderFlavor::Std(tx) => SenderFlavor::Std(tx.clone()),
        };
        Sender { flavor }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let SenderFlavor::Micro(shared) = &self.flavor {
            let waiting: Vec<u64> = {
                let mut s = lock(shared);
                s.senders -= 1;
                if s.senders > 0 {
                    return;
                }
                s.waiting_receivers.drain(..).collect()
            };
            if let Some(abi) = ffi::active() {
                waiting.into_iter().for_each(|id| abi.unpark(id));
            }
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let ReceiverFlavor::Micro(shared) = &self.flavor {
            let senders: Vec<u64> = {
                let mut s = lock(shared);
                s.receiver = false;
                s.offers.iter().map(|o| o.sender).collect()
            };
            if let Some(abi) = ffi::active() {
                senders.into_iter().for_each(|id| abi.unpark(id));
            }
        }
    }
}
