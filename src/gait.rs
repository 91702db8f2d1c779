//! `dorsi gait`: the per-side summary, the dorsi.gait/1 JSON, per-stride CSV and the plot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use dorsi::gait::{GaitAnalyzer, GaitReport};
use dorsi::Recording;

use crate::UsageError;

/// Options of `dorsi gait` beyond the input.
#[derive(Args)]
pub(crate) struct GaitArgs {
    /// Only these IMUs (comma-separated names, as `dorsi inspect` lists them).
    #[arg(long, value_delimiter = ',')]
    pub sensor: Option<Vec<String>>,
    /// Only this side in the outputs: left or right (also the side of sensors whose names
    /// do not say it).
    #[arg(long, value_parser = ["left", "right"])]
    pub side: Option<String>,
    /// Write the dorsi.gait/1 JSON report to PATH ('-' for stdout, nothing else printed).
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// Write strides.csv, events.csv and sides.csv into this folder (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Draw the signals with events, the per-stride metrics against healthy bands and the
    /// verdicts: .png or .svg.
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
}

pub(crate) fn run(mut rec: Recording, args: &GaitArgs) -> anyhow::Result<()> {
    if let Some(names) = &args.sensor {
        for n in names {
            if rec.imu(n).is_none() {
                let have: Vec<&str> = rec.imus.iter().map(|s| s.name.as_str()).collect();
                return Err(UsageError(format!(
                    "no sensor '{n}' in the recording (it has: {})",
                    have.join(", ")
                ))
                .into());
            }
        }
        rec.imus.retain(|s| names.contains(&s.name));
    }
    let mut report = GaitAnalyzer::default()
        .analyze(&rec)
        .map_err(|e| UsageError(format!("{}: {e}", rec.source.files.join(" + "))))?;
    if let Some(side) = &args.side {
        // Sensors whose names do not say their side are on the side the user names.
        for e in report.events.iter_mut().filter(|e| e.side.is_empty()) {
            e.side = side.clone();
        }
        for s in report
            .strides
            .iter_mut()
            .filter(|s| s.metrics.side.is_empty())
        {
            s.metrics.side = side.clone();
        }
        for s in report.sides.iter_mut().filter(|s| s.side.is_empty()) {
            s.side = side.clone();
        }
        for t in report.tracks.iter_mut().filter(|t| t.side.is_none()) {
            t.side = Some(side.clone());
        }
        report.events.retain(|e| &e.side == side);
        report.strides.retain(|s| &s.metrics.side == side);
        report.sides.retain(|s| &s.side == side);
        report.tracks.retain(|t| t.side.as_ref() == Some(side));
    }
    let inputs = &rec.source.files;
    if let Some(dir) = &args.csv {
        write_csv(dir, &report, inputs)?;
    }
    if let Some(path) = &args.plot {
        crate::output::check_not_input(path, inputs)?;
        dorsi_plot::plot_gait(&rec, &report, path).map_err(crate::plot::plot_error)?;
        if args.json.as_deref() != Some("-") {
            eprintln!("wrote {}", path.display());
        }
    }
    match args.json.as_deref() {
        Some(path) => crate::output::write_json(path, &report, inputs),
        None => {
            print!("{}", text(&report));
            Ok(())
        }
    }
}

fn opt(v: Option<f64>, scale: f64, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{:.*}", digits, v * scale))
}

/// The readable per-side summary.
pub(crate) fn text(r: &GaitReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}, {:?}, {} Hz, {:.1} s): {} events, {} strides, detector {}",
        r.source.files.join(" + "),
        r.source.format,
        r.source.modality,
        r.source.sampling_rate_hz,
        r.source.duration_s,
        r.events.len(),
        r.strides.len(),
        r.detector
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<6} {:>7} {:>7}  {:<12} {:>4}  {:>8} {:>7} {:>8} {:>9} {:>9} {:>7} {:>9}",
        "side",
        "strides",
        "flagged",
        "verdict",
        "conf",
        "stride s",
        "cadence",
        "strike °",
        "mid-sw °",
        "late-sw °",
        "MTC mm",
        "heel-toe ms"
    );
    for side in &r.sides {
        let m = &side.medians;
        let verdict = match side.verdict {
            dorsi::detect::Verdict::Normal => "normal",
            dorsi::detect::Verdict::FootDrop => "FOOT DROP",
            dorsi::detect::Verdict::Inconclusive => "inconclusive",
        };
        let _ = writeln!(
            s,
            "{:<6} {:>7} {:>7}  {:<12} {:>4.2}  {:>8} {:>7} {:>8} {:>9} {:>9} {:>7} {:>9}",
            side.side,
            side.strides,
            side.flagged_strides,
            verdict,
            side.confidence,
            opt(m.stride_time_s, 1.0, 2),
            opt(m.cadence_steps_per_min, 1.0, 0),
            opt(m.foot_strike_angle_deg, 1.0, 1),
            opt(m.mid_swing_pitch_deg, 1.0, 1),
            opt(m.late_swing_pitch_deg, 1.0, 1),
            opt(m.min_toe_clearance_m, 1000.0, 1),
            opt(m.heel_to_toe_s, 1000.0, 0),
        );
    }
    for side in r.sides.iter().filter(|x| !x.reasons.is_empty()) {
        let _ = writeln!(s, "\n{}: {}", side.side, side.reasons.join("; "));
    }
    let _ = writeln!(
        s,
        "\nmedians per side; strike: foot-strike angle (heel first > 0, healthy 20–28° with \
         markers); mid-/late-sw: foot pitch at 50 / 85 % of the swing; MTC: minimum toe \
         clearance (healthy about 13 mm)"
    );
    s
}

fn csv_opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

fn write_csv(dir: &Path, r: &GaitReport, inputs: &[String]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| UsageError(format!("{}: cannot create the folder: {e}", dir.display())))?;
    let mut strides = String::from(
        "side,start_s,end_s,stride_time_s,stance_s,swing_s,cadence_steps_per_min,\
         foot_strike_angle_deg,mid_swing_pitch_deg,late_swing_pitch_deg,\
         peak_swing_dorsiflexion_deg,min_toe_clearance_m,clearance_minimum,\
         max_swing_toe_height_m,heel_to_toe_s,lateral_swing_excursion_m,\
         pelvic_obliquity_swing_deg,flagged,reasons\n",
    );
    for st in &r.strides {
        let m = &st.metrics;
        let reasons: Vec<&str> = st.drag.reasons.iter().map(|x| x.code).collect();
        let _ = writeln!(
            strides,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.side,
            m.start_s,
            m.end_s,
            m.stride_time_s,
            csv_opt(m.stance_s),
            csv_opt(m.swing_s),
            m.cadence_steps_per_min,
            csv_opt(m.foot_strike_angle_deg),
            csv_opt(m.mid_swing_pitch_deg),
            csv_opt(m.late_swing_pitch_deg),
            csv_opt(m.peak_swing_dorsiflexion_deg),
            csv_opt(m.min_toe_clearance_m),
            m.clearance_minimum.map_or(String::new(), |b| b.to_string()),
            csv_opt(m.max_swing_toe_height_m),
            csv_opt(m.heel_to_toe_s),
            csv_opt(m.lateral_swing_excursion_m),
            csv_opt(m.pelvic_obliquity_swing_deg),
            st.drag.flagged,
            reasons.join(";")
        );
    }
    let mut events = String::from("side,kind,time_s,sample\n");
    for e in &r.events {
        let _ = writeln!(events, "{},{},{},{}", e.side, e.kind, e.time_s, e.sample);
    }
    let mut sides = String::from("side,strides,flagged_strides,verdict,confidence,reasons\n");
    for x in &r.sides {
        let verdict = serde_json::to_value(x.verdict)?;
        let _ = writeln!(
            sides,
            "{},{},{},{},{},\"{}\"",
            x.side,
            x.strides,
            x.flagged_strides,
            verdict.as_str().unwrap_or_default(),
            x.confidence,
            x.reasons.join("; ").replace('"', "'")
        );
    }
    for (name, body) in [
        ("strides.csv", strides),
        ("events.csv", events),
        ("sides.csv", sides),
    ] {
        crate::output::write_atomic(&dir.join(name), body.as_bytes(), inputs)?;
    }
    Ok(())
}
