//! Numeric building blocks shared by the modules: robust statistics and the running median.

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

/// Running median over the `2k + 1` samples centred on each sample (the window shrinks at
/// the ends), of the finite values only; `NaN` where a window has none. With an even count
/// of finite values the lower middle one is taken, so a spike at the very start is removed
/// too. The window is kept sorted as it slides (the leaving value replaced by the entering
/// one, moving only the values ranked between them), so the cost is O(n·k) at worst and
/// close to O(n log k) on a slowly changing signal, rather than a selection per sample.
///
/// ```
/// use dorsi::signal::running_median;
/// let x = [0.0, 0.0, 9.0, 0.0, 1.0, f64::NAN, 1.0];
/// assert_eq!(running_median(&x, 1), [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]);
/// ```
pub fn running_median(x: &[f64], k: usize) -> Vec<f64> {
    let n = x.len();
    let mut window: Vec<f64> = Vec::with_capacity(2 * k + 1);
    let insert = |w: &mut Vec<f64>, v: f64| {
        if v.is_finite() {
            let at = w.partition_point(|u| *u < v);
            w.insert(at, v);
        }
    };
    for &v in &x[..k.min(n)] {
        insert(&mut window, v);
    }
    (0..n)
        .map(|i| {
            let incoming = x.get(i + k).copied();
            let outgoing = (i > k).then(|| x[i - k - 1]);
            match (incoming, outgoing) {
                // One value leaves and one enters: only the values ranked between them
                // move, a short move for a signal that changes slowly.
                (Some(v), Some(old)) if v.is_finite() && old.is_finite() => {
                    let a = window.partition_point(|u| *u < old);
                    let b = window.partition_point(|u| *u < v);
                    if b > a {
                        window.copy_within(a + 1..b, a);
                        window[b - 1] = v;
                    } else {
                        window.copy_within(b..a, b + 1);
                        window[b] = v;
                    }
                }
                _ => {
                    if let Some(v) = incoming {
                        insert(&mut window, v);
                    }
                    if let Some(old) = outgoing.filter(|o| o.is_finite()) {
                        let at = window.partition_point(|u| *u < old);
                        window.remove(at);
                    }
                }
            }
            match window.len() {
                0 => f64::NAN,
                len => window[(len - 1) / 2],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sliding window against a selection per sample, on values with ties, NaN and
    /// every window size from 0 to longer than the signal.
    #[test]
    fn running_median_matches_a_selection_per_sample() {
        let x: Vec<f64> = (0..97)
            .map(|i| {
                if i % 13 == 5 {
                    f64::NAN
                } else {
                    ((i * 37) % 11) as f64 - 0.5 * (i % 3) as f64
                }
            })
            .collect();
        for k in [0, 1, 2, 3, 7, 30, 120] {
            let fast = running_median(&x, k);
            for (i, &m) in fast.iter().enumerate() {
                let mut w: Vec<f64> = x[i.saturating_sub(k)..(i + k + 1).min(x.len())]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                w.sort_by(f64::total_cmp);
                let expected = if w.is_empty() {
                    f64::NAN
                } else {
                    w[(w.len() - 1) / 2]
                };
                assert!(
                    m == expected || (m.is_nan() && expected.is_nan()),
                    "k {k}, sample {i}: {m} against {expected}"
                );
            }
        }
        assert!(running_median(&[f64::NAN, f64::NAN], 0)[0].is_nan());
        assert!(running_median(&[], 3).is_empty());
    }
}
