//! Delimited text (CSV, TSV, semicolons) with 0–3 header rows and an optional preamble: the
//! one reader behind generic CSV, MetaMotion, Xsens text, phyphox, Core Motion logs and
//! MediaPipe landmark CSVs. Those differ only in their column names, which
//! [`super::columns`] maps to roles.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use super::columns::{classify, Column, Quantity, Role, MEDIAPIPE_33};
use super::part::{Part, RawImu, RawPoint, RawSignal, RawSkeleton, TimeColumn, TimeKind, Triple};
use super::text::{self, guard_error, parse_number, Guarded, HEAD_BYTES, MAX_LINE_BYTES};
use super::units::{median, parse_unit, Unit};
use super::{datetime, Location, ReadError, ReadOptions};
use crate::recording::{AccUnit, Format, GyroUnit, Layout, Space};

/// How many data rows of the head are used to tell numeric from text columns.
const SNIFF_ROWS: usize = 200;

/// What a column is parsed as in the main pass.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    DateTime,
    Text,
}

/// Read a delimited-text part from any reader.
pub(crate) fn read<R: Read>(name: &str, rdr: R, opts: &ReadOptions) -> Result<Part, ReadError> {
    let _ = opts;
    let mut guarded = Guarded::new(rdr, MAX_LINE_BYTES);
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut guarded)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| guard_error(name, e))?;
    let at_eof = head.len() < HEAD_BYTES;
    if text::skip_bom(&head).iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "the file is empty; expected a header row and data rows".into(),
        });
    }
    let bom = head.len() - text::skip_bom(&head).len();
    // Analyse whole lines only.
    let region_end = if at_eof {
        head.len()
    } else {
        memchr::memrchr(b'\n', &head).map_or(head.len(), |p| p + 1)
    };
    let region = &head[bom..region_end];
    let layout = sniff(name, region, at_eof)?;

    let header_rows = &layout.records[layout.preamble..layout.preamble + layout.n_header];
    let ncols = layout.ncols;
    let paths = join_header(header_rows, ncols);
    let mut columns: Vec<Column> = paths.iter().map(|p| classify(p)).collect();
    let data_sample = &layout.records[layout.preamble + layout.n_header..];
    let kinds: Vec<Kind> = (0..ncols).map(|j| column_kind(data_sample, j)).collect();
    // An unnamed or unclassified first column counting 0, 1, 2... is a row index.
    if !matches!(columns[0].role, Role::Counter | Role::Time { .. })
        && kinds[0] == Kind::Number
        && is_index(data_sample, 0)
        && !matches!(
            columns[0].role,
            Role::Channel { .. } | Role::Landmark { .. }
        )
    {
        columns[0].role = Role::Counter;
    }

    let mut plan = Plan::new(name, &columns, &kinds, &layout, opts)?;

    // Main pass over every data row (the head again, then the rest of the stream).
    let skip = layout.preamble + layout.n_header;
    let stream = Cursor::new(&head[bom..]).chain(guarded);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(layout.delimiter)
        .from_reader(stream);
    let mut rec = csv::ByteRecord::new();
    let mut index = 0usize;
    loop {
        match csv.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(name, e)),
        }
        index += 1;
        if index <= skip {
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line());
        plan.row(&rec, line)?;
    }
    plan.finish()
}

fn csv_error(name: &str, e: csv::Error) -> ReadError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => guard_error(name, io),
        csv::ErrorKind::Utf8 { .. } => ReadError::BadValue {
            at: Location {
                file: name.into(),
                line,
                column: None,
            },
            expected: "UTF-8 text".into(),
            found: "invalid bytes".into(),
        },
        other => ReadError::Layout {
            at: Location {
                file: name.into(),
                line,
                column: None,
            },
            problem: format!("malformed delimited text: {other:?}"),
        },
    }
}

/// What the head of the file says about its layout.
struct Sniffed {
    delimiter: u8,
    records: Vec<csv::ByteRecord>,
    preamble: usize,
    n_header: usize,
    ncols: usize,
}

/// Fields up to the last non-empty one.
fn width(r: &csv::ByteRecord) -> usize {
    r.iter()
        .rposition(|f| !text::trim(f).is_empty())
        .map_or(0, |p| p + 1)
}

fn parse_records(region: &[u8], delimiter: u8) -> Vec<csv::ByteRecord> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(region);
    let mut out = Vec::new();
    let mut r = csv::ByteRecord::new();
    while let Ok(true) = rdr.read_byte_record(&mut r) {
        out.push(r.clone());
        if out.len() > SNIFF_ROWS + 64 {
            break;
        }
    }
    out
}

fn is_data_row(r: &csv::ByteRecord) -> bool {
    let mut numeric = 0;
    let mut filled = 0;
    for f in r.iter() {
        let t = text::trim(f);
        if t.is_empty() {
            continue;
        }
        filled += 1;
        if parse_number(t).is_ok() {
            numeric += 1;
        }
    }
    numeric > 0 && numeric * 2 >= filled
}

fn sniff(name: &str, region: &[u8], at_eof: bool) -> Result<Sniffed, ReadError> {
    let mut best: Option<(usize, u8, Vec<csv::ByteRecord>, usize)> = None;
    for d in [b',', b'\t', b';'] {
        let recs = parse_records(region, d);
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for r in &recs {
            *counts.entry(width(r)).or_default() += 1;
        }
        let (mode, n) = counts
            .iter()
            .max_by_key(|(w, n)| (**n, **w))
            .map_or((0, 0), |(w, n)| (*w, *n));
        if mode >= 2 && best.as_ref().is_none_or(|b| n > b.0) {
            best = Some((n, d, recs, mode));
        }
    }
    let Some((_, delimiter, records, mode)) = best else {
        return Err(ReadError::Layout {
            at: Location::line(name, 1),
            problem: "expected columns separated by commas, tabs or semicolons, found one column"
                .into(),
        });
    };
    let preamble = records.iter().take_while(|r| width(r) * 2 < mode).count();
    let n_header = records[preamble..]
        .iter()
        .take_while(|r| !is_data_row(r))
        .count();
    let first_data = preamble + n_header;
    if first_data >= records.len() {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: if at_eof {
                "header only, no data rows; expected rows of numbers after the header".into()
            } else {
                "no numeric data row in the first 64 KiB; expected rows of numbers after 1–3 header rows".into()
            },
        });
    }
    if n_header > 3 {
        let line = records[first_data].position().map_or(0, |p| p.line());
        return Err(ReadError::Layout {
            at: Location::line(name, line),
            problem: format!(
                "{n_header} header rows before the first row of numbers; expected 1 to 3"
            ),
        });
    }
    let ncols = records[preamble..]
        .iter()
        .take(n_header + SNIFF_ROWS)
        .map(width)
        .max()
        .unwrap_or(mode)
        .max(mode);
    Ok(Sniffed {
        delimiter,
        records,
        preamble,
        n_header,
        ncols,
    })
}

/// Join the header rows of each column into a path, carrying a blank upper cell over from
/// the column to its left (a spreadsheet's merged cells).
fn join_header(rows: &[csv::ByteRecord], ncols: usize) -> Vec<String> {
    let cell = |r: &csv::ByteRecord, j: usize| {
        r.get(j)
            .map(|c| String::from_utf8_lossy(text::trim(c)).into_owned())
            .unwrap_or_default()
    };
    let mut out = vec![String::new(); ncols];
    let last = rows.len().saturating_sub(1);
    for (k, r) in rows.iter().enumerate() {
        let mut carry = String::new();
        for (j, path) in out.iter_mut().enumerate() {
            let mut c = cell(r, j);
            if c.is_empty() && k < last && j > 0 && rows.len() > 1 {
                let below_named = rows[k + 1..].iter().any(|rr| !cell(rr, j).is_empty());
                if below_named {
                    c = carry.clone();
                }
            } else {
                carry = c.clone();
            }
            if !c.is_empty() {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(&c);
            }
        }
    }
    if rows.is_empty() {
        for (j, p) in out.iter_mut().enumerate() {
            *p = format!("column {}", j + 1);
        }
    }
    out
}

fn column_kind(rows: &[csv::ByteRecord], j: usize) -> Kind {
    let cells: Vec<&[u8]> = rows
        .iter()
        .take(SNIFF_ROWS)
        .filter_map(|r| r.get(j))
        .map(text::trim)
        .filter(|c| !c.is_empty())
        .collect();
    // By majority, so that one bad cell in a numeric column is reported as an error in the
    // main pass instead of turning the whole column into ignored text.
    let numbers = cells.iter().filter(|c| parse_number(c).is_ok()).count();
    let dates = cells
        .iter()
        .filter(|c| datetime::parse(c).is_some())
        .count();
    if numbers * 2 >= cells.len() {
        Kind::Number
    } else if dates * 2 > cells.len() {
        Kind::DateTime
    } else {
        Kind::Text
    }
}

fn is_index(rows: &[csv::ByteRecord], j: usize) -> bool {
    let vals: Vec<f64> = rows
        .iter()
        .take(SNIFF_ROWS)
        .filter_map(|r| r.get(j))
        .filter_map(|c| parse_number(c).ok())
        .collect();
    vals.len() >= 2 && vals.iter().all(|v| v.fract() == 0.0) && vals.windows(2).all(|w| w[1] > w[0])
}

/// A column's display name for errors: `'acc_x' (column 3)`.
fn col_label(columns: &[Column], j: usize) -> String {
    let p = &columns[j].path;
    match &columns[j].unit {
        Some(u) => format!("'{p} ({u})' (column {})", j + 1),
        None => format!("'{p}' (column {})", j + 1),
    }
}

/// Where each parsed column goes.
struct Plan<'a> {
    name: &'a str,
    columns: &'a [Column],
    ncols: usize,
    /// Columns parsed as numbers, and the date-time clock column if any.
    numeric: Vec<usize>,
    datetime_col: Option<usize>,
    values: Vec<Vec<f64>>,
    slot: Vec<Option<usize>>,
    lines: Vec<u64>,
    dt_values: Vec<f64>,
    time_main: Option<(usize, TimeKind, f64)>,
    time_alt: Option<(usize, TimeKind, f64)>,
    counter: Option<usize>,
    part: Part,
}

impl<'a> Plan<'a> {
    fn new(
        name: &'a str,
        columns: &'a [Column],
        kinds: &[Kind],
        layout: &Sniffed,
        opts: &ReadOptions,
    ) -> Result<Self, ReadError> {
        let _ = opts;
        let ncols = layout.ncols;
        let mut part = Part::new(name, Format::GenericCsv);
        // Clock columns: the file's own before one sensor's; relative before absolute.
        let mut clocks: Vec<(bool, usize, TimeKind, f64)> = Vec::new();
        for (j, c) in columns.iter().enumerate() {
            if let Role::Time { grouped } = c.role {
                let kind = match kinds[j] {
                    Kind::DateTime => Some((TimeKind::Absolute, 1.0)),
                    Kind::Number => Some(numeric_clock(c, layout, j)),
                    Kind::Text => None,
                };
                if let Some((k, f)) = kind {
                    clocks.push((grouped, j, k, f));
                }
            }
        }
        clocks.sort_by_key(|(g, j, k, _)| (*g, *k == TimeKind::Absolute, *j));
        let time_main = clocks.first().map(|&(_, j, k, f)| (j, k, f));
        let time_alt = clocks
            .iter()
            .find(|(_, j, k, _)| *k == TimeKind::Absolute && Some(*j) != time_main.map(|t| t.0))
            .filter(|_| time_main.is_some_and(|t| t.1 == TimeKind::Relative))
            .map(|&(_, j, k, f)| (j, k, f));
        // A counter: a named one before an unnamed index.
        let counter = (0..ncols)
            .filter(|&j| columns[j].role == Role::Counter && kinds[j] == Kind::Number)
            .max_by_key(|&j| (!columns[j].path.is_empty(), std::cmp::Reverse(j)));

        let mut numeric = Vec::new();
        let mut datetime_col = None;
        let mut ignored_text = Vec::new();
        for j in 0..ncols {
            let is_clock = [time_main, time_alt].iter().flatten().any(|t| t.0 == j);
            match kinds[j] {
                Kind::Number => numeric.push(j),
                Kind::DateTime if is_clock => datetime_col = Some(j),
                _ => ignored_text.push(columns[j].path.clone()),
            }
        }
        if !ignored_text.is_empty() {
            part.notes
                .push(format!("text columns ignored: {}", ignored_text.join(", ")));
        }
        let mut slot = vec![None; ncols];
        for (k, &j) in numeric.iter().enumerate() {
            slot[j] = Some(k);
        }
        if let Some(hz) =
            preamble_rate(&layout.records[..layout.preamble]).or_else(|| rate_in_name(name))
        {
            part.nominal_rate_hz = Some(hz);
        }
        Ok(Plan {
            name,
            columns,
            ncols,
            values: vec![Vec::new(); numeric.len()],
            numeric,
            datetime_col,
            slot,
            lines: Vec::new(),
            dt_values: Vec::new(),
            time_main,
            time_alt,
            counter,
            part,
        })
    }

    #[inline]
    fn row(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<(), ReadError> {
        if rec.len() < self.ncols || (rec.len() > self.ncols && width(rec) > self.ncols) {
            if width(rec) == 0 {
                return Ok(());
            }
            return Err(ReadError::Ragged {
                at: Location::line(self.name, line),
                expected: self.ncols,
                found: rec.len().min(width(rec).max(rec.len().min(self.ncols))),
            });
        }
        for (k, &j) in self.numeric.iter().enumerate() {
            let cell = &rec[j];
            match parse_number(cell) {
                Ok(v) => self.values[k].push(v),
                Err(()) => {
                    let unit = self.columns[j]
                        .unit
                        .as_deref()
                        .map(|u| format!(" in {u}"))
                        .unwrap_or_default();
                    return Err(ReadError::bad_value(
                        Location::line(self.name, line).with_column(col_label(self.columns, j)),
                        format!("a finite number{unit} (or an empty cell for a missing value)"),
                        cell,
                    ));
                }
            }
        }
        if let Some(j) = self.datetime_col {
            let v = datetime::parse(&rec[j]).ok_or_else(|| {
                ReadError::bad_value(
                    Location::line(self.name, line).with_column(col_label(self.columns, j)),
                    "a date-time like 2019-01-11T16:10:08.431",
                    &rec[j],
                )
            })?;
            self.dt_values.push(v);
        }
        self.lines.push(line);
        Ok(())
    }

    fn take(&mut self, j: usize) -> Vec<f64> {
        self.slot[j]
            .map(|k| std::mem::take(&mut self.values[k]))
            .unwrap_or_default()
    }

    fn finish(mut self) -> Result<Part, ReadError> {
        let n = self.lines.len();
        if n == 0 {
            return Err(ReadError::Empty {
                at: Location::file(self.name),
                what: "header only, no data rows".into(),
            });
        }
        let columns = self.columns;
        let mut part = std::mem::replace(&mut self.part, Part::new(self.name, Format::GenericCsv));
        let dt_values = std::mem::take(&mut self.dt_values);
        part.n_rows = n;
        part.lines = std::mem::take(&mut self.lines);
        let clock = |t: Option<(usize, TimeKind, f64)>, this: &mut Self| {
            t.map(|(j, kind, factor)| {
                let values = if Some(j) == this.datetime_col {
                    dt_values.clone()
                } else {
                    this.take(j).into_iter().map(|v| v * factor).collect()
                };
                TimeColumn {
                    name: columns[j].path.clone(),
                    kind,
                    values,
                }
            })
        };
        part.time = clock(self.time_main, &mut self);
        part.alt_time = clock(self.time_alt, &mut self);
        if let Some(t) = &part.time {
            if let Some(i) = t.values.iter().position(|v| !v.is_finite()) {
                return Err(ReadError::BadValue {
                    at: Location::line(self.name, part.lines[i])
                        .with_column(format!("'{}'", t.name)),
                    expected: "a time value on every row".into(),
                    found: String::new(),
                });
            }
        }
        if let Some(j) = self.counter {
            if part.time.is_none() {
                part.counter = Some((columns[j].path.clone(), self.take(j)));
            }
        }
        let mut format = Format::GenericCsv;

        // IMU channels, grouped by sensor.
        let mut sensors: Vec<(String, [[Option<usize>; 3]; 4])> = Vec::new();
        for (j, c) in columns.iter().enumerate() {
            if let Role::Channel {
                sensor,
                quantity,
                axis,
            } = &c.role
            {
                if self.slot[j].is_none() {
                    continue;
                }
                let q = match quantity {
                    Quantity::Acc => 0,
                    Quantity::Gyro => 1,
                    Quantity::Gravity => 2,
                    Quantity::UserAcc => 3,
                };
                let idx = match sensors.iter().position(|(s, _)| s == sensor) {
                    Some(i) => i,
                    None => {
                        sensors.push((sensor.clone(), [[None; 3]; 4]));
                        sensors.len() - 1
                    }
                };
                sensors[idx].1[q][*axis].get_or_insert(j);
            }
        }
        let mut used = vec![false; self.ncols];
        for (sensor, q) in &sensors {
            let mut imu = RawImu {
                name: if sensor.is_empty() {
                    "imu".into()
                } else {
                    sensor.clone()
                },
                ..Default::default()
            };
            let full = |axes: &[Option<usize>; 3]| -> Option<[usize; 3]> {
                Some([axes[0]?, axes[1]?, axes[2]?])
            };
            let mut triple = |cols: [usize; 3], this: &mut Self| {
                for &j in &cols {
                    used[j] = true;
                }
                Triple {
                    columns: cols.map(|j| columns[j].path.clone()),
                    values: cols.map(|j| this.take(j)),
                    unit_label: columns[cols[0]].unit.clone(),
                }
            };
            // Core Motion logs acceleration without gravity beside a gravity vector, whether
            // or not the column says "user".
            let user = full(&q[3]).or_else(|| full(&q[2]).and(full(&q[0])));
            if let (Some(g), Some(u)) = (full(&q[2]), user) {
                // Core Motion: total acceleration = gravity + user acceleration, in g, with
                // the opposite sign to specific force (a phone lying face up reads z = -1).
                let g = triple(g, &mut self);
                let u = triple(u, &mut self);
                let values = [0, 1, 2].map(|a| {
                    g.values[a]
                        .iter()
                        .zip(&u.values[a])
                        .map(|(x, y)| -(x + y))
                        .collect()
                });
                imu.acc = Some(Triple {
                    columns: [0, 1, 2].map(|a| format!("-({} + {})", g.columns[a], u.columns[a])),
                    values,
                    unit_label: None,
                });
                imu.acc_format_unit = Some((
                    AccUnit::G,
                    "Core Motion gives gravity and user acceleration in g".into(),
                ));
                format = Format::CoreMotion;
                part.notes.push(format!(
                    "{}: specific force = -(gravity + user acceleration) (Core Motion's sign is opposite)",
                    imu.name
                ));
            } else if let Some(a) = full(&q[0]) {
                imu.acc = Some(triple(a, &mut self));
            }
            if let Some(w) = full(&q[1]) {
                imu.gyro = Some(triple(w, &mut self));
                if format == Format::CoreMotion && imu.acc.is_some() {
                    imu.gyro_format_unit = Some((
                        GyroUnit::RadPerSecond,
                        "Core Motion gives rotation rate in rad/s".into(),
                    ));
                }
            }
            if imu.acc.is_some() || imu.gyro.is_some() {
                part.imus.push(imu);
            }
        }

        // A sensor axis without a single value is a broken column, not a gap.
        for imu in &part.imus {
            for t in [&imu.acc, &imu.gyro].into_iter().flatten() {
                for (c, v) in t.columns.iter().zip(&t.values) {
                    if v.iter().all(|x| x.is_nan()) {
                        return Err(ReadError::Empty {
                            at: Location::file(self.name).with_column(format!("'{c}'")),
                            what: "the column has no values (all empty or NaN); expected numbers"
                                .into(),
                        });
                    }
                }
            }
        }

        // Keypoints.
        let mut points: Vec<(String, [Option<usize>; 4])> = Vec::new();
        for (j, c) in columns.iter().enumerate() {
            if let Role::Landmark { name, coord } = &c.role {
                if self.slot[j].is_none() {
                    continue;
                }
                let idx = match points.iter().position(|(s, _)| s == name) {
                    Some(i) => i,
                    None => {
                        points.push((name.clone(), [None; 4]));
                        points.len() - 1
                    }
                };
                points[idx].1[*coord].get_or_insert(j);
                used[j] = true;
            }
        }
        if points.len() >= 4 {
            points.sort_by_key(|(name, _)| MEDIAPIPE_33.iter().position(|m| m == name));
            let mut raw = Vec::new();
            let mut has_z = false;
            for (pname, c) in &points {
                let (Some(x), Some(y)) = (c[0], c[1]) else {
                    continue;
                };
                has_z |= c[2].is_some();
                let z = c[2].map(|j| self.take(j)).unwrap_or_else(|| vec![0.0; n]);
                let confidence = c[3].map(|j| self.take(j).iter().map(|&v| v as f32).collect());
                raw.push(RawPoint {
                    name: pname.clone(),
                    xyz: [self.take(x), self.take(y), z],
                    confidence,
                });
            }
            let space = mediapipe_space(&raw);
            let mut dims = if has_z { 3 } else { 2 };
            let mut up_axis = None;
            if space == Space::World {
                // MediaPipe world: x right, y down, z towards the camera → z up, right-handed.
                for p in &mut raw {
                    let [x, y, z] = std::mem::take(&mut p.xyz);
                    p.xyz = [x, z, y.into_iter().map(|v| -v).collect()];
                }
                up_axis = Some("-y (MediaPipe world coordinates are y down)".into());
            } else {
                dims = 2;
            }
            part.skeleton = Some(RawSkeleton {
                layout: Layout::Mediapipe33,
                space,
                dims,
                up_axis,
                points: raw,
            });
            format = Format::MediapipeCsv;
        }

        // Named points that are not MediaPipe landmarks: motion-capture markers.
        if part.skeleton.is_none() {
            let mut markers: Vec<(String, [Option<usize>; 3])> = Vec::new();
            for (j, c) in columns.iter().enumerate() {
                if let (Role::Point { name, coord }, Some(_)) = (&c.role, self.slot[j]) {
                    let idx = match markers.iter().position(|(s, _)| s == name) {
                        Some(i) => i,
                        None => {
                            markers.push((name.clone(), [None; 3]));
                            markers.len() - 1
                        }
                    };
                    markers[idx].1[*coord].get_or_insert(j);
                }
            }
            markers.retain(|(_, c)| c.iter().all(Option::is_some));
            if markers.len() >= 3 {
                let mut names = Vec::new();
                let mut xyz = Vec::new();
                let mut all = Vec::new();
                for (mname, c) in &markers {
                    let cols = c.map(|j| j.unwrap_or_default());
                    for &j in &cols {
                        used[j] = true;
                    }
                    let axes = cols.map(|j| self.take(j));
                    all.extend(axes.iter().flatten().copied());
                    names.push(mname.clone());
                    xyz.push(axes);
                }
                // The unit from the header, else from the size: a lab is metres across, so
                // coordinates in the hundreds or thousands are millimetres.
                let label = markers
                    .first()
                    .and_then(|(_, c)| c[0])
                    .and_then(|j| columns[j].unit.as_deref())
                    .and_then(parse_unit);
                let typical = median(all.iter().map(|v| v.abs()));
                let (factor, how) = match label {
                    Some(Unit::Length(f)) => (f, "from the header".to_string()),
                    _ if typical > 20.0 => (
                        0.001,
                        format!("read as mm: median |coordinate| {typical:.0}"),
                    ),
                    _ => (1.0, format!("read as m: median |coordinate| {typical:.2}")),
                };
                for axes in &mut xyz {
                    for v in axes.iter_mut().flatten() {
                        *v *= factor;
                    }
                }
                part.notes.push(format!("marker coordinates {how}"));
                let (points, up_axis, note) = super::markers::to_z_up(names, xyz);
                part.notes.extend(note);
                part.skeleton = Some(RawSkeleton {
                    layout: Layout::Markers,
                    space: Space::World,
                    dims: 3,
                    up_axis: Some(up_axis),
                    points,
                });
            }
        }

        // Everything else numeric is a plain signal.
        let clock_cols: Vec<usize> = [self.time_main, self.time_alt]
            .iter()
            .flatten()
            .map(|t| t.0)
            .chain(self.counter)
            .collect();
        let rest: Vec<usize> = (0..self.ncols)
            .filter(|&j| !used[j] && !clock_cols.contains(&j) && self.slot[j].is_some())
            .collect();
        // Angle columns without a unit are degrees when any of them goes past 2π: one
        // decision per file, so that the columns of one joint share a unit.
        let mut angle_max = 0.0f64;
        for &j in &rest {
            if is_angular(&columns[j]) && columns[j].unit.is_none() {
                if let Some(k) = self.slot[j] {
                    angle_max = self.values[k]
                        .iter()
                        .filter(|v| v.is_finite())
                        .fold(angle_max, |m, v| m.max(v.abs()));
                }
            }
        }
        let degrees = angle_max > 2.0 * std::f64::consts::PI;
        if degrees {
            part.notes.push(format!(
                "angle columns have no unit; read as degrees (values up to {angle_max:.1})"
            ));
        }
        for j in rest {
            let c = &columns[j];
            let mut values = self.take(j);
            let unit = signal_unit(c, &mut values, degrees);
            part.signals.push(RawSignal {
                name: c.path.clone(),
                unit,
                values,
            });
        }

        let has = |f: &dyn Fn(&Column) -> bool| columns.iter().any(f);
        if format == Format::GenericCsv {
            let path_is = |p: &str| has(&|c: &Column| c.path.eq_ignore_ascii_case(p));
            if path_is("PacketCounter") || part.nominal_rate_hz.is_some() && self.counter.is_some()
            {
                format = Format::Xsens;
            } else if path_is("epoch") && path_is("elapsed") && path_is("x-axis") {
                format = Format::MetaMotion;
            } else if columns.first().is_some_and(|c| {
                c.path.eq_ignore_ascii_case("time") && c.unit.as_deref() == Some("s")
            }) && columns.iter().skip(1).all(|c| c.unit.is_some())
            {
                format = Format::Phyphox;
            }
        }
        if format == Format::Xsens {
            for imu in &mut part.imus {
                if imu.acc.as_ref().is_some_and(|t| t.unit_label.is_none()) {
                    imu.acc_format_unit = Some((
                        AccUnit::MetresPerSecond2,
                        "Xsens exports give acceleration in m/s^2".into(),
                    ));
                }
                if imu.gyro.as_ref().is_some_and(|t| t.unit_label.is_none()) {
                    imu.gyro_format_unit = Some((
                        GyroUnit::RadPerSecond,
                        "Xsens exports give angular rate in rad/s".into(),
                    ));
                }
            }
        }
        part.format = format;
        Ok(part)
    }
}

/// The kind and factor to seconds of a numeric clock column.
fn numeric_clock(c: &Column, layout: &Sniffed, j: usize) -> (TimeKind, f64) {
    let first = layout.records[layout.preamble + layout.n_header..]
        .iter()
        .find_map(|r| r.get(j).and_then(|v| parse_number(v).ok()))
        .unwrap_or(0.0)
        .abs();
    let lower = c.path.to_ascii_lowercase();
    let epochish = lower.contains("epoch") || lower.contains("unix");
    match c.unit.as_deref().and_then(parse_unit) {
        Some(Unit::Time(f)) => {
            let abs = epochish || first * f > 1.0e8;
            (
                if abs {
                    TimeKind::Absolute
                } else {
                    TimeKind::Relative
                },
                f,
            )
        }
        _ if first > 1.0e11 => (TimeKind::Absolute, 1e-3),
        _ if first > 1.0e8 || epochish => (TimeKind::Absolute, 1.0),
        _ => (TimeKind::Relative, 1.0),
    }
}

/// `Acquisition frequency: 100 Hz`, `Sampling rate = 60`: a rate in the preamble.
fn preamble_rate(rows: &[csv::ByteRecord]) -> Option<f64> {
    for r in rows {
        let line: String = r
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let lower = line.to_ascii_lowercase();
        if lower.contains("hz") || lower.contains("frequency") || lower.contains("rate") {
            if let Some(v) = lower
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter_map(|s| s.parse::<f64>().ok())
                .find(|v| *v > 0.0)
            {
                return Some(v);
            }
        }
    }
    None
}

/// `..._Accelerometer_12.500Hz_1.4.4.csv`: a rate in the file name.
pub(crate) fn rate_in_name(name: &str) -> Option<f64> {
    let base = std::path::Path::new(name)
        .file_name()?
        .to_string_lossy()
        .to_string();
    let lower = base.to_ascii_lowercase();
    let pos = lower.find("hz")?;
    let digits: String = lower[..pos]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse::<f64>().ok().filter(|v| *v > 0.0)
}

/// Whether MediaPipe landmarks are world (metres, origin between the hips) or image ones.
fn mediapipe_space(points: &[RawPoint]) -> Space {
    let get = |n: &str| points.iter().find(|p| p.name == n);
    if let (Some(l), Some(r)) = (get("left_hip"), get("right_hip")) {
        let mid = |a: usize| median(l.xyz[a].iter().zip(&r.xyz[a]).map(|(x, y)| (x + y) / 2.0));
        if mid(0).abs() < 0.05 && mid(1).abs() < 0.05 {
            return Space::World;
        }
    }
    let max = points
        .iter()
        .flat_map(|p| p.xyz[0].iter().chain(&p.xyz[1]))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    Space::Image {
        normalised: max <= 2.0,
    }
}

/// Whether a column holds an angle (by its name).
fn is_angular(c: &Column) -> bool {
    let lower = c.path.to_ascii_lowercase();
    [
        "angle",
        "flexion",
        "tilt",
        "list",
        "rotation",
        "adduction",
        "pitch",
        "roll",
        "yaw",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A plain signal's unit: known units are converted to SI, unknown labels kept as written,
/// and angle columns without a unit follow the file's decision (`degrees`).
fn signal_unit(c: &Column, values: &mut [f64], degrees: bool) -> String {
    let scale = |values: &mut [f64], f: f64| values.iter_mut().for_each(|v| *v *= f);
    match c.unit.as_deref() {
        Some(label) => match parse_unit(label) {
            Some(Unit::Angle(f)) => {
                scale(values, f);
                "rad".into()
            }
            Some(Unit::Length(f)) => {
                scale(values, f);
                "m".into()
            }
            Some(Unit::Time(f)) => {
                scale(values, f);
                "s".into()
            }
            Some(Unit::Acc(u)) => {
                scale(values, u.to_si());
                "m/s^2".into()
            }
            Some(Unit::Gyro(u)) => {
                scale(values, u.to_si());
                "rad/s".into()
            }
            None => label.to_string(),
        },
        None if is_angular(c) && degrees => {
            scale(values, std::f64::consts::PI / 180.0);
            "rad".into()
        }
        None if is_angular(c) => "rad".into(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<Part, ReadError> {
        read("test.csv", s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn joins_two_header_rows() {
        let p = read_str(
            "sensor,left_sensor,left_sensor,left_sensor,left_sensor,left_sensor,left_sensor\n\
             axis,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,6\n1,1,2,3,4,5,6\n",
        );
        let p = p.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.imus.len(), 1);
        assert_eq!(p.imus[0].name, "left_sensor");
        assert!(p.imus[0].gyro.is_some());
        assert_eq!(p.counter.as_ref().map(|c| c.1.len()), Some(2));
    }

    #[test]
    fn ragged_and_bad_cells_name_line_and_column() {
        let e = read_str("t,acc_x,acc_y,acc_z\n0,1,2,3\n0.1,1,2\n").err();
        match e {
            Some(ReadError::Ragged { at, .. }) => assert_eq!(at.line, Some(3)),
            other => panic!("{other:?}"),
        }
        let e = read_str("t,acc_x,acc_y,acc_z\n0,1,2,3\n0.1,1,oops,3\n").err();
        match e {
            Some(ReadError::BadValue { at, found, .. }) => {
                assert_eq!(at.line, Some(3));
                assert!(at.column.unwrap_or_default().contains("acc_y"));
                assert_eq!(found, "oops");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn phyphox_and_sensorlog_headers() {
        let p = read_str(
            "\"Time (s)\",\"Acceleration x (m/s^2)\",\"Acceleration y (m/s^2)\",\"Acceleration z (m/s^2)\"\n\
             0.0,0.1,0.2,9.8\n0.01,0.1,0.2,9.8\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.format, Format::Phyphox);
        assert_eq!(
            p.imus[0].acc.as_ref().and_then(|t| t.unit_label.clone()),
            Some("m/s^2".into())
        );
        // SensorLog-style Core Motion columns: gravity and user acceleration in G.
        let p = read_str(
            "loggingTime(txt),motionUserAccelerationX(G),motionUserAccelerationY(G),motionUserAccelerationZ(G),\
             motionGravityX(G),motionGravityY(G),motionGravityZ(G),motionRotationRateX(rad/s),motionRotationRateY(rad/s),motionRotationRateZ(rad/s)\n\
             2020-01-01 10:00:00.000,0.01,0,0,0,0,-1,0.1,0,0\n2020-01-01 10:00:00.010,0.01,0,0,0,0,-1,0.1,0,0\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.format, Format::CoreMotion);
        let acc = p.imus[0].acc.as_ref().map(|t| t.values[2][0]);
        assert_eq!(acc, Some(1.0), "specific force up is +1 g");
        assert_eq!(p.time.as_ref().map(|t| t.kind), Some(TimeKind::Absolute));
    }

    #[test]
    fn rate_from_file_name_and_preamble() {
        assert_eq!(
            rate_in_name("x/A_Accelerometer_12.500Hz_1.4.4.csv"),
            Some(12.5)
        );
        assert_eq!(rate_in_name("walk.csv"), None);
        let p = read("x.txt", &b"Acquisition frequency: 100 Hz\nPacketCounter\tAcc_X\tAcc_Y\tAcc_Z\n0\t1\t2\t3\n1\t1\t2\t3\n"[..], &ReadOptions::default());
        let p = p.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.nominal_rate_hz, Some(100.0));
        assert_eq!(p.format, Format::Xsens);
    }
}
