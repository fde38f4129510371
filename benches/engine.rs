//! Engine throughput: events per second with 5, 25 and 100 agents under load, with the trace
//! recorded (what the explorer does) and not (what sweeps do); and trace memory per million
//! events. Run: `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use swarmscope::protocols::heartbeat::{churn, load_world};

const EVENTS: u64 = 200_000;

fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(EVENTS));
    for n in [5usize, 25, 100] {
        for record in [false, true] {
            let id = BenchmarkId::new(if record { "recorded" } else { "unrecorded" }, n);
            g.bench_with_input(id, &n, |b, &n| {
                b.iter_batched(
                    || {
                        let mut w = load_world(n, 1, record).expect("valid load world");
                        churn(&mut w, 1_000); // past the start-up broadcast
                        w
                    },
                    |mut w| churn(&mut w, EVENTS),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

fn trace_memory(_c: &mut Criterion) {
    let mut w = load_world(5, 1, true).expect("valid load world");
    churn(&mut w, 1_000_000);
    let t = w.trace();
    let bytes = t.events.capacity() * std::mem::size_of::<swarmscope::sim::Event>()
        + t.msgs.capacity() * std::mem::size_of::<swarmscope::sim::MsgRecord>()
        + t.msgs.len() * std::mem::size_of::<swarmscope::protocols::heartbeat::Msg>();
    let per_million = bytes as f64 / (w.state().stats.events as f64 / 1e6);
    println!(
        "trace memory: {:.1} MB per million events ({} events kept, {} messages, {} snapshots' worth of state not counted)",
        per_million / 1e6,
        t.events.len(),
        t.msgs.len(),
        w.state().stats.events / 1024
    );
}

criterion_group!(benches, throughput, trace_memory);
criterion_main!(benches);
