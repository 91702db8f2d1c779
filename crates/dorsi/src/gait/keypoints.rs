//! Gait events from keypoints and markers: contacts are where a foot point starts or stops
//! moving with the floor.
//!
//! A foot on the floor moves with the floor: still in a fixed camera's view or in the lab,
//! backwards at the walking speed in a camera that follows the walker, in pelvis-centred
//! coordinates (MediaPipe world) or on a treadmill. So the detector works with velocities
//! relative to the floor, not positions:
//!
//! 1. The forward axis is the principal horizontal direction of the heels' movement relative
//!    to the pelvis (image x for image coordinates; x–y for world coordinates and markers,
//!    z up). Its sign does not matter.
//! 2. Velocities along it are taken between consecutive frames (each is the mean velocity
//!    over that interval, so it belongs to the interval's midpoint).
//! 3. The floor's velocity at each time is a low quantile ([`KeypointEventParams::floor_quantile`])
//!    of the velocities of all heel and toe points within a window around it, counted in the
//!    walking direction (the side of the feet's median where the pelvis is): at any time in
//!    walking some of them are on the floor, and the rest move forward relative to it, never
//!    backwards. The walking speed is the pelvis's velocity relative to the floor (its sign
//!    gives the walking direction, so walking both ways along the axis works).
//! 4. Each foot point's speed relative to the floor is divided by the walking speed. A swing
//!    is a run of the toe (or heel) moving forward faster than a threshold share of the walking
//!    speed that peaks above [`KeypointEventParams::min_swing_speed_ratio`] and lasts at
//!    least [`KeypointEventParams::min_swing_s`] (pauses of a few frames inside it, a far
//!    foot lost behind the near leg, are bridged).
//! 5. **Final contact** is where the toe's run starts (the toe leaves the floor), **initial
//!    contact** where the heel's run ends (the heel stops on the floor; for a toe-first
//!    contact the heel stops too, as the foot pivots about the landed toe). The crossing of
//!    the threshold is interpolated between frames, so events are finer than a frame.
//! 6. For pose-estimator points the crossing is only a first guess: a frame-to-frame
//!    velocity carries as much noise as the threshold, and near a contact the point moves
//!    slowly for a whole frame, so the crossing lies 10–20 ms inside the swing and one noisy
//!    frame moves it by a frame. The contact is then fitted to the point's path relative to
//!    the floor over 0.3 s of stance and 0.15 s of swing around it (`fit_contact`): still
//!    on one side, moving away from rest on the other, weighted by the estimator's
//!    confidence. A fit that runs to the end of its ±2-frame range (a path of another shape:
//!    a toe point rolling before it leaves) keeps the crossing.
//!
//! The threshold depends on what the points are. Pose-estimator heel and toe points lie on
//! the sole's outline and stop with the floor, so a low share marks the contact
//! ([`KeypointEventParams::contact_speed_ratio`]). Skin markers (TRC) sit several cm above
//! the sole and keep rolling with the foot about the contact point under them: the heel
//! marker still moves at about 0.4 of the walking speed when the force plate feels the heel,
//! and a forefoot marker moves faster than the walker when the toe tip leaves
//! ([`KeypointEventParams::marker_contact_speed_ratio`],
//! [`KeypointEventParams::marker_lift_speed_ratio`]).
//!
//! Frames where the pose estimator swapped the left and right feet are swapped back (the
//! feet's positions far closer to the other foot's in the frame before); points outside a
//! normalised image (a walker leaving the frame) and jumps faster than any swing are not
//! used. Swings cut
//! by the start or end of the recording still give the event the data shows (a
//! heel landing in the first frames, a toe leaving in the last), standing gives none (no
//! walking speed), and turns give none while the walker moves across the forward axis.
//!
//! Zeni, Richards & Higginson (Gait & Posture 27, 2008) mark contacts at the extremes of the
//! heel and toe relative to the pelvis, which is where the foot moves *with the pelvis*: some
//! 30 ms before the heel lands and after the toe leaves at usual speeds. The floor-relative
//! speed marks the contacts themselves.

use nalgebra::Vector3;

use crate::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
use crate::{Point, Recording, Skeleton, Space};

/// Settings of [`KeypointEventDetector`]; `Default` suits walking at any usual speed, in
/// video keypoints (25–60 frames/s) and in markers (60–200 Hz).
#[derive(Debug, Clone, PartialEq)]
pub struct KeypointEventParams {
    /// Pose-estimator points (heel and toe on the sole's outline) stop with the floor: the
    /// heel has landed when its speed relative to the floor falls below this share of the
    /// walking speed, and the toe has left when it rises above it. Low enough to mark the
    /// contact itself, high enough to stand above the frame-to-frame noise of keypoints
    /// (about 0.2 of the walking speed for 2 px at 30 frames/s, which a swing's run must also
    /// peak far above). Default 0.15.
    pub contact_speed_ratio: f64,
    /// Markers sit on the skin 3–6 cm above the sole and keep rolling with the foot about
    /// the contact point under them: the heel marker has landed when its speed relative to
    /// the floor falls below this share of the walking speed. Default 0.4 (force-plate
    /// contacts in the two real marker trials of `../shared` come at 0.33–0.58).
    pub marker_contact_speed_ratio: f64,
    /// The toe marker has left the floor when its speed relative to the floor rises above
    /// this share of the walking speed. Default 1.2 (a forefoot marker moves with the foot's
    /// push-off roll before the toe tip leaves: 0.6–1.8 times the walking speed at
    /// force-plate toe-off in the two real trials).
    pub marker_lift_speed_ratio: f64,
    /// A swing must move the point faster than this multiple of the walking speed (a foot
    /// point's swing peaks at 2–3 times it). Default 1.5.
    pub min_swing_speed_ratio: f64,
    /// A foot point moving faster than this multiple of the walking speed between two frames
    /// is a pose estimator's slip (left and right legs swapped for a frame or two, a point
    /// jumping to the other foot): that interval is not used. Default 6 (swings peak at 2–3).
    pub max_speed_ratio: f64,
    /// A swing lasts at least this long, s (runs touching the start or end of the recording
    /// are exempt): a foot point's swing run lasts 0.3–0.7 s, keypoint jitter in stance a
    /// frame or two. Default 0.2.
    pub min_swing_s: f64,
    /// A swing run interrupted for at most this long is one swing (pose estimators lose the
    /// far foot behind the near leg for a few frames); a stance lasts 0.3 s or more, s.
    /// Default 0.15.
    pub max_pause_s: f64,
    /// The floor's velocity and the walking speed are measured over a window this long
    /// around each time, s (about a stride). Default 1.2.
    pub floor_window_s: f64,
    /// The floor's velocity is this quantile of the foot points' velocities in the window.
    /// Default 0.25.
    pub floor_quantile: f64,
    /// Below this walking speed, in leg lengths (hip to heel) per second, the walker is
    /// standing and no event is sought. Default 0.2 (about 0.18 m/s).
    pub min_walking_speed_leg_per_s: f64,
    /// Two events of one kind on one side are at least this far apart, s. Default 0.5.
    pub min_interval_s: f64,
}

impl Default for KeypointEventParams {
    fn default() -> Self {
        KeypointEventParams {
            contact_speed_ratio: 0.15,
            marker_contact_speed_ratio: 0.4,
            marker_lift_speed_ratio: 1.2,
            min_swing_speed_ratio: 1.5,
            max_speed_ratio: 6.0,
            min_swing_s: 0.2,
            max_pause_s: 0.15,
            floor_window_s: 1.2,
            floor_quantile: 0.25,
            min_walking_speed_leg_per_s: 0.2,
            min_interval_s: 0.5,
        }
    }
}

impl KeypointEventParams {
    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), DetectError> {
        let check = |name: &str, value: f64, lo: f64, hi: f64| {
            DetectError::check_param("gait_keypoints", name, value, lo, hi)
        };
        check("contact_speed_ratio", self.contact_speed_ratio, 0.01, 1.0)?;
        check(
            "marker_contact_speed_ratio",
            self.marker_contact_speed_ratio,
            0.01,
            1.0,
        )?;
        check(
            "marker_lift_speed_ratio",
            self.marker_lift_speed_ratio,
            0.01,
            3.0,
        )?;
        let highest = self
            .contact_speed_ratio
            .max(self.marker_contact_speed_ratio)
            .max(self.marker_lift_speed_ratio);
        check(
            "min_swing_speed_ratio",
            self.min_swing_speed_ratio,
            highest,
            10.0,
        )?;
        check(
            "max_speed_ratio",
            self.max_speed_ratio,
            self.min_swing_speed_ratio,
            100.0,
        )?;
        check("min_swing_s", self.min_swing_s, 0.0, 2.0)?;
        check("max_pause_s", self.max_pause_s, 0.0, 0.5)?;
        check("floor_window_s", self.floor_window_s, 0.2, 10.0)?;
        check("floor_quantile", self.floor_quantile, 0.0, 0.5)?;
        check(
            "min_walking_speed_leg_per_s",
            self.min_walking_speed_leg_per_s,
            0.0,
            5.0,
        )?;
        check("min_interval_s", self.min_interval_s, 0.0, 2.0)?;
        Ok(())
    }
}

/// Initial and final contacts from heel, toe and pelvis points.
#[derive(Debug, Clone, Default)]
pub struct KeypointEventDetector {
    /// Settings.
    pub params: KeypointEventParams,
}

pub(super) fn find<'a>(sk: &'a Skeleton, names: &[&str]) -> Option<&'a Point> {
    names
        .iter()
        .find_map(|n| sk.points.iter().find(|p| p.name.eq_ignore_ascii_case(n)))
}

/// The heel and toe point names of a side, in the layouts Dorsi reads.
pub(super) fn foot_names(side: &str) -> ([String; 6], [String; 7]) {
    let (s, c) = if side == "left" {
        ("left", 'L')
    } else {
        ("right", 'R')
    };
    let heel = [
        format!("{s}_heel"),
        format!("{c}Heel"),
        format!("{c}HEE"),
        format!("{c}.Heel"),
        format!("{c}_FCC"),
        format!("{c}_HEE"),
    ];
    let toe = [
        format!("{s}_foot_index"),
        format!("{c}BigToe"),
        format!("{s}_big_toe"),
        format!("{c}TOE"),
        format!("{c}.Toe.Tip"),
        format!("{c}_TOE"),
        format!("{c}.Toe.Med"),
    ];
    (heel, toe)
}

/// The pelvis: the mean of whichever hip / pelvis points exist, per sample.
pub(super) fn pelvis(sk: &Skeleton) -> Option<Vec<Vector3<f64>>> {
    let names = [
        "left_hip",
        "right_hip",
        "LHip",
        "RHip",
        "MidHip",
        "LASI",
        "RASI",
        "LPSI",
        "RPSI",
        "R.ASIS",
        "L.ASIS",
        "V.Sacral",
    ];
    let pts: Vec<&Point> = sk
        .points
        .iter()
        .filter(|p| names.iter().any(|n| p.name.eq_ignore_ascii_case(n)))
        .collect();
    let n = pts.first()?.position.len();
    Some(
        (0..n)
            .map(|i| {
                let (sum, k) = pts.iter().fold((Vector3::zeros(), 0usize), |(s, k), p| {
                    let v = p.position[i];
                    if v.iter().all(|c| c.is_finite()) {
                        (s + v, k + 1)
                    } else {
                        (s, k)
                    }
                });
                if k == 0 {
                    Vector3::repeat(f64::NAN)
                } else {
                    sum / k as f64
                }
            })
            .collect(),
    )
}

/// The velocity between samples `k` and `k + 1` of forward positions, per second: the mean
/// velocity over that interval (`NaN` where either is missing).
fn velocity(x: &[f64], k: usize, hz: f64) -> f64 {
    (x[k + 1] - x[k]) * hz
}

/// Undo the pose estimator's left/right swaps of the feet: a frame whose left and right
/// heel and toe positions are much closer to the previous frame's other foot (the sum of
/// the four jumps under a third of what it is unswapped) has its feet exchanged. Swaps last
/// a few frames; a run of more than `max_frames` swapped frames is left as it was (the
/// feet crossing, not a swap): exchanged back, once the run has ended.
fn unswap(lh: &mut [f64], lt: &mut [f64], rh: &mut [f64], rt: &mut [f64], max_frames: usize) {
    let n = lh.len().min(lt.len()).min(rh.len()).min(rt.len());
    fn exchange(h: (&mut [f64], &mut [f64]), t: (&mut [f64], &mut [f64])) {
        h.0.swap_with_slice(h.1);
        t.0.swap_with_slice(t.1);
    }
    // The first frame of the current run of swapped frames.
    let mut run: Option<usize> = None;
    for i in 1..n {
        let keep = (lh[i] - lh[i - 1]).abs()
            + (lt[i] - lt[i - 1]).abs()
            + (rh[i] - rh[i - 1]).abs()
            + (rt[i] - rt[i - 1]).abs();
        let swap = (lh[i] - rh[i - 1]).abs()
            + (lt[i] - rt[i - 1]).abs()
            + (rh[i] - lh[i - 1]).abs()
            + (rt[i] - lt[i - 1]).abs();
        if swap < keep / 3.0 {
            std::mem::swap(&mut lh[i], &mut rh[i]);
            std::mem::swap(&mut lt[i], &mut rt[i]);
            run.get_or_insert(i);
        } else if let Some(start) = run.take() {
            // The next frame's test saw this run as swapped, so undoing it afterwards
            // changes no later decision.
            if i - start > max_frames {
                let r = start..i;
                exchange(
                    (&mut lh[r.clone()], &mut rh[r.clone()]),
                    (&mut lt[r.clone()], &mut rt[r]),
                );
            }
        }
    }
    if let Some(start) = run {
        if n - start > max_frames {
            let r = start..n;
            exchange(
                (&mut lh[r.clone()], &mut rh[r.clone()]),
                (&mut lt[r.clone()], &mut rt[r]),
            );
        }
    }
}

/// The key of a missing (non-finite) velocity in [`floor_and_speed`]: the key of a NaN,
/// which no finite velocity has.
const MISSING: i64 = i64::MAX;

/// The key that orders `f64` as [`f64::total_cmp`] does, as a plain integer.
fn order_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The value of an [`order_key`] (the map is its own inverse).
fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// The floor's velocity and the walking speed (the pelvis relative to the floor, signed)
/// from the foot points' and the pelvis's forward positions (their [`velocity`] over each
/// interval): measured every `step` intervals over `half` intervals either side and held in
/// between, so one pair per `step` intervals (the last run may be shorter).
///
/// Per window: the pelvis's median, then whether it lies at or above the feet's median (no
/// selection needed: it does when at least half the feet's values, rounded up past the
/// middle rank, are at or below it), then one selection of the quantile, on integer keys
/// ordered as [`f64::total_cmp`].
fn floor_and_speed(
    feet: &[&[f64]],
    pelvis: &[f64],
    hz: f64,
    half: usize,
    step: usize,
    quantile: f64,
) -> Vec<(f64, f64)> {
    let m = pelvis.len().saturating_sub(1);
    // Each interval lies in about `(2·half + 1) / step` windows (2.5 by default): the
    // velocities are taken once, as order keys, with `MISSING` for the non-finite ones
    // (the key of a NaN, which no finite velocity has), left out of every window.
    let keys = |x: &[f64]| -> Vec<i64> {
        (0..m)
            .map(|k| {
                let v = velocity(x, k, hz);
                if v.is_finite() {
                    order_key(v)
                } else {
                    MISSING
                }
            })
            .collect()
    };
    let pelvis_keys = keys(pelvis);
    let feet_keys: Vec<Vec<i64>> = feet.iter().map(|f| keys(f)).collect();
    let mut out = Vec::with_capacity(m.div_ceil(step));
    let mut all: Vec<i64> = Vec::with_capacity(feet.len() * (2 * half + 1));
    let mut near: Vec<i64> = Vec::with_capacity(feet.len() * (2 * half + 1));
    // The previous window's pelvis velocity, floor velocity and walking speed: the next
    // window's values lie close to them, mostly within 5 % of the walking speed, which
    // narrows each selection to the few keys there ([`Gathered`]).
    let mut last = (f64::NAN, f64::NAN, f64::NAN);
    let mut c = 0;
    while c < m {
        let (a, b) = (c.saturating_sub(half), (c + half + 1).min(m));
        let margin = 0.05 * last.2.abs();
        let around = |v: f64| (order_key(v - margin), order_key(v + margin));
        let pelvis_window = [&pelvis_keys[a..b]];
        let pel = Gathered::new(&pelvis_window, around(last.0), MISSING, &mut near);
        let pair = if pel.present == 0 {
            (f64::NAN, f64::NAN)
        } else {
            let mid = (pel.present - 1) / 2;
            let p = from_order_key(pel.select(&pelvis_window, mid, &mut near, &mut all));
            let feet_window: Vec<&[i64]> = feet_keys.iter().map(|f| &f[a..b]).collect();
            // Compared as numbers: as the keys order them, but for the two zeros, which are
            // equal as numbers (`p + 0` is `+0` for either zero, whose key is the larger).
            let top = order_key(p + 0.0);
            let feet = Gathered::new(&feet_window, around(last.1), top, &mut near);
            if feet.present == 0 {
                (f64::NAN, f64::NAN)
            } else {
                // The feet move with the pelvis on average and rest on the floor often:
                // their median lies between the floor and the pelvis, which gives the
                // direction. The median (rank `(len - 1) / 2`) is at or below the pelvis
                // when more values than that rank are.
                let half_feet = (feet.present - 1) / 2;
                let q = if feet.at_or_below > half_feet {
                    quantile
                } else {
                    1.0 - quantile
                };
                let k = ((feet.present - 1) as f64 * q).round() as usize;
                let fl = from_order_key(feet.select(&feet_window, k, &mut near, &mut all));
                last = (p, fl, p - fl);
                (fl, p - fl)
            }
        };
        out.push(pair);
        c += step;
    }
    out
}

/// One pass over a window's keys (in slices, `MISSING` left out): how many there are, how
/// many lie at or below a key `top`, and those near a guess of a quantile's key (from `lo`
/// to `hi`, such as the last window's value and a margin), gathered, with how many lie
/// below them. A rank among the gathered keys is selected from them alone.
struct Gathered {
    /// Keys present (not `MISSING`).
    present: usize,
    /// Keys at or below `top` (`MISSING` among them only for a `top` of `MISSING`).
    at_or_below: usize,
    /// Keys below `lo`.
    below: usize,
    /// Keys from `lo` to `hi`, the first ones of `near`.
    near: usize,
}

impl Gathered {
    fn new(slices: &[&[i64]], (lo, hi): (i64, i64), top: i64, near: &mut Vec<i64>) -> Self {
        let total: usize = slices.iter().map(|s| s.len()).sum();
        near.clear();
        near.resize(total, 0);
        let mut g = Gathered {
            present: 0,
            at_or_below: 0,
            below: 0,
            near: 0,
        };
        // `x` lies from `lo` to `hi` when `x − lo` is below `hi − lo + 1` as unsigned
        // numbers (one comparison); a bracket that is empty or reaches `MISSING` gathers
        // nothing. `MISSING` lies above `lo` and above a `top` of a number.
        let limit = if lo <= hi && hi < MISSING {
            hi.wrapping_sub(lo) as u64 + 1
        } else {
            0
        };
        for s in slices {
            for &x in *s {
                near[g.near] = x;
                g.present += usize::from(x != MISSING);
                g.at_or_below += usize::from(x <= top);
                g.below += usize::from(x < lo);
                g.near += usize::from((x.wrapping_sub(lo) as u64) < limit);
            }
        }
        g
    }

    /// The key of rank `k` among the present keys of `slices` (those [`Gathered::new`]
    /// saw), as `select_nth_unstable` gives it: from the gathered keys in `near` when the
    /// rank falls among them, else from all of them, copied into `all`. The same key
    /// either way, whatever the guess.
    fn select(&self, slices: &[&[i64]], k: usize, near: &mut [i64], all: &mut Vec<i64>) -> i64 {
        if self.below <= k && k < self.below + self.near {
            return *near[..self.near].select_nth_unstable(k - self.below).1;
        }
        all.clear();
        for s in slices {
            push_present(all, s);
        }
        *all.select_nth_unstable(k).1
    }
}

/// Append the keys of `src` other than `MISSING` to `dst`, in order: each key is written and
/// the end moves past it when it is present, with no branch to mispredict.
fn push_present(dst: &mut Vec<i64>, src: &[i64]) {
    let start = dst.len();
    dst.resize(start + src.len(), 0);
    let mut end = start;
    for &k in src {
        dst[end] = k;
        end += usize::from(k != MISSING);
    }
    dst.truncate(end);
}

/// Where a swing ends or starts: runs of `u` (a foot point's forward speed relative to the
/// floor over the walking speed) above `level` that peak at `min_peak` or more and last at
/// least `min_len` intervals (unless cut by an end of the data). Returns the crossing
/// positions in samples (interval `k` is centred on sample `k + 0.5`), linearly interpolated:
/// the end of each run (`ends`, initial contacts) or its start (final contacts).
fn crossings(
    u: &[f64],
    level: f64,
    min_peak: f64,
    min_len: usize,
    max_pause: usize,
    ends: bool,
) -> Vec<f64> {
    // Runs above the level that peak above `min_peak`: (first, last).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let m = u.len();
    let mut k = 0;
    while k < m {
        if u[k].is_nan() || u[k] <= level {
            k += 1;
            continue;
        }
        let a = k;
        // Whether the run peaks at `min_peak` or more: a flag rather than a running maximum,
        // which would chain every comparison on the one before.
        let mut peaks = false;
        while k < m && u[k] > level {
            peaks |= u[k] >= min_peak;
            k += 1;
        }
        let b = k - 1;
        if !peaks {
            continue;
        }
        // A pause of a few frames between two fast runs (a point lost behind the other leg)
        // is not a stance: one swing.
        match runs.last_mut() {
            Some(last)
                if a - last.1 - 1 <= max_pause
                    && u[last.1 + 1..a].iter().all(|v| v.is_finite()) =>
            {
                last.1 = b;
            }
            _ => runs.push((a, b)),
        }
    }
    let mut out = Vec::new();
    for (a, b) in runs {
        let cut = a == 0 || b + 1 == m;
        if b + 1 - a < min_len && !cut {
            continue;
        }
        if ends {
            if let Some(&next) = u.get(b + 1) {
                if next.is_finite() {
                    let frac = (u[b] - level) / (u[b] - next);
                    out.push(b as f64 + 0.5 + frac.clamp(0.0, 1.0));
                }
            }
        } else if a > 0 && u[a - 1].is_finite() {
            let prev = u[a - 1];
            let frac = (level - prev) / (u[a] - prev);
            out.push(a as f64 - 0.5 + frac.clamp(0.0, 1.0));
        }
    }
    out
}

/// The contact time near `coarse` (in samples) from a point's floor-relative forward
/// positions and their weights (the pose estimator's confidence), which `sample` gives for
/// each of the `n` samples by index (a position `NaN` where missing; only the samples
/// around the contact are asked for; `buf` holds them). The point is still on one side of the contact (after it for an initial
/// contact, `ends`; before it for a final contact) and moves away on the other from rest:
/// its displacement grows smoothly from zero, as the cube and fourth power of the time from
/// the contact (speed and acceleration both start from zero). The fit, by weighted least
/// squares, is the still level, a slow drift (an error in the floor's velocity) and the two
/// growth terms, over the samples up to `still` samples into the stance and `moving`
/// samples into the swing (`reach` is `(still, moving, search)`). Contact times within
/// `search` samples of `coarse` are tried on a
/// grid of half samples; the best fit's time is refined by a parabola through its
/// neighbours' residuals.
///
/// Why not the threshold crossing alone: a single frame-to-frame velocity of keypoints
/// carries about 0.2 of the walking speed of noise (2 px at 30 frames/s), as much as the
/// threshold, and the speed near a contact stays small for a whole frame, so the crossing
/// lands 10–20 ms inside the swing and one noisy frame moves it by a frame. The fit uses
/// every frame around the contact. `None` when too few samples are on either side.
fn fit_contact(
    n: usize,
    sample: impl Fn(usize) -> (f64, f64),
    buf: &mut Vec<(f64, f64, f64)>,
    coarse: f64,
    ends: bool,
    (still, moving, search): (usize, usize, f64),
) -> Option<f64> {
    let (before, after) = if ends {
        (moving, still)
    } else {
        (still, moving)
    };
    let lo = (coarse - search - before as f64).floor().max(0.0) as usize;
    let hi = ((coarse + search + after as f64).ceil() as usize).min(n.checked_sub(1)?);
    if hi <= lo {
        return None;
    }
    // (time from `coarse`, position, weight) of the usable samples, at most 128.
    buf.clear();
    for i in lo..=hi {
        let (r, w) = sample(i);
        if r.is_finite() && w > 0.0 && buf.len() < 128 {
            buf.push((i as f64 - coarse, r, w));
        }
    }
    let pts = &buf[..];
    // At least two moving samples beyond the search range and three still ones.
    let beyond = |moving_side: bool| {
        pts.iter()
            .filter(|p| {
                if ends == moving_side {
                    p.0 < -search
                } else {
                    p.0 > search
                }
            })
            .count()
    };
    if beyond(true) < 2 || beyond(false) < 3 {
        return None;
    }
    // The level and drift terms do not depend on the contact time: their sums, and the fit
    // with them alone, are computed once; each contact time adds the two growth terms
    // (their normal equations reduced by the fixed part, a 2 × 2 system).
    let (mut s00, mut s01, mut s11, mut b0, mut b1, mut yy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &(d, y, w) in pts {
        s00 += w;
        s01 += w * d;
        s11 += w * d * d;
        b0 += w * y;
        b1 += w * d * y;
        yy += w * y * y;
    }
    let det = s00 * s11 - s01 * s01;
    if det <= f64::EPSILON * s00 * s11 {
        return None;
    }
    // The inverse of the fixed block applied to a pair of sums.
    let solve = |p: f64, q: f64| ((s11 * p - s01 * q) / det, (s00 * q - s01 * p) / det);
    let fit = solve(b0, b1);
    let fixed = yy - (fit.0 * b0 + fit.1 * b1);
    // The weighted residual sum of squares with the contact at each time of a group of
    // `LANES` (from `coarse`), side by side (see [`growth_sums`]).
    let residuals = |t: &[f64; LANES], out: &mut [f64]| {
        let g = if ends {
            growth_sums::<true>(pts, t)
        } else {
            growth_sums::<false>(pts, t)
        };
        for (l, o) in out.iter_mut().enumerate() {
            let u3 = solve(g.c03[l], g.c13[l]);
            let u4 = solve(g.c04[l], g.c14[l]);
            let m33 = g.a33[l] - (g.c03[l] * u3.0 + g.c13[l] * u3.1);
            let m34 = g.a34[l] - (g.c03[l] * u4.0 + g.c13[l] * u4.1);
            let m44 = g.a44[l] - (g.c04[l] * u4.0 + g.c14[l] * u4.1);
            let r3 = g.b3[l] - (g.c03[l] * fit.0 + g.c13[l] * fit.1);
            let r4 = g.b4[l] - (g.c04[l] * fit.0 + g.c14[l] * fit.1);
            let dm = m33 * m44 - m34 * m34;
            // A singular system (growth terms with no moving sample) or NaN: no fit.
            *o = if dm.is_nan() || dm <= 1e-12 * m33 * m44 {
                f64::INFINITY
            } else {
                fixed - (m44 * r3 * r3 - 2.0 * m34 * r3 * r4 + m33 * r4 * r4) / dm
            };
        }
    };
    // A grid of half samples, then the parabola through the best and its neighbours.
    let steps = (2.0 * search).floor() as usize;
    let count = (2 * steps + 1).min(64);
    let mut values = [f64::INFINITY; 64];
    for (group, out) in values[..count].chunks_mut(LANES).enumerate() {
        let t: [f64; LANES] = std::array::from_fn(|l| -search + 0.5 * (group * LANES + l) as f64);
        residuals(&t, out);
    }
    let mut best = (f64::INFINITY, 0usize);
    for (k, &v) in values[..count].iter().enumerate() {
        if v < best.0 {
            best = (v, k);
        }
    }
    let k = best.1;
    // A best fit at the end of the range is no contact of this shape near `coarse`.
    if !best.0.is_finite() || k == 0 || k >= (2 * steps).min(63) {
        return None;
    }
    let (l, c, r) = (values[k - 1], values[k], values[k + 1]);
    let curve = l - 2.0 * c + r;
    let shift = if curve > 0.0 && curve.is_finite() {
        (0.5 * (l - r) / curve).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some(coarse - search + 0.5 * (k as f64 + shift))
}

/// Contact times tried side by side in [`fit_contact`].
const LANES: usize = 2;

/// The sums of the two growth terms of [`fit_contact`] for `LANES` contact times: per
/// time, the products of the cube and fourth power of the time from the contact with the
/// fixed terms, with themselves and with the positions.
struct GrowthSums {
    c03: [f64; LANES],
    c04: [f64; LANES],
    c13: [f64; LANES],
    c14: [f64; LANES],
    a33: [f64; LANES],
    a34: [f64; LANES],
    a44: [f64; LANES],
    b3: [f64; LANES],
    b4: [f64; LANES],
}

/// [`GrowthSums`] over the samples `pts` (time from the coarse contact, position, weight;
/// in time order) on the moving side of each contact time `t`: before it for an initial
/// contact (`ENDS`), after it for a final one. Every sample that is on the moving side of
/// any of the times is visited once for all of them, those on the still side of a time
/// adding zero (a zero weight) to its sums, which leaves them as they would be without the
/// sample (no sum is ever −0); so each time's sums take the same values, in the same
/// order, as a loop over its own moving samples, while the times' arithmetic runs on
/// vector lanes.
#[inline(always)]
fn growth_sums<const ENDS: bool>(pts: &[(f64, f64, f64)], t: &[f64; LANES]) -> GrowthSums {
    let mut g = GrowthSums {
        c03: [0.0; LANES],
        c04: [0.0; LANES],
        c13: [0.0; LANES],
        c14: [0.0; LANES],
        a33: [0.0; LANES],
        a34: [0.0; LANES],
        a44: [0.0; LANES],
        b3: [0.0; LANES],
        b4: [0.0; LANES],
    };
    // The times increase along the lanes.
    let (lo, hi) = (t[0], t[LANES - 1]);
    let range = if ENDS {
        &pts[..pts.partition_point(|p| p.0 < hi)]
    } else {
        &pts[pts.partition_point(|p| p.0 <= lo)..]
    };
    for &(d, y, w) in range {
        for (l, &tl) in t.iter().enumerate() {
            let (moving, s) = if ENDS {
                (d < tl, tl - d)
            } else {
                (d > tl, d - tl)
            };
            let w = if moving { w } else { 0.0 };
            let s3 = s * s * s;
            let (ws3, ws4) = (w * s3, w * s3 * s);
            g.c03[l] += ws3;
            g.c04[l] += ws4;
            g.c13[l] += ws3 * d;
            g.c14[l] += ws4 * d;
            g.a33[l] += ws3 * s3;
            g.a34[l] += ws4 * s3;
            g.a44[l] += ws4 * s3 * s;
            g.b3[l] += ws3 * y;
            g.b4[l] += ws4 * y;
        }
    }
    g
}

impl EventDetector for KeypointEventDetector {
    fn name(&self) -> &str {
        "gait_keypoints"
    }

    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
        self.params.validate()?;
        let p = &self.params;
        let err = |message: &str| DetectError {
            detector: self.name().into(),
            message: message.into(),
        };
        let sk = rec
            .skeleton
            .as_ref()
            .ok_or_else(|| err("no keypoints or markers in the recording"))?;
        if !sk.layout.has_feet() {
            return Err(err(
                "the keypoint layout has no heel or toe points (COCO-17): gait needs feet",
            ));
        }
        let pelvis = pelvis(sk).ok_or_else(|| err("no hip or pelvis points"))?;
        let image = matches!(sk.space, Space::Image { .. });
        let normalised = matches!(sk.space, Space::Image { normalised: true });
        // Horizontal plane: x for images; x and y for world coordinates (z up).
        let horizontal = |v: Vector3<f64>| {
            if image {
                Vector3::new(v.x, 0.0, 0.0)
            } else {
                Vector3::new(v.x, v.y, 0.0)
            }
        };
        let mut feet = Vec::new();
        for side in ["left", "right"] {
            let (heel_names, toe_names) = foot_names(side);
            let h: Vec<&str> = heel_names.iter().map(String::as_str).collect();
            let t: Vec<&str> = toe_names.iter().map(String::as_str).collect();
            if let (Some(heel), Some(toe)) = (find(sk, &h), find(sk, &t)) {
                feet.push((side, heel, toe));
            }
        }
        if feet.is_empty() {
            return Err(err("no heel and toe points found"));
        }
        // The forward axis: principal horizontal direction of the heels relative to the
        // pelvis. The leg length (pelvis to heel) scales the standing threshold: the median
        // of the squared lengths, whose root is the median length.
        // The horizontal differences have no z (nor y in images): only the x–y block of the
        // scatter matrix is summed, the rest stays zero.
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for (_, heel, _) in &feet {
            for (h, q) in heel.position.iter().zip(&pelvis) {
                let d = horizontal(h - q);
                if d.iter().all(|c| c.is_finite()) {
                    sxx += d.x * d.x;
                    sxy += d.x * d.y;
                    syy += d.y * d.y;
                }
            }
        }
        let m = nalgebra::Matrix3::new(sxx, sxy, 0.0, sxy, syy, 0.0, 0.0, 0.0, 0.0);
        // Only a threshold depends on it: the median over about 4000 frames spread through
        // the recording is as good as over all of them.
        let every = (pelvis.len() / 4000).max(1);
        let squared_legs = feet.iter().flat_map(|(_, heel, _)| {
            heel.position
                .iter()
                .zip(&pelvis)
                .step_by(every)
                .map(|(h, q)| (h - q).norm_squared())
        });
        let leg = crate::motion::stats::median(squared_legs).sqrt();
        let eig = nalgebra::SymmetricEigen::new(m);
        let (k, _) = eig
            .eigenvalues
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .ok_or_else(|| err("no finite foot positions"))?;
        let fwd: Vector3<f64> = eig.eigenvectors.column(k).into_owned();
        let hz = rec.sampling_rate_hz;
        let n = rec.n_samples.min(pelvis.len());
        let along_one = |v: &Vector3<f64>| -> f64 {
            // A point outside a normalised image is a guess of the pose estimator's.
            if normalised && !(0.0..=1.0).contains(&v.x) {
                f64::NAN
            } else {
                horizontal(*v).dot(&fwd)
            }
        };
        let along =
            |pts: &[Vector3<f64>]| -> Vec<f64> { pts.iter().take(n).map(along_one).collect() };
        let pelvis_x = along(&pelvis);
        drop(pelvis);
        let mut tracks: Vec<(&str, Vec<f64>, Vec<f64>)> = feet
            .iter()
            .map(|(side, heel, toe)| (*side, along(&heel.position), along(&toe.position)))
            .collect();
        if let [(_, lh, lt), (_, rh, rt)] = tracks.as_mut_slice() {
            unswap(lh, lt, rh, rt, ((0.15 * hz).round() as usize).max(1));
        }
        let all: Vec<&[f64]> = tracks
            .iter()
            .flat_map(|(_, h, t)| [h.as_slice(), t.as_slice()])
            .collect();
        let half = ((p.floor_window_s * hz / 2.0).round() as usize).max(1);
        let step = ((0.5 * hz).round() as usize).max(1);
        // The floor's velocity and the walking speed, one pair per `step` intervals.
        let floor = floor_and_speed(&all, &pelvis_x, hz, half, step, p.floor_quantile);
        drop(pelvis_x);
        let m = n.saturating_sub(1);
        let min_speed = p.min_walking_speed_leg_per_s * leg;
        // Each foot point's velocity relative to the floor over the walking speed, per
        // interval, into a buffer used for one point after the other.
        let mut u: Vec<f64> = Vec::with_capacity(m);
        let ratio = |x: &[f64], u: &mut Vec<f64>| {
            u.clear();
            for (j, &(f, s)) in floor.iter().enumerate() {
                let (a, b) = (j * step, ((j + 1) * step).min(m));
                if !(s.abs() > min_speed && s.abs() > 0.0) {
                    u.resize(u.len() + (b - a), f64::NAN);
                    continue;
                }
                // One window's run, a loop without branches.
                u.extend(x[a..b].iter().zip(&x[a + 1..=b]).map(|(&x0, &x1)| {
                    let u = ((x1 - x0) * hz - f) / s;
                    if u.abs() <= p.max_speed_ratio {
                        u
                    } else {
                        f64::NAN
                    }
                }));
            }
        };
        let min_len = (p.min_swing_s * hz).round() as usize;
        let max_pause = (p.max_pause_s * hz).round() as usize;
        let gap = p.min_interval_s * hz;
        let mut out = Vec::new();
        let markers = sk.layout == crate::Layout::Markers;
        let (ic_level, fc_level) = if markers {
            (p.marker_contact_speed_ratio, p.marker_lift_speed_ratio)
        } else {
            (p.contact_speed_ratio, p.contact_speed_ratio)
        };
        // The floor's displacement up to each sample, for positions relative to it.
        let mut floor_at = Vec::with_capacity(m + 1);
        let mut acc = 0.0;
        let mut last_floor = 0.0;
        floor_at.push(0.0);
        for (j, &(f, _)) in floor.iter().enumerate() {
            if f.is_finite() {
                last_floor = f;
            }
            for _ in j * step..((j + 1) * step).min(m) {
                acc += last_floor / hz;
                floor_at.push(acc);
            }
        }
        // The contact fits reach 0.3 s into the stance and 0.15 s into the swing.
        let still = (0.3 * hz).ceil() as usize;
        let moving = ((0.15 * hz).ceil() as usize).max(3);
        let search = (0.05 * hz).max(2.0);
        let reach = (still, moving, search);
        let mut fit_buf = Vec::with_capacity(128);
        for ((side, heel_x, toe_x), (_, heel_pt, toe_pt)) in tracks.iter().zip(&feet) {
            for (kind, level, x, point) in [
                (EventKind::InitialContact, ic_level, heel_x, heel_pt),
                (EventKind::FinalContact, fc_level, toe_x, toe_pt),
            ] {
                let ends = kind == EventKind::InitialContact;
                // The fit's samples: the point's position relative to the floor (the fit's
                // sign does not matter), weighted by the pose estimator's confidence in it.
                let confidence = point.confidence.as_deref();
                let len = x
                    .len()
                    .min(floor_at.len())
                    .min(confidence.map_or(usize::MAX, <[f32]>::len));
                let sample = |i: usize| {
                    let w = confidence.map_or(1.0, |c| f64::from(c[i]).clamp(0.05, 1.0));
                    (x[i] - floor_at[i], w)
                };
                let mut last = f64::NEG_INFINITY;
                ratio(x, &mut u);
                for at in crossings(&u, level, p.min_swing_speed_ratio, min_len, max_pause, ends) {
                    // Pose-estimator points stop with the floor: the contact is where the
                    // point's path relative to the floor leaves (or joins) its still level.
                    let at = if markers {
                        at
                    } else {
                        fit_contact(len, sample, &mut fit_buf, at, ends, reach).unwrap_or(at)
                    };
                    let _ = 0;
                    // Two swings closer than a step (noise taken for a swing): the first.
                    if at - last < gap {
                        continue;
                    }
                    last = at;
                    out.push(DetectedEvent {
                        side: Some(side.to_string()),
                        kind,
                        time_s: rec.start_s + at / hz,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`fit_contact`] over slices of positions and weights.
    fn refine_contact(
        r: &[f64],
        w: &[f64],
        coarse: f64,
        ends: bool,
        still: usize,
        moving: usize,
        search: f64,
    ) -> Option<f64> {
        let n = r.len().min(w.len());
        let reach = (still, moving, search);
        fit_contact(n, |i| (r[i], w[i]), &mut Vec::new(), coarse, ends, reach)
    }

    #[test]
    fn crossings_by_hand() {
        // A swing (peak 2.5) between stances; a noise blip (peak 0.6) is not a swing.
        let u = [0.0, 0.1, 1.0, 2.5, 1.5, 0.2, 0.0, 0.6, 0.0];
        // Start: interval 1 (0.1, centred on 1.5) to interval 2 (1.0, on 2.5): 0.35 is
        // reached 0.25/0.9 of the way.
        let starts = crossings(&u, 0.35, 1.5, 1, 0, false);
        assert_eq!(starts.len(), 1, "{starts:?}");
        assert!((starts[0] - (1.5 + 0.25 / 0.9)).abs() < 1e-12, "{starts:?}");
        // End: interval 4 (1.5, on 4.5) to interval 5 (0.2, on 5.5).
        let ends = crossings(&u, 0.35, 1.5, 1, 0, true);
        assert_eq!(ends.len(), 1, "{ends:?}");
        assert!((ends[0] - (4.5 + 1.15 / 1.3)).abs() < 1e-12, "{ends:?}");
    }

    #[test]
    fn runs_cut_by_the_ends_keep_the_event_they_show() {
        // Starts mid-swing: its end is an initial contact, its start is not seen.
        let u = [2.0, 1.0, 0.1, 0.0, 0.0, 0.1, 1.0, 2.0];
        let ends = crossings(&u, 0.35, 1.5, 3, 0, true);
        assert_eq!(ends.len(), 1, "{ends:?}");
        assert!(ends[0] > 1.5 && ends[0] < 2.5);
        let starts = crossings(&u, 0.35, 1.5, 3, 0, false);
        assert_eq!(starts.len(), 1, "{starts:?}");
        assert!(starts[0] > 5.5 && starts[0] < 6.5);
        // NaN (not walking) ends a run without an event.
        let u = [0.0, 2.0, 2.0, f64::NAN, 0.0];
        assert!(crossings(&u, 0.35, 1.5, 1, 0, true).is_empty());
    }

    #[test]
    fn a_pause_inside_a_swing_is_one_swing() {
        let u = [0.0, 0.0, 2.0, 2.0, 0.1, 2.0, 2.0, 0.0, 0.0];
        // Without merging: two swings; with a one-interval pause merged: one, from the
        // first rise to the last fall.
        assert_eq!(crossings(&u, 0.35, 1.5, 1, 0, true).len(), 2);
        let ends = crossings(&u, 0.35, 1.5, 1, 1, true);
        assert_eq!(ends.len(), 1, "{ends:?}");
        assert!(ends[0] > 6.5 && ends[0] < 7.5, "{ends:?}");
        let starts = crossings(&u, 0.35, 1.5, 1, 1, false);
        assert_eq!(starts.len(), 1, "{starts:?}");
        assert!(starts[0] > 1.5 && starts[0] < 2.5, "{starts:?}");
    }

    #[test]
    fn contacts_fitted_to_the_path_between_frames() {
        // A point at rest until sample 10.4, then moving away as the cube of the time (a
        // final contact), with a drift of the floor; and the same path reversed in time
        // (an initial contact at 19 - 10.4 = 8.6).
        let path = |i: f64| 0.01 * i + 0.5 * (i - 10.4).max(0.0).powi(3);
        let r: Vec<f64> = (0..20).map(|i| path(i as f64)).collect();
        let w = vec![1.0; 20];
        let fc = refine_contact(&r, &w, 11.0, false, 8, 5, 2.0).expect("a fit");
        assert!((fc - 10.4).abs() < 0.1, "{fc}");
        let reversed: Vec<f64> = r.iter().rev().map(|v| -v).collect();
        let ic = refine_contact(&reversed, &w, 8.0, true, 8, 5, 2.0).expect("a fit");
        assert!((ic - 8.6).abs() < 0.1, "{ic}");
        // Too few samples on the moving side: no fit.
        assert!(refine_contact(&r[..13], &w, 11.0, false, 8, 5, 2.0).is_none());
    }

    #[test]
    fn swapped_feet_are_swapped_back() {
        // The left foot still at 0, the right half a foot ahead swinging 0.1 per frame;
        // frame 2 swapped. Keeping it costs 2·(0.7 + 0.6) of jumps, swapping it back 2·0.1.
        let mut lh = vec![0.0, 0.0, 0.7, 0.0];
        let mut lt = vec![0.1, 0.1, 0.8, 0.1];
        let mut rh = vec![0.5, 0.6, 0.0, 0.8];
        let mut rt = vec![0.6, 0.7, 0.1, 0.9];
        unswap(&mut lh, &mut lt, &mut rh, &mut rt, 3);
        assert_eq!(lh, [0.0, 0.0, 0.0, 0.0]);
        assert_eq!(rt, [0.6, 0.7, 0.8, 0.9]);
        // Frames 2 to 5 swapped, a run longer than 3 frames: the feet crossing, left as they
        // were; the same run allowed 4 frames is swapped back.
        let left = vec![0.0, 0.0, 0.7, 0.8, 0.9, 1.0, 0.0];
        let right = vec![0.5, 0.6, 0.0, 0.0, 0.0, 0.0, 1.1];
        let (mut lh, mut lt, mut rh, mut rt) = (left.clone(), left.clone(), right.clone(), right);
        unswap(&mut lh, &mut lt, &mut rh, &mut rt, 3);
        assert_eq!((&lh, &rt), (&left, &rh));
        unswap(&mut lh, &mut lt, &mut rh, &mut rt, 4);
        assert_eq!(lh, [0.0; 7]);
        assert_eq!(rt, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]);
    }

    #[test]
    fn invalid_params_are_named() {
        let params = KeypointEventParams {
            floor_quantile: 0.9,
            ..Default::default()
        };
        let e = params
            .validate()
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("floor_quantile"), "{e}");
        assert!(KeypointEventParams::default().validate().is_ok());
    }
}
