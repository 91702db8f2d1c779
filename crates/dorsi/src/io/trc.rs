//! TRC marker trajectories (OpenSim, Pose2Sim, Vicon exports).
//!
//! Layout (tab-separated; trailing tabs and blanks happen):
//!
//! ```text
//! PathFileType  4  (X/Y/Z)  walk.trc
//! DataRate  CameraRate  NumFrames  NumMarkers  Units  OrigDataRate ...
//! 100       100         221        20          mm     100 ...
//! Frame#  Time  LASI        RASI ...
//!               X1  Y1  Z1  X2  Y2  Z2 ...
//! (an optional blank line)
//! 153     1.52  -124.2  -747.4  875.2 ...
//! ```
//!
//! Positions are converted to metres and rotated (a proper rotation) so that the up axis of the
//! lab becomes +z. The up axis is found from the markers: pelvis markers above foot markers
//! when both kinds are named, otherwise the axis along which the markers of a frame spread the
//! most (a standing or walking body is taller than it is wide or long).

use super::part::{Part, RawSkeleton, TimeColumn, TimeKind};
use super::text::{self, parse_number};
use super::units::{parse_unit, Unit};
use super::{Location, ReadError};
use crate::recording::{Format, Layout, Space};

/// The lines of a text file with their 1-based numbers, without line ends (`\n` or `\r\n`)
/// and without a leading byte-order mark. Shared with the MOT reader.
pub(super) fn numbered_lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let body = text::skip_bom(bytes);
    // A final line end does not start another line.
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.strip_suffix(b"\r").unwrap_or(l)))
}

/// The cells of a line, trimmed: split on tabs when the line has any (an empty cell is a
/// missing value), otherwise on runs of blanks. Shared with the MOT reader.
pub(super) fn cells(line: &[u8]) -> Vec<&[u8]> {
    if line.contains(&b'\t') {
        line.split(|&b| b == b'\t').map(text::trim).collect()
    } else {
        line.split(|b| b.is_ascii_whitespace())
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// The first `width` cells of a row whose further cells are all empty (trailing tabs), or
/// the number of fields found (up to the last non-empty one) when the row has too few or
/// too many. Shared with the MOT reader.
pub(super) fn fit<'a, 'b>(row: &'a [&'b [u8]], width: usize) -> Result<&'a [&'b [u8]], usize> {
    match (row.get(..width), row.get(width..)) {
        (Some(head), Some(rest)) if rest.iter().all(|c| c.is_empty()) => Ok(head),
        _ => Err(row
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |p| p + 1)
            .max(row.len().min(width))),
    }
}

/// Refuse binary content (NUL and other control bytes) with the line where it starts.
pub(super) fn refuse_binary(name: &str, bytes: &[u8]) -> Result<(), ReadError> {
    match text::binary_byte(bytes) {
        Some(pos) => Err(ReadError::Binary {
            at: Location::line(name, text::line_number_at(bytes, pos)),
            byte: bytes[pos],
        }),
        None => Ok(()),
    }
}

fn utf8(cell: &[u8]) -> String {
    String::from_utf8_lossy(cell).into_owned()
}

/// Read a TRC file.
pub(crate) fn read(name: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    refuse_binary(name, bytes)?;
    let mut lines = numbered_lines(bytes);
    let layout_err = |line: u64, problem: String| ReadError::Layout {
        at: Location::line(name, line),
        problem,
    };
    let mut next_line = |what: &str| {
        lines.next().ok_or_else(|| ReadError::Empty {
            at: Location::file(name),
            what: format!("the TRC header ends early; expected {what}"),
        })
    };

    // Line 1: PathFileType.
    let (_, first) = next_line("'PathFileType 4 (X/Y/Z) <file>' on line 1")?;
    if !text::trim(first).starts_with(b"PathFileType") {
        return Err(ReadError::bad_value(
            Location::line(name, 1),
            "a TRC file starting with 'PathFileType 4 (X/Y/Z)'",
            text::trim(first),
        ));
    }

    // Lines 2 and 3: header names and values.
    let (keys_no, keys_line) =
        next_line("header names (DataRate, NumMarkers, Units...) on line 2")?;
    let (vals_no, vals_line) = next_line("header values on line 3")?;
    let keys = cells(keys_line);
    let vals = cells(vals_line);
    let header = |key: &str| -> Option<(usize, &[u8])> {
        let i = keys
            .iter()
            .position(|k| k.eq_ignore_ascii_case(key.as_bytes()))?;
        let v = vals.get(i).copied().filter(|v| !v.is_empty())?;
        Some((i, v))
    };
    let header_col = |i: usize, key: &str| format!("'{key}' (column {})", i + 1);

    let unit_factor = match header("Units") {
        Some((i, v)) => match parse_unit(&utf8(v)) {
            Some(Unit::Length(f)) => f,
            _ => {
                return Err(ReadError::Unit {
                    at: Location::line(name, vals_no).with_column(header_col(i, "Units")),
                    problem: format!("unknown marker unit '{}'; expected mm, cm or m", utf8(v)),
                })
            }
        },
        None => {
            return Err(ReadError::Unit {
                at: Location::line(name, keys_no),
                problem: "no 'Units' in the TRC header; expected Units mm, cm or m".into(),
            })
        }
    };
    let header_count = |key: &str| -> Result<Option<usize>, ReadError> {
        let Some((i, v)) = header(key) else {
            return Ok(None);
        };
        let n = parse_number(v)
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n < 1e12)
            .ok_or_else(|| {
                ReadError::bad_value(
                    Location::line(name, vals_no).with_column(header_col(i, key)),
                    "a whole number",
                    v,
                )
            })?;
        Ok(Some(n as usize))
    };
    let n_markers_header = header_count("NumMarkers")?;
    let n_frames_header = header_count("NumFrames")?;
    let mut notes = Vec::new();
    let rate = header("DataRate")
        .or_else(|| header("CameraRate"))
        .and_then(|(_, v)| parse_number(v).ok())
        .filter(|r| r.is_finite() && *r > 0.0);
    if rate.is_none() {
        notes.push(
            "no usable DataRate in the TRC header; the rate comes from the Time column".into(),
        );
    }

    // Line 4: Frame#, Time and the marker names.
    let (names_no, names_line) = next_line("'Frame#  Time  <marker names>' on line 4")?;
    let name_cells = cells(names_line);
    let starts_ok = name_cells.len() >= 2
        && name_cells[0].to_ascii_lowercase().starts_with(b"frame")
        && name_cells[1].eq_ignore_ascii_case(b"time");
    if !starts_ok {
        return Err(ReadError::bad_value(
            Location::line(name, names_no),
            "'Frame#' and 'Time' followed by the marker names",
            names_line,
        ));
    }
    let time_name = utf8(name_cells[1]);
    let markers: Vec<String> = name_cells[2..]
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| utf8(c))
        .collect();
    if markers.is_empty() {
        return Err(layout_err(
            names_no,
            "no marker names after 'Frame#' and 'Time'; expected one name per marker".into(),
        ));
    }
    if let Some(n) = n_markers_header {
        if n != markers.len() {
            return Err(layout_err(
                names_no,
                format!(
                    "the header (line {vals_no}) says NumMarkers {n} but this line names {} markers",
                    markers.len()
                ),
            ));
        }
    }
    let n_markers = markers.len();
    let width = 2 + 3 * n_markers;

    // Line 5 (X1 Y1 Z1 ...), then possibly a blank line, then the data rows.
    let mut xyz: Vec<[Vec<f64>; 3]> = vec![[Vec::new(), Vec::new(), Vec::new()]; n_markers];
    let mut time = Vec::new();
    let mut row_lines = Vec::new();
    let mut seen_labels = false;
    for (no, line) in lines {
        let row = cells(line);
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        if !seen_labels && time.is_empty() {
            seen_labels = true;
            let is_labels = row
                .iter()
                .find(|c| !c.is_empty())
                .is_some_and(|c| parse_number(c).is_err());
            if is_labels {
                let labels = row.iter().filter(|c| !c.is_empty()).count();
                if labels != 3 * n_markers {
                    return Err(layout_err(
                        no,
                        format!(
                            "expected X/Y/Z labels for the {n_markers} markers named on line \
                             {names_no} ({} labels), found {labels}",
                            3 * n_markers
                        ),
                    ));
                }
                continue;
            }
        }
        let row = fit(&row, width).map_err(|found| {
            layout_err(
                no,
                format!(
                    "expected {width} fields (Frame#, Time and X, Y, Z of the {n_markers} \
                     markers named on line {names_no}), found {found}"
                ),
            )
        })?;
        let t = parse_number(row[1]).ok().filter(|t| t.is_finite());
        let Some(t) = t else {
            return Err(ReadError::bad_value(
                Location::line(name, no).with_column("'Time' (column 2)"),
                "a time in seconds",
                row[1],
            ));
        };
        time.push(t);
        row_lines.push(no);
        for (m, axes) in xyz.iter_mut().enumerate() {
            for (a, values) in axes.iter_mut().enumerate() {
                let j = 2 + 3 * m + a;
                let v = parse_number(row[j]).map_err(|()| {
                    ReadError::bad_value(
                        Location::line(name, no).with_column(format!(
                            "'{}/{}' (column {})",
                            markers[m],
                            ["X", "Y", "Z"][a],
                            j + 1
                        )),
                        "a marker coordinate (a number, or empty when the marker is missing)",
                        row[j],
                    )
                })?;
                values.push(v * unit_factor);
            }
        }
    }
    if time.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "header only, no data rows; expected rows of 'Frame#  Time  X1  Y1  Z1 ...'"
                .into(),
        });
    }
    if let Some(n) = n_frames_header {
        if n != time.len() {
            notes.push(format!(
                "the TRC header says NumFrames {n} but the file has {} data rows; all rows read",
                time.len()
            ));
        }
    }

    let (points, up_axis, note) = super::markers::to_z_up(markers, xyz);
    notes.extend(note);

    let mut part = Part::new(name, Format::Trc);
    part.n_rows = time.len();
    part.lines = row_lines;
    part.time = Some(TimeColumn {
        name: time_name,
        kind: TimeKind::Relative,
        values: time,
    });
    part.nominal_rate_hz = rate;
    part.skeleton = Some(RawSkeleton {
        layout: Layout::Markers,
        space: Space::World,
        dims: 3,
        up_axis: Some(up_axis),
        points,
    });
    part.notes = notes;
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::markers::{decide_up, rotation_to_z_up};
    use crate::io::{read as read_paths, ReadOptions};
    use crate::signal::median;
    use nalgebra::Vector3;
    use std::path::PathBuf;

    /// Three frames of three markers, mm, Y up (pelvis at 900 mm, heel at 50, toe at 40),
    /// Vicon style: trailing tabs, blank line, a missing marker in frame 2.
    const SMALL: &str = "PathFileType\t4\t(X/Y/Z)\tsmall.trc\n\
        DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n\
        100\t100\t3\t3\tmm\t100\t11\t3\n\
        Frame#\tTime\tRASI\t\t\tRHEE\t\t\tRTOE\t\t\t\n\
        \t\tX1\tY1\tZ1\tX2\tY2\tZ2\tX3\tY3\tZ3\t\n\
        \n\
        11\t0.10\t0\t900\t100\t-100\t50\t100\t100\t40\t100\t\n\
        12\t0.11\t10\t901\t100\t\t\t\t110\t41\t100\n\
        13\t0.12\t20\t902\t100\t-80\t52\t100\t120\t42\t100\t\t\n";

    fn ok<T>(r: Result<T, ReadError>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn small_file_is_read_in_metres_z_up() {
        let p = ok(read("small.trc", SMALL.as_bytes()));
        assert_eq!(p.n_rows, 3);
        assert_eq!(p.lines, vec![7, 8, 9]);
        assert_eq!(p.nominal_rate_hz, Some(100.0));
        let t = p.time.as_ref().map(|t| t.values.clone());
        assert_eq!(t, Some(vec![0.10, 0.11, 0.12]));
        let sk = p.skeleton.as_ref().unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Markers);
        assert_eq!(sk.space, Space::World);
        assert_eq!(sk.dims, 3);
        let up = sk.up_axis.clone().unwrap_or_default();
        // Pelvis mean Y 901 mm, foot mean Y (50+52+40+41+42)/5 = 45 mm: 0.856 m.
        assert_eq!(up, "+Y (pelvis markers above foot markers by 0.86 m)");
        let names: Vec<&str> = sk.points.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["RASI", "RHEE", "RTOE"]);
        // Y up → (x, −z, y): RASI frame 1 (0, 900, 100) mm → (0, −0.1, 0.9) m.
        let asis = &sk.points[0].xyz;
        assert!((asis[0][0] - 0.0).abs() < 1e-12);
        assert!((asis[1][0] + 0.1).abs() < 1e-12);
        assert!((asis[2][0] - 0.9).abs() < 1e-12);
        assert!((asis[2][2] - 0.902).abs() < 1e-12);
        // The missing heel in frame 2 is NaN on every axis.
        let heel = &sk.points[1].xyz;
        assert!(heel.iter().all(|a| a[1].is_nan()));
        assert!((heel[2][0] - 0.05).abs() < 1e-12);
        assert!(
            p.notes.iter().any(|n| n.contains("y' = -Z")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn rotations_are_proper_and_put_the_up_axis_on_z() {
        for axis in 0..3 {
            for positive in [true, false] {
                let r = rotation_to_z_up(axis, positive);
                assert!((r.determinant() - 1.0).abs() < 1e-12);
                let mut up = Vector3::zeros();
                up[axis] = if positive { 1.0 } else { -1.0 };
                assert_eq!(r * up, Vector3::z());
            }
        }
    }

    #[test]
    fn up_axis_falls_back_to_the_largest_spread() {
        // No pelvis / foot names: the markers spread 1.7 m along X, less along Y and Z.
        let names = vec!["A".to_string(), "B".to_string()];
        let xyz = vec![
            [vec![0.0, 0.0], vec![0.0, 0.1], vec![0.0, 0.0]],
            [vec![1.7, 1.7], vec![0.2, 0.2], vec![0.3, 0.3]],
        ];
        let (axis, positive, why) = decide_up(&names, &xyz);
        assert_eq!((axis, positive), (0, true));
        assert!(why.contains("1.70 m"), "{why}");
    }

    #[test]
    fn marker_count_mismatches_name_the_line() {
        let e = read(
            "x.trc",
            SMALL
                .replace("100\t100\t3\t3\t", "100\t100\t3\t4\t")
                .as_bytes(),
        );
        match e {
            Err(ReadError::Layout { at, problem }) => {
                assert_eq!(at.line, Some(4));
                assert!(problem.contains("NumMarkers 4"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        // A data row with one coordinate too many.
        let extra = SMALL.replace("13\t0.12\t20\t902", "13\t0.12\t5\t20\t902");
        match read("x.trc", extra.as_bytes()) {
            Err(ReadError::Layout { at, problem }) => {
                assert_eq!(at.line, Some(9));
                assert!(problem.contains("expected 11 fields"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        // Labels for two markers only.
        let labels = SMALL.replace("\tX3\tY3\tZ3", "");
        match read("x.trc", labels.as_bytes()) {
            Err(ReadError::Layout { at, .. }) => assert_eq!(at.line, Some(5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_last_marker_keeps_its_tabs() {
        let gone = SMALL.replace("110\t41\t100\n", "\t\t\n");
        let p = ok(read("x.trc", gone.as_bytes()));
        let sk = p.skeleton.unwrap_or_else(|| panic!("no skeleton"));
        assert!(sk.points[2].xyz[0][1].is_nan());
        assert!((sk.points[2].xyz[2][2] - 0.042).abs() < 1e-12);
        // Tabs trimmed away: the row is short, which is an error.
        let short = SMALL.replace("\t110\t41\t100\n", "\n");
        assert!(matches!(
            read("x.trc", short.as_bytes()),
            Err(ReadError::Layout { .. })
        ));
    }

    #[test]
    fn bad_cells_and_units_are_errors() {
        let bad = SMALL.replace("\t901\t", "\tabc\t");
        match read("x.trc", bad.as_bytes()) {
            Err(ReadError::BadValue { at, found, .. }) => {
                assert_eq!(at.line, Some(8));
                assert_eq!(at.column.as_deref(), Some("'RASI/Y' (column 4)"));
                assert_eq!(found, "abc");
            }
            other => panic!("{other:?}"),
        }
        let inches = SMALL.replace("\tmm\t", "\tin\t");
        assert!(matches!(
            read("x.trc", inches.as_bytes()),
            Err(ReadError::Unit { .. })
        ));
        let no_time = SMALL.replace("12\t0.11\t", "12\t\t");
        match read("x.trc", no_time.as_bytes()) {
            Err(ReadError::BadValue { at, .. }) => assert_eq!(at.line, Some(8)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_and_garbage_input_is_refused_without_panic() {
        let bytes = SMALL.as_bytes();
        for end in 0..bytes.len() {
            let _ = read("cut.trc", &bytes[..end]);
        }
        // Cut inside the header: an error, never a part.
        for end in 0..SMALL.find("\n11\t").unwrap_or(0) {
            assert!(read("cut.trc", &bytes[..end]).is_err(), "cut at {end}");
        }
        assert!(read("g.trc", b"\x00\x01garbage").is_err());
        assert!(read("g.trc", b"PathFileType\n\xff\xfe\n\n\n").is_err());
    }

    /// A folder of the shared real data, or `None` (with a message) when it is absent and
    /// the `CI` variable is not set.
    fn real(rel: &str) -> Option<PathBuf> {
        crate::test_support::real_data(rel)
    }

    fn heights(rec: &crate::Recording, marker: &str) -> Vec<f64> {
        let sk = rec
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        let p = sk
            .point(marker)
            .unwrap_or_else(|| panic!("no marker {marker}"));
        p.position.iter().map(|v| v.z).collect()
    }

    fn min(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn real_ktk_cgm_walk() {
        let Some(p) = real("ktk_walk_cgm21/walk_lowerlimb_markers.trc") else {
            return;
        };
        let rec = ok(read_paths(&[p], &ReadOptions::default()));
        assert_eq!(rec.source.format, Format::Trc);
        assert_eq!(rec.sampling_rate_hz, 100.0);
        assert_eq!(rec.n_samples, 221);
        assert!((rec.start_s - 1.52).abs() < 1e-9, "{}", rec.start_s);
        let sk = rec
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.points.len(), 20);
        let up = sk.up_axis.clone().unwrap_or_default();
        assert!(
            up.starts_with("+Z (pelvis markers above foot markers"),
            "{up}"
        );
        for heel in ["LHEE", "RHEE"] {
            let lowest = min(&heights(&rec, heel));
            assert!((0.03..0.1).contains(&lowest), "{heel} {lowest}");
        }
        let asis = median(heights(&rec, "LASI").into_iter());
        assert!((0.8..1.1).contains(&asis), "{asis}");
    }

    #[test]
    fn real_opensim_subject01_walk() {
        let Some(p) = real("opensim_subject01_walk1/subject01_walk1.trc") else {
            return;
        };
        let rec = ok(read_paths(&[p], &ReadOptions::default()));
        assert_eq!(rec.sampling_rate_hz, 60.0);
        assert_eq!(rec.n_samples, 151);
        assert_eq!(rec.start_s, 0.0);
        let sk = rec
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.points.len(), 41);
        let up = sk.up_axis.clone().unwrap_or_default();
        assert!(
            up.starts_with("+Y (pelvis markers above foot markers"),
            "{up}"
        );
        for heel in ["L.Heel", "R.Heel"] {
            let lowest = min(&heights(&rec, heel));
            assert!((0.03..0.1).contains(&lowest), "{heel} {lowest}");
        }
        let asis = median(heights(&rec, "R.ASIS").into_iter());
        assert!((0.8..1.2).contains(&asis), "{asis}");
        // The top of the head is the highest marker, about 1.7 m up.
        let head = heights(&rec, "Top.Head");
        assert!(median(head.into_iter()) > 1.5);
    }
}
