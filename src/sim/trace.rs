//! The trace: every event of a run, every message ever sent (with its fate), violations, and a
//! running hash that fingerprints the whole run.
//!
//! Memory policy: the trace keeps at most `TraceConfig::max_events` events. When it is full the
//! oldest half of the events (and of the message records that are no longer in flight) is
//! discarded together with the snapshots that lie before the new first event; counters and the
//! hash still cover the whole run, and seeking earlier than the oldest kept event clamps to it.

use super::agent::NodeId;
use super::time::Time;
use serde::Serialize;

/// A message's identity: its position in the run's send order.
pub type MsgId = u64;

/// Why a message did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// A partition or cut link between sender and receiver.
    Partition,
    /// The receiver was down.
    Crashed,
    /// Send or receive omission fault.
    Omission,
    /// The user, playing the adversary, removed it.
    Adversary,
    /// A silent Byzantine sender swallowed it.
    Byzantine,
    /// Addressed to an agent that does not exist.
    NoSuchAgent,
}

impl DropReason {
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "lost",
            DropReason::Partition => "partition",
            DropReason::Crashed => "receiver down",
            DropReason::Omission => "omission",
            DropReason::Adversary => "adversary",
            DropReason::Byzantine => "byzantine",
            DropReason::NoSuchAgent => "no such agent",
        }
    }
}

/// Where a message is now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Fate {
    InFlight,
    Delivered,
    Dropped(DropReason),
}

/// One message, for the stage, the space-time diagram and the inspector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MsgRecord {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub sent: Time,
    /// When it would arrive (for lost messages, where it dies).
    pub deliver_at: Time,
    /// When it was delivered or dropped; `Time::MAX` while in flight.
    pub resolved_at: Time,
    pub fate: Fate,
    /// A duplicate names the message it copies.
    pub copy_of: Option<MsgId>,
    pub lamport: u64,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum EventKind {
    Start,
    Send { msg: MsgId },
    Deliver { msg: MsgId },
    Drop { msg: MsgId, reason: DropReason },
    Duplicate { msg: MsgId },
    Timer { key: u64 },
    Crash,
    Recover,
    Pause,
    Resume,
    Note(String),
    Invoke { op: usize },
    Complete { op: usize },
    Violation { invariant: usize },
    Intervention { index: usize },
    Byzantine,
}

impl EventKind {
    fn tag(&self) -> u64 {
        match self {
            EventKind::Start => 1,
            EventKind::Send { .. } => 2,
            EventKind::Deliver { .. } => 3,
            EventKind::Drop { .. } => 4,
            EventKind::Duplicate { .. } => 5,
            EventKind::Timer { .. } => 6,
            EventKind::Crash => 7,
            EventKind::Recover => 8,
            EventKind::Pause => 9,
            EventKind::Resume => 10,
            EventKind::Note(_) => 11,
            EventKind::Invoke { .. } => 12,
            EventKind::Complete { .. } => 13,
            EventKind::Violation { .. } => 14,
            EventKind::Intervention { .. } => 15,
            EventKind::Byzantine => 16,
        }
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub time: Time,
    pub node: NodeId,
    /// The node's Lamport clock after the event.
    pub lamport: u64,
    pub kind: EventKind,
}

/// A recorded invariant violation with its witnesses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    pub invariant: String,
    pub at: Time,
    pub message: String,
    pub nodes: Vec<NodeId>,
}

/// FNV-1a 64, fed field by field: the run's fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHash(pub u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHash {
    #[inline]
    pub fn feed(&mut self, x: u64) {
        let mut h = self.0;
        for b in x.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    pub fn feed_event(&mut self, e: &Event) {
        self.feed(e.time.0);
        self.feed(e.node.0 as u64);
        self.feed(e.lamport);
        self.feed(e.kind.tag());
        match &e.kind {
            EventKind::Send { msg } | EventKind::Deliver { msg } | EventKind::Duplicate { msg } => {
                self.feed(*msg)
            }
            EventKind::Drop { msg, reason } => {
                self.feed(*msg);
                self.feed(*reason as u64);
            }
            EventKind::Timer { key } => self.feed(*key),
            EventKind::Note(s) => {
                for b in s.bytes() {
                    self.feed(b as u64);
                }
            }
            EventKind::Invoke { op } | EventKind::Complete { op } => self.feed(*op as u64),
            EventKind::Violation { invariant } => self.feed(*invariant as u64),
            EventKind::Intervention { index } => self.feed(*index as u64),
            _ => {}
        }
    }

    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Limits on what the trace keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceConfig {
    /// Record events at all (off for fast sweeps: counters and hash are still kept).
    pub record: bool,
    pub max_events: usize,
    /// A snapshot of the world every this many events, for seeking.
    pub snapshot_every: usize,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            record: true,
            max_events: 1_000_000,
            snapshot_every: 1_024,
        }
    }
}

/// The recorded part of a run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub events: Vec<Event>,
    /// How many events were discarded from the front (absolute index of `events[0]`).
    pub first_event: u64,
    pub msgs: Vec<MsgRecord>,
    /// Id of `msgs[0]`.
    pub first_msg: MsgId,
    pub violations: Vec<Violation>,
    /// Largest latency seen, so drawing can bound its backward scan for messages in flight.
    pub max_latency: Time,
}

impl Trace {
    pub fn msg(&self, id: MsgId) -> Option<&MsgRecord> {
        id.checked_sub(self.first_msg)
            .and_then(|i| self.msgs.get(i as usize))
    }

    pub fn msg_mut(&mut self, id: MsgId) -> Option<&mut MsgRecord> {
        id.checked_sub(self.first_msg)
            .and_then(|i| self.msgs.get_mut(i as usize))
    }

    /// Events with `time <= t`, as a slice of the kept events.
    pub fn events_until(&self, t: Time) -> &[Event] {
        let end = self.events.partition_point(|e| e.time <= t);
        &self.events[..end]
    }

    /// Events in `[from, to]`.
    pub fn events_between(&self, from: Time, to: Time) -> &[Event] {
        let start = self.events.partition_point(|e| e.time < from);
        let end = self.events.partition_point(|e| e.time <= to);
        &self.events[start..end.max(start)]
    }

    /// Messages in flight at time `t` (sent at or before, resolved after).
    pub fn in_flight_at(&self, t: Time) -> Vec<&MsgRecord> {
        let end = self.msgs.partition_point(|m| m.sent <= t);
        let horizon = t.saturating_sub(self.max_latency);
        let mut out = vec![];
        for m in self.msgs[..end].iter().rev() {
            if m.sent < horizon {
                break;
            }
            if m.resolved_at > t {
                out.push(m);
            }
        }
        out.reverse();
        out
    }

    /// The first time kept (seek clamps to it).
    pub fn earliest(&self) -> Time {
        self.events.first().map(|e| e.time).unwrap_or(Time::ZERO)
    }
}
