//! The world's operations (stepping, seeking, forking, compaction), written once against
//! `dyn States` instead of once per protocol: the typed states (the head, the snapshots, the
//! view being scrubbed) sit behind a small object-safe trait, and everything that does not
//! depend on the protocol is a plain function over the recording ([`Rec`]). `World<P>`'s own
//! methods only forward here, so each protocol adds little more than its `States` impl.

use super::*;

/// The protocol-independent recording of a run.
pub(super) struct Rec {
    pub(super) trace: Trace,
    pub(super) history: History,
    pub(super) interventions: Vec<Intervention>,
    pub(super) events_since_snapshot: usize,
    pub(super) effects: Vec<DynEffect>,
    pub(super) breaches: Vec<Breach>,
}

impl Rec {
    pub(super) fn new(interventions: Vec<Intervention>) -> Rec {
        Rec {
            trace: Trace::default(),
            history: History::default(),
            interventions,
            events_since_snapshot: 0,
            effects: vec![],
            breaches: vec![],
        }
    }

    /// The interventions to replay and the loop's recording context.
    fn split<'a>(
        &'a mut self,
        config: &'a SimConfig,
        mode: Mode,
    ) -> (&'a [Intervention], LoopCtx<'a>) {
        (
            &self.interventions,
            LoopCtx {
                trace: &mut self.trace,
                history: &mut self.history,
                effects: &mut self.effects,
                breaches: &mut self.breaches,
                config,
                mode,
            },
        )
    }
}

/// Which state of a run: the head (the live end), or the view (a replayed past state, kept to
/// make forward scrubbing incremental).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Head,
    View,
}

/// What the world's operations need from the typed states of a run.
pub(super) trait States {
    /// Runs `f` on the core and the typed part of a state (the view must exist).
    fn with(&mut self, which: Which, f: &mut dyn FnMut(&mut Core, &mut dyn Typed));
    /// The core of a state (the view must exist).
    fn core(&self, which: Which) -> &Core;
    /// The view's core, if there is a view.
    fn view_core(&self) -> Option<&Core>;
    fn snapshots(&self) -> usize;
    fn snapshot_core(&self, i: usize) -> &Core;
    /// Snapshots the head.
    fn push_snapshot(&mut self);
    /// Makes the view a copy of snapshot `i`.
    fn load_view(&mut self, i: usize);
    /// Drops the first `snapshots` snapshots and `msgs` payloads, and the view.
    fn compact(&mut self, snapshots: usize, msgs: usize);
    /// Makes the view the head, keeping the first `snapshots` snapshots and `msgs` payloads.
    fn fork(&mut self, snapshots: usize, msgs: usize);
    /// Checks an action against a copy of the head.
    fn validate(&self, action: &Action) -> Result<(), SimError>;
    /// What the stage shows of a state, at `time`.
    fn frame(&self, which: Which, time: Time) -> Frame;
}

/// The typed states of a run.
pub(super) struct Store<P: Protocol> {
    pub(super) state: State<P>,
    pub(super) payloads: Vec<Msg<P>>,
    pub(super) snapshots: Vec<State<P>>,
    /// The last state replayed for viewing.
    pub(super) view: Option<State<P>>,
    pub(super) scratch: Scratch<Msg<P>>,
}

impl<P: Protocol> Store<P> {
    pub(super) fn get(&self, which: Which) -> &State<P> {
        match which {
            Which::Head => &self.state,
            Which::View => self.view.as_ref().unwrap_or(&self.state),
        }
    }
}

impl<P: Protocol> States for Store<P> {
    fn with(&mut self, which: Which, f: &mut dyn FnMut(&mut Core, &mut dyn Typed)) {
        let state = match which {
            Which::Head => &mut self.state,
            Which::View => self.view.as_mut().unwrap_or(&mut self.state),
        };
        let (core, mut typed) = split(state, &mut self.payloads, &mut self.scratch);
        f(core, &mut typed)
    }
    fn core(&self, which: Which) -> &Core {
        &self.get(which).core
    }
    fn view_core(&self) -> Option<&Core> {
        self.view.as_ref().map(|s| &s.core)
    }
    fn snapshots(&self) -> usize {
        self.snapshots.len()
    }
    fn snapshot_core(&self, i: usize) -> &Core {
        &self.snapshots[i].core
    }
    fn push_snapshot(&mut self) {
        self.snapshots.push(self.state.clone());
    }
    fn load_view(&mut self, i: usize) {
        self.view = Some(self.snapshots[i].clone());
    }
    fn compact(&mut self, snapshots: usize, msgs: usize) {
        // `split_off` rather than `drain(..)`: compaction is rare, and this is less code per
        // protocol (the old vectors go through the drop glue the world has anyway).
        self.snapshots = self
            .snapshots
            .split_off(snapshots.min(self.snapshots.len()));
        self.payloads = self.payloads.split_off(msgs.min(self.payloads.len()));
        self.view = None;
    }
    fn fork(&mut self, snapshots: usize, msgs: usize) {
        self.snapshots.truncate(snapshots);
        self.payloads.truncate(msgs);
        if let Some(v) = self.view.take() {
            self.state = v;
        }
    }
    fn validate(&self, action: &Action) -> Result<(), SimError> {
        validate_action(&mut self.state.clone(), action)
    }
    fn frame(&self, which: Which, time: Time) -> Frame {
        let s = self.get(which);
        frame(
            &s.core,
            s.nodes.iter().map(|n| &n.meta).collect(),
            s.nodes.iter().map(|n| n.agent.summary()).collect(),
            time,
        )
    }
}

/// Processes the head's next queued entry or intervention at or before `limit`. False when there
/// is none; then, if `settle`, the clock moves on to `limit`.
fn step_head(
    config: &SimConfig,
    rec: &mut Rec,
    store: &mut dyn States,
    limit: Time,
    settle: bool,
) -> bool {
    let mut stepped = false;
    store.with(Which::Head, &mut |core, typed| {
        let (ivs, mut ctx) = rec.split(config, Mode::Live);
        stepped = step_state(core, typed, ivs, &mut ctx, limit);
        if !stepped && settle && core.now < limit {
            core.now = limit;
        }
    });
    if stepped {
        after_live_event(config, rec, store);
    }
    stepped
}

pub(super) fn step(config: &SimConfig, rec: &mut Rec, store: &mut dyn States) -> bool {
    step_head(config, rec, store, Time::MAX, false)
}

pub(super) fn run_until(
    config: &SimConfig,
    rec: &mut Rec,
    store: &mut dyn States,
    t: Time,
    budget: u64,
) -> u64 {
    let mut done = 0;
    while done < budget && step_head(config, rec, store, t, true) {
        done += 1;
    }
    done
}

fn after_live_event(config: &SimConfig, rec: &mut Rec, store: &mut dyn States) {
    if !config.trace.record {
        return;
    }
    rec.events_since_snapshot += 1;
    if rec.events_since_snapshot >= config.trace.snapshot_every {
        rec.events_since_snapshot = 0;
        store.push_snapshot();
    }
    if rec.trace.events.len() > config.trace.max_events {
        compact(rec, store);
    }
}

/// Discards the oldest half of the trace (see the policy in `trace.rs`).
fn compact(rec: &mut Rec, store: &mut dyn States) {
    let drop_events = rec.trace.events.len() / 2;
    let cutoff = rec.trace.events[drop_events].time;
    // Keep the snapshot at or before the new first event so seeking still works there.
    let keep_from = (0..store.snapshots())
        .rposition(|i| store.snapshot_core(i).now <= cutoff)
        .unwrap_or(0);
    let snap_time = store.snapshot_core(keep_from).now;
    let drop_msgs = compact_trace(&mut rec.trace, snap_time);
    store.compact(keep_from, drop_msgs);
}

pub(super) fn intervene(
    config: &SimConfig,
    rec: &mut Rec,
    store: &mut dyn States,
    action: Action,
) -> Result<(), SimError> {
    store.validate(&action)?;
    let at = store.core(Which::Head).now;
    rec.interventions.push(Intervention { at, action });
    run_until(config, rec, store, at, u64::MAX);
    Ok(())
}

/// How many snapshots lie at or before `t` (they are in time order).
fn snapshots_upto(store: &dyn States, t: Time) -> usize {
    let (mut lo, mut hi) = (0, store.snapshots());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if store.snapshot_core(mid).now <= t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Replays the view up to `t`.
fn replay(config: &SimConfig, rec: &mut Rec, store: &mut dyn States, t: Time) {
    store.with(Which::View, &mut |core, typed| {
        let (ivs, mut ctx) = rec.split(config, Mode::Replay);
        while step_state(core, typed, ivs, &mut ctx, t) {}
        if core.now < t {
            core.now = t;
        }
    });
}

/// Makes the state at time `t` available: the head when `t` is at or after it, else the view
/// (replayed from the nearest snapshot, or onward from the previous view).
pub(super) fn seek(config: &SimConfig, rec: &mut Rec, store: &mut dyn States, t: Time) -> Which {
    if t >= store.core(Which::Head).now {
        return Which::Head;
    }
    let snap = snapshots_upto(store, t).checked_sub(1);
    let reuse = store
        .view_core()
        .is_some_and(|c| c.now <= t && snap.is_none_or(|i| store.snapshot_core(i).now <= c.now));
    if !reuse {
        store.load_view(snap.unwrap_or(0));
    }
    replay(config, rec, store, t);
    Which::View
}

pub(super) fn fork_at(config: &SimConfig, rec: &mut Rec, store: &mut dyn States, t: Time) {
    if t >= store.core(Which::Head).now {
        run_until(config, rec, store, t, u64::MAX);
        return;
    }
    let t = t.max(rec.trace.earliest().min(store.snapshot_core(0).now));
    let snap = snapshots_upto(store, t).saturating_sub(1);
    store.load_view(snap);
    replay(config, rec, store, t);
    let view = store.core(Which::View);
    rec.interventions.truncate(view.next_iv);
    let keep_msgs = truncate_recording(&mut rec.trace, &mut rec.history, view, t);
    let keep_snapshots = snapshots_upto(store, t);
    store.fork(keep_snapshots, keep_msgs);
    rec.events_since_snapshot = 0;
}

pub(super) fn frame_at(
    config: &SimConfig,
    rec: &mut Rec,
    store: &mut dyn States,
    t: Time,
) -> Frame {
    let head_now = store.core(Which::Head).now;
    match seek(config, rec, store, t) {
        Which::Head => store.frame(Which::Head, t.min(head_now)),
        Which::View => {
            let now = store.core(Which::View).now;
            store.frame(Which::View, t.min(head_now).max(now))
        }
    }
}
