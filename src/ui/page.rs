//! The scenario page: one layout for every scenario. It owns the run (an [`Engine`] in a
//! `use_mut_ref`; Yew would clone a reducer's state on every dispatch), drives it from an
//! animation loop, writes the run into the URL, and wires the stage, the space-time diagram, the
//! controls, the sliders and the panels. Embed mode (`embed=1`) drops the chrome and listens to
//! `postMessage` from the host page.

use super::canvas::Painter;
use super::controls::Controls;
use super::dom::{self, Esc};
use super::engine::{Engine, Snap};
use super::explain::Explain;
use super::guarantees::{Guarantees, Live};
use super::help::Help;
use super::hooks::use_animation_frame;
use super::inspector::{AgentMenu, Inspector, PeerLink};
use super::metrics::Metrics;
use super::sliders::Sliders;
use super::spacetime::{self, SpaceTime};
use super::stage::{ClockMode, Sel, Stage};
use crate::scenario::{find, url::Run};
use crate::sim::decimal::ClampF as _;
use crate::sim::{Action, NodeId, Status, Time};
use crate::ui::geom::shortest;
use gloo::events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub run: Run,
    #[prop_or_default]
    pub banner: Option<String>,
    pub on_home: Callback<()>,
}

/// What a cached diagram was drawn for.
#[derive(Clone, Copy, PartialEq)]
pub struct DiagKey {
    /// The cursor, quantised to a 300th of the window.
    cursor: u64,
    /// The window's width, model µs.
    win: u64,
    /// Messages recorded.
    msgs: usize,
    interventions: usize,
    /// The engine's generation: a reset or a new seed at the same moment is another run.
    generation: u64,
}

impl DiagKey {
    /// Whether a diagram drawn for `self` may stand for one at `now`, as `reuse` allows (the
    /// window, the interventions and the run must always match).
    fn serves(&self, now: &DiagKey, reuse: Reuse) -> bool {
        let run = (self.win, self.interventions, self.generation)
            == (now.win, now.interventions, now.generation);
        match reuse {
            Reuse::Exact => self == now,
            Reuse::NewMessages => run && self.cursor == now.cursor,
            Reuse::Cursor => run,
        }
    }
}

/// Everything the page keeps between frames.
pub struct PageState {
    pub eng: Result<Engine, String>,
    pub sel: Option<Sel>,
    pub clock: ClockMode,
    pub help: bool,
    pub toast: Option<String>,
    pub banner: Option<String>,
    /// Width of the space-time window, model µs.
    pub win: u64,
    pub visible: bool,
    pub embed: bool,
    pub theme: String,
    /// The last space-time diagram and what it was drawn for (a frame that moves the cursor less
    /// than a pixel reuses it, so the diagram does not re-render every tick).
    pub diag: Option<(DiagKey, Rc<spacetime::Diagram>)>,
    /// The last link Share or Embed copied, shown in the toast (to copy by hand if the
    /// clipboard is refused).
    pub shared: Option<String>,
    /// Wall-clock ms when the URL was last written while playing.
    pub url_written_ms: f64,
    /// Repaint the stage's messages and the diagram's arrows between page renders.
    pub stage_painter: Painter<Rc<Snap>>,
    pub diag_painter: Painter<Rc<spacetime::Diagram>>,
    /// When the page was last rendered (wall ms), for [`PANEL_MS`].
    pub rendered_at: f64,
    /// A render owed after light updates (see [`light_update`]).
    pub owed: Trailing,
    /// Which half of the page the next tick render refreshes (see [`Halves`]).
    pub halves: Halves,
    /// A URL write owed once the cursor stops moving (see [`defer_url`]).
    pub url_owed: Trailing,
    /// The query last written to the address bar.
    pub url_written: String,
    /// While playing: a frame painted the diagram's arrows for the stage's next turn (see
    /// `on_frame`), which then shows that diagram; else that render makes a new one.
    pub arrows_ahead: bool,
}

/// While playing, the whole page (agents' labels, panels, controls) re-renders at most this often
/// (wall ms); the frames between only repaint the canvas layers (messages, diagram arrows).
pub const PANEL_MS: f64 = 100.0;

/// While time only moves on (playing, wheel scrolling), the page renders every `PANEL_MS / 2`
/// and each of these renders refreshes one half of it, in turn: the stage with the diagram, or
/// the panels (controls, inspector, metrics). Each half still follows every [`PANEL_MS`], and a
/// frame pays for the restyle, layout and paint of half the page's changing text, not all of it
/// (those were most of the heaviest frames: ~5 of 9.5 ms while scrolling, measured).
#[derive(Default)]
pub struct Halves {
    /// The next render is a tick.
    tick: bool,
    /// The panels' turn (else the stage's).
    panels_turn: bool,
    stage: Option<Rc<Snap>>,
    panels: Option<Rc<Snap>>,
    /// The diagram the last stage half was rendered with: the panels' turn gives the diagram
    /// this one again. (`PageState::diag` is no use for that: the canvases' paint before a
    /// panels' turn replaces it with the newer one they paint, so the diagram re-rendered on
    /// every panels' turn and, not ticked, repainted its canvas at once.)
    diagram: Option<Rc<spacetime::Diagram>>,
}

impl Halves {
    /// The next tick render is the panels' turn: the stage and the diagram keep their props,
    /// so their canvases are painted in that frame before it (else the dots would skip a frame
    /// every third one).
    fn panels_next(&self) -> bool {
        self.stage.is_some() && self.panels.is_some() && !self.panels_turn
    }

    /// The snapshots the stage and the panels show in this render of `snap`, whether the
    /// diagram keeps the one it has (the panels' turn), and whether this is a tick render.
    fn split(&mut self, snap: &Rc<Snap>) -> (Rc<Snap>, Rc<Snap>, bool, bool) {
        let tick = std::mem::take(&mut self.tick);
        match (tick, self.stage.clone(), self.panels.clone()) {
            (true, Some(stage), Some(panels)) => {
                self.panels_turn = !self.panels_turn;
                if self.panels_turn {
                    self.panels = Some(snap.clone());
                    (stage, snap.clone(), true, true)
                } else {
                    self.stage = Some(snap.clone());
                    (snap.clone(), panels, false, true)
                }
            }
            _ => {
                self.stage = Some(snap.clone());
                self.panels = Some(snap.clone());
                (snap.clone(), snap.clone(), false, false)
            }
        }
    }
}

pub type Shared = Rc<RefCell<PageState>>;

fn init(props: &PageProps) -> PageState {
    let embed = props
        .run
        .page
        .get("embed")
        .map(|v| v == "1")
        .unwrap_or(false);
    let mut banner = props.banner.clone();
    let eng = match find(&props.run.scenario) {
        Some(def) => Engine::new(def, props.run.clone()).map(|(mut e, b)| {
            if b.is_some() {
                banner = b;
            }
            let auto = props.run.page.get("autoplay").map(|v| v == "1");
            e.playing = match auto {
                Some(a) => a,
                None => !embed && props.run.time.is_none() && !dom::reduced_motion(),
            };
            e
        }),
        None => Err(format!("unknown scenario '{}'", props.run.scenario)),
    };
    let win = eng
        .as_ref()
        .map(|e| (e.def.default_until.0 / 20).max(1_000))
        .unwrap_or(1_000_000);
    let theme = props.run.page.get("theme").cloned().unwrap_or_default();
    dom::set_theme(&theme);
    PageState {
        eng,
        sel: None,
        clock: ClockMode::Lamport,
        help: false,
        toast: None,
        banner,
        win,
        visible: true,
        embed,
        theme,
        diag: None,
        shared: None,
        url_written_ms: 0.0,
        stage_painter: Painter::default(),
        diag_painter: Painter::default(),
        rendered_at: f64::NEG_INFINITY,
        owed: Trailing::default(),
        url_owed: Trailing::default(),
        url_written: String::new(),
        halves: Halves::default(),
        arrows_ahead: false,
    }
}

/// After a change that only moves the cursor (wheel scrolling the diagram): repaints the canvas
/// layers at once, and renders (half of) the page at most every `PANEL_MS / 2` (see [`Halves`]);
/// when the scrolling stops, a last render of all of it follows [`PANEL_MS`] after the last move
/// (a trailing render, reset by every move, so continuous scrolling renders only from here).
fn light_update(
    st: &Shared,
    mut s: std::cell::RefMut<'_, PageState>,
    force: &UseForceUpdateHandle,
) {
    defer_url(st, &mut s);
    // The trailing render, put off by every move; also after a move that renders, since that
    // render refreshed only half the page.
    let force2 = force.clone();
    trail(
        st,
        &mut s,
        |s| &mut s.owed,
        PANEL_MS as u32,
        move || force2.force_update(),
    );
    if dom::now_ms() - s.rendered_at < PANEL_MS / 2.0 && paint_canvases(&mut s, true) {
        return;
    }
    if s.halves.panels_next() {
        paint_canvases(&mut s, true);
    }
    s.halves.tick = true;
    drop(s);
    force.force_update();
}

/// While the cursor keeps moving (wheel scrolling, dragging the scrubber), the address bar gets
/// the time only once it has rested [`URL_QUIET_MS`]: `history.replaceState` costs Chromium
/// several ms a call (7.5 % of the main thread while scrolling, measured), and it throttles pages
/// that call it hundreds of times. Discrete actions still write at once ([`sync_url`]).
fn defer_url(st: &Shared, s: &mut PageState) {
    let st2 = st.clone();
    trail(
        st,
        s,
        |s| &mut s.url_owed,
        URL_QUIET_MS,
        move || {
            if let Ok(mut s) = st2.try_borrow_mut() {
                sync_url(&mut s);
            }
        },
    );
}

/// A trailing timer: its action runs once the events that put it off (wheel ticks, scrubber
/// moves) have stopped for its delay. Putting it off moves a deadline; the browser's timer is
/// made once and, when it fires early, set again for the rest. (Replacing the timer on every
/// wheel tick — a new JavaScript closure, a `setTimeout` and a `clearTimeout` each, twice —
/// was ~0.4–0.6 ms of a heavy scroll frame, measured.)
#[derive(Default)]
pub struct Trailing {
    due: f64,
    timer: Option<gloo::timers::callback::Timeout>,
    run: Option<Rc<dyn Fn()>>,
}

impl Trailing {
    /// Drops the pending action (its timer fires and does nothing).
    fn cancel(&mut self) {
        self.run = None;
    }
}

/// Puts the trailing timer `which` of the page off until `ms` from now, to run `run` then.
fn trail(
    st: &Shared,
    s: &mut PageState,
    which: fn(&mut PageState) -> &mut Trailing,
    ms: u32,
    run: impl Fn() + 'static,
) {
    let t = which(s);
    t.due = dom::now_ms() + f64::from(ms);
    t.run = Some(Rc::new(run));
    if t.timer.is_none() {
        t.timer = Some(trail_timer(st, which, ms));
    }
}

fn trail_timer(
    st: &Shared,
    which: fn(&mut PageState) -> &mut Trailing,
    ms: u32,
) -> gloo::timers::callback::Timeout {
    let st = st.clone();
    gloo::timers::callback::Timeout::new(ms, move || {
        let run = {
            let Ok(mut s) = st.try_borrow_mut() else {
                return;
            };
            let t = which(&mut s);
            let wait = t.due - dom::now_ms();
            if wait >= 1.0 {
                // Put off since it was set: wait for the rest.
                t.timer = Some(trail_timer(&st, which, wait.ceil() as u32));
                return;
            }
            t.timer = None;
            t.run.take()
        };
        if let Some(run) = run {
            run();
        }
    })
}

/// See [`defer_url`].
pub const URL_QUIET_MS: u32 = 250;

/// How much of a cached space-time diagram may differ from the one at the cursor.
#[derive(Clone, Copy, PartialEq)]
enum Reuse {
    /// Only while the cursor moves less than a pixel and nothing new was recorded.
    Exact,
    /// New messages alone do not redraw it (frames between page renders while playing).
    NewMessages,
    /// Nor does the cursor: the stage's turn while playing takes the diagram a frame painted
    /// just ahead of it (see `on_frame`, `PageState::arrows_ahead`), so that its frame does not
    /// also compute and record the diagram's arrows; the panels' turn keeps the diagram.
    Cursor,
}

/// The space-time diagram at the cursor, or a cached one as `reuse` allows (the window and the
/// interventions must always match).
fn diagram_now(s: &mut PageState, snap: &Snap, reuse: Reuse) -> Option<Rc<spacetime::Diagram>> {
    let win = s.win;
    let e = s.eng.as_ref().ok()?;
    let key = DiagKey {
        cursor: snap.t.0 / (win / 300).max(1),
        win,
        msgs: e.sim.trace().msgs.len(),
        interventions: snap.interventions,
        generation: e.generation,
    };
    if let Some((k, d)) = &s.diag {
        if k.serves(&key, reuse) {
            return Some(d.clone());
        }
    }
    let d = Rc::new(spacetime::diagram(
        e.sim.trace(),
        snap.t,
        win,
        snap.frame.nodes.len(),
        e.end(),
    ));
    s.diag = Some((key, d.clone()));
    Some(d)
}

/// Between page renders: repaints only the canvas layers with the current frame (the diagram's
/// only when `diagram`). False when there is nothing to paint with (the page must render).
fn paint_canvases(s: &mut PageState, diagram: bool) -> bool {
    let Ok(e) = &mut s.eng else { return false };
    let snap = e.frame_snap();
    if !s.stage_painter.paint(&snap) {
        return false;
    }
    if !s.embed && diagram {
        if let Some(d) = diagram_now(s, &snap, Reuse::NewMessages) {
            return s.diag_painter.paint(&d);
        }
    }
    true
}

/// Writes the run into the URL when it changed.
pub fn sync_url(st: &mut PageState) {
    if let Ok(e) = &mut st.eng {
        if e.url_dirty || !e.playing {
            let q = e.query();
            // Unchanged: no write (each costs the browser a few ms).
            if q != st.url_written {
                dom::set_query(&q, false);
                st.url_written = q;
            }
            e.url_dirty = false;
        }
    }
    st.url_owed.cancel();
}

/// A callback that runs `f` on the page state, then syncs the URL and redraws.
pub fn cmd<T: 'static>(
    st: &Shared,
    force: &UseForceUpdateHandle,
    f: impl Fn(&mut PageState, T) + 'static,
) -> Callback<T> {
    let st = st.clone();
    let force = force.clone();
    Callback::from(move |v: T| {
        {
            let mut s = st.borrow_mut();
            // The copied link belongs to the toast of the Share that made it.
            s.shared = None;
            f(&mut s, v);
            sync_url(&mut s);
        }
        force.force_update();
    })
}

/// Runs a user action on the engine; errors become a toast.
pub fn act(s: &mut PageState, a: Action) {
    let r = match &mut s.eng {
        Ok(e) => e.act(a),
        Err(_) => Ok(()),
    };
    s.toast = r.err();
}

/// Moves agent `id` to the other side of the partition (or splits it off).
pub fn move_side(s: &mut PageState, id: u32) {
    let Ok(e) = &mut s.eng else { return };
    let snap = e.snap();
    let groups = &snap.frame.groups;
    let n = snap.frame.nodes.len();
    let mut ids: Vec<u32> = groups.clone();
    crate::sim::sort::sort(&mut ids);
    ids.dedup();
    let a = if ids.len() <= 1 {
        Action::Partition(vec![vec![NodeId(id)]])
    } else {
        let mine = groups.get(id as usize).copied().unwrap_or(0);
        let pos = ids.iter().position(|g| *g == mine).unwrap_or(0);
        let target = ids[(pos + 1) % ids.len()];
        let mut out: Vec<Vec<NodeId>> = ids
            .iter()
            .map(|g| {
                (0..n as u32)
                    .filter(|i| {
                        if *i == id {
                            *g == target
                        } else {
                            groups.get(*i as usize) == Some(g)
                        }
                    })
                    .map(NodeId)
                    .collect()
            })
            .filter(|v: &Vec<NodeId>| !v.is_empty())
            .collect();
        if out.len() <= 1 {
            Action::Heal
        } else {
            out.pop();
            Action::Partition(out)
        }
    };
    act(s, a);
}

/// Splits the agents into two halves of the ring.
pub fn split(s: &mut PageState) {
    let n = match &s.eng {
        Ok(e) => e.sim.n() as u32,
        Err(_) => return,
    };
    if n < 2 {
        return;
    }
    act(s, Action::Partition(vec![(0..n / 2).map(NodeId).collect()]));
}

fn toggle_crash(s: &mut PageState, id: u32) {
    let Ok(e) = &mut s.eng else { return };
    let snap = e.snap();
    let Some(nv) = snap.frame.nodes.get(id as usize) else {
        return;
    };
    let a = if nv.status == Status::Crashed {
        Action::Recover(NodeId(id))
    } else {
        Action::Crash(NodeId(id))
    };
    act(s, a);
}

fn set_playing(s: &mut PageState, p: bool) {
    if let Ok(e) = &mut s.eng {
        if p && e.t >= e.end() && e.sim.done() {
            e.seek(Time::ZERO);
        }
        e.playing = p;
        e.url_dirty = true;
    }
}

fn seek(s: &mut PageState, t: Time) {
    if let Ok(e) = &mut s.eng {
        e.seek(t);
        e.url_dirty = true;
    }
}

fn on_key(st: &Shared, force: &UseForceUpdateHandle, e: &KeyboardEvent) {
    if let Some(t) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let tag = t.tag_name();
        if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") && e.key() != "Escape" {
            return;
        }
        if tag == "BUTTON" && e.key() == " " {
            return;
        }
    }
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let mut s = st.borrow_mut();
    let step = Time((s.win / 40).max(1));
    let sel = s.sel;
    let mut handled = true;
    match e.key().as_str() {
        " " | "k" => {
            let p = s.eng.as_ref().map(|e| !e.playing).unwrap_or(false);
            set_playing(&mut s, p);
        }
        "." => {
            set_playing(&mut s, false);
            if let Ok(e) = &mut s.eng {
                e.step_forward();
            }
        }
        "," => {
            set_playing(&mut s, false);
            if let Ok(e) = &mut s.eng {
                e.step_back();
            }
        }
        "ArrowRight" | "ArrowLeft" => {
            if let Ok(en) = &mut s.eng {
                en.playing = false;
                let k = if e.shift_key() { 10 } else { 1 };
                let t = if e.key() == "ArrowRight" {
                    en.t + Time(step.0 * k)
                } else {
                    en.t.saturating_sub(Time(step.0 * k))
                };
                en.seek(t);
                en.url_dirty = true;
            }
        }
        "c" => {
            if let Some(Sel::Agent(id)) = sel {
                toggle_crash(&mut s, id);
            } else {
                s.toast = Some("Select an agent first (click it), then press c.".into());
            }
        }
        "p" => {
            if let Some(Sel::Agent(id)) = sel {
                move_side(&mut s, id);
            }
        }
        "h" => act(&mut s, Action::Heal),
        "s" => split(&mut s),
        "?" => s.help = !s.help,
        "Escape" => {
            s.help = false;
            s.sel = None;
            s.toast = None;
            s.shared = None;
        }
        _ => handled = false,
    }
    if handled {
        e.prevent_default();
        sync_url(&mut s);
        drop(s);
        force.force_update();
    }
}

/// The host page's commands: `{type: "play"|"pause"|"seek"|"set", t_ms, key, value}`.
fn on_message(st: &Shared, force: &UseForceUpdateHandle, data: &wasm_bindgen::JsValue) {
    let get = |k: &str| js_sys::Reflect::get(data, &k.into()).ok();
    let Some(kind) = get("type").and_then(|v| v.as_string()) else {
        return;
    };
    let mut s = st.borrow_mut();
    match kind.as_str() {
        "play" => set_playing(&mut s, true),
        "pause" => set_playing(&mut s, false),
        "seek" => {
            if let Some(ms) = get("t_ms")
                .and_then(|v| v.as_f64())
                .filter(|v| v.is_finite() && *v >= 0.0)
            {
                seek(&mut s, Time::from_ms_f64(ms));
            }
        }
        "set" => {
            let key = get("key").and_then(|v| v.as_string()).unwrap_or_default();
            let value = get("value")
                .and_then(|v| v.as_string().or_else(|| v.as_f64().map(shortest)))
                .unwrap_or_default();
            if let Ok(e) = &mut s.eng {
                if let Err(err) = e.set_param(&key, &value) {
                    s.toast = Some(err);
                }
            }
        }
        _ => return,
    }
    sync_url(&mut s);
    let reply = js_sys::Object::new();
    if let Ok(e) = &mut s.eng {
        let hash = e.snap().hash;
        let _ = js_sys::Reflect::set(&reply, &"type".into(), &"swarmscope:state".into());
        let _ = js_sys::Reflect::set(&reply, &"t_ms".into(), &e.t.as_ms_f64().into());
        let _ = js_sys::Reflect::set(&reply, &"playing".into(), &e.playing.into());
        let _ = js_sys::Reflect::set(&reply, &"hash".into(), &format!("{hash:016x}").into());
    }
    drop(s);
    dom::post_to_parent(&reply.into());
    force.force_update();
}

/// The page's callbacks. They only capture the shared state and the redraw handle, so they are
/// made once (see [`ScenarioPage`]): a child whose other props did not change then skips its
/// render, instead of every panel re-rendering on each of the page's renders while playing.
#[derive(Clone, PartialEq)]
struct Cbs {
    on_select: Callback<Sel>,
    on_seek: Callback<Time>,
    on_scroll: Callback<i64>,
    on_show: Callback<(Time, &'static str)>,
    on_act: Callback<Action>,
    on_stage_action: Callback<Result<Action, String>>,
    on_side: Callback<u32>,
    on_close: Callback<()>,
    on_toast_close: Callback<MouseEvent>,
    on_banner_close: Callback<MouseEvent>,
    on_help: Callback<bool>,
    on_zoom: Callback<f64>,
    on_param: Callback<(String, String)>,
    controls: super::controls::ControlCallbacks,
}

fn callbacks(st: &Shared, force: &UseForceUpdateHandle, guar: &Rc<RefCell<Live>>) -> Cbs {
    let on_select = cmd(st, force, |s, v: Sel| {
        s.sel = match v {
            Sel::Agent(u32::MAX) => None,
            v if s.sel == Some(v) => None,
            v => Some(v),
        };
    });
    let on_seek = cmd(st, force, |s, t: Time| {
        if let Ok(e) = &mut s.eng {
            e.playing = false;
        }
        seek(s, t)
    });
    let on_scroll = {
        let (st, force) = (st.clone(), force.clone());
        Callback::from(move |dt: i64| {
            let mut s = st.borrow_mut();
            if let Ok(e) = &mut s.eng {
                e.playing = false;
                let t = Time((e.t.0 as i64 + dt).max(0) as u64);
                e.seek(t);
                e.url_dirty = true;
            }
            light_update(&st, s, &force);
        })
    };
    let on_show = {
        let (g, seek) = (guar.clone(), on_seek.clone());
        Callback::from(move |(t, name)| {
            g.borrow_mut().set_focus(name);
            seek.emit(t)
        })
    };
    let on_act = cmd(st, force, |s, a: Action| act(s, a));
    let on_stage_action = cmd(st, force, |s, a: Result<Action, String>| match a {
        Ok(a) => act(s, a),
        Err(why) => s.toast = Some(why),
    });
    let on_side = cmd(st, force, |s, id: u32| move_side(s, id));
    let on_close = cmd(st, force, |s, _: ()| s.sel = None);
    let on_toast_close = cmd(st, force, |s, _: MouseEvent| {
        s.toast = None;
        s.shared = None;
    });
    let on_banner_close = cmd(st, force, |s, _: MouseEvent| s.banner = None);
    let on_help = cmd(st, force, |s, v: bool| s.help = v);
    let on_zoom = cmd(st, force, |s, k: f64| {
        s.win = ((s.win as f64) * k).clamp_f(1_000.0, 3.6e9) as u64
    });
    let on_param = cmd(st, force, |s, (k, v): (String, String)| {
        if let Ok(e) = &mut s.eng {
            s.toast = e.set_param(&k, &v).err();
        }
    });
    let controls = super::controls::ControlCallbacks {
        play: cmd(st, force, |s, p: bool| set_playing(s, p)),
        step: cmd(st, force, |s, fwd: bool| {
            set_playing(s, false);
            if let Ok(e) = &mut s.eng {
                if fwd {
                    e.step_forward()
                } else {
                    e.step_back()
                }
                e.url_dirty = true;
            }
        }),
        reset: cmd(st, force, |s, _: ()| {
            if let Ok(e) = &mut s.eng {
                s.toast = e.reset().err();
            }
        }),
        // The scrubber: every input event while dragging moves the cursor, so its URL write
        // waits for the drag to rest (the diagram's click-to-seek writes at once).
        seek: {
            let (st, force) = (st.clone(), force.clone());
            Callback::from(move |t: Time| {
                {
                    let mut s = st.borrow_mut();
                    s.shared = None;
                    if let Ok(e) = &mut s.eng {
                        e.playing = false;
                    }
                    seek(&mut s, t);
                    defer_url(&st, &mut s);
                }
                force.force_update();
            })
        },
        speed: cmd(st, force, |s, v: f64| {
            if let Ok(e) = &mut s.eng {
                e.set_speed_log(v);
            }
        }),
        seed: cmd(st, force, |s, v: u64| {
            if let Ok(e) = &mut s.eng {
                s.toast = e.set_seed(v).err();
            }
        }),
        split: cmd(st, force, |s, _: ()| split(s)),
        heal: cmd(st, force, |s, _: ()| act(s, Action::Heal)),
        clock: cmd(st, force, |s, c: ClockMode| s.clock = c),
        theme: cmd(st, force, |s, t: String| {
            dom::set_theme(&t);
            s.theme = t.clone();
            if let Ok(e) = &mut s.eng {
                if t.is_empty() {
                    e.run.page.remove("theme");
                } else {
                    e.run.page.insert("theme".into(), t);
                }
                e.url_dirty = true;
            }
        }),
        share: cmd(st, force, move |s, _: ()| {
            if let Ok(e) = &s.eng {
                let url = dom::absolute_url(&strip_page(&e.query()));
                dom::copy_text(&url);
                s.toast = Some("Link copied: it replays this exact run, at this moment.".into());
                s.shared = Some(url);
            }
        }),
        embed: cmd(st, force, move |s, _: ()| {
            if let Ok(e) = &s.eng {
                let q = strip_page(&e.query());
                let url = dom::absolute_url(&format!("{q}&embed=1&autoplay=1"));
                let snippet = format!("<iframe src=\"{url}\" width=\"800\" height=\"500\" style=\"border:0\" title=\"Swarmscope: {}\" loading=\"lazy\"></iframe>", e.def.title);
                dom::copy_text(&snippet);
                s.toast = Some("Embed snippet copied (an 800×500 iframe).".into());
                s.shared = Some(snippet);
            }
        }),
        help: on_help.clone(),
    };

    Cbs {
        on_select,
        on_seek,
        on_scroll,
        on_show,
        on_act,
        on_stage_action,
        on_side,
        on_close,
        on_toast_close,
        on_banner_close,
        on_help,
        on_zoom,
        on_param,
        controls,
    }
}

#[component]
pub fn ScenarioPage(props: &PageProps) -> Html {
    let st: Shared = use_mut_ref(|| init(props));
    let force = use_force_update();
    let guar = use_mut_ref(Live::default);

    // Document-level listeners: keyboard, host messages, tab visibility; and the viewport observer.
    {
        let st = st.clone();
        let force = force.clone();
        use_effect_with((), move |_| {
            let mut ls = vec![];
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                let (s2, f2) = (st.clone(), force.clone());
                let opts = gloo::events::EventListenerOptions::enable_prevent_default();
                ls.push(EventListener::new_with_options(
                    &doc,
                    "keydown",
                    opts,
                    move |e| {
                        if let Some(e) = e.dyn_ref::<KeyboardEvent>() {
                            on_key(&s2, &f2, e);
                        }
                    },
                ));
                let (s3, f3) = (st.clone(), force.clone());
                ls.push(EventListener::new(&doc, "visibilitychange", move |_| {
                    let mut s = s3.borrow_mut();
                    s.visible = !dom::hidden();
                    drop(s);
                    f3.force_update();
                }));
            }
            if let Some(w) = web_sys::window() {
                let f5 = force.clone();
                ls.push(EventListener::new(&w, "resize", move |_| f5.force_update()));
                let (s4, f4) = (st.clone(), force.clone());
                ls.push(EventListener::new(&w, "message", move |e| {
                    if let Some(m) = e.dyn_ref::<web_sys::MessageEvent>() {
                        on_message(&s4, &f4, &m.data());
                    }
                }));
            }
            let observer = observe_visibility(&st, &force);
            move || {
                drop(ls);
                if let Some((o, _closure)) = observer {
                    o.disconnect();
                }
            }
        });
    }

    let playing_now = {
        let s = st.borrow();
        s.eng.as_ref().map(|e| e.playing).unwrap_or(false) && s.visible
    };
    let on_frame = {
        let st = st.clone();
        let force = force.clone();
        Callback::from(move |dt: f64| {
            let mut s = st.borrow_mut();
            if dom::hidden() {
                return;
            }
            if let Ok(e) = &mut s.eng {
                if e.playing {
                    e.advance(dt);
                    if e.t >= e.end() && e.sim.done() {
                        e.playing = false;
                    }
                }
            }
            // While playing, the URL follows the cursor once a second, so a reload or a copied
            // address bar lands near where the viewer was (pausing writes the exact time).
            let now = dom::now_ms();
            let written = s.url_written_ms;
            if let Ok(e) = &mut s.eng {
                if e.playing && now - written >= 1000.0 {
                    e.url_dirty = true;
                }
            }
            let playing = s.eng.as_ref().map(|e| e.playing).unwrap_or(false);
            // A frame that only paints the canvases. (After one that painted the diagram's arrows
            // ahead of the stage's turn, that turn comes now, whatever the clock says.)
            let light = playing && !s.arrows_ahead && now - s.rendered_at < PANEL_MS / 2.0;
            // The URL write (`history.replaceState`, 2–3 ms in Chromium, measured) goes in such a
            // frame (or the last one, when the run stops), never in one that also renders half the
            // page: those were the heaviest frames.
            if (light || !playing) && s.eng.as_ref().map(|e| e.url_dirty).unwrap_or(false) {
                sync_url(&mut s);
                s.url_written_ms = now;
            }
            // While playing, the diagram's arrows move on with the rest of the diagram (its cursor
            // and time axis, SVG), which the stage's half re-renders every PANEL_MS: a frame
            // repaints them only when the next frame will likely be that render, which then
            // shows the diagram they were painted for. Repainting them whenever the cursor moved
            // a 300th of the window (up to every frame) made them slide past a cursor that stood
            // still, and cost the painter's thread ~8 ms a time for a window of long arrows
            // (25 agents, 400–600 ms latency: 130 ms of its CPU a second, measured), competing
            // with the page's main thread for the cores. (Only a light frame paints them so, once
            // a turn: the render follows in the next frame, see `light`; should no frame come
            // between renders, on a slow machine, the render makes its own.)
            let diagram = !s.halves.panels_next()
                && now + dt.clamp(1.0, PANEL_MS) - s.rendered_at >= PANEL_MS / 2.0;
            if light && paint_canvases(&mut s, diagram) {
                // (In embed mode there is no diagram.)
                if diagram && !s.embed {
                    s.arrows_ahead = true;
                }
                return;
            }
            if playing {
                if s.halves.panels_next() {
                    paint_canvases(&mut s, false);
                }
                s.halves.tick = true;
            }
            drop(s);
            force.force_update();
        })
    };
    use_animation_frame(playing_now, on_frame);
    let cbs = {
        let (st, force, guar) = (st.clone(), force.clone(), guar.clone());
        use_memo((), move |_| callbacks(&st, &force, &guar))
    };
    let cb = (*cbs).clone();

    let mut s = st.borrow_mut();
    let embed = s.embed;
    let banner = s.banner.clone();
    let toast = s.toast.clone();
    let shared = s.shared.clone();
    let sel = s.sel;
    let clock = s.clock;
    let help = s.help;
    let theme = s.theme.clone();
    s.rendered_at = dom::now_ms();
    let (stage_painter, diag_painter) = (s.stage_painter.clone(), s.diag_painter.clone());
    let snap = match &mut s.eng {
        Ok(e) => e.snap(),
        Err(_) => {
            let msg = s.eng.as_ref().err().cloned().unwrap_or_default();
            return error_page(msg);
        }
    };
    let (stage_snap, panel_snap, keep_diagram, tick) = s.halves.split(&snap);
    let playing_now = matches!(&s.eng, Ok(e) if e.playing);
    if !keep_diagram && (tick || playing_now) {
        // This render only moves the stage and the diagram on, or the run is playing and the
        // next frame paints anyway (a click, a worker's answer): their canvases wait for the next
        // frame (see `Painter::tick`) rather than read their boxes right after this render's DOM
        // changes (a synchronous layout in the middle of the frame). (On the panels' turn both
        // keep their props and skip.)
        s.stage_painter.tick();
        s.diag_painter.tick();
    }
    // Playing, the stage's turn shows the diagram a frame just painted ahead of it; without one
    // (no frame between renders, on a slow machine), or in a render that is no tick (a click), it
    // makes a new one, painted next frame. Embedded, no diagram is shown: the cached one does.
    let reuse = match &s.eng {
        _ if keep_diagram => Reuse::Cursor,
        Ok(e) if e.playing && (s.embed || (tick && s.arrows_ahead)) => Reuse::Cursor,
        Ok(e) if e.playing => Reuse::NewMessages,
        _ => Reuse::Exact,
    };
    if !keep_diagram {
        s.arrows_ahead = false;
    }
    let kept = s.halves.diagram.clone().filter(|_| keep_diagram);
    let Some(diagram) = kept.or_else(|| diagram_now(&mut s, &stage_snap, reuse)) else {
        return html! {};
    };
    s.halves.diagram = Some(diagram.clone());
    let Ok(e) = &mut s.eng else {
        let msg = s.eng.as_ref().err().cloned().unwrap_or_default();
        return error_page(msg);
    };
    let def = e.def;
    let narration = e.narration.clone();
    let speed_log = e.speed_log;
    let playing = e.playing;
    let seed = e.run.seed;
    let params: Vec<(crate::scenario::ParamSpec, String)> = def
        .all_params()
        .into_iter()
        .map(|p| {
            let v = e.param_value(p.key);
            (p, v)
        })
        .collect();
    let hist = e.hist.clone();
    // Inserted one by one: collecting into a BTreeMap sorts first, and that stable sort would be
    // the page's only instance of it (see sim::sort).
    let mut pmap = std::collections::BTreeMap::new();
    for (p, v) in &params {
        pmap.insert(p.key.to_string(), v.clone());
    }
    let pmap: Rc<std::collections::BTreeMap<String, String>> = Rc::new(pmap);
    let inspect = match sel {
        Some(Sel::Msg(id)) => e.sim.message_label(id),
        _ => None,
    };
    let msg_rec = match sel {
        Some(Sel::Msg(id)) => e.sim.trace().msg(id).cloned(),
        _ => None,
    };
    let query = e.query();
    {
        let f = force.clone();
        guar.borrow_mut()
            .update(&*e.sim, e.playing, js_sys::Date::now(), move || {
                f.force_update()
            });
    }
    let g = guar.borrow();
    let (g_rows, g_marks, g_narr, g_focus) = (
        g.rows.clone(),
        g.marks.clone(),
        g.narration.clone(),
        g.focus,
    );
    let (g_checking, g_error, g_ops) = (g.checking, g.error.clone(), g.checked_ops);
    drop(g);
    drop(s);

    let narrow = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .map(|v| v < 600.0)
        .unwrap_or(false);
    let menu = match sel {
        Some(Sel::Agent(id)) => snap.frame.nodes.get(id as usize).map(|nv| {
            let links: Vec<PeerLink> = (0..snap.frame.nodes.len() as u32)
                .filter(|p| *p != id)
                .map(|p| PeerLink {
                    peer: p,
                    cut: super::manip::is_cut(&snap.frame, id, p),
                    across: super::manip::across(&snap.frame, id, p),
                })
                .collect();
            html! { <AgentMenu node={nv.clone()} n={snap.frame.nodes.len()} on_act={cb.on_act.clone()} on_side={cb.on_side.clone()} on_close={cb.on_close.clone()} {links} /> }
        }),
        _ => None,
    };

    let live = html! { <div class="sr-only" aria-live="polite" data-testid="narration">{ narration.clone() }</div> };
    let stage = html! {
        <>
            <Stage snap={stage_snap.clone()} {clock} selected={sel} on_select={cb.on_select.clone()} compact={embed} {narrow} on_action={cb.on_stage_action.clone()} painter={stage_painter} />
            { menu.unwrap_or_default() }
        </>
    };
    // Literal classes: one that is not goes through yew's `Classes` (see `dom::with_class`).
    let stage = if playing {
        html! { <div class="stage-wrap playing">{ stage }</div> }
    } else {
        html! { <div class="stage-wrap">{ stage }</div> }
    };
    let toast_html = toast.map(|t| html! {
        <div class="toast" role="status" data-testid="toast">{ t }
            if let Some(link) = shared {
                <input class="shared" type="text" readonly=true value={link} aria-label="The copied link" data-testid="shared-link"
                    onfocus={Callback::from(|e: FocusEvent| { if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select() } })} />
            }
            <button class="x" aria-label="Dismiss" onclick={cb.on_toast_close.clone()}>{ "×" }</button></div>
    });

    let controls = html! {
        <Controls snap={panel_snap.clone()} {playing} {speed_log} {seed} {clock} {theme} cb={cb.controls.clone()} compact={embed} />
    };
    if embed {
        let open_href = dom::absolute_url(&strip_page(&query));
        return html! {
            <main class="page embed" data-testid="page" data-scenario={def.id}>
                { stage }
                { controls }
                <a class="open-full" href={open_href} target="_blank" rel="noopener" title={format!("Open “{}” in Swarmscope", def.title)}><span class="open-title">{ def.title }</span>{ " ↗" }</a>
                { live }
                { toast_html.unwrap_or_default() }
            </main>
        };
    }

    let home = {
        let h = props.on_home.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            h.emit(())
        })
    };
    html! {
        <main class="page" data-testid="page" data-scenario={def.id}>
            <header class="page-header">
                <a href="?" class="brand" onclick={home} data-testid="home">{ "Swarmscope" }</a>
                { dom::raw(format!("<h1 data-testid=\"scenario-title\">{}</h1><p class=\"tagline\">{}</p>", Esc(def.title), Esc(def.tagline))) }
            </header>
            if let Some(b) = banner {
                <div class="banner" role="alert" data-testid="url-banner">{ b }<button class="x" aria-label="Dismiss" onclick={cb.on_banner_close.clone()}>{ "×" }</button></div>
            }
            <div class="layout">
                <section class="main-col" aria-label="Simulation">
                    { stage }
                    { controls }
                    <SpaceTime diagram={diagram} on_seek={cb.on_seek.clone()} on_scroll={cb.on_scroll.clone()} on_zoom={cb.on_zoom.clone()} selected={sel} on_select={cb.on_select.clone()} witness={g_marks} painter={diag_painter} {narrow} />
                    // The story and the scenario's study sit under the diagram, where the wide
                    // column has room for them (in the side column they left it a long empty
                    // stretch and squeezed the charts); one column (narrow screens) reorders the
                    // panels in CSS so the inspector and metrics come first.
                    <Explain def_id={def.id} />
                    { super::study(def.id, &pmap) }
                </section>
                <aside class="side-col" aria-label="Panels">
                    <Inspector snap={panel_snap.clone()} selected={sel} label={inspect} msg={msg_rec} />
                    <Metrics snap={panel_snap.clone()} hist={hist} on_seek={cb.on_seek.clone()} />
                    <Guarantees rows={g_rows} checking={g_checking} error={g_error} ops={g_ops} narration={g_narr} focus={g_focus} on_show={cb.on_show.clone()} />
                    <Sliders params={params} on_change={cb.on_param.clone()} />
                </aside>
            </div>
            { live }
            { toast_html.unwrap_or_default() }
            if help {
                <Help on_close={cb.on_help.clone()} />
            }
        </main>
    }
}

/// The page when its run cannot be shown: the reason.
fn error_page(msg: String) -> Html {
    html! { <main class="page error"><div class="banner" role="alert">{ msg }</div></main> }
}

type Observer = (
    web_sys::IntersectionObserver,
    wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
);

/// Pauses drawing while the page (an embed's iframe, too) is scrolled out of view.
fn observe_visibility(st: &Shared, force: &UseForceUpdateHandle) -> Option<Observer> {
    let (st, force) = (st.clone(), force.clone());
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
        move |entries: js_sys::Array| {
            let visible = entries
                .iter()
                .filter_map(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                .any(|e| e.is_intersecting());
            if let Ok(mut s) = st.try_borrow_mut() {
                s.visible = visible && !dom::hidden();
            }
            force.force_update();
        },
    );
    let o = web_sys::IntersectionObserver::new(closure.as_ref().unchecked_ref()).ok()?;
    let target = web_sys::window()?.document()?.document_element()?;
    o.observe(&target);
    Some((o, closure))
}

/// The query without page options (embed, autoplay, loop), for share links.
fn strip_page(q: &str) -> String {
    q.split('&')
        .filter(|p| {
            !(p.starts_with("embed=") || p.starts_with("autoplay=") || p.starts_with("loop="))
        })
        .collect::<Vec<_>>()
        .join("&")
}
