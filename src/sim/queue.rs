//! The event queue: a min-heap ordered by `(time, sequence number)`, so events at the same
//! virtual time run in the order they were scheduled, on every target.

use super::agent::{NodeId, TimerKey};
use super::time::Time;
use super::trace::MsgId;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Something scheduled to happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Start(NodeId),
    Deliver(MsgId),
    Timer {
        node: NodeId,
        key: TimerKey,
        gen: u64,
    },
    FaultCrash {
        node: NodeId,
        gen: u64,
    },
    FaultRecover {
        node: NodeId,
        gen: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub time: Time,
    pub seq: u64,
    pub what: Pending,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The queue with its sequence counter.
#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Queued>,
    next_seq: u64,
}

impl EventQueue {
    pub fn push(&mut self, time: Time, what: Pending) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Queued { time, seq, what });
    }
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|q| q.time)
    }
    pub fn pop(&mut self) -> Option<Queued> {
        self.heap.pop()
    }
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_events_pop_in_schedule_order() {
        let mut q = EventQueue::default();
        q.push(Time(5), Pending::Start(NodeId(2)));
        q.push(Time(1), Pending::Start(NodeId(9)));
        q.push(Time(5), Pending::Start(NodeId(0)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|e| e.what).collect();
        assert_eq!(
            order,
            vec![
                Pending::Start(NodeId(9)),
                Pending::Start(NodeId(2)),
                Pending::Start(NodeId(0))
            ]
        );
    }
}
