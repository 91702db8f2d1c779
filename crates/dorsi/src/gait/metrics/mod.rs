//! Per-stride metrics for foot drop: foot-strike angle, foot pitch in swing, minimum toe
//! clearance, heel-to-forefoot time, from foot IMUs or from heel / toe points.
//!
//! Both modalities first become a [`FootTrack`]: foot pitch and toe height, sample by sample,
//! relative to the foot's own stance. The foot is taken to be flat at mid-stance (the
//! stillest moment between initial and final contact), which fixes pitch 0 and the floor;
//! between two mid-stances:
//!
//! * **foot IMU**: the gyroscope is integrated into an orientation from one mid-stance (where
//!   gravity gives the vertical), the specific force is turned into the mid-stance frame,
//!   gravity removed and integrated twice; velocity is returned to zero at the next
//!   mid-stance by removing a linear drift (zero-velocity update), and pitch and height to
//!   zero the same way (level floor). The foot's long axis is perpendicular to the vertical
//!   and to the medio-lateral axis (the dominant rotation axis); the toe is a virtual point
//!   [`MetricParams::toe_below_m`] below the sensor and as far ahead of it as puts the toe on
//!   the floor at the toe-offs (the last point to leave it). A sensor path that cannot do
//!   that consistently leaves the toe clearance unmeasured.
//! * **heel and toe points**: pitch is the angle of the heel-to-toe line above the horizontal
//!   and the toe height that of the toe point, both minus their values at the surrounding
//!   mid-stances (interpolated between them; held from the nearest one up to 1.5 s before the
//!   first and after the last), so a toe marker on top of the shoe or a heel keypoint at the
//!   back of the heel does not matter. Normalised image coordinates are
//!   divided by the image width and height, which distorts angles; the image's aspect ratio
//!   is recovered from the data ([`image_aspect`]). Toe clearance is measured from markers
//!   only: video keypoints have no metric scale (images) or move with the hips (MediaPipe
//!   world landmarks), so it is left unmeasured (`None`) rather than guessed.
//!
//! Per stride (initial contact to the next one of the same foot) [`stride_metrics`] then
//! reads the track.

use serde::Serialize;

use super::Stride;
use crate::detect::{DetectedEvent, EventKind};
use crate::Recording;

mod imu;
mod keypoints;

pub use imu::imu_tracks;
pub(crate) use imu::imu_tracks_with_axes;
pub(crate) use imu::swing_rotation_of_rates;
pub use keypoints::{image_aspect, keypoint_tracks};

/// Settings of the per-stride metrics. `Default` suits adults walking with a sensor on the
/// instep or the side of the shoe.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricParams {
    /// Virtual toe point: this far below a foot IMU (the sole under the toe tip), m.
    pub toe_below_m: f64,
    /// The foot-strike angle is the largest foot pitch within this long before initial
    /// contact (the foot's pitch peaks at or just before the heel lands), s.
    pub strike_window_s: f64,
    /// The foot counts as flat after initial contact once its pitch is below this, degrees
    /// (the end of the heel-to-forefoot phase).
    pub flat_pitch_deg: f64,
    /// Two mid-stances further apart than this are not one stride (a stop, a turn), s.
    pub max_interval_s: f64,
    /// A clearance minimum must lie this far below the toe's later swing height, m.
    pub min_clearance_prominence_m: f64,
    /// A foot IMU turning slower than this is lying flat, rad/s.
    pub flat_rate_rads: f64,
    /// A foot IMU must lie flat this long in a typical stance to be a foot sensor, s.
    pub min_flat_s: f64,
}

impl Default for MetricParams {
    fn default() -> Self {
        MetricParams {
            toe_below_m: 0.05,
            strike_window_s: 0.05,
            flat_pitch_deg: 3.0,
            max_interval_s: 2.5,
            min_clearance_prominence_m: 0.002,
            flat_rate_rads: 0.5,
            min_flat_s: 0.05,
        }
    }
}

/// Foot pitch, toe height and ankle angle of one foot, sample by sample (`NaN` where
/// unknown, outside strides; a quantity the modality cannot give at all is `NaN` throughout
/// or empty: video keypoints leave toe height, sideways path and pelvic obliquity empty).
#[derive(Debug, Clone, PartialEq)]
pub struct FootTrack {
    /// `left` or `right` (`None` when the source has no side).
    pub side: Option<String>,
    /// Where it came from: the IMU's name, or `keypoints`.
    pub source: String,
    /// Foot pitch, degrees, toes up positive, 0 with the foot flat at mid-stance.
    pub pitch_deg: Vec<f64>,
    /// Toe height above the foot's stance floor, m.
    pub toe_height_m: Vec<f64>,
    /// Ankle angle (dorsiflexion positive, 0 with foot and shank at right angles), degrees.
    pub ankle_deg: Vec<f64>,
    /// Sideways distance of the foot from the straight line between its two stance
    /// positions, outwards positive (circumduction swings it out), m.
    pub lateral_m: Vec<f64>,
    /// Pelvic obliquity: this side's hip above the other one, degrees (hip hiking raises it
    /// in this side's swing).
    pub pelvic_obliquity_deg: Vec<f64>,
}

impl FootTrack {
    /// A track of `n` samples, every quantity unknown (`NaN`).
    pub fn unknown(side: Option<String>, source: &str, n: usize) -> Self {
        FootTrack {
            side,
            source: source.to_string(),
            pitch_deg: vec![f64::NAN; n],
            toe_height_m: vec![f64::NAN; n],
            ankle_deg: vec![f64::NAN; n],
            lateral_m: vec![f64::NAN; n],
            pelvic_obliquity_deg: vec![f64::NAN; n],
        }
    }

    /// +1 for the left foot (left is outwards), −1 for the right, `NaN` without a side.
    fn outward_sign(&self) -> f64 {
        match self.side.as_deref() {
            Some("left") => 1.0,
            Some("right") => -1.0,
            _ => f64::NAN,
        }
    }
}

/// The metrics of one stride (`None` where the modality or the data cannot give them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideMetrics {
    /// `left` or `right` (empty when unknown).
    pub side: String,
    /// Initial contact starting the stride, s.
    pub start_s: f64,
    /// The next initial contact of the same foot, s.
    pub end_s: f64,
    /// Stride time, s.
    pub stride_time_s: f64,
    /// Initial to final contact, s.
    pub stance_s: Option<f64>,
    /// Final contact to the next initial contact, s.
    pub swing_s: Option<f64>,
    /// Cadence of this stride (two steps per stride), steps per minute.
    pub cadence_steps_per_min: f64,
    /// Foot pitch when the foot lands: positive heel first, 0 or below flat or toe first,
    /// degrees.
    pub foot_strike_angle_deg: Option<f64>,
    /// Foot pitch half-way through the swing, degrees.
    pub mid_swing_pitch_deg: Option<f64>,
    /// Foot pitch at 85 % of the swing, degrees.
    pub late_swing_pitch_deg: Option<f64>,
    /// Largest ankle dorsiflexion during the swing, degrees.
    pub peak_swing_dorsiflexion_deg: Option<f64>,
    /// Lowest toe height in mid-swing, above the stance floor, m.
    pub min_toe_clearance_m: Option<f64>,
    /// Whether the swing has a toe-clearance minimum at all (a dragging foot's toe sinks
    /// until it lands).
    pub clearance_minimum: Option<bool>,
    /// Highest toe height during the swing (steppage raises it), m.
    pub max_swing_toe_height_m: Option<f64>,
    /// Initial contact to the forefoot reaching the floor (foot flat), s; `None` for a flat
    /// or toe-first contact.
    pub heel_to_toe_s: Option<f64>,
    /// Largest outward swing of the foot from its straight path during the swing
    /// (circumduction widens it), m.
    pub lateral_swing_excursion_m: Option<f64>,
    /// Rise of this side's hip over the other during the swing, above its level in the
    /// stance (hip hiking), degrees.
    pub pelvic_obliquity_swing_deg: Option<f64>,
}

/// Consecutive mid-stances that make one stride: close enough and with no unfilled gap
/// between them.
pub(super) fn intervals(
    rec: &Recording,
    anchors: &[usize],
    params: &MetricParams,
) -> Vec<(usize, usize)> {
    let segments = rec.segments();
    let max = (params.max_interval_s * rec.sampling_rate_hz) as usize;
    anchors
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|&(a, b)| {
            b > a + 1 && b - a <= max && segments.iter().any(|s| s.contains(&a) && s.contains(&b))
        })
        .collect()
}

/// The stillest sample of each stance (from 15 % to 55 % of the way from initial to final
/// contact, where the foot is flat), by the `stillness` signal (lower is stiller).
pub(super) fn mid_stances(
    rec: &Recording,
    events: &[&DetectedEvent],
    stillness: impl Fn(usize) -> f64,
) -> Vec<usize> {
    mid_stances_by(rec, events, |range| {
        range
            .map(|i| (i, stillness(i)))
            .filter(|(_, v)| v.is_finite())
            .min_by(|p, q| p.1.total_cmp(&q.1))
            .map(|(i, _)| i)
    })
}

/// [`mid_stances`] with the stillest sample of each stance's samples (a range, possibly
/// empty) found by `stillest`, for signals cheaper to measure over a range at once.
pub(super) fn mid_stances_by(
    rec: &Recording,
    events: &[&DetectedEvent],
    mut stillest: impl FnMut(std::ops::RangeInclusive<usize>) -> Option<usize>,
) -> Vec<usize> {
    let mut ic: Vec<f64> = events
        .iter()
        .filter(|e| e.kind == EventKind::InitialContact)
        .map(|e| e.time_s)
        .collect();
    let mut fc: Vec<f64> = events
        .iter()
        .filter(|e| e.kind == EventKind::FinalContact)
        .map(|e| e.time_s)
        .collect();
    ic.sort_by(f64::total_cmp);
    fc.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    for &t in &ic {
        let Some(&off) = fc
            .get(fc.partition_point(|&f| f <= t))
            .filter(|&&f| f < t + 1.5)
        else {
            continue;
        };
        let a = rec.sample_at(t + 0.15 * (off - t));
        let b = rec.sample_at(t + 0.55 * (off - t)).max(a);
        if let Some(i) = stillest(a..=b.min(rec.n_samples.saturating_sub(1))) {
            out.push(i);
        }
    }
    out.dedup();
    out
}

/// The metrics of each stride of a foot from its track and its final contacts.
pub fn stride_metrics(
    rec: &Recording,
    strides: &[Stride],
    track: &FootTrack,
    params: &MetricParams,
) -> Vec<StrideMetrics> {
    let hz = rec.sampling_rate_hz;
    let idx = |t: f64| rec.sample_at(t);
    let value = |x: &[f64], t: f64| -> Option<f64> {
        // Linear interpolation between samples.
        let u = (t - rec.start_s) * hz;
        if u.is_nan() || u < 0.0 {
            return None;
        }
        let i = u.floor() as usize;
        let j = (i + 1).min(x.len().checked_sub(1)?);
        let f = u - i as f64;
        let v = x.get(i)? * (1.0 - f) + x[j] * f;
        v.is_finite().then_some(v)
    };
    // The largest value in a..=b and where (the last of equal ones), none unless all are
    // finite: one pass.
    let max_in = |x: &[f64], a: usize, b: usize| -> Option<(usize, f64)> {
        let b = b.min(x.len().checked_sub(1)?);
        let window = x.get(a..=b)?;
        let mut best = (a, *window.first()?);
        for (i, &v) in window.iter().enumerate() {
            if !v.is_finite() {
                return None;
            }
            if v.total_cmp(&best.1).is_ge() {
                best = (a + i, v);
            }
        }
        Some(best)
    };
    strides
        .iter()
        .filter(|s| s.side == track.side)
        .map(|s| {
            let ic = idx(s.start_s);
            let w = ((params.strike_window_s * hz).round() as usize).max(1);
            let strike = max_in(&track.pitch_deg, ic.saturating_sub(w), ic).map(|m| m.1);
            let off = s.stance_s.map(|st| s.start_s + st);
            let heel_to_toe = match (strike, off) {
                (Some(a), Some(off)) if a > params.flat_pitch_deg => {
                    let (b, e) = (ic, idx(off));
                    (b..e.min(track.pitch_deg.len()))
                        .find(|&i| track.pitch_deg[i] <= params.flat_pitch_deg)
                        .filter(|&i| i > 0)
                        .map(|i| {
                            let (p, q) = (track.pitch_deg[i - 1], track.pitch_deg[i]);
                            let frac = if p != q {
                                ((p - params.flat_pitch_deg) / (p - q)).clamp(0.0, 1.0)
                            } else {
                                0.0
                            };
                            rec.time_s(i - 1) + frac / hz - s.start_s
                        })
                        .filter(|&d| d > 0.0)
                }
                _ => None,
            };
            let (mut mid, mut late, mut dorsi, mut mtc, mut has_min, mut top) =
                (None, None, None, None, None, None);
            let (mut wide, mut hike) = (None, None);
            if let (Some(off), Some(sw)) = (off, s.swing_s) {
                mid = value(&track.pitch_deg, off + 0.5 * sw);
                late = value(&track.pitch_deg, off + 0.85 * sw);
                let (a, b) = (idx(off), idx(s.end_s));
                dorsi = max_in(&track.ankle_deg, a, b).map(|m| m.1);
                wide = max_in(&track.lateral_m, a, b).map(|m| m.1);
                let stance = track.pelvic_obliquity_deg.get(ic.min(a)..a).unwrap_or(&[]);
                let level = crate::signal::median(stance.iter().copied());
                hike = max_in(&track.pelvic_obliquity_deg, a, b)
                    .map(|m| m.1 - level)
                    .filter(|v| v.is_finite());
                let h = &track.toe_height_m;
                let m = idx(off + 0.5 * sw);
                // The two halves cover a..=b (both found means a ≤ m ≤ b): the highest of
                // the whole swing is the higher of theirs.
                if let (Some((i1, h1)), Some((i2, h2))) = (max_in(h, a, m), max_in(h, m, b)) {
                    top = Some(if h2.total_cmp(&h1).is_ge() { h2 } else { h1 });
                    let low = (i1..=i2).min_by(|&p, &q| h[p].total_cmp(&h[q]));
                    let found = low.filter(|&k| {
                        k > i1 && k < i2 && h2 - h[k] >= params.min_clearance_prominence_m
                    });
                    has_min = Some(found.is_some());
                    mtc = found.map(|k| h[k]);
                }
            }
            StrideMetrics {
                side: s.side.clone().unwrap_or_default(),
                start_s: s.start_s,
                end_s: s.end_s,
                stride_time_s: s.stride_time_s,
                stance_s: s.stance_s,
                swing_s: s.swing_s,
                cadence_steps_per_min: 120.0 / s.stride_time_s,
                foot_strike_angle_deg: strike,
                mid_swing_pitch_deg: mid,
                late_swing_pitch_deg: late,
                peak_swing_dorsiflexion_deg: dorsi,
                min_toe_clearance_m: mtc,
                clearance_minimum: has_min,
                max_swing_toe_height_m: top,
                heel_to_toe_s: heel_to_toe,
                lateral_swing_excursion_m: wide,
                pelvic_obliquity_swing_deg: hike,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::EventDetector;
    use crate::synth::{
        body::{Motion, Side},
        gait::{Walk, WalkParams},
        imu,
    };

    /// Foot IMUs on a synthetic walk: the per-stride metrics against the model's own values.
    fn imu_walk(
        errors: &imu::SensorErrors,
        severity: [f64; 2],
        seed: u64,
    ) -> (Walk, Vec<StrideMetrics>) {
        let params = WalkParams {
            severity,
            duration_s: 30.0,
            ..Default::default()
        };
        let walk = Walk::new(params, seed);
        let sensors = [
            imu::Placement::foot(Side::Left),
            imu::Placement::foot(Side::Right),
        ];
        let csv = imu::simulate(&walk, &sensors, 100.0, errors, seed).to_csv();
        let rec =
            crate::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default()).expect("reads");
        let events = crate::gait::ImuEventDetector::default()
            .detect_events(&rec)
            .expect("events");
        let strides = crate::gait::strides(&events);
        let p = MetricParams {
            toe_below_m: 0.05,
            ..Default::default()
        };
        let tracks = imu_tracks(&rec, &events, &p);
        let mut out = Vec::new();
        for t in &tracks {
            out.extend(stride_metrics(&rec, &strides, t, &p));
        }
        (walk, out)
    }

    /// The model's minimum toe clearance in the middle of a stride's swing.
    fn model_mtc(walk: &Walk, s: &StrideMetrics) -> f64 {
        let side = if s.side == "left" {
            Side::Left
        } else {
            Side::Right
        };
        let (off, swing) = (
            s.start_s + s.stance_s.unwrap_or(0.0),
            s.swing_s.unwrap_or(0.0),
        );
        let (a, b) = (off + 0.3 * swing, s.end_s - 0.05);
        (0..=200)
            .map(|k| walk.leg(a + (b - a) * k as f64 / 200.0, side).toe.z)
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn imu_metrics_match_the_model() {
        for errors in [imu::SensorErrors::none(), imu::SensorErrors::default()] {
            let (walk, m) = imu_walk(&errors, [0.0, 0.0], 3);
            assert!(m.len() >= 40, "{} strides", m.len());
            let strike: Vec<f64> = m.iter().filter_map(|s| s.foot_strike_angle_deg).collect();
            let mtc_err: Vec<f64> = m
                .iter()
                .filter_map(|s| Some(s.min_toe_clearance_m? - model_mtc(&walk, s)))
                .collect();
            assert!(strike.len() + 2 >= m.len() && mtc_err.len() + 4 >= m.len());
            // The model lands every healthy foot at 25°.
            for a in &strike {
                assert!((a - 25.0).abs() < 1.0, "strike {a}");
            }
            let mae = mtc_err.iter().map(|e| e.abs()).sum::<f64>() / mtc_err.len() as f64;
            assert!(mae < 0.004, "toe clearance MAE {mae} m: {mtc_err:?}");
            assert!(m.iter().all(|s| s.clearance_minimum != Some(false)));
        }
    }

    #[test]
    fn a_dropped_foot_lands_flat_and_its_toe_sinks_through_the_swing() {
        let (_, m) = imu_walk(&imu::SensorErrors::default(), [1.0, 0.0], 5);
        let left: Vec<&StrideMetrics> = m.iter().filter(|s| s.side == "left").collect();
        let strike = crate::signal::median(left.iter().filter_map(|s| s.foot_strike_angle_deg));
        // The model lands a flaccid foot toes first at −8°.
        assert!((strike + 8.0).abs() < 3.0, "strike {strike}");
        let sinking = left
            .iter()
            .filter(|s| s.clearance_minimum == Some(false))
            .count();
        assert!(2 * sinking >= left.len(), "{sinking} of {}", left.len());
    }

    #[test]
    fn aspect_ratio_from_segment_lengths() {
        use crate::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
        let walk = Walk::new(
            WalkParams {
                duration_s: 10.0,
                ..Default::default()
            },
            2,
        );
        let camera = Camera::beside(&walk);
        let video = simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), 2);
        let csv = video.to_mediapipe_image_csv();
        let rec =
            crate::io::read_bytes("v.csv", csv.as_bytes(), &Default::default()).expect("reads");
        let sk = rec.skeleton.as_ref().expect("keypoints");
        let k = image_aspect(sk);
        // Normalised by 1920 × 1080: y must be scaled by 1080 / 1920 to be in x's units.
        let want = f64::from(camera.height_px) / f64::from(camera.width_px);
        assert!((k / want - 1.0).abs() < 0.03, "aspect {k} against {want}");
    }
}
