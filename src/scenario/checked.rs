//! The live checkers' verdicts as run metrics (`linearizable`, `ryw_ok`, `causal_ok`, …), for the
//! CLI's `run` and `sweep`. Kept out of [`crate::sim::Protocol::history_metrics`] on purpose: the
//! explorer reads a run's metrics every frame, and the checkers belong in its Web Worker
//! (`crate::jobs`), not on the UI thread — nor in the page's wasm at all. A scenario lists what it
//! reports as data (its `CHECKED` table); this file maps ids to those tables, like [`super::fast`].

use crate::check::live;
use crate::sim::{Simulation, Value};

/// (metric name, live checker name) pairs that scenario `id` reports.
pub fn checked(id: &str) -> &'static [(&'static str, &'static str)] {
    match id {
        "strong-register" => crate::protocols::strong_register::CHECKED,
        "sessions" => crate::protocols::sessions::CHECKED,
        "causal" => crate::protocols::causal::CHECKED,
        _ => &[],
    }
}

/// The run's metrics followed by the checkers' verdicts on its client history (1 kept, 0
/// broken, NaN undecided or not applicable).
pub fn metrics(id: &str, sim: &dyn Simulation) -> Vec<(String, f64)> {
    let mut m = sim.metrics();
    m.extend(live::flags(sim.history(), &Value::Nil, checked(id)));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;

    #[test]
    fn the_consistency_scenarios_report_their_verdicts() {
        for (id, wanted) in [
            ("strong-register", "linearizable"),
            ("sessions", "ryw_ok"),
            ("causal", "causal_ok"),
        ] {
            let def = crate::scenario::find(id).expect("in the catalogue");
            let sim = def
                .run_unrecorded(&[], 1, vec![], Time::secs(3))
                .expect("builds");
            let m = metrics(id, &*sim);
            assert!(m.iter().any(|(k, _)| k == wanted), "{id}: {m:?}");
            assert!(
                !sim.metrics().iter().any(|(k, _)| k == wanted),
                "{id}: the live metrics stay free of checker runs"
            );
        }
        assert!(checked("heartbeat").is_empty());
    }
}
