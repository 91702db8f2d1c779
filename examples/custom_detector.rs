//! Scoring your own detector beside Dorsi's.
//!
//! A detector is anything that implements `dorsi::detect::EventDetector`. This one is the
//! classic rule many foot-IMU pipelines use: initial contact at the minimum of the sagittal
//! angular rate after mid-swing. Both detectors are run on a synthetic walk (exact labels)
//! and scored with `dorsi::eval`:
//!
//! `cargo run --release --example custom_detector`

use dorsi::detect::{DetectError, DetectedEvent, EventDetector, EventKind};
use dorsi::eval::run::score_events;
use dorsi::eval::truth::{load_str, LoadOptions, Loader};
use dorsi::eval::EventScorer;
use dorsi::motion::{moving_average, sagittal_rate};
use dorsi::synth::{body::Side, gait, imu};
use dorsi::Recording;

/// Initial contact = the minimum of the sagittal rate within 250 ms after each mid-swing peak.
struct MinimumAfterSwing;

impl EventDetector for MinimumAfterSwing {
    fn name(&self) -> &str {
        "minimum_after_swing"
    }

    fn detect_events(&self, rec: &Recording) -> Result<Vec<DetectedEvent>, DetectError> {
        let hz = rec.sampling_rate_hz;
        let mut out = Vec::new();
        for imu in &rec.imus {
            let Some(gyro) = &imu.gyro_rads else { continue };
            let Some(s) = sagittal_rate(gyro, (0.3 * hz) as usize) else {
                continue;
            };
            let broad = moving_average(&s, (0.1 * hz) as usize);
            let side = imu.name.split('_').next().map(str::to_string);
            let mut last_peak = 0usize;
            for i in 1..broad.len().saturating_sub(1) {
                let peak = broad[i] > 2.0 && broad[i] >= broad[i - 1] && broad[i] > broad[i + 1];
                if !peak || (last_peak > 0 && i - last_peak < (0.5 * hz) as usize) {
                    continue;
                }
                last_peak = i;
                let end = (i + (0.25 * hz) as usize).min(s.len());
                if let Some((j, _)) = s[i..end]
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(b.1))
                {
                    out.push(DetectedEvent {
                        side: side.clone(),
                        kind: EventKind::InitialContact,
                        time_s: rec.time_s(i + j),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A synthetic walk with an IMU on each foot, and its exact labels.
    let walk = gait::Walk::new(gait::WalkParams::default(), 7);
    let sensors = [
        imu::Placement::foot(Side::Left),
        imu::Placement::foot(Side::Right),
    ];
    let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 7).to_csv();
    let rec = dorsi::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default())?;
    let truth = load_str(
        Loader::DorsiLabels,
        "walk.labels.csv",
        &walk.labels().to_csv(),
        &LoadOptions::default(),
    )?;

    let mine = MinimumAfterSwing;
    let dorsi = dorsi::gait::ImuEventDetector::default();
    let detectors: [&dyn EventDetector; 2] = [&mine, &dorsi];
    println!(
        "{:<22} {:>8} {:>8} {:>10}",
        "detector", "F1@30ms", "F1@50ms", "bias (ms)"
    );
    for d in detectors {
        let events = d.detect_events(&rec)?;
        let scores = score_events(&events, &truth, &EventScorer::default())?;
        let Some(ic) = scores.iter().find(|k| k.kind == "initial_contact") else {
            continue;
        };
        let f1 = |tol: f64| {
            ic.score
                .per_tolerance
                .iter()
                .find(|m| (m.tolerance_s - tol).abs() < 1e-9)
                .map_or(f64::NAN, |m| m.detection.f1)
        };
        let bias = ic
            .score
            .per_tolerance
            .iter()
            .find(|m| (m.tolerance_s - 0.1).abs() < 1e-9)
            .and_then(|m| m.timing_error.mean_s)
            .map_or(f64::NAN, |b| b * 1000.0);
        println!(
            "{:<22} {:>8.3} {:>8.3} {:>10.1}",
            d.name(),
            f1(0.03),
            f1(0.05),
            bias
        );
    }
    Ok(())
}
