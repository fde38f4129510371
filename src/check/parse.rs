//! History file formats, read into the core's [`History`].
//!
//! | format         | source                                   | failed op (`:fail`)           | initial |
//! | -------------- | ---------------------------------------- | ----------------------------- | ------- |
//! | `jepsen-log`   | Porcupine's etcd logs (`jepsen.util` lines) | a cas that *ran* and lost: `Ok`, output `Bool(false)` | nil |
//! | `jepsen-edn`   | Knossos EDN: a vector/list of op maps     | did not happen: `Fail`        | 0   |
//! | `porcupine-kv` | Porcupine's kv logs: one EDN map per line  | did not happen: `Fail`        | ""  |
//! | `json`         | `serde_json` of `History`                  | as written                    | nil (register), "" (kv) |
//!
//! Times: the text formats carry no clock, so an operation's `invoke` and `complete` are the
//! 0-based positions of its invocation and completion events in the file (counting every event,
//! nemesis ones too). That keeps real-time order exact and lets a checker name "the event at
//! position 14". An `:info` completion, or no completion at all, leaves the operation
//! indeterminate (`Outcome::Info`, `complete = Time::MAX`).
//!
//! In Knossos histories a `:read` that returns `nil` means "unknown"; it is recorded as an
//! indeterminate read (`Info`), which constrains nothing. In the etcd logs a read of nil means
//! the register was never written and is kept as an `Ok` read of `Nil`.

use super::edn::{self, Edn, Node};
use super::model::ModelKind;
use crate::sim::{History, OpFn, Outcome, Time, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// A file that did not parse: the 1-based line (0 when no single line is to blame) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// The history file formats we read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    JepsenLog,
    JepsenEdn,
    PorcupineKv,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::JepsenLog,
        Format::JepsenEdn,
        Format::PorcupineKv,
        Format::Json,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::JepsenLog => "jepsen-log",
            Format::JepsenEdn => "jepsen-edn",
            Format::PorcupineKv => "porcupine-kv",
            Format::Json => "json",
        }
    }

    pub fn from_name(name: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format '{name}' (accepted: {})", names.join(", "))
            })
    }

    /// The model a file of this format is checked against unless told otherwise.
    pub fn default_model(self, history: &History) -> ModelKind {
        match self {
            Format::JepsenLog | Format::JepsenEdn => ModelKind::CasRegister,
            Format::PorcupineKv => ModelKind::Kv,
            Format::Json => ModelKind::infer(history),
        }
    }

    /// The initial value of every register/key unless told otherwise.
    pub fn default_initial(self, model: ModelKind) -> Value {
        match (self, model) {
            (_, ModelKind::Kv) => Value::Str(String::new()),
            (Format::JepsenEdn, _) => Value::Int(0),
            _ => Value::Nil,
        }
    }
}

/// Guesses the format from the file name, then from the content.
pub fn detect(path: Option<&Path>, text: &str) -> Result<Format, ParseError> {
    let ext = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "log" => return Ok(Format::JepsenLog),
        "edn" => return Ok(Format::JepsenEdn),
        "json" => return Ok(Format::Json),
        _ => {}
    }
    if text.contains("jepsen.util") {
        return Ok(Format::JepsenLog);
    }
    let body: String = text
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with(';'))
        .flat_map(|l| l.chars().take(8))
        .filter(|c| !c.is_whitespace())
        .take(2)
        .collect();
    match body.as_bytes() {
        [b'{', b'"', ..] => Ok(Format::Json),
        [b'{', b':', ..] => Ok(Format::PorcupineKv),
        [b'[' | b'(', ..] => Ok(Format::JepsenEdn),
        _ => Err(ParseError {
            line: 0,
            message: "cannot tell the file's format; pass --format (jepsen-log, jepsen-edn, \
                      porcupine-kv, json)"
                .into(),
        }),
    }
}

/// Reads `text` in `format`.
pub fn parse(format: Format, text: &str) -> Result<History, ParseError> {
    let events = match format {
        Format::JepsenLog => log_events(text)?,
        Format::JepsenEdn | Format::PorcupineKv => edn_events(text)?,
        Format::Json => return parse_json(text),
    };
    if events.is_empty() {
        return Err(ParseError {
            line: 0,
            message: "the file holds no operations".into(),
        });
    }
    pair(events, format == Format::JepsenLog)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invoke,
    Ok,
    Fail,
    Info,
}

/// One line of a Jepsen history, before invocations and completions are paired.
struct Event {
    line: usize,
    position: usize,
    /// `None` for the nemesis and other non-client processes: skipped.
    process: Option<u64>,
    kind: Kind,
    f: OpFn,
    key: String,
    value: Value,
}

fn kind_of(name: &str) -> Result<Kind, String> {
    Ok(match name {
        "invoke" => Kind::Invoke,
        "ok" => Kind::Ok,
        "fail" => Kind::Fail,
        "info" => Kind::Info,
        other => {
            return Err(format!(
                "unknown event type ':{other}' (invoke, ok, fail, info)"
            ))
        }
    })
}

fn fn_of(name: &str) -> Result<OpFn, String> {
    Ok(match name {
        "read" | "get" => OpFn::Read,
        "write" | "put" => OpFn::Write,
        "cas" => OpFn::Cas,
        "append" => OpFn::Append,
        other => {
            return Err(format!(
                "unknown operation ':{other}' (read, write, cas, get, put, append)"
            ))
        }
    })
}

fn log_events(text: &str) -> Result<Vec<Event>, ParseError> {
    let mut events = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let Some(at) = raw.find("jepsen.util - ") else {
            continue;
        };
        let rest = &raw[at + "jepsen.util - ".len()..];
        let err = |message: String| ParseError { line, message };
        let fields: Vec<&str> = rest.split('\t').map(str::trim).collect();
        if fields.len() < 3 {
            return Err(err(format!(
                "expected '<process>\\t<type>\\t<f>\\t<value>' after 'jepsen.util - ', found '{rest}'"
            )));
        }
        let process = if fields[0].starts_with(':') {
            None
        } else {
            Some(
                fields[0]
                    .parse::<u64>()
                    .map_err(|_| err(format!("bad process '{}'", fields[0])))?,
            )
        };
        let kind = kind_of(fields[1].trim_start_matches(':')).map_err(err)?;
        if process.is_none() {
            events.push(Event {
                line,
                position: events.len(),
                process,
                kind,
                f: OpFn::Read,
                key: String::new(),
                value: Value::Nil,
            });
            continue;
        }
        let f = fn_of(fields[2].trim_start_matches(':')).map_err(err)?;
        let value = log_value(fields.get(3).copied().unwrap_or("nil")).map_err(err)?;
        events.push(Event {
            line,
            position: events.len(),
            process,
            kind,
            f,
            key: String::new(),
            value,
        });
    }
    Ok(events)
}

fn log_value(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t == "nil" || t.starts_with(':') || t.is_empty() {
        return Ok(Value::Nil);
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let parts: Vec<&str> = inner.split([' ', ',']).filter(|s| !s.is_empty()).collect();
        if let [a, b] = parts[..] {
            let a = a
                .parse()
                .map_err(|_| format!("bad integer '{a}' in '{t}'"))?;
            let b = b
                .parse()
                .map_err(|_| format!("bad integer '{b}' in '{t}'"))?;
            return Ok(Value::Pair(a, b));
        }
        return Err(format!("expected a pair [expected new], found '{t}'"));
    }
    t.parse::<i64>()
        .map(Value::Int)
        .map_err(|_| format!("bad value '{t}' (an integer, nil or [a b])"))
}

fn edn_events(text: &str) -> Result<Vec<Event>, ParseError> {
    let forms = edn::read_all(text)?;
    let items: Vec<Node> = match forms.as_slice() {
        [Node {
            value: Edn::Seq(items),
            ..
        }] => items.clone(),
        _ => forms,
    };
    let mut events = Vec::with_capacity(items.len());
    for (position, node) in items.iter().enumerate() {
        let line = node.line;
        let err = |message: String| ParseError { line, message };
        if !matches!(node.value, Edn::Map(_)) {
            return Err(err(
                "expected an operation map {:process …, :type …, :f …}".into()
            ));
        }
        let process = match node.get("process") {
            Some(Edn::Int(p)) if *p >= 0 => Some(*p as u64),
            Some(Edn::Keyword(_)) | Some(Edn::Atom(_)) => None,
            Some(other) => return Err(err(format!("bad :process {other:?}"))),
            None => return Err(err("operation without :process".into())),
        };
        let kind = match node.get("type") {
            Some(Edn::Keyword(k)) => kind_of(k).map_err(err)?,
            _ => return Err(err("operation without a :type keyword".into())),
        };
        if process.is_none() {
            events.push(Event {
                line,
                position,
                process,
                kind,
                f: OpFn::Read,
                key: String::new(),
                value: Value::Nil,
            });
            continue;
        }
        let f = match node.get("f") {
            Some(Edn::Keyword(k)) => fn_of(k).map_err(err)?,
            _ => return Err(err("operation without an :f keyword".into())),
        };
        let key = match node.get("key") {
            None | Some(Edn::Nil) => String::new(),
            Some(Edn::Str(s)) | Some(Edn::Keyword(s)) | Some(Edn::Atom(s)) => s.clone(),
            Some(Edn::Int(i)) => i.to_string(),
            Some(other) => return Err(err(format!("bad :key {other:?}"))),
        };
        let value = edn_value(node.get("value").unwrap_or(&Edn::Nil)).map_err(err)?;
        events.push(Event {
            line,
            position,
            process,
            kind,
            f,
            key,
            value,
        });
    }
    Ok(events)
}

fn edn_value(v: &Edn) -> Result<Value, String> {
    Ok(match v {
        Edn::Nil => Value::Nil,
        Edn::Int(i) => Value::Int(*i),
        Edn::Str(s) => Value::Str(s.clone()),
        Edn::Bool(b) => Value::Bool(*b),
        Edn::Keyword(k) => Value::Str(format!(":{k}")),
        Edn::Seq(items) => match items.as_slice() {
            [Node {
                value: Edn::Int(a), ..
            }, Node {
                value: Edn::Int(b), ..
            }] => Value::Pair(*a, *b),
            _ => return Err("a vector value must be a pair of integers [expected new]".into()),
        },
        other => return Err(format!("unsupported value {other:?}")),
    })
}

/// Pairs invocations with completions per process.
fn pair(events: Vec<Event>, fail_cas_ran: bool) -> Result<History, ParseError> {
    let mut history = History::default();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    for e in events {
        let Some(process) = e.process else { continue };
        let at = Time(e.position as u64);
        let err = |message: String| ParseError {
            line: e.line,
            message,
        };
        if e.kind == Kind::Invoke {
            if let Some(&prev) = open.get(&process) {
                return Err(err(format!(
                    "process {process} invokes again while its operation {prev} is still open"
                )));
            }
            let input = match e.f {
                OpFn::Read => Value::Nil,
                OpFn::Cas if !matches!(e.value, Value::Pair(..)) => {
                    return Err(err("a :cas needs a value [expected new]".into()))
                }
                _ => e.value,
            };
            let index = history.invoke(process, e.f, e.key, input, at);
            open.insert(process, index);
            continue;
        }
        let Some(index) = open.remove(&process) else {
            return Err(err(format!(
                "process {process} completes an operation it never invoked"
            )));
        };
        let op = &history.ops[index];
        if op.f != e.f {
            return Err(err(format!(
                "completion :{} does not match process {process}'s open :{}",
                e.f.name(),
                op.f.name()
            )));
        }
        let (outcome, output) = match (e.kind, e.f) {
            (Kind::Ok, OpFn::Read) if e.value == Value::Nil && !fail_cas_ran => {
                (Outcome::Info, Value::Nil)
            }
            (Kind::Ok, OpFn::Read) => (Outcome::Ok, e.value),
            (Kind::Ok, OpFn::Cas) => (Outcome::Ok, Value::Bool(true)),
            (Kind::Ok, _) => (Outcome::Ok, Value::Nil),
            (Kind::Fail, OpFn::Cas) if fail_cas_ran => (Outcome::Ok, Value::Bool(false)),
            (Kind::Fail, _) => (Outcome::Fail, Value::Nil),
            _ => (Outcome::Info, Value::Nil),
        };
        history.complete(index, outcome, output, at);
    }
    Ok(history)
}

fn parse_json(text: &str) -> Result<History, ParseError> {
    let mut h: History = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line(),
        message: format!("not a history: {e}"),
    })?;
    for (i, op) in h.ops.iter_mut().enumerate() {
        if op.index != i {
            return Err(ParseError {
                line: 0,
                message: format!(
                    "operation at position {i} has index {} (must equal its position)",
                    op.index
                ),
            });
        }
        if op.outcome == Outcome::Info {
            op.complete = Time::MAX;
        } else if op.complete < op.invoke {
            return Err(ParseError {
                line: 0,
                message: format!("operation {i} completes before it is invoked"),
            });
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etcd_failed_cas_ran_and_returned_false() {
        let text = "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 0\t:fail\t:cas\t[1 4]\n\
                    INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:info\t:write\t:timed-out\n";
        let h = parse(Format::JepsenLog, text).unwrap();
        assert_eq!(h.ops[0].outcome, Outcome::Ok);
        assert_eq!(h.ops[0].output, Value::Bool(false));
        assert_eq!(h.ops[1].outcome, Outcome::Info);
        assert_eq!(h.ops[1].complete, Time::MAX);
    }

    #[test]
    fn knossos_fail_did_not_happen_and_nil_read_is_unknown() {
        let text = "[{:process 0 :type :invoke :f :cas :value [1 2]}\n{:process 0 :type :fail :f :cas :value [1 2]}\n\
                    {:process :nemesis :type :info :f :start}\n{:process 1 :type :invoke :f :read}\n{:process 1 :type :ok :f :read :value nil}]";
        let h = parse(Format::JepsenEdn, text).unwrap();
        assert_eq!(h.ops[0].outcome, Outcome::Fail);
        assert_eq!(h.ops[1].outcome, Outcome::Info);
        assert_eq!(h.ops[1].invoke, Time(3));
    }

    #[test]
    fn malformed_files_name_their_line() {
        let e = parse(
            Format::JepsenEdn,
            "[{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :write}]",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse(
            Format::PorcupineKv,
            "{:process 0, :type :ok, :f :get, :key \"1\", :value \"\"}",
        )
        .unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse(
            Format::JepsenLog,
            "INFO  jepsen.util - 0\t:invoke\t:frob\t1",
        )
        .unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse(Format::Json, "{\"ops\": [}").unwrap_err().line >= 1);
        assert!(parse(Format::JepsenEdn, "").is_err());
        assert!(parse(
            Format::JepsenLog,
            "INFO  jepsen.util - 0\t:invoke\t:write\t99999999999999999999999"
        )
        .is_err());
    }

    #[test]
    fn detects_formats_by_extension_and_content() {
        assert_eq!(
            detect(Some(Path::new("a.log")), "").unwrap(),
            Format::JepsenLog
        );
        assert_eq!(
            detect(None, "{:process 0, :type :invoke}").unwrap(),
            Format::PorcupineKv
        );
        assert_eq!(
            detect(None, "; c\n[{:process 0}]").unwrap(),
            Format::JepsenEdn
        );
        assert_eq!(detect(None, "{\"ops\":[]}").unwrap(), Format::Json);
        assert!(detect(None, "hello").is_err());
    }

    #[test]
    fn json_round_trips_a_history() {
        let mut h = History::default();
        let i = h.invoke(3, OpFn::Write, "k".into(), Value::Int(1), Time(5));
        h.complete(i, Outcome::Ok, Value::Nil, Time(9));
        let text = serde_json::to_string(&h).unwrap();
        assert_eq!(parse(Format::Json, &text).unwrap(), h);
    }
}
