//! Building a run's starting state, validating interventions and engine parameters, and the
//! bookkeeping of the recording (compaction, forks, frames). Not generic over the protocol.

use super::*;

/// In time order (stable: same-time interventions keep their order). Not generic, so it is
/// compiled once rather than once per protocol.
pub(super) fn sort_interventions(interventions: &mut [Intervention]) {
    crate::sim::sort::sort_by_key(interventions, |iv| iv.at);
}

/// Every agent's engine-side state at the start: clocks drawn from the scenario stream.
pub(super) fn node_metas(config: &SimConfig) -> Vec<NodeMeta> {
    let n = config.n;
    let seed = config.seed;
    let mut clock_rng = SimRng::new(seed, Purpose::Scenario);
    (0..n)
        .map(|i| {
            let skew = config.clock_skew.0 as i64;
            let drift = config.clock_drift_ppm.abs();
            let clock = PhysicalClock {
                offset_us: if skew > 0 {
                    clock_rng.range_inclusive(0, 2 * skew as u64) as i64 - skew
                } else {
                    0
                },
                drift_ppm: if drift > 0 {
                    clock_rng.range_inclusive(0, 2 * drift as u64) as i64 - drift
                } else {
                    0
                },
            };
            NodeMeta {
                status: Status::Up,
                lamport: Lamport::default(),
                vclock: (n <= VECTOR_CLOCK_LIMIT).then(|| VectorClock::new(n)),
                clock,
                byzantine: None,
                send_omission: 0.0,
                recv_omission: 0.0,
                timers: vec![],
                timer_gen: 0,
                backlog: vec![],
                rng: SimRng::new(seed, Purpose::Agent(i as u32)),
            }
        })
        .collect()
}

/// The core at time zero: every agent's start queued, random faults scheduled.
pub(super) fn new_core(config: &SimConfig, invariant_count: usize) -> Core {
    let seed = config.seed;
    let mut net = Network::new(config.link.clone());
    net.fifo = config.fifo;
    let mut core = Core {
        now: Time::ZERO,
        net,
        stats: Stats::default(),
        hash: TraceHash::default(),
        mtbf: config.mtbf,
        mttr: config.mttr,
        queue: EventQueue::default(),
        next_msg: 0,
        next_iv: 0,
        history_len: 0,
        open_ops: Default::default(),
        net_rng: SimRng::new(seed, Purpose::Network),
        fault_rng: SimRng::new(seed, Purpose::Faults),
        fault_gen: 0,
        violations_seen: vec![0; invariant_count],
        first_violation: vec![None; invariant_count],
    };
    for i in 0..config.n {
        core.queue
            .push(Time::ZERO, Pending::Start(NodeId(i as u32)));
    }
    schedule_random_faults(&mut core, config.n);
    core
}

/// Drops recorded events and messages before `snap_time`; returns how many messages went.
pub(super) fn compact_trace(trace: &mut Trace, snap_time: Time) -> usize {
    let first_kept = trace.events.partition_point(|e| e.time < snap_time);
    trace.events.drain(..first_kept);
    trace.first_event += first_kept as u64;
    let drop_msgs = trace
        .msgs
        .iter()
        .position(|m| m.sent >= snap_time || m.fate == Fate::InFlight)
        .unwrap_or(trace.msgs.len());
    trace.msgs.drain(..drop_msgs);
    trace.first_msg += drop_msgs as u64;
    drop_msgs
}

/// Forgets what was recorded after `t` (a fork); returns how many messages are kept.
pub(super) fn truncate_recording(
    trace: &mut Trace,
    history: &mut History,
    core: &Core,
    t: Time,
) -> usize {
    let keep = trace.events.partition_point(|e| e.time <= t);
    trace.events.truncate(keep);
    let keep_msgs = core.next_msg.saturating_sub(trace.first_msg) as usize;
    trace.msgs.truncate(keep_msgs);
    for m in trace.msgs.iter_mut() {
        if m.resolved_at > t {
            m.resolved_at = Time::MAX;
            m.fate = Fate::InFlight;
        }
    }
    history.ops.truncate(core.history_len);
    for op in history.ops.iter_mut() {
        if op.complete != Time::MAX && op.complete > t {
            op.complete = Time::MAX;
            op.outcome = Outcome::Info;
            op.output = Value::Nil;
        }
    }
    trace.violations.retain(|v| v.at <= t);
    keep_msgs
}

pub(super) fn frame(
    core: &Core,
    metas: Vec<&NodeMeta>,
    summaries: Vec<Summary>,
    time: Time,
) -> Frame {
    Frame {
        time,
        nodes: metas
            .into_iter()
            .zip(summaries)
            .enumerate()
            .map(|(i, (m, summary))| NodeView {
                id: NodeId(i as u32),
                status: m.status,
                summary,
                lamport: m.lamport.0,
                vclock: m.vclock.as_ref().map(|v| v.0.clone()),
                clock: m.clock.read(core.now),
                byzantine: m.byzantine,
            })
            .collect(),
        groups: core.net.groups().to_vec(),
        cut: core.net.cut_links().copied().collect(),
    }
}

pub(super) fn invariant_status(names: &[&str], first: &[Option<Time>]) -> Vec<InvariantStatus> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| InvariantStatus {
            name: name.to_string(),
            held: first[i].is_none(),
            first_violation: first[i],
        })
        .collect()
}

pub(super) fn schedule_random_faults(core: &mut Core, n: usize) {
    core.fault_gen += 1;
    let Some(mtbf) = core.mtbf else { return };
    let gen = core.fault_gen;
    let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
    for i in 0..n {
        let at = core.now + d.sample(&mut core.fault_rng);
        core.queue.push(
            at,
            Pending::FaultCrash {
                node: NodeId(i as u32),
                gen,
            },
        );
    }
}

/// Checks an action against a scratch copy of the state (applying it there).
pub(super) fn validate_action<P: Protocol>(
    probe: &mut State<P>,
    action: &Action,
) -> Result<(), SimError> {
    let mut payloads = vec![];
    let mut scratch = Scratch::default();
    let (core, mut typed) = split(probe, &mut payloads, &mut scratch);
    validate(core, &mut typed, action)
}

pub(super) fn validate(
    core: &mut Core,
    typed: &mut dyn Typed,
    action: &Action,
) -> Result<(), SimError> {
    let n = typed.n();
    let check = |id: &NodeId| {
        if id.index() < n {
            Ok(())
        } else {
            Err(SimError(format!(
                "agent {id} does not exist (there are {n} agents, 0..{})",
                n.saturating_sub(1)
            )))
        }
    };
    match action {
        Action::Crash(a)
        | Action::Recover(a)
        | Action::Pause(a)
        | Action::Resume(a)
        | Action::Client(a, _)
        | Action::Byzantine(a, _) => check(a),
        Action::Cut(a, b) | Action::Mend(a, b) => {
            check(a)?;
            check(b)
        }
        Action::Partition(groups) => core.net.partition(n, groups).map_err(|e| SimError(e.0)),
        Action::Heal | Action::Lose(_) => Ok(()),
        Action::Set(k, v) => set_param(core, typed, k, v),
    }
}

/// Engine parameters first, then the protocol's.
pub(super) fn set_param(
    core: &mut Core,
    typed: &mut dyn Typed,
    key: &str,
    value: &str,
) -> Result<(), SimError> {
    let err = |e: String| SimError(format!("{key}: {e}"));
    match key {
        "latency" => {
            core.net.default.latency = crate::sim::dist::parse_dist(value).map_err(err)?;
        }
        "loss" => core.net.default.loss = parse_probability(value).map_err(err)?,
        "duplicate" | "dup" => {
            core.net.default.duplicate = parse_probability(value).map_err(err)?
        }
        "fifo" => core.net.fifo = parse_bool(value).map_err(err)?,
        "mtbf" => {
            core.mtbf = if matches!(value.trim(), "off" | "0" | "none") {
                None
            } else {
                let t = crate::sim::time::parse_duration(value).map_err(|e| err(e.0))?;
                if t == Time::ZERO {
                    None
                } else {
                    Some(t)
                }
            };
            schedule_random_faults(core, typed.n());
        }
        "mttr" => {
            core.mttr = crate::sim::time::parse_duration(value).map_err(|e| err(e.0))?;
        }
        _ => {
            let handled = typed.set_param(key, value).map_err(err)?;
            if !handled {
                return Err(SimError(format!(
                    "unknown parameter '{key}' (engine parameters: latency, loss, duplicate, fifo, mtbf, mttr)"
                )));
            }
        }
    }
    Ok(())
}
