//! Property tests: random bytes and random mutations of the real recordings, fed to every
//! reader, give a recording or an error, never a panic.

use std::path::PathBuf;

use dorsi::io::{read_bytes, ReadOptions, FORMATS};
use proptest::prelude::*;

/// Read `bytes` as each format in turn and detected, with and without a rate.
fn read_every_way(name: &str, bytes: &[u8]) {
    for rate in [None, Some(50.0)] {
        let detect = ReadOptions {
            rate_hz: rate,
            ..Default::default()
        };
        let _ = read_bytes(name, bytes, &detect);
        for f in FORMATS {
            let opts = ReadOptions {
                format: Some(*f),
                rate_hz: rate,
                ..Default::default()
            };
            let _ = read_bytes(name, bytes, &opts);
        }
    }
}

/// Small real files of every kind (read in place, never copied).
fn real_samples() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} missing in CI",
            dir.display()
        );
        return Vec::new();
    }
    [
        "voisard_ipol_foot_imu_healthy/1-1_lf.txt",
        "sports2d_demo_mediapipe/sports2d_demo_walker_mediapipe_image.csv",
        "ktk_walk_cgm21/walk_lowerlimb_markers.trc",
        "opencap_walking1_angles/walking1_videoAndMocap.mot",
        "countix_fitness_pose/test_poses/lunge19.npy",
        "mobgap_lowerback_lab/csv/HA_002_Test5_Trial1_imu.csv",
        "cmu_imu_exercise_sub22/imu/HeelRaise/HeelRaise_01_rep1.csv",
        "exermote_cued_workout/raw/2017-04-27 21-07-25 Individual 2.csv",
    ]
    .iter()
    .map(|p| {
        let bytes = std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        // Keep the mutated inputs small so the test stays quick.
        let cut = bytes.len().min(40_000);
        (p.to_string(), bytes[..cut].to_vec())
    })
    .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    DuplicateLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![
                    Just(b','),
                    Just(b'\n'),
                    Just(b'\t'),
                    Just(b'"'),
                    Just(b'-'),
                    Just(b'e'),
                    any::<u8>()
                ],
                1..8
            )
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            if let Some(x) = bytes.get_mut(i % n) {
                *x ^= b;
            }
        }
        Mutation::Insert(i, v) => {
            let at = (i % n).min(bytes.len());
            bytes.splice(at..at, v.iter().copied());
        }
        Mutation::Delete(i, k) => {
            let a = (i % n).min(bytes.len());
            let b = (a + k).min(bytes.len());
            bytes.drain(a..b);
        }
        Mutation::Truncate(i) => bytes.truncate(i % n),
        Mutation::DuplicateLine(i) => {
            let a = (i % n).min(bytes.len());
            let start = bytes[..a]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[a..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(bytes.len(), |p| a + p + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_every_way("random.csv", &bytes);
        read_every_way("random.npy", &bytes);
    }

    #[test]
    fn random_text_never_panics(text in "[0-9a-z,;\t\n .:eE+\\-\"#/()]{0,1500}") {
        read_every_way("random.csv", text.as_bytes());
        read_every_way("random.trc", text.as_bytes());
    }

    #[test]
    fn mutated_real_files_never_panic(muts in prop::collection::vec(mutation(), 1..6)) {
        for (name, bytes) in real_samples() {
            let mut b = bytes.clone();
            for m in &muts {
                apply(&mut b, m);
            }
            read_every_way(&name, &b);
        }
    }
}
