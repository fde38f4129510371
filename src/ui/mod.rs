//! The explorer UI (Yew), behind the `web` feature.
