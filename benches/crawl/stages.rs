//! The single-thread cost per page of the CPU stages a capture goes through (decoding,
//! extraction, the stored document, hashing, body compression), measured in-process.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use url::Url;

use crate::site::{HTML, SiteSpec};

/// At most this many pages go through the in-process stage timing.
const STAGE_SAMPLE: usize = 1000;

/// Single-thread cost per page of the CPU stages a capture goes through, on the bench's own pages.
pub fn stage_costs(sites: &[SiteSpec], addrs: &[SocketAddr]) -> String {
    let mut sample: Vec<(Url, &[u8])> = Vec::new();
    'sites: for (spec, addr) in sites.iter().zip(addrs) {
        for (path, body) in &spec.pages {
            if sample.len() >= STAGE_SAMPLE {
                break 'sites;
            }
            if let Ok(url) = Url::parse(&format!("http://{addr}{path}")) {
                sample.push((url, body.as_slice()));
            }
        }
    }
    let n = sample.len().max(1) as f64;
    let per_page = |d: Duration| d.as_secs_f64() * 1000.0 / n;

    let started = Instant::now();
    let decoded: Vec<String> = sample
        .iter()
        .map(|(url, body)| {
            claimwatch::fetch::charset::decode(body, Some(HTML), url.host_str()).text
        })
        .collect();
    let decode = started.elapsed();

    let started = Instant::now();
    let documents: Vec<_> = sample
        .iter()
        .zip(&decoded)
        .map(|((url, _), text)| claimwatch::extract::extract(text, url))
        .collect();
    let extract = started.elapsed();

    let started = Instant::now();
    let mut document_bytes = 0;
    for document in &documents {
        let json = serde_json::to_vec(document).unwrap_or_default();
        document_bytes += zstd::bulk::compress(&json, 3).map_or(0, |z| z.len());
    }
    let document = started.elapsed();

    let started = Instant::now();
    let mut digests = 0u8;
    for (_, body) in &sample {
        digests ^= Sha256::digest(body)[0];
    }
    let sha = started.elapsed();

    let started = Instant::now();
    let mut packed = 0;
    for (_, body) in &sample {
        packed += zstd::bulk::compress(body, 3).map_or(0, |z| z.len());
    }
    let body = started.elapsed();
    std::hint::black_box(digests);

    // The store calls `zstd::bulk::compress`, which builds a fresh context per call; this is what a
    // reused one would cost.
    let started = Instant::now();
    if let Ok(mut compressor) = zstd::bulk::Compressor::new(3) {
        for (_, body) in &sample {
            std::hint::black_box(compressor.compress(body).map_or(0, |z| z.len()));
        }
    }
    let reused = started.elapsed();

    let raw: usize = sample.iter().map(|(_, b)| b.len()).sum();
    format!(
        "stages (in-process, 1 thread, {} pages): decode {:.3} ms/page, extract {:.3}, document json+zstd {:.3}, sha256 {:.3}, body zstd-3 {:.3} \
         (reused context: {:.3}); bodies {:.1}x smaller, documents {:.1} KiB/page compressed",
        sample.len(),
        per_page(decode),
        per_page(extract),
        per_page(document),
        per_page(sha),
        per_page(body),
        per_page(reused),
        raw as f64 / packed.max(1) as f64,
        document_bytes as f64 / n / 1024.0,
    )
}
