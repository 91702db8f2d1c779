//! Date-time text (`2019-01-11T16:10:08.431`, `2017-04-27 21:02:14:361`) → Unix seconds.
//!
//! Times are read as UTC: only differences between samples matter to Dorsi, and the absolute
//! start is reported as written.

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian; Howard Hinnant's
/// `days_from_civil` algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Parse `YYYY-MM-DD[T| ]HH:MM:SS[(.|:|,)fraction][Z]`. Returns Unix seconds.
pub(crate) fn parse(text: &[u8]) -> Option<f64> {
    let s = super::text::trim(text);
    let s = s.strip_suffix(b"Z").unwrap_or(s);
    if s.len() < 19 {
        return None;
    }
    let (date, rest) = s.split_at(10);
    if date[4] != b'-' || date[7] != b'-' || !(rest[0] == b'T' || rest[0] == b' ') {
        return None;
    }
    let (y, mo, d) = (num(&date[..4])?, num(&date[5..7])?, num(&date[8..10])?);
    let t = &rest[1..];
    if t.len() < 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(&t[..2])?, num(&t[3..5])?, num(&t[6..8])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut frac = 0.0;
    if t.len() > 8 {
        let sep = t[8];
        let digits = &t[9..];
        if !matches!(sep, b'.' | b':' | b',')
            || digits.is_empty()
            || !digits.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let v: f64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        frac = v / 10f64.powi(digits.len() as i32);
    }
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec) as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // 2019-01-11T16:10:08.431 UTC = 1547223008.431 (the MetaMotion file's epoch column
        // reads 1547219408431 ms, one hour earlier: its clock column is local time, UTC+1).
        let t = parse(b"2019-01-11T16:10:08.431").unwrap_or(0.0);
        assert!((t - 1_547_223_008.431).abs() < 1e-6, "{t}");
        let t = parse(b"2017-04-27 21:02:14:361").unwrap_or(0.0);
        assert!((t - 1_493_326_934.361).abs() < 1e-6, "{t}");
        assert_eq!(parse(b"1970-01-01 00:00:00"), Some(0.0));
        assert_eq!(parse(b"2000-02-29T12:00:00Z"), Some(951_825_600.0));
        assert_eq!(parse(b"not a date at all!!"), None);
        assert_eq!(parse(b"2019-13-11T16:10:08"), None);
    }
}
