//! Checkers: per-protocol invariants and consistency checkers over client histories.
