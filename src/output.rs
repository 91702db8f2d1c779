//! Writing outputs: atomically (a temporary file, then a rename) and never over an input.

use std::io::Write as _;
use std::path::Path;

use crate::UsageError;

/// Refuse to write over one of the input files.
pub(crate) fn check_not_input(path: &Path, inputs: &[String]) -> anyhow::Result<()> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    if let Some(out) = canon(path) {
        if inputs
            .iter()
            .any(|i| canon(Path::new(i)).as_ref() == Some(&out))
        {
            return Err(UsageError(format!(
                "{}: refusing to write over an input file",
                path.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// Write bytes to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], inputs: &[String]) -> anyhow::Result<()> {
    check_not_input(path, inputs)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| UsageError(format!("{}: not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(UsageError(format!("{}: cannot write: {e}", path.display())).into());
    }
    Ok(())
}

/// Print JSON to stdout (`-`) or write it to a file.
pub(crate) fn write_json<T: serde::Serialize>(
    path: &str,
    value: &T,
    inputs: &[String],
) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    if path == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    } else {
        write_atomic(Path::new(path), text.as_bytes(), inputs)
    }
}
