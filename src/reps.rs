//! `dorsi reps`: the rep / hold / set table, the dorsi.reps/1 JSON, CSV files and the plot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use dorsi::reps::{Adherence, Exercise, RepOptions, RepsReport};
use dorsi::Recording;

use crate::UsageError;

/// Options of `dorsi reps` beyond the input.
#[derive(Args)]
pub(crate) struct RepsArgs {
    /// The exercise: towel_stretch, ankle_flexion, ankle_rotation, toe_raise, heel_raise,
    /// ankle_eversion, or auto (any repetitive movement).
    #[arg(long, value_name = "NAME")]
    pub exercise: String,
    /// The IMU to use, by name (default: the one that rotates most).
    #[arg(long, value_name = "NAME")]
    pub sensor: Option<String>,
    /// Segment this named signal of the recording (an ankle-angle column, say) instead of
    /// the one the exercise would derive.
    #[arg(long, value_name = "NAME")]
    pub signal: Option<String>,
    /// The side to analyse for keypoints and markers (default: the foot that moves most).
    #[arg(long, value_parser = ["left", "right"])]
    pub side: Option<String>,
    /// Write the dorsi.reps/1 JSON report to PATH ('-' for stdout, nothing else printed).
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// Write reps.csv, holds.csv and sets.csv into this folder (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// The files are consecutive pieces of one session (one rep per file, say): read each
    /// on its own and join them on one time axis, the gaps between them filled linearly.
    #[arg(long)]
    pub concat: bool,
    /// With --concat: each file's start time on the common axis, s (comma-separated; for
    /// files without a clock of their own).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "S,S,...",
        requires = "concat"
    )]
    pub offsets: Option<Vec<f64>>,
    /// Draw the signal with each rep shaded and numbered, peaks, holds and sets marked, and
    /// the adherence summary: .png or .svg.
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
}

/// The exercise named `name`, or a usage error listing the valid names.
fn exercise(name: &str) -> Result<Exercise, UsageError> {
    Exercise::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Exercise::ALL.iter().map(|e| e.name()).collect();
        UsageError(format!(
            "unknown exercise '{name}'; expected one of {}",
            names.join(", ")
        ))
    })
}

/// The recording: the files as one recording, or (`--concat`) as consecutive pieces.
pub(crate) fn read(input: &crate::Input, args: &RepsArgs) -> anyhow::Result<Recording> {
    if !args.concat {
        return Ok(input.read()?);
    }
    let pieces = input
        .files
        .iter()
        .map(|f| input.read_files(std::slice::from_ref(f)))
        .collect::<Result<Vec<_>, _>>()?;
    dorsi::eval::concat::concat_recordings(pieces, args.offsets.as_deref())
        .map_err(|e| UsageError(e).into())
}

pub(crate) fn run(rec: Recording, args: &RepsArgs) -> anyhow::Result<()> {
    let mut opts = RepOptions::new(exercise(&args.exercise)?);
    opts.sensor = args.sensor.clone();
    opts.signal = args.signal.clone();
    opts.side = args.side.clone();
    let analysis = dorsi::reps::analyze(&rec, &opts)
        .map_err(|e| UsageError(format!("{}: {e}", rec.source.files.join(" + "))))?;
    let report = &analysis.report;
    let inputs = &rec.source.files;
    if let Some(dir) = &args.csv {
        write_csv(dir, report, inputs)?;
    }
    if let Some(path) = &args.plot {
        crate::output::check_not_input(path, inputs)?;
        dorsi_plot::plot_reps(&rec, &analysis, path).map_err(crate::plot::plot_error)?;
        if args.json.as_deref() != Some("-") {
            eprintln!("wrote {}", path.display());
        }
    }
    match args.json.as_deref() {
        Some(path) => crate::output::write_json(path, report, inputs),
        None => {
            print!("{}", text(report));
            Ok(())
        }
    }
}

/// A number with `digits` decimals, `-` when not finite.
fn num(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "-".into()
    }
}

/// The adherence verdict in words.
pub(crate) fn adherence_word(a: Option<Adherence>) -> &'static str {
    match a {
        Some(Adherence::Met) => "met",
        Some(Adherence::Partial) => "partial",
        Some(Adherence::NotMet) => "NOT MET",
        None => "nothing prescribed",
    }
}

/// The readable table: one line per rep, then holds, sets and the adherence summary.
pub(crate) fn text(r: &RepsReport) -> String {
    let mut s = String::new();
    let unit = match r.signal.unit.as_str() {
        "1" => "",
        u => u,
    };
    let _ = writeln!(
        s,
        "{} ({}, {:?}, {} Hz, {:.1} s): {}, {} rep{} ({} complete), {} hold{}, {} set{}",
        files_label(&r.source.files),
        r.source.format,
        r.source.modality,
        r.source.sampling_rate_hz,
        r.source.duration_s,
        r.exercise,
        r.summary.reps,
        plural(r.summary.reps),
        r.summary.complete_reps,
        r.holds.len(),
        plural(r.holds.len()),
        r.sets.len(),
        plural(r.sets.len()),
    );
    let _ = writeln!(
        s,
        "signal: {}{}{}",
        r.signal.name,
        if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        },
        if r.signal.origin.is_empty() {
            String::new()
        } else {
            format!(", {}", r.signal.origin)
        }
    );
    let amp_head = if unit.is_empty() {
        "amplitude".to_string()
    } else {
        format!("amplitude {unit}")
    };
    let _ = writeln!(s);
    if r.reps.is_empty() {
        let _ = writeln!(s, "no reps found");
    } else {
        let _ = writeln!(
            s,
            "{:>4} {:>9} {:>9} {:>9} {:>13} {:>8}  complete",
            "rep", "start s", "peak s", "end s", amp_head, "hold s"
        );
        for rep in &r.reps {
            let _ = writeln!(
                s,
                "{:>4} {:>9.2} {:>9.2} {:>9.2} {:>13} {:>8.1}  {}",
                rep.index,
                rep.start_s,
                rep.peak_s,
                rep.end_s,
                num(rep.amplitude, 1),
                rep.hold_s,
                match (&rep.complete, &rep.reason) {
                    (true, _) => "yes".to_string(),
                    (false, Some(why)) => format!("no: {why}"),
                    (false, None) => "no".to_string(),
                }
            );
        }
    }
    if !r.holds.is_empty() {
        let _ = writeln!(s, "\nholds");
        let _ = writeln!(
            s,
            "{:>4} {:>9} {:>9} {:>10}  direction",
            "rep", "start s", "end s", "duration s"
        );
        for h in &r.holds {
            let _ = writeln!(
                s,
                "{:>4} {:>9.2} {:>9.2} {:>10.1}  {}",
                h.rep, h.start_s, h.end_s, h.duration_s, h.direction
            );
        }
    }
    if !r.sets.is_empty() {
        let _ = writeln!(s, "\nsets");
        let _ = writeln!(
            s,
            "{:>4} {:>9} {:>9} {:>5}",
            "set", "start s", "end s", "reps"
        );
        for (i, set) in r.sets.iter().enumerate() {
            let _ = writeln!(
                s,
                "{:>4} {:>9.2} {:>9.2} {:>5}",
                i + 1,
                set.start_s,
                set.end_s,
                set.reps
            );
        }
    }
    let sm = &r.summary;
    let p = &sm.prescribed;
    let prescribed = match (p.reps, p.hold_s) {
        (Some(n), Some(h)) => format!("prescribed {n} reps, {h:.0} s holds; "),
        (Some(n), None) => format!("prescribed {n} reps; "),
        (None, Some(h)) => format!("prescribed {h:.0} s holds; "),
        (None, None) => String::new(),
    };
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "adherence: {} ({prescribed}done {} rep{}, {} complete; median amplitude {}{}; median hold {})",
        adherence_word(sm.adherence),
        sm.reps,
        plural(sm.reps),
        sm.complete_reps,
        sm.median_amplitude.map_or("-".into(), |a| num(a, 1)),
        if unit.is_empty() || sm.median_amplitude.is_none() {
            String::new()
        } else {
            format!(" {unit}")
        },
        sm.median_hold_s.map_or("-".into(), |h| format!("{h:.1} s")),
    );
    for reason in &sm.reasons {
        let _ = writeln!(s, "  - {reason}");
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\nnotes");
        for n in &r.notes {
            let _ = writeln!(s, "  {n}");
        }
    }
    s
}

/// The files read, shortened when there are many (`a.csv + 9 more files`).
fn files_label(files: &[String]) -> String {
    match files {
        [first, _, _, ..] => format!("{first} + {} more files", files.len() - 1),
        _ => files.join(" + "),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn write_csv(dir: &Path, r: &RepsReport, inputs: &[String]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| UsageError(format!("{}: cannot create the folder: {e}", dir.display())))?;
    let mut reps =
        String::from("index,start_s,peak_s,end_s,amplitude,unit,hold_s,complete,reason\n");
    for rep in &r.reps {
        let _ = writeln!(
            reps,
            "{},{},{},{},{},{},{},{},{}",
            rep.index,
            rep.start_s,
            rep.peak_s,
            rep.end_s,
            csv_num(rep.amplitude),
            field(&r.signal.unit),
            rep.hold_s,
            rep.complete,
            field(rep.reason.as_deref().unwrap_or_default())
        );
    }
    let mut holds = String::from("rep,start_s,end_s,duration_s,direction\n");
    for h in &r.holds {
        let _ = writeln!(
            holds,
            "{},{},{},{},{}",
            h.rep,
            h.start_s,
            h.end_s,
            h.duration_s,
            field(&h.direction)
        );
    }
    let mut sets = String::from("set,start_s,end_s,reps\n");
    for (i, set) in r.sets.iter().enumerate() {
        let _ = writeln!(sets, "{},{},{},{}", i + 1, set.start_s, set.end_s, set.reps);
    }
    for (name, body) in [("reps.csv", reps), ("holds.csv", holds), ("sets.csv", sets)] {
        crate::output::write_atomic(&dir.join(name), body.as_bytes(), inputs)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_exercises_list_the_valid_names() {
        let e = exercise("jumping_jacks")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(e.contains("jumping_jacks"), "{e}");
        assert!(e.contains("heel_raise") && e.contains("auto"), "{e}");
        assert_eq!(exercise("heel_raise").ok(), Some(Exercise::HeelRaise));
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(csv_num(f64::NAN), "");
    }
}
