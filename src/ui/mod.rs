//! The browser UI (Yew), compiled only with the `web` feature. It reads the simulation's trace and
//! turns clicks into interventions; it never pokes protocol state (see DESIGN.md).
//!
//! PLACEHOLDER: `app.rs` is a minimal app that proves the build and test chain end to end
//! (header, one button, a counter). The UI issue replaces it; keep the `data-testid`s used by
//! tests/web.rs and tests/e2e/ or update those tests with it.

mod app;

pub use app::{App, Counter};
