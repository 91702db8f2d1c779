//! Foot tracks from foot IMUs: strapdown integration between mid-stances.

use nalgebra::Vector3;

use super::{intervals, mid_stances, FootTrack, MetricParams};
use crate::detect::{DetectedEvent, EventKind};
use crate::motion::dominant_axis;
use crate::Recording;

/// Foot tracks from every foot IMU of the recording with events of its side. Sensors named
/// for the shank, tibia, shin, thigh, leg or knee, and sensors that never lie still in
/// stance ([`MetricParams::min_flat_s`]), are not on the foot and are skipped. A foot IMU
/// gives no ankle angle or pelvic obliquity: those are left empty.
pub fn imu_tracks(
    rec: &Recording,
    events: &[DetectedEvent],
    params: &MetricParams,
) -> Vec<FootTrack> {
    imu_tracks_with_axes(rec, events, params, None)
}

/// [`imu_tracks`] with the dominant rotation axis of each IMU of the recording already known,
/// with the sensor's stillness (`axes[k]` for `rec.imus[k]`, as the event detector found
/// them); `None` computes them.
pub(crate) fn imu_tracks_with_axes(
    rec: &Recording,
    events: &[DetectedEvent],
    params: &MetricParams,
    axes: Option<&[crate::gait::imu::SensorSignals]>,
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
        let side = super::super::side_of(&imu.name);
        let mine: Vec<&DetectedEvent> = events.iter().filter(|e| e.side == side).collect();
        if mine.is_empty() {
            continue;
        }
        let hz = rec.sampling_rate_hz;
        // The axis and the stillness: from the event detector when it found them, else
        // computed here.
        let known = axes
            .and_then(|a| a.get(k))
            .filter(|s| s.still.len() == gyro.len());
        let computed;
        let (axis, still) = match known {
            Some(s) => (s.axis, &s.still),
            None => {
                let axis = match axes {
                    Some(axes) => axes.get(k).and_then(|s| s.axis),
                    None => dominant_axis(gyro),
                };
                if axis.is_none() {
                    continue;
                }
                let norms: Vec<f64> = gyro.iter().map(|w| w.norm()).collect();
                computed = crate::gait::imu::stillness(&norms, hz);
                (axis, &computed)
            }
        };
        let Some(axis) = axis else {
            continue;
        };
        // The toes rise through every swing, from toe-off to the next contact, even for a
        // dropped foot: the axis is turned to make the swings positive.
        // The swings' rotation: the event detector's when it summed it.
        let swing = known
            .and_then(|s| s.swing_rotation)
            .unwrap_or_else(|| swing_rotation(rec, &mine, gyro, &axis));
        let axis = if swing < 0.0 { -axis } else { axis };
        let still = |i: usize| still[i];
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
        // Pitch, toe height and lateral distance are written stride after stride in time
        // order, `NaN` between strides (no pass filling them with `NaN` first); ankle angle
        // and pelvic obliquity, which a foot IMU cannot give, are left empty.
        let mut track = FootTrack {
            pitch_deg: Vec::with_capacity(n),
            toe_height_m: Vec::with_capacity(n),
            lateral_m: Vec::with_capacity(n),
            ..FootTrack::unknown(side.clone(), &imu.name, 0)
        };
        let mut sensor = SensorPath::new(n);
        let path = Path {
            acc,
            gyro,
            axis,
            hz,
        };
        let below = params.toe_below_m;
        let strides = intervals(rec, &anchors, params);
        integrate_strides(
            &path,
            &strides,
            below,
            &mut track,
            &mut sensor,
            &mut scratch,
        );
        for v in [
            &mut track.pitch_deg,
            &mut track.toe_height_m,
            &mut track.lateral_m,
        ] {
            v.resize(n, f64::NAN);
        }
        sensor.finish(n);
        let toe_offs: Vec<usize> = mine
            .iter()
            .filter(|e| e.kind == EventKind::FinalContact)
            .map(|e| rec.sample_at(e.time_s))
            .collect();
        // The toe height is kept only when the sensor's path is consistent with a toe on the
        // floor at every toe-off (a plausible distance, and the toe-off heights it gives
        // within 1.5 cm of each other); otherwise clearance is left unmeasured.
        let mut kept = false;
        if let Some(forward) = sensor.toe_forward_m(&track.toe_height_m, &toe_offs) {
            let at_off: Vec<f64> = toe_offs
                .iter()
                .map(|&i| sensor.point_height(track.toe_height_m[i], i, forward))
                .collect();
            let mid = crate::signal::median(at_off.iter().copied());
            let spread = 1.4826 * crate::signal::median(at_off.iter().map(|h| (h - mid).abs()));
            if spread < 0.015 {
                for (i, h) in track.toe_height_m.iter_mut().enumerate() {
                    *h = sensor.point_height(*h, i, forward);
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
/// The rotation about the sensor's `axis` summed over the swings (final contact to the next
/// initial contact), rad (non-finite rates left out).
fn swing_rotation(
    rec: &Recording,
    events: &[&DetectedEvent],
    gyro: &[Vector3<f64>],
    axis: &Vector3<f64>,
) -> f64 {
    swing_sum(rec, events, gyro, |w| w.dot(axis))
}

/// [`swing_rotation`] from the rate about the axis already computed, sample by sample (the
/// same products, so the same sum).
pub(crate) fn swing_rotation_of_rates(
    rec: &Recording,
    events: &[&DetectedEvent],
    rate: &[f64],
) -> f64 {
    swing_sum(rec, events, rate, |r| *r)
}

/// The sum of `about` (the rate about the axis) of the samples of `signal` over the swings,
/// non-finite values left out.
fn swing_sum<T>(
    rec: &Recording,
    events: &[&DetectedEvent],
    signal: &[T],
    about: impl Fn(&T) -> f64,
) -> f64 {
    let mut sorted: Vec<&&DetectedEvent> = events.iter().collect();
    sorted.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    sorted
        .windows(2)
        .filter(|w| w[0].kind == EventKind::FinalContact && w[1].kind == EventKind::InitialContact)
        .map(|w| {
            let (a, b) = (rec.sample_at(w[0].time_s), rec.sample_at(w[1].time_s));
            // Four running sums (the sign is what matters): they overlap.
            let n = signal.len();
            let span = &signal[a.min(n)..b.max(a).min(n)];
            let finite = |w: &T| {
                let d = about(w);
                if d.is_finite() {
                    d
                } else {
                    0.0
                }
            };
            let mut lanes = [0.0; 4];
            let mut chunks = span.chunks_exact(4);
            for c in &mut chunks {
                for (l, w) in lanes.iter_mut().zip(c) {
                    *l += finite(w);
                }
            }
            lanes.iter().sum::<f64>() + chunks.remainder().iter().map(finite).sum::<f64>()
        })
        .sum()
}

/// What the strapdown integration gives of a sensor besides its height, sample by sample:
/// in its own mid-stance frame the sine of its pitch, which with the height places any point
/// fixed to the foot. The height kept in the track's toe height until the toe point is known
/// already holds the part of a point `below_m` under the sensor that the foot's tilt lifts
/// (`below_m · (1 − cos tilt)`), so the sine of the pitch is all that is left to keep. Zero
/// outside strides (where the height is `NaN`), `NaN` at the first mid-stance of a run of
/// strides.
struct SensorPath {
    sin_pitch: Vec<f64>,
}

impl SensorPath {
    /// Room for `n` samples, none written yet: strides extend it in time order (zeros
    /// between them), [`SensorPath::finish`] pads it to its length.
    fn new(n: usize) -> Self {
        SensorPath {
            sin_pitch: Vec::with_capacity(n),
        }
    }

    /// Zeros after the last stride, up to `n` samples.
    fn finish(&mut self, n: usize) {
        self.sin_pitch.resize(n, 0.0);
    }

    /// Height at sample `i` of the point `forward_m` ahead of the sensor along the foot (and
    /// `below_m` under it), where that point would be `lifted_m` high without the pitch: plus
    /// what the foot's pitch lifts it by.
    fn point_height(&self, lifted_m: f64, i: usize, forward_m: f64) -> f64 {
        lifted_m + forward_m * self.sin_pitch[i]
    }

    /// The toe's distance ahead of the sensor from the toe-offs (`lifted_m`: the height of the
    /// point under the sensor without the pitch, sample by sample): the toe is the last point
    /// on the floor, so its height there is zero. The median over the toe-offs, `None` when
    /// there are none or the value is not a plausible foot (0–35 cm: from a sensor on the toes
    /// to one on the heel of a large shoe).
    fn toe_forward_m(&self, lifted_m: &[f64], toe_offs: &[usize]) -> Option<f64> {
        let d = crate::signal::median(toe_offs.iter().filter_map(|&i| {
            let s = *self.sin_pitch.get(i)?;
            // The heel is up at toe-off: the foot pitches down by 20° or more.
            (s < -0.35).then(|| -lifted_m[i] / s)
        }));
        (0.0..=0.35).contains(&d).then_some(d)
    }
}

/// How many strides are integrated side by side.
const LANES: usize = 4;

/// Four `f32` lanes: four strides integrated side by side. Each operation of the integration
/// loop then works on the four at once (packed SSE instructions, no `unsafe`), and the
/// orientation chain's latency, the loop's one dependency from sample to sample, is paid once
/// for four strides. Single precision is ample within a stride of a second or two: its
/// rounding (a few 1e-7 relative per step) moves a toe height by well under a micrometre and
/// a pitch by about 1e-5°; the results are written out in `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct F4([f32; LANES]);

impl F4 {
    fn splat(v: f32) -> Self {
        F4([v; LANES])
    }
    /// Lane by lane from `f64` values.
    fn from_f64(v: [f64; LANES]) -> Self {
        F4(v.map(|x| x as f32))
    }
}

macro_rules! f4_op {
    ($trait:ident, $method:ident, $op:tt) => {
        impl std::ops::$trait for F4 {
            type Output = F4;
            fn $method(self, o: F4) -> F4 {
                let (a, b) = (self.0, o.0);
                F4([a[0] $op b[0], a[1] $op b[1], a[2] $op b[2], a[3] $op b[3]])
            }
        }
        impl std::ops::$trait<f32> for F4 {
            type Output = F4;
            fn $method(self, o: f32) -> F4 {
                self $op F4::splat(o)
            }
        }
        impl std::ops::$trait<F4> for f32 {
            type Output = F4;
            fn $method(self, o: F4) -> F4 {
                F4::splat(self) $op o
            }
        }
    };
}
f4_op!(Add, add, +);
f4_op!(Sub, sub, -);
f4_op!(Mul, mul, *);

/// A 3-vector in four lanes (x, y, z of four strides).
#[derive(Clone, Copy, Debug)]
struct V4 {
    x: F4,
    y: F4,
    z: F4,
}

impl V4 {
    fn new(v: [&Vector3<f64>; LANES]) -> Self {
        V4 {
            x: F4::from_f64(v.map(|v| v.x)),
            y: F4::from_f64(v.map(|v| v.y)),
            z: F4::from_f64(v.map(|v| v.z)),
        }
    }
}

/// Buffers of [`Path::integrate_lanes`] and [`Path::write`], reused from stride to stride:
/// per sample `k` of the strides (from their first mid-stance), the lanes side by side.
#[derive(Default)]
struct Scratch {
    /// The angular rate and the specific force of the lanes.
    gyro: Vec<V4>,
    acc: Vec<V4>,
    /// The step over each sample, then the orientation: unit quaternions (w, x, y, z).
    q: Vec<[F4; 4]>,
    /// The specific force in the mid-stance frame, less gravity, m/s².
    lin: Vec<V4>,
    /// The sine of the pitch.
    sin_pitch: Vec<[f32; LANES]>,
    /// The cosine of the tilt.
    cos_tilt: Vec<[f32; LANES]>,
    /// The position before the zero-velocity update, m.
    pos: Vec<[[f32; LANES]; 3]>,
    /// The pitch of the lane being written, rad.
    pitch: Vec<f64>,
    /// 0, 1, 2, …: sample counts as floats, read rather than converted in each loop.
    counts: Vec<f64>,
}

/// One stride to integrate, from mid-stance `a` to mid-stance `b`, with what its mid-stances
/// give.
#[derive(Clone, Copy, Debug)]
struct Frame {
    a: usize,
    b: usize,
    /// Gravity's size, m/s².
    g: f64,
    /// The vertical, in the sensor's frame at `a`.
    up: Vector3<f64>,
    /// The foot's long axis (perpendicular to the vertical and the medio-lateral axis).
    forward: Vector3<f64>,
    /// The gyroscope's offset, rad/s.
    bias: Vector3<f64>,
}

/// What the integration of one stride leaves for its writing out: its velocity at `b` before
/// the zero-velocity update, and whether every gyroscope value was finite.
#[derive(Clone, Copy, Debug)]
struct Integrated {
    velocity: Vector3<f64>,
    finite: bool,
}

/// One foot IMU's signals and its medio-lateral axis, to integrate.
struct Path<'a> {
    acc: &'a [Vector3<f64>],
    gyro: &'a [Vector3<f64>],
    axis: Vector3<f64>,
    hz: f64,
}

impl Path<'_> {
    /// The frame of the stride from mid-stance `a` to mid-stance `b`; `None` when it cannot be
    /// integrated (a mid-stance not still, or a rotation about the vertical).
    fn frame(&self, a: usize, b: usize) -> Option<Frame> {
        let (acc, gyro, axis) = (self.acc, self.gyro, self.axis);
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
            return None;
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
            return None;
        }
        let forward = up.cross(&(lateral / lateral.norm()));
        Some(Frame {
            a,
            b,
            g,
            up,
            forward,
            bias,
        })
    }

    /// Strapdown integration of four strides side by side (lane `l` is `frames[l]`; lanes
    /// may repeat a stride): per sample from each stride's first mid-stance, the sine of the
    /// pitch, the cosine of the tilt and the position before the zero-velocity update, into
    /// the scratch buffers.
    ///
    /// Orientation as a quaternion, advanced by the mean rate over each sample (a third-order
    /// series of the exponential map: no trigonometry per sample). Each step is made a unit
    /// quaternion on its own by a series too, so the product of the steps (the only dependency
    /// from sample to sample) stays one up to rounding. Steps, chain, what the orientation
    /// gives (pitch, tilt, the specific force in the mid-stance frame), and the velocity and
    /// position by the trapezoid rule run as separate passes over the buffers: each is short
    /// enough for the processor to overlap samples. A lane past its own stride's end repeats
    /// the stride's last sample; nothing of it is read.
    fn integrate_lanes(
        &self,
        frames: [&Frame; LANES],
        scratch: &mut Scratch,
    ) -> [Integrated; LANES] {
        let dt = 1.0 / self.hz;
        let ms = frames.map(|f| f.b - f.a);
        let m = ms.iter().copied().fold(0, usize::max);
        let (zero, one) = (F4::splat(0.0), F4::splat(1.0));
        let Scratch {
            gyro,
            acc,
            q,
            lin,
            sin_pitch,
            cos_tilt,
            pos,
            ..
        } = scratch;
        // The lanes' signals side by side (every value of 0..=m is written before it is read).
        let v0 = V4 {
            x: zero,
            y: zero,
            z: zero,
        };
        for (buf, src) in [(&mut *gyro, self.gyro), (&mut *acc, self.acc)] {
            let lanes = frames.map(|f| &src[f.a..=f.b]);
            buf.clear();
            buf.extend((0..=m).map(|k| V4::new(std::array::from_fn(|l| &lanes[l][k.min(ms[l])]))));
        }
        if q.len() <= m {
            q.resize(m + 1, [zero; 4]);
            lin.resize(m + 1, v0);
            for c in [&mut *sin_pitch, &mut *cos_tilt] {
                c.resize(m + 1, [0.0; LANES]);
            }
            pos.resize(m + 1, [[0.0; LANES]; 3]);
        }
        let (gyro, acc) = (&gyro[..=m], &acc[..=m]);
        let lanes = |f: fn(&Frame) -> Vector3<f64>| V4::new(frames.map(f).each_ref());
        let up = lanes(|f| f.up);
        let fw = lanes(|f| f.forward);
        let b2 = lanes(|f| f.bias * 2.0);
        let g = F4::from_f64(frames.map(|f| f.g));
        let quarter = (0.25 * dt) as f32;
        // A stride needs every gyroscope value finite: `0·x` is 0 for a finite x, `NaN`
        // otherwise (summed in the same pass).
        let poison = |v: &V4| v.x * 0.0 + v.y * 0.0 + v.z * 0.0;
        let mut nonfinite = poison(&gyro[0]);
        // The steps (sample k + 1 in slot k + 1), each on its own.
        for (g, step) in gyro.windows(2).zip(&mut q[1..=m]) {
            let (g0, g1) = (&g[0], &g[1]);
            nonfinite = nonfinite + poison(g1);
            let hx = (g0.x + g1.x - b2.x) * quarter;
            let hy = (g0.y + g1.y - b2.y) * quarter;
            let hz = (g0.z + g1.z - b2.z) * quarter;
            let h2 = hx * hx + hy * hy + hz * hz;
            // The series' squared norm is 1 − h⁴/12 + h⁶/36: scaled by k = 1 + h⁴/24 − h⁶/72
            // the step is a unit quaternion to O(h⁸) (below 1e-12 at 10 rad/s and 100 Hz),
            // with no square root or division.
            let k = 1.0 + h2 * h2 * (1.0 / 24.0 - h2 * (1.0 / 72.0));
            let c = (1.0 - h2 * (1.0 / 6.0)) * k;
            *step = [(1.0 - h2 * 0.5) * k, hx * c, hy * c, hz * c];
        }
        // The chain q ← q · step (Hamilton product): a product of unit quaternions.
        let (mut cw, mut cx, mut cy, mut cz) = (one, zero, zero, zero);
        for step in &mut q[1..=m] {
            let [sw, sx, sy, sz] = *step;
            // Summed in pairs: two additions after the products, not three, on the chain.
            let nw = (cw * sw - cx * sx) - (cy * sy + cz * sz);
            let nx = (cw * sx + cx * sw) + (cy * sz - cz * sy);
            let ny = (cw * sy - cx * sz) + (cy * sw + cz * sx);
            let nz = (cw * sz + cx * sy) - (cy * sx - cz * sw);
            (cw, cx, cy, cz) = (nw, nx, ny, nz);
            *step = [cw, cx, cy, cz];
        }
        // What the orientation gives, sample by sample: the sine of the pitch and the
        // cosine of the tilt, and the specific force turned into the mid-stance frame,
        // less gravity.
        let f0 = acc[0];
        lin[0] = V4 {
            x: f0.x - up.x * g,
            y: f0.y - up.y * g,
            z: f0.z - up.z * g,
        };
        let outputs = sin_pitch[1..=m]
            .iter_mut()
            .zip(&mut cos_tilt[1..=m])
            .zip(&mut lin[1..=m]);
        for ((&[w, x, y, z], f), ((sp, ct), l)) in q[1..=m].iter().zip(&acc[1..]).zip(outputs) {
            let (ww, xx, yy, zz) = (w * w, x * x, y * y, z * z);
            let (xy, xz, yz, wx, wy, wz) = (x * y, x * z, y * z, w * x, w * y, w * z);
            let r00 = ww + xx - yy - zz;
            let r11 = ww - xx + yy - zz;
            let r22 = ww - xx - yy + zz;
            let (r01, r10) = (2.0 * (xy - wz), 2.0 * (xy + wz));
            let (r02, r20) = (2.0 * (xz + wy), 2.0 * (xz - wy));
            let (r12, r21) = (2.0 * (yz - wx), 2.0 * (yz + wx));
            // The vertical in the sensor's frame: Rᵀ·up.
            let ux = r00 * up.x + r10 * up.y + r20 * up.z;
            let uy = r01 * up.x + r11 * up.y + r21 * up.z;
            let uz = r02 * up.x + r12 * up.y + r22 * up.z;
            *sp = (ux * fw.x + uy * fw.y + uz * fw.z).0;
            *ct = (ux * up.x + uy * up.y + uz * up.z).0;
            *l = V4 {
                x: r00 * f.x + r01 * f.y + r02 * f.z - up.x * g,
                y: r10 * f.x + r11 * f.y + r12 * f.z - up.y * g,
                z: r20 * f.x + r21 * f.y + r22 * f.z - up.z * g,
            };
        }
        // The velocity and the position by the trapezoid rule (the position before the
        // zero-velocity update): six running sums side by side, up to each lane's end in
        // turn (each lane's velocity is read at its own end).
        let half_dt = (0.5 * dt) as f32;
        let (mut vel, mut at) = (v0, v0);
        let mut velocity = [Vector3::zeros(); LANES];
        pos[0] = [[0.0; LANES]; 3];
        let mut order: [usize; LANES] = std::array::from_fn(|l| l);
        order.sort_by_key(|&l| ms[l]);
        let mut from = 1;
        for lane in order {
            let to = ms[lane];
            for (l, p) in lin[from - 1..=to].windows(2).zip(&mut pos[from..=to]) {
                let next = V4 {
                    x: vel.x + (l[0].x + l[1].x) * half_dt,
                    y: vel.y + (l[0].y + l[1].y) * half_dt,
                    z: vel.z + (l[0].z + l[1].z) * half_dt,
                };
                at = V4 {
                    x: at.x + (vel.x + next.x) * half_dt,
                    y: at.y + (vel.y + next.y) * half_dt,
                    z: at.z + (vel.z + next.z) * half_dt,
                };
                *p = [at.x.0, at.y.0, at.z.0];
                vel = next;
            }
            from = from.max(to + 1);
            velocity[lane] = Vector3::new(vel.x.0[lane], vel.y.0[lane], vel.z.0[lane]).cast();
        }
        std::array::from_fn(|l| Integrated {
            velocity: velocity[l],
            finite: nonfinite.0[l] == 0.0,
        })
    }

    /// Writes lane `l` of the last [`Path::integrate_pair`], the stride `frame`, into the track
    /// after the zero-velocity update: pitch, lateral distance and the height of the point
    /// `below_m` under the sensor without the pitch (into the toe height). `start`: the sine
    /// of the pitch and the cosine of the tilt at the first mid-stance, from the stride ending
    /// there (`NaN` when none was integrated). The zero-velocity update comes in closed form
    /// (removing a linear velocity drift v·t/T removes v·t²/2T from the position); pitch and
    /// height are returned to zero at `b` the same way (level floor).
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        l: usize,
        frame: &Frame,
        velocity: Vector3<f64>,
        start: [f64; 2],
        below_m: f64,
        scratch: &mut Scratch,
        track: &mut FootTrack,
        sensor: &mut SensorPath,
    ) {
        let Frame { a, b, up, .. } = *frame;
        let dt = 1.0 / self.hz;
        let m = b - a;
        // The pitch, from its sine clamped to −1…1 (the arcsines in a pass of their own: it
        // vectorises).
        scratch.pitch.clear();
        scratch.pitch.push(0.0);
        scratch.pitch.extend(
            scratch.sin_pitch[1..=m]
                .iter()
                .map(|s| f64::from(s[l]).clamp(-1.0, 1.0)),
        );
        let mut pairs = scratch.pitch[1..].chunks_exact_mut(2);
        for p in &mut pairs {
            let [x, y] = asin2([p[0], p[1]]);
            (p[0], p[1]) = (x, y);
        }
        for p in pairs.into_remainder() {
            *p = asin(*p);
        }
        while scratch.counts.len() <= m {
            scratch.counts.push(scratch.counts.len() as f64);
        }
        let counts = &scratch.counts[..=m];
        let pos = &scratch.pos[..=m];
        let pitch = &scratch.pitch[..=m];
        let span = m as f64;
        let drift = velocity * (dt / (2.0 * span));
        let raw = |p: &[[f32; LANES]; 3]| Vector3::new(p[0][l], p[1][l], p[2][l]).cast::<f64>();
        let end = raw(&pos[m]) - drift * (span * span);
        let p_end = pitch[m];
        let h_end = end.dot(&up);
        // Sideways: from the straight line between the two stance positions (a stride's
        // length at least), outwards positive.
        let stride = end - up * h_end;
        let left = (stride.norm() > 0.2).then(|| up.cross(&stride).normalize());
        let outward = track.outward_sign();
        let drift_up = drift.dot(&up);
        // Zeros up to the stride (each filled while it is about to be written, in cache).
        if sensor.sin_pitch.len() <= b {
            sensor.sin_pitch.resize(b + 1, 0.0);
        }
        sensor.sin_pitch[a] = start[0];
        for (s, v) in sensor.sin_pitch[a + 1..=b]
            .iter_mut()
            .zip(&scratch.sin_pitch[1..=m])
        {
            *s = f64::from(v[l]);
        }
        // Sample by sample, each on its own: the height of the point under the sensor,
        // lifted by the foot's tilt (at the first mid-stance by the tilt the stride before
        // left there), and the pitch.
        let tilt = std::iter::once(start[1])
            .chain(scratch.cos_tilt[1..=m].iter().map(|c| f64::from(c[l])));
        for v in [&mut track.toe_height_m, &mut track.pitch_deg] {
            resume_at(v, a, b);
        }
        let toe = track.toe_height_m[a..=b].iter_mut();
        let pitch_deg = track.pitch_deg[a..=b].iter_mut();
        let outputs = toe.zip(pitch_deg).zip(pos.iter().zip(pitch)).zip(tilt);
        for (&kf, (((t, pd), (p, &angle)), cos_tilt)) in counts.iter().zip(outputs) {
            let f = kf / span;
            let height = raw(p).dot(&up) - drift_up * (kf * kf) - h_end * f;
            *t = height + below_m * (1.0 - cos_tilt);
            *pd = (angle - p_end * f).to_degrees();
        }
        if let Some(left) = left {
            let drift_left = drift.dot(&left);
            resume_at(&mut track.lateral_m, a, b);
            for (&kf, (lat, p)) in counts
                .iter()
                .zip(track.lateral_m[a..=b].iter_mut().zip(pos))
            {
                *lat = outward * (raw(p).dot(&left) - drift_left * (kf * kf));
            }
        } else {
            // Unknown sideways: the value at `a` from the stride before (if any) stays.
            track.lateral_m.resize(b + 1, f64::NAN);
        }
    }
}

/// Makes `v`, a track written in time order, ready for a stride from sample `a` to `b`:
/// samples not yet written before `a` become `NaN`, a value at `a` (the end of the stride
/// before) gives way to the stride starting there, and `a..=b` is there to be written (the
/// `NaN` put there first is overwritten at once, while in cache).
fn resume_at(v: &mut Vec<f64>, a: usize, b: usize) {
    v.truncate(a);
    v.resize(b + 1, f64::NAN);
}

/// Strapdown integration of every stride `(a, b)` of `intervals` (mid-stance to mid-stance,
/// in time order), two at a time, written into the track in stride order (a stride starting
/// where the last integrated one ended continues its run).
fn integrate_strides(
    path: &Path,
    intervals: &[(usize, usize)],
    below_m: f64,
    track: &mut FootTrack,
    sensor: &mut SensorPath,
    scratch: &mut Scratch,
) {
    let frames: Vec<Frame> = intervals
        .iter()
        .filter_map(|&(a, b)| path.frame(a, b))
        .collect();
    // The sine of the pitch and the cosine of the tilt where the last integrated stride ended.
    let mut last: Option<(usize, [f64; 2])> = None;
    for chunk in frames.chunks(LANES) {
        // Lanes past the chunk's strides repeat its first (nothing of them is written).
        let lanes = std::array::from_fn(|l| chunk.get(l).unwrap_or(&chunk[0]));
        let done = path.integrate_lanes(lanes, scratch);
        for (l, frame) in chunk.iter().enumerate() {
            if !done[l].finite {
                continue;
            }
            let start = match last {
                Some((end, at_end)) if end == frame.a => at_end,
                _ => [f64::NAN; 2],
            };
            path.write(
                l,
                frame,
                done[l].velocity,
                start,
                below_m,
                scratch,
                track,
                sensor,
            );
            let m = frame.b - frame.a;
            let at_end = [&scratch.sin_pitch, &scratch.cos_tilt].map(|v| f64::from(v[m][l]));
            last = Some((frame.b, at_end));
        }
    }
}

/// The coefficients of [`asin`]'s polynomial: asin(s)/s as a polynomial in s², lowest
/// degree first.
const ASIN_C: [f64; 7] = [
    1.000000000582173,
    0.16666653844729326,
    0.07500677086537325,
    0.04449696552342167,
    0.03191525793672792,
    0.014177147818158174,
    0.037737386824107204,
];

/// The arcsine of `x` in −1…1 (`NaN` outside), within 7e-10 rad (4e-8°) of the true value,
/// finer than the single-precision sines it is given: a polynomial in x² for |x| ≤ ½ (a
/// Chebyshev fit of asin(s)/s in s², degree 6 on 0…¼), and asin(x) = π/2 − 2·asin(√((1 −
/// x)/2)) above. No branches, no library call: a loop of it vectorises, which `f64::asin`
/// does not.
fn asin(x: f64) -> f64 {
    let a = x.abs();
    let big = a > 0.5;
    let z = if big { 0.5 * (1.0 - a) } else { a * a };
    let s = if big { z.sqrt() } else { a };
    let p = ASIN_C.iter().rev().fold(0.0, |p, c| p * z + c);
    let r = s * p;
    let y = if big {
        std::f64::consts::FRAC_PI_2 - 2.0 * r
    } else {
        r
    };
    y.copysign(x)
}

/// [`asin`] of two values side by side (the same operations on each, so the same values):
/// written lane by lane, the two go through packed instructions.
fn asin2(x: [f64; 2]) -> [f64; 2] {
    let a = x.map(f64::abs);
    let big = a.map(|a| a > 0.5);
    let small_z = a.map(|a| a * a);
    let big_z = a.map(|a| 0.5 * (1.0 - a));
    let z = [0, 1].map(|l| if big[l] { big_z[l] } else { small_z[l] });
    let root = z.map(f64::sqrt);
    let s = [0, 1].map(|l| if big[l] { root[l] } else { a[l] });
    let mut p = [0.0; 2];
    for c in ASIN_C.iter().rev() {
        p = [p[0] * z[0] + c, p[1] * z[1] + c];
    }
    let r = [s[0] * p[0], s[1] * p[1]];
    let far = r.map(|r| std::f64::consts::FRAC_PI_2 - 2.0 * r);
    [0, 1].map(|l| if big[l] { far[l] } else { r[l] }.copysign(x[l]))
}

#[cfg(test)]
mod tests {
    use super::{asin, asin2};

    #[test]
    fn the_polynomial_arcsine_matches_the_library() {
        for k in -20_000..=20_000 {
            let x = f64::from(k) / 20_000.0;
            let (a, b) = (asin(x), x.asin());
            assert!((a - b).abs() <= 7e-10, "asin({x}) = {a}, not {b}");
        }
        assert_eq!(asin(1.0), std::f64::consts::FRAC_PI_2);
        assert_eq!(asin(0.0), 0.0);
        assert!(asin(f64::NAN).is_nan() && asin(1.5).is_nan());
    }

    #[test]
    fn the_paired_arcsine_is_the_arcsine_bit_for_bit() {
        for k in -20_000..=20_000 {
            let x = f64::from(k) / 20_000.0;
            let y = -x * 0.75;
            let [a, b] = asin2([x, y]);
            assert_eq!(a.to_bits(), asin(x).to_bits(), "asin2 at {x}");
            assert_eq!(b.to_bits(), asin(y).to_bits(), "asin2 at {y}");
        }
        let [a, b] = asin2([f64::NAN, 1.5]);
        assert!(a.is_nan() && b.is_nan());
    }
}
