//! One crawl by the real binary as a child process, measured: wall time, the child's own peak
//! RSS (from its /proc status) and CPU time (from `wait4`), this process's CPU time (the servers), the summary it
//! printed, and the store's size and stats afterwards.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use claimwatch::store::{Store, StoreStats};

/// One measured crawl.
pub struct Measured {
    pub wall: Duration,
    /// The child's own peak resident set (see [`Waited::peak_rss_kib`]).
    pub max_rss_kib: i64,
    pub user: Duration,
    pub sys: Duration,
    /// CPU time of this process (the four servers, mostly) during the crawl.
    pub servers: Duration,
    /// The summary's `total` line, as printed.
    pub summary_line: String,
    /// New bodies according to the summary (None if it could not be read).
    pub new_bodies: Option<u64>,
    /// Flags the run raised, from the summary's "N new flags:" line (exit code 1).
    pub new_flags: u64,
    /// Sum of the file sizes under the store directory.
    pub store_bytes: u64,
    /// Blocks actually allocated to those files.
    pub store_allocated: u64,
    pub stats: StoreStats,
}

/// Runs `claimwatch crawl` once as a child process and measures it.
pub fn crawl_once(
    binary: &Path,
    targets: &Path,
    store: &Path,
    dir: &Path,
    run: usize,
    limit: Duration,
) -> Result<Measured> {
    let stdout_path = dir.join(format!("run{run}.stdout"));
    let stderr_path = dir.join(format!("run{run}.stderr"));
    let stdout = File::create(&stdout_path).context("create the child's stdout file")?;
    let stderr = File::create(&stderr_path).context("create the child's stderr file")?;
    println!("run {run}: crawling...");
    let self_before = self_cpu()?;
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("--targets")
        .arg(targets)
        .arg("--store")
        .arg(store)
        .arg("crawl")
        .env_remove("CLAIMWATCH_LOG")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let pid = libc::pid_t::try_from(child.id()).context("child pid out of range")?;
    // Reaped here by wait4, for this child's own rusage; `child` is never waited on (dropping a
    // Child does not wait).
    let Waited {
        status,
        usage,
        peak_rss_kib,
    } = wait_with_rusage(pid, limit)?;
    let wall = started.elapsed();
    let servers = self_cpu()?.saturating_sub(self_before);
    drop(child);

    let out = std::fs::read_to_string(&stdout_path).context("read the child's stdout")?;
    let err = std::fs::read_to_string(&stderr_path).context("read the child's stderr")?;
    // 0: done, no new flag; 1: done, new flags raised (claims found on the pages); 2: failed.
    let exited = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    if !matches!(exited, Some(0 | 1)) {
        bail!("claimwatch crawl failed (wait status {status:#x})\nstdout:\n{out}\nstderr:\n{err}");
    }
    if !err.trim().is_empty() {
        println!("run {run}: the crawl logged on stderr:\n{}", tail(&err, 10));
    }
    let summary_line = out
        .lines()
        .rev()
        .find(|l| l.split_whitespace().nth(1) == Some("total"))
        .unwrap_or("(no total line in the summary)")
        .to_string();
    let new_bodies = number_before(&summary_line, "new");
    let new_flags = out
        .lines()
        .find_map(|l| l.strip_suffix(" new flags:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);

    // Measured before the store is opened here: opening may write.
    let (store_bytes, store_allocated) = dir_size(store)?;
    let stats = Store::open(store)
        .context("open the store after the crawl")?
        .stats()
        .context("read the store's stats")?;
    Ok(Measured {
        wall,
        max_rss_kib: peak_rss_kib,
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
        servers,
        summary_line,
        new_bodies,
        new_flags,
        store_bytes,
        store_allocated,
        stats,
    })
}

/// How a child ended, and what it cost.
pub struct Waited {
    pub status: libc::c_int,
    pub usage: libc::rusage,
    /// The child's own peak resident set in KiB: the highest `VmHWM` its /proc status showed
    /// while it ran. Not `ru_maxrss`: the exec of a child spawned with vfork (as Rust spawns)
    /// records the parent's high-water mark as the child's, so a bench that serves thousands of
    /// sites from its own process would measure itself. Polled every 2 ms, so a peak in the
    /// child's last 2 ms can be missed; `ru_maxrss` when the child ended before a first look.
    pub peak_rss_kib: i64,
}

/// Waits for `pid` (our child) and returns its wait status, its own rusage and its peak RSS.
/// Kills it after `limit`, so the bench always ends.
pub fn wait_with_rusage(pid: libc::pid_t, limit: Duration) -> Result<Waited> {
    let started = Instant::now();
    let status_file = format!("/proc/{pid}/status");
    let mut peak: Option<i64> = None;
    let mut killed = false;
    loop {
        if let Some(hwm) = high_water_kib(&status_file) {
            peak = Some(peak.map_or(hwm, |p| p.max(hwm)));
        }
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain integers; all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child, not yet reaped; both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            if killed {
                bail!("the claimwatch child took longer than {limit:?}; killed");
            }
            return Ok(Waited {
                status,
                peak_rss_kib: peak.unwrap_or(usage.ru_maxrss),
                usage,
            });
        }
        if reaped == -1 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err).context("wait4 on the claimwatch child");
        }
        if !killed && started.elapsed() > limit {
            // SAFETY: plain syscall on our own child, which has not been reaped yet.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `VmHWM` of a /proc status file, in KiB; `None` once the process has exited.
fn high_water_kib(status_file: &str) -> Option<i64> {
    let text = std::fs::read_to_string(status_file).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU time of this whole process so far.
fn self_cpu() -> Result<Duration> {
    // SAFETY: rusage is plain integers; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Err(std::io::Error::last_os_error()).context("getrusage");
    }
    Ok(timeval(usage.ru_utime) + timeval(usage.ru_stime))
}

pub fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Apparent and allocated bytes of every file under `dir`.
fn dir_size(dir: &Path) -> Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let (mut apparent, mut allocated) = (0, 0);
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).with_context(|| format!("list {}", next.display()))? {
            let entry = entry.with_context(|| format!("list {}", next.display()))?;
            let meta = entry
                .metadata()
                .with_context(|| format!("stat {}", entry.path().display()))?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                apparent += meta.len();
                allocated += meta.blocks() * 512;
            }
        }
    }
    Ok((apparent, allocated))
}

/// The number just before `word` in a summary line ("3000 new bodies").
fn number_before(line: &str, word: &str) -> Option<u64> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let at = tokens.iter().position(|t| *t == word)?;
    tokens.get(at.checked_sub(1)?)?.parse().ok()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Says which profile built the binary, from where cargo put it.
pub fn describe_build(binary: &Path, bench_mode: bool) -> String {
    let profile_dir = binary
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let optimized = profile_dir != "debug";
    let this = if cfg!(debug_assertions) {
        "debug assertions on"
    } else {
        "debug assertions off"
    };
    let mut text = format!(
        "built in target/{profile_dir}: {} (this bench: {this})",
        if optimized {
            "optimized"
        } else {
            "NOT optimized"
        }
    );
    if bench_mode && !optimized {
        text.push_str(" -- WARNING: numbers from a debug build mean little");
    }
    text
}
