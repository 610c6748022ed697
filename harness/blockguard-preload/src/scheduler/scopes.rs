//! Scoped allowances and expectations, the code equivalents of rules
//! (`blockguard::allow_blocking`, `blockguard::expect_blocking`). Each
//! microthread has its own stack of scopes: the running one's lives in
//! thread-local storage and is swapped with the microthread's on every
//! switch, so a scope never leaks into a microthread that runs meanwhile.

use blockguard_protocol::Class;
use std::cell::RefCell;

/// One open scope.
pub enum Scope {
    /// Blocking calls are allowed, for this reason.
    Allow(String),
    /// A blocking call of this class is expected; `seen` counts them.
    Expect {
        /// The class expected.
        class: Class,
        /// Calls of it attempted so far.
        seen: u64,
    },
}

thread_local! {
    static SCOPES: RefCell<Vec<Scope>> = const { RefCell::new(Vec::new()) };
}

/// Exchanges the running scopes with a microthread's.
pub fn swap(scopes: &mut Vec<Scope>) {
    SCOPES.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            std::mem::swap(&mut *s, scopes);
        }
    });
}

/// Opens a scope on the running microthread.
pub fn open(scope: Scope) {
    SCOPES.with(|s| s.borrow_mut().push(scope));
}

/// Closes the innermost scope and returns it.
pub fn close() -> Option<Scope> {
    SCOPES.with(|s| s.borrow_mut().pop())
}

/// The reason a call of `class` is allowed by an open scope, counting it
/// for the innermost expectation of its class.
pub fn active_scope(class: Class) -> Option<String> {
    SCOPES.with(|s| {
        let mut s = s.try_borrow_mut().ok()?;
        for scope in s.iter_mut().rev() {
            match scope {
                Scope::Allow(reason) => return Some(reason.clone()),
                Scope::Expect { class: c, seen } if *c == class => {
                    *seen += 1;
                    return Some(format!("expect_blocking({class})"));
                }
                Scope::Expect { .. } => {}
            }
        }
        None
    })
}

/// Counts a call of `class` for the innermost open expectation of it,
/// without allowing anything (for calls an earlier verdict already
/// decided).
pub fn count_expected(class: Class) {
    SCOPES.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            for scope in s.iter_mut().rev() {
                if let Scope::Expect { class: c, seen } = scope
                    && *c == class
                {
                    *seen += 1;
                    return;
                }
            }
        }
    });
}
