//! MediaPipe / BlazePose landmarks as a NumPy `.npy` array.
//!
//! The array is little-endian float32 or float64 in C order, shaped `(frames, 99)`,
//! `(frames, 132)`, `(frames, 33, 3)` or `(frames, 33, 4)`: the 33 landmarks in MediaPipe
//! order, each as x, y, z (and visibility). x and y are image coordinates (y down); z is a
//! relative depth, kept but not a length. A frame of all zeros means no pose was detected
//! and becomes `NaN`. There is no clock: the rate comes from [`ReadOptions::rate_hz`].
//!
//! File layout: the magic `\x93NUMPY`, a major and minor version byte, the header length
//! (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), then a Python dict
//! literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (253, 99), }`, then
//! the data.

use super::columns::MEDIAPIPE_33;
use super::part::{Part, RawPoint, RawSkeleton};
use super::{Location, ReadError, ReadOptions};
use crate::recording::{Format, Layout, Space};

const MAGIC: &[u8] = b"\x93NUMPY";

/// What the header says.
#[derive(Debug, PartialEq)]
struct Header {
    /// Bytes per value: 4 (`<f4`) or 8 (`<f8`).
    value_bytes: usize,
    shape: Vec<u64>,
    /// Where the data starts.
    data_offset: usize,
}

/// Read a `.npy` array of MediaPipe landmarks.
pub(crate) fn read(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Part, ReadError> {
    let _ = opts; // no clock: the assembler takes the rate from the options
    let header = parse_header(name, bytes)?;
    let bad_shape = |why: String| ReadError::Layout {
        at: Location::file(name),
        problem: format!(
            "array shape {} {why}; expected (frames, 99), (frames, 132), (frames, 33, 3) or \
             (frames, 33, 4): the 33 MediaPipe landmarks as x, y, z [, visibility]",
            shape_text(&header.shape)
        ),
    };
    let channels = match header.shape.as_slice() {
        [_, 99] | [_, 33, 3] => 3,
        [_, 132] | [_, 33, 4] => 4,
        _ => return Err(bad_shape("is not a landmark array".into())),
    };
    let frames =
        usize::try_from(header.shape[0]).map_err(|_| bad_shape("has too many frames".into()))?;
    let row_values = 33 * channels;
    let data = bytes.get(header.data_offset..).unwrap_or_default();
    let needed = frames
        .checked_mul(row_values)
        .and_then(|n| n.checked_mul(header.value_bytes));
    let what = match needed {
        Some(n) if n == data.len() => None,
        Some(n) if n > data.len() => Some(format!("the file is truncated: it needs {n}")),
        Some(n) => Some(format!(
            "the data size does not match the shape: it needs {n}"
        )),
        None => Some("the shape is too large: it needs more than can be addressed".into()),
    };
    if let Some(what) = what {
        return Err(ReadError::Layout {
            at: Location::file(name),
            problem: format!(
                "{what} data bytes for shape {} of {}-byte values, found {}",
                shape_text(&header.shape),
                header.value_bytes,
                data.len()
            ),
        });
    }
    if frames == 0 {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "the array has 0 frames; expected at least one frame of 33 landmarks".into(),
        });
    }

    let value = |chunk: &[u8]| -> f64 {
        match *chunk {
            [a, b, c, d] => f64::from(f32::from_le_bytes([a, b, c, d])),
            [a, b, c, d, e, f, g, h] => f64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => f64::NAN,
        }
    };
    let mut points: Vec<RawPoint> = MEDIAPIPE_33
        .iter()
        .map(|n| RawPoint {
            name: (*n).to_string(),
            xyz: [
                Vec::with_capacity(frames),
                Vec::with_capacity(frames),
                Vec::with_capacity(frames),
            ],
            confidence: (channels == 4).then(|| Vec::with_capacity(frames)),
        })
        .collect();
    let mut undetected = 0usize;
    let mut row = Vec::with_capacity(row_values);
    for raw in data.chunks_exact(row_values * header.value_bytes) {
        row.clear();
        row.extend(raw.chunks_exact(header.value_bytes).map(value));
        let missing = row.iter().all(|v| *v == 0.0);
        undetected += usize::from(missing);
        for (p, values) in points.iter_mut().zip(row.chunks_exact(channels)) {
            for (a, axis) in p.xyz.iter_mut().enumerate() {
                let v = values.get(a).copied().unwrap_or(f64::NAN);
                axis.push(if missing || !v.is_finite() {
                    f64::NAN
                } else {
                    v
                });
            }
            if let Some(c) = &mut p.confidence {
                let v = values.get(3).copied().unwrap_or(0.0);
                c.push(if missing || !v.is_finite() {
                    0.0
                } else {
                    v as f32
                });
            }
        }
    }

    let mut part = Part::new(name, Format::MediapipeNpy);
    part.n_rows = frames;
    if undetected > 0 {
        part.notes.push(format!(
            "{undetected} of {frames} frames are all zeros (no pose detected): read as missing"
        ));
    }
    // Coordinates normalised to [0, 1] (MediaPipe) or in pixels.
    let max = points
        .iter()
        .flat_map(|p| p.xyz[0].iter().chain(&p.xyz[1]))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    part.skeleton = Some(RawSkeleton {
        layout: Layout::Mediapipe33,
        space: Space::Image {
            normalised: max <= 2.0,
        },
        dims: 2,
        up_axis: None,
        points,
    });
    Ok(part)
}

fn shape_text(shape: &[u64]) -> String {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    }
}

/// Parse the magic, version and header dict.
fn parse_header(name: &str, bytes: &[u8]) -> Result<Header, ReadError> {
    let err = |problem: String| ReadError::Layout {
        at: Location::file(name),
        problem,
    };
    if !bytes.starts_with(MAGIC) {
        return Err(err(
            "not a NumPy .npy file: it does not start with \\x93NUMPY".into(),
        ));
    }
    let (len, start) = match bytes.get(6..12) {
        Some([1, _, a, b, ..]) => (usize::from(u16::from_le_bytes([*a, *b])), 10usize),
        Some([2 | 3, _, a, b, c, d]) => (
            usize::try_from(u32::from_le_bytes([*a, *b, *c, *d])).unwrap_or(usize::MAX),
            12,
        ),
        Some([major, ..]) => {
            return Err(err(format!(
                "NumPy format version {major} is not read; expected version 1, 2 or 3"
            )))
        }
        Some([]) | None => return Err(err("the file is truncated inside the .npy header".into())),
    };
    let dict = start
        .checked_add(len)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| err("the file is truncated inside the .npy header".into()))?;
    let dict = std::str::from_utf8(dict).map_err(|_| err("the .npy header is not text".into()))?;
    let bad = |what: &str| {
        let shown: String = dict.trim().chars().take(120).collect();
        err(format!("the .npy header has no valid {what}: {shown}"))
    };

    let descr = dict_value(dict, "descr").ok_or_else(|| bad("'descr'"))?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let value_bytes = match descr {
        "<f4" => 4,
        "<f8" => 8,
        ">f4" | ">f8" => {
            return Err(err(format!(
                "big-endian values ('{descr}') are not read; expected little-endian float32 \
                 ('<f4') or float64 ('<f8'); save the array with .astype('<f4')"
            )))
        }
        other => {
            return Err(err(format!(
                "values of type '{other}' are not read; expected float32 ('<f4') or float64 \
                 ('<f8') landmark coordinates"
            )))
        }
    };
    match dict_value(dict, "fortran_order") {
        Some("False") => {}
        Some("True") => {
            return Err(err(
                "the array is in Fortran order; expected C order (save it with \
                 np.ascontiguousarray)"
                    .into(),
            ))
        }
        _ => return Err(bad("'fortran_order'")),
    }
    let shape = dict_value(dict, "shape").ok_or_else(|| bad("'shape'"))?;
    let shape = shape
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| bad("'shape'"))?;
    let shape: Vec<u64> = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("'shape'"))?;
    Ok(Header {
        value_bytes,
        shape,
        data_offset: start + len,
    })
}

/// The text of a value in the header's dict literal: a quoted string, a parenthesised tuple
/// or a bare word (`True`, `False`).
fn dict_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let quoted = [format!("'{key}'"), format!("\"{key}\"")];
    let at = quoted
        .iter()
        .find_map(|q| dict.find(q.as_str()).map(|p| p + q.len()))?;
    let rest = dict.get(at..)?.trim_start().strip_prefix(':')?.trim_start();
    let end = match rest.chars().next()? {
        q @ ('\'' | '"') => rest.get(1..)?.find(q)? + 2,
        '(' => rest.find(')')? + 1,
        _ => rest.find([',', '}']).unwrap_or(rest.len()),
    };
    rest.get(..end).map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read as read_paths;
    use std::path::PathBuf;

    /// A version-1 .npy file of little-endian float32 values.
    fn npy_f4(shape: &str, values: &[f32]) -> Vec<u8> {
        let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        let mut header = dict.into_bytes();
        // Pad with spaces so that the data starts on a multiple of 64 bytes, end with \n.
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(b' ');
        }
        header.push(b'\n');
        let mut out = MAGIC.to_vec();
        out.extend([1, 0]);
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header);
        for v in values {
            out.extend(v.to_le_bytes());
        }
        out
    }

    fn ok<T>(r: Result<T, ReadError>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Frame 0: landmark k at (k/100, k/50, 0.5); frame 1: all zeros; frame 2: frame 0 + 0.1.
    fn three_frames() -> Vec<f32> {
        let mut v = Vec::new();
        for f in 0..3 {
            for k in 0..33 {
                let (x, y, z) = (k as f32 / 100.0, k as f32 / 50.0, 0.5);
                let d = if f == 2 { 0.1 } else { 0.0 };
                if f == 1 {
                    v.extend([0.0, 0.0, 0.0]);
                } else {
                    v.extend([x + d, y + d, z]);
                }
            }
        }
        v
    }

    #[test]
    fn flat_float32_frames_are_landmarks() {
        let bytes = npy_f4("(3, 99)", &three_frames());
        let p = ok(read("pose.npy", &bytes, &ReadOptions::default()));
        assert_eq!(p.n_rows, 3);
        assert!(p.time.is_none());
        assert_eq!(p.nominal_rate_hz, None);
        let sk = p.skeleton.as_ref().unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Mediapipe33);
        assert_eq!(sk.space, Space::Image { normalised: true });
        assert_eq!(sk.dims, 2);
        assert_eq!(sk.points.len(), 33);
        let heel = &sk.points[29];
        assert_eq!(heel.name, "left_heel");
        assert!((heel.xyz[0][0] - 0.29).abs() < 1e-6);
        assert!((heel.xyz[1][0] - 0.58).abs() < 1e-6);
        assert!(heel.xyz.iter().all(|a| a[1].is_nan()), "frame 1 undetected");
        assert!((heel.xyz[0][2] - 0.39).abs() < 1e-6);
        assert!(heel.confidence.is_none());
        assert!(p.notes.iter().any(|n| n.starts_with("1 of 3 frames")));
    }

    #[test]
    fn visibility_and_3d_shapes_and_float64() {
        // (2, 33, 4) float32: visibility in the 4th channel.
        let mut v = Vec::new();
        for f in 0..2 {
            for k in 0..33 {
                v.extend([k as f32, 1.0, 2.0, if f == 0 { 0.25 } else { 0.75 }]);
            }
        }
        let p = ok(read(
            "v.npy",
            &npy_f4("(2, 33, 4)", &v),
            &ReadOptions::default(),
        ));
        let sk = p.skeleton.unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.points[3].confidence, Some(vec![0.25, 0.75]));
        // x up to 32: pixels, not normalised.
        assert_eq!(sk.space, Space::Image { normalised: false });
        assert_eq!(sk.points[3].xyz[0], vec![3.0, 3.0]);

        // (1, 132) float64, version 2 header.
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 132), }\n";
        let mut bytes = MAGIC.to_vec();
        bytes.extend([2, 0]);
        bytes.extend((dict.len() as u32).to_le_bytes());
        bytes.extend(dict.as_bytes());
        for k in 0..33 {
            for c in [0.5, 0.25, 0.0, 1.0f64] {
                bytes.extend((c + f64::from(k) * 1e-3).to_le_bytes());
            }
        }
        let p = ok(read("v2.npy", &bytes, &ReadOptions::default()));
        let sk = p.skeleton.unwrap_or_else(|| panic!("no skeleton"));
        assert!((sk.points[10].xyz[1][0] - 0.26).abs() < 1e-12);
        assert_eq!(sk.points[10].confidence, Some(vec![1.01]));
    }

    #[test]
    fn wrong_types_orders_shapes_and_sizes_are_refused() {
        let good = npy_f4("(3, 99)", &three_frames());
        // Replace header text by text of the same length (the header length stays right).
        let with = |from: &str, to: &str| {
            assert_eq!(from.len(), to.len());
            let pos = good
                .windows(from.len())
                .position(|w| w == from.as_bytes())
                .unwrap_or_else(|| panic!("{from} not in the header"));
            let mut b = good.clone();
            b[pos..pos + to.len()].copy_from_slice(to.as_bytes());
            read("x.npy", &b, &ReadOptions::default())
        };
        let msg = |r: Result<Part, ReadError>| match r {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(msg(with("<f4", "<i4")).contains("'<i4'"));
        assert!(msg(with("<f4", ">f4")).contains("big-endian"));
        assert!(msg(with("False", "True ")).contains("Fortran order"));
        assert!(msg(with("(3, 99)", "(3, 98)")).contains("(3, 98)"));
        assert!(msg(with("(3, 99)", "(4, 99)")).contains("truncated"));
        assert!(msg(with("(3, 99)", "(2, 99)")).contains("does not match"));
        assert!(msg(with("(3, 99)", "(0, 99)")).contains("does not match"));
        let huge = "(99999999999999999999, 99)";
        let mut b = npy_f4(huge, &[]);
        assert!(read("h.npy", &b, &ReadOptions::default()).is_err());
        b = npy_f4("(18446744073709551615, 33, 3)", &[]);
        assert!(read("h.npy", &b, &ReadOptions::default()).is_err());
    }

    #[test]
    fn truncated_and_garbage_input_is_refused_without_panic() {
        let good = npy_f4("(3, 99)", &three_frames());
        for end in 0..good.len() {
            assert!(read("cut.npy", &good[..end], &ReadOptions::default()).is_err());
        }
        for garbage in [
            &b"garbage"[..],
            b"\x93NUMPY",
            b"\x93NUMPY\x01\x00\xff\xff{",
            b"\x93NUMPY\x09\x00",
        ] {
            assert!(read("g.npy", garbage, &ReadOptions::default()).is_err());
        }
    }

    #[test]
    fn no_rate_means_need_rate() {
        let bytes = npy_f4("(3, 99)", &three_frames());
        let e = crate::io::read_bytes("pose.npy", &bytes, &ReadOptions::default());
        assert!(matches!(e, Err(ReadError::NeedRate { .. })), "{e:?}");
        let opts = ReadOptions {
            rate_hz: Some(30.0),
            ..Default::default()
        };
        let rec = ok(crate::io::read_bytes("pose.npy", &bytes, &opts));
        assert_eq!(rec.n_samples, 3);
        assert_eq!(rec.source.format, Format::MediapipeNpy);
    }

    fn real(rel: &str) -> Option<PathBuf> {
        crate::test_support::real_data(rel)
    }

    #[test]
    fn real_countix_squat() {
        let Some(p) = real("countix_fitness_pose/test_poses/squat017.npy") else {
            return;
        };
        let opts = ReadOptions {
            rate_hz: Some(30.0),
            ..Default::default()
        };
        let rec = ok(read_paths(&[&p], &opts));
        assert_eq!(rec.source.format, Format::MediapipeNpy);
        assert_eq!(rec.n_samples, 253);
        assert_eq!(rec.sampling_rate_hz, 30.0);
        let sk = rec
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.points.len(), 33);
        assert_eq!(sk.space, Space::Image { normalised: true });
        let xs = sk
            .points
            .iter()
            .flat_map(|p| p.position.iter().map(|v| v.x));
        assert!(xs
            .filter(|x| x.is_finite())
            .all(|x| (0.0..=1.0).contains(&x)));
        // Without a rate: NeedRate.
        let e = read_paths(&[&p], &ReadOptions::default());
        assert!(matches!(e, Err(ReadError::NeedRate { .. })), "{e:?}");
        // Every copied sequence reads, with as many frames as its size says.
        let dir = p.parent().unwrap_or_else(|| panic!("no folder"));
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}"));
        for entry in entries.flatten() {
            let path = entry.path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
            let frames = (bytes.len() - 128) / (99 * 4);
            let part = ok(read(&path.display().to_string(), &bytes, &opts));
            assert_eq!(part.n_rows, frames, "{}", path.display());
        }
    }
}
