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
    /// How many agents the stage shows (the menu finds its place again when it changes).
    pub n: usize,
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
    // Its place on the stage, found after it is drawn from what the stage drew (`place_menu`):
    // again for another agent or agent count and on a resize, not on the renders between (an
    // effect on every render that looks at one attribute). `placing` holds the agent, the
    // "agent/count" it was placed for and the resize listener, made on the first render and
    // dropped with the menu (it holds `placing` weakly: no cycle keeps it).
    let menu_ref = use_node_ref();
    let placing = use_mut_ref(|| (0, String::new(), None::<gloo::events::EventListener>));
    {
        let (menu_ref, placing) = (menu_ref.clone(), placing.clone());
        let placed = format!("{}/{}", id.0, props.n);
        use_effect(move || {
            let mut p = placing.borrow_mut();
            p.0 = id.0;
            p.1.clone_from(&placed);
            if p.2.is_none() {
                let (menu_ref, weak) = (menu_ref.clone(), Rc::downgrade(&placing));
                p.2 = web_sys::window().map(|w| {
                    gloo::events::EventListener::new(&w, "resize", move |_| {
                        if let Some(p) = weak.upgrade() {
                            let (id, key) = (p.borrow().0, p.borrow().1.clone());
                            place_menu(&menu_ref, id, &key, true);
                        }
                    })
                });
            }
            drop(p);
            place_menu(&menu_ref, id.0, &placed, false);
        });
    }
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
    html! {
        <div class="agent-menu" ref={menu_ref} role="menu" aria-label={format!("Agent a{} actions", id.0)} data-testid="agent-menu">
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

/// Puts the agent menu where it covers least of the stage ([`menu_spot`]) and shows it (it is
/// hidden until then, styles/ui.css). `placed` names what it is placed for ("agent/count"); a
/// menu already placed for it is left alone unless `again` (a resize), so the renders while the
/// run plays read no layout. Should the stage not be measurable, the menu is shown where it is.
fn place_menu(menu_ref: &NodeRef, id: u32, placed: &str, again: bool) {
    let Some(menu) = menu_ref.cast::<web_sys::HtmlElement>() else {
        return;
    };
    if !again && menu.get_attribute("data-placed").as_deref() == Some(placed) {
        return;
    }
    if let Some((left, top)) = menu_spot(&menu, id) {
        let style = menu.style();
        let px = |v: f64| format!("{}px", Fixed(v, 1));
        let _ = style.set_property("left", &px(left));
        let _ = style.set_property("top", &px(top));
    }
    let _ = menu.set_attribute("data-placed", placed);
}

/// Where agent `id`'s `menu` goes ([`geom::menu_at`]), relative to the stage's box: clear of the
/// agents' discs and labels, cut links, the suspicion key and the embed's title link as drawn
/// (their boxes on screen, in stage units), for the menu's own size as drawn and the stage's
/// `xMidYMid meet` fit in its box. None for a menu that is not absolutely positioned (under the
/// stage, on a phone), or a stage that cannot be measured.
///
/// [`geom::menu_at`]: super::geom::menu_at
fn menu_spot(menu: &web_sys::HtmlElement, id: u32) -> Option<(f64, f64)> {
    use super::geom;
    use crate::sim::decimal::ClampF as _;
    use crate::sim::parse_float::parse_f64;
    use wasm_bindgen::JsCast;
    let win = web_sys::window()?;
    let position = win
        .get_computed_style(menu)
        .ok()
        .flatten()
        .and_then(|c| c.get_property_value("position").ok());
    if position.as_deref() != Some("absolute") {
        return None;
    }
    let doc = win.document()?;
    let svg = doc.query_selector("[data-testid=stage]").ok()??;
    let wrap = svg.closest(".stage-wrap").ok()??;
    let view: Vec<f64> = svg
        .get_attribute("viewBox")?
        .split_whitespace()
        .filter_map(parse_f64)
        .collect();
    let (w, h) = (*view.get(2)?, *view.get(3)?);
    let r = svg.get_bounding_client_rect();
    let scale = (r.width() / w).min(r.height() / h);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let (ox, oy) = (
        r.left() + (r.width() - w * scale) / 2.0,
        r.top() + (r.height() - h * scale) / 2.0,
    );
    let units = |e: &web_sys::Element| {
        let b = e.get_bounding_client_rect();
        (
            (b.left() - ox) / scale,
            (b.top() - oy) / scale,
            (b.right() - ox) / scale,
            (b.bottom() - oy) / scale,
        )
    };
    let mut obstacles = vec![];
    let mut at = None;
    for j in 0.. {
        let Some(g) = svg
            .query_selector(&format!("[data-testid=agent-{j}]"))
            .ok()
            .flatten()
        else {
            break;
        };
        let own = j == id;
        if let Some(body) = g.query_selector(".body").ok().flatten() {
            let b = units(&body);
            if own {
                at = Some(((b.0 + b.2) / 2.0, (b.1 + b.3) / 2.0));
            }
            obstacles.push((b, geom::menu_weight(own, true)));
        }
        obstacles.push((units(&g), geom::menu_weight(own, false)));
    }
    // Cut links (partitions' too): boxes every 10 units along them, each counting twice.
    if let Ok(cut) = svg.query_selector_all("[data-testid=cut-link] line:not(.link-hit)") {
        for k in 0..cut.length() {
            let Some(line) = cut
                .item(k)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let end = |a: &str| line.get_attribute(a).and_then(|v| parse_f64(&v));
            let (Some(x1), Some(y1), Some(x2), Some(y2)) =
                (end("x1"), end("y1"), end("x2"), end("y2"))
            else {
                continue;
            };
            let len = ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1)).sqrt();
            let steps = libm::ceil(len / 10.0).clamp_f(1.0, 200.0) as usize;
            for t in 0..=steps {
                let f = t as f64 / steps as f64;
                let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
                obstacles.push(((x - 4.0, y - 4.0, x + 4.0, y + 4.0), 2.0));
            }
        }
    }
    // The suspicion key, and in embed mode the title link over the stage's corner.
    for sel in ["[data-testid=suspect-legend]", ".open-full"] {
        if let Some(e) = doc.query_selector(sel).ok().flatten() {
            obstacles.push((units(&e), 1.0));
        }
    }
    let size = (
        menu.offset_width() as f64 / scale,
        menu.offset_height() as f64 / scale,
    );
    let (x, y) = geom::menu_at(at?, &obstacles, (w, h), size);
    let wr = wrap.get_bounding_client_rect();
    Some((
        ox + x * scale - wr.left() - wrap.client_left() as f64,
        oy + y * scale - wr.top() - wrap.client_top() as f64,
    ))
}
