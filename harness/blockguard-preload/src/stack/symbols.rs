//! Symbol names for return addresses, demangled without hash, where in the
//! source each is, and the kind of code each belongs to. Resolving is
//! slow, so each address is resolved once per process, and once per
//! binary where the processes share names ([`super::shared_names`]).

use super::paths;
use super::resolved::{Location, Resolved};
use super::shared_names::SharedNames;
use crate::objects::{self, Owner};
use std::collections::HashMap;
use std::sync::Arc;

/// What kind of code a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The guard runtime itself.
    Guard,
    /// libc, the dynamic loader, the vDSO or the unwinder.
    System,
    /// The kernel's signal return trampoline: frames inside it belong to a
    /// signal handler, not to the interrupted code.
    SignalReturn,
    /// Rust's std, core or alloc.
    Std,
    /// Everything else: the code under test and its dependencies.
    User,
}

/// One (possibly inlined) frame.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Demangled name without hash, or `<unknown>`.
    pub name: Arc<str>,
    /// Its kind.
    pub kind: Kind,
    /// Where in the source it is, when the debug info says.
    pub location: Option<Location>,
}

/// Address → frames (more than one where calls were inlined), innermost first.
#[derive(Default)]
pub struct SymbolCache {
    cache: HashMap<usize, Arc<[Frame]>>,
    /// Names shared by this run's processes, once the folder is known.
    shared: Option<SharedNames>,
}

impl SymbolCache {
    /// The frames at return address `ip`.
    pub fn frames(&mut self, ip: usize) -> Arc<[Frame]> {
        if let Some(f) = self.cache.get(&ip) {
            return f.clone();
        }
        if let Some(frame) = known_without_resolving(ip) {
            let frames: Arc<[Frame]> = [frame].into();
            self.cache.insert(ip, frames.clone());
            return frames;
        }
        let shared = self.shared.get_or_insert_with(|| {
            let dir = crate::config::get().and_then(|c| c.symbols.as_deref());
            SharedNames::new(dir, objects::get().own_build_id())
        });
        let place = objects::get().place(ip);
        let names = match place.and_then(|(id, offset)| shared.get(id, offset)) {
            Some(names) => names,
            None => {
                let names = names_at(ip);
                if let Some((id, offset)) = place {
                    shared.put(id, offset, &names);
                }
                names
            }
        };
        let frames: Arc<[Frame]> = frames_of(ip, names).into();
        self.cache.insert(ip, frames.clone());
        frames
    }
}

/// The name a frame of the guard runtime's own code is given. The rules,
/// attribution and reports see such frames by their kind only, so they are
/// never resolved: the runtime's debug info is larger than most test
/// binaries', and parsing it was most of a cold process's cost.
const GUARD_FRAME: &str = "<guard>";

/// The name of the signal restorer's frame, wherever it lives (libc's
/// `__restore_rt` as a rule): it is known by its address, and resolving it
/// would load libc's separate debug info where it is installed (about 85
/// ms), only to name it `<unknown>`; without that file, the nearest
/// exported symbol would misname it.
const RESTORER_FRAME: &str = "__restore_rt";

/// The one frame at `ip` when it is known by its address alone: the signal
/// restorer (a signal handler's start), or the guard runtime's own code.
fn known_without_resolving(ip: usize) -> Option<Frame> {
    let (name, kind) = if crate::escape::restorer::is_signal_return(ip) {
        (RESTORER_FRAME, Kind::SignalReturn)
    } else if objects::get().owner(ip) == Owner::Guard {
        (GUARD_FRAME, Kind::Guard)
    } else {
        return None;
    };
    Some(Frame {
        name: name.into(),
        kind,
        location: None,
    })
}

/// The frames at `ip`, innermost first, from its debug info or symbols:
/// names, and where the line table puts each.
fn names_at(ip: usize) -> Vec<Resolved> {
    let mut names = Vec::new();
    // SAFETY: resolution state is only touched under the guard's state
    // lock, which the caller holds.
    #[allow(unsafe_code)]
    unsafe {
        backtrace::resolve_unsynchronized(ip as *mut std::ffi::c_void, |sym| {
            if let Some(name) = sym.name() {
                let location = sym.filename().map(|file| Location {
                    file: file.to_string_lossy().into(),
                    line: sym.lineno().filter(|&l| l > 0),
                    column: sym.colno().filter(|&c| c > 0),
                });
                names.push(Resolved {
                    name: clean(&format!("{name:#}")),
                    location,
                });
            }
        });
    }
    if names.is_empty() {
        names.push(Resolved::named("<unknown>"));
    }
    names
}

fn frames_of(ip: usize, names: Vec<Resolved>) -> Vec<Frame> {
    let owner = objects::get().owner(ip);
    names
        .into_iter()
        .map(|resolved| {
            let kind = kind_of(owner, &resolved.name);
            Frame {
                name: resolved.name.into(),
                kind,
                location: resolved.location,
            }
        })
        .collect()
}

/// Drops a symbol version (`read@@GLIBC_2.2.5`).
fn clean(name: &str) -> String {
    name.split('@').next().unwrap_or(name).to_owned()
}

fn kind_of(owner: Owner, name: &str) -> Kind {
    match owner {
        Owner::Guard => Kind::Guard,
        _ if name == "__restore_rt" => Kind::SignalReturn,
        Owner::Libc | Owner::Loader | Owner::Vdso | Owner::Unwinder => Kind::System,
        Owner::Other if is_std(name) => Kind::Std,
        Owner::Other => Kind::User,
    }
}

/// True for a frame of Rust's standard library, by the path that owns it
/// ([`paths::owner_path`]): `<mycrate::Foo as std::io::Read>::read` is
/// the crate's code, `<(&str, u16) as std::net::ToSocketAddrs>::…` std's.
pub fn is_std(name: &str) -> bool {
    starts_std(paths::owner_path(name))
}

fn starts_std(name: &str) -> bool {
    let s = paths::strip_type_prefixes(name);
    // rustix is a libc of its own: its raw syscalls are the API the
    // caller went through, not the caller's site.
    paths::STD_CRATES
        .iter()
        .chain(&["rustix"])
        .any(|krate| s.strip_prefix(krate).is_some_and(|r| r.starts_with("::")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_frames_are_told_from_crate_frames() {
        assert!(is_std("std::thread::sleep"));
        assert!(is_std(
            "<std::io::stdio::Stdout as std::io::Write>::write_fmt"
        ));
        assert!(is_std("<&std::fs::File as std::io::Read>::read"));
        assert!(is_std("core::ops::function::FnOnce::call_once"));
        assert!(!is_std("<mycrate::Foo as std::io::Read>::read"));
        assert!(!is_std("mycrate::tests::naps"));
        assert!(!is_std("stdx::thing"));
        assert!(is_std(
            "<(&str, u16) as std::net::socket_addr::ToSocketAddrs>::to_socket_addrs"
        ));
        assert!(is_std("<u64 as core::fmt::Display>::fmt"));
        assert!(is_std(
            "<&mut dyn for<'a> core::ops::function::FnMut(&'a u8)>::call_mut"
        ));
        assert!(is_std("__rustc::rust_begin_unwind"));
        assert!(!is_std("<(mycrate::A, u8) as mycrate::T>::f"));
    }

    #[test]
    fn the_guards_own_frames_are_one_unresolved_guard_frame() {
        // In this test binary the guard's code is the binary's own.
        let ip = SymbolCache::frames as fn(&mut SymbolCache, usize) -> Arc<[Frame]> as usize + 1;
        assert_eq!(objects::get().owner(ip), Owner::Guard);
        let frames = SymbolCache::default().frames(ip);
        assert_eq!(frames.len(), 1);
        assert_eq!(&*frames[0].name, GUARD_FRAME);
        assert_eq!(frames[0].kind, Kind::Guard);
        assert!(frames[0].location.is_none());
    }

    #[test]
    fn the_signal_restorer_is_named_by_its_address_not_resolved() {
        // A libc function nothing else here resolves stands in for it.
        let restorer = libc::getppid as *const () as usize;
        crate::escape::restorer::set(restorer);
        let frames = SymbolCache::default().frames(restorer + 1);
        assert_eq!(frames.len(), 1);
        assert_eq!(&*frames[0].name, RESTORER_FRAME);
        assert_eq!(frames[0].kind, Kind::SignalReturn);
        assert!(frames[0].location.is_none());
    }

    #[test]
    fn rustix_is_an_api_like_libc() {
        assert!(is_std("rustix::backend::arch::asm::syscall2_readonly"));
        assert!(is_std("rustix::fs::fd::flock"));
        assert!(!is_std("rustixx::f"));
    }
}
