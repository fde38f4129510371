//! Monte Carlo throughput of the PBS WARS model (issue 6: ≥ 1 M trials/s natively).
//! `cargo bench --bench quorum`; trials/s = elements/s in criterion's output.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use swarmscope::protocols::quorum::{montecarlo, Config, Legs};

fn bench(c: &mut Criterion) {
    let trials = 100_000u64;
    let mut g = c.benchmark_group("quorum_montecarlo");
    g.throughput(Throughput::Elements(trials));
    g.sample_size(20);
    for (preset, n, r, w) in [
        ("lnkd-ssd", 3, 1, 1),
        ("lnkd-disk", 3, 1, 1),
        ("ymmr", 3, 1, 1),
        ("wan", 3, 1, 1),
        ("lnkd-disk", 5, 2, 2),
    ] {
        let mut cfg = Config::new(
            n,
            r,
            w,
            Legs::preset(preset).unwrap_or_else(|| panic!("{preset}")),
        );
        cfg.t_ms = 10.0;
        g.bench_function(format!("{preset}_N{n}_R{r}_W{w}"), |b| {
            b.iter(|| montecarlo::run(&cfg, trials, 1).p_consistent)
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
