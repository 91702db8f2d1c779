//! The foot-drag (foot drop) detector: per stride, the signs of a dropped foot with their
//! values; per side, a verdict with a confidence.
//!
//! Per stride ([`DragParams`] holds every limit):
//!
//! * `toe_first_contact` / `flat_contact`: the foot lands with the toes down or flat (a
//!   healthy heel strike has the toes 20–28° up);
//! * `no_clearance_minimum`: the toe sinks through the whole swing instead of rising again
//!   before contact (it drags or lands on the toes); `low_toe_clearance`: the minimum is
//!   under a few millimetres (healthy about 13 ± 4 mm);
//! * `foot_slap`: the forefoot reaches the floor unusually soon after a heel contact.
//!
//! Per side the verdict weighs the side's medians, not single strides, against absolute
//! limits and against the other side: `foot_drop` when the median foot-strike angle is flat
//! or toe first, or when at least two of these hold: the strike angle is well below the
//! other side's, the foot is still plantarflexed in late swing, most swings have too little
//! or no toe clearance, the walker compensates on that side (steppage, circumduction or hip
//! hiking, against the other side). A side with too few strides, or whose strike angles scatter too much
//! to trust, is `inconclusive`.

use serde::Serialize;

use super::metrics::StrideMetrics;
use crate::detect::Verdict;
use crate::signal::median;

/// Limits of the foot-drag detector. `Default` holds the values described in the module
/// documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct DragParams {
    /// A foot-strike angle at or below this is a flat contact (at or below 0°: toe first),
    /// degrees.
    pub max_strike_angle_deg: f64,
    /// A foot pitch at 85 % of the swing at or below this is a foot still plantarflexed,
    /// degrees.
    pub max_late_swing_pitch_deg: f64,
    /// A minimum toe clearance below this is too low, m.
    pub min_toe_clearance_m: f64,
    /// A heel-to-forefoot time below this is a foot slap, s.
    pub min_heel_to_toe_s: f64,
    /// A side whose median foot-strike angle is this much below the other side's is
    /// asymmetric, degrees.
    pub asymmetry_deg: f64,
    /// Fewer strides with a foot-strike angle than this give no verdict.
    pub min_strides: usize,
    /// Foot-strike angles scattering more than this (robust SD) give no verdict, degrees.
    pub max_spread_deg: f64,
    /// Steppage: the toe clears the floor in mid-swing by this much more than on the other
    /// side, m.
    pub steppage_m: f64,
    /// Circumduction: the foot swings this much further out than on the other side, m.
    pub circumduction_m: f64,
    /// Hip hiking: the hip rises this much more in this side's swing than in the other's,
    /// degrees.
    pub hip_hiking_deg: f64,
}

impl Default for DragParams {
    fn default() -> Self {
        DragParams {
            max_strike_angle_deg: 10.0,
            max_late_swing_pitch_deg: 0.0,
            min_toe_clearance_m: 0.005,
            min_heel_to_toe_s: 0.04,
            asymmetry_deg: 10.0,
            min_strides: 3,
            max_spread_deg: 10.0,
            steppage_m: 0.03,
            circumduction_m: 0.025,
            hip_hiking_deg: 2.0,
        }
    }
}

/// One sign of a dropped foot, with the value that showed it and the limit it crossed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// What was seen: `toe_first_contact`, `flat_contact`, `no_clearance_minimum`,
    /// `low_toe_clearance`, `foot_slap`, and per side also `strike_angle_asymmetry`,
    /// `plantarflexed_late_swing`, `poor_clearance`.
    pub code: &'static str,
    /// The measured value (`null` when the sign is an absence).
    pub value: Option<f64>,
    /// The limit it crossed.
    pub limit: Option<f64>,
    /// The unit of value and limit.
    pub unit: &'static str,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.unit == "deg" { "°" } else { self.unit };
        let num = |v: f64| {
            if self.unit == "m" {
                format!("{:.1} mm", v * 1000.0)
            } else if self.unit == "s" {
                format!("{:.0} ms", v * 1000.0)
            } else {
                format!("{v:.1}{unit}")
            }
        };
        write!(f, "{}", self.code.replace('_', " "))?;
        match (self.value, self.limit) {
            (Some(v), Some(l)) => write!(f, " ({} against {})", num(v), num(l)),
            (Some(v), None) => write!(f, " ({})", num(v)),
            _ => Ok(()),
        }
    }
}

/// Whether one stride shows foot drag, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Drag {
    /// Any sign found.
    pub flagged: bool,
    /// The signs found.
    pub reasons: Vec<Reason>,
}

/// The verdict on one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideSummary {
    /// `left` or `right`.
    pub side: String,
    /// Strides analysed.
    pub strides: usize,
    /// Strides with a sign of foot drag.
    pub flagged_strides: usize,
    /// `normal`, `foot_drop` or `inconclusive`.
    pub verdict: Verdict,
    /// How sure the verdict is, 0–1 (0 for `inconclusive`).
    pub confidence: f64,
    /// The side-level signs behind a `foot_drop` verdict, or why it is `inconclusive`.
    pub reasons: Vec<String>,
    /// Medians of the per-stride metrics (`null` where none was measured).
    pub medians: Medians,
}

/// Medians of a side's per-stride metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Medians {
    /// Stride time, s.
    pub stride_time_s: Option<f64>,
    /// Stance time, s.
    pub stance_s: Option<f64>,
    /// Swing time, s.
    pub swing_s: Option<f64>,
    /// Cadence, steps per minute.
    pub cadence_steps_per_min: Option<f64>,
    /// Foot-strike angle, degrees.
    pub foot_strike_angle_deg: Option<f64>,
    /// Foot pitch in mid-swing, degrees.
    pub mid_swing_pitch_deg: Option<f64>,
    /// Foot pitch in late swing, degrees.
    pub late_swing_pitch_deg: Option<f64>,
    /// Peak ankle dorsiflexion in swing, degrees.
    pub peak_swing_dorsiflexion_deg: Option<f64>,
    /// Minimum toe clearance, m.
    pub min_toe_clearance_m: Option<f64>,
    /// Highest toe height in swing, m.
    pub max_swing_toe_height_m: Option<f64>,
    /// Heel-to-forefoot time, s.
    pub heel_to_toe_s: Option<f64>,
    /// Outward swing of the foot, m.
    pub lateral_swing_excursion_m: Option<f64>,
    /// Hip rise in swing, degrees.
    pub pelvic_obliquity_swing_deg: Option<f64>,
}

fn med(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let m = median(values.flatten());
    m.is_finite().then_some(m)
}

impl Medians {
    /// The medians of some strides.
    pub fn of(strides: &[&StrideMetrics]) -> Self {
        let m = |f: &dyn Fn(&StrideMetrics) -> Option<f64>| med(strides.iter().map(|s| f(s)));
        Medians {
            stride_time_s: m(&|s| Some(s.stride_time_s)),
            stance_s: m(&|s| s.stance_s),
            swing_s: m(&|s| s.swing_s),
            cadence_steps_per_min: m(&|s| Some(s.cadence_steps_per_min)),
            foot_strike_angle_deg: m(&|s| s.foot_strike_angle_deg),
            mid_swing_pitch_deg: m(&|s| s.mid_swing_pitch_deg),
            late_swing_pitch_deg: m(&|s| s.late_swing_pitch_deg),
            peak_swing_dorsiflexion_deg: m(&|s| s.peak_swing_dorsiflexion_deg),
            min_toe_clearance_m: m(&|s| s.min_toe_clearance_m),
            max_swing_toe_height_m: m(&|s| s.max_swing_toe_height_m),
            heel_to_toe_s: m(&|s| s.heel_to_toe_s),
            lateral_swing_excursion_m: m(&|s| s.lateral_swing_excursion_m),
            pelvic_obliquity_swing_deg: m(&|s| s.pelvic_obliquity_swing_deg),
        }
    }
}

impl DragParams {
    /// Compensations for a foot that does not clear the floor, seen against the other side:
    /// steppage, circumduction, hip hiking.
    pub fn compensations(&self, mine: &Medians, other: &Medians) -> Vec<String> {
        let more = |a: Option<f64>, b: Option<f64>, by: f64| match (a, b) {
            (Some(a), Some(b)) if a >= b + by => Some((a, b)),
            _ => None,
        };
        let mut out = Vec::new();
        if let Some((a, b)) = more(
            mine.min_toe_clearance_m,
            other.min_toe_clearance_m,
            self.steppage_m,
        ) {
            out.push(format!(
                "steppage (toe {:.0} mm clear in mid-swing against {:.0} mm)",
                a * 1000.0,
                b * 1000.0
            ));
        }
        if let Some((a, b)) = more(
            mine.lateral_swing_excursion_m,
            other.lateral_swing_excursion_m,
            self.circumduction_m,
        ) {
            out.push(format!(
                "circumduction (foot {:.0} mm out in swing against {:.0} mm)",
                a * 1000.0,
                b * 1000.0
            ));
        }
        if let Some((a, b)) = more(
            mine.pelvic_obliquity_swing_deg,
            other.pelvic_obliquity_swing_deg,
            self.hip_hiking_deg,
        ) {
            out.push(format!(
                "hip hiking (hip up {a:.1}° in swing against {b:.1}°)"
            ));
        }
        out
    }

    /// The signs of foot drag in one stride.
    pub fn stride(&self, s: &StrideMetrics) -> Drag {
        let mut reasons = Vec::new();
        let sign = |code, value, limit, unit| Reason {
            code,
            value,
            limit,
            unit,
        };
        if let Some(a) = s.foot_strike_angle_deg {
            if a <= 0.0 {
                reasons.push(sign("toe_first_contact", Some(a), Some(0.0), "deg"));
            } else if a <= self.max_strike_angle_deg {
                reasons.push(sign(
                    "flat_contact",
                    Some(a),
                    Some(self.max_strike_angle_deg),
                    "deg",
                ));
            }
        }
        if s.clearance_minimum == Some(false) {
            reasons.push(sign("no_clearance_minimum", None, None, "m"));
        } else if let Some(c) = s
            .min_toe_clearance_m
            .filter(|&c| c < self.min_toe_clearance_m)
        {
            reasons.push(sign(
                "low_toe_clearance",
                Some(c),
                Some(self.min_toe_clearance_m),
                "m",
            ));
        }
        if let Some(t) = s.heel_to_toe_s.filter(|&t| t < self.min_heel_to_toe_s) {
            reasons.push(sign(
                "foot_slap",
                Some(t),
                Some(self.min_heel_to_toe_s),
                "s",
            ));
        }
        Drag {
            flagged: !reasons.is_empty(),
            reasons,
        }
    }

    /// The verdict on one side from its strides (with their drag signs) and the medians of
    /// the other side, if there is one.
    pub fn side(
        &self,
        side: &str,
        strides: &[(&StrideMetrics, &Drag)],
        other: Option<&Medians>,
    ) -> SideSummary {
        let metrics: Vec<&StrideMetrics> = strides.iter().map(|(s, _)| *s).collect();
        self.side_with_medians(side, strides, Medians::of(&metrics), other)
    }

    /// [`DragParams::side`] with the side's own medians already known (`medians` must be
    /// [`Medians::of`] its strides).
    pub fn side_with_medians(
        &self,
        side: &str,
        strides: &[(&StrideMetrics, &Drag)],
        medians: Medians,
        other: Option<&Medians>,
    ) -> SideSummary {
        let metrics: Vec<&StrideMetrics> = strides.iter().map(|(s, _)| *s).collect();
        let flagged = strides.iter().filter(|(_, d)| d.flagged).count();
        let angles: Vec<f64> = metrics
            .iter()
            .filter_map(|s| s.foot_strike_angle_deg)
            .collect();
        let mut summary = SideSummary {
            side: side.to_string(),
            strides: strides.len(),
            flagged_strides: flagged,
            verdict: Verdict::Inconclusive,
            confidence: 0.0,
            reasons: Vec::new(),
            medians,
        };
        if angles.is_empty() && !strides.is_empty() {
            summary.reasons.push(
                "no stride has a foot-strike angle: the data give no foot pitch (a sensor not \
                 on the foot, or no heel and toe points)"
                    .into(),
            );
            return summary;
        }
        if angles.len() < self.min_strides {
            summary.reasons.push(format!(
                "{} strides with a foot-strike angle, fewer than the {} needed",
                angles.len(),
                self.min_strides
            ));
            return summary;
        }
        let m = median(angles.iter().copied());
        let spread = 1.4826 * median(angles.iter().map(|a| (a - m).abs()));
        if spread > self.max_spread_deg {
            summary.reasons.push(format!(
                "foot-strike angles scatter by {spread:.1}° (robust SD), more than {:.1}°: too noisy",
                self.max_spread_deg
            ));
            return summary;
        }
        let mut strong = Vec::new();
        let mut signs = Vec::new();
        if m <= self.max_strike_angle_deg {
            strong.push(format!(
                "median foot-strike angle {m:.1}° (flat or toe-first contact; healthy 20–28°)"
            ));
        }
        if let Some(o) = other.and_then(|o| o.foot_strike_angle_deg) {
            if m <= o - self.asymmetry_deg {
                signs.push(format!(
                    "foot-strike angle {m:.1}° against {o:.1}° on the other side"
                ));
            }
        }
        if let Some(l) = summary
            .medians
            .late_swing_pitch_deg
            .filter(|&l| l <= self.max_late_swing_pitch_deg)
        {
            signs.push(format!("foot still plantarflexed in late swing ({l:.1}°)"));
        }
        let measured: Vec<&StrideMetrics> = metrics
            .iter()
            .copied()
            .filter(|s| s.clearance_minimum.is_some())
            .collect();
        let poor = measured
            .iter()
            .filter(|s| {
                s.clearance_minimum == Some(false)
                    || s.min_toe_clearance_m
                        .is_some_and(|c| c < self.min_toe_clearance_m)
            })
            .count();
        if !measured.is_empty() && 2 * poor >= measured.len() {
            signs.push(format!(
                "{poor} of {} swings with no or too little toe clearance",
                measured.len()
            ));
        }
        // Compensations, against the other side: together one sign.
        let compensations =
            other.map_or_else(Vec::new, |o| self.compensations(&summary.medians, o));
        if !compensations.is_empty() {
            signs.push(format!("compensation: {}", compensations.join(", ")));
        }
        let n = strides.len() as f64;
        let sample = n / (n + 3.0);
        if !strong.is_empty() || signs.len() >= 2 {
            summary.verdict = Verdict::FootDrop;
            summary.confidence = sample * (0.5 + 0.5 * flagged as f64 / n).min(1.0);
            summary.reasons = strong.into_iter().chain(signs).collect();
        } else {
            summary.verdict = Verdict::Normal;
            summary.confidence =
                sample * (1.0 - flagged as f64 / n) * if signs.is_empty() { 1.0 } else { 0.7 };
            summary.reasons = signs;
        }
        summary
    }
}
