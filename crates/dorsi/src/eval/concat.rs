//! Joining consecutive pieces of one session (manifest `concat = true`): each file read on
//! its own, laid on one time axis (its own clock, or the manifest's `offsets_s`), the gaps
//! between pieces filled by linear interpolation and reported as filled gaps.

use nalgebra::Vector3;

use crate::{Gap, Recording};

/// Place `pieces` (values of one channel per piece, at sample offsets `at`) on `n` samples and
/// fill what lies between them linearly (constant before the first and after the last).
fn join<T: Copy + std::ops::Add<Output = T> + std::ops::Mul<f64, Output = T>>(
    n: usize,
    pieces: &[(usize, &[T])],
    nan: T,
    ok: impl Fn(&T) -> bool,
) -> Vec<T> {
    let mut out = vec![nan; n];
    let mut known = vec![false; n];
    for &(at, values) in pieces {
        for (k, v) in values.iter().enumerate() {
            if let (Some(o), true) = (out.get_mut(at + k), ok(v)) {
                *o = *v;
                known[at + k] = true;
            }
        }
    }
    let mut last: Option<usize> = None;
    for i in 0..n {
        if !known[i] {
            continue;
        }
        match last {
            Some(j) if i > j + 1 => {
                let (a, b) = (out[j], out[i]);
                for (k, o) in out.iter_mut().enumerate().take(i).skip(j + 1) {
                    let u = (k - j) as f64 / (i - j) as f64;
                    *o = a * (1.0 - u) + b * u;
                }
            }
            None => {
                let v = out[i];
                out[..i].iter_mut().for_each(|o| *o = v);
            }
            _ => {}
        }
        last = Some(i);
    }
    if let Some(j) = last {
        let v = out[j];
        out[j + 1..].iter_mut().for_each(|o| *o = v);
    }
    out
}

/// Join recordings read from consecutive files into one. `offsets_s`, when given, is each
/// piece's start time on the common axis (for files without a clock); otherwise each keeps
/// its own clock. Pieces must share a sampling rate and come in time order.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let a = dorsi::io::read_bytes("a.csv", b"time_s,angle_deg\n0.0,1\n0.1,2\n", &Default::default())?;
/// let b = dorsi::io::read_bytes("b.csv", b"time_s,angle_deg\n0.0,4\n0.1,5\n", &Default::default())?;
/// let joined = dorsi::eval::concat::concat_recordings(vec![a, b], Some(&[0.0, 0.3]))?;
/// assert_eq!(joined.n_samples, 5);
/// let v = &joined.signals[0].values;
/// assert!((v[2] - (v[1] + v[3]) / 2.0).abs() < 1e-9); // the gap is filled linearly
/// # Ok(()) }
/// ```
pub fn concat_recordings(
    pieces: Vec<Recording>,
    offsets_s: Option<&[f64]>,
) -> Result<Recording, String> {
    let first = pieces.first().ok_or("concat: no files")?;
    let rate = first.sampling_rate_hz;
    if let Some(off) = offsets_s {
        if off.len() != pieces.len() {
            return Err(format!(
                "concat: {} offsets for {} files",
                off.len(),
                pieces.len()
            ));
        }
    }
    let starts: Vec<f64> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            offsets_s
                .and_then(|o| o.get(i).copied())
                .unwrap_or(p.start_s)
        })
        .collect();
    for (i, p) in pieces.iter().enumerate() {
        if (p.sampling_rate_hz - rate).abs() > 1e-6 * rate {
            return Err(format!(
                "concat: {} is sampled at {} Hz, the first file at {rate} Hz",
                p.source.files.join(", "),
                p.sampling_rate_hz
            ));
        }
        if i > 0 && starts[i] < starts[i - 1] + pieces[i - 1].duration_s() - 0.5 / rate {
            return Err(format!(
                "concat: {} starts at {} s, before the previous file ends",
                p.source.files.join(", "),
                starts[i]
            ));
        }
    }
    let t0 = starts[0];
    let at: Vec<usize> = starts
        .iter()
        .map(|s| ((s - t0) * rate).round().max(0.0) as usize)
        .collect();
    let n = pieces
        .iter()
        .zip(&at)
        .map(|(p, a)| a + p.n_samples)
        .max()
        .unwrap_or(0);
    let nan3 = Vector3::repeat(f64::NAN);
    let fin3 = |v: &Vector3<f64>| v.iter().all(|c| c.is_finite());
    let mut out = first.clone();
    out.start_s = t0;
    out.n_samples = n;
    out.source.files = pieces.iter().flat_map(|p| p.source.files.clone()).collect();
    for imu in &mut out.imus {
        let name = imu.name.clone();
        let chan = |acc: bool| -> Option<Vec<Vector3<f64>>> {
            let parts: Vec<(usize, &[Vector3<f64>])> = pieces
                .iter()
                .zip(&at)
                .filter_map(|(p, &a)| {
                    let i = p.imu(&name)?;
                    let v = if acc {
                        i.acc_mps2.as_ref()?
                    } else {
                        i.gyro_rads.as_ref()?
                    };
                    Some((a, v.as_slice()))
                })
                .collect();
            (!parts.is_empty()).then(|| join(n, &parts, nan3, fin3))
        };
        imu.acc_mps2 = chan(true);
        imu.gyro_rads = chan(false);
    }
    for s in &mut out.signals {
        let parts: Vec<(usize, &[f64])> = pieces
            .iter()
            .zip(&at)
            .filter_map(|(p, &a)| Some((a, p.signal(&s.name)?.values.as_slice())))
            .collect();
        s.values = join(n, &parts, f64::NAN, |v| v.is_finite());
    }
    if let Some(sk) = &mut out.skeleton {
        for pt in &mut sk.points {
            let parts: Vec<(usize, &[Vector3<f64>])> = pieces
                .iter()
                .zip(&at)
                .filter_map(|(p, &a)| {
                    let q = p.skeleton.as_ref()?.point(&pt.name)?;
                    Some((a, q.position.as_slice()))
                })
                .collect();
            pt.position = join(n, &parts, nan3, fin3);
            pt.confidence = None;
        }
    }
    out.gaps = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        for g in &p.gaps {
            let shift = starts[i] - p.start_s;
            out.gaps.push(Gap {
                start_s: g.start_s + shift,
                end_s: g.end_s + shift,
                ..g.clone()
            });
        }
        if let Some(next) = at.get(i + 1) {
            let end = at[i] + p.n_samples;
            if *next > end {
                out.gaps.push(Gap {
                    start_s: t0 + (end - 1) as f64 / rate,
                    end_s: t0 + *next as f64 / rate,
                    filled: true,
                    what: "between files (joined, filled linearly)".into(),
                });
            }
        }
    }
    out.notes.push(format!(
        "{} files joined on one time axis ({}), gaps between them filled linearly",
        pieces.len(),
        if offsets_s.is_some() {
            "manifest offsets"
        } else {
            "their own clocks"
        }
    ));
    Ok(out)
}
