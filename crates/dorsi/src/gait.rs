//! Gait events from foot- or shank-worn IMUs ([`ImuEventDetector`], `gait/imu.rs`: the swing
//! found on the rotation about the medio-lateral axis, initial contact at the landing impact,
//! final contact where the push-off rotation eases off) and from keypoints or markers
//! ([`KeypointEventDetector`]), and strides from events ([`strides`]).
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

mod analysis;
pub mod drag;
pub mod imu;
mod keypoints;
pub mod lowback;
pub mod metrics;

pub use analysis::{GaitAnalyzer, GaitEvent, GaitReport, GaitStride};
pub use imu::{ImuEventDetector, ImuEventParams};
pub use keypoints::{KeypointEventDetector, KeypointEventParams};
pub use lowback::{LowerBackEventDetector, LowerBackParams};

use crate::detect::{DetectedEvent, EventKind};

/// The side a sensor's name gives (`left_foot`, `RightFoot`, `LF`, `1-1_rf`...), if any.
///
/// ```
/// assert_eq!(dorsi::gait::side_of("RightFoot").as_deref(), Some("right"));
/// assert_eq!(dorsi::gait::side_of("lower_back"), None);
/// ```
pub fn side_of(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    if n.contains("left") || n.starts_with('l') && n.len() <= 4 || n.contains("_lf") {
        Some("left".into())
    } else if n.contains("right") || n.starts_with('r') && n.len() <= 4 || n.contains("_rf") {
        Some("right".into())
    } else {
        None
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
    // The sides, in order, without copying every event's (a few distinct names).
    let mut sides: Vec<&Option<String>> = Vec::new();
    for e in events {
        if !sides.contains(&&e.side) {
            sides.push(&e.side);
        }
    }
    sides.sort();
    let mut out = Vec::new();
    for side in sides {
        let mine = |kind: EventKind| -> Vec<f64> {
            let mut t: Vec<f64> = events
                .iter()
                .filter(|e| e.side == *side && e.kind == kind)
                .map(|e| e.time_s)
                .collect();
            // Usually in time order already (a sorted run is one pass).
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
            // The final contacts strictly inside (`fc` is sorted).
            let first = fc.partition_point(|&t| t <= w[0]);
            let inside = &fc[first..fc.partition_point(|&t| t < w[1]).max(first)];
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
