//! Foot and ankle signals from keypoints or markers: foot pitch, ankle angle, heel and toe
//! height, the foot's turn about the vertical (rotation) and its roll about its long axis
//! (inversion / eversion).
//!
//! Points are put in one body-like frame first: world keypoints and markers are used as
//! they are (metres, z up); image keypoints become (x, up, depth) with up = −y. Normalised
//! image coordinates (MediaPipe: x over the image width, y over its height) are scaled to
//! one unit assuming a 16:9 landscape image (the aspect ratio is not in the file; a wrong
//! guess scales the angles, not their timing). MediaPipe's image `z` is a depth in the scale
//! of x and is used as depth when present.
//!
//! Forward is the median heel-to-toe direction in the horizontal plane; for a side-view image
//! it is ±x.
//!
//! ```
//! use dorsi::motion::kinematics::{foot_signal, FootSignal};
//! use dorsi::{Layout, Point, Recording, Skeleton, Space};
//! use nalgebra::Vector3;
//! # fn rec_with(points: Vec<Point>) -> Recording {
//! #     let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
//! #     let mut r = dorsi::io::read(&[p], &Default::default()).expect("sample");
//! #     r.n_samples = points[0].position.len();
//! #     r.imus.clear();
//! #     r.skeleton = Some(Skeleton { layout: Layout::Markers, space: Space::World, dims: 3,
//! #         points, up_axis: None });
//! #     r
//! # }
//! let pitch_deg = [0.0f64, 10.0, 20.0];
//! let heel = Point { name: "RHEE".into(), confidence: None,
//!     position: vec![Vector3::new(0.0, 0.0, 0.03); 3] };
//! let toe = Point { name: "RTOE".into(), confidence: None,
//!     position: pitch_deg.iter().map(|d| {
//!         let a = d.to_radians();
//!         Vector3::new(0.2 * a.cos(), 0.0, 0.03 + 0.2 * a.sin())
//!     }).collect() };
//! let rec = rec_with(vec![heel, toe]);
//! let s = foot_signal(&rec, FootSignal::FootPitch, "right")?;
//! assert!((s.values[2].to_degrees() - 20.0).abs() < 1e-9);
//! # Ok::<(), dorsi::motion::signals::MotionError>(())
//! ```

use std::ops::Range;

use nalgebra::Vector3;
use serde::Serialize;

use super::signals::{MotionError, MotionSignal};
use super::stats::atan2_each;
use crate::{Point, Recording, Skeleton, Space};

/// A foot or ankle signal from keypoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FootSignal {
    /// Foot pitch: the heel-to-toe line against the horizontal, toes up positive, rad.
    FootPitch,
    /// Ankle angle: 90° minus the angle between the shank (ankle to knee) and the foot
    /// (heel to toe), dorsiflexion positive, rad.
    AnkleAngle,
    /// Height of the heel point, up positive (m for world points; image units otherwise).
    HeelHeight,
    /// Height of the toe point, up positive.
    ToeHeight,
    /// Turn of the foot about the vertical: heading of the heel-to-toe line from its median
    /// heading, rad (needs world points or image depth).
    FootRotation,
    /// Roll of the foot about its long axis: the sole's centre (mid heel–toe) beside the
    /// ankle (the pivot: the running median of its 1-s block means over 30 s, linear
    /// between the blocks), rad (needs world points or image depth).
    FootEversion,
}

impl FootSignal {
    /// The signal's name (`foot_pitch`...).
    pub fn name(self) -> &'static str {
        match self {
            FootSignal::FootPitch => "foot_pitch",
            FootSignal::AnkleAngle => "ankle_angle",
            FootSignal::HeelHeight => "heel_height",
            FootSignal::ToeHeight => "toe_height",
            FootSignal::FootRotation => "foot_rotation",
            FootSignal::FootEversion => "foot_eversion",
        }
    }

    fn is_angle(self) -> bool {
        !matches!(self, FootSignal::HeelHeight | FootSignal::ToeHeight)
    }
}

const HEEL: [&str; 6] = ["heel", "Heel", "HEE", ".Heel", "_FCC", "_HEE"];

/// Point names per side: (heel, toe, ankle, knee).
fn names(side: &str, which: &str) -> Vec<String> {
    let (s, c) = if side == "left" {
        ("left", 'L')
    } else {
        ("right", 'R')
    };
    match which {
        "heel" => {
            let mut v = vec![format!("{s}_heel")];
            v.extend(HEEL[1..].iter().map(|h| format!("{c}{h}")));
            v
        }
        "toe" => vec![
            format!("{s}_foot_index"),
            format!("{c}BigToe"),
            format!("{s}_big_toe"),
            format!("{c}TOE"),
            format!("{c}.Toe.Tip"),
            format!("{c}_TOE"),
            format!("{c}.Toe.Med"),
        ],
        "ankle" => vec![
            format!("{s}_ankle"),
            format!("{c}Ankle"),
            format!("{c}ANK"),
            format!("{c}.Ankle"),
            format!("{c}_ANK"),
            format!("{c}.Ankle.Lat"),
        ],
        _ => vec![
            format!("{s}_knee"),
            format!("{c}Knee"),
            format!("{c}KNE"),
            format!("{c}.Knee"),
            format!("{c}_KNE"),
            format!("{c}.Knee.Lat"),
        ],
    }
}

fn find<'a>(sk: &'a Skeleton, side: &str, which: &'static str) -> Result<&'a Point, MotionError> {
    names(side, which)
        .iter()
        .find_map(|n| sk.points.iter().find(|p| p.name.eq_ignore_ascii_case(n)))
        .ok_or(MotionError::MissingPoint {
            point: which,
            side: if side == "left" { "left" } else { "right" },
            layout: format!("{:?}", sk.layout),
        })
}

/// Points of a skeleton in a body-like frame (x, y horizontal, z up) and whether depth (the
/// horizontal axis across the image) is measured.
#[derive(Debug, Clone, Copy)]
struct Frame {
    image: bool,
    depth: bool,
    aspect: f64,
}

impl Frame {
    fn of(sk: &Skeleton, pts: &[&Point]) -> Frame {
        match sk.space {
            Space::World => Frame {
                image: false,
                depth: true,
                aspect: 1.0,
            },
            Space::Image { normalised } => {
                let depth = pts
                    .iter()
                    .any(|p| p.position.iter().any(|v| v.z.is_finite() && v.z != 0.0));
                Frame {
                    image: true,
                    depth,
                    aspect: if normalised { 16.0 / 9.0 } else { 1.0 },
                }
            }
        }
    }

    /// A point as (forward-ish x, depth y, up z).
    fn body(&self, v: &Vector3<f64>) -> Vector3<f64> {
        if self.image {
            Vector3::new(
                v.x * self.aspect,
                if self.depth { v.z * self.aspect } else { 0.0 },
                -v.y,
            )
        } else {
            *v
        }
    }
}

/// One foot signal of one side (`left` / `right`) from the recording's keypoints or markers.
pub fn foot_signal(
    rec: &Recording,
    which: FootSignal,
    side: &str,
) -> Result<MotionSignal, MotionError> {
    FootPoints::find(rec, side)?.signal(which)
}

/// One side's foot points found in a recording, to derive its signals from: at every frame
/// ([`FootPoints::signal`], what [`foot_signal`] gives) or from the points' means over short
/// blocks of frames ([`FootPoints::coarse`]: one pass over the points, then a value per
/// block, enough to compare the sides before deriving the full signal of one).
///
/// ```
/// use dorsi::motion::kinematics::{FootPoints, FootSignal};
/// # fn rec() -> dorsi::Recording {
/// #     let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
/// #     let mut r = dorsi::io::read(&[p], &Default::default()).expect("sample");
/// #     let n = 60;
/// #     r.n_samples = n;
/// #     r.imus.clear();
/// #     let pt = |name: &str, x: f64| dorsi::Point { name: name.into(), confidence: None,
/// #         position: vec![nalgebra::Vector3::new(x, 0.0, 0.0); n] };
/// #     r.skeleton = Some(dorsi::Skeleton { layout: dorsi::Layout::Markers,
/// #         space: dorsi::Space::World, dims: 3, points: vec![pt("LHEE", 0.0), pt("LTOE", 0.2)],
/// #         up_axis: None });
/// #     r
/// # }
/// let rec = rec(); // 60 frames of a flat left foot
/// let foot = FootPoints::find(&rec, "left")?;
/// let full = foot.signal(FootSignal::FootPitch)?;
/// let coarse = foot.coarse(FootSignal::FootPitch, 10)?;
/// assert_eq!((full.values.len(), coarse.values.len()), (60, 6));
/// assert!(coarse.values.iter().all(|v| v.abs() < 1e-12));
/// # Ok::<(), dorsi::motion::signals::MotionError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FootPoints<'a> {
    rec: &'a Recording,
    sk: &'a Skeleton,
    side: &'a str,
    heel: &'a Point,
    toe: &'a Point,
    frame: Frame,
}

impl<'a> FootPoints<'a> {
    /// The heel and toe of `side` (`left` / `right`; anything else is taken as right) in
    /// the recording's keypoints or markers.
    pub fn find(rec: &'a Recording, side: &'a str) -> Result<FootPoints<'a>, MotionError> {
        let sk = rec.skeleton.as_ref().ok_or(MotionError::NothingToAnalyse)?;
        let heel = find(sk, side, "heel")?;
        let toe = find(sk, side, "toe")?;
        let frame = Frame::of(sk, &[heel, toe]);
        Ok(FootPoints {
            rec,
            sk,
            side,
            heel,
            toe,
            frame,
        })
    }

    /// The ankle and the knee when `which` needs them (and depth first, when it needs it).
    fn extra(
        &self,
        which: FootSignal,
    ) -> Result<(Option<&'a Point>, Option<&'a Point>), MotionError> {
        match which {
            FootSignal::FootRotation if !self.frame.depth => {
                Err(MotionError::NeedsDepth("foot rotation"))
            }
            FootSignal::FootEversion if !self.frame.depth => {
                Err(MotionError::NeedsDepth("foot eversion"))
            }
            FootSignal::FootEversion => Ok((Some(find(self.sk, self.side, "ankle")?), None)),
            FootSignal::AnkleAngle => Ok((
                Some(find(self.sk, self.side, "ankle")?),
                Some(find(self.sk, self.side, "knee")?),
            )),
            _ => Ok((None, None)),
        }
    }

    /// The signal at every frame.
    pub fn signal(&self, which: FootSignal) -> Result<MotionSignal, MotionError> {
        let (ankle, knee) = self.extra(which)?;
        let pos = |p: Option<&'a Point>| p.map(|p| p.position.as_slice());
        let mut tracks = Tracks {
            heel: &self.heel.position,
            toe: &self.toe.position,
            ankle: pos(ankle),
            knee: pos(knee),
            pivot_block: pivot_block(self.rec.sampling_rate_hz, 1),
            pivot_half: 0,
        };
        tracks.pivot_half = pivot_half(self.rec.sampling_rate_hz, tracks.pivot_block);
        let values = self.values(which, &tracks);
        Ok(self.wrap(which, values, String::new()))
    }

    /// The signal from the points' means over consecutive blocks of `block` frames (the
    /// finite values of each coordinate), one value per block (the last block may be
    /// shorter). The eversion pivot is the running median of the block means over 30 s.
    pub fn coarse(&self, which: FootSignal, block: usize) -> Result<MotionSignal, MotionError> {
        let block = block.max(1);
        let (ankle, knee) = self.extra(which)?;
        let means = |p: &Point| point_block_means(&p.position, block);
        let (heel, toe) = (means(self.heel), means(self.toe));
        let (ankle, knee) = (ankle.map(means), knee.map(means));
        let tracks = Tracks {
            heel: &heel,
            toe: &toe,
            ankle: ankle.as_deref(),
            knee: knee.as_deref(),
            pivot_block: pivot_block(self.rec.sampling_rate_hz, block),
            pivot_half: pivot_half(
                self.rec.sampling_rate_hz,
                block * pivot_block(self.rec.sampling_rate_hz, block),
            ),
        };
        let values = self.values(which, &tracks);
        Ok(self.wrap(which, values, format!(", means of {block}-frame blocks")))
    }

    fn values(&self, which: FootSignal, tracks: &Tracks) -> Vec<f64> {
        let frame = &self.frame;
        if which.is_angle() {
            // One loop per kind of frame, each with its own point transform (no per-frame
            // test of the frame's kind).
            let a = frame.aspect;
            match (frame.image, frame.depth) {
                (false, _) => tracks.angles(which, |v: &Vector3<f64>| *v),
                (true, true) => tracks.angles(which, move |v: &Vector3<f64>| {
                    Vector3::new(v.x * a, v.z * a, -v.y)
                }),
                (true, false) => tracks.angles(which, move |v: &Vector3<f64>| {
                    Vector3::new(v.x * a, 0.0, -v.y)
                }),
            }
        } else {
            let p = if which == FootSignal::HeelHeight {
                tracks.heel
            } else {
                tracks.toe
            };
            p.iter().map(|v| frame.body(v).z).collect()
        }
    }

    fn wrap(&self, which: FootSignal, values: Vec<f64>, detail: String) -> MotionSignal {
        let frame = &self.frame;
        let unit = if which.is_angle() {
            "rad"
        } else if frame.image {
            "image"
        } else {
            "m"
        };
        let space = if frame.image {
            if frame.depth {
                "image points with depth"
            } else {
                "image points"
            }
        } else {
            "3D points"
        };
        MotionSignal::new(which.name(), unit, values)
            .with_origin(format!("{} foot keypoints ({space}{detail})", self.side))
    }
}

/// The means of consecutive blocks of `block` points, each coordinate over its finite
/// values (`NaN` where a block has none).
fn point_block_means(x: &[Vector3<f64>], block: usize) -> Vec<Vector3<f64>> {
    let block = block.max(1);
    let mut out = Vec::with_capacity(x.len().div_ceil(block));
    for c in x.chunks(block) {
        // The plain sum first: finite, it is the sum of finite values (the usual case).
        let (mut sx, mut sy, mut sz) = (0.0, 0.0, 0.0);
        for v in c {
            sx += v.x;
            sy += v.y;
            sz += v.z;
        }
        if sx.is_finite() && sy.is_finite() && sz.is_finite() {
            let len = c.len() as f64;
            out.push(Vector3::new(sx / len, sy / len, sz / len));
            continue;
        }
        let (mut sum, mut count) = ([0.0f64; 3], [0u32; 3]);
        for v in c {
            for (k, &u) in [v.x, v.y, v.z].iter().enumerate() {
                if u.is_finite() {
                    sum[k] += u;
                    count[k] += 1;
                }
            }
        }
        let mean = |k: usize| {
            if count[k] > 0 {
                sum[k] / f64::from(count[k])
            } else {
                f64::NAN
            }
        };
        out.push(Vector3::new(mean(0), mean(1), mean(2)));
    }
    out
}

/// The eversion pivot is the running median of the ankle's means over blocks of this many
/// seconds ([`Pivot`]) ...
const PIVOT_BLOCK_S: f64 = 1.0;

/// ... over this many seconds either side of each block. The ankle stays where it is while
/// the foot rolls, and a seated foot drifts over minutes: a long median takes almost none of
/// the keypoints' noise into the angle. That noise is slow once averaged over blocks, so the
/// rep segmenter's smoothing does not remove it: with the median over one second, it hid
/// incomplete reps of a few degrees (synthetic eversion from keypoints, 150 seeds: exact
/// count 0.940 over 1 s, 0.980 over 30 s).
const PIVOT_HALF_S: f64 = 15.0;

/// The pivot's block in values of `block` frames each at `rate_hz`: [`PIVOT_BLOCK_S`], at
/// least one value.
fn pivot_block(rate_hz: f64, block: usize) -> usize {
    let values = PIVOT_BLOCK_S * rate_hz / block.max(1) as f64;
    if values.is_finite() {
        values.round().max(1.0) as usize
    } else {
        1
    }
}

/// The pivot's half window in blocks of `block` frames at `rate_hz`.
fn pivot_half(rate_hz: f64, block: usize) -> usize {
    let frames = PIVOT_HALF_S * rate_hz;
    if frames.is_finite() {
        (frames / block.max(1) as f64).round().max(1.0) as usize
    } else {
        1
    }
}

/// A running median of the means of a point's coordinates over blocks of frames, linear
/// between the blocks' centres and held beyond the first and last centre: the eversion
/// pivot.
struct Pivot {
    /// The running medians, one per block.
    med: Vec<Vector3<f64>>,
    block: usize,
}

impl Pivot {
    /// The running median of `2 k + 1` block means of `block` frames each of the points
    /// `body` takes to the body frame (each coordinate over its finite values).
    fn new<B>(x: &[Vector3<f64>], body: B, block: usize, k: usize) -> Pivot
    where
        B: Fn(&Vector3<f64>) -> Vector3<f64>,
    {
        let block = block.max(1);
        let means = if block == 1 {
            x.iter().map(body).collect()
        } else {
            // The transform is linear: the mean of the points, then its transform.
            let mut m = point_block_means(x, block);
            for v in &mut m {
                *v = body(v);
            }
            m
        };
        let coordinate = |d: usize| {
            let c: Vec<f64> = means.iter().map(|v| v[d]).collect();
            crate::signal::running_median(&c, k)
        };
        let (mx, my, mz) = (coordinate(0), coordinate(1), coordinate(2));
        let med = mx
            .iter()
            .zip(&my)
            .zip(&mz)
            .map(|((&x, &y), &z)| Vector3::new(x, y, z))
            .collect();
        Pivot { med, block }
    }

    /// The pivot over the first `n` frames, as runs of frames on one line each, in order:
    /// `f(frames, a, d, t)` for frames where the pivot at frame `i` is `a + d · t(i)`.
    fn for_each_run(
        &self,
        n: usize,
        mut f: impl FnMut(Range<usize>, Vector3<f64>, Vector3<f64>, &dyn Fn(usize) -> f64),
    ) {
        let med = &self.med;
        let Some(&last) = med.last() else {
            return;
        };
        let block = self.block;
        // Block j's centre is at frame j·block + centre; the frames from one centre to the
        // next (the first held from frame 0, the last held to the end) take their line, per
        // coordinate (a NaN end takes the other end).
        let centre = (block as f64 - 1.0) / 2.0;
        let first_after = |j: usize| (((j * block) as f64 + centre).ceil() as usize).min(n);
        let held = |_: usize| 0.0;
        let head = Vector3::from_fn(|d, _| match med.get(1) {
            Some(b) if med[0][d].is_nan() => b[d],
            _ => med[0][d],
        });
        let zero = Vector3::zeros();
        f(0..first_after(0), head, zero, &held);
        for (j, pair) in med.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let a = a.zip_map(&b, |a, b| if a.is_nan() { b } else { a });
            let b = b.zip_map(&a, |b, a| if b.is_nan() { a } else { b });
            let t = |i: usize| (i as f64 - centre) / block as f64 - j as f64;
            f(first_after(j)..first_after(j + 1), a, b - a, &t);
        }
        f(first_after(med.len() - 1)..n, last, zero, &held);
    }
}

/// The positions an angle needs (frames or block means) and the eversion pivot's block.
struct Tracks<'a> {
    heel: &'a [Vector3<f64>],
    toe: &'a [Vector3<f64>],
    ankle: Option<&'a [Vector3<f64>]>,
    knee: Option<&'a [Vector3<f64>]>,
    /// The eversion pivot's block, frames of these positions.
    pivot_block: usize,
    /// The eversion pivot's half window, blocks.
    pivot_half: usize,
}

impl Tracks<'_> {
    /// The angle per frame, with `body` taking a point to the body-like frame
    /// ([`Frame::body`]). The points `which` needs are there ([`FootPoints::extra`]).
    #[inline(always)]
    fn angles<B>(&self, which: FootSignal, body: B) -> Vec<f64>
    where
        B: Fn(&Vector3<f64>) -> Vector3<f64> + Copy,
    {
        let none: &[Vector3<f64>] = &[];
        let (ankle, knee) = (self.ankle.unwrap_or(none), self.knee.unwrap_or(none));
        let mut n = self.heel.len().min(self.toe.len());
        match which {
            FootSignal::AnkleAngle => n = n.min(ankle.len()).min(knee.len()),
            FootSignal::FootEversion => n = n.min(ankle.len()),
            _ => {}
        }
        let (heel, toe) = (&self.heel[..n], &self.toe[..n]);
        // The heel-to-toe vector of each frame.
        let foot = move |h: &Vector3<f64>, t: &Vector3<f64>| body(t) - body(h);
        // Forward: median horizontal heel-to-toe direction (per component, finite values).
        let fwd = {
            let (mut fx, mut fy) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for (h, t) in heel.iter().zip(toe) {
                let f = foot(h, t);
                fx.push(f.x);
                fy.push(f.y);
            }
            let m = |c: &[f64]| super::stats::median(c.iter().copied());
            Vector3::new(m(&fx), m(&fy), 0.0)
                .try_normalize(1e-12)
                .unwrap_or_else(Vector3::x)
        };
        let up = Vector3::z();
        let lateral = up.cross(&fwd);
        let pairs = heel.iter().zip(toe);
        // Each frame's angle is atan2(y, x) of the pair it pushes: the pairs first, then the
        // angles four at a time.
        let (mut ys, mut xs) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut push = |(y, x): (f64, f64)| {
            ys.push(y);
            xs.push(x);
        };
        match which {
            FootSignal::FootPitch => pairs.for_each(|(h, t)| {
                let v = foot(h, t);
                push((v.z, Vector3::new(v.x, v.y, 0.0).dot(&fwd)));
            }),
            FootSignal::AnkleAngle => {
                let (ankle, knee) = (&ankle[..n], &knee[..n]);
                pairs
                    .zip(ankle.iter().zip(knee))
                    .for_each(|((h, t), (a, k))| {
                        let shank = body(k) - body(a);
                        let f = foot(h, t);
                        // In the sagittal plane (forward, up): signed angle from foot to shank.
                        let (fx, fz) = (Vector3::new(f.x, f.y, 0.0).dot(&fwd), f.z);
                        let (sx, sz) = (Vector3::new(shank.x, shank.y, 0.0).dot(&fwd), shank.z);
                        push((fx * sz - fz * sx, fx * sx + fz * sz));
                    });
                let mut out = atan2_each(&ys, &xs);
                for v in &mut out {
                    *v = std::f64::consts::FRAC_PI_2 - *v;
                }
                return out;
            }
            FootSignal::FootRotation => pairs.for_each(|(h, t)| {
                let v = foot(h, t);
                push((v.dot(&lateral), v.dot(&fwd)));
            }),
            FootSignal::FootEversion => {
                // The ankle is the pivot and hardly moves: the median of its 1-s block
                // means over 30 s has almost no noise to add to the foot's and ignores
                // frames of swapped legs (they shift one block's mean at most, or two).
                let pivot = Pivot::new(&ankle[..n], body, self.pivot_block, self.pivot_half);
                pivot.for_each_run(n, |frames, a, d, t| {
                    for i in frames {
                        let mid = (body(&heel[i]) + body(&toe[i])) / 2.0;
                        let v = mid - (a + d * t(i));
                        push((v.dot(&lateral), -v.dot(&up)));
                    }
                });
            }
            FootSignal::HeelHeight | FootSignal::ToeHeight => {
                unreachable!("heights are not angles")
            }
        }
        atan2_each(&ys, &xs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layout;

    fn skeleton(space: Space, points: Vec<(&str, Vec<Vector3<f64>>)>) -> Recording {
        let n = points[0].1.len();
        Recording {
            source: crate::Source {
                files: vec![],
                format: crate::Format::Trc,
                modality: crate::Modality::Markers,
            },
            sampling_rate_hz: 100.0,
            start_s: 0.0,
            n_samples: n,
            imus: vec![],
            skeleton: Some(Skeleton {
                layout: Layout::Markers,
                space,
                dims: 3,
                points: points
                    .into_iter()
                    .map(|(name, position)| Point {
                        name: name.into(),
                        position,
                        confidence: None,
                    })
                    .collect(),
                up_axis: None,
            }),
            signals: vec![],
            gaps: vec![],
            timing: crate::Timing {
                nominal_rate_hz: None,
                measured_rate_hz: None,
                clock: crate::Clock::Rate,
                resampled: false,
            },
            notes: vec![],
        }
    }

    #[test]
    fn ankle_angle_rotation_and_eversion_by_hand() {
        // Foot along +x, 0.2 m; ankle 0.05 m in front of the heel, 0.07 m up; knee straight
        // above the ankle, then the shank tilted 10° forward over the foot (dorsiflexion).
        let heel = Vector3::new(0.0, 0.0, 0.0);
        let toe = Vector3::new(0.2, 0.0, 0.0);
        let ankle = Vector3::new(0.05, 0.0, 0.07);
        let lean = 10f64.to_radians();
        let knee_up = ankle + Vector3::new(0.0, 0.0, 0.4);
        let knee_fwd = ankle + Vector3::new(0.4 * lean.sin(), 0.0, 0.4 * lean.cos());
        // Turn of 30° to the left; roll of 20° moving the mid-sole to +y (lateral = up × fwd).
        let yaw = 30f64.to_radians();
        let toe_turned = Vector3::new(0.2 * yaw.cos(), 0.2 * yaw.sin(), 0.0);
        let roll = 20f64.to_radians();
        let mid = Vector3::new(0.1, 0.0, 0.0);
        let d = mid - ankle;
        let rolled = ankle + Vector3::new(d.x, d.z.abs() * roll.sin(), -d.z.abs() * roll.cos());
        let heel_rolled = rolled - Vector3::new(0.1, 0.0, 0.0);
        let toe_rolled = rolled + Vector3::new(0.1, 0.0, 0.0);
        let rec = skeleton(
            Space::World,
            vec![
                ("RHEE", vec![heel, heel, heel, heel_rolled]),
                ("RTOE", vec![toe, toe, toe_turned, toe_rolled]),
                ("RANK", vec![ankle; 4]),
                ("RKNE", vec![knee_up, knee_fwd, knee_up, knee_up]),
            ],
        );
        let deg = |w: FootSignal, i: usize| {
            foot_signal(&rec, w, "right").expect("signal").values[i].to_degrees()
        };
        assert!(deg(FootSignal::AnkleAngle, 0).abs() < 1e-9);
        assert!((deg(FootSignal::AnkleAngle, 1) - 10.0).abs() < 1e-9);
        assert!((deg(FootSignal::FootRotation, 2) - 30.0).abs() < 1e-9);
        assert!(deg(FootSignal::FootEversion, 0).abs() < 1e-9);
        assert!((deg(FootSignal::FootEversion, 3) - 20.0).abs() < 1e-9);
        let err = foot_signal(&rec, FootSignal::FootPitch, "left").map(|_| ());
        assert!(matches!(
            err,
            Err(MotionError::MissingPoint { point: "heel", .. })
        ));
    }

    /// The x coordinate of the [`Pivot`] of points along x.
    fn block_median(x: &[f64], block: usize, k: usize) -> Vec<f64> {
        let points: Vec<Vector3<f64>> = x.iter().map(|&v| Vector3::new(v, 0.0, 0.0)).collect();
        let mut out = Vec::new();
        Pivot::new(&points, |v: &Vector3<f64>| *v, block, k).for_each_run(
            x.len(),
            |frames, a, d, t| {
                for i in frames {
                    assert_eq!(i, out.len());
                    out.push(a.x + d.x * t(i));
                }
            },
        );
        out
    }

    #[test]
    fn block_median_follows_a_ramp_and_ignores_a_short_outlier() {
        // A ramp's block means lie on the ramp at the blocks' centres and its median of five
        // is the middle one, so inside the first and last centres the pivot is the ramp.
        let ramp: Vec<f64> = (0..60).map(|i| 0.1 * i as f64).collect();
        let m = block_median(&ramp, 6, 2);
        assert_eq!(m.len(), 60);
        for i in 15..45 {
            assert!(
                (m[i] - ramp[i]).abs() < 1e-12,
                "{i}: {} vs {}",
                m[i],
                ramp[i]
            );
        }
        // Three frames at 100 (a leg swap) move one block's mean to about 51: the median
        // takes a neighbouring block instead, off the ramp by at most a block (0.6).
        let mut x = ramp.clone();
        x[30..33].fill(100.0);
        x[40] = f64::NAN;
        let m = block_median(&x, 6, 2);
        for i in 15..45 {
            assert!((m[i] - ramp[i]).abs() <= 0.6 + 1e-12, "{i}: {}", m[i]);
        }
        assert!(block_median(&[], 6, 2).is_empty());
    }

    /// The eversion pivot (the running median of the ankle's 1-s block means) keeps a
    /// constant roll through the ankle's jitter and through three frames where the ankle
    /// jumps to the other leg, as it did when taken at every frame.
    #[test]
    fn eversion_pivot_ignores_jitter_and_a_short_leg_swap() {
        let n = 400;
        let roll = 15f64.to_radians();
        let ankle = Vector3::new(0.05, 0.0, 0.07);
        // Mid-sole 0.07 m below the ankle, rolled to +y; heel and toe 0.1 m either side.
        let mid = ankle + Vector3::new(0.05, 0.07 * roll.sin(), -0.07 * roll.cos());
        let jitter = |i: usize| 0.001 * (((i * 7919) % 13) as f64 / 6.0 - 1.0);
        let ankles: Vec<Vector3<f64>> = (0..n)
            .map(|i| {
                if (200..203).contains(&i) {
                    ankle + Vector3::new(0.0, -0.2, 0.0)
                } else {
                    ankle + Vector3::new(jitter(i), jitter(i + 5), jitter(i + 11))
                }
            })
            .collect();
        let s = eversion_of_still_foot(mid, ankles);
        assert_eq!(s.values.len(), n);
        let worst = s
            .values
            .iter()
            .map(|v| (v - roll).abs().to_degrees())
            .fold(0.0, f64::max);
        assert!(worst < 1.0, "largest error {worst:.2}°");
    }

    /// The eversion signal of a right foot held still with its mid-sole at `mid` (heel and
    /// toe 0.1 m behind and ahead), the ankle moving as `ankles` says.
    fn eversion_of_still_foot(mid: Vector3<f64>, ankles: Vec<Vector3<f64>>) -> MotionSignal {
        let n = ankles.len();
        let rec = skeleton(
            Space::World,
            vec![
                ("RHEE", vec![mid - Vector3::new(0.1, 0.0, 0.0); n]),
                ("RTOE", vec![mid + Vector3::new(0.1, 0.0, 0.0); n]),
                ("RANK", ankles),
            ],
        );
        foot_signal(&rec, FootSignal::FootEversion, "right").expect("eversion")
    }

    /// The pivot's median over 30 s keeps the ankle's noise out of the angle even after the
    /// smoothing the rep segmenter applies (which removes the foot's own white noise, not
    /// the pivot's slower error).
    #[test]
    fn eversion_pivot_keeps_ankle_noise_out_of_the_smoothed_angle() {
        let (rate, n) = (100.0, 12_000);
        let roll = 10f64.to_radians();
        let ankle = Vector3::new(0.05, 0.0, 0.07);
        let mid = ankle + Vector3::new(0.05, 0.07 * roll.sin(), -0.07 * roll.cos());
        // Uniform noise of ±3 mm on each coordinate of the ankle (a 2.5° swing of the
        // angle per frame), from a fixed linear congruential sequence.
        let mut state = 12345u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            0.003 * ((state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
        };
        let ankles: Vec<Vector3<f64>> = (0..n)
            .map(|_| ankle + Vector3::new(noise(), noise(), noise()))
            .collect();
        let s = eversion_of_still_foot(mid, ankles);
        // One second's moving average, away from the ends.
        let smoothed = crate::motion::moving_average(&s.values, rate as usize);
        let worst = smoothed[1000..n - 1000]
            .iter()
            .map(|v| (v - roll).abs().to_degrees())
            .fold(0.0, f64::max);
        // Measured 2026-11-24: 0.035° (0.40° with the median of five 0.2-s block means).
        assert!(worst < 0.05, "largest error {worst:.3}°");
    }

    #[test]
    fn image_points_are_y_down() {
        // Normalised image: toe up by 0.01 of the image height over 0.1 of its width.
        let rec = skeleton(
            Space::Image { normalised: true },
            vec![
                ("left_heel", vec![Vector3::new(0.5, 0.8, 0.0); 2]),
                (
                    "left_foot_index",
                    vec![Vector3::new(0.6, 0.8, 0.0), Vector3::new(0.6, 0.79, 0.0)],
                ),
            ],
        );
        let s = foot_signal(&rec, FootSignal::FootPitch, "left").expect("pitch");
        let want = (0.01f64).atan2(0.1 * 16.0 / 9.0);
        assert!(s.values[0].abs() < 1e-12 && (s.values[1] - want).abs() < 1e-12);
        assert_eq!(
            foot_signal(&rec, FootSignal::FootRotation, "left").map(|_| ()),
            Err(MotionError::NeedsDepth("foot rotation"))
        );
    }
}
