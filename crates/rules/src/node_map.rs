//! Maps keyed by syntax node ids, with a hasher made for them.
//!
//! A tree-sitter node id is an address. The standard hasher resists keys
//! chosen by an attacker, which addresses are not, at several times the
//! cost; the analysers look a node up at every step of their walks, and
//! the shell analyser records a parent for every node.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A map from node ids.
pub type NodeMap<V> = HashMap<usize, V, BuildHasherDefault<NodeIdHasher>>;

/// A set of node ids.
pub type NodeSet = HashSet<usize, BuildHasherDefault<NodeIdHasher>>;

/// Hashes one `usize` with a multiplication, then folds the well-mixed
/// high half onto the low one, where the table picks buckets (addresses
/// are aligned, so their own low bits hardly vary).
#[derive(Debug, Default)]
pub struct NodeIdHasher(u64);

/// An odd constant with its bits spread (2^64 divided by the golden ratio).
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for NodeIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not used for `usize` keys; any bytes still hash correctly.
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(SPREAD);
        }
    }

    fn write_usize(&mut self, id: usize) {
        self.0 = (self.0 ^ id as u64).wrapping_mul(SPREAD);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_ids_spread_over_the_low_bits() {
        // Ids 16 bytes apart, as allocations are: the low 7 bits of their
        // hashes (where a table of 128 buckets looks) take many values.
        let lows: HashSet<u64> = (0..128usize)
            .map(|i| {
                let mut hasher = NodeIdHasher::default();
                hasher.write_usize(0x7f00_0000_1000 + i * 16);
                hasher.finish() & 0x7f
            })
            .collect();
        assert!(lows.len() > 64, "{}", lows.len());
    }

    #[test]
    fn maps_keep_what_is_put_in() {
        let mut map: NodeMap<&str> = NodeMap::default();
        map.insert(0x10, "a");
        map.insert(0x20, "b");
        assert_eq!(map.get(&0x10), Some(&"a"));
        assert_eq!(map.get(&0x20), Some(&"b"));
        assert_eq!(map.get(&0x30), None);
    }
}
