//! A manifest of files and their SHA-256, in the format `sha256sum` writes and `sha256sum -c`
//! checks: `HEX  NAME`, one file a line.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::ExportError;

/// Hex SHA-256 of the file at `path`, read in pieces.
pub fn file_sha256(path: &Path) -> Result<String, ExportError> {
    let mut file = std::fs::File::open(path).map_err(ExportError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(ExportError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The manifest's text for (name, hex SHA-256) pairs, sorted by name.
pub fn manifest_text(files: &[(String, String)]) -> String {
    let mut files = files.to_vec();
    files.sort();
    files
        .iter()
        .map(|(name, sha256)| format!("{sha256}  {name}\n"))
        .collect()
}
