//! Exercise sessions of the foot-drop home programme (DESIGN.md, "The foot-drop programme"),
//! as a [`Motion`] of the whole body plus exact labels.
//!
//! A session is a lead-in at rest, then `sets` sets of `reps_per_set` repetitions with rests
//! between them, then a lead-out at rest. Each repetition leaves rest, moves the working foot
//! through the exercise's directions (holding each for `hold_s` when the exercise holds), and
//! returns to rest:
//!
//! | exercise | posture | directions of one rep | pivot of the foot |
//! | --- | --- | --- | --- |
//! | `towel_stretch` | seated, foot on the floor | dorsiflexion (held) | heel |
//! | `ankle_flexion` | seated, foot held just off the floor | dorsiflexion, then plantarflexion | ankle |
//! | `ankle_rotation` | seated, foot held just off the floor | inward (held), then outward (held) | ankle |
//! | `toe_raise` | standing, both feet | dorsiflexion | heel |
//! | `heel_raise` | standing, both feet | plantarflexion | ball of the foot |
//! | `ankle_eversion` | seated, foot held just off the floor | eversion | ankle |
//!
//! Seated: the hips stay on the chair (knee at about 90°, shank vertical at rest), the foot
//! turns about its pivot and the knee follows by two-link inverse kinematics, so every segment
//! keeps its length. Standing: both feet do the exercise (the bilateral form of the
//! programme), the legs stay straight above the ankles and the body rises and falls with them.
//! The foot is a rigid segment whose orientation is `Rz(yaw) · Ry(−pitch) · Rx(roll)`
//! (pitch toes-up positive): rotation turns the foot about the vertical (shank) axis with
//! inversion coupled to it, eversion rolls the foot about its long axis lifting the outer edge.
//! Every movement follows [`smooth_step`], so positions have continuous velocity and
//! acceleration and a simulated IMU reads physical signals.
//!
//! Labels: one `set` row per set, one `rep` row per repetition (start and end are the moments
//! the foot leaves rest and is back at rest; the peak is the middle of the first hold, or the
//! moment the first direction's extreme is reached when nothing is held; `hold_s` is the total
//! time held in the rep) and one `hold` row per hold.
//!
//! ```
//! use dorsi::synth::body::{Motion, Side};
//! use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
//! use dorsi::synth::labels::Label;
//!
//! let params = ExerciseParams::new(Exercise::HeelRaise);
//! let (session, labels) = generate(&params, 7);
//! let reps = labels.items.iter().filter(|l| matches!(l, Label::Rep { .. })).count();
//! assert_eq!(reps, 10);
//! let rest = session.leg(0.0, Side::Left).foot_pitch_rad();
//! assert!(rest.abs() < 1e-9);
//! ```

use nalgebra::{Rotation3, Vector3};

use super::body::{Anthropometry, BodyPose, LegPose, Motion, Side};
use super::labels::{Label, Labels};
use super::{smooth_step, Rng};

/// Degrees of inversion that come with each degree the foot is turned inward (and of eversion
/// with each degree outward) in `ankle_rotation`. The foot turns about the oblique subtalar
/// axis (about 42° up from the horizontal and 23° medial to the foot's long axis; Inman, *The
/// Joints of the Ankle*, 1976), so turning the foot in also tilts its sole inward; one half is
/// a round figure for that coupling.
const INVERSION_PER_TURN: f64 = 0.5;

/// Ball of the foot (the metatarsal heads) from the heel, as a share of the foot length: about
/// 0.72 (Winter 2009 places the metatarsal heads near 70–75 % of foot length). The foot pivots
/// there in a heel raise; the toes of the rigid foot dip below the floor there, as the model
/// has no toe joint.
const BALL_SHARE_OF_FOOT: f64 = 0.72;

/// Share of the amplitude an incomplete rep reaches, drawn uniformly from this range: clearly
/// below the prescribed range, yet well above fidgeting.
const INCOMPLETE_SCALE: (f64, f64) = (0.4, 0.7);

/// One exercise of the foot-drop home programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exercise {
    /// Seated towel stretch: the forefoot pulled up into dorsiflexion with a towel and held.
    TowelStretch,
    /// Resistance-band ankle flexion: dorsiflexion then plantarflexion, slowly, foot raised.
    AnkleFlexion,
    /// Ankle rotation: the foot turned inward and held, then outward and held.
    AnkleRotation,
    /// Assisted toe raise: standing, forefoot lifted with the heels on the ground.
    ToeRaise,
    /// Heel raise: standing, rise onto the toes and back down.
    HeelRaise,
    /// Ankle eversion: the outer edge of the foot lifted, the leg still.
    AnkleEversion,
}

/// A direction a rep moves the foot in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Dorsiflexion,
    Plantarflexion,
    Inward,
    Outward,
    Eversion,
}

impl Direction {
    /// The label name of the direction.
    fn name(self) -> &'static str {
        match self {
            Direction::Dorsiflexion => "dorsiflexion",
            Direction::Plantarflexion => "plantarflexion",
            Direction::Inward => "inward",
            Direction::Outward => "outward",
            Direction::Eversion => "eversion",
        }
    }

    /// The foot angles of this direction at `amplitude_rad`, for a foot on `side`.
    fn angles(self, amplitude_rad: f64, side: Side) -> FootAngles {
        // Turning or rolling towards the lateral side is +y for the left foot, −y for the
        // right: a positive rotation about z turns the left toes outward, a positive rotation
        // about x lifts the left foot's outer edge.
        let s = side.lateral_sign();
        let a = amplitude_rad;
        match self {
            Direction::Dorsiflexion => FootAngles::new(a, 0.0, 0.0),
            Direction::Plantarflexion => FootAngles::new(-a, 0.0, 0.0),
            Direction::Inward => FootAngles::new(0.0, -s * a, -s * INVERSION_PER_TURN * a),
            Direction::Outward => FootAngles::new(0.0, s * a, s * INVERSION_PER_TURN * a),
            Direction::Eversion => FootAngles::new(0.0, 0.0, s * a),
        }
    }
}

/// How the body is placed for an exercise.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Posture {
    /// Standing on both feet; the feet pivot about the heel (toes up) or the ball (heels up).
    Standing,
    /// Seated, the working foot on the floor, pivoting about the heel.
    SeatedFootDown,
    /// Seated, the working foot held `lift_m` off the floor, turning about the ankle.
    SeatedFootRaised {
        /// Height of the ankle above its floor position, m.
        lift_m: f64,
    },
}

impl Exercise {
    /// All six exercises, in the order of DESIGN.md.
    pub const ALL: [Exercise; 6] = [
        Exercise::TowelStretch,
        Exercise::AnkleFlexion,
        Exercise::AnkleRotation,
        Exercise::ToeRaise,
        Exercise::HeelRaise,
        Exercise::AnkleEversion,
    ];

    /// The snake_case name used by the CLI and the labels (`heel_raise`).
    pub fn name(self) -> &'static str {
        match self {
            Exercise::TowelStretch => "towel_stretch",
            Exercise::AnkleFlexion => "ankle_flexion",
            Exercise::AnkleRotation => "ankle_rotation",
            Exercise::ToeRaise => "toe_raise",
            Exercise::HeelRaise => "heel_raise",
            Exercise::AnkleEversion => "ankle_eversion",
        }
    }

    /// The exercise with this name (as [`Exercise::name`] gives it; case and surrounding
    /// spaces ignored, `-` accepted for `_`), or `None`.
    pub fn from_name(name: &str) -> Option<Exercise> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        Exercise::ALL.into_iter().find(|e| e.name() == wanted)
    }

    /// Whether the exercise is done standing (heel and toe raises) rather than seated.
    pub fn is_standing(self) -> bool {
        matches!(self, Exercise::ToeRaise | Exercise::HeelRaise)
    }

    /// Repetitions the programme prescribes: 3–5 towel stretches (4 by default), 10 of every
    /// other exercise.
    pub fn prescribed_reps(self) -> u32 {
        match self {
            Exercise::TowelStretch => 4,
            _ => 10,
        }
    }

    /// Hold the programme prescribes in each held direction, s: 30 for the towel stretch, 10
    /// each way for the rotation, none for the others.
    pub fn prescribed_hold_s(self) -> f64 {
        match self {
            Exercise::TowelStretch => 30.0,
            Exercise::AnkleRotation => 10.0,
            _ => 0.0,
        }
    }

    /// The label names of the directions one rep moves through, in order (`["inward",
    /// "outward"]` for the rotation); each is held for `hold_s` when holds are on.
    pub fn directions(self) -> Vec<&'static str> {
        self.moves().iter().map(|d| d.name()).collect()
    }

    /// The angle this exercise moves, from a leg pose, rad: the foot pitch (toes up positive)
    /// for towel stretch, ankle flexion, toe and heel raises; the heading of the foot's long
    /// axis (turned outward positive) for rotation; the elevation of the foot's lateral axis
    /// (outer edge up positive) for eversion. `side` is the side of the leg.
    pub fn angle_rad(self, leg: &LegPose, side: Side) -> f64 {
        match self {
            Exercise::AnkleRotation => {
                let x = leg.foot * Vector3::x();
                side.lateral_sign() * x.y.atan2(x.x)
            }
            Exercise::AnkleEversion => {
                let y = leg.foot * Vector3::y();
                side.lateral_sign() * y.z.clamp(-1.0, 1.0).asin()
            }
            _ => leg.foot_pitch_rad(),
        }
    }

    /// The directions of one rep.
    fn moves(self) -> &'static [Direction] {
        match self {
            Exercise::TowelStretch | Exercise::ToeRaise => &[Direction::Dorsiflexion],
            Exercise::AnkleFlexion => &[Direction::Dorsiflexion, Direction::Plantarflexion],
            Exercise::AnkleRotation => &[Direction::Inward, Direction::Outward],
            Exercise::HeelRaise => &[Direction::Plantarflexion],
            Exercise::AnkleEversion => &[Direction::Eversion],
        }
    }

    /// How the body is placed.
    fn posture(self) -> Posture {
        match self {
            Exercise::ToeRaise | Exercise::HeelRaise => Posture::Standing,
            Exercise::TowelStretch => Posture::SeatedFootDown,
            // Enough room for 18° of plantarflexion without the toes touching the floor.
            Exercise::AnkleFlexion => Posture::SeatedFootRaised { lift_m: 0.10 },
            // Room for the sole's edge to tilt 10–15° under the ankle.
            Exercise::AnkleRotation | Exercise::AnkleEversion => {
                Posture::SeatedFootRaised { lift_m: 0.04 }
            }
        }
    }
}

/// A parameter of [`ExerciseParams`] outside its valid range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid exercise parameter `{name}` = {value}: expected {expected}")]
pub struct InvalidExerciseParam {
    /// The parameter's field name.
    pub name: &'static str,
    /// The value given.
    pub value: f64,
    /// What was expected.
    pub expected: &'static str,
}

/// Parameters of a synthetic exercise session. [`ExerciseParams::new`] gives the programme's
/// prescription and a typical performance of the exercise; `Default` is a heel-raise set.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseParams {
    /// The exercise.
    pub exercise: Exercise,
    /// The working foot (standing exercises move both feet; the labels refer to this one).
    pub side: Side,
    /// Repetitions per set. Default: the prescription ([`Exercise::prescribed_reps`]).
    pub reps_per_set: u32,
    /// Sets. Default 1: the programme prescribes one bout per exercise.
    pub sets: u32,
    /// Rest between sets, s. Default 60 (a common one-minute rest; used when `sets` > 1).
    pub rest_between_sets_s: f64,
    /// Rest at the rest posture between reps, s, before any pause. Default 30 for the towel
    /// stretch (the programme's "relax 30 s"), 3 for the rotation, 2 for the slow band
    /// flexion, 1.5 for the others (a breath between counted reps).
    pub rest_between_reps_s: f64,
    /// Time spent moving in one rep, holds excluded, s (out and back; for two directions,
    /// shared in proportion to the angle travelled). Default 6 for the towel stretch (3 s to
    /// pull, 3 s to release), 6 for the "slow" band flexion, 4 for the rotation, 3 for the
    /// raises and eversion (the usual count of "up two, down one"-style home exercise).
    pub rep_tempo_s: f64,
    /// Amplitude of a complete rep in its main angle, degrees: foot pitch change (heel raise
    /// 30°, which lifts the body about 6 cm; toe raise 18°; towel stretch 12° of passive
    /// dorsiflexion; band flexion ±18°), turn of the foot for the rotation (18°, with half as
    /// much inversion / eversion), lift of the outer edge for eversion (12°). Typical ranges
    /// of these exercises in healthy adults and in rehabilitation (see the issue brief).
    pub amplitude_deg: f64,
    /// Rep-to-rep variation of a complete rep's amplitude, as a share (uniform ±). Default
    /// 0.05: people repeat a range to within a few degrees.
    pub amplitude_variation: f64,
    /// Time each held direction is held, s. Default: the prescription
    /// ([`Exercise::prescribed_hold_s`]).
    pub hold_s: f64,
    /// Rep-to-rep variation of movement and hold times and rests, as a share (uniform ±).
    /// Default 0.1: people count seconds at their own pace.
    pub timing_variation: f64,
    /// Chance that a rep is incomplete: it reaches only 40–70 % of the amplitude and is
    /// labelled `complete = false`. Default 0.1 (a tired or distracted rep now and then).
    pub incomplete_fraction: f64,
    /// Chance of a pause after a rep (before the next one). Default 0.15.
    pub pause_chance: f64,
    /// Longest pause, s (lengths are uniform up to this). Default 5.
    pub max_pause_s: f64,
    /// Mean number of fidgets per minute of rest: small foot movements (a toe tap, a turn, a
    /// weight shift) of a second or so, between reps and sets. Default 3.
    pub fidgets_per_min: f64,
    /// Largest fidget, degrees; at most 0.35 of the amplitude so a fidget never looks like a
    /// rep. Default 3°, or a quarter of the amplitude if that is less.
    pub fidget_deg: f64,
    /// Slow drift of the rest posture, degrees (rest angles of a raised foot, turn of a foot
    /// on the floor, sway of the standing body), at most. Default 1°.
    pub drift_deg: f64,
    /// Slow drift of the working foot's rest position while seated (sliding on the floor or
    /// hovering), m, at most. Default 0.01.
    pub drift_m: f64,
    /// Rest before the first rep, s. Default 5.
    pub lead_in_s: f64,
    /// Rest after the last rep, s. Default 5.
    pub lead_out_s: f64,
    /// Body dimensions. Default: [`Anthropometry::default`].
    pub body: Anthropometry,
}

impl Default for ExerciseParams {
    fn default() -> Self {
        ExerciseParams::new(Exercise::HeelRaise)
    }
}

impl ExerciseParams {
    /// The prescription and a typical performance of `exercise`, on the left foot.
    pub fn new(exercise: Exercise) -> Self {
        let (rest_between_reps_s, rep_tempo_s, amplitude_deg) = match exercise {
            Exercise::TowelStretch => (30.0, 6.0, 12.0),
            Exercise::AnkleFlexion => (2.0, 6.0, 18.0),
            Exercise::AnkleRotation => (3.0, 4.0, 18.0),
            Exercise::ToeRaise => (1.5, 3.0, 18.0),
            Exercise::HeelRaise => (1.5, 3.0, 30.0),
            Exercise::AnkleEversion => (1.5, 3.0, 12.0),
        };
        ExerciseParams {
            exercise,
            side: Side::Left,
            reps_per_set: exercise.prescribed_reps(),
            sets: 1,
            rest_between_sets_s: 60.0,
            rest_between_reps_s,
            rep_tempo_s,
            amplitude_deg,
            amplitude_variation: 0.05,
            hold_s: exercise.prescribed_hold_s(),
            timing_variation: 0.1,
            incomplete_fraction: 0.1,
            pause_chance: 0.15,
            max_pause_s: 5.0,
            fidgets_per_min: 3.0,
            fidget_deg: (0.25 * amplitude_deg).min(3.0),
            drift_deg: 1.0,
            drift_m: 0.01,
            lead_in_s: 5.0,
            lead_out_s: 5.0,
            body: Anthropometry::default(),
        }
    }

    /// Check every parameter; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), InvalidExerciseParam> {
        let check = |name: &'static str, value: f64, lo: f64, hi: f64, expected: &'static str| {
            if value.is_finite() && (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(InvalidExerciseParam {
                    name,
                    value,
                    expected,
                })
            }
        };
        let reps = f64::from(self.reps_per_set);
        let sets = f64::from(self.sets);
        check("reps_per_set", reps, 1.0, 1000.0, "1 to 1000 reps")?;
        check("sets", sets, 1.0, 100.0, "1 to 100 sets")?;
        check(
            "rest_between_sets_s",
            self.rest_between_sets_s,
            0.0,
            3600.0,
            "0 to 3600 s",
        )?;
        check(
            "rest_between_reps_s",
            self.rest_between_reps_s,
            0.0,
            600.0,
            "0 to 600 s",
        )?;
        check("rep_tempo_s", self.rep_tempo_s, 0.5, 60.0, "0.5 to 60 s")?;
        check(
            "amplitude_deg",
            self.amplitude_deg,
            1.0,
            40.0,
            "1 to 40 degrees",
        )?;
        check(
            "amplitude_variation",
            self.amplitude_variation,
            0.0,
            0.3,
            "0 to 0.3",
        )?;
        check("hold_s", self.hold_s, 0.0, 600.0, "0 to 600 s")?;
        check(
            "timing_variation",
            self.timing_variation,
            0.0,
            0.5,
            "0 to 0.5",
        )?;
        check(
            "incomplete_fraction",
            self.incomplete_fraction,
            0.0,
            1.0,
            "0 to 1",
        )?;
        check("pause_chance", self.pause_chance, 0.0, 1.0, "0 to 1")?;
        check("max_pause_s", self.max_pause_s, 0.0, 600.0, "0 to 600 s")?;
        check(
            "fidgets_per_min",
            self.fidgets_per_min,
            0.0,
            30.0,
            "0 to 30 per minute",
        )?;
        check(
            "fidget_deg",
            self.fidget_deg,
            0.0,
            0.35 * self.amplitude_deg,
            "0 to 0.35 of amplitude_deg",
        )?;
        check("drift_deg", self.drift_deg, 0.0, 5.0, "0 to 5 degrees")?;
        check("drift_m", self.drift_m, 0.0, 0.05, "0 to 0.05 m")?;
        check("lead_in_s", self.lead_in_s, 0.0, 600.0, "0 to 600 s")?;
        check("lead_out_s", self.lead_out_s, 0.0, 600.0, "0 to 600 s")?;
        Ok(())
    }

    /// A copy with every value forced into its valid range (non-finite values become the
    /// range's lower end), so that generation never fails or runs away on bad input.
    fn sanitized(&self) -> ExerciseParams {
        let c = |v: f64, lo: f64, hi: f64| if v.is_finite() { v.clamp(lo, hi) } else { lo };
        let amplitude_deg = c(self.amplitude_deg, 1.0, 40.0);
        ExerciseParams {
            exercise: self.exercise,
            side: self.side,
            reps_per_set: self.reps_per_set.clamp(1, 1000),
            sets: self.sets.clamp(1, 100),
            rest_between_sets_s: c(self.rest_between_sets_s, 0.0, 3600.0),
            rest_between_reps_s: c(self.rest_between_reps_s, 0.0, 600.0),
            rep_tempo_s: c(self.rep_tempo_s, 0.5, 60.0),
            amplitude_deg,
            amplitude_variation: c(self.amplitude_variation, 0.0, 0.3),
            hold_s: c(self.hold_s, 0.0, 600.0),
            timing_variation: c(self.timing_variation, 0.0, 0.5),
            incomplete_fraction: c(self.incomplete_fraction, 0.0, 1.0),
            pause_chance: c(self.pause_chance, 0.0, 1.0),
            max_pause_s: c(self.max_pause_s, 0.0, 600.0),
            fidgets_per_min: c(self.fidgets_per_min, 0.0, 30.0),
            fidget_deg: c(self.fidget_deg, 0.0, 0.35 * amplitude_deg),
            drift_deg: c(self.drift_deg, 0.0, 5.0),
            drift_m: c(self.drift_m, 0.0, 0.05),
            lead_in_s: c(self.lead_in_s, 0.0, 600.0),
            lead_out_s: c(self.lead_out_s, 0.0, 600.0),
            body: self.body,
        }
    }
}

/// Orientation angles of a foot relative to the foot flat and pointing forward, rad.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct FootAngles {
    /// Toes up positive.
    pitch_rad: f64,
    /// Rotation about the vertical, toes to the left positive.
    yaw_rad: f64,
    /// Rotation about the foot's long axis, left edge up positive.
    roll_rad: f64,
}

impl FootAngles {
    fn new(pitch_rad: f64, yaw_rad: f64, roll_rad: f64) -> Self {
        FootAngles {
            pitch_rad,
            yaw_rad,
            roll_rad,
        }
    }

    fn plus(self, o: FootAngles) -> FootAngles {
        FootAngles::new(
            self.pitch_rad + o.pitch_rad,
            self.yaw_rad + o.yaw_rad,
            self.roll_rad + o.roll_rad,
        )
    }

    fn scaled(self, k: f64) -> FootAngles {
        FootAngles::new(self.pitch_rad * k, self.yaw_rad * k, self.roll_rad * k)
    }

    /// The largest of the three angles, in magnitude.
    fn size(self) -> f64 {
        self.pitch_rad
            .abs()
            .max(self.yaw_rad.abs())
            .max(self.roll_rad.abs())
    }

    /// The foot's orientation: `Rz(yaw) · Ry(−pitch) · Rx(roll)`.
    fn rotation(self) -> Rotation3<f64> {
        Rotation3::from_euler_angles(self.roll_rad, -self.pitch_rad, self.yaw_rad)
    }
}

/// A movement away from rest and back: key poses joined by smooth steps (two equal keys in a
/// row make a hold). The first and last keys are the rest pose (zero angles).
#[derive(Debug, Clone)]
struct Track {
    keys: Vec<(f64, FootAngles)>,
}

impl Track {
    fn start_s(&self) -> f64 {
        self.keys.first().map_or(0.0, |k| k.0)
    }

    fn end_s(&self) -> f64 {
        self.keys.last().map_or(0.0, |k| k.0)
    }

    /// The angles at `t_s` (zero outside the track).
    fn at(&self, t_s: f64) -> FootAngles {
        for w in self.keys.windows(2) {
            let ((t0, a0), (t1, a1)) = (w[0], w[1]);
            if t_s >= t0 && t_s <= t1 {
                let u = if t1 > t0 {
                    smooth_step((t_s - t0) / (t1 - t0))
                } else {
                    1.0
                };
                return a0.scaled(1.0 - u).plus(a1.scaled(u));
            }
        }
        FootAngles::default()
    }
}

/// A slow, smooth wandering: the sum of three sinusoids with periods of 2–7 minutes and
/// random phases, never larger than its amplitude.
#[derive(Debug, Clone)]
struct Drift {
    /// Amplitude, angular frequency (rad/s), phase (rad) of each term.
    terms: [(f64, f64, f64); 3],
}

impl Drift {
    fn new(rng: &mut Rng, amplitude: f64) -> Self {
        let mut term = || {
            let period_s = 120.0 + 300.0 * rng.uniform();
            let phase = std::f64::consts::TAU * rng.uniform();
            (amplitude / 3.0, std::f64::consts::TAU / period_s, phase)
        };
        Drift {
            terms: [term(), term(), term()],
        }
    }

    fn at(&self, t_s: f64) -> f64 {
        self.terms
            .iter()
            .map(|&(a, w, p)| a * (w * t_s + p).sin())
            .sum()
    }
}

/// A synthetic exercise session: the body's motion over time. Make one with [`generate`].
#[derive(Debug, Clone)]
pub struct ExerciseSession {
    params: ExerciseParams,
    /// Reps and fidgets of the working foot, sorted by start, never overlapping.
    tracks: Vec<Track>,
    /// Slow drifts: rest pitch, yaw, roll (rad), rest position x, y, z (m).
    drift: [Drift; 6],
    duration_s: f64,
}

/// Uniform in [lo, hi).
fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.uniform()
}

/// A factor in [1 − v, 1 + v].
fn vary(rng: &mut Rng, v: f64) -> f64 {
    uniform(rng, 1.0 - v, 1.0 + v)
}

/// Build a session and its labels from `params` (forced into their valid ranges; see
/// [`ExerciseParams::validate`]). The same parameters and seed give the same session.
pub fn generate(params: &ExerciseParams, seed: u64) -> (ExerciseSession, Labels) {
    let p = params.sanitized();
    let mut rng = Rng::new(seed);
    let side = p.side;
    let exercise = p.exercise;
    let amplitude_rad = p.amplitude_deg.to_radians();
    let v = p.timing_variation;

    let mut items = Vec::new();
    let mut reps: Vec<Track> = Vec::new();
    let mut rep_index = 0u32;
    let mut t = p.lead_in_s;
    for set in 0..p.sets {
        if set > 0 {
            t += p.rest_between_sets_s * vary(&mut rng, v);
        }
        let set_label_at = items.len();
        let set_start_s = t;
        for r in 0..p.reps_per_set {
            if r > 0 {
                t += p.rest_between_reps_s * vary(&mut rng, v);
                if rng.uniform() < p.pause_chance {
                    t += p.max_pause_s * rng.uniform();
                }
            }
            rep_index += 1;
            let complete = rng.uniform() >= p.incomplete_fraction;
            let scale = if complete {
                vary(&mut rng, p.amplitude_variation)
            } else {
                uniform(&mut rng, INCOMPLETE_SCALE.0, INCOMPLETE_SCALE.1)
            };
            // The path: rest, each direction in turn, rest; moving time shared in proportion
            // to the angle travelled.
            let targets: Vec<(Direction, FootAngles)> = exercise
                .moves()
                .iter()
                .map(|&d| (d, d.angles(amplitude_rad * scale, side)))
                .collect();
            let mut path = vec![FootAngles::default()];
            path.extend(targets.iter().map(|x| x.1));
            path.push(FootAngles::default());
            let travel: Vec<f64> = path
                .windows(2)
                .map(|w| w[1].plus(w[0].scaled(-1.0)).size())
                .collect();
            let total_travel: f64 = travel.iter().sum::<f64>().max(1e-12);
            let tempo_s = p.rep_tempo_s * vary(&mut rng, v);

            let start_s = t;
            let mut keys = vec![(t, FootAngles::default())];
            let mut holds = Vec::new();
            let mut peak_s = None;
            let mut held_s = 0.0;
            for (i, (direction, angles)) in targets.iter().enumerate() {
                t += tempo_s * travel[i] / total_travel;
                keys.push((t, *angles));
                if p.hold_s > 0.0 {
                    let hold_s = p.hold_s * vary(&mut rng, v);
                    holds.push(Label::Hold {
                        rep: rep_index,
                        direction: direction.name().to_string(),
                        start_s: t,
                        end_s: t + hold_s,
                    });
                    peak_s.get_or_insert(t + hold_s / 2.0);
                    t += hold_s;
                    held_s += hold_s;
                    keys.push((t, *angles));
                } else {
                    peak_s.get_or_insert(t);
                }
            }
            t += tempo_s * travel[targets.len()] / total_travel;
            keys.push((t, FootAngles::default()));
            items.push(Label::Rep {
                index: rep_index,
                exercise: exercise.name().to_string(),
                start_s,
                peak_s: peak_s.unwrap_or(start_s),
                end_s: t,
                hold_s: held_s,
                complete,
            });
            items.extend(holds);
            reps.push(Track { keys });
        }
        items.insert(
            set_label_at,
            Label::Set {
                index: set + 1,
                start_s: set_start_s,
                end_s: t,
                count: p.reps_per_set,
            },
        );
    }
    let duration_s = t + p.lead_out_s;

    let fidgets = place_fidgets(&p, &reps, duration_s, &mut rng);
    let mut tracks = reps;
    tracks.extend(fidgets);
    tracks.sort_by(|a, b| a.start_s().total_cmp(&b.start_s()));

    let angle = p.drift_deg.to_radians();
    let drift = [
        Drift::new(&mut rng, angle),
        Drift::new(&mut rng, angle),
        Drift::new(&mut rng, angle),
        Drift::new(&mut rng, p.drift_m),
        Drift::new(&mut rng, p.drift_m),
        Drift::new(&mut rng, p.drift_m / 2.0),
    ];
    let session = ExerciseSession {
        params: p,
        tracks,
        drift,
        duration_s,
    };
    (session, Labels { items })
}

/// Small foot movements in the rests between reps (and before, after and between sets),
/// kept 0.5 s clear of the reps.
fn place_fidgets(p: &ExerciseParams, reps: &[Track], duration_s: f64, rng: &mut Rng) -> Vec<Track> {
    const MARGIN_S: f64 = 0.5;
    let mut gaps = Vec::with_capacity(reps.len() + 1);
    let mut previous_end_s = 0.0;
    for rep in reps {
        gaps.push((previous_end_s, rep.start_s()));
        previous_end_s = rep.end_s();
    }
    gaps.push((previous_end_s, duration_s));

    let posture = p.exercise.posture();
    let max_rad = p.fidget_deg.to_radians();
    let mut fidgets = Vec::new();
    for (a, b) in gaps {
        let (a, b) = (a + MARGIN_S, b - MARGIN_S);
        let len = b - a;
        if len <= 0.0 || max_rad <= 0.0 {
            continue;
        }
        let expected = p.fidgets_per_min * len / 60.0;
        let count = expected.floor() as usize + usize::from(rng.uniform() < expected.fract());
        if count == 0 {
            continue;
        }
        // One fidget per equal slot of the gap, so they never overlap.
        let slot = len / count as f64;
        for k in 0..count {
            let d = uniform(rng, 0.6, 1.5).min(slot - 0.1);
            if d < 0.4 {
                continue;
            }
            let start_s = a + k as f64 * slot + (slot - d) * rng.uniform();
            let size = max_rad * uniform(rng, 0.3, 1.0);
            let sign = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
            let axis = rng.uniform();
            let angles = match posture {
                // A weight shift onto the heels or the balls of the feet.
                Posture::Standing => FootAngles::new(sign * size, 0.0, 0.0),
                // A toe tap or a turn of the foot on its heel.
                Posture::SeatedFootDown if axis < 0.5 => FootAngles::new(size, 0.0, 0.0),
                Posture::SeatedFootDown => FootAngles::new(0.0, sign * size, 0.0),
                // Any small wiggle of the raised foot.
                Posture::SeatedFootRaised { .. } if axis < 1.0 / 3.0 => {
                    FootAngles::new(sign * size, 0.0, 0.0)
                }
                Posture::SeatedFootRaised { .. } if axis < 2.0 / 3.0 => {
                    FootAngles::new(0.0, sign * size, 0.0)
                }
                Posture::SeatedFootRaised { .. } => FootAngles::new(0.0, 0.0, sign * size),
            };
            fidgets.push(Track {
                keys: vec![
                    (start_s, FootAngles::default()),
                    (start_s + d / 2.0, angles),
                    (start_s + d, FootAngles::default()),
                ],
            });
        }
    }
    fidgets
}

/// The knee between `hip` and `ankle` for a thigh and shank of the given lengths, bending
/// towards `pole` (two-link inverse kinematics). A leg too short to reach is kept straight.
fn knee_between(
    hip: Vector3<f64>,
    ankle: Vector3<f64>,
    thigh_m: f64,
    shank_m: f64,
    pole: Vector3<f64>,
) -> Vector3<f64> {
    let to_ankle = ankle - hip;
    let d = to_ankle.norm().max(1e-9);
    let u = to_ankle / d;
    let along = (thigh_m * thigh_m - shank_m * shank_m + d * d) / (2.0 * d);
    let across = (thigh_m * thigh_m - along * along).max(0.0).sqrt();
    let perp = pole - u * pole.dot(&u);
    let perp = perp.try_normalize(1e-12).unwrap_or_else(Vector3::z);
    hip + u * along + perp * across
}

/// The rotation taking `rest` (a segment orientation) so that its z axis points along `dir`,
/// by the smallest turn.
fn aim_z(rest: Rotation3<f64>, dir: Vector3<f64>) -> Rotation3<f64> {
    let from = rest * Vector3::z();
    Rotation3::rotation_between(&from, &dir).unwrap_or_else(Rotation3::identity) * rest
}

impl ExerciseSession {
    /// The (validated) parameters the session was made with.
    pub fn params(&self) -> &ExerciseParams {
        &self.params
    }

    /// The working foot's movement away from its rest posture at `t_s` (reps and fidgets).
    fn excursion(&self, t_s: f64) -> FootAngles {
        let i = self.tracks.partition_point(|tr| tr.start_s() <= t_s);
        match i.checked_sub(1).and_then(|k| self.tracks.get(k)) {
            Some(track) if t_s <= track.end_s() => track.at(t_s),
            _ => FootAngles::default(),
        }
    }

    /// One leg at `t_s`; with `moving` false, the rest posture only (drift, no reps or
    /// fidgets).
    fn leg_at(&self, t_s: f64, side: Side, moving: bool) -> LegPose {
        let body = &self.params.body;
        let y = side.lateral_sign() * body.hip_width_m / 2.0;
        let ankle_in_foot = body.ankle_in_foot_m;
        let ball_in_foot = Vector3::new(BALL_SHARE_OF_FOOT * body.foot_m, 0.0, 0.0);
        let toe_in_foot = Vector3::new(body.foot_m, 0.0, 0.0);
        let excursion = if moving {
            self.excursion(t_s)
        } else {
            FootAngles::default()
        };
        let d = |k: usize| self.drift[k].at(t_s);

        // The foot: its angles, a pivot point in the foot frame and where that point is.
        let working = side == self.params.side;
        let posture = self.params.exercise.posture();
        let (angles, pivot_in_foot, pivot) = match posture {
            Posture::Standing => {
                let heel_rest = Vector3::new(-ankle_in_foot.x, y, 0.0);
                let pivot_in_foot = if excursion.pitch_rad > 0.0 {
                    Vector3::zeros()
                } else {
                    ball_in_foot
                };
                (excursion, pivot_in_foot, heel_rest + pivot_in_foot)
            }
            _ if !working => (
                FootAngles::default(),
                Vector3::zeros(),
                Vector3::new(body.thigh_m - ankle_in_foot.x, y, 0.0),
            ),
            Posture::SeatedFootDown => (
                FootAngles::new(0.0, d(1), 0.0).plus(excursion),
                Vector3::zeros(),
                Vector3::new(body.thigh_m - ankle_in_foot.x + d(3), y + d(4), 0.0),
            ),
            Posture::SeatedFootRaised { lift_m } => (
                FootAngles::new(d(0), d(1), d(2)).plus(excursion),
                ankle_in_foot,
                Vector3::new(
                    body.thigh_m + d(3),
                    y + d(4),
                    ankle_in_foot.z + lift_m + d(5),
                ),
            ),
        };
        let foot = angles.rotation();
        let heel = pivot - foot * pivot_in_foot;
        let ankle = heel + foot * ankle_in_foot;
        let toe = heel + foot * toe_in_foot;

        // The leg above the ankle.
        if posture == Posture::Standing {
            // Straight legs swaying slowly about the ankles.
            let lean = Rotation3::from_euler_angles(0.5 * d(2), 0.5 * d(0), 0.0);
            let knee = ankle + lean * Vector3::new(0.0, 0.0, body.shank_m);
            let hip = knee + lean * Vector3::new(0.0, 0.0, body.thigh_m);
            LegPose {
                hip,
                knee,
                ankle,
                heel,
                toe,
                thigh: lean,
                shank: lean,
                foot,
            }
        } else {
            // Seated: the hip on the chair, thigh horizontal and shank vertical at rest.
            let hip = Vector3::new(0.0, y, ankle_in_foot.z + body.shank_m);
            let pole = Vector3::new(1.0, 0.0, 1.0);
            let knee = knee_between(hip, ankle, body.thigh_m, body.shank_m, pole);
            // Thigh frame at rest: z from knee to hip (backwards), x anterior (up).
            let thigh_rest =
                Rotation3::from_axis_angle(&Vector3::y_axis(), -std::f64::consts::FRAC_PI_2);
            LegPose {
                hip,
                knee,
                ankle,
                heel,
                toe,
                thigh: aim_z(thigh_rest, hip - knee),
                shank: aim_z(Rotation3::identity(), knee - ankle),
                foot,
            }
        }
    }
}

impl Motion for ExerciseSession {
    fn pose(&self, t_s: f64) -> BodyPose {
        let legs = [self.leg(t_s, Side::Left), self.leg(t_s, Side::Right)];
        self.params.body.body_pose(legs, Rotation3::identity(), 0.0)
    }

    fn duration_s(&self) -> f64 {
        self.duration_s
    }

    fn leg(&self, t_s: f64, side: Side) -> LegPose {
        self.leg_at(t_s, side, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::imu::{simulate, Placement, SensorErrors};
    use crate::STANDARD_GRAVITY_MPS2;

    struct Rep {
        index: u32,
        start_s: f64,
        peak_s: f64,
        end_s: f64,
        hold_s: f64,
        complete: bool,
    }

    fn reps(labels: &Labels) -> Vec<Rep> {
        labels
            .items
            .iter()
            .filter_map(|l| match l {
                Label::Rep {
                    index,
                    start_s,
                    peak_s,
                    end_s,
                    hold_s,
                    complete,
                    ..
                } => Some(Rep {
                    index: *index,
                    start_s: *start_s,
                    peak_s: *peak_s,
                    end_s: *end_s,
                    hold_s: *hold_s,
                    complete: *complete,
                }),
                _ => None,
            })
            .collect()
    }

    /// (rep, direction, start, end) of every hold.
    fn holds(labels: &Labels) -> Vec<(u32, String, f64, f64)> {
        labels
            .items
            .iter()
            .filter_map(|l| match l {
                Label::Hold {
                    rep,
                    direction,
                    start_s,
                    end_s,
                } => Some((*rep, direction.clone(), *start_s, *end_s)),
                _ => None,
            })
            .collect()
    }

    /// (start, end, count) of every set.
    fn sets(labels: &Labels) -> Vec<(f64, f64, u32)> {
        labels
            .items
            .iter()
            .filter_map(|l| match l {
                Label::Set {
                    start_s,
                    end_s,
                    count,
                    ..
                } => Some((*start_s, *end_s, *count)),
                _ => None,
            })
            .collect()
    }

    /// The exercise's angle at `t_s` minus the same angle of the rest posture at `t_s`, rad.
    fn excursion_rad(session: &ExerciseSession, t_s: f64) -> f64 {
        let p = session.params();
        let moving = session.leg_at(t_s, p.side, true);
        let rest = session.leg_at(t_s, p.side, false);
        p.exercise.angle_rad(&moving, p.side) - p.exercise.angle_rad(&rest, p.side)
    }

    #[test]
    fn names_round_trip() {
        for ex in Exercise::ALL {
            assert_eq!(Exercise::from_name(ex.name()), Some(ex));
        }
        assert_eq!(
            Exercise::from_name(" Heel-Raise "),
            Some(Exercise::HeelRaise)
        );
        assert_eq!(Exercise::from_name("squat"), None);
        assert_eq!(ExerciseParams::default().exercise, Exercise::HeelRaise);
    }

    #[test]
    fn labels_match_the_prescription() {
        for ex in Exercise::ALL {
            let params = ExerciseParams::new(ex);
            assert_eq!(params.validate(), Ok(()), "{}", ex.name());
            for seed in 1..=3 {
                let (session, labels) = generate(&params, seed);
                let what = format!("{} seed {seed}", ex.name());
                let reps = reps(&labels);
                let holds = holds(&labels);
                assert_eq!(reps.len() as u32, ex.prescribed_reps(), "{what}");
                let held = if ex.prescribed_hold_s() > 0.0 {
                    ex.directions().len()
                } else {
                    0
                };
                assert_eq!(holds.len(), reps.len() * held, "{what}");
                let last_end_s = reps.last().map_or(0.0, |r| r.end_s);
                let expected = vec![(reps[0].start_s, last_end_s, ex.prescribed_reps())];
                assert_eq!(sets(&labels), expected, "{what}");
                let mut previous_end_s = 0.0;
                for (k, rep) in reps.iter().enumerate() {
                    assert_eq!(rep.index as usize, k + 1, "{what}");
                    assert!(rep.start_s > previous_end_s, "{what}: rep {}", rep.index);
                    assert!(rep.start_s < rep.peak_s && rep.peak_s < rep.end_s, "{what}");
                    let in_rep: f64 = holds
                        .iter()
                        .filter(|h| h.0 == rep.index)
                        .map(|h| h.3 - h.2)
                        .sum();
                    assert!((rep.hold_s - in_rep).abs() < 1e-9, "{what}");
                    previous_end_s = rep.end_s;
                }
                assert!(session.duration_s() > previous_end_s, "{what}");
                let csv = labels.to_csv();
                let back = Labels::from_csv(&csv).expect("labels parse");
                assert_eq!(back.items.len(), labels.items.len(), "{what}");
            }
        }
    }

    #[test]
    fn reps_lie_within_their_sets() {
        for ex in Exercise::ALL {
            let mut params = ExerciseParams::new(ex);
            params.sets = 3;
            params.reps_per_set = 4;
            for seed in 1..=2 {
                let (_, labels) = generate(&params, seed);
                let what = format!("{} seed {seed}", ex.name());
                let sets = sets(&labels);
                let reps = reps(&labels);
                assert_eq!(sets.len(), 3, "{what}");
                assert_eq!(reps.len(), 12, "{what}");
                for w in sets.windows(2) {
                    let rest_s = w[1].0 - w[0].1;
                    assert!(rest_s >= params.rest_between_sets_s * 0.9 - 1e-9, "{what}");
                }
                for &(start_s, end_s, count) in &sets {
                    let inside = reps
                        .iter()
                        .filter(|r| r.start_s >= start_s && r.end_s <= end_s)
                        .count();
                    assert_eq!(inside as u32, count, "{what}");
                    assert!(reps.iter().any(|r| r.start_s == start_s), "{what}");
                    assert!(reps.iter().any(|r| r.end_s == end_s), "{what}");
                }
            }
        }
    }

    #[test]
    fn holds_last_the_prescribed_time() {
        for ex in [Exercise::TowelStretch, Exercise::AnkleRotation] {
            let params = ExerciseParams::new(ex);
            for seed in 1..=3 {
                let (session, labels) = generate(&params, seed);
                let what = format!("{} seed {seed}", ex.name());
                let reps = reps(&labels);
                let holds = holds(&labels);
                let directions = ex.directions();
                for (k, (rep, direction, start_s, end_s)) in holds.iter().enumerate() {
                    let duration_s = end_s - start_s;
                    let allowed_s = params.timing_variation * params.hold_s + 1e-9;
                    assert!((duration_s - params.hold_s).abs() <= allowed_s, "{what}");
                    assert_eq!(direction, directions[k % directions.len()], "{what}");
                    let r = &reps[*rep as usize - 1];
                    assert!(*start_s > r.start_s && *end_s < r.end_s, "{what}");
                    // Still during the hold: the angle stays at its held value.
                    let a = excursion_rad(&session, start_s + 0.01);
                    let b = excursion_rad(&session, end_s - 0.01);
                    assert!((a - b).abs() < 1e-9 && a.abs() > 0.05, "{what}");
                }
                // The peak is the middle of the first hold.
                for r in &reps {
                    let first = holds.iter().find(|h| h.0 == r.index).expect("a hold");
                    assert!(
                        (r.peak_s - (first.2 + first.3) / 2.0).abs() < 1e-9,
                        "{what}"
                    );
                }
                // Relax between reps: at least the rest, less its timing variation.
                for w in reps.windows(2) {
                    let relax_s = w[1].start_s - w[0].end_s;
                    let least_s = params.rest_between_reps_s * (1.0 - params.timing_variation);
                    assert!(relax_s >= least_s - 1e-9, "{what}");
                    let most_s = params.rest_between_reps_s * (1.0 + params.timing_variation)
                        + params.max_pause_s;
                    assert!(relax_s <= most_s + 1e-9, "{what}");
                }
            }
        }
    }

    #[test]
    fn motion_is_continuous_and_keeps_segment_lengths() {
        for ex in Exercise::ALL {
            let (session, _) = generate(&ExerciseParams::new(ex), 1);
            let body = Anthropometry::default();
            let what = ex.name();
            let mut t = 0.0;
            while t + 0.001 <= session.duration_s() {
                let (a, b) = (session.pose(t), session.pose(t + 0.001));
                for (la, lb) in a.legs.iter().zip(&b.legs) {
                    for (pa, pb) in [
                        (la.hip, lb.hip),
                        (la.knee, lb.knee),
                        (la.ankle, lb.ankle),
                        (la.heel, lb.heel),
                        (la.toe, lb.toe),
                    ] {
                        assert!((pa - pb).norm() < 1e-3, "{what} at {t}");
                    }
                    assert!((la.foot.angle_to(&lb.foot)) < 1e-2, "{what} at {t}");
                }
                assert!((a.nose - b.nose).norm() < 1e-3, "{what} at {t}");
                for leg in &a.legs {
                    assert!(
                        ((leg.hip - leg.knee).norm() - body.thigh_m).abs() < 1e-9,
                        "{what}"
                    );
                    assert!(
                        ((leg.knee - leg.ankle).norm() - body.shank_m).abs() < 1e-9,
                        "{what}"
                    );
                    assert!(
                        ((leg.toe - leg.heel).norm() - body.foot_m).abs() < 1e-9,
                        "{what}"
                    );
                    let ankle = leg.heel + leg.foot * body.ankle_in_foot_m;
                    assert!((ankle - leg.ankle).norm() < 1e-9, "{what}");
                    let shank_z = (leg.knee - leg.ankle).normalize();
                    assert!((leg.shank * Vector3::z() - shank_z).norm() < 1e-9, "{what}");
                    let thigh_z = (leg.hip - leg.knee).normalize();
                    assert!((leg.thigh * Vector3::z() - thigh_z).norm() < 1e-9, "{what}");
                    assert!(leg.heel.z > -1e-9, "{what}: heel below the floor at {t}");
                    if !ex.is_standing() {
                        assert!(leg.toe.z > -1e-9, "{what}: toe below the floor at {t}");
                    }
                }
                t += 0.02;
            }
        }
    }

    #[test]
    fn peaks_reach_the_amplitude_and_incomplete_reps_fall_short() {
        for ex in Exercise::ALL {
            let mut params = ExerciseParams::new(ex);
            params.incomplete_fraction = 0.3;
            let amplitude_rad = params.amplitude_deg.to_radians();
            let mut incomplete = 0;
            for seed in 1..=4 {
                let (session, labels) = generate(&params, seed);
                for r in reps(&labels) {
                    let what = format!("{} seed {seed} rep {}", ex.name(), r.index);
                    let peak = excursion_rad(&session, r.peak_s).abs();
                    if r.complete {
                        assert!(
                            (peak - amplitude_rad).abs() <= 0.1 * amplitude_rad,
                            "{what}"
                        );
                    } else {
                        incomplete += 1;
                        assert!(peak <= 0.75 * amplitude_rad, "{what}: {peak}");
                        assert!(peak >= 0.35 * amplitude_rad, "{what}: {peak}");
                    }
                    // Nothing in the rep goes further than its peak; it starts and ends at rest.
                    let mut t = r.start_s;
                    while t <= r.end_s {
                        assert!(excursion_rad(&session, t).abs() <= peak + 1e-9, "{what}");
                        t += 0.05;
                    }
                    assert!(excursion_rad(&session, r.start_s).abs() < 1e-12, "{what}");
                    assert!(excursion_rad(&session, r.end_s).abs() < 1e-12, "{what}");
                }
            }
            assert!(incomplete > 0, "{}: no incomplete reps drawn", ex.name());
        }
    }

    #[test]
    fn standing_raises_move_the_body_as_expected() {
        let (session, labels) = generate(&ExerciseParams::new(Exercise::HeelRaise), 3);
        for r in reps(&labels).iter().filter(|r| r.complete) {
            let rise_m = session.pose(r.peak_s).pelvis().z - session.pose(r.start_s).pelvis().z;
            assert!(
                (0.05..=0.08).contains(&rise_m),
                "heel raise lifts the body {rise_m} m"
            );
            let leg = session.leg(r.peak_s, Side::Right);
            assert!(leg.heel.z > 0.07, "both heels rise");
        }
        let (session, labels) = generate(&ExerciseParams::new(Exercise::ToeRaise), 3);
        for r in reps(&labels) {
            for side in Side::BOTH {
                let leg = session.leg(r.peak_s, side);
                assert!(leg.heel.z.abs() < 1e-9, "heels stay down in a toe raise");
                assert!(leg.toe.z > 0.05, "toes rise");
            }
        }
    }

    #[test]
    fn rotation_and_eversion_turn_the_foot_the_right_way() {
        for side in Side::BOTH {
            let mut params = ExerciseParams::new(Exercise::AnkleRotation);
            params.side = side;
            params.incomplete_fraction = 0.0;
            let (session, labels) = generate(&params, 5);
            let holds = holds(&labels);
            let s = side.lateral_sign();
            for (_, direction, start_s, end_s) in holds {
                let leg = session.leg((start_s + end_s) / 2.0, side);
                let toes_lateral_m = s * (leg.toe.y - leg.heel.y);
                let eversion = Exercise::AnkleEversion.angle_rad(&leg, side);
                if direction == "inward" {
                    assert!(toes_lateral_m < -0.05, "{}: toes turn in", side.name());
                    assert!(eversion < -0.1, "{}: sole turns in", side.name());
                } else {
                    assert!(toes_lateral_m > 0.05, "{}: toes turn out", side.name());
                    assert!(eversion > 0.1, "{}: sole turns out", side.name());
                }
                // The other leg does not move.
                let other = if side == Side::Left {
                    Side::Right
                } else {
                    Side::Left
                };
                let still = session.leg(start_s, other);
                assert!((session.leg(end_s, other).toe - still.toe).norm() < 1e-12);
            }
            let mut params = ExerciseParams::new(Exercise::AnkleEversion);
            params.side = side;
            let (session, labels) = generate(&params, 5);
            for r in reps(&labels) {
                let leg = session.leg(r.peak_s, side);
                // The outer edge of the sole rises above the inner edge.
                let outer = leg.heel + leg.foot * Vector3::new(0.1, s * 0.04, 0.0);
                let inner = leg.heel + leg.foot * Vector3::new(0.1, -s * 0.04, 0.0);
                assert!(outer.z - inner.z > 0.01, "{}: outer edge up", side.name());
                // The leg is still: the knee does not move during eversion.
                let knee = session.leg(r.start_s, side).knee;
                assert!(
                    (leg.knee - knee).norm() < 2e-3,
                    "{}: knee still",
                    side.name()
                );
            }
        }
    }

    #[test]
    fn still_foot_sensor_reads_gravity() {
        for ex in Exercise::ALL {
            let params = ExerciseParams::new(ex);
            let (session, _) = generate(&params, 2);
            let place = Placement::foot(params.side);
            let rec = simulate(&session, &[place], 50.0, &SensorErrors::none(), 1);
            let (acc, gyro) = (&rec.sensors[0].acc_mps2, &rec.sensors[0].gyro_rads);
            let mut still = 0;
            let mut moving_max = 0.0f64;
            for (i, &t) in rec.time_s.iter().enumerate() {
                let near_movement = session
                    .tracks
                    .iter()
                    .any(|tr| t > tr.start_s() - 0.3 && t < tr.end_s() + 0.3);
                if near_movement {
                    moving_max = moving_max.max(gyro[i].norm());
                    continue;
                }
                still += 1;
                let f = acc[i].norm();
                assert!(
                    (f - STANDARD_GRAVITY_MPS2).abs() < 0.01,
                    "{}: |f| {f} at {t}",
                    ex.name()
                );
                assert!(
                    gyro[i].norm() < 1e-3,
                    "{}: still foot turning at {t}",
                    ex.name()
                );
            }
            assert!(still > 5 * 50, "{}: only {still} still samples", ex.name());
            assert!(
                moving_max > 0.1,
                "{}: reps show on the gyroscope",
                ex.name()
            );
        }
    }

    #[test]
    fn heel_raise_imu_csv_reads_back() {
        let (session, _) = generate(&ExerciseParams::new(Exercise::HeelRaise), 11);
        let places = [Placement::foot(Side::Left), Placement::foot(Side::Right)];
        let rec = simulate(&session, &places, 100.0, &SensorErrors::default(), 11);
        let csv = rec.to_csv();
        let read = crate::io::read_bytes("heel_raise.csv", csv.as_bytes(), &Default::default())
            .expect("the reader takes the simulated CSV");
        assert_eq!(read.imus.len(), 2);
        assert!((read.sampling_rate_hz - 100.0).abs() < 1e-6);
        assert!(read.n_samples.abs_diff(rec.time_s.len()) <= 1);
    }

    #[test]
    fn the_same_seed_gives_the_same_session() {
        for ex in Exercise::ALL {
            let params = ExerciseParams::new(ex);
            let (a, la) = generate(&params, 9);
            let (b, lb) = generate(&params, 9);
            let (_, lc) = generate(&params, 10);
            assert_eq!(la, lb);
            assert_ne!(la, lc);
            for k in 0..50 {
                let t = a.duration_s() * k as f64 / 50.0;
                assert_eq!(a.pose(t), b.pose(t));
            }
        }
    }

    #[test]
    fn bad_parameters_are_named_and_never_panic() {
        let mut params = ExerciseParams::new(Exercise::AnkleFlexion);
        params.amplitude_deg = f64::NAN;
        let err = params.validate().expect_err("NaN amplitude is refused");
        assert_eq!(err.name, "amplitude_deg");
        let mut params = ExerciseParams::new(Exercise::TowelStretch);
        params.fidget_deg = 10.0;
        assert_eq!(params.validate().map_err(|e| e.name), Err("fidget_deg"));
        params.reps_per_set = 0;
        params.rep_tempo_s = -1.0;
        params.hold_s = f64::INFINITY;
        let (session, labels) = generate(&params, 1);
        assert_eq!(reps(&labels).len(), 1);
        assert!(session.duration_s().is_finite());
        let _ = session.pose(session.duration_s() / 2.0);
    }
}
