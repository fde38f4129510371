//! Every external history in tests/data with its known answer (see tests/data/README.md).

use std::path::{Path, PathBuf};
use swarmscope::check::cli::{check_file, Report};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn lin(rel: &str, initial: Option<&str>) -> Report {
    check_file("linearizability", &data(rel), None, None, initial)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const ETCD_OK: [&str; 6] = ["002", "005", "018", "025", "031", "048"];
const ETCD_BAD: [&str; 7] = ["000", "012", "014", "022", "036", "039", "052"];

#[test]
fn etcd_histories_have_their_known_verdicts() {
    for n in ETCD_OK {
        let r = lin(&format!("porcupine/etcd/etcd_{n}.log"), None);
        assert_eq!(r.verdict, "ok", "etcd_{n}: {}", r.explanation);
        assert_eq!(r.model, "cas-register");
    }
    for n in ETCD_BAD {
        let r = lin(&format!("porcupine/etcd/etcd_{n}.log"), None);
        assert_eq!(r.verdict, "violation", "etcd_{n}");
        assert!(!r.witness.is_empty(), "etcd_{n} has a witness");
    }
}

#[test]
fn kv_histories_have_their_known_verdicts() {
    for c in ["c01", "c10"] {
        let ok = lin(&format!("porcupine/kv/{c}-ok.txt"), None);
        assert_eq!(ok.verdict, "ok", "{c}-ok: {}", ok.explanation);
        assert_eq!(ok.model, "kv");
        let bad = lin(&format!("porcupine/kv/{c}-bad.txt"), None);
        assert_eq!(bad.verdict, "violation", "{c}-bad");
    }
}

#[test]
fn knossos_good_histories_are_linearizable() {
    for f in [
        "cas-register-bug",
        "memstress3-0",
        "memstress3-30",
        "mongodb-v0-ack-rollback-9",
    ] {
        let r = lin(&format!("knossos/good/{f}.edn"), None);
        assert_eq!(r.verdict, "ok", "{f}: {}", r.explanation);
    }
}

#[test]
fn knossos_bad_histories_fail_at_the_known_operation() {
    // (file, initial value, 0-based position of the first operation that cannot be linearized)
    for (f, initial, position) in [
        ("immediate-failure", None, 3),
        ("bad-analysis", None, 14),
        ("rethink-fail-minimal", Some("nil"), 4),
    ] {
        let r = lin(&format!("knossos/bad/{f}.edn"), initial);
        assert_eq!(r.verdict, "violation", "{f}");
        // Parsers time-stamp each event with its position in the file, so the first bad
        // operation's completion time is its event position.
        let text = std::fs::read_to_string(data(&format!("knossos/bad/{f}.edn"))).unwrap();
        let history =
            swarmscope::check::parse::parse(swarmscope::check::parse::Format::JepsenEdn, &text)
                .unwrap();
        let first = r.detail.first_bad_op.expect("first bad op");
        assert_eq!(history.ops[first].complete.0, position, "{f}");
        assert!(r.witness.contains(&first), "{f}");
    }
}

#[test]
fn every_checker_runs_on_every_file_without_panicking() {
    let mut files = Vec::new();
    for dir in [
        "porcupine/etcd",
        "porcupine/kv",
        "knossos/good",
        "knossos/bad",
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(data(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        files.extend(entries);
    }
    for path in files {
        for checker in swarmscope::check::cli::CHECKERS {
            // Errors (e.g. causal on cas histories) are fine; panics are not.
            let _ = check_file(checker, &path, None, None, None);
        }
    }
}
