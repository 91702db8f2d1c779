//! The `dorsi.reps/1` report: reps, holds, sets and adherence to the prescription (a public
//! contract; DESIGN.md, "The JSON reports").

use serde::Serialize;

use super::catalogue::Prescription;

/// The schema name of [`RepsReport`].
pub const REPS_SCHEMA: &str = "dorsi.reps/1";

/// A hold counts as done when it lasts at least this share of the prescribed hold (people
/// count seconds at their own pace).
pub const HOLD_TOLERANCE: f64 = 0.9;

pub use crate::report::ReportSource;

/// The signal the reps were found on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSignal {
    /// Its name (`foot_pitch`, `imu_angle`, `RightAnkleAngle/ML/X`...).
    pub name: String,
    /// Its unit (`deg` for angles).
    pub unit: String,
    /// Where it came from, in words.
    pub origin: String,
}

/// One repetition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepRecord {
    /// 1-based number.
    pub index: usize,
    /// Leaves rest, s.
    pub start_s: f64,
    /// Middle of the first hold, or the extreme of the first direction, s.
    pub peak_s: f64,
    /// Back at rest, s.
    pub end_s: f64,
    /// Size in the signal's unit: the extreme from rest, or extreme to extreme for
    /// exercises that move both ways.
    pub amplitude: f64,
    /// Time held (all holds of the rep), s.
    pub hold_s: f64,
    /// Whether the rep is complete.
    pub complete: bool,
    /// Why it is incomplete (`null` when complete).
    pub reason: Option<String>,
}

/// One hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldRecord {
    /// The rep's 1-based number.
    pub rep: usize,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Duration, s.
    pub duration_s: f64,
    /// The direction held (`dorsiflexion`, `inward`, `outward`...).
    pub direction: String,
}

/// One set: reps with no long rest between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetRecord {
    /// Start of its first rep, s.
    pub start_s: f64,
    /// End of its last rep, s.
    pub end_s: f64,
    /// Reps in it.
    pub reps: usize,
}

/// Whether the prescription was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adherence {
    /// Every prescribed rep done completely, holds included.
    Met,
    /// Some of it.
    Partial,
    /// None of it.
    NotMet,
}

/// The summary and the adherence verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepSummary {
    /// Reps found (complete or not).
    pub reps: usize,
    /// Complete reps.
    pub complete_reps: usize,
    /// Median amplitude of the reps, in the signal's unit; `null` without reps.
    pub median_amplitude: Option<f64>,
    /// Median time held per hold, s; `null` without holds.
    pub median_hold_s: Option<f64>,
    /// What was prescribed.
    pub prescribed: Prescription,
    /// Met, partial or not met; `null` when nothing is prescribed.
    pub adherence: Option<Adherence>,
    /// Why the prescription was not met (empty when met).
    pub reasons: Vec<String>,
}

/// The `dorsi.reps/1` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepsReport {
    /// `dorsi.reps/1`.
    pub schema: &'static str,
    /// The recording.
    pub source: ReportSource,
    /// The exercise (`heel_raise`, `auto`...).
    pub exercise: String,
    /// The signal analysed.
    pub signal: ReportSignal,
    /// Repetitions in time order.
    pub reps: Vec<RepRecord>,
    /// Holds in time order.
    pub holds: Vec<HoldRecord>,
    /// Sets in time order.
    pub sets: Vec<SetRecord>,
    /// Counts, medians and adherence.
    pub summary: RepSummary,
    /// What the analysis decided (signal orientation, side, sensor...), in words.
    pub notes: Vec<String>,
}

fn median(v: impl Iterator<Item = f64>) -> Option<f64> {
    let m = crate::signal::median(v);
    m.is_finite().then_some(m)
}

/// The summary of reps and holds against a prescription.
///
/// ```
/// use dorsi::reps::report::{summarize, Adherence, HoldRecord, RepRecord};
/// use dorsi::reps::Prescription;
/// let rep = |i: usize, complete: bool| RepRecord { index: i, start_s: i as f64 * 20.0,
///     peak_s: 0.0, end_s: i as f64 * 20.0 + 14.0, amplitude: 18.0, hold_s: 10.0,
///     complete, reason: None };
/// let reps: Vec<_> = (1..=3).map(|i| rep(i, i != 2)).collect();
/// let holds: Vec<_> = (1..=3).map(|i| HoldRecord { rep: i, start_s: 0.0, end_s: 10.0,
///     duration_s: if i == 3 { 6.0 } else { 10.0 }, direction: "inward".into() }).collect();
/// let p = Prescription { reps: Some(3), hold_s: Some(10.0) };
/// let s = summarize(&reps, &holds, p);
/// assert_eq!(s.adherence, Some(Adherence::Partial));
/// assert_eq!(s.reasons.len(), 3); // 1 of 3 done, 1 incomplete, 1 hold short
/// ```
pub fn summarize(reps: &[RepRecord], holds: &[HoldRecord], prescribed: Prescription) -> RepSummary {
    let complete_reps = reps.iter().filter(|r| r.complete).count();
    let mut reasons = Vec::new();
    let incomplete: Vec<&RepRecord> = reps.iter().filter(|r| !r.complete).collect();
    // A rep counts when complete and, for held exercises, every hold of it lasts long enough.
    let mut short_holds = 0;
    let done = reps
        .iter()
        .filter(|r| r.complete)
        .filter(|r| match prescribed.hold_s {
            Some(h) if h > 0.0 => {
                let mine: Vec<&HoldRecord> = holds.iter().filter(|x| x.rep == r.index).collect();
                let ok =
                    !mine.is_empty() && mine.iter().all(|x| x.duration_s >= HOLD_TOLERANCE * h);
                if !ok {
                    short_holds += 1;
                }
                ok
            }
            _ => true,
        })
        .count();
    let adherence = prescribed.reps.map(|p| {
        let p = p as usize;
        if done >= p {
            Adherence::Met
        } else if done == 0 {
            Adherence::NotMet
        } else {
            Adherence::Partial
        }
    });
    if let Some(p) = prescribed.reps {
        if done < p as usize {
            reasons.push(format!("{done} of {p} prescribed reps done completely"));
        }
        if !incomplete.is_empty() {
            let which: Vec<String> = incomplete.iter().map(|r| r.index.to_string()).collect();
            reasons.push(format!(
                "{} rep{} incomplete (rep {})",
                incomplete.len(),
                if incomplete.len() == 1 { "" } else { "s" },
                which.join(", ")
            ));
        }
        if let (Some(h), true) = (prescribed.hold_s, short_holds > 0) {
            reasons.push(format!(
                "{short_holds} rep{} held less than {:.0} s of the prescribed {h:.0} s",
                if short_holds == 1 { "" } else { "s" },
                HOLD_TOLERANCE * h
            ));
        }
    }
    if adherence == Some(Adherence::Met) {
        reasons.clear();
    }
    RepSummary {
        reps: reps.len(),
        complete_reps,
        median_amplitude: median(reps.iter().map(|r| r.amplitude)),
        median_hold_s: median(holds.iter().map(|h| h.duration_s)),
        prescribed,
        adherence,
        reasons,
    }
}
