//! The "Guarantees" panel: which consistency guarantees the run's client history keeps
//! (`check::live::guarantees`), and the witness operations of the broken ones as red marks on
//! the space-time diagram.
//!
//! The checkers are bounded but not free, so [`Live::update`] recomputes at most every
//! [`RECHECK_MS`] of wall time while playing (at once when paused, or when the history shrank:
//! a new run), and only when the history or the head moved; a frame otherwise reuses the rows.

use crate::check::live::{self, GuaranteeResult};
use crate::sim::trace::EventKind;
use crate::sim::{History, Simulation, Time, Trace, Value};
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

/// Panel rows from the checkers' results.
pub fn rows(history: &History, results: &[GuaranteeResult]) -> Vec<Row> {
    results
        .iter()
        .map(|r| {
            let (state, detail, witness) = match &r.verdict {
                Ok(v) if v.ok => (State::Kept, v.explanation.clone(), vec![]),
                Ok(v) => (State::Broken, v.explanation.clone(), v.witness.clone()),
                Err(why) => (State::Unknown, why.clone(), vec![]),
            };
            let seek = witness.first().and_then(|i| history.ops.get(*i)).map(|o| {
                if o.complete == Time::MAX {
                    o.invoke
                } else {
                    o.complete
                }
            });
            Row {
                name: r.name,
                label: label(r.name),
                state,
                detail,
                witness,
                seek,
            }
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
    let mut by_op: std::collections::BTreeMap<usize, Vec<&'static str>> = Default::default();
    for r in rows.iter().filter(|r| r.state == State::Broken) {
        for op in &r.witness {
            by_op.entry(*op).or_default().push(r.name);
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

/// The panel's memo: rows and marks of the last check, and what it was computed for.
#[derive(Default)]
pub struct Live {
    /// (operations, head time) of the last check.
    key: Option<(usize, Time)>,
    at_ms: f64,
    pub rows: Rc<Vec<Row>>,
    pub marks: Rc<Vec<WitnessMark>>,
    /// The guarantee whose witness "show" highlights.
    pub focus: Option<&'static str>,
    /// Broken guarantees already announced, and the latest announcement.
    announced: Vec<&'static str>,
    pub narration: String,
    /// How many checks ran (for tests: the memo holds).
    pub checks: usize,
}

impl Live {
    /// Rechecks when the history or the head moved and (while playing) [`RECHECK_MS`] passed.
    pub fn update(&mut self, sim: &dyn Simulation, playing: bool, now_ms: f64) {
        let h = sim.history();
        let key = (h.ops.len(), sim.now());
        if self.key == Some(key) {
            return;
        }
        let new_run = self.key.is_some_and(|(n, t)| h.ops.len() < n || key.1 < t);
        if playing && !new_run && self.key.is_some() && now_ms - self.at_ms < RECHECK_MS {
            return;
        }
        if new_run {
            self.announced.clear();
            self.focus = None;
            self.narration.clear();
        }
        self.key = Some(key);
        self.at_ms = now_ms;
        self.checks += 1;
        let rows = if h.ops.is_empty() {
            vec![]
        } else {
            rows(h, &live::guarantees(h, &Value::Nil))
        };
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
    pub narration: String,
    pub focus: Option<&'static str>,
    /// "show": seek to a time and highlight a guarantee's witness.
    pub on_show: Callback<(Time, &'static str)>,
}

#[component]
pub fn Guarantees(props: &GuaranteesProps) -> Html {
    if props.rows.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel guarantees" aria-label="Guarantees" data-testid="guarantees">
            <h2>{ "Guarantees" }</h2>
            <p class="hint">{ "Checked on the client history so far (up to the head of the run)." }</p>
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
                    html! {
                        <li key={r.name} class={classes!(class, focused.then_some("focus"))} data-testid="guarantee" data-name={r.name} data-state={word}
                            title={(r.state != State::Broken).then(|| r.detail.clone())}>
                            <span class="dot" aria-hidden="true">{ dot }</span>
                            <span class="g-name">{ r.label }</span>
                            <span class="g-word">{ word }</span>
                            { show.unwrap_or_default() }
                            if r.state == State::Broken {
                                <p class="g-why">{ &r.detail }</p>
                            }
                        </li>
                    }
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
        live.update(&*sim, false, 0.0);
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
        live.update(&*sim, true, 0.0);
        let ryw = live.rows.iter().find(|r| r.name == "ryw").expect("ryw row");
        assert_eq!(ryw.state, State::Kept, "{}", ryw.detail);
        assert!(live.marks.iter().all(|m| !m.names.contains(&"ryw")));
        assert_eq!(live.checks, 1);
        // Same head: no recheck. Moved head, within 500 ms while playing: no recheck either.
        live.update(&*sim, true, 100.0);
        sim.run_until(Time::secs(11), u64::MAX);
        live.update(&*sim, true, 200.0);
        assert_eq!(live.checks, 1);
        live.update(&*sim, true, 600.0);
        assert_eq!(live.checks, 2);
    }
}
