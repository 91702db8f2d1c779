//! `dorsi synth`: synthetic recordings with exact labels.

use std::path::Path;

use dorsi::synth::GaitParams;

/// `dorsi synth gait`: a walk with foot IMUs, and its events beside it.
pub(crate) fn gait(output: &Path, seed: u64, duration_s: f64, rate_hz: f64) -> anyhow::Result<()> {
    if !(duration_s > 0.0 && duration_s <= 86_400.0) {
        return Err(crate::UsageError(format!(
            "--duration must be between 0 and 86400 s, got {duration_s}"
        ))
        .into());
    }
    if !(10.0..=10_000.0).contains(&rate_hz) {
        return Err(crate::UsageError(format!(
            "--rate must be between 10 and 10000 Hz, got {rate_hz}"
        ))
        .into());
    }
    let params = GaitParams {
        duration_s,
        sampling_rate_hz: rate_hz,
        ..Default::default()
    };
    let walk = params.generate(seed);
    crate::output::write_atomic(output, walk.to_csv().as_bytes(), &[])?;
    let labels = output.with_extension("events.csv");
    crate::output::write_atomic(&labels, walk.events_csv().as_bytes(), &[])?;
    eprintln!(
        "wrote {} ({} samples) and {} ({} events)",
        output.display(),
        walk.rows.len(),
        labels.display(),
        walk.events.len()
    );
    Ok(())
}
