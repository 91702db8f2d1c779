//! Detector interfaces: what a gait-event detector, a repetition segmenter and a foot-drop
//! classifier take and give. Dorsi's own detectors implement these traits, and so can a
//! user's, so that [`crate::eval`] scores both the same way (see
//! `examples/custom_detector.rs`).
//!
//! ```
//! use dorsi::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
//! use dorsi::Recording;
//!
//! /// Says every recording has one initial contact, one second in.
//! struct OneSecond;
//!
//! impl EventDetector for OneSecond {
//!     fn name(&self) -> &str {
//!         "one_second"
//!     }
//!     fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
//!         Ok(vec![DetectedEvent {
//!             side: None,
//!             kind: EventKind::InitialContact,
//!             time_s: rec.start_s + 1.0,
//!         }])
//!     }
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::Recording;

/// The kind of a gait event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Initial contact (heel strike, or foot strike in pathological gait).
    InitialContact,
    /// Final contact (toe-off).
    FinalContact,
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl EventKind {
    /// `initial_contact` or `final_contact`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::InitialContact => "initial_contact",
            EventKind::FinalContact => "final_contact",
        }
    }

    /// Parse `initial_contact` / `final_contact` (also `ic`, `heel_strike`, `foot_strike`,
    /// `fc`, `tc`, `toe_off`, `foot_off`).
    pub fn parse(name: &str) -> Option<EventKind> {
        match name
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "initial_contact" | "ic" | "heel_strike" | "hs" | "foot_strike" => {
                Some(EventKind::InitialContact)
            }
            "final_contact" | "fc" | "tc" | "toe_off" | "to" | "foot_off" => {
                Some(EventKind::FinalContact)
            }
            _ => None,
        }
    }
}

/// A gait event found by a detector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectedEvent {
    /// `left` or `right`, or `None` when the detector does not know the side.
    pub side: Option<String>,
    /// The kind of event.
    pub kind: EventKind,
    /// Time on the recording's clock, s.
    pub time_s: f64,
}

/// A repetition found by a segmenter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectedRep {
    /// Start, s.
    pub start_s: f64,
    /// Peak (or middle of the hold), s.
    pub peak_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Time held at the peak, s.
    pub hold_s: f64,
}

/// A per-side foot-drop verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No sign of foot drop.
    Normal,
    /// Foot drop.
    FootDrop,
    /// The data cannot support a verdict.
    Inconclusive,
}

/// The verdict on one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideVerdict {
    /// `left` or `right`.
    pub side: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// Why a detector could not run on a recording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{detector}: {message}")]
pub struct DetectError {
    /// The detector's name.
    pub detector: String,
    /// What it needed and did not find (for example "no foot IMU or foot keypoints").
    pub message: String,
}

impl DetectError {
    /// Check that a detector's parameter is finite and within `lo..=hi`; the error names the
    /// detector, the parameter, its value and the range.
    ///
    /// ```
    /// use dorsi::detect::DetectError;
    /// assert!(DetectError::check_param("mine", "window_s", 0.5, 0.0, 1.0).is_ok());
    /// let e = DetectError::check_param("mine", "window_s", f64::NAN, 0.0, 1.0).unwrap_err();
    /// assert!(e.to_string().contains("window_s"));
    /// ```
    pub fn check_param(
        detector: &str,
        name: &str,
        value: f64,
        lo: f64,
        hi: f64,
    ) -> Result<(), DetectError> {
        if value.is_finite() && value >= lo && value <= hi {
            Ok(())
        } else {
            Err(DetectError {
                detector: detector.into(),
                message: format!("invalid parameter `{name}` = {value}: expected {lo} to {hi}"),
            })
        }
    }
}

/// Finds gait events (initial and final contacts) in a recording.
pub trait EventDetector: Send + Sync {
    /// A short name (`gait_imu`), used in manifests and reports.
    fn name(&self) -> &str;
    /// The events found, in any order.
    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError>;
}

/// Segments a recording of an exercise into repetitions.
pub trait RepSegmenter: Send + Sync {
    /// A short name (`reps`), used in manifests and reports.
    fn name(&self) -> &str;
    /// The repetitions of `exercise` (a programme exercise name, or `auto`).
    fn segment_reps(
        &self,
        rec: &Recording,
        exercise: &str,
    ) -> Result<Vec<DetectedRep>, DetectError>;
}

/// Says, per side, whether a walker has foot drop.
pub trait FootDropClassifier: Send + Sync {
    /// A short name (`foot_drag`), used in manifests and reports.
    fn name(&self) -> &str;
    /// The verdict on each side the recording shows.
    fn classify_sides(&self, rec: &Recording) -> Result<Vec<SideVerdict>, DetectError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kind_names_parse() {
        for k in [EventKind::InitialContact, EventKind::FinalContact] {
            assert_eq!(EventKind::parse(k.name()), Some(k));
        }
        assert_eq!(
            EventKind::parse("Foot Strike"),
            Some(EventKind::InitialContact)
        );
        assert_eq!(EventKind::parse("foot_off"), Some(EventKind::FinalContact));
        assert_eq!(EventKind::parse("mid_swing"), None);
    }
}
