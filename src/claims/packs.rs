//! The built-in claim packs: data files compiled into the binary.
