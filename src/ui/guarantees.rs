//! The "Guarantees" panel: which consistency guarantees the run's client history keeps
//! (`check::live::guarantees`), and the witness operations of the broken ones as red marks on
//! the space-time diagram.
//!
//! The checkers run in the Web Worker (`jobs::exec`, via `ui::worker`), never on the UI thread:
//! a 10,000-operation history takes seconds to check, and the page keeps drawing meanwhile.
//! [`Live::update`] sends the history at most every [`RECHECK_MS`] of wall time while playing
//! (at once when paused, or on a new run), only when the history or the head moved, and never
//! while a check is still out: the next one then goes when it returns, with the history of that
//! moment (so requests do not pile up and the verdict is never older than one check). Replies for
//! an earlier run are dropped. Until the first verdicts arrive the panel says "checking…".

use super::dom::{self, Esc};
use super::geom::{shortest, Fixed};
use super::worker::{self, Event, JobHandle};
use crate::check::live::LIVE_CHECKERS;
use crate::jobs::{Check, CheckState, Job};
use crate::sim::trace::EventKind;
use crate::sim::{History, Simulation, Time, Trace};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use yew::prelude::*;

/// Least wall time between two live checks while playing, ms.
pub const RECHECK_MS: f64 = 500.0;

/// Kept, broken, or neither (not applicable / undecided).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Kept,
    Broken,
    Unknown,
}

/// One line of the panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The checker's name (`ryw`, …).
    pub name: &'static str,
    /// Words for a person ("read-your-writes").
    pub label: &'static str,
    pub state: State,
    /// The explanation (broken) or the reason (n/a, undecided).
    pub detail: String,
    pub witness: Vec<usize>,
    /// Where "show" seeks: the first witness operation's completion (its invocation if open).
    pub seek: Option<Time>,
}

/// A witness operation's event (invocation or completion) on the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct WitnessMark {
    pub op: usize,
    pub node: u32,
    pub time: Time,
    pub complete: bool,
    /// Tooltip: the operation and the guarantees it witnesses.
    pub title: String,
    /// Part of the witness the person asked to see ("show").
    pub focus: bool,
    /// The broken guarantees it witnesses.
    pub names: Vec<&'static str>,
}

/// The person's name of a checker.
pub fn label(name: &str) -> &'static str {
    match name {
        "linearizability" => "linearizable",
        "sequential" => "sequential",
        "causal" => "causal",
        "ryw" => "read-your-writes",
        "monotonic-reads" => "monotonic reads",
        "monotonic-writes" => "monotonic writes",
        "writes-follow-reads" => "writes-follow-reads",
        _ => "other",
    }
}

/// Panel rows from the checkers' verdicts (in the worker's order, unknown names skipped).
pub fn rows(history: &History, results: &[Check]) -> Vec<Row> {
    results
        .iter()
        .filter_map(|r| {
            let name = *LIVE_CHECKERS.iter().find(|n| **n == r.name)?;
            let state = match r.state {
                CheckState::Kept => State::Kept,
                CheckState::Broken => State::Broken,
                CheckState::Unknown => State::Unknown,
            };
            let witness = if state == State::Broken {
                r.witness.clone()
            } else {
                vec![]
            };
            let seek = witness.first().and_then(|i| history.ops.get(*i)).map(|o| {
                if o.complete == Time::MAX {
                    o.invoke
                } else {
                    o.complete
                }
            });
            Some(Row {
                name,
                label: label(name),
                state,
                detail: r.detail.clone(),
                witness,
                seek,
            })
        })
        .collect()
}

/// The trace events (`Invoke { op }` / `Complete { op }`) of every witness operation of a broken
/// row, one mark per event, found by time (a binary search each, not a trace scan).
pub fn witness_marks(
    history: &History,
    trace: &Trace,
    rows: &[Row],
    focus: Option<&str>,
) -> Vec<WitnessMark> {
    let mut by_op: crate::sim::vecmap::VecMap<usize, Vec<&'static str>> = Default::default();
    for r in rows.iter().filter(|r| r.state == State::Broken) {
        for op in &r.witness {
            by_op.get_or_insert_with(*op, Vec::new).push(r.name);
        }
    }
    let mut out = vec![];
    for (op, names) in by_op {
        let Some(o) = history.ops.get(op) else {
            continue;
        };
        let words = names
            .iter()
            .map(|n| label(n))
            .collect::<Vec<_>>()
            .join(", ");
        let title = format!(
            "op {op}: {} {} {} → {} — witness of broken {words}",
            o.f.name(),
            o.key,
            o.input,
            o.output
        );
        let focus = focus.is_some_and(|f| names.contains(&f));
        for (t, complete) in [(o.invoke, false), (o.complete, true)] {
            if t == Time::MAX {
                continue;
            }
            let ev = trace.events_between(t, t).iter().find(|e| match e.kind {
                EventKind::Invoke { op: i } => !complete && i == op,
                EventKind::Complete { op: i } => complete && i == op,
                _ => false,
            });
            if let Some(e) = ev {
                out.push(WitnessMark {
                    op,
                    node: e.node.0,
                    time: e.time,
                    complete,
                    title: title.clone(),
                    focus,
                    names: names.clone(),
                });
            }
        }
    }
    out
}

/// What the worker's handler leaves for the next [`Live::update`].
#[derive(Default)]
struct Inbox {
    /// Run generation the reply belongs to, operations checked, and the verdicts.
    done: Option<(u64, usize, Vec<Check>)>,
    /// Verdicts of the check in flight so far (each slice reports the checkers it ran).
    partial: Vec<Check>,
    progress: f64,
    failed: Option<String>,
}

/// The panel's memo: rows and marks of the last check, what it was computed for, and the check
/// in flight.
#[derive(Default)]
pub struct Live {
    /// (operations, head time) of the last request.
    key: Option<(usize, Time)>,
    at_ms: f64,
    /// Bumped on every new run; replies of an older one are dropped.
    gen: u64,
    job: Option<JobHandle>,
    inbox: Rc<RefCell<Inbox>>,
    pub rows: Rc<Vec<Row>>,
    pub marks: Rc<Vec<WitnessMark>>,
    /// The guarantee whose witness "show" highlights.
    pub focus: Option<&'static str>,
    /// Broken guarantees already announced, and the latest announcement.
    announced: Vec<&'static str>,
    pub narration: String,
    /// A check is out: its progress in `[0, 1]`.
    pub checking: Option<f64>,
    /// The worker could not check (it failed to load or crashed), in words.
    pub error: Option<String>,
    /// How many checks were requested (for tests: the memo holds).
    pub checks: usize,
    /// Operations in the history the shown verdicts are about.
    pub checked_ops: usize,
}

impl Live {
    /// Whether the history should be (re)checked now: it or the head moved and, while playing,
    /// [`RECHECK_MS`] passed since the last request. Starts a new generation on a new run.
    pub fn due(&mut self, sim: &dyn Simulation, playing: bool, now_ms: f64) -> bool {
        let h = sim.history();
        let key = (h.ops.len(), sim.now());
        if self.key == Some(key) {
            return false;
        }
        let new_run = self.key.is_some_and(|(n, t)| h.ops.len() < n || key.1 < t);
        if new_run {
            self.gen += 1;
            self.job = None;
            self.checking = None;
            self.announced.clear();
            self.focus = None;
            self.narration.clear();
            self.rows = Rc::default();
            self.marks = Rc::default();
        } else if self.job.is_some()
            || (playing && self.key.is_some() && now_ms - self.at_ms < RECHECK_MS)
        {
            return false;
        }
        self.key = Some(key);
        self.at_ms = now_ms;
        if h.ops.is_empty() {
            self.rows = Rc::default();
            self.marks = Rc::default();
            return false;
        }
        self.checks += 1;
        true
    }

    /// Takes the verdicts on (a prefix of) `sim`'s history: rows, narration of newly broken
    /// guarantees, witness marks on the trace.
    pub fn apply(&mut self, sim: &dyn Simulation, checks: &[Check]) {
        let h = sim.history();
        let rows = rows(h, checks);
        let fresh: Vec<&Row> = rows
            .iter()
            .filter(|r| r.state == State::Broken && !self.announced.contains(&r.name))
            .collect();
        if !fresh.is_empty() {
            let names: Vec<&str> = fresh.iter().map(|r| r.label).collect();
            self.narration = format!(
                "Guarantee broken: {}. {}",
                names.join(", "),
                fresh.first().map(|r| r.detail.as_str()).unwrap_or_default()
            );
            self.announced.extend(fresh.iter().map(|r| r.name));
        }
        self.marks = Rc::new(witness_marks(h, sim.trace(), &rows, self.focus));
        self.rows = Rc::new(rows);
    }

    /// Per frame: takes a returned verdict, and sends the history to the worker when a check is
    /// due. `notify` re-renders the page when a reply arrives.
    pub fn update(
        &mut self,
        sim: &dyn Simulation,
        playing: bool,
        now_ms: f64,
        notify: impl Fn() + 'static,
    ) {
        let (done, failed, progress) = {
            let mut inbox = self.inbox.borrow_mut();
            (inbox.done.take(), inbox.failed.take(), inbox.progress)
        };
        if let Some((gen, ops, checks)) = done {
            if gen == self.gen {
                self.job = None;
                self.checking = None;
                self.error = None;
                self.checked_ops = ops;
                self.apply(sim, &checks);
            }
        }
        if let Some(why) = failed {
            self.job = None;
            self.checking = None;
            self.error = Some(why);
        }
        if let Some(p) = self.checking.as_mut() {
            *p = progress;
        }
        if !self.due(sim, playing, now_ms) {
            return;
        }
        let gen = self.gen;
        let ops = sim.history().ops.len();
        let inbox = self.inbox.clone();
        {
            let mut i = inbox.borrow_mut();
            i.progress = 0.0;
            i.partial.clear();
        }
        self.checking = Some(0.0);
        self.job = Some(worker::submit(
            Job::Guarantees {
                history: sim.history().clone(),
            },
            move |ev| {
                let mut i = inbox.borrow_mut();
                match ev {
                    Event::Progress { done, part } => {
                        i.progress = done;
                        i.partial.extend(part.checks);
                    }
                    Event::Done { part, .. } => {
                        let mut all = std::mem::take(&mut i.partial);
                        all.extend(part.checks);
                        i.done = Some((gen, ops, all));
                    }
                    Event::Failed(why) => i.failed = Some(why),
                }
                drop(i);
                notify();
            },
        ));
    }

    /// Highlights the witness of `name` (from "show").
    pub fn set_focus(&mut self, name: &'static str) {
        self.focus = Some(name);
        let marks = self
            .marks
            .iter()
            .map(|m| WitnessMark {
                focus: m.names.contains(&name),
                ..m.clone()
            })
            .collect();
        self.marks = Rc::new(marks);
    }
}

#[derive(Properties, PartialEq)]
pub struct GuaranteesProps {
    pub rows: Rc<Vec<Row>>,
    /// A check is out (its progress), or the worker failed.
    #[prop_or_default]
    pub checking: Option<f64>,
    #[prop_or_default]
    pub error: Option<String>,
    /// Operations the shown verdicts cover.
    #[prop_or_default]
    pub ops: usize,
    pub narration: String,
    pub focus: Option<&'static str>,
    /// "show": seek to a time and highlight a guarantee's witness.
    pub on_show: Callback<(Time, &'static str)>,
}

/// The list while the first check is out: every checker, "checking…" (read only: markup, see
/// `dom::raw`).
fn checking_list() -> String {
    let mut s = String::from("<ul class=\"guar-list\">");
    for n in LIVE_CHECKERS {
        let _ = write!(
            s,
            "<li data-testid=\"guarantee\" data-name=\"{n}\" data-state=\"checking\" class=\"na\">\
             <span aria-hidden=\"true\" class=\"dot\">…</span><span class=\"g-name\">{}</span>\
             <span class=\"g-word\">checking…</span></li>",
            Esc(label(n))
        );
    }
    s.push_str("</ul>");
    s
}

#[component]
pub fn Guarantees(props: &GuaranteesProps) -> Html {
    if props.rows.is_empty() && props.checking.is_none() && props.error.is_none() {
        return html! {};
    }
    let status = match (&props.error, props.checking) {
        (Some(_), _) => "error",
        (None, Some(_)) => "checking",
        (None, None) => "done",
    };
    html! {
        <section class="panel guarantees" aria-label="Guarantees" data-testid="guarantees" data-state={status} data-ops={props.ops.to_string()}
            aria-busy={props.checking.is_some().to_string()}>
            { dom::raw_static("<h2>Guarantees</h2><p class=\"hint\">Checked on the client history so far (up to the head of the run), in a Web Worker.</p>") }
            if let Some(e) = &props.error {
                <p class="hint" role="alert" data-testid="guar-error">{ format!("The checkers could not run: {e}") }</p>
            }
            if let Some(p) = props.checking {
                <p class="hint checking" data-testid="guar-checking">
                    <progress max="1" value={shortest(p)} aria-label={format!("checking, {} % done", Fixed(p * 100.0, 0))}></progress>
                    { " checking…" }
                </p>
            }
            if props.rows.is_empty() && props.checking.is_some() {
                { dom::raw(checking_list()) }
            }
            <ul class="guar-list">
                { for props.rows.iter().map(|r| {
                    let (class, dot, word) = match r.state {
                        State::Kept => ("ok", "✓", "kept"),
                        State::Broken => ("bad", "✗", "broken"),
                        State::Unknown if r.detail.starts_with("undecided") => ("na", "?", "undecided"),
                        State::Unknown => ("na", "–", "n/a"),
                    };
                    let show = r.seek.filter(|_| r.state == State::Broken).map(|t| {
                        let cb = props.on_show.clone();
                        let name = r.name;
                        html! { <button class="link" data-testid="guar-show" onclick={Callback::from(move |_: MouseEvent| cb.emit((t, name)))}
                            aria-label={format!("Show the witness of broken {} at {t}", r.label)}>{ "show →" }</button> }
                    });
                    let focused = props.focus == Some(r.name) && r.state == State::Broken;
                    let li = html! {
                        <li key={r.name} class="_" data-testid="guarantee" data-name={r.name} data-state={word}
                            title={(r.state != State::Broken).then(|| r.detail.clone())}>
                            <span class="dot" aria-hidden="true">{ dot }</span>
                            <span class="g-name">{ r.label }</span>
                            <span class="g-word">{ word }</span>
                            { show.unwrap_or_default() }
                            if r.state == State::Broken {
                                <p class="g-why">{ &r.detail }</p>
                            }
                        </li>
                    };
                    let class = if focused {
                        AttrValue::from(format!("{class} focus"))
                    } else {
                        AttrValue::Static(class)
                    };
                    dom::with_class(li, class)
                }) }
            </ul>
            <div class="sr-only" aria-live="polite" data-testid="guar-narration">{ props.narration.clone() }</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::find;
    use crate::sim::trace::TraceConfig;

    /// What [`Live::update`] does, with the worker's task run here instead.
    fn update(live: &mut Live, sim: &dyn Simulation, playing: bool, now_ms: f64) {
        if live.due(sim, playing, now_ms) {
            let history = sim.history().clone();
            let part = crate::jobs::exec::run_to_end(Job::Guarantees { history }).expect("runs");
            live.apply(sim, &part.checks);
        }
    }

    fn run(session: &str, secs: u64) -> Box<dyn Simulation> {
        let def = find("sessions").expect("sessions");
        let mut o = std::collections::BTreeMap::new();
        o.insert("session".to_string(), session.to_string());
        let mut sim = def
            .instantiate(&o, 1, vec![], TraceConfig::default())
            .expect("builds");
        sim.run_until(Time::secs(secs), u64::MAX);
        sim
    }

    #[test]
    fn witnesses_of_a_broken_guarantee_map_to_their_trace_events() {
        let sim = run("none", 10);
        let mut live = Live::default();
        update(&mut live, &*sim, false, 0.0);
        let ryw = live.rows.iter().find(|r| r.name == "ryw").expect("ryw row");
        assert_eq!(ryw.state, State::Broken, "{}", ryw.detail);
        assert!(ryw.seek.is_some());
        assert!(live.narration.contains("read-your-writes"));
        // Every witness op of ryw has its invoke and (if completed) completion mark.
        for op in &ryw.witness {
            let o = &sim.history().ops[*op];
            let n = live.marks.iter().filter(|m| m.op == *op).count();
            assert_eq!(n, if o.complete == Time::MAX { 1 } else { 2 }, "op {op}");
        }
        for m in live.marks.iter() {
            let o = &sim.history().ops[m.op];
            assert_eq!(m.time, if m.complete { o.complete } else { o.invoke });
            assert!(!m.focus);
        }
        live.set_focus("ryw");
        assert!(live
            .marks
            .iter()
            .any(|m| m.focus && m.title.contains("read-your-writes")));
    }

    #[test]
    fn sticky_keeps_ryw_and_the_memo_throttles_while_playing() {
        let mut sim = run("sticky", 10);
        let mut live = Live::default();
        update(&mut live, &*sim, true, 0.0);
        let ryw = live.rows.iter().find(|r| r.name == "ryw").expect("ryw row");
        assert_eq!(ryw.state, State::Kept, "{}", ryw.detail);
        assert!(live.marks.iter().all(|m| !m.names.contains(&"ryw")));
        assert_eq!(live.checks, 1);
        // Same head: no recheck. Moved head, within 500 ms while playing: no recheck either.
        update(&mut live, &*sim, true, 100.0);
        sim.run_until(Time::secs(11), u64::MAX);
        update(&mut live, &*sim, true, 200.0);
        assert_eq!(live.checks, 1);
        update(&mut live, &*sim, true, 600.0);
        assert_eq!(live.checks, 2);
    }
}
