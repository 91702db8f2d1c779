//! `dorsi synth`: synthetic recordings with exact labels.

use std::path::Path;

use dorsi::synth::body::Side;
use dorsi::synth::gait::{Compensation, Walk, WalkParams};
use dorsi::synth::imu::{self, Placement, SensorErrors};
use nalgebra::Rotation3;

use crate::UsageError;

/// What the synthetic recording is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// IMUs as generic CSV (at --rate).
    Imu,
    /// MediaPipe image landmarks as CSV (30 fps camera beside the walker).
    Mediapipe,
    /// MediaPipe world landmarks as CSV (30 fps).
    MediapipeWorld,
    /// OpenPose BODY_25 JSON frames in a folder named by -o (30 fps).
    Openpose,
    /// Motion-capture markers as TRC (100 Hz).
    Trc,
}

/// Where the simulated IMUs sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SensorSite {
    /// One IMU on each foot.
    Foot,
    /// One IMU on each shank.
    Shank,
}

/// Options of `dorsi synth gait`.
#[derive(Debug, clap::Args)]
pub(crate) struct GaitArgs {
    /// Output CSV; the labels go beside it as FILE.labels.csv.
    #[arg(short, long, value_name = "PATH")]
    pub output: std::path::PathBuf,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Duration, s.
    #[arg(long, default_value_t = 20.0, value_name = "S")]
    pub duration: f64,
    /// Sampling rate, Hz.
    #[arg(long, default_value_t = 100.0, value_name = "HZ")]
    pub rate: f64,
    /// Foot-drop severity of the left foot, 0 (healthy) to 1 (flaccid).
    #[arg(long, default_value_t = 0.0, value_name = "0..1")]
    pub left_drop: f64,
    /// Foot-drop severity of the right foot, 0 (healthy) to 1 (flaccid).
    #[arg(long, default_value_t = 0.0, value_name = "0..1")]
    pub right_drop: f64,
    /// Compensate a dropped foot with steppage (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "0..1")]
    pub steppage: f64,
    /// Compensate a dropped foot with circumduction (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "0..1")]
    pub circumduction: f64,
    /// Compensate a dropped foot with hip hiking (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "0..1")]
    pub hip_hiking: f64,
    /// Where the IMUs sit.
    #[arg(long, value_enum, default_value_t = SensorSite::Foot)]
    pub sensor: SensorSite,
    /// What to write: IMUs, keypoints (MediaPipe, OpenPose) or markers (TRC).
    #[arg(long, value_enum, default_value_t = Output::Imu)]
    pub write: Output,
    /// Mount each sensor at a random orientation instead of aligned with the segment.
    #[arg(long)]
    pub tilted: bool,
    /// Steps per minute.
    #[arg(long, default_value_t = 108.0, value_name = "SPM")]
    pub cadence: f64,
}

fn check(name: &str, v: f64, lo: f64, hi: f64) -> Result<(), UsageError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(UsageError(format!(
            "--{name} must be between {lo} and {hi}, got {v}"
        )))
    }
}

/// `dorsi synth gait`: a walk with IMUs on both feet or shanks, and its labels.
pub(crate) fn gait(a: &GaitArgs) -> anyhow::Result<()> {
    check("duration", a.duration, 1.0, 86_400.0)?;
    check("rate", a.rate, 10.0, 10_000.0)?;
    check("cadence", a.cadence, 60.0, 160.0)?;
    for (n, v) in [
        ("left-drop", a.left_drop),
        ("right-drop", a.right_drop),
        ("steppage", a.steppage),
        ("circumduction", a.circumduction),
        ("hip-hiking", a.hip_hiking),
    ] {
        check(n, v, 0.0, 1.0)?;
    }
    let severity = [a.left_drop, a.right_drop];
    // Compensations apply to the side(s) with a dropped foot.
    let compensation = severity.map(|s| {
        if s > 0.0 {
            Compensation {
                steppage: a.steppage,
                circumduction: a.circumduction,
                hip_hiking: a.hip_hiking,
            }
        } else {
            Compensation::default()
        }
    });
    let params = WalkParams {
        duration_s: a.duration,
        cadence_spm: a.cadence,
        severity,
        compensation,
        ..Default::default()
    };
    let walk = Walk::new(params, a.seed);
    let mut rng = dorsi::synth::Rng::new(a.seed ^ 0x5EED);
    let places: Vec<Placement> = Side::BOTH
        .iter()
        .map(|&side| {
            let mut p = match a.sensor {
                SensorSite::Foot => Placement::foot(side),
                SensorSite::Shank => Placement::shank(side),
            };
            if a.tilted {
                let mut angle = || (rng.uniform() * 2.0 - 1.0) * std::f64::consts::PI;
                p.mounting = Rotation3::from_euler_angles(angle(), angle() / 2.0, angle());
            }
            p
        })
        .collect();
    if a.write != Output::Imu {
        return write_points(&walk, a.write, &a.output, a.seed, &walk.labels().to_csv());
    }
    let rec = imu::simulate(&walk, &places, a.rate, &SensorErrors::default(), a.seed);
    write_with_labels(&a.output, &rec.to_csv(), &walk.labels().to_csv())?;
    Ok(())
}

/// Write keypoints or markers of a motion, and its labels.
fn write_points(
    motion: &dyn dorsi::synth::body::Motion,
    kind: Output,
    output: &Path,
    seed: u64,
    labels: &str,
) -> anyhow::Result<()> {
    use dorsi::synth::keypoints::{
        simulate_keypoints, simulate_markers, Camera, KeypointNoise, DEFAULT_MARKER_RATE_HZ,
        DEFAULT_VIDEO_RATE_HZ,
    };
    let noise = KeypointNoise::default();
    let camera = Camera::beside(motion);
    let video = || simulate_keypoints(motion, &camera, DEFAULT_VIDEO_RATE_HZ, &noise, seed);
    match kind {
        Output::Mediapipe => write_with_labels(output, &video().to_mediapipe_image_csv(), labels),
        Output::MediapipeWorld => {
            write_with_labels(output, &video().to_mediapipe_world_csv(), labels)
        }
        Output::Trc => {
            let name = output
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let markers = simulate_markers(motion, DEFAULT_MARKER_RATE_HZ, &noise, seed);
            write_with_labels(output, &markers.to_trc(&name), labels)
        }
        Output::Openpose => {
            std::fs::create_dir_all(output).map_err(|e| {
                UsageError(format!(
                    "{}: cannot create the folder: {e}",
                    output.display()
                ))
            })?;
            let stem = output
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "frame".into());
            let n = video()
                .write_openpose_folder(output, &stem)
                .map_err(|e| UsageError(format!("{}: cannot write: {e}", output.display())))?;
            let labels_path = output.with_extension("labels.csv");
            crate::output::write_atomic(&labels_path, labels.as_bytes(), &[])?;
            eprintln!(
                "wrote {n} frames into {} and {}",
                output.display(),
                labels_path.display()
            );
            Ok(())
        }
        Output::Imu => Ok(()),
    }
}

/// Write a recording and its labels beside it (`FILE.labels.csv`).
fn write_with_labels(output: &Path, data: &str, labels: &str) -> anyhow::Result<()> {
    crate::output::write_atomic(output, data.as_bytes(), &[])?;
    let labels_path = output.with_extension("labels.csv");
    crate::output::write_atomic(&labels_path, labels.as_bytes(), &[])?;
    eprintln!("wrote {} and {}", output.display(), labels_path.display());
    Ok(())
}

/// Options of `dorsi synth exercise`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExerciseArgs {
    /// The exercise: towel_stretch, ankle_flexion, ankle_rotation, toe_raise, heel_raise,
    /// ankle_eversion.
    #[arg(long, value_name = "NAME")]
    pub exercise: String,
    /// Output CSV; the labels go beside it as FILE.labels.csv.
    #[arg(short, long, value_name = "PATH")]
    pub output: std::path::PathBuf,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Sampling rate, Hz.
    #[arg(long, default_value_t = 100.0, value_name = "HZ")]
    pub rate: f64,
    /// Reps per set (default: the programme's prescription).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Number of sets.
    #[arg(long)]
    pub sets: Option<u32>,
    /// Hold at the top of each rep, s (default: the prescription).
    #[arg(long, value_name = "S")]
    pub hold: Option<f64>,
    /// Share of reps left incomplete (0 to 1).
    #[arg(long, value_name = "0..1")]
    pub incomplete: Option<f64>,
    /// The working foot.
    #[arg(long, default_value = "right", value_parser = ["left", "right"])]
    pub side: String,
    /// Where the IMU sits (on the working leg).
    #[arg(long, value_enum, default_value_t = SensorSite::Foot)]
    pub sensor: SensorSite,
    /// What to write: IMUs, keypoints (MediaPipe, OpenPose) or markers (TRC).
    #[arg(long, value_enum, default_value_t = Output::Imu)]
    pub write: Output,
}

/// `dorsi synth exercise`: a session of one programme exercise with an IMU on the working
/// foot or shank, and its labels.
pub(crate) fn exercise(a: &ExerciseArgs) -> anyhow::Result<()> {
    use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
    let kind = Exercise::from_name(&a.exercise).ok_or_else(|| {
        let names: Vec<&str> = Exercise::ALL.iter().map(|e| e.name()).collect();
        UsageError(format!(
            "unknown exercise '{}'; expected one of {}",
            a.exercise,
            names.join(", ")
        ))
    })?;
    check("rate", a.rate, 10.0, 10_000.0)?;
    let mut params = ExerciseParams::new(kind);
    params.side = if a.side == "left" {
        Side::Left
    } else {
        Side::Right
    };
    if let Some(r) = a.reps {
        check("reps", f64::from(r), 1.0, 1000.0)?;
        params.reps_per_set = r;
    }
    if let Some(s) = a.sets {
        check("sets", f64::from(s), 1.0, 100.0)?;
        params.sets = s;
    }
    if let Some(h) = a.hold {
        check("hold", h, 0.0, 600.0)?;
        params.hold_s = h;
    }
    if let Some(f) = a.incomplete {
        check("incomplete", f, 0.0, 1.0)?;
        params.incomplete_fraction = f;
    }
    params
        .validate()
        .map_err(|e| UsageError(format!("invalid exercise parameters: {e}")))?;
    let (session, labels) = generate(&params, a.seed);
    if a.write != Output::Imu {
        return write_points(&session, a.write, &a.output, a.seed, &labels.to_csv());
    }
    let place = match a.sensor {
        SensorSite::Foot => Placement::foot(params.side),
        SensorSite::Shank => Placement::shank(params.side),
    };
    let rec = imu::simulate(&session, &[place], a.rate, &SensorErrors::default(), a.seed);
    write_with_labels(&a.output, &rec.to_csv(), &labels.to_csv())
}
