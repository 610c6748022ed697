//! Symbol names for return addresses, demangled without hash, and the kind
//! of code each belongs to. Resolving is slow, so each address is resolved
//! once per process.

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
}

/// Address → frames (more than one where calls were inlined), innermost first.
#[derive(Default)]
pub struct SymbolCache {
    cache: HashMap<usize, Arc<[Frame]>>,
}

impl SymbolCache {
    /// The frames at return address `ip`.
    pub fn frames(&mut self, ip: usize) -> Arc<[Frame]> {
        if let Some(f) = self.cache.get(&ip) {
            return f.clone();
        }
        let frames: Arc<[Frame]> = resolve(ip).into();
        self.cache.insert(ip, frames.clone());
        frames
    }
}

fn resolve(ip: usize) -> Vec<Frame> {
    let owner = objects::get().owner(ip);
    let mut names = Vec::new();
    // SAFETY: resolution state is only touched under the guard's state
    // lock, which the caller holds.
    #[allow(unsafe_code)]
    unsafe {
        backtrace::resolve_unsynchronized(ip as *mut std::ffi::c_void, |sym| {
            if let Some(name) = sym.name() {
                names.push(clean(&format!("{name:#}")));
            }
        });
    }
    if names.is_empty() {
        names.push("<unknown>".to_owned());
    }
    names
        .into_iter()
        .map(|name| {
            let kind = if crate::escape::sud::is_signal_return(ip) {
                Kind::SignalReturn
            } else {
                kind_of(owner, &name)
            };
            Frame {
                name: name.into(),
                kind,
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

/// True for a frame of Rust's standard library. For `<T as Trait>::f` the
/// implementing type decides: `<mycrate::Foo as std::io::Read>::read` is
/// the crate's code.
pub fn is_std(name: &str) -> bool {
    let mut s = name;
    loop {
        let t = s
            .trim_start_matches(['<', '&', '[', '('])
            .trim_start_matches("mut ")
            .trim_start_matches("dyn ")
            .trim_start_matches("*const ")
            .trim_start_matches("*mut ");
        if t.len() == s.len() {
            break;
        }
        s = t;
    }
    [
        "std::",
        "core::",
        "alloc::",
        "panic_unwind::",
        "std_detect::",
        "compiler_builtins::",
    ]
    .iter()
    .any(|p| s.starts_with(p))
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
    }
}
