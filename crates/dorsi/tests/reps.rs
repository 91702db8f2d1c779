//! Floors of the rep segmenter of the six programme exercises, measured through the
//! benchmark runner and the project's scoring code (`dorsi::eval`): the real CMU heel raises
//! (RightFoot IMU and ankle-angle column) and synthetic sessions of every exercise in both
//! modalities (10 seeds each here; `dorsi bench bench/synthetic.toml` runs the 50 of the
//! manifest).

mod common;
use common::{bench_dir, shared_present};

use dorsi::eval::manifest::{load_manifest, SynthModality};
use dorsi::eval::run::{pool_by_dataset, run_entry, run_suite_item, suite_items, Outcome, Status};

/// (reference reps, detected, matched at IoU 0.5, mean IoU of the matched).
fn rep_figures(o: &Outcome) -> (usize, usize, usize, f64) {
    assert_eq!(o.status, Status::Scored, "{}: {:?}", o.name, o.status);
    let r = o.reps.as_ref().expect("rep scores");
    let iv = r.intervals.as_ref().expect("labelled intervals");
    (
        r.reference_count,
        r.detected_count,
        iv.detection.true_positives,
        iv.mean_iou_matched.unwrap_or(0.0),
    )
}

#[test]
fn cmu_heel_raises_from_the_foot_imu_and_the_ankle_angle() {
    if !shared_present() {
        return;
    }
    let m = load_manifest(&bench_dir().join("real.toml")).unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "cmu_heel_raise_right_foot_imu",
        "cmu_heel_raise_ankle_angle",
    ] {
        let entry = m
            .entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("entry {name}"));
        let o = run_entry(entry);
        let (reference, detected, matched, iou) = rep_figures(&o);
        eprintln!("{name}: {detected}/{reference} reps, {matched} matched, mean IoU {iou:.3}");
        assert_eq!((reference, detected, matched), (10, 10, 10), "{name}");
        assert!(iou >= 0.75, "{name}: mean IoU {iou}");
    }
}

/// Every exercise suite of the synthetic manifest on seeds 0..10: exact count in at least
/// 95 % of recordings (9 or 10 of 10 here: one miss in ten is within a 95 % rate on 50),
/// mean IoU at least 0.8, hold-duration MAE at most 1 s.
fn synthetic_floors(modality: SynthModality) {
    let m = load_manifest(&bench_dir().join("synthetic.toml")).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for suite in m
        .suites
        .iter()
        .filter(|s| s.task.name() == "reps" && s.modality == modality)
    {
        let mut suite = suite.clone();
        suite.seeds = 0..10;
        let outcomes: Vec<Outcome> = suite_items(&suite)
            .into_iter()
            .map(|item| run_suite_item(&suite, item))
            .collect();
        for o in &outcomes {
            assert_eq!(o.status, Status::Scored, "{}: {:?}", o.name, o.status);
        }
        let pooled = pool_by_dataset(&outcomes);
        let p = pooled[0].reps.as_ref().expect("rep scores");
        let exact = p.exact_count_rate.unwrap_or(0.0);
        let iv = p.intervals.as_ref().expect("intervals");
        let iou = iv.mean_iou_matched.unwrap_or(0.0);
        let hold_mae = iv.hold_error.mae_s;
        eprintln!(
            "{}: exact {exact:.2}, count MAE {:.2}, mean IoU {iou:.3}, F1 {:.3}, hold MAE {:?} s",
            suite.name,
            p.count_mae.unwrap_or(f64::NAN),
            iv.detection.f1,
            hold_mae
        );
        let holds = suite.exercise.is_some_and(|e| e.prescribed_hold_s() > 0.0);
        if exact < 0.9 || iou < 0.8 || (holds && !hold_mae.is_some_and(|m| m <= 1.0)) {
            failures.push(suite.name.clone());
        }
    }
    assert!(failures.is_empty(), "below the floors: {failures:?}");
}

#[test]
fn synthetic_exercises_from_a_foot_imu() {
    synthetic_floors(SynthModality::Imu);
}

#[test]
fn synthetic_exercises_from_keypoints() {
    synthetic_floors(SynthModality::Keypoints);
}
