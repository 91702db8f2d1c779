//! Floors of the `auto` rep segmenter (`dorsi::reps::auto`), measured through the benchmark
//! runner and the project's scoring code (`dorsi::eval`) on the real recordings of
//! `bench/real.toml` (pooled over each dataset's entries), and on synthetic sessions.
//!
//! The floors hold what the segmenter reaches today (measured 2026-11-24); where that is
//! short of the figure, the comment says so.

mod common;
use common::{bench_dir, shared_present};

use dorsi::detect::RepSegmenter;
use dorsi::eval::manifest::{load_manifest, Entry};
use dorsi::eval::reps::{pool_reps, PooledRepScore};
use dorsi::eval::run::{pool_by_dataset, run_entry_with, Detectors, Outcome, Status};
use dorsi::reps::auto::{segment_auto, AutoParams, AutoSegmenter};

/// The manifest entries whose name starts with `prefix` (one dataset).
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

fn auto_detectors() -> Detectors {
    Detectors {
        reps: Some(Box::new(AutoSegmenter::default())),
        ..Default::default()
    }
}

/// Every entry of a dataset through the runner with `auto`, pooled as one dataset.
fn pooled(prefix: &str) -> PooledRepScore {
    let detectors = auto_detectors();
    let mut outcomes: Vec<Outcome> = entries(prefix)
        .iter()
        .map(|e| run_entry_with(e, &detectors))
        .collect();
    for o in &mut outcomes {
        assert_eq!(o.status, Status::Scored, "{}: {:?}", o.name, o.status);
        o.dataset = prefix.to_string();
    }
    let pooled = pool_by_dataset(&outcomes);
    assert_eq!(pooled.len(), 1);
    let reps = pooled[0].reps.clone().expect("rep scores");
    assert_eq!(reps.recordings, outcomes.len());
    // The runner's pooling is the scoring module's.
    let scores: Vec<_> = outcomes.iter().filter_map(|o| o.reps.clone()).collect();
    assert_eq!(Some(&reps), pool_reps(&scores).ok().as_ref());
    eprintln!(
        "{prefix}: {} recordings, count MAE {:?}, off-by-one {:?}, exact {:?}",
        reps.recordings, reps.count_mae, reps.off_by_one_rate, reps.exact_count_rate
    );
    reps
}

fn mae_obo(p: &PooledRepScore) -> (f64, f64) {
    (
        p.count_mae.unwrap_or(f64::NAN),
        p.off_by_one_rate.unwrap_or(f64::NAN),
    )
}

#[test]
fn ebbelaar_barbell_sets_counted_from_the_wrist() {
    if !shared_present() {
        return;
    }
    let p = pooled("ebbelaar_");
    assert_eq!(p.recordings, 57);
    // Measured 2026-11-24: MAE 0.579, off-by-one 0.877 (57 sets; 0.667 / 0.860 before
    // candidates that repeat every half cycle as well were ranked down, which fixed S019,
    // S010 and S013); then 0.509 / 0.895 once a dominant projection repeating after two of
    // the mean's cycles but not after one doubles the cycle (S029: 10 -> 6, its wrist turns
    // twice per press); then 0.421 / 0.912 once a comb of three or more autocorrelation
    // peaks is its shortest tooth (S032: 4 -> 11, its mean autocorrelation peaked at three
    // of its ~2.2-s cycles by chance, 0.18 against 0.13 at one and two). The issue asks
    // MAE ≤ 0.5 (reached) and off-by-one ≥ 0.93 (tuned counters: 0.58 / 0.86): not reached,
    // and out of reach: the 5 sets off by more than one hold fewer cycles than the
    // protocol's count in every candidate signal (S015's last reps fall in a dropout;
    // S024, S034, S035, S058), so 52 of 57 (0.912) is the ceiling. The dropouts of S005,
    // S050 and S057 each hold one detected rep already (no reps missing from the rhythm
    // there).
    let (mae, obo) = mae_obo(&p);
    assert!(mae <= 0.45, "count MAE {mae}");
    assert!(obo >= 0.9, "off-by-one {obo}");
}

#[test]
fn exermote_workout_reps_matched_and_five_sets() {
    if !shared_present() {
        return;
    }
    let p = pooled("exermote_");
    let iv = p.intervals.as_ref().expect("labelled rep intervals");
    // Measured: 30 of the 36 cued reps matched at IoU 0.5 (40 found), mean IoU 0.84.
    assert_eq!(iv.min_iou, 0.5);
    assert!(
        iv.detection.true_positives >= 30,
        "{} matched",
        iv.detection.true_positives
    );
    assert!(iv.detection.false_positives <= 12, "{:?}", iv.detection);
    // The labelled sets scored one by one (`RepScore::with_sets`): measured 2026-11-24,
    // count MAE 0.80 per set, every set within one rep (the figure).
    let sets = p.sets.as_ref().expect("per-set counts");
    assert_eq!(sets.sets, 5);
    assert_eq!(sets.off_by_one_rate, 1.0, "{sets:?}");
    // The five sets: bouts of repetition separated by rests.
    let entry = &entries("exermote_")[0];
    let rec = dorsi::io::read(&entry.files, &entry.read).unwrap_or_else(|e| panic!("{e}"));
    let found = segment_auto(&rec, &AutoParams::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.bouts.len(), 5, "{:#?}", found.bouts);
    // Each set's count within one rep of the cued count (SOURCE.md: 7 squats, 8 sit-ups,
    // 6 sit-ups, 9 squats, 6 burpees). Measured 2026-11-24: 8, 9, 7, 9, 7 (a half-sized
    // movement into or out of position beside four of the sets).
    let sets = [(15.0, 7), (70.6, 8), (135.2, 6), (188.0, 9), (254.3, 6)];
    for (b, (first_rep_s, cued)) in found.bouts.iter().zip(sets) {
        assert!(
            b.start_s <= first_rep_s + 3.0 && b.end_s >= first_rep_s + 10.0,
            "{b:?} should cover the set starting at {first_rep_s} s"
        );
        assert!(
            b.reps.abs_diff(cued) <= 1,
            "{} reps in the set at {first_rep_s} s, {cued} cued",
            b.reps
        );
    }
    // No rep in the longest rests (between the labelled sets, away from their edges).
    for (from_s, to_s) in [(58.0, 64.0), (123.0, 130.0), (240.0, 248.0)] {
        assert!(
            !found
                .reps
                .iter()
                .any(|r| r.peak_s > from_s && r.peak_s < to_s),
            "a rep in the rest {from_s}–{to_s} s"
        );
    }
}

#[test]
fn countix_squats_counted_from_blazepose() {
    if !shared_present() {
        return;
    }
    let p = pooled("countix_squat");
    assert_eq!(p.recordings, 19);
    // Measured 2026-11-24: MAE 0.737, off-by-one 0.842 (16 of 19), the figures
    // (MAE ≤ 1.2, off-by-one ≥ 0.75; k-NN pose counter: 2.32 / 0.53) reached. Before: 1.42 /
    // 0.58, with no reps in clips whose first seconds show no one, whose few squats repeat
    // weakly over the whole clip (below the old periodicity threshold, 0.2, needed while
    // estimator noise was not told apart by its size), or that a pose glitch dominated.
    // Then 0.684 / 0.895 (17 of 19) with principal components from rows at least 0.1 s
    // apart (squat031 +2 -> +1). Still off: squat025 (-2, two bouts) and squat033 (+5: other
    // movements between the squats as regular as the squats).
    let (mae, obo) = mae_obo(&p);
    assert!(mae <= 0.75, "count MAE {mae}");
    assert!(obo >= 0.85, "off-by-one {obo}");
}

#[test]
fn countix_lunges_counted_from_blazepose() {
    if !shared_present() {
        return;
    }
    let p = pooled("countix_lunge");
    assert_eq!(p.recordings, 11);
    // Measured 2026-11-24: MAE 0.18, off-by-one 0.91 (10 of 11), the figures (≤ 1.2
    // and ≥ 0.75; k-NN 2.45 / 0.55) reached; 1.09 / 0.64 before the half cycles of
    // alternating lunges (the body goes down once per leg) and the observed stretch only
    // (lunge7's first and last seconds show no one). Still off: lunge12 (-2; 9 of its 29 s
    // have no pose).
    let (mae, obo) = mae_obo(&p);
    assert!(mae <= 0.25, "count MAE {mae}");
    assert!(obo >= 0.9, "off-by-one {obo}");
}

/// A synthetic session (`dorsi::synth::exercise`) through a simulated foot IMU.
fn synthetic_session(
    exercise: dorsi::synth::exercise::Exercise,
    sets: u32,
    seed: u64,
) -> (dorsi::Recording, usize) {
    use dorsi::synth::exercise::{generate, ExerciseParams};
    use dorsi::synth::imu::{simulate, Placement, SensorErrors};
    use dorsi::synth::labels::Label;
    let mut params = ExerciseParams::new(exercise);
    params.sets = sets;
    let (session, labels) = generate(&params, seed);
    let reps = labels
        .items
        .iter()
        .filter(|l| matches!(l, Label::Rep { .. }))
        .count();
    let imu = simulate(
        &session,
        &[Placement::foot(params.side)],
        100.0,
        &SensorErrors::default(),
        seed,
    );
    let rec = dorsi::io::read_bytes("session.csv", imu.to_csv().as_bytes(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (rec, reps)
}

#[test]
fn synthetic_sessions_give_the_labelled_count() {
    use dorsi::synth::exercise::Exercise;
    let mut exact = 0;
    let mut total = 0;
    for exercise in [
        Exercise::HeelRaise,
        Exercise::ToeRaise,
        Exercise::AnkleFlexion,
        Exercise::AnkleEversion,
    ] {
        for seed in 1..=3 {
            let (rec, want) = synthetic_session(exercise, 1, seed);
            let got = AutoSegmenter::default()
                .segment_reps(&rec, "auto")
                .unwrap_or_else(|e| panic!("{e}"))
                .len();
            eprintln!("{exercise:?} seed {seed}: {got} of {want}");
            exact += usize::from(got == want);
            total += 1;
            assert!(
                got.abs_diff(want) <= 1,
                "{exercise:?} seed {seed}: {got} of {want}"
            );
        }
    }
    assert!(exact * 10 >= total * 9, "{exact} of {total} exact");
}

#[test]
fn synthetic_keypoint_sessions_give_the_labelled_count() {
    // Video keypoints (MediaPipe, 30 Hz, a camera beside the person) take the coarse-grid
    // path: candidates scored on block means, projections built on the analysis grid.
    use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
    use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
    use dorsi::synth::labels::Label;
    let mut exact = 0;
    let mut total = 0;
    for exercise in [
        Exercise::HeelRaise,
        Exercise::ToeRaise,
        Exercise::AnkleFlexion,
    ] {
        for seed in 1..=3 {
            let mut params = ExerciseParams::new(exercise);
            params.sets = 1;
            let (session, labels) = generate(&params, seed);
            let want = labels
                .items
                .iter()
                .filter(|l| matches!(l, Label::Rep { .. }))
                .count();
            let camera = Camera::beside(&session);
            let video =
                simulate_keypoints(&session, &camera, 30.0, &KeypointNoise::default(), seed);
            let csv = video.to_mediapipe_image_csv();
            let rec = dorsi::io::read_bytes("video.csv", csv.as_bytes(), &Default::default())
                .unwrap_or_else(|e| panic!("{e}"));
            let got = segment_auto(&rec, &AutoParams::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .reps
                .len();
            eprintln!("keypoints {exercise:?} seed {seed}: {got} of {want}");
            exact += usize::from(got == want);
            total += 1;
            assert!(
                got.abs_diff(want) <= 1,
                "{exercise:?} seed {seed}: {got} of {want}"
            );
        }
    }
    // Measured 2026-11-24: 8 of 9 exact (heel raise seed 1: 9 of 10), the same as before
    // the coarse grid.
    assert!(exact >= 7, "{exact} of {total} exact");
}

#[test]
fn synthetic_sets_are_separate_bouts() {
    use dorsi::synth::exercise::Exercise;
    let (rec, want) = synthetic_session(Exercise::HeelRaise, 3, 5);
    let found = segment_auto(&rec, &AutoParams::default()).unwrap_or_else(|e| panic!("{e}"));
    // Measured: 28 of 30 (a set split by a long pause loses a rep at the split).
    assert!(
        found.reps.len().abs_diff(want) <= 2,
        "{} of {want}",
        found.reps.len()
    );
    // A long pause inside a set may split it (measured: 5 bouts, sets 1 and 2 whole).
    assert!((3..=5).contains(&found.bouts.len()), "{:#?}", found.bouts);
    for pair in found.bouts.windows(2) {
        assert!(
            pair[0].end_s <= pair[1].start_s,
            "overlapping bouts {pair:?}"
        );
    }
    for pair in found.reps.windows(2) {
        assert!(
            pair[0].end_s <= pair[1].start_s + 1e-9,
            "overlapping reps {pair:?}"
        );
    }
    assert_eq!(found.signal.len(), rec.n_samples);
    let p = found.period_s.expect("periodic");
    assert!(p > 2.0 && p < 8.0, "period {p} s");
}

#[test]
fn the_segmenter_refuses_other_exercises_and_bad_parameters() {
    use dorsi::synth::exercise::Exercise;
    let (rec, _) = synthetic_session(Exercise::HeelRaise, 1, 2);
    let e = AutoSegmenter::default()
        .segment_reps(&rec, "heel_raise")
        .expect_err("only auto");
    assert_eq!(e.detector, "reps_auto");
    let bad = AutoSegmenter {
        params: AutoParams {
            max_period_s: 0.3,
            ..Default::default()
        },
    };
    let e = bad
        .segment_reps(&rec, "auto")
        .expect_err("max < min period");
    assert!(e.message.contains("max_period_s"), "{}", e.message);
    let nan = AutoParams {
        min_prominence_ratio: f64::NAN,
        ..Default::default()
    };
    assert!(nan.validate().is_err());
    assert!(AutoParams::default().validate().is_ok());
}

/// A keypoint video (MediaPipe image CSV) of a person who does no exercise: the first
/// frame of a synthetic heel-raise video held for `seconds` at 30 Hz, each coordinate
/// moved by `walk` (SD of a random-walk step, shared by the whole body plus a smaller one
/// per point) and `jitter` (white noise), as a pose estimator sees someone standing and
/// shifting their weight.
fn non_repetitive_video(seconds: f64, walk: f64, jitter: f64, seed: u64) -> dorsi::Recording {
    use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
    use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
    let params = ExerciseParams::new(Exercise::HeelRaise);
    let (session, _) = generate(&params, seed);
    let video = simulate_keypoints(
        &session,
        &Camera::beside(&session),
        30.0,
        &KeypointNoise::default(),
        seed,
    )
    .to_mediapipe_image_csv();
    let mut lines = video.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let first: Vec<f64> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    // A small xorshift generator; uniform noise of the same SD as the normal one.
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 12f64.sqrt()
    };
    let points = (first.len() - 2) / 4;
    let mut body = [0.0f64; 2];
    let mut own = vec![[0.0f64; 2]; points];
    let mut csv = header + "\n";
    let frames = (seconds * 30.0) as usize;
    for i in 0..frames {
        for b in &mut body {
            *b += walk * noise();
        }
        csv.push_str(&format!("{i},{:.6}", i as f64 / 30.0));
        for (k, o) in own.iter_mut().enumerate() {
            let base = &first[2 + 4 * k..6 + 4 * k];
            for axis in 0..2 {
                o[axis] += 0.3 * walk * noise();
                let v = base[axis] + body[axis] + o[axis] + jitter * noise();
                csv.push_str(&format!(",{v:.6}"));
            }
            csv.push_str(&format!(",{:.6},{:.4}", base[2], base[3]));
        }
        csv.push('\n');
    }
    dorsi::io::read_bytes("still.csv", csv.as_bytes(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn still_and_wandering_recordings_give_no_reps() {
    // Someone standing still (estimator jitter only), and someone shifting about at random
    // (a random walk of the whole body and of each point, as a camera pan or weight shifts
    // look), 6, 15 and 40 s, six seeds: 54 recordings with no rep at all.
    let mut bad = Vec::new();
    for seed in 1..=6 {
        for seconds in [6.0, 15.0, 40.0] {
            for (walk, jitter) in [(0.0, 0.003), (0.002, 0.002), (0.004, 0.0005)] {
                let rec = non_repetitive_video(seconds, walk, jitter, seed);
                let found =
                    segment_auto(&rec, &AutoParams::default()).unwrap_or_else(|e| panic!("{e}"));
                if !found.reps.is_empty() {
                    bad.push((
                        seconds,
                        walk,
                        format!(
                            "seed {seed}, {seconds} s, walk {walk}, jitter {jitter}: {} reps, \
                         period {:?}, periodicity {:?} on {}",
                            found.reps.len(),
                            found.period_s,
                            found.periodicity,
                            found.signal_name
                        ),
                    ));
                }
            }
        }
    }
    let list = bad
        .iter()
        .map(|b| b.2.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("still and wandering clips: {} of 54 give reps", bad.len());
    // A still person filmed for 40 s never gives reps.
    assert!(
        !bad.iter().any(|b| b.0 == 40.0 && b.1 == 0.0),
        "still 40 s recordings with reps:\n{list}"
    );
    // Known limitation, measured 2026-11-24: 6 of the 54 give reps, all random walks (9,
    // then 7, before; 6 of the 9 were jitter alone; the keypoints' coarse scoring grid
    // took one more). Jitter is told apart by its size: keypoint reps must
    // reach 5 times the points' frame-to-frame jitter (`min_noise_ratio`; jitter-only reps
    // measure 0.4 to 2.2, the smallest Countix reps 27). A random walk's excursions are as
    // large as real reps (15 to 60) and repeat by chance over a few periods. With the old
    // periodicity threshold (0.2) 4 of 54 give reps, but Countix squats lose 2 clips.
    // The floor keeps it from growing.
    assert!(bad.len() <= 6, "{} of 54 give reps:\n{list}", bad.len());
}

#[test]
fn reps_in_sensor_dropouts_are_marked_inferred() {
    if !shared_present() {
        return;
    }
    // SOURCE.md: S005, S015, S050 and S057 each have one dropout of 2 to 3.5 s. A rep whose
    // peak falls in it is inferred from the signal filled across the gap, and said so.
    // Measured 2026-11-24: one in S050 (gap 14.0–16.1 s) and one in S057 (20.0–22.2 s);
    // the peaks near the gaps of S005 and S015 were measured before them.
    for (set, gap, want) in [
        ("s005", (25.4, 27.8), 0),
        ("s015", (16.3, 19.8), 0),
        ("s050", (14.0, 16.1), 1),
        ("s057", (20.0, 22.2), 1),
        ("s006", (0.0, 0.0), 0),
    ] {
        let entry = &entries(&format!("ebbelaar_{set}"))[0];
        let rec = dorsi::io::read(&entry.files, &entry.read).unwrap_or_else(|e| panic!("{e}"));
        let found = segment_auto(&rec, &AutoParams::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.inferred.len(), found.reps.len());
        // The report says so in its notes (table and JSON alike).
        let options = dorsi::reps::RepOptions::new(dorsi::reps::Exercise::Auto);
        let report = dorsi::reps::analyze(&rec, &options)
            .unwrap_or_else(|e| panic!("{e}"))
            .report;
        let noted = report.notes.iter().any(|n| n.contains("inferred"));
        assert_eq!(noted, want > 0, "{set}: notes {:?}", report.notes);
        let inferred: Vec<_> = found
            .reps
            .iter()
            .zip(&found.inferred)
            .filter(|(_, i)| **i)
            .map(|(r, _)| r.peak_s)
            .collect();
        assert_eq!(inferred.len(), want, "{set}: inferred peaks {inferred:?}");
        for t in inferred {
            assert!(
                t >= gap.0 - 0.2 && t <= gap.1 + 0.2,
                "{set}: inferred peak at {t} s"
            );
        }
    }
}
