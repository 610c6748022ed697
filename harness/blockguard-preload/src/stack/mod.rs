//! Who made a call: the raw return addresses of the microthread's stack,
//! their symbols and source locations, and from those the call's site, the
//! API it went through and the way to it.

mod attribution;
mod paths;
mod resolved;
mod shared_names;
mod symbols;
mod tail_call;
mod unwind;

pub use attribution::{Attribution, Called, attribute, attribute_at};
pub use symbols::{Frame, Kind, SymbolCache};
pub use tail_call::hidden_std_callee;
pub use unwind::{MAX_FRAMES, Offsets, capture, here, is_test_entry, set_test_entry, thread_stack};
