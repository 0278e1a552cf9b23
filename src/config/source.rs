//! The text of a `targets.toml` being read: byte spans become line numbers, and problems become
//! [`ConfigError`]s naming the file, the line and the key.

use std::ops::Range;
use std::path::Path;

use super::ConfigError;

/// The text being parsed, for turning byte spans into lines in messages.
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    pub(super) path: &'a Path,
    /// Byte offsets of every newline, so that a line number costs a binary search: a watch-list
    /// of 100,000 targets asks for hundreds of thousands of them.
    newlines: Vec<usize>,
    /// The line of the file `text` starts on: 1, unless this is a piece of the file.
    first_line: usize,
}

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str, path: &'a Path) -> Source<'a> {
        Source {
            text,
            path,
            newlines: newline_offsets(text),
            first_line: 1,
        }
    }

    /// The bytes `range` of this text as a text of their own, whose spans start at 0 and whose
    /// lines are still the file's. `None` when `range` does not fall between characters.
    pub(super) fn piece(&self, range: Range<usize>) -> Option<Source<'a>> {
        let text = self.text.get(range.clone())?;
        Some(Source {
            text,
            path: self.path,
            newlines: newline_offsets(text),
            first_line: self.line(range.start),
        })
    }

    /// The 1-based line holding byte `offset`.
    pub(super) fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.newlines.partition_point(|&n| n < end) + self.first_line
    }

    /// A bad value at `line`, under `key`.
    pub(super) fn invalid_line(
        &self,
        line: usize,
        key: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            line,
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// A bad value whose text starts at `span`, under `key`.
    pub(super) fn invalid(
        &self,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        self.invalid_line(self.line(span.start), key, message)
    }

    /// A TOML syntax or shape error, at its line, naming the key it is about when serde's
    /// message does not.
    pub(super) fn syntax(&self, err: &toml::de::Error) -> ConfigError {
        let span = err.span();
        let line = span.as_ref().map_or(1, |s| self.line(s.start));
        let mut message = err.message().trim_end().replace('\n', "; ");
        if let Some(key) = span.and_then(|s| self.key_of_syntax_error(s, &message)) {
            message = format!("`{key}`: {message}");
        }
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line,
            message,
        }
    }

    /// The key a syntax error at `span` is about, when its message does not already name it.
    fn key_of_syntax_error(&self, span: Range<usize>, message: &str) -> Option<&str> {
        // Messages about a value ("invalid type: integer `5`, expected a string") do not say which
        // key held it; the source line does. Messages about keys already name them.
        let about_key = ["unknown field", "missing field"]
            .iter()
            .any(|p| message.starts_with(p));
        let key = if message.starts_with("duplicate key") {
            // Here the span is the repeated key itself.
            self.text.get(span)
        } else if !about_key {
            self.key_before(span.start)
                .or_else(|| self.table_header_at(span.start))
        } else {
            None
        };
        key.map(str::trim).filter(|k| !k.is_empty())
    }

    /// The table named by a `[name]` or `[[name]]` header on the line of `offset`: a table of
    /// the wrong shape (`[[crawl]]` for `[crawl]`) is reported at its header.
    fn table_header_at(&self, offset: usize) -> Option<&str> {
        let start = self.text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = self.text[start..end].trim();
        let name = line.strip_prefix('[')?.strip_suffix(']')?;
        let name = name.trim_start_matches('[').trim_end_matches(']').trim();
        (!name.is_empty()).then_some(name)
    }

    /// The key of the `key = value` assignment that `offset` (inside the value) belongs to, when
    /// it is on the same line.
    fn key_before(&self, offset: usize) -> Option<&str> {
        let prefix = self.text.get(..offset)?;
        let line = &prefix[prefix.rfind('\n').map_or(0, |i| i + 1)..];
        let before = line[..line.rfind('=')?].trim_end();
        let is_key_char = |c: char| c.is_ascii_alphanumeric() || "_-.\"'".contains(c);
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_key_char(c))
            .last()
            .map(|(i, _)| i)?;
        Some(&before[start..])
    }
}

fn newline_offsets(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect()
}
