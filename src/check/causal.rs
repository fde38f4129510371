//! Causal consistency (CC) by bad patterns: Bouajjani, Enea, Guerraoui, Hamza, "On Verifying
//! Causal Consistency", POPL 2017, §3–4.
//!
//! The characterisation holds for *differentiated* histories of read/write registers: every
//! value is written at most once per key and never equals the initial value, so each read
//! names the write it read from. Then
//!
//! - `po` (program order): the order of each process's operations (by invocation);
//! - `wr` (read-from): `w(x,v) → r(x,v)`;
//! - `co` (causal order): `(po ∪ wr)⁺`;
//!
//! and the history is CC iff it contains none of (Lemma 3 / Theorem 4 of the paper):
//!
//! - **ThinAirRead**: a read of `v ≠ init` that no write wrote;
//! - **CyclicCO**: `co` has a cycle;
//! - **WriteCOInitRead**: `w(x,·) co r(x,init)` — a read of the initial value causally after a
//!   write of that key;
//! - **WriteCORead**: `w(x,v) co w'(x,v') co r(x,v)` — a read returns a value whose write is
//!   causally overwritten before the read.
//!
//! (The further patterns WriteHBInitRead and CyclicHB characterise causal *memory* (CM), and
//! CyclicCF causal *convergence* (CCv); this checker decides CC.)
//!
//! Outcomes: failed writes never happened (a read of their value is thin air); an indeterminate
//! write is kept if someone read its value and dropped otherwise (an unread write can only add
//! bad patterns, so dropping it is the favourable choice the checker may make); indeterminate
//! reads have no value and are left out. A history that is not differentiated, or that uses cas
//! or append, is rejected with `CheckError::Unsupported` naming the offending operations.
//!
//! The witness is the pattern's operations together with the `po`/`wr` paths that make up each
//! `co` edge (shortest paths), so the diagram can show why the order holds.

use super::model::ModelKind;
use super::{CheckError, Verdict};
use crate::sim::{History, OpFn, Outcome, Value};
use std::collections::{BTreeMap, VecDeque};

const MAX_OPS: usize = 60_000;

/// Checks `history` for causal consistency (CC). `model` must be `register` or `kv` (get/put).
pub fn check(history: &History, model: ModelKind, initial: &Value) -> Result<Verdict, CheckError> {
    if let Some(o) = history
        .ops
        .iter()
        .find(|o| !matches!(o.f, OpFn::Read | OpFn::Write))
    {
        return Err(CheckError::Unsupported(format!(
            "the causal checker needs plain reads and writes; operation {} is a {} \
             (bad patterns are defined for read/write registers)",
            o.index,
            o.f.name()
        )));
    }
    // Writes per (key, value), for read-from and the differentiated check.
    let mut writer: BTreeMap<(&str, &Value), usize> = BTreeMap::new();
    for o in history
        .ops
        .iter()
        .filter(|o| o.f == OpFn::Write && o.outcome != Outcome::Fail)
    {
        if &o.input == initial {
            return Err(CheckError::Unsupported(format!(
                "the causal checker needs differentiated writes: operation {} writes the initial \
                 value {} to key {:?}, so reads of it are ambiguous",
                o.index, o.input, o.key
            )));
        }
        if let Some(prev) = writer.insert((&o.key, &o.input), o.index) {
            return Err(CheckError::Unsupported(format!(
                "the causal checker needs differentiated writes (each value written at most once \
                 per key): operations {prev} and {} both write {} to key {:?}",
                o.index, o.input, o.key
            )));
        }
    }
    let read_from = |o: &crate::sim::Op| writer.get(&(o.key.as_str(), &o.output)).copied();
    let is_read = |o: &crate::sim::Op| o.f == OpFn::Read && o.outcome == Outcome::Ok;
    let read_writes: Vec<usize> = history
        .ops
        .iter()
        .filter(|o| is_read(o))
        .filter_map(read_from)
        .collect();
    let included = |o: &crate::sim::Op| match (o.f, o.outcome) {
        (_, Outcome::Fail) => false,
        (OpFn::Read, out) => out == Outcome::Ok,
        (_, Outcome::Ok) => true,
        _ => read_writes.contains(&o.index),
    };
    let nodes: Vec<usize> = history
        .ops
        .iter()
        .filter(|o| included(o))
        .map(|o| o.index)
        .collect();
    let operations = nodes.len();
    let name = model.name();
    // ThinAirRead.
    for &i in &nodes {
        let o = &history.ops[i];
        if is_read(o) && &o.output != initial && read_from(o).is_none() {
            return Ok(Verdict::violation(
                "causal",
                name,
                operations,
                vec![i],
                format!(
                    "ThinAirRead: operation {i} reads {} from key {:?}, which no operation wrote",
                    o.output, o.key
                ),
            ));
        }
    }
    if nodes.len() > MAX_OPS {
        return Err(CheckError::Budget(format!(
            "the causal checker handles at most {MAX_OPS} operations"
        )));
    }
    // Graph over node positions.
    let pos_of: BTreeMap<usize, usize> = nodes.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let n = nodes.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut by_process: BTreeMap<u64, Vec<(crate::sim::Time, usize)>> = BTreeMap::new();
    for &i in &nodes {
        by_process
            .entry(history.ops[i].process)
            .or_default()
            .push((history.ops[i].invoke, i));
    }
    for ops in by_process.values_mut() {
        ops.sort_unstable();
        for w in ops.windows(2) {
            succ[pos_of[&w[0].1]].push(pos_of[&w[1].1]);
        }
    }
    for &i in &nodes {
        let o = &history.ops[i];
        if is_read(o) {
            if let Some(w) = read_from(o) {
                succ[pos_of[&w]].push(pos_of[&i]);
            }
        }
    }
    let path = |from: usize, to: usize| -> Vec<usize> {
        shortest_path(&succ, from, to)
            .into_iter()
            .map(|p| nodes[p])
            .collect()
    };
    // CyclicCO: Kahn's algorithm; what remains lies on or behind a cycle.
    let mut indegree = vec![0usize; n];
    for s in &succ {
        for &t in s {
            indegree[t] += 1;
        }
    }
    let mut queue: VecDeque<usize> = (0..n).filter(|&p| indegree[p] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(p) = queue.pop_front() {
        topo.push(p);
        for &t in &succ[p] {
            indegree[t] -= 1;
            if indegree[t] == 0 {
                queue.push_back(t);
            }
        }
    }
    if topo.len() < n {
        let cycle = find_cycle(&succ, &indegree);
        let ops: Vec<usize> = cycle.iter().map(|&p| nodes[p]).collect();
        return Ok(Verdict::violation(
            "causal",
            name,
            operations,
            ops.clone(),
            format!(
                "CyclicCO: program order and read-from form a cycle through operations {ops:?}"
            ),
        ));
    }
    // desc[p]: every node causally after p (bitsets, filled in reverse topological order).
    let words = n.div_ceil(64);
    let mut desc = vec![0u64; n * words];
    for &p in topo.iter().rev() {
        for &t in &succ[p] {
            desc[p * words + t / 64] |= 1 << (t % 64);
            for w in 0..words {
                let v = desc[t * words + w];
                desc[p * words + w] |= v;
            }
        }
    }
    let before = |a: usize, b: usize| desc[a * words + b / 64] >> (b % 64) & 1 == 1;
    let mut writes_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (p, &i) in nodes.iter().enumerate() {
        if history.ops[i].f == OpFn::Write {
            writes_of
                .entry(history.ops[i].key.as_str())
                .or_default()
                .push(p);
        }
    }
    for (r, &i) in nodes.iter().enumerate() {
        let o = &history.ops[i];
        if !is_read(o) {
            continue;
        }
        let writes = writes_of
            .get(o.key.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match read_from(o) {
            None => {
                if let Some(&w) = writes.iter().find(|&&w| before(w, r)) {
                    let witness = path(w, r);
                    return Ok(Verdict::violation(
                        "causal",
                        name,
                        operations,
                        witness.clone(),
                        format!(
                            "WriteCOInitRead: operation {i} reads the initial value of key {:?} although \
                             write {} of that key causally precedes it (via {witness:?})",
                            o.key, nodes[w]
                        ),
                    ));
                }
            }
            Some(src) => {
                let w1 = pos_of[&src];
                if let Some(&w2) = writes
                    .iter()
                    .find(|&&w2| w2 != w1 && before(w1, w2) && before(w2, r))
                {
                    let mut witness = path(w1, w2);
                    witness.extend(path(w2, r));
                    return Ok(Verdict::violation(
                        "causal",
                        name,
                        operations,
                        witness,
                        format!(
                            "WriteCORead: operation {i} reads {} (written by {src}) from key {:?}, but \
                             write {} causally overwrote it before the read",
                            o.output, o.key, nodes[w2]
                        ),
                    ));
                }
            }
        }
    }
    Ok(Verdict::pass(
        "causal",
        name,
        operations,
        "no CC bad pattern (ThinAirRead, CyclicCO, WriteCOInitRead, WriteCORead)".into(),
    ))
}

/// Nodes on the shortest path `from → … → to` (both included).
fn shortest_path(succ: &[Vec<usize>], from: usize, to: usize) -> Vec<usize> {
    let mut parent = vec![usize::MAX; succ.len()];
    let mut queue = VecDeque::from([from]);
    parent[from] = from;
    while let Some(p) = queue.pop_front() {
        if p == to {
            break;
        }
        for &t in &succ[p] {
            if parent[t] == usize::MAX {
                parent[t] = p;
                queue.push_back(t);
            }
        }
    }
    if parent[to] == usize::MAX {
        return vec![from, to];
    }
    let mut out = vec![to];
    let mut p = to;
    while p != from {
        p = parent[p];
        out.push(p);
    }
    out.reverse();
    out
}

/// A cycle among the nodes Kahn's algorithm could not remove (indegree > 0).
fn find_cycle(succ: &[Vec<usize>], indegree: &[usize]) -> Vec<usize> {
    let Some(start) = (0..succ.len()).find(|&p| indegree[p] > 0) else {
        return Vec::new();
    };
    // Walk forward inside the remaining subgraph until a node repeats.
    let mut seen = vec![usize::MAX; succ.len()];
    let mut walk = Vec::new();
    let mut p = start;
    while seen[p] == usize::MAX {
        seen[p] = walk.len();
        walk.push(p);
        match succ[p].iter().find(|&&t| indegree[t] > 0) {
            Some(&t) => p = t,
            None => break,
        }
    }
    let from = if seen[p] == usize::MAX { 0 } else { seen[p] };
    walk[from..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Op, Time};
    use ModelKind::Register;
    use Value::{Int, Nil};

    /// `(process, f, key, value, t)`: ops complete at `t + 1`.
    fn h(ops: &[(u64, OpFn, &str, i64, u64)]) -> History {
        History {
            ops: ops
                .iter()
                .enumerate()
                .map(|(index, &(process, f, key, v, t))| Op {
                    index,
                    process,
                    f,
                    key: key.into(),
                    input: if f == OpFn::Write { Int(v) } else { Nil },
                    output: if f == OpFn::Read { Int(v) } else { Nil },
                    invoke: Time(t),
                    complete: Time(t + 1),
                    outcome: Outcome::Ok,
                })
                .collect(),
        }
    }
    use OpFn::{Read as R, Write as W};

    fn run(hist: &History) -> Verdict {
        check(hist, Register, &Int(0)).unwrap()
    }

    #[test]
    fn stale_but_causal_reads_pass() {
        // p1 sees x=1 late: not linearizable, but causal.
        let v = run(&h(&[
            (0, W, "x", 1, 0),
            (1, R, "x", 0, 5),
            (1, R, "x", 1, 7),
        ]));
        assert!(v.ok, "{}", v.explanation);
    }

    #[test]
    fn answer_before_question_is_write_co_init_read() {
        // p0 asks (x=1); p1 reads it and answers (y=1); p2 sees the answer but not the question.
        let v = run(&h(&[
            (0, W, "x", 1, 0),
            (1, R, "x", 1, 2),
            (1, W, "y", 1, 4),
            (2, R, "y", 1, 6),
            (2, R, "x", 0, 8),
        ]));
        assert!(!v.ok);
        assert!(
            v.explanation.starts_with("WriteCOInitRead"),
            "{}",
            v.explanation
        );
        assert_eq!(v.witness, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn overwritten_value_read_after_the_overwrite_is_write_co_read() {
        let v = run(&h(&[
            (0, W, "x", 1, 0),
            (0, W, "x", 2, 2),
            (1, R, "x", 2, 4),
            (1, R, "x", 1, 6),
        ]));
        assert!(!v.ok);
        assert!(
            v.explanation.starts_with("WriteCORead"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn thin_air_and_cycles_are_caught() {
        assert!(run(&h(&[(0, R, "x", 7, 0)]))
            .explanation
            .starts_with("ThinAirRead"));
        // Each process reads the other's later write before writing its own.
        let v = run(&h(&[
            (0, R, "x", 2, 0),
            (0, W, "y", 1, 2),
            (1, R, "y", 1, 0),
            (1, W, "x", 2, 2),
        ]));
        assert!(v.explanation.starts_with("CyclicCO"), "{}", v.explanation);
        assert_eq!(v.witness.len(), 4);
    }

    #[test]
    fn repeated_values_are_rejected_not_guessed() {
        let e = check(
            &h(&[(0, W, "x", 1, 0), (1, W, "x", 1, 2)]),
            Register,
            &Int(0),
        )
        .unwrap_err();
        assert!(matches!(e, CheckError::Unsupported(_)));
    }
}
