//! A command hook's delivery: the program run with the flags as JSON lines on its standard
//! input; exit status 0 means delivered.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::flags::Flag;

/// The most of a failed command's stderr a report quotes.
const STDERR_SHOWN: usize = 300;

/// Runs `argv` (no shell) with `flags` on stdin; `Ok` when it exits 0 within `timeout`. A
/// command still running then is killed.
pub async fn deliver(argv: &[String], flags: &[Flag], timeout: Duration) -> Result<(), String> {
    let (program, args) = argv.split_first().ok_or("no program to run")?;
    let mut input = Vec::new();
    for flag in flags {
        serde_json::to_writer(&mut input, flag).expect("a flag always serialises");
        input.push(b'\n');
    }
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin to write to")?;
    let run = async move {
        // A command that exits without reading all of its input closes the pipe: what it did
        // with the flags is for its exit status to say.
        let _ = stdin.write_all(&input).await;
        drop(stdin);
        child.wait_with_output().await
    };
    let output = match tokio::time::timeout(timeout, run).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Err(format!("{program}: {e}")),
        Err(_) => return Err(format!("{program} did not finish within {timeout:?}")),
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr = stderr.trim();
    let mut message = format!("{program} exited with {}", output.status);
    if !stderr.is_empty() {
        let shown: String = stderr.chars().take(STDERR_SHOWN).collect();
        message.push_str(&format!(": {shown}"));
    }
    Err(message)
}
