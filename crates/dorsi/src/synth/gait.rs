//! Walking, healthy or with foot drop on either side, as a [`Motion`] with exact events.
//!
//! ## The model
//!
//! Each foot follows its own stride schedule (cadence with stride-to-stride variability; the
//! right foot lands half way through each left stride, give or take its own step
//! variability, so the legs stay in anti-phase). Within a stride of phase `u` ∈ [0, 1):
//!
//! | phase | share | foot |
//! | --- | --- | --- |
//! | loading | 0 – 0.10 | rolls from the foot-strike angle to flat, about the heel (heel first) or the toe (toe first) |
//! | flat stance | – 0.40 | still on the floor |
//! | push-off | 0.40 – 0.60 | rolls about the toe to the toe-off angle, still rotating when the toe leaves the floor (the rotation eases off in early swing) |
//! | swing | 0.60 – 1 | the toe travels one stride length; pitch goes from toe-off to foot-strike angle |
//!
//! Stance 60 % / swing 40 % are Perry & Burnfield's healthy figures (*Gait Analysis*, 2nd ed.,
//! 2010). In swing the toe height is `mtc·sin²(πv) + early·sin⁴(2πv)` (first half only) plus
//! the part of the foot's own pitch that lifts the toe, so the minimum toe clearance near
//! mid-swing is the parameter `min_toe_clearance_m` (healthy 1.3 cm, SD 0.4 cm: Winter 1992,
//! as DESIGN.md gives) and the early-swing toe peak is about 4 cm (3.2–3.9 cm in the OpenSim
//! trial of `../shared`).
//!
//! The shank's forward inclination is the normative ankle angle minus the healthy foot's
//! pitch at the same phase, so with a healthy foot the ankle follows the normative curve
//! (0° at contact, −5° in loading, +10° in late stance, −15° at toe-off, about 0° in swing:
//! Perry & Burnfield) and with a dropped foot the shank moves as before while the ankle loses
//! dorsiflexion. The thigh follows the normative knee flexion (5° at contact, 18° in loading,
//! 40° at toe-off, 62° in swing). The pelvis then rides as high as both legs reach with
//! their knees at least 5° flexed (an inverted pendulum: highest in mid-stance, lowest in
//! double support), and the knees are placed between hip and ankle by inverse kinematics,
//! so the stance knee stays nearly straight until heel-off. The knee then flexes faster
//! than people's (the trailing leg has to follow the pelvis down into double support), and
//! the ankle's late-stance dorsiflexion overshoots the normative +10°.
//!
//! How far the knee is from the normative curve (mean of 33 healthy strides, seeds 3, 7
//! and 11; people after Perry & Burnfield and Winter in brackets): 6° at contact (5°), 5–6°
//! through loading (15–18° at 15 %), 36° at 40 % (5°), 58° at 50 % (15–20°), 69° at toe-off
//! (35–40°), 29° at 72 % (the swing peak, 60–65°), 16° at 85 % (35°). A shank sensor's
//! sagittal rate therefore reaches its pre-swing minimum at about 36 % of the stride, some
//! 250 ms before toe-off, where people's is close enough to be taken as toe-off (Aminian et
//! al. 2002, Salarian et al. 2004). (In the CMU-MBL walking sample of `../shared`, whose six
//! 0.7 s segments look like right-leg stances though the repository does not say so, the
//! knee goes 0° → 15° → 5° → 35° and the right shank's rate from −40°/s in mid-stance to its
//! minimum, about −190°/s, 20–40 ms before each segment ends; the model's reaches −340 to
//! −420°/s at 36–42 % of the stride.) The pelvis cannot fix this alone: with this foot path,
//! in double support the trailing leg's normative knee asks for a pelvis 3–10 cm higher
//! than the leading leg reaches, and in early swing the foot (its pitch back to −8° by 35 %
//! of the swing, its forward travel a smooth step from rest) is too low and too slow for a
//! 62° knee. (Tried on 2026-11-24: a least-squares pelvis
//! height, the pelvis 0.25 m behind the heel at contact, a later push-off peak, a slower
//! swing pitch and a quicker launch brought the knee within 10–15° of the normative curve,
//! but moved the keypoint detector's toe-offs 35 ms early and the late-swing ankle past
//! +8°; not kept.)
//!
//! ## Foot drop
//!
//! `severity` 0 (healthy) to 1 (flaccid), per side:
//! * the foot-strike angle falls linearly from its healthy value to −8° (toe first);
//! * the foot stays plantarflexed longer in swing (pitch follows `smooth(v)^(1 + 2·severity)`);
//! * the minimum toe clearance falls as `mtc·(1 − 1.6·severity)`: from severity 0.625 the toe
//!   touches the floor in mid-swing and drags; the foot IMU then feels friction vibration;
//! * foot slap: the heel-to-flat time shortens by up to 60 % while the strike is heel first;
//! * compensations, when asked for: steppage (the whole foot lifted up to 6 cm more in
//!   swing), circumduction (the foot swings up to 6 cm outwards), hip hiking (the swing-side
//!   hip raised up to 2.5 cm).
//!
//! A stride is labelled `flagged` when its side's severity is at least 0.4 (foot-strike angle
//! under about +10°, clearance under 0.5 cm).

use std::f64::consts::PI;

use nalgebra::{Matrix3, Rotation3, Vector3};

use super::body::{Anthropometry, BodyPose, LegPose, Motion, Segment, Side};
use super::labels::{Label, Labels};
use super::{smooth_step, Rng};

/// Compensations for a dropped foot.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Compensation {
    /// Steppage: extra hip and knee flexion lifting the foot, 0–1.
    pub steppage: f64,
    /// Circumduction: the foot swings outwards, 0–1.
    pub circumduction: f64,
    /// Hip hiking: the swing-side hip is raised, 0–1.
    pub hip_hiking: f64,
}

/// Parameters of a synthetic walk. `Default` is a healthy adult at 1.17 m/s.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkParams {
    /// Duration, s.
    pub duration_s: f64,
    /// Steps per minute (two steps per stride); 108 is a typical comfortable cadence.
    pub cadence_spm: f64,
    /// Stride length, m (1.3 m at 108 steps/min is 1.17 m/s).
    pub stride_length_m: f64,
    /// Stride-to-stride variability of the stride time (SD / mean; 2 % in healthy adults).
    pub stride_time_cv: f64,
    /// Healthy foot-strike angle (heel first positive), degrees (20–28° with markers).
    pub foot_strike_angle_deg: f64,
    /// Foot pitch at toe-off (toes down), degrees (49–58° in the OpenSim trial).
    pub toe_off_angle_deg: f64,
    /// Healthy minimum toe clearance in mid-swing, m.
    pub min_toe_clearance_m: f64,
    /// Extra toe lift in early swing, m.
    pub early_swing_lift_m: f64,
    /// Foot-drop severity of the left and right foot, 0–1.
    pub severity: [f64; 2],
    /// Compensations of the left and right side.
    pub compensation: [Compensation; 2],
    /// Body dimensions.
    pub body: Anthropometry,
}

impl Default for WalkParams {
    fn default() -> Self {
        WalkParams {
            duration_s: 20.0,
            cadence_spm: 108.0,
            stride_length_m: 1.3,
            stride_time_cv: 0.02,
            foot_strike_angle_deg: 25.0,
            toe_off_angle_deg: 55.0,
            min_toe_clearance_m: 0.013,
            early_swing_lift_m: 0.035,
            severity: [0.0, 0.0],
            compensation: [Compensation::default(); 2],
            body: Anthropometry::default(),
        }
    }
}

/// Severity from which strides are labelled `flagged`.
pub const FLAG_SEVERITY: f64 = 0.4;

/// Start and end of the phases, as shares of the stride.
const FLAT_FROM: f64 = 0.10;
const PUSH_FROM: f64 = 0.40;
const SWING_FROM: f64 = 0.60;

/// The push-off's share of the toe-off angle at push-off phase `x` ∈ [0, 1]: `2x² − x³`,
/// starting still and ending at the toe-off angle while still rotating (rate at toe-off
/// [`push_off_rate_at_toe_off`] = 1, 75 % of the peak 4/3 at x = 2/3): real feet leave the
/// floor while plantarflexing (gaitmap's motion capture: toe-off where the rate has eased a
/// quarter off its push-off peak, the rotation turning 20–40 ms later).
fn push_off(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (2.0 - x)
}

/// The slope of [`push_off`] at toe-off (x = 1).
fn push_off_rate_at_toe_off() -> f64 {
    1.0
}

/// How long the push-off rotation takes to ease off after toe-off, as a share of the swing
/// (0.08 of a 0.44 s swing: the rotation turns about 25 ms after toe-off).
const PUSH_EASE_V: f64 = 0.08;

/// A smooth periodic curve through (phase, value) knots: a truncated Fourier series of the
/// closed Catmull-Rom curve through them, so that its derivatives are continuous.
#[derive(Debug, Clone)]
struct Periodic {
    mean: f64,
    harmonics: Vec<(f64, f64)>,
}

impl Periodic {
    fn through(knots: &[(f64, f64)], n_harmonics: usize) -> Self {
        const N: usize = 512;
        let k = knots.len();
        let samples: Vec<f64> = (0..N)
            .map(|i| {
                let u = i as f64 / N as f64;
                let j = knots.iter().rposition(|(ku, _)| *ku <= u).unwrap_or(k - 1);
                let at = |m: isize| {
                    let idx = (j as isize + m).rem_euclid(k as isize) as usize;
                    let wraps = (j as isize + m).div_euclid(k as isize) as f64;
                    (knots[idx].0 + wraps, knots[idx].1)
                };
                let (p0, p1, p2, p3) = (at(-1), at(0), at(1), at(2));
                let t = (u - p1.0) / (p2.0 - p1.0);
                let m1 = (p2.1 - p0.1) / (p2.0 - p0.0) * (p2.0 - p1.0);
                let m2 = (p3.1 - p1.1) / (p3.0 - p1.0) * (p2.0 - p1.0);
                let (t2, t3) = (t * t, t * t * t);
                (2.0 * t3 - 3.0 * t2 + 1.0) * p1.1
                    + (t3 - 2.0 * t2 + t) * m1
                    + (-2.0 * t3 + 3.0 * t2) * p2.1
                    + (t3 - t2) * m2
            })
            .collect();
        let mean = samples.iter().sum::<f64>() / N as f64;
        let harmonics = (1..=n_harmonics)
            .map(|h| {
                let (mut a, mut b) = (0.0, 0.0);
                for (i, s) in samples.iter().enumerate() {
                    let w = 2.0 * PI * h as f64 * i as f64 / N as f64;
                    a += s * w.cos();
                    b += s * w.sin();
                }
                (2.0 * a / N as f64, 2.0 * b / N as f64)
            })
            .collect();
        Periodic { mean, harmonics }
    }

    fn at(&self, u: f64) -> f64 {
        // cos(hw), sin(hw) by the angle-addition recurrence: two trigonometric calls in all.
        let (s1, c1) = (2.0 * PI * u).sin_cos();
        let (mut c, mut s) = (1.0, 0.0);
        let mut acc = self.mean;
        for (a, b) in &self.harmonics {
            (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
            acc += a * c + b * s;
        }
        acc
    }
}

/// A synthetic walk: the motion and its labels.
#[derive(Debug, Clone)]
pub struct Walk {
    params: WalkParams,
    /// Stride start times per foot (initial contacts), s.
    starts: [Vec<f64>; 2],
    ankle_norm: Periodic,
    knee_norm: Periodic,
}

/// Where one foot is: phase in its stride and stride index.
struct FootPhase {
    u: f64,
    index: usize,
}

impl Walk {
    /// Build a walk; the same seed gives the same walk.
    pub fn new(params: WalkParams, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mean = 120.0 / params.cadence_spm;
        // Under way at t = 0: the left foot a quarter into its stride (flat stance). Each
        // left stride has its own duration (`stride_time_cv`).
        let mut left = Vec::new();
        let mut t = -mean * 0.25;
        while t < params.duration_s + 2.0 * mean {
            left.push(t);
            t += mean * (1.0 + params.stride_time_cv * rng.normal()).clamp(0.7, 1.3);
        }
        // The right foot lands half way through each left stride, give or take its own step
        // variability (SD half the stride time's CV, so its strides vary about as much as the
        // left's): the legs stay in anti-phase, as healthy adults' do (phase coordination
        // index of a few percent: Plotnik et al. 2007). Drawn independently, the two
        // schedules drifted apart by a tenth of a second within a minute, both feet
        // swinging at once, and shank IMUs (whose knees depend on where the other leg holds
        // the pelvis) lost one side's contacts in half the seeds.
        let right: Vec<f64> = std::iter::once(left[0] - mean)
            .chain(left.iter().copied())
            .collect::<Vec<f64>>()
            .windows(2)
            .map(|w| {
                let jitter = (0.5 * params.stride_time_cv * rng.normal()).clamp(-0.1, 0.1);
                w[0] + (w[1] - w[0]) * (0.5 + jitter)
            })
            .collect();
        let starts = [left, right];
        let ankle_norm = Periodic::through(
            &[
                (0.0, 0.0),
                (0.07, -5.0),
                (0.25, 3.0),
                (0.45, 10.0),
                (0.62, -15.0),
                (0.75, -2.0),
                (0.9, 2.0),
            ],
            8,
        );
        let knee_norm = Periodic::through(
            &[
                (0.0, 5.0),
                (0.15, 18.0),
                (0.4, 5.0),
                (0.6, 40.0),
                (0.73, 62.0),
                (0.97, 2.0),
            ],
            8,
        );
        Walk {
            params,
            starts,
            ankle_norm,
            knee_norm,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &WalkParams {
        &self.params
    }

    fn phase(&self, t: f64, side: Side) -> FootPhase {
        let st = &self.starts[side.index()];
        let i = st.partition_point(|&s| s <= t).saturating_sub(1);
        let i = i.min(st.len().saturating_sub(2));
        let stride_s = st[i + 1] - st[i];
        FootPhase {
            u: ((t - st[i]) / stride_s).clamp(0.0, 1.0),
            index: i,
        }
    }

    fn strike_angle(&self, severity: f64) -> f64 {
        let healthy = self.params.foot_strike_angle_deg;
        (healthy + (-8.0 - healthy) * severity).to_radians()
    }

    /// Foot pitch (rad), heel position (x, z) and the toe's raw clearance (m, negative when
    /// it would go through the floor) at phase `u`, for a stride whose flat-stance heel is at
    /// `x0`.
    fn foot(&self, u: f64, x0: f64, severity: f64, comp: &Compensation) -> (f64, f64, f64, f64) {
        let p = &self.params;
        let len = p.body.foot_m;
        let ic = self.strike_angle(severity);
        let to = p.toe_off_angle_deg.to_radians();
        let loading = FLAT_FROM * if ic > 0.0 { 1.0 - 0.6 * severity } else { 1.0 };
        let about_toe = |th: f64, toe_x: f64| (th, toe_x - len * th.cos(), -len * th.sin());
        if u < loading {
            let th = ic * (1.0 - smooth_step(u / loading));
            if ic >= 0.0 {
                return (th, x0, 0.0, 0.0);
            }
            let (th, hx, hz) = about_toe(th, x0 + len);
            return (th, hx, hz, 0.0);
        }
        if u < PUSH_FROM {
            return (0.0, x0, 0.0, 0.0);
        }
        if u < SWING_FROM {
            let th = -to * push_off((u - PUSH_FROM) / (SWING_FROM - PUSH_FROM));
            let (th, hx, hz) = about_toe(th, x0 + len);
            return (th, hx, hz, 0.0);
        }
        // Swing: pitch and heel height are smooth functions of the swing phase v; the toe
        // follows from them (toe = heel + foot length · sin(pitch)).
        let v = (u - SWING_FROM) / (1.0 - SWING_FROM);
        // The foot dorsiflexes quickly after toe-off to a slightly plantarflexed mid-swing
        // pitch, then rises to the strike angle; a dropped foot hangs lower and rises later.
        let mid = (-8.0 - 20.0 * severity).to_radians();
        let early = smooth_step(v / 0.35);
        let late = smooth_step((v - 0.3 - 0.15 * severity) / (0.7 - 0.15 * severity));
        let th = -to + (to + mid) * early + (ic - mid) * late;
        // The push-off rotation eases off in early swing (the toe has left the floor while
        // the foot still plantarflexes): same rate as the push-off's end at toe-off, decaying
        // over `PUSH_EASE_V` of the swing. The toe keeps its path; the heel follows.
        let to_rate =
            to * push_off_rate_at_toe_off() * (1.0 - SWING_FROM) / (SWING_FROM - PUSH_FROM);
        let th_foot = th - to_rate * v * (-v / PUSH_EASE_V).exp();
        // Heel height: from its toe-off height down to the floor, through knots that give the
        // healthy toe path (early peak about 3.5 cm, minimum clearance near mid-swing), plus
        // the clearance margin and steppage lift.
        let h0 = len * to.sin();
        let h_end = if ic >= 0.0 { 0.0 } else { -len * ic.sin() };
        let base = hermite(
            v,
            &[
                (0.0, h0),
                (0.35, 0.28 * h0),
                (0.55, 0.15 * h0 + p.min_toe_clearance_m - 0.013),
                (0.85, 0.06 * h0),
                (1.0, h_end),
            ],
        );
        let bump = (PI * v).sin().powi(2);
        // The hip and knee lift the foot a little to keep part of the clearance a hanging
        // foot would lose, so the clearance falls as mtc·(1 − 1.6·severity).
        let healthy_mid = (-8.0f64).to_radians();
        let lost = len * (healthy_mid.sin() - mid.sin());
        let kept = (lost - 1.6 * severity * p.min_toe_clearance_m).max(0.0);
        let heel_z = base + (0.06 * comp.steppage + (p.early_swing_lift_m - 0.035) + kept) * bump;
        let next = x0 + p.stride_length_m;
        let toe_end = if ic >= 0.0 {
            next + len * ic.cos()
        } else {
            next + len
        };
        let toe_x = x0 + len + (toe_end - x0 - len) * smooth_step(v);
        let raw = heel_z + len * th.sin();
        // A toe that would go through the floor drags on it: the heel is lifted so the toe
        // stays on the floor (a softened max over 3 mm).
        let eps = 0.003 * (PI * v).sin();
        let toe_z = (raw + (raw * raw + eps * eps).sqrt()) / 2.0;
        let heel_z = toe_z - len * th_foot.sin();
        (th_foot, toe_x - len * th_foot.cos(), heel_z, raw)
    }

    /// The healthy foot pitch at phase `u` (for the shank's normative inclination).
    fn healthy_pitch(&self, u: f64) -> f64 {
        self.foot(u, 0.0, 0.0, &Compensation::default()).0
    }

    /// The foot's pitch (rad) and heel position at `t`, the swing bump (0 in stance) and
    /// the phase.
    fn foot_at(&self, t: f64, side: Side) -> (f64, Vector3<f64>, f64, FootPhase) {
        let p = &self.params;
        let s = side.index();
        let ph = self.phase(t, side);
        let comp = &p.compensation[s];
        // Left heels at i·L; the right foot lands half a stride earlier, half a stride behind.
        let x0 = (ph.index as f64 - 0.5 * s as f64) * p.stride_length_m;
        let (th, hx, hz, _) = self.foot(ph.u, x0, p.severity[s], comp);
        let swing = if ph.u >= SWING_FROM {
            (PI * (ph.u - SWING_FROM) / (1.0 - SWING_FROM))
                .sin()
                .powi(2)
        } else {
            0.0
        };
        let y =
            side.lateral_sign() * (p.body.hip_width_m / 2.0 + 0.06 * comp.circumduction * swing);
        (th, Vector3::new(hx, y, hz), swing, ph)
    }

    fn leg_pose(&self, t: f64, side: Side) -> (LegPose, f64) {
        let p = &self.params;
        let comp = &p.compensation[side.index()];
        let (th, heel, swing, ph) = self.foot_at(t, side);
        let foot = about_y(-th);
        let toe = heel + foot * Vector3::new(p.body.foot_m, 0.0, 0.0);
        let ankle = heel + foot * p.body.ankle_in_foot_m;
        // Shank inclination from the normative ankle angle and the healthy foot's pitch.
        let phi = self.ankle_norm.at(ph.u).to_radians() - self.healthy_pitch(ph.u)
            + 0.35 * comp.steppage * swing;
        let shank = about_y(phi);
        let knee = ankle + shank * Vector3::new(0.0, 0.0, p.body.shank_m);
        let psi = phi - (self.knee_norm.at(ph.u) + 30.0 * comp.steppage * swing).to_radians();
        let thigh_dir = about_y(psi);
        let hip = knee + thigh_dir * Vector3::new(0.0, 0.0, p.body.thigh_m);
        let pose = LegPose {
            hip,
            knee,
            ankle,
            heel,
            toe,
            thigh: thigh_dir,
            shank,
            foot,
        };
        (pose, 0.025 * comp.hip_hiking * swing)
    }

    /// How far behind the leading heel the pelvis is at initial contact, m (about half a
    /// step: the hip is near the middle of the feet then).
    const PELVIS_BEHIND_HEEL_M: f64 = 0.35;

    /// The pelvis's forward position at `t_s`: at each left initial contact it is
    /// `PELVIS_BEHIND_HEEL_M` behind the left heel; in between, a Catmull-Rom curve through
    /// those points (smooth speed, following the stride-to-stride variability).
    fn pelvis_x(&self, t_s: f64) -> f64 {
        let st = &self.starts[0];
        let n = st.len();
        let i = st.partition_point(|&s| s <= t_s).clamp(1, n - 1) - 1;
        let l = self.params.stride_length_m;
        let point = |k: isize| {
            let k = k.clamp(0, n as isize - 1) as usize;
            (st[k], k as f64 * l - Self::PELVIS_BEHIND_HEEL_M)
        };
        let (p0, p1, p2, p3) = (
            point(i as isize - 1),
            point(i as isize),
            point(i as isize + 1),
            point(i as isize + 2),
        );
        let h = p2.0 - p1.0;
        let t = ((t_s - p1.0) / h).clamp(0.0, 1.0);
        let slope = |a: (f64, f64), b: (f64, f64)| (b.1 - a.1) / (b.0 - a.0).max(1e-9);
        let (m1, m2) = (slope(p0, p2) * h, slope(p1, p3) * h);
        let (t2, t3) = (t * t, t * t * t);
        (2.0 * t3 - 3.0 * t2 + 1.0) * p1.1
            + (t3 - 2.0 * t2 + t) * m1
            + (-2.0 * t3 + 3.0 * t2) * p2.1
            + (t3 - t2) * m2
    }

    /// The labels: every initial and final contact, and every stride with its severity.
    pub fn labels(&self) -> Labels {
        let mut items = Vec::new();
        for side in Side::BOTH {
            let severity = self.params.severity[side.index()];
            for w in self.starts[side.index()].windows(2) {
                for (kind, at) in [("initial_contact", 0.0), ("final_contact", SWING_FROM)] {
                    let t = w[0] + at * (w[1] - w[0]);
                    if (0.0..self.params.duration_s).contains(&t) {
                        items.push(Label::Event {
                            side: side.name().into(),
                            kind: kind.into(),
                            time_s: t,
                        });
                    }
                }
                if w[0] >= 0.0 && w[1] <= self.params.duration_s {
                    items.push(Label::Stride {
                        side: side.name().into(),
                        start_s: w[0],
                        end_s: w[1],
                        severity,
                        flagged: severity >= FLAG_SEVERITY,
                    });
                }
            }
        }
        items.sort_by(|a, b| start_of(a).total_cmp(&start_of(b)));
        Labels { items }
    }

    /// The toe's clearance above the floor at `t_s` (negative: the toe is pressed into the
    /// floor and drags), m; `None` outside swing.
    pub fn toe_clearance_m(&self, t_s: f64, side: Side) -> Option<f64> {
        let ph = self.phase(t_s, side);
        if ph.u < SWING_FROM {
            return None;
        }
        let s = side.index();
        let x0 = ph.index as f64 * self.params.stride_length_m;
        let raw = self
            .foot(
                ph.u,
                x0,
                self.params.severity[s],
                &self.params.compensation[s],
            )
            .3;
        Some(raw)
    }
}

/// A smooth interpolation through knots (v, value) with zero slope at the first and last
/// knot and Catmull-Rom slopes in between (cubic Hermite).
fn hermite(v: f64, knots: &[(f64, f64)]) -> f64 {
    let n = knots.len();
    let v = v.clamp(knots[0].0, knots[n - 1].0);
    let i = knots.partition_point(|k| k.0 <= v).clamp(1, n - 1) - 1;
    let slope = |j: usize| {
        if j == 0 || j == n - 1 {
            0.0
        } else {
            (knots[j + 1].1 - knots[j - 1].1) / (knots[j + 1].0 - knots[j - 1].0)
        }
    };
    let (v0, y0) = knots[i];
    let (v1, y1) = knots[i + 1];
    let h = v1 - v0;
    let t = (v - v0) / h;
    let (t2, t3) = (t * t, t * t * t);
    (2.0 * t3 - 3.0 * t2 + 1.0) * y0
        + (t3 - 2.0 * t2 + t) * h * slope(i)
        + (-2.0 * t3 + 3.0 * t2) * y1
        + (t3 - t2) * h * slope(i + 1)
}

/// The knee of a leg from its hip and ankle (two-link inverse kinematics, knee bending
/// forward), with thigh length `l1` and shank length `l2`.
fn knee_between(hip: Vector3<f64>, ankle: Vector3<f64>, l1: f64, l2: f64) -> Vector3<f64> {
    let v = hip - ankle;
    let d = v.norm().clamp((l1 - l2).abs() + 1e-9, l1 + l2 - 1e-9);
    let u = v / v.norm().max(1e-12);
    // Forward direction perpendicular to the leg axis.
    let fwd = Vector3::x() - u * u.x;
    let n = if fwd.norm() > 1e-9 {
        fwd.normalize()
    } else {
        Vector3::x()
    };
    let cos_b = ((l2 * l2 + d * d - l1 * l1) / (2.0 * l2 * d)).clamp(-1.0, 1.0);
    let sin_b = (1.0 - cos_b * cos_b).sqrt();
    ankle + (u * cos_b + n * sin_b) * l2
}

/// A rotation by `angle` about +y, built directly from its sine and cosine.
fn about_y(angle: f64) -> Rotation3<f64> {
    let (s, c) = angle.sin_cos();
    Rotation3::from_matrix_unchecked(Matrix3::new(c, 0.0, s, 0.0, 1.0, 0.0, -s, 0.0, c))
}

fn start_of(l: &Label) -> f64 {
    match l {
        Label::Event { time_s, .. } => *time_s,
        Label::Stride { start_s, .. }
        | Label::Rep { start_s, .. }
        | Label::Hold { start_s, .. }
        | Label::Set { start_s, .. } => *start_s,
    }
}

impl Motion for Walk {
    fn pose(&self, t_s: f64) -> BodyPose {
        let (mut left, hike_l) = self.leg_pose(t_s, Side::Left);
        let (mut right, hike_r) = self.leg_pose(t_s, Side::Right);
        // One pelvis for both legs, as high as both legs reach (each hip hiked on its swing
        // side). The knees are then placed by two-link inverse kinematics between hip and
        // ankle, so segment lengths are exact. (Taking the chains' own hip heights into the
        // limit, as before, let a swinging chain pull the pelvis down: stance knees bent to
        // 45° and the shanks jerked at several hundred °/s.)
        let body = &self.params.body;
        let (l1, l2) = (body.thigh_m, body.shank_m);
        let half = body.hip_width_m / 2.0;
        // Forward, the pelvis progresses smoothly (`pelvis_x`).
        let pelvis_x = self.pelvis_x(t_s);
        // The knee never straightens past 5° of flexion (a straight knee is a singular point
        // of the inverse kinematics), and the height limit is a soft minimum so the pelvis
        // moves smoothly when the limiting leg changes.
        let max_len = (l1 * l1 + l2 * l2 + 2.0 * l1 * l2 * 5f64.to_radians().cos()).sqrt();
        let soft_min = |a: f64, b: f64| (a + b - ((a - b).powi(2) + 1e-4).sqrt()) / 2.0;
        let reach = |leg: &LegPose, side: Side, hike: f64| {
            let dx = pelvis_x - leg.ankle.x;
            let dy = side.lateral_sign() * half - leg.ankle.y;
            leg.ankle.z + (max_len.powi(2) - dx * dx - dy * dy).max(0.0).sqrt() - hike
        };
        let z = soft_min(
            reach(&left, Side::Left, hike_l),
            reach(&right, Side::Right, hike_r),
        );
        for (leg, side, hike) in [
            (&mut left, Side::Left, hike_l),
            (&mut right, Side::Right, hike_r),
        ] {
            leg.hip = Vector3::new(pelvis_x, side.lateral_sign() * half, z + hike);
            leg.knee = knee_between(leg.hip, leg.ankle, l1, l2);
            let up = |a: Vector3<f64>, b: Vector3<f64>, fallback: Rotation3<f64>| {
                Rotation3::rotation_between(&Vector3::z(), &(b - a)).unwrap_or(fallback)
            };
            leg.shank = up(leg.ankle, leg.knee, leg.shank);
            leg.thigh = up(leg.knee, leg.hip, leg.thigh);
        }
        // Arms swing against the legs.
        let ph = self.phase(t_s, Side::Left);
        let swing = 0.3 * (2.0 * PI * (ph.u - 0.1)).cos();
        self.params
            .body
            .body_pose([left, right], Rotation3::identity(), swing)
    }

    fn duration_s(&self) -> f64 {
        self.params.duration_s
    }

    fn segment(&self, t_s: f64, side: Side, segment: Segment) -> (Rotation3<f64>, Vector3<f64>) {
        if segment != Segment::Foot {
            let leg = self.leg(t_s, side);
            return (leg.orientation(segment), leg.origin(segment));
        }
        let (th, heel, _, _) = self.foot_at(t_s, side);
        (about_y(-th), heel)
    }

    fn drag_vibration_mps2(&self, t_s: f64, side: Side) -> f64 {
        match self.toe_clearance_m(t_s, side) {
            // A millimetre of overlap is the softened contact of a skimming toe, not a drag.
            Some(c) if c < -0.001 => 3.0 * ((-c - 0.001) / 0.005).min(1.0),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::imu::{ideal_sample, simulate, Placement, SensorErrors};

    fn walk(severity: [f64; 2]) -> Walk {
        Walk::new(
            WalkParams {
                severity,
                duration_s: 12.0,
                ..Default::default()
            },
            3,
        )
    }

    #[test]
    fn feet_are_continuous_and_stay_above_the_floor() {
        for sev in [0.0, 0.5, 1.0] {
            let w = walk([sev, 0.0]);
            let mut prev = w.leg(0.0, Side::Left);
            for i in 1..12_000 {
                let t = i as f64 * 1e-3;
                let leg = w.leg(t, Side::Left);
                assert!((leg.heel - prev.heel).norm() < 0.01, "{sev} at {t}");
                assert!(leg.heel.z > -1e-9 && leg.toe.z > -1e-9, "{sev} at {t}");
                prev = leg;
            }
        }
    }

    #[test]
    fn healthy_walk_is_in_the_healthy_ranges() {
        let w = walk([0.0, 0.0]);
        let labels = w.labels();
        let ics: Vec<f64> = labels
            .items
            .iter()
            .filter_map(|l| match l {
                Label::Event { side, kind, time_s }
                    if side == "left" && kind == "initial_contact" =>
                {
                    Some(*time_s)
                }
                _ => None,
            })
            .collect();
        assert!(ics.len() >= 8);
        for &t in &ics {
            let pitch = w.leg(t, Side::Left).foot_pitch_rad().to_degrees();
            assert!((20.0..=28.0).contains(&pitch), "foot-strike angle {pitch}");
            // Ankle back to 0…+6° by late swing (DESIGN.md): its largest value in the last
            // 150 ms before contact.
            let ankle = (0..=15)
                .map(|k| {
                    w.leg(t - 0.01 * k as f64, Side::Left)
                        .ankle_angle_rad()
                        .to_degrees()
                })
                .fold(f64::MIN, f64::max);
            assert!((-1.0..=8.0).contains(&ankle), "late-swing ankle {ankle}");
        }
        // Minimum toe clearance in mid-swing: about 1.3 cm.
        for pair in ics.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let swing = (a + SWING_FROM * (b - a) + 0.3 * (b - a) * 0.4, b - 0.05);
            let min = (0..100)
                .map(|k| swing.0 + (swing.1 - swing.0) * k as f64 / 100.0)
                .map(|t| w.leg(t, Side::Left).toe.z)
                .fold(f64::MAX, f64::min);
            assert!((0.009..0.017).contains(&min), "MTC {min}");
        }
    }

    #[test]
    fn stance_and_swing_times_from_the_labels() {
        let w = walk([0.0, 0.7]);
        let events: Vec<(String, String, f64)> = w
            .labels()
            .items
            .into_iter()
            .filter_map(|l| match l {
                Label::Event { side, kind, time_s } => Some((side, kind, time_s)),
                _ => None,
            })
            .collect();
        for side in ["left", "right"] {
            let mine: Vec<&(String, String, f64)> = events.iter().filter(|e| e.0 == side).collect();
            let mut checked = 0;
            for k in 0..mine.len().saturating_sub(2) {
                let (a, b, c) = (mine[k], mine[k + 1], mine[k + 2]);
                if a.1 == "initial_contact" && b.1 == "final_contact" && c.1 == "initial_contact" {
                    let stride = c.2 - a.2;
                    let stance = b.2 - a.2;
                    // About 1.1 s strides, 60 % stance / 40 % swing (Perry & Burnfield).
                    assert!((0.95..1.3).contains(&stride), "{side}: stride {stride}");
                    assert!(
                        (0.58..0.62).contains(&(stance / stride)),
                        "{side}: {stance}"
                    );
                    checked += 1;
                }
            }
            assert!(checked >= 8, "{side}: {checked} strides");
        }
    }

    #[test]
    fn severe_foot_drop_strikes_toe_first_and_drags() {
        let w = walk([1.0, 0.0]);
        let labels = w.labels();
        let mut dragged = 0;
        for l in &labels.items {
            if let Label::Event { side, kind, time_s } = l {
                if side == "left" && kind == "initial_contact" {
                    let pitch = w.leg(*time_s, Side::Left).foot_pitch_rad().to_degrees();
                    assert!(pitch <= 0.0, "toe first: {pitch}");
                }
            }
            if let Label::Stride {
                side,
                start_s,
                end_s,
                flagged,
                ..
            } = l
            {
                assert_eq!(*flagged, side == "left");
                let mid = start_s + (SWING_FROM + 0.2) * (end_s - start_s);
                if side == "left" && w.drag_vibration_mps2(mid, Side::Left) > 0.0 {
                    dragged += 1;
                }
            }
        }
        assert!(dragged >= 5, "{dragged} dragging swings");
    }

    #[test]
    fn still_sensor_reads_gravity_in_any_mounting() {
        let w = walk([0.0, 0.0]);
        // Left foot flat at t = 0 (a quarter into its stride).
        for (ax, ang) in [
            (Vector3::x_axis(), 0.7),
            (Vector3::y_axis(), -2.0),
            (Vector3::z_axis(), 2.5),
        ] {
            let mut place = Placement::foot(Side::Left);
            place.mounting = Rotation3::from_axis_angle(&ax, ang);
            let (f, w_) = ideal_sample(&w, &place, 0.05);
            assert!(
                (f.norm() - crate::STANDARD_GRAVITY_MPS2).abs() < 1e-6,
                "{f}"
            );
            assert!(w_.norm() < 1e-9);
        }
    }

    #[test]
    fn integrated_gyro_reproduces_orientation_over_a_stride() {
        let w = walk([0.3, 0.0]);
        let mut place = Placement::shank(Side::Left);
        place.mounting = Rotation3::from_euler_angles(0.3, -0.5, 1.2);
        let rate = 1000.0;
        let rec = simulate(
            &w,
            std::slice::from_ref(&place),
            rate,
            &SensorErrors::none(),
            1,
        );
        let (a, b) = (2000usize, 3200usize); // 1.2 s, more than a stride
        let truth = |i: usize| {
            let leg = w.leg(rec.time_s[i], Side::Left);
            leg.orientation(place.segment) * place.mounting
        };
        let mut r = truth(a);
        let gyro = &rec.sensors[0].gyro_rads;
        for i in a..b {
            // Midpoint rule: the rate at the middle of the step.
            let mid = (gyro[i] + gyro[i + 1]) / 2.0;
            r *= Rotation3::from_scaled_axis(mid / rate);
        }
        let err = (r.inverse() * truth(b)).angle().to_degrees();
        assert!(err < 0.5, "orientation error {err}°");
    }

    #[test]
    fn double_integrated_acceleration_gives_toe_height() {
        // Between two stances the foot's acceleration, rotated to the world frame with the
        // true orientation and gravity removed, integrates twice to the sensor height, and
        // with the foot's geometry to the toe height.
        let w = walk([0.0, 0.0]);
        let place = Placement::foot(Side::Left);
        let rate = 1000.0;
        let rec = simulate(
            &w,
            std::slice::from_ref(&place),
            rate,
            &SensorErrors::none(),
            1,
        );
        let starts: Vec<f64> = w.starts[0].clone();
        let (s0, s1) = (starts[2], starts[3]);
        let a = ((s0 + 0.3 * (s1 - s0)) * rate) as usize; // flat stance
        let b = ((s1 + 0.3 * (s1 - s0)) * rate) as usize; // next flat stance
        let g = Vector3::new(0.0, 0.0, crate::STANDARD_GRAVITY_MPS2);
        let height = |i: usize| {
            let leg = w.leg(rec.time_s[i], Side::Left);
            (leg.origin(place.segment) + leg.orientation(place.segment) * place.offset_m).z
        };
        let (mut v, mut z) = (0.0, height(a));
        let mut worst: f64 = 0.0;
        for i in a..b {
            let leg = w.leg(rec.time_s[i], Side::Left);
            let acc =
                leg.orientation(place.segment) * place.mounting * rec.sensors[0].acc_mps2[i] - g;
            let leg1 = w.leg(rec.time_s[i + 1], Side::Left);
            let acc1 =
                leg1.orientation(place.segment) * place.mounting * rec.sensors[0].acc_mps2[i + 1]
                    - g;
            let dt = 1.0 / rate;
            z += v * dt + (2.0 * acc.z + acc1.z) / 6.0 * dt * dt;
            v += (acc.z + acc1.z) / 2.0 * dt;
            // The toe from the integrated sensor position and the foot's orientation.
            let foot = leg1.orientation(place.segment);
            let toe_z =
                z + (foot * (Vector3::new(w.params.body.foot_m, 0.0, 0.0) - place.offset_m)).z;
            worst = worst.max((toe_z - leg1.toe.z).abs());
        }
        assert!(worst < 0.005, "toe height error {worst} m");
    }
}
