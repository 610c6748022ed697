//! Where the system's code lives in memory: the guard itself, libc, the
//! dynamic loader, the vDSO, the unwinder; and which object (by its GNU
//! build id) and offset every code address is, for the names shared on
//! disk. Read once at load with `dl_iterate_phdr`, so classifying a return
//! address is a range check.
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

/// An executable range of a loaded object that has a build id.
struct Module {
    start: usize,
    end: usize,
    /// The object's load bias: an address minus it is the same in every
    /// process that loads the same file.
    base: usize,
    /// Its build id, in hex.
    build_id: std::sync::Arc<str>,
}

/// Executable ranges of the system objects, and of every object with a
/// build id.
pub struct Objects {
    ranges: Vec<Range>,
    modules: Vec<Module>,
    /// Every readable loaded segment, `(start, end)`.
    readable: Vec<(usize, usize)>,
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

    /// The guard runtime's own build id.
    pub fn own_build_id(&self) -> Option<&str> {
        let own = guard_base as *const () as usize;
        self.place(own).map(|(id, _)| &**id)
    }

    /// True when `start..end` lies in one readable segment of an object
    /// loaded at start-up: reading it cannot fault.
    pub fn readable(&self, start: usize, end: usize) -> bool {
        self.readable
            .iter()
            .any(|&(lo, hi)| lo <= start && end <= hi)
    }

    /// The build id of the object a code address is in, and the address's
    /// offset in it; `None` for an object without one, or loaded later.
    pub fn place(&self, addr: usize) -> Option<(&std::sync::Arc<str>, usize)> {
        self.modules
            .iter()
            .find(|m| m.start <= addr && addr < m.end)
            .map(|m| (&m.build_id, addr - m.base))
    }
}

/// The NT_GNU_BUILD_ID note in `notes` (a PT_NOTE segment), in hex.
fn build_id_in(notes: &[u8]) -> Option<String> {
    const NT_GNU_BUILD_ID: u32 = 3;
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_ne_bytes(notes.get(at..at + 4)?.try_into().ok()?))
    };
    let align = |n: usize| n.div_ceil(4) * 4;
    let mut at = 0;
    while at + 12 <= notes.len() {
        let (namesz, descsz, kind) = (word(at)? as usize, word(at + 4)? as usize, word(at + 8)?);
        let name = at + 12;
        let desc = name + align(namesz);
        let next = desc + align(descsz);
        if kind == NT_GNU_BUILD_ID && notes.get(name..name + namesz) == Some(b"GNU\0") {
            let id = notes.get(desc..desc + descsz)?;
            return Some(id.iter().map(|b| format!("{b:02x}")).collect());
        }
        at = next;
    }
    None
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

/// Whether a segment lies inside a PT_LOAD segment (is mapped, readable).
fn loaded(headers: &[libc::Elf64_Phdr], inner: &libc::Elf64_Phdr) -> bool {
    let (lo, hi) = (inner.p_vaddr, inner.p_vaddr + inner.p_memsz);
    headers.iter().any(|ph| {
        ph.p_type == libc::PT_LOAD
            && ph.p_flags & libc::PF_R != 0
            && ph.p_vaddr <= lo
            && hi <= ph.p_vaddr + ph.p_memsz
    })
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
    let build_id: Option<std::sync::Arc<str>> = headers
        .iter()
        .filter(|ph| ph.p_type == libc::PT_NOTE && loaded(headers, ph))
        .find_map(|ph| {
            // SAFETY: the note lies inside a loaded segment (checked just
            // above), mapped and readable at its vaddr plus the load bias.
            let notes = unsafe {
                std::slice::from_raw_parts(
                    (base + ph.p_vaddr as usize) as *const u8,
                    ph.p_memsz as usize,
                )
            };
            build_id_in(notes)
        })
        .map(Into::into);
    for ph in headers {
        if ph.p_type == libc::PT_LOAD && ph.p_flags & libc::PF_R != 0 {
            let start = base + ph.p_vaddr as usize;
            walk.out.readable.push((start, start + ph.p_memsz as usize));
        }
        if ph.p_type == libc::PT_LOAD && ph.p_flags & libc::PF_X != 0 {
            let start = base + ph.p_vaddr as usize;
            let end = start + ph.p_memsz as usize;
            if owner != Owner::Other {
                walk.out.ranges.push(Range { start, end, owner });
            }
            if let Some(build_id) = &build_id {
                walk.out.modules.push(Module {
                    start,
                    end,
                    base,
                    build_id: build_id.clone(),
                });
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
            modules: Vec::new(),
            readable: Vec::new(),
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
    // SAFETY: all zeroes is a valid `Dl_info` (null pointers).
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the address and fills `info`.
    let found = unsafe { libc::dladdr(guard_base as *const libc::c_void, &mut info) };
    if found == 0 {
        0
    } else {
        info.dli_fbase as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(kind: u32, name: &[u8], desc: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for word in [name.len() as u32, desc.len() as u32, kind] {
            out.extend(word.to_ne_bytes());
        }
        for part in [name, desc] {
            out.extend(part);
            out.resize(out.len().div_ceil(4) * 4, 0);
        }
        out
    }

    #[test]
    fn the_build_id_is_the_gnu_note_of_its_type_among_others() {
        let mut notes = note(
            1,
            b"GNU\0",
            &[0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
        );
        notes.extend(note(3, b"Go\0", b"not this"));
        notes.extend(note(3, b"GNU\0", &[0xab, 0x01, 0xff]));
        assert_eq!(build_id_in(&notes).as_deref(), Some("ab01ff"));
        assert_eq!(build_id_in(&notes[..20]), None);
        assert_eq!(build_id_in(&[]), None);
    }

    #[test]
    fn a_function_of_this_binary_is_placed_in_it_by_build_id_and_offset() {
        let addr =
            a_function_of_this_binary_is_placed_in_it_by_build_id_and_offset as *const () as usize;
        let (id, offset) = get().place(addr).expect("the test binary has a build id");
        assert!(
            id.len() >= 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        let size = std::fs::metadata("/proc/self/exe").unwrap().len() as usize;
        assert!(offset < size, "{offset:#x} in a file of {size} bytes");
        // Another address of the same object: the same id.
        let (other, _) = get().place(note as *const () as usize).unwrap();
        assert_eq!(other, id);
    }
}
