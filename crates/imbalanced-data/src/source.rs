//! Where data comes from and goes to: files or the standard streams (`-`),
//! plain or compressed (gzip, zstd, bzip2).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use crate::error::{DataError, Result};

/// A file's compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// `.gz` (written at level 6, zlib's default).
    Gzip,
    /// `.zst` (written at level 3, zstd's default).
    Zstd,
    /// `.bz2` (written at level 9, bzip2's default).
    Bzip2,
}

impl Compression {
    /// The compression a file name's last extension names (`data.csv.gz`).
    pub fn from_path(path: &Path) -> Compression {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("gz" | "gzip") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            Some("bz2") => Compression::Bzip2,
            _ => Compression::None,
        }
    }

    /// The compression data starting with `head` is in, by its magic number.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            [b'B', b'Z', b'h', ..] => Compression::Bzip2,
            _ => Compression::None,
        }
    }
}

/// Whether `path` stands for standard input or output (`-`).
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// `path` without a compression extension (`data.csv.gz` -> `data.csv`),
/// which names the format.
pub(crate) fn uncompressed_name(path: &Path) -> &Path {
    match Compression::from_path(path) {
        Compression::None => path,
        _ => path.file_stem().map_or(path, Path::new),
    }
}

/// A file's bytes: mapped from the page cache, read into memory, or built in.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
    Static(&'static [u8]),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
            Bytes::Static(s) => s,
        }
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// Files at least this large are mapped rather than copied.
const MAP_AT_LEAST: u64 = 1 << 20;

/// The whole content of `path` (`-`: standard input), decompressed when its
/// first bytes say it is gzip, zstd or bzip2 data. A large file is mapped
/// from the page cache rather than copied into a fresh buffer (whose pages
/// would all be faulted in and written).
pub fn read_bytes(path: &Path) -> Result<Bytes> {
    let io = |action: &'static str| {
        let path = path.to_path_buf();
        move |source| DataError::Io { action, path, source }
    };
    let raw = if is_stdio(path) {
        let mut raw = Vec::new();
        std::io::stdin().lock().read_to_end(&mut raw).map_err(io("read"))?;
        Bytes::Owned(raw)
    } else {
        let mut file = File::open(path).map_err(io("open"))?;
        if file.metadata().map_err(io("read"))?.len() >= MAP_AT_LEAST {
            // SAFETY: the map is read-only and private; another process
            // truncating the file while it is read is the one hazard (a
            // SIGBUS), as for every tool that maps its input (ripgrep).
            Bytes::Mapped(unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(io("map"))?)
        } else {
            let mut raw = Vec::new();
            file.read_to_end(&mut raw).map_err(io("read"))?;
            Bytes::Owned(raw)
        }
    };
    // Compressed data is decompressed from where it lies.
    let mut out = Vec::new();
    match Compression::sniff(&raw) {
        Compression::None => return Ok(raw),
        Compression::Gzip => flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out),
        Compression::Zstd => zstd::stream::read::Decoder::new(&raw[..]).and_then(|mut d| d.read_to_end(&mut out)),
        Compression::Bzip2 => bzip2::read::MultiBzDecoder::new(&raw[..]).read_to_end(&mut out),
    }
    .map_err(io("decompress"))?;
    Ok(Bytes::Owned(out))
}

/// Runs `body` on a writer to `path` (`-`: standard output), compressed as
/// its extension says. A file appears whole or not at all (see
/// [`crate::write_atomic`]).
pub fn write_output(path: &Path, body: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>) -> Result<()> {
    let io = |source| DataError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    if is_stdio(path) {
        let mut w = BufWriter::with_capacity(1 << 20, std::io::stdout());
        body(&mut w)?;
        return w.flush().map_err(io);
    }
    let compression = Compression::from_path(path);
    crate::io::write_atomic(path, |file| match compression {
        Compression::None => body(file),
        Compression::Gzip => {
            let mut w = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            body(&mut w)?;
            w.finish().map(drop).map_err(io)
        }
        Compression::Zstd => {
            let mut w = zstd::stream::write::Encoder::new(file, 3).map_err(io)?;
            body(&mut w)?;
            w.finish().map(drop).map_err(io)
        }
        Compression::Bzip2 => {
            let mut w = bzip2::write::BzEncoder::new(file, bzip2::Compression::best());
            body(&mut w)?;
            w.finish().map(drop).map_err(io)
        }
    })
}
