//! Running benchmarks: each manifest entry's recording is read, its detector run, and the
//! result scored against the entry's ground truth; synthetic suites are generated from their
//! seeds and scored the same way. Parallelism and progress display are the caller's (the CLI
//! runs entries on a thread pool): every function here works on one item.
//!
//! Gait events are matched per side and kind (a left initial contact never matches a right
//! one), then pooled over the sides. Labels that cover only some walking bouts (and say so)
//! are scored inside those bouts.

use std::time::Instant;

use serde::Serialize;

use super::events::{pool_events, EventScore, EventScorer, PooledEventScore};
use super::manifest::{Detector, Entry, Suite, SuiteKind, SynthModality, Task};
use super::truth::{self, LoadOptions, Loader, Truth};
use crate::detect::{DetectedEvent, EventDetector, EventKind};
use crate::io::ReadOptions;
use crate::Recording;

/// What happened to one benchmark item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    /// Detected and scored.
    Scored,
    /// Dorsi has no detector for this task and modality yet.
    NoDetector(String),
    /// The recording, the labels or the detector failed; the message says which.
    Failed(String),
}

/// The scores of one kind of gait event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// The event kind.
    pub kind: &'static str,
    /// Pooled over the sides.
    pub score: PooledEventScore,
    /// Per side (for pooling over recordings).
    #[serde(skip)]
    pub per_side: Vec<EventScore>,
}

/// The outcome of one manifest entry or one synthetic recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Entry name (suites: `<suite>/severity <s>/seed <n>`).
    pub name: String,
    /// The dataset it belongs to (the entry name, or the suite name and case).
    pub dataset: String,
    /// The task.
    pub task: String,
    /// The detector.
    pub detector: String,
    /// What happened.
    #[serde(flatten)]
    pub status: Status,
    /// Samples in the recording.
    pub samples: usize,
    /// Time the detector took, s.
    pub detect_s: f64,
    /// Gait-event scores, one per kind.
    pub events: Vec<KindScore>,
}

/// Scores pooled over the recordings of one dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetScore {
    /// The dataset.
    pub dataset: String,
    /// The task.
    pub task: String,
    /// The detector.
    pub detector: String,
    /// Recordings scored.
    pub scored: usize,
    /// Recordings with no detector or a failure.
    pub not_scored: usize,
    /// Gait-event scores per kind, pooled over sides and recordings.
    pub events: Vec<KindScore>,
    /// Samples per second of detection over the dataset.
    pub samples_per_s: Option<f64>,
}

/// Pool outcomes by dataset, in the order datasets first appear.
pub fn pool_by_dataset(outcomes: &[Outcome]) -> Vec<DatasetScore> {
    let mut names: Vec<&str> = Vec::new();
    for o in outcomes {
        if !names.contains(&o.dataset.as_str()) {
            names.push(&o.dataset);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.dataset == name).collect();
            let scored: Vec<&&Outcome> =
                mine.iter().filter(|o| o.status == Status::Scored).collect();
            let mut events = Vec::new();
            for kind in [EventKind::InitialContact, EventKind::FinalContact] {
                let per_side: Vec<EventScore> = scored
                    .iter()
                    .flat_map(|o| o.events.iter().filter(|k| k.kind == kind.name()))
                    .flat_map(|k| k.per_side.iter().cloned())
                    .collect();
                if let (false, Ok(score)) = (per_side.is_empty(), pool_events(&per_side)) {
                    events.push(KindScore {
                        kind: kind.name(),
                        score,
                        per_side: Vec::new(),
                    });
                }
            }
            let samples: usize = scored.iter().map(|o| o.samples).sum();
            let secs: f64 = scored.iter().map(|o| o.detect_s).sum();
            DatasetScore {
                dataset: name.to_string(),
                task: mine.first().map(|o| o.task.clone()).unwrap_or_default(),
                detector: mine.first().map(|o| o.detector.clone()).unwrap_or_default(),
                scored: scored.len(),
                not_scored: mine.len() - scored.len(),
                events,
                samples_per_s: (secs > 0.0).then(|| samples as f64 / secs),
            }
        })
        .collect()
}

impl Outcome {
    fn new(name: String, dataset: String, task: Task, detector: Detector) -> Self {
        Outcome {
            name,
            dataset,
            task: task.name().into(),
            detector: detector.name().into(),
            status: Status::Scored,
            samples: 0,
            detect_s: 0.0,
            events: Vec::new(),
        }
    }

    fn failed(mut self, why: impl std::fmt::Display) -> Self {
        self.status = Status::Failed(why.to_string());
        self
    }

    /// Samples per second of detection (`None` before anything ran).
    pub fn samples_per_s(&self) -> Option<f64> {
        (self.detect_s > 0.0).then(|| self.samples as f64 / self.detect_s)
    }
}

/// The event detector Dorsi has for a task and detector name, if any.
pub fn event_detector(task: Task, detector: Detector) -> Option<Box<dyn EventDetector>> {
    match (task, detector) {
        (Task::GaitEvents, Detector::GaitImu) => {
            Some(Box::new(crate::gait::ImuEventDetector::default()))
        }
        _ => None,
    }
}

/// Score detected events against the truth: per side and kind, pooled over sides.
pub fn score_events(
    detected: &[DetectedEvent],
    truth: &Truth,
    scorer: &EventScorer,
) -> Result<Vec<KindScore>, super::ScoreError> {
    let mut out = Vec::new();
    for kind in [EventKind::InitialContact, EventKind::FinalContact] {
        let truth_kind = truth::EventKind::from_name(kind.name());
        let mut sides: Vec<Option<String>> = truth
            .events
            .iter()
            .filter(|e| Some(e.kind) == truth_kind)
            .map(|e| e.side.clone())
            .collect();
        sides.sort();
        sides.dedup();
        if sides.is_empty() {
            continue;
        }
        let mut per_side = Vec::new();
        for side in &sides {
            let reference: Vec<f64> = truth
                .events
                .iter()
                .filter(|e| Some(e.kind) == truth_kind && &e.side == side)
                .map(|e| e.time_s)
                .collect();
            // Without a side in the truth, every detection of the kind counts.
            let found: Vec<f64> = detected
                .iter()
                .filter(|d| d.kind == kind && (side.is_none() || &d.side == side))
                .map(|d| d.time_s)
                .collect();
            // Labels that cover walking bouts only are scored bout by bout: detections
            // between bouts (turns, standing) are neither hits nor false alarms.
            if !truth.bouts.is_empty() {
                for b in &truth.bouts {
                    per_side.push(scorer.score(&reference, &found, Some((b.start_s, b.end_s)))?);
                }
            } else {
                per_side.push(scorer.score(&reference, &found, truth.span_s)?);
            }
        }
        out.push(KindScore {
            kind: kind.name(),
            score: pool_events(&per_side)?,
            per_side,
        });
    }
    Ok(out)
}

fn detect_and_score(
    mut out: Outcome,
    rec: &Recording,
    truth: &Truth,
    detector: &dyn EventDetector,
    scorer: &EventScorer,
    side: Option<&String>,
) -> Outcome {
    out.samples = rec.n_samples;
    let t0 = Instant::now();
    let mut detected = match detector.detect_events(rec) {
        Ok(d) => d,
        Err(e) => return out.failed(e),
    };
    // A file of one foot (the entry says which) gives events of that side.
    if let Some(side) = side {
        for d in detected.iter_mut().filter(|d| d.side.is_none()) {
            d.side = Some(side.clone());
        }
    }
    out.detect_s = t0.elapsed().as_secs_f64();
    match score_events(&detected, truth, scorer) {
        Ok(events) => out.events = events,
        Err(e) => return out.failed(e),
    }
    out
}

fn scorer(tolerances_s: &Option<Vec<f64>>) -> EventScorer {
    tolerances_s
        .clone()
        .map(|t| EventScorer { tolerances_s: t })
        .unwrap_or_default()
}

/// Run one manifest entry.
pub fn run_entry(entry: &Entry) -> Outcome {
    let out = Outcome::new(
        entry.name.clone(),
        entry.name.clone(),
        entry.task,
        entry.detector,
    );
    let Some(detector) = event_detector(entry.task, entry.detector) else {
        let mut out = out;
        out.status = Status::NoDetector(format!(
            "Dorsi has no {} detector for {} yet",
            entry.detector.name(),
            entry.task.name()
        ));
        return out;
    };
    let rec = match crate::io::read(&entry.files, &entry.read) {
        Ok(r) => r,
        Err(e) => return out.failed(format!("entry {}: {e}", entry.name)),
    };
    let mut truth = match entry.load_truth() {
        Ok(t) => t,
        Err(e) => return out.failed(format!("entry {}: {e}", entry.name)),
    };
    // A file of one foot is scored against that foot's labels only.
    if let Some(side) = &entry.side {
        truth
            .events
            .retain(|e| e.side.is_none() || e.side.as_ref() == Some(side));
        truth
            .strides
            .retain(|s| s.side.is_none() || s.side.as_ref() == Some(side));
    }
    detect_and_score(
        out,
        &rec,
        &truth,
        detector.as_ref(),
        &scorer(&entry.tolerances_s),
        entry.side.as_ref(),
    )
}

/// One recording of a synthetic suite: the case (severity index) and the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteItem {
    /// Index into the suite's severities (0 for exercise suites).
    pub case: usize,
    /// The seed.
    pub seed: u64,
}

/// The recordings a suite generates.
pub fn suite_items(suite: &Suite) -> Vec<SuiteItem> {
    let cases = match suite.kind {
        SuiteKind::Gait => suite.severity.len().max(1),
        _ => 1,
    };
    (0..cases)
        .flat_map(|case| {
            suite
                .seeds
                .clone()
                .map(move |seed| SuiteItem { case, seed })
        })
        .collect()
}

/// Generate and score one recording of a synthetic suite.
pub fn run_suite_item(suite: &Suite, item: SuiteItem) -> Outcome {
    use crate::synth::{body::Side, gait, imu};
    let severity = suite.severity.get(item.case).copied().unwrap_or(0.0);
    let dataset = match suite.kind {
        SuiteKind::Gait => format!("{} (severity {severity})", suite.name),
        _ => suite.name.clone(),
    };
    let mut out = Outcome::new(
        format!("{dataset} seed {}", item.seed),
        dataset,
        suite.task,
        suite.detector,
    );
    let detector = match (suite.kind, suite.modality) {
        (SuiteKind::Gait, SynthModality::Imu) => event_detector(suite.task, suite.detector),
        _ => None,
    };
    let Some(detector) = detector else {
        out.status = Status::NoDetector(format!(
            "Dorsi has no {} detector for synthetic {:?} {:?} yet",
            suite.detector.name(),
            suite.kind,
            suite.modality
        ));
        return out;
    };
    let affected = if suite.affected_side == "right" { 1 } else { 0 };
    let mut params = gait::WalkParams::default();
    params.severity[affected] = severity;
    if let Some(d) = suite.duration_s {
        params.duration_s = d;
    }
    let walk = gait::Walk::new(params, item.seed);
    let sensors = [
        imu::Placement::foot(Side::Left),
        imu::Placement::foot(Side::Right),
    ];
    let csv = imu::simulate(
        &walk,
        &sensors,
        100.0,
        &imu::SensorErrors::default(),
        item.seed,
    )
    .to_csv();
    let rec = match crate::io::read_bytes("synthetic.csv", csv.as_bytes(), &ReadOptions::default())
    {
        Ok(r) => r,
        Err(e) => return out.failed(e),
    };
    let labels = walk.labels().to_csv();
    let truth = match truth::load_str(
        Loader::DorsiLabels,
        "synthetic.labels.csv",
        &labels,
        &LoadOptions::default(),
    ) {
        Ok(t) => t,
        Err(e) => return out.failed(e),
    };
    detect_and_score(
        out,
        &rec,
        &truth,
        detector.as_ref(),
        &scorer(&suite.tolerances_s),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(score: &KindScore, tolerance_s: f64) -> f64 {
        score
            .score
            .per_tolerance
            .iter()
            .find(|m| (m.tolerance_s - tolerance_s).abs() < 1e-12)
            .map(|m| m.detection.f1)
            .unwrap_or(f64::NAN)
    }

    #[test]
    fn events_are_matched_per_side() {
        let truth = Truth {
            events: vec![
                truth::TruthEvent {
                    side: Some("left".into()),
                    kind: truth::EventKind::InitialContact,
                    time_s: 1.0,
                },
                truth::TruthEvent {
                    side: Some("right".into()),
                    kind: truth::EventKind::InitialContact,
                    time_s: 1.5,
                },
            ],
            ..Default::default()
        };
        let ic = |side: &str, t: f64| DetectedEvent {
            side: Some(side.into()),
            kind: EventKind::InitialContact,
            time_s: t,
        };
        // The right detection at 1.01 s must not take the left reference at 1.0 s.
        let detected = [ic("right", 1.01), ic("right", 1.5)];
        let s = score_events(&detected, &truth, &EventScorer::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 1);
        // Left: 1 FN. Right: 1 TP, 1 FP. Pooled micro F1 = 2·1 / (2·1 + 1 + 1) = 0.5.
        assert_eq!(at(&s[0], 0.05), 0.5);
    }
}
