//! Binary classification (foot drop or not, per stride or per side): confusion matrix,
//! sensitivity, specificity, precision and accuracy.
//!
//! Predictions are `Some(true)` (positive, e.g. `foot_drop` or a flagged stride),
//! `Some(false)` (negative) or `None` (inconclusive). Inconclusive predictions are counted
//! apart, by their actual class, and stay out of the matrix and of every ratio computed from
//! it; [`ClassificationScore::inconclusive_rate`] says how often the classifier abstained.
//! A ratio whose denominator is 0 is `None`.

use serde::Serialize;

/// Counts of a binary confusion matrix, plus the inconclusive predictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConfusionCounts {
    /// Predicted positive, actually positive.
    pub true_positives: usize,
    /// Predicted positive, actually negative.
    pub false_positives: usize,
    /// Predicted negative, actually negative.
    pub true_negatives: usize,
    /// Predicted negative, actually positive.
    pub false_negatives: usize,
    /// Inconclusive, actually positive (not in the matrix).
    pub inconclusive_positives: usize,
    /// Inconclusive, actually negative (not in the matrix).
    pub inconclusive_negatives: usize,
}

impl ConfusionCounts {
    /// Counts one (predicted, actual) pair; `None` is inconclusive.
    pub fn add(&mut self, predicted: Option<bool>, actual: bool) {
        let slot = match (predicted, actual) {
            (Some(true), true) => &mut self.true_positives,
            (Some(true), false) => &mut self.false_positives,
            (Some(false), false) => &mut self.true_negatives,
            (Some(false), true) => &mut self.false_negatives,
            (None, true) => &mut self.inconclusive_positives,
            (None, false) => &mut self.inconclusive_negatives,
        };
        *slot += 1;
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &ConfusionCounts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.true_negatives += other.true_negatives;
        self.false_negatives += other.false_negatives;
        self.inconclusive_positives += other.inconclusive_positives;
        self.inconclusive_negatives += other.inconclusive_negatives;
    }
}

/// A confusion matrix and its ratios.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassificationScore {
    /// The counts.
    #[serde(flatten)]
    pub counts: ConfusionCounts,
    /// Inconclusive predictions in all (both actual classes).
    pub inconclusive: usize,
    /// TP / (TP + FN) (recall of the positive class); `None` without actual positives in the
    /// matrix.
    pub sensitivity: Option<f64>,
    /// TN / (TN + FP); `None` without actual negatives in the matrix.
    pub specificity: Option<f64>,
    /// TP / (TP + FP) (positive predictive value); `None` without positive predictions.
    pub precision: Option<f64>,
    /// (TP + TN) / (TP + FP + TN + FN); `None` with an empty matrix.
    pub accuracy: Option<f64>,
    /// Inconclusive / all predictions (matrix and inconclusive); `None` without predictions.
    pub inconclusive_rate: Option<f64>,
}

impl ClassificationScore {
    /// The ratios of the given counts.
    pub fn from_counts(counts: ConfusionCounts) -> Self {
        let c = counts;
        let inconclusive = c.inconclusive_positives + c.inconclusive_negatives;
        let matrix = c.true_positives + c.false_positives + c.true_negatives + c.false_negatives;
        ClassificationScore {
            counts,
            inconclusive,
            sensitivity: ratio(c.true_positives, c.true_positives + c.false_negatives),
            specificity: ratio(c.true_negatives, c.true_negatives + c.false_positives),
            precision: ratio(c.true_positives, c.true_positives + c.false_positives),
            accuracy: ratio(c.true_positives + c.true_negatives, matrix),
            inconclusive_rate: ratio(inconclusive, matrix + inconclusive),
        }
    }
}

/// Scores (predicted, actual) pairs; a `None` prediction is inconclusive.
///
/// ```
/// use dorsi::eval::score_classification;
/// let s = score_classification(&[(Some(true), true), (Some(false), true), (None, false)]);
/// assert_eq!(s.sensitivity, Some(0.5));
/// assert_eq!(s.specificity, None); // the only actual negative was inconclusive
/// assert_eq!(s.inconclusive, 1);
/// ```
pub fn score_classification(pairs: &[(Option<bool>, bool)]) -> ClassificationScore {
    let mut counts = ConfusionCounts::default();
    for &(predicted, actual) in pairs {
        counts.add(predicted, actual);
    }
    ClassificationScore::from_counts(counts)
}

/// Pools scores over recordings: the counts are summed, then the ratios recomputed (micro
/// average). No scores give the empty matrix.
pub fn pool_classifications(scores: &[ClassificationScore]) -> ClassificationScore {
    let mut counts = ConfusionCounts::default();
    for s in scores {
        counts.merge(&s.counts);
    }
    ClassificationScore::from_counts(counts)
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 TP, 1 FP, 4 TN, 2 FN, 1 inconclusive positive, 2 inconclusive negatives.
    fn example() -> Vec<(Option<bool>, bool)> {
        let mut pairs = Vec::new();
        pairs.extend([(Some(true), true); 3]);
        pairs.extend([(Some(true), false); 1]);
        pairs.extend([(Some(false), false); 4]);
        pairs.extend([(Some(false), true); 2]);
        pairs.extend([(None, true); 1]);
        pairs.extend([(None, false); 2]);
        pairs
    }

    #[test]
    fn confusion_with_inconclusive() {
        // Matrix: TP 3, FP 1, TN 4, FN 2 (10 pairs); inconclusive 3 (1 positive, 2 negative).
        // Sensitivity 3/5 = 0.6, specificity 4/5 = 0.8, precision 3/4, accuracy 7/10,
        // inconclusive rate 3/13.
        let s = score_classification(&example());
        let c = s.counts;
        assert_eq!(
            (
                c.true_positives,
                c.false_positives,
                c.true_negatives,
                c.false_negatives
            ),
            (3, 1, 4, 2)
        );
        assert_eq!((c.inconclusive_positives, c.inconclusive_negatives), (1, 2));
        assert_eq!(s.inconclusive, 3);
        assert_eq!(s.sensitivity, Some(0.6));
        assert_eq!(s.specificity, Some(0.8));
        assert_eq!(s.precision, Some(0.75));
        assert_eq!(s.accuracy, Some(0.7));
        assert_eq!(s.inconclusive_rate, Some(3.0 / 13.0));
    }

    #[test]
    fn undefined_ratios_are_none() {
        // Empty: every ratio undefined.
        let s = score_classification(&[]);
        assert_eq!(s.counts, ConfusionCounts::default());
        assert_eq!(
            (s.sensitivity, s.specificity, s.precision, s.accuracy),
            (None, None, None, None)
        );
        assert_eq!(s.inconclusive_rate, None);

        // Only inconclusive predictions: the matrix is empty, the inconclusive rate is 1.
        let s = score_classification(&[(None, true), (None, false)]);
        assert_eq!((s.accuracy, s.sensitivity), (None, None));
        assert_eq!(s.inconclusive_rate, Some(1.0));

        // Healthy sides only, all called normal: specificity 1, sensitivity and precision
        // undefined (no actual positives, no positive predictions), accuracy 1.
        let s = score_classification(&[(Some(false), false), (Some(false), false)]);
        assert_eq!(
            (s.sensitivity, s.specificity, s.precision, s.accuracy),
            (None, Some(1.0), None, Some(1.0))
        );
    }

    #[test]
    fn pooling_sums_the_counts() {
        // The example plus a recording with one TP and one inconclusive negative:
        // TP 4, FP 1, TN 4, FN 2, inconclusive 4 → sensitivity 4/6, specificity 4/5,
        // precision 4/5, accuracy 8/11, inconclusive rate 4/15.
        let a = score_classification(&example());
        let b = score_classification(&[(Some(true), true), (None, false)]);
        let p = pool_classifications(&[a, b]);
        assert_eq!(p.counts.true_positives, 4);
        assert_eq!(p.inconclusive, 4);
        assert_eq!(p.sensitivity, Some(4.0 / 6.0));
        assert_eq!(p.specificity, Some(0.8));
        assert_eq!(p.precision, Some(0.8));
        assert_eq!(p.accuracy, Some(8.0 / 11.0));
        assert_eq!(p.inconclusive_rate, Some(4.0 / 15.0));
        assert_eq!(pool_classifications(&[]), score_classification(&[]));
    }

    #[test]
    fn serialises_flat_counts() {
        let v = serde_json::to_value(score_classification(&[(None, true)])).unwrap_or_default();
        assert_eq!(v["inconclusive_positives"], 1);
        assert!(v["sensitivity"].is_null());
    }
}
