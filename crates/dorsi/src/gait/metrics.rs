//! Per-stride metrics for foot drop: foot-strike angle, foot pitch in swing, minimum toe
//! clearance, heel-to-forefoot time, from foot IMUs or from heel / toe points.
//!
//! Both modalities first become a [`FootTrack`]: foot pitch and toe height, sample by sample,
//! relative to the foot's own stance. The foot is taken to be flat at mid-stance (the
//! stillest moment between initial and final contact), which fixes pitch 0 and the floor;
//! between two mid-stances:
//!
//! * **foot IMU**: the gyroscope is integrated into an orientation from one mid-stance (where
//!   gravity gives the vertical), the specific force is turned into the mid-stance frame,
//!   gravity removed and integrated twice; velocity is returned to zero at the next
//!   mid-stance by removing a linear drift (zero-velocity update), and pitch and height to
//!   zero the same way (level floor). The foot's long axis is perpendicular to the vertical
//!   and to the medio-lateral axis (the dominant rotation axis); the toe is a virtual point
//!   [`MetricParams::toe_below_m`] below the sensor and as far ahead of it as puts the toe on
//!   the floor at the toe-offs (the last point to leave it). A sensor path that cannot do
//!   that consistently leaves the toe clearance unmeasured.
//! * **heel and toe points**: pitch is the angle of the heel-to-toe line above the horizontal
//!   and the toe height that of the toe point, both minus their values at the surrounding
//!   mid-stances (interpolated between them; held from the nearest one up to 1.5 s before the
//!   first and after the last), so a toe marker on top of the shoe or a heel keypoint at the
//!   back of the heel does not matter. Normalised image coordinates are
//!   divided by the image width and height, which distorts angles; the image's aspect ratio
//!   is recovered from the data ([`image_aspect`]). Toe clearance is measured from markers
//!   only: video keypoints have no metric scale (images) or move with the hips (MediaPipe
//!   world landmarks), so it is left unmeasured (`None`) rather than guessed.
//!
//! Per stride (initial contact to the next one of the same foot) [`stride_metrics`] then
//! reads the track.

use nalgebra::Vector3;
use serde::Serialize;

use super::Stride;
use crate::detect::{DetectedEvent, EventKind};
use crate::motion::{dominant_axis, moving_average};
use crate::{Point, Recording, Skeleton, Space};

/// Settings of the per-stride metrics. `Default` suits adults walking with a sensor on the
/// instep or the side of the shoe.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricParams {
    /// Virtual toe point: this far below a foot IMU (the sole under the toe tip), m.
    pub toe_below_m: f64,
    /// The foot-strike angle is the largest foot pitch within this long before initial
    /// contact (the foot's pitch peaks at or just before the heel lands), s.
    pub strike_window_s: f64,
    /// The foot counts as flat after initial contact once its pitch is below this, degrees
    /// (the end of the heel-to-forefoot phase).
    pub flat_pitch_deg: f64,
    /// Two mid-stances further apart than this are not one stride (a stop, a turn), s.
    pub max_interval_s: f64,
    /// A clearance minimum must lie this far below the toe's later swing height, m.
    pub min_clearance_prominence_m: f64,
    /// A foot IMU turning slower than this is lying flat, rad/s.
    pub flat_rate_rads: f64,
    /// A foot IMU must lie flat this long in a typical stance to be a foot sensor, s.
    pub min_flat_s: f64,
}

impl Default for MetricParams {
    fn default() -> Self {
        MetricParams {
            toe_below_m: 0.05,
            strike_window_s: 0.05,
            flat_pitch_deg: 3.0,
            max_interval_s: 2.5,
            min_clearance_prominence_m: 0.002,
            flat_rate_rads: 0.5,
            min_flat_s: 0.05,
        }
    }
}

/// Foot pitch, toe height and ankle angle of one foot, sample by sample (`NaN` where
/// unknown: outside strides, or a quantity the modality cannot give).
#[derive(Debug, Clone, PartialEq)]
pub struct FootTrack {
    /// `left` or `right` (`None` when the source has no side).
    pub side: Option<String>,
    /// Where it came from: the IMU's name, or `keypoints`.
    pub source: String,
    /// Foot pitch, degrees, toes up positive, 0 with the foot flat at mid-stance.
    pub pitch_deg: Vec<f64>,
    /// Toe height above the foot's stance floor, m.
    pub toe_height_m: Vec<f64>,
    /// Ankle angle (dorsiflexion positive, 0 with foot and shank at right angles), degrees.
    pub ankle_deg: Vec<f64>,
    /// Sideways distance of the foot from the straight line between its two stance
    /// positions, outwards positive (circumduction swings it out), m.
    pub lateral_m: Vec<f64>,
    /// Pelvic obliquity: this side's hip above the other one, degrees (hip hiking raises it
    /// in this side's swing).
    pub pelvic_obliquity_deg: Vec<f64>,
}

impl FootTrack {
    /// A track of `n` samples, every quantity unknown (`NaN`).
    pub fn unknown(side: Option<String>, source: &str, n: usize) -> Self {
        FootTrack {
            side,
            source: source.to_string(),
            pitch_deg: vec![f64::NAN; n],
            toe_height_m: vec![f64::NAN; n],
            ankle_deg: vec![f64::NAN; n],
            lateral_m: vec![f64::NAN; n],
            pelvic_obliquity_deg: vec![f64::NAN; n],
        }
    }

    /// +1 for the left foot (left is outwards), −1 for the right, `NaN` without a side.
    fn outward_sign(&self) -> f64 {
        match self.side.as_deref() {
            Some("left") => 1.0,
            Some("right") => -1.0,
            _ => f64::NAN,
        }
    }
}

/// The metrics of one stride (`None` where the modality or the data cannot give them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideMetrics {
    /// `left` or `right` (empty when unknown).
    pub side: String,
    /// Initial contact starting the stride, s.
    pub start_s: f64,
    /// The next initial contact of the same foot, s.
    pub end_s: f64,
    /// Stride time, s.
    pub stride_time_s: f64,
    /// Initial to final contact, s.
    pub stance_s: Option<f64>,
    /// Final contact to the next initial contact, s.
    pub swing_s: Option<f64>,
    /// Cadence of this stride (two steps per stride), steps per minute.
    pub cadence_steps_per_min: f64,
    /// Foot pitch when the foot lands: positive heel first, 0 or below flat or toe first,
    /// degrees.
    pub foot_strike_angle_deg: Option<f64>,
    /// Foot pitch half-way through the swing, degrees.
    pub mid_swing_pitch_deg: Option<f64>,
    /// Foot pitch at 85 % of the swing, degrees.
    pub late_swing_pitch_deg: Option<f64>,
    /// Largest ankle dorsiflexion during the swing, degrees.
    pub peak_swing_dorsiflexion_deg: Option<f64>,
    /// Lowest toe height in mid-swing, above the stance floor, m.
    pub min_toe_clearance_m: Option<f64>,
    /// Whether the swing has a toe-clearance minimum at all (a dragging foot's toe sinks
    /// until it lands).
    pub clearance_minimum: Option<bool>,
    /// Highest toe height during the swing (steppage raises it), m.
    pub max_swing_toe_height_m: Option<f64>,
    /// Initial contact to the forefoot reaching the floor (foot flat), s; `None` for a flat
    /// or toe-first contact.
    pub heel_to_toe_s: Option<f64>,
    /// Largest outward swing of the foot from its straight path during the swing
    /// (circumduction widens it), m.
    pub lateral_swing_excursion_m: Option<f64>,
    /// Rise of this side's hip over the other during the swing, above its level in the
    /// stance (hip hiking), degrees.
    pub pelvic_obliquity_swing_deg: Option<f64>,
}

/// Foot tracks from every foot IMU of the recording with events of its side. Sensors named
/// for the shank, tibia, shin, thigh, leg or knee, and sensors that never lie still in
/// stance ([`MetricParams::min_flat_s`]), are not on the foot and are skipped.
pub fn imu_tracks(
    rec: &Recording,
    events: &[DetectedEvent],
    params: &MetricParams,
) -> Vec<FootTrack> {
    imu_tracks_with_axes(rec, events, params, None)
}

/// [`imu_tracks`] with the dominant rotation axis of each IMU of the recording already known
/// (`axes[k]` for `rec.imus[k]`, as the event detector found them); `None` computes them.
pub(crate) fn imu_tracks_with_axes(
    rec: &Recording,
    events: &[DetectedEvent],
    params: &MetricParams,
    axes: Option<&[Option<Vector3<f64>>]>,
) -> Vec<FootTrack> {
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    for (k, imu) in rec.imus.iter().enumerate() {
        let (Some(acc), Some(gyro)) = (&imu.acc_mps2, &imu.gyro_rads) else {
            continue;
        };
        // Foot metrics need a foot sensor: a shank or thigh IMU gives events, not foot pitch.
        let name = imu.name.to_ascii_lowercase();
        if ["shank", "tibia", "shin", "thigh", "leg", "knee"]
            .iter()
            .any(|w| name.contains(w))
        {
            continue;
        }
        let side = super::side_of(&imu.name);
        let mine: Vec<&DetectedEvent> = events.iter().filter(|e| e.side == side).collect();
        if mine.is_empty() {
            continue;
        }
        let hz = rec.sampling_rate_hz;
        let axis = match axes {
            Some(axes) => axes.get(k).copied().flatten(),
            None => dominant_axis(gyro),
        };
        let Some(axis) = axis else {
            continue;
        };
        // The toes rise through every swing, from toe-off to the next contact, even for a
        // dropped foot: the axis is turned to make the swings positive.
        let axis = if swing_rotation(rec, &mine, gyro, axis) < 0.0 {
            -axis
        } else {
            axis
        };
        // Stillness: the gyroscope's norm averaged over 40 ms (each norm computed once).
        let norms: Vec<f64> = gyro.iter().map(|g| g.norm()).collect();
        let half = ((0.02 * hz).round() as usize).max(1);
        let still = |i: usize| {
            let w = &norms[i.saturating_sub(half)..(i + half + 1).min(norms.len())];
            w.iter().sum::<f64>() / w.len() as f64
        };
        let anchors = mid_stances(rec, &mine, still);
        // A foot lies flat for a while in every stance; a sensor that never stops turning
        // is not on the foot (an ankle or shank mounting), and its angles are not foot pitch.
        let flat_s: Vec<f64> = anchors
            .iter()
            .map(|&i| {
                let calm = |j: &usize| still(*j) < params.flat_rate_rads;
                let before = (0..=i).rev().take_while(calm).count();
                let after = (i + 1..rec.n_samples).take_while(calm).count();
                (before + after) as f64 / hz
            })
            .collect();
        if crate::signal::median(flat_s.iter().copied()).partial_cmp(&params.min_flat_s)
            != Some(std::cmp::Ordering::Greater)
        {
            continue;
        }
        let n = rec.n_samples;
        let mut track = FootTrack::unknown(side.clone(), &imu.name, n);
        let mut sensor = SensorPath::new(n);
        let mut last_end = None;
        for (a, b) in intervals(rec, &anchors, params) {
            let path = Path {
                acc,
                gyro,
                axis,
                hz,
            };
            if path.integrate(
                a,
                b,
                last_end == Some(a),
                &mut track,
                &mut sensor,
                &mut scratch,
            ) {
                last_end = Some(b);
            }
        }
        let toe_offs: Vec<usize> = mine
            .iter()
            .filter(|e| e.kind == EventKind::FinalContact)
            .map(|e| rec.sample_at(e.time_s))
            .collect();
        // The toe height is kept only when the sensor's path is consistent with a toe on the
        // floor at every toe-off (a plausible distance, and the toe-off heights it gives
        // within 1.5 cm of each other); otherwise clearance is left unmeasured.
        let below = params.toe_below_m;
        let mut kept = false;
        if let Some(forward) = sensor.toe_forward_m(&track.toe_height_m, &toe_offs, below) {
            let at_off: Vec<f64> = toe_offs
                .iter()
                .map(|&i| sensor.point_height(track.toe_height_m[i], i, forward, below))
                .collect();
            let mid = crate::signal::median(at_off.iter().copied());
            let spread = 1.4826 * crate::signal::median(at_off.iter().map(|h| (h - mid).abs()));
            if spread < 0.015 {
                for (i, h) in track.toe_height_m.iter_mut().enumerate() {
                    *h = sensor.point_height(*h, i, forward, below);
                }
                kept = true;
            }
        }
        if !kept {
            track.toe_height_m.fill(f64::NAN);
        }
        out.push(track);
    }
    out
}
/// The rotation about `axis` summed over the swings (final contact to the next initial
/// contact), rad.
fn swing_rotation(
    rec: &Recording,
    events: &[&DetectedEvent],
    gyro: &[Vector3<f64>],
    axis: Vector3<f64>,
) -> f64 {
    let mut sorted: Vec<&&DetectedEvent> = events.iter().collect();
    sorted.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    sorted
        .windows(2)
        .filter(|w| w[0].kind == EventKind::FinalContact && w[1].kind == EventKind::InitialContact)
        .map(|w| {
            let (a, b) = (rec.sample_at(w[0].time_s), rec.sample_at(w[1].time_s));
            // Four running sums (the sign is what matters): they overlap.
            let span = &gyro[a..b.max(a)];
            let rate = |g: &Vector3<f64>| {
                let d = g.dot(&axis);
                if d.is_finite() {
                    d
                } else {
                    0.0
                }
            };
            let mut lanes = [0.0; 4];
            let mut chunks = span.chunks_exact(4);
            for c in &mut chunks {
                for (l, g) in lanes.iter_mut().zip(c) {
                    *l += rate(g);
                }
            }
            lanes.iter().sum::<f64>() + chunks.remainder().iter().map(rate).sum::<f64>()
        })
        .sum()
}

/// Consecutive mid-stances that make one stride: close enough and with no unfilled gap
/// between them.
fn intervals(rec: &Recording, anchors: &[usize], params: &MetricParams) -> Vec<(usize, usize)> {
    let segments = rec.segments();
    let max = (params.max_interval_s * rec.sampling_rate_hz) as usize;
    anchors
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|&(a, b)| {
            b > a + 1 && b - a <= max && segments.iter().any(|s| s.contains(&a) && s.contains(&b))
        })
        .collect()
}

/// The stillest sample of each stance (from 15 % to 55 % of the way from initial to final
/// contact, where the foot is flat), by the `stillness` signal (lower is stiller).
fn mid_stances(
    rec: &Recording,
    events: &[&DetectedEvent],
    stillness: impl Fn(usize) -> f64,
) -> Vec<usize> {
    let mut ic: Vec<f64> = events
        .iter()
        .filter(|e| e.kind == EventKind::InitialContact)
        .map(|e| e.time_s)
        .collect();
    let mut fc: Vec<f64> = events
        .iter()
        .filter(|e| e.kind == EventKind::FinalContact)
        .map(|e| e.time_s)
        .collect();
    ic.sort_by(f64::total_cmp);
    fc.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    for &t in &ic {
        let Some(&off) = fc
            .get(fc.partition_point(|&f| f <= t))
            .filter(|&&f| f < t + 1.5)
        else {
            continue;
        };
        let a = rec.sample_at(t + 0.15 * (off - t));
        let b = rec.sample_at(t + 0.55 * (off - t)).max(a);
        let best = (a..=b.min(rec.n_samples.saturating_sub(1)))
            .map(|i| (i, stillness(i)))
            .filter(|(_, v)| v.is_finite())
            .min_by(|p, q| p.1.total_cmp(&q.1))
            .map(|(i, _)| i);
        if let Some(i) = best {
            out.push(i);
        }
    }
    out.dedup();
    out
}

/// What the strapdown integration gives of a sensor besides its height (which is kept in
/// the track's toe height until the toe point is known), sample by sample: in its own
/// mid-stance frame the sine of its pitch and the cosine of its tilt, which place any point
/// fixed to the foot. Zero outside strides (where the height is `NaN`), `NaN` at the first
/// mid-stance of a run of strides.
struct SensorPath {
    sin_pitch: Vec<f64>,
    cos_tilt: Vec<f64>,
}

impl SensorPath {
    fn new(n: usize) -> Self {
        SensorPath {
            sin_pitch: vec![0.0; n],
            cos_tilt: vec![0.0; n],
        }
    }

    /// Height of a point `forward_m` ahead of the sensor along the foot and `below_m` under
    /// it at sample `i`, where the sensor is `height_m` high: the sensor's height plus what
    /// the foot's rotation lifts the point by.
    fn point_height(&self, height_m: f64, i: usize, forward_m: f64, below_m: f64) -> f64 {
        height_m + forward_m * self.sin_pitch[i] + below_m * (1.0 - self.cos_tilt[i])
    }

    /// The toe's distance ahead of the sensor from the toe-offs (`height_m`: the sensor's
    /// height, sample by sample): the toe is the last point on the floor, so its height there
    /// is zero. The median over the toe-offs, `None` when there are none or the value is not
    /// a plausible foot (0–35 cm: from a sensor on the toes to one on the heel of a large
    /// shoe).
    fn toe_forward_m(&self, height_m: &[f64], toe_offs: &[usize], below_m: f64) -> Option<f64> {
        let d = crate::signal::median(toe_offs.iter().filter_map(|&i| {
            let s = *self.sin_pitch.get(i)?;
            // The heel is up at toe-off: the foot pitches down by 20° or more.
            (s < -0.35).then(|| -(height_m[i] + below_m * (1.0 - self.cos_tilt[i])) / s)
        }));
        (0.0..=0.35).contains(&d).then_some(d)
    }
}

/// Buffers of [`Path::integrate`], reused from stride to stride.
#[derive(Default)]
struct Scratch {
    /// The rotation over each sample, then the orientation, a unit quaternion (w, x, y, z).
    q: [Vec<f64>; 4],
    /// The specific force in the mid-stance frame, less gravity, m/s².
    lin: [Vec<f64>; 3],
    /// The sine of the pitch (clamped to −1…1), then the pitch, rad.
    pitch: Vec<f64>,
    /// The position before the zero-velocity update, m.
    pos: [Vec<f64>; 3],
}

/// One foot IMU's signals and its medio-lateral axis, to integrate.
struct Path<'a> {
    acc: &'a [Vector3<f64>],
    gyro: &'a [Vector3<f64>],
    axis: Vector3<f64>,
    hz: f64,
}

impl Path<'_> {
    /// Strapdown integration from mid-stance `a` to mid-stance `b` (`chained`: a stride
    /// ending at `a` was integrated just before). Writes pitch, lateral distance and the
    /// sensor's height (into the toe height); false when the stride cannot be integrated.
    fn integrate(
        &self,
        a: usize,
        b: usize,
        chained: bool,
        track: &mut FootTrack,
        sensor: &mut SensorPath,
        scratch: &mut Scratch,
    ) -> bool {
        let (acc, gyro, axis) = (self.acc, self.gyro, self.axis);
        let dt = 1.0 / self.hz;
        // The vertical and gravity's size from the specific force around mid-stance.
        let w = ((0.02 * self.hz).round() as usize).max(1);
        let around = &acc[a.saturating_sub(w)..(a + w + 1).min(acc.len())];
        let mean: Vector3<f64> = around.iter().sum::<Vector3<f64>>() / around.len() as f64;
        let g = mean.norm();
        // A mid-stance must be still: gravity alone on the accelerometer, little rotation.
        let settled = |i: usize| {
            let f = acc[i].norm();
            (f - g).abs() < 1.5 && gyro[i].norm() < 1.0
        };
        let usable = (g - crate::STANDARD_GRAVITY_MPS2).abs() < 1.5 && settled(a) && settled(b);
        if !usable {
            return false;
        }
        let up = mean / g;
        // Gyroscope bias: the foot is still around both mid-stances, so what the gyroscope
        // reads there is its offset.
        let still = |i: usize| {
            let s = &gyro[i.saturating_sub(w)..(i + w + 1).min(gyro.len())];
            s.iter().sum::<Vector3<f64>>() / s.len() as f64
        };
        let bias = (still(a) + still(b)) * 0.5;
        let lateral = axis - up * axis.dot(&up);
        if lateral.norm() < 0.3 {
            // The dominant rotation is about the vertical: not a foot in walking.
            return false;
        }
        let forward = up.cross(&(lateral / lateral.norm()));
        let len = b - a + 1;
        // Orientation as a quaternion, advanced by the mean rate over each sample (a
        // third-order series of the exponential map: no trigonometry per sample). Each step
        // is normalised on its own, so the product of the steps (the only dependency from
        // sample to sample) stays a unit quaternion up to rounding, which a Newton step
        // outside the chain removes. Steps, chain, what the orientation gives (pitch, tilt,
        // the specific force in the mid-stance frame), the velocity and position by the
        // trapezoid rule, and the pitch angles run as separate passes over buffers, one
        // per component: each is short enough for the processor to overlap samples. The
        // zero-velocity update comes last, in closed form (removing a linear velocity drift
        // v·t/T removes v·t²/2T from the position).
        let Scratch { q, lin, pitch, pos } = scratch;
        let m = len - 1;
        // Every value of 1..=m is written before it is read.
        let all = q.iter_mut().chain(lin.iter_mut()).chain(pos.iter_mut());
        for c in all.chain(std::iter::once(&mut *pitch)) {
            if c.len() <= m {
                c.resize(m + 1, 0.0);
            }
        }
        pitch[0] = 0.0;
        (pos[0][0], pos[1][0], pos[2][0]) = (0.0, 0.0, 0.0);
        let [qw, qx, qy, qz] = q;
        let (ux, uy, uz) = (up.x, up.y, up.z);
        let (fx, fy, fz) = (forward.x, forward.y, forward.z);
        // The steps (sample k + 1 in slot k + 1), each on its own: square roots and divisions
        // overlap from sample to sample.
        let (b2, quarter) = (bias * 2.0, 0.25 * dt);
        // A stride needs every gyroscope value finite: `0·x` is 0 for a finite x, `NaN`
        // otherwise (summed in the same pass).
        let poison = |v: &Vector3<f64>| v.x * 0.0 + v.y * 0.0 + v.z * 0.0;
        let mut nonfinite = poison(&gyro[a]);
        for ((((g0, g1), w), x), (y, z)) in gyro[a..b]
            .iter()
            .zip(&gyro[a + 1..=b])
            .zip(&mut qw[1..])
            .zip(&mut qx[1..])
            .zip(qy[1..].iter_mut().zip(&mut qz[1..]))
        {
            nonfinite += poison(g1);
            let hx = (g0.x + g1.x - b2.x) * quarter;
            let hy = (g0.y + g1.y - b2.y) * quarter;
            let hz = (g0.z + g1.z - b2.z) * quarter;
            let h2 = hx * hx + hy * hy + hz * hz;
            let c = 1.0 - h2 / 6.0;
            let (vx, vy, vz) = (hx * c, hy * c, hz * c);
            let sw = 1.0 - h2 / 2.0;
            let inv = 1.0 / (sw * sw + vx * vx + vy * vy + vz * vz).sqrt();
            (*w, *x, *y, *z) = (sw * inv, vx * inv, vy * inv, vz * inv);
        }
        if nonfinite != 0.0 {
            return false;
        }
        if !chained {
            sensor.sin_pitch[a] = f64::NAN;
            sensor.cos_tilt[a] = f64::NAN;
        }
        // The chain q ← q · step (Hamilton product), each product then made a unit
        // quaternion by one Newton step on its norm (outside the chain).
        let (mut cw, mut cx, mut cy, mut cz) = (1.0, 0.0, 0.0, 0.0);
        for (((w, x), y), z) in qw[1..]
            .iter_mut()
            .zip(&mut qx[1..])
            .zip(&mut qy[1..])
            .zip(&mut qz[1..])
        {
            let (sw, sx, sy, sz) = (*w, *x, *y, *z);
            let nw = cw * sw - cx * sx - cy * sy - cz * sz;
            let nx = cw * sx + cx * sw + cy * sz - cz * sy;
            let ny = cw * sy - cx * sz + cy * sw + cz * sx;
            let nz = cw * sz + cx * sy - cy * sx + cz * sw;
            (cw, cx, cy, cz) = (nw, nx, ny, nz);
            let newton = 1.5 - 0.5 * (cw * cw + cx * cx + cy * cy + cz * cz);
            (*w, *x, *y, *z) = (cw * newton, cx * newton, cy * newton, cz * newton);
        }
        // What the orientation gives, sample by sample: the sine of the pitch and the
        // cosine of the tilt, and the specific force turned into the mid-stance frame,
        // less gravity.
        let [lx, ly, lz] = lin;
        let f0 = acc[a] - up * g;
        (lx[0], ly[0], lz[0]) = (f0.x, f0.y, f0.z);
        for ((((((w, x), y), z), f), (sp, ct)), ((p, ox), (oy, oz))) in qw[1..]
            .iter()
            .zip(&qx[1..])
            .zip(&qy[1..])
            .zip(&qz[1..])
            .zip(&acc[a + 1..=b])
            .zip(
                sensor.sin_pitch[a + 1..=b]
                    .iter_mut()
                    .zip(&mut sensor.cos_tilt[a + 1..=b]),
            )
            .zip(
                pitch[1..]
                    .iter_mut()
                    .zip(&mut lx[1..])
                    .zip(ly[1..].iter_mut().zip(&mut lz[1..])),
            )
        {
            let (w, x, y, z) = (*w, *x, *y, *z);
            let (ww, xx, yy, zz) = (w * w, x * x, y * y, z * z);
            let (xy, xz, yz, wx, wy, wz) = (x * y, x * z, y * z, w * x, w * y, w * z);
            let r00 = ww + xx - yy - zz;
            let r11 = ww - xx + yy - zz;
            let r22 = ww - xx - yy + zz;
            let (r01, r10) = (2.0 * (xy - wz), 2.0 * (xy + wz));
            let (r02, r20) = (2.0 * (xz + wy), 2.0 * (xz - wy));
            let (r12, r21) = (2.0 * (yz - wx), 2.0 * (yz + wx));
            // The vertical in the sensor's frame: Rᵀ·up.
            let vx = r00 * ux + r10 * uy + r20 * uz;
            let vy = r01 * ux + r11 * uy + r21 * uz;
            let vz = r02 * ux + r12 * uy + r22 * uz;
            let s = vx * fx + vy * fy + vz * fz;
            *sp = s;
            *ct = vx * ux + vy * uy + vz * uz;
            *p = s.clamp(-1.0, 1.0);
            *ox = r00 * f.x + r01 * f.y + r02 * f.z - ux * g;
            *oy = r10 * f.x + r11 * f.y + r12 * f.z - uy * g;
            *oz = r20 * f.x + r21 * f.y + r22 * f.z - uz * g;
        }
        // The velocity and the position by the trapezoid rule (the position before the
        // zero-velocity update).
        let half_dt = 0.5 * dt;
        let mut v = Vector3::zeros();
        let [px, py, pz] = pos;
        for (c, (l, pc)) in [(&*lx, &mut *px), (&*ly, &mut *py), (&*lz, &mut *pz)]
            .into_iter()
            .enumerate()
        {
            let (mut vel, mut at) = (0.0, 0.0);
            for k in 1..=m {
                let next = vel + (l[k - 1] + l[k]) * half_dt;
                at += (vel + next) * half_dt;
                pc[k] = at;
                vel = next;
            }
            v[c] = vel;
        }
        // The pitch angles, in one pass apart from the chain (it vectorises).
        for p in &mut pitch[1..] {
            *p = asin(*p);
        }
        // The zero-velocity update at b: position k less v_end·dt·k²/(2·span).
        let span = (len - 1) as f64;
        let drift = v * (dt / (2.0 * span));
        let raw = |k: usize| Vector3::new(px[k], py[k], pz[k]);
        let end = raw(m) - drift * (span * span);
        let p_end = pitch[m];
        let h_end = end.dot(&up);
        // Sideways: from the straight line between the two stance positions (a stride's
        // length at least), outwards positive.
        let stride = end - up * h_end;
        let left = (stride.norm() > 0.2).then(|| up.cross(&stride).normalize());
        let outward = track.outward_sign();
        let drift_up = drift.dot(&up);
        let (toe, pitch_deg) = (&mut track.toe_height_m[a..=b], &mut track.pitch_deg[a..=b]);
        for (k, ((t, pd), angle)) in toe.iter_mut().zip(pitch_deg).zip(&pitch[..len]).enumerate() {
            let kf = k as f64;
            let f = kf / span;
            *t = raw(k).dot(&up) - drift_up * (kf * kf) - h_end * f;
            *pd = (angle - p_end * f).to_degrees();
        }
        if let Some(l) = left {
            let drift_left = drift.dot(&l);
            for k in 0..len {
                let kf = k as f64;
                track.lateral_m[a + k] = outward * (raw(k).dot(&l) - drift_left * (kf * kf));
            }
        }
        true
    }
}
/// The arcsine of `x` in −1…1 (`NaN` outside), within 4e-16 of the correctly rounded value:
/// a polynomial in x² for |x| ≤ ½ (Chebyshev-economised from the Taylor series of asin(s)/s
/// in s², degree 12 on 0…¼), and asin(x) = π/2 − 2·asin(√((1 − x)/2)) above. No branches, no
/// library call: a loop of it vectorises, which `f64::asin` does not.
fn asin(x: f64) -> f64 {
    const C: [f64; 13] = [
        1.0,
        0.1666666666666484,
        0.07500000000404858,
        0.044642856791215726,
        0.03038196027149515,
        0.02237173660319574,
        0.017359969965541983,
        0.013883027829435166,
        0.0121816790888421,
        0.006480855348779324,
        0.01964239671205795,
        -0.016384436448802192,
        0.032011340323281685,
    ];
    let a = x.abs();
    let big = a > 0.5;
    let z = if big { 0.5 * (1.0 - a) } else { a * a };
    let s = if big { z.sqrt() } else { a };
    let p = C.iter().rev().fold(0.0, |p, c| p * z + c);
    let r = s * p;
    let y = if big {
        std::f64::consts::FRAC_PI_2 - 2.0 * r
    } else {
        r
    };
    y.copysign(x)
}

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
        let (heel_names, toe_names) = super::keypoints::foot_names(side);
        let h: Vec<&str> = heel_names.iter().map(String::as_str).collect();
        let t: Vec<&str> = toe_names.iter().map(String::as_str).collect();
        let (Some(heel), Some(toe)) = (
            super::keypoints::find(sk, &h),
            super::keypoints::find(sk, &t),
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
        let raw_pitch: Vec<f64> = heel
            .position
            .iter()
            .zip(&toe.position)
            .map(|(h, t)| {
                let (d, up) = sagittal(t - h);
                up.atan2(d).to_degrees()
            })
            .collect();
        let raw_pitch = moving_average(&raw_pitch, smooth);
        let toe_up: Vec<f64> = toe.position.iter().map(|p| sagittal(*p).1).collect();
        let toe_up = moving_average(&toe_up, smooth);
        let ankle = ankle_angle(sk, side, heel, toe, &sagittal);
        // Stillness: the foot's speed (heel and toe), lowest in mid-stance.
        let speed: Vec<f64> = (0..rec.n_samples)
            .map(|i| {
                let j = (i + 1).min(rec.n_samples.saturating_sub(1));
                let k = i.saturating_sub(1);
                (heel.position[j] - heel.position[k]).norm()
                    + (toe.position[j] - toe.position[k]).norm()
            })
            .collect();
        let still = moving_average(&speed, smooth);
        let anchors = mid_stances(rec, &mine, |i| still[i]);
        let n = rec.n_samples;
        let mut track = FootTrack::unknown(Some(side.to_string()), "keypoints", n);
        let half = ((0.05 * hz).round() as usize).max(1);
        let level = |x: &[f64], i: usize| {
            crate::signal::median(
                x[i.saturating_sub(half)..(i + half + 1).min(x.len())]
                    .iter()
                    .copied(),
            )
        };
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
            let (p0, p1) = (level(&raw_pitch, a), level(&raw_pitch, b));
            let (h0, h1) = (level(&toe_up, a), level(&toe_up, b));
            for i in a..=b {
                let f = (i - a) as f64 / (b - a) as f64;
                track.pitch_deg[i] = raw_pitch[i] - (p0 + (p1 - p0) * f);
                if markers {
                    track.toe_height_m[i] = toe_up[i] - (h0 + (h1 - h0) * f);
                }
                track.ankle_deg[i] = ankle[i];
            }
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
            let (p, h) = (level(&raw_pitch, a), level(&toe_up, a));
            for i in span {
                if !track.pitch_deg[i].is_nan() {
                    continue;
                }
                track.pitch_deg[i] = raw_pitch[i] - p;
                if markers {
                    track.toe_height_m[i] = toe_up[i] - h;
                }
                track.ankle_deg[i] = ankle[i];
            }
        }
        out.push(track);
    }
    out
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
        super::keypoints::find(sk, &r)
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

/// The ankle angle from knee, ankle, heel and toe points: 90° minus the angle between the
/// shank (ankle to knee) and the foot (heel to toe) in the sagittal view; `NaN` without knee
/// and ankle points.
fn ankle_angle(
    sk: &Skeleton,
    side: &str,
    heel: &Point,
    toe: &Point,
    sagittal: &dyn Fn(Vector3<f64>) -> (f64, f64),
) -> Vec<f64> {
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
    let (Some(knee), Some(ankle)) = (
        super::keypoints::find(sk, &kn),
        super::keypoints::find(sk, &an),
    ) else {
        return vec![f64::NAN; heel.position.len()];
    };
    (0..heel.position.len())
        .map(|i| {
            // Signed 2D vectors: the horizontal sign is the foot's forward direction.
            let foot = toe.position[i] - heel.position[i];
            let shank = knee.position[i] - ankle.position[i];
            let (fd, fu) = sagittal(foot);
            let (sd_abs, su) = sagittal(shank);
            // The shank's horizontal component, signed along the foot's forward direction.
            let along = if sk.dims == 2 || matches!(sk.space, Space::Image { .. }) {
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
            let cos = (fd * sd + fu * su) / ((fd * fd + fu * fu) * (sd * sd + su * su)).sqrt();
            90.0 - cos.clamp(-1.0, 1.0).acos().to_degrees()
        })
        .collect()
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
    let step = (n / 2000).max(1);
    // Each segment's image vector at up to 2000 frames, once.
    let segments: Vec<Vec<(f64, f64)>> = pairs
        .iter()
        .map(|(p, q)| {
            (0..n)
                .step_by(step)
                .map(|i| {
                    let d = q.position[i] - p.position[i];
                    (d.x, d.y)
                })
                .collect()
        })
        .collect();
    // Coefficient of variation of each segment's length, summed, for a y factor.
    let spread = |k: f64| -> f64 {
        segments
            .iter()
            .map(|segment| {
                let lens: Vec<f64> = segment
                    .iter()
                    .map(|&(x, y)| (x * x + (y * k) * (y * k)).sqrt())
                    .filter(|v| v.is_finite())
                    .collect();
                if lens.len() < 10 {
                    return 0.0;
                }
                let m = lens.iter().sum::<f64>() / lens.len() as f64;
                let var = lens.iter().map(|l| (l - m).powi(2)).sum::<f64>() / lens.len() as f64;
                var.sqrt() / m
            })
            .sum()
    };
    // Golden-section search on log(k) over 1/3 … 3.
    let (mut lo, mut hi) = ((1.0f64 / 3.0).ln(), 3.0f64.ln());
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = hi - phi * (hi - lo);
    let mut d = lo + phi * (hi - lo);
    let (mut fc, mut fd) = (spread(c.exp()), spread(d.exp()));
    for _ in 0..40 {
        if fc < fd {
            hi = d;
            d = c;
            fd = fc;
            c = hi - phi * (hi - lo);
            fc = spread(c.exp());
        } else {
            lo = c;
            c = d;
            fc = fd;
            d = lo + phi * (hi - lo);
            fd = spread(d.exp());
        }
    }
    let k = (0.5 * (lo + hi)).exp();
    if k.is_finite() && fc.is_finite() {
        k
    } else {
        1.0
    }
}

/// The metrics of each stride of a foot from its track and its final contacts.
pub fn stride_metrics(
    rec: &Recording,
    strides: &[Stride],
    track: &FootTrack,
    params: &MetricParams,
) -> Vec<StrideMetrics> {
    let hz = rec.sampling_rate_hz;
    let idx = |t: f64| rec.sample_at(t);
    let value = |x: &[f64], t: f64| -> Option<f64> {
        // Linear interpolation between samples.
        let u = (t - rec.start_s) * hz;
        if u.is_nan() || u < 0.0 {
            return None;
        }
        let i = u.floor() as usize;
        let j = (i + 1).min(x.len().checked_sub(1)?);
        let f = u - i as f64;
        let v = x.get(i)? * (1.0 - f) + x[j] * f;
        v.is_finite().then_some(v)
    };
    // The largest value in a..=b and where (the last of equal ones), none unless all are
    // finite: one pass.
    let max_in = |x: &[f64], a: usize, b: usize| -> Option<(usize, f64)> {
        let b = b.min(x.len().checked_sub(1)?);
        let window = x.get(a..=b)?;
        let mut best = (a, *window.first()?);
        for (i, &v) in window.iter().enumerate() {
            if !v.is_finite() {
                return None;
            }
            if v.total_cmp(&best.1).is_ge() {
                best = (a + i, v);
            }
        }
        Some(best)
    };
    strides
        .iter()
        .filter(|s| s.side == track.side)
        .map(|s| {
            let ic = idx(s.start_s);
            let w = ((params.strike_window_s * hz).round() as usize).max(1);
            let strike = max_in(&track.pitch_deg, ic.saturating_sub(w), ic).map(|m| m.1);
            let off = s.stance_s.map(|st| s.start_s + st);
            let heel_to_toe = match (strike, off) {
                (Some(a), Some(off)) if a > params.flat_pitch_deg => {
                    let (b, e) = (ic, idx(off));
                    (b..e.min(track.pitch_deg.len()))
                        .find(|&i| track.pitch_deg[i] <= params.flat_pitch_deg)
                        .filter(|&i| i > 0)
                        .map(|i| {
                            let (p, q) = (track.pitch_deg[i - 1], track.pitch_deg[i]);
                            let frac = if p != q {
                                ((p - params.flat_pitch_deg) / (p - q)).clamp(0.0, 1.0)
                            } else {
                                0.0
                            };
                            rec.time_s(i - 1) + frac / hz - s.start_s
                        })
                        .filter(|&d| d > 0.0)
                }
                _ => None,
            };
            let (mut mid, mut late, mut dorsi, mut mtc, mut has_min, mut top) =
                (None, None, None, None, None, None);
            let (mut wide, mut hike) = (None, None);
            if let (Some(off), Some(sw)) = (off, s.swing_s) {
                mid = value(&track.pitch_deg, off + 0.5 * sw);
                late = value(&track.pitch_deg, off + 0.85 * sw);
                let (a, b) = (idx(off), idx(s.end_s));
                dorsi = max_in(&track.ankle_deg, a, b).map(|m| m.1);
                wide = max_in(&track.lateral_m, a, b).map(|m| m.1);
                let stance = track.pelvic_obliquity_deg.get(ic.min(a)..a).unwrap_or(&[]);
                let level = crate::signal::median(stance.iter().copied());
                hike = max_in(&track.pelvic_obliquity_deg, a, b)
                    .map(|m| m.1 - level)
                    .filter(|v| v.is_finite());
                let h = &track.toe_height_m;
                let m = idx(off + 0.5 * sw);
                if let (Some((i1, _)), Some((i2, h2)), Some((_, hmax))) =
                    (max_in(h, a, m), max_in(h, m, b), max_in(h, a, b))
                {
                    top = Some(hmax);
                    let low = (i1..=i2).min_by(|&p, &q| h[p].total_cmp(&h[q]));
                    let found = low.filter(|&k| {
                        k > i1 && k < i2 && h2 - h[k] >= params.min_clearance_prominence_m
                    });
                    has_min = Some(found.is_some());
                    mtc = found.map(|k| h[k]);
                }
            }
            StrideMetrics {
                side: s.side.clone().unwrap_or_default(),
                start_s: s.start_s,
                end_s: s.end_s,
                stride_time_s: s.stride_time_s,
                stance_s: s.stance_s,
                swing_s: s.swing_s,
                cadence_steps_per_min: 120.0 / s.stride_time_s,
                foot_strike_angle_deg: strike,
                mid_swing_pitch_deg: mid,
                late_swing_pitch_deg: late,
                peak_swing_dorsiflexion_deg: dorsi,
                min_toe_clearance_m: mtc,
                clearance_minimum: has_min,
                max_swing_toe_height_m: top,
                heel_to_toe_s: heel_to_toe,
                lateral_swing_excursion_m: wide,
                pelvic_obliquity_swing_deg: hike,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::EventDetector;
    use crate::synth::{
        body::{Motion, Side},
        gait::{Walk, WalkParams},
        imu,
    };

    /// Foot IMUs on a synthetic walk: the per-stride metrics against the model's own values.
    fn imu_walk(
        errors: &imu::SensorErrors,
        severity: [f64; 2],
        seed: u64,
    ) -> (Walk, Vec<StrideMetrics>) {
        let params = WalkParams {
            severity,
            duration_s: 30.0,
            ..Default::default()
        };
        let walk = Walk::new(params, seed);
        let sensors = [
            imu::Placement::foot(Side::Left),
            imu::Placement::foot(Side::Right),
        ];
        let csv = imu::simulate(&walk, &sensors, 100.0, errors, seed).to_csv();
        let rec =
            crate::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default()).expect("reads");
        let events = crate::gait::ImuEventDetector::default()
            .detect_events(&rec)
            .expect("events");
        let strides = crate::gait::strides(&events);
        let p = MetricParams {
            toe_below_m: 0.05,
            ..Default::default()
        };
        let tracks = imu_tracks(&rec, &events, &p);
        let mut out = Vec::new();
        for t in &tracks {
            out.extend(stride_metrics(&rec, &strides, t, &p));
        }
        (walk, out)
    }

    /// The model's minimum toe clearance in the middle of a stride's swing.
    fn model_mtc(walk: &Walk, s: &StrideMetrics) -> f64 {
        let side = if s.side == "left" {
            Side::Left
        } else {
            Side::Right
        };
        let (off, swing) = (
            s.start_s + s.stance_s.unwrap_or(0.0),
            s.swing_s.unwrap_or(0.0),
        );
        let (a, b) = (off + 0.3 * swing, s.end_s - 0.05);
        (0..=200)
            .map(|k| walk.leg(a + (b - a) * k as f64 / 200.0, side).toe.z)
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn imu_metrics_match_the_model() {
        for errors in [imu::SensorErrors::none(), imu::SensorErrors::default()] {
            let (walk, m) = imu_walk(&errors, [0.0, 0.0], 3);
            assert!(m.len() >= 40, "{} strides", m.len());
            let strike: Vec<f64> = m.iter().filter_map(|s| s.foot_strike_angle_deg).collect();
            let mtc_err: Vec<f64> = m
                .iter()
                .filter_map(|s| Some(s.min_toe_clearance_m? - model_mtc(&walk, s)))
                .collect();
            assert!(strike.len() + 2 >= m.len() && mtc_err.len() + 4 >= m.len());
            // The model lands every healthy foot at 25°.
            for a in &strike {
                assert!((a - 25.0).abs() < 1.0, "strike {a}");
            }
            let mae = mtc_err.iter().map(|e| e.abs()).sum::<f64>() / mtc_err.len() as f64;
            assert!(mae < 0.004, "toe clearance MAE {mae} m: {mtc_err:?}");
            assert!(m.iter().all(|s| s.clearance_minimum != Some(false)));
        }
    }

    #[test]
    fn a_dropped_foot_lands_flat_and_its_toe_sinks_through_the_swing() {
        let (_, m) = imu_walk(&imu::SensorErrors::default(), [1.0, 0.0], 5);
        let left: Vec<&StrideMetrics> = m.iter().filter(|s| s.side == "left").collect();
        let strike = crate::signal::median(left.iter().filter_map(|s| s.foot_strike_angle_deg));
        // The model lands a flaccid foot toes first at −8°.
        assert!((strike + 8.0).abs() < 3.0, "strike {strike}");
        let sinking = left
            .iter()
            .filter(|s| s.clearance_minimum == Some(false))
            .count();
        assert!(2 * sinking >= left.len(), "{sinking} of {}", left.len());
    }

    #[test]
    fn the_polynomial_arcsine_matches_the_library() {
        for k in -20_000..=20_000 {
            let x = f64::from(k) / 20_000.0;
            let (a, b) = (asin(x), x.asin());
            assert!((a - b).abs() <= 4e-16, "asin({x}) = {a}, not {b}");
        }
        assert!(asin(f64::NAN).is_nan() && asin(1.5).is_nan());
    }

    #[test]
    fn aspect_ratio_from_segment_lengths() {
        use crate::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
        let walk = Walk::new(
            WalkParams {
                duration_s: 10.0,
                ..Default::default()
            },
            2,
        );
        let camera = Camera::beside(&walk);
        let video = simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), 2);
        let csv = video.to_mediapipe_image_csv();
        let rec =
            crate::io::read_bytes("v.csv", csv.as_bytes(), &Default::default()).expect("reads");
        let sk = rec.skeleton.as_ref().expect("keypoints");
        let k = image_aspect(sk);
        // Normalised by 1920 × 1080: y must be scaled by 1080 / 1920 to be in x's units.
        let want = f64::from(camera.height_px) / f64::from(camera.width_px);
        assert!((k / want - 1.0).abs() < 0.03, "aspect {k} against {want}");
    }
}
