//! What one file gives before the files of a recording are put on one time base and units are
//! decided: columns of raw numbers, grouped by role. Every reader produces a [`Part`];
//! [`super::assemble`] turns the parts into a [`crate::Recording`].

use crate::recording::{Format, Layout, Space};

/// A clock column's values, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeKind {
    /// Seconds on the file's own relative clock.
    Relative,
    /// Unix seconds.
    Absolute,
}

/// A clock column of a file.
#[derive(Debug, Clone)]
pub(crate) struct TimeColumn {
    pub name: String,
    pub kind: TimeKind,
    pub values: Vec<f64>,
}

/// Three axes of one quantity, as in the file (unit not yet applied).
#[derive(Debug, Clone)]
pub(crate) struct Triple {
    pub columns: [String; 3],
    pub values: [Vec<f64>; 3],
    /// The unit as written in the header, if any (`g`, `deg/s`, `m/s^2`...).
    pub unit_label: Option<String>,
}

/// An inertial sensor as found in one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawImu {
    pub name: String,
    pub acc: Option<Triple>,
    pub gyro: Option<Triple>,
    /// Unit fixed by the format (not written in the header), with the reason.
    pub acc_format_unit: Option<(crate::AccUnit, String)>,
    pub gyro_format_unit: Option<(crate::GyroUnit, String)>,
}

/// A point of a skeleton as found in one file, already in the skeleton's space and unit.
#[derive(Debug, Clone)]
pub(crate) struct RawPoint {
    pub name: String,
    pub xyz: [Vec<f64>; 3],
    pub confidence: Option<Vec<f32>>,
}

/// Keypoints / markers of one file.
#[derive(Debug, Clone)]
pub(crate) struct RawSkeleton {
    pub layout: Layout,
    pub space: Space,
    pub dims: u8,
    pub up_axis: Option<String>,
    pub points: Vec<RawPoint>,
}

/// A plain signal of one file, already in its final unit.
#[derive(Debug, Clone)]
pub(crate) struct RawSignal {
    pub name: String,
    pub unit: String,
    pub values: Vec<f64>,
}

/// Everything one file gives.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub file: String,
    pub format: Format,
    pub n_rows: usize,
    /// The 1-based file line of each row, for error messages (empty when rows are not lines).
    pub lines: Vec<u64>,
    pub time: Option<TimeColumn>,
    /// An absolute clock kept beside a relative `time`, for joining files.
    pub alt_time: Option<TimeColumn>,
    /// A packet / frame counter, used as the clock when there is no time column.
    pub counter: Option<(String, Vec<f64>)>,
    /// The rate the file states (header, file name), Hz.
    pub nominal_rate_hz: Option<f64>,
    pub imus: Vec<RawImu>,
    pub skeleton: Option<RawSkeleton>,
    pub signals: Vec<RawSignal>,
    pub notes: Vec<String>,
}

impl Part {
    pub fn new(file: &str, format: Format) -> Self {
        Part {
            file: file.to_string(),
            format,
            n_rows: 0,
            lines: Vec::new(),
            time: None,
            alt_time: None,
            counter: None,
            nominal_rate_hz: None,
            imus: Vec::new(),
            skeleton: None,
            signals: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The file line of row `i` (1-based), when rows are lines.
    pub fn line_of(&self, i: usize) -> Option<u64> {
        self.lines.get(i).copied()
    }

    /// Keep only rows for which `keep` is true, in every column.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        fn f<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            if v.len() == keep.len() {
                let mut i = 0;
                v.retain(|_| {
                    let k = keep[i];
                    i += 1;
                    k
                });
            }
        }
        f(&mut self.lines, keep);
        for t in [&mut self.time, &mut self.alt_time].into_iter().flatten() {
            f(&mut t.values, keep);
        }
        if let Some((_, c)) = &mut self.counter {
            f(c, keep);
        }
        for imu in &mut self.imus {
            for t in [&mut imu.acc, &mut imu.gyro].into_iter().flatten() {
                for v in &mut t.values {
                    f(v, keep);
                }
            }
        }
        if let Some(s) = &mut self.skeleton {
            for p in &mut s.points {
                for v in &mut p.xyz {
                    f(v, keep);
                }
                if let Some(c) = &mut p.confidence {
                    f(c, keep);
                }
            }
        }
        for s in &mut self.signals {
            f(&mut s.values, keep);
        }
        self.n_rows = keep.iter().filter(|&&k| k).count();
    }

    /// All numeric channels of row `i` (for comparing duplicated rows).
    pub fn row_values(&self, i: usize) -> Vec<f64> {
        let mut out = Vec::new();
        for imu in &self.imus {
            for t in [&imu.acc, &imu.gyro].into_iter().flatten() {
                out.extend(t.values.iter().map(|v| v[i]));
            }
        }
        if let Some(s) = &self.skeleton {
            for p in &s.points {
                out.extend(p.xyz.iter().map(|v| v[i]));
            }
        }
        out.extend(self.signals.iter().map(|s| s.values[i]));
        out
    }
}
