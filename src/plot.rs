//! `dorsi plot`: the recording over time.

use std::path::Path;

use dorsi::Recording;
use dorsi_plot::PlotError;

use crate::UsageError;

pub(crate) fn run(
    rec: &Recording,
    output: &Path,
    sensors: Option<Vec<String>>,
    channels: Option<Vec<String>>,
    width_px: u32,
) -> anyhow::Result<()> {
    crate::output::check_not_input(output, &rec.source.files)?;
    let opts = dorsi_plot::RecordingPlot {
        sensors,
        channels,
        width_px,
        ..Default::default()
    };
    dorsi_plot::plot_recording(rec, &opts, output).map_err(|e| match e {
        PlotError::UnsupportedFormat { .. }
        | PlotError::OverwritesInput { .. }
        | PlotError::UnknownChannel { .. }
        | PlotError::UnknownSensor { .. }
        | PlotError::InvalidWidth { .. }
        | PlotError::NothingToPlot(_)
        | PlotError::InvalidRecording(_) => anyhow::Error::new(UsageError(e.to_string())),
        other => anyhow::Error::new(other),
    })?;
    eprintln!("wrote {}", output.display());
    Ok(())
}
