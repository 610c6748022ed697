//! Who made a call: the raw return addresses of the microthread's stack,
//! their symbols, and from those the call's site and the API it went through.

mod attribution;
mod shared_names;
mod symbols;
mod unwind;

pub use attribution::attribute;
pub use symbols::{Frame, Kind, SymbolCache};
pub use unwind::{MAX_FRAMES, Offsets, capture, here, set_test_entry, thread_stack};
