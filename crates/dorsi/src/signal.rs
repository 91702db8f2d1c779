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
/// Half-windows of 1 to 3 samples over finite values take each full window's middle from a
/// fixed network of compare-exchanges instead (the same values).
///
/// ```
/// use dorsi::signal::running_median;
/// let x = [0.0, 0.0, 9.0, 0.0, 1.0, f64::NAN, 1.0];
/// assert_eq!(running_median(&x, 1), [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]);
/// ```
pub fn running_median(x: &[f64], k: usize) -> Vec<f64> {
    if (1..=3).contains(&k) && x.len() > 2 * k && x.iter().all(|v| v.is_finite()) {
        return short_running_median(x, k);
    }
    if k <= TRACKED_MAX_HALF {
        return tracked_median(x, k);
    }
    sorted_window_median(x, k)
}

/// Half-windows up to this many samples take [`tracked_median`]: its scans of the window
/// cost less there than keeping the window sorted.
const TRACKED_MAX_HALF: usize = 32;

/// [`running_median`] by tracking the median's value and how many values of the window are
/// below it and equal to it. Each sample, the leaving and the entering value update the two
/// counts; when the wanted rank (the lower middle) falls outside the values equal to the
/// median, the median moves to the nearest value above or below it in the window (one
/// branch-free scan of the window, then a count of that value). A noisy signal moves its
/// median on about half the samples, by one value; no sorted window is kept.
fn tracked_median(x: &[f64], k: usize) -> Vec<f64> {
    let n = x.len();
    // The median's value (-inf before any value: everything is above it), the finite
    // values of the window, those below the median and those equal to it.
    let (mut m, mut len, mut below, mut equal) = (f64::NEG_INFINITY, 0usize, 0usize, 0usize);
    // Branch-free: the leaving and entering values fall either side of the median at random.
    let count =
        |v: f64, m: f64, sign: isize, len: &mut usize, below: &mut usize, equal: &mut usize| {
            let finite = v.is_finite();
            let add =
                |c: &mut usize, yes: bool| *c = c.wrapping_add_signed(sign * isize::from(yes));
            add(len, finite);
            add(below, finite & (v < m));
            add(equal, finite & (v == m));
        };
    for &v in &x[..k.min(n)] {
        count(v, m, 1, &mut len, &mut below, &mut equal);
    }
    (0..n)
        .map(|i| {
            if let Some(&v) = x.get(i + k) {
                count(v, m, 1, &mut len, &mut below, &mut equal);
            }
            if i > k {
                count(x[i - k - 1], m, -1, &mut len, &mut below, &mut equal);
            }
            if len == 0 {
                // Start again from below everything.
                (m, below, equal) = (f64::NEG_INFINITY, 0, 0);
                return f64::NAN;
            }
            let window = &x[i.saturating_sub(k)..(i + k + 1).min(n)];
            let rank = (len - 1) / 2;
            while rank < below {
                m = nearest(
                    window,
                    m,
                    |u, m| u < m,
                    |u, best| u > best,
                    f64::NEG_INFINITY,
                );
                equal = window.iter().filter(|&&u| u == m).count();
                below -= equal;
            }
            while rank >= below + equal {
                below += equal;
                m = nearest(window, m, |u, m| u > m, |u, best| u < best, f64::INFINITY);
                equal = window.iter().filter(|&&u| u == m).count();
            }
            m
        })
        .collect()
}

/// The window's value nearest to `m` on one side: among the values `side(u, m)` admits, the
/// one `closer(u, best)` prefers, from `start`. Four running bests over interleaved values
/// keep the scan free of branches and of one long chain of dependent selections.
#[inline(always)]
fn nearest(
    window: &[f64],
    m: f64,
    side: impl Fn(f64, f64) -> bool,
    closer: impl Fn(f64, f64) -> bool,
    start: f64,
) -> f64 {
    let mut best = [start; 4];
    let chunks = window.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for (b, &u) in best.iter_mut().zip(c) {
            *b = if side(u, m) & closer(u, *b) { u } else { *b };
        }
    }
    for &u in tail {
        best[0] = if side(u, m) & closer(u, best[0]) {
            u
        } else {
            best[0]
        };
    }
    let pick = |a: f64, b: f64| if closer(b, a) { b } else { a };
    pick(pick(best[0], best[1]), pick(best[2], best[3]))
}

/// [`running_median`] by a window kept sorted as it slides.
fn sorted_window_median(x: &[f64], k: usize) -> Vec<f64> {
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
                    replace_sorted(&mut window, old, v);
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

/// Replaces `old` (one of the values of the sorted `w`) by `v`, keeping `w` sorted: from
/// where `old` was, the values ranked between `old` and `v` move one place towards it and
/// `v` takes the place left, before any equal values (one short walk for a slowly changing
/// signal, no second search).
#[inline]
fn replace_sorted(w: &mut [f64], old: f64, v: f64) {
    let mut j = w.partition_point(|u| *u < old);
    if v > old {
        while j + 1 < w.len() && w[j + 1] < v {
            w[j] = w[j + 1];
            j += 1;
        }
    } else {
        while j > 0 && w[j - 1] >= v {
            w[j] = w[j - 1];
            j -= 1;
        }
    }
    w[j] = v;
}

/// [`running_median`] of finite data (`x` has no NaN or infinity) with a half-window `k` of
/// 1 to 3 samples and at least one full window: each full window's middle value from a
/// fixed network of compare-exchanges (no branches, no sorted window to maintain); the
/// shorter windows at the ends sorted.
fn short_running_median(x: &[f64], k: usize) -> Vec<f64> {
    debug_assert!(x.iter().all(|v| v.is_finite()) && (1..=3).contains(&k) && x.len() > 2 * k);
    let n = x.len();
    // The lower middle of the sorted window at each end.
    let edge = |i: usize| {
        let mut w: Vec<f64> = x[i.saturating_sub(k)..(i + k + 1).min(n)].to_vec();
        w.sort_by(f64::total_cmp);
        w[(w.len() - 1) / 2]
    };
    let mut out = Vec::with_capacity(n);
    out.extend((0..k).map(edge));
    match k {
        1 => out.extend(x.windows(3).map(|w| median3(w[0], w[1], w[2]))),
        2 => out.extend(
            x.windows(5)
                .map(|w| median5([w[0], w[1], w[2], w[3], w[4]])),
        ),
        _ => out.extend(
            x.windows(7)
                .map(|w| median7([w[0], w[1], w[2], w[3], w[4], w[5], w[6]])),
        ),
    }
    out.extend((n - k..n).map(edge));
    out
}

/// Compare-exchange: the pair in order (either value when they are equal).
#[inline(always)]
fn sort2(v: &mut [f64], a: usize, b: usize) {
    let (p, q) = (v[a], v[b]);
    let swap = q < p;
    v[a] = if swap { q } else { p };
    v[b] = if swap { p } else { q };
}

/// The middle of three values.
#[inline(always)]
fn median3(a: f64, b: f64, c: f64) -> f64 {
    let mut v = [a, b, c];
    sort2(&mut v, 0, 1);
    sort2(&mut v, 1, 2);
    sort2(&mut v, 0, 1);
    v[1]
}

/// The middle of five values: the comparators of a sorting network of five that decide
/// the middle position.
#[inline(always)]
fn median5(mut v: [f64; 5]) -> f64 {
    for (a, b) in [
        (0, 3),
        (0, 2),
        (1, 3),
        (0, 1),
        (2, 4),
        (1, 2),
        (3, 4),
        (2, 3),
    ] {
        sort2(&mut v, a, b);
    }
    v[2]
}

/// The middle of seven values: the comparators of a 16-comparator sorting network of seven
/// that decide the middle position.
#[inline(always)]
fn median7(mut v: [f64; 7]) -> f64 {
    for (a, b) in MEDIAN7 {
        sort2(&mut v, a, b);
    }
    v[3]
}

const MEDIAN7: [(usize, usize); 14] = [
    (0, 6),
    (2, 3),
    (4, 5),
    (0, 2),
    (1, 4),
    (3, 6),
    (0, 1),
    (2, 5),
    (3, 4),
    (1, 2),
    (4, 6),
    (2, 3),
    (4, 5),
    (3, 4),
];

/// Σ (a[i] − m)·(b[i] − m) over the shorter length, in four running sums (independent
/// additions pipeline and vectorise); `m = 0` gives the plain dot product, bit for bit.
pub(crate) fn centred_dot(a: &[f64], b: &[f64], m: f64) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x - m) * (y - m))
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += (x[k] - m) * (y[k] - m);
        }
    }
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_dot_by_hand() {
        // 1·4 + 2·5 + 3·6 + 4·7 + 5·8 = 100; about the mean m = 1: 0·3 + 1·4 + 2·5 + 3·6 + 4·7 = 60.
        let (a, b) = ([1.0, 2.0, 3.0, 4.0, 5.0], [4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!(centred_dot(&a, &b, 0.0), 100.0);
        assert_eq!(centred_dot(&a, &b, 1.0), 60.0);
        assert_eq!(centred_dot(&[], &b, 0.0), 0.0);
    }

    /// The running median by a selection per sample: the lower middle of each window's
    /// sorted finite values.
    fn plain_running_median(x: &[f64], k: usize) -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                let mut w: Vec<f64> = x[i.saturating_sub(k)..(i + k + 1).min(x.len())]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                w.sort_by(f64::total_cmp);
                if w.is_empty() {
                    f64::NAN
                } else {
                    w[(w.len() - 1) / 2]
                }
            })
            .collect()
    }

    /// Every form (the tracked median, the sorted window) against a selection per sample, on
    /// values with ties, NaN, a missing stretch longer than the windows, and every window
    /// size from 0 to longer than the signal.
    #[test]
    fn running_median_matches_a_selection_per_sample() {
        let x: Vec<f64> = (0..400)
            .map(|i| {
                if i % 13 == 5 || (150..200).contains(&i) {
                    f64::NAN
                } else {
                    ((i * 37) % 11) as f64 - 0.5 * (i % 3) as f64 + 0.25 * ((i / 40) % 4) as f64
                }
            })
            .collect();
        for k in [0, 1, 2, 3, 7, 15, 30, 32, 33, 40, 120, 500] {
            let fast = running_median(&x, k);
            let plain = plain_running_median(&x, k);
            for (i, (&m, &expected)) in fast.iter().zip(&plain).enumerate() {
                assert!(
                    m == expected || (m.is_nan() && expected.is_nan()),
                    "k {k}, sample {i}: {m} against {expected}"
                );
            }
        }
        assert!(running_median(&[f64::NAN, f64::NAN], 0)[0].is_nan());
        assert!(running_median(&[], 3).is_empty());
    }

    /// The running median of finite values (the short windows take the median networks)
    /// against a selection per sample, on values with ties and signed zeros, every
    /// half-window from 0 to past those the networks handle, and signals shorter than a
    /// window.
    #[test]
    fn running_median_of_finite_values_matches_a_selection_per_sample() {
        let mut rng = crate::synth::Rng::new(11);
        for n in [1usize, 2, 3, 7, 30, 500] {
            let x: Vec<f64> = (0..n)
                .map(|i| match i % 9 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => 1.0,
                    _ => (rng.normal() * 4.0).round() / 2.0,
                })
                .collect();
            for k in 0..=6 {
                let fast = running_median(&x, k);
                let plain = plain_running_median(&x, k);
                assert_eq!(fast.len(), plain.len());
                // Equal values (a signed zero may stand for the other, as in the sorted
                // window).
                for (i, (a, b)) in fast.iter().zip(&plain).enumerate() {
                    assert!(a == b, "n {n}, k {k}, sample {i}: {a} against {b}");
                }
            }
        }
    }

    /// The median networks on every input of zeros and ones (a comparator network that
    /// selects the middle of those selects it for any input).
    #[test]
    fn median_networks_pick_the_middle() {
        let mid = |bits: u32, n: u32| f64::from(u32::from(bits.count_ones() > n / 2));
        for bits in 0..1u32 << 7 {
            let v: Vec<f64> = (0..7).map(|i| f64::from((bits >> i) & 1)).collect();
            assert_eq!(
                median7([v[0], v[1], v[2], v[3], v[4], v[5], v[6]]),
                mid(bits, 7)
            );
            if bits < 1 << 5 {
                assert_eq!(median5([v[0], v[1], v[2], v[3], v[4]]), mid(bits, 5));
            }
            if bits < 1 << 3 {
                assert_eq!(median3(v[0], v[1], v[2]), mid(bits, 3));
            }
        }
    }
}
