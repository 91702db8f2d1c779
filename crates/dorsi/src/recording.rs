//! The [`Recording`]: one recording of IMU channels, keypoints / markers and plain signals on
//! one uniform time base, in SI units, with its provenance.
//!
//! Every reader in [`crate::io`] produces a `Recording`; every analysis starts from one.
//! Data is stored per channel (`Vec<Vector3<f64>>` for IMU axes and point positions,
//! `Vec<f64>` for signals), all of length [`Recording::n_samples`]. Samples that could not be
//! filled (inside a long gap) are `NaN`; [`Recording::segments`] gives the spans without them.

use std::ops::Range;

use nalgebra::Vector3;
use serde::Serialize;

/// What kind of data a recording holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Inertial sensors (accelerometer and / or gyroscope).
    Imu,
    /// Video keypoints (pose-estimation landmarks).
    Keypoints,
    /// Motion-capture markers.
    Markers,
    /// Only plain named signals (joint angles, forces...).
    Signals,
}

/// The file format a recording was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text with 1–3 header rows, columns mapped by name.
    GenericCsv,
    /// MbientLab MetaMotion / MetaWear export (`epoch (ms)`, `x-axis (g)`...).
    MetaMotion,
    /// Xsens-style text export (rate line, `PacketCounter`, `Acc_X`...).
    Xsens,
    /// phyphox CSV export (`Time (s)`, `Acceleration x (m/s^2)`...).
    Phyphox,
    /// iPhone Core Motion log (gravity, user acceleration and rotation-rate columns).
    CoreMotion,
    /// MediaPipe pose landmarks as CSV (`left_heel_x` or `x29` headers).
    MediapipeCsv,
    /// MediaPipe / BlazePose landmarks as a NumPy `.npy` array.
    MediapipeNpy,
    /// OpenPose-style JSON, one file per frame (BODY_25, Halpe-26, COCO-WholeBody...).
    OpenposeJson,
    /// TRC marker trajectories (OpenSim, Pose2Sim, Vicon exports).
    Trc,
    /// OpenSim storage (`.mot` / `.sto`): joint angles, forces.
    Mot,
}

impl Format {
    /// The name used on the command line (`--format`) and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::GenericCsv => "generic_csv",
            Format::MetaMotion => "metamotion",
            Format::Xsens => "xsens",
            Format::Phyphox => "phyphox",
            Format::CoreMotion => "core_motion",
            Format::MediapipeCsv => "mediapipe_csv",
            Format::MediapipeNpy => "mediapipe_npy",
            Format::OpenposeJson => "openpose_json",
            Format::Trc => "trc",
            Format::Mot => "mot",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a recording came from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// The files read, in the order given.
    pub files: Vec<String>,
    /// The format detected (or forced).
    pub format: Format,
    /// What the recording holds.
    pub modality: Modality,
}

/// Accelerometer units found in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccUnit {
    /// Standard gravity, 9.80665 m/s².
    #[serde(rename = "g")]
    G,
    /// Metres per second squared.
    #[serde(rename = "m/s^2")]
    MetresPerSecond2,
}

impl AccUnit {
    /// Factor that converts a value in this unit to m/s².
    pub fn to_si(self) -> f64 {
        match self {
            AccUnit::G => crate::STANDARD_GRAVITY_MPS2,
            AccUnit::MetresPerSecond2 => 1.0,
        }
    }
    /// The unit's name as in reports (`g`, `m/s^2`).
    pub fn name(self) -> &'static str {
        match self {
            AccUnit::G => "g",
            AccUnit::MetresPerSecond2 => "m/s^2",
        }
    }
}

/// Gyroscope units found in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GyroUnit {
    /// Degrees per second.
    #[serde(rename = "deg/s")]
    DegPerSecond,
    /// Radians per second.
    #[serde(rename = "rad/s")]
    RadPerSecond,
}

impl GyroUnit {
    /// Factor that converts a value in this unit to rad/s.
    pub fn to_si(self) -> f64 {
        match self {
            GyroUnit::DegPerSecond => std::f64::consts::PI / 180.0,
            GyroUnit::RadPerSecond => 1.0,
        }
    }
    /// The unit's name as in reports (`deg/s`, `rad/s`).
    pub fn name(self) -> &'static str {
        match self {
            GyroUnit::DegPerSecond => "deg/s",
            GyroUnit::RadPerSecond => "rad/s",
        }
    }
}

/// How a unit was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitBasis {
    /// Written in the file's header (`x-axis (g)`, `gyr_x_dps`...).
    Header,
    /// Fixed by the file format's specification.
    Format,
    /// Inferred from the data; the evidence says how.
    Inferred,
    /// Given by the user (`--acc-unit`, `--gyro-unit`).
    Override,
}

/// A unit as found in a file, how it was decided, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitDecision<U> {
    /// The unit the file's numbers are in.
    pub unit: U,
    /// How it was decided.
    pub basis: UnitBasis,
    /// The evidence, in words (for example `static norm 1.00 (g: 1.00, m/s^2: 9.81)`).
    pub evidence: String,
}

/// One inertial sensor: accelerometer and / or gyroscope, as 3-vectors in the sensor's frame.
#[derive(Debug, Clone)]
pub struct Imu {
    /// The sensor's name (`left_sensor`, `RightFoot`, `imu`...).
    pub name: String,
    /// Specific force (gravity included: a still sensor reads +9.81 m/s² upwards), m/s².
    pub acc_mps2: Option<Vec<Vector3<f64>>>,
    /// Angular rate, rad/s.
    pub gyro_rads: Option<Vec<Vector3<f64>>>,
    /// The accelerometer's unit in the file, and how it was decided.
    pub acc_unit: Option<UnitDecision<AccUnit>>,
    /// The gyroscope's unit in the file, and how it was decided.
    pub gyro_unit: Option<UnitDecision<GyroUnit>>,
    /// The file columns the channels came from (x, y, z of acc, then of gyro).
    pub columns: Vec<String>,
}

/// The keypoint layout (which landmarks exist and in which order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// MediaPipe / BlazePose, 33 landmarks (heels 29/30, foot index 31/32).
    Mediapipe33,
    /// OpenPose BODY_25 (heels and big / small toes).
    Body25,
    /// Halpe-26 (AlphaPose): COCO-17 plus head, neck, hip, big / small toes and heels.
    Halpe26,
    /// COCO-WholeBody, 133 points (body, feet, face, hands).
    CocoWholeBody,
    /// COCO-17: no heel or toe points.
    Coco17,
    /// Named motion-capture markers (TRC).
    Markers,
}

impl Layout {
    /// Whether the layout has heel and toe points, which gait analysis needs.
    pub fn has_feet(self) -> bool {
        !matches!(self, Layout::Coco17)
    }
}

/// The coordinate space of keypoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Space {
    /// Image coordinates: x to the right, y **down**; `normalised` means divided by the
    /// image width / height (MediaPipe) rather than pixels. z, where present, is a relative
    /// depth and not a length.
    Image {
        /// Coordinates in [0, 1] rather than pixels.
        normalised: bool,
    },
    /// Metric 3D coordinates in metres, z up (converted from the file's up axis).
    World,
}

/// One named point over time (a landmark or a marker).
#[derive(Debug, Clone)]
pub struct Point {
    /// The point's name as the layout calls it (`left_heel`, `LHeel`, `R.Heel`...).
    pub name: String,
    /// Position per sample; `NaN` where the point was not seen.
    pub position: Vec<Vector3<f64>>,
    /// Detection confidence / visibility in [0, 1], where the source gives one.
    pub confidence: Option<Vec<f32>>,
}

/// Keypoints or markers of one body.
#[derive(Debug, Clone)]
pub struct Skeleton {
    /// Which landmarks exist.
    pub layout: Layout,
    /// The coordinate space.
    pub space: Space,
    /// 2 for image x/y only, 3 when z is meaningful.
    pub dims: u8,
    /// The points.
    pub points: Vec<Point>,
    /// How the vertical axis was decided (markers and world keypoints).
    pub up_axis: Option<String>,
}

impl Skeleton {
    /// The point with this name, if any.
    pub fn point(&self, name: &str) -> Option<&Point> {
        self.points.iter().find(|p| p.name == name)
    }
}

/// A plain named signal (a joint angle, a force, a magnetometer axis...).
#[derive(Debug, Clone)]
pub struct Signal {
    /// Name (the column path, e.g. `ankle_angle_r` or `RightAnkleAngle/ML/X`).
    pub name: String,
    /// SI unit after conversion (`rad`, `m`, `N`...), or the file's own label when it is not
    /// a unit Dorsi converts, or empty when unknown.
    pub unit: String,
    /// Values per sample.
    pub values: Vec<f64>,
}

/// A stretch of time where the file had no data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// Time of the last sample before the gap, s.
    pub start_s: f64,
    /// Time of the first sample after the gap, s.
    pub end_s: f64,
    /// Whether the gap was filled by interpolation (short gaps) or left as `NaN` (long gaps,
    /// which split the recording into [`Recording::segments`]).
    pub filled: bool,
    /// What was missing: `all channels`, a sensor name, or a column.
    pub what: String,
}

/// The clock a recording's time comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Clock {
    /// The file's relative time column (kept as is: a file starting at 1.52 s starts at 1.52 s).
    Relative {
        /// The column used.
        column: String,
    },
    /// An absolute clock (epoch or date-time), turned into seconds from the first sample.
    Absolute {
        /// The column used.
        column: String,
        /// Unix time of the first sample, s.
        start_unix_s: f64,
    },
    /// A packet / frame counter divided by the sampling rate.
    Counter {
        /// The column used.
        column: String,
    },
    /// No clock in the file: sample index over the sampling rate.
    Rate,
}

/// How the time base was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    /// The rate the file states (header, file name, `--rate`), if any, Hz.
    pub nominal_rate_hz: Option<f64>,
    /// The rate measured from the file's timestamps (rows over span), if it has any, Hz.
    pub measured_rate_hz: Option<f64>,
    /// The clock used.
    pub clock: Clock,
    /// Whether the samples were interpolated onto the uniform grid (irregular timing,
    /// several files at different rates).
    pub resampled: bool,
}

/// A recording: sensors, keypoints and signals on one uniform time base, in SI units.
///
/// ```
/// # fn main() -> Result<(), dorsi::io::ReadError> {
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
/// let rec = dorsi::io::read(&[path], &dorsi::io::ReadOptions::default())?;
/// assert_eq!(rec.source.modality, dorsi::Modality::Imu);
/// assert!(rec.sampling_rate_hz > 0.0);
/// let foot = &rec.imus[0];
/// println!("{}: {} samples at {} Hz", foot.name, rec.n_samples, rec.sampling_rate_hz);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Recording {
    /// Files, format and modality.
    pub source: Source,
    /// The uniform sampling rate, Hz.
    pub sampling_rate_hz: f64,
    /// Time of sample 0 on the recording's own clock, s.
    pub start_s: f64,
    /// Number of samples of every channel.
    pub n_samples: usize,
    /// Inertial sensors.
    pub imus: Vec<Imu>,
    /// Keypoints or markers, if any.
    pub skeleton: Option<Skeleton>,
    /// Plain named signals.
    pub signals: Vec<Signal>,
    /// Gaps found in the file(s).
    pub gaps: Vec<Gap>,
    /// How the time base was obtained.
    pub timing: Timing,
    /// Things the reader noticed and did (columns ignored, rows dropped...), in words.
    pub notes: Vec<String>,
}

impl Recording {
    /// Time of sample `i`, s.
    pub fn time_s(&self, i: usize) -> f64 {
        self.start_s + i as f64 / self.sampling_rate_hz
    }

    /// Times of all samples, s.
    pub fn times_s(&self) -> Vec<f64> {
        (0..self.n_samples).map(|i| self.time_s(i)).collect()
    }

    /// Duration, s (samples over rate).
    pub fn duration_s(&self) -> f64 {
        self.n_samples as f64 / self.sampling_rate_hz
    }

    /// The IMU with this name.
    pub fn imu(&self, name: &str) -> Option<&Imu> {
        self.imus.iter().find(|s| s.name == name)
    }

    /// The signal with this name.
    pub fn signal(&self, name: &str) -> Option<&Signal> {
        self.signals.iter().find(|s| s.name == name)
    }

    /// The sample index nearest to time `t_s` (clamped to the recording).
    pub fn sample_at(&self, t_s: f64) -> usize {
        let i = ((t_s - self.start_s) * self.sampling_rate_hz).round();
        if i <= 0.0 || !i.is_finite() {
            0
        } else {
            (i as usize).min(self.n_samples.saturating_sub(1))
        }
    }

    /// The spans of samples not interrupted by an unfilled gap: the parts of the recording
    /// an analysis can run on.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut cuts: Vec<(usize, usize)> = self
            .gaps
            .iter()
            .filter(|g| !g.filled)
            .map(|g| {
                let a = self.sample_at(g.start_s) + 1;
                let b = self.sample_at(g.end_s);
                (a.min(b), b)
            })
            .collect();
        cuts.sort_unstable();
        let mut out = Vec::new();
        let mut start = 0;
        for (a, b) in cuts {
            if a > start {
                out.push(start..a);
            }
            start = start.max(b);
        }
        if start < self.n_samples {
            out.push(start..self.n_samples);
        }
        out
    }
}
