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

#[test]
#[ignore]
fn diag_one() {
    let names: Vec<String> = std::env::var("AUTO_DIAG")
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let m = load_manifest(&bench_dir().join("real.toml")).unwrap();
    for e in m.entries.iter().filter(|e| names.contains(&e.name)) {
        let rec = dorsi::io::read(&e.files, &e.read).unwrap();
        let t = e.load_truth().unwrap();
        let a = dorsi::reps::auto::segment_auto(&rec, &Default::default()).unwrap();
        println!(
            "{} n={} dur={:.1} truth {:?}/{}",
            e.name,
            rec.n_samples,
            rec.duration_s(),
            t.count,
            t.reps.len()
        );
        for c in &a.candidates {
            println!(
                "   cand {} {:?} {:?}",
                c.name,
                c.period_s.map(|v| (v * 100.0).round() / 100.0),
                c.periodicity.map(|v| (v * 100.0).round() / 100.0)
            );
        }
        println!(
            "  chose {} period {:?} score {:?}",
            a.signal_name, a.period_s, a.periodicity
        );
        for (r, amp) in a.reps.iter().zip(&a.amplitudes) {
            println!(
                "   rep {:.2} {:.2} {:.2} amp {:.3}",
                r.start_s, r.peak_s, r.end_s, amp
            );
        }
        if std::env::var("AUTO_SIG").is_ok() {
            let step = (rec.sampling_rate_hz / 5.0).max(1.0) as usize;
            let s: Vec<String> = a
                .signal
                .iter()
                .step_by(step)
                .map(|v| format!("{:.2}", v))
                .collect();
            println!("  sig(5Hz) {}", s.join(" "));
        }
    }
}

#[test]
#[ignore]
fn diag_kp() {
    let names: Vec<String> = std::env::var("AUTO_DIAG")
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let m = load_manifest(&bench_dir().join("real.toml")).unwrap();
    for e in m.entries.iter().filter(|e| names.contains(&e.name)) {
        let rec = dorsi::io::read(&e.files, &e.read).unwrap();
        let sk = rec.skeleton.as_ref().unwrap();
        for idx in [0usize, 23, 25, 27, 15] {
            for ax in [0usize, 1] {
                let s: Vec<String> = sk.points[idx]
                    .position
                    .iter()
                    .step_by(6)
                    .map(|v| format!("{:.2}", v[ax]))
                    .collect();
                println!(
                    "{} {} ax{}: {}",
                    e.name,
                    sk.points[idx].name,
                    ax,
                    s.join(" ")
                );
            }
        }
    }
}

#[test]
#[ignore]
fn diag_table() {
    let prefix = std::env::var("AUTO_PREFIX").unwrap_or_default();
    let m = load_manifest(&bench_dir().join("real.toml")).unwrap();
    for e in m.entries.iter().filter(|e| e.name.starts_with(&prefix)) {
        let rec = dorsi::io::read(&e.files, &e.read).unwrap();
        let t = e.load_truth().unwrap();
        let a = dorsi::reps::auto::segment_auto(&rec, &Default::default()).unwrap();
        let truth = t.count.unwrap_or(0) as i64;
        let got = a.reps.len() as i64;
        let amps: Vec<String> = a.amplitudes.iter().map(|v| format!("{:.2}", v)).collect();
        println!(
            "{}{:<34} dur {:5.1} truth {:2} got {:2} P {:5.2} s {:4.2} {:<18} bouts {} amps {}",
            if got == truth {
                " "
            } else if (got - truth).abs() == 1 {
                "~"
            } else {
                "X"
            },
            e.name,
            rec.duration_s(),
            truth,
            got,
            a.period_s.unwrap_or(f64::NAN),
            a.periodicity.unwrap_or(f64::NAN),
            a.signal_name,
            a.bouts.len(),
            amps.join(",")
        );
    }
}
