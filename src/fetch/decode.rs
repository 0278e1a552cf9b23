//! Undoing a response's content coding while it streams, cut at `max_body` decoded bytes.
//!
//! claimwatch decodes bodies itself rather than let the HTTP library do it: the library drops
//! `Content-Encoding` and `Content-Length` from the headers it hands over when it decodes, and
//! evidence needs the headers as received and a record of what was undone. The cap counts
//! decoded bytes, so a compression bomb is cut like any big body.

use std::io::{self, Write};

use sha2::{Digest, Sha256};

/// The content codings claimwatch asks for and undoes, as sent in `Accept-Encoding`.
pub const ACCEPTED: &str = "gzip, deflate, br";

/// A body being decoded.
pub struct BodyDecoder {
    stage: Stage,
    /// The codings undone, in the order applied (empty: identity).
    codings: Vec<String>,
}

enum Stage {
    Identity(Capped),
    Gzip(flate2::write::MultiGzDecoder<Capped>),
    Deflate(flate2::write::ZlibDecoder<Capped>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Capped>>),
}

/// What the decoder made of the body.
#[derive(Debug)]
pub struct Decoded {
    pub body: Vec<u8>,
    /// SHA-256 of `body`, taken piece by piece as the body came in, so that a body the store
    /// already holds can be known on arrival.
    pub sha256: [u8; 32],
    /// Cut at the cap.
    pub truncated: bool,
    pub codings: Vec<String>,
}

impl BodyDecoder {
    /// A decoder for a body sent with `content_encoding` (the header's value, if any), keeping
    /// at most `cap` decoded bytes. A coding claimwatch does not undo (one it did not ask for,
    /// or several stacked) leaves the body as received; its record keeps the header.
    /// `capacity` is what the body's buffer is sized to at first.
    pub fn new(content_encoding: Option<&str>, cap: usize, capacity: usize) -> BodyDecoder {
        let sink = Capped {
            bytes: Vec::with_capacity(capacity),
            cap,
            full: false,
            digest: Sha256::new(),
        };
        let coding = content_encoding
            .map(|value| value.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let stage = match coding.as_str() {
            "gzip" | "x-gzip" => Stage::Gzip(flate2::write::MultiGzDecoder::new(sink)),
            "deflate" => Stage::Deflate(flate2::write::ZlibDecoder::new(sink)),
            "br" => Stage::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(
                sink, 4096,
            ))),
            _ => Stage::Identity(sink),
        };
        let codings = match stage {
            Stage::Identity(_) => Vec::new(),
            _ => vec![coding],
        };
        BodyDecoder { stage, codings }
    }

    /// Takes the next piece of the body as received. Returns `Ok(false)` once the cap is
    /// reached: the rest need not be read.
    pub fn feed(&mut self, chunk: &[u8]) -> io::Result<bool> {
        match &mut self.stage {
            Stage::Identity(sink) => sink.write_all(chunk)?,
            Stage::Gzip(decoder) => decoder.write_all(chunk)?,
            Stage::Deflate(decoder) => decoder.write_all(chunk)?,
            Stage::Brotli(decoder) => decoder.write_all(chunk)?,
        }
        Ok(!self.sink_mut().full)
    }

    /// The body once every piece is in (or the cap was reached: the stream is then left
    /// unfinished, and what was decoded is the body).
    pub fn finish(mut self) -> io::Result<Decoded> {
        if self.sink_mut().full {
            let sink = self.sink_mut();
            let body = std::mem::take(&mut sink.bytes);
            let sha256 = std::mem::take(&mut sink.digest).finalize().into();
            return Ok(Decoded {
                body,
                sha256,
                truncated: true,
                codings: self.codings,
            });
        }
        let sink = match self.stage {
            Stage::Identity(sink) => sink,
            Stage::Gzip(decoder) => decoder.finish()?,
            Stage::Deflate(decoder) => decoder.finish()?,
            Stage::Brotli(mut decoder) => {
                decoder.close()?;
                decoder.into_inner().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "brotli stream ended early")
                })?
            }
        };
        Ok(Decoded {
            truncated: sink.full,
            sha256: sink.digest.finalize().into(),
            body: sink.bytes,
            codings: self.codings,
        })
    }

    fn sink_mut(&mut self) -> &mut Capped {
        match &mut self.stage {
            Stage::Identity(sink) => sink,
            Stage::Gzip(decoder) => decoder.get_mut(),
            Stage::Deflate(decoder) => decoder.get_mut(),
            Stage::Brotli(decoder) => decoder.get_mut(),
        }
    }
}

/// Keeps bytes up to the cap and drops the rest: a decoder that is refused output reports an
/// error that would hide the cut, and the caller stops feeding once it is full.
struct Capped {
    bytes: Vec<u8>,
    cap: usize,
    full: bool,
    /// Of `bytes`, as they are kept.
    digest: Sha256,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.cap - self.bytes.len();
        let kept = if buf.len() > room {
            self.full = true;
            &buf[..room]
        } else {
            buf
        };
        self.bytes.extend_from_slice(kept);
        self.digest.update(kept);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).expect("to memory");
        encoder.finish().expect("to memory")
    }

    #[test]
    fn gzip_is_undone_and_said() {
        let mut decoder = BodyDecoder::new(Some("gzip"), 1000, 0);
        let packed = gzip(b"<p>hello</p>");
        for piece in packed.chunks(3) {
            assert!(decoder.feed(piece).expect("decodes"));
        }
        let decoded = decoder.finish().expect("ends");
        assert_eq!(decoded.body, b"<p>hello</p>");
        assert_eq!(
            (decoded.truncated, decoded.codings),
            (false, vec!["gzip".to_string()])
        );
    }

    #[test]
    fn a_bomb_is_cut_at_the_cap_of_decoded_bytes() {
        let packed = gzip(&vec![b'a'; 10_000_000]);
        assert!(packed.len() < 20_000);
        let mut decoder = BodyDecoder::new(Some("gzip"), 1000, 0);
        let mut fed = 0;
        for piece in packed.chunks(1024) {
            fed += 1;
            if !decoder.feed(piece).expect("decodes") {
                break;
            }
        }
        assert_eq!(fed, 1, "stops at the first piece past the cap");
        let decoded = decoder.finish().expect("ends");
        assert_eq!((decoded.body.len(), decoded.truncated), (1000, true));
    }

    #[test]
    fn the_digest_is_of_the_body_as_kept_whole_decoded_or_cut() {
        let page = b"<p>military and aerospace</p>".repeat(100);
        let cases = [
            (None, page.clone(), 10_000, page.clone()),
            (Some("gzip"), gzip(&page), 10_000, page.clone()),
            (None, page.clone(), 1000, page[..1000].to_vec()),
            (Some("gzip"), gzip(&page), 1000, page[..1000].to_vec()),
        ];
        for (coding, sent, cap, kept) in cases {
            let mut decoder = BodyDecoder::new(coding, cap, 0);
            for piece in sent.chunks(7) {
                if !decoder.feed(piece).expect("decodes") {
                    break;
                }
            }
            let decoded = decoder.finish().expect("ends");
            assert_eq!(decoded.body, kept, "{coding:?}, cap {cap}");
            let expected: [u8; 32] = Sha256::digest(&kept).into();
            assert_eq!(decoded.sha256, expected, "{coding:?}, cap {cap}");
        }
    }

    #[test]
    fn identity_and_unknown_codings_keep_the_bytes() {
        for coding in [None, Some("identity"), Some("zstd"), Some("gzip, br")] {
            let mut decoder = BodyDecoder::new(coding, 4, 0);
            assert!(!decoder.feed(b"abcdef").expect("takes"));
            let decoded = decoder.finish().expect("ends");
            assert_eq!((decoded.body, decoded.truncated), (b"abcd".to_vec(), true));
            assert!(decoded.codings.is_empty());
        }
    }

    #[test]
    fn a_broken_stream_is_an_error() {
        let mut decoder = BodyDecoder::new(Some("gzip"), 1000, 0);
        let packed = gzip(b"<p>hello</p>");
        decoder
            .feed(&packed[..packed.len() / 2])
            .expect("the first half decodes");
        assert!(decoder.finish().is_err());
    }
}
