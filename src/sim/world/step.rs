//! The event loop, written once against `dyn Typed`: interventions, deliveries, timers and
//! faults; the network's latency, loss, duplication and partitions; the trace and the client
//! history; invariant checks after every event.

use super::*;

/// Records an event: always hashed and counted, stored when recording live.
pub(super) fn record(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    node: NodeId,
    kind: EventKind,
) {
    let lamport = if node.index() < typed.n() {
        typed.meta(node).lamport.0
    } else {
        0
    };
    let e = Event {
        time: core.now,
        node,
        lamport,
        kind,
    };
    core.hash.feed_event(&e);
    core.stats.events += 1;
    typed.observe(&e);
    if ctx.live() && ctx.config.trace.record {
        ctx.trace.events.push(e);
    }
}

pub(super) fn tick(node: &mut NodeMeta, me: NodeId) {
    node.lamport.tick();
    if let Some(v) = node.vclock.as_mut() {
        v.tick(me.index());
    }
}

/// One step: the next intervention or queue entry at or before `limit`. False if none.
pub(super) fn step_state(
    core: &mut Core,
    typed: &mut dyn Typed,
    ivs: &[Intervention],
    ctx: &mut LoopCtx,
    limit: Time,
) -> bool {
    let next_q = core.queue.peek_time();
    let next_iv = ivs.get(core.next_iv).map(|iv| iv.at.max(core.now));
    match (next_q, next_iv) {
        (q, Some(iv_at)) if iv_at <= limit && q.is_none_or(|q| iv_at < q) => {
            core.now = iv_at;
            let index = core.next_iv;
            core.next_iv += 1;
            apply_intervention(core, typed, ctx, index, &ivs[index].action);
            after_event(core, typed, ctx);
            true
        }
        (Some(q), _) if q <= limit => {
            let Some(entry) = core.queue.pop() else {
                return false;
            };
            core.now = entry.time;
            handle(core, typed, ctx, entry.what);
            after_event(core, typed, ctx);
            true
        }
        _ => false,
    }
}

pub(super) fn after_event(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx) {
    if core.first_violation.is_empty() {
        return;
    }
    ctx.breaches.clear();
    typed.check(core.now, ctx.breaches);
    let breaches = std::mem::take(ctx.breaches);
    for b in &breaches {
        let Some(seen) = core.violations_seen.get_mut(b.invariant) else {
            continue;
        };
        *seen += 1;
        if core.first_violation[b.invariant].is_none() {
            core.first_violation[b.invariant] = Some(core.now);
        }
        let count = *seen;
        let node = b.nodes.first().copied().unwrap_or_default();
        if count <= MAX_VIOLATIONS_PER_INVARIANT {
            record(
                core,
                typed,
                ctx,
                node,
                EventKind::Violation {
                    invariant: b.invariant,
                },
            );
            if ctx.live() {
                ctx.trace.violations.push(Violation {
                    invariant: typed.invariant(b.invariant).to_string(),
                    at: core.now,
                    message: b.message.clone(),
                    nodes: b.nodes.clone(),
                });
            }
        }
    }
    *ctx.breaches = breaches;
}

pub(super) fn apply_intervention(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    index: usize,
    action: &Action,
) {
    let n = typed.n();
    let target = match action {
        Action::Crash(a) | Action::Recover(a) | Action::Pause(a) | Action::Resume(a) => Some(*a),
        Action::Client(a, _) | Action::Byzantine(a, _) => Some(*a),
        _ => None,
    };
    if target.is_some_and(|a| a.index() >= n) {
        return;
    }
    record(
        core,
        typed,
        ctx,
        target.unwrap_or_default(),
        EventKind::Intervention { index },
    );
    match action {
        Action::Crash(a) => crash(core, typed, ctx, *a),
        Action::Recover(a) => recover(core, typed, ctx, *a),
        Action::Pause(a) => {
            if typed.meta(*a).status == Status::Up {
                typed.meta_mut(*a).status = Status::Paused;
                record(core, typed, ctx, *a, EventKind::Pause);
            }
        }
        Action::Resume(a) => {
            let node = typed.meta_mut(*a);
            if node.status == Status::Paused {
                node.status = Status::Up;
                let backlog = std::mem::take(&mut node.backlog);
                record(core, typed, ctx, *a, EventKind::Resume);
                for p in backlog {
                    core.queue.push(core.now, p);
                }
            }
        }
        Action::Partition(groups) => {
            let _ = core.net.partition(n, groups);
        }
        Action::Heal => core.net.heal(),
        Action::Cut(a, b) => {
            core.net.cut(*a, *b);
            core.net.cut(*b, *a);
        }
        Action::Mend(a, b) => {
            core.net.mend(*a, *b);
            core.net.mend(*b, *a);
        }
        Action::Set(k, v) => {
            let _ = set_param(core, typed, k, v);
        }
        Action::Client(a, req) => {
            if typed.meta(*a).status == Status::Up {
                run_handler(core, typed, ctx, *a, Call::Client(req));
            }
        }
        Action::Byzantine(a, mode) => {
            typed.meta_mut(*a).byzantine = *mode;
            record(core, typed, ctx, *a, EventKind::Byzantine);
        }
        Action::Lose(id) => {
            if let Some((f, _)) = typed.land(*id) {
                resolve(
                    core,
                    typed,
                    ctx,
                    *id,
                    f.to,
                    Fate::Dropped(DropReason::Adversary),
                );
            }
        }
    }
}

pub(super) fn crash(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, a: NodeId) {
    let node = typed.meta_mut(a);
    if node.status == Status::Crashed {
        return;
    }
    node.status = Status::Crashed;
    node.timers.clear();
    node.backlog.clear();
    typed.on_crash(a);
    core.stats.crashes += 1;
    record(core, typed, ctx, a, EventKind::Crash);
}

pub(super) fn recover(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, a: NodeId) {
    if typed.meta(a).status != Status::Crashed {
        return;
    }
    typed.meta_mut(a).status = Status::Up;
    record(core, typed, ctx, a, EventKind::Recover);
    run_handler(core, typed, ctx, a, Call::Recover);
}

pub(super) fn handle(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, what: Pending) {
    match what {
        Pending::Start(a) => {
            record(core, typed, ctx, a, EventKind::Start);
            run_handler(core, typed, ctx, a, Call::Start);
        }
        Pending::Deliver(id) => deliver(core, typed, ctx, id),
        Pending::Timer { node, key, gen } => {
            let ns = typed.meta_mut(node);
            let live = ns.timers.iter().any(|(k, g)| *k == key && *g == gen);
            if !live || ns.status == Status::Crashed {
                return;
            }
            if ns.status == Status::Paused {
                ns.backlog.push(Pending::Timer { node, key, gen });
                return;
            }
            ns.timers.retain(|(k, _)| *k != key);
            tick(ns, node);
            core.stats.timers += 1;
            record(core, typed, ctx, node, EventKind::Timer { key });
            run_handler(core, typed, ctx, node, Call::Timer(key));
        }
        Pending::FaultCrash { node, gen } => {
            if gen != core.fault_gen {
                return;
            }
            if typed.meta(node).status != Status::Crashed {
                crash(core, typed, ctx, node);
            }
            let d = Dist::Exp(1.0 / core.mttr.as_ms_f64().max(0.001));
            let at = core.now + d.sample(&mut core.fault_rng);
            core.queue.push(at, Pending::FaultRecover { node, gen });
        }
        Pending::FaultRecover { node, gen } => {
            if gen != core.fault_gen {
                return;
            }
            recover(core, typed, ctx, node);
            if let Some(mtbf) = core.mtbf {
                let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
                let at = core.now + d.sample(&mut core.fault_rng);
                core.queue.push(at, Pending::FaultCrash { node, gen });
            }
        }
    }
}

pub(super) fn resolve(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    id: MsgId,
    at_node: NodeId,
    fate: Fate,
) {
    match fate {
        Fate::Delivered => core.stats.delivered += 1,
        Fate::Dropped(reason) => {
            core.stats.dropped += 1;
            record(
                core,
                typed,
                ctx,
                at_node,
                EventKind::Drop { msg: id, reason },
            );
        }
        Fate::InFlight => {}
    }
    if ctx.live() {
        let now = core.now;
        if let Some(m) = ctx.trace.msg_mut(id) {
            m.fate = fate;
            m.resolved_at = now;
            let span = now - m.sent;
            if span > ctx.trace.max_latency {
                ctx.trace.max_latency = span;
            }
        }
    }
}

pub(super) fn deliver(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, id: MsgId) {
    let Some(flight) = typed.flight(id) else {
        return;
    };
    let (to, lost) = (flight.to, flight.lost);
    let status = typed.meta(to).status;
    if status == Status::Paused && !lost {
        typed.meta_mut(to).backlog.push(Pending::Deliver(id));
        return;
    }
    let Some((flight, slot)) = typed.land(id) else {
        return;
    };
    let from = flight.from;
    let reason = if flight.lost {
        Some(DropReason::Loss)
    } else if !core.net.connected(from, to) {
        Some(DropReason::Partition)
    } else if status == Status::Crashed {
        Some(DropReason::Crashed)
    } else {
        let p = typed.meta(to).recv_omission;
        (p > 0.0 && core.net_rng.chance(p)).then_some(DropReason::Omission)
    };
    if let Some(reason) = reason {
        resolve(core, typed, ctx, id, to, Fate::Dropped(reason));
        return;
    }
    let node = typed.meta_mut(to);
    node.lamport.merge(Lamport(flight.lamport));
    if let (Some(v), Some(m)) = (node.vclock.as_mut(), flight.vclock.as_ref()) {
        v.merge(m);
        v.tick(to.index());
    }
    resolve(core, typed, ctx, id, to, Fate::Delivered);
    record(core, typed, ctx, to, EventKind::Deliver { msg: id });
    run_handler(core, typed, ctx, to, Call::Message { from, slot });
}

/// Runs a handler for node `me` and carries out its effects.
pub(super) fn run_handler(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    call: Call<'_>,
) {
    let mut effects = std::mem::take(ctx.effects);
    effects.clear();
    typed.run(me, call, core.now, &mut effects);
    for e in effects.drain(..) {
        apply_effect(core, typed, ctx, me, e);
    }
    *ctx.effects = effects;
}

pub(super) fn apply_effect(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    effect: DynEffect,
) {
    match effect {
        Effect::Send { to, msg } => send(core, typed, ctx, me, to, msg, None, None),
        Effect::SendAfter { to, msg, delay } => {
            send(core, typed, ctx, me, to, msg, None, Some(delay))
        }
        Effect::SetTimer { key, after } => {
            let now = core.now;
            let node = typed.meta_mut(me);
            node.timer_gen += 1;
            let gen = node.timer_gen;
            node.timers.retain(|(k, _)| *k != key);
            node.timers.push((key, gen));
            let at = now + node.clock.true_duration(after);
            core.queue.push(at, Pending::Timer { node: me, key, gen });
        }
        Effect::CancelTimer { key } => {
            typed.meta_mut(me).timers.retain(|(k, _)| *k != key);
        }
        Effect::Note(text) => record(core, typed, ctx, me, EventKind::Note(text)),
        Effect::Invoke { req, f, key, input } => {
            let op = core.history_len;
            core.history_len += 1;
            core.open_ops.insert((me.0, req), op);
            tick(typed.meta_mut(me), me);
            if ctx.live() {
                ctx.history.invoke(me.0 as u64, f, key, input, core.now);
            }
            record(core, typed, ctx, me, EventKind::Invoke { op });
        }
        Effect::Complete {
            req,
            outcome,
            output,
        } => {
            let Some(op) = core.open_ops.remove(&(me.0, req)) else {
                return;
            };
            tick(typed.meta_mut(me), me);
            if ctx.live() {
                ctx.history.complete(op, outcome, output, core.now);
            }
            record(core, typed, ctx, me, EventKind::Complete { op });
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn send(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    to: NodeId,
    slot: Slot,
    copy_of: Option<MsgId>,
    fixed: Option<Time>,
) {
    let byz = typed.meta(me).byzantine;
    let mut extra = Time::ZERO;
    match byz {
        Some(mode @ (ByzantineMode::Equivocate | ByzantineMode::Lie)) => {
            typed.tamper(slot, mode, me, to)
        }
        Some(ByzantineMode::Delay) => extra = ctx.config.byzantine_delay,
        _ => {}
    }
    let node = typed.meta_mut(me);
    if copy_of.is_none() {
        tick(node, me);
    }
    let lamport = node.lamport.0;
    let vclock = node.vclock.clone();
    let id = core.next_msg;
    core.next_msg += 1;
    core.stats.sent += 1;
    let link = core.net.link(me, to);
    let latency = match fixed {
        Some(d) => d,
        None => link.latency.sample(&mut core.net_rng),
    } + extra;
    let lost = link.loss > 0.0 && core.net_rng.chance(link.loss);
    let dup = copy_of.is_none() && link.duplicate > 0.0 && core.net_rng.chance(link.duplicate);
    let valid = to.index() < typed.n();
    let deliver_at = if lost {
        core.now + Time(latency.0 / 2)
    } else if valid {
        core.net.order_delivery(me, to, core.now + latency)
    } else {
        core.now
    };
    let recording = ctx.live() && ctx.config.trace.record;
    if recording {
        ctx.trace.msgs.push(MsgRecord {
            id,
            from: me,
            to,
            kind: typed.kind(slot),
            sent: core.now,
            deliver_at,
            resolved_at: Time::MAX,
            fate: Fate::InFlight,
            copy_of,
            lamport,
        });
        let span = deliver_at - core.now;
        if span > ctx.trace.max_latency {
            ctx.trace.max_latency = span;
        }
    }
    let kind = if copy_of.is_some() {
        EventKind::Duplicate { msg: id }
    } else {
        EventKind::Send { msg: id }
    };
    record(core, typed, ctx, me, kind);
    let silent = byz == Some(ByzantineMode::Silent);
    let omitted = {
        let p = typed.meta(me).send_omission;
        p > 0.0 && core.net_rng.chance(p)
    };
    let early_drop = if !valid {
        Some(DropReason::NoSuchAgent)
    } else if silent {
        Some(DropReason::Byzantine)
    } else if omitted {
        Some(DropReason::Omission)
    } else if !core.net.connected(me, to) {
        Some(DropReason::Partition)
    } else {
        None
    };
    if recording {
        typed.record(slot);
    }
    if let Some(reason) = early_drop {
        resolve(
            core,
            typed,
            ctx,
            id,
            if valid { to } else { me },
            Fate::Dropped(reason),
        );
        return;
    }
    let replay = byz == Some(ByzantineMode::Replay) && copy_of.is_none();
    let copy = (dup || replay).then(|| typed.copy(slot));
    typed.fly(
        slot,
        id,
        FlightMeta {
            from: me,
            to,
            lamport,
            vclock,
            lost,
        },
    );
    core.queue.push(deliver_at, Pending::Deliver(id));
    let Some(copy) = copy else { return };
    if dup {
        core.stats.duplicated += 1;
        core.stats.sent -= 1; // the copy is counted as duplicated, not sent
        let again = typed.copy(copy);
        send(core, typed, ctx, me, to, again, Some(id), fixed);
    }
    if replay && typed.meta_mut(me).rng.chance(0.5) {
        // Replays this message once more later, as a duplicate the receivers must tolerate.
        core.stats.duplicated += 1;
        core.stats.sent -= 1;
        send(core, typed, ctx, me, to, copy, Some(id), fixed);
    }
}
