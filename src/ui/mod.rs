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
/// curves for the quorum store, the election-time CDF for Raft.
pub type Study = fn(&str, &Rc<BTreeMap<String, String>>) -> Html;

/// What one browser build of the app holds. Only what it names is linked into its wasm: the
/// full app (src/main.rs) names everything ([`FULL`]); the page builds (src/bin/web/, one per
/// page, see scripts/pages.mjs) the gallery alone, or one scenario's page alone. A page this
/// build does not draw is loaded with the build that does (`app`).
#[derive(Clone, Copy)]
pub struct Build {
    /// The scenarios it runs ([`crate::scenario::install`]).
    pub scenarios: &'static [Builder],
    /// The studies it draws.
    pub study: Study,
    /// The gallery, if it draws it.
    pub gallery: Option<fn(GalleryProps) -> Html>,
    /// The scenario page, if it draws one.
    pub page: Option<fn(PageProps) -> Html>,
}

/// Everything: the full app, and the browser tests.
pub const FULL: Build = Build {
    scenarios: crate::scenario::BUILDERS,
    study: every_study,
    gallery: Some(gallery),
    page: Some(page),
};

/// The gallery's build: no scenario, no page.
pub const GALLERY: Build = Build {
    scenarios: &[],
    study: no_study,
    gallery: Some(gallery),
    page: None,
};

/// The build of one scenario's page: that scenario, that study, no gallery.
pub const fn page_of(scenario: &'static [Builder], study: Study) -> Build {
    Build {
        scenarios: scenario,
        study,
        gallery: None,
        page: Some(page),
    }
}

thread_local! {
    static BUILD: std::cell::Cell<Build> = const {
        std::cell::Cell::new(Build { scenarios: &[], study: no_study, gallery: None, page: None })
    };
}

/// Makes `build` this program's: its scenarios installed, its pages and studies drawn. Called
/// once by [`start`] (the browser tests call it with [`FULL`] before they render).
pub fn install(build: Build) {
    crate::scenario::install(build.scenarios);
    BUILD.with(|b| b.set(build));
}

/// This program's build ([`install`]).
pub(crate) fn build() -> Build {
    BUILD.with(|b| b.get())
}

fn gallery(props: GalleryProps) -> Html {
    html! { <Gallery ..props /> }
}

fn page(props: PageProps) -> Html {
    let key = props.run.scenario.clone();
    html! { <ScenarioPage {key} ..props /> }
}

/// No study (most scenarios).
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
    (build().study)(id, params)
}

/// Starts the app on `<body>`: the panic overlay first, then [`install`], then the Yew app.
pub fn start(b: Build) {
    panic::install();
    install(b);
    yew::Renderer::<App>::new().render();
}

pub use app::App;
pub use gallery::{Gallery, GalleryProps};
pub use page::{PageProps, ScenarioPage};
