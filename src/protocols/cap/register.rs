//! The task board's register: values with version vectors and Lamport stamps, merged by last
//! writer wins (losing concurrent updates) or kept as siblings (a multi-value register).

use super::*;

/// A Lamport timestamp with the writer's id as tie-break: the total order LWW uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub counter: u64,
    pub replica: u32,
}

/// One value of a register, with the version vector of the write that made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sib {
    pub value: i64,
    pub stamp: Stamp,
    pub vv: Vec<u64>,
}

/// A register: no siblings = never written; more than one = concurrent values (CRDT mode).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reg {
    pub sibs: Vec<Sib>,
}

pub(super) fn dominates(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x >= y)
}

impl Reg {
    pub fn stamp(&self) -> Stamp {
        self.sibs.iter().map(|s| s.stamp).max().unwrap_or_default()
    }
    /// The sibling with the highest stamp (what CP hands out).
    pub fn top(&self) -> Option<i64> {
        self.sibs.iter().max_by_key(|s| s.stamp).map(|s| s.value)
    }
    pub fn read(&self) -> Value {
        let mut v: Vec<i64> = self.sibs.iter().map(|s| s.value).collect();
        crate::sim::sort::sort(&mut v);
        match v.as_slice() {
            [] => Value::Nil,
            [x] => Value::Int(*x),
            many => Value::Str(
                many.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
        }
    }
    /// A local write: supersedes every sibling this replica has seen.
    pub fn write(&mut self, value: i64, stamp: Stamp, me: usize, n: usize) {
        let mut vv = vec![0; n];
        for s in &self.sibs {
            for (a, b) in vv.iter_mut().zip(&s.vv) {
                *a = (*a).max(*b);
            }
        }
        if let Some(c) = vv.get_mut(me) {
            *c += 1;
        }
        self.sibs = vec![Sib { value, stamp, vv }];
    }
    /// CP: keep the higher stamp.
    pub fn put(&mut self, value: i64, stamp: Stamp) {
        if stamp > self.stamp() {
            self.sibs = vec![Sib {
                value,
                stamp,
                vv: vec![],
            }];
        }
    }
    /// AP merge: drop what is causally overwritten; under LWW keep only the highest stamp of the
    /// concurrent rest and return the values it discarded (the lost updates).
    pub fn merge(&mut self, other: &Reg, merge: Merge) -> Vec<Sib> {
        let mut all = self.sibs.clone();
        for s in &other.sibs {
            if !all.iter().any(|a| a.stamp == s.stamp) {
                all.push(s.clone());
            }
        }
        let keep: Vec<Sib> = all
            .iter()
            .filter(|a| {
                !all.iter()
                    .any(|b| b.stamp != a.stamp && b.vv != a.vv && dominates(&b.vv, &a.vv))
            })
            .cloned()
            .collect();
        let mut keep = keep;
        crate::sim::sort::sort_by_key(&mut keep, |s| s.stamp);
        let mut lost = vec![];
        if merge == Merge::Lww && keep.len() > 1 {
            let winner = keep.pop();
            lost = keep;
            keep = winner.into_iter().collect();
        }
        self.sibs = keep;
        lost
    }
}
