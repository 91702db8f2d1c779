//! Errors of the readers: each names the file and, where it applies, the line and column.

use std::fmt;

/// Where in an input something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or folder) as the user named it.
    pub file: String,
    /// 1-based line of the file (for text formats) or frame / row index (for binary ones).
    pub line: Option<u64>,
    /// The column, by header name and 1-based position, where one applies.
    pub column: Option<String>,
}

impl Location {
    /// A location naming only the file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }
    /// A location naming the file and a line.
    pub fn line(file: impl Into<String>, line: u64) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            column: None,
        }
    }
    /// The same location, with a column.
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        Ok(())
    }
}

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file holds no data rows.
    #[error("{at}: no data: {what}")]
    Empty {
        /// Where.
        at: Location,
        /// What was expected.
        what: String,
    },
    /// The file is binary where text was expected.
    #[error("{at}: this is a binary file, not a text recording (found byte 0x{byte:02x}); expected CSV / text, .npy, .trc, .mot or a folder of OpenPose JSON")]
    Binary {
        /// Where the first binary byte is.
        at: Location,
        /// The byte found.
        byte: u8,
    },
    /// A line longer than any recording's line.
    #[error("{at}: line longer than {limit} bytes: not a recording this reader takes (expected one row of values per line)")]
    LineTooLong {
        /// Where.
        at: Location,
        /// The limit in bytes.
        limit: usize,
    },
    /// A cell does not hold what its column needs.
    #[error("{at}: expected {expected}, found {found:?}")]
    BadValue {
        /// Where (line and column).
        at: Location,
        /// What the column needs.
        expected: String,
        /// What the cell holds (shortened).
        found: String,
    },
    /// A row with the wrong number of fields.
    #[error("{at}: expected {expected} fields (as in the header), found {found}")]
    Ragged {
        /// Where.
        at: Location,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A problem with the time column: duplicated or decreasing timestamps, a gap too long.
    #[error("{at}: {problem}")]
    Time {
        /// Where.
        at: Location,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// The file is not laid out as its format requires (wrong marker count, bad header...).
    #[error("{at}: {problem}")]
    Layout {
        /// Where.
        at: Location,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// A unit that is unknown, contradicts the data, or cannot be inferred.
    #[error("{at}: {problem}")]
    Unit {
        /// Where.
        at: Location,
        /// What is wrong and what to do.
        problem: String,
    },
    /// The format could not be recognised.
    #[error("{file}: unrecognised format: {why}; name it with --format ({known})")]
    UnknownFormat {
        /// The file.
        file: String,
        /// Why detection failed.
        why: String,
        /// The formats Dorsi reads.
        known: String,
    },
    /// The recording has no clock and no rate was given.
    #[error("{file}: no time column ({found}); give the sampling rate with --rate HZ")]
    NeedRate {
        /// The file.
        file: String,
        /// What was looked for / found.
        found: String,
    },
    /// Several files could not be joined into one recording.
    #[error("{problem}")]
    Join {
        /// What is wrong.
        problem: String,
    },
    /// An invalid reader option.
    #[error("invalid option: {0}")]
    Option(String),
}

impl ReadError {
    /// A `BadValue` error with the found text shortened to something printable.
    pub(crate) fn bad_value(at: Location, expected: impl Into<String>, found: &[u8]) -> Self {
        let text = String::from_utf8_lossy(found);
        let mut found: String = text.chars().take(40).collect();
        if text.chars().count() > 40 {
            found.push('…');
        }
        ReadError::BadValue {
            at,
            expected: expected.into(),
            found,
        }
    }
}
