//! Fast sweeps: scenarios whose model has a closed-form or Monte Carlo evaluation give the CLI's
//! `sweep` a faster path than running `trials` animated worlds (same parameters, same metric
//! names). Kept in its own file so adding one does not touch [`super::ScenarioDef`].

use super::Params;
use serde_json::{Map, Value};

/// `(validated parameters, trials, seed) -> the sweep's "metrics" object`, or an error in words.
pub type FastSweepFn = fn(&Params, u64, u64) -> Result<Map<String, Value>, String>;

/// The fast sweep of scenario `id`, if it has one.
pub fn fast_sweep(id: &str) -> Option<FastSweepFn> {
    match id {
        "quorum" => Some(crate::protocols::quorum::fast_sweep),
        _ => None,
    }
}
