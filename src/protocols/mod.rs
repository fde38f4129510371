//! Protocols: one sans-IO state machine per mental model.
pub mod bully;
pub mod heartbeat;
pub mod raft_election;
