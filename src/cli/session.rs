//! What a command runs with: where its output goes, which directory its relative paths are
//! relative to, whether it may colour, how it is stopped, and the store if this process holds it
//! already.
//!
//! A command started in this process runs with the process's own (its stdout and stderr, its
//! working directory and environment, the store opened for it). A command carried out by the
//! process holding the store for another (see [`super::share`]) runs with the asker's: its
//! output goes back over the socket, its paths are relative to the asker's directory, and the
//! store is the one the holder has open. Commands write only through their session, so they
//! behave the same either way.

use std::io::{self, IsTerminal, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Result;

use super::Cli;
use super::shutdown::Stop;
use claimwatch::config::Config;
use claimwatch::store::Store;

/// One of a command's output streams: this process's stdout or stderr, or a stream carried back
/// to the process that asked for the command. Clones write to the same stream.
#[derive(Clone)]
pub struct Output {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
    terminal: bool,
}

impl Output {
    /// Writes to `sink`; `terminal` says whether the reader is a terminal.
    pub fn new(sink: impl Write + Send + 'static, terminal: bool) -> Output {
        Output {
            sink: Arc::new(Mutex::new(Box::new(sink))),
            terminal,
        }
    }

    pub fn stdout() -> Output {
        Output::new(io::stdout(), io::stdout().is_terminal())
    }

    pub fn stderr() -> Output {
        Output::new(io::stderr(), io::stderr().is_terminal())
    }

    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    fn sink(&self) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
        // A writer that panicked mid-line leaves nothing to protect: go on writing.
        self.sink.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.sink().write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        // Whole, under one lock: lines of two threads do not interleave.
        self.sink().write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink().flush()
    }
}

/// A command's surroundings; see the module's documentation.
pub struct Session {
    pub out: Output,
    pub err: Output,
    pub stop: Arc<Stop>,
    /// The directory relative paths are relative to, when not this process's.
    cwd: Option<PathBuf>,
    /// `NO_COLOR` was set where the command was started.
    no_color: bool,
    /// The store, when this process holds it already.
    held: Option<Arc<Store>>,
}

/// What a command carried out for another process runs with.
pub struct Forwarded {
    pub out: Output,
    pub err: Output,
    pub stop: Arc<Stop>,
    pub cwd: PathBuf,
    pub no_color: bool,
    pub store: Arc<Store>,
}

impl Session {
    /// This process's own.
    pub fn process() -> Session {
        Session {
            out: Output::stdout(),
            err: Output::stderr(),
            stop: Stop::process(),
            cwd: None,
            no_color: std::env::var_os("NO_COLOR").is_some(),
            held: None,
        }
    }

    /// Another process's, for a command this process carries out with the store it holds.
    pub fn forwarded(from: Forwarded) -> Session {
        Session {
            out: from.out,
            err: from.err,
            stop: from.stop,
            cwd: Some(from.cwd),
            no_color: from.no_color,
            held: Some(from.store),
        }
    }

    /// Is this command carried out for another process?
    pub fn is_forwarded(&self) -> bool {
        self.held.is_some()
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    pub fn color(&self) -> bool {
        self.out.is_terminal() && !self.no_color
    }

    /// `given` as this process must open it: relative paths are relative to the directory the
    /// command was started in.
    pub fn path(&self, given: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) if given.is_relative() => cwd.join(given),
            _ => given.to_path_buf(),
        }
    }

    /// The watch-list, named in messages as the user gave it.
    pub fn config(&self, cli: &Cli) -> Result<Config> {
        Config::load_as(&self.path(&cli.targets), &cli.targets).map_err(anyhow::Error::new)
    }

    /// The store, created if missing: for `crawl`, the one command that fills a store.
    pub fn create_store(&self, cli: &Cli) -> Result<OpenStore> {
        self.store(cli, Store::open)
    }

    /// The store, which must exist: for the commands that write to one (review, serve,
    /// `flags --new`). A read-only store is refused.
    pub fn existing_store(&self, cli: &Cli) -> Result<OpenStore> {
        self.store(cli, Store::open_existing)
    }

    /// The store, which must exist: for the commands that only read. A read-only store (an
    /// evidence copy) is read through a temporary copy, and stderr says so.
    pub fn reading_store(&self, cli: &Cli) -> Result<OpenStore> {
        let store = self.store(cli, Store::open_for_reading)?;
        if let Some(copy) = store.read_copy() {
            // Said whatever the log level: the reader should know the store they named is not
            // the one open, and where its copy's bytes went.
            let _ = writeln!(
                self.err.clone(),
                "claimwatch: store {} is read-only: reading a copy of it ({}) at {}, removed when \
                 done; the store itself is not written",
                store.path().display(),
                claimwatch::config::human_size(copy.bytes()),
                copy.path().display()
            );
        }
        Ok(store)
    }

    fn store(
        &self,
        cli: &Cli,
        open: fn(&Path) -> Result<Store, claimwatch::store::StoreError>,
    ) -> Result<OpenStore> {
        let store = match &self.held {
            Some(store) => store.clone(),
            None => Arc::new(open(&self.path(&cli.store))?),
        };
        Ok(OpenStore {
            store,
            shown: cli.store.clone(),
        })
    }
}

/// The store a command uses, named as its user gave it: its [`OpenStore::path`] is the path on
/// the command line, whichever process opened it. Everything else is the [`Store`]'s.
pub struct OpenStore {
    store: Arc<Store>,
    shown: PathBuf,
}

impl Drop for OpenStore {
    fn drop(&mut self) {
        if self.store.write_failed() {
            // Never dropped, so sled's flush on drop, which can hang after a failed write,
            // never runs (see `Store::write_failed`).
            std::mem::forget(Arc::clone(&self.store));
        }
    }
}

impl OpenStore {
    /// The store's directory as the command line named it, for messages.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// The store itself, to share with the tasks of a run.
    pub fn shared(&self) -> Arc<Store> {
        self.store.clone()
    }
}

impl Deref for OpenStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}
