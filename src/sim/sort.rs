//! One stable sort for the whole crate. `slice::sort_by` is generic, so each element type and
//! comparator compiles its own copy of the standard library's driftsort (about 3.5 KB of wasm
//! each; the browser build carried ten). Here the sort runs once, non-generic, on a permutation
//! of `u32` indices with a `dyn` comparator; the permutation is then applied by swaps.
//! The results are those of `slice::sort_by` (both are stable), so traces do not change.
//! Use it where a list is short or sorted once; keep `slice::sort*` in hot loops.

use std::cmp::Ordering;

/// Stable sort by a comparator, like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut idx = permutation(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    apply(&mut idx, &mut |a, b| v.swap(a, b));
}

/// Stable sort by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)))
}

/// Sorts in ascending order, like `slice::sort` (for plain values also what `sort_unstable`
/// gives: equal elements cannot be told apart).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp)
}

/// The stable order of `0..n` under `cmp`: `result[i]` is the index of the i-th smallest.
///
/// A bottom-up merge sort (runs of 1, 2, 4, … merged pairwise; a pair already in order is copied
/// without comparing its elements): for the browser build ~2 KB gzipped less than the standard
/// library's driftsort, which was its only instance. For a total order every stable sort gives
/// this same result.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let n32 = u32::try_from(n).expect("fewer than 2^32 elements to sort");
    let mut idx: Vec<u32> = (0..n32).collect();
    let mut out = idx.clone();
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut a, mut b) = (lo, mid);
            if mid < hi && cmp(idx[mid] as usize, idx[mid - 1] as usize) == Ordering::Less {
                for slot in &mut out[lo..hi] {
                    // The left run's element wins ties: stable.
                    let take_b = a == mid
                        || (b < hi && cmp(idx[b] as usize, idx[a] as usize) == Ordering::Less);
                    if take_b {
                        *slot = idx[b];
                        b += 1;
                    } else {
                        *slot = idx[a];
                        a += 1;
                    }
                }
            } else {
                out[lo..hi].copy_from_slice(&idx[lo..hi]);
            }
            lo = hi;
        }
        std::mem::swap(&mut idx, &mut out);
        width *= 2;
    }
    idx
}

/// Moves element `idx[j]` to position `j` for every `j`, following each cycle of the permutation
/// once (a cycle is met first at its smallest position; visited positions are marked `idx[j] = j`).
#[inline(never)]
fn apply(idx: &mut [u32], swap: &mut dyn FnMut(usize, usize)) {
    for i in 0..idx.len() {
        let mut j = i;
        loop {
            let k = idx[j] as usize;
            idx[j] = j as u32;
            if k == i {
                break;
            }
            swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs sorted by the first field only: stability shows in the second.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in [0usize, 1, 2, 3, 7, 20, 21, 64, 200, 1000] {
            let v: Vec<(u8, u32)> = (0..n as u32)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x % 5) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            let mut std = v.clone();
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "n = {n}");
            let mut ours = v.clone();
            let mut std = v;
            sort_by(&mut ours, |a, b| b.cmp(a));
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std, "n = {n}, descending");
        }
    }

    #[test]
    fn sorts_floats_by_total_order() {
        let mut v = vec![3.5, -0.0, f64::NAN, 0.0, -2.0, f64::INFINITY];
        sort_by(&mut v, f64::total_cmp);
        let bits: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
        let mut w = [3.5, -0.0, f64::NAN, 0.0, -2.0, f64::INFINITY];
        w.sort_by(f64::total_cmp);
        assert_eq!(bits, w.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }
}
