//! Protocols: one sans-IO state machine per mental model.
pub mod bully;
pub mod cap;
pub mod causal;
pub mod causal_scenario;
pub mod gossip;
pub mod gossip_scenario;
pub mod heartbeat;
pub mod quorum;
pub mod raft_election;
pub mod sessions;
pub mod sessions_scenario;
pub mod strong_register;
pub mod two_generals;
