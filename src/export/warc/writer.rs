//! WARC files as they fill: each starts with a `warcinfo` record, holds one gzip member per
//! record, and is closed for the next once it reaches the size limit. A file is written under a
//! temporary name and renamed when it is complete, so a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::ids::warcinfo_record_id;
use super::record::{Record, RecordType, warc_date};
use crate::export::ExportError;

/// A file the export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The file's name inside the output directory.
    pub name: String,
    pub size: u64,
    /// Hex SHA-256 of the whole file.
    pub sha256: String,
    /// Records in it, its warcinfo included.
    pub records: u64,
}

/// Where a record was written: the file and the offset of its gzip member, as `warcio extract
/// FILE OFFSET` takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub offset: u64,
}

struct OpenFile {
    name: String,
    temp: tempfile::NamedTempFile,
    size: u64,
    hasher: Sha256,
    records: u64,
}

/// Writes records into rotating WARC files in one directory.
pub struct WarcWriter {
    dir: PathBuf,
    prefix: String,
    max_size: u64,
    exported_at: DateTime<Utc>,
    /// What each warcinfo record says (beyond software and format), `name: value` lines.
    info: Vec<(String, String)>,
    current: Option<OpenFile>,
    serial: u32,
    files: Vec<WrittenFile>,
}

impl WarcWriter {
    /// Files will be named `PREFIX-00000.warc.gz`, `PREFIX-00001.warc.gz`, … in `dir`.
    pub fn new(
        dir: &Path,
        prefix: &str,
        max_size: u64,
        exported_at: DateTime<Utc>,
        info: Vec<(String, String)>,
    ) -> WarcWriter {
        WarcWriter {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            max_size,
            exported_at,
            info,
            current: None,
            serial: 0,
            files: Vec::new(),
        }
    }

    /// Writes one record, in a new file when this one would grow past the limit (a file holds
    /// at least one record beside its warcinfo, however big).
    pub fn write(&mut self, record: &Record) -> Result<Location, ExportError> {
        let (member, _) = record.to_gzip_member();
        if let Some(file) = &self.current
            && file.records > 1
            && file.size + member.len() as u64 > self.max_size
        {
            self.close()?;
        }
        if self.current.is_none() {
            self.open()?;
        }
        let file = self
            .current
            .as_mut()
            .expect("a file was opened above if none was");
        let offset = file.size;
        append(file, &member)?;
        Ok(Location {
            file: file.name.clone(),
            offset,
        })
    }

    /// Closes the last file; returns every file written.
    pub fn finish(mut self) -> Result<Vec<WrittenFile>, ExportError> {
        self.close()?;
        Ok(self.files)
    }

    fn open(&mut self) -> Result<(), ExportError> {
        let name = format!("{}-{:05}.warc.gz", self.prefix, self.serial);
        self.serial += 1;
        let temp = tempfile::Builder::new()
            .prefix(".claimwatch-")
            .suffix(".partial")
            .tempfile_in(&self.dir)
            .map_err(ExportError::io(&self.dir))?;
        let mut file = OpenFile {
            name: name.clone(),
            temp,
            size: 0,
            hasher: Sha256::new(),
            records: 0,
        };
        let mut block = format!(
            "software: claimwatch {}\r\nformat: WARC File Format 1.1\r\nconformsTo: \
             https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
            env!("CARGO_PKG_VERSION")
        );
        for (field, value) in &self.info {
            block.push_str(&format!(
                "{field}: {}\r\n",
                value.replace(['\r', '\n'], " ")
            ));
        }
        let exported_at = warc_date(self.exported_at);
        let mut info = Record::new(
            RecordType::Warcinfo,
            warcinfo_record_id(&name, &exported_at),
            self.exported_at,
            "application/warc-fields",
        )
        .field("WARC-Filename", name.as_str());
        info.block = block.into_bytes();
        append(&mut file, &info.to_gzip_member().0)?;
        self.current = Some(file);
        Ok(())
    }

    fn close(&mut self) -> Result<(), ExportError> {
        let Some(mut file) = self.current.take() else {
            return Ok(());
        };
        let path = self.dir.join(&file.name);
        file.temp
            .as_file_mut()
            .sync_all()
            .map_err(ExportError::io(&path))?;
        file.temp
            .persist_noclobber(&path)
            .map_err(|e| ExportError::Io {
                path: path.clone(),
                error: e.error,
            })?;
        self.files.push(WrittenFile {
            name: file.name,
            size: file.size,
            sha256: hex::encode(file.hasher.finalize()),
            records: file.records,
        });
        Ok(())
    }
}

fn append(file: &mut OpenFile, member: &[u8]) -> Result<(), ExportError> {
    file.temp
        .write_all(member)
        .map_err(ExportError::io(file.temp.path()))?;
    file.hasher.update(member);
    file.size += member.len() as u64;
    file.records += 1;
    Ok(())
}
