//! Client histories: the standard record of client operations that every consistency checker
//! reads (Jepsen's shape: process, invoke and completion, function, key, value, outcome).

use super::time::Time;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An operation's argument or result.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Value {
    /// Nothing / never written / unknown.
    #[default]
    Nil,
    Int(i64),
    Str(String),
    Bool(bool),
    /// Compare-and-set argument `[expected, new]`.
    Pair(i64, i64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Pair(a, b) => write!(f, "[{a} {b}]"),
        }
    }
}

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OpFn {
    Read,
    Write,
    Cas,
    Append,
}

impl OpFn {
    pub fn name(self) -> &'static str {
        match self {
            OpFn::Read => "read",
            OpFn::Write => "write",
            OpFn::Cas => "cas",
            OpFn::Append => "append",
        }
    }
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// It took effect and returned `output`.
    Ok,
    /// It definitely did not take effect.
    Fail,
    /// Indeterminate (timed out, or still pending): it may take effect at any time after its
    /// invocation.
    Info,
}

/// One client operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// Position in the history (order of invocation).
    pub index: usize,
    /// The client (process) that issued it; a process has at most one operation open at a time.
    pub process: u64,
    pub f: OpFn,
    pub key: String,
    pub input: Value,
    pub output: Value,
    pub invoke: Time,
    /// Completion time; `Time::MAX` while pending or indeterminate.
    pub complete: Time,
    pub outcome: Outcome,
}

/// A client history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub ops: Vec<Op>,
}

impl History {
    /// Starts an operation and returns its index.
    pub fn invoke(&mut self, process: u64, f: OpFn, key: String, input: Value, at: Time) -> usize {
        let index = self.ops.len();
        self.ops.push(Op {
            index,
            process,
            f,
            key,
            input,
            output: Value::Nil,
            invoke: at,
            complete: Time::MAX,
            outcome: Outcome::Info,
        });
        index
    }

    /// Completes operation `index`.
    pub fn complete(&mut self, index: usize, outcome: Outcome, output: Value, at: Time) {
        if let Some(op) = self.ops.get_mut(index) {
            op.outcome = outcome;
            op.output = output;
            op.complete = if outcome == Outcome::Info {
                Time::MAX
            } else {
                at
            };
        }
    }

    /// Operations still open (no completion yet).
    pub fn pending(&self) -> impl Iterator<Item = &Op> {
        self.ops.iter().filter(|o| o.complete == Time::MAX)
    }
}
