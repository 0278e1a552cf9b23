//! The units `targets.toml` writes settings in: request rates ("30/m"), durations ("1m 30s") and
//! sizes ("5MiB"), read from and shown back in the same notation.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use bytesize::ByteSize;

/// A request rate: `count` requests per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    /// The time between two requests at this rate.
    pub fn interval(&self) -> Duration {
        self.per / self.count.max(1)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_millis() {
            1_000 => "s",
            60_000 => "m",
            3_600_000 => "h",
            _ => return write!(f, "{}/{}", self.count, humantime::format_duration(self.per)),
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl FromStr for Rate {
    type Err = String;

    /// Parses "N/UNIT" with N a positive integer and UNIT one of s, sec, second(s); m, min,
    /// minute(s); h, hour(s) (any case), spaces allowed around the slash: "1/s", "10/min",
    /// "3 / hours".
    fn from_str(s: &str) -> Result<Rate, String> {
        let expected = || {
            format!(
                "bad rate {s:?}: expected a count per unit, \"N/s\", \"N/m\" or \"N/h\" (or \
                 sec, second, min, minute, hour)"
            )
        };
        let (count, unit) = s.trim().split_once('/').ok_or_else(expected)?;
        let (count, unit) = (count.trim(), unit.trim().to_ascii_lowercase());
        let per = match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hour" | "hours" => 60 * 60,
            _ => return Err(expected()),
        };
        // u32::from_str would also take "+5"; the file format promises plain digits.
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        let count: u32 = count
            .parse()
            .map_err(|_| format!("bad rate {s:?}: {count} is too large"))?;
        if count == 0 {
            return Err(format!("bad rate {s:?}: the count must be at least 1"));
        }
        Ok(Rate {
            count,
            per: Duration::from_secs(per),
        })
    }
}

/// A duration such as "30s", "2m" or "1m 30s", at most `max`, and zero only when `zero_ok`.
pub(super) fn parse_duration(s: &str, zero_ok: bool, max: Duration) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| {
        format!("bad duration {s:?}: {e}; expected e.g. \"30s\", \"2m\" or \"1m 30s\"")
    })?;
    if d.is_zero() && !zero_ok {
        return Err("must be longer than zero".to_string());
    }
    if d > max {
        return Err(format!(
            "{s:?} is too long: at most {}",
            human_duration(max)
        ));
    }
    Ok(d)
}

/// A size in bytes such as "5MiB", "500KB" or "1 MiB": more than zero, at most `max`.
pub(super) fn parse_size(s: &str, max: u64) -> Result<u64, String> {
    let bytes = s
        .trim()
        .parse::<ByteSize>()
        .map_err(|_| format!("bad size {s:?}: expected e.g. \"5MiB\", \"500KB\" or \"1 MiB\""))?;
    if bytes.0 == 0 {
        return Err("must be larger than zero".to_string());
    }
    if bytes.0 > max {
        return Err(format!("{s:?} is too large: at most {}", human_size(max)));
    }
    Ok(bytes.0)
}

/// A duration as the plan and messages show it ("1m 30s").
pub(super) fn human_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// A size in bytes as people are shown it everywhere: the plan, messages, summaries ("5.0 MiB").
pub fn human_size(bytes: u64) -> String {
    ByteSize(bytes).display().iec().to_string()
}
