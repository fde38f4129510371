//! Interventions: typed, serializable user actions with times. A run is (scenario, parameters,
//! seed, interventions); the interventions are replayed from the queue like any other event, so
//! the same list gives the same trace.
//!
//! Text form (URL-safe, used in share links): `<time>*<verb>[*<args>]`, e.g. `1500ms*crash*3`,
//! `2s*part*0.1.2-3.4`, `3s*heal`, `4s*set*loss*10%25` (argument values percent-encoded).

use super::agent::{ByzantineMode, NodeId};
use super::time::{parse_duration, Time};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the user did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    Crash(NodeId),
    Recover(NodeId),
    Pause(NodeId),
    Resume(NodeId),
    /// Split into these groups (unnamed agents form one more group).
    Partition(Vec<Vec<NodeId>>),
    Heal,
    /// Cut both directions of one link.
    Cut(NodeId, NodeId),
    Mend(NodeId, NodeId),
    /// Change a parameter (engine or scenario) from now on.
    Set(String, String),
    /// A client request delivered to an agent (its meaning is the protocol's).
    Client(NodeId, String),
    /// Turn a Byzantine behaviour on (or off, with `None`).
    Byzantine(NodeId, Option<ByzantineMode>),
    /// The adversary loses one message in flight (Two Generals).
    Lose(u64),
}

/// An action at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intervention {
    pub at: Time,
    pub action: Action,
}

/// Why an intervention's text did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterventionError(pub String);

impl fmt::Display for InterventionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as space); rejects broken escapes and invalid UTF-8.
pub fn pct_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("broken %-escape at position {i} in '{s}'"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{s}' is not valid UTF-8 once decoded"))
}

fn node(s: &str) -> Result<NodeId, InterventionError> {
    s.parse::<u32>()
        .map(NodeId)
        .map_err(|_| InterventionError(format!("intervention: '{s}' is not an agent number")))
}

impl fmt::Display for Intervention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}*", self.at)?;
        match &self.action {
            Action::Crash(n) => write!(f, "crash*{n}"),
            Action::Recover(n) => write!(f, "recover*{n}"),
            Action::Pause(n) => write!(f, "pause*{n}"),
            Action::Resume(n) => write!(f, "resume*{n}"),
            Action::Partition(groups) => {
                let g: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .collect();
                write!(f, "part*{}", g.join("-"))
            }
            Action::Heal => write!(f, "heal"),
            Action::Cut(a, b) => write!(f, "cut*{a}*{b}"),
            Action::Mend(a, b) => write!(f, "mend*{a}*{b}"),
            Action::Set(k, v) => write!(f, "set*{}*{}", pct_encode(k), pct_encode(v)),
            Action::Client(n, r) => write!(f, "client*{n}*{}", pct_encode(r)),
            Action::Byzantine(n, m) => {
                write!(f, "byz*{n}*{}", m.map(|m| m.name()).unwrap_or("off"))
            }
            Action::Lose(id) => write!(f, "lose*{id}"),
        }
    }
}

impl std::str::FromStr for Intervention {
    type Err = InterventionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('*').collect();
        let err = |m: &str| InterventionError(format!("intervention '{s}': {m}"));
        let at = parse_duration(parts[0]).map_err(|e| err(&e.0))?;
        let verb = parts.get(1).copied().ok_or_else(|| err("missing action"))?;
        // How many `*`-separated parts each verb takes (time and verb included), checked once.
        let want = match verb {
            "heal" => 2,
            "crash" | "recover" | "pause" | "resume" | "part" | "lose" => 3,
            "cut" | "mend" | "set" | "client" | "byz" => 4,
            other => return Err(err(&format!("unknown action '{other}'"))),
        };
        if parts.len() != want {
            return Err(err(&format!("'{verb}' takes {} argument(s)", want - 2)));
        }
        let (a, b) = (
            parts.get(2).copied().unwrap_or(""),
            parts.get(3).copied().unwrap_or(""),
        );
        let text = |v: &str| pct_decode(v).map_err(|e| err(&e));
        let action = match verb {
            "crash" => Action::Crash(node(a)?),
            "recover" => Action::Recover(node(a)?),
            "pause" => Action::Pause(node(a)?),
            "resume" => Action::Resume(node(a)?),
            "heal" => Action::Heal,
            "cut" => Action::Cut(node(a)?, node(b)?),
            "mend" => Action::Mend(node(a)?, node(b)?),
            "part" => {
                let mut groups = vec![];
                for g in a.split('-') {
                    let mut nodes = vec![];
                    for n in g.split('.').filter(|x| !x.is_empty()) {
                        nodes.push(node(n)?);
                    }
                    groups.push(nodes);
                }
                Action::Partition(groups)
            }
            "set" => Action::Set(text(a)?, text(b)?),
            "client" => Action::Client(node(a)?, text(b)?),
            "byz" => {
                let mode = if b == "off" {
                    None
                } else {
                    Some(ByzantineMode::from_name(b).ok_or_else(|| {
                        err(&format!(
                            "unknown Byzantine behaviour '{b}' (silent, delay, replay, equivocate, lie, off)"
                        ))
                    })?)
                };
                Action::Byzantine(node(a)?, mode)
            }
            // "lose" (the verbs were checked above).
            _ => Action::Lose(a.parse().map_err(|_| err("not a message number"))?),
        };
        Ok(Intervention { at, action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_text() {
        let all = vec![
            Action::Crash(NodeId(3)),
            Action::Recover(NodeId(0)),
            Action::Pause(NodeId(1)),
            Action::Resume(NodeId(1)),
            Action::Partition(vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]),
            Action::Heal,
            Action::Cut(NodeId(1), NodeId(2)),
            Action::Mend(NodeId(1), NodeId(2)),
            Action::Set("latency".into(), "mix(0.3,pareto(1,2),exp(0.1))".into()),
            Action::Set("loss".into(), "10%".into()),
            Action::Client(NodeId(2), "write x=3 & more*stars".into()),
            Action::Byzantine(NodeId(4), Some(ByzantineMode::Equivocate)),
            Action::Byzantine(NodeId(4), None),
            Action::Lose(17),
        ];
        for (i, action) in all.into_iter().enumerate() {
            let iv = Intervention {
                at: Time(1_500 * i as u64 + 7),
                action,
            };
            let text = iv.to_string();
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'&' && b != b'#'),
                "{text}"
            );
            assert_eq!(text.parse::<Intervention>().unwrap(), iv, "{text}");
        }
    }

    #[test]
    fn malformed_interventions_get_messages() {
        for s in [
            "",
            "1s",
            "1s*crash",
            "1s*crash*x",
            "x*heal",
            "1s*fly*2",
            "1s*set*a%ZZ*b",
            "1s*byz*1*evil",
            "1s*heal*3",
        ] {
            let e = s.parse::<Intervention>().unwrap_err();
            assert!(e.0.contains("intervention"), "{s}: {e}");
        }
    }
}
