//! Hooks: the animation loop and document-level listeners.

mod animation;
pub use animation::use_animation_frame;
