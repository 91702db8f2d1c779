//! The exercise catalogue of the foot-drop home programme (DESIGN.md, "The foot-drop
//! programme"): what each exercise moves, in which directions, its typical range and the
//! programme's default prescription.
//!
//! ```
//! use dorsi::reps::{Exercise, Pattern};
//! let e = Exercise::from_name("ankle-rotation").expect("known");
//! let spec = e.spec().expect("a programme exercise");
//! assert_eq!(spec.pattern, Pattern::BothWays);
//! assert_eq!(spec.directions, ["inward", "outward"]);
//! assert_eq!(spec.prescription.hold_s, Some(10.0));
//! ```

use serde::Serialize;

use crate::motion::kinematics::FootSignal;

/// An exercise `dorsi reps` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exercise {
    /// Seated towel stretch: the forefoot pulled into dorsiflexion and held.
    TowelStretch,
    /// Resistance-band ankle flexion: dorsiflexion, then plantarflexion.
    AnkleFlexion,
    /// Ankle rotation: foot turned inward and held, then outward and held.
    AnkleRotation,
    /// Assisted toe raise: forefoot lifted, heel on the ground.
    ToeRaise,
    /// Heel raise: rise onto the toes and back down.
    HeelRaise,
    /// Ankle eversion: the outer edge of the foot lifted, the leg still.
    AnkleEversion,
    /// Any repetitive movement: the signal is chosen from the data.
    Auto,
}

/// How one rep moves away from rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// One excursion in one direction and back to rest.
    OneWay,
    /// One excursion in each direction, the second straight after the first (through rest
    /// without stopping), then back to rest.
    BothWays,
}

/// What the programme prescribes for an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prescription {
    /// Repetitions, `None` when nothing is prescribed.
    pub reps: Option<u32>,
    /// Hold in each held direction, s; `None` when the exercise is not held.
    pub hold_s: Option<f64>,
}

/// What the catalogue knows about a programme exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExerciseSpec {
    /// The exercise.
    pub exercise: Exercise,
    /// The foot signal it moves, when derived from keypoints (an IMU measures the angle
    /// about its main rotation axis, which is the same movement).
    pub signal: FootSignal,
    /// One excursion per rep, or one each way.
    pub pattern: Pattern,
    /// The anatomical directions of one rep, in order (`["dorsiflexion"]`, `["inward",
    /// "outward"]`).
    pub directions: Vec<&'static str>,
    /// The sign of the first direction in the keypoint signal's convention (foot pitch toes
    /// up positive: +1 for dorsiflexion, −1 for a heel raise); `None` when the sign depends
    /// on the side or the camera (rotation, eversion).
    pub first_sign: Option<f64>,
    /// Typical range of a complete rep, degrees (low, high), from the programme's
    /// description and the healthy range of the joint.
    pub typical_range_deg: (f64, f64),
    /// The programme's default prescription.
    pub prescription: Prescription,
    /// Whether the rep is held at its extreme.
    pub held: bool,
}

/// A catalogue row: signal, pattern, directions, first sign, typical range (deg), reps,
/// hold (s).
type Entry = (
    FootSignal,
    Pattern,
    Vec<&'static str>,
    Option<f64>,
    (f64, f64),
    u32,
    Option<f64>,
);

impl Exercise {
    /// Every exercise, in the order of DESIGN.md.
    pub const ALL: [Exercise; 7] = [
        Exercise::TowelStretch,
        Exercise::AnkleFlexion,
        Exercise::AnkleRotation,
        Exercise::ToeRaise,
        Exercise::HeelRaise,
        Exercise::AnkleEversion,
        Exercise::Auto,
    ];

    /// The snake_case name (`heel_raise`).
    pub fn name(self) -> &'static str {
        match self {
            Exercise::TowelStretch => "towel_stretch",
            Exercise::AnkleFlexion => "ankle_flexion",
            Exercise::AnkleRotation => "ankle_rotation",
            Exercise::ToeRaise => "toe_raise",
            Exercise::HeelRaise => "heel_raise",
            Exercise::AnkleEversion => "ankle_eversion",
            Exercise::Auto => "auto",
        }
    }

    /// The exercise with this name (case, spaces around and `-` for `_` ignored).
    pub fn from_name(name: &str) -> Option<Exercise> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        Exercise::ALL.into_iter().find(|e| e.name() == wanted)
    }

    /// The catalogue entry; `None` for [`Exercise::Auto`], which has no fixed signal.
    pub fn spec(self) -> Option<ExerciseSpec> {
        let (signal, pattern, directions, first_sign, range, reps, hold_s): Entry = match self {
            // Passive stretch into dorsiflexion: about 10–20° beyond neutral.
            Exercise::TowelStretch => (
                FootSignal::FootPitch,
                Pattern::OneWay,
                vec!["dorsiflexion"],
                Some(1.0),
                (8.0, 25.0),
                4,
                Some(30.0),
            ),
            Exercise::AnkleFlexion => (
                FootSignal::FootPitch,
                Pattern::BothWays,
                vec!["dorsiflexion", "plantarflexion"],
                Some(1.0),
                (20.0, 60.0),
                10,
                None,
            ),
            Exercise::AnkleRotation => (
                FootSignal::FootRotation,
                Pattern::BothWays,
                vec!["inward", "outward"],
                None,
                (20.0, 50.0),
                10,
                Some(10.0),
            ),
            Exercise::ToeRaise => (
                FootSignal::FootPitch,
                Pattern::OneWay,
                vec!["dorsiflexion"],
                Some(1.0),
                (10.0, 30.0),
                10,
                None,
            ),
            Exercise::HeelRaise => (
                FootSignal::FootPitch,
                Pattern::OneWay,
                vec!["plantarflexion"],
                Some(-1.0),
                (20.0, 45.0),
                10,
                None,
            ),
            Exercise::AnkleEversion => (
                FootSignal::FootEversion,
                Pattern::OneWay,
                vec!["eversion"],
                None,
                (8.0, 25.0),
                10,
                None,
            ),
            Exercise::Auto => return None,
        };
        Some(ExerciseSpec {
            exercise: self,
            signal,
            pattern,
            directions,
            first_sign,
            typical_range_deg: range,
            prescription: Prescription {
                reps: Some(reps),
                hold_s,
            },
            held: hold_s.is_some(),
        })
    }

    /// The programme's prescription (nothing for `auto`).
    pub fn prescription(self) -> Prescription {
        self.spec().map(|s| s.prescription).unwrap_or(Prescription {
            reps: None,
            hold_s: None,
        })
    }
}

impl std::fmt::Display for Exercise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_synthetic_exercises() {
        for e in Exercise::ALL {
            assert_eq!(Exercise::from_name(e.name()), Some(e));
        }
        for s in crate::synth::exercise::Exercise::ALL {
            let e = Exercise::from_name(s.name()).expect("same names");
            let spec = e.spec().expect("programme exercise");
            assert_eq!(spec.directions, s.directions());
            assert_eq!(spec.prescription.reps, Some(s.prescribed_reps()));
            let hold = s.prescribed_hold_s();
            assert_eq!(spec.prescription.hold_s, (hold > 0.0).then_some(hold));
        }
        assert_eq!(
            Exercise::from_name(" Heel-Raise "),
            Some(Exercise::HeelRaise)
        );
        assert_eq!(Exercise::from_name("squat"), None);
        assert!(Exercise::Auto.spec().is_none());
    }
}
