//! Every external history in tests/data with its known answer (see tests/data/README.md).

use std::path::{Path, PathBuf};
use swarmscope::check::cli::{check_file, Report, CHECKERS};
use swarmscope::check::model::parse_initial;
use swarmscope::check::{parse, sequential, CheckError};

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

fn all_files() -> Vec<PathBuf> {
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
            .filter(|p| p.extension().is_some_and(|e| e != "md"))
            .collect();
        entries.sort();
        files.extend(entries);
    }
    files
}

#[test]
fn every_checker_runs_on_every_file_without_panicking() {
    for path in all_files() {
        for checker in CHECKERS.iter().filter(|c| **c != "sequential") {
            // Errors (e.g. causal on cas histories) are fine; panics are not.
            let _ = check_file(checker, &path, None, None, None);
        }
    }
}

/// Linearizability implies sequential consistency and every session guarantee, so no weaker
/// checker may report a violation on a linearizable file.
#[test]
fn weaker_checkers_never_fail_a_linearizable_file() {
    for path in all_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let initial = name.contains("rethink").then_some("nil");
        let lin = check_file("linearizability", &path, None, None, initial).unwrap();
        if lin.verdict != "ok" {
            continue;
        }
        for checker in CHECKERS.iter().filter(|c| c.contains('-') || **c == "ryw") {
            if let Ok(r) = check_file(checker, &path, None, None, initial) {
                assert_eq!(r.verdict, "ok", "{checker} on {name}: {}", r.explanation);
            }
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let format = parse::detect(Some(&path), &text).unwrap();
        let history = parse::parse(format, &text).unwrap();
        let model = format.default_model(&history);
        let init = initial
            .map(parse_initial)
            .unwrap_or_else(|| format.default_initial(model));
        let small = sequential::Options {
            max_states: 200_000,
            minimize_limit: 0,
        };
        match sequential::check(&history, model, &init, small) {
            Ok(v) => assert!(v.ok, "sequential on {name}: {}", v.explanation),
            Err(CheckError::Budget(_)) => {}
            Err(e) => panic!("sequential on {name}: {e}"),
        }
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let dir = std::env::temp_dir().join(format!("swarmscope-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("empty.edn", ""),
        ("junk.log", "INFO  jepsen.util - x\t:invoke\t:read\tnil"),
        (
            "huge.edn",
            "[{:process 99999999999999999999999 :type :invoke :f :read}]",
        ),
        ("deep.edn", &"[".repeat(100_000)),
        (
            "unclosed.txt",
            "{:process 0, :type :invoke, :f :get, :key \"1\", :value nil",
        ),
        ("bad.json", "{\"ops\": 3}"),
    ];
    for (name, text) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        for checker in CHECKERS {
            assert!(
                check_file(checker, &path, None, None, None).is_err(),
                "{name} {checker}"
            );
        }
    }
    let p = dir.join("empty.edn");
    let e = check_file("nope", &p, None, None, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("linearizability") && e.contains("writes-follow-reads"),
        "{e}"
    );
    let e = check_file("causal", &p, Some("xml"), None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("jepsen-edn"), "{e}");
    let e = check_file(
        "causal",
        &data("porcupine/kv/c01-ok.txt"),
        None,
        Some("queue"),
        None,
    );
    assert!(e.unwrap_err().to_string().contains("cas-register"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_serializes_to_the_cli_shape() {
    let r = lin("knossos/bad/immediate-failure.edn", None);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["verdict"], "violation");
    assert_eq!(json["checker"], "linearizability");
    assert_eq!(json["model"], "cas-register");
    assert_eq!(json["operations"], 1);
    assert!(json["witness"].is_array());
}
