//! Where the system's code lives in memory: the guard itself, libc, the
//! dynamic loader, the vDSO, the unwinder. Read once at load with
//! `dl_iterate_phdr`, so classifying a return address is a range check.
//!
//! # Safety
//! `dl_iterate_phdr` hands the callback valid program headers for each
//! loaded object during the call only; everything is copied out.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::sync::OnceLock;

/// Which system object an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The guard runtime (this library).
    Guard,
    /// libc, libm, libpthread, libdl, libresolv.
    Libc,
    /// The dynamic loader.
    Loader,
    /// The kernel's vDSO.
    Vdso,
    /// The unwinder (libgcc_s).
    Unwinder,
    /// Anything else: the test binary, its libraries, code loaded later.
    Other,
}

struct Range {
    start: usize,
    end: usize,
    owner: Owner,
}

/// Executable ranges of the system objects.
pub struct Objects {
    ranges: Vec<Range>,
    /// libc's executable segment: the one range whose syscalls are not trapped.
    pub libc_text: Option<(usize, usize)>,
}

static OBJECTS: OnceLock<Objects> = OnceLock::new();

/// The map, read on first use.
pub fn get() -> &'static Objects {
    OBJECTS.get_or_init(read)
}

impl Objects {
    /// The owner of a code address.
    pub fn owner(&self, addr: usize) -> Owner {
        self.ranges
            .iter()
            .find(|r| r.start <= addr && addr < r.end)
            .map_or(Owner::Other, |r| r.owner)
    }
}

fn owner_of(name: &str, is_guard: bool) -> Owner {
    let file = name.rsplit('/').next().unwrap_or(name);
    if is_guard {
        Owner::Guard
    } else if file.starts_with("linux-vdso") || file.starts_with("linux-gate") {
        Owner::Vdso
    } else if file.starts_with("ld-linux") || file.starts_with("ld64.so") {
        Owner::Loader
    } else if file.starts_with("libgcc_s") {
        Owner::Unwinder
    } else if [
        "libc.so",
        "libm.so",
        "libpthread.so",
        "libdl.so",
        "libresolv.so",
        "librt.so",
    ]
    .iter()
    .any(|p| file.starts_with(p))
    {
        Owner::Libc
    } else {
        Owner::Other
    }
}

struct Walk {
    guard_base: usize,
    out: Objects,
}

extern "C" fn visit(
    info: *mut libc::dl_phdr_info,
    _size: libc::size_t,
    data: *mut libc::c_void,
) -> libc::c_int {
    // SAFETY: dl_iterate_phdr passes a valid info for this call and our own
    // `data` pointer back to us.
    let (info, walk) = unsafe { (&*info, &mut *(data as *mut Walk)) };
    let name = if info.dlpi_name.is_null() {
        ""
    } else {
        // SAFETY: dlpi_name is a NUL-terminated string owned by the loader.
        unsafe { CStr::from_ptr(info.dlpi_name) }
            .to_str()
            .unwrap_or("")
    };
    let base = info.dlpi_addr as usize;
    let owner = owner_of(name, base == walk.guard_base);
    // SAFETY: dlpi_phdr points at dlpi_phnum headers.
    let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
    for ph in headers {
        if ph.p_type == libc::PT_LOAD && ph.p_flags & libc::PF_X != 0 {
            let start = base + ph.p_vaddr as usize;
            let end = start + ph.p_memsz as usize;
            if owner != Owner::Other {
                walk.out.ranges.push(Range { start, end, owner });
            }
            let file = name.rsplit('/').next().unwrap_or(name);
            if file.starts_with("libc.so") {
                walk.out.libc_text = Some((start, end - start));
            }
        }
    }
    0
}

fn read() -> Objects {
    let mut walk = Walk {
        guard_base: guard_base(),
        out: Objects {
            ranges: Vec::new(),
            libc_text: None,
        },
    };
    // SAFETY: `visit` matches the callback type and only uses `walk` for the
    // duration of the call.
    unsafe { libc::dl_iterate_phdr(Some(visit), &mut walk as *mut Walk as *mut libc::c_void) };
    walk.out
}

/// The load base of this library, found from the address of one of its functions.
fn guard_base() -> usize {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the address and fills `info`.
    let found = unsafe { libc::dladdr(guard_base as *const libc::c_void, &mut info) };
    if found == 0 {
        0
    } else {
        info.dli_fbase as usize
    }
}
