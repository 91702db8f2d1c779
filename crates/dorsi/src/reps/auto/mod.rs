//! `auto`: repetitions of an unknown repetitive exercise, the signal chosen from the data.
//!
//! No exercise is assumed and nothing is tuned per exercise:
//!
//! 1. **Analysis grid.** Every channel is averaged down to at most
//!    [`AutoParams::max_analysis_rate_hz`] (block means), short gaps are interpolated.
//! 2. **Candidate signals.** For each IMU: the first two principal components of the
//!    accelerometer (gravity's projection follows the segment's orientation), of the
//!    gyroscope, and the angles the gyroscope components integrate to (drift removed by a
//!    moving average); for keypoints / markers: the first three principal components of all
//!    point trajectories; for a recording of plain signals only: their principal components
//!    (standardised). When any IMU has a gyroscope, accelerometer-only tags are left out.
//! 3. **Choice.** Each candidate's autocorrelation (FFT, O(n log n)) is searched for its first
//!    strong local maximum between [`AutoParams::min_period_s`] and
//!    [`AutoParams::max_period_s`]; the candidate with the highest autocorrelation there wins,
//!    and that lag is the period. Position-like candidates (acceleration, angle, keypoints)
//!    are preferred to angular rates when they are nearly as periodic, because their rest
//!    level makes clear rep borders.
//! 4. **Segmentation.** The chosen signal is detrended and smoothed (triangular kernel, a
//!    fraction of the period), and oriented so that reps are excursions *up* from the rest
//!    level (the level the signal dwells at). Peaks at least a fraction of a period apart with
//!    a prominence of at least [`AutoParams::min_prominence_ratio`] of the typical rep's make
//!    one rep each; a rep starts where the signal leaves the valley before its peak and ends
//!    where it is back in the valley after it. Rests and pauses have no such peaks and give no
//!    reps.
//!
//! Everything is linear in the recording's length apart from the FFTs (n log n on the
//! decimated grid).

mod candidates;
mod fft;
mod segment;

pub use fft::autocorrelation;

use serde::Serialize;

use crate::detect::{DetectError, DetectedRep, RepSegmenter};
use crate::Recording;

use candidates::{candidates, detrend, Candidate, Grid};
use segment::{argmin, estimate_period, local_maxima, prominences, select_by_distance, smooth};

/// The detector name used in errors, manifests and reports.
pub const NAME: &str = "reps_auto";

/// Parameters of [`segment_auto`]. `Default` gives the documented defaults; [`validate`]
/// checks a hand-made set.
///
/// [`validate`]: AutoParams::validate
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoParams {
    /// Shortest rep cycle considered, s. Default 0.6 (a brisk squat or curl takes ≥ 1 s;
    /// tremor and steps are faster).
    pub min_period_s: f64,
    /// Longest rep cycle considered, s. Default 12 (a slow rep with a short hold; longer
    /// holds are the hold segmenter's business).
    pub max_period_s: f64,
    /// Highest rate analysed, Hz: faster recordings are averaged down to at most this rate.
    /// Default 30 (reps are below 2 Hz; this keeps the analysis fast).
    pub max_analysis_rate_hz: f64,
    /// A shorter autocorrelation peak is taken as the period when it reaches this share of
    /// the highest one (so one cycle, not two, is the period). Default 0.8.
    pub harmonic_ratio: f64,
    /// Position-like candidates are preferred to angular rates whose periodicity is at most
    /// this much higher (autocorrelation units). Default 0.1.
    pub position_preference: f64,
    /// Below this autocorrelation at the period, the recording is not repetitive and no reps
    /// are reported. Default 0.2.
    pub min_periodicity: f64,
    /// Peaks closer than this share of the period are one rep (the highest is kept).
    /// Default 0.5.
    pub min_peak_distance_ratio: f64,
    /// Width of the smoothing kernel (each of the two moving averages) as a share of the
    /// period. Default 0.15.
    pub smoothing_ratio: f64,
    /// A rep's prominence must reach this share of the typical rep's (the median prominence
    /// of the strong peaks). Default 0.4.
    pub min_prominence_ratio: f64,
    /// A rep starts (ends) where the signal has risen (fallen) this share of the way from
    /// the valley to the peak. Default 0.1.
    pub border_ratio: f64,
    /// Reps further apart than this many periods belong to different bouts: each then
    /// starts and ends within one period of its peak. Default 1.6.
    pub bout_gap_ratio: f64,
}

impl Default for AutoParams {
    fn default() -> Self {
        AutoParams {
            min_period_s: 0.6,
            max_period_s: 12.0,
            max_analysis_rate_hz: 30.0,
            harmonic_ratio: 0.8,
            position_preference: 0.1,
            min_periodicity: 0.2,
            min_peak_distance_ratio: 0.5,
            smoothing_ratio: 0.15,
            min_prominence_ratio: 0.4,
            border_ratio: 0.1,
            bout_gap_ratio: 1.6,
        }
    }
}

/// A parameter of [`AutoParams`] out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid auto-reps parameter `{name}` = {value}: expected {expected}")]
pub struct InvalidAutoParam {
    /// The field.
    pub name: &'static str,
    /// The value given.
    pub value: f64,
    /// What was expected.
    pub expected: &'static str,
}

impl AutoParams {
    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), InvalidAutoParam> {
        let check = |name, value: f64, lo: f64, hi: f64, expected| {
            if value.is_finite() && value >= lo && value <= hi {
                Ok(())
            } else {
                Err(InvalidAutoParam {
                    name,
                    value,
                    expected,
                })
            }
        };
        check(
            "min_period_s",
            self.min_period_s,
            0.05,
            600.0,
            "0.05 to 600 s",
        )?;
        check(
            "max_period_s",
            self.max_period_s,
            0.05,
            3600.0,
            "0.05 to 3600 s",
        )?;
        if self.max_period_s <= self.min_period_s {
            return Err(InvalidAutoParam {
                name: "max_period_s",
                value: self.max_period_s,
                expected: "more than min_period_s",
            });
        }
        check(
            "max_analysis_rate_hz",
            self.max_analysis_rate_hz,
            1.0,
            1.0e4,
            "1 to 10000 Hz",
        )?;
        if self.max_analysis_rate_hz * self.min_period_s < 4.0 {
            return Err(InvalidAutoParam {
                name: "max_analysis_rate_hz",
                value: self.max_analysis_rate_hz,
                expected: "at least 4 samples per shortest period (4 / min_period_s)",
            });
        }
        check("harmonic_ratio", self.harmonic_ratio, 0.1, 1.0, "0.1 to 1")?;
        check(
            "position_preference",
            self.position_preference,
            0.0,
            1.0,
            "0 to 1",
        )?;
        check(
            "min_periodicity",
            self.min_periodicity,
            -1.0,
            1.0,
            "-1 to 1",
        )?;
        check(
            "min_peak_distance_ratio",
            self.min_peak_distance_ratio,
            0.05,
            1.0,
            "0.05 to 1",
        )?;
        check(
            "smoothing_ratio",
            self.smoothing_ratio,
            0.0,
            0.5,
            "0 to 0.5",
        )?;
        check(
            "min_prominence_ratio",
            self.min_prominence_ratio,
            0.0,
            1.0,
            "0 to 1",
        )?;
        check("border_ratio", self.border_ratio, 0.0, 0.5, "0 to 0.5")?;
        check(
            "bout_gap_ratio",
            self.bout_gap_ratio,
            1.0,
            100.0,
            "1 to 100",
        )?;
        Ok(())
    }
}

/// How periodic one candidate signal was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateScore {
    /// The candidate (`wrist/acc_pc1`).
    pub name: String,
    /// Its period, s; `None` when its autocorrelation has no peak in the period range.
    pub period_s: Option<f64>,
    /// Its autocorrelation at that period (−1 to 1); `None` without a period.
    pub periodicity: Option<f64>,
}

/// The repetitions `auto` found, and the signal it found them on.
#[derive(Debug, Clone, Serialize)]
pub struct AutoReps {
    /// The chosen signal (`wrist/gyro_pc1`, `keypoints/pc1`...).
    pub signal_name: String,
    /// Its unit (`rad/s`, `m/s^2`, `rad`, `px`, `m`, `1` for normalised image coordinates
    /// or standardised signals).
    pub signal_unit: String,
    /// The chosen signal, detrended and smoothed, one value per sample of the recording
    /// (linear between the analysis grid's samples), oriented so that reps go up from the
    /// rest level.
    pub signal: Vec<f64>,
    /// The repetitions, in time order (`hold_s` is 0: `auto` does not measure holds).
    pub reps: Vec<DetectedRep>,
    /// The rep cycle, s; `None` when no candidate is periodic.
    pub period_s: Option<f64>,
    /// The chosen signal's autocorrelation at the period (−1 to 1).
    pub periodicity: Option<f64>,
    /// Each rep's prominence (peak height over its higher valley), in the signal's unit,
    /// one per rep.
    pub amplitudes: Vec<f64>,
    /// The analysis grid's rate, Hz.
    pub analysis_rate_hz: f64,
    /// Every candidate and its periodicity, in the order tried.
    pub candidates: Vec<CandidateScore>,
}

fn error(message: impl Into<String>) -> DetectError {
    DetectError {
        detector: NAME.into(),
        message: message.into(),
    }
}

/// Find the repetitions of an unknown repetitive exercise in `rec`, choosing the signal from
/// the data (see the [module documentation](self)).
///
/// Errors when the parameters are invalid, the recording has no usable channel or is shorter
/// than two of the longest periods' worth of analysis samples (at least 2 s). A recording
/// with no periodic movement is not an error: it gives no reps.
///
/// ```
/// use dorsi::reps::auto::{segment_auto, AutoParams};
/// use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
/// use dorsi::synth::imu::{simulate, Placement, SensorErrors};
///
/// let params = ExerciseParams::new(Exercise::HeelRaise);
/// let (session, _labels) = generate(&params, 3);
/// let imu = simulate(&session, &[Placement::foot(params.side)], 100.0,
///                    &SensorErrors::default(), 3);
/// let rec = dorsi::io::read_bytes("heel_raise.csv", imu.to_csv().as_bytes(),
///                                 &Default::default())?;
/// let found = segment_auto(&rec, &AutoParams::default())?;
/// assert_eq!(found.reps.len(), 10);
/// println!("{} reps on {} ({})", found.reps.len(), found.signal_name, found.signal_unit);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn segment_auto(rec: &Recording, params: &AutoParams) -> Result<AutoReps, DetectError> {
    params.validate().map_err(|e| error(e.to_string()))?;
    if !(rec.sampling_rate_hz.is_finite() && rec.sampling_rate_hz > 0.0) {
        return Err(error(format!(
            "the recording's sampling rate is {} Hz",
            rec.sampling_rate_hz
        )));
    }
    let grid = Grid::new(
        rec.n_samples,
        rec.sampling_rate_hz,
        params.max_analysis_rate_hz,
    );
    let min_lag = ((params.min_period_s * grid.rate_hz).floor() as usize).max(2);
    let max_lag = (params.max_period_s * grid.rate_hz).ceil() as usize;
    if grid.len < 2 * min_lag + 2 || (grid.len as f64) < 2.0 * grid.rate_hz {
        return Err(error(format!(
            "recording too short: {:.2} s, at least 2 s and two of the shortest cycles \
             ({} s) are needed",
            rec.duration_s(),
            params.min_period_s
        )));
    }
    let trend = (2.0 * params.max_period_s * grid.rate_hz).round() as usize;
    let cands = candidates(rec, &grid, trend);
    if cands.is_empty() {
        return Err(error(
            "no usable channel: no accelerometer, gyroscope, keypoints or signal with \
             finite values in at least a fifth of the samples",
        ));
    }
    let mut scores = Vec::with_capacity(cands.len());
    let mut best: Option<(usize, segment::Period)> = None;
    let mut best_position: Option<(usize, segment::Period)> = None;
    for (i, c) in cands.iter().enumerate() {
        let x = detrend(&c.values, trend);
        let p = estimate_period(&x, min_lag, max_lag, params.harmonic_ratio);
        scores.push(CandidateScore {
            name: c.name.clone(),
            period_s: p.map(|p| p.samples / grid.rate_hz),
            periodicity: p.map(|p| p.score),
        });
        if let Some(p) = p {
            if best.is_none_or(|(_, b)| p.score > b.score) {
                best = Some((i, p));
            }
            if !c.velocity && best_position.is_none_or(|(_, b)| p.score > b.score) {
                best_position = Some((i, p));
            }
        }
    }
    let chosen = match (best, best_position) {
        (Some(b), Some(q)) if q.1.score + params.position_preference >= b.1.score => Some(q),
        (b, _) => b,
    };
    let Some((ci, period)) = chosen.filter(|(_, p)| p.score >= params.min_periodicity) else {
        // Not repetitive: report the strongest candidate with no reps.
        let c = &cands[best.map_or(0, |b| b.0)];
        let signal = to_recording_rate(&c.values, &grid, rec.n_samples);
        return Ok(AutoReps {
            signal_name: c.name.clone(),
            signal_unit: c.unit.clone(),
            signal,
            reps: Vec::new(),
            period_s: None,
            periodicity: best.map(|b| b.1.score),
            amplitudes: Vec::new(),
            analysis_rate_hz: grid.rate_hz,
            candidates: scores,
        });
    };
    let c: &Candidate = &cands[ci];
    let (x, found) = segment_cycles(&c.values, period.samples, params);
    let time = |k: f64| {
        rec.start_s
            + (k * grid.factor as f64 + (grid.factor as f64 - 1.0) / 2.0) / rec.sampling_rate_hz
    };
    let reps = found
        .iter()
        .map(|r| DetectedRep {
            start_s: time(r.start as f64),
            peak_s: time(r.peak as f64),
            end_s: time(r.end as f64),
            hold_s: 0.0,
        })
        .collect();
    Ok(AutoReps {
        signal_name: c.name.clone(),
        signal_unit: c.unit.clone(),
        signal: to_recording_rate(&x, &grid, rec.n_samples),
        reps,
        period_s: Some(period.samples / grid.rate_hz),
        periodicity: Some(period.score),
        amplitudes: found.iter().map(|r| r.prominence).collect(),
        analysis_rate_hz: grid.rate_hz,
        candidates: scores,
    })
}

/// One cycle on the analysis grid.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cycle {
    start: usize,
    peak: usize,
    end: usize,
    prominence: f64,
}

/// Segment a signal of known period (in samples) into cycles; also gives the oriented,
/// detrended and smoothed signal the cycles were found on.
fn segment_cycles(values: &[f64], period: f64, params: &AutoParams) -> (Vec<f64>, Vec<Cycle>) {
    let n = values.len();
    // Detrend over two periods (a whole number of cycles cancels in the average), smooth.
    let x = detrend(values, (2.0 * period).round() as usize);
    let width = (params.smoothing_ratio * period).round() as usize;
    let mut x = smooth(&x, width);
    // Orientation: reps are excursions away from the level the signal dwells at.
    let lo = crate::signal::quantile(x.iter().copied(), 0.05);
    let hi = crate::signal::quantile(x.iter().copied(), 0.95);
    let med = crate::signal::median(x.iter().copied());
    if med > 0.5 * (lo + hi) {
        x.iter_mut().for_each(|v| *v = -*v);
    }
    let distance = (params.min_peak_distance_ratio * period).round().max(1.0) as usize;
    let peaks = select_by_distance(&x, &local_maxima(&x), distance);
    let wlen = (2.0 * period).round() as usize | 1;
    let prom = prominences(&x, &peaks, wlen);
    if peaks.is_empty() {
        return (x, Vec::new());
    }
    // The typical rep: the median prominence of the peaks above a quarter of the 90th
    // percentile (rest wiggles are many and small, reps fewer and similar).
    let p90 = crate::signal::quantile(prom.iter().map(|p| p.0), 0.9);
    let strong = crate::signal::median(prom.iter().map(|p| p.0).filter(|&v| v >= 0.25 * p90));
    let floor = params.min_prominence_ratio * strong;
    let kept: Vec<(usize, f64)> = peaks
        .iter()
        .zip(&prom)
        .filter(|(_, p)| p.0 >= floor && p.0 > 0.0)
        .map(|(&k, p)| (k, p.0))
        .collect();
    let reach = period.round().max(1.0) as usize;
    let gap = params.bout_gap_ratio * period;
    let mut cycles = Vec::with_capacity(kept.len());
    for (j, &(p, prominence)) in kept.iter().enumerate() {
        let left = match j.checked_sub(1).map(|i| kept[i].0) {
            Some(q) if ((p - q) as f64) <= gap => q,
            _ => p.saturating_sub(reach),
        };
        let right = match kept.get(j + 1).map(|k| k.0) {
            Some(q) if ((q - p) as f64) <= gap => q,
            _ => (p + reach).min(n - 1),
        };
        let v0 = argmin(&x, left..p + 1);
        let v1 = argmin(&x, p..right + 1);
        let up = x[v0] + params.border_ratio * (x[p] - x[v0]);
        let down = x[v1] + params.border_ratio * (x[p] - x[v1]);
        let start = (v0..=p).rev().find(|&i| x[i] <= up).unwrap_or(v0);
        let end = (p..=v1).find(|&i| x[i] <= down).unwrap_or(v1);
        cycles.push(Cycle {
            start,
            peak: p,
            end,
            prominence,
        });
    }
    (x, cycles)
}

/// A signal of the analysis grid at the recording's rate (linear between grid samples,
/// constant beyond the first and last).
fn to_recording_rate(x: &[f64], grid: &Grid, n_samples: usize) -> Vec<f64> {
    if grid.factor == 1 {
        let mut out = x.to_vec();
        out.resize(n_samples, x.last().copied().unwrap_or(f64::NAN));
        return out;
    }
    let f = grid.factor as f64;
    let centre = (f - 1.0) / 2.0;
    (0..n_samples)
        .map(|i| {
            let u = (i as f64 - centre) / f;
            if u <= 0.0 {
                return x.first().copied().unwrap_or(f64::NAN);
            }
            let k = u.floor() as usize;
            match (x.get(k), x.get(k + 1)) {
                (Some(a), Some(b)) => a + (b - a) * (u - k as f64),
                (Some(a), None) => *a,
                _ => x.last().copied().unwrap_or(f64::NAN),
            }
        })
        .collect()
}

/// [`segment_auto`] behind the [`RepSegmenter`] interface, for the benchmark runner and the
/// CLI. It segments any recording as `auto`; the `exercise` argument must be `auto`.
#[derive(Debug, Clone, Default)]
pub struct AutoSegmenter {
    /// The parameters.
    pub params: AutoParams,
}

impl RepSegmenter for AutoSegmenter {
    fn name(&self) -> &str {
        NAME
    }

    fn segment_reps(
        &self,
        rec: &Recording,
        exercise: &str,
    ) -> Result<Vec<DetectedRep>, DetectError> {
        if exercise != "auto" {
            return Err(error(format!(
                "segments `auto` only, not `{exercise}` (use the exercise's own segmenter)"
            )));
        }
        Ok(segment_auto(rec, &self.params)?.reps)
    }
}
