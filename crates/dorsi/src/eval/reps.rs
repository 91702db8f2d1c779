//! Repetitions: one-to-one matching of detected rep intervals to reference intervals by
//! interval overlap (IoU), count errors and hold-duration errors.
//!
//! # Matching
//!
//! Every (reference, detection) pair with an IoU of at least the threshold (default 0.5) is a
//! candidate; candidates are taken highest IoU first (global greedy), and a pair is kept when
//! neither side is matched yet. Ties are broken by the earlier reference start, then the
//! earlier detection start, then the position in the input. Input order does not matter;
//! indices refer to positions in the slices given.
//!
//! The IoU of two intervals is the length of their intersection over the length of their
//! union ([`interval_iou`]); an interval of zero length has IoU 0 with everything, so it never
//! matches. The threshold comparison allows [`IOU_SLACK`] for floating-point rounding.
//!
//! # Counts
//!
//! The count error is detected − reference. A recording whose ground truth is only a count
//! (no intervals) is scored with [`RepScorer::score_count`] and takes part in the count
//! metrics of [`pool_reps`] but not in the interval metrics.

use serde::Serialize;

use super::events::{
    check_intervals, greedy_one_to_one, mean, sum_detections, used_flags, Candidate,
    DetectionScore, ErrorStats,
};
use super::ScoreError;

/// The default IoU threshold for a match.
pub const DEFAULT_MIN_IOU: f64 = 0.5;

/// Slack allowed in the IoU threshold comparison (floating-point rounding only).
pub const IOU_SLACK: f64 = 1e-12;

/// One repetition, reference or detected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RepInterval {
    /// Start, s.
    pub start_s: f64,
    /// End, s (not before the start).
    pub end_s: f64,
    /// Time held at the peak, s, when known; used for the hold-duration error.
    pub hold_s: Option<f64>,
}

impl RepInterval {
    /// A rep from `start_s` to `end_s` with no hold time.
    pub fn new(start_s: f64, end_s: f64) -> Self {
        RepInterval {
            start_s,
            end_s,
            hold_s: None,
        }
    }

    /// The same rep with a hold time, s.
    pub fn with_hold_s(self, hold_s: f64) -> Self {
        RepInterval {
            hold_s: Some(hold_s),
            ..self
        }
    }
}

/// Intersection over union of two intervals `(start_s, end_s)`: 0 when they do not overlap
/// or when the union has zero length (or is not finite).
///
/// ```
/// assert_eq!(dorsi::eval::interval_iou((0.0, 2.0), (1.0, 3.0)), 1.0 / 3.0);
/// assert_eq!(dorsi::eval::interval_iou((0.0, 1.0), (2.0, 3.0)), 0.0);
/// ```
pub fn interval_iou(a: (f64, f64), b: (f64, f64)) -> f64 {
    let intersection = (a.1.min(b.1) - a.0.max(b.0)).max(0.0);
    let union = (a.1 - a.0) + (b.1 - b.0) - intersection;
    if union > 0.0 && union.is_finite() && intersection.is_finite() {
        intersection / union
    } else {
        0.0
    }
}

/// A matched (reference, detection) rep pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RepPair {
    /// Position of the reference in the reference slice.
    pub reference: usize,
    /// Position of the detection in the detection slice.
    pub detected: usize,
    /// Their IoU.
    pub iou: f64,
    /// Detected − reference hold, s, when both have a hold time.
    pub hold_error_s: Option<f64>,
}

/// The one-to-one matching of reps. Indices are positions in the slices given to
/// [`match_reps`], each list in ascending order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepMatching {
    /// The IoU threshold.
    pub min_iou: f64,
    /// Matched pairs, by reference start.
    pub pairs: Vec<RepPair>,
    /// References matched to no detection (false negatives).
    pub missed_references: Vec<usize>,
    /// Detections matched to no reference (false positives).
    pub false_detections: Vec<usize>,
}

/// Interval metrics of one recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepIntervalScore {
    /// The IoU threshold.
    pub min_iou: f64,
    /// TP (matched reps), FP, FN, precision, recall, F1.
    #[serde(flatten)]
    pub detection: DetectionScore,
    /// Mean IoU over the matched references; `None` when nothing matched.
    pub mean_iou_matched: Option<f64>,
    /// Mean IoU over all references, unmatched ones counting 0; `None` without references.
    pub mean_iou_all_references: Option<f64>,
    /// Hold-duration error of matched pairs where both have a hold time (detected −
    /// reference): `mean_s` is the bias, `mae_s` the MAE.
    pub hold_error: ErrorStats,
    /// The matched pairs, by reference start.
    pub pairs: Vec<RepPair>,
}

/// Rep scores of one recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepScore {
    /// Reference reps.
    pub reference_count: usize,
    /// Detected reps.
    pub detected_count: usize,
    /// Detected − reference count.
    pub count_error: i64,
    /// Interval metrics; `None` when the ground truth is only a count.
    pub intervals: Option<RepIntervalScore>,
    /// Per-set counts, when the labels split the recording into two or more sets with
    /// counts ([`RepScore::with_sets`]); empty otherwise.
    pub sets: Vec<SetCount>,
}

/// The count of one labelled set against the detected reps that fall in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SetCount {
    /// The set's labelled start and end, s.
    pub start_s: f64,
    /// See `start_s`.
    pub end_s: f64,
    /// Reps in the set, from the labels.
    pub reference_count: usize,
    /// Detected reps whose middle falls in the set's share of the recording (from halfway
    /// after the previous set to halfway before the next one).
    pub detected_count: usize,
}

impl SetCount {
    /// Detected − reference count.
    pub fn count_error(&self) -> i64 {
        signed_difference(self.detected_count, self.reference_count)
    }
}

/// Per-set counts pooled over the sets of all recordings that have them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledSetCounts {
    /// Labelled sets pooled.
    pub sets: usize,
    /// Mean absolute count error per set.
    pub count_mae: f64,
    /// Share of sets with the exact count.
    pub exact_count_rate: f64,
    /// Share of sets with |count error| ≤ 1.
    pub off_by_one_rate: f64,
}

/// Interval metrics pooled over the recordings that have reference intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledRepIntervals {
    /// Recordings with reference intervals.
    pub recordings: usize,
    /// The IoU threshold.
    pub min_iou: f64,
    /// Micro average: TP, FP and FN summed, then precision, recall, F1.
    #[serde(flatten)]
    pub detection: DetectionScore,
    /// Macro average: the mean of the per-recording F1.
    pub macro_f1: Option<f64>,
    /// Mean IoU over all matched references of all recordings; `None` when nothing matched.
    pub mean_iou_matched: Option<f64>,
    /// Mean IoU over all references of all recordings, unmatched counting 0; `None` without
    /// references.
    pub mean_iou_all_references: Option<f64>,
    /// Hold-duration error of all matched pairs with hold times, s.
    pub hold_error: ErrorStats,
}

/// Rep scores pooled over recordings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledRepScore {
    /// Recordings pooled (with intervals or count-only).
    pub recordings: usize,
    /// Reference reps in all recordings.
    pub reference_count: usize,
    /// Detected reps in all recordings.
    pub detected_count: usize,
    /// Mean signed count error (detected − reference); `None` without recordings.
    pub mean_count_error: Option<f64>,
    /// Mean absolute count error; `None` without recordings.
    pub count_mae: Option<f64>,
    /// Share of recordings with the exact count; `None` without recordings.
    pub exact_count_rate: Option<f64>,
    /// Share of recordings with |count error| ≤ 1 (exact counts included); `None` without
    /// recordings.
    pub off_by_one_rate: Option<f64>,
    /// Interval metrics; `None` when no recording has reference intervals.
    pub intervals: Option<PooledRepIntervals>,
    /// Per-set counts; `None` when no recording has labelled sets.
    pub sets: Option<PooledSetCounts>,
}

/// Rep scoring with an IoU threshold.
///
/// ```
/// use dorsi::eval::{RepInterval, RepScorer};
/// let reference = [RepInterval::new(0.0, 2.0), RepInterval::new(3.0, 5.0)];
/// let detected = [RepInterval::new(0.0, 1.0), RepInterval::new(3.0, 5.0)];
/// let score = RepScorer::default().score(&reference, &detected)?;
/// let iv = score.intervals.as_ref().expect("intervals");
/// assert_eq!(iv.detection.true_positives, 2); // IoU 0.5 and 1.0
/// assert_eq!(iv.mean_iou_matched, Some(0.75));
/// # Ok::<(), dorsi::eval::ScoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepScorer {
    /// Minimum IoU for a match, in (0, 1]; default [`DEFAULT_MIN_IOU`].
    pub min_iou: f64,
}

impl Default for RepScorer {
    fn default() -> Self {
        RepScorer {
            min_iou: DEFAULT_MIN_IOU,
        }
    }
}

impl RepScorer {
    /// Checks the threshold is in (0, 1].
    pub fn validate(&self) -> Result<(), ScoreError> {
        if self.min_iou > 0.0 && self.min_iou <= 1.0 {
            Ok(())
        } else {
            Err(ScoreError::InvalidIouThreshold {
                value: self.min_iou,
            })
        }
    }

    /// Scores detected reps against reference reps (intervals, counts and holds).
    pub fn score(
        &self,
        reference: &[RepInterval],
        detected: &[RepInterval],
    ) -> Result<RepScore, ScoreError> {
        let matching = match_reps(reference, detected, self.min_iou)?;
        let ious: Vec<f64> = matching.pairs.iter().map(|p| p.iou).collect();
        let holds: Vec<f64> = matching
            .pairs
            .iter()
            .filter_map(|p| p.hold_error_s)
            .collect();
        let intervals = RepIntervalScore {
            min_iou: self.min_iou,
            detection: DetectionScore::from_counts(
                matching.pairs.len(),
                matching.false_detections.len(),
                matching.missed_references.len(),
            ),
            mean_iou_matched: mean(ious.iter().copied()),
            mean_iou_all_references: ratio(ious.iter().sum(), reference.len()),
            hold_error: ErrorStats::from_errors_s(&holds),
            pairs: matching.pairs,
        };
        Ok(RepScore {
            intervals: Some(intervals),
            ..self.score_count(reference.len(), detected.len())
        })
    }

    /// Scores a detected count against a count-only ground truth.
    ///
    /// ```
    /// let s = dorsi::eval::RepScorer::default().score_count(10, 9);
    /// assert_eq!((s.count_error, s.intervals), (-1, None));
    /// ```
    pub fn score_count(&self, reference_count: usize, detected_count: usize) -> RepScore {
        RepScore {
            reference_count,
            detected_count,
            count_error: signed_difference(detected_count, reference_count),
            intervals: None,
            sets: Vec::new(),
        }
    }
}

impl RepScore {
    /// Adds per-set counts: `sets` are the labelled sets as `(start_s, end_s, count)` in
    /// time order. Each detected rep is given to the set its middle falls in, the time
    /// between two sets being split halfway, so a rep detected a little outside its set
    /// still counts there. Fewer than two sets add nothing (the recording's count is the
    /// set's).
    ///
    /// ```
    /// use dorsi::eval::{RepInterval, RepScorer};
    /// let detected = [(0.0, 1.0), (1.0, 2.0), (9.0, 10.0), (10.0, 11.0), (11.0, 12.0)]
    ///     .map(|(a, b)| RepInterval::new(a, b));
    /// let s = RepScorer::default()
    ///     .score_count(6, 5)
    ///     .with_sets(&[(0.0, 3.0, 3), (9.0, 12.0, 3)], &detected);
    /// let errors: Vec<i64> = s.sets.iter().map(|c| c.count_error()).collect();
    /// assert_eq!(errors, [-1, 0]);
    /// ```
    pub fn with_sets(mut self, sets: &[(f64, f64, usize)], detected: &[RepInterval]) -> Self {
        if sets.len() < 2 {
            return self;
        }
        self.sets = sets
            .iter()
            .enumerate()
            .map(|(i, &(start_s, end_s, reference_count))| {
                let from = match i {
                    0 => f64::NEG_INFINITY,
                    _ => (sets[i - 1].1 + start_s) / 2.0,
                };
                let to = match sets.get(i + 1) {
                    Some(next) => (end_s + next.0) / 2.0,
                    None => f64::INFINITY,
                };
                let detected_count = detected
                    .iter()
                    .map(|r| (r.start_s + r.end_s) / 2.0)
                    .filter(|&m| m >= from && m < to)
                    .count();
                SetCount {
                    start_s,
                    end_s,
                    reference_count,
                    detected_count,
                }
            })
            .collect();
        self
    }
}

/// Matches detected reps to reference reps one-to-one, highest IoU first; a pair needs an IoU
/// of at least `min_iou` (in (0, 1]). Errors on a bad threshold, on a non-finite border, on a
/// rep ending before it starts, and on a hold time that is not finite and non-negative.
pub fn match_reps(
    reference: &[RepInterval],
    detected: &[RepInterval],
    min_iou: f64,
) -> Result<RepMatching, ScoreError> {
    RepScorer { min_iou }.validate()?;
    check_reps("reference", reference)?;
    check_reps("detection", detected)?;
    let mut candidates = Vec::new();
    for (r, a) in reference.iter().enumerate() {
        for (d, b) in detected.iter().enumerate() {
            let iou = interval_iou((a.start_s, a.end_s), (b.start_s, b.end_s));
            if iou > 0.0 && iou + IOU_SLACK >= min_iou {
                candidates.push(Candidate {
                    cost: -iou,
                    reference_key_s: a.start_s,
                    detected_key_s: b.start_s,
                    reference: r,
                    detected: d,
                });
            }
        }
    }
    let matched = greedy_one_to_one(candidates, reference.len(), detected.len());
    let mut pairs: Vec<RepPair> = matched
        .iter()
        .map(|&(r, d)| {
            let (a, b) = (reference[r], detected[d]);
            RepPair {
                reference: r,
                detected: d,
                iou: interval_iou((a.start_s, a.end_s), (b.start_s, b.end_s)),
                hold_error_s: b.hold_s.zip(a.hold_s).map(|(hd, hr)| hd - hr),
            }
        })
        .collect();
    pairs.sort_by(|p, q| {
        reference[p.reference]
            .start_s
            .total_cmp(&reference[q.reference].start_s)
            .then(p.reference.cmp(&q.reference))
    });
    let (ref_used, det_used) = used_flags(&matched, reference.len(), detected.len());
    Ok(RepMatching {
        min_iou,
        pairs,
        missed_references: (0..reference.len()).filter(|&r| !ref_used[r]).collect(),
        false_detections: (0..detected.len()).filter(|&d| !det_used[d]).collect(),
    })
}

/// Pools rep scores over recordings: count metrics over all recordings; interval metrics
/// (micro: counts summed, IoUs and hold errors concatenated; plus macro F1) over those with
/// reference intervals, which must share one IoU threshold
/// ([`ScoreError::MismatchedSettings`] otherwise).
pub fn pool_reps(scores: &[RepScore]) -> Result<PooledRepScore, ScoreError> {
    let n = scores.len();
    let errors: Vec<i64> = scores.iter().map(|s| s.count_error).collect();
    let rate = |keep: fn(i64) -> bool| ratio(errors.iter().filter(|&&e| keep(e)).count() as f64, n);

    let with_intervals: Vec<(usize, &RepIntervalScore, usize)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.intervals.as_ref().map(|iv| (i, iv, s.reference_count)))
        .collect();
    let intervals = match with_intervals.first() {
        None => None,
        Some(&(_, first, _)) => {
            if let Some(&(index, _, _)) = with_intervals
                .iter()
                .find(|(_, iv, _)| iv.min_iou != first.min_iou)
            {
                return Err(ScoreError::MismatchedSettings {
                    index,
                    what: "IoU threshold",
                });
            }
            let ious: Vec<f64> = with_intervals
                .iter()
                .flat_map(|(_, iv, _)| iv.pairs.iter().map(|p| p.iou))
                .collect();
            let holds: Vec<f64> = with_intervals
                .iter()
                .flat_map(|(_, iv, _)| iv.pairs.iter().filter_map(|p| p.hold_error_s))
                .collect();
            let detections: Vec<DetectionScore> = with_intervals
                .iter()
                .map(|(_, iv, _)| iv.detection)
                .collect();
            let references: usize = with_intervals.iter().map(|&(_, _, c)| c).sum();
            Some(PooledRepIntervals {
                recordings: with_intervals.len(),
                min_iou: first.min_iou,
                detection: sum_detections(&detections),
                macro_f1: mean(detections.iter().map(|d| d.f1)),
                mean_iou_matched: mean(ious.iter().copied()),
                mean_iou_all_references: ratio(ious.iter().sum(), references),
                hold_error: ErrorStats::from_errors_s(&holds),
            })
        }
    };

    Ok(PooledRepScore {
        recordings: n,
        reference_count: scores.iter().map(|s| s.reference_count).sum(),
        detected_count: scores.iter().map(|s| s.detected_count).sum(),
        mean_count_error: mean(errors.iter().map(|&e| e as f64)),
        count_mae: mean(errors.iter().map(|&e| e.unsigned_abs() as f64)),
        exact_count_rate: rate(|e| e == 0),
        off_by_one_rate: rate(|e| e.unsigned_abs() <= 1),
        intervals,
        sets: pool_sets(scores),
    })
}

fn pool_sets(scores: &[RepScore]) -> Option<PooledSetCounts> {
    let errors: Vec<u64> = scores
        .iter()
        .flat_map(|s| s.sets.iter().map(|c| c.count_error().unsigned_abs()))
        .collect();
    let n = errors.len();
    let share =
        |keep: fn(u64) -> bool| errors.iter().filter(|&&e| keep(e)).count() as f64 / n as f64;
    (n > 0).then(|| PooledSetCounts {
        sets: n,
        count_mae: errors.iter().sum::<u64>() as f64 / n as f64,
        exact_count_rate: share(|e| e == 0),
        off_by_one_rate: share(|e| e <= 1),
    })
}

/// `num / den`, or `None` when `den` is 0.
fn ratio(num: f64, den: usize) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

/// `a − b` as a signed number (saturating at the i64 range).
fn signed_difference(a: usize, b: usize) -> i64 {
    let a = i64::try_from(a).unwrap_or(i64::MAX);
    let b = i64::try_from(b).unwrap_or(i64::MAX);
    a.saturating_sub(b)
}

fn check_reps(what: &'static str, reps: &[RepInterval]) -> Result<(), ScoreError> {
    let intervals: Vec<(f64, f64)> = reps.iter().map(|r| (r.start_s, r.end_s)).collect();
    check_intervals(what, &intervals)?;
    for (index, rep) in reps.iter().enumerate() {
        if let Some(value) = rep.hold_s {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ScoreError::InvalidHold { what, index, value });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close_opt(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= EPS)
    }

    fn iv(start_s: f64, end_s: f64) -> RepInterval {
        RepInterval::new(start_s, end_s)
    }

    fn intervals(s: &RepScore) -> &RepIntervalScore {
        s.intervals.as_ref().expect("interval scores")
    }

    fn counts(d: &DetectionScore) -> (usize, usize, usize) {
        (d.true_positives, d.false_positives, d.false_negatives)
    }

    #[test]
    fn iou_of_intervals() {
        assert_eq!(interval_iou((0.0, 4.0), (1.0, 5.0)), 0.6); // 3 / 5
        assert_eq!(interval_iou((0.0, 2.0), (0.0, 4.0)), 0.5); // 2 / 4
        assert_eq!(interval_iou((0.0, 1.0), (1.0, 2.0)), 0.0); // touching
        assert_eq!(interval_iou((1.0, 1.0), (1.0, 1.0)), 0.0); // zero length
        assert_eq!(interval_iou((0.0, f64::NAN), (0.0, 1.0)), 0.0);
    }

    /// The naive rule the matching must beat: each reference in time order takes the free
    /// detection with its highest IoU (at least `min_iou`). Returns the number of matches.
    fn naive_in_order(reference: &[RepInterval], detected: &[RepInterval], min_iou: f64) -> usize {
        let iou = |a: &RepInterval, b: &RepInterval| {
            interval_iou((a.start_s, a.end_s), (b.start_s, b.end_s))
        };
        let mut used = vec![false; detected.len()];
        let mut matches = 0;
        for r in reference {
            let best = (0..detected.len())
                .filter(|&d| !used[d] && iou(r, &detected[d]) >= min_iou)
                .max_by(|&a, &b| iou(r, &detected[a]).total_cmp(&iou(r, &detected[b])));
            if let Some(d) = best {
                used[d] = true;
                matches += 1;
            }
        }
        matches
    }

    #[test]
    fn highest_iou_first_beats_in_order() {
        // References A = [0, 4], B = [2, 5]; detections x = [1, 5], y = [0, 2]; threshold 0.5.
        // IoU: A–x = 3/5 = 0.6, B–x = 3/4 = 0.75, A–y = 2/4 = 0.5, B–y = 0 (touching).
        // In order (A takes its best, x) B is left with nothing: 1 match.
        // Highest first: B–x (0.75), then A–x is taken, then A–y (0.5, exactly the threshold):
        // 2 matches. Mean IoU matched = (0.5 + 0.75) / 2 = 0.625 = mean over all references.
        let (reference, detected) = ([iv(0.0, 4.0), iv(2.0, 5.0)], [iv(1.0, 5.0), iv(0.0, 2.0)]);
        assert_eq!(naive_in_order(&reference, &detected, 0.5), 1);
        let s = RepScorer::default()
            .score(&reference, &detected)
            .expect("valid input");
        let i = intervals(&s);
        let pairs: Vec<(usize, usize, f64)> = i
            .pairs
            .iter()
            .map(|p| (p.reference, p.detected, p.iou))
            .collect();
        assert_eq!(pairs, vec![(0, 1, 0.5), (1, 0, 0.75)]);
        assert_eq!(counts(&i.detection), (2, 0, 0));
        assert_eq!(i.mean_iou_matched, Some(0.625));
        assert_eq!(i.mean_iou_all_references, Some(0.625));
        assert_eq!(s.count_error, 0);
    }

    #[test]
    fn mean_iou_counts_and_holds() {
        // References [0, 2] hold 1.0, [3, 5] hold 0.5, [6, 8] hold 0.0.
        // Detections [0, 2] hold 1.5, [3.5, 5] hold 0.25, [10, 11] (no hold).
        // IoU: [0, 2]–[0, 2] = 1; [3, 5]–[3.5, 5] = 1.5 / 2 = 0.75; [6, 8] has no overlap.
        // TP 2, FP 1 ([10, 11]), FN 1 ([6, 8]): P = R = 2/3, F1 = 4 / (4 + 1 + 1) = 2/3.
        // Mean IoU matched (1 + 0.75) / 2 = 0.875; over all references (1 + 0.75 + 0) / 3.
        // Count error 3 − 3 = 0.
        // Hold errors (detected − reference): +0.5, −0.25: bias 0.125, MAE 0.375,
        // SD = sqrt((0.375² + 0.375²) / 1) = 0.375·√2.
        let reference = [
            iv(0.0, 2.0).with_hold_s(1.0),
            iv(3.0, 5.0).with_hold_s(0.5),
            iv(6.0, 8.0).with_hold_s(0.0),
        ];
        let detected = [
            iv(0.0, 2.0).with_hold_s(1.5),
            iv(3.5, 5.0).with_hold_s(0.25),
            iv(10.0, 11.0),
        ];
        let s = RepScorer::default()
            .score(&reference, &detected)
            .expect("valid input");
        assert_eq!(
            (s.reference_count, s.detected_count, s.count_error),
            (3, 3, 0)
        );
        let i = intervals(&s);
        assert_eq!(counts(&i.detection), (2, 1, 1));
        assert!(close_opt(Some(i.detection.f1), 2.0 / 3.0));
        assert_eq!(i.mean_iou_matched, Some(0.875));
        assert!(close_opt(i.mean_iou_all_references, 1.75 / 3.0));
        assert_eq!(i.hold_error.count, 2);
        assert_eq!(i.hold_error.mean_s, Some(0.125));
        assert_eq!(i.hold_error.mae_s, Some(0.375));
        assert!(close_opt(i.hold_error.sd_s, 0.375 * 2f64.sqrt()));
        assert_eq!(i.pairs[0].hold_error_s, Some(0.5));
    }

    #[test]
    fn threshold_and_ties() {
        // [0, 2]–[1, 3]: IoU 1/3, below the default 0.5: no match, count error 0.
        let s = RepScorer::default()
            .score(&[iv(0.0, 2.0)], &[iv(1.0, 3.0)])
            .expect("valid input");
        assert_eq!(counts(&intervals(&s).detection), (0, 1, 1));
        assert_eq!(intervals(&s).mean_iou_matched, None);
        assert_eq!(intervals(&s).mean_iou_all_references, Some(0.0));

        // Detection [1, 3] overlaps [0, 2] and [2, 4] equally (IoU 1/3 each, computed the same
        // way); at threshold 0.3 the tie goes to the earlier reference, [0, 2], whatever its
        // position.
        let m =
            match_reps(&[iv(2.0, 4.0), iv(0.0, 2.0)], &[iv(1.0, 3.0)], 0.3).expect("valid input");
        assert_eq!((m.pairs[0].reference, m.pairs[0].detected), (1, 0));
        assert_eq!(m.missed_references, vec![0]);

        // Two detections equally overlapping one reference: the earlier detection wins.
        let m =
            match_reps(&[iv(1.0, 3.0)], &[iv(2.0, 4.0), iv(0.0, 2.0)], 0.3).expect("valid input");
        assert_eq!((m.pairs[0].reference, m.pairs[0].detected), (0, 1));
        assert_eq!(m.false_detections, vec![0]);
    }

    #[test]
    fn empty_inputs() {
        // Nothing on either side: P = R = F1 = 1, no IoU, count error 0.
        let s = RepScorer::default().score(&[], &[]).expect("valid input");
        let i = intervals(&s);
        assert_eq!((i.detection.precision, i.detection.f1), (1.0, 1.0));
        assert_eq!(
            (i.mean_iou_matched, i.mean_iou_all_references),
            (None, None)
        );
        assert_eq!(s.count_error, 0);

        // Two references, nothing detected: count error −2, mean IoU over all references 0.
        let s = RepScorer::default()
            .score(&[iv(0.0, 1.0), iv(2.0, 3.0)], &[])
            .expect("valid input");
        assert_eq!(s.count_error, -2);
        assert_eq!(counts(&intervals(&s).detection), (0, 0, 2));
        assert_eq!(intervals(&s).mean_iou_all_references, Some(0.0));

        // Nothing to pool.
        let p = pool_reps(&[]).expect("valid input");
        assert_eq!(p.recordings, 0);
        assert_eq!(
            (p.count_mae, p.exact_count_rate, p.intervals),
            (None, None, None)
        );
    }

    #[test]
    fn count_metrics_over_recordings() {
        // A: intervals, 3 references and 3 detections (error 0).
        // B: count-only, 10 reference, 9 detected (error −1).
        // C: count-only, 10 reference, 12 detected (error +2).
        // D: count-only, 5 and 5 (error 0).
        // Count MAE (0 + 1 + 2 + 0) / 4 = 0.75; exact 2/4; |error| ≤ 1: 3/4;
        // mean signed (0 − 1 + 2 + 0) / 4 = 0.25. Interval metrics from A only.
        let scorer = RepScorer::default();
        let a = scorer
            .score(
                &[iv(0.0, 1.0), iv(2.0, 3.0), iv(4.0, 5.0)],
                &[iv(0.0, 1.0), iv(2.0, 3.0), iv(4.0, 5.0)],
            )
            .expect("valid input");
        let scores = [
            a,
            scorer.score_count(10, 9),
            scorer.score_count(10, 12),
            scorer.score_count(5, 5),
        ];
        let p = pool_reps(&scores).expect("valid input");
        assert_eq!(
            (p.recordings, p.reference_count, p.detected_count),
            (4, 28, 29)
        );
        assert_eq!(p.count_mae, Some(0.75));
        assert_eq!(p.exact_count_rate, Some(0.5));
        assert_eq!(p.off_by_one_rate, Some(0.75));
        assert_eq!(p.mean_count_error, Some(0.25));
        let i = p.intervals.expect("A has intervals");
        assert_eq!(i.recordings, 1);
        assert_eq!(counts(&i.detection), (3, 0, 0));
        assert_eq!(i.mean_iou_matched, Some(1.0));

        // Count-only recordings alone: no interval metrics.
        let p = pool_reps(&scores[1..]).expect("valid input");
        assert_eq!(p.intervals, None);
        assert!(close_opt(p.count_mae, 1.0));
    }

    #[test]
    fn pooled_intervals_micro_and_macro() {
        // Recording 1 (highest_iou_first_beats_in_order): IoUs 0.5, 0.75; TP 2, FP 0, FN 0,
        // 2 references, F1 1, no holds.
        // Recording 2 (mean_iou_counts_and_holds): IoUs 1, 0.75; TP 2, FP 1, FN 1,
        // 3 references, F1 2/3, hold errors +0.5, −0.25.
        // Micro: TP 4, FP 1, FN 1 → P = R = F1 = 4/5. Macro F1 (1 + 2/3) / 2 = 5/6.
        // Mean IoU matched (0.5 + 0.75 + 1 + 0.75) / 4 = 0.75; over all 5 references 3/5.
        // Hold errors: bias 0.125, MAE 0.375.
        let scorer = RepScorer::default();
        let one = scorer
            .score(&[iv(0.0, 4.0), iv(2.0, 5.0)], &[iv(1.0, 5.0), iv(0.0, 2.0)])
            .expect("valid input");
        let two = scorer
            .score(
                &[
                    iv(0.0, 2.0).with_hold_s(1.0),
                    iv(3.0, 5.0).with_hold_s(0.5),
                    iv(6.0, 8.0),
                ],
                &[
                    iv(0.0, 2.0).with_hold_s(1.5),
                    iv(3.5, 5.0).with_hold_s(0.25),
                    iv(10.0, 11.0),
                ],
            )
            .expect("valid input");
        let p = pool_reps(&[one.clone(), two]).expect("valid input");
        let i = p.intervals.expect("intervals");
        assert_eq!(i.recordings, 2);
        assert_eq!(counts(&i.detection), (4, 1, 1));
        assert!(close_opt(Some(i.detection.f1), 0.8));
        assert!(close_opt(i.macro_f1, 5.0 / 6.0));
        assert_eq!(i.mean_iou_matched, Some(0.75));
        assert!(close_opt(i.mean_iou_all_references, 0.6));
        assert_eq!(i.hold_error.mean_s, Some(0.125));
        assert_eq!(i.hold_error.mae_s, Some(0.375));

        // A different threshold cannot be pooled.
        let other = RepScorer { min_iou: 0.3 }
            .score(&[], &[])
            .expect("valid input");
        assert_eq!(
            pool_reps(&[one, other]),
            Err(ScoreError::MismatchedSettings {
                index: 1,
                what: "IoU threshold"
            })
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for min_iou in [0.0, -0.5, 1.5, f64::NAN] {
            assert!(matches!(
                match_reps(&[], &[], min_iou),
                Err(ScoreError::InvalidIouThreshold { .. })
            ));
        }
        assert!(RepScorer { min_iou: 1.0 }.validate().is_ok());
        assert_eq!(
            RepScorer::default().score(&[iv(2.0, 1.0)], &[]),
            Err(ScoreError::InvalidInterval {
                what: "reference",
                index: 0,
                start_s: 2.0,
                end_s: 1.0
            })
        );
        assert!(matches!(
            RepScorer::default().score(&[], &[iv(0.0, 1.0), iv(f64::NAN, 1.0)]),
            Err(ScoreError::InvalidInterval {
                what: "detection",
                index: 1,
                ..
            })
        ));
        assert!(matches!(
            RepScorer::default().score(&[iv(0.0, 1.0).with_hold_s(-1.0)], &[]),
            Err(ScoreError::InvalidHold {
                what: "reference",
                index: 0,
                ..
            })
        ));
        // Zero-length reps are valid input but never match.
        let s = RepScorer::default()
            .score(&[iv(1.0, 1.0)], &[iv(1.0, 1.0)])
            .expect("valid input");
        assert_eq!(counts(&intervals(&s).detection), (0, 1, 1));
    }

    /// Per-set counts by hand: reps between two sets go to the nearer one (split halfway),
    /// reps before the first and after the last set to those; one set adds nothing; the
    /// pool counts sets, not recordings.
    #[test]
    fn set_counts_split_halfway_and_pool_by_set() {
        let scorer = RepScorer::default();
        // Sets 0–10 s (4 reps) and 20–30 s (3 reps); detections centred at 1, 5, 9, 14.9
        // (nearer the first set), 15.1, 25 and 40 s.
        let det: Vec<RepInterval> = [1.0, 5.0, 9.0, 14.9, 15.1, 25.0, 40.0]
            .iter()
            .map(|&m| iv(m - 0.5, m + 0.5))
            .collect();
        let sets = [(0.0, 10.0, 4), (20.0, 30.0, 3)];
        let a = scorer.score_count(7, det.len()).with_sets(&sets, &det);
        let got: Vec<(usize, usize)> = a
            .sets
            .iter()
            .map(|c| (c.reference_count, c.detected_count))
            .collect();
        assert_eq!(got, [(4, 4), (3, 3)]);
        assert!(scorer
            .score_count(4, 2)
            .with_sets(&sets[..1], &det)
            .sets
            .is_empty());
        // A second recording with one set off by two and one off by one.
        let b = scorer
            .score_count(10, 7)
            .with_sets(&[(0.0, 10.0, 5), (20.0, 30.0, 5)], &det);
        let errors: Vec<i64> = b.sets.iter().map(SetCount::count_error).collect();
        assert_eq!(errors, [-1, -2]);
        let pooled = pool_reps(&[a, b]).expect("pools");
        let sets = pooled.sets.expect("sets");
        assert_eq!(sets.sets, 4);
        assert!((sets.count_mae - 0.75).abs() < EPS);
        assert!((sets.exact_count_rate - 0.5).abs() < EPS);
        assert!((sets.off_by_one_rate - 0.75).abs() < EPS);
        let none = pool_reps(&[scorer.score_count(3, 3)]).expect("pools");
        assert_eq!(none.sets, None);
    }
}
