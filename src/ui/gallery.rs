//! The gallery: every scenario in the catalogue, grouped as the seed groups them, each card with
//! its title, its one-line AI-agent framing and a small preview of its agents.

use super::geom;
use super::geom::fixed;
use crate::scenario::{Card, Group, CARDS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    #[prop_or_default]
    pub banner: Option<String>,
    pub on_open: Callback<String>,
}

#[component]
pub fn Gallery(props: &GalleryProps) -> Html {
    // The bad-link banner can be dismissed, as on the scenario page.
    let dismissed = use_state(|| false);
    let close = {
        let dismissed = dismissed.clone();
        Callback::from(move |_: MouseEvent| dismissed.set(true))
    };
    let groups = Group::ALL.iter().filter_map(|g| {
        let items: Vec<&'static Card> = CARDS.iter().filter(|s| s.group == *g)
            .collect();
        if items.is_empty() {
            return None;
        }
        Some(html! {
            <section class="gallery-group" aria-label={g.title()}>
                <h2>{ g.title() }</h2>
                <ul class="cards">
                    { for items.into_iter().map(|s| card(s, s.agents.clamp(1, 24), &props.on_open)) }
                </ul>
            </section>
        })
    });
    html! {
        <main class="gallery" data-testid="gallery">
            <header class="app-header">
                <h1 data-testid="app-title">{ "Swarmscope" }</h1>
                <p class="lede">{ "Classic distributed-computing models, run as live, deterministic simulations of AI agents coordinating. Pick one, press play, then break things." }</p>
            </header>
            if let Some(b) = props.banner.as_ref().filter(|_| !*dismissed) {
                <div class="banner" role="alert" data-testid="url-banner">{ b }<button class="x" aria-label="Dismiss" onclick={close}>{ "×" }</button></div>
            }
            { for groups }
        </main>
    }
}

/// A scenario's card; its preview draws `n` agents (as many as its default run has).
fn card(s: &'static Card, n: usize, on_open: &Callback<String>) -> Html {
    let pos = geom::layout(n, 120.0, 80.0);
    let onclick = {
        let on_open = on_open.clone();
        let id = s.id.to_string();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_open.emit(id.clone())
        })
    };
    let href = format!("?s={}&seed=1", s.id);
    html! {
        <li class="card" key={s.id}>
            <a href={href} {onclick} data-testid={format!("card-{}", s.id)} aria-label={format!("Open {}", s.title)}>
                <svg class="preview" viewBox="0 0 120 80" aria-hidden="true">
                    { for pos.pts.iter().enumerate().flat_map(|(i, a)| pos.pts.iter().skip(i + 1).map(move |b| html! {
                        <line x1={f(a.0)} y1={f(a.1)} x2={f(b.0)} y2={f(b.1)} class="preview-link" />
                    })) }
                    { for pos.pts.iter().map(|p| html! { <circle cx={f(p.0)} cy={f(p.1)} r={f(pos.r)} class="preview-node" /> }) }
                </svg>
                <h3>{ s.title }</h3>
                <p>{ s.tagline }</p>
            </a>
        </li>
    }
}

fn f(x: f64) -> String {
    fixed(x, 1)
}
