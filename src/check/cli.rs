//! The entry point the command line uses: read a file, pick format, model and initial value
//! (defaulting sensibly per format), run one checker, and report in the CLI's JSON shape.

use super::model::{parse_initial, ModelKind};
use super::parse::{self, Format};
use super::{causal, linearizability, sequential, session, CheckError, Verdict};
use crate::sim::{History, Value};
use serde::Serialize;
use std::path::Path;

/// The checkers, by their command-line names.
pub const CHECKERS: [&str; 7] = [
    "linearizability",
    "sequential",
    "causal",
    "ryw",
    "monotonic-reads",
    "monotonic-writes",
    "writes-follow-reads",
];

/// What `swarmscope check … --json` prints (the CLI adds `elapsed_ms`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `"ok"` or `"violation"`.
    pub verdict: &'static str,
    pub checker: String,
    pub model: String,
    pub operations: usize,
    pub witness: Vec<usize>,
    pub explanation: String,
    /// The full verdict, for callers that want more than the JSON shape.
    #[serde(skip)]
    pub detail: Verdict,
}

impl From<Verdict> for Report {
    fn from(v: Verdict) -> Self {
        Report {
            verdict: if v.ok { "ok" } else { "violation" },
            checker: v.checker.clone(),
            model: v.model.clone(),
            operations: v.operations,
            witness: v.witness.clone(),
            explanation: v.explanation.clone(),
            detail: v,
        }
    }
}

/// Reads and checks one history file.
pub fn check_file(
    checker: &str,
    path: &Path,
    format: Option<&str>,
    model: Option<&str>,
    initial: Option<&str>,
) -> Result<Report, CheckError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CheckError::Io(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    check_text(checker, Some(path), &text, format, model, initial)
}

/// Checks a history given as text (`path` only helps to guess the format).
pub fn check_text(
    checker: &str,
    path: Option<&Path>,
    text: &str,
    format: Option<&str>,
    model: Option<&str>,
    initial: Option<&str>,
) -> Result<Report, CheckError> {
    if !CHECKERS.contains(&checker) {
        return Err(CheckError::UnknownName(format!(
            "unknown checker '{checker}' (accepted: {})",
            CHECKERS.join(", ")
        )));
    }
    let format = match format {
        Some(name) => Format::from_name(name).map_err(CheckError::UnknownName)?,
        None => parse::detect(path, text)?,
    };
    let history = parse::parse(format, text)?;
    let model = match model {
        Some(name) => ModelKind::from_name(name).map_err(CheckError::UnknownName)?,
        None => format.default_model(&history),
    };
    let initial = initial
        .map(parse_initial)
        .unwrap_or_else(|| format.default_initial(model));
    run(checker, &history, model, &initial).map(Report::from)
}

/// Runs checker `name` on a history.
pub fn run(
    name: &str,
    history: &History,
    model: ModelKind,
    initial: &Value,
) -> Result<Verdict, CheckError> {
    match name {
        "linearizability" => linearizability::check(history, model, initial, Default::default()),
        "sequential" => sequential::check(history, model, initial, Default::default()),
        "causal" => causal::check(history, model, initial),
        "ryw" => session::check(history, session::Guarantee::ReadYourWrites, initial),
        "monotonic-reads" => session::check(history, session::Guarantee::MonotonicReads, initial),
        "monotonic-writes" => session::check(history, session::Guarantee::MonotonicWrites, initial),
        "writes-follow-reads" => {
            session::check(history, session::Guarantee::WritesFollowReads, initial)
        }
        other => Err(CheckError::UnknownName(format!(
            "unknown checker '{other}' (accepted: {})",
            CHECKERS.join(", ")
        ))),
    }
}
