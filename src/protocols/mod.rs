//! Protocols: one sans-IO state machine per mental model.
pub mod heartbeat;
pub mod quorum;
