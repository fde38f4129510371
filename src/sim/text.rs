//! Substring search for the few `&str` patterns the code splits on (`".."`, `"\n\n"`), without
//! core's `StrSearcher` (the two-way algorithm, ~2 KB of the wasm). A plain byte scan: a match
//! of a UTF-8 pattern starts on a char boundary, so slicing at it is safe. Same results as
//! `str::find`, `split_once` and `split` for a non-empty pattern.

/// The byte index of the first `pat` in `s`, as `s.find(pat)`.
pub fn find(s: &str, pat: &str) -> Option<usize> {
    s.as_bytes()
        .windows(pat.len().max(1))
        .position(|w| w == pat.as_bytes())
}

/// `s.split_once(pat)`.
pub fn split_once<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    find(s, pat).map(|i| (&s[..i], &s[i + pat.len()..]))
}

/// `s.split(pat)`: the pieces between non-overlapping matches, left to right.
pub fn split<'a>(s: &'a str, pat: &'a str) -> impl Iterator<Item = &'a str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        Some(match split_once(r, pat) {
            Some((head, tail)) => {
                rest = Some(tail);
                head
            }
            None => {
                rest = None;
                r
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edges_match_str() {
        for s in [
            "",
            "..",
            "...",
            "a..b..c",
            "1..",
            "..2",
            "é..ü",
            "\n\n\n",
            "a\n\nb\n\n",
            "x",
        ] {
            for pat in ["..", "\n\n", "\n## ", "x", "é."] {
                assert_eq!(find(s, pat), s.find(pat), "{s:?} {pat:?}");
                assert_eq!(split_once(s, pat), s.split_once(pat), "{s:?} {pat:?}");
                assert_eq!(
                    split(s, pat).collect::<Vec<_>>(),
                    s.split(pat).collect::<Vec<_>>()
                );
            }
        }
    }

    proptest! {
        #[test]
        fn random_texts_match_str(s in "[a.\n#é ]{0,30}", pat in "[a.\n#é ]{1,4}") {
            prop_assert_eq!(find(&s, &pat), s.find(pat.as_str()));
            prop_assert_eq!(split_once(&s, &pat), s.split_once(pat.as_str()));
            prop_assert_eq!(split(&s, &pat).collect::<Vec<_>>(), s.split(pat.as_str()).collect::<Vec<_>>());
        }
    }
}
