//! Gait events from foot- or shank-worn IMUs ([`ImuEventDetector`]).
//!
//! ## The rotation
//!
//! A foot (or shank) rotates about its medio-lateral axis through the gait cycle; that axis
//! is the principal direction of the angular rate ([`crate::motion::dominant_axis`]), so any
//! mounting works, tilted or not. Its sign is fixed from the gait cycle itself: the swing (toes
//! rising, or the shank swinging forward) is the positive lobe that a fast negative lobe, the
//! push-off, precedes. (The longest rotation, which [`crate::motion::sagittal_rate`] makes
//! positive, can be the push-off of a dropped foot that hangs in swing.) Signed this way, the
//! sagittal rate of a foot:
//!
//! * is negative through push-off: the heel rises and the foot rolls over the toes, fastest
//!   just before the toes leave the floor;
//! * peaks in mid-swing;
//! * falls through zero near initial contact: the heel lands and the foot rolls down onto the
//!   floor (a toe-first or flat landing only brings it down to about zero: the forefoot
//!   lands and the heel drops, rotating the foot the same way as in swing);
//! * is about zero in flat stance (a foot), or negative all through stance (a shank rotating
//!   over the planted foot).
//!
//! ## The events
//!
//! **Final contact** (toe-off): after the push-off minimum the toes leave the floor and the
//! foot, no longer rolling over them, stops plantarflexing. Toe-off is taken where the rate
//! has recovered `toe_off_recovery` (a quarter) of its push-off minimum on the way up. This
//! sits between the minimum (15–50 ms early) and the zero crossing (20–40 ms late): it agrees
//! with gaitmap's motion-capture toe-offs (median +0…+5 ms) and with Voisard's hand-checked
//! references (0…+10 ms).
//!
//! **Initial contact**: the heel's (or forefoot's) impact on the floor, a transient of the
//! specific force far sharper than anything in swing: the last sample before the jerk rises
//! past `impact_onset_fraction` of its peak. It is sought from terminal swing (the rate
//! down to half its swing peak) to `impact_window_s` after the rotation turns. The rotation
//! turning is not the contact itself: the foot often starts plantarflexing 20–70 ms before
//! the heel lands, a shank always does. Without a clear impact (no accelerometer, a soft
//! landing, a model without impacts) initial contact falls back to the rotation: the fall
//! through zero with the foot then rolling down (heel first), else the rate's minimum near
//! zero after swing (toe first or flat: the swing rotation stops as the forefoot lands). A
//! segment that is never still in the stance after the turn is a shank (or an ankle-worn
//! sensor): there the rotation turns in terminal swing, before contact, and the fallback is
//! the rate's first minimum after the turn (Salarian et al. 2004).
//!
//! ## Walking bouts
//!
//! A swing is a mid-swing peak of the rate above `min_swing_rate_rads`; swings of one sensor
//! more than `max_stride_s` from any other are not walking (a single step while standing or
//! turning on the spot) and give no events. Standing gives no swing at all.

use nalgebra::Vector3;

use super::side_of;
use crate::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
use crate::Recording;

/// Settings of [`ImuEventDetector`]. `Default` suits walking at any usual speed; see
/// [`ImuEventParams::validate`] for the ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuEventParams {
    /// A mid-swing peak must reach this sagittal rate, rad/s. Default 1.5 rad/s ≈ 86 deg/s:
    /// slow walkers pass.
    pub min_swing_rate_rads: f64,
    /// A mid-swing peak must also reach this share of the recording's 99th-percentile rate
    /// (smoothed over 0.1 s). Default 0.25: the short first step from standing passes.
    pub min_swing_share: f64,
    /// Mid-swing peaks closer than this are one swing, s. Default 0.5.
    pub min_swing_interval_s: f64,
    /// Contacts are searched up to this far from the mid-swing peak, s. Default 0.5.
    pub search_s: f64,
    /// Smoothing of the rate before finding crossings and minima, s (noise and impact
    /// ringing). Default 0.03.
    pub smoothing_s: f64,
    /// A rotation-based contact needs the foot to roll on the stance side of the crossing
    /// (down after initial contact, pushing off before final contact) faster than this
    /// within 150 ms, rad/s. Default 0.5 rad/s ≈ 29 deg/s.
    pub min_roll_rate_rads: f64,
    /// Final contact is where the rate has recovered this share of its push-off minimum.
    /// Default 0.25.
    pub toe_off_recovery: f64,
    /// The impact is sought up to this long after the swing rotation turns (or stops), s.
    /// Default 0.15.
    pub impact_window_s: f64,
    /// The impact's onset is the last sample before the jerk exceeds this share of its
    /// peak. Default 0.5.
    pub impact_onset_fraction: f64,
    /// An impact's jerk must exceed this multiple of the jerk around mid-swing. Default 5.
    pub min_impact_ratio: f64,
    /// A swing with no other swing of the same sensor within this time is not walking, s.
    /// Default 2.5.
    pub max_stride_s: f64,
}

impl Default for ImuEventParams {
    fn default() -> Self {
        ImuEventParams {
            min_swing_rate_rads: 1.5,
            min_swing_share: 0.25,
            min_swing_interval_s: 0.5,
            search_s: 0.5,
            smoothing_s: 0.03,
            min_roll_rate_rads: 0.5,
            toe_off_recovery: 0.25,
            impact_window_s: 0.15,
            impact_onset_fraction: 0.5,
            min_impact_ratio: 5.0,
            max_stride_s: 2.5,
        }
    }
}

impl ImuEventParams {
    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), DetectError> {
        let check = |name: &str, value: f64, lo: f64, hi: f64| {
            DetectError::check_param("gait_imu", name, value, lo, hi)
        };
        check("min_swing_rate_rads", self.min_swing_rate_rads, 0.1, 20.0)?;
        check("min_swing_share", self.min_swing_share, 0.0, 1.0)?;
        check("min_swing_interval_s", self.min_swing_interval_s, 0.1, 5.0)?;
        check("search_s", self.search_s, 0.1, 2.0)?;
        check("smoothing_s", self.smoothing_s, 0.0, 0.2)?;
        check("min_roll_rate_rads", self.min_roll_rate_rads, 0.0, 10.0)?;
        check("toe_off_recovery", self.toe_off_recovery, 0.0, 1.0)?;
        check("impact_window_s", self.impact_window_s, 0.0, 0.5)?;
        check(
            "impact_onset_fraction",
            self.impact_onset_fraction,
            0.01,
            1.0,
        )?;
        check("min_impact_ratio", self.min_impact_ratio, 1.0, 1000.0)?;
        check(
            "max_stride_s",
            self.max_stride_s,
            self.min_swing_interval_s,
            30.0,
        )
    }
}

/// What the event detector found of one IMU that the foot tracks need again, so that they
/// do not read the gyroscope for it a second time.
#[derive(Debug, Clone, Default)]
pub(crate) struct SensorSignals {
    /// The dominant rotation axis (`None` without a gyroscope or rotation).
    pub axis: Option<Vector3<f64>>,
    /// The stillness of the sensor, sample by sample (empty without an axis): the norm of
    /// the angular rate averaged over 40 ms ([`stillness`]), rad/s.
    pub still: Vec<f64>,
    /// The rotation about the axis summed over the swings of the sensor's side, as the foot
    /// tracks sum it (`None` when not summed here: another IMU has the same side).
    pub swing_rotation: Option<f64>,
}

/// [`SensorSignals`] of each IMU of a recording, in its order.
pub(crate) type Axes = Vec<SensorSignals>;

/// Initial and final contacts of each foot or shank IMU (sensor names containing `left` /
/// `right` give the side).
#[derive(Debug, Clone, Default)]
pub struct ImuEventDetector {
    /// Settings.
    pub params: ImuEventParams,
}

/// The stillness of an IMU, sample by sample, from the norms of its angular rate sampled at
/// `hz`: each norm averaged with those of the 20 ms either side (fewer at the ends), rad/s;
/// lower is stiller. Each window is summed in time order.
pub(crate) fn stillness(norms: &[f64], hz: f64) -> Vec<f64> {
    let half = ((0.02 * hz).round() as usize).max(1);
    let n = norms.len();
    let mean = |w: &[f64]| w.iter().sum::<f64>() / w.len() as f64;
    let mut out = Vec::with_capacity(n);
    out.extend((0..half.min(n)).map(|i| mean(&norms[..(i + half + 1).min(n)])));
    if n > 2 * half {
        // Full windows: of a length known at compile time for the usual rates (the sums
        // unrolled, windows side by side), the same sums.
        match half {
            1 => full_means::<3>(norms, &mut out),
            2 => full_means::<5>(norms, &mut out),
            3 => full_means::<7>(norms, &mut out),
            4 => full_means::<9>(norms, &mut out),
            5 => full_means::<11>(norms, &mut out),
            _ => out.extend(norms.windows(2 * half + 1).map(mean)),
        }
    }
    out.extend((out.len()..n).map(|i| mean(&norms[i - half..])));
    out
}

/// The mean of every `W` consecutive values of `x`, each summed in order, onto `out`.
fn full_means<const W: usize>(x: &[f64], out: &mut Vec<f64>) {
    out.extend(x.windows(W).map(|w| {
        let mut s = 0.0;
        for v in &w[..W] {
            s += v;
        }
        s / W as f64
    }));
}

/// Fractional sample where `s` crosses `level` between samples `j - 1` and `j`.
fn crossing_at(s: &[f64], j: usize, level: f64) -> f64 {
    let (a, b) = (s[j - 1] - level, s[j] - level);
    let frac = if a != b { a / (a - b) } else { 0.5 };
    (j - 1) as f64 + frac.clamp(0.0, 1.0)
}

/// [`crate::motion::moving_average`] of `x` over two widths, from one pass of running sums (the same sums,
/// so the same values).
fn smooth_twice(x: &[f64], widths: [usize; 2]) -> [Vec<f64>; 2] {
    let n = x.len();
    let mut sum = Vec::with_capacity(n + 1);
    sum.push(0.0);
    let mut total = 0.0;
    let mut all_finite = true;
    sum.extend(x.iter().map(|v| {
        let ok = v.is_finite();
        all_finite &= ok;
        total += if ok { *v } else { 0.0 };
        total
    }));
    // Counts of finite values are only needed when some are not.
    let mut cnt: Vec<usize> = Vec::new();
    if !all_finite {
        cnt.push(0);
        for v in x {
            cnt.push(cnt[cnt.len() - 1] + usize::from(v.is_finite()));
        }
    }
    widths.map(|width| {
        let half = width / 2;
        let at = |i: usize| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(n);
            let c = if cnt.is_empty() {
                b - a
            } else {
                cnt[b] - cnt[a]
            };
            if c == 0 {
                f64::NAN
            } else {
                (sum[b] - sum[a]) / c as f64
            }
        };
        if !cnt.is_empty() || n < 2 * half + 2 {
            return (0..n).map(at).collect();
        }
        // Every value finite: away from the ends each window holds `2·half + 1` of them,
        // and the average is one subtraction and one division (a loop that vectorises).
        let c = (2 * half + 1) as f64;
        let mut out = Vec::with_capacity(n);
        out.extend((0..half).map(at));
        out.extend(
            sum[2 * half + 1..]
                .iter()
                .zip(&sum[..n - 2 * half])
                .map(|(b, a)| (b - a) / c),
        );
        out.extend((n - half..n).map(at));
        out
    })
}

/// The `q_hi`- and `q_lo`-quantiles (nearest rank) of the finite values of `x`, exactly as
/// [`crate::signal::quantile`] gives them, for `q_hi` near 1 and `q_lo` near 0. A subsample
/// (every 16th value) gives bounds that keep a few percent of the values at each end, and the
/// selections run on those: one pass over `x` for both quantiles.
fn tail_quantiles(x: &[f64], q_hi: f64, q_lo: f64) -> (f64, f64) {
    let finite = || x.iter().copied().filter(|v| v.is_finite());
    // Every 16th value (all of them when none of those is finite).
    let mut sub: Vec<f64> = x
        .iter()
        .step_by(16)
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if sub.is_empty() {
        sub = finite().collect();
    }
    if sub.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    // Values from each bound outwards: a set closed upwards (downwards) in the total order
    // holds the rank-k value whenever it has enough values.
    let hi_bound = crate::signal::quantile(sub.iter().copied(), q_hi - 0.02);
    let lo_bound = crate::signal::quantile(sub.into_iter(), q_lo + 0.02);
    let (mut upper, mut lower) = (Vec::new(), Vec::new());
    let mut n = 0usize;
    for v in finite() {
        n += 1;
        if v >= hi_bound {
            upper.push(v);
        }
        if v <= lo_bound {
            lower.push(v);
        }
    }
    let rank = |q: f64| ((n - 1) as f64 * q).round() as usize;
    let (k_hi, k_lo) = (rank(q_hi), rank(q_lo));
    let select = |mut v: Vec<f64>, at: usize| *v.select_nth_unstable_by(at, f64::total_cmp).1;
    let hi = if upper.len() >= n - k_hi {
        let at = upper.len() - (n - k_hi);
        select(upper, at)
    } else {
        select(finite().collect(), k_hi)
    };
    let lo = if lower.len() > k_lo {
        select(lower, k_lo)
    } else {
        select(finite().collect(), k_lo)
    };
    (hi, lo)
}

/// Mid-swing candidates of both orientations: for `sign` +1 (slot 0) and −1 (slot 1), the
/// largest peak of `broad · sign` above `thresholds[slot]` in each neighbourhood of `min_gap`
/// samples. One pass: a sample is compared with its neighbours only when it is past a
/// threshold, which few are.
fn swing_peaks(broad: &[f64], thresholds: [f64; 2], min_gap: usize) -> [Vec<usize>; 2] {
    let mut peaks: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    let [up, down] = thresholds;
    for i in 1..broad.len().saturating_sub(1) {
        let v = broad[i];
        let slot = if v > up {
            0
        } else if -v > down {
            1
        } else {
            continue;
        };
        let sign = if slot == 0 { 1.0 } else { -1.0 };
        let (a, b, c) = (sign * broad[i - 1], sign * v, sign * broad[i + 1]);
        if b >= a && b > c {
            let mine = &mut peaks[slot];
            match mine.last_mut() {
                Some(last) if i - *last < min_gap => {
                    if b > sign * broad[*last] {
                        *last = i;
                    }
                }
                _ => mine.push(i),
            }
        }
    }
    peaks
}

/// The push-off evidence of one orientation: the median, over its swing candidates, of the
/// most negative rate in the `window` samples before each.
fn push_off_score(light: &[f64], peaks: &[usize], sign: f64, window: usize) -> f64 {
    let mins = peaks.iter().map(|&pk| {
        light[pk.saturating_sub(window)..pk]
            .iter()
            .map(|v| sign * v)
            .fold(f64::INFINITY, f64::min)
    });
    -crate::signal::median(mins)
}

/// One gap-free span of one sensor: the signals the events are found on.
struct Span<'a> {
    /// Sagittal rate, smoothed over `smoothing_s`, signed (swing positive), rad/s.
    light: Vec<f64>,
    /// Specific force of the span, m/s²; `None` without an accelerometer. Jerk and
    /// stillness are computed from it only where they are needed (around contacts).
    acc: Option<&'a [Vector3<f64>]>,
    /// Where the span starts in the recording.
    offset: usize,
    rec: &'a Recording,
}

impl Span<'_> {
    /// Whether the specific force at sample `i` is within 1.5 m/s² of gravity (the sensor
    /// not accelerating); true without an accelerometer.
    fn level(&self, i: usize) -> bool {
        self.acc
            .is_none_or(|a| (a[i].norm() - crate::STANDARD_GRAVITY_MPS2).abs() < 1.5)
    }

    fn time_s(&self, fractional_sample: f64) -> f64 {
        self.rec.start_s + (self.offset as f64 + fractional_sample) / self.rec.sampling_rate_hz
    }
}

impl ImuEventDetector {
    /// Events of one sensor within one gap-free span.
    fn events_in(
        &self,
        rec: &Recording,
        rate: &[f64],
        acc: Option<&[Vector3<f64>]>,
        range: std::ops::Range<usize>,
        side: &Option<String>,
        out: &mut Vec<DetectedEvent>,
    ) {
        let p = &self.params;
        let hz = rec.sampling_rate_hz;
        let n = |sec: f64| ((sec * hz).round() as usize).max(1);
        let [light, broad] = smooth_twice(&rate[range.clone()], [n(p.smoothing_s), n(0.1)]);
        // The orientation: both signs are tried; the swing is the one a push-off precedes.
        // The 99th percentile of each orientation: the 99th and (negated) 1st of the rate.
        let (q99, q01) = tail_quantiles(&broad, 0.99, 0.01);
        let threshold = |q: f64| p.min_swing_rate_rads.max(p.min_swing_share * q);
        let [up, down] = swing_peaks(
            &broad,
            [threshold(q99), threshold(-q01)],
            n(p.min_swing_interval_s),
        );
        let candidates = [(1.0, up), (-1.0, down)].map(|(sign, peaks)| {
            let score = push_off_score(&light, &peaks, sign, n(0.35));
            (sign, peaks, score)
        });
        let best = candidates
            .into_iter()
            .filter(|c| !c.1.is_empty() && c.2.is_finite())
            .max_by(|a, b| a.2.total_cmp(&b.2));
        let Some((sign, peaks, _)) = best else {
            return;
        };
        let mut light = light;
        if sign < 0.0 {
            light.iter_mut().for_each(|v| *v = -*v);
        }
        // Walking bouts: a swing needs another within `max_stride_s`.
        let max_gap = n(p.max_stride_s);
        let peaks: Vec<usize> = peaks
            .iter()
            .enumerate()
            .filter(|&(k, &pk)| {
                let before = k > 0 && pk - peaks[k - 1] <= max_gap;
                let after = peaks.get(k + 1).is_some_and(|&next| next - pk <= max_gap);
                before || after
            })
            .map(|(_, &pk)| pk)
            .collect();
        let span = Span {
            light,
            acc: acc.map(|a| &a[range.clone()]),
            offset: range.start,
            rec,
        };
        for &pk in &peaks {
            if let Some(t) = self.final_contact(&span, pk) {
                out.push(DetectedEvent {
                    side: side.clone(),
                    kind: EventKind::FinalContact,
                    time_s: t,
                });
            }
            if let Some(t) = self.initial_contact(&span, pk) {
                out.push(DetectedEvent {
                    side: side.clone(),
                    kind: EventKind::InitialContact,
                    time_s: t,
                });
            }
        }
    }

    /// Whether the foot rolls (rate below `-min_roll_rate_rads`) in samples `a..b`.
    fn rolls(&self, light: &[f64], a: usize, b: usize) -> bool {
        light[a.min(light.len())..b.min(light.len())]
            .iter()
            .any(|&v| v < -self.params.min_roll_rate_rads)
    }

    /// Toe-off before the swing peaking at `pk`: the rate's recovery from the push-off
    /// minimum.
    fn final_contact(&self, span: &Span, pk: usize) -> Option<f64> {
        let p = &self.params;
        let hz = span.rec.sampling_rate_hz;
        let n = |sec: f64| ((sec * hz).round() as usize).max(1);
        let light = &span.light;
        let window = n(0.15);
        // The last rise through zero before mid-swing, after a push-off.
        let c = (pk.saturating_sub(n(p.search_s)).max(1)..=pk)
            .rev()
            .find(|&j| {
                light[j - 1] < 0.0
                    && light[j] >= 0.0
                    && self.rolls(light, j.saturating_sub(window), j)
            })?;
        // The push-off minimum, then the first recovery past the threshold.
        let from = c.saturating_sub(n(0.25));
        let (m, &min) = light[from..c]
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))?;
        let m = from + m;
        let level = (1.0 - p.toe_off_recovery) * min;
        let j = (m + 1..=c).find(|&j| light[j] >= level)?;
        Some(span.time_s(crossing_at(light, j, level)))
    }

    /// Initial contact after the swing peaking at `pk`: the impact, else the rotation.
    fn initial_contact(&self, span: &Span, pk: usize) -> Option<f64> {
        let p = &self.params;
        let hz = span.rec.sampling_rate_hz;
        let n = |sec: f64| ((sec * hz).round() as usize).max(1);
        let light = &span.light;
        let len = light.len();
        let end = (pk + n(p.search_s)).min(len);
        // The rotation: the first fall through zero after mid-swing with the foot then
        // rolling down (heel first) ...
        let window = n(0.15);
        let crossing = (pk + 1..end)
            .find(|&j| light[j - 1] > 0.0 && light[j] <= 0.0 && self.rolls(light, j, j + window));
        // ... or, landing toe first or flat (no such crossing), the rate's last minimum near
        // zero before the foot is still: the swing rotation stops as the forefoot lands,
        // then the heel drops.
        let turn = match crossing {
            Some(c) => Some((crossing_at(light, c, 0.0), c)),
            None => self
                .toe_first_landing(span, pk, (pk + 2 * n(p.search_s)).min(len), n(0.05))
                .map(|s| (s as f64, s)),
        };
        if let Some(t) = self.impact(span, pk, turn.map(|t| t.1)) {
            return Some(t);
        }
        // A segment never still in the stance after the crossing is a shank (or an
        // ankle-worn sensor): it turns in terminal swing, before contact, and lands at the
        // rate's first minimum after the turn (Salarian et al. 2004).
        if let Some(c) = crossing {
            let stance = (c + n(0.4)).min(len);
            if self.still_from(span, pk, c, stance, n(0.05)).is_none() {
                let first_min = (c + 1..(c + n(0.15)).min(len.saturating_sub(1)))
                    .find(|&j| light[j] <= light[j - 1] && light[j] < light[j + 1]);
                if let Some(j) = first_min {
                    return Some(span.time_s(j as f64));
                }
            }
        }
        turn.map(|(at, _)| span.time_s(at))
    }

    /// The first sample in `from..to` from which the segment is still for `n50` samples
    /// (50 ms): the rate within 5 % of the swing peak at `pk` and the specific force within
    /// 1.5 m/s² of gravity.
    fn still_from(
        &self,
        span: &Span,
        pk: usize,
        from: usize,
        to: usize,
        n50: usize,
    ) -> Option<usize> {
        let light = &span.light;
        let peak = light[pk];
        (from..to.min(light.len().saturating_sub(n50))).find(|&j| {
            let k = j + n50;
            light[j..k].iter().all(|v| v.abs() < 0.05 * peak) && (j..k).all(|i| span.level(i))
        })
    }

    /// A landing with no fall through zero after the swing peaking at `pk`: the last local
    /// minimum of the rate below a quarter of the peak (and above `-min_roll_rate_rads`)
    /// before the foot is still (for `n50` samples, 50 ms: the rate within 5 % of the peak
    /// and the specific force within 1.5 m/s² of gravity), which must happen before `end`
    /// (a recording that stops in the air or on landing has no such landing).
    fn toe_first_landing(&self, span: &Span, pk: usize, end: usize, n50: usize) -> Option<usize> {
        let light = &span.light;
        let peak = light[pk];
        let still = self.still_from(span, pk, pk + 1, end, n50)?;
        (pk + 1..still).rev().find(|&j| {
            let v = light[j];
            v < 0.25 * peak
                && v > -self.params.min_roll_rate_rads
                && light[j - 1] >= v
                && light.get(j + 1).is_none_or(|&w| w >= v)
        })
    }

    /// The onset of the landing impact after the swing peaking at `pk`, if there is a clear
    /// one; `turn` is where the swing rotation turned or stopped.
    fn impact(&self, span: &Span, pk: usize, turn: Option<usize>) -> Option<f64> {
        let p = &self.params;
        let acc = span.acc?;
        let hz = span.rec.sampling_rate_hz;
        let n = |sec: f64| ((sec * hz).round() as usize).max(1);
        let light = &span.light;
        let len = light.len();
        // From terminal swing (the rate down to half its peak) ...
        let start = (pk + 1..len).find(|&j| light[j] < 0.5 * light[pk])?;
        // ... to a little after the rotation turned.
        let end = (turn.unwrap_or(start).max(start) + n(p.impact_window_s) + 1)
            .min(pk + n(p.search_s))
            .min(len);
        if end <= start + 1 {
            return None;
        }
        // The jerk over everything read below (mid-swing to the end of the search), in one
        // pass without branches: its square roots overlap from sample to sample.
        let around = n(0.1);
        let lo = pk.saturating_sub(around);
        let hi = end.max((pk + around).min(len));
        let mut jerks = Vec::with_capacity(hi - lo);
        if lo == 0 {
            jerks.push(f64::NAN);
        }
        let from = lo.max(1);
        jerks.extend(
            acc[from - 1..hi - 1]
                .iter()
                .zip(&acc[from..hi])
                .map(|(a, b)| (b - a).norm() * hz),
        );
        let jerk = |i: usize| jerks[i - lo];
        let (k, peak) = (start..end)
            .map(|i| (i, jerk(i)))
            .filter(|(_, v)| v.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        // The median jerk around mid-swing (as `signal::median`: the lower middle of the
        // finite values), selected in one buffer of the right size.
        let mut calm = Vec::with_capacity(2 * around);
        calm.extend(
            (pk.saturating_sub(around)..(pk + around).min(len))
                .map(jerk)
                .filter(|v| v.is_finite()),
        );
        let swing = if calm.is_empty() {
            f64::NAN
        } else {
            let k = ((calm.len() - 1) as f64 * 0.5).round() as usize;
            *calm.select_nth_unstable_by(k, f64::total_cmp).1
        };
        if !(swing.is_finite() && peak > p.min_impact_ratio * swing) {
            return None;
        }
        // The first rise past the onset level: a heel impact followed by a harder forefoot
        // slap is dated by the heel.
        let level = p.impact_onset_fraction * peak;
        let onset = (start..=k).find(|&i| jerk(i) > level).unwrap_or(k);
        // `jerk[onset]` is the change from sample `onset - 1`: the last quiet sample.
        Some(span.time_s(onset.saturating_sub(1) as f64))
    }
}

impl EventDetector for ImuEventDetector {
    fn name(&self) -> &str {
        "gait_imu"
    }

    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
        Ok(self.events_and_axes(rec)?.0)
    }
}

impl ImuEventDetector {
    /// The events, and the dominant rotation axis of each IMU of the recording (`None`
    /// without a gyroscope or rotation) with the sensor's stillness, which the foot tracks
    /// need too.
    pub(crate) fn events_and_axes(
        &self,
        rec: &Recording,
    ) -> Result<(Vec<DetectedEvent>, Axes), DetectError> {
        self.params.validate()?;
        let mut out = Vec::new();
        let mut any = false;
        let mut axes = Vec::with_capacity(rec.imus.len());
        for imu in &rec.imus {
            let axis = imu
                .gyro_rads
                .as_deref()
                .and_then(crate::motion::dominant_axis);
            let (Some(gyro), Some(axis)) = (&imu.gyro_rads, axis) else {
                axes.push(SensorSignals {
                    axis,
                    ..Default::default()
                });
                continue;
            };
            any = true;
            // The rate about the axis, and the rate's norm for the stillness the foot tracks
            // need, in one read of the gyroscope.
            let (rate, norms): (Vec<f64>, Vec<f64>) =
                gyro.iter().map(|w| (w.dot(&axis), w.norm())).unzip();
            let still = stillness(&norms, rec.sampling_rate_hz);
            drop(norms);
            let side = side_of(&imu.name);
            let acc = imu.acc_mps2.as_deref().filter(|a| a.len() == rate.len());
            let first = out.len();
            for range in rec.segments() {
                self.events_in(rec, &rate, acc, range, &side, &mut out);
            }
            // The swings' rotation while the rate is at hand, when this sensor's events are
            // all of its side's.
            let alone = rec
                .imus
                .iter()
                .filter(|o| o.gyro_rads.is_some() && side_of(&o.name) == side)
                .count()
                == 1;
            let swing_rotation = alone.then(|| {
                // (The sum puts the events in time order itself.)
                let mine: Vec<&DetectedEvent> = out[first..].iter().collect();
                crate::gait::metrics::swing_rotation_of_rates(rec, &mine, &rate)
            });
            axes.push(SensorSignals {
                axis: Some(axis),
                still,
                swing_rotation,
            });
        }
        if !any {
            return Err(DetectError {
                detector: self.name().into(),
                message:
                    "no IMU with a gyroscope that rotates: foot- or shank-worn IMUs are needed"
                        .into(),
            });
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        Ok((out, axes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::moving_average;

    #[test]
    fn tail_quantiles_are_the_quantiles() {
        let mut x: Vec<f64> = (0..5000)
            .map(|i| (f64::from(i) * 0.37).sin() * 4.0)
            .collect();
        x[10] = f64::NAN;
        x.extend([0.0, -0.0, 0.0, 2.5, 2.5, 2.5]);
        // Every 16th value missing: the subsample is empty.
        let mut holes = x.clone();
        holes.iter_mut().step_by(16).for_each(|v| *v = f64::NAN);
        let quantile = |x: &[f64], q| crate::signal::quantile(x.iter().copied(), q);
        for (hi, lo) in [(0.99, 0.01), (0.995, 0.0), (1.0, 0.05)] {
            for x in [&x[..], &x[..3], &x[..40], &holes[..]] {
                let (a, b) = tail_quantiles(x, hi, lo);
                assert_eq!(a.to_bits(), quantile(x, hi).to_bits(), "{hi}");
                assert_eq!(b.to_bits(), quantile(x, lo).to_bits(), "{lo}");
            }
        }
        let (a, b) = tail_quantiles(&[f64::NAN], 0.99, 0.01);
        assert!(a.is_nan() && b.is_nan());
    }

    #[test]
    fn smoothing_twice_is_the_moving_average() {
        let x: Vec<f64> = (0..50).map(|i| f64::from(i).sin() * 3.0).collect();
        let mut gappy = x.clone();
        gappy[7] = f64::NAN;
        gappy[30] = f64::INFINITY;
        for x in [x, gappy] {
            let [a, b] = smooth_twice(&x, [3, 10]);
            assert_eq!(a, moving_average(&x, 3));
            assert_eq!(b, moving_average(&x, 10));
        }
    }

    #[test]
    fn defaults_are_valid_and_each_bad_parameter_is_named() {
        assert!(ImuEventParams::default().validate().is_ok());
        let bad = [
            ImuEventParams {
                toe_off_recovery: 1.5,
                ..Default::default()
            },
            ImuEventParams {
                impact_onset_fraction: 0.0,
                ..Default::default()
            },
            ImuEventParams {
                min_swing_rate_rads: f64::NAN,
                ..Default::default()
            },
            ImuEventParams {
                max_stride_s: 0.1,
                ..Default::default()
            },
        ];
        for (p, name) in bad.iter().zip([
            "toe_off_recovery",
            "impact_onset_fraction",
            "min_swing_rate_rads",
            "max_stride_s",
        ]) {
            let e = p.validate().expect_err("out of range");
            assert!(e.message.contains(name), "{}", e.message);
        }
    }

    #[test]
    fn the_swing_is_the_lobe_a_push_off_precedes() {
        // 1 s strides at 100 Hz: push-off (-8 rad/s, 0.15 s), then a long slow swing
        // (+4 rad/s, 0.35 s): a dropped foot's push-off outweighs its swing, yet the swing is
        // the positive lobe.
        let stride: Vec<f64> = (0..100)
            .map(|i| {
                let u = i as f64 / 100.0;
                if (0.4..0.55).contains(&u) {
                    -8.0 * (std::f64::consts::PI * (u - 0.4) / 0.15).sin()
                } else if (0.55..0.9).contains(&u) {
                    4.0 * (std::f64::consts::PI * (u - 0.55) / 0.35).sin()
                } else {
                    0.0
                }
            })
            .collect();
        let rate: Vec<f64> = stride.iter().cycle().take(1000).copied().collect();
        for sign in [1.0, -1.0] {
            let flipped: Vec<f64> = rate.iter().map(|v| sign * v).collect();
            let broad = moving_average(&flipped, 10);
            let light = moving_average(&flipped, 3);
            let [up, down] = swing_peaks(&broad, [1.5, 1.5], 50);
            let scores =
                [(1.0, up), (-1.0, down)].map(|(s, peaks)| push_off_score(&light, &peaks, s, 35));
            // The orientation that matches the data's sign has the push-off evidence.
            let chosen = if scores[0] >= scores[1] { 1.0 } else { -1.0 };
            assert_eq!(chosen, sign, "{scores:?}");
        }
    }
}
