//! Numeric building blocks shared by the modules: robust statistics for now; filters, peaks
//! and derivatives join as the detectors need them.

/// The median of the finite values; `NaN` when there are none.
///
/// ```
/// assert_eq!(dorsi::signal::median([3.0, 1.0, f64::NAN, 2.0].into_iter()), 2.0);
/// assert!(dorsi::signal::median(std::iter::empty()).is_nan());
/// ```
pub fn median(values: impl Iterator<Item = f64>) -> f64 {
    quantile(values, 0.5)
}

/// The `q`-quantile (0 to 1, nearest rank) of the finite values; `NaN` when there are none.
///
/// ```
/// let v = (0..=100).map(f64::from);
/// assert_eq!(dorsi::signal::quantile(v, 0.99), 99.0);
/// ```
pub fn quantile(values: impl Iterator<Item = f64>, q: f64) -> f64 {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    let k = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    let (_, m, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    *m
}
