//! Live checking: every consistency checker over the client history of a running simulation,
//! bounded so the explorer can call it "every so often" and the CLI after every sweep trial.
//!
//! [`guarantees`] answers the explorer's question "which guarantees does this run keep?": one
//! [`GuaranteeResult`] per checker, in the fixed order of [`LIVE_CHECKERS`] (strongest first:
//! linearizability ⇒ sequential ⇒ causal ⇒ the four session guarantees of Terry et al. 1994).
//! A verdict's `witness` holds indices into `History::ops`; the diagram marks the trace events
//! `EventKind::Invoke { op }` / `EventKind::Complete { op }` with those indices.
//!
//! ## Cost (what the UI pays per call)
//!
//! - linearizability (Herlihy & Wing 1990; Wing–Gong/Lowe search, split by key): near-linear on
//!   histories from a real store; at most [`LIVE_MAX_STATES`] cached states per key, so a call
//!   is bounded. On a violation the first bad operation costs about `log₂(ops)` more searches
//!   and the minimal witness one search per operation of the bad key.
//! - sequential (Lamport 1979): not local, so all keys together; at most [`LIVE_MAX_STATES`]
//!   configurations, witness minimised only for ≤ 64 operations (else the search frontier).
//! - causal (Bouajjani et al. POPL 2017): transitive closure over `po ∪ wr`, `O(n²)` bits in
//!   the worst case — skipped above [`LIVE_MAX_OPS`] operations.
//! - the session guarantees: one pass per process, `O(n log n)`.
//!
//! Histories longer than [`LIVE_MAX_OPS`] are not checked at all by the expensive checkers
//! ("undecided: history too long for a live check"), so a call never hangs; run
//! `swarmscope check` on the exported history instead. Every checker is deterministic (no
//! clocks, ordered maps), so the same run gives the same panel on every machine.
//!
//! Whatever a checker cannot decide is an `Err` in words, never a wrong verdict: "not
//! applicable" (e.g. causal consistency needs differentiated read/write histories), "undecided"
//! (budget exhausted).

use super::model::ModelKind;
use super::{causal, linearizability, sequential, session, CheckError, Verdict};
use crate::sim::{History, Value};

/// The checkers the live panel runs, strongest first.
pub const LIVE_CHECKERS: [&str; 7] = [
    "linearizability",
    "sequential",
    "causal",
    "ryw",
    "monotonic-reads",
    "monotonic-writes",
    "writes-follow-reads",
];

/// Search budget of the two search-based checkers in a live call.
pub const LIVE_MAX_STATES: usize = 200_000;
/// Histories longer than this are not checked live by the search and closure checkers.
pub const LIVE_MAX_OPS: usize = 5_000;
/// The same cap in the browser's Web Worker (`jobs::exec`), where a long check does not block
/// the page.
pub const WORKER_MAX_OPS: usize = 20_000;

/// One guarantee's outcome on the current history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuaranteeResult {
    /// The checker's name (`linearizability`, `ryw`, …; see [`LIVE_CHECKERS`]).
    pub name: &'static str,
    /// The verdict, or why there is none, in words ("not applicable: …", "undecided: …").
    pub verdict: Result<Verdict, String>,
}

impl GuaranteeResult {
    /// `Some(true)` kept, `Some(false)` broken, `None` undecided or not applicable.
    pub fn kept(&self) -> Option<bool> {
        self.verdict.as_ref().ok().map(|v| v.ok)
    }
}

/// Runs every live checker on `history` (initial value of every key: `initial`).
pub fn guarantees(history: &History, initial: &Value) -> Vec<GuaranteeResult> {
    LIVE_CHECKERS
        .iter()
        .map(|name| check_one(name, history, initial))
        .collect()
}

/// Runs one live checker (a name from [`LIVE_CHECKERS`]) with the live budgets.
pub fn check_one(name: &'static str, history: &History, initial: &Value) -> GuaranteeResult {
    check_one_within(name, history, initial, LIVE_MAX_OPS)
}

/// [`check_one`] with another cap on the history length of the search and closure checkers:
/// the browser's worker, off the UI thread, affords longer histories ([`WORKER_MAX_OPS`]).
pub fn check_one_within(
    name: &'static str,
    history: &History,
    initial: &Value,
    max_ops: usize,
) -> GuaranteeResult {
    let model = ModelKind::infer(history);
    let heavy = matches!(name, "linearizability" | "sequential" | "causal");
    let result = if heavy && history.ops.len() > max_ops {
        Err(CheckError::Budget(format!(
            "history too long for a live check ({} operations > {max_ops})",
            history.ops.len()
        )))
    } else {
        match name {
            "linearizability" => linearizability::check(
                history,
                model,
                initial,
                linearizability::Options {
                    split_keys: true,
                    witness: true,
                    max_states: LIVE_MAX_STATES,
                },
            ),
            "sequential" => sequential::check(
                history,
                model,
                initial,
                sequential::Options {
                    max_states: LIVE_MAX_STATES,
                    minimize_limit: 64,
                },
            ),
            "causal" => causal::check(history, model, initial),
            "ryw" => session::check(history, session::Guarantee::ReadYourWrites, initial),
            "monotonic-reads" => {
                session::check(history, session::Guarantee::MonotonicReads, initial)
            }
            "monotonic-writes" => {
                session::check(history, session::Guarantee::MonotonicWrites, initial)
            }
            "writes-follow-reads" => {
                session::check(history, session::Guarantee::WritesFollowReads, initial)
            }
            other => Err(CheckError::UnknownName(format!(
                "unknown checker '{other}' (accepted: {})",
                LIVE_CHECKERS.join(", ")
            ))),
        }
    };
    GuaranteeResult {
        name,
        verdict: result.map_err(|e| match e {
            CheckError::Unsupported(m) => format!("not applicable: {m}"),
            CheckError::Budget(m) => format!("undecided: {m}"),
            other => other.to_string(),
        }),
    }
}

/// The live verdicts as 0/1 metrics for [`crate::sim::Protocol::history_metrics`]: each pair is
/// (metric name, checker name); an undecided or inapplicable check gives NaN (the sweep counts
/// it as "undefined" instead of skewing the mean).
pub fn flags(
    history: &History,
    initial: &Value,
    wanted: &[(&str, &'static str)],
) -> Vec<(String, f64)> {
    wanted
        .iter()
        .map(|(metric, checker)| {
            let v = match check_one(checker, history, initial).kept() {
                Some(true) => 1.0,
                Some(false) => 0.0,
                None => f64::NAN,
            };
            (metric.to_string(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{OpFn, Outcome, Time};

    fn op(h: &mut History, p: u64, f: OpFn, v: i64, t0: u64, t1: u64) -> usize {
        let (input, output) = match f {
            OpFn::Write => (Value::Int(v), Value::Nil),
            _ => (Value::Nil, if v < 0 { Value::Nil } else { Value::Int(v) }),
        };
        let i = h.invoke(p, f, "x".into(), input, Time(t0));
        h.complete(i, Outcome::Ok, output, Time(t1));
        i
    }

    #[test]
    fn a_good_history_keeps_every_guarantee() {
        let mut h = History::default();
        op(&mut h, 0, OpFn::Write, 1, 0, 10);
        op(&mut h, 1, OpFn::Read, 1, 20, 30);
        op(&mut h, 0, OpFn::Write, 2, 40, 50);
        op(&mut h, 0, OpFn::Read, 2, 60, 70);
        op(&mut h, 1, OpFn::Read, 2, 80, 90);
        let all = guarantees(&h, &Value::Nil);
        assert_eq!(all.len(), 7);
        for g in &all {
            assert_eq!(g.kept(), Some(true), "{}: {:?}", g.name, g.verdict);
        }
    }

    #[test]
    fn a_stale_own_read_breaks_ryw_and_linearizability_with_its_witness() {
        let mut h = History::default();
        let w1 = op(&mut h, 0, OpFn::Write, 1, 0, 10);
        let w2 = op(&mut h, 0, OpFn::Write, 2, 20, 30);
        let r = op(&mut h, 0, OpFn::Read, 1, 40, 50);
        let all = guarantees(&h, &Value::Nil);
        let get = |n: &str| all.iter().find(|g| g.name == n).cloned();
        let ryw = get("ryw").and_then(|g| g.verdict.ok());
        let ryw = ryw.as_ref();
        assert_eq!(ryw.map(|v| v.ok), Some(false));
        assert!(ryw.is_some_and(|v| v.witness.contains(&r) && v.witness.contains(&w2)));
        let lin = get("linearizability").and_then(|g| g.verdict.ok());
        assert_eq!(lin.as_ref().map(|v| v.ok), Some(false));
        assert!(lin.is_some_and(|v| v.witness.contains(&r) && !v.witness.is_empty()));
        // Monotonic writes holds: only one process.
        let mw = get("monotonic-writes").map(|g| g.kept());
        assert_eq!(mw, Some(Some(true)));
        let _ = w1;
    }

    #[test]
    fn a_non_differentiated_history_is_not_applicable_for_causal() {
        let mut h = History::default();
        op(&mut h, 0, OpFn::Write, 1, 0, 10);
        op(&mut h, 1, OpFn::Write, 1, 20, 30);
        let g = check_one("causal", &h, &Value::Nil);
        assert!(g
            .verdict
            .as_ref()
            .is_err_and(|e| e.starts_with("not applicable")));
        assert_eq!(g.kept(), None);
        let f = flags(
            &h,
            &Value::Nil,
            &[("causal_ok", "causal"), ("ryw_ok", "ryw")],
        );
        assert!(f[0].1.is_nan());
        assert_eq!(f[1], ("ryw_ok".to_string(), 1.0));
    }

    #[test]
    fn a_long_history_is_undecided_not_hung() {
        let mut h = History::default();
        for i in 0..(LIVE_MAX_OPS as u64 + 1) {
            op(&mut h, i % 3, OpFn::Write, i as i64 + 1, 10 * i, 10 * i + 5);
        }
        let g = check_one("sequential", &h, &Value::Nil);
        assert!(g.verdict.is_err_and(|e| e.starts_with("undecided")));
        let g = check_one("ryw", &h, &Value::Nil);
        assert_eq!(g.kept(), Some(true));
    }

    #[test]
    fn an_unknown_checker_is_an_error_in_words() {
        let g = check_one("strict-serializability", &History::default(), &Value::Nil);
        assert!(g.verdict.is_err_and(|e| e.contains("unknown checker")));
    }
}
