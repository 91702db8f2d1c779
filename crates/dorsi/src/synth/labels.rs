//! Labels of synthetic recordings: one CSV format, `dorsi.labels/1`, for gait events,
//! strides, repetitions, holds and sets.
//!
//! One row per labelled item; the `record` column says which, and each kind fills its own
//! columns (the others are empty):
//!
//! | record | columns used |
//! | --- | --- |
//! | `event` | `side`, `kind` (`initial_contact` / `final_contact`), `time_s` |
//! | `stride` | `side`, `start_s`, `end_s` (initial contact to the next), `severity` (foot drop, 0–1), `flag` (`true` when a detector should flag it) |
//! | `rep` | `index`, `kind` (the exercise), `start_s`, `peak_s`, `end_s`, `hold_s`, `complete` |
//! | `hold` | `index` (the rep), `kind` (the direction: `dorsiflexion`, `inward`...), `start_s`, `end_s` |
//! | `set` | `index`, `start_s`, `end_s`, `count` (reps in the set) |
//!
//! ```
//! use dorsi::synth::labels::{Label, Labels};
//! let labels = Labels {
//!     items: vec![Label::Set { index: 1, start_s: 2.0, end_s: 30.0, count: 10 }],
//! };
//! let csv = labels.to_csv();
//! assert!(csv.starts_with("# dorsi.labels/1\n"));
//! assert_eq!(Labels::from_csv(&csv).expect("parses"), labels);
//! ```

use std::fmt::Write as _;

/// One labelled item.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// A gait event.
    Event {
        /// `left` or `right`.
        side: String,
        /// `initial_contact` or `final_contact`.
        kind: String,
        /// Time, s.
        time_s: f64,
    },
    /// A stride, initial contact to the next initial contact of the same foot.
    Stride {
        /// `left` or `right`.
        side: String,
        /// Start, s.
        start_s: f64,
        /// End, s.
        end_s: f64,
        /// Foot-drop severity, 0 (healthy) to 1 (flaccid).
        severity: f64,
        /// Whether a foot-drag detector should flag this stride.
        flagged: bool,
    },
    /// A repetition of an exercise.
    Rep {
        /// 1-based index in the recording.
        index: u32,
        /// The exercise.
        exercise: String,
        /// Start, s.
        start_s: f64,
        /// Peak (or middle of the hold), s.
        peak_s: f64,
        /// End, s.
        end_s: f64,
        /// Time held at the peak, s.
        hold_s: f64,
        /// Whether the rep reached its prescribed range.
        complete: bool,
    },
    /// An isometric hold.
    Hold {
        /// The rep it belongs to.
        rep: u32,
        /// The direction held.
        direction: String,
        /// Start, s.
        start_s: f64,
        /// End, s.
        end_s: f64,
    },
    /// A set: a bout of reps between rests.
    Set {
        /// 1-based index.
        index: u32,
        /// Start, s.
        start_s: f64,
        /// End, s.
        end_s: f64,
        /// Reps in the set.
        count: u32,
    },
}

/// The labels of one recording.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labels {
    /// The items, in time order.
    pub items: Vec<Label>,
}

const HEADER: &str =
    "record,side,kind,index,time_s,start_s,peak_s,end_s,hold_s,complete,severity,flag,count";

fn f(v: f64) -> String {
    format!("{v:.4}")
}

impl Labels {
    /// The labels as `dorsi.labels/1` CSV.
    pub fn to_csv(&self) -> String {
        let mut s = format!("# dorsi.labels/1\n{HEADER}\n");
        for item in &self.items {
            let row: [String; 13] = match item {
                Label::Event { side, kind, time_s } => [
                    "event".into(),
                    side.clone(),
                    kind.clone(),
                    String::new(),
                    f(*time_s),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                Label::Stride {
                    side,
                    start_s,
                    end_s,
                    severity,
                    flagged,
                } => [
                    "stride".into(),
                    side.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    f(*start_s),
                    String::new(),
                    f(*end_s),
                    String::new(),
                    String::new(),
                    format!("{severity:.3}"),
                    flagged.to_string(),
                    String::new(),
                ],
                Label::Rep {
                    index,
                    exercise,
                    start_s,
                    peak_s,
                    end_s,
                    hold_s,
                    complete,
                } => [
                    "rep".into(),
                    String::new(),
                    exercise.clone(),
                    index.to_string(),
                    String::new(),
                    f(*start_s),
                    f(*peak_s),
                    f(*end_s),
                    f(*hold_s),
                    complete.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                Label::Hold {
                    rep,
                    direction,
                    start_s,
                    end_s,
                } => [
                    "hold".into(),
                    String::new(),
                    direction.clone(),
                    rep.to_string(),
                    String::new(),
                    f(*start_s),
                    String::new(),
                    f(*end_s),
                    f(end_s - start_s),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                Label::Set {
                    index,
                    start_s,
                    end_s,
                    count,
                } => [
                    "set".into(),
                    String::new(),
                    String::new(),
                    index.to_string(),
                    String::new(),
                    f(*start_s),
                    String::new(),
                    f(*end_s),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    count.to_string(),
                ],
            };
            let _ = writeln!(s, "{}", row.join(","));
        }
        s
    }

    /// Parse `dorsi.labels/1` CSV. The error names the line and what was expected.
    pub fn from_csv(text: &str) -> Result<Labels, String> {
        let mut items = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.starts_with('#') || line.trim().is_empty() || line == HEADER {
                continue;
            }
            let c: Vec<&str> = line.split(',').collect();
            if c.len() != 13 {
                return Err(format!(
                    "line {line_no}: expected 13 fields, found {}",
                    c.len()
                ));
            }
            let num = |k: usize| -> Result<f64, String> {
                c[k].trim().parse::<f64>().map_err(|_| {
                    format!(
                        "line {line_no}, column {}: expected a number, found {:?}",
                        k + 1,
                        c[k]
                    )
                })
            };
            let int = |k: usize| -> Result<u32, String> {
                c[k].trim().parse::<u32>().map_err(|_| {
                    format!(
                        "line {line_no}, column {}: expected a count, found {:?}",
                        k + 1,
                        c[k]
                    )
                })
            };
            let flag = |k: usize| c[k].trim() == "true";
            items.push(match c[0] {
                "event" => Label::Event { side: c[1].into(), kind: c[2].into(), time_s: num(4)? },
                "stride" => Label::Stride {
                    side: c[1].into(),
                    start_s: num(5)?,
                    end_s: num(7)?,
                    severity: num(10)?,
                    flagged: flag(11),
                },
                "rep" => Label::Rep {
                    index: int(3)?,
                    exercise: c[2].into(),
                    start_s: num(5)?,
                    peak_s: num(6)?,
                    end_s: num(7)?,
                    hold_s: num(8)?,
                    complete: flag(9),
                },
                "hold" => Label::Hold {
                    rep: int(3)?,
                    direction: c[2].into(),
                    start_s: num(5)?,
                    end_s: num(7)?,
                },
                "set" => Label::Set { index: int(3)?, start_s: num(5)?, end_s: num(7)?, count: int(12)? },
                other => {
                    return Err(format!(
                        "line {line_no}: unknown record {other:?}; expected event, stride, rep, hold or set"
                    ))
                }
            });
        }
        Ok(Labels { items })
    }
}
