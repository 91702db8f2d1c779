//! Embedding Dorsi: read a recording and look at what the reader found.
//!
//! `cargo run --example read_recording -- data/samples/walk_healthy_imu.csv`

use dorsi::io::{read, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        return Err("usage: read_recording FILE... (the files of one recording)".into());
    }
    let rec = read(&files, &ReadOptions::default())?;
    println!(
        "{} ({:?}): {:.2} s at {} Hz from {:.3} s",
        rec.source.format,
        rec.source.modality,
        rec.duration_s(),
        rec.sampling_rate_hz,
        rec.start_s
    );
    for imu in &rec.imus {
        if let (Some(acc), Some(unit)) = (&imu.acc_mps2, &imu.acc_unit) {
            let norm = dorsi::signal::median(acc.iter().map(|a| a.norm()));
            println!(
                "  {}: median |acc| {norm:.2} m/s² (file in {}, {:?})",
                imu.name,
                unit.unit.name(),
                unit.basis
            );
        }
    }
    if let Some(sk) = &rec.skeleton {
        println!("  {} points ({:?})", sk.points.len(), sk.layout);
    }
    for seg in rec.segments() {
        println!(
            "  usable span {:.2}–{:.2} s",
            rec.time_s(seg.start),
            rec.time_s(seg.end - 1)
        );
    }
    Ok(())
}
