//! The microthreads of one thread and their states: who is ready, who
//! waits on what, and what the loop does when nobody is ready.

use super::farm;
use super::handoff::{MicroCoroutine, MicroYielder, Resume, Suspend};
use super::scopes::Scope;
use crate::board;
use blockguard_protocol::board::MicroState;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

/// How a microthread stands.
pub enum State {
    /// In the ready queue (or running).
    Ready,
    /// Asleep until then.
    Sleeping(Instant),
    /// Parked; the text says where.
    Parked(String),
    /// Waiting for another microthread to end.
    Joining(u64),
    /// Waiting for a worker.
    Farmed(Arc<farm::Job>),
}

/// One microthread.
pub struct Micro {
    /// Its id: 0 is the main one (the test's body).
    pub id: u64,
    /// Its name, for reports.
    pub name: String,
    /// The coroutine; `None` once its stack was taken back.
    pub co: Option<MicroCoroutine>,
    /// Its stack, `(lo, hi)`.
    pub bounds: (usize, usize),
    /// Its yielder, once it has run.
    pub yielder: *const MicroYielder,
    /// Its `allow_blocking` / `expect_blocking` scopes, while it is not
    /// running (the running one's are in thread-local storage).
    pub scopes: Vec<Scope>,
    /// What to tell it when it is next resumed.
    pub resume_with: Resume,
    state: State,
    /// An unpark that came before its park.
    unparked: bool,
    /// Its slot on the board.
    board: usize,
}

impl Micro {
    /// A microthread that has not run yet.
    pub fn new(id: u64, name: String, co: MicroCoroutine, bounds: (usize, usize)) -> Micro {
        let micro = Micro {
            id,
            name,
            co: Some(co),
            bounds,
            yielder: std::ptr::null(),
            scopes: Vec::new(),
            resume_with: Resume::Go,
            state: State::Ready,
            unparked: false,
            board: board::take_slot(),
        };
        micro.post();
        micro
    }

    /// Puts its state on the board.
    fn post(&self) {
        let (state, arg, what) = match &self.state {
            State::Ready => (MicroState::Ready, 0, ""),
            State::Sleeping(until) => {
                let left = until.saturating_duration_since(Instant::now());
                let deadline = board::now_ns() + u64::try_from(left.as_nanos()).unwrap_or(u64::MAX);
                (MicroState::Sleeping, deadline, "")
            }
            State::Parked(what) => (MicroState::Parked, 0, what.as_str()),
            State::Joining(id) => (MicroState::Joining, *id, ""),
            State::Farmed(job) => (MicroState::Farmed, job.seq(), ""),
        };
        self.post_as(state, arg, what);
    }

    fn post_as(&self, state: MicroState, arg: u64, what: &str) {
        board::write(
            self.board,
            &board::Entry {
                id: self.id,
                state,
                arg,
                name: &self.name,
                what,
            },
        );
    }
}

impl Micro {
    /// The stack of a microthread that returned, for reuse.
    pub fn take_stack(&mut self) -> Option<corosensei::stack::DefaultStack> {
        let co = self.co.take()?;
        co.done().then(|| co.into_stack())
    }
}

/// What the loop waits for when nobody is ready.
pub enum Pending {
    /// Someone is ready after all.
    Ready,
    /// A timer (its deadline) or a worker (`None`: no timer).
    Until(Option<Instant>),
    /// Nothing can ever wake anyone: the report.
    Deadlock(String),
}

/// The microthreads of one thread. The running one is out of `micros`
/// while it runs.
pub struct Sched {
    micros: BTreeMap<u64, Micro>,
    ready: VecDeque<u64>,
    done: BTreeSet<u64>,
    /// The running microthread's id.
    pub current: u64,
    /// The running microthread was unparked while it ran.
    current_unparked: bool,
    next: u64,
}

impl Sched {
    /// A scheduler whose only microthread is `main`.
    pub fn new(main: Micro) -> Sched {
        let mut s = Sched {
            micros: BTreeMap::new(),
            ready: VecDeque::new(),
            done: BTreeSet::new(),
            current: 0,
            current_unparked: false,
            next: 1,
        };
        s.add(main);
        s
    }

    /// A fresh id.
    pub fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next - 1
    }

    /// Adds a ready microthread at the back of the queue.
    pub fn add(&mut self, micro: Micro) {
        self.ready.push_back(micro.id);
        self.micros.insert(micro.id, micro);
    }

    /// True when the running microthread is the only one.
    pub fn alone(&self) -> bool {
        self.micros.is_empty() && self.ready.is_empty()
    }

    /// Takes the next ready microthread out to run it.
    pub fn next_ready(&mut self) -> Option<Micro> {
        while let Some(id) = self.ready.pop_front() {
            if let Some(m) = self.micros.remove(&id) {
                return Some(m);
            }
        }
        None
    }

    /// Puts back a microthread that suspended.
    pub fn suspended(&mut self, mut micro: Micro, why: Suspend) {
        micro.unparked |= std::mem::take(&mut self.current_unparked);
        micro.state = match why {
            Suspend::Yield | Suspend::Stopped => State::Ready,
            Suspend::Sleep(until) => State::Sleeping(until),
            Suspend::Park(_) if micro.unparked => {
                micro.unparked = false;
                State::Ready
            }
            Suspend::Park(what) => State::Parked(what),
            Suspend::Join(id) if self.done.contains(&id) => State::Ready,
            Suspend::Join(id) => State::Joining(id),
            Suspend::Farm(job) if job.is_done() => State::Ready,
            Suspend::Farm(job) => State::Farmed(job),
        };
        // A yield changes nothing on the board: it was ready, and is.
        if matches!(micro.state, State::Ready) {
            self.ready.push_back(micro.id);
        } else {
            micro.post();
        }
        self.micros.insert(micro.id, micro);
    }

    /// A microthread returned: it is gone, and those joining it are ready.
    pub fn ended(&mut self, micro: Micro) {
        micro.post_as(MicroState::Ended, 0, "");
        self.done.insert(micro.id);
        let joiners: Vec<u64> = self
            .micros
            .values()
            .filter(|m| matches!(m.state, State::Joining(id) if id == micro.id))
            .map(|m| m.id)
            .collect();
        for id in joiners {
            self.make_ready(id);
        }
    }

    /// Whether microthread `id` has ended (or never existed).
    pub fn is_done(&self, id: u64) -> bool {
        self.done.contains(&id) || (id != self.current && !self.micros.contains_key(&id))
    }

    /// Wakes a parked microthread; remembers the wake-up when it is not
    /// parked yet (it may be about to park).
    pub fn unpark(&mut self, id: u64) -> bool {
        match self.micros.get_mut(&id) {
            Some(m) if matches!(m.state, State::Parked(_)) => {
                self.make_ready(id);
                true
            }
            Some(m) => {
                m.unparked = true;
                true
            }
            None if id == self.current => {
                // The running microthread wakes itself before it parks.
                self.current_unparked = true;
                true
            }
            None => false,
        }
    }

    fn make_ready(&mut self, id: u64) {
        if let Some(m) = self.micros.get_mut(&id) {
            m.state = State::Ready;
            m.post();
            self.ready.push_back(id);
        }
    }

    /// Sleepers whose time came and finished farmed calls become ready.
    pub fn wake_due(&mut self) {
        let now = Instant::now();
        let due: Vec<u64> = self
            .micros
            .values()
            .filter(|m| match &m.state {
                State::Sleeping(until) => *until <= now,
                State::Farmed(job) => job.is_done(),
                _ => false,
            })
            .map(|m| m.id)
            .collect();
        for id in due {
            self.make_ready(id);
        }
    }

    /// What to wait for when nobody is ready.
    pub fn pending(&mut self) -> Pending {
        self.wake_due();
        if !self.ready.is_empty() {
            return Pending::Ready;
        }
        let mut timer: Option<Instant> = None;
        let mut farmed = false;
        for m in self.micros.values() {
            match &m.state {
                State::Sleeping(until) => timer = Some(timer.map_or(*until, |t| t.min(*until))),
                State::Farmed(_) => farmed = true,
                _ => {}
            }
        }
        if timer.is_some() || farmed {
            return Pending::Until(timer);
        }
        Pending::Deadlock(self.deadlock_report())
    }

    fn deadlock_report(&self) -> String {
        let mut report = format!(
            "deadlock: all {} microthreads wait on channels or joins, and no timer or farmed call can wake them:",
            self.micros.len()
        );
        for m in self.micros.values() {
            let what = match &m.state {
                State::Parked(what) => what.clone(),
                State::Joining(id) => format!("join of microthread #{id}"),
                _ => "nothing".to_owned(),
            };
            let _ = write!(report, "\n  #{} '{}' waits in {what}", m.id, m.name);
        }
        report
    }

    /// Ends the main microthread's wait with [`Resume::Deadlock`], so its
    /// API call fails the test with the report.
    pub fn fail_main_wait(&mut self) {
        if let Some(main) = self.micros.get_mut(&0) {
            main.resume_with = Resume::Deadlock;
        }
        self.make_ready(0);
    }
}
