//! Golden vectors: the exact bits the RNG and the samplers must produce on every target. The
//! native unit tests and the wasm tests in headless Chromium assert the same constants, so a
//! sampler that drifts on one target (a std float function instead of libm) fails there.

/// `SimRng::new(42, Purpose::Network)`, first three `next_u64`.
pub const RNG_SEED42_NETWORK: [u64; 3] = [
    13222472167927179408,
    3078952320862533021,
    8898984633443201687,
];

/// `f64::to_bits` of one draw each of Exp(0.183), Pareto(1.05, 1.51), Normal(10, 2),
/// LogNormal(0, 1) and the PBS lnkd-ssd mixture, in that order, from the stream above.
pub const SAMPLES_SEED42: [u64; 5] = [
    4619447790530658789,
    4608015498373505595,
    4622553904047254955,
    4607437792912573680,
    4597681167512330099,
];

/// Trace hash of `heartbeat`, seed 7, latency lnkd-ssd, loss 10 %, run to 2 s. Exercises the
/// samplers, the queue and the hash together; asserted natively (tests/engine.rs) and in wasm.
pub const HEARTBEAT_SEED7_HASH: u64 = 0x0948_4cca_6e24_37d4;

/// The draws behind [`SAMPLES_SEED42`], computed on whatever target runs this.
pub fn sampler_draws() -> Vec<u64> {
    use super::dist::{pbs_lnkd_ssd, Dist};
    use super::rng::{Purpose, SimRng};
    let mut r = SimRng::new(42, Purpose::Network);
    [
        Dist::Exp(0.183),
        Dist::Pareto(1.05, 1.51),
        Dist::Normal(10.0, 2.0),
        Dist::LogNormal(0.0, 1.0),
        pbs_lnkd_ssd(),
    ]
    .iter()
    .map(|d| d.sample_ms(&mut r).to_bits())
    .collect()
}
