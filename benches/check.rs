//! Linearizability on the external histories: every etcd log (target < 1 s in total) and the
//! kv c10 logs checked without per-key splitting (target < 10 s; Porcupine needs 60–90 s).
//! `cargo bench --bench check`

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use swarmscope::check::linearizability::{check, Options};
use swarmscope::check::model::ModelKind;
use swarmscope::check::parse::{parse, Format};
use swarmscope::sim::{History, Value};

fn load(rel: &str, format: Format) -> History {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    parse(format, &std::fs::read_to_string(p).expect("test data")).expect("parses")
}

const ETCD: [&str; 13] = [
    "000", "002", "005", "012", "014", "018", "022", "025", "031", "036", "039", "048", "052",
];

fn bench(c: &mut Criterion) {
    let etcd: Vec<History> = ETCD
        .iter()
        .map(|n| load(&format!("porcupine/etcd/etcd_{n}.log"), Format::JepsenLog))
        .collect();
    let verdict_only = Options {
        witness: false,
        ..Options::default()
    };
    let mut g = c.benchmark_group("linearizability");
    g.sample_size(10);
    g.bench_function("etcd_all_13", |b| {
        b.iter(|| {
            for h in &etcd {
                check(h, ModelKind::CasRegister, &Value::Nil, verdict_only).expect("decided");
            }
        })
    });
    for f in ["c10-ok", "c10-bad"] {
        let h = load(&format!("porcupine/kv/{f}.txt"), Format::PorcupineKv);
        let empty = Value::Str(String::new());
        let no_split = Options {
            split_keys: false,
            ..verdict_only
        };
        g.bench_function(format!("kv_{f}_no_split"), |b| {
            b.iter(|| check(&h, ModelKind::Kv, &empty, no_split).expect("decided"))
        });
        g.bench_function(format!("kv_{f}_split"), |b| {
            b.iter(|| check(&h, ModelKind::Kv, &empty, verdict_only).expect("decided"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
