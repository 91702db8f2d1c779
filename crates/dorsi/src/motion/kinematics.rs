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
    /// ankle (the pivot: the running median of its 0.2-s block means over 1 s, linear
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
    let sk = rec.skeleton.as_ref().ok_or(MotionError::NothingToAnalyse)?;
    let heel = find(sk, side, "heel")?;
    let toe = find(sk, side, "toe")?;
    let frame = Frame::of(sk, &[heel, toe]);
    let values = if which.is_angle() {
        // One loop per kind of frame, each with its own point transform (no per-frame test
        // of the frame's kind).
        let a = frame.aspect;
        let ctx = Angles {
            rec,
            sk,
            which,
            side,
            heel,
            toe,
            depth: frame.depth,
        };
        match (frame.image, frame.depth) {
            (false, _) => ctx.values(|v: &Vector3<f64>| *v)?,
            (true, true) => {
                ctx.values(move |v: &Vector3<f64>| Vector3::new(v.x * a, v.z * a, -v.y))?
            }
            (true, false) => {
                ctx.values(move |v: &Vector3<f64>| Vector3::new(v.x * a, 0.0, -v.y))?
            }
        }
    } else {
        let p = if which == FootSignal::HeelHeight {
            heel
        } else {
            toe
        };
        p.position.iter().map(|v| frame.body(v).z).collect()
    };
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
    Ok(MotionSignal::new(which.name(), unit, values)
        .with_origin(format!("{side} foot keypoints ({space})")))
}

/// The eversion pivot is the running median of the ankle's means over blocks of this many
/// seconds, five blocks (a second) at a time ([`block_median`]).
const PIVOT_BLOCK_S: f64 = 0.2;

/// The running median of `2 k + 1` block means of `block` samples each (means of the
/// finite samples), linear between the blocks' centres and held beyond the first and last.
fn block_median(x: &[f64], block: usize, k: usize) -> Vec<f64> {
    let block = block.max(1);
    let means: Vec<f64> = x
        .chunks(block)
        .map(|c| {
            let (mut sum, mut count) = (0.0, 0usize);
            for &v in c {
                if v.is_finite() {
                    sum += v;
                    count += 1;
                }
            }
            if count > 0 {
                sum / count as f64
            } else {
                f64::NAN
            }
        })
        .collect();
    let med = crate::signal::running_median(&means, k);
    let n = x.len();
    let mut out = Vec::with_capacity(n);
    let Some(&last) = med.last() else {
        return out;
    };
    // Block j's centre is at sample j·block + centre; the samples from one centre to the
    // next (the first held from sample 0, the last held to the end) take their line.
    let centre = (block as f64 - 1.0) / 2.0;
    let first_after = |j: usize| ((j * block) as f64 + centre).ceil() as usize;
    let head = match med.get(1) {
        Some(&b) if med[0].is_nan() => b,
        _ => med[0],
    };
    out.resize(first_after(0).min(n), head);
    for (j, pair) in med.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let end = first_after(j + 1).min(n);
        let from = out.len();
        match (a.is_nan(), b.is_nan()) {
            (false, false) => out.extend((from..end).map(|i| {
                let f = (i as f64 - centre) / block as f64 - j as f64;
                a + (b - a) * f
            })),
            (true, _) => out.resize(end, b),
            (false, true) => out.resize(end, a),
        }
    }
    out.resize(n, last);
    out
}

/// What an angle signal needs: the recording, the side's heel and toe.
struct Angles<'a> {
    rec: &'a Recording,
    sk: &'a Skeleton,
    which: FootSignal,
    side: &'a str,
    heel: &'a Point,
    toe: &'a Point,
    depth: bool,
}

impl Angles<'_> {
    /// The angle per frame, with `body` taking a point to the body-like frame
    /// ([`Frame::body`]).
    #[inline(always)]
    fn values<B>(&self, body: B) -> Result<Vec<f64>, MotionError>
    where
        B: Fn(&Vector3<f64>) -> Vector3<f64> + Copy,
    {
        let n = self.heel.position.len().min(self.toe.position.len());
        let (heel, toe) = (&self.heel.position[..n], &self.toe.position[..n]);
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
        match self.which {
            FootSignal::FootPitch => pairs.for_each(|(h, t)| {
                let v = foot(h, t);
                push((v.z, Vector3::new(v.x, v.y, 0.0).dot(&fwd)));
            }),
            FootSignal::AnkleAngle => {
                let ankle = find(self.sk, self.side, "ankle")?;
                let knee = find(self.sk, self.side, "knee")?;
                let (ankle, knee) = (&ankle.position[..n], &knee.position[..n]);
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
                return Ok(out);
            }
            FootSignal::FootRotation => {
                if !self.depth {
                    return Err(MotionError::NeedsDepth("foot rotation"));
                }
                pairs.for_each(|(h, t)| {
                    let v = foot(h, t);
                    push((v.dot(&lateral), v.dot(&fwd)));
                });
            }
            FootSignal::FootEversion => {
                if !self.depth {
                    return Err(MotionError::NeedsDepth("foot eversion"));
                }
                // The ankle is the pivot and hardly moves: the median of its means over
                // five blocks of 0.2 s has no noise to add to the foot's and ignores a few
                // frames of swapped legs (they shift one block's mean at most, or two).
                let ankle = find(self.sk, self.side, "ankle")?;
                let rate = self.rec.sampling_rate_hz;
                let block = (PIVOT_BLOCK_S * rate).round().max(1.0) as usize;
                let len = ankle.position.len();
                let (mut ax, mut ay, mut az) = (
                    Vec::with_capacity(len),
                    Vec::with_capacity(len),
                    Vec::with_capacity(len),
                );
                for p in &ankle.position {
                    let b = body(p);
                    ax.push(b.x);
                    ay.push(b.y);
                    az.push(b.z);
                }
                let pivot = |c: &[f64]| block_median(c, block, 2);
                let (ax, ay, az) = (pivot(&ax), pivot(&ay), pivot(&az));
                let (ax, ay, az) = (&ax[..n], &ay[..n], &az[..n]);
                pairs
                    .zip(ax.iter().zip(ay).zip(az))
                    .for_each(|((h, t), ((&x, &y), &z))| {
                        let mid = (body(h) + body(t)) / 2.0;
                        let d = mid - Vector3::new(x, y, z);
                        push((d.dot(&lateral), -d.dot(&up)));
                    });
            }
            FootSignal::HeelHeight | FootSignal::ToeHeight => {
                unreachable!("heights are not angles")
            }
        }
        Ok(atan2_each(&ys, &xs))
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

    /// The eversion pivot (the running median of the ankle's 0.2-s block means) keeps a
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
        let rec = skeleton(
            Space::World,
            vec![
                ("RHEE", vec![mid - Vector3::new(0.1, 0.0, 0.0); n]),
                ("RTOE", vec![mid + Vector3::new(0.1, 0.0, 0.0); n]),
                ("RANK", ankles),
            ],
        );
        let s = foot_signal(&rec, FootSignal::FootEversion, "right").expect("eversion");
        assert_eq!(s.values.len(), n);
        let worst = s
            .values
            .iter()
            .map(|v| (v - roll).abs().to_degrees())
            .fold(0.0, f64::max);
        assert!(worst < 1.0, "largest error {worst:.2}°");
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
