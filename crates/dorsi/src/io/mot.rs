//! OpenSim storage files (`.mot`, `.sto`): joint angles, ground reaction forces.
//!
//! ```text
//! Coordinates
//! version=1
//! nRows=158
//! nColumns=36
//! inDegrees=yes
//! endheader
//! time  pelvis_tilt  pelvis_tx  ...  ankle_angle_r ...
//!   0.00  12.2  -0.07 ...
//! ```
//!
//! Every column but `time` becomes a signal in SI units: translations (`*_tx`, `*_ty`,
//! `*_tz`) and centres of pressure (`*_force_p*`) in m, forces (`*_force_v*`) in N, torques
//! and moments in N*m, and the other columns, joint coordinates, in rad (converted from
//! degrees when the header says `inDegrees=yes`).

use super::part::{Part, RawSignal, TimeColumn, TimeKind};
use super::text::{self, parse_number};
use super::trc::{cells, fit, numbered_lines, refuse_binary};
use super::units::median;
use super::{Location, ReadError};
use crate::recording::Format;

/// What a storage column holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Translation,
    Force,
    CentreOfPressure,
    Torque,
    /// A joint coordinate: an angle.
    Angle,
    /// Something Dorsi does not convert (activations, speeds, lengths...).
    Other,
}

fn classify(column: &str) -> Quantity {
    // OpenSim 4 state names are paths: `/jointset/hip_r/hip_flexion_r/value`.
    let mut segments = column.rsplit('/').filter(|s| !s.is_empty());
    let last = segments.next().unwrap_or(column).to_ascii_lowercase();
    let base = if last == "value" {
        segments.next().unwrap_or(column).to_ascii_lowercase()
    } else {
        last
    };
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| base.ends_with(s));
    if base.contains("force_p") {
        Quantity::CentreOfPressure
    } else if base.contains("torque") || base.contains("moment") {
        Quantity::Torque
    } else if base.contains("force_v") || base.ends_with("force") {
        Quantity::Force
    } else if ends(&["_tx", "_ty", "_tz"]) {
        Quantity::Translation
    } else if ends(&[
        "activation",
        "excitation",
        "speed",
        "velocity",
        "acceleration",
        "length",
        "power",
        "work",
        "energy",
    ]) {
        Quantity::Other
    } else {
        Quantity::Angle
    }
}

/// Read an OpenSim storage file.
pub(crate) fn read(name: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    refuse_binary(name, bytes)?;
    let mut lines = numbered_lines(bytes);
    let mut part = Part::new(name, Format::Mot);

    // Header: `key=value` lines up to `endheader`.
    let mut in_degrees: Option<bool> = None;
    let mut n_rows: Option<(u64, usize)> = None;
    let mut n_columns: Option<(u64, usize)> = None;
    let mut ended = false;
    for (no, line) in lines.by_ref() {
        let line = text::trim(line);
        if line.eq_ignore_ascii_case(b"endheader") {
            ended = true;
            break;
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = String::from_utf8_lossy(text::trim(&line[..eq])).to_ascii_lowercase();
        let value = text::trim(&line[eq + 1..]);
        let at = || Location::line(name, no).with_column(format!("'{key}'"));
        let count = || -> Result<usize, ReadError> {
            std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| ReadError::bad_value(at(), "a whole number", value))
        };
        match key.as_str() {
            "indegrees" => {
                in_degrees = Some(match value.to_ascii_lowercase().as_slice() {
                    b"yes" => true,
                    b"no" => false,
                    _ => return Err(ReadError::bad_value(at(), "yes or no", value)),
                })
            }
            "nrows" | "datarows" => n_rows = Some((no, count()?)),
            "ncolumns" | "datacolumns" => n_columns = Some((no, count()?)),
            _ => {}
        }
    }
    if !ended {
        return Err(ReadError::Layout {
            at: Location::file(name),
            problem: "no 'endheader' line; expected OpenSim storage header lines ending with \
                      'endheader', then the column names"
                .into(),
        });
    }

    // The column names, starting with time.
    let Some((names_no, names_line)) = lines.by_ref().find(|(_, l)| !text::trim(l).is_empty())
    else {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "nothing after 'endheader'; expected the column names (time ...) and data rows"
                .into(),
        });
    };
    let mut names: Vec<String> = cells(names_line)
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    while names.last().is_some_and(|n| n.is_empty()) {
        names.pop();
    }
    if !names
        .first()
        .is_some_and(|n| n.eq_ignore_ascii_case("time"))
    {
        return Err(ReadError::bad_value(
            Location::line(name, names_no),
            "the column names, starting with 'time'",
            names_line,
        ));
    }
    for (j, n) in names.iter_mut().enumerate() {
        if n.is_empty() {
            *n = format!("column {}", j + 1);
        }
    }
    if let Some((no, n)) = n_columns {
        if n != names.len() {
            return Err(ReadError::Layout {
                at: Location::line(name, no),
                problem: format!(
                    "the header says nColumns={n} but line {names_no} names {} columns",
                    names.len()
                ),
            });
        }
    }

    // Data rows.
    let width = names.len();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); width];
    for (no, line) in lines {
        let row = cells(line);
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let row = fit(&row, width).map_err(|found| ReadError::Ragged {
            at: Location::line(name, no),
            expected: width,
            found,
        })?;
        for (j, (cell, values)) in row.iter().zip(columns.iter_mut()).enumerate() {
            let v = parse_number(cell).ok().filter(|v| j > 0 || v.is_finite());
            let Some(v) = v else {
                let expected = if j == 0 {
                    "a time in seconds"
                } else {
                    "a number"
                };
                return Err(ReadError::bad_value(
                    Location::line(name, no).with_column(format!(
                        "'{}' (column {})",
                        names[j],
                        j + 1
                    )),
                    expected,
                    cell,
                ));
            };
            values.push(v);
        }
        part.lines.push(no);
    }
    let mut columns = columns.into_iter();
    let time = columns.next().unwrap_or_default();
    if time.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "header only, no data rows; expected rows of numbers after the column names"
                .into(),
        });
    }
    if let Some((_, n)) = n_rows {
        if n != time.len() {
            part.notes.push(format!(
                "the header says nRows={n} but the file has {} data rows; all rows read",
                time.len()
            ));
        }
    }

    // Signals in SI units.
    if in_degrees.is_none() {
        part.notes.push(
            "no inDegrees in the header: the unit of the coordinate columns is unknown".into(),
        );
    }
    for (column, mut values) in names.iter().skip(1).zip(columns) {
        let unit = match classify(column) {
            Quantity::Translation | Quantity::CentreOfPressure => "m",
            Quantity::Force => "N",
            Quantity::Torque => "N*m",
            Quantity::Angle => match in_degrees {
                Some(true) => {
                    values.iter_mut().for_each(|v| *v = v.to_radians());
                    "rad"
                }
                Some(false) => "rad",
                None => "",
            },
            Quantity::Other => "",
        };
        part.signals.push(RawSignal {
            name: column.clone(),
            unit: unit.into(),
            values,
        });
    }

    // OpenSim rounds the time column (600 Hz written as 0.0017, 0.0033...): where the rows
    // are evenly spaced, the rate over the whole span is a better estimate than the spacing
    // of neighbouring rows.
    if let (Some(first), Some(last)) = (time.first(), time.last()) {
        let span = last - first;
        let rate = round_sig6((time.len() - 1) as f64 / span);
        let spacing = median(time.windows(2).map(|w| w[1] - w[0]));
        let by_spacing = 1.0 / spacing;
        if rate.is_finite() && rate > 0.0 && (by_spacing - rate).abs() <= 0.05 * rate {
            part.nominal_rate_hz = Some(rate);
            if (by_spacing - rate).abs() > 1e-3 * rate {
                part.notes.push(format!(
                    "rate {rate} Hz from the time column's span ({} rows over {span} s); \
                     its values are rounded",
                    time.len()
                ));
            }
        }
    }
    part.n_rows = time.len();
    part.time = Some(TimeColumn {
        name: names[0].clone(),
        kind: TimeKind::Relative,
        values: time,
    });
    Ok(part)
}

/// A rate rounded to 6 significant digits.
fn round_sig6(r: f64) -> f64 {
    if !r.is_finite() || r <= 0.0 {
        return r;
    }
    let scale = 10f64.powi(5 - r.log10().floor() as i32);
    (r * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{read as read_paths, ReadOptions};
    use std::path::PathBuf;

    /// Four rows at 100 Hz, CRLF line ends, leading blanks, a trailing tab.
    const ANGLES: &str =
        "Coordinates\r\nversion=1\r\nnRows=4\r\nnColumns=5\r\ninDegrees=yes\r\n\r\n\
        Units are S.I. units (second, meters, Newtons, ...)\r\nendheader\r\n\
        time\tpelvis_tx\tankle_angle_r\tknee_angle_r_beta\thip_flexion_r\t\r\n\
        \x20 0.00\t 0.50\t 90.0\t 0\t-45\r\n\
        \x20 0.01\t 0.51\t 180.0\t 0\t-45\t\r\n\
        \x20 0.02\t 0.52\t\t 0\t-45\r\n\
        \x20 0.03\t 0.53\t -90\t 0\t-45\r\n";

    const GRF: &str = "walk_grf.mot\nversion=1\nnRows=3\nnColumns=5\ninDegrees=yes\nendheader\n\
        time ground_force_vy ground_force_px 1_ground_torque_y hip_flexion_r_moment\n\
        0 700.5 0.25 1.5 10\n0.0017 701 0.26 1.6 11\n0.0033 702 0.27 1.7 12\n";

    fn ok<T>(r: Result<T, ReadError>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    fn signal<'a>(p: &'a Part, n: &str) -> &'a RawSignal {
        p.signals
            .iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("no signal {n}"))
    }

    #[test]
    fn angles_become_radians_and_translations_metres() {
        let p = ok(read("walk.mot", ANGLES.as_bytes()));
        assert_eq!(p.n_rows, 4);
        assert_eq!(p.lines, vec![10, 11, 12, 13]);
        let t = p
            .time
            .as_ref()
            .map(|t| (t.name.clone(), t.kind, t.values.clone()));
        assert_eq!(
            t,
            Some((
                "time".into(),
                TimeKind::Relative,
                vec![0.0, 0.01, 0.02, 0.03]
            ))
        );
        assert_eq!(p.nominal_rate_hz, Some(100.0));
        assert_eq!(p.signals.len(), 4);
        let tx = signal(&p, "pelvis_tx");
        assert_eq!((tx.unit.as_str(), tx.values[1]), ("m", 0.51));
        let ankle = signal(&p, "ankle_angle_r");
        assert_eq!(ankle.unit, "rad");
        assert!((ankle.values[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
        assert!((ankle.values[1] - std::f64::consts::PI).abs() < 1e-12);
        assert!(ankle.values[2].is_nan());
        assert_eq!(signal(&p, "knee_angle_r_beta").unit, "rad");
        assert!(
            p.notes.iter().all(|n| !n.contains("nRows")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn forces_pressure_centres_and_torques_keep_their_units() {
        let p = ok(read("walk_grf.mot", GRF.as_bytes()));
        assert_eq!(signal(&p, "ground_force_vy").unit, "N");
        assert_eq!(
            signal(&p, "ground_force_vy").values,
            vec![700.5, 701.0, 702.0]
        );
        assert_eq!(signal(&p, "ground_force_px").unit, "m");
        assert_eq!(signal(&p, "1_ground_torque_y").unit, "N*m");
        assert_eq!(signal(&p, "hip_flexion_r_moment").unit, "N*m");
        // 2 intervals over 0.0033 s: 606.061 Hz (rounded times).
        assert_eq!(p.nominal_rate_hz, Some(606.061));
    }

    #[test]
    fn classification_by_name() {
        assert_eq!(classify("pelvis_ty"), Quantity::Translation);
        assert_eq!(
            classify("/jointset/hip_r/hip_flexion_r/value"),
            Quantity::Angle
        );
        assert_eq!(
            classify("/jointset/hip_r/hip_flexion_r/speed"),
            Quantity::Other
        );
        assert_eq!(classify("1_ground_force_vz"), Quantity::Force);
        assert_eq!(classify("ground_force_pz"), Quantity::CentreOfPressure);
        assert_eq!(classify("soleus_r_activation"), Quantity::Other);
    }

    #[test]
    fn column_and_row_count_mismatches() {
        let e = read(
            "x.mot",
            ANGLES.replace("nColumns=5", "nColumns=6").as_bytes(),
        );
        match e {
            Err(ReadError::Layout { at, problem }) => {
                assert_eq!(at.line, Some(4));
                assert!(problem.contains("nColumns=6"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        let p = ok(read(
            "x.mot",
            ANGLES.replace("nRows=4", "nRows=5").as_bytes(),
        ));
        assert!(
            p.notes.iter().any(|n| n.contains("nRows=5")),
            "{:?}",
            p.notes
        );
        let e = read(
            "x.mot",
            ANGLES.replace("\t -90\t", "\t -90\t1\t").as_bytes(),
        );
        match e {
            Err(ReadError::Ragged {
                at,
                expected,
                found,
            }) => {
                assert_eq!((at.line, expected, found), (Some(13), 5, 6));
            }
            other => panic!("{other:?}"),
        }
        let e = read("x.mot", ANGLES.replace(" 0.52\t", " x\t").as_bytes());
        match e {
            Err(ReadError::BadValue { at, .. }) => {
                assert_eq!(at.line, Some(12));
                assert_eq!(at.column.as_deref(), Some("'pelvis_tx' (column 2)"));
            }
            other => panic!("{other:?}"),
        }
        assert!(read("x.mot", ANGLES.replace("endheader", "end").as_bytes()).is_err());
        assert!(read("x.mot", ANGLES.replace("time\t", "t\t").as_bytes()).is_err());
        assert!(read("x.mot", ANGLES.replace("=yes", "=maybe").as_bytes()).is_err());
    }

    #[test]
    fn truncated_and_garbage_input_is_refused_without_panic() {
        for text in [ANGLES, GRF] {
            let bytes = text.as_bytes();
            for end in 0..bytes.len() {
                let _ = read("cut.mot", &bytes[..end]);
            }
            let header_end = text
                .find("\n0")
                .or_else(|| text.find("\n\x20 0"))
                .unwrap_or(0);
            for end in 0..header_end {
                assert!(read("cut.mot", &bytes[..end]).is_err(), "cut at {end}");
            }
        }
        assert!(read("g.mot", b"\x00\x01\x02").is_err());
        assert!(read("g.mot", b"endheader\n\xff\xfe\n1\n").is_err());
    }

    fn real(rel: &str) -> Option<PathBuf> {
        crate::test_support::real_data(rel)
    }

    #[test]
    fn real_opencap_angles() {
        let Some(p) = real("opencap_walking1_angles/walking1_videoAndMocap.mot") else {
            return;
        };
        let rec = ok(read_paths(&[p], &ReadOptions::default()));
        assert_eq!(rec.source.format, Format::Mot);
        assert_eq!(rec.sampling_rate_hz, 100.0);
        assert_eq!(rec.n_samples, 158);
        assert_eq!(rec.signals.len(), 35);
        let ankle = rec
            .signal("ankle_angle_r")
            .unwrap_or_else(|| panic!("no ankle"));
        assert_eq!(ankle.unit, "rad");
        let max = ankle.values.iter().copied().fold(f64::MIN, f64::max);
        let min = ankle.values.iter().copied().fold(f64::MAX, f64::min);
        // SOURCE.md: -16.1 .. +13.9 degrees.
        assert!(
            (min.to_degrees() + 16.1).abs() < 0.1,
            "{}",
            min.to_degrees()
        );
        assert!(
            (max.to_degrees() - 13.9).abs() < 0.1,
            "{}",
            max.to_degrees()
        );
        let tx = rec
            .signal("pelvis_tx")
            .unwrap_or_else(|| panic!("no pelvis_tx"));
        assert_eq!(tx.unit, "m");
    }

    #[test]
    fn real_opensim_grf() {
        let Some(p) = real("opensim_subject01_walk1/subject01_walk1_grf.mot") else {
            return;
        };
        let rec = ok(read_paths(&[p], &ReadOptions::default()));
        assert_eq!(rec.sampling_rate_hz, 600.0);
        assert_eq!(rec.n_samples, 1501);
        assert_eq!(rec.signals.len(), 18);
        let vy = rec
            .signal("ground_force_vy")
            .unwrap_or_else(|| panic!("no vy"));
        assert_eq!(vy.unit, "N");
        let max = vy.values.iter().copied().fold(f64::MIN, f64::max);
        assert!((500.0..1500.0).contains(&max), "{max}");
        let pz = rec
            .signal("1_ground_force_pz")
            .unwrap_or_else(|| panic!("no pz"));
        assert_eq!(pz.unit, "m");
        let tz = rec
            .signal("ground_torque_z")
            .unwrap_or_else(|| panic!("no torque"));
        assert_eq!(tz.unit, "N*m");
    }
}
