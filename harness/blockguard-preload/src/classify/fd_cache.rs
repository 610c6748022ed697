//! Remembered descriptor states, so that a read or write on a descriptor
//! seen before costs no `fstat` and `fcntl`: an async runtime makes every
//! socket call on a non-blocking descriptor, and asking the kernel twice
//! per call doubled its cost.
//!
//! Sockets and anonymous wait objects (eventfd, timerfd, epoll) are
//! remembered whole: their flags change only through this process's own
//! calls. A regular file is remembered as one (`O_NONBLOCK` means nothing
//! there), and so is a file of a pseudo-filesystem. A pipe, FIFO, tty or character device is remembered by its type
//! only, and its flags are asked every time: another process sharing it
//! may set `O_NONBLOCK`. A directory is asked every time.
//!
//! A slot is forgotten when its descriptor is closed or replaced (`close`,
//! `close_range`, `dup2`, `dup3`, however they arrive, and `fclose`,
//! `freopen`, `fcloseall`, which close inside libc), and every slot when
//! any descriptor's flags are set (`F_SETFL`, `FIONBIO`): descriptors made
//! by `dup` share their flags, so one change may reach several numbers.
//!
//! Each slot carries a generation, bumped on every forget: a lookup that
//! raced with a close cannot store what it learned about the old file.

use super::fd_kind::FdKind;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// Descriptors below this are remembered; higher ones are always asked.
const SLOTS: usize = 1 << 16;
/// The low bits hold the state; the rest count forgets.
const STATE_BITS: u32 = 3;
const STATE_MASK: u32 = (1 << STATE_BITS) - 1;
const GENERATION: u32 = 1 << STATE_BITS;

static SLOT: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];
/// One past the highest slot ever filled: how far a forget-all must go.
static FILLED_BELOW: AtomicUsize = AtomicUsize::new(0);

/// A state that may be remembered, or `None`.
fn encode(kind: FdKind, nonblocking: bool) -> Option<u32> {
    Some(match kind {
        FdKind::Socket => 1 + u32::from(nonblocking),
        FdKind::AnonWait => 3 + u32::from(nonblocking),
        FdKind::File => 5,
        FdKind::Pipe => 6,
        FdKind::Pseudo => 7,
        FdKind::Directory => return None,
    })
}

fn decode(state: u32) -> Option<Lookup> {
    match state {
        1 | 2 => Some(Lookup::Known(FdKind::Socket, state == 2)),
        3 | 4 => Some(Lookup::Known(FdKind::AnonWait, state == 4)),
        5 => Some(Lookup::Known(FdKind::File, false)),
        6 => Some(Lookup::Flags(FdKind::Pipe)),
        7 => Some(Lookup::Known(FdKind::Pseudo, false)),
        _ => None,
    }
}

fn slot(fd: i32) -> Option<&'static AtomicU32> {
    usize::try_from(fd).ok().and_then(|i| SLOT.get(i))
}

/// The remembered state of `fd`, or a ticket to remember it by.
pub enum Lookup {
    /// Known: the kind and whether it is non-blocking.
    Known(FdKind, bool),
    /// The kind is known; whether it is non-blocking must be asked.
    Flags(FdKind),
    /// Unknown: ask the kernel, then [`remember`] with this ticket.
    Ask(Ticket),
}

/// What a slot held when it was found unknown.
pub struct Ticket {
    fd: i32,
    seen: u32,
}

/// Looks `fd` up.
pub fn lookup(fd: i32) -> Lookup {
    let Some(slot) = slot(fd) else {
        return Lookup::Ask(Ticket { fd, seen: u32::MAX });
    };
    let seen = slot.load(Ordering::Acquire);
    decode(seen & STATE_MASK).unwrap_or(Lookup::Ask(Ticket { fd, seen }))
}

/// Remembers what the kernel said, unless the slot was forgotten since
/// the ticket was taken or the state is not one to remember.
pub fn remember(ticket: Ticket, kind: FdKind, nonblocking: bool) {
    let (Some(slot), Some(state)) = (slot(ticket.fd), encode(kind, nonblocking)) else {
        return;
    };
    if ticket.seen & STATE_MASK != 0 {
        return;
    }
    let filled = ticket.seen | state;
    if slot
        .compare_exchange(ticket.seen, filled, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
    {
        FILLED_BELOW.fetch_max(ticket.fd as usize + 1, Ordering::Relaxed);
    }
}

fn forget_slot(slot: &AtomicU32) {
    let _ = slot.fetch_update(Ordering::AcqRel, Ordering::Relaxed, |v| {
        Some((v & !STATE_MASK).wrapping_add(GENERATION))
    });
}

/// `fd` was closed or replaced.
pub fn forget(fd: i32) {
    if let Some(slot) = slot(fd) {
        forget_slot(slot);
    }
}

/// Every descriptor in `first..=last` was closed.
pub fn forget_range(first: u32, last: u32) {
    let end = (last as usize).saturating_add(1).min(SLOTS);
    for slot in SLOT.get(first as usize..end).unwrap_or_default() {
        forget_slot(slot);
    }
}

/// Some descriptor's flags changed, and with it every one sharing them.
pub fn forget_all() {
    let end = FILLED_BELOW.load(Ordering::Relaxed).min(SLOTS);
    for slot in &SLOT[..end] {
        forget_slot(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(fd: i32) -> Option<(FdKind, bool)> {
        match lookup(fd) {
            Lookup::Known(kind, nb) => Some((kind, nb)),
            Lookup::Flags(_) | Lookup::Ask(_) => None,
        }
    }

    fn ask(fd: i32) -> Ticket {
        match lookup(fd) {
            Lookup::Ask(t) => t,
            _ => panic!("{fd} is known"),
        }
    }

    #[test]
    fn a_socket_is_remembered_until_it_is_closed() {
        remember(ask(40_001), FdKind::Socket, true);
        assert_eq!(known(40_001), Some((FdKind::Socket, true)));
        forget(40_001);
        assert_eq!(known(40_001), None);
    }

    #[test]
    fn a_lookup_that_raced_with_a_close_stores_nothing() {
        let ticket = ask(40_002);
        forget(40_002);
        remember(ticket, FdKind::Socket, false);
        assert_eq!(known(40_002), None);
    }

    #[test]
    fn a_pipe_is_remembered_by_type_and_its_flags_asked_every_time() {
        remember(ask(40_003), FdKind::Pipe, true);
        assert!(matches!(lookup(40_003), Lookup::Flags(FdKind::Pipe)));
        forget(40_003);
        remember(ask(40_007), FdKind::File, false);
        assert_eq!(known(40_007), Some((FdKind::File, false)));
        remember(ask(40_008), FdKind::Directory, false);
        assert!(matches!(lookup(40_008), Lookup::Ask(_)));
    }

    #[test]
    fn setting_flags_forgets_every_descriptor_and_a_range_forgets_its_own() {
        remember(ask(40_004), FdKind::AnonWait, true);
        remember(ask(40_005), FdKind::Socket, true);
        remember(ask(40_006), FdKind::Socket, true);
        forget_range(40_005, 40_005);
        assert_eq!(known(40_005), None);
        assert!(known(40_006).is_some());
        forget_all();
        assert_eq!((known(40_004), known(40_006)), (None, None));
    }

    #[test]
    fn numbers_beyond_the_table_are_always_asked() {
        remember(ask(SLOTS as i32 + 5), FdKind::Socket, true);
        assert_eq!(known(SLOTS as i32 + 5), None);
        assert_eq!(known(-1), None);
    }
}
