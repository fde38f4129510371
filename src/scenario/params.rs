//! Scenario parameters: their specs (kind, range, default, help) and validated values.
//!
//! Every value is kept as the text the user gave (`"30ms..40ms"`, `"10%"`), validated against
//! its spec, so that URLs and `--set` print back exactly what was asked for.

use crate::sim::dist::{parse_dist, Dist};
use crate::sim::time::{parse_duration, Time};
use crate::sim::units::{parse_bool, parse_probability};
use std::collections::BTreeMap;
use std::fmt;

/// What kind of value a parameter takes, with its accepted range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    Int {
        min: i64,
        max: i64,
    },
    /// A duration within `[min, max]`.
    Duration {
        min: Time,
        max: Time,
    },
    /// A duration or a uniform range `lo..hi`, within `[min, max]`.
    DurationRange {
        min: Time,
        max: Time,
    },
    Probability,
    /// A latency distribution (a duration, a range, a preset or a function form).
    Latency,
    Bool,
    Choice(&'static [&'static str]),
    /// A duration, or `off`.
    OptDuration {
        min: Time,
        max: Time,
    },
}

/// One parameter of a scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: ParamKind,
    pub default: &'static str,
}

/// A parameter problem, naming the key and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}
impl std::error::Error for ParamError {}

impl ParamKind {
    /// Words for the accepted range, for error messages and `--help`.
    pub fn describe(&self) -> String {
        match self {
            ParamKind::Int { min, max } => format!("a whole number in {min}..={max}"),
            ParamKind::Duration { min, max } => format!("a duration in {min}..={max}"),
            ParamKind::DurationRange { min, max } => {
                format!("a duration or a range lo..hi within {min}..={max}")
            }
            ParamKind::Probability => "a probability, 0..1 or 0%..100%".into(),
            ParamKind::Latency => format!(
                "a latency: 30ms, 30ms..40ms, a preset ({}), or normal(mean,sd), exp(rate), pareto(xm,alpha), lognormal(mu,sigma), mix(p,A,B)",
                Dist::PRESETS.join(", ")
            ),
            ParamKind::Bool => "on or off".into(),
            ParamKind::Choice(c) => format!("one of {}", c.join(", ")),
            ParamKind::OptDuration { min, max } => format!("off, or a duration in {min}..={max}"),
        }
    }

    /// Checks a value; `Err` holds why (without the key).
    pub fn validate(&self, value: &str) -> Result<(), String> {
        let bad = |why: String| Err(format!("{why}; expected {}", self.describe()));
        match self {
            ParamKind::Int { min, max } => match value.trim().parse::<i64>() {
                Ok(v) if v >= *min && v <= *max => Ok(()),
                Ok(v) => bad(format!("{v} is out of range")),
                Err(_) => bad(format!("'{value}' is not a whole number")),
            },
            ParamKind::Duration { min, max } => match parse_duration(value) {
                Ok(t) if t >= *min && t <= *max => Ok(()),
                Ok(t) => bad(format!("{t} is out of range")),
                Err(e) => bad(e.0),
            },
            ParamKind::OptDuration { min, max } => {
                if matches!(value.trim(), "off" | "none") {
                    return Ok(());
                }
                ParamKind::Duration {
                    min: *min,
                    max: *max,
                }
                .validate(value)
            }
            ParamKind::DurationRange { min, max } => match parse_duration_range(value) {
                Ok((lo, hi)) if lo >= *min && hi <= *max => Ok(()),
                Ok((lo, hi)) => bad(format!("{lo}..{hi} is out of range")),
                Err(e) => bad(e),
            },
            ParamKind::Probability => parse_probability(value).map(|_| ()).or_else(bad),
            ParamKind::Latency => parse_dist(value).map(|_| ()).or_else(bad),
            ParamKind::Bool => parse_bool(value).map(|_| ()).or_else(bad),
            ParamKind::Choice(c) => {
                if c.contains(&value.trim()) {
                    Ok(())
                } else {
                    bad(format!("'{value}' is not a choice"))
                }
            }
        }
    }
}

/// `300ms..600ms` or a single duration (lo = hi).
pub fn parse_duration_range(text: &str) -> Result<(Time, Time), String> {
    match crate::sim::text::split_once(text, "..") {
        Some((lo, hi)) => {
            let lo = parse_duration(lo).map_err(|e| e.0)?;
            let hi = parse_duration(hi).map_err(|e| e.0)?;
            if lo > hi {
                Err(format!(
                    "range {lo}..{hi} is empty (low end above high end)"
                ))
            } else {
                Ok((lo, hi))
            }
        }
        None => parse_duration(text).map(|t| (t, t)).map_err(|e| e.0),
    }
}

/// Validated parameter values of one scenario (all keys present, defaults filled in).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Defaults for `specs`, overridden by `overrides` (each validated).
    pub fn new(
        specs: &[ParamSpec],
        overrides: &BTreeMap<String, String>,
    ) -> Result<Params, ParamError> {
        let mut values = BTreeMap::new();
        for s in specs {
            values.insert(s.key.to_string(), s.default.to_string());
        }
        for (k, v) in overrides {
            let spec = specs
                .iter()
                .find(|s| s.key == k)
                .ok_or_else(|| ParamError {
                    key: k.clone(),
                    message: format!(
                        "unknown parameter; this scenario takes: {}",
                        specs.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
                    ),
                })?;
            spec.kind.validate(v).map_err(|m| ParamError {
                key: k.clone(),
                message: m,
            })?;
            values.insert(k.clone(), v.trim().to_string());
        }
        Ok(Params { values })
    }

    pub fn raw(&self, key: &str) -> &str {
        self.values.get(key).map(|s| s.as_str()).unwrap_or("")
    }
    pub fn int(&self, key: &str) -> i64 {
        self.raw(key).trim().parse().unwrap_or(0)
    }
    pub fn duration(&self, key: &str) -> Time {
        parse_duration(self.raw(key)).unwrap_or(Time::ZERO)
    }
    pub fn opt_duration(&self, key: &str) -> Option<Time> {
        parse_duration(self.raw(key))
            .ok()
            .filter(|t| *t > Time::ZERO)
    }
    pub fn range(&self, key: &str) -> (Time, Time) {
        parse_duration_range(self.raw(key)).unwrap_or((Time::ZERO, Time::ZERO))
    }
    pub fn prob(&self, key: &str) -> f64 {
        parse_probability(self.raw(key)).unwrap_or(0.0)
    }
    pub fn latency(&self, key: &str) -> Dist {
        parse_dist(self.raw(key)).unwrap_or(Dist::Const(10.0))
    }
    pub fn flag(&self, key: &str) -> bool {
        parse_bool(self.raw(key)).unwrap_or(false)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.values.iter()
    }
}

/// Engine parameters every scenario shares.
pub const NODES_MAX: i64 = crate::sim::world::MAX_AGENTS as i64;

pub const LATENCY: ParamSpec = ParamSpec {
    key: "latency",
    label: "Latency",
    help: "one-way message delay: a duration, a uniform range, a preset or a distribution",
    kind: ParamKind::Latency,
    default: "10ms..20ms",
};
pub const LOSS: ParamSpec = ParamSpec {
    key: "loss",
    label: "Message loss",
    help: "probability that a message is lost on the way",
    kind: ParamKind::Probability,
    default: "0",
};
pub const DUPLICATE: ParamSpec = ParamSpec {
    key: "duplicate",
    label: "Duplication",
    help: "probability that a message arrives twice",
    kind: ParamKind::Probability,
    default: "0",
};
pub const FIFO: ParamSpec = ParamSpec {
    key: "fifo",
    label: "FIFO links",
    help: "deliver in send order on each link (off: messages may overtake each other)",
    kind: ParamKind::Bool,
    default: "off",
};
pub const MTBF: ParamSpec = ParamSpec {
    key: "mtbf",
    label: "Failure rate (MTBF)",
    help: "mean time between random crashes of each agent; off for none",
    kind: ParamKind::OptDuration {
        min: Time::ms(10),
        max: Time::secs(3_600),
    },
    default: "off",
};
pub const MTTR: ParamSpec = ParamSpec {
    key: "mttr",
    label: "Repair time (MTTR)",
    help: "mean time a randomly crashed agent stays down",
    kind: ParamKind::Duration {
        min: Time::ms(1),
        max: Time::secs(3_600),
    },
    default: "1s",
};
pub const CLOCK_SKEW: ParamSpec = ParamSpec {
    key: "clock_skew",
    label: "Clock skew",
    help: "largest offset of an agent's physical clock from true time",
    kind: ParamKind::Duration {
        min: Time::ZERO,
        max: Time::secs(60),
    },
    default: "0ms",
};
pub const CLOCK_DRIFT: ParamSpec = ParamSpec {
    key: "clock_drift",
    label: "Clock drift (ppm)",
    help: "largest rate error of an agent's physical clock, parts per million",
    kind: ParamKind::Int {
        min: 0,
        max: 200_000,
    },
    default: "0",
};

/// The engine parameters, in slider order.
pub const ENGINE: [ParamSpec; 8] = [
    LATENCY,
    LOSS,
    DUPLICATE,
    FIFO,
    MTBF,
    MTTR,
    CLOCK_SKEW,
    CLOCK_DRIFT,
];

/// `nodes` with a scenario's own range and default.
pub const fn nodes(min: i64, max: i64, default: &'static str) -> ParamSpec {
    ParamSpec {
        key: "nodes",
        label: "Agents",
        help: "number of agents",
        kind: ParamKind::Int { min, max },
        default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_key_and_the_range() {
        let specs = [nodes(1, 100, "5"), LOSS, LATENCY];
        let mut o = BTreeMap::new();
        o.insert("nodes".to_string(), "0".to_string());
        let e = Params::new(&specs, &o).unwrap_err();
        assert_eq!(e.key, "nodes");
        assert!(e.message.contains("1..=100"), "{e}");
        o.clear();
        o.insert("loss".to_string(), "150%".to_string());
        assert!(Params::new(&specs, &o).is_err());
        o.clear();
        o.insert("speed".to_string(), "1".to_string());
        let e = Params::new(&specs, &o).unwrap_err();
        assert!(e.message.contains("nodes, loss, latency"), "{e}");
    }

    #[test]
    fn defaults_fill_in() {
        let p = Params::new(&[LOSS, LATENCY], &BTreeMap::new()).unwrap();
        assert_eq!(p.prob("loss"), 0.0);
        assert_eq!(p.latency("latency"), Dist::Uniform(10.0, 20.0));
    }
}
