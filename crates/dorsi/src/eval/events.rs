//! Gait events and strides: one-to-one matching of detections to reference labels within a
//! timing tolerance, and the metrics of the matching.
//!
//! # Matching
//!
//! Every (reference, detection) pair closer than the tolerance is a candidate. The candidates
//! are taken nearest first (global greedy over all pairs sorted by the timing error), and a
//! pair is kept when neither side is matched yet. Ties are broken by the earlier reference, then
//! the earlier detection, then the position in the input. The input order does not matter:
//! times may come unsorted; pairs and indices refer to positions in the slices given.
//!
//! A time is within the tolerance when `|detected − reference| ≤ tolerance_s + TIME_SLACK_S`;
//! the slack of 1 ns ([`TIME_SLACK_S`]) only absorbs floating-point rounding, so that a detection
//! at 1.05 s is within 50 ms of a reference at 1.00 s.
//!
//! Strides (intervals `(start_s, end_s)`) match when *both* borders are within the tolerance,
//! nearest first by the sum of the two border errors.
//!
//! # The annotated span
//!
//! When labels cover only part of a recording, pass the span `(start_s, end_s)` they cover
//! (both ends included):
//! - references outside the span are dropped (counted in `ignored_references`);
//! - detections outside the span are never false positives. A detection just outside, within
//!   the tolerance of the span border, may still match a reference inside (a detector 10 ms
//!   early on the first labelled heel strike is right); when it matches nothing it is ignored
//!   like any detection outside the span (counted in `ignored_detections`).
//!
//! A stride is inside the span when both its borders are.
//!
//! # Metrics
//!
//! See [`DetectionScore`] for precision, recall and F1 (and their 0/0 conventions) and
//! [`ErrorStats`] for the timing error (detected − reference, s).

use serde::Serialize;

use super::ScoreError;

/// The default tolerances, s: 30, 50, 100 and 250 ms.
pub const DEFAULT_TOLERANCES_S: [f64; 4] = [0.030, 0.050, 0.100, 0.250];

/// Slack added to every tolerance and span border comparison, s (1 ns): it absorbs
/// floating-point rounding only (`1.05 - 1.0` is `0.050000000000000044`).
pub const TIME_SLACK_S: f64 = 1e-9;

/// True positives, false positives and false negatives with precision, recall and F1.
///
/// Conventions for the undefined cases:
/// - nothing to find and nothing found (TP = FP = FN = 0): precision, recall and F1 are all 1
///   (the detector did exactly right);
/// - otherwise a 0/0 ratio is 0: no detections gives precision 0, no references gives recall 0,
///   and F1 is 0 whenever nothing matched.
///
/// F1 is computed as `2·TP / (2·TP + FP + FN)`, the harmonic mean of precision and recall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectionScore {
    /// Detections matched to a reference.
    pub true_positives: usize,
    /// Detections matched to no reference (inside the annotated span).
    pub false_positives: usize,
    /// References matched to no detection.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// 2·TP / (2·TP + FP + FN).
    pub f1: f64,
}

impl DetectionScore {
    /// The score of the given counts, with the conventions of the type.
    ///
    /// ```
    /// use dorsi::eval::DetectionScore;
    /// let s = DetectionScore::from_counts(3, 1, 0);
    /// assert_eq!((s.precision, s.recall, s.f1), (0.75, 1.0, 6.0 / 7.0));
    /// assert_eq!(DetectionScore::from_counts(0, 0, 0).f1, 1.0);
    /// assert_eq!(DetectionScore::from_counts(0, 0, 2).precision, 0.0);
    /// ```
    pub fn from_counts(
        true_positives: usize,
        false_positives: usize,
        false_negatives: usize,
    ) -> Self {
        let tp = true_positives as f64;
        let fp = false_positives as f64;
        let fn_ = false_negatives as f64;
        let (precision, recall, f1) = if true_positives + false_positives + false_negatives == 0 {
            (1.0, 1.0, 1.0)
        } else {
            (
                ratio_or_zero(tp, tp + fp),
                ratio_or_zero(tp, tp + fn_),
                ratio_or_zero(2.0 * tp, 2.0 * tp + fp + fn_),
            )
        };
        DetectionScore {
            true_positives,
            false_positives,
            false_negatives,
            precision,
            recall,
            f1,
        }
    }
}

fn ratio_or_zero(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Summary of signed errors (detected − reference), s.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorStats {
    /// Number of errors summarised (matched pairs).
    pub count: usize,
    /// Mean signed error (the bias; positive = detections late), s; `None` without errors.
    pub mean_s: Option<f64>,
    /// Mean absolute error, s; `None` without errors.
    pub mae_s: Option<f64>,
    /// Sample standard deviation (n − 1) of the signed error, s; `None` with fewer than two.
    pub sd_s: Option<f64>,
}

impl ErrorStats {
    /// The summary of the finite values of `errors_s` (non-finite values are left out).
    ///
    /// ```
    /// use dorsi::eval::ErrorStats;
    /// let e = ErrorStats::from_errors_s(&[0.5, -0.5]);
    /// assert_eq!((e.mean_s, e.mae_s), (Some(0.0), Some(0.5)));
    /// assert_eq!(e.sd_s, Some(0.5f64.sqrt()));
    /// assert_eq!(ErrorStats::from_errors_s(&[]).mean_s, None);
    /// ```
    pub fn from_errors_s(errors_s: &[f64]) -> Self {
        let finite: Vec<f64> = errors_s.iter().copied().filter(|e| e.is_finite()).collect();
        let count = finite.len();
        if count == 0 {
            return ErrorStats {
                count,
                mean_s: None,
                mae_s: None,
                sd_s: None,
            };
        }
        let n = count as f64;
        let mean = finite.iter().sum::<f64>() / n;
        let mae = finite.iter().map(|e| e.abs()).sum::<f64>() / n;
        let sd = (count >= 2).then(|| {
            let ss: f64 = finite.iter().map(|e| (e - mean) * (e - mean)).sum();
            (ss / (n - 1.0)).sqrt()
        });
        ErrorStats {
            count,
            mean_s: Some(mean),
            mae_s: Some(mae),
            sd_s: sd,
        }
    }
}

/// A matched (reference, detection) event pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EventPair {
    /// Position of the reference in the reference slice.
    pub reference: usize,
    /// Position of the detection in the detection slice.
    pub detected: usize,
    /// Reference time, s.
    pub reference_s: f64,
    /// Detected time, s.
    pub detected_s: f64,
    /// Detected − reference, s.
    pub error_s: f64,
}

/// The one-to-one matching of events at one tolerance. Indices are positions in the slices
/// given to [`match_events`], each list in ascending order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMatching {
    /// The tolerance, s.
    pub tolerance_s: f64,
    /// Matched pairs, by reference time.
    pub pairs: Vec<EventPair>,
    /// References inside the span matched to no detection (false negatives).
    pub missed_references: Vec<usize>,
    /// Detections inside the span matched to no reference (false positives).
    pub false_detections: Vec<usize>,
    /// References outside the annotated span (dropped).
    pub ignored_references: Vec<usize>,
    /// Detections outside the annotated span and matched to nothing (not false positives).
    pub ignored_detections: Vec<usize>,
}

/// Event metrics at one tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMetrics {
    /// The tolerance, s.
    pub tolerance_s: f64,
    /// TP, FP, FN, precision, recall, F1.
    #[serde(flatten)]
    pub detection: DetectionScore,
    /// Timing error of the matched pairs (detected − reference), s.
    pub timing_error: ErrorStats,
    /// References outside the annotated span (dropped).
    pub ignored_references: usize,
    /// Detections outside the annotated span and matched to nothing.
    pub ignored_detections: usize,
    /// The matched pairs, by reference time.
    pub pairs: Vec<EventPair>,
}

impl EventMatching {
    /// The metrics of this matching.
    pub fn metrics(&self) -> EventMetrics {
        let errors: Vec<f64> = self.pairs.iter().map(|p| p.error_s).collect();
        EventMetrics {
            tolerance_s: self.tolerance_s,
            detection: DetectionScore::from_counts(
                self.pairs.len(),
                self.false_detections.len(),
                self.missed_references.len(),
            ),
            timing_error: ErrorStats::from_errors_s(&errors),
            ignored_references: self.ignored_references.len(),
            ignored_detections: self.ignored_detections.len(),
            pairs: self.pairs.clone(),
        }
    }
}

/// Event scores of one recording at every tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventScore {
    /// References inside the annotated span.
    pub reference_count: usize,
    /// Detections inside the annotated span.
    pub detected_count: usize,
    /// One entry per tolerance, in the order given.
    pub per_tolerance: Vec<EventMetrics>,
}

/// A matched (reference, detection) stride pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StridePair {
    /// Position of the reference in the reference slice.
    pub reference: usize,
    /// Position of the detection in the detection slice.
    pub detected: usize,
    /// Detected − reference start, s.
    pub start_error_s: f64,
    /// Detected − reference end, s.
    pub end_error_s: f64,
}

/// The one-to-one matching of strides at one tolerance. Indices are positions in the slices
/// given to [`match_strides`], each list in ascending order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideMatching {
    /// The tolerance, s (applies to each border).
    pub tolerance_s: f64,
    /// Matched pairs, by reference start.
    pub pairs: Vec<StridePair>,
    /// References inside the span matched to no detection (false negatives).
    pub missed_references: Vec<usize>,
    /// Detections inside the span matched to no reference (false positives).
    pub false_detections: Vec<usize>,
    /// References not wholly inside the annotated span (dropped).
    pub ignored_references: Vec<usize>,
    /// Detections not wholly inside the annotated span and matched to nothing.
    pub ignored_detections: Vec<usize>,
}

/// Stride metrics at one tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideMetrics {
    /// The tolerance, s (applies to each border).
    pub tolerance_s: f64,
    /// TP, FP, FN, precision, recall, F1.
    #[serde(flatten)]
    pub detection: DetectionScore,
    /// Error of the start of matched strides (detected − reference), s.
    pub start_error: ErrorStats,
    /// Error of the end of matched strides (detected − reference), s.
    pub end_error: ErrorStats,
    /// References not wholly inside the annotated span (dropped).
    pub ignored_references: usize,
    /// Detections not wholly inside the annotated span and matched to nothing.
    pub ignored_detections: usize,
    /// The matched pairs, by reference start.
    pub pairs: Vec<StridePair>,
}

impl StrideMatching {
    /// The metrics of this matching.
    pub fn metrics(&self) -> StrideMetrics {
        let starts: Vec<f64> = self.pairs.iter().map(|p| p.start_error_s).collect();
        let ends: Vec<f64> = self.pairs.iter().map(|p| p.end_error_s).collect();
        StrideMetrics {
            tolerance_s: self.tolerance_s,
            detection: DetectionScore::from_counts(
                self.pairs.len(),
                self.false_detections.len(),
                self.missed_references.len(),
            ),
            start_error: ErrorStats::from_errors_s(&starts),
            end_error: ErrorStats::from_errors_s(&ends),
            ignored_references: self.ignored_references.len(),
            ignored_detections: self.ignored_detections.len(),
            pairs: self.pairs.clone(),
        }
    }
}

/// Stride scores of one recording at every tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideScore {
    /// Reference strides wholly inside the annotated span.
    pub reference_count: usize,
    /// Detected strides wholly inside the annotated span.
    pub detected_count: usize,
    /// One entry per tolerance, in the order given.
    pub per_tolerance: Vec<StrideMetrics>,
}

/// Event or stride metrics pooled over recordings at one tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledEventMetrics {
    /// The tolerance, s.
    pub tolerance_s: f64,
    /// Micro average: TP, FP and FN summed over the recordings, then precision, recall, F1.
    #[serde(flatten)]
    pub detection: DetectionScore,
    /// Macro average: the mean of the per-recording F1; `None` without recordings.
    pub macro_f1: Option<f64>,
    /// Timing error of all matched pairs of all recordings (for strides: the start), s.
    pub timing_error: ErrorStats,
    /// For strides, the error of the end of all matched pairs, s; `None` for events.
    pub end_error: Option<ErrorStats>,
}

/// Event or stride scores pooled over recordings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledEventScore {
    /// Number of recordings pooled.
    pub recordings: usize,
    /// References in all recordings (inside their spans).
    pub reference_count: usize,
    /// Detections in all recordings (inside their spans).
    pub detected_count: usize,
    /// One entry per tolerance, in the order the recordings were scored with.
    pub per_tolerance: Vec<PooledEventMetrics>,
}

/// Event and stride scoring at several tolerances.
///
/// ```
/// use dorsi::eval::EventScorer;
/// let score = EventScorer::default().score(&[1.0, 2.0], &[1.04, 2.2], None)?;
/// let at_50ms = &score.per_tolerance[1];
/// assert_eq!(at_50ms.tolerance_s, 0.050);
/// assert_eq!(at_50ms.detection.true_positives, 1);
/// # Ok::<(), dorsi::eval::ScoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventScorer {
    /// Tolerances, s (finite, ≥ 0); default [`DEFAULT_TOLERANCES_S`]. An empty list gives
    /// scores with no tolerance entries.
    pub tolerances_s: Vec<f64>,
}

impl Default for EventScorer {
    fn default() -> Self {
        EventScorer {
            tolerances_s: DEFAULT_TOLERANCES_S.to_vec(),
        }
    }
}

impl EventScorer {
    /// Checks every tolerance is finite and non-negative.
    pub fn validate(&self) -> Result<(), ScoreError> {
        self.tolerances_s
            .iter()
            .try_for_each(|&t| check_tolerance(t))
    }

    /// Scores detected event times against reference times at every tolerance; `span_s`
    /// restricts scoring to the annotated span (see the module docs).
    pub fn score(
        &self,
        reference_s: &[f64],
        detected_s: &[f64],
        span_s: Option<(f64, f64)>,
    ) -> Result<EventScore, ScoreError> {
        self.validate()?;
        check_span(span_s)?;
        check_times("reference", reference_s)?;
        check_times("detection", detected_s)?;
        let per_tolerance = self
            .tolerances_s
            .iter()
            .map(|&t| match_events(reference_s, detected_s, t, span_s).map(|m| m.metrics()))
            .collect::<Result<Vec<_>, _>>()?;
        let inside = Scope::new(span_s, 0.0);
        Ok(EventScore {
            reference_count: reference_s.iter().filter(|&&t| inside.contains(t)).count(),
            detected_count: detected_s.iter().filter(|&&t| inside.contains(t)).count(),
            per_tolerance,
        })
    }

    /// Scores detected strides `(start_s, end_s)` against reference strides at every
    /// tolerance; both borders must be within the tolerance. `span_s` as for events.
    pub fn score_strides(
        &self,
        reference: &[(f64, f64)],
        detected: &[(f64, f64)],
        span_s: Option<(f64, f64)>,
    ) -> Result<StrideScore, ScoreError> {
        self.validate()?;
        check_span(span_s)?;
        check_intervals("reference", reference)?;
        check_intervals("detection", detected)?;
        let per_tolerance = self
            .tolerances_s
            .iter()
            .map(|&t| match_strides(reference, detected, t, span_s).map(|m| m.metrics()))
            .collect::<Result<Vec<_>, _>>()?;
        let inside = Scope::new(span_s, 0.0);
        Ok(StrideScore {
            reference_count: reference
                .iter()
                .filter(|&&s| inside.contains_interval(s))
                .count(),
            detected_count: detected
                .iter()
                .filter(|&&s| inside.contains_interval(s))
                .count(),
            per_tolerance,
        })
    }
}

/// Matches detected event times to reference times one-to-one within `tolerance_s`, nearest
/// pairs first (see the module docs for ties and the span convention).
///
/// Errors on a non-finite time, tolerance or span border, and on a span ending before it
/// starts.
///
/// ```
/// use dorsi::eval::match_events;
/// // 2.05 s is 50 ms from 2.0 s; nothing is within 100 ms of 1.0 s: one match, one miss.
/// let m = match_events(&[2.0, 1.0], &[2.05], 0.1, None)?;
/// assert_eq!((m.pairs[0].reference, m.pairs[0].detected), (0, 0));
/// assert_eq!(m.missed_references, vec![1]);
/// # Ok::<(), dorsi::eval::ScoreError>(())
/// ```
pub fn match_events(
    reference_s: &[f64],
    detected_s: &[f64],
    tolerance_s: f64,
    span_s: Option<(f64, f64)>,
) -> Result<EventMatching, ScoreError> {
    check_tolerance(tolerance_s)?;
    check_span(span_s)?;
    check_times("reference", reference_s)?;
    check_times("detection", detected_s)?;
    let inside = Scope::new(span_s, 0.0);
    let reachable = Scope::new(span_s, tolerance_s);

    let (refs, ignored_references): (Vec<usize>, Vec<usize>) =
        (0..reference_s.len()).partition(|&i| inside.contains(reference_s[i]));
    let mut dets: Vec<usize> = (0..detected_s.len())
        .filter(|&j| reachable.contains(detected_s[j]))
        .collect();
    dets.sort_by(|&a, &b| detected_s[a].total_cmp(&detected_s[b]).then(a.cmp(&b)));

    let reach_s = tolerance_s + TIME_SLACK_S;
    let mut candidates = Vec::new();
    for &r in &refs {
        let t = reference_s[r];
        let first = dets.partition_point(|&d| detected_s[d] < t - reach_s);
        for &d in &dets[first..] {
            let error = (detected_s[d] - t).abs();
            if detected_s[d] > t + reach_s {
                break;
            }
            if error <= reach_s {
                candidates.push(Candidate {
                    cost: error,
                    reference_key_s: t,
                    detected_key_s: detected_s[d],
                    reference: r,
                    detected: d,
                });
            }
        }
    }
    let matched = greedy_one_to_one(candidates, reference_s.len(), detected_s.len());

    let mut pairs: Vec<EventPair> = matched
        .iter()
        .map(|&(r, d)| EventPair {
            reference: r,
            detected: d,
            reference_s: reference_s[r],
            detected_s: detected_s[d],
            error_s: detected_s[d] - reference_s[r],
        })
        .collect();
    pairs.sort_by(|a, b| {
        a.reference_s
            .total_cmp(&b.reference_s)
            .then(a.reference.cmp(&b.reference))
    });

    let (ref_used, det_used) = used_flags(&matched, reference_s.len(), detected_s.len());
    let missed_references = refs.into_iter().filter(|&r| !ref_used[r]).collect();
    let (false_detections, ignored_detections): (Vec<usize>, Vec<usize>) = (0..detected_s.len())
        .filter(|&d| !det_used[d])
        .partition(|&d| inside.contains(detected_s[d]));
    Ok(EventMatching {
        tolerance_s,
        pairs,
        missed_references,
        false_detections,
        ignored_references,
        ignored_detections,
    })
}

/// Matches detected strides `(start_s, end_s)` to reference strides one-to-one: a pair needs
/// both borders within `tolerance_s`; pairs with the smallest sum of the two border errors are
/// taken first, ties broken by the earlier reference start, then the earlier detection start.
///
/// A stride counts as inside `span_s` when both borders are (see the module docs). Errors on a
/// non-finite border or a stride ending before it starts, and as [`match_events`].
pub fn match_strides(
    reference: &[(f64, f64)],
    detected: &[(f64, f64)],
    tolerance_s: f64,
    span_s: Option<(f64, f64)>,
) -> Result<StrideMatching, ScoreError> {
    check_tolerance(tolerance_s)?;
    check_span(span_s)?;
    check_intervals("reference", reference)?;
    check_intervals("detection", detected)?;
    let inside = Scope::new(span_s, 0.0);
    let reachable = Scope::new(span_s, tolerance_s);

    let (refs, ignored_references): (Vec<usize>, Vec<usize>) =
        (0..reference.len()).partition(|&i| inside.contains_interval(reference[i]));
    let mut dets: Vec<usize> = (0..detected.len())
        .filter(|&j| reachable.contains_interval(detected[j]))
        .collect();
    dets.sort_by(|&a, &b| detected[a].0.total_cmp(&detected[b].0).then(a.cmp(&b)));

    let reach_s = tolerance_s + TIME_SLACK_S;
    let mut candidates = Vec::new();
    for &r in &refs {
        let (start, end) = reference[r];
        let first = dets.partition_point(|&d| detected[d].0 < start - reach_s);
        for &d in &dets[first..] {
            let (d_start, d_end) = detected[d];
            if d_start > start + reach_s {
                break;
            }
            let start_error = (d_start - start).abs();
            let end_error = (d_end - end).abs();
            if start_error <= reach_s && end_error <= reach_s {
                candidates.push(Candidate {
                    cost: start_error + end_error,
                    reference_key_s: start,
                    detected_key_s: d_start,
                    reference: r,
                    detected: d,
                });
            }
        }
    }
    let matched = greedy_one_to_one(candidates, reference.len(), detected.len());

    let mut pairs: Vec<StridePair> = matched
        .iter()
        .map(|&(r, d)| StridePair {
            reference: r,
            detected: d,
            start_error_s: detected[d].0 - reference[r].0,
            end_error_s: detected[d].1 - reference[r].1,
        })
        .collect();
    pairs.sort_by(|a, b| {
        reference[a.reference]
            .0
            .total_cmp(&reference[b.reference].0)
            .then(a.reference.cmp(&b.reference))
    });

    let (ref_used, det_used) = used_flags(&matched, reference.len(), detected.len());
    let missed_references = refs.into_iter().filter(|&r| !ref_used[r]).collect();
    let (false_detections, ignored_detections): (Vec<usize>, Vec<usize>) = (0..detected.len())
        .filter(|&d| !det_used[d])
        .partition(|&d| inside.contains_interval(detected[d]));
    Ok(StrideMatching {
        tolerance_s,
        pairs,
        missed_references,
        false_detections,
        ignored_references,
        ignored_detections,
    })
}

/// Pools event scores over recordings: TP, FP and FN summed and timing errors concatenated
/// (micro average), plus the mean of the per-recording F1 (macro average).
///
/// Every recording must have been scored with the same tolerances, in the same order
/// ([`ScoreError::MismatchedSettings`] otherwise). No recordings give an empty pooled score.
pub fn pool_events(scores: &[EventScore]) -> Result<PooledEventScore, ScoreError> {
    let tolerances: Vec<Vec<f64>> = scores
        .iter()
        .map(|s| s.per_tolerance.iter().map(|m| m.tolerance_s).collect())
        .collect();
    check_same_tolerances(&tolerances)?;
    let per_tolerance = (0..tolerances.first().map_or(0, Vec::len))
        .map(|k| {
            let metrics: Vec<&EventMetrics> = scores.iter().map(|s| &s.per_tolerance[k]).collect();
            let errors: Vec<f64> = metrics
                .iter()
                .flat_map(|m| m.pairs.iter().map(|p| p.error_s))
                .collect();
            let detections: Vec<DetectionScore> = metrics.iter().map(|m| m.detection).collect();
            PooledEventMetrics {
                tolerance_s: tolerances[0][k],
                detection: sum_detections(&detections),
                macro_f1: mean(detections.iter().map(|d| d.f1)),
                timing_error: ErrorStats::from_errors_s(&errors),
                end_error: None,
            }
        })
        .collect();
    Ok(PooledEventScore {
        recordings: scores.len(),
        reference_count: scores.iter().map(|s| s.reference_count).sum(),
        detected_count: scores.iter().map(|s| s.detected_count).sum(),
        per_tolerance,
    })
}

/// Pools stride scores over recordings like [`pool_events`]; `timing_error` is the error of
/// the start and `end_error` the error of the end.
pub fn pool_strides(scores: &[StrideScore]) -> Result<PooledEventScore, ScoreError> {
    let tolerances: Vec<Vec<f64>> = scores
        .iter()
        .map(|s| s.per_tolerance.iter().map(|m| m.tolerance_s).collect())
        .collect();
    check_same_tolerances(&tolerances)?;
    let per_tolerance = (0..tolerances.first().map_or(0, Vec::len))
        .map(|k| {
            let metrics: Vec<&StrideMetrics> = scores.iter().map(|s| &s.per_tolerance[k]).collect();
            let starts: Vec<f64> = metrics
                .iter()
                .flat_map(|m| m.pairs.iter().map(|p| p.start_error_s))
                .collect();
            let ends: Vec<f64> = metrics
                .iter()
                .flat_map(|m| m.pairs.iter().map(|p| p.end_error_s))
                .collect();
            let detections: Vec<DetectionScore> = metrics.iter().map(|m| m.detection).collect();
            PooledEventMetrics {
                tolerance_s: tolerances[0][k],
                detection: sum_detections(&detections),
                macro_f1: mean(detections.iter().map(|d| d.f1)),
                timing_error: ErrorStats::from_errors_s(&starts),
                end_error: Some(ErrorStats::from_errors_s(&ends)),
            }
        })
        .collect();
    Ok(PooledEventScore {
        recordings: scores.len(),
        reference_count: scores.iter().map(|s| s.reference_count).sum(),
        detected_count: scores.iter().map(|s| s.detected_count).sum(),
        per_tolerance,
    })
}

/// The [`DetectionScore`] of the summed counts.
pub(crate) fn sum_detections(scores: &[DetectionScore]) -> DetectionScore {
    DetectionScore::from_counts(
        scores.iter().map(|d| d.true_positives).sum(),
        scores.iter().map(|d| d.false_positives).sum(),
        scores.iter().map(|d| d.false_negatives).sum(),
    )
}

/// The mean of the values; `None` when there are none.
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn check_same_tolerances(tolerances: &[Vec<f64>]) -> Result<(), ScoreError> {
    match tolerances.iter().position(|t| t != &tolerances[0]) {
        Some(index) => Err(ScoreError::MismatchedSettings {
            index,
            what: "tolerances",
        }),
        None => Ok(()),
    }
}

/// A candidate pair for [`greedy_one_to_one`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    /// Smaller is matched first.
    pub(crate) cost: f64,
    /// First tie-break: the earlier reference.
    pub(crate) reference_key_s: f64,
    /// Second tie-break: the earlier detection.
    pub(crate) detected_key_s: f64,
    /// Position of the reference.
    pub(crate) reference: usize,
    /// Position of the detection.
    pub(crate) detected: usize,
}

/// Takes candidates by ascending cost (ties: earlier reference, earlier detection, then input
/// position), keeping each pair whose reference and detection are both still free. Returns the
/// kept (reference, detection) pairs in the order taken.
pub(crate) fn greedy_one_to_one(
    mut candidates: Vec<Candidate>,
    reference_len: usize,
    detected_len: usize,
) -> Vec<(usize, usize)> {
    candidates.sort_by(|a, b| {
        a.cost
            .total_cmp(&b.cost)
            .then(a.reference_key_s.total_cmp(&b.reference_key_s))
            .then(a.detected_key_s.total_cmp(&b.detected_key_s))
            .then(a.reference.cmp(&b.reference))
            .then(a.detected.cmp(&b.detected))
    });
    let mut ref_used = vec![false; reference_len];
    let mut det_used = vec![false; detected_len];
    let mut matched = Vec::new();
    for c in candidates {
        if !ref_used[c.reference] && !det_used[c.detected] {
            ref_used[c.reference] = true;
            det_used[c.detected] = true;
            matched.push((c.reference, c.detected));
        }
    }
    matched
}

/// Which references and detections appear in `matched`.
pub(crate) fn used_flags(
    matched: &[(usize, usize)],
    reference_len: usize,
    detected_len: usize,
) -> (Vec<bool>, Vec<bool>) {
    let mut ref_used = vec![false; reference_len];
    let mut det_used = vec![false; detected_len];
    for &(r, d) in matched {
        ref_used[r] = true;
        det_used[d] = true;
    }
    (ref_used, det_used)
}

/// The annotated span widened by a margin (everything when there is no span).
struct Scope {
    bounds: Option<(f64, f64)>,
}

impl Scope {
    fn new(span_s: Option<(f64, f64)>, margin_s: f64) -> Self {
        Scope {
            bounds: span_s.map(|(start, end)| {
                (
                    start - margin_s - TIME_SLACK_S,
                    end + margin_s + TIME_SLACK_S,
                )
            }),
        }
    }

    fn contains(&self, t: f64) -> bool {
        self.bounds.is_none_or(|(lo, hi)| lo <= t && t <= hi)
    }

    fn contains_interval(&self, (start, end): (f64, f64)) -> bool {
        self.contains(start) && self.contains(end)
    }
}

fn check_tolerance(value: f64) -> Result<(), ScoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidTolerance { value })
    }
}

fn check_span(span_s: Option<(f64, f64)>) -> Result<(), ScoreError> {
    match span_s {
        Some((start_s, end_s))
            if !(start_s.is_finite() && end_s.is_finite() && start_s <= end_s) =>
        {
            Err(ScoreError::InvalidSpan { start_s, end_s })
        }
        _ => Ok(()),
    }
}

fn check_times(what: &'static str, times_s: &[f64]) -> Result<(), ScoreError> {
    match times_s.iter().position(|t| !t.is_finite()) {
        Some(index) => Err(ScoreError::NonFiniteTime {
            what,
            index,
            value: times_s[index],
        }),
        None => Ok(()),
    }
}

/// Checks every interval is finite and does not end before it starts.
pub(crate) fn check_intervals(
    what: &'static str,
    intervals: &[(f64, f64)],
) -> Result<(), ScoreError> {
    let bad = |&(start, end): &(f64, f64)| !(start.is_finite() && end.is_finite() && start <= end);
    match intervals.iter().position(bad) {
        Some(index) => Err(ScoreError::InvalidInterval {
            what,
            index,
            start_s: intervals[index].0,
            end_s: intervals[index].1,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS
    }

    fn close_opt(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| close(a, b))
    }

    /// Matched (reference, detection) indices, by reference time.
    fn pairs(m: &EventMatching) -> Vec<(usize, usize)> {
        m.pairs.iter().map(|p| (p.reference, p.detected)).collect()
    }

    fn counts(d: &DetectionScore) -> (usize, usize, usize) {
        (d.true_positives, d.false_positives, d.false_negatives)
    }

    const REF: [f64; 3] = [1.0, 2.0, 3.0];
    const DET: [f64; 4] = [1.02, 2.2, 2.9, 5.0];

    #[test]
    fn worked_example_at_every_default_tolerance() {
        // references [1.0, 2.0, 3.0], detections [1.02, 2.2, 2.9, 5.0].
        // |Δt| of the candidate pairs: 1.0–1.02: 0.02, 3.0–2.9: 0.1, 2.0–2.2: 0.2; 5.0 is far
        // from everything (≥ 2 s).
        let s = EventScorer::default()
            .score(&REF, &DET, None)
            .expect("valid input");
        assert_eq!((s.reference_count, s.detected_count), (3, 4));
        let tol: Vec<f64> = s.per_tolerance.iter().map(|m| m.tolerance_s).collect();
        assert_eq!(tol, DEFAULT_TOLERANCES_S.to_vec());

        // 30 ms and 50 ms: only 1.0–1.02. TP 1; FP 3 (2.2, 2.9, 5.0); FN 2 (2.0, 3.0).
        // P = 1/4, R = 1/3, F1 = 2·1 / (2·1 + 3 + 2) = 2/7. Error +0.02; one match: no SD.
        for m in &s.per_tolerance[..2] {
            assert_eq!(counts(&m.detection), (1, 3, 2));
            assert!(close(m.detection.precision, 0.25));
            assert!(close(m.detection.recall, 1.0 / 3.0));
            assert!(close(m.detection.f1, 2.0 / 7.0));
            assert_eq!(m.timing_error.count, 1);
            assert!(close_opt(m.timing_error.mean_s, 0.02));
            assert!(close_opt(m.timing_error.mae_s, 0.02));
            assert_eq!(m.timing_error.sd_s, None);
        }

        // 100 ms: also 3.0–2.9 (0.1, within the tolerance thanks to the 1 ns slack:
        // 3.0 − 2.9 = 0.10000000000000009 in f64). TP 2; FP 2 (2.2, 5.0); FN 1 (2.0).
        // P = 2/4, R = 2/3, F1 = 4 / (4 + 2 + 1) = 4/7.
        // Errors +0.02, −0.1: mean −0.04, MAE 0.06, SD = sqrt((0.06² + 0.06²) / 1) = 0.06·√2.
        let m = &s.per_tolerance[2];
        assert_eq!(counts(&m.detection), (2, 2, 1));
        assert!(close(m.detection.precision, 0.5));
        assert!(close(m.detection.recall, 2.0 / 3.0));
        assert!(close(m.detection.f1, 4.0 / 7.0));
        assert!(close_opt(m.timing_error.mean_s, -0.04));
        assert!(close_opt(m.timing_error.mae_s, 0.06));
        assert!(close_opt(m.timing_error.sd_s, 0.06 * 2f64.sqrt()));

        // 250 ms: also 2.0–2.2. TP 3; FP 1 (5.0); FN 0. P = 3/4, R = 1, F1 = 6/7.
        // Errors +0.02, +0.2, −0.1: mean 0.12/3 = 0.04, MAE 0.32/3;
        // deviations −0.02, 0.16, −0.14: SD = sqrt((0.0004 + 0.0256 + 0.0196) / 2) = sqrt(0.0228).
        let m = &s.per_tolerance[3];
        assert_eq!(counts(&m.detection), (3, 1, 0));
        assert!(close(m.detection.precision, 0.75));
        assert!(close(m.detection.recall, 1.0));
        assert!(close(m.detection.f1, 6.0 / 7.0));
        assert!(close_opt(m.timing_error.mean_s, 0.04));
        assert!(close_opt(m.timing_error.mae_s, 0.32 / 3.0));
        assert!(close_opt(m.timing_error.sd_s, 0.0228f64.sqrt()));
        assert_eq!(
            m.pairs
                .iter()
                .map(|p| (p.reference, p.detected))
                .collect::<Vec<_>>(),
            vec![(0, 0), (1, 1), (2, 2)]
        );
    }

    #[test]
    fn unsorted_input_gives_the_same_matching() {
        // The worked example with both sides shuffled: positions change, times do not.
        let reference = [3.0, 1.0, 2.0];
        let detected = [5.0, 2.9, 1.02, 2.2];
        let m = match_events(&reference, &detected, 0.1, None).expect("valid input");
        // By reference time: 1.0 (position 1) – 1.02 (position 2); 3.0 (0) – 2.9 (1).
        assert_eq!(pairs(&m), vec![(1, 2), (0, 1)]);
        assert_eq!(m.missed_references, vec![2]);
        assert_eq!(m.false_detections, vec![0, 3]);
        let sorted = match_events(&REF, &DET, 0.1, None)
            .expect("valid input")
            .metrics();
        let shuffled = m.metrics();
        assert_eq!(shuffled.detection, sorted.detection);
        assert_eq!(shuffled.timing_error, sorted.timing_error);
    }

    #[test]
    fn one_detection_equidistant_from_two_references_goes_to_the_earlier() {
        // References 2.0 (position 0) and 1.0 (position 1); detection 1.5 is 0.5 s from both
        // (exact in binary). The tie goes to the earlier reference, 1.0, whatever its position.
        // TP 1 (1.0–1.5, error +0.5), FN 1 (2.0), FP 0.
        let m = match_events(&[2.0, 1.0], &[1.5], 0.5, None).expect("valid input");
        assert_eq!(pairs(&m), vec![(1, 0)]);
        assert_eq!(m.pairs[0].error_s, 0.5);
        assert_eq!(m.missed_references, vec![0]);
        assert_eq!(counts(&m.metrics().detection), (1, 0, 1));
    }

    #[test]
    fn two_detections_equidistant_from_one_reference_the_earlier_wins() {
        // Reference 1.0; detections 1.25 (position 0) and 0.75 (position 1), both 0.25 s away.
        // The earlier detection, 0.75, is matched (error −0.25); 1.25 is a false positive.
        let m = match_events(&[1.0], &[1.25, 0.75], 0.25, None).expect("valid input");
        assert_eq!(pairs(&m), vec![(0, 1)]);
        assert_eq!(m.pairs[0].error_s, -0.25);
        assert_eq!(m.false_detections, vec![0]);
        let s = m.metrics();
        assert_eq!(counts(&s.detection), (1, 1, 0));
        assert_eq!(s.detection.precision, 0.5);
        assert_eq!(s.detection.recall, 1.0);
        assert_eq!(s.detection.f1, 2.0 / 3.0); // 2 / (2 + 1 + 0)
    }

    /// The naive rule the matching must beat: each reference in time order takes its nearest
    /// free detection within the tolerance.
    fn naive_in_order(reference: &[f64], detected: &[f64], tol: f64) -> usize {
        let mut used = vec![false; detected.len()];
        let mut tp = 0;
        for &r in reference {
            let best = (0..detected.len())
                .filter(|&d| !used[d] && (detected[d] - r).abs() <= tol + TIME_SLACK_S)
                .min_by(|&a, &b| (detected[a] - r).abs().total_cmp(&(detected[b] - r).abs()));
            if let Some(d) = best {
                used[d] = true;
                tp += 1;
            }
        }
        tp
    }

    #[test]
    fn nearest_first_beats_naive_in_order_greedy() {
        // References 1.0, 1.1; detections 0.93, 1.06; tolerance 0.1.
        // |Δt|: 1.0–0.93 = 0.07, 1.0–1.06 = 0.06, 1.1–1.06 = 0.04, 1.1–0.93 = 0.17 (too far).
        // In order: 1.0 takes its nearest, 1.06, and 1.1 is left with nothing: TP 1.
        // Nearest first: 1.1–1.06 (0.04) first, then 1.0–1.06 is taken, then 1.0–0.93 (0.07):
        // TP 2. Errors −0.07 (1.0), −0.04 (1.1): mean −0.055, MAE 0.055,
        // SD = sqrt((0.015² + 0.015²) / 1) = 0.015·√2.
        let (reference, detected) = ([1.0, 1.1], [0.93, 1.06]);
        assert_eq!(naive_in_order(&reference, &detected, 0.1), 1);
        let m = match_events(&reference, &detected, 0.1, None).expect("valid input");
        assert_eq!(pairs(&m), vec![(0, 0), (1, 1)]);
        let s = m.metrics();
        assert_eq!(counts(&s.detection), (2, 0, 0));
        assert!(close_opt(s.timing_error.mean_s, -0.055));
        assert!(close_opt(s.timing_error.mae_s, 0.055));
        assert!(close_opt(s.timing_error.sd_s, 0.015 * 2f64.sqrt()));
    }

    #[test]
    fn empty_inputs() {
        // Nothing to find, nothing found: P = R = F1 = 1 by convention, no error statistics.
        let m = match_events(&[], &[], 0.05, None)
            .expect("valid input")
            .metrics();
        assert_eq!(counts(&m.detection), (0, 0, 0));
        assert_eq!(
            (m.detection.precision, m.detection.recall, m.detection.f1),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(m.timing_error.count, 0);
        assert_eq!(m.timing_error.mean_s, None);
        assert_eq!(m.timing_error.mae_s, None);
        assert_eq!(m.timing_error.sd_s, None);

        // References but no detections: FN 2; precision 0/0 and recall 0/2 are 0, F1 0.
        let m = match_events(&[1.0, 2.0], &[], 0.05, None)
            .expect("valid input")
            .metrics();
        assert_eq!(counts(&m.detection), (0, 0, 2));
        assert_eq!(
            (m.detection.precision, m.detection.recall, m.detection.f1),
            (0.0, 0.0, 0.0)
        );

        // Detections but no references: FP 1; precision 0/1, recall 0/0 = 0, F1 0.
        let m = match_events(&[], &[1.0], 0.05, None)
            .expect("valid input")
            .metrics();
        assert_eq!(counts(&m.detection), (0, 1, 0));
        assert_eq!(
            (m.detection.precision, m.detection.recall, m.detection.f1),
            (0.0, 0.0, 0.0)
        );

        // No tolerances: an empty list of metrics, not an error.
        let s = EventScorer {
            tolerances_s: vec![],
        }
        .score(&REF, &DET, None)
        .expect("valid input");
        assert!(s.per_tolerance.is_empty());
    }

    #[test]
    fn events_outside_the_annotated_span() {
        // Span [1.0, 3.0] (borders included), tolerance 50 ms, so detections between 0.95 and
        // 3.05 may match.
        // References: 0.5 outside → dropped; 1.0, 2.0, 3.0 kept (1.0 and 3.0 on the borders).
        // Detections: 0.5 and 4.0 far outside → ignored.
        //   0.96, 0.98 just before the span: 0.98 is nearer to 1.0 (0.02 vs 0.04) → TP;
        //   0.96 then matches nothing and, being outside, is ignored (not a FP).
        //   2.03 → 2.0 (TP, +0.03). 2.5 inside, matches nothing → FP.
        //   3.02 just after the span → 3.0 (TP, +0.02).
        // TP 3, FP 1, FN 0; ignored: 1 reference, 3 detections (0.5, 0.96, 4.0).
        // P = 3/4, R = 1, F1 = 6/7. Errors −0.02, +0.03, +0.02: mean 0.01, MAE 0.07/3.
        let reference = [0.5, 1.0, 2.0, 3.0];
        let detected = [0.5, 0.96, 0.98, 2.03, 2.5, 3.02, 4.0];
        let m = match_events(&reference, &detected, 0.05, Some((1.0, 3.0))).expect("valid input");
        assert_eq!(pairs(&m), vec![(1, 2), (2, 3), (3, 5)]);
        assert_eq!(m.ignored_references, vec![0]);
        assert_eq!(m.ignored_detections, vec![0, 1, 6]);
        assert_eq!(m.false_detections, vec![4]);
        assert!(m.missed_references.is_empty());
        let s = m.metrics();
        assert_eq!(counts(&s.detection), (3, 1, 0));
        assert_eq!((s.ignored_references, s.ignored_detections), (1, 3));
        assert!(close(s.detection.precision, 0.75));
        assert!(close(s.detection.f1, 6.0 / 7.0));
        assert!(close_opt(s.timing_error.mean_s, 0.01));
        assert!(close_opt(s.timing_error.mae_s, 0.07 / 3.0));

        // The per-recording counts are those inside the span: 3 references; detections 2.03
        // and 2.5 only.
        let scorer = EventScorer {
            tolerances_s: vec![0.05],
        };
        let score = scorer
            .score(&reference, &detected, Some((1.0, 3.0)))
            .expect("valid input");
        assert_eq!((score.reference_count, score.detected_count), (3, 2));
        assert_eq!(score.per_tolerance[0], s);
    }

    #[test]
    fn strides_need_both_borders() {
        // References (1, 2), (2, 3), (3, 4); detections (1.02, 2.03), (2.03, 3.2),
        // (2.96, 4.04), (5, 6).
        // 50 ms: (1, 2)–(1.02, 2.03): errors +0.02, +0.03 → match.
        //        (2, 3)–(2.03, 3.2): the start is within 50 ms but the end is 0.2 off → no.
        //        (3, 4)–(2.96, 4.04): −0.04, +0.04 → match.
        // TP 2, FP 2, FN 1: P 1/2, R 2/3, F1 4/7. Start errors +0.02, −0.04 (mean −0.01,
        // MAE 0.03); end errors +0.03, +0.04 (mean 0.035, MAE 0.035).
        // 250 ms: (2, 3)–(2.03, 3.2) matches too: TP 3, FP 1 (5, 6), FN 0.
        let reference = [(1.0, 2.0), (2.0, 3.0), (3.0, 4.0)];
        let detected = [(1.02, 2.03), (2.03, 3.2), (2.96, 4.04), (5.0, 6.0)];
        let scorer = EventScorer {
            tolerances_s: vec![0.05, 0.25],
        };
        let s = scorer
            .score_strides(&reference, &detected, None)
            .expect("valid input");
        assert_eq!((s.reference_count, s.detected_count), (3, 4));
        let m = &s.per_tolerance[0];
        assert_eq!(counts(&m.detection), (2, 2, 1));
        assert!(close(m.detection.f1, 4.0 / 7.0));
        let matched: Vec<(usize, usize)> =
            m.pairs.iter().map(|p| (p.reference, p.detected)).collect();
        assert_eq!(matched, vec![(0, 0), (2, 2)]);
        assert!(close_opt(m.start_error.mean_s, -0.01));
        assert!(close_opt(m.start_error.mae_s, 0.03));
        assert!(close_opt(m.end_error.mean_s, 0.035));
        assert!(close_opt(m.end_error.mae_s, 0.035));
        let m = &s.per_tolerance[1];
        assert_eq!(counts(&m.detection), (3, 1, 0));
        assert!(close(m.detection.f1, 6.0 / 7.0));
    }

    #[test]
    fn stride_ties_and_span() {
        // Detection (1.25, 2.25) is 0.25 + 0.25 = 0.5 s from both (1, 2) and (1.5, 2.5)
        // (exact in binary): the earlier reference wins.
        let m = match_strides(&[(1.5, 2.5), (1.0, 2.0)], &[(1.25, 2.25)], 0.25, None)
            .expect("valid input");
        assert_eq!(m.pairs.len(), 1);
        assert_eq!((m.pairs[0].reference, m.pairs[0].detected), (1, 0));
        assert_eq!(
            (m.pairs[0].start_error_s, m.pairs[0].end_error_s),
            (0.25, 0.25)
        );
        assert_eq!(m.missed_references, vec![0]);

        // Span [1, 3], 50 ms. Reference (0, 1) starts outside → dropped. Detection
        // (0.02, 1.01) starts before 0.95 → ignored; (0.98, 2.01) starts in the margin and
        // matches (1, 2). TP 1, FP 0, FN 0.
        let m = match_strides(
            &[(0.0, 1.0), (1.0, 2.0)],
            &[(0.02, 1.01), (0.98, 2.01)],
            0.05,
            Some((1.0, 3.0)),
        )
        .expect("valid input");
        assert_eq!((m.pairs[0].reference, m.pairs[0].detected), (1, 1));
        assert_eq!(m.ignored_references, vec![0]);
        assert_eq!(m.ignored_detections, vec![0]);
        assert_eq!(counts(&m.metrics().detection), (1, 0, 0));
    }

    #[test]
    fn pooling_micro_and_macro() {
        // Recording A: the worked example; recording B: one reference (1.0), no detection.
        // 50 ms: A TP 1 FP 3 FN 2 (F1 2/7); B TP 0 FP 0 FN 1 (F1 0).
        //   Micro: TP 1, FP 3, FN 3 → P 1/4, R 1/4, F1 2/8 = 1/4. Macro F1 (2/7 + 0)/2 = 1/7.
        //   Errors [+0.02]: mean 0.02, no SD.
        // 100 ms: A TP 2 FP 2 FN 1 (F1 4/7); B as before.
        //   Micro: TP 2, FP 2, FN 2 → P = R = F1 = 1/2. Macro F1 2/7. Errors +0.02, −0.1:
        //   mean −0.04, MAE 0.06.
        let scorer = EventScorer {
            tolerances_s: vec![0.05, 0.1],
        };
        let a = scorer.score(&REF, &DET, None).expect("valid input");
        let b = scorer.score(&[1.0], &[], None).expect("valid input");
        let p = pool_events(&[a.clone(), b.clone()]).expect("valid input");
        assert_eq!(
            (p.recordings, p.reference_count, p.detected_count),
            (2, 4, 4)
        );
        let m = &p.per_tolerance[0];
        assert_eq!(m.tolerance_s, 0.05);
        assert_eq!(counts(&m.detection), (1, 3, 3));
        assert!(close(m.detection.precision, 0.25));
        assert!(close(m.detection.recall, 0.25));
        assert!(close(m.detection.f1, 0.25));
        assert!(close_opt(m.macro_f1, 1.0 / 7.0));
        assert!(close_opt(m.timing_error.mean_s, 0.02));
        assert_eq!(m.timing_error.sd_s, None);
        assert_eq!(m.end_error, None);
        let m = &p.per_tolerance[1];
        assert_eq!(counts(&m.detection), (2, 2, 2));
        assert!(close(m.detection.f1, 0.5));
        assert!(close_opt(m.macro_f1, 2.0 / 7.0));
        assert!(close_opt(m.timing_error.mean_s, -0.04));
        assert!(close_opt(m.timing_error.mae_s, 0.06));

        // No recordings: nothing pooled, not an error.
        let empty = pool_events(&[]).expect("valid input");
        assert_eq!((empty.recordings, empty.per_tolerance.len()), (0, 0));

        // Different tolerances cannot be pooled.
        let c = EventScorer::default()
            .score(&REF, &DET, None)
            .expect("valid input");
        assert_eq!(
            pool_events(&[a, b, c]),
            Err(ScoreError::MismatchedSettings {
                index: 2,
                what: "tolerances"
            })
        );
    }

    #[test]
    fn pooling_strides() {
        // Two copies of one recording: reference (1, 2), (2, 3); detection (1.02, 2.03) only.
        // Each: TP 1, FP 0, FN 1 (F1 2/3). Pooled: TP 2, FP 0, FN 2 → F1 4/6; macro 2/3.
        // Start errors +0.02 twice: mean 0.02, SD 0; end errors +0.03 twice.
        let scorer = EventScorer {
            tolerances_s: vec![0.05],
        };
        let s = scorer
            .score_strides(&[(1.0, 2.0), (2.0, 3.0)], &[(1.02, 2.03)], None)
            .expect("valid input");
        let p = pool_strides(&[s.clone(), s]).expect("valid input");
        let m = &p.per_tolerance[0];
        assert_eq!(counts(&m.detection), (2, 0, 2));
        assert!(close(m.detection.f1, 2.0 / 3.0));
        assert!(close_opt(m.macro_f1, 2.0 / 3.0));
        assert!(close_opt(m.timing_error.mean_s, 0.02));
        assert!(close_opt(m.timing_error.sd_s, 0.0));
        let end = m.end_error.expect("valid input");
        assert!(close_opt(end.mean_s, 0.03));
        assert_eq!(end.count, 2);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let nan = f64::NAN;
        assert!(matches!(
            match_events(&[1.0, nan], &[], 0.05, None),
            Err(ScoreError::NonFiniteTime {
                what: "reference",
                index: 1,
                ..
            })
        ));
        assert!(matches!(
            match_events(&[], &[f64::INFINITY], 0.05, None),
            Err(ScoreError::NonFiniteTime {
                what: "detection",
                index: 0,
                ..
            })
        ));
        for tol in [-0.01, nan, f64::INFINITY] {
            assert!(matches!(
                match_events(&[1.0], &[1.0], tol, None),
                Err(ScoreError::InvalidTolerance { .. })
            ));
        }
        assert!(EventScorer {
            tolerances_s: vec![0.05, -1.0]
        }
        .validate()
        .is_err());
        for span in [(3.0, 1.0), (nan, 1.0), (0.0, f64::INFINITY)] {
            assert!(matches!(
                match_events(&[1.0], &[1.0], 0.05, Some(span)),
                Err(ScoreError::InvalidSpan { .. })
            ));
        }
        assert_eq!(
            match_strides(&[(2.0, 1.0)], &[], 0.05, None),
            Err(ScoreError::InvalidInterval {
                what: "reference",
                index: 0,
                start_s: 2.0,
                end_s: 1.0
            })
        );
        assert!(matches!(
            EventScorer::default().score_strides(&[], &[(0.0, nan)], None),
            Err(ScoreError::InvalidInterval {
                what: "detection",
                ..
            })
        ));
        // A zero tolerance matches equal times only.
        let m = match_events(&[1.0, 2.0], &[1.0, 2.001], 0.0, None).expect("valid input");
        assert_eq!(pairs(&m), vec![(0, 0)]);
        // Error statistics skip non-finite values.
        assert_eq!(ErrorStats::from_errors_s(&[nan, 1.0]).mean_s, Some(1.0));
    }

    #[test]
    fn serialises_flat_counts_and_nulls() {
        let m = match_events(&[1.0], &[1.02], 0.05, None)
            .expect("valid input")
            .metrics();
        let v = serde_json::to_value(&m).expect("valid input");
        assert_eq!(v["true_positives"], 1);
        assert_eq!(v["f1"], 1.0);
        assert_eq!(v["tolerance_s"], 0.05);
        assert!(v["timing_error"]["sd_s"].is_null());
        assert_eq!(v["pairs"][0]["reference"], 0);
    }
}
