//! Repetitions, holds and sets of the foot-drop exercise programme, and adherence to the
//! prescription.
//!
//! [`analyze`] takes a [`Recording`] and [`RepOptions`] and gives a [`RepsReport`]
//! (`dorsi.reps/1`) plus the signal it worked on:
//!
//! 1. the signal: a named signal of the recording (`--signal`), else the exercise's movement
//!    from an IMU (the angle about its main rotation axis, drift-free:
//!    [`crate::motion::imu_angle`]), else from keypoints or markers (foot pitch, rotation or
//!    eversion of the side that moves most, compared on the points' 0.2-s block means
//!    before the full signal of that side is built: [`crate::motion::kinematics`]); for
//!    [`Exercise::Auto`], the signal [`auto`] chooses;
//! 2. reps, holds and sets on it ([`segment::segment_signal`]);
//! 3. the summary against the prescription ([`report::summarize`]).
//!
//! ```
//! use dorsi::reps::{analyze, Exercise, RepOptions};
//! use dorsi::synth::exercise::{generate, Exercise as Synth, ExerciseParams};
//! use dorsi::synth::imu::{simulate, Placement, SensorErrors};
//!
//! // A synthetic heel-raise session with an IMU on the left foot, read back from CSV.
//! let params = ExerciseParams::new(Synth::HeelRaise);
//! let (session, labels) = generate(&params, 3);
//! let imu = simulate(&session, &[Placement::foot(params.side)], 100.0, &SensorErrors::default(), 3);
//! let rec = dorsi::io::read_bytes("heel_raise.csv", imu.to_csv().as_bytes(), &Default::default())?;
//!
//! let analysis = analyze(&rec, &RepOptions::new(Exercise::HeelRaise))?;
//! let report = &analysis.report;
//! assert_eq!(report.schema, "dorsi.reps/1");
//! assert_eq!(report.summary.reps, 10);
//! println!("{}", serde_json::to_string_pretty(report).expect("serialisable"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod auto;
pub mod catalogue;
pub mod report;
pub mod segment;

pub use catalogue::{Exercise, ExerciseSpec, Pattern, Prescription};
pub use report::{
    Adherence, HoldRecord, RepRecord, RepSummary, ReportSignal, ReportSource, RepsReport,
    SetRecord, REPS_SCHEMA,
};
pub use segment::{InvalidSegmentParam, SegmentParams, SegmentSpec, Segmentation};

use crate::detect::{DetectError, DetectedRep, RepSegmenter};
use crate::motion::imu_angle::{imu_angle, ImuAngleParams};
use crate::motion::kinematics::FootPoints;
use crate::motion::signals::{MotionError, MotionSignal};
use crate::motion::stats;
use crate::Recording;

/// The detector name of [`RepAnalyzer`] in manifests and errors.
pub const NAME: &str = "reps";

/// What to analyse and how. [`RepOptions::new`] gives the exercise's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RepOptions {
    /// The exercise.
    pub exercise: Exercise,
    /// The IMU to use, by name (default: the one that rotates most).
    pub sensor: Option<String>,
    /// A named signal of the recording to segment instead of the derived one
    /// (`RightAnkleAngle/ML/X`).
    pub signal: Option<String>,
    /// The side (`left` / `right`) for keypoints (default: the foot that moves most).
    pub side: Option<String>,
    /// The prescription to compare with (default: the programme's, [`Exercise::prescription`]).
    pub prescription: Option<Prescription>,
    /// Segmenter parameters.
    pub segment: SegmentParams,
    /// IMU angle parameters.
    pub imu: ImuAngleParams,
    /// Parameters of `auto`.
    pub auto: auto::AutoParams,
}

impl RepOptions {
    /// Defaults for `exercise`.
    pub fn new(exercise: Exercise) -> Self {
        RepOptions {
            exercise,
            sensor: None,
            signal: None,
            side: None,
            prescription: None,
            segment: SegmentParams::default(),
            imu: ImuAngleParams::default(),
            auto: auto::AutoParams::default(),
        }
    }
}

/// Why reps could not be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RepsError {
    /// The signal could not be derived.
    #[error(transparent)]
    Motion(#[from] MotionError),
    /// A segmenter parameter is out of range.
    #[error(transparent)]
    Param(#[from] InvalidSegmentParam),
    /// The side is neither `left` nor `right`.
    #[error("side must be 'left' or 'right', got '{0}'")]
    Side(String),
    /// `auto` failed.
    #[error(transparent)]
    Auto(#[from] DetectError),
}

/// The report and the signal it was made from (for plots and CSV output).
#[derive(Debug, Clone, PartialEq)]
pub struct RepsAnalysis {
    /// The `dorsi.reps/1` report.
    pub report: RepsReport,
    /// The signal analysed, one value per sample, in the report's unit.
    pub signal: MotionSignal,
    /// The smoothed signal, one value per sample.
    pub smoothed: Vec<f64>,
    /// The rest level, one value per sample (`NaN` where not measured, e.g. for `auto`).
    pub rest: Vec<f64>,
}

/// Keypoint sides are compared on the means of blocks of this many seconds.
const SIDE_BLOCK_S: f64 = 0.2;

/// The block, in frames, of the coarse signals the sides are compared on: 0.2 s, or single
/// frames when that would leave fewer than 50 blocks.
fn coarse_block(rec: &Recording) -> usize {
    let block = (SIDE_BLOCK_S * rec.sampling_rate_hz).round().max(1.0) as usize;
    if rec.n_samples / block < 50 {
        1
    } else {
        block
    }
}

/// How clearly a signal moves: its range (2nd to 98th percentile) over the median change
/// from one value to the next (its noise).
fn movement_score(x: &[f64]) -> f64 {
    let q = stats::quantiles(x.iter().copied(), [0.98, 0.02]);
    let noise = stats::median(x.windows(2).map(|p| (p[1] - p[0]).abs()));
    (q[0] - q[1]) / (noise + 1e-12)
}

/// The signal the exercise moves and what the segmenter should assume about its sign.
fn choose_signal(
    rec: &Recording,
    spec: &ExerciseSpec,
    o: &RepOptions,
    notes: &mut Vec<String>,
) -> Result<(MotionSignal, Option<f64>), RepsError> {
    if let Some(name) = &o.signal {
        return Ok((MotionSignal::named(rec, name)?, None));
    }
    if !rec.imus.is_empty() {
        let imu = match &o.sensor {
            Some(name) => rec.imu(name).ok_or_else(|| MotionError::NoSuchSensor {
                name: name.clone(),
                available: rec.imus.iter().map(|i| i.name.clone()).collect(),
            })?,
            None => {
                let energy = |i: &crate::Imu| -> f64 {
                    i.gyro_rads.as_ref().map_or(0.0, |g| {
                        let c = stats::median(g.iter().map(|w| w.norm()));
                        g.iter()
                            .filter(|w| w.iter().all(|c| c.is_finite()))
                            .map(|w| (w.norm() - c).powi(2))
                            .sum()
                    })
                };
                // Each energy once (the last of equal maxima wins, as with `max_by`).
                let best = match rec.imus.as_slice() {
                    [only] => Some(only),
                    imus => imus
                        .iter()
                        .map(|i| (energy(i), i))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, i)| i),
                }
                .ok_or(MotionError::NothingToAnalyse)?;
                if rec.imus.len() > 1 {
                    notes.push(format!("IMU {} chosen: it rotates most", best.name));
                }
                best
            }
        };
        let a = imu_angle(imu, rec.sampling_rate_hz, &o.imu)?;
        notes.push(format!(
            "IMU {}: rotation axis ({:.2}, {:.2}, {:.2}) in the sensor frame{}; drift removed by {}",
            imu.name,
            a.axis.x,
            a.axis.y,
            a.axis.z,
            a.axis_tilt_deg.map(|t| format!(", {t:.0}° from the vertical")).unwrap_or_default(),
            match a.correction {
                crate::motion::imu_angle::DriftCorrection::Gravity => "gravity",
                crate::motion::imu_angle::DriftCorrection::StillPeriods => "gyroscope bias from still periods",
            }
        ));
        let mut s = a.signal;
        s.name = spec.signal.name().to_string();
        return Ok((s, None));
    }
    if rec.skeleton.is_some() {
        let sides: Vec<&str> = match o.side.as_deref() {
            Some(s @ ("left" | "right")) => vec![s],
            Some(other) => return Err(RepsError::Side(other.to_string())),
            None => vec!["left", "right"],
        };
        // Each side scored on its coarse signal (the points' means over 0.2-s blocks: one
        // pass over the points, then a value per block), then the full signal of the best
        // side only.
        let block = coarse_block(rec);
        let mut best: Option<(f64, FootPoints)> = None;
        let mut last_err = None;
        for side in &sides {
            let scored = FootPoints::find(rec, side).and_then(|foot| {
                let score = if sides.len() > 1 {
                    movement_score(&foot.coarse(spec.signal, block)?.values)
                } else {
                    0.0
                };
                Ok((score, foot))
            });
            match scored {
                Ok((score, foot)) => {
                    if best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, foot));
                    }
                }
                Err(e) => last_err = Some(e),
            }
        }
        let Some((_, foot)) = best else {
            return Err(last_err.unwrap_or(MotionError::NothingToAnalyse).into());
        };
        let s = foot.signal(spec.signal)?;
        notes.push(format!("{} from the {}", s.name, s.origin));
        return Ok((s, spec.first_sign));
    }
    // A recording of plain signals only (a joint-angle file): its one signal.
    if let [only] = rec.signals.as_slice() {
        notes.push(format!(
            "the recording's only signal, {}, analysed",
            only.name
        ));
        return Ok((MotionSignal::named(rec, &only.name)?, None));
    }
    Err(MotionError::NothingToAnalyse.into())
}

/// Analyse the reps, holds and sets of an exercise in a recording (see the module docs).
pub fn analyze(rec: &Recording, options: &RepOptions) -> Result<RepsAnalysis, RepsError> {
    options.segment.validate()?;
    let mut notes = Vec::new();
    let prescription = options
        .prescription
        .unwrap_or_else(|| options.exercise.prescription());
    let spec = match (options.exercise.spec(), &options.signal) {
        (Some(spec), _) => spec,
        (None, None) => return analyze_auto(rec, options, prescription),
        // `auto` on a named signal: one-way reps on it.
        (None, Some(_)) => ExerciseSpec {
            exercise: Exercise::Auto,
            signal: crate::motion::kinematics::FootSignal::FootPitch,
            pattern: Pattern::OneWay,
            directions: vec!["away from rest"],
            first_sign: None,
            typical_range_deg: (0.0, 360.0),
            prescription,
            held: false,
        },
    };
    let (signal, first_sign) = choose_signal(rec, &spec, options, &mut notes)?;
    let mut params = options.segment.clone();
    if signal.origin.starts_with("IMU ") {
        // An integrated angle has no outliers to remove.
        params.despike_samples = 0;
    }
    let signal = signal.into_degrees();
    let seg_spec = SegmentSpec {
        pattern: spec.pattern,
        first_sign,
    };
    let seg = segment::segment_signal(
        &signal.values,
        rec.sampling_rate_hz,
        rec.start_s,
        &seg_spec,
        &params,
    );
    notes.extend(seg.notes.iter().cloned());
    let reps: Vec<RepRecord> = seg
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| RepRecord {
            index: i + 1,
            start_s: r.start_s,
            peak_s: r.peak_s,
            end_s: r.end_s,
            amplitude: r.amplitude,
            hold_s: r.hold_s,
            complete: r.complete,
            reason: r.incomplete_reason.clone(),
        })
        .collect();
    let holds: Vec<HoldRecord> = seg
        .holds
        .iter()
        .map(|h| HoldRecord {
            rep: h.rep + 1,
            start_s: h.start_s,
            end_s: h.end_s,
            duration_s: h.end_s - h.start_s,
            direction: spec
                .directions
                .get(h.direction)
                .copied()
                .unwrap_or("held")
                .to_string(),
        })
        .collect();
    let sets = seg
        .sets
        .iter()
        .map(|s| SetRecord {
            start_s: s.start_s,
            end_s: s.end_s,
            reps: s.reps.1 + 1 - s.reps.0,
        })
        .collect();
    let summary = report::summarize(&reps, &holds, prescription);
    let report = RepsReport {
        schema: REPS_SCHEMA,
        source: ReportSource::new(rec),
        exercise: options.exercise.name().to_string(),
        signal: ReportSignal {
            name: signal.name.clone(),
            unit: signal.unit.clone(),
            origin: signal.origin.clone(),
        },
        reps,
        holds,
        sets,
        summary,
        notes,
    };
    Ok(RepsAnalysis {
        report,
        signal,
        smoothed: seg.smoothed,
        rest: seg.rest,
    })
}

/// `auto`: the signal and reps from [`auto::segment_auto`], in the same report.
fn analyze_auto(
    rec: &Recording,
    options: &RepOptions,
    prescription: Prescription,
) -> Result<RepsAnalysis, RepsError> {
    let found = auto::segment_auto(rec, &options.auto)?;
    let reps: Vec<RepRecord> = found
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| RepRecord {
            index: i + 1,
            start_s: r.start_s,
            peak_s: r.peak_s,
            end_s: r.end_s,
            amplitude: found.amplitudes.get(i).copied().unwrap_or(f64::NAN),
            hold_s: r.hold_s,
            complete: true,
            reason: None,
        })
        .collect();
    let gaps: Vec<f64> = reps.windows(2).map(|w| w[1].start_s - w[0].end_s).collect();
    let split = options
        .segment
        .min_set_rest_s
        .max(3.0 * crate::signal::median(gaps.iter().copied()).max(0.0));
    let mut sets = Vec::new();
    let mut first = 0;
    for k in 0..reps.len() {
        if gaps.get(k).is_none_or(|&g| g > split) {
            sets.push(SetRecord {
                start_s: reps[first].start_s,
                end_s: reps[k].end_s,
                reps: k + 1 - first,
            });
            first = k + 1;
        }
    }
    let summary = report::summarize(&reps, &[], prescription);
    let signal = MotionSignal::new(
        found.signal_name.clone(),
        found.signal_unit.clone(),
        found.signal.clone(),
    )
    .with_origin("chosen by auto: the clearest periodic candidate");
    let mut notes = Vec::new();
    if let (Some(p), Some(q)) = (found.period_s, found.periodicity) {
        notes.push(format!("auto: period {p:.2} s, periodicity {q:.2}"));
    }
    let inferred: Vec<String> = found
        .inferred
        .iter()
        .enumerate()
        .filter(|(_, &i)| i)
        .map(|(k, _)| (k + 1).to_string())
        .collect();
    if !inferred.is_empty() {
        notes.push(format!(
            "auto: rep {} peaked where nothing was measured (a sensor dropout or frames with \
             no pose); counted, but inferred from the signal filled across the gap",
            inferred.join(", ")
        ));
    }
    Ok(RepsAnalysis {
        report: RepsReport {
            schema: REPS_SCHEMA,
            source: ReportSource::new(rec),
            exercise: Exercise::Auto.name().to_string(),
            signal: ReportSignal {
                name: signal.name.clone(),
                unit: signal.unit.clone(),
                origin: signal.origin.clone(),
            },
            reps,
            holds: Vec::new(),
            sets,
            summary,
            notes,
        },
        smoothed: found.signal,
        rest: vec![f64::NAN; rec.n_samples],
        signal,
    })
}

/// Dorsi's rep segmenter as a [`RepSegmenter`] (`name() = "reps"`): [`analyze`] with the
/// default options of the exercise; `auto` is [`auto::AutoSegmenter`].
///
/// ```
/// use dorsi::detect::RepSegmenter;
/// let seg = dorsi::reps::RepAnalyzer::default();
/// assert_eq!(seg.name(), "reps");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RepAnalyzer {
    /// Segmenter parameters.
    pub segment: SegmentParams,
    /// IMU angle parameters.
    pub imu: ImuAngleParams,
}

impl RepSegmenter for RepAnalyzer {
    fn name(&self) -> &str {
        NAME
    }

    fn segment_reps(
        &self,
        rec: &Recording,
        exercise: &str,
    ) -> Result<Vec<DetectedRep>, DetectError> {
        let err = |message: String| DetectError {
            detector: NAME.into(),
            message,
        };
        let ex = Exercise::from_name(exercise).ok_or_else(|| {
            let names: Vec<&str> = Exercise::ALL.iter().map(|e| e.name()).collect();
            err(format!(
                "unknown exercise '{exercise}'; expected one of {}",
                names.join(", ")
            ))
        })?;
        if ex == Exercise::Auto {
            return auto::AutoSegmenter::default().segment_reps(rec, exercise);
        }
        let mut o = RepOptions::new(ex);
        o.segment = self.segment.clone();
        o.imu = self.imu.clone();
        let a = analyze(rec, &o).map_err(|e| err(e.to_string()))?;
        Ok(a.report
            .reps
            .iter()
            .map(|r| DetectedRep {
                start_s: r.start_s,
                peak_s: r.peak_s,
                end_s: r.end_s,
                hold_s: r.hold_s,
            })
            .collect())
    }
}
