//! Min/max decimation per pixel column, keeping `NaN` breaks.

/// The points of one series ready to draw: `(time_s, value)`, where a non-finite value marks
/// a break in the line.
///
/// With more than about three samples per pixel column, each column keeps the minimum and
/// the maximum of every unbroken run of samples in it (in time order), so peaks survive and
/// the output has at most a few points per column.
pub(crate) fn decimate(
    n: usize,
    columns: usize,
    time: impl Fn(usize) -> f64,
    value: impl Fn(usize) -> f64,
) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    let mut out: Vec<(f64, f64)> = Vec::new();
    let push_break = |out: &mut Vec<(f64, f64)>, t: f64| {
        if out.last().is_some_and(|p| p.1.is_finite()) {
            out.push((t, f64::NAN));
        }
    };
    if n <= 3 * columns {
        out.reserve(n);
        for i in 0..n {
            let v = value(i);
            if v.is_finite() {
                out.push((time(i), v));
            } else {
                push_break(&mut out, time(i));
            }
        }
        return out;
    }
    out.reserve(2 * columns + 16);
    // (index of min, min, index of max, max) of the current unbroken run in the column.
    let flush = |out: &mut Vec<(f64, f64)>, run: Option<(usize, f64, usize, f64)>| {
        if let Some((imin, vmin, imax, vmax)) = run {
            if imin == imax {
                out.push((time(imin), vmin));
            } else if imin < imax {
                out.push((time(imin), vmin));
                out.push((time(imax), vmax));
            } else {
                out.push((time(imax), vmax));
                out.push((time(imin), vmin));
            }
        }
    };
    for c in 0..columns {
        let lo = ((c as u128 * n as u128) / columns as u128) as usize;
        let hi = (((c + 1) as u128 * n as u128) / columns as u128) as usize;
        let mut run: Option<(usize, f64, usize, f64)> = None;
        for i in lo..hi {
            let v = value(i);
            if !v.is_finite() {
                flush(&mut out, run.take());
                push_break(&mut out, time(i));
                continue;
            }
            run = Some(match run {
                None => (i, v, i, v),
                Some((imin, vmin, imax, vmax)) => {
                    let (imin, vmin) = if v < vmin { (i, v) } else { (imin, vmin) };
                    let (imax, vmax) = if v > vmax { (i, v) } else { (imax, vmax) };
                    (imin, vmin, imax, vmax)
                }
            });
        }
        flush(&mut out, run);
    }
    out
}

/// The unbroken runs of finite points.
pub(crate) fn runs(points: &[(f64, f64)]) -> impl Iterator<Item = &[(f64, f64)]> {
    points
        .split(|p| !p.1.is_finite())
        .filter(|run| !run.is_empty())
}

/// The finite minimum and maximum of the values, if any.
pub(crate) fn value_range(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole_with_breaks() {
        let vals = [1.0, 2.0, f64::NAN, f64::NAN, 3.0];
        let pts = decimate(vals.len(), 100, |i| i as f64, |i| vals[i]);
        assert_eq!(pts.len(), 4);
        let r: Vec<_> = runs(&pts).map(|r| r.len()).collect();
        assert_eq!(r, vec![2, 1]);
    }

    #[test]
    fn decimation_keeps_peaks_and_breaks() {
        let n = 100_000;
        let value = |i: usize| {
            if i == 12_345 {
                50.0
            } else if (60_000..61_000).contains(&i) {
                f64::NAN
            } else {
                (i as f64 * 0.01).sin()
            }
        };
        let pts = decimate(n, 500, |i| i as f64, value);
        assert!(pts.len() <= 2 * 500 + 4, "{} points", pts.len());
        let (lo, hi) = value_range(&pts).expect("finite points");
        assert!((-1.0..-0.99).contains(&lo), "min {lo}");
        assert_eq!(hi, 50.0);
        assert!(pts.iter().any(|p| p.1 == 50.0));
        assert_eq!(runs(&pts).count(), 2);
        // Time order is kept.
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
