//! Foot tracks from heel and toe points (video keypoints or markers).

use nalgebra::Vector3;

use super::{intervals, mid_stances_by, FootTrack, MetricParams};
use crate::detect::DetectedEvent;
use crate::motion::moving_average;
use crate::motion::stats::atan2_each;
use crate::{Point, Recording, Skeleton, Space};

/// Foot tracks of the left and right foot from heel and toe points (and knee and ankle
/// points for the ankle angle, where the layout has them).
pub fn keypoint_tracks(rec: &Recording, events: &[DetectedEvent]) -> Vec<FootTrack> {
    let Some(sk) = &rec.skeleton else {
        return Vec::new();
    };
    let image = matches!(sk.space, Space::Image { .. });
    // Toe heights need a fixed floor and a metric scale: markers have both; video keypoints
    // are unscaled (images) or centred on the hips (MediaPipe world landmarks).
    let markers = rec.source.modality == crate::Modality::Markers;
    let aspect = match sk.space {
        Space::Image { normalised: true } => image_aspect(sk),
        _ => 1.0,
    };
    // (forward-ish horizontal distance, height) of a vector, in consistent units.
    let sagittal = |v: Vector3<f64>| -> (f64, f64) {
        if image {
            (v.x.abs(), -v.y * aspect)
        } else {
            (v.x.hypot(v.y), v.z)
        }
    };
    let hz = rec.sampling_rate_hz;
    let smooth = ((0.1 * hz).round() as usize).max(1);
    let mut out = Vec::new();
    for side in ["left", "right"] {
        let (heel_names, toe_names) = super::super::keypoints::foot_names(side);
        let h: Vec<&str> = heel_names.iter().map(String::as_str).collect();
        let t: Vec<&str> = toe_names.iter().map(String::as_str).collect();
        let (Some(heel), Some(toe)) = (
            super::super::keypoints::find(sk, &h),
            super::super::keypoints::find(sk, &t),
        ) else {
            continue;
        };
        let mine: Vec<&DetectedEvent> = events
            .iter()
            .filter(|e| e.side.as_deref() == Some(side))
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Foot pitch (raw angles, then smoothed) and ankle angle, a block of frames at a
        // time (see [`frame_signals`]).
        let knee_ankle = knee_and_ankle(sk, side);
        let flat_shank = sk.dims == 2 || image;
        let (mut pitch, ankle) = frame_signals(heel, toe, knee_ankle, flat_shank, &sagittal);
        let raw_pitch = centred_mean(&pitch, smooth);
        // Toe heights are kept for markers only (see below): video keypoints skip them.
        let toe_up: Vec<f64> = if markers {
            let up: Vec<f64> = toe.position.iter().map(|p| sagittal(*p).1).collect();
            moving_average(&up, smooth)
        } else {
            Vec::new()
        };
        let n = rec.n_samples;
        let mut speeds = Vec::new();
        let still = |range| stillest(&heel.position, &toe.position, n, smooth, range, &mut speeds);
        let anchors = mid_stances_by(rec, &mine, still);
        // The ankle angles go into the track as they are, and the pitch relative to the
        // mid-stances in place of the raw angles; the samples no stride or edge below covers
        // are unknown (`covered`, ranges in time order but for the edges). Toe height,
        // sideways path and pelvic obliquity are measured from markers only: video
        // keypoints leave them empty.
        let mut track = FootTrack::unknown(Some(side.to_string()), "keypoints", 0);
        pitch.resize(n, f64::NAN);
        track.pitch_deg = pitch;
        if markers {
            track.toe_height_m = vec![f64::NAN; n];
            track.lateral_m = vec![f64::NAN; n];
            track.pelvic_obliquity_deg = vec![f64::NAN; n];
        }
        let mut ankle = ankle;
        ankle.resize(n, f64::NAN);
        track.ankle_deg = ankle;
        let mut covered: Vec<std::ops::Range<usize>> = Vec::new();
        let half = ((0.05 * hz).round() as usize).max(1);
        // The levels of pitch and toe height at a mid-stance: the median of the samples
        // around it. Consecutive intervals share a mid-stance, so the last one is kept.
        let mut buf = Vec::with_capacity(2 * half + 1);
        let mut levels = |i: usize| -> (f64, f64) {
            let window = |x: &[f64]| i.saturating_sub(half)..(i + half + 1).min(x.len());
            let p = small_median(&raw_pitch[window(&raw_pitch)], &mut buf);
            let h = if markers {
                small_median(&toe_up[window(&toe_up)], &mut buf)
            } else {
                f64::NAN
            };
            (p, h)
        };
        let mut last_level: Option<(usize, (f64, f64))> = None;
        let hips = hip_pair(sk, side);
        for (a, b) in intervals(rec, &anchors, &MetricParams::default()) {
            if markers {
                sideways(&heel.position, a, b, &mut track);
                if let Some((mine, other)) = hips {
                    for i in a..=b {
                        let d = mine.position[i] - other.position[i];
                        track.pelvic_obliquity_deg[i] = d.z.atan2(d.x.hypot(d.y)).to_degrees();
                    }
                }
            }
            let (p0, h0) = match last_level {
                Some((at, l)) if at == a => l,
                _ => levels(a),
            };
            let (p1, h1) = levels(b);
            last_level = Some((b, (p1, h1)));
            for i in a..=b {
                let f = (i - a) as f64 / (b - a) as f64;
                track.pitch_deg[i] = raw_pitch[i] - (p0 + (p1 - p0) * f);
                if markers {
                    track.toe_height_m[i] = toe_up[i] - (h0 + (h1 - h0) * f);
                }
            }
            covered.push(a..b + 1);
        }
        // Before the first and after the last mid-stance (a short walkway trial), the nearest
        // mid-stance's levels hold, up to 1.5 s away and within the same unbroken segment
        // (points do not drift, so one mid-stance is enough).
        let reach = (1.5 * hz).round() as usize;
        let segments = rec.segments();
        let edges = [
            anchors.first().map(|&a| (a, true)),
            anchors.last().map(|&a| (a, false)),
        ];
        for (a, backwards) in edges.into_iter().flatten() {
            let Some(seg) = segments.iter().find(|s| s.contains(&a)) else {
                continue;
            };
            let span = if backwards {
                a.saturating_sub(reach).max(seg.start)..a
            } else {
                a + 1..(a + reach + 1).min(seg.end)
            };
            let (p, h) = levels(a);
            covered.push(span.clone());
            // The spans lie before the first and after the last mid-stance, outside every
            // interval: no value of theirs has been written yet.
            for i in span {
                track.pitch_deg[i] = raw_pitch[i] - p;
                if markers {
                    track.toe_height_m[i] = toe_up[i] - h;
                }
            }
        }
        unknown_outside(&mut track.ankle_deg, &mut covered);
        unknown_outside(&mut track.pitch_deg, &mut covered);
        out.push(track);
    }
    out
}

/// Set every value outside the `covered` ranges to `NaN`.
fn unknown_outside(x: &mut [f64], covered: &mut [std::ops::Range<usize>]) {
    covered.sort_by_key(|r| r.start);
    let (mut from, n) = (0, x.len());
    for r in covered.iter() {
        if r.start > from {
            x[from..r.start.min(n)].fill(f64::NAN);
        }
        from = from.max(r.end);
    }
    if from < n {
        x[from..].fill(f64::NAN);
    }
}

/// The median of the finite values of a short window, exactly as [`crate::signal::median`]
/// gives it (nearest rank, `NaN` without a finite value), in a reused buffer rather than a
/// new vector per call: the levels at every mid-stance take two.
fn small_median(window: &[f64], buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    buf.extend(window.iter().copied().filter(|v| v.is_finite()));
    if buf.is_empty() {
        return f64::NAN;
    }
    let k = ((buf.len() - 1) as f64 * 0.5).round() as usize;
    *buf.select_nth_unstable_by(k, f64::total_cmp).1
}

/// This side's and the other side's hip (or anterior iliac spine) points.
fn hip_pair<'a>(sk: &'a Skeleton, side: &str) -> Option<(&'a Point, &'a Point)> {
    let names = |s: &str| {
        let c = if s == "left" { 'L' } else { 'R' };
        [
            format!("{s}_hip"),
            format!("{c}Hip"),
            format!("{c}ASI"),
            format!("{c}.ASIS"),
        ]
    };
    let other = if side == "left" { "right" } else { "left" };
    let find = |s: &str| {
        let n = names(s);
        let r: Vec<&str> = n.iter().map(String::as_str).collect();
        super::super::keypoints::find(sk, &r)
    };
    Some((find(side)?, find(other)?))
}

/// Sideways distance of a point from the straight line between its positions at `a` and
/// `b` (horizontal plane, z up), outwards positive.
fn sideways(points: &[Vector3<f64>], a: usize, b: usize, track: &mut FootTrack) {
    let flat = |v: Vector3<f64>| Vector3::new(v.x, v.y, 0.0);
    let stride = flat(points[b] - points[a]);
    // A stride's length at least (a NaN length is no stride either).
    if stride.norm().partial_cmp(&0.2) != Some(std::cmp::Ordering::Greater) {
        return;
    }
    let left = Vector3::z().cross(&stride).normalize();
    let outward = track.outward_sign();
    for i in a..=b {
        track.lateral_m[i] = outward * flat(points[i] - points[a]).dot(&left);
    }
}

/// This side's knee and ankle points, where the layout has them.
fn knee_and_ankle<'a>(sk: &'a Skeleton, side: &str) -> Option<(&'a Point, &'a Point)> {
    let c = if side == "left" { 'L' } else { 'R' };
    let knee_names = [
        format!("{side}_knee"),
        format!("{c}Knee"),
        format!("{c}KNE"),
    ];
    let ankle_names = [
        format!("{side}_ankle"),
        format!("{c}Ankle"),
        format!("{c}ANK"),
    ];
    let kn: Vec<&str> = knee_names.iter().map(String::as_str).collect();
    let an: Vec<&str> = ankle_names.iter().map(String::as_str).collect();
    Some((
        super::super::keypoints::find(sk, &kn)?,
        super::super::keypoints::find(sk, &an)?,
    ))
}

/// Frames per block of [`frame_signals`].
const BLOCK: usize = 64;

/// Per frame of a foot: the pitch of the heel-to-toe line, degrees (one per frame both
/// points have; not smoothed), and the ankle angle (one per heel frame; `NaN` without knee
/// and ankle points: 90° minus the angle between the shank, ankle to knee, and the foot,
/// heel to toe, in the sagittal view; `flat_shank` for image or 2-D points, whose shank is
/// signed along the foot by x alone).
///
/// The angles go through [`atan2_each`] a block of frames at a time: the frames' sine and
/// cosine pairs are gathered first, then turned into angles four frames at a time.
fn frame_signals(
    heel: &Point,
    toe: &Point,
    knee_ankle: Option<(&Point, &Point)>,
    flat_shank: bool,
    sagittal: &impl Fn(Vector3<f64>) -> (f64, f64),
) -> (Vec<f64>, Vec<f64>) {
    let (hp, tp) = (&heel.position, &toe.position);
    let np = hp.len().min(tp.len());
    let mut pitch = Vec::with_capacity(np);
    let mut ankle = Vec::with_capacity(hp.len());
    let (mut ys, mut xs) = ([0.0; BLOCK], [0.0; BLOCK]);
    let mut angles = [0.0; BLOCK];
    for start in (0..np).step_by(BLOCK) {
        let len = BLOCK.min(np - start);
        for (k, (h, t)) in hp[start..start + len].iter().zip(&tp[start..]).enumerate() {
            let (d, up) = sagittal(t - h);
            ys[k] = up;
            xs[k] = d;
        }
        pitch.extend(
            atan2_each(&ys[..len], &xs[..len])
                .iter()
                .map(|a| a.to_degrees()),
        );
    }
    if let Some((knee, ank)) = knee_ankle {
        let (kp, ap) = (&knee.position, &ank.position);
        let mut valid = [false; BLOCK];
        for start in (0..hp.len()).step_by(BLOCK) {
            let len = BLOCK.min(hp.len() - start);
            for k in 0..len {
                let i = start + k;
                // Signed 2D vectors: the horizontal sign is the foot's forward direction.
                let foot = tp[i] - hp[i];
                let shank = kp[i] - ap[i];
                let (fd, fu) = sagittal(foot);
                let (sd_abs, su) = sagittal(shank);
                // The shank's horizontal component, signed along the foot's forward direction.
                let along = if flat_shank {
                    shank.x * foot.x.signum()
                } else {
                    let f = Vector3::new(foot.x, foot.y, 0.0);
                    let n = f.norm();
                    if n > 0.0 {
                        Vector3::new(shank.x, shank.y, 0.0).dot(&(f / n))
                    } else {
                        f64::NAN
                    }
                };
                let sd = along.signum() * sd_abs;
                // The angle between the two from its sine and cosine (cross and dot
                // products): the same angle as the arccosine of the normalised dot product
                // to within 1e-15 rad away from 0 and 180° (a shank and a foot are never
                // parallel), without the slow `acos`. `NaN` with no foot or no shank.
                let norms = (fd * fd + fu * fu) * (sd * sd + su * su);
                valid[k] = norms > 0.0;
                ys[k] = (fd * su - fu * sd).abs();
                xs[k] = fd * sd + fu * su;
            }
            angles[..len].copy_from_slice(&atan2_each(&ys[..len], &xs[..len]));
            ankle.extend(angles[..len].iter().zip(&valid).map(|(a, &ok)| {
                if ok {
                    90.0 - a.to_degrees()
                } else {
                    f64::NAN
                }
            }));
        }
    } else {
        ankle.resize(hp.len(), f64::NAN);
    }
    (pitch, ankle)
}

/// The centred moving average of the finite values of `x` over `width` values (`width / 2`
/// either side, fewer at the ends; `NaN` where the window has no finite value), as
/// [`crate::motion::moving_average`] gives it up to rounding: one running sum, each value
/// added as it enters the window and taken out as it leaves.
fn centred_mean(x: &[f64], width: usize) -> Vec<f64> {
    let (n, half) = (x.len(), width / 2);
    let value = |v: f64| if v.is_finite() { (v, 1u32) } else { (0.0, 0) };
    let (mut sum, mut count) = (0.0, 0u32);
    for &v in &x[..half.min(n)] {
        let (v, c) = value(v);
        sum += v;
        count += c;
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if let Some(&v) = x.get(i + half) {
            let (v, c) = value(v);
            sum += v;
            count += c;
        }
        if i > half {
            let (v, c) = value(x[i - half - 1]);
            sum -= v;
            count -= c;
        }
        if count == 0 {
            // Nothing left in the window: no rounding residue either.
            sum = 0.0;
            out.push(f64::NAN);
        } else {
            out.push(sum / f64::from(count));
        }
    }
    out
}

/// The stillest sample of a foot in `range` (of `n` samples): where the distance its heel
/// and toe points move between the frames either side, averaged over `width` frames around
/// it (finite values only), is smallest (the first of equal ones; `None` without a finite
/// value). The distances are measured once each, into `buf`, where they are asked for: the
/// mid-stances look at a part of each stance only.
fn stillest(
    heel: &[Vector3<f64>],
    toe: &[Vector3<f64>],
    n: usize,
    width: usize,
    range: std::ops::RangeInclusive<usize>,
    buf: &mut Vec<f64>,
) -> Option<usize> {
    let (a, b) = (*range.start(), *range.end());
    if a > b || b >= n {
        return None;
    }
    let norm = |v: Vector3<f64>| (v.x * v.x + v.y * v.y + v.z * v.z).sqrt();
    let last = n - 1;
    let half = width / 2;
    let (lo, hi) = (a.saturating_sub(half), (b + half).min(last));
    buf.clear();
    buf.extend((lo..=hi).map(|j| {
        let (p, q) = ((j + 1).min(last), j.saturating_sub(1));
        norm(heel[p] - heel[q]) + norm(toe[p] - toe[q])
    }));
    let mut best: Option<(usize, f64)> = None;
    for i in a..=b {
        let window = &buf[i.saturating_sub(half) - lo..=(i + half).min(last) - lo];
        let (sum, count) = window
            .iter()
            .filter(|v| v.is_finite())
            .fold((0.0, 0u32), |(s, c), &v| (s + v, c + 1));
        if count == 0 {
            continue;
        }
        let v = sum / f64::from(count);
        if best.is_none_or(|(_, m)| v < m) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// The ratio of image height to width for normalised image coordinates, from the data: the
/// factor on y that keeps the leg segments' lengths most constant through the movement (a
/// segment's length does not change, its projection's distortion does as it turns). 1 when
/// the legs do not move enough to tell.
pub fn image_aspect(sk: &Skeleton) -> f64 {
    let mut pairs: Vec<(&Point, &Point)> = Vec::new();
    for side in ["left", "right"] {
        let names = |a: &str, b: &str| {
            (
                sk.point(&format!("{side}_{a}")),
                sk.point(&format!("{side}_{b}")),
            )
        };
        for (a, b) in [("hip", "knee"), ("knee", "ankle"), ("heel", "foot_index")] {
            if let (Some(p), Some(q)) = names(a, b) {
                pairs.push((p, q));
            }
        }
    }
    if pairs.is_empty() {
        return 1.0;
    }
    let n = pairs[0].0.position.len();
    let step = (n / 1000).max(1);
    // Each segment's image vector at up to 1000 frames (spread through the recording: a
    // ratio of lengths needs no more), once, one segment after the other:
    // the squared x (it does not depend on the factor) and the y.
    let frames = (0..n).step_by(step).len();
    let mut xx = Vec::with_capacity(pairs.len() * frames);
    let mut ys = Vec::with_capacity(pairs.len() * frames);
    for (p, q) in &pairs {
        for i in (0..n).step_by(step) {
            let d = q.position[i] - p.position[i];
            xx.push(d.x * d.x);
            ys.push(d.y);
        }
    }
    // Coefficient of variation of each segment's length, summed, for a y factor. The
    // lengths are one flat loop (square roots two at a time); then the segments are summed
    // side by side, frame by frame: each segment's sums add the same values in the same
    // order as one segment at a time would, but the segments' additions do not wait on one
    // another (a single running sum is one addition's latency per value).
    let segments = pairs.len();
    let mut lens = vec![f64::NAN; segments * frames];
    let spread = |k: f64, lens: &mut [f64]| -> f64 {
        for ((l, &xx), &y) in lens.iter_mut().zip(&xx).zip(&ys) {
            *l = (xx + (y * k) * (y * k)).sqrt();
        }
        // At most six segments (three per leg).
        let mut count = [0usize; 6];
        let mut sum = [0.0f64; 6];
        for i in 0..frames {
            for j in 0..segments {
                let l = lens[j * frames + i];
                if l.is_finite() {
                    count[j] += 1;
                    sum[j] += l;
                }
            }
        }
        let mut mean = [0.0f64; 6];
        for ((m, s), c) in mean.iter_mut().zip(&sum).zip(&count) {
            *m = s / *c as f64;
        }
        let mut squares = [0.0f64; 6];
        for i in 0..frames {
            for j in 0..segments {
                let l = lens[j * frames + i];
                if l.is_finite() {
                    squares[j] += (l - mean[j]).powi(2);
                }
            }
        }
        (0..segments)
            .map(|j| {
                if count[j] < 10 {
                    return 0.0;
                }
                let var = squares[j] / count[j] as f64;
                var.sqrt() / mean[j]
            })
            .sum()
    };
    // Golden-section search on log(k) over 1/3 … 3, to within 2·10⁻⁵ of log(k) (24 steps
    // of 0.618 from 2.2): far finer than the spread measures it.
    let (mut lo, mut hi) = ((1.0f64 / 3.0).ln(), 3.0f64.ln());
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = hi - phi * (hi - lo);
    let mut d = lo + phi * (hi - lo);
    let (mut fc, mut fd) = (spread(c.exp(), &mut lens), spread(d.exp(), &mut lens));
    for _ in 0..24 {
        if fc < fd {
            hi = d;
            d = c;
            fd = fc;
            c = hi - phi * (hi - lo);
            fc = spread(c.exp(), &mut lens);
        } else {
            lo = c;
            c = d;
            fc = fd;
            d = lo + phi * (hi - lo);
            fd = spread(d.exp(), &mut lens);
        }
    }
    let k = (0.5 * (lo + hi)).exp();
    if k.is_finite() && fc.is_finite() {
        k
    } else {
        1.0
    }
}
