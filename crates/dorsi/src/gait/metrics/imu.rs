//! Foot tracks from foot IMUs: strapdown integration between mid-stances.

use nalgebra::Vector3;

use super::{intervals, mid_stances, FootTrack, MetricParams};
use crate::detect::{DetectedEvent, EventKind};
use crate::motion::dominant_axis;
use crate::Recording;

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
        let side = super::super::side_of(&imu.name);
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

#[cfg(test)]
mod tests {
    use super::asin;

    #[test]
    fn the_polynomial_arcsine_matches_the_library() {
        for k in -20_000..=20_000 {
            let x = f64::from(k) / 20_000.0;
            let (a, b) = (asin(x), x.asin());
            assert!((a - b).abs() <= 4e-16, "asin({x}) = {a}, not {b}");
        }
        assert!(asin(f64::NAN).is_nan() && asin(1.5).is_nan());
    }
}
