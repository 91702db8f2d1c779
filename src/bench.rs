//! `dorsi bench`: score detectors on labelled recordings (manifests), in parallel.

use std::io::IsTerminal;
use std::path::PathBuf;

use dorsi::eval::manifest::{load_manifest, Manifest};
use dorsi::eval::run::{
    pool_by_dataset, run_entry, run_suite_item, suite_items, DatasetScore, Outcome, Status,
};
use dorsi_plot::PlotError;
use rayon::prelude::*;
use serde::Serialize;

use crate::UsageError;

/// Options of `dorsi bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Manifests to run (default: bench/real.toml and bench/synthetic.toml).
    #[arg(value_name = "MANIFEST")]
    pub manifests: Vec<PathBuf>,
    /// Only entries and suites using this detector.
    #[arg(long)]
    pub detector: Option<String>,
    /// Only entries and suites whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
    /// At most this many seeds per synthetic suite case (quick runs).
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Write the dorsi.bench/1 JSON report to PATH ('-' for stdout, nothing else printed).
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// Draw the results (F1 per dataset and tolerance, timing errors) to PATH (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    manifests: Vec<String>,
    datasets: &'a [DatasetScore],
    outcomes: &'a [Outcome],
}

enum Item<'a> {
    Entry(&'a dorsi::eval::manifest::Entry),
    Suite(
        &'a dorsi::eval::manifest::Suite,
        dorsi::eval::run::SuiteItem,
    ),
}

pub(crate) fn run(a: &BenchArgs) -> anyhow::Result<()> {
    let paths = if a.manifests.is_empty() {
        vec![
            PathBuf::from("bench/real.toml"),
            PathBuf::from("bench/synthetic.toml"),
        ]
    } else {
        a.manifests.clone()
    };
    let manifests: Vec<Manifest> = paths
        .iter()
        .map(|p| load_manifest(p).map_err(|e| UsageError(e.to_string())))
        .collect::<Result<_, _>>()?;
    let keep = |name: &str, detector: &str| {
        a.only.as_deref().is_none_or(|o| name.contains(o))
            && a.detector.as_deref().is_none_or(|d| d == detector)
    };
    let mut items = Vec::new();
    for m in &manifests {
        for e in &m.entries {
            if keep(&e.name, e.detector.name()) {
                items.push(Item::Entry(e));
            }
        }
        for s in &m.suites {
            if keep(&s.name, s.detector.name()) {
                for it in suite_items(s) {
                    if a.seeds.is_none_or(|n| it.seed < s.seeds.start + n) {
                        items.push(Item::Suite(s, it));
                    }
                }
            }
        }
    }
    if items.is_empty() {
        return Err(UsageError("no entry or suite matches the filters".into()).into());
    }
    // Refuse a bad plot path before the (long) run, not after it.
    if let Some(plot) = &a.plot {
        let ext = plot
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("png" | "svg")) {
            return Err(UsageError(format!(
                "cannot tell the image format of {}: use a .png or .svg extension",
                plot.display()
            ))
            .into());
        }
        let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        crate::output::check_not_input(plot, &inputs)?;
    }
    let bar = if std::io::stderr().is_terminal() && a.json.as_deref() != Some("-") {
        indicatif::ProgressBar::new(items.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let outcomes: Vec<Outcome> = items
        .par_iter()
        .map(|item| {
            let o = match item {
                Item::Entry(e) => run_entry(e),
                Item::Suite(s, it) => run_suite_item(s, *it),
            };
            bar.inc(1);
            o
        })
        .collect();
    bar.finish_and_clear();
    let datasets = pool_by_dataset(&outcomes);
    match a.json.as_deref() {
        Some(path) => {
            let report = Report {
                schema: "dorsi.bench/1",
                manifests: paths.iter().map(|p| p.display().to_string()).collect(),
                datasets: &datasets,
                outcomes: &outcomes,
            };
            crate::output::write_json(path, &report, &[])?;
            if path != "-" {
                print!("{}", table(&datasets, &outcomes));
            }
        }
        None => print!("{}", table(&datasets, &outcomes)),
    }
    if let Some(path) = &a.plot {
        dorsi_plot::plot_bench(&datasets, &outcomes, path).map_err(|e| match e {
            PlotError::UnsupportedFormat { .. } | PlotError::OverwritesInput { .. } => {
                anyhow::Error::new(UsageError(e.to_string()))
            }
            other => anyhow::Error::new(other),
        })?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.3}", v))
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:+.1}", v * 1000.0))
}

/// The readable table: one block per task, one row per dataset.
fn table(datasets: &[DatasetScore], outcomes: &[Outcome]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let mut tasks: Vec<&str> = datasets.iter().map(|d| d.task.as_str()).collect();
    tasks.dedup();
    for task in tasks {
        let _ = writeln!(s, "\n== {task}");
        let _ = writeln!(
            s,
            "{:<46} {:>4}  {:<6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>7}  {:>6} {:>8}  {:>9}",
            "dataset",
            "n",
            "event",
            "F1@30",
            "F1@50",
            "F1@100",
            "F1@250",
            "bias ms",
            "MAE ms",
            "refs",
            "found",
            "samples/s"
        );
        // Datasets nothing could score are summarised by reason below the table.
        let mut unscored: Vec<(String, Vec<&str>)> = Vec::new();
        for d in datasets.iter().filter(|d| d.task == task) {
            if d.scored == 0 {
                let why = outcomes
                    .iter()
                    .find(|o| o.dataset == d.dataset)
                    .map(|o| match &o.status {
                        Status::NoDetector(r) | Status::Failed(r) => r.clone(),
                        Status::Scored => String::new(),
                    })
                    .unwrap_or_default();
                match unscored.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, names)) => names.push(&d.dataset),
                    None => unscored.push((why, vec![&d.dataset])),
                }
                continue;
            }
            for k in d.events.iter().chain(d.strides.iter()) {
                let f1 = |tol: f64| {
                    k.score
                        .per_tolerance
                        .iter()
                        .find(|m| (m.tolerance_s - tol).abs() < 1e-9)
                        .map(|m| m.detection.f1)
                };
                let at50 = k
                    .score
                    .per_tolerance
                    .iter()
                    .find(|m| (m.tolerance_s - 0.05).abs() < 1e-9);
                let _ = writeln!(
                    s,
                    "{:<46} {:>4}  {:<6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>7}  {:>6} {:>8}  {:>9}",
                    d.dataset,
                    d.scored,
                    match k.kind {
                        "initial_contact" => "IC",
                        "final_contact" => "FC",
                        other => other,
                    },
                    pct(f1(0.03)),
                    pct(f1(0.05)),
                    pct(f1(0.1)),
                    pct(f1(0.25)),
                    ms(at50.and_then(|m| m.timing_error.mean_s)),
                    ms(at50.and_then(|m| m.timing_error.mae_s)).trim_start_matches('+'),
                    k.score.reference_count,
                    k.score.detected_count,
                    d.samples_per_s.map_or("-".into(), |v| format!("{:.2e}", v)),
                );
            }
            if let Some(r) = &d.reps {
                let iv = r.intervals.as_ref();
                let _ = writeln!(
                    s,
                    "{:<46} {:>4}  reps: count MAE {}, exact {}, off-by-one {}, IoU F1 {}, mean IoU {}",
                    d.dataset,
                    d.scored,
                    pct(r.count_mae),
                    pct(r.exact_count_rate),
                    pct(r.off_by_one_rate),
                    pct(iv.map(|i| i.detection.f1)),
                    pct(iv.and_then(|i| i.mean_iou_all_references)),
                );
                // Holds are scored only where both sides have hold times (towel stretch,
                // ankle rotation).
                if let Some(h) = iv.filter(|i| i.hold_error.count > 0) {
                    let _ = writeln!(
                        s,
                        "{:<46} {:>4}  holds: {} matched, duration MAE {:.2} s, bias {:+.2} s",
                        d.dataset,
                        d.scored,
                        h.hold_error.count,
                        h.hold_error.mae_s.unwrap_or(f64::NAN),
                        h.hold_error.mean_s.unwrap_or(f64::NAN),
                    );
                }
                if let Some(sets) = &r.sets {
                    let _ = writeln!(
                        s,
                        "{:<46} {:>4}  sets: {} labelled, count MAE {}, exact {}, off-by-one {}",
                        d.dataset,
                        d.scored,
                        sets.sets,
                        pct(Some(sets.count_mae)),
                        pct(Some(sets.exact_count_rate)),
                        pct(Some(sets.off_by_one_rate)),
                    );
                }
            }
            if let Some(c) = &d.sides {
                let _ = writeln!(
                    s,
                    "{:<46} {:>4}  sides: sensitivity {}, specificity {}, inconclusive {}",
                    d.dataset,
                    d.scored,
                    pct(c.sensitivity),
                    pct(c.specificity),
                    pct(c.inconclusive_rate),
                );
            }
            if d.not_scored > 0 {
                let _ = writeln!(s, "{:<46} {:>4}  not scored", "", d.not_scored);
            }
        }
        for (why, names) in unscored {
            let shown: Vec<&str> = names.iter().take(4).copied().collect();
            let more = names.len() - shown.len();
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "not scored ({} datasets): {why}: {}{tail}",
                names.len(),
                shown.join(", ")
            );
        }
    }
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Failed(_)))
        .collect();
    for o in failed.iter().take(10) {
        if let Status::Failed(r) = &o.status {
            let _ = writeln!(s, "failed: {}: {r}", o.name);
        }
    }
    s
}
