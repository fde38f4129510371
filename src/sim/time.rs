//! Virtual time: integer microseconds since the start of the run.
//!
//! Integer time keeps the event order identical on every target; floating point only appears
//! at the edges (sampling a latency, printing milliseconds).

use super::parse_float::parse_f64;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant or a span of virtual time, in microseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);
    /// The far end of any run: a horizon no scenario reaches (about 11.6 days).
    pub const MAX: Time = Time(1_000_000_000_000);

    pub const fn us(us: u64) -> Time {
        Time(us)
    }
    pub const fn ms(ms: u64) -> Time {
        Time(ms * 1_000)
    }
    pub const fn secs(s: u64) -> Time {
        Time(s * 1_000_000)
    }
    /// From fractional milliseconds, rounded to the microsecond and clamped to `[0, MAX]`.
    pub fn from_ms_f64(ms: f64) -> Time {
        if ms.is_nan() || ms <= 0.0 {
            return Time::ZERO;
        }
        let us = (ms * 1_000.0).round();
        if us >= Time::MAX.0 as f64 {
            Time::MAX
        } else {
            Time(us as u64)
        }
    }
    pub fn as_us(self) -> u64 {
        self.0
    }
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }
    pub fn saturating_sub(self, other: Time) -> Time {
        Time(self.0.saturating_sub(other.0))
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, rhs: Time) -> Time {
        Time(self.0.saturating_add(rhs.0))
    }
}
impl AddAssign for Time {
    fn add_assign(&mut self, rhs: Time) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}
impl Sub for Time {
    type Output = Time;
    fn sub(self, rhs: Time) -> Time {
        Time(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Time {
    /// The shortest exact form that `parse_duration` reads back: `0`, `250us`, `15ms`, `2s`, `1.5ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            write!(f, "0s")
        } else if us.is_multiple_of(1_000_000) {
            write!(f, "{}s", us / 1_000_000)
        } else if us.is_multiple_of(1_000) {
            write!(f, "{}ms", us / 1_000)
        } else {
            write!(f, "{}us", us)
        }
    }
}

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `15ms`, `2s`, `1.5s`, `250us`, `2m`, or a bare number of milliseconds.
pub fn parse_duration(text: &str) -> Result<Time, DurationError> {
    let t = text.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() || c == 'µ')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value = parse_f64(num.trim()).ok_or_else(|| {
        DurationError(format!("'{text}' is not a duration (try 15ms, 2s, 250us)"))
    })?;
    if !value.is_finite() || value < 0.0 {
        return Err(DurationError(format!(
            "'{text}' must be a finite, non-negative duration"
        )));
    }
    let scale = match unit.trim() {
        "us" | "µs" => 1.0,
        "" | "ms" => 1_000.0,
        "s" => 1_000_000.0,
        "m" | "min" => 60_000_000.0,
        other => {
            return Err(DurationError(format!(
                "unknown time unit '{other}' in '{text}' (use us, ms, s or min)"
            )))
        }
    };
    let us = value * scale;
    if us > Time::MAX.0 as f64 {
        return Err(DurationError(format!("'{text}' is longer than any run")));
    }
    Ok(Time(us.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_print_back() {
        for (s, us) in [
            ("15ms", 15_000),
            ("2s", 2_000_000),
            ("250us", 250),
            ("1.5ms", 1_500),
            ("7", 7_000),
        ] {
            assert_eq!(parse_duration(s).unwrap(), Time(us), "{s}");
        }
        for t in [
            Time(0),
            Time(250),
            Time(15_000),
            Time(2_000_000),
            Time(1_500),
        ] {
            assert_eq!(parse_duration(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn bad_durations_are_rejected_with_words() {
        for s in ["", "abc", "-3ms", "5 parsecs", "inf", "NaN"] {
            let e = parse_duration(s).unwrap_err();
            assert!(!e.0.is_empty(), "{s}");
        }
    }

    #[test]
    fn time_arithmetic_saturates() {
        assert_eq!(Time(3) - Time(5), Time(0));
        assert_eq!(Time(u64::MAX) + Time(1), Time(u64::MAX));
        assert_eq!(Time::from_ms_f64(f64::INFINITY), Time::MAX);
        assert_eq!(Time::from_ms_f64(-1.0), Time::ZERO);
    }
}
