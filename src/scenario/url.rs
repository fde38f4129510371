//! The run's text form:
//! `s=<scenario>&seed=<n>&<param>=<value>…&i=<intervention>!…&t=<time>&speed=<factor>`.
//!
//! It carries the run's inputs, never hashes of states (stateright's share links broke when they
//! carried state hashes). Only parameters that differ from the defaults are written, in key
//! order, so one run has one text. Values are percent-encoded; the parser accepts any order.
//! Keys `embed`, `autoplay`, `loop` and `theme` belong to the page and are passed through.
//! `t` (the time being looked at) and `speed` (model time per real time, [`SPEED_MIN`] to
//! [`SPEED_MAX`]) change what is shown, not the run. A parameter whose key is one of the link's
//! own (`t`, …) is written `p.<key>=…`.

use super::{find, ids};
use crate::sim::decimal::Shortest;
use crate::sim::intervention::{pct_decode, pct_encode, Intervention};
use crate::sim::parse_float::parse_f64;
use crate::sim::time::{parse_duration, Time};
use std::collections::BTreeMap;
use std::fmt;

/// Everything that determines a run, plus the time being looked at.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub scenario: String,
    pub seed: u64,
    /// Parameter overrides (values as text).
    pub params: BTreeMap<String, String>,
    pub interventions: Vec<Intervention>,
    /// The time the viewer was at.
    pub time: Option<Time>,
    /// Playback speed: model time per real time (`None`: the page's default).
    pub speed: Option<f64>,
    /// Page options (`embed=1`, `autoplay=1`, …), passed through untouched.
    pub page: BTreeMap<String, String>,
}

/// Why a run's text is unusable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UrlError {}

const PAGE_KEYS: [&str; 4] = ["embed", "autoplay", "loop", "theme"];

/// The slowest playback a link may ask for (1/1000 of real time).
pub const SPEED_MIN: f64 = 0.001;
/// The fastest (ten times real time).
pub const SPEED_MAX: f64 = 10.0;

/// A speed factor from its text (`0.03`, `1`, `2.5`): finite and within the slider's range.
pub fn parse_speed(v: &str) -> Result<f64, UrlError> {
    let f = parse_f64(v.trim()).ok_or_else(|| {
        UrlError(format!(
            "speed '{v}' is not a number (model time per real time, e.g. 0.03 or 1)"
        ))
    })?;
    if !(SPEED_MIN..=SPEED_MAX).contains(&f) {
        return Err(UrlError(format!(
            "speed '{v}' is outside {} to {} (model time per real time)",
            Shortest(SPEED_MIN),
            Shortest(SPEED_MAX)
        )));
    }
    Ok(f)
}

impl Run {
    pub fn new(scenario: &str, seed: u64) -> Run {
        Run {
            scenario: scenario.to_string(),
            seed,
            params: BTreeMap::new(),
            interventions: vec![],
            time: None,
            speed: None,
            page: BTreeMap::new(),
        }
    }

    /// The canonical query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut parts = vec![
            format!("s={}", pct_encode(&self.scenario)),
            format!("seed={}", self.seed),
        ];
        let specs = find(&self.scenario)
            .map(|s| s.all_params())
            .unwrap_or_default();
        let default = |k: &str| specs.iter().find(|p| p.key == k).map(|p| p.default);
        for (k, v) in &self.params {
            if default(k) != Some(v.as_str()) {
                // A parameter named like a key of the link itself (quorum's read delay `t`) is
                // written `p.t=…`, so it does not become the viewer's time.
                let reserved = ["s", "seed", "i", "t"].contains(&k.as_str())
                    || PAGE_KEYS.contains(&k.as_str())
                    || k.starts_with("p.");
                let prefix = if reserved { "p." } else { "" };
                parts.push(format!("{prefix}{}={}", pct_encode(k), pct_encode(v)));
            }
        }
        if !self.interventions.is_empty() {
            let ivs: Vec<String> = self.interventions.iter().map(|i| i.to_string()).collect();
            parts.push(format!("i={}", ivs.join("!")));
        }
        if let Some(t) = self.time {
            parts.push(format!("t={t}"));
        }
        if let Some(v) = self.speed {
            // Rust prints the shortest text that parses back to the same f64.
            parts.push(format!("speed={}", Shortest(v)));
        }
        for (k, v) in &self.page {
            parts.push(format!("{}={}", pct_encode(k), pct_encode(v)));
        }
        parts.join("&")
    }

    /// Parses a query string (with or without `?` / `#`), checking the scenario, the
    /// parameters and the interventions.
    pub fn parse(query: &str) -> Result<Run, UrlError> {
        let q = query.trim().trim_start_matches(['?', '#']);
        let mut run = Run::new("", 0);
        let mut seen_s = false;
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = pct_decode(k).map_err(UrlError)?;
            match k.as_str() {
                "s" => {
                    run.scenario = pct_decode(v).map_err(UrlError)?;
                    seen_s = true;
                }
                "seed" => {
                    run.seed = v.parse().map_err(|_| {
                        UrlError(format!(
                            "seed '{v}' is not a whole number from 0 to 18446744073709551615"
                        ))
                    })?
                }
                "i" => {
                    for item in v.split('!').filter(|s| !s.is_empty()) {
                        let iv: Intervention = item.parse().map_err(
                            |e: crate::sim::intervention::InterventionError| UrlError(e.0),
                        )?;
                        run.interventions.push(iv);
                    }
                }
                "t" => {
                    run.time = Some(parse_duration(v).map_err(|e| UrlError(format!("t: {}", e.0)))?)
                }
                "speed" => run.speed = Some(parse_speed(&pct_decode(v).map_err(UrlError)?)?),
                key if PAGE_KEYS.contains(&key) => {
                    run.page.insert(k.clone(), pct_decode(v).map_err(UrlError)?);
                }
                key if key.starts_with("p.") => {
                    run.params
                        .insert(key[2..].to_string(), pct_decode(v).map_err(UrlError)?);
                }
                _ => {
                    run.params.insert(k, pct_decode(v).map_err(UrlError)?);
                }
            }
        }
        if !seen_s {
            return Err(UrlError("the link names no scenario (s=…)".into()));
        }
        let def = find(&run.scenario).ok_or_else(|| {
            UrlError(format!(
                "unknown scenario '{}' (known: {})",
                run.scenario,
                ids().join(", ")
            ))
        })?;
        def.params(&run.params)
            .map_err(|e| UrlError(e.to_string()))?;
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::intervention::Action;
    use crate::sim::NodeId;
    use proptest::prelude::*;

    #[test]
    fn a_run_round_trips() {
        let mut r = Run::new("heartbeat", 42);
        r.params.insert("latency".into(), "30ms..40ms".into());
        r.params.insert("loss".into(), "10%".into());
        r.interventions.push(Intervention {
            at: Time::ms(1500),
            action: Action::Crash(NodeId(2)),
        });
        r.interventions.push(Intervention {
            at: Time::secs(2),
            action: Action::Partition(vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]),
        });
        r.time = Some(Time::ms(2500));
        r.speed = Some(0.0316);
        r.page.insert("embed".into(), "1".into());
        let q = r.to_query();
        assert_eq!(Run::parse(&q).unwrap(), r, "{q}");
        assert_eq!(Run::parse(&format!("?{q}")).unwrap(), r);
    }

    /// Quorum's read delay is a parameter named `t`, like the viewer's time: both survive.
    #[test]
    fn a_parameter_named_like_a_link_key_round_trips() {
        let mut r = Run::new("quorum", 3);
        r.params.insert("t".into(), "10ms".into());
        r.time = Some(Time::ms(2500));
        let q = r.to_query();
        assert!(q.contains("p.t=10ms") && q.ends_with("t=2500ms"), "{q}");
        let back = Run::parse(&q).unwrap();
        assert_eq!(back.params.get("t").map(String::as_str), Some("10ms"));
        assert_eq!(back.time, Some(Time::ms(2500)));
    }

    #[test]
    fn speed_is_read_and_written_and_a_bad_one_is_explained() {
        let r = Run::parse("s=heartbeat&seed=1&speed=0.25").unwrap();
        assert_eq!(r.speed, Some(0.25));
        assert!(r.to_query().ends_with("&speed=0.25"), "{}", r.to_query());
        assert_eq!(Run::parse("s=heartbeat").unwrap().speed, None);
        assert!(!Run::parse("s=heartbeat")
            .unwrap()
            .to_query()
            .contains("speed"));
        let e = Run::parse("s=heartbeat&speed=warp").unwrap_err();
        assert!(e.0.contains("speed 'warp'"), "{e}");
        let e = Run::parse("s=heartbeat&speed=100").unwrap_err();
        assert!(e.0.contains("outside"), "{e}");
    }

    #[test]
    fn corrupted_links_get_messages_not_panics() {
        for q in [
            "",
            "seed=1",
            "s=nope",
            "s=heartbeat&seed=-1",
            "s=heartbeat&nodes=0",
            "s=heartbeat&latency=fast",
            "s=heartbeat&i=1s*crash",
            "s=heartbeat&i=%ZZ",
            "s=heartbeat&t=soon",
            "s=heartbeat&speed=fast",
            "s=heartbeat&speed=0",
            "s=heartbeat&speed=-1",
            "s=heartbeat&speed=11",
            "s=heartbeat&speed=NaN",
            "s=heartbeat&speed=inf",
            "s=heartbeat&speed=",
            "s=heartbeat&wat=1",
        ] {
            let e = Run::parse(q).unwrap_err();
            assert!(!e.0.is_empty(), "{q}");
        }
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (0u32..9).prop_map(|n| Action::Crash(NodeId(n))),
            (0u32..9).prop_map(|n| Action::Recover(NodeId(n))),
            Just(Action::Heal),
            (0u32..9, 0u32..9).prop_map(|(a, b)| Action::Cut(NodeId(a), NodeId(b))),
            (0u32..9, 0u32..9).prop_map(|(a, b)| Action::Mend(NodeId(a), NodeId(b))),
            prop::collection::vec(prop::collection::vec(0u32..9, 0..4), 1..3).prop_map(|g| {
                Action::Partition(
                    g.into_iter()
                        .map(|v| v.into_iter().map(NodeId).collect())
                        .collect(),
                )
            }),
            ("[a-z_]{1,8}", "\\PC{0,12}").prop_map(|(k, v)| Action::Set(k, v)),
            (0u32..9, "\\PC{0,12}").prop_map(|(n, r)| Action::Client(NodeId(n), r)),
            any::<u64>().prop_map(Action::Lose),
        ]
    }

    proptest! {
        #[test]
        fn text_form_round_trips(seed in any::<u64>(), ivs in prop::collection::vec((0u64..10_000_000, action()), 0..6), t in proptest::option::of(0u64..100_000_000), speed in proptest::option::of(SPEED_MIN..=SPEED_MAX)) {
            let mut r = Run::new("heartbeat", seed);
            r.interventions = ivs.into_iter().map(|(at, action)| Intervention { at: Time(at), action }).collect();
            r.time = t.map(Time);
            r.speed = speed;
            let q = r.to_query();
            let back = Run::parse(&q).unwrap();
            prop_assert_eq!(back, r);
        }

        #[test]
        fn arbitrary_text_never_panics(q in "\\PC{0,80}") {
            let _ = Run::parse(&q);
        }
    }
}
