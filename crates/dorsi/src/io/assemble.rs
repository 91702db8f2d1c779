//! Parts → one [`Recording`]: the clock of each file, duplicated / decreasing timestamps,
//! gaps, one uniform grid for all files, short gaps filled, units decided and applied.

use nalgebra::Vector3;

use super::part::{Part, TimeKind, Triple};
use super::units::{self, median, parse_unit, Unit};
use super::{Location, ReadError, ReadOptions};
use crate::recording::{
    AccUnit, Clock, Gap, GyroUnit, Imu, Layout, Modality, Point, Recording, Signal, Skeleton,
    Source, Timing, UnitBasis, UnitDecision,
};

/// One part with its clock decided.
struct Timed {
    part: Part,
    /// Seconds on the part's clock (relative, or Unix when `absolute`).
    t: Vec<f64>,
    absolute: bool,
    rate_hz: f64,
    clock: Clock,
    measured_rate_hz: Option<f64>,
}

pub(crate) fn assemble(parts: Vec<Part>, opts: &ReadOptions) -> Result<Recording, ReadError> {
    let multi = parts.len() > 1;
    let all_abs = parts.iter().all(|p| {
        p.time
            .as_ref()
            .is_some_and(|t| t.kind == TimeKind::Absolute)
            || p.alt_time.is_some()
    });
    let mut timed = Vec::with_capacity(parts.len());
    for part in parts {
        timed.push(clock_of(part, opts, multi && all_abs)?);
    }
    if multi {
        let kinds: Vec<bool> = timed.iter().map(|t| t.absolute).collect();
        if kinds.iter().any(|&a| a != kinds[0]) {
            return Err(ReadError::Join {
                problem: format!(
                    "cannot join {}: some files have an absolute clock and others do not",
                    timed
                        .iter()
                        .map(|t| t.part.file.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            });
        }
    }
    let rate = opts
        .rate_hz
        .unwrap_or_else(|| timed.iter().map(|t| t.rate_hz).fold(0.0, f64::max));
    let first = timed.iter().map(|t| t.t[0]).fold(f64::MIN, f64::max);
    let last = timed
        .iter()
        .map(|t| t.t[t.t.len() - 1])
        .fold(f64::MAX, f64::min);
    if last < first {
        return Err(ReadError::Join {
            problem: format!(
                "the files do not overlap in time ({})",
                timed
                    .iter()
                    .map(|t| format!(
                        "{}: {:.3} to {:.3} s",
                        t.part.file,
                        t.t[0],
                        t.t[t.t.len() - 1]
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    let n = ((last - first) * rate + 1e-6).floor() as usize + 1;
    let origin = if timed[0].absolute { first } else { 0.0 };
    let mut notes = Vec::new();
    let mut gaps = Vec::new();
    let mut resampled = false;
    let mut imus = Vec::new();
    let mut skeleton: Option<Skeleton> = None;
    let mut signals = Vec::new();
    let files: Vec<String> = timed.iter().map(|t| t.part.file.clone()).collect();
    let format = timed[0].part.format;
    let clock = timed[0].clock.clone();
    let measured = timed[0].measured_rate_hz;
    let nominal = opts.rate_hz.or(timed[0].part.nominal_rate_hz);
    if multi {
        let used: Vec<String> = timed
            .iter()
            .map(|t| format!("{} at {:.3} Hz", t.part.file, t.rate_hz))
            .collect();
        notes.push(format!(
            "joined {} on their common time span, on a {rate:.3} Hz grid",
            used.join(" and ")
        ));
    }

    for tp in timed {
        let grid = Grid::new(&tp.t, first, rate, n, opts.max_fill_s);
        resampled |= grid.interpolated;
        for (a, b, filled) in &grid.gaps {
            gaps.push(Gap {
                start_s: a - origin,
                end_s: b - origin,
                filled: *filled,
                what: if multi {
                    file_name(&tp.part.file)
                } else {
                    "all channels".into()
                },
            });
        }
        let part = tp.part;
        notes.extend(part.notes.iter().map(|s| {
            if multi {
                format!("{}: {s}", part.file)
            } else {
                s.clone()
            }
        }));
        // Units per sensor; a sensor whose data cannot tell its unit takes the unit the other
        // sensors of the same file agree on (one device family, one export setting).
        let mut decided = Vec::new();
        for raw in part.imus {
            let acc = raw.acc.map(|t| grid_triple(&grid, t));
            let gyro = raw.gyro.map(|t| grid_triple(&grid, t));
            let acc_unit = match &acc {
                Some((cols, v, label)) => Some(decide_acc(
                    &part.file,
                    &raw.name,
                    cols,
                    v,
                    label,
                    &raw.acc_format_unit,
                    opts,
                )?),
                None => None,
            };
            let gyro_unit = match &gyro {
                Some((cols, v, label)) => Some(decide_gyro(
                    &part.file,
                    cols,
                    v,
                    label,
                    &raw.gyro_format_unit,
                    acc.as_ref().map(|a| a.1.as_slice()),
                    rate,
                    opts,
                    &mut notes,
                )?),
                None => None,
            };
            decided.push((raw.name, acc, gyro, acc_unit, gyro_unit));
        }
        let acc_consensus = consensus(decided.iter().map(|d| &d.3));
        let gyro_consensus = consensus(decided.iter().map(|d| &d.4));
        for (name, acc, gyro, acc_unit, gyro_unit) in decided {
            let mut imu = Imu {
                name,
                acc_mps2: None,
                gyro_rads: None,
                acc_unit: None,
                gyro_unit: None,
                columns: Vec::new(),
            };
            if let (Some((cols, v, _)), Some(unit)) = (&acc, acc_unit) {
                let unit = unit.or_else(|e| adopt(e, acc_consensus, |u| u.name()))?;
                imu.acc_mps2 = Some(scale(v, unit.unit.to_si()));
                imu.acc_unit = Some(unit);
                imu.columns.extend(cols.iter().cloned());
            }
            if let (Some((cols, v, _)), Some(unit)) = (&gyro, gyro_unit) {
                let unit = unit.or_else(|e| adopt(e, gyro_consensus, |u| u.name()))?;
                imu.gyro_rads = Some(scale(v, unit.unit.to_si()));
                imu.gyro_unit = Some(unit);
                imu.columns.extend(cols.iter().cloned());
            }
            // Several files of one recording may name their sensors alike: a MetaMotion
            // accelerometer file and its gyroscope file are one sensor; two foot files are two.
            if let Some(same) = imus.iter_mut().find(|s: &&mut Imu| s.name == imu.name) {
                if same.acc_mps2.is_none() && same.gyro_rads.is_some() && imu.gyro_rads.is_none()
                    || same.gyro_rads.is_none() && same.acc_mps2.is_some() && imu.acc_mps2.is_none()
                {
                    merge(same, imu);
                    continue;
                }
                imu.name = file_stem(&part.file);
            }
            imus.push(imu);
        }
        if let Some(sk) = part.skeleton {
            let points = sk
                .points
                .into_iter()
                .map(|p| Point {
                    name: p.name,
                    position: (0..n)
                        .map(|i| {
                            Vector3::new(
                                grid.value(&p.xyz[0], i),
                                grid.value(&p.xyz[1], i),
                                grid.value(&p.xyz[2], i),
                            )
                        })
                        .collect(),
                    confidence: p.confidence.map(|c| {
                        let c64: Vec<f64> = c.iter().map(|&v| f64::from(v)).collect();
                        (0..n).map(|i| grid.value(&c64, i) as f32).collect()
                    }),
                })
                .collect();
            skeleton = Some(Skeleton {
                layout: sk.layout,
                space: sk.space,
                dims: sk.dims,
                points,
                up_axis: sk.up_axis,
            });
        }
        for s in part.signals {
            signals.push(Signal {
                values: (0..n).map(|i| grid.value(&s.values, i)).collect(),
                name: if multi {
                    format!("{}/{}", file_stem(&part.file), s.name)
                } else {
                    s.name
                },
                unit: s.unit,
            });
        }
    }

    let mut rec = Recording {
        source: Source {
            files,
            format,
            modality: Modality::Signals,
        },
        sampling_rate_hz: rate,
        start_s: first - origin,
        n_samples: n,
        imus,
        skeleton,
        signals,
        gaps,
        timing: Timing {
            nominal_rate_hz: nominal,
            measured_rate_hz: measured,
            clock,
            resampled,
        },
        notes,
    };
    trim_imu_edges(&mut rec);
    fill_missing(&mut rec, opts.max_fill_s);
    rec.source.modality = if !rec.imus.is_empty() {
        Modality::Imu
    } else if let Some(sk) = &rec.skeleton {
        if sk.layout == Layout::Markers {
            Modality::Markers
        } else {
            Modality::Keypoints
        }
    } else {
        Modality::Signals
    };
    if rec.imus.is_empty() && rec.skeleton.is_none() && rec.signals.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(rec.source.files.join(", ")),
            what: "no sensor, keypoint or signal column found".into(),
        });
    }
    Ok(rec)
}

fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

fn file_stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

fn merge(into: &mut Imu, other: Imu) {
    if into.acc_mps2.is_none() {
        into.acc_mps2 = other.acc_mps2;
        into.acc_unit = other.acc_unit;
    }
    if into.gyro_rads.is_none() {
        into.gyro_rads = other.gyro_rads;
        into.gyro_unit = other.gyro_unit;
    }
    into.columns.extend(other.columns);
}

fn scale(v: &[Vector3<f64>], f: f64) -> Vec<Vector3<f64>> {
    v.iter().map(|x| x * f).collect()
}

type GridTriple = ([String; 3], Vec<Vector3<f64>>, Option<String>);

fn grid_triple(grid: &Grid, t: Triple) -> GridTriple {
    let v = (0..grid.n)
        .map(|i| {
            Vector3::new(
                grid.value(&t.values[0], i),
                grid.value(&t.values[1], i),
                grid.value(&t.values[2], i),
            )
        })
        .collect();
    (t.columns, v, t.unit_label)
}

/// Decide the clock of one part: its time column, counter or the rate; refuse duplicated
/// (with different values) and decreasing timestamps and gaps over the limit.
fn clock_of(mut part: Part, opts: &ReadOptions, want_abs: bool) -> Result<Timed, ReadError> {
    let file = part.file.clone();
    let line_at = |part: &Part, i: usize| match part.line_of(i) {
        Some(l) => Location::line(&file, l),
        None => Location::file(&file).with_column(format!("row {}", i + 1)),
    };
    let (mut t, absolute, clock_col, is_counter) = {
        let chosen = if want_abs
            && part
                .time
                .as_ref()
                .is_some_and(|t| t.kind != TimeKind::Absolute)
        {
            part.alt_time.take()
        } else {
            part.time.take()
        };
        if let Some(tc) = chosen {
            let abs = tc.kind == TimeKind::Absolute;
            (tc.values, abs, Some(tc.name), false)
        } else if let Some((name, c)) = part.counter.take() {
            let rate = opts.rate_hz.or(part.nominal_rate_hz);
            match rate {
                Some(r) => {
                    let c = unwrap_counter(&c);
                    let c0 = c.first().copied().unwrap_or(0.0);
                    (
                        c.iter().map(|v| (v - c0) / r).collect(),
                        false,
                        Some(name),
                        true,
                    )
                }
                None => {
                    return Err(ReadError::NeedRate {
                        file,
                        found: format!("only the counter '{name}'"),
                    })
                }
            }
        } else {
            match opts.rate_hz.or(part.nominal_rate_hz) {
                Some(r) => (
                    (0..part.n_rows).map(|i| i as f64 / r).collect(),
                    false,
                    None,
                    false,
                ),
                None => {
                    return Err(ReadError::NeedRate {
                        file,
                        found: "looked for time, timestamp, epoch, elapsed or a counter".into(),
                    })
                }
            }
        }
    };
    if t.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(&file),
            what: "no data rows".into(),
        });
    }
    // Duplicated and decreasing timestamps.
    let mut keep = vec![true; t.len()];
    let mut dropped = 0usize;
    let mut prev = 0usize;
    for i in 1..t.len() {
        if t[i] > t[prev] {
            prev = i;
            continue;
        }
        if t[i] == t[prev] && part.row_values(i) == part.row_values(prev) {
            keep[i] = false;
            dropped += 1;
            continue;
        }
        let what = if is_counter { "counter" } else { "time" };
        let col = clock_col.clone().unwrap_or_default();
        let problem = if t[i] == t[prev] {
            format!(
                "duplicated {what} {} (as on {}) with different values; expected strictly increasing {what}",
                t[i],
                line_at(&part, prev)
            )
        } else {
            format!(
                "{what} goes back from {} ({}) to {}; expected increasing {what}",
                t[prev],
                line_at(&part, prev),
                t[i]
            )
        };
        return Err(ReadError::Time {
            at: line_at(&part, i).with_column(format!("'{col}'")),
            problem,
        });
    }
    if dropped > 0 {
        part.notes.push(format!(
            "{dropped} exact duplicate row(s) (same time, same values) dropped"
        ));
        let mut i = 0;
        t.retain(|_| {
            let k = keep[i];
            i += 1;
            k
        });
        part.retain_rows(&keep);
    }
    // The rate: given, stated by the file, or measured.
    let dts: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let measured = if t.len() >= 2 && clock_col.is_some() {
        Some((t.len() - 1) as f64 / (t[t.len() - 1] - t[0]))
    } else {
        None
    };
    // The median interval, refined over the whole span (timestamps written with few
    // decimals give 30.0003 Hz from one interval, 30.0000 from 154 of them).
    let median_rate = if dts.is_empty() {
        None
    } else {
        let r = 1.0 / median(dts.iter().copied());
        let span = t[t.len() - 1] - t[0];
        let steps = (span * r).round();
        Some(round_rate(if steps >= 1.0 { steps / span } else { r }))
    };
    let rate = match (opts.rate_hz, part.nominal_rate_hz, median_rate) {
        (Some(r), _, _) => r,
        (None, Some(nom), Some(med)) if !is_counter && clock_col.is_some() => {
            if (nom - med).abs() / nom > 0.05 {
                part.notes.push(format!(
                    "the file states {nom} Hz but its timestamps are {med} Hz apart; using {med} Hz"
                ));
                med
            } else {
                nom
            }
        }
        (None, Some(nom), _) => nom,
        (None, None, Some(med)) => med,
        (None, None, None) => {
            return Err(ReadError::NeedRate {
                file,
                found: "a single row: the rate cannot be measured".into(),
            })
        }
    };
    // Gaps over the limit are refused.
    for (i, dt) in dts.iter().enumerate() {
        if *dt > opts.max_gap_s {
            return Err(ReadError::Time {
                at: line_at(&part, i + 1)
                    .with_column(format!("'{}'", clock_col.clone().unwrap_or_default())),
                problem: format!(
                    "gap of {} after {}: longer than {} s, which is more likely two recordings than one; split the file",
                    human_duration(*dt),
                    line_at(&part, i),
                    opts.max_gap_s
                ),
            });
        }
    }
    let clock = match (&clock_col, absolute, is_counter) {
        (Some(c), true, _) => Clock::Absolute {
            column: c.clone(),
            start_unix_s: t[0],
        },
        (Some(c), false, true) => Clock::Counter { column: c.clone() },
        (Some(c), false, false) => Clock::Relative { column: c.clone() },
        (None, _, _) => Clock::Rate,
    };
    Ok(Timed {
        part,
        t,
        absolute,
        rate_hz: rate,
        clock,
        measured_rate_hz: measured,
    })
}

fn human_duration(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h ({s:.0} s)", s / 3600.0)
    } else if s >= 60.0 {
        format!("{:.1} min ({s:.0} s)", s / 60.0)
    } else {
        format!("{s:.3} s")
    }
}

/// A measured rate rounded the way devices state theirs: to 4 significant digits when that
/// is within 0.01 % (10.0002 Hz from a jittery phone clock is 10 Hz; 204.8 Hz stays), else to
/// 6. The grid only needs to be close: values are interpolated from the real timestamps.
fn round_rate(r: f64) -> f64 {
    if !r.is_finite() || r <= 0.0 {
        return r;
    }
    let round_to = |digits: i32| {
        let mag = 10f64.powi(digits - 1 - r.log10().floor() as i32);
        (r * mag).round() / mag
    };
    let short = round_to(4);
    if ((short - r) / r).abs() < 1e-4 {
        short
    } else {
        round_to(6)
    }
}

/// Undo 16-bit wrap-around of packet counters (Xsens counts 0..65535).
fn unwrap_counter(c: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(c.len());
    let mut offset = 0.0;
    for (i, &v) in c.iter().enumerate() {
        if i > 0 && v + offset < out[i - 1] && c[i - 1] > 60000.0 && v < 5536.0 {
            offset += 65536.0;
        }
        out.push(v + offset);
    }
    out
}

/// Where each grid sample falls in a part's rows.
struct Grid {
    n: usize,
    /// Per grid sample: the row before it, the weight of the next row, or `None` inside an
    /// unfilled gap / outside the rows.
    at: Vec<Option<(usize, f64)>>,
    gaps: Vec<(f64, f64, bool)>,
    interpolated: bool,
}

impl Grid {
    fn new(t: &[f64], start: f64, rate: f64, n: usize, max_fill_s: f64) -> Self {
        let period = 1.0 / rate;
        let eps = 1e-3 * period;
        let mut gaps = Vec::new();
        let row_period = if t.len() >= 2 {
            median(t.windows(2).map(|w| w[1] - w[0]))
        } else {
            period
        };
        for w in t.windows(2) {
            let dt = w[1] - w[0];
            if dt > 1.5 * row_period.max(period) {
                gaps.push((w[0], w[1], dt - row_period <= max_fill_s + eps));
            }
        }
        let mut at = Vec::with_capacity(n);
        let mut j = 0usize;
        let mut interpolated = false;
        for i in 0..n {
            let g = start + i as f64 * period;
            while j + 1 < t.len() && t[j + 1] <= g + eps {
                j += 1;
            }
            if (t[j] - g).abs() <= eps {
                at.push(Some((j, 0.0)));
            } else if j + 1 < t.len() && t[j] < g {
                let dt = t[j + 1] - t[j];
                let unfilled =
                    dt > 1.5 * row_period.max(period) && dt - row_period > max_fill_s + eps;
                if unfilled {
                    at.push(None);
                } else {
                    // Between two rows of normal spacing: the grid is off the file's samples.
                    interpolated |= dt <= 1.5 * row_period.max(period);
                    at.push(Some((j, (g - t[j]) / dt)));
                }
            } else {
                at.push(None);
            }
        }
        Grid {
            n,
            at,
            gaps,
            interpolated,
        }
    }

    #[inline]
    fn value(&self, v: &[f64], i: usize) -> f64 {
        match self.at[i] {
            Some((j, 0.0)) => v[j],
            Some((j, w)) => v[j] + w * (v[j + 1] - v[j]),
            None => f64::NAN,
        }
    }
}

/// A unit decided, or why the data could not tell (which the file's other sensors may
/// settle).
type Decision<U> = Result<UnitDecision<U>, ReadError>;

/// The unit all decided sensors of a file agree on, if any.
fn consensus<'a, U: Copy + PartialEq + 'a>(
    decisions: impl Iterator<Item = &'a Option<Decision<U>>>,
) -> Option<U> {
    let units: Vec<U> = decisions
        .filter_map(|d| d.as_ref()?.as_ref().ok().map(|d| d.unit))
        .collect();
    let first = *units.first()?;
    units.iter().all(|u| *u == first).then_some(first)
}

/// Settle an undecided unit with the file's consensus, or return the original error.
fn adopt<U: Copy>(
    undecided: ReadError,
    consensus: Option<U>,
    name: impl Fn(U) -> &'static str,
) -> Result<UnitDecision<U>, ReadError> {
    let Some(u) = consensus else {
        return Err(undecided);
    };
    let own = match &undecided {
        ReadError::Unit { problem, .. } => problem.clone(),
        other => other.to_string(),
    };
    Ok(UnitDecision {
        unit: u,
        basis: UnitBasis::Inferred,
        evidence: format!(
            "{} like the other sensors of this file; this sensor alone: {own}",
            name(u)
        ),
    })
}

fn decide_acc(
    file: &str,
    sensor: &str,
    cols: &[String; 3],
    v: &[Vector3<f64>],
    label: &Option<String>,
    format_unit: &Option<(AccUnit, String)>,
    opts: &ReadOptions,
) -> Result<Decision<AccUnit>, ReadError> {
    let inferred = units::infer_acc(v);
    let at = || Location::file(file).with_column(format!("'{}'", cols[0]));
    if let Some(u) = opts.acc_unit {
        return Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Override,
            evidence: format!("given by the user; data: {}", inferred.evidence),
        }));
    }
    if let Some(label) = label {
        let Some(Unit::Acc(u)) = parse_unit(label) else {
            return Err(ReadError::Unit {
                at: at(),
                problem: format!(
                    "unknown accelerometer unit '{label}'; expected g or m/s^2 (or pass --acc-unit)"
                ),
            });
        };
        if let Some(data_unit) = inferred.unit {
            if data_unit != u {
                return Err(ReadError::Unit {
                    at: at(),
                    problem: format!(
                        "the header says {} but the data looks like {}: {}; pass --acc-unit to say which is right",
                        u.name(),
                        data_unit.name(),
                        inferred.evidence
                    ),
                });
            }
        }
        return Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Header,
            evidence: format!("'{label}' in the header; {}", inferred.evidence),
        }));
    }
    if let Some((u, why)) = format_unit {
        if inferred.unit.is_none_or(|d| d == *u) {
            return Ok(Ok(UnitDecision {
                unit: *u,
                basis: UnitBasis::Format,
                evidence: format!("{why}; {}", inferred.evidence),
            }));
        }
    }
    match inferred.unit {
        Some(u) => Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Inferred,
            evidence: inferred.evidence,
        })),
        None => Ok(Err(ReadError::Unit {
            at: at(),
            problem: format!(
                "cannot tell the accelerometer unit of sensor '{sensor}': {}; pass --acc-unit g or m/s^2",
                inferred.evidence
            ),
        })),
    }
}

#[allow(clippy::too_many_arguments)]
fn decide_gyro(
    file: &str,
    cols: &[String; 3],
    v: &[Vector3<f64>],
    label: &Option<String>,
    format_unit: &Option<(GyroUnit, String)>,
    acc: Option<&[Vector3<f64>]>,
    rate: f64,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Decision<GyroUnit>, ReadError> {
    let at = || Location::file(file).with_column(format!("'{}'", cols[0]));
    if let Some(u) = opts.gyro_unit {
        return Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Override,
            evidence: "given by the user".into(),
        }));
    }
    let inferred = units::infer_gyro(v, acc, rate);
    if let Some(label) = label {
        let Some(Unit::Gyro(u)) = parse_unit(label) else {
            return Err(ReadError::Unit {
                at: at(),
                problem: format!(
                    "unknown gyroscope unit '{label}'; expected deg/s or rad/s (or pass --gyro-unit)"
                ),
            });
        };
        if inferred.unit.is_some_and(|d| d != u) {
            notes.push(format!(
                "{}: the header says {} but the data suggests otherwise ({}); kept the header's unit",
                cols[0],
                u.name(),
                inferred.evidence
            ));
        }
        return Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Header,
            evidence: format!("'{label}' in the header; {}", inferred.evidence),
        }));
    }
    if let Some((u, why)) = format_unit {
        if inferred.unit.is_none_or(|d| d == *u) {
            return Ok(Ok(UnitDecision {
                unit: *u,
                basis: UnitBasis::Format,
                evidence: format!("{why}; {}", inferred.evidence),
            }));
        }
    }
    match inferred.unit {
        Some(u) => Ok(Ok(UnitDecision {
            unit: u,
            basis: UnitBasis::Inferred,
            evidence: inferred.evidence,
        })),
        None => Ok(Err(ReadError::Unit {
            at: at(),
            problem: format!(
                "cannot tell the gyroscope unit: {}; pass --gyro-unit deg/s or rad/s",
                inferred.evidence
            ),
        })),
    }
}

/// Drop leading and trailing samples where an IMU channel has no value (a phone log whose
/// first row is empty, files of a pair that start a little apart).
fn trim_imu_edges(rec: &mut Recording) {
    if rec.imus.is_empty() {
        return;
    }
    let ok = |i: usize| {
        rec.imus.iter().all(|s| {
            [&s.acc_mps2, &s.gyro_rads]
                .into_iter()
                .flatten()
                .all(|v| v[i].iter().all(|c| c.is_finite()))
        })
    };
    let Some(a) = (0..rec.n_samples).find(|&i| ok(i)) else {
        return;
    };
    let b = (0..rec.n_samples).rev().find(|&i| ok(i)).unwrap_or(a) + 1;
    if a == 0 && b == rec.n_samples {
        return;
    }
    rec.notes.push(format!(
        "{} leading and {} trailing sample(s) without IMU values dropped",
        a,
        rec.n_samples - b
    ));
    let cut = |v: &mut Vec<Vector3<f64>>| {
        v.truncate(b);
        v.drain(..a);
    };
    for s in &mut rec.imus {
        for v in [&mut s.acc_mps2, &mut s.gyro_rads].into_iter().flatten() {
            cut(v);
        }
    }
    if let Some(sk) = &mut rec.skeleton {
        for p in &mut sk.points {
            cut(&mut p.position);
            if let Some(c) = &mut p.confidence {
                c.truncate(b);
                c.drain(..a);
            }
        }
    }
    for s in &mut rec.signals {
        s.values.truncate(b);
        s.values.drain(..a);
    }
    rec.start_s += a as f64 / rec.sampling_rate_hz;
    rec.n_samples = b - a;
}

/// Runs of missing samples: `(first, end)` half-open.
fn missing_runs(missing: impl Iterator<Item = bool>) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    let mut n = 0;
    for (i, m) in missing.enumerate() {
        match (m, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
        n = i + 1;
    }
    if let Some(s) = start {
        runs.push((s, n));
    }
    runs
}

fn interpolate_run(v: &mut [Vector3<f64>], a: usize, b: usize) {
    let (x0, x1) = (v[a - 1], v[b]);
    let len = (b - a + 1) as f64;
    for (k, x) in v[a..b].iter_mut().enumerate() {
        let w = (k + 1) as f64 / len;
        *x = x0 + (x1 - x0) * w;
    }
}

/// Missing values inside the data (empty cells, undetected frames): short runs are filled by
/// linear interpolation, long ones kept as `NaN`; both are reported as gaps. Gaps already
/// reported from the clock are not reported twice.
fn fill_missing(rec: &mut Recording, max_fill_s: f64) {
    let max_fill = (max_fill_s * rec.sampling_rate_hz).floor() as usize;
    let rate = rec.sampling_rate_hz;
    let start = rec.start_s;
    let t = |i: usize| start + i as f64 / rate;
    let mut new_gaps = Vec::new();
    let known: Vec<(f64, f64)> = rec.gaps.iter().map(|g| (g.start_s, g.end_s)).collect();
    let n = rec.n_samples;
    let report = |what: &str, a: usize, b: usize, filled: bool, gaps: &mut Vec<Gap>| {
        let (s, e) = (t(a.saturating_sub(1)), t(b.min(n.saturating_sub(1))));
        if !known
            .iter()
            .any(|(ks, ke)| *ks <= s + 1e-9 && *ke >= e - 1e-9)
        {
            gaps.push(Gap {
                start_s: s,
                end_s: e,
                filled,
                what: what.to_string(),
            });
        }
    };
    for s in &mut rec.imus {
        let runs = {
            let chans: Vec<&Vec<Vector3<f64>>> =
                [&s.acc_mps2, &s.gyro_rads].into_iter().flatten().collect();
            missing_runs((0..n).map(|i| chans.iter().any(|v| v[i].iter().any(|c| !c.is_finite()))))
        };
        for (a, b) in runs {
            let interior = a > 0 && b < n;
            let filled = interior && b - a <= max_fill;
            if filled {
                for v in [&mut s.acc_mps2, &mut s.gyro_rads].into_iter().flatten() {
                    interpolate_run(v, a, b);
                }
            }
            report(&s.name, a, b, filled, &mut new_gaps);
        }
    }
    if let Some(sk) = &mut rec.skeleton {
        let undetected = missing_runs((0..n).map(|i| {
            sk.points
                .iter()
                .all(|p| p.position[i].iter().any(|c| !c.is_finite()))
        }));
        for p in &mut sk.points {
            let runs = missing_runs(p.position.iter().map(|x| x.iter().any(|c| !c.is_finite())));
            for (a, b) in runs {
                if a > 0 && b < n && b - a <= max_fill {
                    interpolate_run(&mut p.position, a, b);
                }
            }
        }
        for (a, b) in undetected {
            let filled = a > 0 && b < n && b - a <= max_fill;
            report("keypoints (no detection)", a, b, filled, &mut new_gaps);
        }
    }
    rec.gaps.extend(new_gaps);
    rec.gaps = merge_gaps(std::mem::take(&mut rec.gaps));
}

/// One gap per stretch of time: overlapping reports (the same dropout seen in both files of a
/// pair, and again as missing IMU values) become one, listing what was missing.
fn merge_gaps(mut gaps: Vec<Gap>) -> Vec<Gap> {
    gaps.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let mut out: Vec<Gap> = Vec::with_capacity(gaps.len());
    for g in gaps {
        match out.last_mut() {
            Some(last) if g.start_s < last.end_s => {
                last.end_s = last.end_s.max(g.end_s);
                last.filled &= g.filled;
                if !last.what.split(", ").any(|w| w == g.what) {
                    last.what = format!("{}, {}", last.what, g.what);
                }
            }
            _ => out.push(g),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_to_six_digits() {
        assert_eq!(round_rate(1.0 / 0.0048828125), 204.8);
        assert_eq!(round_rate(1.0 / 0.010000001), 100.0);
        assert_eq!(round_rate(12.5), 12.5);
        assert_eq!(round_rate(10.0002), 10.0);
        assert_eq!(round_rate(148.153), 148.153);
    }

    #[test]
    fn counters_unwrap() {
        assert_eq!(
            unwrap_counter(&[65534.0, 65535.0, 0.0, 1.0]),
            vec![65534.0, 65535.0, 65536.0, 65537.0]
        );
    }

    #[test]
    fn grid_reports_and_fills_short_gaps_only() {
        // 10 Hz rows with a 0.3 s hole (2 missing rows) and a 2 s hole.
        let mut t: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
        t.extend((12..20).map(|i| i as f64 * 0.1));
        t.extend((40..45).map(|i| i as f64 * 0.1));
        let n = 45;
        let g = Grid::new(&t, 0.0, 10.0, n, 0.25);
        assert_eq!(g.gaps.len(), 2);
        assert!(g.gaps[0].2, "short gap filled");
        assert!(!g.gaps[1].2, "long gap not filled");
        let v: Vec<f64> = t.iter().map(|x| x * 2.0).collect();
        assert!((g.value(&v, 10) - 2.0).abs() < 1e-9);
        assert!(g.value(&v, 25).is_nan());
        assert!((g.value(&v, 44) - 8.8).abs() < 1e-9);
    }
}
