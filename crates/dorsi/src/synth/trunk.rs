//! A lower-back IMU of a walking trunk, reduced to what lower-back gait detectors read: the
//! vertical bounce of each step and the trunk's turn about the vertical once per stride.
//! Far simpler than the walking model of [`super::gait`] (which has no trunk sensor): for
//! examples and unit tests with exact contacts.

/// A synthetic lower-back recording as CSV text (`time_s`, acceleration in g, angular rate
/// in deg/s, like mobgap's files), for examples and tests of lower-back detectors: a sensor mounted with its x axis
/// up, standing still until `walk_from_s`, walking with one initial contact every `step_s`
/// until `walk_to_s`, standing again to `duration_s`. Each step the trunk's vertical
/// acceleration is a sine rising fastest at contact (the trunk falls before it and is pushed
/// up after it), and the trunk turns about the vertical once per stride, negative at left
/// contacts. Returns the CSV and the contact times with their sides (the first, at
/// `walk_from_s`, right; then alternating).
pub fn walking_trunk_csv(
    rate_hz: f64,
    duration_s: f64,
    walk_from_s: f64,
    walk_to_s: f64,
    step_s: f64,
) -> (String, Vec<(f64, String)>) {
    use std::f64::consts::PI;
    use std::fmt::Write;
    let n = (duration_s * rate_hz).round() as usize;
    let mut contacts = Vec::new();
    let mut k = 0.0;
    while walk_from_s + k * step_s < walk_to_s {
        let side = if k as u64 % 2 == 1 { "left" } else { "right" };
        contacts.push((walk_from_s + k * step_s, side.to_string()));
        k += 1.0;
    }
    let mut csv = String::from("time_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps\n");
    for i in 0..n {
        let t = i as f64 / rate_hz;
        let (mut up, mut yaw) = (0.0, 0.0);
        if t > walk_from_s && t < walk_to_s {
            let phase = (t - walk_from_s) / step_s;
            let ramp = ((t - walk_from_s).min(walk_to_s - t) / 0.3).min(1.0);
            // 0.25 g peak to peak... sine: steepest rise at whole phases (the contacts).
            up = ramp * 0.25 * (2.0 * PI * phase).sin();
            // 20 deg/s, one cycle per stride: -20 at odd phases (left), +20 at even.
            yaw = ramp * 20.0 * (PI * phase).cos();
        }
        // A small tilt of the mounting: gravity is not exactly along x.
        let (c, s) = (0.995_f64, 0.0998_f64);
        let _ = writeln!(
            csv,
            "{:.3},{:.6},{:.6},0,{:.5},{:.5},0",
            t,
            c * (1.0 + up),
            s * (1.0 + up),
            c * yaw,
            s * yaw
        );
    }
    (csv, contacts)
}
