//! Byte-level helpers shared by the readers: sniffing, binary detection, line limits.

use std::io::Read;
use std::path::Path;

use super::{Location, ReadError};

/// How many bytes format detection looks at.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// The longest line a text reader accepts, bytes. The widest real header seen (a 70-column
/// phone log) is about 2 KB; 4 MiB leaves room for thousands of columns.
pub(crate) const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// The largest file read whole into memory (TRC, MOT, NPY, JSON), bytes.
pub(crate) const MAX_WHOLE_FILE_BYTES: u64 = 1 << 31;

/// The first [`HEAD_BYTES`] of a file.
pub(crate) fn read_head(path: &Path, name: &str) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        file: name.into(),
        source,
    })?;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|source| ReadError::Io {
            file: name.into(),
            source,
        })?;
    Ok(head)
}

/// A whole file, refusing files over [`MAX_WHOLE_FILE_BYTES`].
pub(crate) fn read_all(path: &Path, name: &str) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        file: name.into(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_WHOLE_FILE_BYTES {
        return Err(ReadError::Layout {
            at: Location::file(name),
            problem: format!(
                "file of {len} bytes is larger than the {} bytes this format is read up to",
                MAX_WHOLE_FILE_BYTES
            ),
        });
    }
    std::fs::read(path).map_err(io)
}

/// The bytes after a UTF-8 byte-order mark, if there is one.
pub(crate) fn skip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// The position of the first byte that no text recording contains (NUL or other control
/// bytes than tab, CR, LF), if any.
pub(crate) fn binary_byte(b: &[u8]) -> Option<usize> {
    b.iter()
        .position(|&c| c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r' && c != 0x0c)
}

/// The 1-based line number of byte `pos`.
pub(crate) fn line_number_at(b: &[u8], pos: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &b[..pos.min(b.len())]).count() as u64
}

/// A reader that fails with an `InvalidData` error as soon as a line grows longer than
/// `limit` bytes, so a file of one 200 MB line is refused after reading a few MiB, and that
/// refuses binary bytes anywhere in the file.
pub(crate) struct Guarded<R> {
    inner: R,
    limit: usize,
    since_newline: usize,
    line: u64,
}

/// The kinds of failure [`Guarded`] reports, carried inside `io::Error`.
#[derive(Debug)]
pub(crate) enum GuardFailure {
    LineTooLong { line: u64, limit: usize },
    Binary { line: u64, byte: u8 },
}

impl std::fmt::Display for GuardFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for GuardFailure {}

impl<R: Read> Guarded<R> {
    pub(crate) fn new(inner: R, limit: usize) -> Self {
        Guarded {
            inner,
            limit,
            since_newline: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        if let Some(pos) = binary_byte(chunk) {
            let line = self.line + memchr::memchr_iter(b'\n', &chunk[..pos]).count() as u64;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                GuardFailure::Binary {
                    line,
                    byte: chunk[pos],
                },
            ));
        }
        let mut last = None;
        for p in memchr::memchr_iter(b'\n', chunk) {
            self.line += 1;
            last = Some(p);
        }
        self.since_newline = match last {
            Some(p) => chunk.len() - p - 1,
            None => self.since_newline + chunk.len(),
        };
        if self.since_newline > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                GuardFailure::LineTooLong {
                    line: self.line,
                    limit: self.limit,
                },
            ));
        }
        Ok(n)
    }
}

/// Turn an I/O error from a [`Guarded`] reader into the reader error it stands for.
pub(crate) fn guard_error(file: &str, e: std::io::Error) -> ReadError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<GuardFailure>())
    {
        Some(GuardFailure::LineTooLong { line, limit }) => ReadError::LineTooLong {
            at: Location::line(file, *line),
            limit: *limit,
        },
        Some(GuardFailure::Binary { line, byte }) => ReadError::Binary {
            at: Location::line(file, *line),
            byte: *byte,
        },
        None => ReadError::Io {
            file: file.into(),
            source: e,
        },
    }
}

/// Parse a number cell: surrounding blanks and quotes are ignored. Empty cells and `NaN`
/// give `Ok(NaN)` (a missing value); anything else that is not a number is `Err`.
/// Infinities are refused: no sensor reads infinity.
#[inline]
pub(crate) fn parse_number(cell: &[u8]) -> Result<f64, ()> {
    let s = trim(cell);
    if s.is_empty() {
        return Ok(f64::NAN);
    }
    let s = std::str::from_utf8(s).map_err(|_| ())?;
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) if v.is_nan() => Ok(f64::NAN),
        Ok(_) => Err(()),
        Err(_) => {
            if s.eq_ignore_ascii_case("nan") || s.eq_ignore_ascii_case("na") || s == "-" {
                Ok(f64::NAN)
            } else {
                Err(())
            }
        }
    }
}

/// Trim ASCII blanks and surrounding double quotes.
#[inline]
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    let mut s = b.trim_ascii();
    if s.len() >= 2 && s[0] == b'"' && s[s.len() - 1] == b'"' {
        s = s[1..s.len() - 1].trim_ascii();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_and_missing_values_are_nan() {
        assert_eq!(parse_number(b" 1.5 "), Ok(1.5));
        assert_eq!(parse_number(b"\"-2e-3\""), Ok(-0.002));
        assert!(parse_number(b"").unwrap_or(0.0).is_nan());
        assert!(parse_number(b"NaN").unwrap_or(0.0).is_nan());
        assert!(parse_number(b"inf").is_err());
        assert!(parse_number(b"abc").is_err());
    }

    #[test]
    fn guard_refuses_long_lines_and_binary() {
        let long = [b'1'; 100];
        let mut g = Guarded::new(&long[..], 50);
        let mut out = Vec::new();
        let e = g.read_to_end(&mut out).err().map(|e| guard_error("f", e));
        assert!(matches!(e, Some(ReadError::LineTooLong { .. })));
        let bin = b"a,b\n1,2\n\x00\x01";
        let mut g = Guarded::new(&bin[..], 50);
        let e = g.read_to_end(&mut out).err().map(|e| guard_error("f", e));
        match e {
            Some(ReadError::Binary { at, byte }) => {
                assert_eq!(at.line, Some(3));
                assert_eq!(byte, 0);
            }
            other => panic!("expected a binary error, got {other:?}"),
        }
    }
}
