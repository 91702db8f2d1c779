//! Scoring of detections against ground truth: gait events and strides matched within a
//! timing tolerance ([`events`]), repetitions matched by interval overlap ([`reps`]) and
//! foot-drop classification ([`classify`]). Plain data in (times in s, intervals, booleans),
//! plain serde structs out, per recording and pooled over recordings.
//!
//! ```
//! use dorsi::eval::{pool_events, score_classification, EventScorer, RepInterval, RepScorer};
//!
//! // Gait events: labels cover 0.5 s to 3.5 s; 5.0 s lies outside, so it is ignored.
//! let scorer = EventScorer { tolerances_s: vec![0.050, 0.100] };
//! let score = scorer.score(&[1.0, 2.0, 3.0], &[1.02, 2.2, 2.95, 5.0], Some((0.5, 3.5)))?;
//! let at_50ms = &score.per_tolerance[0];
//! assert_eq!(at_50ms.detection.true_positives, 2); // 1.02 and 2.95
//! assert_eq!(at_50ms.detection.false_positives, 1); // 2.2
//! assert_eq!(at_50ms.detection.false_negatives, 1); // 2.0
//! assert_eq!(at_50ms.ignored_detections, 1); // 5.0
//! let pooled = pool_events(&[score.clone(), score])?;
//! assert_eq!(pooled.per_tolerance[0].detection.true_positives, 4);
//!
//! // Repetitions: matched by IoU (at least 0.5 by default).
//! let reference = [RepInterval::new(0.0, 2.0), RepInterval::new(3.0, 5.0)];
//! let detected = [RepInterval::new(0.5, 2.0)];
//! let reps = RepScorer::default().score(&reference, &detected)?;
//! assert_eq!(reps.count_error, -1);
//! assert_eq!(reps.intervals.as_ref().map(|i| i.mean_iou_all_references), Some(Some(0.375)));
//!
//! // Foot drop per side: predicted (None = inconclusive) vs actual.
//! let sides = score_classification(&[(Some(true), true), (Some(false), false), (None, true)]);
//! assert_eq!((sides.sensitivity, sides.specificity, sides.inconclusive), (Some(1.0), Some(1.0), 1));
//! # Ok::<(), dorsi::eval::ScoreError>(())
//! ```
//!
//! Bad input (a non-finite time, an interval ending before it starts, a negative tolerance...)
//! is a [`ScoreError`], never a panic; unsorted input is fine.

pub mod classify;
pub mod concat;
pub mod events;
pub mod manifest;
pub mod reps;
pub mod run;
pub mod truth;

pub use classify::{
    pool_classifications, score_classification, ClassificationScore, ConfusionCounts,
};
pub use events::{
    match_events, match_strides, pool_events, pool_strides, DetectionScore, ErrorStats,
    EventMatching, EventMetrics, EventPair, EventScore, EventScorer, PooledEventMetrics,
    PooledEventScore, StrideMatching, StrideMetrics, StridePair, StrideScore, DEFAULT_TOLERANCES_S,
    TIME_SLACK_S,
};
pub use reps::{
    interval_iou, match_reps, pool_reps, PooledRepIntervals, PooledRepScore, PooledSetCounts,
    RepInterval, RepIntervalScore, RepMatching, RepPair, RepScore, RepScorer, SetCount,
    DEFAULT_MIN_IOU, IOU_SLACK,
};

/// Invalid input to the scoring functions. Indices are 0-based positions in the slice named by
/// `what` (`reference` or `detection`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// A time is NaN or infinite.
    #[error("{what} {index}: time {value} s is not a finite number")]
    NonFiniteTime {
        /// `reference` or `detection`.
        what: &'static str,
        /// Position in the slice.
        index: usize,
        /// The time, s.
        value: f64,
    },
    /// An interval has a non-finite border or ends before it starts.
    #[error(
        "{what} {index}: interval {start_s} s to {end_s} s is not finite or ends before it starts"
    )]
    InvalidInterval {
        /// `reference` or `detection`.
        what: &'static str,
        /// Position in the slice.
        index: usize,
        /// Start, s.
        start_s: f64,
        /// End, s.
        end_s: f64,
    },
    /// A hold time is not a finite non-negative duration.
    #[error("{what} {index}: hold {value} s is not a finite non-negative duration")]
    InvalidHold {
        /// `reference` or `detection`.
        what: &'static str,
        /// Position in the slice.
        index: usize,
        /// The hold time, s.
        value: f64,
    },
    /// A tolerance is negative or not finite.
    #[error("tolerance {value} s must be a finite number of seconds, 0 or more")]
    InvalidTolerance {
        /// The tolerance, s.
        value: f64,
    },
    /// The annotated span has a non-finite border or ends before it starts.
    #[error("annotated span {start_s} s to {end_s} s is not finite or ends before it starts")]
    InvalidSpan {
        /// Start, s.
        start_s: f64,
        /// End, s.
        end_s: f64,
    },
    /// The IoU threshold is outside (0, 1].
    #[error("IoU threshold {value} must be more than 0 and at most 1")]
    InvalidIouThreshold {
        /// The threshold.
        value: f64,
    },
    /// Scores to pool were computed with different settings.
    #[error("cannot pool: recording {index} was scored with other {what} than recording 0")]
    MismatchedSettings {
        /// Position of the first differing score.
        index: usize,
        /// The setting that differs (`tolerances`, `IoU threshold`).
        what: &'static str,
    },
}
