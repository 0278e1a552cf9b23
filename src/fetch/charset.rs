//! Bytes → text: BOM, then the Content-Type charset, then `<meta charset>` in the first KiB,
//! then detection (chardetng); the encoding used is recorded with where it came from.

use serde::{Deserialize, Serialize};

/// Where the encoding used to decode a body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    Bom,
    Header,
    Meta,
    Detected,
}

/// A decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. "gb18030", "Big5", "windows-1251", "UTF-8".
    pub encoding: &'static str,
    pub source: EncodingSource,
    /// True when the bytes had sequences invalid in that encoding (replaced with U+FFFD).
    pub had_errors: bool,
}

/// Decodes a response body. `content_type` is the raw Content-Type header value; `host` is the
/// URL's host, used only as a hint for detection.
pub fn decode(_body: &[u8], _content_type: Option<&str>, _host: Option<&str>) -> Decoded {
    todo!("decode: see the module doc")
}
