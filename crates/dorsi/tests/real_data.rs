//! Every data file of `../shared/data/real/` is read with the rate, units and sensors its
//! SOURCE.md gives. One test per folder. The folder sits beside the repository; without it a
//! test is skipped, except in CI (`CI` set) where it fails.

mod common;
use common::real_dir;

use std::path::PathBuf;

use dorsi::io::{read, ReadOptions};
use dorsi::{AccUnit, Format, GyroUnit, Layout, Modality, Recording, Space, UnitBasis};

fn rate(hz: f64) -> ReadOptions {
    ReadOptions {
        rate_hz: Some(hz),
        ..Default::default()
    }
}

fn open(paths: &[PathBuf], opts: &ReadOptions) -> Recording {
    read(paths, opts).unwrap_or_else(|e| panic!("{e}"))
}

fn files_in(dir: &PathBuf, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

fn acc_gyro(rec: &Recording, name: &str) -> (AccUnit, GyroUnit) {
    let s = rec
        .imu(name)
        .unwrap_or_else(|| panic!("no sensor {name} in {:?}", rec.source.files));
    let a = s.acc_unit.as_ref().map(|u| u.unit);
    let g = s.gyro_unit.as_ref().map(|u| u.unit);
    (
        a.unwrap_or_else(|| panic!("{name}: no accelerometer")),
        g.unwrap_or_else(|| panic!("{name}: no gyroscope")),
    )
}

/// Median norm of a sensor's specific force, m/s².
fn static_norm(rec: &Recording, name: &str) -> f64 {
    let acc = rec.imu(name).and_then(|s| s.acc_mps2.as_ref());
    dorsi::signal::median(acc.into_iter().flatten().map(|a| a.norm()))
}

#[test]
fn gaitmap_foot_imus() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("gaitmap_foot_imu_healthy");
    // No clock in the file: the rate is given, as gaitmap's own loader does.
    let rec = open(&[d.join("imu_sample.csv")], &rate(204.8));
    assert_eq!(rec.n_samples, 7928);
    assert!((rec.duration_s() - 38.71).abs() < 0.01);
    for side in ["left_sensor", "right_sensor"] {
        assert_eq!(
            acc_gyro(&rec, side),
            (AccUnit::MetresPerSecond2, GyroUnit::DegPerSecond)
        );
        let n = static_norm(&rec, side);
        assert!((9.0..12.0).contains(&n), "{side}: {n}");
    }
    let tilted = open(&[d.join("imu_sample_ic_stride.csv")], &rate(102.4));
    assert_eq!(tilted.n_samples, 4053);
    assert_eq!(tilted.imus.len(), 2);
    // Sensors not gravity-aligned: acc_x about -6.3 m/s² at rest.
    let first = tilted.imus[0].acc_mps2.as_ref().map(|a| a[0].x);
    assert!(first.is_some_and(|x| (x + 6.3).abs() < 0.2), "{first:?}");
    for f in ["imu_sample_ms_left.csv", "imu_sample_ms_right.csv"] {
        let ms = open(&[d.join(f)], &rate(102.4));
        assert_eq!(ms.n_samples, 7000);
        assert_eq!(
            acc_gyro(&ms, "imu"),
            (AccUnit::MetresPerSecond2, GyroUnit::DegPerSecond)
        );
    }
    // Without a rate the reader says what it needs.
    let e = read(&[d.join("imu_sample.csv")], &ReadOptions::default()).err();
    assert!(e.is_some_and(|e| e.to_string().contains("--rate")));
    // Mocap markers: 6 markers in mm, 100 Hz, z up.
    let mocap = open(&[d.join("mocap_sample.csv")], &rate(100.0));
    assert_eq!(mocap.n_samples, 3870);
    assert_eq!(mocap.source.modality, Modality::Markers);
    let sk = mocap.skeleton.as_ref().expect("markers");
    assert_eq!(sk.points.len(), 6);
    let heel = sk.point("L_FCC").expect("heel marker");
    let z = dorsi::signal::median(heel.position.iter().map(|p| p.z));
    assert!((0.02..0.2).contains(&z), "heel height {z} m");
}

#[test]
fn voisard_xsens_text_with_packet_gaps() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("voisard_ipol_foot_imu_healthy");
    // (file, rows, last PacketCounter) from SOURCE.md.
    for (f, rows, last) in [
        ("1-1_lf.txt", 2913, 2998),
        ("1-1_rf.txt", 2913, 3044),
        ("5-2_lf.txt", 3146, 3244),
        ("5-2_rf.txt", 3146, 3261),
    ] {
        let rec = open(&[d.join(f)], &ReadOptions::default());
        assert_eq!(rec.source.format, Format::Xsens);
        assert_eq!(rec.sampling_rate_hz, 100.0);
        // Re-indexed on the counter: one sample per packet, missing packets filled.
        assert_eq!(rec.n_samples, last + 1, "{f}");
        let missing: f64 = rec
            .gaps
            .iter()
            .map(|g| (g.end_s - g.start_s) * 100.0 - 1.0)
            .sum();
        assert_eq!(missing.round() as usize, last + 1 - rows, "{f}");
        assert!(rec.gaps.iter().all(|g| g.filled && g.start_s > 24.0), "{f}");
        assert_eq!(
            acc_gyro(&rec, "imu"),
            (AccUnit::MetresPerSecond2, GyroUnit::RadPerSecond)
        );
        let n = static_norm(&rec, "imu");
        assert!((9.0..11.0).contains(&n), "{f}: {n}");
    }
    for f in ["1-1_lb.txt", "5-2_lb.txt"] {
        let rec = open(&[d.join(f)], &ReadOptions::default());
        assert_eq!(rec.imus.len(), 1);
    }
}

#[test]
fn cmu_three_row_headers_and_joint_angles() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("cmu_imu_exercise_sub22");
    let rep = d.join("imu/HeelRaise/HeelRaise_01_rep1.csv");
    let rec = open(std::slice::from_ref(&rep), &ReadOptions::default());
    assert_eq!(rec.sampling_rate_hz, 100.0);
    assert_eq!(rec.imus.len(), 10);
    for s in [
        "Chest",
        "Pelvis",
        "LeftFoot",
        "RightFoot",
        "LeftShank",
        "RightShank",
        "LeftThigh",
        "RightThigh",
        "LeftWrist",
        "RightWrist",
    ] {
        assert_eq!(
            acc_gyro(&rec, s),
            (AccUnit::MetresPerSecond2, GyroUnit::RadPerSecond),
            "{s}"
        );
    }
    // The trial clock is kept: rep 1 starts at its first Time value.
    let first_time: f64 = std::fs::read_to_string(&rep)
        .expect("readable")
        .lines()
        .nth(3)
        .and_then(|l| l.split(',').nth(1))
        .and_then(|v| v.parse().ok())
        .expect("a time value");
    assert!((rec.start_s - first_time).abs() < 1e-9);
    // Every IMU file and every joint-angle file (no time column: 100 Hz given).
    for sub in ["HeelRaise", "SqDL", "StepUpL", "Walk", "Pose"] {
        for f in files_in(&d.join("imu").join(sub), "csv") {
            let r = open(std::slice::from_ref(&f), &ReadOptions::default());
            assert_eq!(r.imus.len(), 10, "{}", f.display());
        }
        for f in files_in(&d.join("joint_angles").join(sub), "csv") {
            let r = open(std::slice::from_ref(&f), &rate(100.0));
            let ankle = r.signal("RightAnkleAngle/ML/X").expect("ankle angle");
            assert_eq!(ankle.unit, "rad");
            // About 66° standing: degrees in the file, radians inside.
            let max = ankle.values.iter().fold(0.0f64, |m, v| m.max(*v));
            assert!((0.3..2.0).contains(&max), "{}: {max}", f.display());
        }
    }
}

#[test]
fn ebbelaar_metamotion_pairs() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("ebbelaar_barbell_metamotion");
    let sets = std::fs::read_to_string(d.join("sets.csv")).expect("sets.csv");
    let mut n = 0;
    for line in sets.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (id, acc, gyr) = (f[0], f[7], f[11]);
        let duration: f64 = f[10].parse().expect("duration");
        let rec = open(
            &[d.join("raw").join(acc), d.join("raw").join(gyr)],
            &ReadOptions::default(),
        );
        assert_eq!(rec.source.format, Format::MetaMotion, "{id}");
        assert_eq!(rec.sampling_rate_hz, 25.0, "{id}");
        assert_eq!(rec.imus.len(), 1, "{id}");
        assert_eq!(
            acc_gyro(&rec, "imu"),
            (AccUnit::G, GyroUnit::DegPerSecond),
            "{id}"
        );
        let units = rec.imus[0].acc_unit.as_ref().map(|u| u.basis);
        assert_eq!(units, Some(UnitBasis::Header));
        assert!(
            (rec.duration_s() - duration).abs() < 0.5,
            "{id}: {} vs {duration}",
            rec.duration_s()
        );
        // The 2.0–3.5 s dropouts of S005, S015, S050 and S057 are found and not filled.
        let dropouts: Vec<f64> = rec
            .gaps
            .iter()
            .filter(|g| !g.filled)
            .map(|g| g.end_s - g.start_s)
            .collect();
        if ["S005", "S015", "S050", "S057"].contains(&id) {
            assert!(
                !dropouts.is_empty() && dropouts.iter().all(|d| (1.9..3.7).contains(d)),
                "{id}: {dropouts:?}"
            );
            assert_eq!(rec.segments().len(), 2, "{id}");
        } else {
            assert!(dropouts.is_empty(), "{id}: {dropouts:?}");
        }
        n += 1;
    }
    assert_eq!(n, 59);
}

#[test]
fn exermote_core_motion_log() {
    let Some(dir) = real_dir() else { return };
    let f = dir.join("exermote_cued_workout/raw/2017-04-27 21-07-25 Individual 2.csv");
    let rec = open(&[f], &ReadOptions::default());
    assert_eq!(rec.source.format, Format::CoreMotion);
    assert_eq!(rec.sampling_rate_hz, 10.0);
    // 3000 rows, 5 minutes; the first row has no phone values.
    assert!(
        (rec.duration_s() - 300.0).abs() < 1.0,
        "{}",
        rec.duration_s()
    );
    let phone = rec.imu("Device").expect("the phone");
    assert_eq!(phone.acc_unit.as_ref().map(|u| u.unit), Some(AccUnit::G));
    assert_eq!(
        phone.gyro_unit.as_ref().map(|u| u.unit),
        Some(GyroUnit::RadPerSecond)
    );
    let n = static_norm(&rec, "Device");
    assert!((9.3..10.3).contains(&n), "phone specific force {n}");
    // The six nearables are accelerometer-only sensors.
    assert_eq!(rec.imus.len(), 7);
    assert!(matches!(rec.timing.clock, dorsi::Clock::Absolute { .. }));
}

#[test]
fn mobgap_lower_back_csv() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("mobgap_lowerback_lab/csv");
    let files: Vec<PathBuf> = files_in(&d, "csv")
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("_imu.csv"))
        .collect();
    assert_eq!(files.len(), 9);
    for f in files {
        let rec = open(std::slice::from_ref(&f), &ReadOptions::default());
        assert_eq!(rec.sampling_rate_hz, 100.0);
        assert_eq!(acc_gyro(&rec, "imu"), (AccUnit::G, GyroUnit::DegPerSecond));
        let n = static_norm(&rec, "imu");
        assert!((9.3..10.3).contains(&n), "{}: {n}", f.display());
    }
}

#[test]
fn sports2d_mediapipe_image_and_world() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("sports2d_demo_mediapipe");
    let img = open(
        &[d.join("sports2d_demo_walker_mediapipe_image.csv")],
        &ReadOptions::default(),
    );
    let world = open(
        &[d.join("sports2d_demo_walker_mediapipe_world.csv")],
        &ReadOptions::default(),
    );
    for rec in [&img, &world] {
        assert_eq!(rec.source.format, Format::MediapipeCsv);
        assert_eq!(rec.source.modality, Modality::Keypoints);
        assert_eq!(rec.sampling_rate_hz, 30.0);
        assert_eq!(rec.n_samples, 155);
        assert!((rec.start_s - 46.0 / 30.0).abs() < 1e-4);
        let sk = rec.skeleton.as_ref().expect("keypoints");
        assert_eq!(sk.layout, Layout::Mediapipe33);
        assert_eq!(sk.points.len(), 33);
        assert!(sk
            .point("left_heel")
            .and_then(|p| p.confidence.as_ref())
            .is_some());
    }
    let sk = img.skeleton.as_ref().expect("keypoints");
    assert_eq!(sk.space, Space::Image { normalised: true });
    let sk = world.skeleton.as_ref().expect("keypoints");
    assert_eq!(sk.space, Space::World);
    // World coordinates turned z-up: heels below hips.
    let z = |n: &str| {
        dorsi::signal::median(
            sk.point(n)
                .into_iter()
                .flat_map(|p| p.position.iter().map(|x| x.z)),
        )
    };
    assert!(
        z("left_heel") < z("left_hip") - 0.5,
        "{} {}",
        z("left_heel"),
        z("left_hip")
    );
}

#[test]
fn ktk_cgm_model_outputs() {
    let Some(dir) = real_dir() else { return };
    let rec = open(
        &[dir.join("ktk_walk_cgm21/walk_cgm_model_outputs.csv")],
        &ReadOptions::default(),
    );
    assert_eq!(rec.sampling_rate_hz, 100.0);
    assert_eq!(rec.n_samples, 221);
    assert!((rec.start_s - 1.52).abs() < 1e-9);
    let ankle = rec.signal("LAnkleAngles_X").expect("ankle angle");
    assert_eq!(ankle.unit, "rad");
    let first = ankle.values[0].to_degrees();
    assert!((first - 16.493).abs() < 1e-3, "{first}");
}

#[test]
fn ktk_trc_markers() {
    let Some(dir) = real_dir() else { return };
    let rec = open(
        &[dir.join("ktk_walk_cgm21/walk_lowerlimb_markers.trc")],
        &ReadOptions::default(),
    );
    assert_eq!(rec.source.format, Format::Trc);
    assert_eq!(rec.source.modality, Modality::Markers);
    assert_eq!((rec.sampling_rate_hz, rec.n_samples), (100.0, 221));
    // Time kept on the capture clock: first frame 153 at 1.52 s.
    assert!((rec.start_s - 1.52).abs() < 1e-9);
    let sk = rec.skeleton.as_ref().expect("markers");
    assert_eq!(sk.points.len(), 20);
    assert!(sk.up_axis.as_deref().is_some_and(|u| u.starts_with("+Z")));
    // Heel markers 36–44 mm at foot strike (SOURCE.md): the lowest heel height is a few cm.
    let heel_min = sk
        .point("LHEE")
        .map(|p| p.position.iter().map(|x| x.z).fold(f64::MAX, f64::min));
    assert!(
        heel_min.is_some_and(|h| (0.03..0.05).contains(&h)),
        "{heel_min:?}"
    );
}

#[test]
fn opensim_trc_and_grf_mot() {
    let Some(dir) = real_dir() else { return };
    let d = dir.join("opensim_subject01_walk1");
    let rec = open(&[d.join("subject01_walk1.trc")], &ReadOptions::default());
    assert_eq!((rec.sampling_rate_hz, rec.n_samples), (60.0, 151));
    let sk = rec.skeleton.as_ref().expect("markers");
    assert_eq!(sk.points.len(), 41);
    // Y up in the file, turned to z up: heel 56–66 mm at strikes, ASIS near 1 m.
    assert!(sk.up_axis.as_deref().is_some_and(|u| u.starts_with("+Y")));
    let z = |n: &str| {
        sk.point(n)
            .map(|p| p.position.iter().map(|x| x.z).fold(f64::MAX, f64::min))
            .unwrap_or(f64::NAN)
    };
    assert!((0.04..0.07).contains(&z("R.Heel")), "{}", z("R.Heel"));
    assert!(z("R.ASIS") > 0.8, "{}", z("R.ASIS"));
    let grf = open(
        &[d.join("subject01_walk1_grf.mot")],
        &ReadOptions::default(),
    );
    assert_eq!(grf.source.format, Format::Mot);
    assert_eq!((grf.sampling_rate_hz, grf.n_samples), (600.0, 1501));
    let vy = grf.signal("ground_force_vy").expect("vertical force");
    assert_eq!(vy.unit, "N");
}

#[test]
fn opencap_mot_angles() {
    let Some(dir) = real_dir() else { return };
    let rec = open(
        &[dir.join("opencap_walking1_angles/walking1_videoAndMocap.mot")],
        &ReadOptions::default(),
    );
    assert_eq!((rec.sampling_rate_hz, rec.n_samples), (100.0, 158));
    // ankle_angle_r -16.1..+13.9 degrees (SOURCE.md), radians inside.
    let a = rec.signal("ankle_angle_r").expect("ankle angle");
    assert_eq!(a.unit, "rad");
    let (lo, hi) = a
        .values
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    assert!((lo.to_degrees() + 16.1).abs() < 0.1 && (hi.to_degrees() - 13.9).abs() < 0.1);
    assert_eq!(rec.signal("pelvis_tx").map(|s| s.unit.as_str()), Some("m"));
}

#[test]
fn countix_blazepose_npy() {
    let Some(dir) = real_dir() else { return };
    let files = files_in(&dir.join("countix_fitness_pose/test_poses"), "npy");
    assert_eq!(files.len(), 30);
    for f in files {
        // The frame rate is unknown (SOURCE.md): without --rate the reader asks for it.
        let e = read(std::slice::from_ref(&f), &ReadOptions::default()).err();
        assert!(e.is_some_and(|e| e.to_string().contains("--rate")));
        let rec = open(std::slice::from_ref(&f), &rate(30.0));
        assert_eq!(rec.source.format, Format::MediapipeNpy);
        let sk = rec.skeleton.as_ref().expect("keypoints");
        assert_eq!((sk.layout, sk.points.len()), (Layout::Mediapipe33, 33));
        assert!((104..=1935).contains(&rec.n_samples), "{}", f.display());
    }
}
