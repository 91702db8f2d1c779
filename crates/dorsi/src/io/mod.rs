//! Readers: files → [`Recording`].
//!
//! [`read`] takes the files of one recording (one file, a MetaMotion accelerometer +
//! gyroscope pair, a folder of OpenPose JSON frames...), detects each file's format (or uses
//! [`ReadOptions::format`]), reads it into raw columns, puts all files on one uniform time base,
//! decides the units (from the header, the format, or the data, with the evidence kept) and
//! returns a [`Recording`] in SI units.
//!
//! ```
//! use dorsi::io::{read, ReadOptions};
//! # fn main() -> Result<(), dorsi::io::ReadError> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
//! let rec = read(&[path], &ReadOptions::default())?;
//! for imu in &rec.imus {
//!     let unit = imu.acc_unit.as_ref().map(|u| u.unit.name()).unwrap_or("-");
//!     println!("{}: accelerometer in {unit} in the file", imu.name);
//! }
//! # Ok(()) }
//! ```
//!
//! Bad input never panics: every error is a [`ReadError`] naming the file and, where it
//! applies, the line and column, and what was expected.

mod assemble;
mod columns;
mod datetime;
mod delimited;
mod error;
mod markers;
mod mot;
mod npy;
mod openpose;
mod part;
mod text;
mod trc;
mod units;

use std::path::Path;

pub(crate) use columns::MEDIAPIPE_33;
pub use error::{Location, ReadError};

use crate::recording::{AccUnit, Format, GyroUnit, Recording};
use part::Part;

/// Options for [`read`]. `Default` reads with format detection, the file's own clock and
/// units decided from the file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// The sampling rate, Hz: required for files without a clock (NumPy arrays, OpenPose
    /// folders, CSVs without a time column); for files with one, the grid rate.
    pub rate_hz: Option<f64>,
    /// The accelerometer unit of the file, overriding the header and inference.
    pub acc_unit: Option<AccUnit>,
    /// The gyroscope unit of the file, overriding the header and inference.
    pub gyro_unit: Option<GyroUnit>,
    /// Gaps up to this long are filled by linear interpolation, s (default 0.25).
    pub max_fill_s: f64,
    /// Gaps longer than this are refused as an error rather than kept as a split, s
    /// (default 600: a file with hours missing is more likely two recordings).
    pub max_gap_s: f64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            rate_hz: None,
            acc_unit: None,
            gyro_unit: None,
            max_fill_s: 0.25,
            max_gap_s: 600.0,
        }
    }
}

impl ReadOptions {
    /// Check the options: a rate must be positive and finite, gap limits non-negative.
    pub fn validate(&self) -> Result<(), ReadError> {
        if let Some(r) = self.rate_hz {
            if !(r.is_finite() && r > 0.0 && r <= 1.0e6) {
                return Err(ReadError::Option(format!(
                    "rate must be a positive number of Hz up to 1e6, got {r}"
                )));
            }
        }
        if !(self.max_fill_s.is_finite() && self.max_fill_s >= 0.0) {
            return Err(ReadError::Option(format!(
                "max_fill_s must be >= 0, got {}",
                self.max_fill_s
            )));
        }
        if !(self.max_gap_s.is_finite() && self.max_gap_s >= self.max_fill_s) {
            return Err(ReadError::Option(format!(
                "max_gap_s must be >= max_fill_s, got {}",
                self.max_gap_s
            )));
        }
        Ok(())
    }
}

/// The formats [`read`] takes, by their `--format` names.
pub const FORMATS: &[Format] = &[
    Format::GenericCsv,
    Format::MetaMotion,
    Format::Xsens,
    Format::Phyphox,
    Format::CoreMotion,
    Format::MediapipeCsv,
    Format::MediapipeNpy,
    Format::OpenposeJson,
    Format::Trc,
    Format::Mot,
];

/// Parse a `--format` name (`generic_csv`, `trc`...; `csv` is accepted for `generic_csv`).
pub fn parse_format(name: &str) -> Option<Format> {
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    if n == "csv" {
        return Some(Format::GenericCsv);
    }
    FORMATS.iter().copied().find(|f| f.name() == n)
}

fn known_formats() -> String {
    FORMATS
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Read the files of one recording.
///
/// All paths are parts of one recording: a MetaMotion accelerometer file and its gyroscope
/// file, the left- and right-foot files of one trial, or a single file. A folder is read as
/// OpenPose-style JSON frames.
pub fn read<P: AsRef<Path>>(paths: &[P], opts: &ReadOptions) -> Result<Recording, ReadError> {
    opts.validate()?;
    if paths.is_empty() {
        return Err(ReadError::Option("no input file given".into()));
    }
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        parts.push(read_part(p.as_ref(), opts)?);
    }
    assemble::assemble(parts, opts)
}

/// Read bytes as if they were a file called `name` (format detection uses the name's
/// extension and the bytes). Useful for data that is already in memory, and for tests.
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Recording, ReadError> {
    opts.validate()?;
    let part = read_part_bytes(name, bytes, opts)?;
    assemble::assemble(vec![part], opts)
}

fn read_part(path: &Path, opts: &ReadOptions) -> Result<Part, ReadError> {
    let name = path.display().to_string();
    let io_err = |source| ReadError::Io {
        file: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        if let Some(f) = opts.format {
            if f != Format::OpenposeJson {
                return Err(ReadError::Layout {
                    at: Location::file(&name),
                    problem: format!("a folder can only be read as openpose_json, not {f}"),
                });
            }
        }
        return openpose::read_folder(path, &name, opts);
    }
    let format = match opts.format {
        Some(f) => f,
        None => {
            let head = text::read_head(path, &name)?;
            detect(&name, &head)?
        }
    };
    match format {
        Format::GenericCsv
        | Format::MetaMotion
        | Format::Xsens
        | Format::Phyphox
        | Format::CoreMotion
        | Format::MediapipeCsv => {
            let file = std::fs::File::open(path).map_err(io_err)?;
            delimited::read(&name, file, opts)
        }
        _ => {
            let bytes = text::read_all(path, &name)?;
            read_part_bytes_as(&name, &bytes, format, opts)
        }
    }
}

fn read_part_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Part, ReadError> {
    let format = match opts.format {
        Some(f) => f,
        None => detect(name, &bytes[..bytes.len().min(text::HEAD_BYTES)])?,
    };
    read_part_bytes_as(name, bytes, format, opts)
}

fn read_part_bytes_as(
    name: &str,
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<Part, ReadError> {
    match format {
        Format::MediapipeNpy => npy::read(name, bytes, opts),
        Format::Trc => trc::read(name, bytes),
        Format::Mot => mot::read(name, bytes),
        Format::OpenposeJson => openpose::read_frames(name, &[(name.to_string(), bytes)], opts),
        _ => delimited::read(name, bytes, opts),
    }
}

/// Detect a file's format from its name and first bytes.
fn detect(name: &str, head: &[u8]) -> Result<Format, ReadError> {
    let lower = name.to_ascii_lowercase();
    if head.starts_with(b"\x93NUMPY") || lower.ends_with(".npy") {
        return Ok(Format::MediapipeNpy);
    }
    if head.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "the file is empty; expected a header row and data rows".into(),
        });
    }
    let trimmed = text::skip_bom(head);
    if trimmed.starts_with(b"PathFileType") || lower.ends_with(".trc") {
        return Ok(Format::Trc);
    }
    if lower.ends_with(".json") || trimmed.first() == Some(&b'{') {
        return Ok(Format::OpenposeJson);
    }
    if lower.ends_with(".mot")
        || lower.ends_with(".sto")
        || memchr::memmem::find(&trimmed[..trimmed.len().min(4096)], b"endheader").is_some()
    {
        return Ok(Format::Mot);
    }
    if let Some(pos) = text::binary_byte(trimmed) {
        return Err(ReadError::Binary {
            at: Location::line(name, text::line_number_at(trimmed, pos)),
            byte: trimmed[pos],
        });
    }
    if lower.ends_with(".c3d") || lower.ends_with(".mat") || lower.ends_with(".zip") {
        return Err(ReadError::UnknownFormat {
            file: name.into(),
            why: "C3D, MATLAB and zip files are not read yet; export the data as CSV or TRC".into(),
            known: known_formats(),
        });
    }
    // Everything else is delimited text; the columns decide the flavour.
    Ok(Format::GenericCsv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in FORMATS {
            assert_eq!(parse_format(f.name()), Some(*f));
        }
        assert_eq!(parse_format("CSV"), Some(Format::GenericCsv));
        assert_eq!(parse_format("c3d"), None);
    }

    #[test]
    fn options_are_validated() {
        let bad = ReadOptions {
            rate_hz: Some(-1.0),
            ..Default::default()
        };
        assert!(matches!(bad.validate(), Err(ReadError::Option(_))));
        let nan = ReadOptions {
            rate_hz: Some(f64::NAN),
            ..Default::default()
        };
        assert!(nan.validate().is_err());
        assert!(ReadOptions::default().validate().is_ok());
    }
}
