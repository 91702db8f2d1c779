//! Simulated video keypoints and motion-capture markers, from any [`Motion`].
//!
//! * A pinhole [`Camera`] beside the walker projects the body's points to pixels (image x to
//!   the right = the walking direction, image y down).
//! * [`body_points_m`] places the points of the MediaPipe-33 and OpenPose BODY_25 layouts on
//!   a [`BodyPose`]; [`simulate_keypoints`] projects them frame by frame and adds what real
//!   pose estimators do ([`KeypointNoise`]): pixel noise, far-leg points losing visibility
//!   when the near leg hides them, and left/right swaps of the legs for a few frames.
//! * [`KeypointRecording`] writes the files the readers take: MediaPipe image and world CSV,
//!   an OpenPose BODY_25 JSON folder.
//! * [`simulate_markers`] places a lower-body marker set ([`MARKER_NAMES`]) and
//!   [`MarkerRecording::to_trc`] writes it as an OpenSim TRC file (mm, Y up).
//!
//! ```
//! use dorsi::synth::gait::{Walk, WalkParams};
//! use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
//!
//! let walk = Walk::new(WalkParams { duration_s: 2.0, ..Default::default() }, 7);
//! let camera = Camera::beside(&walk);
//! let rec = simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), 7);
//! let csv = rec.to_mediapipe_image_csv();
//! assert!(csv.starts_with("frame,time_s,nose_x,nose_y,nose_z,nose_visibility"));
//! ```
//!
//! The same seed gives the same bytes.

use crate::io::MEDIAPIPE_33;
use std::fmt::Write as _;
use std::path::Path;

use nalgebra::{Matrix3, Rotation3, Vector2, Vector3};

use super::body::{BodyPose, Motion, Side};
use super::Rng;

/// The default video frame rate, Hz.
pub const DEFAULT_VIDEO_RATE_HZ: f64 = 30.0;

/// The default marker rate, Hz.
pub const DEFAULT_MARKER_RATE_HZ: f64 = 100.0;

/// How far [`Camera::beside`] puts the camera from the mean pelvis path, m.
pub const CAMERA_DISTANCE_M: f64 = 4.0;

/// The height of the camera's optical centre in [`Camera::beside`] and `Default`, m.
pub const CAMERA_HEIGHT_M: f64 = 1.0;

/// A pinhole camera (no lens distortion, principal point at the image centre).
///
/// The camera frame is the usual computer-vision one: x to the right of the image, y down, z
/// along the optical axis (away from the camera). `Default` is a 1920 × 1080 px camera with a
/// 1400 px focal length (a horizontal field of view of about 69°, a phone's main camera),
/// standing 4 m to the right of the origin (y = −4 m), 1 m high, looking along +y: the
/// walking direction (+x) runs to the right of the image, up (+z) to the top, and the right
/// leg is the near one.
#[derive(Debug, Clone, PartialEq)]
pub struct Camera {
    /// Image width, px.
    pub width_px: u32,
    /// Image height, px.
    pub height_px: u32,
    /// Focal length, px.
    pub focal_px: f64,
    /// Optical centre at t = 0, world frame, m.
    pub position_m: Vector3<f64>,
    /// The camera's velocity (a dolly following the walker), m/s; zero for a still camera.
    pub velocity_mps: Vector3<f64>,
    /// The camera frame's axes in the world (camera frame to world).
    pub orientation: Rotation3<f64>,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            width_px: 1920,
            height_px: 1080,
            focal_px: 1400.0,
            position_m: Vector3::new(0.0, -CAMERA_DISTANCE_M, CAMERA_HEIGHT_M),
            velocity_mps: Vector3::zeros(),
            orientation: Camera::looking_left(),
        }
    }
}

impl Camera {
    /// The orientation of a camera on the walker's right looking along +y: image x = world
    /// +x, image y = world −z, optical axis = world +y.
    pub fn looking_left() -> Rotation3<f64> {
        let x = Vector3::x();
        let y = -Vector3::z();
        let z = Vector3::y();
        Rotation3::from_matrix_unchecked(Matrix3::from_columns(&[x, y, z]))
    }

    /// The default camera placed beside a motion: 4 m to the right of the mean pelvis path,
    /// 1 m high, looking along +y. When the whole pelvis path (plus 1 m for the feet) fits
    /// in the view at that distance the camera stands still, centred on the path; otherwise
    /// it moves along x at the pelvis's mean speed (a straight-line fit of pelvis x over
    /// time), keeping the walker in view like a tracking shot or a treadmill recording.
    pub fn beside(motion: &dyn Motion) -> Camera {
        let mut camera = Camera::default();
        let duration = motion.duration_s().max(0.0);
        let n = 401;
        let samples: Vec<(f64, Vector3<f64>)> = (0..n)
            .map(|i| {
                let t = duration * i as f64 / (n - 1) as f64;
                (t, motion.pose(t).pelvis())
            })
            .collect();
        let count = n as f64;
        let mean_t = samples.iter().map(|s| s.0).sum::<f64>() / count;
        let mean_x = samples.iter().map(|s| s.1.x).sum::<f64>() / count;
        let mean_y = samples.iter().map(|s| s.1.y).sum::<f64>() / count;
        let (min_x, max_x) = samples
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s.1.x), hi.max(s.1.x))
            });
        let visible_m = f64::from(camera.width_px) * CAMERA_DISTANCE_M / camera.focal_px;
        let (x0, vx) = if max_x - min_x + 1.0 <= visible_m {
            ((min_x + max_x) / 2.0, 0.0)
        } else {
            let stt: f64 = samples.iter().map(|s| (s.0 - mean_t).powi(2)).sum();
            let stx: f64 = samples
                .iter()
                .map(|s| (s.0 - mean_t) * (s.1.x - mean_x))
                .sum();
            let slope = if stt > 0.0 { stx / stt } else { 0.0 };
            (mean_x - slope * mean_t, slope)
        };
        camera.position_m = Vector3::new(x0, mean_y - CAMERA_DISTANCE_M, CAMERA_HEIGHT_M);
        camera.velocity_mps = Vector3::new(vx, 0.0, 0.0);
        camera
    }

    /// The optical centre at time `t_s`, m.
    pub fn centre_m(&self, t_s: f64) -> Vector3<f64> {
        self.position_m + self.velocity_mps * t_s
    }

    /// A world point in the camera frame at `t_s` (x right, y down, z along the optical
    /// axis), m.
    pub fn to_camera_frame(&self, p_m: &Vector3<f64>, t_s: f64) -> Vector3<f64> {
        self.orientation.inverse() * (p_m - self.centre_m(t_s))
    }

    /// Project a world point at `t_s`: image x and y in px (y down) and the depth along the
    /// optical axis in m; `None` for a point less than 1 cm in front of the camera.
    pub fn project(&self, p_m: &Vector3<f64>, t_s: f64) -> Option<(f64, f64, f64)> {
        let c = self.to_camera_frame(p_m, t_s);
        if c.z.is_nan() || c.z < 0.01 {
            return None;
        }
        let x = f64::from(self.width_px) / 2.0 + self.focal_px * c.x / c.z;
        let y = f64::from(self.height_px) / 2.0 + self.focal_px * c.y / c.z;
        Some((x, y, c.z))
    }

    /// Whether image coordinates fall inside the image.
    pub fn in_image(&self, x_px: f64, y_px: f64) -> bool {
        (0.0..=f64::from(self.width_px)).contains(&x_px)
            && (0.0..=f64::from(self.height_px)).contains(&y_px)
    }
}

/// What a real pose estimator adds to the exact projections. `Default` is a good detector
/// on a clear side-view video; [`KeypointNoise::none`] gives the exact geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct KeypointNoise {
    /// White noise on image x and y (and on MediaPipe's relative depth, in the same scale),
    /// px (standard deviation). Three times larger on a fully occluded point.
    pub pixel_noise_px: f64,
    /// White noise on MediaPipe world landmarks, m (standard deviation per axis).
    pub world_noise_m: f64,
    /// White noise on motion-capture markers, m (standard deviation per axis).
    pub marker_noise_m: f64,
    /// Whether far-leg points lose visibility behind the near leg.
    pub occlusion: bool,
    /// The near leg's width as the camera sees it, m: a far-leg point whose projection falls
    /// within half this width (projected at the near leg's depth) of the near thigh, shank or
    /// foot is fully occluded.
    pub limb_width_m: f64,
    /// Beyond the near leg's edge, visibility comes back linearly over this many px.
    pub occlusion_margin_px: f64,
    /// Visibility / confidence of a point in plain view, 0–1.
    pub visibility: f64,
    /// Visibility / confidence of a fully occluded point, or of a point outside the image,
    /// 0–1.
    pub occluded_visibility: f64,
    /// Below this visibility a point is missing: OpenPose writes it as `0,0,0`; MediaPipe
    /// keeps its coordinates with the low visibility (as the real tools do).
    pub missing_below: f64,
    /// Mean number of left/right swaps of the leg points per minute.
    pub swaps_per_min: f64,
    /// Longest swap, frames (lengths are uniform from 1 to this).
    pub max_swap_frames: usize,
}

impl Default for KeypointNoise {
    fn default() -> Self {
        KeypointNoise {
            pixel_noise_px: 2.0,
            world_noise_m: 0.01,
            marker_noise_m: 0.0005,
            occlusion: true,
            limb_width_m: 0.10,
            occlusion_margin_px: 10.0,
            visibility: 0.98,
            occluded_visibility: 0.15,
            missing_below: 0.3,
            swaps_per_min: 1.0,
            max_swap_frames: 3,
        }
    }
}

impl KeypointNoise {
    /// The exact geometry: no noise, every point in view fully visible, no swaps.
    pub fn none() -> Self {
        KeypointNoise {
            pixel_noise_px: 0.0,
            world_noise_m: 0.0,
            marker_noise_m: 0.0,
            occlusion: false,
            visibility: 1.0,
            swaps_per_min: 0.0,
            ..KeypointNoise::default()
        }
    }
}

/// The names of the points [`body_points_m`] places: the 33 MediaPipe landmarks in their
/// index order, then the four BODY_25 points MediaPipe lacks.
pub const POINT_NAMES: [&str; POINT_COUNT] = {
    let mut names = [""; POINT_COUNT];
    let mut i = 0;
    while i < MEDIAPIPE_33.len() {
        names[i] = MEDIAPIPE_33[i];
        i += 1;
    }
    names[33] = "neck";
    names[34] = "mid_hip";
    names[35] = "left_small_toe";
    names[36] = "right_small_toe";
    names
};

/// How many points [`body_points_m`] places.
pub const POINT_COUNT: usize = 37;

/// How many of [`POINT_NAMES`] are MediaPipe landmarks (the first ones).
pub const MEDIAPIPE_COUNT: usize = 33;

/// OpenPose BODY_25 names with the index of each in [`POINT_NAMES`].
pub const BODY_25: [(&str, usize); 25] = [
    ("Nose", 0),
    ("Neck", 33),
    ("RShoulder", 12),
    ("RElbow", 14),
    ("RWrist", 16),
    ("LShoulder", 11),
    ("LElbow", 13),
    ("LWrist", 15),
    ("MidHip", 34),
    ("RHip", 24),
    ("RKnee", 26),
    ("RAnkle", 28),
    ("LHip", 23),
    ("LKnee", 25),
    ("LAnkle", 27),
    ("REye", 5),
    ("LEye", 2),
    ("REar", 8),
    ("LEar", 7),
    ("LBigToe", 31),
    ("LSmallToe", 35),
    ("LHeel", 29),
    ("RBigToe", 32),
    ("RSmallToe", 36),
    ("RHeel", 30),
];

/// The leg points as (left, right) index pairs in [`POINT_NAMES`]: hip, knee, ankle, heel,
/// toe, small toe.
const LEG_PAIRS: [(usize, usize); 6] = [(23, 24), (25, 26), (27, 28), (29, 30), (31, 32), (35, 36)];

/// The leg a point belongs to, if it is a leg point.
fn leg_side(i: usize) -> Option<Side> {
    LEG_PAIRS.iter().find_map(|&(l, r)| {
        if i == l {
            Some(Side::Left)
        } else if i == r {
            Some(Side::Right)
        } else {
            None
        }
    })
}

/// The points of [`POINT_NAMES`] on a pose, world frame, m.
///
/// Taken from the pose as they are: nose, neck (mid-shoulders), shoulders, elbows, wrists,
/// hips, knees, ankles, heels (back of the heel on the sole), foot index and big toe (the
/// toe tip), mid-hip (the pelvis). Approximated, in the head frame (forward = the horizontal
/// direction from the neck to the nose, left, up):
/// * eyes 3.5 cm above the nose, 1–2.5 cm behind it, 1.5 / 3.2 / 4.5 cm to the side (inner,
///   centre, outer); ears 9 cm behind the nose, 2 cm above, 7.5 cm to the side; mouth corners
///   3.5 cm below the nose, 2.5 cm to the side;
/// * hands along the forearm (elbow → wrist): index 8 cm beyond the wrist and 1.5 cm
///   forward, pinky 7 cm beyond and 2 cm back, thumb 4 cm beyond and 3 cm forward;
/// * small toe 3.5 cm behind the big toe and 3 cm lateral to it, on the sole (foot frame).
pub fn body_points_m(pose: &BodyPose) -> [Vector3<f64>; POINT_COUNT] {
    let up = Vector3::z();
    let d = pose.nose - pose.neck;
    let forward = Vector3::new(d.x, d.y, 0.0)
        .try_normalize(1e-9)
        .unwrap_or_else(Vector3::x);
    let left = up.cross(&forward);
    let head = |f: f64, l: f64, u: f64| pose.nose + forward * f + left * l + up * u;
    let mut p = [Vector3::zeros(); POINT_COUNT];
    p[0] = pose.nose;
    for (k, sign) in [(0usize, 1.0), (3, -1.0)] {
        p[1 + k] = head(-0.010, sign * 0.015, 0.035);
        p[2 + k] = head(-0.015, sign * 0.032, 0.035);
        p[3 + k] = head(-0.025, sign * 0.045, 0.035);
    }
    p[7] = head(-0.090, 0.075, 0.020);
    p[8] = head(-0.090, -0.075, 0.020);
    p[9] = head(-0.010, 0.025, -0.035);
    p[10] = head(-0.010, -0.025, -0.035);
    for side in Side::BOTH {
        let i = side.index();
        let wrist = pose.wrists[i];
        let along = (wrist - pose.elbows[i]).try_normalize(1e-9).unwrap_or(-up);
        p[11 + i] = pose.shoulders[i];
        p[13 + i] = pose.elbows[i];
        p[15 + i] = wrist;
        p[17 + i] = wrist + along * 0.07 - forward * 0.02;
        p[19 + i] = wrist + along * 0.08 + forward * 0.015;
        p[21 + i] = wrist + along * 0.04 + forward * 0.03;
        let leg = pose.leg(side);
        p[23 + i] = leg.hip;
        p[25 + i] = leg.knee;
        p[27 + i] = leg.ankle;
        p[29 + i] = leg.heel;
        p[31 + i] = leg.toe;
        p[35 + i] = leg.toe + leg.foot * Vector3::new(-0.035, side.lateral_sign() * 0.03, 0.0);
    }
    p[33] = pose.neck;
    p[34] = pose.pelvis();
    p
}

/// One detected point in one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Keypoint {
    /// Image x, px (to the right).
    pub x_px: f64,
    /// Image y, px (down).
    pub y_px: f64,
    /// Depth along the camera's optical axis, m.
    pub depth_m: f64,
    /// Visibility / confidence, 0–1.
    pub visibility: f64,
    /// The point in the world as a 3D estimator reports it (world frame, z up), m.
    pub world_m: Vector3<f64>,
}

/// Keypoints of one body over time, in the point set of [`POINT_NAMES`]; written as
/// MediaPipe CSV or OpenPose JSON.
#[derive(Debug, Clone)]
pub struct KeypointRecording {
    /// Frame rate, Hz.
    pub rate_hz: f64,
    /// Frame times, s (frame i at i / rate).
    pub time_s: Vec<f64>,
    /// The points of each frame, in the order of [`POINT_NAMES`] (after swaps).
    pub frames: Vec<[Keypoint; POINT_COUNT]>,
    /// Whether the left and right leg points of each frame are swapped.
    pub swapped: Vec<bool>,
    /// The camera.
    pub camera: Camera,
    /// Points below this visibility are missing in OpenPose output.
    pub missing_below: f64,
}

/// The number of frames of a motion at a rate (frame i at i / rate, below the duration as
/// the IMU simulation does); 0 for a rate that is not a positive number.
fn frame_count(duration_s: f64, rate_hz: f64) -> usize {
    if rate_hz.is_finite() && rate_hz > 0.0 && duration_s.is_finite() && duration_s > 0.0 {
        (duration_s * rate_hz).floor() as usize
    } else {
        0
    }
}

/// Distance from a point to a segment, px.
fn distance_to_segment(p: Vector2<f64>, a: Vector2<f64>, b: Vector2<f64>) -> f64 {
    let ab = b - a;
    let len2 = ab.norm_squared();
    let u = if len2 > 0.0 {
        ((p - a).dot(&ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p - (a + ab * u)).norm()
}

/// Which frames have their legs swapped: `swaps_per_min` swaps on average, each 1 to
/// `max_swap_frames` frames long, at uniformly random frames.
fn swap_frames(n: usize, rate_hz: f64, noise: &KeypointNoise, rng: &mut Rng) -> Vec<bool> {
    let mut swapped = vec![false; n];
    if noise.swaps_per_min > 0.0 && noise.max_swap_frames > 0 && n > 0 {
        let expected = noise.swaps_per_min * n as f64 / rate_hz / 60.0;
        let count = expected.floor() as usize + usize::from(rng.uniform() < expected.fract());
        for _ in 0..count {
            let start = ((rng.uniform() * n as f64) as usize).min(n - 1);
            let len = 1
                + ((rng.uniform() * noise.max_swap_frames as f64) as usize)
                    .min(noise.max_swap_frames - 1);
            for s in swapped.iter_mut().skip(start).take(len) {
                *s = true;
            }
        }
    }
    swapped
}

/// Simulate a pose estimator watching a motion through a camera at `rate_hz` frames per
/// second (see [`KeypointNoise`] for what is added to the exact projections).
pub fn simulate_keypoints(
    motion: &dyn Motion,
    camera: &Camera,
    rate_hz: f64,
    noise: &KeypointNoise,
    seed: u64,
) -> KeypointRecording {
    let n = frame_count(motion.duration_s(), rate_hz);
    // Swaps from their own stream, so they fall on the same frames whatever the noise.
    let swapped = swap_frames(n, rate_hz, noise, &mut Rng::new(seed));
    let mut rng = Rng::new(seed ^ 0x6B70_5F6E_6F69_7365);
    let time_s: Vec<f64> = (0..n).map(|i| i as f64 / rate_hz).collect();
    let frames = time_s
        .iter()
        .zip(&swapped)
        .map(|(&t, &swap)| detect(&motion.pose(t), camera, t, noise, swap, &mut rng))
        .collect();
    KeypointRecording {
        rate_hz,
        time_s,
        frames,
        swapped,
        camera: camera.clone(),
        missing_below: noise.missing_below,
    }
}

/// One frame of keypoints.
fn detect(
    pose: &BodyPose,
    camera: &Camera,
    t_s: f64,
    noise: &KeypointNoise,
    swap: bool,
    rng: &mut Rng,
) -> [Keypoint; POINT_COUNT] {
    let world = body_points_m(pose);
    let depth = |p: &Vector3<f64>| camera.to_camera_frame(p, t_s).z;
    // The far leg is the one whose hip is deeper; the near leg's thigh, shank and foot hide it.
    let far = if depth(&pose.legs[0].hip) > depth(&pose.legs[1].hip) {
        Side::Left
    } else {
        Side::Right
    };
    let near = pose.leg(match far {
        Side::Left => Side::Right,
        Side::Right => Side::Left,
    });
    let bands: Vec<(Vector2<f64>, Vector2<f64>, f64)> = [
        (near.hip, near.knee),
        (near.knee, near.ankle),
        (near.ankle, near.heel),
        (near.heel, near.toe),
    ]
    .iter()
    .filter_map(|(a, b)| {
        let (ax, ay, ad) = camera.project(a, t_s)?;
        let (bx, by, bd) = camera.project(b, t_s)?;
        let half_px = 0.5 * camera.focal_px * noise.limb_width_m / ((ad + bd) / 2.0);
        Some((Vector2::new(ax, ay), Vector2::new(bx, by), half_px))
    })
    .collect();
    let mut out = [Keypoint::default(); POINT_COUNT];
    for (i, kp) in out.iter_mut().enumerate() {
        let noise3 = |rng: &mut Rng| Vector3::new(rng.normal(), rng.normal(), rng.normal());
        let image_noise = noise3(rng);
        kp.world_m = world[i] + noise3(rng) * noise.world_noise_m;
        let Some((x, y, d)) = camera.project(&world[i], t_s) else {
            continue;
        };
        // The far hip is always behind the near one from the side; detectors place it from
        // the body's outline, so only the far knee, ankle and foot points are hidden.
        let hideable = noise.occlusion && leg_side(i) == Some(far) && !matches!(i, 23 | 24);
        let hidden = if hideable {
            let p = Vector2::new(x, y);
            bands
                .iter()
                .map(|&(a, b, half_px)| {
                    let outside = distance_to_segment(p, a, b) - half_px;
                    if noise.occlusion_margin_px > 0.0 {
                        1.0 - (outside / noise.occlusion_margin_px).clamp(0.0, 1.0)
                    } else if outside <= 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .fold(0.0, f64::max)
        } else {
            0.0
        };
        let mut visibility =
            noise.visibility - (noise.visibility - noise.occluded_visibility) * hidden;
        if !camera.in_image(x, y) {
            visibility = visibility.min(noise.occluded_visibility);
        }
        let sigma_px = noise.pixel_noise_px * (1.0 + 2.0 * hidden);
        kp.x_px = x + sigma_px * image_noise.x;
        kp.y_px = y + sigma_px * image_noise.y;
        kp.depth_m = d + sigma_px * image_noise.z * d / camera.focal_px;
        kp.visibility = visibility.clamp(0.0, 1.0);
    }
    if swap {
        for (l, r) in LEG_PAIRS {
            out.swap(l, r);
        }
    }
    out
}

impl KeypointRecording {
    /// The number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    fn header(s: &mut String) {
        s.push_str("frame,time_s");
        for name in &POINT_NAMES[..MEDIAPIPE_COUNT] {
            let _ = write!(s, ",{name}_x,{name}_y,{name}_z,{name}_visibility");
        }
        s.push('\n');
    }

    /// MediaPipe image landmarks as CSV: `frame,time_s`, then `<name>_x`, `_y`, `_z`,
    /// `_visibility` for the 33 landmarks. x and y are divided by the image width and
    /// height (y down); z is the depth relative to the hip mid-point in the scale of x
    /// (depth offset × focal length / (hip depth × image width)), positive away from the
    /// camera. Points with low visibility keep their coordinates, as MediaPipe's do.
    pub fn to_mediapipe_image_csv(&self) -> String {
        let w = f64::from(self.camera.width_px);
        let h = f64::from(self.camera.height_px);
        let mut s = String::with_capacity(64 + self.frames.len() * MEDIAPIPE_COUNT * 40);
        Self::header(&mut s);
        for (i, (t, frame)) in self.time_s.iter().zip(&self.frames).enumerate() {
            let hip_depth = (frame[23].depth_m + frame[24].depth_m) / 2.0;
            let z_scale = if hip_depth > 0.0 {
                self.camera.focal_px / (hip_depth * w)
            } else {
                0.0
            };
            let _ = write!(s, "{i},{t:.6}");
            for kp in &frame[..MEDIAPIPE_COUNT] {
                let _ = write!(
                    s,
                    ",{:.6},{:.6},{:.6},{:.4}",
                    kp.x_px / w,
                    kp.y_px / h,
                    (kp.depth_m - hip_depth) * z_scale,
                    kp.visibility
                );
            }
            s.push('\n');
        }
        s
    }

    /// MediaPipe world landmarks as CSV (same columns as the image CSV): metres, origin at
    /// the hip mid-point, axes of the camera frame as MediaPipe gives them (x to the right
    /// of the image, y down, z away from the camera; for the default camera x forward, y
    /// down, z to the walker's left).
    pub fn to_mediapipe_world_csv(&self) -> String {
        let to_camera = self.camera.orientation.inverse();
        let mut s = String::with_capacity(64 + self.frames.len() * MEDIAPIPE_COUNT * 36);
        Self::header(&mut s);
        for (i, (t, frame)) in self.time_s.iter().zip(&self.frames).enumerate() {
            let origin = (frame[23].world_m + frame[24].world_m) / 2.0;
            let _ = write!(s, "{i},{t:.6}");
            for kp in &frame[..MEDIAPIPE_COUNT] {
                let p = to_camera * (kp.world_m - origin);
                let _ = write!(s, ",{:.5},{:.5},{:.5},{:.4}", p.x, p.y, p.z, kp.visibility);
            }
            s.push('\n');
        }
        s
    }

    /// One frame as OpenPose BODY_25 JSON (`None` past the last frame): pixels, y down,
    /// confidence = visibility; a point below [`KeypointNoise::missing_below`] is `0,0,0`.
    pub fn openpose_frame_json(&self, frame: usize) -> Option<String> {
        let points = self.frames.get(frame)?;
        let mut s = String::with_capacity(700);
        s.push_str("{\"version\":1.3,\"people\":[{\"person_id\":[-1],\"pose_keypoints_2d\":[");
        for (k, &(_, i)) in BODY_25.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            let kp = &points[i];
            if kp.visibility < self.missing_below || kp.visibility <= 0.0 {
                s.push_str("0,0,0");
            } else {
                let _ = write!(s, "{:.3},{:.3},{:.4}", kp.x_px, kp.y_px, kp.visibility);
            }
        }
        s.push_str(
            "],\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\
             \"hand_right_keypoints_2d\":[],\"pose_keypoints_3d\":[],\"face_keypoints_3d\":[],\
             \"hand_left_keypoints_3d\":[],\"hand_right_keypoints_3d\":[]}]}",
        );
        Some(s)
    }

    /// Write the frames as OpenPose does, one `<stem>_<frame:012>_keypoints.json` per frame
    /// (frames from 0), into `dir` (created if missing). Each file is written to a temporary
    /// name and renamed. Returns the number of files written.
    pub fn write_openpose_folder(&self, dir: &Path, stem: &str) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        for i in 0..self.frames.len() {
            let Some(json) = self.openpose_frame_json(i) else {
                break;
            };
            let name = format!("{stem}_{i:012}_keypoints.json");
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, json)?;
            std::fs::rename(&tmp, dir.join(&name))?;
        }
        Ok(self.frames.len())
    }
}

/// The markers [`marker_positions_m`] places, in TRC column order.
pub const MARKER_NAMES: [&str; 12] = [
    "LASI", "RASI", "LPSI", "RPSI", "LKNE", "RKNE", "LANK", "RANK", "LHEE", "RHEE", "LTOE", "RTOE",
];

/// A lower-body marker set on a pose (world frame, m), in the order of [`MARKER_NAMES`].
///
/// * Pelvis: in a pelvis frame from the hip joint centres (lateral = right → left hip,
///   forward = horizontal and perpendicular to it, up completing it), the hip joint centres
///   placed from the ASIS as Bell et al. (1990) regress them for a 25 cm inter-ASIS
///   distance: the ASIS 4.75 cm in front of and 7.5 cm above the hip centres' mid-point,
///   12.5 cm to each side; the PSIS 11 cm behind and 8.5 cm above it, 4.5 cm to each side.
/// * KNE: 5 cm lateral to the knee centre (lateral femoral epicondyle), thigh frame.
/// * ANK: 3.5 cm lateral to the ankle centre (lateral malleolus), shank frame.
/// * HEE: on the back of the heel, 2 cm above the sole; TOE: on top of the forefoot at 78 %
///   of the foot length from the heel, 2 cm above the sole. Both at the same height above
///   the sole, so the HEE → TOE line is parallel to the sole and its pitch is the foot's.
pub fn marker_positions_m(pose: &BodyPose) -> [Vector3<f64>; 12] {
    let lateral = (pose.legs[0].hip - pose.legs[1].hip)
        .try_normalize(1e-9)
        .unwrap_or_else(Vector3::y);
    let forward = lateral
        .cross(&Vector3::z())
        .try_normalize(1e-9)
        .unwrap_or_else(Vector3::x);
    let up = forward.cross(&lateral);
    let mid = pose.pelvis();
    let mut m = [Vector3::zeros(); 12];
    for side in Side::BOTH {
        let i = side.index();
        let s = side.lateral_sign();
        let leg = pose.leg(side);
        m[i] = mid + forward * 0.0475 + up * 0.075 + lateral * (s * 0.125);
        m[2 + i] = mid - forward * 0.11 + up * 0.085 + lateral * (s * 0.045);
        m[4 + i] = leg.knee + leg.thigh * Vector3::new(0.0, s * 0.05, 0.0);
        m[6 + i] = leg.ankle + leg.shank * Vector3::new(0.0, s * 0.035, 0.0);
        let sole_up = leg.foot * Vector3::new(0.0, 0.0, 0.02);
        m[8 + i] = leg.heel + sole_up;
        m[10 + i] = leg.heel + (leg.toe - leg.heel) * 0.78 + sole_up;
    }
    m
}

/// Marker trajectories over time, in the order of [`MARKER_NAMES`].
#[derive(Debug, Clone)]
pub struct MarkerRecording {
    /// Marker rate, Hz.
    pub rate_hz: f64,
    /// Frame times, s (frame i at i / rate).
    pub time_s: Vec<f64>,
    /// Marker positions per frame, world frame (z up), m.
    pub positions_m: Vec<[Vector3<f64>; 12]>,
}

/// Simulate motion capture of a motion at `rate_hz` ([`KeypointNoise::marker_noise_m`] of
/// white noise per axis; markers are never missing or swapped).
pub fn simulate_markers(
    motion: &dyn Motion,
    rate_hz: f64,
    noise: &KeypointNoise,
    seed: u64,
) -> MarkerRecording {
    let mut rng = Rng::new(seed ^ 0x6D61_726B_6572_7321);
    let n = frame_count(motion.duration_s(), rate_hz);
    let time_s: Vec<f64> = (0..n).map(|i| i as f64 / rate_hz).collect();
    let positions_m = time_s
        .iter()
        .map(|&t| {
            let mut m = marker_positions_m(&motion.pose(t));
            for p in &mut m {
                *p += Vector3::new(rng.normal(), rng.normal(), rng.normal()) * noise.marker_noise_m;
            }
            m
        })
        .collect();
    MarkerRecording {
        rate_hz,
        time_s,
        positions_m,
    }
}

impl MarkerRecording {
    /// The markers as an OpenSim TRC file named `file_name` (the name goes on the first
    /// line): tab-separated, millimetres, Y up. World (x forward, y left, z up) becomes
    /// X = x, Y = z, Z = −y (a proper rotation about x: Z points to the walker's right, as
    /// in OpenSim). Frames are numbered from 1, times from 0.
    pub fn to_trc(&self, file_name: &str) -> String {
        let n = self.positions_m.len();
        let m = MARKER_NAMES.len();
        let mut s = String::with_capacity(400 + n * (16 + m * 30));
        let _ = writeln!(s, "PathFileType\t4\t(X/Y/Z)\t{file_name}");
        s.push_str(
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t\
             OrigDataStartFrame\tOrigNumFrames\n",
        );
        let rate = self.rate_hz;
        let _ = writeln!(s, "{rate}\t{rate}\t{n}\t{m}\tmm\t{rate}\t1\t{n}");
        s.push_str("Frame#\tTime");
        for name in MARKER_NAMES {
            let _ = write!(s, "\t{name}\t\t");
        }
        s.push_str("\n\t");
        for k in 1..=m {
            let _ = write!(s, "\tX{k}\tY{k}\tZ{k}");
        }
        s.push_str("\n\n");
        for (i, (t, markers)) in self.time_s.iter().zip(&self.positions_m).enumerate() {
            let _ = write!(s, "{}\t{t:.6}", i + 1);
            for p in markers {
                let _ = write!(
                    s,
                    "\t{:.3}\t{:.3}\t{:.3}",
                    p.x * 1000.0,
                    p.z * 1000.0,
                    -p.y * 1000.0
                );
            }
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{read, read_bytes, ReadOptions};
    use crate::recording::{Format, Layout, Recording, Space};
    use crate::synth::body::{Anthropometry, LegPose};
    use std::f64::consts::PI;

    /// A body gliding forward at `speed_mps` with both feet rocking in pitch (±20°, out of
    /// phase) a little above the floor, the left foot `stagger_m` ahead of the right.
    struct Rocking {
        duration_s: f64,
        speed_mps: f64,
        stagger_m: f64,
    }

    impl Rocking {
        fn new(duration_s: f64) -> Self {
            Rocking {
                duration_s,
                speed_mps: 1.0,
                stagger_m: 0.4,
            }
        }
    }

    impl Motion for Rocking {
        fn pose(&self, t_s: f64) -> BodyPose {
            let body = Anthropometry::default();
            let x = self.speed_mps * t_s;
            let legs = Side::BOTH.map(|side| {
                let (ahead, phase) = match side {
                    Side::Left => (0.5, 0.0),
                    Side::Right => (-0.5, 1.3),
                };
                let pitch = 0.35 * (2.0 * PI * 0.8 * t_s + phase).sin();
                let foot = Rotation3::from_axis_angle(&Vector3::y_axis(), -pitch);
                let heel =
                    Vector3::new(x + ahead * self.stagger_m, side.lateral_sign() * 0.09, 0.03);
                let toe = heel + foot * Vector3::new(body.foot_m, 0.0, 0.0);
                let ankle = heel + foot * body.ankle_in_foot_m;
                let knee = ankle + Vector3::new(0.0, 0.0, body.shank_m);
                let hip = knee + Vector3::new(0.0, 0.0, body.thigh_m);
                LegPose {
                    hip,
                    knee,
                    ankle,
                    heel,
                    toe,
                    thigh: Rotation3::identity(),
                    shank: Rotation3::identity(),
                    foot,
                }
            });
            body.body_pose(legs, Rotation3::identity(), 0.2 * (3.0 * t_s).sin())
        }

        fn duration_s(&self) -> f64 {
            self.duration_s
        }
    }

    fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    fn opts(rate_hz: Option<f64>) -> ReadOptions {
        ReadOptions {
            rate_hz,
            ..ReadOptions::default()
        }
    }

    /// A point's positions in a recording.
    fn track<'a>(rec: &'a Recording, name: &str) -> &'a [Vector3<f64>] {
        let sk = rec
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        &sk.point(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .position
    }

    /// Pitch of the heel → toe line in 3D (z up), rad.
    fn pitch_3d(heel: &Vector3<f64>, toe: &Vector3<f64>) -> f64 {
        let d = toe - heel;
        d.z.atan2(d.xy().norm())
    }

    /// Pitch of the heel → toe line in the image (y down, walking to the right), rad.
    fn pitch_2d(heel: (f64, f64), toe: (f64, f64)) -> f64 {
        (heel.1 - toe.1).atan2(toe.0 - heel.0)
    }

    /// The largest |pitch from the file − model pitch| over frames and sides, degrees.
    fn worst_deg(
        motion: &dyn Motion,
        n: usize,
        rate_hz: f64,
        pitch: impl Fn(usize, Side) -> f64,
    ) -> f64 {
        let mut worst = 0.0f64;
        for i in 0..n {
            let pose = motion.pose(i as f64 / rate_hz);
            for side in Side::BOTH {
                let err = pitch(i, side) - pose.leg(side).foot_pitch_rad();
                worst = worst.max(err.to_degrees().abs());
            }
        }
        worst
    }

    fn side_name(side: Side, mediapipe: &str, body25: &str) -> String {
        match (side, mediapipe.is_empty()) {
            (Side::Left, false) => format!("left_{mediapipe}"),
            (Side::Right, false) => format!("right_{mediapipe}"),
            (Side::Left, true) => format!("L{body25}"),
            (Side::Right, true) => format!("R{body25}"),
        }
    }

    #[test]
    fn camera_beside_sees_the_walk_from_the_right() {
        let short = Rocking::new(3.0);
        let cam = Camera::beside(&short);
        assert_eq!(cam.velocity_mps, Vector3::zeros());
        assert!((cam.position_m.x - 1.5).abs() < 0.1, "{cam:?}");
        assert!((cam.position_m.y + CAMERA_DISTANCE_M).abs() < 1e-9);
        // A point on the optical axis lands in the image centre; forward is right, up is up.
        let ahead = cam.position_m + Vector3::new(0.0, 2.0, 0.0);
        assert_eq!(cam.project(&ahead, 0.0), Some((960.0, 540.0, 2.0)));
        let (x, y, _) = cam
            .project(&(ahead + Vector3::new(0.1, 0.0, 0.1)), 0.0)
            .unwrap_or_else(|| panic!("behind"));
        assert!(x > 960.0 && y < 540.0);
        assert_eq!(cam.project(&(cam.position_m - Vector3::y()), 0.0), None);
        // A long walk: the camera follows at the walking speed.
        let long = Rocking::new(20.0);
        let cam = Camera::beside(&long);
        assert!((cam.velocity_mps.x - 1.0).abs() < 1e-3, "{cam:?}");
        let (x, _, _) = cam
            .project(&long.pose(15.0).pelvis(), 15.0)
            .unwrap_or_else(|| panic!("behind"));
        assert!((x - 960.0).abs() < 40.0, "pelvis at x = {x} px");
    }

    #[test]
    fn mediapipe_image_csv_reads_back_with_the_model_foot_angles() {
        let motion = Rocking::new(3.0);
        let cam = Camera::beside(&motion);
        let rec = simulate_keypoints(&motion, &cam, 30.0, &KeypointNoise::none(), 1);
        assert_eq!(rec.len(), 90);
        let csv = rec.to_mediapipe_image_csv();
        let back = ok(read_bytes(
            "walk_mediapipe.csv",
            csv.as_bytes(),
            &opts(None),
        ));
        assert_eq!(back.source.format, Format::MediapipeCsv);
        assert_eq!(back.n_samples, 90);
        assert!(
            (back.sampling_rate_hz - 30.0).abs() < 1e-9,
            "{}",
            back.sampling_rate_hz
        );
        let sk = back
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Mediapipe33);
        assert_eq!(sk.space, Space::Image { normalised: true });
        assert_eq!(sk.points.len(), 33);
        let (w, h) = (f64::from(cam.width_px), f64::from(cam.height_px));
        // Coordinates: the exact projections.
        let heel = track(&back, "left_heel");
        for (i, p) in heel.iter().enumerate() {
            let t = i as f64 / 30.0;
            let (x, y, _) = ok(cam
                .project(&motion.pose(t).legs[0].heel, t)
                .ok_or("behind the camera"));
            assert!((p.x * w - x).abs() < 0.01 && (p.y * h - y).abs() < 0.01);
        }
        // Foot angles from the 2D image, in pixels (normalised x and y have different scales).
        let worst = worst_deg(&motion, 90, 30.0, |i, side| {
            let hp = track(&back, &side_name(side, "heel", ""))[i];
            let tp = track(&back, &side_name(side, "foot_index", ""))[i];
            pitch_2d((hp.x * w, hp.y * h), (tp.x * w, tp.y * h))
        });
        eprintln!("MediaPipe image: worst foot-pitch error {worst:.4}°");
        assert!(worst < 1.0, "{worst}°");
    }

    #[test]
    fn mediapipe_world_csv_reads_back_with_the_model_foot_angles() {
        let motion = Rocking::new(3.0);
        let cam = Camera::beside(&motion);
        let rec = simulate_keypoints(&motion, &cam, 30.0, &KeypointNoise::none(), 1);
        let csv = rec.to_mediapipe_world_csv();
        let back = ok(read_bytes("walk_world.csv", csv.as_bytes(), &opts(None)));
        assert_eq!(back.source.format, Format::MediapipeCsv);
        assert_eq!(back.n_samples, 90);
        assert!((back.sampling_rate_hz - 30.0).abs() < 1e-9);
        let sk = back
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.space, Space::World);
        assert_eq!(sk.dims, 3);
        // World z-up positions relative to the pelvis.
        for name in ["left_heel", "right_foot_index", "nose", "left_knee"] {
            let k = POINT_NAMES.iter().position(|n| *n == name).unwrap_or(0);
            for (i, p) in track(&back, name).iter().enumerate() {
                let pose = motion.pose(i as f64 / 30.0);
                let want = body_points_m(&pose)[k] - pose.pelvis();
                assert!((p - want).norm() < 2e-5, "{name} frame {i}: {p} vs {want}");
            }
        }
        let worst = worst_deg(&motion, 90, 30.0, |i, side| {
            pitch_3d(
                &track(&back, &side_name(side, "heel", ""))[i],
                &track(&back, &side_name(side, "foot_index", ""))[i],
            )
        });
        eprintln!("MediaPipe world: worst foot-pitch error {worst:.4}°");
        assert!(worst < 0.5, "{worst}°");
    }

    #[test]
    fn openpose_folder_reads_back_with_the_model_foot_angles() {
        let motion = Rocking::new(2.0);
        let cam = Camera::beside(&motion);
        let rec = simulate_keypoints(&motion, &cam, 25.0, &KeypointNoise::none(), 1);
        let dir = ok(tempfile::tempdir());
        let folder = dir.path().join("openpose");
        assert_eq!(ok(rec.write_openpose_folder(&folder, "walk")), 50);
        assert!(folder.join("walk_000000000049_keypoints.json").is_file());
        let back = ok(read(&[&folder], &opts(Some(25.0))));
        assert_eq!(back.source.format, Format::OpenposeJson);
        assert_eq!(back.n_samples, 50);
        assert!((back.sampling_rate_hz - 25.0).abs() < 1e-9);
        let sk = back
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Body25);
        assert_eq!(sk.space, Space::Image { normalised: false });
        let names: Vec<&str> = sk.points.iter().map(|p| p.name.as_str()).collect();
        let want: Vec<&str> = BODY_25.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, want);
        // Points in pixels; the small toe behind the big toe, on the outside.
        for (i, (p, s)) in track(&back, "RHeel")
            .iter()
            .zip(track(&back, "RSmallToe"))
            .enumerate()
        {
            let t = i as f64 / 25.0;
            let (x, y, _) = ok(cam
                .project(&motion.pose(t).legs[1].heel, t)
                .ok_or("behind the camera"));
            assert!((p.x - x).abs() < 0.002 && (p.y - y).abs() < 0.002);
            let big = track(&back, "RBigToe")[i];
            assert!(s.x < big.x && (s - big).norm() < 20.0, "{s} vs {big}");
        }
        let worst = worst_deg(&motion, 50, 25.0, |i, side| {
            let hp = track(&back, &side_name(side, "", "Heel"))[i];
            let tp = track(&back, &side_name(side, "", "BigToe"))[i];
            pitch_2d((hp.x, hp.y), (tp.x, tp.y))
        });
        eprintln!("OpenPose: worst foot-pitch error {worst:.4}°");
        assert!(worst < 1.0, "{worst}°");
    }

    #[test]
    fn trc_reads_back_in_metres_z_up_with_the_model_foot_angles() {
        let motion = Rocking::new(2.0);
        let rec = simulate_markers(&motion, 100.0, &KeypointNoise::none(), 1);
        let trc = rec.to_trc("walk.trc");
        let back = ok(read_bytes("walk.trc", trc.as_bytes(), &opts(None)));
        assert_eq!(back.source.format, Format::Trc);
        assert_eq!(back.n_samples, 200);
        assert!((back.sampling_rate_hz - 100.0).abs() < 1e-9);
        let sk = back
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Markers);
        assert!(
            sk.up_axis.as_deref().unwrap_or("").starts_with("+Y"),
            "{:?}",
            sk.up_axis
        );
        let names: Vec<&str> = sk.points.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, MARKER_NAMES);
        for (k, name) in MARKER_NAMES.iter().enumerate() {
            for (i, p) in track(&back, name).iter().enumerate() {
                let want = marker_positions_m(&motion.pose(i as f64 / 100.0))[k];
                assert!((p - want).norm() < 2e-6, "{name} frame {i}: {p} vs {want}");
            }
        }
        // The toe marker sits on the forefoot 2 cm above the sole, the heel marker too.
        let pose = motion.pose(0.0);
        let m = marker_positions_m(&pose);
        assert!((m[10].z - pose.legs[0].heel.z - 0.02 * pose.legs[0].foot[(2, 2)]).abs() < 0.03);
        let worst = worst_deg(&motion, 200, 100.0, |i, side| {
            let (hee, toe) = match side {
                Side::Left => ("LHEE", "LTOE"),
                Side::Right => ("RHEE", "RTOE"),
            };
            pitch_3d(&track(&back, hee)[i], &track(&back, toe)[i])
        });
        eprintln!("TRC: worst foot-pitch error {worst:.5}°");
        assert!(worst < 0.5, "{worst}°");
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let motion = Rocking::new(2.0);
        let cam = Camera::beside(&motion);
        let noise = KeypointNoise::default();
        let a = simulate_keypoints(&motion, &cam, 30.0, &noise, 5);
        let b = simulate_keypoints(&motion, &cam, 30.0, &noise, 5);
        let c = simulate_keypoints(&motion, &cam, 30.0, &noise, 6);
        assert_eq!(a.to_mediapipe_image_csv(), b.to_mediapipe_image_csv());
        assert_eq!(a.to_mediapipe_world_csv(), b.to_mediapipe_world_csv());
        assert_eq!(a.openpose_frame_json(7), b.openpose_frame_json(7));
        assert_ne!(a.to_mediapipe_image_csv(), c.to_mediapipe_image_csv());
        let m = simulate_markers(&motion, 100.0, &noise, 5).to_trc("a.trc");
        assert_eq!(
            m,
            simulate_markers(&motion, 100.0, &noise, 5).to_trc("a.trc")
        );
        assert_ne!(
            m,
            simulate_markers(&motion, 100.0, &noise, 6).to_trc("a.trc")
        );
        // Noise of the size asked for: pixel errors with an SD near 2 px.
        let exact = simulate_keypoints(&motion, &cam, 30.0, &KeypointNoise::none(), 5);
        let errs: Vec<f64> = a
            .frames
            .iter()
            .zip(&exact.frames)
            .zip(&a.swapped)
            .filter(|(_, s)| !**s)
            .flat_map(|((f, e), _)| (0..23).map(move |k| f[k].x_px - e[k].x_px))
            .collect();
        let sd = (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt();
        assert!((sd - 2.0).abs() < 0.2, "pixel noise SD {sd}");
    }

    #[test]
    fn the_far_foot_is_occluded_behind_the_near_leg() {
        // Feet side by side: from the right, the left foot is behind the right one.
        let mut motion = Rocking::new(1.0);
        motion.stagger_m = 0.0;
        let cam = Camera::beside(&motion);
        let noise = KeypointNoise {
            swaps_per_min: 0.0,
            ..KeypointNoise::default()
        };
        let rec = simulate_keypoints(&motion, &cam, 30.0, &noise, 2);
        for frame in &rec.frames {
            // Left heel (29) and ankle (27) hidden: below the threshold; right ones seen.
            assert!(frame[29].visibility < noise.missing_below);
            assert!(frame[27].visibility < noise.missing_below);
            assert!((frame[30].visibility - noise.visibility).abs() < 1e-12);
            assert!((frame[28].visibility - noise.visibility).abs() < 1e-12);
            // The far hip keeps its visibility.
            assert!((frame[23].visibility - noise.visibility).abs() < 1e-12);
            for kp in frame {
                assert!((0.0..=1.0).contains(&kp.visibility));
            }
        }
        // OpenPose writes a missing point as 0,0,0 and the reader reads it as missing;
        // MediaPipe keeps the coordinates with the low visibility.
        let dir = ok(tempfile::tempdir());
        ok(rec.write_openpose_folder(dir.path(), "occluded"));
        let back = ok(read(&[dir.path()], &opts(Some(30.0))));
        assert!(track(&back, "LHeel").iter().all(|p| p.x.is_nan()));
        assert!(track(&back, "RHeel").iter().all(|p| p.x.is_finite()));
        let mp = ok(read_bytes(
            "occ.csv",
            rec.to_mediapipe_image_csv().as_bytes(),
            &opts(None),
        ));
        let sk = mp
            .skeleton
            .as_ref()
            .unwrap_or_else(|| panic!("no skeleton"));
        let heel = sk.point("left_heel").unwrap_or_else(|| panic!("no heel"));
        assert!(heel.position.iter().all(|p| p.x.is_finite()));
        let vis = heel
            .confidence
            .as_ref()
            .unwrap_or_else(|| panic!("no visibility"));
        assert!(vis.iter().all(|&v| f64::from(v) < noise.missing_below));
        // Feet 40 cm apart: the far heel is in plain view.
        motion.stagger_m = 0.4;
        let rec = simulate_keypoints(&motion, &cam, 30.0, &noise, 2);
        assert!(rec.frames.iter().all(|f| f[29].visibility > 0.9));
    }

    #[test]
    fn legs_are_swapped_now_and_then() {
        let motion = Rocking::new(20.0);
        let cam = Camera::beside(&motion);
        let noise = KeypointNoise {
            swaps_per_min: 12.0,
            max_swap_frames: 3,
            ..KeypointNoise::none()
        };
        let rec = simulate_keypoints(&motion, &cam, 30.0, &noise, 9);
        let swapped = rec.swapped.iter().filter(|s| **s).count();
        // About 4 swaps of 1–3 frames.
        assert!((1..=16).contains(&swapped), "{swapped} swapped frames");
        let exact = simulate_keypoints(&motion, &cam, 30.0, &KeypointNoise::none(), 9);
        for ((f, e), &s) in rec.frames.iter().zip(&exact.frames).zip(&rec.swapped) {
            for (l, r) in LEG_PAIRS {
                let (want_l, want_r) = if s { (e[r], e[l]) } else { (e[l], e[r]) };
                assert_eq!((f[l], f[r]), (want_l, want_r));
            }
            assert_eq!(f[0], e[0]);
        }
    }

    #[test]
    fn the_walking_model_keeps_its_foot_angles_in_every_format() {
        use crate::synth::gait::{Walk, WalkParams};
        let walk = Walk::new(
            WalkParams {
                duration_s: 4.0,
                severity: [0.8, 0.0],
                ..Default::default()
            },
            11,
        );
        let cam = Camera::beside(&walk);
        let rec = simulate_keypoints(&walk, &cam, 30.0, &KeypointNoise::none(), 1);
        let n = rec.len();
        let world = ok(read_bytes(
            "w.csv",
            rec.to_mediapipe_world_csv().as_bytes(),
            &opts(None),
        ));
        let worst_world = worst_deg(&walk, n, 30.0, |i, side| {
            pitch_3d(
                &track(&world, &side_name(side, "heel", ""))[i],
                &track(&world, &side_name(side, "foot_index", ""))[i],
            )
        });
        let dir = ok(tempfile::tempdir());
        ok(rec.write_openpose_folder(dir.path(), "walk"));
        let image = ok(read(&[dir.path()], &opts(Some(30.0))));
        let worst_image = worst_deg(&walk, n, 30.0, |i, side| {
            let hp = track(&image, &side_name(side, "", "Heel"))[i];
            let tp = track(&image, &side_name(side, "", "BigToe"))[i];
            pitch_2d((hp.x, hp.y), (tp.x, tp.y))
        });
        let markers = simulate_markers(&walk, 100.0, &KeypointNoise::none(), 1);
        let trc = ok(read_bytes(
            "w.trc",
            markers.to_trc("w.trc").as_bytes(),
            &opts(None),
        ));
        let worst_trc = worst_deg(&walk, markers.time_s.len(), 100.0, |i, side| {
            let (hee, toe) = match side {
                Side::Left => ("LHEE", "LTOE"),
                Side::Right => ("RHEE", "RTOE"),
            };
            pitch_3d(&track(&trc, hee)[i], &track(&trc, toe)[i])
        });
        eprintln!(
            "walk: worst foot-pitch error world {worst_world:.4}°, image {worst_image:.4}°, \
             TRC {worst_trc:.5}° (camera {:?} m, {:?} m/s)",
            cam.position_m, cam.velocity_mps
        );
        assert!(worst_world < 0.5 && worst_trc < 0.5 && worst_image < 1.0);
    }

    #[test]
    fn default_noise_blurs_the_image_foot_angle_by_a_couple_of_degrees() {
        use crate::synth::gait::{Walk, WalkParams};
        let walk = Walk::new(
            WalkParams {
                duration_s: 10.0,
                ..Default::default()
            },
            4,
        );
        let cam = Camera::beside(&walk);
        let rec = simulate_keypoints(&walk, &cam, 30.0, &KeypointNoise::default(), 4);
        let mut errs = Vec::new();
        let mut missing = 0;
        for (i, frame) in rec.frames.iter().enumerate() {
            let pose = walk.pose(rec.time_s[i]);
            // The near (right) foot: heel 30, toe 32.
            let (h, t) = (frame[30], frame[32]);
            if h.visibility < rec.missing_below || t.visibility < rec.missing_below {
                missing += 1;
                continue;
            }
            let err = pitch_2d((h.x_px, h.y_px), (t.x_px, t.y_px)) - pose.legs[1].foot_pitch_rad();
            errs.push(err.to_degrees().abs());
        }
        errs.sort_by(f64::total_cmp);
        let median = errs[errs.len() / 2];
        let far_missing = rec
            .frames
            .iter()
            .filter(|f| f[29].visibility < rec.missing_below)
            .count();
        eprintln!(
            "default noise: near-foot pitch error median {median:.2}°, 95th percentile {:.2}°; \
             far heel missing in {far_missing} of {} frames; near foot missing in {missing}; \
             {} swapped frames",
            errs[errs.len() * 95 / 100],
            rec.len(),
            rec.swapped.iter().filter(|s| **s).count()
        );
        assert!(median > 0.2 && median < 3.0, "{median}");
    }
}
