//! The load-time self-test behind the trace's capabilities line: each
//! capability is claimed only after it was seen to work in this process.
#![allow(unsafe_code)]

use crate::escape::sud;
use crate::hooks;
use blockguard_protocol::{Capabilities, Mode};
use std::ffi::CString;

/// Probes interposition, the escape backstop and `dlsym` stand-ins.
pub fn run(mode: Mode) -> Capabilities {
    let mut errors = Vec::new();
    let interpose = interposition(&mut errors);
    let escape_backstop = match sud::install_and_probe() {
        Ok(()) => Some("syscall-user-dispatch".to_owned()),
        Err(e) => {
            errors.push(format!("escape backstop: {e}"));
            None
        }
    };
    let dlsym = dlsym_stand_in(&mut errors);
    Capabilities {
        interpose,
        escape_backstop,
        dlsym,
        mode: mode.to_string(),
        errors,
    }
}

/// Installs the escape backstop without the rest of the self-test, for a
/// process that writes no capabilities line.
pub fn install_backstop() {
    let _ = sud::install_and_probe();
}

/// The process-wide lookup of blocking functions must find the guard's.
fn interposition(errors: &mut Vec<String>) -> bool {
    let mut ok = true;
    for name in [
        "nanosleep",
        "read",
        "syscall",
        "pthread_mutex_lock",
        "getaddrinfo",
        "poll",
        "waitpid",
    ] {
        let c = CString::new(name).expect("no NUL");
        // SAFETY: RTLD_DEFAULT and a valid name.
        let found = unsafe { crate::real::dlsym_fn()(libc::RTLD_DEFAULT, c.as_ptr()) } as usize;
        if Some(found) != hooks::hook_address(name.as_bytes()) {
            errors.push(format!(
                "interpose: `{name}` resolves to libc, not the guard (is the library in LD_PRELOAD?)"
            ));
            ok = false;
        }
    }
    ok
}

/// `dlsym` on libc's own handle must hand out the guarded stand-in.
fn dlsym_stand_in(errors: &mut Vec<String>) -> bool {
    // SAFETY: RTLD_NOLOAD only looks up the already loaded libc.
    let handle = unsafe { libc::dlopen(c"libc.so.6".as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD) };
    if handle.is_null() {
        errors.push("dlsym: libc.so.6 is not loaded".to_owned());
        return false;
    }
    // SAFETY: a valid handle and name; this goes through the exported dlsym.
    let got = unsafe { hooks::dl::dlsym(handle, c"usleep".as_ptr()) } as usize;
    // SAFETY: the handle came from dlopen above.
    unsafe { libc::dlclose(handle) };
    let want = hooks::sleep::usleep::escaped as *const () as usize;
    if got != want {
        errors.push("dlsym: libc's usleep was not swapped for its guarded stand-in".to_owned());
        return false;
    }
    true
}
