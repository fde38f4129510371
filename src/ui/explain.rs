//! What the viewer is looking at, in AI-agent terms and in the field's classic terms, and what to
//! try. The texts are not in the wasm: only this panel needs them, for one scenario, so it fetches
//! `texts/<id>.txt` (see `scenario::story`) and shows "loading…" until it arrives.

use super::dom::{self, Esc};
use crate::scenario::story;
use std::cell::Cell;
use std::fmt::Write as _;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExplainProps {
    pub def_id: &'static str,
}

/// The texts file of one scenario, as far as it has come.
#[derive(Clone, PartialEq)]
enum Texts {
    Loading,
    Ready(Rc<str>),
    Failed(String),
}

#[component]
pub fn Explain(props: &ExplainProps) -> Html {
    // Keyed by scenario, so a late answer for the previous one is never shown for this one.
    // (A `use_mut_ref` and a forced update rather than a `use_state`: each state type compiles
    // its own copy of yew's reducer machinery.)
    let texts = use_mut_ref(|| (props.def_id, Texts::Loading));
    let force = use_force_update();
    {
        let texts = texts.clone();
        use_effect_with(props.def_id, move |&id| {
            *texts.borrow_mut() = (id, Texts::Loading);
            force.force_update();
            let gone = Rc::new(Cell::new(false));
            let alive = gone.clone();
            yew::platform::spawn_local(async move {
                let got = match fetch_text(&story::path(id)).await {
                    Ok(t) => match story::parse(&t) {
                        Ok(_) => Texts::Ready(t.into()),
                        Err(e) => Texts::Failed(e.0.into()),
                    },
                    Err(e) => Texts::Failed(e),
                };
                if !alive.get() {
                    *texts.borrow_mut() = (id, got);
                    force.force_update();
                }
            });
            move || gone.set(true)
        });
    }
    let state = match &*texts.borrow() {
        (id, t) if *id == props.def_id => t.clone(),
        _ => Texts::Loading,
    };
    // Paragraphs of text as markup (the texts are only read: see `dom::raw`).
    let paras = |out: &mut String, s: &str| {
        for p in crate::sim::text::split(s, "\n\n") {
            let _ = write!(out, "<p>{}</p>", Esc(p));
        }
    };
    // The panel's content is one string, so yew leaves it (and the details' open state) alone
    // while it is the same.
    let mut m = format!("<h2>{}</h2>", Esc(story::HEADINGS[0]));
    match &state {
        Texts::Loading => {
            m.push_str("<p data-testid=\"explain-loading\" class=\"muted\">loading…</p>");
        }
        Texts::Failed(e) => {
            let _ = write!(
                m,
                "<p role=\"alert\" data-testid=\"explain-error\" class=\"muted\">The explanation could \
                 not be loaded ({}). The simulation works without it; reload the page to try again.</p>",
                Esc(e)
            );
        }
        Texts::Ready(t) => {
            let s = story::parse(t).unwrap_or_default();
            m.push_str("<div data-testid=\"explain-ai\">");
            paras(&mut m, s.ai);
            let _ = write!(
                m,
                "</div><details><summary>{}</summary>",
                Esc(story::HEADINGS[1])
            );
            paras(&mut m, s.classic);
            let _ = write!(
                m,
                "</details><h3>{}</h3><ul class=\"try\">",
                Esc(story::HEADINGS[2])
            );
            for t in &s.try_this {
                let _ = write!(m, "<li>{}</li>", Esc(t));
            }
            m.push_str("</ul>");
        }
    }
    html! {
        <section class="panel explain" aria-label="Explanation" aria-busy={(state == Texts::Loading).then_some("true")}>
            { dom::raw(m) }
        </section>
    }
}

/// GETs `url` (relative to the page) as text; an HTTP error status is an error.
async fn fetch_text(url: &str) -> Result<String, String> {
    let words = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("network error: {}", words(e)))?
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {} for {url}", resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(words)?)
        .await
        .map_err(words)?;
    text.as_string()
        .ok_or_else(|| "the answer is not text".into())
}
