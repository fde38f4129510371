//! The network: per-link latency distributions, loss, duplication, optional per-link FIFO, and
//! partitions (groups that may change at any time, plus one-way cuts of single links).
//!
//! Partitions and cuts are plain data consulted at send time *and* at delivery time: a message in
//! flight when a wall goes up dies at the wall (turmoil's model: "hold" is the sender's problem).

use super::agent::NodeId;
use super::dist::Dist;
use super::time::Time;
use super::vecmap::VecMap;
use serde::{Deserialize, Serialize};

/// How one link (or every link, by default) behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    pub latency: Dist,
    /// Probability a message is lost, in `[0, 1]`.
    pub loss: f64,
    /// Probability a message is delivered twice, in `[0, 1]`.
    pub duplicate: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            latency: Dist::Uniform(10.0, 20.0),
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

/// The network's configuration and partition state.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub default: LinkConfig,
    /// Per directed link overrides.
    pub overrides: VecMap<(NodeId, NodeId), LinkConfig>,
    /// Deliver in send order on each directed link.
    pub fifo: bool,
    /// Partition group of each node; empty = fully connected.
    groups: Vec<u32>,
    /// Directed links that are cut regardless of groups.
    cut: VecMap<(NodeId, NodeId), ()>,
    /// Last delivery time per directed link, kept only in FIFO mode.
    last_delivery: VecMap<(NodeId, NodeId), Time>,
}

/// Why a partition request is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionError(pub String);

impl Network {
    pub fn new(default: LinkConfig) -> Network {
        Network {
            default,
            overrides: VecMap::new(),
            fifo: false,
            groups: vec![],
            cut: VecMap::new(),
            last_delivery: VecMap::new(),
        }
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        self.overrides.get(&(from, to)).unwrap_or(&self.default)
    }

    /// Can a message go from `from` to `to` right now?
    pub fn connected(&self, from: NodeId, to: NodeId) -> bool {
        if from == to {
            return true;
        }
        if self.cut.contains_key(&(from, to)) {
            return false;
        }
        if self.groups.is_empty() {
            return true;
        }
        let g = |n: NodeId| self.groups.get(n.index()).copied().unwrap_or(u32::MAX);
        g(from) == g(to)
    }

    pub fn is_partitioned(&self) -> bool {
        !self.groups.is_empty() || !self.cut.is_empty()
    }

    /// The partition's groups, for drawing (empty when whole).
    pub fn groups(&self) -> &[u32] {
        &self.groups
    }

    pub fn cut_links(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cut.keys()
    }

    /// Splits `n` nodes into the given groups. Nodes not named form one more group together.
    pub fn partition(&mut self, n: usize, groups: &[Vec<NodeId>]) -> Result<(), PartitionError> {
        let mut assign = vec![u32::MAX; n];
        for (gi, g) in groups.iter().enumerate() {
            for node in g {
                let slot = assign.get_mut(node.index()).ok_or_else(|| {
                    PartitionError(format!(
                        "agent {node} does not exist (there are {n} agents, 0..{})",
                        n.saturating_sub(1)
                    ))
                })?;
                if *slot != u32::MAX {
                    return Err(PartitionError(format!(
                        "agent {node} is named in two groups"
                    )));
                }
                *slot = gi as u32;
            }
        }
        let rest = groups.len() as u32;
        for a in assign.iter_mut() {
            if *a == u32::MAX {
                *a = rest;
            }
        }
        self.groups = assign;
        Ok(())
    }

    /// Removes every partition and cut.
    pub fn heal(&mut self) {
        self.groups.clear();
        self.cut.clear();
    }

    /// Cuts the directed link `from → to` (call twice for both directions).
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cut.insert((from, to), ());
    }

    pub fn mend(&mut self, from: NodeId, to: NodeId) {
        self.cut.remove(&(from, to));
    }

    /// Applies FIFO ordering to a proposed delivery time on a link.
    pub fn order_delivery(&mut self, from: NodeId, to: NodeId, proposed: Time) -> Time {
        if !self.fifo {
            return proposed;
        }
        let last = self
            .last_delivery
            .get_or_insert_with((from, to), || Time::ZERO);
        let at = if proposed < *last { *last } else { proposed };
        *last = at;
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u32]) -> Vec<NodeId> {
        v.iter().map(|i| NodeId(*i)).collect()
    }

    #[test]
    fn partitions_cut_exactly_the_links_between_groups() {
        let mut net = Network::new(LinkConfig::default());
        net.partition(5, &[ids(&[0, 1]), ids(&[2, 3])]).unwrap();
        // Node 4 is in the implicit third group.
        for a in 0..5u32 {
            for b in 0..5u32 {
                let same = matches!((a, b), (0 | 1, 0 | 1) | (2 | 3, 2 | 3) | (4, 4));
                assert_eq!(net.connected(NodeId(a), NodeId(b)), same, "{a}->{b}");
            }
        }
        net.heal();
        assert!(net.connected(NodeId(0), NodeId(4)));
    }

    #[test]
    fn one_way_cuts_are_directed() {
        let mut net = Network::new(LinkConfig::default());
        net.cut(NodeId(0), NodeId(1));
        assert!(!net.connected(NodeId(0), NodeId(1)));
        assert!(net.connected(NodeId(1), NodeId(0)));
        net.mend(NodeId(0), NodeId(1));
        assert!(net.connected(NodeId(0), NodeId(1)));
    }

    #[test]
    fn partitions_naming_unknown_agents_are_rejected() {
        let mut net = Network::new(LinkConfig::default());
        assert!(net.partition(3, &[ids(&[0, 7])]).is_err());
        assert!(net.partition(3, &[ids(&[0]), ids(&[0])]).is_err());
        assert!(!net.is_partitioned());
    }

    #[test]
    fn fifo_never_delivers_before_an_earlier_send() {
        let mut net = Network::new(LinkConfig::default());
        net.fifo = true;
        let a = net.order_delivery(NodeId(0), NodeId(1), Time(100));
        let b = net.order_delivery(NodeId(0), NodeId(1), Time(50));
        assert_eq!((a, b), (Time(100), Time(100)));
        assert_eq!(net.order_delivery(NodeId(1), NodeId(0), Time(10)), Time(10));
    }
}
