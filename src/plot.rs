//! `dorsi plot`: the recording over time.

use std::path::Path;

use dorsi::Recording;

pub(crate) fn run(
    rec: &Recording,
    output: &Path,
    sensors: Option<Vec<String>>,
    channels: Option<Vec<String>>,
    width_px: u32,
) -> anyhow::Result<()> {
    crate::output::check_not_input(output, &rec.source.files)?;
    let _ = (sensors, channels, width_px);
    anyhow::bail!("plotting is not wired yet");
    eprintln!("wrote {}", output.display());
    Ok(())
}
