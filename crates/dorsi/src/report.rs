//! The JSON report types: a public contract. Fields may be added; renaming or removing one
//! bumps the schema version. A value that cannot be measured is `null`.

use serde::Serialize;

use crate::recording::{Clock, Format, Gap, Layout, Modality, Recording, Space, UnitBasis};

pub use crate::gait::GaitReport;
pub use crate::reps::RepsReport;

/// The `source` block of the analysis reports (`dorsi.gait/1`, `dorsi.reps/1`): what was
/// analysed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSource {
    /// The files read (the parts of one recording).
    pub files: Vec<String>,
    /// The format detected or forced.
    pub format: Format,
    /// What the recording holds: `imu`, `keypoints`, `markers`...
    pub modality: Modality,
    /// The uniform rate of the recording, Hz.
    pub sampling_rate_hz: f64,
    /// Time of the first sample on the recording's clock, s.
    pub start_s: f64,
    /// Duration, s.
    pub duration_s: f64,
}

impl ReportSource {
    /// The source block of a recording.
    pub fn new(rec: &Recording) -> Self {
        ReportSource {
            files: rec.source.files.clone(),
            format: rec.source.format,
            modality: rec.source.modality,
            sampling_rate_hz: rec.sampling_rate_hz,
            start_s: rec.start_s,
            duration_s: rec.duration_s(),
        }
    }
}

/// `dorsi inspect --json`: what is in a recording.
///
/// ```
/// # fn main() -> Result<(), dorsi::io::ReadError> {
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
/// let rec = dorsi::io::read(&[path], &Default::default())?;
/// let report = dorsi::report::InspectReport::new(&rec);
/// assert_eq!(report.schema, "dorsi.inspect/1");
/// let json = serde_json::to_string_pretty(&report).expect("serialisable");
/// assert!(json.contains("\"sampling_rate_hz\""));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// Always `dorsi.inspect/1`.
    pub schema: &'static str,
    /// The files read.
    pub files: Vec<String>,
    /// The format detected or forced.
    pub format: Format,
    /// What the recording holds.
    pub modality: Modality,
    /// The uniform rate of the recording, Hz.
    pub sampling_rate_hz: f64,
    /// The rate the file states, Hz.
    pub nominal_rate_hz: Option<f64>,
    /// The rate measured from the timestamps (rows over span), Hz.
    pub measured_rate_hz: Option<f64>,
    /// Whether samples were interpolated onto the uniform grid.
    pub resampled: bool,
    /// The clock used.
    pub clock: Clock,
    /// Time of the first sample on the recording's clock, s.
    pub start_s: f64,
    /// Duration, s.
    pub duration_s: f64,
    /// Number of samples.
    pub n_samples: usize,
    /// Inertial sensors.
    pub sensors: Vec<SensorReport>,
    /// The keypoint / marker set, if any.
    pub skeleton: Option<SkeletonReport>,
    /// Keypoint / marker names (empty for IMU recordings).
    pub landmarks: Vec<String>,
    /// Plain signals.
    pub signals: Vec<SignalReport>,
    /// Gaps found.
    pub gaps: Vec<Gap>,
    /// What the reader noticed and did.
    pub notes: Vec<String>,
}

/// One IMU in an [`InspectReport`].
#[derive(Debug, Clone, Serialize)]
pub struct SensorReport {
    /// Sensor name.
    pub name: String,
    /// Channels present: `acc_x`... `gyro_z`.
    pub channels: Vec<String>,
    /// Accelerometer unit in the file: `g` or `m/s^2`.
    pub acc_unit_in_file: Option<String>,
    /// How the accelerometer unit was decided.
    pub acc_unit_basis: Option<UnitBasis>,
    /// The evidence for the accelerometer unit.
    pub acc_unit_evidence: Option<String>,
    /// Gyroscope unit in the file: `deg/s` or `rad/s`.
    pub gyro_unit_in_file: Option<String>,
    /// How the gyroscope unit was decided.
    pub gyro_unit_basis: Option<UnitBasis>,
    /// The evidence for the gyroscope unit.
    pub gyro_unit_evidence: Option<String>,
    /// The file columns used.
    pub columns: Vec<String>,
    /// Median norm of the specific force, m/s² (about 9.81 for most recordings).
    pub median_acc_norm_mps2: Option<f64>,
}

/// The skeleton in an [`InspectReport`].
#[derive(Debug, Clone, Serialize)]
pub struct SkeletonReport {
    /// Layout.
    pub layout: Layout,
    /// Coordinate space.
    pub space: Space,
    /// 2 or 3.
    pub dims: u8,
    /// How the vertical axis was decided.
    pub up_axis: Option<String>,
    /// Share of samples in which each foot point (heel / toe) was seen, per point.
    pub seen_fraction: Vec<(String, f64)>,
}

/// One signal in an [`InspectReport`].
#[derive(Debug, Clone, Serialize)]
pub struct SignalReport {
    /// Name.
    pub name: String,
    /// Unit (SI after conversion, or the file's label, or empty).
    pub unit: String,
}

impl InspectReport {
    /// Build the report of a recording.
    pub fn new(rec: &Recording) -> Self {
        let sensors = rec
            .imus
            .iter()
            .map(|s| {
                let mut channels = Vec::new();
                if s.acc_mps2.is_some() {
                    channels.extend(["acc_x", "acc_y", "acc_z"].map(String::from));
                }
                if s.gyro_rads.is_some() {
                    channels.extend(["gyro_x", "gyro_y", "gyro_z"].map(String::from));
                }
                SensorReport {
                    name: s.name.clone(),
                    channels,
                    acc_unit_in_file: s.acc_unit.as_ref().map(|u| u.unit.name().to_string()),
                    acc_unit_basis: s.acc_unit.as_ref().map(|u| u.basis),
                    acc_unit_evidence: s.acc_unit.as_ref().map(|u| u.evidence.clone()),
                    gyro_unit_in_file: s.gyro_unit.as_ref().map(|u| u.unit.name().to_string()),
                    gyro_unit_basis: s.gyro_unit.as_ref().map(|u| u.basis),
                    gyro_unit_evidence: s.gyro_unit.as_ref().map(|u| u.evidence.clone()),
                    columns: s.columns.clone(),
                    median_acc_norm_mps2: s
                        .acc_mps2
                        .as_ref()
                        .map(|a| crate::signal::median(a.iter().map(|v| v.norm()))),
                }
            })
            .collect();
        let skeleton = rec.skeleton.as_ref().map(|sk| SkeletonReport {
            layout: sk.layout,
            space: sk.space,
            dims: sk.dims,
            up_axis: sk.up_axis.clone(),
            seen_fraction: sk
                .points
                .iter()
                .filter(|p| {
                    let n = p.name.to_ascii_lowercase();
                    n.contains("heel") || n.contains("toe") || n.contains("foot_index")
                })
                .map(|p| {
                    let seen = p
                        .position
                        .iter()
                        .filter(|x| x.iter().all(|c| c.is_finite()))
                        .count();
                    (p.name.clone(), seen as f64 / rec.n_samples.max(1) as f64)
                })
                .collect(),
        });
        InspectReport {
            schema: "dorsi.inspect/1",
            files: rec.source.files.clone(),
            format: rec.source.format,
            modality: rec.source.modality,
            sampling_rate_hz: rec.sampling_rate_hz,
            nominal_rate_hz: rec.timing.nominal_rate_hz,
            measured_rate_hz: rec.timing.measured_rate_hz,
            resampled: rec.timing.resampled,
            clock: rec.timing.clock.clone(),
            start_s: rec.start_s,
            duration_s: rec.duration_s(),
            n_samples: rec.n_samples,
            sensors,
            skeleton,
            landmarks: rec
                .skeleton
                .as_ref()
                .map(|sk| sk.points.iter().map(|p| p.name.clone()).collect())
                .unwrap_or_default(),
            signals: rec
                .signals
                .iter()
                .map(|s| SignalReport {
                    name: s.name.clone(),
                    unit: s.unit.clone(),
                })
                .collect(),
            gaps: rec.gaps.clone(),
            notes: rec.notes.clone(),
        }
    }
}
