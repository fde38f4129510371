//! The run behind a scenario page, with no Yew in it: the simulation, the cursor (the model time
//! being looked at), play state and speed, and the operations the controls need (seek, step,
//! intervene with RaftScope's fork when scrubbed back, change a parameter, reseed). The page holds
//! one `Engine` in a `use_mut_ref` and publishes a cheap [`Snap`] each animation tick.

use crate::scenario::url::Run;
use crate::scenario::ScenarioDef;
use crate::sim::decimal::ClampF as _;
use crate::sim::trace::{EventKind, Fate, MsgRecord, TraceConfig, TraceHash};
use crate::sim::{Action, Frame, InvariantStatus, Simulation, Time};
use std::rc::Rc;

/// Most entries the engine runs for one animation tick, so a big jump never freezes the page.
pub const TICK_BUDGET: u64 = 200_000;
/// Wall-clock gaps longer than this (a hidden tab, a breakpoint) are skipped, not caught up.
pub const MAX_WALL_STEP_MS: f64 = 100.0;
/// The speed slider's starting point, log10 (about 1/32 of real time).
pub const DEFAULT_SPEED_LOG: f64 = -1.5;
/// Most entries a link's time may take to reach when the page opens (then the cursor stops short).
const OPEN_BUDGET: u64 = 50 * TICK_BUDGET;
/// Events per checkpoint of the trace hash (for the hash at a scrubbed-back cursor).
const HASH_BLOCK: usize = 4096;

pub struct Engine {
    pub def: &'static ScenarioDef,
    /// Scenario, seed, parameters and page options; interventions live in the simulation.
    pub run: Run,
    pub sim: Box<dyn Simulation>,
    /// The model time on screen.
    pub t: Time,
    pub playing: bool,
    /// log10 of the speed factor (model time per wall time).
    pub speed_log: f64,
    /// Metric samples over time, for the sparklines.
    /// The metrics sampled as the run went (the sparklines). Shared with the metrics panel,
    /// which compares it by pointer: a new one only when a sample is added or the run restarts
    /// (cloned per render, and compared by value, its NaN samples made every render a change).
    pub hist: Rc<Vec<(Time, Vec<f64>)>>,
    /// The latest notable event, for the live region.
    pub narration: String,
    /// Changes since the URL was last written.
    pub url_dirty: bool,
    snap: Option<Rc<Snap>>,
    /// Whether `snap` has the metrics and invariants of its moment (see [`Engine::frame_snap`]).
    snap_full: bool,
    /// `hash_marks[k]`: the trace hash after the first `k × HASH_BLOCK` events.
    hash_marks: Vec<TraceHash>,
    /// Counts the rebuilds, resets and forks: what was drawn for an older count shows another
    /// run (or another future of it), whatever its time and window.
    pub generation: u64,
}

/// A message to draw on the stage.
#[derive(Clone, Debug, PartialEq)]
pub struct MsgDraw {
    pub rec: MsgRecord,
    /// Fraction of the path covered.
    pub f: f64,
    /// Dropped: how far the fade-out has gone (0 = just died, 1 = gone); None while alive.
    pub dying: Option<f64>,
}

/// What one frame shows.
#[derive(Clone, Debug)]
pub struct Snap {
    pub t: Time,
    pub head: Time,
    pub end: Time,
    pub frame: Frame,
    pub msgs: Vec<MsgDraw>,
    /// The trace hash of the run up to the cursor (what a link to this moment reproduces).
    pub hash: u64,
    pub metrics: Vec<(String, f64)>,
    pub invariants: Vec<InvariantStatus>,
    pub interventions: usize,
    pub events: u64,
    /// Which snapshot this is (see `PartialEq for Snap`).
    pub serial: u64,
}

/// A snapshot equals only itself (and its clones): each one made gets a serial number. Components
/// compare their props by this on every render; the derived comparison walked every message and
/// metric, and a metric that is NaN ("no detection yet") made a snapshot unequal to itself, so
/// the stage and the panels re-rendered on the renders meant to skip them (`page::Halves`).
impl PartialEq for Snap {
    fn eq(&self, o: &Snap) -> bool {
        self.serial == o.serial
    }
}

/// The serial number of the next snapshot made (see `PartialEq for Snap`).
static SNAP_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Engine {
    /// Builds the run; a run whose interventions cannot be replayed falls back to the defaults
    /// with a message.
    pub fn new(def: &'static ScenarioDef, run: Run) -> Result<(Engine, Option<String>), String> {
        Engine::with_trace(def, run, TraceConfig::default())
    }

    /// [`Engine::new`] with a given trace policy (tests use a small trace to make it drop its
    /// oldest events).
    pub fn with_trace(
        def: &'static ScenarioDef,
        run: Run,
        trace: TraceConfig,
    ) -> Result<(Engine, Option<String>), String> {
        let mut banner = None;
        let sim = match def.instantiate(&run.params, run.seed, run.interventions.clone(), trace) {
            Ok(s) => s,
            Err(e) => {
                banner = Some(format!(
                    "This run could not be rebuilt ({e}); showing the defaults instead."
                ));
                def.instantiate(&Default::default(), run.seed, vec![], trace)
                    .map_err(|e| format!("{}: {e}", def.id))?
            }
        };
        let mut run = run;
        let run_speed = run.speed;
        if banner.is_some() {
            run.params.clear();
            run.interventions.clear();
        }
        let mut e = Engine {
            def,
            run,
            sim,
            t: Time::ZERO,
            playing: false,
            speed_log: e_speed(run_speed),
            hist: Rc::default(),
            narration: String::new(),
            url_dirty: false,
            snap: None,
            snap_full: false,
            hash_marks: vec![],
            generation: 0,
        };
        if let Some(t) = e.run.time {
            // A link's time is reached in full (not one tick's budget), so it opens where it was;
            // in steps of the metrics' sampling interval, so that the sparklines (and the panel
            // when scrubbed back) have the run's history, as if it had been played.
            let step = Time((e.end().0 / 200).max(1));
            let mut spent = 0;
            while e.sim.now() < t && spent < OPEN_BUDGET {
                let ran = e.sim.run_until((e.sim.now() + step).min(t), TICK_BUDGET);
                spent += ran.max(1);
                e.t = e.sim.now();
                e.sample();
                e.mark_hashes();
            }
            e.t = Time::ZERO;
            e.seek(t);
        }
        Ok((e, banner))
    }

    /// Rebuilds from the current scenario, seed, parameters and interventions, back at zero.
    pub fn rebuild(&mut self) -> Result<(), String> {
        let ivs = self.sim.interventions().to_vec();
        let sim = self
            .def
            .instantiate(&self.run.params, self.run.seed, ivs, TraceConfig::default())
            .map_err(|e| e.to_string())?;
        self.sim = sim;
        self.t = Time::ZERO;
        self.hist = Rc::default();
        self.dirty();
        Ok(())
    }

    /// Back to the start with no interventions (reset).
    pub fn reset(&mut self) -> Result<(), String> {
        let sim = self
            .def
            .instantiate(
                &self.run.params,
                self.run.seed,
                vec![],
                TraceConfig::default(),
            )
            .map_err(|e| e.to_string())?;
        self.sim = sim;
        self.t = Time::ZERO;
        self.hist = Rc::default();
        self.narration = "Reset to the start.".into();
        self.dirty();
        Ok(())
    }

    pub fn set_seed(&mut self, seed: u64) -> Result<(), String> {
        self.run.seed = seed;
        self.reset()
    }

    pub fn head(&self) -> Time {
        self.sim.now()
    }

    /// The scrubber's end: the scenario's default length, or further if the run went on.
    pub fn end(&self) -> Time {
        self.def.default_until.max(self.sim.now())
    }

    fn dirty(&mut self) {
        self.snap = None;
        self.url_dirty = true;
        // A fork or a rebuild rewrites the trace: hash checkpoints start over.
        self.hash_marks.clear();
        self.generation += 1;
    }

    /// The trace hash of the run up to `t`: the head's hash at the head, else from the checkpoint
    /// before `t` and the kept events after it (so a link to a scrubbed-back moment, which replays
    /// only up to it, shows the same hash). Falls back to the head's hash when the events needed
    /// are gone: within the first `HASH_BLOCK` events after the trace dropped its oldest ones (the
    /// checkpoint before them is older than the oldest kept event), or after a fork once the trace
    /// has dropped events (checkpoints start over on a fork).
    pub fn hash_at(&mut self, t: Time) -> u64 {
        if t >= self.sim.now() {
            return self.sim.hash();
        }
        self.mark_hashes();
        let tr = self.sim.trace();
        let first = tr.first_event as usize;
        // Absolute event indices (counted from the run's start, dropped events included).
        let end = first + tr.events.partition_point(|e| e.time <= t);
        let block = end / HASH_BLOCK;
        let Some(mut h) = self.hash_marks.get(block).copied() else {
            return self.sim.hash();
        };
        if block * HASH_BLOCK < first {
            return self.sim.hash();
        }
        for e in &tr.events[block * HASH_BLOCK - first..end - first] {
            h.feed_event(e);
        }
        h.0
    }

    /// Extends the hash checkpoints over every complete block of events the trace holds. Called
    /// as the run advances (at most a tick's budget of events at a time), so the checkpoints cover
    /// events before the trace drops them (it drops its oldest half when full).
    fn mark_hashes(&mut self) {
        let tr = self.sim.trace();
        let first = tr.first_event as usize;
        if self.hash_marks.is_empty() {
            if first != 0 {
                return;
            }
            self.hash_marks.push(TraceHash::default());
        }
        loop {
            let k = self.hash_marks.len() - 1;
            let (from, to) = (k * HASH_BLOCK, (k + 1) * HASH_BLOCK);
            if from < first || to > first + tr.events.len() {
                return;
            }
            let mut h = self.hash_marks[k];
            for e in &tr.events[from - first..to - first] {
                h.feed_event(e);
            }
            self.hash_marks.push(h);
        }
    }

    /// Sets the speed from a factor (model time per real time), clamped to the slider's range.
    pub fn set_speed_log(&mut self, v: f64) {
        if v.is_finite() {
            self.speed_log = v.clamp_f(-3.0, 1.0);
            self.url_dirty = true;
        }
    }

    /// Moves the cursor to `t`, running the simulation forward if needed (within a budget).
    pub fn seek(&mut self, t: Time) {
        let t = t.min(Time::MAX);
        if t > self.sim.now() {
            self.sim.run_until(t, TICK_BUDGET);
            self.mark_hashes();
        }
        let before = self.t;
        self.t = t.min(self.sim.now());
        self.narrate(before, self.t);
        self.sample();
        self.snap = None;
    }

    /// Advances by a wall-clock interval at the current speed.
    pub fn advance(&mut self, wall_ms: f64) {
        let wall = wall_ms.clamp_f(0.0, MAX_WALL_STEP_MS);
        let model_us = wall * 1000.0 * crate::ui::geom::speed_factor(self.speed_log);
        let dt = Time(model_us.max(1.0) as u64);
        let mut target = self.t + dt;
        if self.run.page.get("loop").map(|v| v == "1").unwrap_or(false)
            && target > self.def.default_until
        {
            target = Time::ZERO;
        }
        self.seek(target);
    }

    /// The next event after the cursor (or one engine step at the head).
    pub fn step_forward(&mut self) {
        if self.t < self.sim.now() {
            let tr = self.sim.trace();
            let i = tr.events.partition_point(|e| e.time <= self.t);
            let next = tr.events.get(i).map(|e| e.time).unwrap_or(self.sim.now());
            self.seek(next);
        } else {
            let before = self.sim.now();
            let mut guard = 0;
            while self.sim.now() == before && guard < 10_000 && self.sim.step() {
                guard += 1;
            }
            self.seek(self.sim.now());
        }
    }

    /// The previous event before the cursor.
    pub fn step_back(&mut self) {
        let tr = self.sim.trace();
        let i = tr.events.partition_point(|e| e.time < self.t);
        let prev = if i == 0 {
            Time::ZERO
        } else {
            tr.events[i - 1].time
        };
        self.seek(prev);
    }

    /// Applies a user action at the cursor. Scrubbed back, the future is discarded first (fork).
    pub fn act(&mut self, action: Action) -> Result<(), String> {
        if self.t < self.sim.now() {
            self.sim.fork_at(self.t);
        }
        let label = describe(&action, self.sim.n());
        self.sim.intervene(action).map_err(|e| e.to_string())?;
        self.narration = label;
        self.dirty();
        Ok(())
    }

    /// A slider change: before the run starts it is a parameter; later, an intervention (and if
    /// the engine cannot change it mid-run, the run restarts with the new value).
    pub fn set_param(&mut self, key: &str, value: &str) -> Result<(), String> {
        let spec = self.def.all_params().into_iter().find(|p| p.key == key);
        let Some(spec) = spec else {
            return Err(format!("unknown parameter '{key}'"));
        };
        spec.kind.validate(value)?;
        if self.t == Time::ZERO && self.sim.interventions().is_empty() {
            self.run.params.insert(key.to_string(), value.to_string());
            return self.rebuild();
        }
        match self.act(Action::Set(key.to_string(), value.to_string())) {
            Ok(()) => Ok(()),
            Err(_) => {
                self.run.params.insert(key.to_string(), value.to_string());
                self.reset()?;
                self.narration = format!(
                    "{} cannot change mid-run; restarted with {value}.",
                    spec.label
                );
                Ok(())
            }
        }
    }

    /// The current value of a parameter: its last `set` intervention, else the run's, else the
    /// default.
    pub fn param_value(&self, key: &str) -> String {
        for iv in self.sim.interventions().iter().rev() {
            if let Action::Set(k, v) = &iv.action {
                if k == key && iv.at <= self.t {
                    return v.clone();
                }
            }
        }
        if let Some(v) = self.run.params.get(key) {
            return v.clone();
        }
        self.def
            .all_params()
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.default.to_string())
            .unwrap_or_default()
    }

    /// The run as a URL query (with the cursor's time).
    pub fn query(&self) -> String {
        let mut run = self.run.clone();
        run.interventions = self.sim.interventions().to_vec();
        run.time = if self.t > Time::ZERO {
            Some(self.t)
        } else {
            None
        };
        run.speed = speed_for_url(self.speed_log);
        run.to_query()
    }

    /// The snapshot for drawing at the cursor (cached until something changes).
    pub fn snap(&mut self) -> Rc<Snap> {
        self.snap_with(true)
    }

    /// The snapshot for a frame that only repaints the canvases: without the metrics and
    /// invariants (the panels' figures, recomputed from the whole run — the quorum's percentiles
    /// sort every latency), as no panel is drawn then; the next page render's [`Engine::snap`]
    /// computes them for its moment.
    pub fn frame_snap(&mut self) -> Rc<Snap> {
        self.snap_with(false)
    }

    fn snap_with(&mut self, full: bool) -> Rc<Snap> {
        if let Some(s) = &self.snap {
            if s.t == self.t && (self.snap_full || !full) {
                return s.clone();
            }
        }
        let (metrics, invariants) = if full {
            (self.sim.metrics(), self.sim.invariants())
        } else {
            (vec![], vec![])
        };
        let t = self.t;
        let frame = self.sim.frame_at(t);
        let msgs = messages_at(self.sim.trace(), t);
        let hash = self.hash_at(t);
        let s = Rc::new(Snap {
            t,
            head: self.sim.now(),
            end: self.end(),
            frame,
            msgs,
            hash,
            metrics,
            invariants,
            interventions: self.sim.interventions().len(),
            events: self.sim.stats().events,
            serial: SNAP_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        self.snap = Some(s.clone());
        self.snap_full = full;
        s
    }

    fn sample(&mut self) {
        let head = self.sim.now();
        if self.t < head {
            return;
        }
        let step = Time(self.end().0 / 200).max(Time(1));
        if self
            .hist
            .last()
            .map(|(t, _)| head >= *t + step)
            .unwrap_or(true)
        {
            let vals = self.sim.metrics().into_iter().map(|(_, v)| v).collect();
            let hist = Rc::make_mut(&mut self.hist);
            hist.push((head, vals));
            if hist.len() > 400 {
                let kept: Vec<_> = hist.iter().step_by(2).cloned().collect();
                *hist = kept;
            }
        }
    }

    fn narrate(&mut self, from: Time, to: Time) {
        if to <= from {
            return;
        }
        let tr = self.sim.trace();
        let from = Time(from.0 + 1);
        let mut last = None;
        for e in tr.events_between(from, to).iter().rev().take(5000) {
            let text = match &e.kind {
                EventKind::Crash => Some(format!("Agent {} crashed.", e.node.0)),
                EventKind::Recover => Some(format!("Agent {} recovered.", e.node.0)),
                EventKind::Violation { .. } => Some("An invariant was violated.".to_string()),
                EventKind::Note(s) => Some(format!("Agent {}: {s}", e.node.0)),
                _ => None,
            };
            if text.is_some() {
                last = text;
                break;
            }
        }
        if let Some(l) = last {
            self.narration = l;
        }
    }
}

/// Messages to draw at `t`: those in flight, plus recently dropped ones fading out.
pub fn messages_at(tr: &crate::sim::Trace, t: Time) -> Vec<MsgDraw> {
    let linger = Time((tr.max_latency.0 / 2).max(2_000));
    let end = tr.msgs.partition_point(|m| m.sent <= t);
    let horizon = t.saturating_sub(tr.max_latency + linger);
    let mut out = vec![];
    for m in tr.msgs[..end].iter().rev() {
        if m.sent < horizon {
            break;
        }
        let dropped = matches!(m.fate, Fate::Dropped(_));
        if m.resolved_at > t {
            let span = m.deliver_at.0.saturating_sub(m.sent.0).max(1) as f64;
            let f = ((t.0 - m.sent.0) as f64 / span).clamp_f(0.0, 1.0);
            let f = if dropped { f * 0.5 } else { f };
            out.push(MsgDraw {
                rec: m.clone(),
                f,
                dying: None,
            });
        } else if dropped && m.resolved_at + linger > t {
            let gone = (t.0 - m.resolved_at.0) as f64 / linger.0 as f64;
            out.push(MsgDraw {
                rec: m.clone(),
                f: 0.5,
                dying: Some(gone.clamp_f(0.0, 1.0)),
            });
        }
    }
    out.reverse();
    out
}

/// The speed slider's position for a link's speed factor (the default when absent).
fn e_speed(speed: Option<f64>) -> f64 {
    speed
        .filter(|f| f.is_finite() && *f > 0.0)
        .map(|f| libm::log10(f).clamp_f(-3.0, 1.0))
        .unwrap_or(DEFAULT_SPEED_LOG)
}

/// The speed a link carries: none at the default, else the factor to three significant digits
/// (`0.0316`, not `0.031622776601683794`).
pub fn speed_for_url(speed_log: f64) -> Option<f64> {
    if (speed_log - DEFAULT_SPEED_LOG).abs() < 1e-9 {
        return None;
    }
    let f = crate::ui::geom::speed_factor(speed_log);
    Some(crate::ui::geom::round_sig(f, 3))
}

/// A partition's sides in words: `{0,1} | {2,3,4}` (agents not named form the last side).
pub fn sides_text(groups: &[Vec<crate::sim::NodeId>], n: usize) -> String {
    let mut sides: Vec<Vec<u32>> = groups
        .iter()
        .map(|g| g.iter().map(|a| a.0).collect())
        .collect();
    let rest: Vec<u32> = (0..n as u32)
        .filter(|i| !groups.iter().flatten().any(|a| a.0 == *i))
        .collect();
    if !rest.is_empty() {
        sides.push(rest);
    }
    sides
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let ids: Vec<String> = s.iter().map(|i| i.to_string()).collect();
            format!("{{{}}}", ids.join(","))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Words for the live region.
pub fn describe(a: &Action, n: usize) -> String {
    match a {
        Action::Crash(n) => format!("You crashed agent {}.", n.0),
        Action::Recover(n) => format!("You recovered agent {}.", n.0),
        Action::Pause(n) => format!("You paused agent {}.", n.0),
        Action::Resume(n) => format!("You resumed agent {}.", n.0),
        Action::Partition(g) => format!("Partition: {}.", sides_text(g, n)),
        Action::Heal => "Network healed.".into(),
        Action::Cut(a, b) => format!("Link {}–{} cut.", a.0, b.0),
        Action::Mend(a, b) => format!("Link {}–{} mended.", a.0, b.0),
        Action::Set(k, v) => format!("{k} set to {v}."),
        Action::Client(n, r) => format!("Client request '{r}' sent to agent {}.", n.0),
        Action::Byzantine(n, Some(m)) => format!("Agent {} turned Byzantine ({}).", n.0, m.name()),
        Action::Byzantine(n, None) => format!("Agent {} is honest again.", n.0),
        Action::Lose(id) => format!("Message {id} lost by the adversary."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::find;
    use crate::sim::NodeId;

    fn engine() -> Engine {
        let def = find("heartbeat").expect("heartbeat");
        Engine::new(def, Run::new("heartbeat", 3))
            .expect("builds")
            .0
    }

    #[test]
    fn playing_moves_the_cursor_and_messages_fly() {
        let mut e = engine();
        e.speed_log = 0.0;
        for _ in 0..30 {
            e.advance(16.0);
        }
        assert!(e.t > Time::ZERO);
        assert!(!e.snap().msgs.is_empty() || e.sim.stats().sent > 0);
    }

    #[test]
    fn a_snapshot_equals_itself_even_with_a_nan_metric_and_no_other() {
        // Components skip a render when their snapshot prop is unchanged (page::Halves): that
        // needs a snapshot to equal itself, which a derived comparison did not do once a metric
        // was NaN (the heartbeat's detection time before any detection).
        let mut e = engine();
        e.seek(Time::ms(200));
        let a = e.snap();
        assert!(a.metrics.iter().any(|(_, v)| v.is_nan()), "{:?}", a.metrics);
        assert!(*a == *a.clone() && Rc::new((*a).clone()) == a);
        assert!(Rc::ptr_eq(&a, &e.snap()), "unchanged: the same snapshot");
        // Another moment, or the same moment made again, is another snapshot.
        e.seek(Time::ms(300));
        assert!(e.snap() != a);
    }

    #[test]
    fn the_metrics_panel_keeps_its_props_until_a_sample_is_added() {
        // The panel skips the renders of the stage's turn (page::Halves) only if its props
        // equal the last ones: the history went in as a fresh clone compared by value, and a NaN
        // sample (no detection yet) made every render a change, sparklines and all.
        use super::super::metrics::MetricsProps;
        use yew::Callback;
        let mut e = engine();
        e.playing = true;
        e.speed_log = 0.0;
        for _ in 0..40 {
            e.advance(16.0);
        }
        let props = |e: &mut Engine| MetricsProps {
            snap: e.snap(),
            hist: e.hist.clone(),
            on_seek: Callback::noop(),
        };
        let a = props(&mut e);
        assert!(
            a.hist.iter().any(|(_, v)| v.iter().any(|x| x.is_nan())),
            "a NaN sample, as before any detection"
        );
        let on_seek = a.on_seek.clone();
        let same = MetricsProps {
            snap: a.snap.clone(),
            hist: e.hist.clone(),
            on_seek,
        };
        assert!(a == same, "unchanged: equal, NaN and all");
        let n = a.hist.len();
        while e.hist.len() == n {
            e.advance(16.0);
        }
        let b = MetricsProps {
            snap: a.snap.clone(),
            hist: e.hist.clone(),
            on_seek: a.on_seek.clone(),
        };
        assert!(a != b, "a new sample is a change");
        assert_eq!(a.hist.len(), n, "the panel's copy is not changed under it");
    }

    #[test]
    fn a_crash_while_scrubbed_back_forks_and_replays_from_the_url() {
        let mut e = engine();
        e.seek(Time::ms(800));
        e.seek(Time::ms(300));
        e.act(Action::Crash(NodeId(1))).expect("crash");
        assert_eq!(e.head(), Time::ms(300));
        e.seek(Time::ms(900));
        let q = e.query();
        let h = e.sim.hash();
        let run = Run::parse(&q).expect("parses");
        let (e2, banner) = Engine::new(e.def, run).expect("rebuilds");
        assert!(banner.is_none());
        assert_eq!(e2.sim.hash(), h, "{q}");
    }

    #[test]
    fn a_link_to_a_scrubbed_back_moment_shows_the_same_hash_and_state() {
        let mut e = engine();
        e.seek(Time::ms(400));
        e.act(Action::Crash(NodeId(1))).expect("crash");
        e.seek(Time::ms(1500));
        e.seek(Time::ms(700));
        assert!(e.t < e.head());
        let (hash, frame) = (e.snap().hash, e.snap().frame.clone());
        assert_ne!(hash, e.sim.hash(), "the cursor's hash is not the head's");
        let q = e.query();
        assert!(q.contains("t=700ms"), "{q}");
        let (mut e2, banner) = Engine::new(e.def, Run::parse(&q).expect("parses")).expect("builds");
        assert!(banner.is_none());
        assert_eq!(e2.t, Time::ms(700));
        assert_eq!(e2.snap().hash, hash, "{q}");
        assert_eq!(e2.snap().frame, frame);
        // At the head the cursor's hash is the run's.
        e.seek(e.head());
        assert_eq!(e.snap().hash, e.sim.hash());
    }

    #[test]
    fn a_canvas_frame_skips_the_metrics_and_the_next_page_render_has_them() {
        // Metrics hold NaN (not yet measured): compared as printed.
        let m = |v: &Vec<(String, f64)>| format!("{v:?}");
        let mut e = engine();
        e.seek(Time::ms(400));
        let full = e.snap();
        assert_eq!(m(&full.metrics), m(&e.sim.metrics()));
        e.seek(Time::ms(500));
        // A canvas-only frame does without the panels' figures (none are drawn in it)…
        let light = e.frame_snap();
        assert_eq!(light.t, Time::ms(500));
        assert!(light.metrics.is_empty() && light.invariants.is_empty());
        assert!(
            Rc::ptr_eq(&light, &e.frame_snap()),
            "cached for the next canvas frame"
        );
        // …and a page render at the same moment computes them for that moment.
        let render = e.snap();
        assert!(!Rc::ptr_eq(&light, &render));
        assert_eq!(m(&render.metrics), m(&e.sim.metrics()));
        assert_eq!(render.invariants, e.sim.invariants());
        assert!(
            Rc::ptr_eq(&render, &e.frame_snap()),
            "a full snapshot serves canvas frames too"
        );
    }

    /// A heartbeat run busy enough to record thousands of events a second.
    fn busy_heartbeat() -> (&'static ScenarioDef, Run) {
        let def = find("heartbeat").expect("heartbeat");
        let mut run = Run::new("heartbeat", 5);
        run.params.insert("nodes".into(), "12".into());
        run.params.insert("interval".into(), "20ms".into());
        (def, run)
    }

    /// The hash of `run` opened fresh at `t` (what a link to that moment shows).
    fn fresh_hash(def: &'static ScenarioDef, run: &Run, t: Time) -> u64 {
        let mut fresh = run.clone();
        fresh.time = Some(t);
        Engine::new(def, fresh).expect("builds").0.sim.hash()
    }

    #[test]
    fn the_hash_at_a_cursor_is_the_fresh_runs_hash_there() {
        // Checkpoints every HASH_BLOCK events must give what running only to t gives.
        let (def, run) = busy_heartbeat();
        let (mut e, _) = Engine::new(def, run.clone()).expect("builds");
        e.seek(Time::secs(3));
        assert!(e.sim.trace().events.len() > 3 * HASH_BLOCK);
        for ms in [1, 250, 1234, 2999] {
            let t = Time::ms(ms);
            e.seek(t);
            assert_eq!(e.hash_at(t), fresh_hash(def, &run, t), "{ms} ms");
        }
    }

    #[test]
    fn the_hash_at_a_cursor_survives_the_trace_dropping_its_oldest_events() {
        // A trace of at most 30,000 events drops its oldest half when full; checkpoints taken as
        // the run goes cover the dropped events, so a scrubbed-back moment still has its hash.
        let (def, run) = busy_heartbeat();
        let small = TraceConfig {
            max_events: 30_000,
            ..TraceConfig::default()
        };
        let (mut e, _) = Engine::with_trace(def, run.clone(), small).expect("builds");
        for ms in (100..=6000).step_by(100) {
            e.seek(Time::ms(ms));
        }
        let first = e.sim.trace().first_event;
        assert!(
            first > 3 * HASH_BLOCK as u64,
            "the trace dropped events: first kept {first}"
        );
        // From the first checkpoint after the oldest kept event on (before it, the events from
        // the checkpoint to the oldest kept one are gone: the head's hash, documented).
        let tr = e.sim.trace();
        let skip = (HASH_BLOCK - first as usize % HASH_BLOCK) % HASH_BLOCK;
        let early = tr.events[skip + 1].time;
        assert!(early < Time::ms(4321));
        for t in [early, Time::ms(4321), Time::ms(5999)] {
            e.seek(t);
            assert_eq!(e.hash_at(t), fresh_hash(def, &run, t), "{t}");
            assert_ne!(e.hash_at(t), e.sim.hash(), "{t}: not the head's");
        }
    }

    #[test]
    fn a_link_far_into_a_busy_run_opens_at_its_time_not_one_ticks_worth() {
        let def = find("heartbeat").expect("heartbeat");
        let mut run = Run::new("heartbeat", 2);
        run.params.insert("nodes".into(), "30".into());
        run.params.insert("interval".into(), "10ms".into());
        run.time = Some(Time::secs(4));
        let (e, _) = Engine::new(def, run).expect("builds");
        assert_eq!(e.t, Time::secs(4));
    }

    #[test]
    fn speed_goes_into_the_link_and_comes_back() {
        let mut e = engine();
        assert!(!e.query().contains("speed="), "the default is not written");
        e.set_speed_log(0.0);
        let q = e.query();
        assert!(q.contains("speed=1"), "{q}");
        let (e2, _) = Engine::new(e.def, Run::parse(&q).expect("parses")).expect("builds");
        assert!((e2.speed_log - 0.0).abs() < 1e-9);
        e.set_speed_log(-2.3);
        let q = e.query();
        assert!(q.contains("speed=0.00501"), "{q}");
        let (e3, _) = Engine::new(e.def, Run::parse(&q).expect("parses")).expect("builds");
        assert_eq!(e3.query(), q, "stable once rounded");
    }

    #[test]
    fn a_partition_is_narrated_side_by_side() {
        let a = Action::Partition(vec![vec![NodeId(0), NodeId(1)]]);
        assert_eq!(describe(&a, 5), "Partition: {0,1} | {2,3,4}.");
        let a = Action::Partition(vec![vec![NodeId(3)], vec![NodeId(0), NodeId(4)]]);
        assert_eq!(describe(&a, 5), "Partition: {3} | {0,4} | {1,2}.");
        assert_eq!(
            describe(&Action::Cut(NodeId(1), NodeId(3)), 5),
            "Link 1–3 cut."
        );
    }

    #[test]
    fn messages_across_a_cut_link_are_dropped_and_others_flow() {
        let mut e = engine();
        e.seek(Time::ms(200));
        e.act(Action::Cut(NodeId(1), NodeId(3))).expect("cut");
        e.seek(Time::ms(900));
        fn after(e: &Engine, from: u32, to: u32) -> Vec<Fate> {
            e.sim
                .trace()
                .msgs
                .iter()
                .filter(|m| m.sent > Time::ms(200) && m.from.0 == from && m.to.0 == to)
                .map(|m| m.fate)
                .collect::<Vec<_>>()
        }
        let across = after(&e, 1, 3);
        assert!(!across.is_empty());
        assert!(across
            .iter()
            .all(|f| *f == Fate::Dropped(crate::sim::DropReason::Partition)));
        assert!(after(&e, 1, 2).contains(&Fate::Delivered));
        e.act(Action::Mend(NodeId(1), NodeId(3))).expect("mend");
        e.seek(Time::ms(1300));
        assert!(after(&e, 3, 1).contains(&Fate::Delivered));
    }

    #[test]
    fn step_back_and_forward_move_between_events() {
        let mut e = engine();
        e.seek(Time::ms(500));
        let t = e.t;
        e.step_back();
        assert!(e.t < t);
        let back = e.t;
        e.step_forward();
        assert!(e.t > back);
    }

    #[test]
    fn a_slider_before_start_rebuilds_and_later_is_an_intervention() {
        let mut e = engine();
        e.set_param("loss", "10%").expect("ok");
        assert_eq!(e.run.params.get("loss").map(String::as_str), Some("10%"));
        e.seek(Time::ms(200));
        e.set_param("loss", "20%").expect("ok");
        assert_eq!(e.sim.interventions().len(), 1);
        assert_eq!(e.param_value("loss"), "20%");
    }
}
