//! Sequential specifications: what a single correct copy of the object returns.
//!
//! - `register`: read and write of one value per key.
//! - `cas-register`: plus compare-and-set `[expected new]`; an `Ok` cas with output
//!   `Bool(false)` ran and found a different value (the etcd logs' `:fail`), any other `Ok` cas
//!   succeeded.
//! - `kv`: get (read), put (write) and append of strings per key.
//!
//! Every key is an independent register. Values are interned to small integers so a state is a
//! vector of `u32`s and a step is an integer comparison: this is what makes the searches fast.
//! An indeterminate (`Info`) operation has no known output, so any state accepts it; a `Fail`ed
//! one never happened and is left out by the checkers.

use super::CheckError;
use crate::sim::{History, Op, OpFn, Outcome, Value};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Which sequential specification a history is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModelKind {
    Register,
    CasRegister,
    Kv,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [ModelKind::Register, ModelKind::CasRegister, ModelKind::Kv];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::Kv => "kv",
        }
    }

    pub fn from_name(name: &str) -> Result<ModelKind, String> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = ModelKind::ALL.iter().map(|m| m.name()).collect();
                format!("unknown model '{name}' (accepted: {})", names.join(", "))
            })
    }

    /// The narrowest model that understands every operation of `history`.
    pub fn infer(history: &History) -> ModelKind {
        if history
            .ops
            .iter()
            .any(|o| o.f == OpFn::Append || matches!(o.input, Value::Str(_)))
        {
            ModelKind::Kv
        } else if history.ops.iter().any(|o| o.f == OpFn::Cas) {
            ModelKind::CasRegister
        } else {
            ModelKind::Register
        }
    }
}

/// A fast, deterministic hasher (FxHash) for the search caches; only membership is ever asked
/// of these tables, never their iteration order.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// What one operation does, compiled against the interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A read that returned this value (`None`: unknown, anything goes).
    Read(Option<u32>),
    Write(u32),
    /// `result`: `Some(true)` succeeded, `Some(false)` found another value, `None` unknown.
    Cas {
        expected: u32,
        new: u32,
        result: Option<bool>,
    },
    Append(u32),
}

/// A history compiled for one model: keys and values as small integers.
pub struct Spec {
    pub kind: ModelKind,
    /// Key names, indexed by key id.
    pub keys: Vec<String>,
    /// Per history operation: its key id and step, or `None` for failed (never happened) ones.
    pub ops: Vec<Option<(u32, Step)>>,
    /// The initial value id of every key.
    pub init: u32,
    values: Vec<Value>,
    ids: HashMap<Value, u32, FxBuild>,
    appended: HashMap<(u32, u32), u32, FxBuild>,
}

impl Spec {
    /// Compiles `history` for `kind`, rejecting operations the model does not have.
    pub fn new(kind: ModelKind, history: &History, initial: &Value) -> Result<Spec, CheckError> {
        let mut spec = Spec {
            kind,
            keys: Vec::new(),
            ops: Vec::with_capacity(history.ops.len()),
            init: 0,
            values: Vec::new(),
            ids: HashMap::default(),
            appended: HashMap::default(),
        };
        spec.init = spec.intern(initial.clone());
        let mut key_ids: BTreeMap<&str, u32> = BTreeMap::new();
        for op in &history.ops {
            if op.outcome == Outcome::Fail {
                spec.ops.push(None);
                continue;
            }
            let next = key_ids.len() as u32;
            let key = *key_ids.entry(op.key.as_str()).or_insert(next);
            if key == next {
                spec.keys.push(op.key.clone());
            }
            let step = spec.compile(op)?;
            spec.ops.push(Some((key, step)));
        }
        Ok(spec)
    }

    fn compile(&mut self, op: &Op) -> Result<Step, CheckError> {
        let unsupported = |what: &str| {
            CheckError::Unsupported(format!(
                "operation {} ({} on key {:?}): {what}",
                op.index,
                op.f.name(),
                op.key
            ))
        };
        let known = op.outcome == Outcome::Ok;
        Ok(match op.f {
            OpFn::Read => Step::Read(if known {
                Some(self.intern(op.output.clone()))
            } else {
                None
            }),
            OpFn::Write => Step::Write(self.intern(op.input.clone())),
            OpFn::Cas => {
                if self.kind != ModelKind::CasRegister {
                    return Err(unsupported(&format!(
                        "model {} has no compare-and-set; use --model cas-register",
                        self.kind.name()
                    )));
                }
                let Value::Pair(a, b) = op.input else {
                    return Err(unsupported("a cas needs the input Pair(expected, new)"));
                };
                let result = match (&op.output, known) {
                    (_, false) => None,
                    (Value::Bool(b), true) => Some(*b),
                    (Value::Nil, true) => Some(true),
                    _ => return Err(unsupported("a cas returns Bool or Nil")),
                };
                Step::Cas {
                    expected: self.intern(Value::Int(a)),
                    new: self.intern(Value::Int(b)),
                    result,
                }
            }
            OpFn::Append => {
                if self.kind != ModelKind::Kv {
                    return Err(unsupported(&format!(
                        "model {} has no append; use --model kv",
                        self.kind.name()
                    )));
                }
                if !matches!(op.input, Value::Str(_)) {
                    return Err(unsupported("append takes a string"));
                }
                Step::Append(self.intern(op.input.clone()))
            }
        })
    }

    /// The id of `v`, adding it if new.
    pub fn intern(&mut self, v: Value) -> u32 {
        if let Some(&id) = self.ids.get(&v) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(v.clone());
        self.ids.insert(v, id);
        id
    }

    /// The value behind an id.
    pub fn value(&self, id: u32) -> &Value {
        &self.values[id as usize]
    }

    /// Applies `step` to a key holding `current`: the new value, or `None` if the step's
    /// recorded output is impossible from `current`.
    pub fn apply(&mut self, current: u32, step: Step) -> Option<u32> {
        match step {
            Step::Read(None) => Some(current),
            Step::Read(Some(v)) => (v == current).then_some(current),
            Step::Write(v) => Some(v),
            Step::Cas {
                expected,
                new,
                result,
            } => {
                let hit = current == expected;
                match result {
                    Some(r) if r != hit => None,
                    _ => Some(if hit { new } else { current }),
                }
            }
            Step::Append(arg) => {
                if let Some(&id) = self.appended.get(&(current, arg)) {
                    return Some(id);
                }
                let joined = match (self.value(current), self.value(arg)) {
                    (Value::Nil, Value::Str(b)) => b.clone(),
                    (Value::Str(a), Value::Str(b)) => format!("{a}{b}"),
                    _ => return None,
                };
                let id = self.intern(Value::Str(joined));
                self.appended.insert((current, arg), id);
                Some(id)
            }
        }
    }
}

/// Parses a `--initial` value: `nil`, an integer, `true`/`false`, or a string (quotes optional).
pub fn parse_initial(text: &str) -> Value {
    let t = text.trim();
    match t {
        "nil" => Value::Nil,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match t.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(
                t.strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(t)
                    .to_string(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;

    fn hist(ops: &[(OpFn, Value, Value)]) -> History {
        let mut h = History::default();
        for (i, (f, input, output)) in ops.iter().enumerate() {
            let id = h.invoke(0, *f, String::new(), input.clone(), Time(2 * i as u64));
            h.complete(id, Outcome::Ok, output.clone(), Time(2 * i as u64 + 1));
        }
        h
    }

    #[test]
    fn cas_register_follows_its_recorded_result() {
        let h = hist(&[
            (OpFn::Cas, Value::Pair(0, 5), Value::Bool(true)),
            (OpFn::Cas, Value::Pair(0, 6), Value::Bool(false)),
        ]);
        let mut s = Spec::new(ModelKind::CasRegister, &h, &Value::Int(0)).unwrap();
        let (_, cas_ok) = s.ops[0].unwrap();
        let (_, cas_lost) = s.ops[1].unwrap();
        let five = s.apply(s.init, cas_ok).unwrap();
        assert_eq!(s.value(five), &Value::Int(5));
        assert_eq!(s.apply(s.init, cas_lost), None);
        assert_eq!(s.apply(five, cas_lost), Some(five));
    }

    #[test]
    fn kv_appends_concatenate_and_registers_reject_cas() {
        let h = hist(&[(OpFn::Append, Value::Str("ab".into()), Value::Nil)]);
        let mut s = Spec::new(ModelKind::Kv, &h, &Value::Str("x".into())).unwrap();
        let (_, app) = s.ops[0].unwrap();
        let v = s.apply(s.init, app).unwrap();
        assert_eq!(s.value(v), &Value::Str("xab".into()));
        let h = hist(&[(OpFn::Cas, Value::Pair(0, 1), Value::Nil)]);
        assert!(Spec::new(ModelKind::Register, &h, &Value::Nil).is_err());
    }

    #[test]
    fn initial_values_parse() {
        assert_eq!(parse_initial("nil"), Value::Nil);
        assert_eq!(parse_initial("0"), Value::Int(0));
        assert_eq!(parse_initial("\"\""), Value::Str(String::new()));
    }
}
