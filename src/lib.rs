//! Swarmscope: a deterministic distributed-systems laboratory for AI-agent coordination.
//!
//! The core (`sim`, `protocols`, `check`, `scenario`) is free of UI crates and builds and tests
//! natively with the `web` feature off. The Yew explorer lives in `ui`, behind the `web` feature.

pub mod check;
pub mod jobs;
pub mod protocols;
pub mod scenario;
pub mod sim;

#[cfg(feature = "web")]
pub mod ui;
