//! Initial contacts, their side and walking bouts from one IMU on the lower back
//! ([`LowerBackEventDetector`], detector name `gait_lowerback`).
//!
//! ## The method
//!
//! It follows McCamley et al. (2012) as modified by Paraschiv-Ionescu et al. (2020), the
//! initial-contact detector of the Mobilise-D pipeline: at each heel strike the trunk, which
//! was falling, is pushed up, so the vertical acceleration rises fastest just at initial
//! contact. Here:
//!
//! 1. **Gravity alignment.** The vertical is the direction of the specific force averaged
//!    over `gravity_window_s` (2 s), sample by sample, so any mounting works and a slow change
//!    of posture (bending, sitting down) follows. The vertical acceleration is the specific
//!    force along it minus its own average over the same window (gravity and drift out).
//! 2. **A Gaussian derivative.** The vertical acceleration is differentiated with the first
//!    derivative of a Gaussian of `smoothing_s` (0.1 s): a smooth vertical jerk. This is close
//!    to what McCamley's and Ionescu's wavelet steps compute (they integrate the acceleration,
//!    then take a first- or second-derivative-of-Gaussian wavelet transform).
//! 3. **Steps.** Between each rise through zero of the smooth jerk and its next fall, its
//!    maximum marks one step, kept when it reaches `min_jerk_mps3`. That broad maximum comes
//!    45–80 ms before the reference contacts of mobgap's INDIP data (the smoothing blends the
//!    trunk's slowing fall with the impact); the contact itself is the maximum of a finer
//!    Gaussian derivative (`refine_s`, 0.03 s) from `refine_before_s` before to
//!    `refine_after_s` after it: the heel strike's sharp rise of the vertical acceleration
//!    (sub-sample by a parabola through the peak).
//! 4. **Walking bouts.** Standing, sitting and turning on the spot give no regular train of
//!    steps: a bout is a run of at least `min_bout_steps` candidates, each within
//!    `min_step_s`–`max_step_s` of the previous and no more than `max_step_change` times longer
//!    or shorter than it. Candidates outside bouts are dropped.
//! 5. **Side** (McCamley et al. 2012, band-limited as Ullrich et al. 2021): the pelvis turns
//!    about the vertical one way through a left step and the other way through a right one, so
//!    the rate of turning, its slow part and mean removed (`laterality_window_s`) and smoothed,
//!    is of one sign at left contacts and of the other at right ones: negative at a left
//!    initial contact, positive at a right one (as mobgap's McCamley classifier; for any
//!    right-handed sensor, whichever axis is up, since the vertical found in step 1 fixes the
//!    sign). Steps alternate, so the sides of a bout are the alternating sequence that best
//!    agrees with those signs, allowed to break the alternation (a missed or an extra step) at
//!    a cost (`side_switch_cost`): a two-state Viterbi path. One contact with a misleading sign
//!    then does not take the wrong side, and one missed step does not swap the rest of the
//!    bout.
//!
//! Final contacts are not given: McCamley's second derivative gives them from a lower-back
//! sensor, less reliably, and the references at hand do not score them.
//!
//! ```
//! use dorsi::detect::EventDetector;
//! use dorsi::gait::LowerBackEventDetector;
//! use dorsi::synth::trunk::walking_trunk_csv;
//!
//! // A trunk walking at one step every 0.55 s for 10 s, standing 3 s before and after.
//! let (csv, contacts) = walking_trunk_csv(100.0, 16.0, 3.0, 13.0, 0.55);
//! let rec = dorsi::io::read_bytes("back.csv", csv.as_bytes(), &Default::default()).expect("reads");
//! let events = LowerBackEventDetector::default().detect_events(&rec).expect("an IMU");
//! assert!(events.len() + 2 >= contacts.len() && events.len() <= contacts.len());
//! ```

use nalgebra::Vector3;

use crate::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
use crate::Recording;

/// The detector's name in manifests and reports.
pub const NAME: &str = "gait_lowerback";

/// Settings of [`LowerBackEventDetector`]; `Default` suits adults walking at any usual
/// speed. [`LowerBackParams::validate`] gives the ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerBackParams {
    /// Window of the gravity estimate and of the high-pass of the vertical acceleration, s.
    /// Default 2.
    pub gravity_window_s: f64,
    /// Standard deviation of the Gaussian whose derivative gives the smooth vertical jerk, s.
    /// Default 0.1.
    pub smoothing_s: f64,
    /// Standard deviation of the finer Gaussian derivative that places each contact inside
    /// its step, s. Default 0.03.
    pub refine_s: f64,
    /// The finer jerk's maximum is sought from this long before the broad one's, s.
    /// Default 0.05.
    pub refine_before_s: f64,
    /// ... to this long after it, s. Default 0.15.
    pub refine_after_s: f64,
    /// A step's smooth vertical jerk must peak above this, m/s³. Default 1.5 (a slow
    /// walker's steps at 0.25 m/s reach 2–5).
    pub min_jerk_mps3: f64,
    /// Shortest step (initial contact to the next, either foot), s. Default 0.25.
    pub min_step_s: f64,
    /// Longest step inside a walking bout, s. Default 1.25 (about 50 steps/min).
    pub max_step_s: f64,
    /// A step may be at most this many times longer or shorter than the previous one inside
    /// a bout. Default 2 (slow and hesitant walkers vary their steps that much).
    pub max_step_change: f64,
    /// Fewest initial contacts in a walking bout. Default 4 (two strides of each foot
    /// need five; a bout of four steps is the Mobilise-D minimum of a micro walking bout).
    pub min_bout_steps: usize,
    /// High-pass window of the turning rate used for the side, s. Default 2.
    pub laterality_window_s: f64,
    /// Smoothing (Gaussian standard deviation) of the turning rate, s. Default 0.08.
    pub laterality_smoothing_s: f64,
    /// Cost of two contacts in a row on the same side (a missed or an extra step) when the
    /// sides are decided, in units of the turning rate's RMS at the bout's contacts.
    /// Default 2.
    pub side_switch_cost: f64,
}

impl Default for LowerBackParams {
    fn default() -> Self {
        LowerBackParams {
            gravity_window_s: 2.0,
            smoothing_s: 0.1,
            refine_s: 0.03,
            refine_before_s: 0.05,
            refine_after_s: 0.15,
            min_jerk_mps3: 1.5,
            min_step_s: 0.25,
            max_step_s: 1.25,
            max_step_change: 2.0,
            min_bout_steps: 4,
            laterality_window_s: 2.0,
            laterality_smoothing_s: 0.08,
            side_switch_cost: 2.0,
        }
    }
}

impl LowerBackParams {
    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), DetectError> {
        let check = |name: &str, value: f64, lo: f64, hi: f64| {
            DetectError::check_param(NAME, name, value, lo, hi)
        };
        check("gravity_window_s", self.gravity_window_s, 0.5, 30.0)?;
        check("smoothing_s", self.smoothing_s, 0.01, 0.5)?;
        check("refine_s", self.refine_s, 0.0, 0.5)?;
        check("refine_before_s", self.refine_before_s, 0.0, 1.0)?;
        check("refine_after_s", self.refine_after_s, 0.0, 1.0)?;
        check("min_jerk_mps3", self.min_jerk_mps3, 0.0, 1000.0)?;
        check("min_step_s", self.min_step_s, 0.05, 2.0)?;
        check("max_step_s", self.max_step_s, self.min_step_s, 5.0)?;
        check("max_step_change", self.max_step_change, 1.0, 10.0)?;
        check("min_bout_steps", self.min_bout_steps as f64, 2.0, 1000.0)?;
        check("laterality_window_s", self.laterality_window_s, 0.5, 30.0)?;
        check(
            "laterality_smoothing_s",
            self.laterality_smoothing_s,
            0.0,
            0.5,
        )?;
        check("side_switch_cost", self.side_switch_cost, 0.0, 100.0)
    }
}

/// Initial contacts (with their side when the IMU has a gyroscope) from one lower-back IMU.
/// The IMU used is the one whose name says it is on the back, pelvis, trunk or waist, else
/// the recording's only IMU.
#[derive(Debug, Clone, Default)]
pub struct LowerBackEventDetector {
    /// Settings.
    pub params: LowerBackParams,
}

/// A walking bout found by [`LowerBackEventDetector::bouts`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WalkingBout {
    /// The first initial contact, s.
    pub start_s: f64,
    /// The last initial contact, s.
    pub end_s: f64,
    /// Initial contacts in the bout.
    pub steps: usize,
}

/// The signals the detector works on, sample by sample over the whole recording (`NaN`
/// outside gap-free spans).
#[derive(Debug, Clone)]
pub struct LowerBackSignals {
    /// Vertical acceleration, gravity and slow drift removed, m/s² (up positive).
    pub vertical_acc_mps2: Vec<f64>,
    /// Its Gaussian derivative: the smooth vertical jerk, m/s³.
    pub vertical_jerk_mps3: Vec<f64>,
    /// The same with the finer Gaussian (`refine_s`), m/s³.
    pub fine_jerk_mps3: Vec<f64>,
    /// Turning rate about the vertical, slow part removed and smoothed, rad/s; `None`
    /// without a gyroscope.
    pub yaw_rate_rads: Option<Vec<f64>>,
}

/// Whether a sensor's name says it is on the lower back, pelvis, trunk or waist.
///
/// ```
/// use dorsi::gait::lowback::is_lower_back_name;
/// assert!(is_lower_back_name("LowerBack"));
/// assert!(is_lower_back_name("pelvis_imu"));
/// assert!(!is_lower_back_name("left_foot"));
/// ```
pub fn is_lower_back_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "back", "pelvis", "sacrum", "lumbar", "trunk", "waist", "hip", "l5", "s1",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Whether a recording is one lower-back IMU, for a caller choosing a detector: it has
/// exactly one IMU with an accelerometer, and either that IMU's name says it is on the back,
/// pelvis, trunk or waist ([`is_lower_back_name`]), or its name says nothing of a foot, shank
/// or side and its data look like a trunk's: the specific force stays within 15 m/s² of
/// gravity (99th percentile; a foot's landing impacts reach 30–40 m/s²) and the angular rate
/// under 5 rad/s (99.9th percentile; a foot's swing reaches 9–17 rad/s, a trunk turning on the
/// spot about 3). A heuristic: a sensor named for where it sits is never second-guessed.
///
/// ```
/// use dorsi::gait::lowback::is_lower_back_recording;
/// use dorsi::synth::trunk::walking_trunk_csv;
/// let (csv, _) = walking_trunk_csv(100.0, 10.0, 2.0, 8.0, 0.5);
/// let rec = dorsi::io::read_bytes("imu.csv", csv.as_bytes(), &Default::default()).expect("reads");
/// assert!(is_lower_back_recording(&rec));
/// ```
pub fn is_lower_back_recording(rec: &Recording) -> bool {
    let with_acc: Vec<&crate::recording::Imu> =
        rec.imus.iter().filter(|i| i.acc_mps2.is_some()).collect();
    let [imu] = with_acc.as_slice() else {
        return false;
    };
    if is_lower_back_name(&imu.name) {
        return true;
    }
    let n = imu.name.to_ascii_lowercase();
    let limb = [
        "foot", "feet", "shank", "shin", "ankle", "toe", "heel", "thigh", "leg",
    ];
    if limb.iter().any(|k| n.contains(k)) || super::side_of(&imu.name).is_some() {
        return false;
    }
    let g = crate::STANDARD_GRAVITY_MPS2;
    let acc_ok = imu.acc_mps2.as_ref().is_some_and(|a| {
        crate::signal::quantile(a.iter().map(|f| (f.norm() - g).abs()), 0.99) < 15.0
    });
    let gyro_ok = imu
        .gyro_rads
        .as_ref()
        .is_none_or(|w| crate::signal::quantile(w.iter().map(|v| v.norm()), 0.999) < 5.0);
    acc_ok && gyro_ok
}

/// The kernel of a derivative of a Gaussian (`sigma` samples), normalised so that it gives
/// the slope of a straight line exactly; `k` runs from `-half` to `half`.
fn gaussian_derivative_kernel(sigma: f64) -> Vec<f64> {
    let half = (4.0 * sigma).ceil().max(1.0) as i64;
    let raw: Vec<f64> = (-half..=half)
        .map(|k| {
            let k = k as f64;
            k * (-0.5 * k * k / (sigma * sigma)).exp()
        })
        .collect();
    let norm: f64 = (-half..=half).zip(&raw).map(|(k, w)| k as f64 * w).sum();
    raw.iter().map(|w| w / norm).collect()
}

/// The kernel of a Gaussian (`sigma` samples) summing to 1.
fn gaussian_kernel(sigma: f64) -> Vec<f64> {
    if sigma <= 0.0 {
        return vec![1.0];
    }
    let half = (4.0 * sigma).ceil().max(1.0) as i64;
    let raw: Vec<f64> = (-half..=half)
        .map(|k| (-0.5 * (k * k) as f64 / (sigma * sigma)).exp())
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|w| w / sum).collect()
}

/// `x` correlated with a centred, odd-length kernel; the ends are extended with the end
/// values.
#[cfg(test)]
fn convolve(x: &[f64], kernel: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|k| correlate_at(x, kernel, k)).collect()
}

/// Element `k` of `x` correlated with a centred, odd-length kernel, the ends extended with
/// the end values (as `convolve` gives it for every `k`: the same sums in the same order).
fn correlate_at(x: &[f64], kernel: &[f64], k: usize) -> f64 {
    let half = kernel.len() / 2;
    if k >= half && k + half < x.len() {
        return crate::signal::centred_dot(&x[k - half..=k + half], kernel, 0.0);
    }
    // Near an end: the window with the end values repeated past it.
    let Some(last) = x.len().checked_sub(1) else {
        return f64::NAN;
    };
    let window: Vec<f64> = (0..kernel.len())
        .map(|j| x[(k + j).saturating_sub(half).min(last)])
        .collect();
    crate::signal::centred_dot(&window, kernel, 0.0)
}

/// Moving averages of `K` signals at once, as [`crate::motion::moving_average`] computes each (the mean of
/// the finite values over `width / 2` samples either side, shrinking at the ends, from
/// running sums: sum to the window's end minus sum to its start), streamed with two running
/// sums per signal instead of arrays of them: `out(i, means)` for each sample in turn.
/// `x(j)` is asked for each sample twice (once as the window reaches it, once as it leaves).
fn moving_means<const K: usize>(
    n: usize,
    width: usize,
    x: impl Fn(usize) -> [f64; K],
    mut out: impl FnMut(usize, [f64; K]),
) {
    let half = width / 2;
    // Sums and counts of the finite values of samples `0..start` and `0..end`.
    let (mut sum_start, mut sum_end) = ([0.0; K], [0.0; K]);
    let (mut count_start, mut count_end) = ([0usize; K], [0usize; K]);
    let (mut start, mut end) = (0, 0);
    let add = |sum: &mut [f64; K], count: &mut [usize; K], v: [f64; K]| {
        for k in 0..K {
            let ok = v[k].is_finite();
            sum[k] += if ok { v[k] } else { 0.0 };
            count[k] += usize::from(ok);
        }
    };
    for i in 0..n {
        while end < (i + half + 1).min(n) {
            add(&mut sum_end, &mut count_end, x(end));
            end += 1;
        }
        while start < i.saturating_sub(half) {
            add(&mut sum_start, &mut count_start, x(start));
            start += 1;
        }
        let mut mean = [f64::NAN; K];
        for k in 0..K {
            let c = count_end[k] - count_start[k];
            if c > 0 {
                mean[k] = (sum_end[k] - sum_start[k]) / c as f64;
            }
        }
        out(i, mean);
    }
}

/// Fractional position of the peak at `i` of `s` by a parabola through its neighbours.
fn parabolic_peak(s: &[f64], i: usize) -> f64 {
    parabolic_peak_by(|k| s[k], s.len(), i)
}

/// [`parabolic_peak`] of a signal of `len` samples given sample by sample.
fn parabolic_peak_by(s: impl Fn(usize) -> f64, len: usize, i: usize) -> f64 {
    if i == 0 || i + 1 >= len {
        return i as f64;
    }
    let (a, b, c) = (s(i - 1), s(i), s(i + 1));
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-12 || !den.is_finite() {
        return i as f64;
    }
    i as f64 + (0.5 * (a - c) / den).clamp(-0.5, 0.5)
}

/// The maximum of `s` inside each positive lobe (from a rise through zero to the next fall)
/// reaching `min`: the sample and its fractional position.
fn lobe_maxima(s: &[f64], min: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut best: Option<usize> = None;
    for i in 0..s.len() {
        if s[i] > 0.0 {
            match best {
                Some(b) if s[b] >= s[i] => {}
                _ => best = Some(i),
            }
        } else if let Some(b) = best.take() {
            // A lobe cut by the start of the signal has no known maximum.
            if s[b] >= min && s[..b].iter().any(|v| *v <= 0.0) {
                out.push(parabolic_peak(s, b));
            }
        }
    }
    out
}

/// Runs of step times forming walking bouts: consecutive steps within `min_step_s` to
/// `max_step_s` and changing by at most `max_step_change`, at least `min_bout_steps` long.
/// Returns index ranges into `t`.
fn bout_runs(t: &[f64], p: &LowerBackParams) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=t.len() {
        let linked = i < t.len() && {
            let d = t[i] - t[i - 1];
            let ok = (p.min_step_s..=p.max_step_s).contains(&d);
            let steady = i < start + 2 || {
                let prev = t[i - 1] - t[i - 2];
                d <= p.max_step_change * prev && prev <= p.max_step_change * d
            };
            ok && steady
        };
        if !linked {
            if i - start >= p.min_bout_steps {
                runs.push(start..i);
            }
            start = i;
        }
    }
    runs
}

impl LowerBackEventDetector {
    /// The IMU the detector analyses: one named as a back / pelvis / trunk sensor, else the
    /// only IMU with an accelerometer.
    pub fn pick_imu<'a>(
        &self,
        rec: &'a Recording,
    ) -> Result<&'a crate::recording::Imu, DetectError> {
        let with_acc: Vec<&crate::recording::Imu> = rec
            .imus
            .iter()
            .filter(|i| {
                i.acc_mps2
                    .as_ref()
                    .is_some_and(|a| a.len() == rec.n_samples)
            })
            .collect();
        if let Some(i) = with_acc.iter().find(|i| is_lower_back_name(&i.name)) {
            return Ok(i);
        }
        match with_acc.as_slice() {
            [one] => Ok(one),
            [] => Err(DetectError {
                detector: NAME.into(),
                message: "no IMU with an accelerometer: a lower-back IMU is needed".into(),
            }),
            many => Err(DetectError {
                detector: NAME.into(),
                message: format!(
                    "{} IMUs and none named as a lower-back sensor ({}): choose one (--sensor)",
                    many.len(),
                    many.iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// The vertical acceleration, smooth vertical jerk and turning rate of the recording's
    /// lower-back IMU.
    pub fn signals(&self, rec: &Recording) -> Result<LowerBackSignals, DetectError> {
        let spans = self.spans(rec)?;
        let n = rec.n_samples;
        let hz = rec.sampling_rate_hz;
        let mut vertical = vec![f64::NAN; n];
        let mut jerk = vec![f64::NAN; n];
        let mut fine = vec![f64::NAN; n];
        let has_yaw = spans.gyro;
        let mut yaw = has_yaw.then(|| vec![f64::NAN; n]);
        for span in &spans.spans {
            let r = span.range.clone();
            vertical[r.clone()].copy_from_slice(&span.vertical);
            jerk[r.clone()].copy_from_slice(&span.jerk);
            for (k, f) in fine[r.clone()].iter_mut().enumerate() {
                *f = spans.fine_at(span, k, hz);
            }
            if let Some(yaw) = yaw.as_mut() {
                for (k, y) in yaw[r.clone()].iter_mut().enumerate() {
                    *y = spans.yaw_at(span, k);
                }
            }
        }
        Ok(LowerBackSignals {
            vertical_acc_mps2: vertical,
            vertical_jerk_mps3: jerk,
            fine_jerk_mps3: fine,
            yaw_rate_rads: yaw,
        })
    }

    /// The signals every step of the detection needs, span by span; the finer jerk and the
    /// turning rate are computed only where they are asked for.
    fn spans(&self, rec: &Recording) -> Result<Spans, DetectError> {
        self.params.validate()?;
        let imu = self.pick_imu(rec)?;
        let Some(acc) = imu.acc_mps2.as_deref() else {
            return Err(DetectError {
                detector: NAME.into(),
                message: "no accelerometer".into(),
            });
        };
        let gyro = imu
            .gyro_rads
            .as_deref()
            .filter(|g| g.len() == rec.n_samples);
        let p = &self.params;
        let hz = rec.sampling_rate_hz;
        let width = ((p.gravity_window_s * hz).round() as usize).max(1);
        let d_kernel = gaussian_derivative_kernel(p.smoothing_s * hz);
        let lat_width = ((p.laterality_window_s * hz).round() as usize).max(1);
        let mut spans = Vec::new();
        for range in rec.segments() {
            let a = &acc[range.clone()];
            let g = gyro.map(|g| &g[range.clone()]);
            let len = a.len();
            // The specific force along the vertical (its average direction over the gravity
            // window), and the angular rate about it.
            let mut along = vec![0.0; len];
            let mut turning = g.map(|_| vec![0.0; len]);
            moving_means(
                len,
                width,
                |j| [a[j].x, a[j].y, a[j].z],
                |i, [gx, gy, gz]| {
                    let g_i = Vector3::new(gx, gy, gz);
                    let norm = g_i.norm();
                    let up = if norm > 1e-6 && norm.is_finite() {
                        g_i / norm
                    } else {
                        Vector3::new(f64::NAN, f64::NAN, f64::NAN)
                    };
                    along[i] = a[i].dot(&up);
                    if let (Some(g), Some(t)) = (g, turning.as_mut()) {
                        t[i] = g[i].dot(&up);
                    }
                },
            );
            // Each less its slow part (gravity and drift; the turning rate's mean).
            let high_pass = |x: &[f64], width: usize| -> Vec<f64> {
                let mut out = vec![0.0; x.len()];
                moving_means(
                    x.len(),
                    width,
                    |j| [x[j]],
                    |i, [slow]| {
                        let d = x[i] - slow;
                        out[i] = if d.is_finite() { d } else { 0.0 };
                    },
                );
                out
            };
            let vertical = high_pass(&along, width);
            drop(along);
            let turning = turning.map(|t| high_pass(&t, lat_width));
            // Per sample → per second.
            let jerk = (0..len)
                .map(|k| correlate_at(&vertical, &d_kernel, k) * hz)
                .collect();
            spans.push(Span {
                range,
                vertical,
                jerk,
                turning,
            });
        }
        Ok(Spans {
            spans,
            gyro: gyro.is_some(),
            fine_kernel: gaussian_derivative_kernel((p.refine_s * hz).max(0.5)),
            yaw_kernel: gaussian_kernel(p.laterality_smoothing_s * hz),
        })
    }

    /// Initial contacts in walking bouts as fractional samples, grouped by bout.
    fn contacts(&self, rec: &Recording, spans: &Spans) -> Vec<Vec<f64>> {
        let p = &self.params;
        let hz = rec.sampling_rate_hz;
        let mut bouts = Vec::new();
        let (before, after) = (
            (p.refine_before_s * hz).round() as usize,
            (p.refine_after_s * hz).round() as usize,
        );
        for span in &spans.spans {
            let j = &span.jerk;
            let len = j.len();
            let fine = |k: usize| spans.fine_at(span, k, hz);
            let cand: Vec<f64> = lobe_maxima(j, p.min_jerk_mps3)
                .into_iter()
                .map(|x| {
                    let b = x.round() as usize;
                    let lo = b.saturating_sub(before);
                    let hi = (b + after + 1).min(len);
                    let best = (lo..hi)
                        .map(|k| (k, fine(k)))
                        .max_by(|a, c| a.1.total_cmp(&c.1))
                        .map_or(b, |(k, _)| k);
                    parabolic_peak_by(fine, len, best) + span.range.start as f64
                })
                .collect();
            let times: Vec<f64> = cand.iter().map(|x| x / hz).collect();
            for run in bout_runs(&times, p) {
                bouts.push(cand[run].to_vec());
            }
        }
        bouts
    }

    /// The walking bouts of a recording: runs of regular steps.
    pub fn bouts(&self, rec: &Recording) -> Result<Vec<WalkingBout>, DetectError> {
        let spans = self.spans(rec)?;
        Ok(self
            .contacts(rec, &spans)
            .into_iter()
            .filter_map(|b| {
                Some(WalkingBout {
                    start_s: rec.start_s + b.first()? / rec.sampling_rate_hz,
                    end_s: rec.start_s + b.last()? / rec.sampling_rate_hz,
                    steps: b.len(),
                })
            })
            .collect())
    }

    /// The side of each contact of one bout from the turning rate at it (`yaw`, per
    /// sample).
    #[cfg(test)]
    fn sides(&self, bout: &[f64], yaw: &[f64]) -> Vec<Option<String>> {
        let at = |x: f64| {
            let i = (x.round() as usize).min(yaw.len().saturating_sub(1));
            yaw.get(i).copied().filter(|v| v.is_finite()).unwrap_or(0.0)
        };
        self.sides_from_rates(&bout.iter().map(|&x| at(x)).collect::<Vec<f64>>())
    }

    /// The side of each contact of one bout from the turning rate at each (`v`, 0 where
    /// unknown): the sequence of sides that best agrees with the rate's signs (each contact's
    /// rate over the bout's RMS at contacts), where sides alternate and each break of the
    /// alternation (a missed or an extra step) costs `side_switch_cost` (Viterbi over two
    /// states).
    fn sides_from_rates(&self, v: &[f64]) -> Vec<Option<String>> {
        let rms = (v.iter().map(|x| x * x).sum::<f64>() / v.len().max(1) as f64).sqrt();
        if v.is_empty() || rms <= 0.0 || !rms.is_finite() {
            return vec![None; v.len()];
        }
        // Evidence for "right" at each contact (a left contact scores its negation).
        let e: Vec<f64> = v.iter().map(|x| x / rms).collect();
        let cost = self.params.side_switch_cost;
        // score[s]: best total so far ending on side s (0 left, 1 right); from[k][s]: the
        // previous side on that best path.
        let mut score = [-e[0], e[0]];
        let mut from: Vec<[usize; 2]> = vec![[0, 1]];
        for &ek in &e[1..] {
            let emit = [-ek, ek];
            let mut next = [0.0; 2];
            let mut back = [0usize; 2];
            for s in 0..2 {
                // From the other side: alternation, free; from the same side: a break.
                let alternate = score[1 - s];
                let repeat = score[s] - cost;
                (next[s], back[s]) = if alternate >= repeat {
                    (alternate + emit[s], 1 - s)
                } else {
                    (repeat + emit[s], s)
                };
            }
            score = next;
            from.push(back);
        }
        let mut side = usize::from(score[1] > score[0]);
        let mut out = vec![None; v.len()];
        for k in (0..v.len()).rev() {
            out[k] = Some(if side == 1 { "right" } else { "left" }.to_string());
            side = from[k][side];
        }
        out
    }
}

impl EventDetector for LowerBackEventDetector {
    fn name(&self) -> &str {
        NAME
    }

    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
        let spans = self.spans(rec)?;
        let hz = rec.sampling_rate_hz;
        let n = rec.n_samples;
        let mut out = Vec::new();
        for bout in self.contacts(rec, &spans) {
            let sides = if spans.gyro {
                // The turning rate at the sample nearest each contact (0 outside the spans:
                // no rate known there).
                let rates: Vec<f64> = bout
                    .iter()
                    .map(|&x| {
                        let i = (x.round() as usize).min(n.saturating_sub(1));
                        spans
                            .yaw_at_sample(i)
                            .filter(|v| v.is_finite())
                            .unwrap_or(0.0)
                    })
                    .collect();
                self.sides_from_rates(&rates)
            } else {
                vec![None; bout.len()]
            };
            for (x, side) in bout.iter().zip(sides) {
                out.push(DetectedEvent {
                    side,
                    kind: EventKind::InitialContact,
                    time_s: rec.start_s + x / hz,
                });
            }
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        Ok(out)
    }
}

/// One gap-free span of the recording and its signals (indices from the span's start).
struct Span {
    /// The span in the recording's samples.
    range: std::ops::Range<usize>,
    /// Vertical acceleration, gravity and slow drift removed (`NaN` as 0), m/s².
    vertical: Vec<f64>,
    /// Its Gaussian derivative, m/s³.
    jerk: Vec<f64>,
    /// Turning rate about the vertical less its slow part, before smoothing, rad/s.
    turning: Option<Vec<f64>>,
}

/// The spans of a recording and the kernels of the signals computed on demand.
struct Spans {
    spans: Vec<Span>,
    /// Whether the IMU has a gyroscope (a turning rate in every span).
    gyro: bool,
    /// The finer Gaussian derivative (`refine_s`).
    fine_kernel: Vec<f64>,
    /// The turning rate's smoothing.
    yaw_kernel: Vec<f64>,
}

impl Spans {
    /// The finer jerk at sample `k` of a span, m/s³.
    fn fine_at(&self, span: &Span, k: usize, hz: f64) -> f64 {
        correlate_at(&span.vertical, &self.fine_kernel, k) * hz
    }

    /// The smoothed turning rate at sample `i` of the recording, if a span holds it.
    fn yaw_at_sample(&self, i: usize) -> Option<f64> {
        let at = self.spans.partition_point(|s| s.range.end <= i);
        let span = self.spans.get(at).filter(|s| s.range.contains(&i))?;
        Some(self.yaw_at(span, i - span.range.start))
    }

    /// The smoothed turning rate at sample `k` of a span, rad/s (`NaN` without a gyroscope).
    fn yaw_at(&self, span: &Span, k: usize) -> f64 {
        span.turning
            .as_deref()
            .map_or(f64::NAN, |t| correlate_at(t, &self.yaw_kernel, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::trunk::walking_trunk_csv;

    fn read(csv: &str) -> Recording {
        crate::io::read_bytes("back.csv", csv.as_bytes(), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn defaults_are_valid_and_each_bad_parameter_is_named() {
        assert!(LowerBackParams::default().validate().is_ok());
        let bad = [
            (
                LowerBackParams {
                    smoothing_s: 0.0,
                    ..Default::default()
                },
                "smoothing_s",
            ),
            (
                LowerBackParams {
                    max_step_s: 0.1,
                    ..Default::default()
                },
                "max_step_s",
            ),
            (
                LowerBackParams {
                    min_jerk_mps3: f64::NAN,
                    ..Default::default()
                },
                "min_jerk_mps3",
            ),
            (
                LowerBackParams {
                    min_bout_steps: 1,
                    ..Default::default()
                },
                "min_bout_steps",
            ),
        ];
        for (p, name) in bad {
            let e = p.validate().expect_err("out of range");
            assert!(e.message.contains(name), "{}", e.message);
        }
    }

    #[test]
    fn the_gaussian_derivative_gives_a_slope_and_its_peak_the_steepest_rise() {
        let k = gaussian_derivative_kernel(3.0);
        // A line of slope 0.7 per sample: 0.7 everywhere away from the ends.
        let line: Vec<f64> = (0..50).map(|i| 0.7 * i as f64).collect();
        let d = convolve(&line, &k);
        assert!(d[15..35].iter().all(|v| (v - 0.7).abs() < 1e-9), "{d:?}");
        // A sine rises fastest at its upward zero crossings (samples 0, 40, 80...).
        let sine: Vec<f64> = (0..200)
            .map(|i| (2.0 * std::f64::consts::PI * i as f64 / 40.0).sin())
            .collect();
        let peaks = lobe_maxima(&convolve(&sine, &k), 0.0);
        let whole: Vec<f64> = peaks.iter().map(|p| p.round()).collect();
        assert_eq!(whole, vec![40.0, 80.0, 120.0, 160.0], "{peaks:?}");
    }

    #[test]
    fn sides_alternate_unless_the_turning_rate_says_a_step_was_missed() {
        let det = LowerBackEventDetector::default();
        let names = |v: Vec<Option<String>>| -> String {
            v.iter()
                .map(|s| match s.as_deref() {
                    Some("left") => 'L',
                    Some("right") => 'R',
                    _ => '?',
                })
                .collect()
        };
        // Contacts at samples 0, 1, 2...; the turning rate at each is given directly.
        let contacts: Vec<f64> = (0..8).map(f64::from).collect();
        // Alternating signs, one of them misleading (the fourth): still alternating.
        let rate = [-1.0, 1.0, -1.0, -0.3, -1.0, 1.0, -1.0, 1.0];
        assert_eq!(names(det.sides(&contacts, &rate)), "LRLRLRLR");
        // A step missed after the fourth contact: the signs hold their phase strongly after
        // it, so the sides break the alternation there instead of swapping the rest.
        let rate = [-1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0];
        assert_eq!(names(det.sides(&contacts, &rate)), "LRLRRLRL");
        // No turning at all: no side.
        assert_eq!(names(det.sides(&contacts, &[0.0; 8])), "????????");
    }

    #[test]
    fn bouts_need_regular_steps() {
        let p = LowerBackParams::default();
        // Five regular steps, a pause, two steps, a pause, four steps with one far too long.
        let t = [
            1.0, 1.5, 2.0, 2.5, 3.0, 9.0, 9.5, 20.0, 20.5, 21.0, 22.2, 22.5,
        ];
        let runs = bout_runs(&t, &p);
        assert_eq!(runs, vec![0..5]);
        // The same steps with a doubling (0.5 s → 1.2 s) allowed by a looser change limit.
        let loose = LowerBackParams {
            max_step_change: 2.5,
            min_bout_steps: 4,
            ..Default::default()
        };
        assert_eq!(bout_runs(&t, &loose), vec![0..5, 7..11]);
    }

    #[test]
    fn synthetic_walk_contacts_and_sides_are_found_and_standing_gives_none() {
        let (csv, truth) = walking_trunk_csv(100.0, 20.0, 4.0, 14.0, 0.55);
        let rec = read(&csv);
        let det = LowerBackEventDetector::default();
        let events = det.detect_events(&rec).unwrap_or_else(|e| panic!("{e}"));
        // Every event inside the walk, within 20 ms of a true contact of its side.
        assert!(
            events.len() + 2 >= truth.len(),
            "{} of {}",
            events.len(),
            truth.len()
        );
        for e in &events {
            assert_eq!(e.kind, EventKind::InitialContact);
            let (t, side) = truth
                .iter()
                .min_by(|a, b| (a.0 - e.time_s).abs().total_cmp(&(b.0 - e.time_s).abs()))
                .expect("contacts");
            // The walk fades in and out over 0.3 s, which shifts the first and last steps.
            let inside = *t > 5.0 && *t < 13.0;
            let tolerance = if inside { 0.02 } else { 0.1 };
            assert!((t - e.time_s).abs() < tolerance, "{} vs {t}", e.time_s);
            assert_eq!(e.side.as_deref(), Some(side.as_str()), "at {t}");
        }
        // One bout, spanning the walk.
        let bouts = det.bouts(&rec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bouts.len(), 1, "{bouts:?}");
        assert!(bouts[0].start_s > 4.0 && bouts[0].end_s < 14.0);
        // Standing only: nothing.
        let (still, _) = walking_trunk_csv(100.0, 20.0, 30.0, 40.0, 0.55);
        let none = det
            .detect_events(&read(&still))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn the_mounting_does_not_matter_upside_down_gives_the_same_contacts_and_sides() {
        let (csv, _) = walking_trunk_csv(100.0, 16.0, 3.0, 13.0, 0.6);
        // Turn the sensor upside down about its z axis: x and y change sign, in both the
        // accelerometer and the gyroscope.
        let flipped: String = csv
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    return format!("{l}\n");
                }
                let f: Vec<String> = l
                    .split(',')
                    .enumerate()
                    .map(|(k, v)| match k {
                        1 | 2 | 4 | 5 => format!("{}", -v.parse::<f64>().unwrap_or(f64::NAN)),
                        _ => v.to_string(),
                    })
                    .collect();
                format!("{}\n", f.join(","))
            })
            .collect();
        let det = LowerBackEventDetector::default();
        let a = det
            .detect_events(&read(&csv))
            .unwrap_or_else(|e| panic!("{e}"));
        let b = det
            .detect_events(&read(&flipped))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!a.is_empty());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert!((x.time_s - y.time_s).abs() < 1e-9);
            assert_eq!(x.side, y.side);
        }
    }

    #[test]
    fn without_a_gyroscope_contacts_have_no_side() {
        let (csv, truth) = walking_trunk_csv(100.0, 16.0, 3.0, 13.0, 0.5);
        let acc_only: String = csv
            .lines()
            .map(|l| l.split(',').take(4).collect::<Vec<_>>().join(",") + "\n")
            .collect();
        let events = LowerBackEventDetector::default()
            .detect_events(&read(&acc_only))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(events.len() + 2 >= truth.len());
        assert!(events.iter().all(|e| e.side.is_none()));
    }

    #[test]
    fn a_foot_imu_is_not_taken_for_a_lower_back_one_even_unnamed() {
        use crate::synth::{body::Side, gait, imu};
        let walk = gait::Walk::new(gait::WalkParams::default(), 3);
        let sensors = [imu::Placement::foot(Side::Left)];
        let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 3).to_csv();
        let mut rec = read(&csv);
        assert_eq!(rec.imus.len(), 1);
        assert!(!is_lower_back_recording(&rec), "named for the foot");
        rec.imus[0].name = "imu".into();
        assert!(!is_lower_back_recording(&rec), "a foot's rates and impacts");
        let (back, _) = walking_trunk_csv(100.0, 10.0, 2.0, 8.0, 0.5);
        let mut back = read(&back);
        assert!(is_lower_back_recording(&back));
        back.imus[0].name = "right_shank".into();
        assert!(!is_lower_back_recording(&back), "named for a shank");
    }

    #[test]
    fn several_imus_need_one_named_as_the_back() {
        let (csv, _) = walking_trunk_csv(100.0, 10.0, 2.0, 8.0, 0.5);
        let two: String = csv
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let rest: Vec<&str> = l.split(',').skip(1).collect();
                if i == 0 {
                    let names: Vec<String> = rest.iter().map(|c| format!("thigh_{c}")).collect();
                    format!("{l},{}\n", names.join(","))
                } else {
                    format!("{l},{}\n", rest.join(","))
                }
            })
            .collect();
        let rec = read(&two);
        assert_eq!(
            rec.imus.len(),
            2,
            "{:?}",
            rec.imus.iter().map(|i| &i.name).collect::<Vec<_>>()
        );
        let e = LowerBackEventDetector::default()
            .detect_events(&rec)
            .expect_err("two IMUs, none on the back");
        assert!(e.message.contains("--sensor"), "{}", e.message);
        assert!(is_lower_back_name("LowerBack") && !is_lower_back_name("thigh"));
    }
}
