//! The `claimwatch` binary: the command-line surface over the library. `main` returns through
//! `cli::main` so destructors (the store's flush) run before the process exits.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
