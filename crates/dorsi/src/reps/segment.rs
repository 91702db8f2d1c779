//! Reps and holds on one signal: rest level, excursions with hysteresis, and each movement's
//! start and end from its ramp.
//!
//! 1. **Smoothing.** Two passes of a centred moving average (a triangular kernel). Its width
//!    is [`SegmentParams::smoothing_s`], or, by default, what brings the sample noise (from
//!    the median absolute difference of consecutive samples) to 2 % of the signal's range,
//!    at most [`SegmentParams::max_smoothing_s`].
//! 2. **Orientation** (one-way exercises). Reps leave rest in one direction. When the
//!    signal's sign is known (a keypoint foot pitch), the exercise says which; otherwise
//!    (an IMU mounted any way) the rest is the side of the range the recording starts and
//!    ends on, or, when those disagree, the side the signal spends more time on.
//! 3. **Rest level.** The samples within [`SegmentParams::rest_band`] of the range from the
//!    rest side, per window of [`SegmentParams::baseline_window_s`]; their medians,
//!    interpolated over time, are the rest level (twice, the second time around the first
//!    estimate). A slowly drifting rest posture or sensor is followed; an excursion is not.
//! 4. **Excursions.** The typical amplitude is the median peak of the clear excursions. An
//!    excursion enters at [`SegmentParams::min_rep_fraction`] of it and leaves at half that
//!    (hysteresis), so fidgets and tremor do not count and a wobble does not split a rep.
//!    Two reps the signal does not leave rest between (a fidget or noise kept it above the
//!    exit level) are split where it falls to [`SegmentParams::split_fraction`] of both
//!    peaks, when it stays below half the lower one for at least
//!    [`SegmentParams::min_rep_s`] (a return towards rest, not a glitch).
//!    Both-ways exercises pair an excursion with the next opposite one when the signal
//!    passes through rest without stopping there longer than
//!    [`SegmentParams::max_turn_rest_s`].
//! 5. **Borders.** Each movement between two levels (rest, an excursion's level) is a ramp:
//!    its middle is where the signal crosses halfway, its length comes from the 10 % and
//!    90 % crossings as for a minimum-jerk movement (10–90 % takes 50.7 % of it), corrected
//!    for the smoothing kernel's spread. A rep starts where its first ramp starts and ends
//!    where its last ramp ends; a hold lasts from the end of one ramp to the start of the
//!    next, when that is at least [`SegmentParams::min_hold_s`]. Using the middle and the
//!    10/90 % crossings keeps the borders stable under noise.
//! 6. **Incomplete reps** (reported, not dropped): an excursion below
//!    [`SegmentParams::complete_fraction`] of the typical amplitude, a both-ways rep with one
//!    direction only, or a rep cut by the start or end of the recording.
//!
//! Everything is O(n) in the samples.

use serde::Serialize;

use std::borrow::Cow;

use super::catalogue::Pattern;
use crate::motion::stats;

/// Share of a minimum-jerk movement spent between its 10 % and 90 % points: the quintic
/// `10u³ − 15u⁴ + 6u⁵` reaches 0.1 at u = 0.24664 and 0.9 at u = 0.75336.
pub const MIN_JERK_10_90: f64 = 0.50672;

/// Parameters of the segmenter, with documented defaults ([`SegmentParams::default`]) and
/// [`SegmentParams::validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentParams {
    /// Outliers up to this many samples long are removed first by a running median of
    /// `2 × despike_samples + 1` samples. Default 3 (pose estimators swap the legs for 1–3
    /// frames now and then; a swap during a hold would otherwise split it). [`crate::reps::analyze`]
    /// skips it on IMU angles, which are integrals and have no spikes.
    pub despike_samples: usize,
    /// Width of each of the two moving averages, s; `None` (default): adaptive (see the
    /// module docs).
    pub smoothing_s: Option<f64>,
    /// Widest adaptive smoothing, s. Default 0.5 (reps take 1–10 s; this leaves their
    /// ramps intact).
    pub max_smoothing_s: f64,
    /// An excursion counts as a rep when it reaches this share of the typical amplitude.
    /// Default 0.3: fidgets stay below a quarter of a rep, and reps cut short (tired,
    /// distracted) reach 40 % or more.
    pub min_rep_fraction: f64,
    /// A rep reaching less than this share of the typical amplitude is incomplete.
    /// Default 0.75 (people repeat their range to within about 10 %).
    pub complete_fraction: f64,
    /// Samples within this share of the signal's range from the rest side are rest
    /// candidates. Default 0.2.
    pub rest_band: f64,
    /// The rest level is measured per window of this length, s. Default 20 (drift of the
    /// rest posture takes minutes).
    pub baseline_window_s: f64,
    /// A still phase at an excursion's extreme is a hold when it lasts at least this long, s.
    /// Default 1.
    pub min_hold_s: f64,
    /// Both-ways exercises: the two directions are one rep when the signal rests at most
    /// this long between them, s. Default 1 (turning from one direction to the other passes
    /// rest in a fraction of a second; people rest between reps for a breath or more).
    pub max_turn_rest_s: f64,
    /// An excursion shorter than this (above its exit level) is a twitch, not a rep, s.
    /// Default 0.3.
    pub min_rep_s: f64,
    /// Reps further apart than this, and than 3 times the median gap between reps, are in
    /// different sets, s. Default 20.
    pub min_set_rest_s: f64,
    /// Two reps with no clear rest between them (a fidget or noise kept the signal above
    /// the exit level) are split where the signal falls to this share of the lower of the
    /// two peaks or below. Default 0.4: a wobble in a hold or at a rep's top dips a tenth
    /// or two, a return towards rest more than half; below 0.45 the movement's halfway
    /// point is reached on both sides, so both borders are measured.
    pub split_fraction: f64,
}

impl Default for SegmentParams {
    fn default() -> Self {
        SegmentParams {
            despike_samples: 3,
            smoothing_s: None,
            max_smoothing_s: 1.0,
            min_rep_fraction: 0.3,
            complete_fraction: 0.75,
            rest_band: 0.2,
            baseline_window_s: 20.0,
            min_hold_s: 1.0,
            max_turn_rest_s: 1.0,
            min_rep_s: 0.3,
            min_set_rest_s: 20.0,
            split_fraction: 0.4,
        }
    }
}

/// A parameter of [`SegmentParams`] out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid reps parameter `{name}` = {value}: expected {expected}")]
pub struct InvalidSegmentParam {
    /// The field.
    pub name: &'static str,
    /// The value given.
    pub value: f64,
    /// What was expected.
    pub expected: &'static str,
}

impl SegmentParams {
    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), InvalidSegmentParam> {
        let check = |name, value: f64, lo: f64, hi: f64, expected| {
            if value.is_finite() && value >= lo && value <= hi {
                Ok(())
            } else {
                Err(InvalidSegmentParam {
                    name,
                    value,
                    expected,
                })
            }
        };
        check(
            "despike_samples",
            self.despike_samples as f64,
            0.0,
            50.0,
            "0 to 50 samples",
        )?;
        if let Some(s) = self.smoothing_s {
            check("smoothing_s", s, 0.0, 10.0, "0 to 10 s")?;
        }
        check(
            "max_smoothing_s",
            self.max_smoothing_s,
            0.0,
            10.0,
            "0 to 10 s",
        )?;
        check(
            "min_rep_fraction",
            self.min_rep_fraction,
            0.05,
            0.95,
            "0.05 to 0.95",
        )?;
        check(
            "complete_fraction",
            self.complete_fraction,
            self.min_rep_fraction,
            1.0,
            "min_rep_fraction to 1",
        )?;
        check("rest_band", self.rest_band, 0.01, 0.5, "0.01 to 0.5")?;
        check(
            "baseline_window_s",
            self.baseline_window_s,
            1.0,
            3600.0,
            "1 to 3600 s",
        )?;
        check("min_hold_s", self.min_hold_s, 0.0, 600.0, "0 to 600 s")?;
        check(
            "max_turn_rest_s",
            self.max_turn_rest_s,
            0.0,
            60.0,
            "0 to 60 s",
        )?;
        check("min_rep_s", self.min_rep_s, 0.0, 60.0, "0 to 60 s")?;
        check(
            "min_set_rest_s",
            self.min_set_rest_s,
            0.0,
            3600.0,
            "0 to 3600 s",
        )?;
        check(
            "split_fraction",
            self.split_fraction,
            0.0,
            0.9,
            "0 (never split) to 0.9",
        )?;
        Ok(())
    }
}

/// What the segmenter needs to know about the exercise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentSpec {
    /// One excursion per rep or one each way.
    pub pattern: Pattern,
    /// The sign the first direction has in this signal (`+1`, `−1`), when known.
    pub first_sign: Option<f64>,
}

/// A rep found on a signal (times in s on the recording's clock; values in the signal's
/// unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRep {
    /// Start: the foot leaves rest, s.
    pub start_s: f64,
    /// Peak: the middle of the first hold, or the first excursion's extreme, s.
    pub peak_s: f64,
    /// End: back at rest, s.
    pub end_s: f64,
    /// Size: the excursion's peak from rest (one-way), or the range from one extreme to the
    /// other (both ways), in the signal's unit.
    pub amplitude: f64,
    /// Time held in the rep (all its holds), s.
    pub hold_s: f64,
    /// Whether the rep is complete.
    pub complete: bool,
    /// Why it is not, when it is not.
    pub incomplete_reason: Option<String>,
    /// The directions moved, as indices into the exercise's direction list.
    pub directions: Vec<usize>,
}

/// A hold found on a signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentHold {
    /// Index of the rep (0-based) it belongs to.
    pub rep: usize,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Index into the exercise's direction list.
    pub direction: usize,
}

/// A set: reps with no long rest between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentSet {
    /// Start of its first rep, s.
    pub start_s: f64,
    /// End of its last rep, s.
    pub end_s: f64,
    /// Indices of its first and last reps (0-based, inclusive).
    pub reps: (usize, usize),
}

/// The segmentation of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Reps in time order.
    pub reps: Vec<SegmentRep>,
    /// Holds in time order.
    pub holds: Vec<SegmentHold>,
    /// Sets in time order.
    pub sets: Vec<SegmentSet>,
    /// The smoothed signal, one value per sample.
    pub smoothed: Vec<f64>,
    /// The rest level, one value per sample.
    pub rest: Vec<f64>,
    /// The typical amplitude of a rep (first direction), in the signal's unit; `None`
    /// without reps.
    pub typical_amplitude: Option<f64>,
    /// +1 when reps move the signal up from rest, −1 when down (first direction).
    pub orientation: f64,
    /// The smoothing width used (each moving average), s.
    pub smoothing_s: f64,
    /// What the segmenter decided, in words.
    pub notes: Vec<String>,
}

/// Replace non-finite values by linear interpolation (nearest value at the ends). `None`
/// when nothing is finite.
fn fill_gaps(x: &[f64]) -> Option<Vec<f64>> {
    let first = x.iter().position(|v| v.is_finite())?;
    let mut out = x.to_vec();
    let mut last = first;
    for v in out.iter_mut().take(first) {
        *v = x[first];
    }
    for i in first + 1..x.len() {
        if x[i].is_finite() {
            if i > last + 1 {
                let (a, b) = (x[last], x[i]);
                for (k, v) in out.iter_mut().enumerate().take(i).skip(last + 1) {
                    *v = a + (b - a) * (k - last) as f64 / (i - last) as f64;
                }
            }
            last = i;
        }
    }
    let tail = x[last];
    for v in out.iter_mut().skip(last + 1) {
        *v = tail;
    }
    Some(out)
}

/// Robust statistics look at most about this many samples (evenly spread): quantiles of
/// slow signals do not need every sample, and this keeps the pipeline fast.
const STAT_SAMPLES: usize = 16_384;

/// Every k-th value of `x`, k chosen so that at most about [`STAT_SAMPLES`] remain.
pub(crate) fn sparse(x: &[f64]) -> impl Iterator<Item = f64> + Clone + '_ {
    let step = x.len().div_ceil(STAT_SAMPLES).max(1);
    x.iter().step_by(step).copied()
}

/// Centred moving average over `w` samples of finite data (the window shrinks at the ends,
/// as [`crate::motion::moving_average`] does), by a sliding sum: the reference for
/// [`boxcar_twice`].
#[cfg(test)]
fn boxcar(x: &[f64], w: usize) -> Vec<f64> {
    let n = x.len();
    let half = w / 2;
    let mut out = Vec::with_capacity(n);
    let mut sum: f64 = x[..half.min(n)].iter().sum();
    let (mut a, mut b) = (0usize, half.min(n));
    for i in 0..n {
        let (na, nb) = (i.saturating_sub(half), (i + half + 1).min(n));
        while b < nb {
            sum += x[b];
            b += 1;
        }
        while a < na {
            sum -= x[a];
            a += 1;
        }
        out.push(sum / (b - a) as f64);
    }
    out
}

/// The sliding sum of [`boxcar`] as a state, one output per step, so two passes can run in
/// one loop (their additions in the same order, so the same values).
struct Sliding {
    sum: f64,
    a: usize,
    b: usize,
}

impl Sliding {
    /// The state before output 0: the sum of the first `half` values (`x` holds them).
    fn new(x: &[f64], half: usize, n: usize) -> Sliding {
        Sliding {
            sum: x[..half.min(n)].iter().sum(),
            a: 0,
            b: half.min(n),
        }
    }

    /// Output `i` of [`boxcar`] over `x` (`x` holds the values up to `i + half`).
    #[inline(always)]
    fn step(&mut self, x: &[f64], i: usize, half: usize, n: usize) -> f64 {
        let (na, nb) = (i.saturating_sub(half), (i + half + 1).min(n));
        while self.b < nb {
            self.sum += x[self.b];
            self.b += 1;
        }
        while self.a < na {
            self.sum -= x[self.a];
            self.a += 1;
        }
        self.sum / (self.b - self.a) as f64
    }
}

/// `boxcar(&boxcar(x, w), w)`, the same values, in one sweep: the second pass runs `half`
/// samples behind the first, so the two chains of additions overlap.
fn boxcar_twice(x: &[f64], w: usize) -> Vec<f64> {
    let n = x.len();
    let half = w / 2;
    let mut first = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    let mut one = Sliding::new(x, half, n);
    let mut two = (half.min(n) == 0).then(|| Sliding::new(&first, half, n));
    for i in 0..n {
        first.push(one.step(x, i, half, n));
        if two.is_none() && first.len() == half.min(n) {
            two = Some(Sliding::new(&first, half, n));
        }
        if let (Some(t), Some(m)) = (two.as_mut(), i.checked_sub(half)) {
            out.push(t.step(&first, m, half, n));
        }
    }
    if let Some(t) = two.as_mut() {
        for m in out.len()..n {
            out.push(t.step(&first, m, half, n));
        }
    }
    out
}

/// The rest level: per window, the median of the samples `in_band` says are rest, at the
/// mean position of those samples; linear in between, constant beyond. `None` without any.
fn rest_level(y: &[f64], window: usize, in_band: impl Fn(usize, f64) -> bool) -> Option<Vec<f64>> {
    let n = y.len();
    let window = window.max(1);
    let mut anchors: Vec<(f64, f64)> = Vec::new();
    // Each window's in-band samples, written at every sample and kept by advancing the
    // count (no branch on the band test, which passes and fails at random near its edges).
    let mut buf = vec![0.0; window];
    let mut a = 0;
    while a < n {
        let b = (a + window).min(n);
        let mut kept = 0;
        let mut pos = 0.0;
        for (i, &v) in y.iter().enumerate().take(b).skip(a) {
            let keep = in_band(i, v);
            buf[kept] = v;
            kept += usize::from(keep);
            pos += if keep { i as f64 } else { 0.0 };
        }
        let buf = &mut buf[..kept];
        if buf.len() >= 5.max((b - a) / 20) {
            let k = buf.len() / 2;
            let at = pos / buf.len() as f64;
            let (_, m, _) = buf.select_nth_unstable_by(k, f64::total_cmp);
            anchors.push((at, *m));
        }
        a = b;
    }
    if anchors.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    let mut k = 0;
    for i in 0..n {
        let x = i as f64;
        while k + 1 < anchors.len() && anchors[k + 1].0 <= x {
            k += 1;
        }
        let (x0, v0) = anchors[k];
        out.push(match anchors.get(k + 1) {
            Some(&(x1, v1)) if x > x0 => v0 + (v1 - v0) * (x - x0) / (x1 - x0),
            _ => v0,
        });
    }
    Some(out)
}

/// An excursion of `sign · e` above its exit level.
#[derive(Debug, Clone, Copy)]
struct Lobe {
    sign: f64,
    /// First and one-past-last sample above the exit level.
    a: usize,
    b: usize,
    /// Sample of the extreme.
    peak_idx: usize,
    /// The extreme of `sign · e`.
    peak: f64,
    /// The level it stays at: the median of `sign · e` within 10 % of the extreme.
    level: f64,
}

/// Excursions of `sign · e`: runs above `exit` that reach `enter`, at least `min_len` long,
/// each split where it falls to `split` of both neighbouring peaks ([`split_run`]).
fn lobes(e: &[f64], sign: f64, enter: f64, exit: f64, min_len: usize, split: f64) -> Vec<Lobe> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = e.len();
    let mut buf = Vec::new();
    let mut parts = Vec::new();
    while i < n {
        if sign * e[i] <= exit {
            i += 1;
            continue;
        }
        let a = i;
        let mut peak_idx = i;
        while i < n && sign * e[i] > exit {
            if sign * e[i] > sign * e[peak_idx] {
                peak_idx = i;
            }
            i += 1;
        }
        if sign * e[peak_idx] < enter || i - a < min_len {
            continue;
        }
        parts.clear();
        split_run(e, sign, (a, i), enter, min_len, split, &mut parts);
        let whole = peak_idx;
        for &(a, b) in &parts {
            let mut peak_idx = whole;
            if parts.len() > 1 {
                peak_idx = a;
                for j in a..b {
                    if sign * e[j] > sign * e[peak_idx] {
                        peak_idx = j;
                    }
                }
            }
            let peak = sign * e[peak_idx];
            buf.clear();
            buf.extend(
                e[a..b]
                    .iter()
                    .map(|v| sign * v)
                    .filter(|&v| v >= 0.9 * peak),
            );
            let k = buf.len() / 2;
            let level = if buf.is_empty() {
                peak
            } else {
                *buf.select_nth_unstable_by(k, f64::total_cmp).1
            };
            out.push(Lobe {
                sign,
                a,
                b,
                peak_idx,
                peak,
                level,
            });
        }
    }
    out
}

/// Whether some `i < j < k` of `sign · run` have `y(i)` and `y(k)` both at least `enter`
/// and `y(j) / split` (one pass, no lengths: when it is false, [`split_run`] finds no
/// split, and most runs, one rep each, are ruled out at the cost of a scan).
fn two_humps(run: &[f64], sign: f64, enter: f64, split: f64) -> bool {
    let inv = 1.0 / split;
    let mut highest = f64::NEG_INFINITY;
    // The least level a later sample must reach for a valley seen so far to split.
    let mut lowest_need = f64::INFINITY;
    for &v in run {
        let y = sign * v;
        if y >= lowest_need {
            return true;
        }
        highest = highest.max(y);
        let need = enter.max(y * inv);
        if highest >= need {
            lowest_need = lowest_need.min(need);
        }
    }
    false
}

/// The parts of the run `a..b` of `sign · e` (in order, into `out`): split at the deepest
/// sample `j` where the run's maxima on both sides reach `enter` and at least `v / split`
/// (`v` the value at `j`), each side at least `min_len` long, and where the signal stays
/// below half the lower maximum for at least `min_len` samples around `j` (a return towards
/// rest, not a glitch the despiker left); then each part the same way. A run with no such
/// sample is one part. `split` 0 never splits.
fn split_run(
    e: &[f64],
    sign: f64,
    (a, b): (usize, usize),
    enter: f64,
    min_len: usize,
    split: f64,
    out: &mut Vec<(usize, usize)>,
) {
    let y = |j: usize| sign * e[j];
    let mut at = None;
    if split > 0.0 && b - a >= 2 * min_len.max(1) && two_humps(&e[a..b], sign, enter, split) {
        // Highest value from the left end up to each sample, then from each to the right end.
        let mut left = Vec::with_capacity(b - a);
        let mut m = f64::NEG_INFINITY;
        for j in a..b {
            m = m.max(y(j));
            left.push(m);
        }
        // Candidates: (value, sample, half the lower maximum).
        let mut candidates = Vec::new();
        let mut right = f64::NEG_INFINITY;
        for j in (a..b).rev() {
            right = right.max(y(j));
            let lower = left[j - a].min(right);
            if j - a >= min_len && b - j >= min_len && lower >= enter.max(y(j) / split) {
                candidates.push((y(j), j, 0.5 * lower));
            }
        }
        candidates.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut rejected: Vec<(usize, usize)> = Vec::new();
        for (_, j, half) in candidates {
            if rejected.iter().any(|&(lo, hi)| (lo..=hi).contains(&j)) {
                continue;
            }
            let (mut lo, mut hi) = (j, j);
            while lo > a && y(lo - 1) < half {
                lo -= 1;
            }
            while hi + 1 < b && y(hi + 1) < half {
                hi += 1;
            }
            if hi - lo + 1 >= min_len {
                at = Some(j);
                break;
            }
            rejected.push((lo, hi));
        }
    }
    match at {
        Some(j) => {
            split_run(e, sign, (a, j), enter, min_len, split, out);
            split_run(e, sign, (j, b), enter, min_len, split, out);
        }
        None => out.push((a, b)),
    }
}

/// The typical amplitude of excursions of `sign · e`: the median peak of the clear ones.
fn typical_amplitude(e: &[f64], sign: f64, min_len: usize, split: f64) -> Option<f64> {
    let top = stats::quantiles(sparse(e).map(|v| sign * v), [0.995])[0];
    if top.is_nan() || top <= 0.0 {
        return None;
    }
    let provisional = lobes(e, sign, 0.3 * top, 0.15 * top, min_len, split);
    if provisional.is_empty() {
        return Some(top);
    }
    let q90 = crate::signal::quantile(provisional.iter().map(|l| l.peak), 0.9);
    Some(crate::signal::median(
        provisional
            .iter()
            .map(|l| l.peak)
            .filter(|&p| p >= 0.6 * q90),
    ))
}

/// A movement from one level to another: start, middle and end, in samples (fractional).
#[derive(Debug, Clone, Copy)]
struct Ramp {
    start: f64,
    end: f64,
    /// The search hit the limit: the movement may be cut.
    cut: bool,
}

/// Where `p` crosses `level` between samples `k` and `k + 1` (fractional sample).
fn cross(p: &dyn Fn(usize) -> f64, k: usize, level: f64) -> f64 {
    let (a, b) = (p(k), p(k + 1));
    if (b - a).abs() < 1e-300 {
        k as f64 + 0.5
    } else {
        k as f64 + ((level - a) / (b - a)).clamp(0.0, 1.0)
    }
}

/// The ramp from level `from` to level `to` whose halfway crossing is found by walking from
/// `anchor` (backward when `backward`, else forward), all searches kept within [lo, hi].
/// `spread` is the smoothing kernel's variance, samples².
#[allow(clippy::too_many_arguments)]
fn ramp(
    e: &[f64],
    from: f64,
    to: f64,
    anchor: usize,
    backward: bool,
    lo: usize,
    hi: usize,
    spread: f64,
) -> Ramp {
    let span = to - from;
    let p = move |i: usize| (e[i] - from) / span;
    let hi = hi.min(e.len() - 1);
    let lo = lo.min(hi);
    // Halfway crossing: p(k) < 0.5 <= p(k + 1).
    let mut k = None;
    if backward {
        let mut i = anchor.min(hi);
        while i > lo {
            if p(i - 1) < 0.5 && p(i) >= 0.5 {
                k = Some(i - 1);
                break;
            }
            i -= 1;
        }
    } else {
        let mut i = anchor.max(lo);
        while i < hi {
            if p(i) < 0.5 && p(i + 1) >= 0.5 {
                k = Some(i);
                break;
            }
            i += 1;
        }
    }
    let Some(k) = k else {
        let at = if backward { lo } else { hi } as f64;
        return Ramp {
            start: at,
            end: at,
            cut: true,
        };
    };
    let mid = cross(&p, k, 0.5);
    let mut cut = false;
    // 10 %: walking back from k.
    let mut j = k;
    while j > lo && p(j) >= 0.1 {
        j -= 1;
    }
    let t10 = if p(j) < 0.1 {
        cross(&p, j, 0.1)
    } else {
        cut = true;
        lo as f64
    };
    // 90 %: walking on from k + 1.
    let mut j = k + 1;
    while j < hi && p(j) < 0.9 {
        j += 1;
    }
    let t90 = if p(j) >= 0.9 && j > 0 {
        cross(&p, j - 1, 0.9)
    } else {
        cut = true;
        hi as f64
    };
    let measured = ((t90 - t10) / MIN_JERK_10_90).max(0.0);
    // Remove the kernel's spread: a minimum-jerk velocity profile of length T has variance
    // T²/28; variances add under convolution.
    let length = (measured * measured - 28.0 * spread)
        .max(0.25 * measured * measured)
        .sqrt();
    let start = (mid - length / 2.0).max(lo as f64);
    let end = (mid + length / 2.0).min(hi as f64);
    Ramp {
        start,
        end,
        cut: cut || start <= 0.0 || end >= (e.len() - 1) as f64,
    }
}

/// Segment one signal sampled at `rate_hz`, whose first sample is at `start_s`.
///
/// ```
/// use dorsi::reps::segment::{segment_signal, SegmentParams, SegmentSpec};
/// use dorsi::reps::Pattern;
/// // Three raises of 20 (1 s up, 1 s down, 2 s apart) at 50 Hz, the third only to 10.
/// let rate = 50.0;
/// let x: Vec<f64> = (0..700).map(|i| {
///     let t = i as f64 / rate;
///     let k = ((t - 2.0) / 4.0).floor();
///     let u = t - 2.0 - 4.0 * k;
///     let amp = if k == 2.0 { 10.0 } else { 20.0 };
///     if (0.0..3.0).contains(&k) && u < 2.0 { amp * (std::f64::consts::PI * u / 2.0).sin().powi(2) } else { 0.0 }
/// }).collect();
/// let spec = SegmentSpec { pattern: Pattern::OneWay, first_sign: Some(1.0) };
/// let s = segment_signal(&x, rate, 0.0, &spec, &SegmentParams::default());
/// assert_eq!(s.reps.len(), 3);
/// assert!((s.reps[0].start_s - 2.0).abs() < 0.1 && (s.reps[0].end_s - 4.0).abs() < 0.1);
/// assert!(s.reps[0].complete && !s.reps[2].complete);
/// ```
pub fn segment_signal(
    x: &[f64],
    rate_hz: f64,
    start_s: f64,
    spec: &SegmentSpec,
    params: &SegmentParams,
) -> Segmentation {
    let n = x.len();
    let mut out = Segmentation {
        reps: Vec::new(),
        holds: Vec::new(),
        sets: Vec::new(),
        // Set below (the input itself when nothing is smoothed).
        smoothed: Vec::new(),
        rest: vec![f64::NAN; n],
        typical_amplitude: None,
        orientation: 1.0,
        smoothing_s: 0.0,
        notes: Vec::new(),
    };
    // Gaps filled; the input itself when it has none.
    let raw: Cow<[f64]> = if x.iter().all(|v| v.is_finite()) {
        Cow::Borrowed(x)
    } else if let Some(filled) = fill_gaps(x) {
        Cow::Owned(filled)
    } else {
        out.smoothed = x.to_vec();
        out.notes.push("the signal has no finite value".into());
        return out;
    };
    if n < 4 || rate_hz.is_nan() || rate_hz <= 0.0 {
        out.smoothed = x.to_vec();
        out.notes.push("the signal is too short".into());
        return out;
    }
    let time = |i: f64| start_s + i / rate_hz;

    // 1. Smoothing.
    // The sample noise, from the raw signal (the median filter correlates it).
    let sigma = 1.4826
        * stats::median(
            (0..raw.len().saturating_sub(1))
                .step_by(raw.len().div_ceil(STAT_SAMPLES).max(1))
                .map(|i| (raw[i + 1] - raw[i]).abs()),
        )
        / 2f64.sqrt();
    // `raw` is finite: the running median has a value everywhere.
    let filled = match params.despike_samples {
        0 => raw,
        k => Cow::Owned(crate::signal::running_median(&raw, k)),
    };
    let q = stats::quantiles(sparse(&filled), [0.98, 0.02]);
    let range0 = q[0] - q[1];
    let width = match params.smoothing_s {
        Some(s) => (s * rate_hz).round().max(1.0),
        None => {
            let target = 0.02 * range0;
            let w = if target > 0.0 {
                (2.0 / 3.0) * (sigma / target).powi(2)
            } else {
                1.0
            };
            w.clamp(
                (0.05 * rate_hz).max(1.0),
                (params.max_smoothing_s * rate_hz).max(1.0),
            )
            .round()
        }
    };
    let w = width as usize;
    let smoothed = if w > 1 {
        boxcar_twice(&filled, w)
    } else {
        filled.into_owned()
    };
    out.smoothing_s = width / rate_hz;
    out.notes.push(format!(
        "smoothed over 2 × {:.2} s (sample noise {sigma:.3}, range {range0:.3})",
        out.smoothing_s
    ));
    // Variance of the triangular kernel (two boxcars of w samples), samples².
    let spread = 2.0 * (width * width - 1.0) / 12.0;
    let q = stats::quantiles(sparse(&smoothed), [0.02, 0.98]);
    let (lo, hi) = (q[0], q[1]);
    let range = hi - lo;
    if range.is_nan() || range <= 0.0 {
        out.smoothed = smoothed;
        out.notes.push("the signal does not move".into());
        return out;
    }

    // 2. Orientation.
    let sign = match (spec.pattern, spec.first_sign) {
        (_, Some(s)) => s.signum(),
        (Pattern::BothWays, None) => 1.0,
        (Pattern::OneWay, None) => {
            let edge = (n / 50).clamp(1, (rate_hz as usize).max(1));
            let level = |s: &[f64]| (stats::median(s.iter().copied()) - lo) / range;
            let (a, b) = (level(&smoothed[..edge]), level(&smoothed[n - edge..]));
            let s = if a < 0.5 && b < 0.5 {
                1.0
            } else if a > 0.5 && b > 0.5 {
                -1.0
            } else if (stats::median(sparse(&smoothed)) - lo) / range < 0.5 {
                1.0
            } else {
                -1.0
            };
            out.notes.push(format!(
                "reps taken to move the signal {} from rest (rest level at the recording's start and end, else where it spends most time)",
                if s > 0.0 { "up" } else { "down" }
            ));
            s
        }
    };
    out.orientation = sign;
    let y: Vec<f64> = smoothed.iter().map(|v| sign * v).collect();
    out.smoothed = smoothed;

    // 3. Rest level.
    let window = (params.baseline_window_s * rate_hz) as usize;
    let band = params.rest_band * range;
    let base = match spec.pattern {
        Pattern::OneWay => stats::quantiles(sparse(&y), [0.02])[0],
        Pattern::BothWays => stats::median(sparse(&y)),
    };
    let first = match spec.pattern {
        Pattern::OneWay => rest_level(&y, window, |_, v| v < base + band),
        Pattern::BothWays => rest_level(&y, window, |_, v| (v - base).abs() < band / 2.0),
    }
    .unwrap_or_else(|| vec![base; n]);
    let rest = match spec.pattern {
        Pattern::OneWay => rest_level(&y, window, |i, v| (v - first[i]).abs() < band),
        Pattern::BothWays => rest_level(&y, window, |i, v| (v - first[i]).abs() < band / 2.0),
    }
    .unwrap_or(first);
    // The excursion from rest, in place of `y` (not needed after), and the rest level in
    // the signal's own sign, in place.
    let mut e = y;
    for (v, r) in e.iter_mut().zip(&rest) {
        *v -= r;
    }
    let mut rest = rest;
    for r in &mut rest {
        *r *= sign;
    }
    out.rest = rest;

    // 4. Excursions.
    let min_len = ((params.min_rep_s * rate_hz) as usize).max(1);
    let signs: &[f64] = match spec.pattern {
        Pattern::OneWay => &[1.0],
        Pattern::BothWays => &[1.0, -1.0],
    };
    let mut amplitude = [None, None];
    let mut all: Vec<Lobe> = Vec::new();
    for (k, &s) in signs.iter().enumerate() {
        let Some(a) = typical_amplitude(&e, s, min_len, params.split_fraction) else {
            continue;
        };
        // Excursions no larger than 4 noise widths are noise.
        let floor = 4.0 * sigma * (2.0 / (3.0 * width.max(1.0))).sqrt();
        if a <= floor {
            continue;
        }
        amplitude[k] = Some(a);
        let enter = params.min_rep_fraction * a;
        all.extend(lobes(
            &e,
            s,
            enter,
            0.5 * enter,
            min_len,
            params.split_fraction,
        ));
    }
    all.sort_by_key(|l| l.a);
    out.typical_amplitude = amplitude[0].or(amplitude[1]);
    if all.is_empty() {
        out.notes
            .push("no excursion from rest large enough to be a rep".into());
        return out;
    }

    // Group excursions into reps.
    let mut groups: Vec<Vec<Lobe>> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let l = all[i];
        if spec.pattern == Pattern::BothWays {
            if let Some(m) = all.get(i + 1) {
                let rest_s = (m.a as f64 - l.b as f64) / rate_hz;
                if m.sign != l.sign && rest_s <= params.max_turn_rest_s {
                    groups.push(vec![l, *m]);
                    i += 2;
                    continue;
                }
            }
        }
        groups.push(vec![l]);
        i += 1;
    }
    // Which sign comes first in a both-ways rep: the one most pairs start with.
    let first_sign = spec
        .first_sign
        .map(f64::signum)
        .map(|s| s * sign)
        .unwrap_or_else(|| {
            let up = groups
                .iter()
                .filter(|g| g.len() == 2 && g[0].sign > 0.0)
                .count();
            let down = groups
                .iter()
                .filter(|g| g.len() == 2 && g[0].sign < 0.0)
                .count();
            if down > up {
                -1.0
            } else {
                1.0
            }
        });

    // 5. Borders.
    let last = n - 1;
    for (gi, g) in groups.iter().enumerate() {
        let lo_idx = if gi == 0 {
            0
        } else {
            groups[gi - 1].last().map_or(0, |l| l.b)
        };
        let hi_idx = groups
            .get(gi + 1)
            .and_then(|h| h.first())
            .map_or(last, |l| l.a);
        let mut ramps = Vec::with_capacity(g.len() + 1);
        let l0 = g[0];
        ramps.push(ramp(
            &e,
            0.0,
            l0.sign * l0.level,
            l0.peak_idx,
            true,
            lo_idx,
            l0.peak_idx,
            spread,
        ));
        for w in g.windows(2) {
            ramps.push(ramp(
                &e,
                w[0].sign * w[0].level,
                w[1].sign * w[1].level,
                w[0].peak_idx,
                false,
                w[0].peak_idx,
                w[1].peak_idx,
                spread,
            ));
        }
        let lk = g[g.len() - 1];
        ramps.push(ramp(
            &e,
            lk.sign * lk.level,
            0.0,
            lk.peak_idx,
            false,
            lk.peak_idx,
            hi_idx,
            spread,
        ));

        let rep_index = out.reps.len();
        let mut hold_total = 0.0;
        let mut peak_s = None;
        let mut directions = Vec::new();
        for (j, l) in g.iter().enumerate() {
            let dir = match spec.pattern {
                Pattern::OneWay => 0,
                Pattern::BothWays => usize::from(l.sign != first_sign),
            };
            directions.push(dir);
            let (h0, h1) = (ramps[j].end, ramps[j + 1].start);
            let held_s = (h1 - h0) / rate_hz;
            if held_s >= params.min_hold_s {
                hold_total += held_s;
                out.holds.push(SegmentHold {
                    rep: rep_index,
                    start_s: time(h0),
                    end_s: time(h1),
                    direction: dir,
                });
                peak_s.get_or_insert(time((h0 + h1) / 2.0));
            }
        }
        let mut reasons = Vec::new();
        for l in g {
            let a = amplitude[usize::from(l.sign < 0.0)].unwrap_or(l.peak);
            if l.peak < params.complete_fraction * a {
                reasons.push(format!(
                    "reached {:.0} % of the typical range",
                    100.0 * l.peak / a.max(1e-300)
                ));
            }
        }
        if spec.pattern == Pattern::BothWays && g.len() < 2 {
            reasons.push("moved one way only".into());
        }
        let (start, end) = (ramps[0].start, ramps[g.len()].end);
        if ramps[0].cut && start <= 0.0 || ramps[g.len()].cut && end >= last as f64 {
            reasons.push("cut by the start or end of the recording".into());
        }
        let amplitude_value = match spec.pattern {
            Pattern::OneWay => l0.peak,
            Pattern::BothWays => g.iter().map(|l| l.peak).sum(),
        };
        out.reps.push(SegmentRep {
            start_s: time(start),
            peak_s: peak_s.unwrap_or_else(|| time(l0.peak_idx as f64)),
            end_s: time(end),
            amplitude: amplitude_value,
            hold_s: hold_total,
            complete: reasons.is_empty(),
            incomplete_reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            directions,
        });
    }

    // Sets.
    let gaps: Vec<f64> = out
        .reps
        .windows(2)
        .map(|w| w[1].start_s - w[0].end_s)
        .collect();
    let split = params
        .min_set_rest_s
        .max(3.0 * crate::signal::median(gaps.iter().copied()).max(0.0));
    let mut first_rep = 0;
    for k in 0..out.reps.len() {
        let last_of_set = gaps.get(k).is_none_or(|&g| g > split);
        if last_of_set {
            out.sets.push(SegmentSet {
                start_s: out.reps[first_rep].start_s,
                end_s: out.reps[k].end_s,
                reps: (first_rep, k),
            });
            first_rep = k + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::smooth_step;

    /// Rest 0, ramps of `ramp_s` up to `level`, held `hold_s`, back down; reps every `period_s`.
    fn raises(rate: f64, reps: &[(f64, f64)], ramp_s: f64, hold_s: f64, total_s: f64) -> Vec<f64> {
        (0..(total_s * rate) as usize)
            .map(|i| {
                let t = i as f64 / rate;
                reps.iter()
                    .map(|&(t0, level)| {
                        let u = t - t0;
                        if u < 0.0 || u > 2.0 * ramp_s + hold_s {
                            0.0
                        } else if u < ramp_s {
                            level * smooth_step(u / ramp_s)
                        } else if u < ramp_s + hold_s {
                            level
                        } else {
                            level * (1.0 - smooth_step((u - ramp_s - hold_s) / ramp_s))
                        }
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn borders_and_holds_of_minimum_jerk_movements_are_exact() {
        let rate = 100.0;
        let x = raises(rate, &[(5.0, 12.0), (45.0, 12.0)], 3.0, 30.0, 90.0);
        let spec = SegmentSpec {
            pattern: Pattern::OneWay,
            first_sign: None,
        };
        let s = segment_signal(&x, rate, 0.0, &spec, &SegmentParams::default());
        assert_eq!(s.reps.len(), 2, "{:?}", s.notes);
        for (r, t0) in s.reps.iter().zip([5.0, 45.0]) {
            assert!((r.start_s - t0).abs() < 0.05, "{r:?}");
            assert!((r.end_s - (t0 + 36.0)).abs() < 0.05, "{r:?}");
            assert!((r.hold_s - 30.0).abs() < 0.1, "{r:?}");
            assert!((r.amplitude - 12.0).abs() < 1e-6 && r.complete);
        }
        assert_eq!(s.holds.len(), 2);
        assert!((s.holds[0].start_s - 8.0).abs() < 0.05);
        // Flipped sign, no known sign: the rest is where the recording starts and ends.
        let flipped: Vec<f64> = x.iter().map(|v| 3.0 - v).collect();
        let s2 = segment_signal(&flipped, rate, 10.0, &spec, &SegmentParams::default());
        assert_eq!(s2.orientation, -1.0);
        assert_eq!(s2.reps.len(), 2);
        assert!((s2.reps[1].start_s - 55.0).abs() < 0.05);
    }

    #[test]
    fn fidgets_drift_and_noise_do_not_count_and_small_reps_are_incomplete() {
        let rate = 50.0;
        let mut x = raises(
            rate,
            &[
                (3.0, 20.0),
                (8.0, 21.0),
                (13.0, 10.0),
                (18.0, 2.0),
                (23.0, 19.0),
            ],
            1.0,
            0.0,
            30.0,
        );
        let mut rng = crate::synth::Rng::new(3);
        for (i, v) in x.iter_mut().enumerate() {
            *v += 0.3 * rng.normal() + 0.05 * i as f64 / rate; // noise, 1.5 units of drift
        }
        let spec = SegmentSpec {
            pattern: Pattern::OneWay,
            first_sign: Some(1.0),
        };
        let s = segment_signal(&x, rate, 0.0, &spec, &SegmentParams::default());
        let starts: Vec<f64> = s.reps.iter().map(|r| r.start_s).collect();
        assert_eq!(s.reps.len(), 4, "{starts:?}");
        let complete: Vec<bool> = s.reps.iter().map(|r| r.complete).collect();
        assert_eq!(complete, [true, true, false, true]);
        for (r, t0) in s.reps.iter().zip([3.0, 8.0, 13.0, 23.0]) {
            assert!(
                (r.start_s - t0).abs() < 0.2 && (r.end_s - t0 - 2.0).abs() < 0.2,
                "{r:?}"
            );
        }
        assert_eq!(s.sets.len(), 1);
    }

    #[test]
    fn reps_bridged_by_a_fidget_split_and_a_glitch_in_a_hold_does_not() {
        let rate = 50.0;
        // Raises of 10 (1 s ramps, 2 s hold) at 2, 8, 14 and 20 s. Between the first two
        // the foot does not return to rest: a fidget of 2 (20 % of a rep, from 5 to 9 s)
        // keeps the signal above the exit level (15 %), so hysteresis alone makes one rep of
        // them.
        let mut x = raises(
            rate,
            &[
                (2.0, 10.0),
                (5.0, 2.0),
                (8.0, 10.0),
                (14.0, 10.0),
                (20.0, 10.0),
            ],
            1.0,
            2.0,
            28.0,
        );
        // Six samples (0.12 s) down to 2 in the third rep's hold: too short to be a return.
        for v in &mut x[(16.0 * rate) as usize..(16.0 * rate) as usize + 6] {
            *v = 2.0;
        }
        let spec = SegmentSpec {
            pattern: Pattern::OneWay,
            first_sign: Some(1.0),
        };
        let s = segment_signal(&x, rate, 0.0, &spec, &SegmentParams::default());
        let starts: Vec<f64> = s.reps.iter().map(|r| r.start_s).collect();
        assert_eq!(s.reps.len(), 4, "{starts:?}");
        // The first rep ends in the fidget's valley, where the second starts.
        assert!((s.reps[0].start_s - 2.0).abs() < 0.2, "{:?}", s.reps[0]);
        assert!(
            (5.5..8.0).contains(&s.reps[0].end_s)
                && (5.5..8.2).contains(&s.reps[1].start_s)
                && s.reps[0].end_s <= s.reps[1].start_s,
            "{:?}",
            &s.reps[..2]
        );
        assert!((s.reps[1].end_s - 12.0).abs() < 0.2, "{:?}", s.reps[1]);
        assert!(s.reps.iter().all(|r| r.complete), "{:?}", s.reps);
        // With splitting off (`split_fraction` 0), the first two are one rep.
        let params = SegmentParams {
            split_fraction: 0.0,
            ..SegmentParams::default()
        };
        assert_eq!(segment_signal(&x, rate, 0.0, &spec, &params).reps.len(), 3);
    }

    #[test]
    fn both_ways_reps_pair_their_directions() {
        // Up to +10, through rest to −10, back: 1 s per 10 units; 3 s rest between reps.
        let rate = 100.0;
        let x: Vec<f64> = (0..2400)
            .map(|i| {
                let t = i as f64 / rate;
                let u = (t - 2.0) % 7.0;
                if !(2.0..=2.0 + 3.0 * 7.0).contains(&t) || u > 4.0 {
                    0.0
                } else if u < 1.0 {
                    10.0 * smooth_step(u)
                } else if u < 3.0 {
                    10.0 - 20.0 * smooth_step((u - 1.0) / 2.0)
                } else {
                    -10.0 * (1.0 - smooth_step(u - 3.0))
                }
            })
            .collect();
        let spec = SegmentSpec {
            pattern: Pattern::BothWays,
            first_sign: None,
        };
        let s = segment_signal(&x, rate, 0.0, &spec, &SegmentParams::default());
        assert_eq!(s.reps.len(), 3);
        for (k, r) in s.reps.iter().enumerate() {
            let t0 = 2.0 + 7.0 * k as f64;
            assert!(
                (r.start_s - t0).abs() < 0.05 && (r.end_s - t0 - 4.0).abs() < 0.05,
                "{r:?}"
            );
            assert_eq!(r.directions, [0, 1]);
            assert!((r.amplitude - 20.0).abs() < 0.2 && r.complete, "{r:?}");
        }
    }

    #[test]
    fn flat_or_empty_signals_give_no_reps() {
        let spec = SegmentSpec {
            pattern: Pattern::OneWay,
            first_sign: None,
        };
        let p = SegmentParams::default();
        assert!(segment_signal(&[1.0; 500], 50.0, 0.0, &spec, &p)
            .reps
            .is_empty());
        assert!(segment_signal(&[f64::NAN; 5], 50.0, 0.0, &spec, &p)
            .reps
            .is_empty());
        assert!(segment_signal(&[], 50.0, 0.0, &spec, &p).reps.is_empty());
        let bad = SegmentParams {
            complete_fraction: 0.1,
            ..SegmentParams::default()
        };
        assert_eq!(bad.validate().map_err(|e| e.name), Err("complete_fraction"));
    }

    #[test]
    fn running_median_removes_short_spikes() {
        let x = [0.0, 0.0, 9.0, 9.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        assert_eq!(
            crate::signal::running_median(&x, 2),
            [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
        );
    }

    #[test]
    fn boxcar_matches_the_moving_average() {
        let x: Vec<f64> = (0..50).map(|i| ((i * 7) % 11) as f64).collect();
        for w in [1, 2, 3, 8, 49, 120] {
            let a = boxcar(&x, w);
            let b = crate::motion::moving_average(&x, w);
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-9, "width {w}");
            }
        }
    }

    #[test]
    fn both_boxcars_in_one_sweep_are_the_two_passes() {
        let mut rng = crate::synth::Rng::new(2);
        for n in [1usize, 2, 5, 40, 333] {
            let x: Vec<f64> = (0..n).map(|_| rng.normal() * 1e3).collect();
            for w in [1, 2, 3, 4, 9, 30, 332, 333, 334, 1000] {
                let a = boxcar_twice(&x, w);
                let b = boxcar(&boxcar(&x, w), w);
                assert!(
                    a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()) && a.len() == n,
                    "n {n}, w {w}"
                );
            }
        }
    }

    #[test]
    fn gaps_are_filled_linearly() {
        let f = fill_gaps(&[f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN]).expect("finite");
        assert_eq!(f, [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]);
    }
}
