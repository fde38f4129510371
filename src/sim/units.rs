//! Parsing of parameter values with units, shared by the engine, the scenarios and the CLI.

use super::parse_float::parse_f64;

/// `0.1`, `10%`, `0` … `1`.
pub fn parse_probability(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    let v =
        parse_f64(num).ok_or_else(|| format!("'{text}' is not a probability (use 0.1 or 10%)"))?;
    let p = v / scale;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("'{text}' must lie between 0 and 1 (0% and 100%)"));
    }
    Ok(p)
}

/// `true/false/on/off/yes/no/1/0`.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err(format!("'{text}' is not on/off")),
    }
}

/// An integer in `[lo, hi]`.
pub fn parse_int_in(text: &str, lo: i64, hi: i64) -> Result<i64, String> {
    let v: i64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number"))?;
    if v < lo || v > hi {
        return Err(format!("{v} is out of range {lo}..={hi}"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_take_fractions_and_percents() {
        assert_eq!(parse_probability("0.25").unwrap(), 0.25);
        assert_eq!(parse_probability("10%").unwrap(), 0.1);
        for bad in ["1.5", "-0.1", "x", "200%", "NaN"] {
            assert!(parse_probability(bad).is_err(), "{bad}");
        }
    }
}
