//! Reading a demangled frame name as a path: which path decides whom the
//! frame belongs to, and the crate that is.

/// The crates of Rust's standard library, as frames name them.
pub const STD_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "panic_unwind",
    "std_detect",
    "compiler_builtins",
    "__rustc",
];

/// The path that says whom a frame belongs to. For `<T as Trait>::f` it is
/// the implementing type (`<mycrate::Foo as std::io::Read>::read` is the
/// crate's code), unless that is a primitive, tuple or the like, which no
/// crate owns: then the trait
/// (`<(&str, u16) as std::net::ToSocketAddrs>::to_socket_addrs` is std's).
/// Otherwise the name itself.
pub fn owner_path(name: &str) -> &str {
    match split_qualified(name) {
        Some((self_ty, _)) if names_a_path(self_ty) => self_ty,
        Some((_, trait_path)) => trait_path,
        None => name,
    }
}

/// The crate a frame belongs to: the first segment of its
/// [`owner_path`] (`std` for `<std::process::Command>::status`).
pub fn crate_of(name: &str) -> &str {
    let path = strip_type_prefixes(owner_path(name));
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    &path[..end]
}

/// `name` without the leading `<`, `&`, `mut `, `dyn `, pointers and
/// higher-ranked bounds of a type.
pub fn strip_type_prefixes(name: &str) -> &str {
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
    if let Some(rest) = s.strip_prefix("for<") {
        // A higher-ranked bound: `for<'a> core::ops::FnMut(..)`.
        s = rest.split_once("> ").map_or(s, |(_, r)| r);
    }
    s
}

/// Splits `<T as Trait>::rest` into `T` and `Trait`.
fn split_qualified(name: &str) -> Option<(&str, &str)> {
    let inner = name.strip_prefix('<')?;
    let mut depth = 0usize;
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' if depth == 0 => return None,
            '>' | ')' | ']' => depth -= 1,
            ' ' if depth == 0 && inner[i..].starts_with(" as ") => {
                return Some((&inner[..i], &inner[i + 4..]));
            }
            _ => {}
        }
    }
    None
}

/// True when a type names a path (`a::B`) rather than a primitive.
fn names_a_path(ty: &str) -> bool {
    strip_type_prefixes(ty)
        .split(['<', ',', ')', ']', ' ', ';'])
        .next()
        .is_some_and(|head| head.contains("::"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_belongs_to_its_paths_first_segment() {
        assert_eq!(crate_of("r2d2::Pool<M>::wait_for_initialization"), "r2d2");
        assert_eq!(crate_of("outcomes::tests::sleeps::{{closure}}"), "outcomes");
        assert_eq!(crate_of("<std::process::Command>::status"), "std");
        assert_eq!(crate_of("<mycrate::Foo as std::io::Read>::read"), "mycrate");
        assert_eq!(
            crate_of("<(&str, u16) as std::net::ToSocketAddrs>::to_socket_addrs"),
            "std"
        );
        assert_eq!(crate_of("<(mycrate::A, u8) as other::T>::f"), "mycrate");
        assert_eq!(
            crate_of("<&mut dyn for<'a> core::ops::FnMut(&'a u8)>::call_mut"),
            "core"
        );
        assert_eq!(
            crate_of("<parking_lot::raw_mutex::RawMutex as lock_api::mutex::RawMutex>::lock"),
            "parking_lot"
        );
        assert_eq!(crate_of("nanosleep"), "nanosleep");
    }
}
