//! Checkers: per-protocol invariants and consistency checkers over client histories.
//!
//! Every consistency checker reads a [`History`](crate::sim::History) and returns a [`Verdict`]:
//! whether the history satisfies the guarantee, and if not, the operations that witness the
//! violation (indices into `History::ops`), so the explorer can mark them on the diagram.
//!
//! - [`linearizability`] — Wing & Gong's search with Lowe's state cache, as in Porcupine,
//!   with or without per-key (P-compositional) decomposition.
//! - [`sequential`] — sequential consistency (Lamport 1979): one total order respecting each
//!   process's program order.
//! - [`causal`] — causal consistency by the bad patterns of Bouajjani, Enea, Guerraoui and Hamza,
//!   "On Verifying Causal Consistency", POPL 2017 (differentiated histories).
//! - [`live`] — all of them at once with budgets, for the explorer's live panel and metrics.
//! - [`session`] — Terry et al.'s session guarantees (1994): read-your-writes, monotonic reads,
//!   monotonic writes, writes-follow-reads.
//!
//! [`parse`] reads history files (Jepsen logs and EDN, Porcupine's kv logs, our JSON), [`model`]
//! holds the sequential specifications, and [`cli`] is the entry point the command line uses.
//! See `docs/checkers.md` for the semantics in prose and measured figures.

pub mod causal;
pub mod cli;
mod edn;
pub mod linearizability;
pub mod live;
pub mod model;
pub mod parse;
pub mod sequential;
pub mod session;

use serde::Serialize;
use std::fmt;

/// The result of one checker on one history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when the history satisfies the checked guarantee.
    pub ok: bool,
    /// Which checker produced this verdict (`linearizability`, `ryw`, …).
    pub checker: String,
    /// Which sequential specification was used (`register`, `cas-register`, `kv`).
    pub model: String,
    /// How many operations the checker considered (failed operations excluded).
    pub operations: usize,
    /// Operations (indices into `History::ops`, ascending) that together witness the violation;
    /// empty when `ok`.
    pub witness: Vec<usize>,
    /// For linearizability: the operation whose completion first made the history
    /// non-linearizable (the shortest bad prefix ends with it).
    pub first_bad_op: Option<usize>,
    /// Words for a person: which pattern was found and why it is a violation.
    pub explanation: String,
}

impl Verdict {
    pub(crate) fn pass(checker: &str, model: &str, operations: usize, explanation: String) -> Self {
        Verdict {
            ok: true,
            checker: checker.to_string(),
            model: model.to_string(),
            operations,
            witness: Vec::new(),
            first_bad_op: None,
            explanation,
        }
    }

    pub(crate) fn violation(
        checker: &str,
        model: &str,
        operations: usize,
        mut witness: Vec<usize>,
        explanation: String,
    ) -> Self {
        witness.sort_unstable();
        witness.dedup();
        Verdict {
            ok: false,
            checker: checker.to_string(),
            model: model.to_string(),
            operations,
            witness,
            first_bad_op: None,
            explanation,
        }
    }
}

/// Why a check could not produce a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The history file did not parse.
    Parse(parse::ParseError),
    /// The history uses operations the chosen model or checker cannot interpret.
    Unsupported(String),
    /// A name (checker, format, model, initial value) was not recognised.
    UnknownName(String),
    /// The search exceeded its budget without deciding.
    Budget(String),
    /// The file could not be read.
    Io(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Parse(e) => write!(f, "{e}"),
            CheckError::Unsupported(m)
            | CheckError::UnknownName(m)
            | CheckError::Budget(m)
            | CheckError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CheckError {}

impl From<parse::ParseError> for CheckError {
    fn from(e: parse::ParseError) -> Self {
        CheckError::Parse(e)
    }
}
