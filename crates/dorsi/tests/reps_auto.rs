//! Floors of the `auto` rep segmenter (`dorsi::reps::auto`), measured through the benchmark
//! runner and the project's scoring code (`dorsi::eval`) on the real recordings of
//! `bench/real.toml`, and on synthetic sessions.

use std::path::PathBuf;

use dorsi::eval::manifest::{load_manifest, Entry};
use dorsi::eval::reps::{pool_reps, PooledRepScore};
use dorsi::eval::run::{run_entry_with, Detectors, Outcome, Status};
use dorsi::reps::auto::AutoSegmenter;

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench")
}

fn shared_present() -> bool {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real");
    if dir.is_dir() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} missing in CI",
        dir.display()
    );
    eprintln!("skipping: {} not found", dir.display());
    false
}

fn entries(prefix: &str) -> Vec<Entry> {
    let m = load_manifest(&bench_dir().join("real.toml")).unwrap_or_else(|e| panic!("{e}"));
    let v: Vec<Entry> = m
        .entries
        .into_iter()
        .filter(|e| e.name.starts_with(prefix))
        .collect();
    assert!(!v.is_empty(), "no entry named {prefix}*");
    v
}

fn run_auto(entry: &Entry) -> Outcome {
    let detectors = Detectors {
        reps: Some(Box::new(AutoSegmenter::default())),
        ..Default::default()
    };
    let o = run_entry_with(entry, &detectors);
    assert_eq!(o.status, Status::Scored, "{}: {:?}", o.name, o.status);
    o
}

fn pooled(prefix: &str) -> (PooledRepScore, Vec<Outcome>) {
    let outcomes: Vec<Outcome> = entries(prefix).iter().map(run_auto).collect();
    let scores: Vec<_> = outcomes.iter().filter_map(|o| o.reps.clone()).collect();
    assert_eq!(scores.len(), outcomes.len());
    (
        pool_reps(&scores).unwrap_or_else(|e| panic!("{e}")),
        outcomes,
    )
}

#[test]
#[ignore]
fn diag() {
    for prefix in ["ebbelaar", "exermote", "countix_squat", "countix_lunge"] {
        let (p, outs) = pooled(prefix);
        for o in &outs {
            let r = o.reps.as_ref().unwrap();
            if r.count_error != 0 {
                println!(
                    "  {} ref {} got {}",
                    o.name, r.reference_count, r.detected_count
                );
            }
        }
        println!(
            "{prefix}: n={} MAE {:?} OBO {:?} exact {:?} iv {:?}",
            p.recordings,
            p.count_mae,
            p.off_by_one_rate,
            p.exact_count_rate,
            p.intervals.as_ref().map(|i| (
                i.detection.true_positives,
                i.detection.false_positives,
                i.mean_iou_matched
            ))
        );
    }
}
