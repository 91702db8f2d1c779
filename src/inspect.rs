//! `dorsi inspect`: the readable summary and the JSON report.

use std::fmt::Write as _;

use dorsi::report::InspectReport;
use dorsi::{Clock, Recording};

pub(crate) fn run(rec: &Recording, json: Option<&str>) -> anyhow::Result<()> {
    let report = InspectReport::new(rec);
    match json {
        Some(path) => crate::output::write_json(path, &report, &rec.source.files),
        None => {
            print!("{}", text(&report));
            Ok(())
        }
    }
}

/// The readable summary.
pub(crate) fn text(r: &InspectReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "files      {}", r.files.join("\n           "));
    let _ = writeln!(s, "format     {} ({:?})", r.format, r.modality);
    let clock = match &r.clock {
        Clock::Relative { column } => format!("relative time column '{column}'"),
        Clock::Absolute {
            column,
            start_unix_s,
        } => format!("absolute clock '{column}', first sample at Unix {start_unix_s:.3} s"),
        Clock::Counter { column } => format!("counter '{column}' over the rate"),
        Clock::Rate => "none in the file: sample index over the rate".into(),
    };
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4} Hz"));
    let _ = writeln!(
        s,
        "rate       {} Hz (stated {}, measured {}){}",
        r.sampling_rate_hz,
        opt(r.nominal_rate_hz),
        opt(r.measured_rate_hz),
        if r.resampled { ", resampled" } else { "" }
    );
    let _ = writeln!(s, "clock      {clock}");
    let _ = writeln!(
        s,
        "time       {:.3} s to {:.3} s ({:.2} s, {} samples)",
        r.start_s,
        r.start_s + r.duration_s,
        r.duration_s,
        r.n_samples
    );
    if !r.sensors.is_empty() {
        let _ = writeln!(s, "sensors    {}", r.sensors.len());
        for x in &r.sensors {
            let _ = writeln!(s, "  {}", x.name);
            if let (Some(u), Some(b)) = (&x.acc_unit_in_file, &x.acc_unit_basis) {
                let _ = writeln!(
                    s,
                    "    acc    in {u} ({b:?}: {})",
                    x.acc_unit_evidence.as_deref().unwrap_or("")
                );
            }
            if let (Some(u), Some(b)) = (&x.gyro_unit_in_file, &x.gyro_unit_basis) {
                let _ = writeln!(
                    s,
                    "    gyro   in {u} ({b:?}: {})",
                    x.gyro_unit_evidence.as_deref().unwrap_or("")
                );
            }
        }
    }
    if let Some(sk) = &r.skeleton {
        let _ = writeln!(
            s,
            "points     {} {:?} {:?}, {}D: {}",
            r.landmarks.len(),
            sk.layout,
            sk.space,
            sk.dims,
            r.landmarks.join(", ")
        );
        if let Some(up) = &sk.up_axis {
            let _ = writeln!(s, "up axis    {up}");
        }
        for (name, f) in &sk.seen_fraction {
            let _ = writeln!(s, "  {name} seen in {:.0} % of samples", f * 100.0);
        }
    }
    if !r.signals.is_empty() {
        let names: Vec<String> = r
            .signals
            .iter()
            .map(|x| {
                if x.unit.is_empty() {
                    x.name.clone()
                } else {
                    format!("{} [{}]", x.name, x.unit)
                }
            })
            .collect();
        let _ = writeln!(s, "signals    {}: {}", names.len(), names.join(", "));
    }
    let filled = r.gaps.iter().filter(|g| g.filled).count();
    let _ = writeln!(
        s,
        "gaps       {} ({filled} filled by interpolation, {} left as splits)",
        r.gaps.len(),
        r.gaps.len() - filled
    );
    for g in r.gaps.iter().take(10) {
        let _ = writeln!(
            s,
            "  {:.3}–{:.3} s  {}  {}",
            g.start_s,
            g.end_s,
            g.what,
            if g.filled { "filled" } else { "split" }
        );
    }
    if r.gaps.len() > 10 {
        let _ = writeln!(s, "  ... {} more (see --json -)", r.gaps.len() - 10);
    }
    for n in &r.notes {
        let _ = writeln!(s, "note       {n}");
    }
    s
}
