//! The one home of the crate's rules about characters, so that extraction, claim matching and
//! the diff read text alike: what is whitespace and what is not there at all
//! ([`collapse_whitespace`], [`is_invisible`]), which characters belong to scripts written
//! without spaces between words ([`is_cjk`]) or to the letter before them
//! ([`is_combining_mark`]), and how page text is shown on a terminal ([`terminal_safe`]).
//!
//! Each rule has one character set, chosen in its own file and pinned by its tests there.

mod script;
mod terminal;
mod whitespace;

pub use script::{is_cjk, is_combining_mark};
pub use terminal::{push_terminal_safe, terminal_safe};
pub use whitespace::{collapse_whitespace, is_invisible};
