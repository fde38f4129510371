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

pub use app::App;
pub use gallery::{Gallery, GalleryProps};
pub use page::{PageProps, ScenarioPage};
