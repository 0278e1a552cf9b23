//! `[[notify]]`: where the flags a crawl raises are delivered, a webhook or a command, and how
//! hard to try.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::ConfigError;
use super::raw::RawNotify;
use super::source::Source;

/// One place new flags are delivered to.
#[derive(Debug, Clone)]
pub struct Notifier {
    /// What its deliveries are recorded under: its `id`, or else its URL or command line. A
    /// notifier whose name changes starts afresh, with the flags raised from then on.
    pub name: String,
    /// How messages and logs name it: its `id`, or else where it sends without the parts that
    /// may be credentials (a webhook's path and query, a command's arguments).
    pub label: String,
    pub kind: NotifierKind,
    /// One attempt: connect to last byte, or the command's whole run.
    pub timeout: Duration,
    /// Attempts after the first within one run; what still fails waits for the next run.
    pub retries: u32,
    /// The wait before the first retry; each later one waits twice as long.
    pub backoff: Duration,
    /// The line of its `[[notify]]` header, for messages.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum NotifierKind {
    /// POST the new flags as JSON; signed with the secret when there is one.
    Webhook { url: Url, secret: Option<Secret> },
    /// Run the program with the new flags as JSON lines on its standard input.
    Command { argv: Vec<String> },
}

/// A shared secret: kept out of `Debug` output, so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Defaults: a receiver gets ten seconds an attempt, and four attempts a second, two and four
/// seconds apart, so a brief outage on its side costs no flag and a run waits at most ~50 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_RETRIES: u32 = 3;
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// A crawl must end: no notifier may hold it longer than this a try.
const MAX_WAIT: Duration = Duration::from_secs(5 * 60);

impl Source<'_> {
    pub(super) fn notifier(
        &self,
        raw: &Spanned<RawNotify>,
        names: &mut HashMap<String, usize>,
    ) -> Result<Notifier, ConfigError> {
        let n = raw.get_ref();
        let line = self.line(raw.span().start);
        let (kind, derived_name) = match (&n.url, &n.command) {
            (Some(url), None) => {
                let url = self.webhook_url(url)?;
                let secret = match &n.secret {
                    Some(v) => Some(Secret(self.non_empty(v, "secret")?)),
                    None => None,
                };
                let name = url.to_string();
                (NotifierKind::Webhook { url, secret }, name)
            }
            (None, Some(command)) => {
                if let Some(secret) = &n.secret {
                    return Err(self.invalid(
                        secret.span(),
                        "secret",
                        "only a webhook (`url`) is signed; a command gets its input on stdin",
                    ));
                }
                let argv = self.command(command)?;
                let name = argv.join(" ");
                (NotifierKind::Command { argv }, name)
            }
            (Some(_), Some(command)) => {
                return Err(self.invalid(
                    command.span(),
                    "command",
                    "a notifier is a webhook (`url`) or a command, not both: write two [[notify]]",
                ));
            }
            (None, None) => {
                return Err(self.invalid_line(
                    line,
                    "url",
                    "missing: a notifier needs a `url` (webhook) or a `command`",
                ));
            }
        };
        let (name, label) = match &n.id {
            Some(id) => {
                let id = self.slug(id, "id")?;
                (id.clone(), id)
            }
            None => (derived_name, kind.destination()),
        };
        if let Some(first) = names.insert(name.clone(), line) {
            return Err(self.invalid_line(
                line,
                "notify",
                format!("duplicate notifier {name:?} (first at line {first}): give each an `id`"),
            ));
        }
        Ok(Notifier {
            name,
            label,
            kind,
            timeout: match &n.timeout {
                Some(v) => self.duration(v, "timeout", false, MAX_WAIT)?,
                None => DEFAULT_TIMEOUT,
            },
            retries: match &n.retries {
                Some(v) => self.int(v, "retries", 0, 10)?,
                None => DEFAULT_RETRIES,
            },
            backoff: match &n.backoff {
                Some(v) => self.duration(v, "backoff", true, MAX_WAIT)?,
                None => DEFAULT_BACKOFF,
            },
            line,
        })
    }

    /// A webhook's URL: http or https, with a host.
    fn webhook_url(&self, v: &Spanned<String>) -> Result<Url, ConfigError> {
        let text = v.get_ref().trim();
        let url = Url::parse(text)
            .map_err(|e| self.invalid(v.span(), "url", format!("bad URL {text:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(self.invalid(
                v.span(),
                "url",
                format!("{text:?} is not an http or https URL with a host"),
            ));
        }
        Ok(url)
    }

    /// A command: the program, then its arguments; run as is, never through a shell.
    fn command(&self, v: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<String>, ConfigError> {
        let argv: Vec<String> = v.get_ref().iter().map(|a| a.get_ref().clone()).collect();
        match argv.first() {
            Some(program) if !program.trim().is_empty() => Ok(argv),
            _ => Err(self.invalid(
                v.span(),
                "command",
                "needs a program: command = [\"program\", \"argument\", …]",
            )),
        }
    }
}

impl NotifierKind {
    /// Where it sends, as logs and plans may show it: a webhook's origin (`https://hooks.example/…`),
    /// a command's program (`/usr/local/bin/mail-flags …`). Chat services' webhook URLs carry
    /// their credential in the path, a command may take one as an argument, and a crawl's
    /// summary ends up in mail.
    pub fn destination(&self) -> String {
        match self {
            NotifierKind::Webhook { url, .. } => {
                let origin = url.origin().ascii_serialization();
                match (url.path(), url.query()) {
                    ("/", None) => format!("{origin}/"),
                    _ => format!("{origin}/…"),
                }
            }
            NotifierKind::Command { argv } => match argv.as_slice() {
                [program] => program.clone(),
                [program, ..] => format!("{program} …"),
                [] => String::new(),
            },
        }
    }
}
