//! `auto`: repetitions of an unknown repetitive exercise, the signal chosen from the data.
//!
//! No exercise is assumed and nothing is tuned per exercise:
//!
//! 1. **Analysis grid.** Every channel is averaged down to at most
//!    [`AutoParams::max_analysis_rate_hz`] (block means), short gaps are interpolated.
//!    Only the stretch from the first to the last sample where anything was observed is
//!    analysed (a video whose first seconds show no one).
//! 2. **Candidate signals.** For each IMU: the first two principal components of the
//!    accelerometer (gravity's projection follows the segment's orientation), of the
//!    gyroscope, and the angles the gyroscope components integrate to (drift removed by a
//!    moving average); for keypoints / markers: the first two principal components of the
//!    point trajectories, each coordinate rid of gross errors of a frame or two (a running
//!    median), lightly smoothed and divided by its own frame-to-frame jitter, left and
//!    right points averaged (immune to side swaps); beside them, auxiliary candidates: the
//!    same for each axis of the points on its own; for a recording of plain signals only:
//!    their principal components (standardised). When any IMU has a gyroscope,
//!    accelerometer-only tags are left out. Keypoints alone (dozens of channels) are
//!    prepared on the analysis grid, but their candidates are made from block means of a
//!    few grid samples (the scoring rate, 10 Hz or more; principal directions from the
//!    grid's own rows), and the choice and the bouts are made there; a candidate's
//!    projection on the analysis grid is built only when a decision or the segmentation
//!    needs it.
//! 3. **Choice.** Each candidate's autocorrelation (FFT, O(n log n)) is searched for its first
//!    strong local maximum between [`AutoParams::min_period_s`] and
//!    [`AutoParams::max_period_s`] (compared without the estimator's taper). The rep cycle is
//!    the period the candidates share: the same search on their mean autocorrelation (a
//!    rep's harmonics show as half periods in some projections, but every projection repeats
//!    after a whole cycle, so the mean tells a cycle from its half where one candidate
//!    cannot). Among the mean's peaks, a shorter one also wins when the highest is its third
//!    or a later multiple and peaks stand at every multiple between, each at least
//!    [`AutoParams::comb_ratio`] of the highest: a rep may have two alike halves, not three,
//!    so such a comb is the reps' rhythm, and its highest tooth, a long lag estimated from
//!    few cycles of a short recording, is high by chance. A dominant projection (a group's first principal component) that repeats
//!    after two of those cycles as well as the candidates repeat on average after one, but
//!    hardly after one itself, doubles the cycle (a wrist that turns twice per press: the
//!    rotations repeat every half press, the forearm's attitude once per press). Each
//!    candidate is scored at its own autocorrelation peak within a fifth of
//!    that period; the most periodic wins (less [`AutoParams::half_cycle_penalty`] of its
//!    autocorrelation at half the period: a signal that repeats every half cycle as well
//!    makes two reps of one), and its peak is the period. Position-like
//!    candidates (acceleration, angle, keypoints) are preferred to angular rates of the same
//!    period when nearly as periodic, because their rest level makes clear rep borders.
//!    Auxiliary candidates take no part in this; but when one of them repeats every half
//!    cycle at least as well as the chosen candidate repeats every cycle (and that reaches
//!    [`AutoParams::min_split_periodicity`]), it is the signal and the half cycle the
//!    period: an exercise done side after side (alternating lunges) moves sideways once
//!    per pair, but up and down once per side, as people count it.
//! 4. **Bouts.** The candidates' correlation with themselves about one period later, over a
//!    sliding window of a few periods, marks the bouts of repetition (sets); stretches where
//!    it is low are rests, and give no reps. With one bout (or none clear enough), the whole
//!    recording is the bout. Each bout is segmented on its own best candidate (principal
//!    components recomputed inside it), so a workout of different exercises is followed
//!    exercise by exercise.
//! 5. **Segmentation.** The bout's signal is detrended and smoothed (triangular kernel, a
//!    fraction of the period). Peaks at least a fraction of a period apart with a prominence
//!    of at least [`AutoParams::min_prominence_ratio`] of the typical rep's make one rep each,
//!    in the orientation giving more reps (a set of N reps has N excursions from rest and
//!    N − 1 returns between them; on a tie, reps go away from the level the signal dwells
//!    at). A rep cut by the start or end of the recording is measured on the side observed
//!    and counts when that side reaches [`AutoParams::cut_prominence_ratio`] of the typical
//!    rep (a set recorded from mid-rep keeps its first rep; a half lift-off does not count);
//!    cut reps do not vote on the orientation. A rep starts where the signal leaves the
//!    valley before its peak and ends where it is back in the valley after it
//!    ([`AutoParams::border_ratio`]). Keypoint reps whose typical size is under
//!    [`AutoParams::min_noise_ratio`] times the points' jitter are the estimator's noise:
//!    the bout gives none. A rep further than [`AutoParams::isolation_periods`] from every
//!    other rep of its bout is not part of its rhythm and is left out; a recording where a
//!    single rep is found gives none (one rep is no repetition). A rep whose peak falls
//!    where nothing was measured (a sensor dropout) is counted but marked inferred
//!    ([`AutoReps::inferred`]); no rep is added where the signal shows none.
//!
//! Everything is linear in the recording's length apart from the FFTs (n log n on the
//! decimated grid).

mod candidates;
mod fft;
mod segment;

pub use fft::{autocorrelation, autocorrelation_pair};

use serde::Serialize;

use crate::detect::{DetectError, DetectedRep, RepSegmenter};
use crate::Recording;

use std::ops::Range;

use candidates::{
    candidates, detrend, groups, measured, observed_span, trim, Candidate, Grid, Keypoints,
};
use segment::{
    argmin, interpolated, local_maxima, local_periodicity, peak_near, period_from_autocorrelation,
    prominences, select_by_distance, smooth, Period,
};
use std::cell::RefCell;
use std::rc::Rc;

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
    /// A shorter autocorrelation peak is also taken as the period when the highest one is its
    /// third or a later multiple and a peak stands at every multiple between, each reaching
    /// this share of the highest: a rep may have two alike halves, but not three alike
    /// parts, so such a comb is the rhythm of the reps, and its highest tooth (estimated
    /// from few cycles in a short recording) is high by chance. Default 0.5.
    pub comb_ratio: f64,
    /// Position-like candidates are preferred to angular rates of about the same period
    /// whose periodicity is at most this much higher (autocorrelation units). Default 0.1.
    pub position_preference: f64,
    /// Candidates are ranked by their autocorrelation at the period less this share of their
    /// autocorrelation peak at half the period (a signal that repeats every half cycle as
    /// well splits reps in two). Default 0.3.
    pub half_cycle_penalty: f64,
    /// Below this autocorrelation at the period, the recording is not repetitive and no reps
    /// are reported. Default 0.12 (a few reps among other movements repeat weakly over the
    /// whole recording; a pose estimator's noise, which can repeat as much by chance, is
    /// told apart by its size: [`min_noise_ratio`](Self::min_noise_ratio)).
    pub min_periodicity: f64,
    /// A chosen cycle is split in two when an auxiliary candidate (one image axis of the
    /// keypoints) repeats every half cycle at least as well, only when the cycle's own
    /// autocorrelation reaches this. Default 0.2.
    pub min_split_periodicity: f64,
    /// Peaks closer than this share of the period are one rep (the highest is kept).
    /// Default 0.5.
    pub min_peak_distance_ratio: f64,
    /// Width of the smoothing kernel (each of the two moving averages) as a share of the
    /// period. Default 0.15.
    pub smoothing_ratio: f64,
    /// A rep's prominence must reach this share of the typical rep's (the median prominence
    /// of the strong peaks). Default 0.4.
    pub min_prominence_ratio: f64,
    /// A rep cut by the start or end of the recording (its peak's prominence measured on
    /// the side observed) counts when that prominence reaches this share of the typical
    /// rep's: higher than [`min_prominence_ratio`](Self::min_prominence_ratio), since half a
    /// movement at the edge is as often a lift-off or a re-rack as a rep. Default 0.7.
    pub cut_prominence_ratio: f64,
    /// A rep starts (ends) where the signal has risen (fallen) this share of the way from
    /// the valley to the peak. Default 0.1.
    pub border_ratio: f64,
    /// Reps further apart than this many periods belong to different bouts: each then
    /// starts and ends within one period of its peak; and active stretches closer than this
    /// are one bout. Default 1.6.
    pub bout_gap_ratio: f64,
    /// Width of the window the local periodicity is measured over, in periods. Default 2.5.
    pub local_window_periods: f64,
    /// Stretches whose candidate signals correlate with themselves one period later at least
    /// this much (over a window of `local_window_periods`) are bouts of repetition; the rest
    /// is rest. Default 0.4.
    pub min_local_periodicity: f64,
    /// Bouts shorter than this many periods are left out. Default 1.
    pub min_bout_periods: f64,
    /// Keypoint reps must be this many times the points' frame-to-frame jitter (the median
    /// absolute difference between frames, the unit of keypoint components): a smaller
    /// typical rep is the pose estimator's noise, and the bout gives no reps. Default 5.
    pub min_noise_ratio: f64,
    /// A rep whose nearest neighbour in its bout is further than this many periods away is
    /// not part of the bout's rhythm and is left out (in bouts of at least 3 reps).
    /// Default 2.
    pub isolation_periods: f64,
}

impl Default for AutoParams {
    fn default() -> Self {
        AutoParams {
            min_period_s: 0.6,
            max_period_s: 12.0,
            max_analysis_rate_hz: 30.0,
            harmonic_ratio: 0.8,
            comb_ratio: 0.5,
            position_preference: 0.1,
            half_cycle_penalty: 0.3,
            min_periodicity: 0.12,
            min_split_periodicity: 0.2,
            min_peak_distance_ratio: 0.5,
            smoothing_ratio: 0.15,
            min_prominence_ratio: 0.4,
            cut_prominence_ratio: 0.7,
            border_ratio: 0.1,
            bout_gap_ratio: 1.6,
            local_window_periods: 2.5,
            min_local_periodicity: 0.4,
            min_bout_periods: 1.0,
            min_noise_ratio: 5.0,
            isolation_periods: 2.0,
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
    /// How the period is picked among autocorrelation peaks.
    fn peak_rule(&self) -> segment::PeakRule {
        segment::PeakRule {
            harmonic_ratio: self.harmonic_ratio,
            comb_ratio: self.comb_ratio,
        }
    }

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
        check("comb_ratio", self.comb_ratio, 0.0, 1.0, "0 to 1")?;
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
        check(
            "cut_prominence_ratio",
            self.cut_prominence_ratio,
            0.0,
            1.0,
            "0 to 1",
        )?;
        check("border_ratio", self.border_ratio, 0.0, 0.5, "0 to 0.5")?;
        check(
            "half_cycle_penalty",
            self.half_cycle_penalty,
            0.0,
            10.0,
            "0 to 10",
        )?;
        check(
            "min_split_periodicity",
            self.min_split_periodicity,
            -1.0,
            1.0,
            "-1 to 1",
        )?;
        check(
            "isolation_periods",
            self.isolation_periods,
            1.0,
            1.0e6,
            "1 to 1e6",
        )?;
        check(
            "min_noise_ratio",
            self.min_noise_ratio,
            0.0,
            1.0e6,
            "0 to 1e6",
        )?;
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

/// One bout of repetition (a set) and the signal its reps were found on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoBout {
    /// Start of the bout's first rep (of the repetitive stretch when it has none), s.
    pub start_s: f64,
    /// End of the bout's last rep (of the repetitive stretch when it has none), s.
    pub end_s: f64,
    /// The signal chosen inside the bout.
    pub signal_name: String,
    /// Its unit.
    pub signal_unit: String,
    /// The rep cycle inside the bout, s.
    pub period_s: f64,
    /// The signal's autocorrelation at that period inside the bout (−1 to 1).
    pub periodicity: f64,
    /// Reps found in the bout.
    pub reps: usize,
}

/// The repetitions `auto` found, and the signal it found them on.
#[derive(Debug, Clone, Serialize)]
pub struct AutoReps {
    /// The chosen signal (`wrist/gyro_pc1`, `keypoints/pc1`...). When the bouts of a
    /// recording were segmented on different signals, the names joined with `+`.
    pub signal_name: String,
    /// Its unit (`rad/s`, `m/s^2`, `rad`, `1` for weighted keypoint components,
    /// standardised signals, or bouts of different signals, each scaled so its typical rep
    /// has amplitude 1).
    pub signal_unit: String,
    /// The signal, detrended and smoothed, one value per sample of the recording (linear
    /// between the analysis grid's samples), oriented so that reps go up from the rest
    /// level.
    pub signal: Vec<f64>,
    /// The repetitions, in time order (`hold_s` is 0: `auto` does not measure holds).
    pub reps: Vec<DetectedRep>,
    /// The rep cycle of the whole recording, s; `None` when no candidate is periodic.
    pub period_s: Option<f64>,
    /// The whole recording's chosen signal's autocorrelation at that period (−1 to 1).
    pub periodicity: Option<f64>,
    /// Each rep's amplitude (peak over its higher valley) in `signal_unit`, one per rep.
    pub amplitudes: Vec<f64>,
    /// One per rep: its peak fell where nothing was measured (a sensor dropout, video
    /// frames with no pose), so the rep is inferred from the signal filled across the gap
    /// (linear between the samples on either side), not observed. Such reps are counted.
    pub inferred: Vec<bool>,
    /// The bouts of activity, in time order; rests between them have no reps.
    pub bouts: Vec<AutoBout>,
    /// The analysis grid's rate, Hz.
    pub analysis_rate_hz: f64,
    /// Every candidate over the whole recording and its periodicity, in the order tried.
    pub candidates: Vec<CandidateScore>,
}

fn error(message: impl Into<String>) -> DetectError {
    DetectError {
        detector: NAME.into(),
        message: message.into(),
    }
}

/// Rate the candidates' periodicity is scored at, Hz (at least: the grid is averaged down
/// by a whole factor). Reps last at least [`AutoParams::min_period_s`] (0.6 s by default),
/// so ten samples a second still give six or more lags per shortest cycle to find and rank
/// autocorrelation peaks; the chosen candidate's period is then refined on the analysis
/// grid ([`refine_period`]). Scoring is the costliest step (an FFT per candidate, per bout).
const SCORING_RATE_HZ: f64 = 10.0;

/// The most periodic candidate at the candidates' shared period (position-like ones
/// preferred when nearly as periodic) and its period on the grid; also every candidate's own
/// score. The candidates are scored on block means of a few grid samples
/// ([`SCORING_RATE_HZ`]), and the winner's period refined on the grid.
fn choose(
    cands: &[Candidate],
    min_lag: usize,
    max_lag: usize,
    trend: usize,
    rate_hz: f64,
    params: &AutoParams,
) -> (Option<(usize, Period)>, Vec<CandidateScore>) {
    let detrended: Vec<Vec<f64>> = cands.iter().map(|c| detrend(&c.values, trend)).collect();
    let d = scoring_factor(rate_hz, min_lag);
    if d == 1 {
        return choose_scored(
            &detrended,
            cands,
            min_lag,
            max_lag,
            rate_hz,
            params,
            &|_, p| p,
        );
    }
    let coarse: Vec<Vec<f64>> = detrended.iter().map(|x| block_means(x, d)).collect();
    // Each signal's mean and sum of squares about it, for the refinement.
    let moments: Vec<(f64, f64)> = detrended
        .iter()
        .map(|x| {
            let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
            (mean, crate::signal::centred_dot(x, x, mean))
        })
        .collect();
    choose_scored(
        &coarse,
        cands,
        min_lag / d,
        max_lag.div_ceil(d),
        rate_hz / d as f64,
        params,
        &|i, p| refine_period(&detrended[i], moments[i], p, d),
    )
}

/// A candidate built on the analysis grid, detrended, and its mean and sum of squares about
/// it (for [`refine_period`]).
struct Built {
    values: Vec<f64>,
    detrended: Vec<f64>,
    moments: (f64, f64),
}

/// Coarse keypoint candidates' projections on the analysis grid over one range, built when
/// first asked for.
struct Fine<'a> {
    kp: &'a Keypoints,
    cands: &'a [Candidate],
    range: Range<usize>,
    trend: usize,
    built: RefCell<Vec<Option<Rc<Built>>>>,
}

impl<'a> Fine<'a> {
    fn new(kp: &'a Keypoints, cands: &'a [Candidate], range: Range<usize>, trend: usize) -> Self {
        Fine {
            kp,
            cands,
            range,
            trend,
            built: RefCell::new(vec![None; cands.len()]),
        }
    }

    /// Candidate `i` on the analysis grid (its coarse values repeated when it has no recipe).
    fn get(&self, i: usize) -> Rc<Built> {
        if let Some(b) = &self.built.borrow()[i] {
            return b.clone();
        }
        let c = &self.cands[i];
        let values = match &c.recipe {
            Some(terms) => self.kp.build(terms, self.range.clone()),
            None => {
                let d = self.kp.d();
                (0..self.range.len())
                    .map(|j| c.values[(j / d).min(c.values.len() - 1)])
                    .collect()
            }
        };
        let detrended = detrend(&values, self.trend);
        let mean = detrended.iter().sum::<f64>() / detrended.len().max(1) as f64;
        let moments = (
            mean,
            crate::signal::centred_dot(&detrended, &detrended, mean),
        );
        let b = Rc::new(Built {
            values,
            detrended,
            moments,
        });
        self.built.borrow_mut()[i] = Some(b.clone());
        b
    }
}

/// [`choose`] for coarse keypoint candidates (`cands`, on a grid `d` times coarser than the
/// analysis grid; `c_trend` their detrending width): scored on their own grid, every peak
/// that decides refined on their projections on the analysis grid (`fine`). Lags, `rate_hz`
/// and the period returned are on the analysis grid.
fn choose_fine(
    cands: &[Candidate],
    fine: &Fine,
    min_lag: usize,
    max_lag: usize,
    c_trend: usize,
    rate_hz: f64,
    params: &AutoParams,
) -> (Option<(usize, Period)>, Vec<CandidateScore>) {
    let d = fine.kp.d();
    let detrended: Vec<Vec<f64>> = cands.iter().map(|c| detrend(&c.values, c_trend)).collect();
    choose_scored(
        &detrended,
        cands,
        min_lag / d,
        max_lag.div_ceil(d),
        rate_hz / d as f64,
        params,
        &|i, p| {
            let b = fine.get(i);
            refine_period(&b.detrended, b.moments, p, d)
        },
    )
}

/// Grid samples per block of the scoring grid: as many as keep [`SCORING_RATE_HZ`], but at
/// least four lags below the shortest cycle (`min_lag` grid samples).
fn scoring_factor(rate_hz: f64, min_lag: usize) -> usize {
    let mut d = ((rate_hz / SCORING_RATE_HZ).floor() as usize).max(1);
    while d > 1 && min_lag / d < 4 {
        d -= 1;
    }
    d
}

/// Means of consecutive blocks of `d` samples (a last partial block dropped).
fn block_means(x: &[f64], d: usize) -> Vec<f64> {
    x.chunks_exact(d)
        .map(|b| b.iter().sum::<f64>() / d as f64)
        .collect()
}

/// The period `coarse` found on block means of `d` samples, on the signal `x` itself
/// (`mean`, its mean, and `energy`, its sum of squares about it): the highest local
/// maximum of its autocorrelation (the estimator of [`autocorrelation`]) within a block and
/// a lag of `d` times the coarse period, refined by a parabola, with its autocorrelation
/// there as the score. The coarse peak, scaled, when there is none.
fn refine_period(x: &[f64], (mean, energy): (f64, f64), coarse: Period, d: usize) -> Period {
    let n = x.len();
    let target = coarse.samples * d as f64;
    let scaled = Period {
        samples: target,
        score: coarse.score,
    };
    let lo = ((target - d as f64).floor().max(2.0) as usize) - 1;
    let hi = ((target + d as f64).ceil() as usize + 1).min(n / 2 + 1);
    if hi < lo + 2 {
        return scaled;
    }
    if !(energy > 0.0 && energy.is_finite()) {
        return scaled;
    }
    // r[j] is the autocorrelation at lag lo + j.
    let r: Vec<f64> = (lo..=hi)
        .map(|k| crate::signal::centred_dot(&x[..n - k], &x[k..], mean) / energy)
        .collect();
    let best = (1..r.len() - 1)
        .filter(|&j| r[j] > r[j - 1] && r[j] >= r[j + 1])
        .max_by(|&a, &b| r[a].total_cmp(&r[b]));
    match best {
        Some(j) if r[j] > 0.0 => {
            let p = interpolated(&r, j);
            Period {
                samples: p.samples + lo as f64,
                score: p.score,
            }
        }
        _ => scaled,
    }
}

/// [`choose`] on the candidates' detrended signals `detrended` (of the candidates `cands`),
/// lags and rate on their own sampling. Each peak that decides between candidates (its
/// score compared with another's) goes through `refine` first (candidate index, peak on
/// `detrended`), which gives it on the analysis grid: the decisions are those the grid's
/// own autocorrelations make, the coarse ones only find the peaks.
fn choose_scored(
    detrended: &[Vec<f64>],
    cands: &[Candidate],
    min_lag: usize,
    max_lag: usize,
    rate_hz: f64,
    params: &AutoParams,
    refine: &dyn Fn(usize, Period) -> Period,
) -> (Option<(usize, Period)>, Vec<CandidateScore>) {
    let mut scores = Vec::with_capacity(cands.len());
    let mut found: Vec<(usize, Period)> = Vec::new();
    let n = detrended.first().map_or(0, Vec::len);
    let lags = max_lag.min(n / 2) + 1;
    let mut acfs: Vec<Vec<f64>> = Vec::with_capacity(cands.len());
    for pair in detrended.chunks(2) {
        match pair {
            [x, y] => {
                let (a, b) = autocorrelation_pair(x, y, lags);
                acfs.push(a);
                acfs.push(b);
            }
            [x] => acfs.push(autocorrelation(x, lags)),
            _ => {}
        }
    }
    for (i, c) in cands.iter().enumerate() {
        let p = period_from_autocorrelation(&acfs[i], n, min_lag, max_lag, params.peak_rule());
        scores.push(CandidateScore {
            name: c.name.clone(),
            period_s: p.map(|p| p.samples / rate_hz),
            periodicity: p.map(|p| p.score),
        });
        if let Some(p) = p.filter(|_| !c.auxiliary) {
            found.push((i, p));
        }
    }
    let main: Vec<usize> = (0..cands.len()).filter(|&i| !cands[i].auxiliary).collect();
    // The rep cycle is the period every projection shares: the candidates' mean
    // autocorrelation peaks at it (a projection dominated by a harmonic repeats after half
    // a cycle, but after a whole one as well), and the shortest strong peak of the mean is
    // taken, as for one signal. Each candidate is then scored at its own peak within a
    // fifth of that period. Without a mean peak, each candidate's own period stands.
    let acf_len = acfs.iter().map(Vec::len).min().unwrap_or(0);
    let mean_acf: Vec<f64> = (0..acf_len)
        .map(|k| main.iter().map(|&i| acfs[i][k]).sum::<f64>() / main.len().max(1) as f64)
        .collect();
    if let Some(mut c) =
        period_from_autocorrelation(&mean_acf, n, min_lag, max_lag, params.peak_rule())
    {
        // Every projection repeats after a whole cycle. A dominant one (the first principal
        // component of its group: the second ones are small, and their repeats chance) that
        // repeats after two of these cycles at least as well as the projections repeat on
        // average after one (and at least `min_periodicity`), but hardly after one itself
        // (under half as well), shows the mean's cycle is half of one: a wrist that turns
        // twice per press makes the rotations repeat every half cycle, while gravity's
        // projection (the forearm's attitude) repeats once per press.
        let doubled = main.iter().filter(|&&i| cands[i].dominant).any(|&i| {
            let at_one = acfs[i].get(c.samples.round() as usize).copied();
            peak_near(&acfs[i], n, 2.0 * c.samples, 0.2).is_some_and(|two| {
                two.score >= c.score.max(params.min_periodicity)
                    && at_one.is_some_and(|one| one <= 0.5 * two.score)
            })
        });
        if doubled {
            if let Some(whole) = peak_near(&mean_acf, n, 2.0 * c.samples, 0.2) {
                c = whole;
            }
        }
        let near: Vec<(usize, Period)> = main
            .iter()
            .filter_map(|&i| peak_near(&acfs[i], n, c.samples, 0.2).map(|p| (i, p)))
            .collect();
        if !near.is_empty() {
            found = near;
        }
    }
    // Candidates are ranked by their periodicity less a share of how well they repeat
    // after half the period as well: such a signal (a wrist angle that tilts alike on the
    // way up and down) is as much a half cycle as a cycle, and its segmentation splits reps.
    // Each found peak: (candidate, peak here, peak refined, rank).
    type Ranked = (usize, Period, Period, f64);
    let ranked: Vec<Ranked> = found
        .iter()
        .map(|&(i, p)| {
            let half = p.samples / 2.0;
            let h = if half >= min_lag as f64 {
                peak_near(&acfs[i], n, half, 0.2).map_or(0.0, |h| refine(i, h).score.max(0.0))
            } else {
                0.0
            };
            let fine = refine(i, p);
            (i, p, fine, fine.score - params.half_cycle_penalty * h)
        })
        .collect();
    let best_of = |keep: &dyn Fn(&Ranked) -> bool| {
        ranked
            .iter()
            .filter(|f| keep(f))
            .max_by(|a, b| a.3.total_cmp(&b.3))
            .copied()
    };
    let best = best_of(&|_| true);
    // Position-like signals of the same period give clearer rep borders than rates.
    let chosen = best.map(|b| {
        best_of(&|f| {
            !cands[f.0].velocity
                && (f.1.samples / b.1.samples - 1.0).abs() <= 0.2
                && f.3 + params.position_preference >= b.3
        })
        .unwrap_or(b)
    });
    // A cycle that an auxiliary candidate repeats every half cycle, as well as the chosen
    // one repeats every cycle, is two reps (an alternating exercise: one per side).
    let chosen = chosen.map(|(ci, c, c_fine, _)| {
        let half = c.samples / 2.0;
        if half < min_lag as f64 || c_fine.score < params.min_split_periodicity {
            return (ci, c_fine);
        }
        cands
            .iter()
            .enumerate()
            .filter(|(_, k)| k.auxiliary)
            .filter_map(|(i, _)| peak_near(&acfs[i], n, half, 0.2).map(|p| (i, refine(i, p))))
            .filter(|(_, p)| p.score >= c_fine.score)
            .max_by(|a, b| a.1.score.total_cmp(&b.1.score))
            .unwrap_or((ci, c_fine))
    });
    (chosen, scores)
}

/// Bouts of repetition on the grid: stretches where the candidate signals repeat themselves
/// after about one period ([`segment::local_periodicity`] at least
/// [`AutoParams::min_local_periodicity`]), with pauses shorter than `bout_gap_ratio` periods
/// bridged and bouts shorter than `min_bout_periods` periods left out.
fn find_bouts(
    cands: &[Candidate],
    period: f64,
    n: usize,
    params: &AutoParams,
) -> Vec<Range<usize>> {
    let detrend_width = (2.0 * period).round() as usize;
    let chans: Vec<Vec<f64>> = cands
        .iter()
        .filter(|c| !c.auxiliary)
        .map(|c| {
            let mut x = detrend(&c.values, detrend_width);
            let sd = (x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64).sqrt();
            if sd > 0.0 {
                x.iter_mut().for_each(|v| *v /= sd);
            }
            x
        })
        .collect();
    let lags: Vec<usize> = [0.8, 0.9, 1.0, 1.1, 1.25]
        .iter()
        .map(|f| (f * period).round().max(1.0) as usize)
        .collect();
    let width = (params.local_window_periods * period).round().max(2.0) as usize;
    let r = local_periodicity(&chans, &lags, width);
    let gap = (params.bout_gap_ratio * period).round() as usize;
    let mut bouts: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < n {
        if r[i] < params.min_local_periodicity {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && r[i] >= params.min_local_periodicity {
            i += 1;
        }
        match bouts.last_mut() {
            Some(last) if start - last.end <= gap => last.end = i,
            _ => bouts.push(start..i),
        }
    }
    let shortest = (params.min_bout_periods * period).round() as usize;
    bouts.retain(|b| b.len() >= shortest);
    if bouts.len() <= 1 {
        // One bout, or periodic as a whole but nowhere clearly enough locally (short or
        // noisy recordings): the whole recording is the bout, so its reps are measured
        // against each other (the rests around one set hold no rep-sized excursions).
        return std::iter::once(0..n).collect();
    }
    bouts
}

/// Find the repetitions of an unknown repetitive exercise in `rec`, choosing the signal from
/// the data (see the [module documentation](self)).
///
/// Errors when the parameters are invalid, the recording has no usable channel or is too
/// short (at least 2 s and two of the shortest cycles). A recording with no periodic
/// movement is not an error: it gives no reps.
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
    // Keypoints alone are scored on a coarse grid of block means (at least
    // `SCORING_RATE_HZ`), where their many channels are made; only the projections that
    // decide between candidates or are segmented are built on the analysis grid.
    let d = if rec.imus.is_empty() && rec.skeleton.is_some() {
        scoring_factor(grid.rate_hz, min_lag)
    } else {
        1
    };
    let coarse = Grid {
        factor: grid.factor * d,
        len: grid.len / d,
        rate_hz: grid.rate_hz / d as f64,
    };
    let (cg, d) = if d > 1
        && coarse.len >= 2 * (min_lag / d) + 2
        && (coarse.len as f64) >= 2.0 * coarse.rate_hz
    {
        (coarse, d)
    } else {
        (grid, 1)
    };
    let (mut groups, kp) = groups(rec, &cg, (d > 1).then_some(&grid));
    if groups.is_empty() {
        return Err(error(
            "no usable channel: no accelerometer, gyroscope, keypoints or signal with \
             finite values in at least a fifth of the samples",
        ));
    }
    // Only the stretch where something was observed is analysed (a video whose first and
    // last seconds show no one: the filled values there are flat and hold no reps), when
    // it is long enough.
    let span = observed_span(&groups);
    let span = if span.len() >= 2 * (min_lag / d) + 2 && (span.len() as f64) >= 2.0 * cg.rate_hz {
        span
    } else {
        0..cg.len
    };
    let c_len = span.len();
    if c_len < cg.len {
        trim(&mut groups, span.clone());
    }
    // The span on the analysis grid (with the samples past the last whole coarse block when
    // it reaches the end), and a coarse range there.
    let offset = span.start * d;
    let len = if span.end == cg.len {
        grid.len
    } else {
        span.end * d
    } - offset;
    let to_fine = |r: &Range<usize>| r.start * d..if r.end == c_len { len } else { r.end * d };
    let trend = (2.0 * params.max_period_s * grid.rate_hz).round() as usize;
    let c_trend = (2.0 * params.max_period_s * cg.rate_hz).round() as usize;
    let cands = candidates(
        &groups,
        0..c_len,
        c_trend,
        cg.rate_hz,
        kp.as_ref().map(|kp| (kp, offset..offset + len)),
    );
    let global_fine = kp
        .as_ref()
        .map(|kp| Fine::new(kp, &cands, offset..offset + len, trend));
    let (chosen, scores) = match &global_fine {
        Some(f) => choose_fine(&cands, f, min_lag, max_lag, c_trend, grid.rate_hz, params),
        None => choose(&cands, min_lag, max_lag, trend, grid.rate_hz, params),
    };
    // A candidate's values on the analysis grid.
    let full = |fine: &Option<Fine>, cands: &[Candidate], i: usize| match fine {
        Some(f) => f.get(i).values.clone(),
        None => cands[i].values.clone(),
    };
    let time = |k: usize| {
        rec.start_s
            + ((k + offset) as f64 * grid.factor as f64 + (grid.factor as f64 - 1.0) / 2.0)
                / rec.sampling_rate_hz
    };
    // A signal of the analysed span on the whole grid (the edge values beyond it).
    let whole = |x: &[f64]| {
        let mut out = Vec::with_capacity(grid.len);
        out.resize(offset, x.first().copied().unwrap_or(0.0));
        out.extend_from_slice(x);
        out.resize(grid.len, x.last().copied().unwrap_or(0.0));
        out
    };
    let Some((gi, period)) = chosen.filter(|(_, p)| p.score >= params.min_periodicity) else {
        // Not repetitive: report the first candidate, with no reps.
        let i = chosen.map_or(0, |b| b.0).min(cands.len() - 1);
        let c = &cands[i];
        return Ok(AutoReps {
            signal_name: c.name.clone(),
            signal_unit: c.unit.clone(),
            signal: to_recording_rate(&whole(&full(&global_fine, &cands, i)), &grid, rec.n_samples),
            reps: Vec::new(),
            period_s: None,
            periodicity: chosen.map(|b| b.1.score),
            amplitudes: Vec::new(),
            inferred: Vec::new(),
            bouts: Vec::new(),
            analysis_rate_hz: grid.rate_hz,
            candidates: scores,
        });
    };
    let global = &cands[gi];
    let global_values = full(&global_fine, &cands, gi);
    let (global_x, _) = segment_cycles(&global_values, period.samples, (true, true), params);
    let c_period = period.samples / d as f64;
    let bouts = find_bouts(&cands, c_period, c_len, params);
    // The local periodicity of a window centred near a bout's ends already drops: widen each
    // bout by half the window and half a period (the bouts' rests hold no reps anyway).
    let margin = (0.5 * (params.local_window_periods + 1.0) * c_period).round() as usize;
    struct Piece {
        range: Range<usize>,
        x: Vec<f64>,
        cycles: Vec<Cycle>,
        name: String,
        unit: String,
        bout: AutoBout,
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (k, b) in bouts.iter().enumerate() {
        // Widened, but never past the middle of the rest to a neighbouring bout.
        let lo = k
            .checked_sub(1)
            .map_or(0, |j| (bouts[j].end + b.start).div_ceil(2));
        let hi = bouts
            .get(k + 1)
            .map_or(c_len, |next| (b.end + next.start) / 2);
        let c_ext = b.start.saturating_sub(margin).max(lo)..(b.end + margin).min(hi);
        let ext = to_fine(&c_ext);
        let local = candidates(
            &groups,
            c_ext,
            c_trend,
            cg.rate_hz,
            kp.as_ref()
                .map(|kp| (kp, offset + ext.start..offset + ext.end)),
        );
        let local_fine = kp
            .as_ref()
            .map(|kp| Fine::new(kp, &local, offset + ext.start..offset + ext.end, trend));
        let local_max_lag = max_lag.min(ext.len() * 2 / 5);
        let (pick, _) = if local_max_lag > min_lag + 1 {
            match &local_fine {
                Some(f) => choose_fine(
                    &local,
                    f,
                    min_lag,
                    local_max_lag,
                    c_trend,
                    grid.rate_hz,
                    params,
                ),
                None => choose(&local, min_lag, local_max_lag, trend, grid.rate_hz, params),
            }
        } else {
            (None, Vec::new())
        };
        let (values, p, name, unit, noise_unit) = match pick {
            Some((i, p)) if p.score >= params.min_periodicity => (
                full(&local_fine, &local, i),
                p,
                local[i].name.clone(),
                local[i].unit.clone(),
                local[i].noise_unit,
            ),
            // Too short or not periodic on its own: the whole recording's signal and period.
            _ => (
                global_values[ext.clone()].to_vec(),
                period,
                global.name.clone(),
                global.unit.clone(),
                global.noise_unit,
            ),
        };
        let open = (ext.start == 0, ext.end == len);
        let (x, mut cycles) = segment_cycles(&values, p.samples, open, params);
        // Keypoint movements smaller than a few times the estimator's frame-to-frame jitter
        // are the estimator's noise, not reps.
        if noise_unit {
            let typical = crate::signal::median(cycles.iter().map(|c| c.prominence));
            if typical.is_nan() || typical < params.min_noise_ratio {
                cycles.clear();
            }
        }
        // A rep far from every other rep of its bout is not part of the rhythm (getting
        // into position, a fidget before the set).
        if cycles.len() >= 3 {
            let far = params.isolation_periods * p.samples;
            let peaks: Vec<usize> = cycles.iter().map(|c| c.peak).collect();
            let near = |i: usize| {
                let before = i.checked_sub(1).map(|j| peaks[i] - peaks[j]);
                let after = peaks.get(i + 1).map(|q| q - peaks[i]);
                [before, after]
                    .into_iter()
                    .flatten()
                    .any(|d| d as f64 <= far)
            };
            let keep: Vec<bool> = (0..peaks.len()).map(near).collect();
            let mut keep = keep.into_iter();
            cycles.retain(|_| keep.next().unwrap_or(true));
        }
        let (first, last) = match (cycles.first(), cycles.last()) {
            (Some(f), Some(l)) => (ext.start + f.start, ext.start + l.end),
            _ => (ext.start, ext.end.saturating_sub(1)),
        };
        let bout = AutoBout {
            start_s: time(first),
            end_s: time(last),
            signal_name: name.clone(),
            signal_unit: unit.clone(),
            period_s: p.samples / grid.rate_hz,
            periodicity: p.score,
            reps: cycles.len(),
        };
        pieces.push(Piece {
            range: ext,
            x,
            cycles,
            name,
            unit,
            bout,
        });
    }
    // One rep is no repetition: a recording where a single one is found gives none.
    if pieces.iter().map(|p| p.cycles.len()).sum::<usize>() < 2 {
        for p in &mut pieces {
            p.cycles.clear();
            p.bout.reps = 0;
        }
    }
    let same = pieces
        .iter()
        .all(|p| p.name == global.name && p.unit == global.unit);
    let (signal_name, signal_unit) = if same {
        (global.name.clone(), global.unit.clone())
    } else {
        let mut names: Vec<&str> = pieces.iter().map(|p| p.name.as_str()).collect();
        names.dedup();
        (names.join("+"), "1".to_string())
    };
    // The signal: the whole recording's outside the bouts, each bout's own inside; scaled
    // so the typical rep has amplitude 1 when the bouts' signals differ.
    let typical = |cycles: &[Cycle]| {
        let m = crate::signal::median(cycles.iter().map(|c| c.prominence));
        if m.is_finite() && m > 0.0 {
            m
        } else {
            1.0
        }
    };
    let mut composite = global_x;
    if !same {
        let s = crate::signal::quantile(composite.iter().copied(), 0.95)
            - crate::signal::quantile(composite.iter().copied(), 0.05);
        let s = if s > 0.0 { s } else { 1.0 };
        composite.iter_mut().for_each(|v| *v /= s);
    }
    let seen = measured(rec, &grid);
    let mut reps = Vec::new();
    let mut amplitudes = Vec::new();
    let mut inferred = Vec::new();
    for p in &pieces {
        let scale = if same { 1.0 } else { typical(&p.cycles) };
        for (dst, v) in composite[p.range.clone()].iter_mut().zip(&p.x) {
            *dst = v / scale;
        }
        for c in &p.cycles {
            let k = p.range.start;
            reps.push(DetectedRep {
                start_s: time(k + c.start),
                peak_s: time(k + c.peak),
                end_s: time(k + c.end),
                hold_s: 0.0,
            });
            amplitudes.push(c.prominence / scale);
            inferred.push(!seen.get(offset + k + c.peak).copied().unwrap_or(true));
        }
    }
    Ok(AutoReps {
        signal_name,
        signal_unit,
        signal: to_recording_rate(&whole(&composite), &grid, rec.n_samples),
        reps,
        period_s: Some(period.samples / grid.rate_hz),
        periodicity: Some(period.score),
        amplitudes,
        inferred,
        bouts: pieces.into_iter().map(|p| p.bout).collect(),
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
    /// Cut by the start or end of the recording (measured on its observed side).
    cut: bool,
}

/// Segment a signal of known period (in samples) into cycles; also gives the detrended,
/// smoothed and oriented signal the cycles were found on. Both orientations are tried: the
/// one with more cycles is the rep direction (a set of N reps between rests has N
/// excursions from rest and N − 1 returns between them); on a tie, reps go away from the
/// level the signal dwells at.
fn segment_cycles(
    values: &[f64],
    period: f64,
    open: (bool, bool),
    params: &AutoParams,
) -> (Vec<f64>, Vec<Cycle>) {
    let x = detrend(values, (2.0 * period).round() as usize);
    let width = (params.smoothing_ratio * period).round() as usize;
    let mut x = smooth(&x, width);
    let up = cycles_upward(&x, period, open, params);
    let neg: Vec<f64> = x.iter().map(|v| -v).collect();
    let down = cycles_upward(&neg, period, open, params);
    let lo = crate::signal::quantile(x.iter().copied(), 0.05);
    let hi = crate::signal::quantile(x.iter().copied(), 0.95);
    let dwell_high = crate::signal::median(x.iter().copied()) > 0.5 * (lo + hi);
    // Edge-cut reps do not vote: the returns between reps are often cut at both ends.
    let whole = |c: &[Cycle]| c.iter().filter(|c| !c.cut).count();
    let flip = match whole(&down).cmp(&whole(&up)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => dwell_high,
    };
    if flip {
        x = neg;
        (x, down)
    } else {
        (x, up)
    }
}

/// Cycles of `x` as upward excursions: peaks at least a share of the period apart whose
/// prominence reaches a share of the typical rep's, each from where it leaves the valley
/// before to where it is back in the valley after.
fn cycles_upward(x: &[f64], period: f64, open: (bool, bool), params: &AutoParams) -> Vec<Cycle> {
    let n = x.len();
    let distance = (params.min_peak_distance_ratio * period).round().max(1.0) as usize;
    let peaks = select_by_distance(x, &local_maxima(x), distance);
    let wlen = (2.0 * period).round() as usize | 1;
    let prom = prominences(x, &peaks, wlen, false);
    if peaks.is_empty() {
        return Vec::new();
    }
    // The typical rep: the median prominence of the peaks above a quarter of the 90th
    // percentile (rest wiggles are many and small, reps fewer and similar).
    let p90 = crate::signal::quantile(prom.iter().copied(), 0.9);
    let strong = crate::signal::median(prom.iter().copied().filter(|&v| v >= 0.25 * p90));
    let floor = params.min_prominence_ratio * strong;
    // A rep cut by the start or end of the recording is measured on the side observed; it
    // counts when that side alone makes most of a typical rep.
    let cut = if open.0 || open.1 {
        prominences(x, &peaks, wlen, true)
    } else {
        prom.clone()
    };
    let cut_floor = params.cut_prominence_ratio * strong;
    let kept: Vec<(usize, f64, bool)> = peaks
        .iter()
        .zip(prom.iter().zip(&cut))
        .filter_map(|(&k, (&p, &c))| {
            let observed_side_open = if k < n / 2 { open.0 } else { open.1 };
            if p >= floor && p > 0.0 {
                Some((k, p, false))
            } else if c != p && observed_side_open && c >= cut_floor && c > 0.0 {
                Some((k, c, true))
            } else {
                None
            }
        })
        .collect();
    let reach = period.round().max(1.0) as usize;
    let gap = params.bout_gap_ratio * period;
    let mut cycles = Vec::with_capacity(kept.len());
    for (j, &(p, prominence, cut)) in kept.iter().enumerate() {
        let left = match j.checked_sub(1).map(|i| kept[i].0) {
            Some(q) if ((p - q) as f64) <= gap => q,
            _ => p.saturating_sub(reach),
        };
        let right = match kept.get(j + 1).map(|k| k.0) {
            Some(q) if ((q - p) as f64) <= gap => q,
            _ => (p + reach).min(n - 1),
        };
        let v0 = argmin(x, left..p + 1);
        let v1 = argmin(x, p..right + 1);
        let up = x[v0] + params.border_ratio * (x[p] - x[v0]);
        let down = x[v1] + params.border_ratio * (x[p] - x[v1]);
        let start = (v0..=p).rev().find(|&i| x[i] <= up).unwrap_or(v0);
        let end = (p..=v1).find(|&i| x[i] <= down).unwrap_or(v1);
        cycles.push(Cycle {
            start,
            peak: p,
            end,
            prominence,
            cut,
        });
    }
    cycles
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
            // u > 0 here: truncation is the floor.
            let k = u as usize;
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
