//! The inspector (full state of a clicked agent or message) and the agent menu (crash, recover,
//! pause, Byzantine behaviour, client request, move across the partition, cut or mend a link —
//! the keyboard's way to what a click on a link does).

use super::dom::{self, Esc};
use super::engine::Snap;
use super::geom::{readable, Fixed};
use super::manip;
use super::stage::{clock_text, ClockMode, Sel};
use crate::sim::trace::{Fate, MsgRecord};
use crate::sim::{Action, ByzantineMode, NodeId, NodeView, Status, Time};
use std::fmt::Write as _;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub snap: Rc<Snap>,
    pub selected: Option<Sel>,
    pub label: Option<String>,
    pub msg: Option<MsgRecord>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    // Nothing in the panel's body is clicked or focused: it is one markup string (see `dom::raw`).
    let mut s = String::from("<h2>Inspector</h2>");
    match props.selected {
        Some(Sel::Agent(id)) => {
            if let Some(nv) = props.snap.frame.nodes.get(id as usize) {
                s.push_str("<dl class=\"kv\">");
                kv(&mut s, "agent", &format!("a{id}"));
                kv(&mut s, "status", status_name(nv.status));
                kv(&mut s, "role", nv.summary.role.name());
                if let Some(e) = nv.summary.epoch {
                    kv(&mut s, "term/epoch", &e.to_string());
                }
                kv(&mut s, "state", &nv.summary.state);
                kv(&mut s, "Lamport", &nv.lamport.to_string());
                kv(&mut s, "vector", &clock_text(nv, ClockMode::Vector));
                kv(&mut s, "local clock", &clock_text(nv, ClockMode::Physical));
                if let Some(b) = nv.byzantine {
                    kv(&mut s, "Byzantine", b.name());
                }
                if let Some(t) = suspicion(&props.snap, id) {
                    let _ = write!(
                        s,
                        "<dt>suspicion</dt><dd data-testid=\"inspector-suspected\">{}</dd>",
                        Esc(&t)
                    );
                }
                if !nv.summary.suspects.is_empty() {
                    let who: Vec<String> = nv
                        .summary
                        .suspects
                        .iter()
                        .map(|s| format!("a{s}"))
                        .collect();
                    kv(&mut s, "suspects", &who.join(", "));
                }
                s.push_str("<dt>log</dt><dd>");
                if nv.summary.log.is_empty() {
                    s.push('—');
                } else {
                    s.push_str("<ol class=\"log\">");
                    for l in &nv.summary.log {
                        let _ = write!(s, "<li>{}</li>", Esc(l));
                    }
                    s.push_str("</ol>");
                }
                s.push_str("</dd></dl>");
            }
        }
        Some(Sel::Msg(id)) => {
            if let Some(m) = &props.msg {
                s.push_str("<dl class=\"kv\">");
                kv(&mut s, "message", &format!("#{id} {}", m.kind));
                kv(&mut s, "route", &format!("a{} → a{}", m.from.0, m.to.0));
                // Moments read as the metrics panel reads them ("1.219567 s"), not as links
                // write them ("1219567us").
                kv(&mut s, "sent", &readable(m.sent));
                if let Fate::Dropped(_) = m.fate {
                    // A lost message's `deliver_at` is where it dies (half-way for one lost on
                    // the way): it has no latency.
                    kv(&mut s, "lost at", &readable(m.deliver_at));
                } else {
                    kv(&mut s, "due", &readable(m.deliver_at));
                    kv(
                        &mut s,
                        "latency",
                        &readable(Time(m.deliver_at.0.saturating_sub(m.sent.0))),
                    );
                }
                let fate = match m.fate {
                    Fate::InFlight => "in flight".to_string(),
                    Fate::Delivered => "delivered".into(),
                    Fate::Dropped(r) => format!("dropped: {}", r.name()),
                };
                kv(&mut s, "fate", &fate);
                if let Some(c) = m.copy_of {
                    kv(&mut s, "duplicate of", &format!("#{c}"));
                }
                kv(&mut s, "Lamport", &m.lamport.to_string());
                let _ = write!(
                    s,
                    "<dt>content</dt><dd><code>{}</code></dd></dl>",
                    Esc(props.label.as_deref().unwrap_or("—"))
                );
            }
        }
        None => s.push_str(
            "<p class=\"hint\">Click an agent or a message to see everything about it.</p>",
        ),
    }
    html! {
        <section class="panel inspector" aria-label="Inspector" data-testid="inspector">
            { dom::raw(s) }
        </section>
    }
}

/// One row of the inspector's list: the key's `<dt>` and the value's `<dd>`.
fn kv(s: &mut String, key: &str, value: &str) {
    let _ = write!(s, "<dt>{key}</dt><dd>{}</dd>", Esc(value));
}

/// An agent's status as the inspector words it (`Up`, `Crashed`, `Paused`).
fn status_name(s: Status) -> &'static str {
    match s {
        Status::Up => "Up",
        Status::Crashed => "Crashed",
        Status::Paused => "Paused",
    }
}

/// Who suspects agent `id`, in words, if anyone live does.
fn suspicion(snap: &Snap, id: u32) -> Option<String> {
    let by = manip::suspected_by(&snap.frame.nodes);
    let nv = snap.frame.nodes.get(id as usize)?;
    let mine = by.get(id as usize).filter(|b| !b.is_empty())?;
    Some(manip::suspicion_text(id, mine, nv.status))
}

/// One of the agent's links, for the menu's cut / mend item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeerLink {
    pub peer: u32,
    pub cut: bool,
    /// Across the partition: only healing reconnects it.
    pub across: bool,
}

#[derive(Properties, PartialEq)]
pub struct AgentMenuProps {
    pub node: NodeView,
    /// Where the menu's top-left corner goes on the stage, as fractions of its width and height
    /// ([`geom::menu_at`](super::geom::menu_at)).
    pub x: f64,
    pub y: f64,
    pub on_act: Callback<Action>,
    pub on_side: Callback<u32>,
    pub on_close: Callback<()>,
    /// The agent's links to every other agent.
    #[prop_or_default]
    pub links: Vec<PeerLink>,
}

#[component]
pub fn AgentMenu(props: &AgentMenuProps) -> Html {
    let nv = &props.node;
    let id = nv.id;
    // The request's text and the picked peer. (A `use_mut_ref` and a forced update rather than
    // `use_state`s: each state type compiles its own copy of yew's reducer machinery.)
    let menu = use_mut_ref(|| ("x=1".to_string(), None::<u32>));
    let force = use_force_update();
    let (request, peer) = menu.borrow().clone();
    // The chosen peer (the first other agent until one is picked).
    let chosen = peer
        .and_then(|p| props.links.iter().find(|l| l.peer == p))
        .or(props.links.first())
        .copied();
    let pick = {
        let (menu, force) = (menu.clone(), force.clone());
        Callback::from(move |e: Event| {
            if let Some(v) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<u32>().ok())
            {
                menu.borrow_mut().1 = Some(v);
                force.force_update();
            }
        })
    };
    let link_btn = chosen.map(|l| {
        let (label, action) = if l.cut {
            (
                format!("Mend link to a{}", l.peer),
                Some(Action::Mend(id, NodeId(l.peer))),
            )
        } else if l.across {
            (format!("a{} is across the partition", l.peer), None)
        } else {
            (
                format!("Cut link to a{}", l.peer),
                Some(Action::Cut(id, NodeId(l.peer))),
            )
        };
        let cb = props.on_act.clone();
        let disabled = action.is_none();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(a) = action.clone() {
                cb.emit(a)
            }
        });
        html! {
            <div class="links">
                <select onchange={pick} aria-label="Link to which agent" data-testid="menu-link-peer">
                    { for props.links.iter().map(|p| html! {
                        <option value={p.peer.to_string()} selected={Some(p.peer) == chosen.map(|c| c.peer)}>
                            { format!("a{}{}", p.peer, if p.cut { " (cut)" } else if p.across { " (walled off)" } else { "" }) }
                        </option>
                    }) }
                </select>
                <button role="menuitem" {onclick} {disabled} data-testid="menu-link">{ label }</button>
            </div>
        }
    });
    let act = |a: Action| {
        let cb = props.on_act.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let crash = if nv.status == Status::Crashed {
        ("Recover", act(Action::Recover(id)))
    } else {
        ("Crash", act(Action::Crash(id)))
    };
    let pause = if nv.status == Status::Paused {
        ("Resume", act(Action::Resume(id)))
    } else {
        ("Pause", act(Action::Pause(id)))
    };
    let byz = {
        let cb = props.on_act.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()) {
                cb.emit(Action::Byzantine(id, ByzantineMode::from_name(&v)))
            }
        })
    };
    let req_in = {
        let (menu, force) = (menu.clone(), force.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                menu.borrow_mut().0 = i.value();
                force.force_update();
            }
        })
    };
    let send = {
        let cb = props.on_act.clone();
        let menu = menu.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = menu.borrow().0.clone();
            cb.emit(Action::Client(id, request))
        })
    };
    let side = {
        let cb = props.on_side.clone();
        Callback::from(move |_: MouseEvent| cb.emit(id.0))
    };
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let style = format!(
        "left:{}%;top:{}%",
        Fixed(props.x * 100.0, 1),
        Fixed(props.y * 100.0, 1)
    );
    html! {
        <div class="agent-menu" {style} role="menu" aria-label={format!("Agent a{} actions", id.0)} data-testid="agent-menu">
            <div class="menu-head"><strong>{ format!("a{}", id.0) }</strong><span>{ nv.summary.role.name() }</span>
                <button class="x" aria-label="Close menu" onclick={close}>{ "×" }</button></div>
            <div class="pair">
                <button role="menuitem" onclick={crash.1} data-testid="menu-crash">{ crash.0 }</button>
                <button role="menuitem" onclick={pause.1} data-testid="menu-pause">{ pause.0 }</button>
            </div>
            <button role="menuitem" onclick={side} data-testid="menu-side" title="p">{ "Other side of partition" }</button>
            { link_btn.unwrap_or_default() }
            <label class="byz">{ "Byzantine " }
                <select onchange={byz} aria-label="Byzantine behaviour" data-testid="menu-byzantine">
                    <option value="honest" selected={nv.byzantine.is_none()}>{ "honest" }</option>
                    { for ByzantineMode::ALL.iter().map(|m| html! { <option value={m.name()} selected={nv.byzantine == Some(*m)}>{ m.name() }</option> }) }
                </select>
            </label>
            <form class="client" onsubmit={send}>
                <input type="text" value={request} oninput={req_in} aria-label="Client request text" size="8" />
                <button type="submit" data-testid="menu-client">{ "Send request" }</button>
            </form>
        </div>
    }
}
