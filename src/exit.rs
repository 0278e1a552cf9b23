//! Process exit codes, as fixed by the contract (docs/contract.md "Exit codes").

/// What a command's outcome means to cron and scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Finished, and raised no new flag.
    Ok = 0,
    /// Finished, and raised new flags.
    NewFlags = 1,
    /// Could not do its job: bad config, no store or an unknown target, store held by another
    /// process, every target failed, output that could not be written, interrupted.
    Failed = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}
