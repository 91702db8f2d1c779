//! Gait events from foot-worn IMUs ([`ImuEventDetector`]) and from keypoints or markers
//! ([`KeypointEventDetector`]).
//!
//! ## Foot IMUs
//!
//! The foot rotates about its medio-lateral axis through the gait cycle; that axis is found
//! from the data ([`crate::motion::sagittal_rate`]), so any mounting works. Signed so that the
//! swing (toes rising) is positive, the sagittal angular rate of a foot:
//!
//! * peaks in mid-swing;
//! * crosses zero, from rising toes to falling toes, at **initial contact**: the heel lands and
//!   the foot starts rolling down onto the floor;
//! * is negative through loading and push-off and crosses zero back, from falling toes to
//!   rising toes, at **final contact**: the toe leaves the floor and the swing begins.
//!
//! The zero crossings mark the contacts themselves. The minimum after mid-swing, which many
//! detectors use for initial contact, comes tens of milliseconds later, in loading (gaitmap
//! reports its minimum-based detector 25–50 ms later than motion capture).
//!
//! ```
//! use dorsi::detect::EventDetector;
//! use dorsi::gait::ImuEventDetector;
//! use dorsi::synth::{body::Side, gait::{Walk, WalkParams}, imu};
//!
//! let walk = Walk::new(WalkParams::default(), 1);
//! let sensors = [imu::Placement::foot(Side::Left), imu::Placement::foot(Side::Right)];
//! let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 1).to_csv();
//! let rec = dorsi::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default()).expect("reads");
//! let events = ImuEventDetector::default().detect_events(&rec).expect("a foot IMU");
//! assert!(events.len() > 30);
//! ```

mod keypoints;

pub use keypoints::{KeypointEventDetector, KeypointEventParams};

use crate::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
use crate::motion::{moving_average, sagittal_rate};
use crate::Recording;

/// Settings of [`ImuEventDetector`]. `Default` suits walking at any usual speed.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuEventParams {
    /// A mid-swing peak must reach this sagittal rate, rad/s (also at least 40 % of the
    /// recording's 99th-percentile rate). 1.5 rad/s ≈ 86 deg/s: slow walkers still pass it.
    pub min_swing_rate_rads: f64,
    /// Mid-swing peaks closer than this are one swing, s.
    pub min_swing_interval_s: f64,
    /// Contacts are searched up to this far from the mid-swing peak, s.
    pub search_s: f64,
    /// Smoothing of the rate before finding zero crossings, s (noise and impact ringing).
    pub smoothing_s: f64,
    /// A contact needs the foot to roll on the stance side of the crossing (down after
    /// initial contact, pushing off before final contact) faster than this within 150 ms,
    /// rad/s (0.5 rad/s ≈ 29 deg/s).
    pub min_roll_rate_rads: f64,
}

impl Default for ImuEventParams {
    fn default() -> Self {
        ImuEventParams {
            min_swing_rate_rads: 1.5,
            min_swing_interval_s: 0.5,
            search_s: 0.5,
            smoothing_s: 0.03,
            min_roll_rate_rads: 0.5,
        }
    }
}

/// Initial and final contacts of each foot IMU (sensor names containing `left` / `right`
/// give the side).
#[derive(Debug, Clone, Default)]
pub struct ImuEventDetector {
    /// Settings.
    pub params: ImuEventParams,
}

fn side_of(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    if n.contains("left") || n.starts_with('l') && n.len() <= 4 || n.contains("_lf") {
        Some("left".into())
    } else if n.contains("right") || n.starts_with('r') && n.len() <= 4 || n.contains("_rf") {
        Some("right".into())
    } else {
        None
    }
}

/// Time of a zero crossing between samples `j - 1` and `j`, by linear interpolation.
fn crossing(rec: &Recording, s: &[f64], j: usize) -> f64 {
    let (a, b) = (s[j - 1], s[j]);
    let frac = if a != b { a / (a - b) } else { 0.5 };
    rec.time_s(j - 1) + frac.clamp(0.0, 1.0) / rec.sampling_rate_hz
}

impl ImuEventDetector {
    /// Events of one sensor's angular rate within one gap-free span.
    fn events_in(
        &self,
        rec: &Recording,
        s: &[f64],
        span: std::ops::Range<usize>,
        side: &Option<String>,
        out: &mut Vec<DetectedEvent>,
    ) {
        let p = &self.params;
        let hz = rec.sampling_rate_hz;
        let n = |sec: f64| ((sec * hz).round() as usize).max(1);
        let light = moving_average(&s[span.clone()], n(p.smoothing_s));
        let broad = moving_average(&s[span.clone()], n(0.1));
        let q99 = crate::signal::quantile(broad.iter().copied(), 0.99);
        let threshold = p.min_swing_rate_rads.max(0.4 * q99);
        // Mid-swing: the largest broad peak above the threshold in each neighbourhood.
        let mut peaks: Vec<usize> = Vec::new();
        for i in 1..broad.len().saturating_sub(1) {
            if broad[i] > threshold && broad[i] >= broad[i - 1] && broad[i] > broad[i + 1] {
                match peaks.last() {
                    Some(&last) if i - last < n(p.min_swing_interval_s) => {
                        if broad[i] > broad[last] {
                            if let Some(l) = peaks.last_mut() {
                                *l = i;
                            }
                        }
                    }
                    _ => peaks.push(i),
                }
            }
        }
        let reach = n(p.search_s);
        let window = n(0.15);
        // A contact is a zero crossing with a clear roll on the stance side of it: the foot
        // rolls down after initial contact and pushed off before final contact (a pause of
        // the rotation in mid-swing also crosses zero, but nothing rolls).
        let rolls = |a: usize, b: usize| {
            light[a.min(light.len())..b.min(light.len())]
                .iter()
                .any(|&v| v < -p.min_roll_rate_rads)
        };
        for &pk in &peaks {
            // Initial contact: the first fall through zero after mid-swing.
            let ic = (pk + 1..(pk + reach).min(light.len()))
                .find(|&j| light[j - 1] > 0.0 && light[j] <= 0.0 && rolls(j, j + window));
            // Final contact: the last rise through zero before mid-swing.
            let fc = (pk.saturating_sub(reach).max(1)..=pk).rev().find(|&j| {
                light[j - 1] < 0.0 && light[j] >= 0.0 && rolls(j.saturating_sub(window), j)
            });
            for (found, kind) in [
                (ic, EventKind::InitialContact),
                (fc, EventKind::FinalContact),
            ] {
                if let Some(j) = found {
                    let t = crossing(rec, &light, j) + span.start as f64 / hz;
                    out.push(DetectedEvent {
                        side: side.clone(),
                        kind,
                        time_s: t,
                    });
                }
            }
        }
    }
}

impl EventDetector for ImuEventDetector {
    fn name(&self) -> &str {
        "gait_imu"
    }

    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
        let err = |message: String| DetectError {
            detector: self.name().into(),
            message,
        };
        let mut out = Vec::new();
        let mut any = false;
        for imu in &rec.imus {
            let Some(gyro) = &imu.gyro_rads else {
                continue;
            };
            let sustain = ((0.3 * rec.sampling_rate_hz).round() as usize).max(1);
            let Some(s) = sagittal_rate(gyro, sustain) else {
                continue;
            };
            any = true;
            let side = side_of(&imu.name);
            for span in rec.segments() {
                self.events_in(rec, &s, span, &side, &mut out);
            }
        }
        if !any {
            return Err(err(
                "no IMU with a gyroscope that rotates: foot-worn IMUs are needed".into(),
            ));
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        Ok(out)
    }
}

/// One stride: from an initial contact to the next initial contact of the same foot.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stride {
    /// `left`, `right`, or `None` when the events have no side.
    pub side: Option<String>,
    /// Initial contact starting the stride, s.
    pub start_s: f64,
    /// The next initial contact of the same foot, s.
    pub end_s: f64,
    /// Stride time, s.
    pub stride_time_s: f64,
    /// Initial contact to the final contact inside the stride, s; `None` without one.
    pub stance_s: Option<f64>,
    /// Final contact to the end of the stride, s; `None` without a final contact.
    pub swing_s: Option<f64>,
}

/// Strides from gait events: consecutive initial contacts of one foot, kept when the stride
/// time is within 60–160 % of that foot's median (a missed or extra event, a stop or a turn
/// in between breaks the sequence instead of making a stride of it). Exactly one final
/// contact between the two gives stance and swing times.
///
/// ```
/// use dorsi::detect::{DetectedEvent, EventKind};
/// let ev = |kind, t: f64| DetectedEvent { side: Some("left".into()), kind, time_s: t };
/// let events = [
///     ev(EventKind::InitialContact, 1.0),
///     ev(EventKind::FinalContact, 1.66),
///     ev(EventKind::InitialContact, 2.1),
///     ev(EventKind::InitialContact, 3.2),
/// ];
/// let strides = dorsi::gait::strides(&events);
/// assert_eq!(strides.len(), 2);
/// assert!((strides[0].stance_s.unwrap_or(0.0) - 0.66).abs() < 1e-12);
/// assert_eq!(strides[1].swing_s, None);
/// ```
pub fn strides(events: &[DetectedEvent]) -> Vec<Stride> {
    let mut sides: Vec<Option<String>> = events.iter().map(|e| e.side.clone()).collect();
    sides.sort();
    sides.dedup();
    let mut out = Vec::new();
    for side in sides {
        let mine = |kind: EventKind| -> Vec<f64> {
            let mut t: Vec<f64> = events
                .iter()
                .filter(|e| e.side == side && e.kind == kind)
                .map(|e| e.time_s)
                .collect();
            t.sort_by(f64::total_cmp);
            t
        };
        let ic = mine(EventKind::InitialContact);
        let fc = mine(EventKind::FinalContact);
        let durations: Vec<f64> = ic.windows(2).map(|w| w[1] - w[0]).collect();
        let typical = crate::signal::median(durations.iter().copied());
        for w in ic.windows(2) {
            let d = w[1] - w[0];
            if !(typical.is_finite() && (0.6 * typical..=1.6 * typical).contains(&d)) {
                continue;
            }
            let inside: Vec<f64> = fc
                .iter()
                .copied()
                .filter(|&t| t > w[0] && t < w[1])
                .collect();
            let off = (inside.len() == 1).then(|| inside[0]);
            out.push(Stride {
                side: side.clone(),
                start_s: w[0],
                end_s: w[1],
                stride_time_s: d,
                stance_s: off.map(|t| t - w[0]),
                swing_s: off.map(|t| w[1] - t),
            });
        }
    }
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    out
}
