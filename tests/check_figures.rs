//! Prints the benchmark figures quickly (no statistics; `cargo bench --bench check` for those):
//! `cargo test --release --test check_figures -- --ignored --nocapture`

use std::path::{Path, PathBuf};
use std::time::Instant;
use swarmscope::check::linearizability::{check, Options};
use swarmscope::check::model::ModelKind;
use swarmscope::check::parse::{parse, Format};
use swarmscope::sim::{History, Value};

fn load(rel: &str, format: Format) -> History {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    parse(format, &std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
#[ignore]
fn print_linearizability_figures() {
    let plain = Options {
        witness: false,
        ..Options::default()
    };
    let mut total = 0.0;
    for n in [
        "000", "002", "005", "012", "014", "018", "022", "025", "031", "036", "039", "048", "052",
    ] {
        let h = load(&format!("porcupine/etcd/etcd_{n}.log"), Format::JepsenLog);
        let t = Instant::now();
        let v = check(&h, ModelKind::CasRegister, &Value::Nil, plain).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        total += ms;
        let t = Instant::now();
        let w = check(&h, ModelKind::CasRegister, &Value::Nil, Options::default()).unwrap();
        println!(
            "etcd_{n}: ok={} {ms:.2} ms (with witness {:.2} ms, witness {:?})",
            v.ok,
            t.elapsed().as_secs_f64() * 1e3,
            w.witness
        );
    }
    println!("etcd total (verdict only): {total:.1} ms");
    for f in ["c01-ok", "c01-bad", "c10-ok", "c10-bad"] {
        let h = load(&format!("porcupine/kv/{f}.txt"), Format::PorcupineKv);
        for split in [true, false] {
            let t = Instant::now();
            let v = check(
                &h,
                ModelKind::Kv,
                &Value::Str(String::new()),
                Options {
                    split_keys: split,
                    ..plain
                },
            )
            .unwrap();
            println!(
                "kv {f} split={split}: ok={} {:.1} ms",
                v.ok,
                t.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}

#[test]
#[ignore]
fn print_every_checker_on_every_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for dir in [
        "porcupine/etcd",
        "porcupine/kv",
        "knossos/good",
        "knossos/bad",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            for checker in swarmscope::check::cli::CHECKERS {
                let t = Instant::now();
                let r = swarmscope::check::cli::check_file(checker, &path, None, None, None);
                let verdict = match r {
                    Ok(r) => r.verdict.to_string(),
                    Err(e) => format!(
                        "error: {}",
                        e.to_string().chars().take(60).collect::<String>()
                    ),
                };
                println!(
                    "{:>10.1} ms  {checker:<20} {}  {verdict}",
                    t.elapsed().as_secs_f64() * 1e3,
                    path.file_name().unwrap().to_string_lossy()
                );
            }
        }
    }
}
