//! A map kept as a sorted `Vec`, for small maps in the browser's code (cut links, open client
//! operations, a replica's pending operations, the terms of a Raft run). Each `BTreeMap` key/value pair compiles its own B-tree
//! (insert, split, remove, rebalance, clone: 3–5 KB of wasm each); this is a binary search over a
//! vector, a few hundred bytes, and as fast for the few dozen entries these maps hold. It
//! iterates in key order like a `BTreeMap`, so nothing that walks it changes.

/// A sorted-vector map with unique keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap(Vec::new())
    }

    fn find(&self, k: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| x.cmp(k))
    }

    /// Inserts or replaces, returning the old value like `BTreeMap::insert`.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        match self.find(&k) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, v)),
            Err(i) => {
                self.0.insert(i, (k, v));
                None
            }
        }
    }

    pub fn get(&self, k: &K) -> Option<&V> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        self.find(k).ok().map(|i| &mut self.0[i].1)
    }

    /// The value at `k`, inserting `make()` first if there is none.
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&k) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (k, make()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn contains_key(&self, k: &K) -> bool {
        self.find(k).is_ok()
    }

    pub fn remove(&mut self, k: &K) -> Option<V> {
        self.find(k).ok().map(|i| self.0.remove(i).1)
    }

    pub fn clear(&mut self) {
        self.0.clear()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Entries in ascending key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Keys in ascending order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Values in ascending key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    /// Entries in ascending key order.
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_btreemap() {
        let mut ours = VecMap::new();
        let mut std = BTreeMap::new();
        let mut x: u32 = 7;
        for step in 0..2000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let k = (x >> 16) % 50;
            match step % 4 {
                0 | 1 => assert_eq!(ours.insert(k, step), std.insert(k, step)),
                2 => assert_eq!(ours.remove(&k), std.remove(&k)),
                _ => {
                    *ours.get_or_insert_with(k, || 0) += 1;
                    *std.entry(k).or_insert(0) += 1;
                }
            }
            assert_eq!(ours.get(&k), std.get(&k));
            assert_eq!(ours.contains_key(&(k + 1)), std.contains_key(&(k + 1)));
            assert_eq!(ours.len(), std.len());
        }
        assert!(ours.keys().eq(std.keys()));
        assert!(ours.values().eq(std.values()));
        assert!(ours.iter().eq(std.iter()));
        assert!(ours.clone().into_iter().eq(std.clone()));
        ours.clear();
        assert!(ours.is_empty());
    }
}
