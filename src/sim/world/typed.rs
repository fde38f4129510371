//! The seam between the event loop and the protocol: the object-safe `Typed` trait the loop
//! calls, its implementation over a state's typed part (agents, protocol, payloads), and the
//! slots messages cross by. The loop is thus compiled once, not once per protocol.

use super::*;

// ---------------------------------------------------------------------------------------------
// The event loop. It is written once, against `dyn Typed`, instead of once per protocol: the
// typed part (agents, protocol, payloads) sits behind a small object-safe trait, and messages
// cross between the two as slots. This keeps the wasm small (one loop, not one per scenario).

/// A message parked between an agent's handler and the network, by index into the slot buffer.
pub(super) type Slot = usize;

/// Which handler to run.
#[derive(Clone, Copy)]
pub(super) enum Call<'a> {
    Start,
    Message { from: NodeId, slot: Slot },
    Timer(TimerKey),
    Client(&'a str),
    Recover,
}

/// An agent's effect with its message (if any) parked in a slot.
pub(super) type DynEffect = Effect<Slot>;

/// What the loop needs from the typed part of a run.
pub(super) trait Typed {
    fn n(&self) -> usize;
    fn meta(&self, i: NodeId) -> &NodeMeta;
    fn meta_mut(&mut self, i: NodeId) -> &mut NodeMeta;
    fn invariant(&self, i: usize) -> &'static str;
    fn observe(&mut self, e: &Event);
    fn check(&mut self, now: Time, out: &mut Vec<Breach>);
    fn set_param(&mut self, key: &str, value: &str) -> Result<bool, String>;
    fn on_crash(&mut self, me: NodeId);
    /// Runs a handler of agent `me`; its effects are appended to `out`.
    fn run(&mut self, me: NodeId, call: Call<'_>, now: Time, out: &mut Vec<DynEffect>);
    fn flight(&self, id: MsgId) -> Option<&FlightMeta>;
    /// Takes a message out of flight; its payload goes to a slot.
    fn land(&mut self, id: MsgId) -> Option<(FlightMeta, Slot)>;
    /// Puts the message in `slot` in flight as `id`.
    fn fly(&mut self, slot: Slot, id: MsgId, meta: FlightMeta);
    /// A Byzantine sender `me` rewrites the message in `slot` for `to`.
    fn tamper(&mut self, slot: Slot, mode: ByzantineMode, me: NodeId, to: NodeId);
    fn kind(&self, slot: Slot) -> &'static str;
    /// Keeps a copy of the payload for the trace.
    fn record(&mut self, slot: Slot);
    /// A copy of the message in `slot`, in a new slot.
    fn copy(&mut self, slot: Slot) -> Slot;
}

/// The typed part of a state, borrowed.
pub(super) struct TypedParts<'a, P: Protocol> {
    pub(super) nodes: &'a mut Vec<NodeState<P::Agent>>,
    pub(super) protocol: &'a mut P,
    pub(super) inflight: &'a mut InFlight<Msg<P>>,
    pub(super) payloads: &'a mut Vec<Msg<P>>,
    pub(super) scratch: &'a mut Scratch<Msg<P>>,
}

pub(super) fn split<'a, P: Protocol>(
    state: &'a mut State<P>,
    payloads: &'a mut Vec<Msg<P>>,
    scratch: &'a mut Scratch<Msg<P>>,
) -> (&'a mut Core, TypedParts<'a, P>) {
    let State {
        core,
        nodes,
        protocol,
        inflight,
    } = state;
    (
        core,
        TypedParts {
            nodes,
            protocol,
            inflight,
            payloads,
            scratch,
        },
    )
}

impl<P: Protocol> TypedParts<'_, P> {
    fn slot(&self, slot: Slot) -> Option<&Msg<P>> {
        self.scratch.slots.get(slot)?.as_ref()
    }
    fn park(&mut self, msg: Msg<P>) -> Slot {
        self.scratch.slots.push(Some(msg));
        self.scratch.slots.len() - 1
    }
}

impl<P: Protocol> Typed for TypedParts<'_, P> {
    fn n(&self) -> usize {
        self.nodes.len()
    }
    fn meta(&self, i: NodeId) -> &NodeMeta {
        &self.nodes[i.index()].meta
    }
    fn meta_mut(&mut self, i: NodeId) -> &mut NodeMeta {
        &mut self.nodes[i.index()].meta
    }
    fn invariant(&self, i: usize) -> &'static str {
        self.protocol.invariants()[i]
    }
    fn observe(&mut self, e: &Event) {
        self.protocol.observe(e, self.nodes);
    }
    fn check(&mut self, now: Time, out: &mut Vec<Breach>) {
        self.protocol.check(now, self.nodes, out);
    }
    fn set_param(&mut self, key: &str, value: &str) -> Result<bool, String> {
        self.protocol.set_param(key, value, self.nodes)
    }
    fn on_crash(&mut self, me: NodeId) {
        self.nodes[me.index()].agent.on_crash();
    }
    fn run(&mut self, me: NodeId, call: Call<'_>, now: Time, out: &mut Vec<DynEffect>) {
        let msg = match call {
            Call::Message { slot, .. } => self.scratch.slots.get_mut(slot).and_then(Option::take),
            _ => None,
        };
        // Slots live from one handler to the next: what a handler sends is parked here until
        // the loop has put it in flight, and the loop finishes that before the next handler.
        self.scratch.slots.clear();
        let n = self.nodes.len();
        let Scratch { slots, effects } = &mut *self.scratch;
        effects.clear();
        {
            let node = &mut self.nodes[me.index()];
            let local_now = node.meta.clock.read(now);
            let mut c = Ctx {
                me,
                now,
                local_now,
                n,
                rng: &mut node.meta.rng,
                out: effects,
            };
            let agent = &mut node.agent;
            match call {
                Call::Start => agent.on_start(&mut c),
                Call::Message { from, .. } => {
                    if let Some(m) = &msg {
                        agent.on_message(&mut c, from, m);
                    }
                }
                Call::Timer(key) => agent.on_timer(&mut c, key),
                Call::Client(req) => agent.on_client(&mut c, req),
                Call::Recover => agent.on_recover(&mut c),
            }
        }
        out.extend(effects.drain(..).map(|e| {
            e.map_msg(|msg| {
                slots.push(Some(msg));
                slots.len() - 1
            })
        }));
    }
    fn flight(&self, id: MsgId) -> Option<&FlightMeta> {
        self.inflight.get(id).map(|f| &f.meta)
    }
    fn land(&mut self, id: MsgId) -> Option<(FlightMeta, Slot)> {
        let f = self.inflight.remove(id)?;
        Some((f.meta, self.park(f.msg)))
    }
    fn fly(&mut self, slot: Slot, id: MsgId, meta: FlightMeta) {
        if let Some(msg) = self.scratch.slots.get_mut(slot).and_then(Option::take) {
            self.inflight.insert(id, Flight { msg, meta });
        }
    }
    fn tamper(&mut self, slot: Slot, mode: ByzantineMode, me: NodeId, to: NodeId) {
        let rng = &mut self.nodes[me.index()].meta.rng;
        if let Some(Some(msg)) = self.scratch.slots.get_mut(slot) {
            if let Some(t) = msg.tamper(mode, to, rng) {
                *msg = t;
            }
        }
    }
    fn kind(&self, slot: Slot) -> &'static str {
        self.slot(slot).map(|m| m.kind()).unwrap_or("?")
    }
    fn record(&mut self, slot: Slot) {
        if let Some(m) = self.slot(slot).cloned() {
            self.payloads.push(m);
        }
    }
    fn copy(&mut self, slot: Slot) -> Slot {
        match self.slot(slot).cloned() {
            Some(m) => self.park(m),
            None => slot,
        }
    }
}

pub(super) struct LoopCtx<'a> {
    pub(super) trace: &'a mut Trace,
    pub(super) history: &'a mut History,
    pub(super) effects: &'a mut Vec<DynEffect>,
    pub(super) breaches: &'a mut Vec<Breach>,
    pub(super) config: &'a SimConfig,
    pub(super) mode: Mode,
}

impl LoopCtx<'_> {
    pub(super) fn live(&self) -> bool {
        self.mode == Mode::Live
    }
}
