//! The browser UI (Yew), compiled only with the `web` feature. It reads the simulation's trace and
//! turns clicks into interventions; it never pokes protocol state (see DESIGN.md).
//!
//! Layout: `app` routes between the `gallery` and the scenario `page`; the page owns the run
//! (`engine`, held in a `use_mut_ref`, never in a reducer) and draws it with the `stage`, the
//! `spacetime` diagram, `controls`, `sliders` and the side panels. `geom` holds the drawing
//! geometry, `dom` the few browser calls, `panic` the crash overlay.

mod app;
mod canvas;
mod cdf;
mod controls;
pub mod dom;
pub mod engine;
mod explain;
mod gallery;
pub mod geom;
mod guarantees;
mod help;
pub mod hooks;
mod inspector;
pub mod manip;
mod metrics;
mod pacelc;
mod page;
pub mod paint;
pub mod panic;
pub mod raster;
mod sliders;
mod spacetime;
mod stage;
mod stage_layers;
pub mod worker;

use crate::scenario::Builder;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// A scenario's own study, drawn under its diagram: `(scenario id, its parameters)`; the PACELC
/// curves for the quorum store, the election-time CDF for Raft. A browser build names the studies
/// it links, as it names its scenarios ([`start`]).
pub type Study = fn(&str, &Rc<BTreeMap<String, String>>) -> Html;

thread_local! {
    static STUDY: std::cell::Cell<Study> = const { std::cell::Cell::new(no_study) };
}

/// No study (most scenarios, and the gallery's build).
pub fn no_study(_: &str, _: &Rc<BTreeMap<String, String>>) -> Html {
    Html::default()
}

/// The quorum store's PACELC panel.
pub fn pacelc_study(id: &str, params: &Rc<BTreeMap<String, String>>) -> Html {
    match id {
        "quorum" => html! { <pacelc::Pacelc params={params.clone()} /> },
        _ => Html::default(),
    }
}

/// Raft's election-time panel.
pub fn election_study(id: &str, params: &Rc<BTreeMap<String, String>>) -> Html {
    match id {
        "raft-election" => html! { <cdf::ElectionCdf params={params.clone()} /> },
        _ => Html::default(),
    }
}

/// Every study (the full app).
pub fn every_study(id: &str, params: &Rc<BTreeMap<String, String>>) -> Html {
    match id {
        "quorum" => pacelc_study(id, params),
        _ => election_study(id, params),
    }
}

/// The study panel this build draws for scenario `id`.
pub(crate) fn study(id: &str, params: &Rc<BTreeMap<String, String>>) -> Html {
    STUDY.with(|s| s.get())(id, params)
}

/// Starts the app on `<body>` with the scenarios and studies this build links: the panic
/// overlay first, then the Yew app. The full app passes every scenario
/// ([`crate::scenario::BUILDERS`], [`every_study`]); a one-page build (src/bin/web/) its own.
/// Any other page is loaded with its own build (`app`).
pub fn start(scenarios: &'static [Builder], study: Study) {
    panic::install();
    crate::scenario::install(scenarios);
    STUDY.with(|s| s.set(study));
    yew::Renderer::<App>::new().render();
}

pub use app::App;
pub use gallery::{Gallery, GalleryProps};
pub use page::{PageProps, ScenarioPage};
