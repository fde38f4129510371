//! The wasm entry that trunk builds.
fn main() {}
