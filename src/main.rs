//! The `claimwatch` binary: everything lives in the library; `main` returns through
//! `cli::main` so destructors (the store's flush) run before the process exits.

fn main() -> std::process::ExitCode {
    claimwatch::cli::main()
}
