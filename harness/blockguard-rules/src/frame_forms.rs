//! The forms a frame's name is matched in. A method of a trait impl
//! demangles as `<Type as Trait>::method`, which no glob of the type's
//! path (`blocking::*`) or the trait's would match as written: such a
//! frame is also matched as `Type::method` and as `Trait::method`.

use std::borrow::Cow;

/// The frame as written, then, for `<T as Trait>::rest`, `T::rest` and
/// `Trait::rest` (a reference's `&`/`&mut ` dropped from `T`).
pub fn frame_forms(frame: &str) -> Vec<Cow<'_, str>> {
    let mut forms = vec![Cow::Borrowed(frame)];
    if let Some((ty, trait_path, rest)) = split_qualified(frame) {
        let ty = ty.trim_start_matches('&').trim_start_matches("mut ");
        forms.push(Cow::Owned(format!("{ty}{rest}")));
        forms.push(Cow::Owned(format!("{trait_path}{rest}")));
    }
    forms
}

/// Splits `<T as Trait>rest` into `T`, `Trait` and `rest` (`::method…`).
pub fn split_qualified(name: &str) -> Option<(&str, &str, &str)> {
    let inner = name.strip_prefix('<')?;
    let mut depth = 0usize;
    let mut as_at = None;
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' if depth == 0 => {
                let at = as_at?;
                return Some((&inner[..at], &inner[at + 4..i], &inner[i + 1..]));
            }
            ')' | ']' if depth == 0 => return None,
            '>' | ')' | ']' => depth -= 1,
            ' ' if depth == 0 && as_at.is_none() && inner[i..].starts_with(" as ") => {
                as_at = Some(i);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(frame: &str) -> Vec<String> {
        frame_forms(frame)
            .into_iter()
            .map(Cow::into_owned)
            .collect()
    }

    #[test]
    fn a_trait_impls_method_is_also_its_types_and_its_traits() {
        assert_eq!(
            forms("<blocking::Unblock<T> as futures_core::stream::Stream>::poll_next::{{closure}}"),
            [
                "<blocking::Unblock<T> as futures_core::stream::Stream>::poll_next::{{closure}}",
                "blocking::Unblock<T>::poll_next::{{closure}}",
                "futures_core::stream::Stream::poll_next::{{closure}}",
            ]
        );
        assert_eq!(
            forms("<&mut tokio::net::TcpStream as tokio::io::AsyncRead>::poll_read")[1],
            "tokio::net::TcpStream::poll_read"
        );
        assert_eq!(
            forms("<(A, B) as x::T>::f")[1..],
            ["(A, B)::f".to_owned(), "x::T::f".to_owned()]
        );
    }

    #[test]
    fn other_frames_are_matched_as_written() {
        assert_eq!(
            forms("blocking::Executor::main_loop"),
            ["blocking::Executor::main_loop"]
        );
        assert_eq!(
            forms("<blocking::Unblock<T>>::new"),
            ["<blocking::Unblock<T>>::new"]
        );
        assert_eq!(forms("<a"), ["<a"]);
    }
}
