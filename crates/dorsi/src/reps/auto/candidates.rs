//! Candidate signals for `auto`: principal components of each sensor's accelerometer and
//! gyroscope (and the angle the gyroscope components integrate to), of the keypoint
//! trajectories, or of the plain signals, all on the analysis grid.

use std::ops::Range;

use nalgebra::{DMatrix, Matrix3, SymmetricEigen, Vector3};

use crate::{Recording, Space};

/// One candidate signal on the analysis grid.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Human-readable name (`wrist/gyro_pc1`).
    pub name: String,
    /// Unit of the values.
    pub unit: String,
    /// Values on the analysis grid, mean removed, no `NaN`.
    pub values: Vec<f64>,
    /// Whether the signal is a velocity (a gyroscope rate): it then crosses zero twice per
    /// cycle and is a poorer choice of rep boundaries than a position-like signal.
    pub velocity: bool,
    /// Whether the unit is the frame-to-frame noise of the channels (keypoints: each
    /// coordinate divided by its own jitter), so an amplitude says how far a movement
    /// stands out of the pose estimator's noise.
    pub noise_unit: bool,
    /// An auxiliary candidate (one image axis of the keypoints): not chosen for its own
    /// period, only to split a chosen cycle in two when it repeats every half cycle (an
    /// alternating lunge: the body goes down once per leg, but sideways once per pair).
    pub auxiliary: bool,
    /// The first principal component of its group (or the group's only channel): the
    /// group's largest movement, whose repeats are the most trustworthy.
    pub dominant: bool,
    /// For keypoint candidates on a coarse grid ([`Keypoints`]): the sources and the
    /// coefficient of each in the projection, to build the candidate on the analysis grid.
    pub recipe: Option<Vec<(usize, f64)>>,
}

/// The analysis grid: every `factor` samples of the recording averaged into one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    /// Recording samples per grid sample.
    pub factor: usize,
    /// Grid samples.
    pub len: usize,
    /// Grid rate, Hz.
    pub rate_hz: f64,
}

impl Grid {
    pub fn new(n_samples: usize, rate_hz: f64, max_rate_hz: f64) -> Grid {
        let factor = ((rate_hz / max_rate_hz).ceil() as usize).max(1);
        Grid {
            factor,
            len: n_samples / factor,
            rate_hz: rate_hz / factor as f64,
        }
    }

    /// [`decimate`](Self::decimate) of the first `dims` axes of 3-vectors (of the mean of
    /// two points, `0.5·(p + q)`, when `q` is given) in one pass over the samples: the same
    /// sums in the same order as one axis at a time.
    fn decimate_axes(
        &self,
        p: &[Vector3<f64>],
        q: Option<&[Vector3<f64>]>,
        dims: usize,
    ) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = (0..dims).map(|_| Vec::with_capacity(self.len)).collect();
        if self.factor == 1 {
            // One sample per block: its value (`0 + v`, as the sum gives it), `NaN` when it
            // is not finite.
            let n = self.len.min(p.len());
            let one = |v: f64| if v.is_finite() { 0.0 + v } else { f64::NAN };
            for (axis, o) in out.iter_mut().enumerate() {
                match q {
                    Some(q) => o.extend(
                        p[..n]
                            .iter()
                            .zip(&q[..n])
                            .map(|(a, c)| one(0.5 * (a[axis] + c[axis]))),
                    ),
                    None => o.extend(p[..n].iter().map(|a| one(a[axis]))),
                }
            }
            return out;
        }
        let blocks = p.chunks_exact(self.factor).take(self.len);
        for (b, block) in blocks.enumerate() {
            let mut sums = [0.0; 3];
            let mut counts = [0usize; 3];
            for (k, a) in block.iter().enumerate() {
                let pair = q.map(|q| q[b * self.factor + k]);
                for axis in 0..dims {
                    let v = match pair {
                        Some(c) => 0.5 * (a[axis] + c[axis]),
                        None => a[axis],
                    };
                    if v.is_finite() {
                        sums[axis] += v;
                        counts[axis] += 1;
                    }
                }
            }
            for axis in 0..dims {
                out[axis].push(if counts[axis] > 0 {
                    sums[axis] / counts[axis] as f64
                } else {
                    f64::NAN
                });
            }
        }
        out
    }

    /// Block means of one channel (non-finite samples skipped; `NaN` for an empty block).
    fn decimate(&self, x: impl Iterator<Item = f64>) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len);
        let (mut sum, mut count, mut k) = (0.0, 0usize, 0usize);
        for v in x {
            if v.is_finite() {
                sum += v;
                count += 1;
            }
            k += 1;
            if k == self.factor {
                out.push(if count > 0 {
                    sum / count as f64
                } else {
                    f64::NAN
                });
                if out.len() == self.len {
                    break;
                }
                (sum, count, k) = (0.0, 0, 0);
            }
        }
        out
    }
}

/// Fill non-finite samples by linear interpolation (nearest value at the ends) and remove the
/// mean; returns the mean removed. Returns `None` when fewer than a fifth of the samples (or
/// fewer than 4) are finite: video keypoints are often missing for long stretches, and what
/// remains still counts.
pub(crate) fn fill_and_centre(x: &mut [f64]) -> Option<f64> {
    let n = x.len();
    let finite = x.iter().filter(|v| v.is_finite()).count();
    if finite < 4 || finite * 5 < n {
        return None;
    }
    // Nothing to fill when every sample is finite.
    if finite < n {
        let mut last: Option<usize> = None;
        for i in 0..n {
            if !x[i].is_finite() {
                continue;
            }
            match last {
                None => {
                    let v = x[i];
                    x[..i].iter_mut().for_each(|s| *s = v);
                }
                Some(j) if i > j + 1 => {
                    let (a, b) = (x[j], x[i]);
                    let span = (i - j) as f64;
                    for (k, v) in x[j + 1..i].iter_mut().enumerate() {
                        *v = a + (b - a) * (k + 1) as f64 / span;
                    }
                }
                _ => {}
            }
            last = Some(i);
        }
        if let Some(j) = last {
            let v = x[j];
            x[j + 1..].iter_mut().for_each(|s| *s = v);
        }
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    x.iter_mut().for_each(|v| *v -= mean);
    Some(mean)
}

/// What a group of channels measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Accelerometer axes, m/s².
    Acc,
    /// Gyroscope axes, rad/s.
    Gyro,
    /// Keypoint / marker coordinates (lightly smoothed, weighted by their steadiness).
    Points,
    /// Plain signals (standardised).
    Signals,
}

/// Channels of one source on the analysis grid, filled (no `NaN`), not centred.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Name prefix of its candidates (`wrist/acc`, `keypoints`).
    pub name: String,
    /// Unit of its candidates.
    pub unit: String,
    /// What it measures.
    pub kind: Kind,
    /// The channels.
    pub channels: Vec<Vec<f64>>,
    /// The grid samples from the first to the last one where any channel was observed
    /// (before gaps were filled).
    pub observed: Range<usize>,
    /// Its candidates are auxiliary ([`Candidate::auxiliary`]).
    pub auxiliary: bool,
    /// Keypoints on a coarse grid: per channel, its [`Source`] (index into
    /// [`Keypoints::sources`]) and weight; empty otherwise.
    pub terms: Vec<(usize, f64)>,
}

/// One keypoint coordinate (a point, or the mean of a left / right pair, along one axis) on
/// the analysis grid: filled, centred, rid of glitches and lightly smoothed.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    column: Vec<f64>,
}

/// Keypoint channels analysed on a coarse grid (block means of `d` analysis-grid samples),
/// and what builds a projection of them on the analysis grid itself: the candidates are
/// scored on the coarse grid, and only the projections that decide or are segmented are
/// built at the analysis grid's rate.
#[derive(Debug, Clone)]
pub(crate) struct Keypoints {
    /// The coordinates, in the order of the keypoint group's channels.
    sources: Vec<Source>,
    /// Analysis-grid samples per coarse-grid sample.
    d: usize,
    /// Half-window of the glitch filter on the analysis grid (about 0.05 s).
    spike_half: usize,
    /// Smoothing width on the analysis grid (about 0.15 s).
    width: usize,
}

impl Keypoints {
    /// The projection `Σ c·source` (`terms`: source and coefficient) on the analysis grid
    /// over `range` (analysis-grid samples), the mean removed.
    pub fn build(&self, terms: &[(usize, f64)], range: Range<usize>) -> Vec<f64> {
        let mut y = vec![0.0; range.len()];
        let terms: Vec<(&[f64], f64)> = terms
            .iter()
            .filter(|t| t.1 != 0.0)
            .map(|&(si, c)| (&self.sources[si].column[range.clone()], c))
            .collect();
        // Four sources per pass over the sum: each sample still adds them one after the
        // other, in the order of the terms.
        let mut quads = terms.chunks_exact(4);
        for q in &mut quads {
            let [(x0, c0), (x1, c1), (x2, c2), (x3, c3)] = [q[0], q[1], q[2], q[3]];
            let m = y.len();
            let (x0, x1, x2, x3) = (&x0[..m], &x1[..m], &x2[..m], &x3[..m]);
            for (j, y) in y.iter_mut().enumerate() {
                let mut v = *y;
                v += c0 * x0[j];
                v += c1 * x1[j];
                v += c2 * x2[j];
                v += c3 * x3[j];
                *y = v;
            }
        }
        for &(x, c) in quads.remainder() {
            y.iter_mut().zip(x).for_each(|(y, v)| *y += c * v);
        }
        let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
        y.iter_mut().for_each(|v| *v -= mean);
        y
    }

    /// Analysis-grid samples per coarse-grid sample.
    pub fn d(&self) -> usize {
        self.d
    }
}

/// Means of the first `len` blocks of `d` consecutive samples.
fn block_means(x: &[f64], d: usize, len: usize) -> Vec<f64> {
    x.chunks_exact(d)
        .take(len)
        .map(|b| b.iter().sum::<f64>() / d as f64)
        .collect()
}

/// The grid samples from the first to the last finite value of `x` (empty when none is).
fn observed(x: &[f64]) -> Range<usize> {
    match x.iter().position(|v| v.is_finite()) {
        Some(a) => a..x.iter().rposition(|v| v.is_finite()).map_or(a, |b| b + 1),
        None => 0..0,
    }
}

/// The smallest range holding both (an empty one holds nothing).
fn union(a: Range<usize>, b: Range<usize>) -> Range<usize> {
    if a.is_empty() {
        b
    } else if b.is_empty() {
        a
    } else {
        a.start.min(b.start)..a.end.max(b.end)
    }
}

/// Per grid sample, whether anything of the recording was measured in it: an IMU sample,
/// a keypoint or a plain signal value (a sensor dropout or a video frame with no pose
/// leaves it unmeasured, the candidates being filled across it).
pub(crate) fn measured(rec: &Recording, grid: &Grid) -> Vec<bool> {
    let mut out = vec![false; grid.len];
    // Grid samples not yet known to be measured: once none is left, the other sources
    // (often dozens of keypoints) need no look.
    let mut left = grid.len;
    let mut mark = |finite: &dyn Fn(usize) -> bool| {
        if left == 0 {
            return;
        }
        for (k, o) in out.iter_mut().enumerate() {
            if !*o && (k * grid.factor..(k + 1) * grid.factor).any(finite) {
                *o = true;
                left -= 1;
            }
        }
    };
    for imu in &rec.imus {
        if let Some(a) = &imu.acc_mps2 {
            mark(&|i| a.get(i).is_some_and(|v| v[0].is_finite()));
        }
        if let Some(g) = &imu.gyro_rads {
            mark(&|i| g.get(i).is_some_and(|v| v[0].is_finite()));
        }
    }
    if let Some(sk) = &rec.skeleton {
        for p in &sk.points {
            mark(&|i| p.position.get(i).is_some_and(|v| v[0].is_finite()));
        }
    }
    for sig in &rec.signals {
        mark(&|i| sig.values.get(i).is_some_and(|v| v.is_finite()));
    }
    out
}

/// The grid samples from the first to the last where any group was observed.
pub(crate) fn observed_span(groups: &[Group]) -> Range<usize> {
    groups
        .iter()
        .fold(0..0, |acc, g| union(acc, g.observed.clone()))
}

/// Keep only `span` of every channel (indices then count from its start).
pub(crate) fn trim(groups: &mut [Group], span: Range<usize>) {
    for g in groups {
        for c in &mut g.channels {
            *c = c[span.clone()].to_vec();
        }
        g.observed = 0..span.len();
    }
}

/// Decimated and filled x, y, z channels of 3-vectors, and the span observed.
fn vector_channels(grid: &Grid, v: &[Vector3<f64>]) -> Option<(Vec<Vec<f64>>, Range<usize>)> {
    let mut out = grid.decimate_axes(v, None, 3);
    let mut span = 0..0;
    for c in &mut out {
        span = union(span, observed(c));
        fill_and_centre(c)?;
    }
    Some((out, span))
}

/// A robust frame-to-frame noise level: the median absolute first difference (for white
/// noise of SD σ that is 0.954·σ·√2 ≈ 1.35·σ; only the relative level matters here).
fn jitter(x: &[f64]) -> f64 {
    crate::signal::median(x.windows(2).map(|w| (w[1] - w[0]).abs()))
}

/// [`jitter`], the same value, from a histogram of the steps' leading bits: the steps are
/// not negative, so their bit patterns order as they do; one pass counts them by their top
/// 14 bits (exponent and two bits of mantissa), and the selection runs only over the
/// bucket holding the median.
fn median_step(x: &[f64]) -> f64 {
    const SHIFT: u32 = 50;
    let mut steps = Vec::with_capacity(x.len());
    steps.extend(
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .filter(|v| v.is_finite()),
    );
    let Some(last) = steps.len().checked_sub(1) else {
        return f64::NAN;
    };
    // The rank `signal::median` takes.
    let k = (last as f64 * 0.5).round() as usize;
    let bucket = |v: f64| (v.to_bits() >> SHIFT) as usize;
    let mut counts = vec![0u32; 1 << (63 - SHIFT)];
    for &v in &steps {
        counts[bucket(v)] += 1;
    }
    let mut below = 0usize;
    let mut at = 0;
    for (b, &c) in counts.iter().enumerate() {
        if below + c as usize > k {
            at = b;
            break;
        }
        below += c as usize;
    }
    let mut inside = Vec::with_capacity(counts[at] as usize);
    inside.extend(steps.into_iter().filter(|&v| bucket(v) == at));
    *inside.select_nth_unstable_by(k - below, f64::total_cmp).1
}

/// [`crate::signal::running_median`] of a signal with no `NaN` (a filled channel): the same
/// values, with the common 5-sample window (`k` = 2, a 30 Hz grid) taken by a fixed
/// min / max network instead of a sorted window. The network returns one of the window's
/// values, the median (ties hold equal values), so the result is the same.
fn running_median_filled(x: &[f64], k: usize) -> Vec<f64> {
    let n = x.len();
    if k != 2 || n < 5 {
        return crate::signal::running_median(x, k);
    }
    let mut out = Vec::with_capacity(n);
    // The window shrinks at the ends: 3 and 4 samples (the lower median of 4).
    let edge = |w: &[f64]| {
        let mut w = w.to_vec();
        w.sort_by(f64::total_cmp);
        w[(w.len() - 1) / 2]
    };
    out.push(edge(&x[..3]));
    out.push(edge(&x[..4]));
    // The median of 5: the larger of the two pairs' minima and the smaller of their maxima
    // bracket it together with the fifth value. Each pair's minimum and maximum serve two
    // windows: computed once.
    // With no `NaN`, plain comparisons (which vectorise) give what `min` and `max` give.
    let min = |a: f64, b: f64| if a < b { a } else { b };
    let max = |a: f64, b: f64| if a > b { a } else { b };
    let med3 = |a: f64, b: f64, c: f64| max(min(a, b), min(max(a, b), c));
    let lo: Vec<f64> = x.windows(2).map(|w| min(w[0], w[1])).collect();
    let hi: Vec<f64> = x.windows(2).map(|w| max(w[0], w[1])).collect();
    out.extend(
        lo.iter()
            .zip(&lo[2..])
            .zip(hi.iter().zip(&hi[2..]))
            .zip(&x[4..])
            .map(|(((a, b), (c, d)), e)| med3(*e, max(*a, *b), min(*c, *d))),
    );
    out.push(edge(&x[n - 4..]));
    out.push(edge(&x[n - 3..]));
    out
}

/// The name of the point on the other side (`left_knee` → `right_knee`, `LHeel` → `RHeel`,
/// `R.Toe` → `L.Toe`), if the name says a side.
fn mirror_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    for (a, b) in [("left", "right"), ("right", "left")] {
        if let Some(k) = lower.find(a) {
            // Keep the case of the word replaced (`Right` → `Left`, `RIGHT` → `LEFT`).
            let word = &name[k..k + a.len()];
            let b = if word.chars().all(|c| c.is_ascii_uppercase()) {
                b.to_ascii_uppercase()
            } else if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                format!("{}{}", b[..1].to_ascii_uppercase(), &b[1..])
            } else {
                b.to_string()
            };
            return Some(format!("{}{}{}", &name[..k], b, &name[k + a.len()..]));
        }
    }
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some('L'), Some(c)) if c.is_ascii_uppercase() || c == '.' || c == '_' => {
            Some(format!("R{}", &name[1..]))
        }
        (Some('R'), Some(c)) if c.is_ascii_uppercase() || c == '.' || c == '_' => {
            Some(format!("L{}", &name[1..]))
        }
        _ => None,
    }
}

/// The channel groups of a recording on `grid`: each IMU's accelerometer and gyroscope, the
/// keypoints, or (without either) the plain signals.
///
/// With `fine` (the analysis grid, when `grid` is coarser by a whole factor), the keypoints
/// are read, filled, measured (jitter), rid of glitches and smoothed on the analysis grid,
/// and their channels are block means of that; the keypoint groups then come with the
/// [`Keypoints`] that builds their projections on the analysis grid.
pub(crate) fn groups(
    rec: &Recording,
    grid: &Grid,
    fine: Option<&Grid>,
) -> (Vec<Group>, Option<Keypoints>) {
    let mut out = Vec::new();
    let mut keypoints = None;
    let with_gyro = rec.imus.iter().any(|s| s.gyro_rads.is_some());
    for imu in &rec.imus {
        // Sensors with a gyroscope are complete IMUs; accelerometer-only tags beside them
        // (beacons, low-rate wearables) are left out when any complete IMU is present.
        if with_gyro && imu.gyro_rads.is_none() {
            continue;
        }
        if let Some((ch, observed)) = imu.acc_mps2.as_ref().and_then(|a| vector_channels(grid, a)) {
            out.push(Group {
                name: format!("{}/acc", imu.name),
                unit: "m/s^2".into(),
                kind: Kind::Acc,
                channels: ch,
                observed,
                auxiliary: false,
                terms: Vec::new(),
            });
        }
        if let Some((ch, observed)) = imu
            .gyro_rads
            .as_ref()
            .and_then(|g| vector_channels(grid, g))
        {
            out.push(Group {
                name: format!("{}/gyro", imu.name),
                unit: "rad/s".into(),
                kind: Kind::Gyro,
                channels: ch,
                observed,
                auxiliary: false,
                terms: Vec::new(),
            });
        }
    }
    if let Some(sk) = &rec.skeleton {
        let dims = match sk.space {
            Space::World => 3,
            Space::Image { .. } => 2,
        }
        .min(usize::from(sk.dims).max(2));
        // Pose estimators jitter some points far more than others (hands, a far-side limb,
        // left/right swaps): each coordinate is lightly smoothed and divided by its own
        // frame-to-frame noise, so steady points that move with the exercise dominate the
        // principal components.
        let width = ((0.15 * grid.rate_hz).round() as usize).max(1);
        let mut kp = fine.map(|f| Keypoints {
            sources: Vec::new(),
            d: (grid.factor / f.factor).max(1),
            spike_half: (0.05 * f.rate_hz).round().max(1.0) as usize,
            width: ((0.15 * f.rate_hz).round() as usize).max(1),
        });
        let read = fine.unwrap_or(grid);
        // Left and right points are averaged (`left_knee` with `right_knee`): the mean is
        // immune to the estimator swapping sides, and an exercise done one side after the
        // other (alternating lunges) repeats once per side, as people count it.
        let mut ch = Vec::new();
        let mut noise = Vec::new();
        let mut axes = Vec::new();
        let mut seen = 0..0;
        // Gross errors of a frame or two (a point jumping to a wrong limb and back) are
        // removed by a running median over about 0.15 s (after the jitter is measured).
        let spike_half = (0.05 * grid.rate_hz).round().max(1.0) as usize;
        let mut used = vec![false; sk.points.len()];
        for (i, p) in sk.points.iter().enumerate() {
            if used[i] {
                continue;
            }
            used[i] = true;
            let twin = mirror_name(&p.name).and_then(|m| {
                sk.points
                    .iter()
                    .enumerate()
                    .find(|(j, q)| !used[*j] && q.name.eq_ignore_ascii_case(&m))
            });
            if let Some((j, _)) = twin {
                used[j] = true;
            }
            // Both points of a pair in one pass; a twin with fewer samples than its point
            // (never seen in a file) one axis at a time, as far as both go.
            let decimated: Vec<Vec<f64>> = match twin {
                Some((_, q)) if q.position.len() < p.position.len() => (0..dims)
                    .map(|axis| {
                        read.decimate(
                            p.position
                                .iter()
                                .zip(&q.position)
                                .map(|(a, b)| 0.5 * (a[axis] + b[axis])),
                        )
                    })
                    .collect(),
                Some((_, q)) => read.decimate_axes(&p.position, Some(&q.position), dims),
                None => read.decimate_axes(&p.position, None, dims),
            };
            for (axis, mut c) in decimated.into_iter().enumerate() {
                let span = observed(&c);
                if fill_and_centre(&mut c).is_none() {
                    continue;
                }
                match &mut kp {
                    // On the analysis grid as without a coarse grid; the channel is the block
                    // means of the filtered and smoothed coordinate.
                    Some(kp) => {
                        seen = union(
                            seen,
                            span.start / kp.d..span.end.div_ceil(kp.d).min(grid.len),
                        );
                        noise.push(median_step(&c));
                        let column = super::segment::smooth(
                            &running_median_filled(&c, kp.spike_half),
                            kp.width,
                        );
                        ch.push(block_means(&column, kp.d, grid.len));
                        kp.sources.push(Source { column });
                    }
                    None => {
                        seen = union(seen, span);
                        noise.push(jitter(&c));
                        ch.push(running_median_filled(&c, spike_half));
                    }
                }
                axes.push(axis);
            }
        }
        let floor = 0.1 * crate::signal::median(noise.iter().copied().filter(|v| *v > 0.0));
        if floor.is_finite() && floor > 0.0 {
            let weights: Vec<f64> = noise.iter().map(|nz| 1.0 / nz.max(floor)).collect();
            let ch: Vec<Vec<f64>> = ch
                .iter()
                .zip(&weights)
                .map(|(c, &w)| {
                    // (Keypoints on a coarse grid were smoothed on the analysis grid.)
                    super::segment::smooth(c, if kp.is_some() { 1 } else { width })
                        .into_iter()
                        .map(|v| v * w)
                        .collect()
                })
                .collect();
            // Channel k is source k.
            let terms = |keep: &dyn Fn(usize) -> bool| -> Vec<(usize, f64)> {
                if kp.is_none() {
                    return Vec::new();
                }
                (0..ch.len())
                    .filter(|&k| keep(axes[k]))
                    .map(|k| (k, weights[k]))
                    .collect()
            };
            // Each axis on its own as well (auxiliary: see `Candidate::auxiliary`).
            if dims > 1 {
                for (axis, label) in ["x", "y", "z"].iter().enumerate().take(dims) {
                    let sub: Vec<Vec<f64>> = ch
                        .iter()
                        .zip(&axes)
                        .filter(|(_, a)| **a == axis)
                        .map(|(c, _)| c.clone())
                        .collect();
                    if sub.len() >= 2 {
                        out.push(Group {
                            name: format!("keypoints_{label}"),
                            unit: "1".into(),
                            kind: Kind::Points,
                            channels: sub,
                            observed: seen.clone(),
                            auxiliary: true,
                            terms: terms(&|a| a == axis),
                        });
                    }
                }
            }
            let terms = terms(&|_| true);
            out.push(Group {
                name: "keypoints".into(),
                unit: "1".into(),
                kind: Kind::Points,
                channels: ch,
                observed: seen,
                auxiliary: false,
                terms,
            });
            keypoints = kp;
        }
    }
    if rec.imus.is_empty() && rec.skeleton.is_none() {
        let mut ch = Vec::new();
        let mut names = Vec::new();
        let mut seen = 0..0;
        for s in &rec.signals {
            let mut c = grid.decimate(s.values.iter().copied());
            let span = observed(&c);
            if fill_and_centre(&mut c).is_none() {
                continue;
            }
            let sd = (c.iter().map(|v| v * v).sum::<f64>() / c.len().max(1) as f64).sqrt();
            if sd > 0.0 && sd.is_finite() {
                names.push((s.name.clone(), s.unit.clone()));
                ch.push(c);
                seen = union(seen, span);
            }
        }
        if let ([(name, unit)], 1) = (names.as_slice(), ch.len()) {
            out.push(Group {
                name: name.clone(),
                unit: unit.clone(),
                kind: Kind::Signals,
                channels: ch,
                observed: seen,
                auxiliary: false,
                terms: Vec::new(),
            });
        } else if !ch.is_empty() {
            for c in &mut ch {
                let sd = (c.iter().map(|v| v * v).sum::<f64>() / c.len() as f64).sqrt();
                c.iter_mut().for_each(|v| *v /= sd);
            }
            out.push(Group {
                name: "signals".into(),
                unit: "1".into(),
                kind: Kind::Signals,
                channels: ch,
                observed: seen,
                auxiliary: false,
                terms: Vec::new(),
            });
        }
    }
    (out, keypoints)
}

/// Principal components of channels over `range` (centred there): the projections on the
/// first `keep` directions, largest variance first, and those directions. The covariance's
/// sums of products (`packed`, see [`covariance`]) are given.
fn pca(
    ch: &[Vec<f64>],
    range: Range<usize>,
    keep: usize,
    packed: &[f64],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let c = ch.len();
    let n = range.len();
    if c == 0 || n == 0 {
        return (Vec::new(), Vec::new());
    }
    let means: Vec<f64> = ch
        .iter()
        .map(|x| x[range.clone()].iter().sum::<f64>() / n as f64)
        .collect();
    let eig_vectors: Vec<Vec<f64>>;
    if c == 3 {
        let at = |a: usize, b: usize| packed[packed_index(3, a.min(b), a.max(b))];
        let m = Matrix3::from_fn(at);
        let eig = SymmetricEigen::new(m);
        let mut order = [0usize, 1, 2];
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        eig_vectors = order
            .iter()
            .map(|&k| eig.eigenvectors.column(k).iter().copied().collect())
            .collect();
    } else {
        let mut cov = DMatrix::<f64>::zeros(c, c);
        let mut at = 0;
        for a in 0..c {
            for b in a..c {
                cov[(a, b)] = packed[at];
                cov[(b, a)] = packed[at];
                at += 1;
            }
        }
        let eig = SymmetricEigen::new(cov);
        let mut order: Vec<usize> = (0..c).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        eig_vectors = order
            .iter()
            .map(|&k| eig.eigenvectors.column(k).iter().copied().collect())
            .collect();
    }
    let projections = eig_vectors
        .iter()
        .take(keep)
        .map(|e| {
            let offset: f64 = e.iter().zip(&means).map(|(w, m)| w * m).sum();
            let mut out = vec![-offset; n];
            for (w, chan) in e.iter().zip(ch) {
                if *w != 0.0 {
                    for (o, v) in out.iter_mut().zip(&chan[range.clone()]) {
                        *o += w * v;
                    }
                }
            }
            out
        })
        .collect();
    let mut directions = eig_vectors;
    directions.truncate(keep);
    (projections, directions)
}

/// Position of `(a, b)`, `a <= b`, in the upper triangle of a `c × c` matrix packed row by
/// row.
fn packed_index(c: usize, a: usize, b: usize) -> usize {
    a * c - a * a.saturating_sub(1) / 2 + (b - a)
}

/// The sums of products about the mean of channels over `range` (the upper triangle, row
/// by row in one packed vector), from at most `max_rows` evenly spaced rows (so the cost
/// stays linear in the length) at least `min_step` apart; or, with `fine`, from its rows.
/// Each sum adds its products in row order, so a subset of the channels has the same sums
/// as the whole set holds for it.
fn covariance(
    ch: &[Vec<f64>],
    range: Range<usize>,
    (max_rows, min_step): (usize, usize),
    fine: Option<&FineRows>,
) -> Vec<f64> {
    let c = ch.len();
    let n = range.len();
    let mut packed = vec![0.0; c * (c + 1) / 2];
    if c == 0 || n == 0 {
        return packed;
    }
    let at = |a: usize, i: usize| match fine {
        Some(f) => f.columns[a][i] * f.weights[a],
        None => ch[a][i],
    };
    let (rows, means): (_, Vec<f64>) = match fine {
        Some(f) => {
            let m = f.range.len();
            // Each channel's sum in sample order, four channels side by side (independent
            // chains of additions overlap; one alone waits on each addition).
            let mut sums = vec![0.0; c];
            let r = f.range.clone();
            for a in (0..c).step_by(4) {
                let four = a + 4 <= c;
                if !four {
                    for ((s, x), w) in sums[a..]
                        .iter_mut()
                        .zip(&f.columns[a..])
                        .zip(&f.weights[a..])
                    {
                        *s = x[r.clone()].iter().map(|v| v * w).sum::<f64>();
                    }
                    break;
                }
                let (x0, x1, x2, x3) = (
                    &f.columns[a][r.clone()],
                    &f.columns[a + 1][r.clone()],
                    &f.columns[a + 2][r.clone()],
                    &f.columns[a + 3][r.clone()],
                );
                let w = &f.weights[a..a + 4];
                let mut s = [0.0; 4];
                for (((v0, v1), v2), v3) in x0.iter().zip(x1).zip(x2).zip(x3) {
                    s[0] += v0 * w[0];
                    s[1] += v1 * w[1];
                    s[2] += v2 * w[2];
                    s[3] += v3 * w[3];
                }
                sums[a..a + 4].copy_from_slice(&s);
            }
            let means = sums.into_iter().map(|s| s / m as f64).collect();
            let step = m.div_ceil(max_rows).max(f.min_step).max(1);
            (f.range.clone().step_by(step), means)
        }
        None => {
            let means = ch
                .iter()
                .map(|x| x[range.clone()].iter().sum::<f64>() / n as f64)
                .collect();
            let step = n.div_ceil(max_rows).max(min_step).max(1);
            (range.clone().step_by(step), means)
        }
    };
    // Blocks of rows are read channel by channel (each channel's samples in order, which
    // the cache follows), then added row by row as before. Contiguous rows, so the inner
    // loop vectorises.
    const BLOCK: usize = 128;
    let rows: Vec<usize> = rows.collect();
    let mut block = vec![0.0; BLOCK.min(rows.len()) * c];
    for chunk in rows.chunks(BLOCK) {
        for (a, m) in means.iter().enumerate() {
            for (r, &i) in chunk.iter().enumerate() {
                block[r * c + a] = at(a, i) - m;
            }
        }
        let rows = &block[..chunk.len() * c];
        // Four rows per pass over the sums: each sum still adds its products one row after
        // the other (the same additions in the same order), but is loaded and stored once
        // per four rows.
        let mut quads = rows.chunks_exact(4 * c);
        for quad in &mut quads {
            let (r0, rest) = quad.split_at(c);
            let (r1, rest) = rest.split_at(c);
            let (r2, r3) = rest.split_at(c);
            let mut at = 0;
            for a in 0..c {
                let (a0, a1, a2, a3) = (r0[a], r1[a], r2[a], r3[a]);
                let m = c - a;
                let dst = &mut packed[at..at + m];
                let (b0, b1, b2, b3) = (&r0[a..], &r1[a..], &r2[a..], &r3[a..]);
                let (b0, b1, b2, b3) = (&b0[..m], &b1[..m], &b2[..m], &b3[..m]);
                for j in 0..m {
                    let mut v = dst[j];
                    v += a0 * b0[j];
                    v += a1 * b1[j];
                    v += a2 * b2[j];
                    v += a3 * b3[j];
                    dst[j] = v;
                }
                at += c - a;
            }
        }
        for row in quads.remainder().chunks_exact(c) {
            let mut at = 0;
            for a in 0..c {
                let ra = row[a];
                let dst = &mut packed[at..at + c - a];
                for (d, rb) in dst.iter_mut().zip(&row[a..]) {
                    *d += ra * rb;
                }
                at += c - a;
            }
        }
    }
    packed
}

/// The rows a covariance of keypoint channels on a coarse grid is estimated from: their
/// sources on the analysis grid (`columns`) times their weights, over `range`, at least
/// `min_step` apart (the rows the channels on the analysis grid would give).
pub(crate) struct FineRows<'a> {
    columns: Vec<&'a [f64]>,
    weights: Vec<f64>,
    range: Range<usize>,
    min_step: usize,
}

/// Remove a slow trend: subtract the centred moving average over `width` samples (the mean
/// when the width is not shorter than the signal).
pub(crate) fn detrend(x: &[f64], width: usize) -> Vec<f64> {
    if width < 2 || width >= x.len() {
        let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
        return x.iter().map(|v| v - mean).collect();
    }
    let trend = super::segment::moving_average_filled(x, width);
    x.iter().zip(trend).map(|(v, t)| v - t).collect()
}

/// The candidate signals of the groups over `range` of the grid (values indexed from the
/// range's start). `trend_samples` is the moving-average width that removes the drift of
/// integrated angles; `rate_hz` the grid rate.
///
/// With `fine` (keypoints on a coarse grid: their [`Keypoints`] and `range` on the analysis
/// grid), the principal directions of the keypoint groups are those of their channels on
/// the analysis grid.
pub(crate) fn candidates(
    groups: &[Group],
    range: Range<usize>,
    trend_samples: usize,
    rate_hz: f64,
    fine: Option<(&Keypoints, Range<usize>)>,
) -> Vec<Candidate> {
    // The covariance needs rows no denser than the scoring grid's (reps are slower than
    // 2 Hz: rows a tenth of a second apart hold the same directions), which matters for
    // short ranges (a bout), where the cap of rows does not thin them: a bout of 34
    // keypoint channels costs a third.
    let min_step = ((rate_hz / super::SCORING_RATE_HZ).floor() as usize).max(1);
    // Keypoints on a coarse grid: the covariance of all of them (the group holding every
    // source), from their rows on the analysis grid; each keypoint group's is part of it.
    let shared = fine.as_ref().and_then(|(kp, r)| {
        let all = groups.iter().max_by_key(|g| g.terms.len())?;
        let rows = FineRows {
            columns: all
                .terms
                .iter()
                .map(|&(s, _)| kp.sources[s].column.as_slice())
                .collect(),
            weights: all.terms.iter().map(|&(_, w)| w).collect(),
            range: r.clone(),
            min_step: min_step * kp.d,
        };
        let packed = covariance(&all.channels, range.clone(), (4096, min_step), Some(&rows));
        Some((all.terms.clone(), packed))
    });
    let mut out = Vec::new();
    for g in groups {
        let keep = match g.kind {
            Kind::Acc | Kind::Gyro => 2,
            Kind::Points | Kind::Signals => 2,
        }
        .min(g.channels.len());
        let (pcs, directions) = if g.channels.len() == 1 {
            let x = &g.channels[0][range.clone()];
            let m = x.iter().sum::<f64>() / x.len().max(1) as f64;
            (vec![x.iter().map(|v| v - m).collect()], vec![vec![1.0]])
        } else {
            let packed = match (&shared, &fine) {
                // Keypoint groups on a coarse grid: the sums the whole set has for its
                // channels (its sources, in the same order).
                (Some((all, packed)), Some(_)) if !g.terms.is_empty() => {
                    let at: Vec<usize> = g
                        .terms
                        .iter()
                        .filter_map(|t| all.iter().position(|a| a.0 == t.0))
                        .collect();
                    let k = all.len();
                    let mut sub = Vec::with_capacity(at.len() * (at.len() + 1) / 2);
                    for (i, &a) in at.iter().enumerate() {
                        sub.extend(at[i..].iter().map(|&b| packed[packed_index(k, a, b)]));
                    }
                    sub
                }
                _ => covariance(&g.channels, range.clone(), (4096, min_step), None),
            };
            pca(&g.channels, range.clone(), keep, &packed)
        };
        let single = pcs.len() == 1 && g.channels.len() == 1;
        for (k, values) in pcs.into_iter().enumerate() {
            let name = if single {
                g.name.clone()
            } else {
                format!("{}_pc{}", g.name, k + 1)
            };
            if g.kind == Kind::Gyro {
                let dt = 1.0 / rate_hz;
                let mut a = 0.0;
                let angle: Vec<f64> = values
                    .iter()
                    .map(|v| {
                        a += v * dt;
                        a
                    })
                    .collect();
                out.push(Candidate {
                    name: name.replace("/gyro_pc", "/angle_pc"),
                    unit: "rad".into(),
                    values: detrend(&angle, trend_samples),
                    velocity: false,
                    noise_unit: false,
                    auxiliary: false,
                    dominant: k == 0,
                    recipe: None,
                });
            }
            // The channels are the sources times their weights.
            let recipe = (!g.terms.is_empty()).then(|| {
                g.terms
                    .iter()
                    .zip(&directions[k])
                    .map(|(&(s, w), e)| (s, w * e))
                    .collect()
            });
            out.push(Candidate {
                name,
                unit: g.unit.clone(),
                values,
                velocity: g.kind == Kind::Gyro,
                noise_unit: g.kind == Kind::Points,
                auxiliary: g.auxiliary,
                dominant: k == 0,
                recipe,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_filled_and_the_mean_removed() {
        let mut x = [f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN];
        assert!(fill_and_centre(&mut x).is_none(), "only 2 finite");
        let mut x = [f64::NAN, 1.0, f64::NAN, 3.0, 5.0, 5.0, f64::NAN];
        assert!(fill_and_centre(&mut x).is_some());
        // Filled: [1, 1, 2, 3, 5, 5, 5], mean 22/7.
        let want = [1.0, 1.0, 2.0, 3.0, 5.0, 5.0, 5.0].map(|v| v - 22.0 / 7.0);
        for (a, b) in x.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn running_median_of_filled_signals_as_the_general_one() {
        // Ties, steps and spikes, every length from 1 to 40, windows of 5 and others.
        for n in 1..40 {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 13) as f64 - if i % 5 == 0 { 20.0 } else { 0.0 })
                .collect();
            for k in [0, 1, 2, 3] {
                assert_eq!(
                    running_median_filled(&x, k),
                    crate::signal::running_median(&x, k),
                    "n {n} k {k}"
                );
            }
        }
    }

    #[test]
    fn median_step_as_the_jitter() {
        let mut rng = crate::synth::Rng::new(3);
        for n in [0usize, 1, 2, 3, 10, 101, 5000] {
            let x: Vec<f64> = (0..n)
                .map(|i| match i % 17 {
                    0 => 1.0,
                    1 => f64::NAN,
                    _ => rng.normal() * 10f64.powi((i % 7) as i32 - 3),
                })
                .collect();
            let (a, b) = (median_step(&x), jitter(&x));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "n {n}: {a} {b}"
            );
        }
    }

    #[test]
    fn sides_are_mirrored_by_name() {
        assert_eq!(mirror_name("left_knee").as_deref(), Some("right_knee"));
        assert_eq!(mirror_name("RightAnkle").as_deref(), Some("LeftAnkle"));
        assert_eq!(mirror_name("LHeel").as_deref(), Some("RHeel"));
        assert_eq!(mirror_name("R.Toe.Tip").as_deref(), Some("L.Toe.Tip"));
        assert_eq!(mirror_name("nose"), None);
        assert_eq!(mirror_name("Neck"), None);
    }

    #[test]
    fn block_means_skip_missing_samples() {
        let g = Grid::new(7, 100.0, 40.0);
        assert_eq!((g.factor, g.len), (3, 2));
        assert!((g.rate_hz - 100.0 / 3.0).abs() < 1e-12);
        let d = g.decimate([1.0, 2.0, 3.0, f64::NAN, 5.0, f64::NAN, 9.0].into_iter());
        assert_eq!(d, vec![2.0, 5.0]);
        // Three axes of points, and of the mean of two, in one pass: the same block means.
        let p: Vec<Vector3<f64>> = (0..7)
            .map(|i| {
                Vector3::new(
                    i as f64,
                    if i == 4 { f64::NAN } else { 2.0 * i as f64 },
                    1.0,
                )
            })
            .collect();
        let q: Vec<Vector3<f64>> = p.iter().map(|v| v * 3.0).collect();
        let one = g.decimate_axes(&p, None, 3);
        let two = g.decimate_axes(&p, Some(&q), 2);
        assert_eq!(two.len(), 2);
        for axis in 0..3 {
            assert_eq!(one[axis], g.decimate(p.iter().map(|v| v[axis])));
            if axis < 2 {
                let mean = p.iter().zip(&q).map(|(a, b)| 0.5 * (a[axis] + b[axis]));
                assert_eq!(two[axis], g.decimate(mean));
            }
        }
    }

    #[test]
    fn principal_component_of_a_tilted_line() {
        // Points along (3, 4, 0)/5 with a little orthogonal noise: PC1 is ±the position along
        // the line, with 3 channels (3×3 path) and with 4 (general path).
        let t: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut ch = vec![
            t.iter().map(|v| 0.6 * v + 2.0).collect::<Vec<_>>(),
            t.iter().map(|v| 0.8 * v).collect(),
            (0..50).map(|i| 1e-3 * (i % 2) as f64).collect(),
        ];
        let m = t[10..40].iter().sum::<f64>() / 30.0;
        let (pc, _) = pca(&ch, 10..40, 1, &covariance(&ch, 10..40, (10_000, 1), None));
        for (i, v) in t[10..40].iter().enumerate() {
            assert!((pc[0][i].abs() - (v - m).abs()).abs() < 1e-3);
        }
        ch.push(vec![5.0; 50]);
        let (pc, _) = pca(&ch, 0..50, 2, &covariance(&ch, 0..50, (10_000, 1), None));
        let m = t.iter().sum::<f64>() / 50.0;
        for (i, v) in t.iter().enumerate() {
            assert!((pc[0][i].abs() - (v - m).abs()).abs() < 1e-3);
        }
    }

    #[test]
    fn projections_add_sources_in_order() {
        // Four sources per pass give bit for bit the sums of one source after the other, for
        // every number of terms left over; zero coefficients are skipped either way.
        let column = |s: usize| (0..37).map(move |i| ((i * 31 + s * 17) % 23) as f64 / 7.3 - 1.1);
        let kp = Keypoints {
            sources: (0..11)
                .map(|s| Source {
                    column: column(s).collect(),
                })
                .collect(),
            d: 3,
            spike_half: 1,
            width: 4,
        };
        for k in 0..=11 {
            let terms: Vec<(usize, f64)> = (0..k)
                .map(|s| (s, if s == 5 { 0.0 } else { 0.37 * s as f64 - 1.3 }))
                .collect();
            let mut want = vec![0.0; 30];
            for &(s, c) in terms.iter().filter(|t| t.1 != 0.0) {
                for (w, v) in want.iter_mut().zip(&kp.sources[s].column[4..34]) {
                    *w += c * v;
                }
            }
            let mean = want.iter().sum::<f64>() / 30.0;
            want.iter_mut().for_each(|v| *v -= mean);
            let got = kp.build(&terms, 4..34);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "{k} terms");
        }
    }

    #[test]
    fn covariance_sums_add_rows_in_order() {
        // The sums of products four rows at a time are bit for bit those of one row after
        // the other, for every number of rows left over and of channels.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut draw = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for c in [1, 2, 5, 34] {
            for n in [1, 3, 4, 7, 130, 261] {
                let ch: Vec<Vec<f64>> = (0..c).map(|_| (0..n).map(|_| draw()).collect()).collect();
                let got = covariance(&ch, 0..n, (10_000, 1), None);
                let means: Vec<f64> = ch
                    .iter()
                    .map(|x| x.iter().sum::<f64>() / n as f64)
                    .collect();
                let mut want = vec![0.0; c * (c + 1) / 2];
                for i in 0..n {
                    let row: Vec<f64> = ch.iter().zip(&means).map(|(x, m)| x[i] - m).collect();
                    let mut at = 0;
                    for (a, ra) in row.iter().enumerate() {
                        for rb in &row[a..] {
                            want[at] += ra * rb;
                            at += 1;
                        }
                    }
                }
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "{c} channels, {n} rows");
            }
        }
    }
}
