//! Decimal text for `f64`, byte for byte what `format!` prints, from one small exact routine.
//!
//! `format!("{x:.1}")`, `format!("{x}")` and `{:e}` pull core's float printing into the wasm
//! (Grisu with a Dragon fallback, for both the exact and the shortest modes, and their tables).
//! Every `f64` a binary float holds is a finite decimal, so these functions write that decimal
//! out exactly with a little big-integer arithmetic and round it (half to even on exact ties,
//! as core does). The results equal core's (checked against `format!` in the tests, including
//! random bit patterns). Slower than core's, but fine for labels and URLs.
//!
//! * [`fixed`]`(x, d)` = `format!("{x:.d$}")`
//! * [`shortest`]`(x)` = `format!("{x}")`
//! * [`round_sig`]`(x, k)` = `format!("{x:.k$e}")` (k − 1 decimals) read back as a number

use std::fmt;

/// The exact decimal of a finite, non-zero |x|: digits `d` (no leading or trailing zeros) and
/// the decimal point's position `p`, so |x| = 0.d × 10^p.
fn exact(x: f64) -> (Vec<u8>, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    // |x| = m × 2^e. With e < 0 that is m × 5^-e / 10^-e, so only multiplications are needed.
    let mut limbs: Vec<u32> = vec![(m % 1_000_000_000) as u32, (m / 1_000_000_000) as u32];
    let mul = |limbs: &mut Vec<u32>, k: u32| {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = *l as u64 * k as u64 + carry;
            *l = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    };
    let (mut left, base, chunk) = if e >= 0 {
        (e as u32, 2u32, 29u32)
    } else {
        (e.unsigned_abs(), 5, 13)
    };
    while left > 0 {
        let k = left.min(chunk);
        mul(&mut limbs, base.pow(k));
        left -= k;
    }
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut digits = Vec::with_capacity(limbs.len() * 9);
    for (i, l) in limbs.iter().rev().enumerate() {
        let mut buf = [0u8; 9];
        let mut v = *l;
        for b in buf.iter_mut().rev() {
            *b = (v % 10) as u8;
            v /= 10;
        }
        let skip = if i == 0 {
            buf.iter().take_while(|b| **b == 0).count()
        } else {
            0
        };
        digits.extend_from_slice(&buf[skip..]);
    }
    let p = digits.len() as i32 + e.min(0);
    while digits.last() == Some(&0) {
        digits.pop();
    }
    (digits, p)
}

/// Rounds 0.`d` × 10^`p` to its first `keep` digits; exact ties go to even, or up when
/// `tie_up` (what core's shortest mode does between two equally short candidates).
fn round(d: &mut Vec<u8>, p: &mut i32, keep: i32, tie_up: bool) {
    if keep >= d.len() as i32 {
        return;
    }
    let up = if keep < 0 {
        false
    } else {
        let k = keep as usize;
        let rest_nonzero = d[k + 1..].iter().any(|x| *x != 0);
        match d[k] {
            6.. => true,
            5 if rest_nonzero => true,
            5 => tie_up || (k > 0 && d[k - 1] % 2 == 1),
            _ => false,
        }
    };
    d.truncate(keep.max(0) as usize);
    if up {
        // Carry from the last kept digit; 0.99 × 10^p becomes 0.1 × 10^(p+1).
        let mut i = d.len();
        loop {
            if i == 0 {
                d.insert(0, 1);
                *p += 1;
                break;
            }
            i -= 1;
            if d[i] == 9 {
                d[i] = 0;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    while d.last() == Some(&0) {
        d.pop();
    }
}

/// Writes 0.`d` × 10^`p` positionally with `decimals` places (at least as many as `d` needs
/// when `decimals` is `None`).
fn write(out: &mut String, neg: bool, d: &[u8], p: i32, decimals: Option<usize>) {
    if neg {
        out.push('-');
    }
    let digit = |i: i32| {
        (b'0'
            + if i >= 0 && (i as usize) < d.len() {
                d[i as usize]
            } else {
                0
            }) as char
    };
    if p <= 0 {
        out.push('0');
    } else {
        (0..p).for_each(|i| out.push(digit(i)));
    }
    let places = decimals.unwrap_or((d.len() as i32 - p).max(0) as usize);
    if places > 0 {
        out.push('.');
        (0..places as i32).for_each(|i| out.push(digit(p + i)));
    }
}

fn special(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        None
    }
}

/// The digits and point of |x| rounded to `keep(p)` digits (empty digits for zero).
fn rounded(x: f64, keep: impl Fn(i32) -> i32) -> (Vec<u8>, i32) {
    if x == 0.0 {
        return (vec![], 0);
    }
    let (mut d, mut p) = exact(x);
    let k = keep(p);
    round(&mut d, &mut p, k, false);
    (d, p)
}

/// `x` with `decimals` places, as `format!("{x:.decimals$}")` prints it.
pub fn fixed(x: f64, decimals: usize) -> String {
    Fixed(x, decimals).to_string()
}

/// `x` as `format!("{x}")` prints it: the fewest digits that read back as `x`, no exponent.
pub fn shortest(x: f64) -> String {
    Shortest(x).to_string()
}

/// `x` rounded to `digits` significant digits (half to even), as reading back
/// `format!("{x:.N$e}")` with N = `digits` − 1 gives. Non-finite values and zero pass through.
pub fn round_sig(x: f64, digits: usize) -> f64 {
    if special(x).is_some() || x == 0.0 {
        return x;
    }
    let (d, p) = rounded(x, |_| digits.max(1) as i32);
    to_f64(x < 0.0, &d, p)
}

fn to_f64(neg: bool, d: &[u8], p: i32) -> f64 {
    let x = super::parse_float::from_digits(d, p.into());
    if neg {
        -x
    } else {
        x
    }
}

/// Displays as [`fixed`]`(.0, .1)` without an intermediate `String` at the call site.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed(pub f64, pub usize);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(x, decimals) = *self;
        if let Some(s) = special(x) {
            return f.write_str(s);
        }
        let (d, p) = rounded(x, |p| p + decimals as i32);
        let mut out = String::new();
        write(&mut out, x.is_sign_negative(), &d, p, Some(decimals));
        f.write_str(&out)
    }
}

/// Displays as [`shortest`]`(.0)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shortest(pub f64);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if let Some(s) = special(x) {
            return f.write_str(s);
        }
        let (mut d, mut p) = rounded(x, |_| i32::MAX);
        // The fewest significant digits that read back as x (17 always do).
        for k in 1..=17 {
            let (mut dk, mut pk) = (d.clone(), p);
            round(&mut dk, &mut pk, k, true);
            if to_f64(x < 0.0, &dk, pk) == x {
                (d, p) = (dk, pk);
                break;
            }
        }
        let mut out = String::new();
        write(&mut out, x.is_sign_negative(), &d, p, None);
        f.write_str(&out)
    }
}

/// `f64::clamp` without its `min <= max` assertion, whose message prints floats with `{:?}` and
/// so keeps core's float printing in the wasm. Same result as `clamp` whenever `lo <= hi`
/// (NaN stays NaN).
pub trait ClampF {
    fn clamp_f(self, lo: f64, hi: f64) -> f64;
}

impl ClampF for f64 {
    #[inline]
    fn clamp_f(self, lo: f64, hi: f64) -> f64 {
        if self < lo {
            lo
        } else if self > hi {
            hi
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fixed_matches_format_on_chosen_values() {
        let xs = [
            0.0,
            -0.0,
            0.04,
            -0.04,
            0.05,
            0.15,
            0.25,
            0.35,
            0.5,
            1.5,
            2.5,
            -2.5,
            9.96,
            9.95,
            99.95,
            999.96,
            -9.96,
            1.005,
            123.456,
            1e-7,
            5e-324,
            1e21,
            1e22,
            123456789.0,
            1.7976931348623157e308,
            -1.7976931348623157e308,
            2f64.powi(53) + 2.0,
            0.1,
            0.2,
            0.3,
            // -1176837354547170.25: two equally short texts; core prints the upper one.
            f64::from_bits(14055938186814136201),
        ];
        for x in xs {
            for d in 0..8 {
                assert_eq!(fixed(x, d), format!("{x:.d$}"), "{x:e} with {d} places");
            }
            assert_eq!(shortest(x), format!("{x}"), "{x:e}");
        }
    }

    #[test]
    fn rounding_carries_into_a_new_digit() {
        assert_eq!(fixed(9.96, 1), "10.0");
        assert_eq!(fixed(-9.96, 1), "-10.0");
        assert_eq!(fixed(999.96, 1), "1000.0");
        assert_eq!(fixed(0.96, 0), "1");
        assert_eq!(fixed(0.5, 0), "0");
        assert_eq!(fixed(1.5, 0), "2");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(0.004, 2), "0.00");
        assert_eq!(fixed(-0.004, 2), "-0.00");
    }

    #[test]
    fn special_values() {
        for d in [0, 1, 3] {
            assert_eq!(fixed(f64::NAN, d), format!("{:.d$}", f64::NAN));
            assert_eq!(fixed(f64::INFINITY, d), format!("{:.d$}", f64::INFINITY));
            assert_eq!(
                fixed(f64::NEG_INFINITY, d),
                format!("{:.d$}", f64::NEG_INFINITY)
            );
        }
        assert_eq!(shortest(f64::NAN), "NaN");
        assert_eq!(shortest(f64::INFINITY), "inf");
        assert_eq!(shortest(f64::NEG_INFINITY), "-inf");
        assert!(round_sig(f64::NAN, 3).is_nan());
        assert_eq!(round_sig(f64::INFINITY, 3), f64::INFINITY);
        assert_eq!(round_sig(0.0, 3), 0.0);
    }

    #[test]
    fn large_values_print_every_digit() {
        assert_eq!(fixed(1e300, 1), format!("{:.1}", 1e300));
        assert_eq!(shortest(1e300), format!("{}", 1e300));
        assert_eq!(shortest(f64::MAX), format!("{}", f64::MAX));
        assert_eq!(
            shortest(f64::MIN_POSITIVE),
            format!("{}", f64::MIN_POSITIVE)
        );
        assert_eq!(fixed(-1.5e20, 2), "-150000000000000000000.00");
    }

    #[test]
    fn round_sig_matches_the_exponent_form() {
        for x in [
            10f64.powf(-1.5),
            1.0,
            0.001,
            9.999,
            3.16227766,
            0.12345,
            0.0125,
            10.0,
        ] {
            for k in 1..6 {
                let want: f64 = format!("{x:.p$e}", p = k - 1).parse().unwrap();
                assert_eq!(round_sig(x, k), want, "{x} to {k}");
                assert_eq!(round_sig(-x, k), -want);
            }
        }
    }

    #[test]
    fn clamp_f_is_clamp_without_the_assertion() {
        let xs = [
            -2.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            3.0,
            17.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ];
        for x in xs {
            for (lo, hi) in [(0.0, 1.0), (-1.0, -1.0), (3.0, 16.0), (-0.0, 0.0)] {
                assert_eq!(
                    x.clamp_f(lo, hi).to_bits(),
                    x.clamp(lo, hi).to_bits(),
                    "{x} in {lo}..{hi}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn fixed_and_shortest_match_format_on_random_bits(bits in any::<u64>(), d in 0usize..7) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
            prop_assert_eq!(shortest(x), format!("{x}"));
        }

        #[test]
        fn fixed_matches_format_on_ui_sized_values(x in -1e7f64..1e7, d in 0usize..7) {
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
            prop_assert_eq!(shortest(x), format!("{x}"));
            let want: f64 = format!("{x:.2e}").parse().unwrap();
            prop_assert_eq!(round_sig(x, 3), want);
        }

        #[test]
        fn halves_round_to_even_like_format(n in -100_000i64..100_000, d in 0usize..4) {
            // n + 0.5 scaled down: exact ties in binary for small powers of two.
            let x = (n as f64 + 0.5) / 2f64.powi(d as i32);
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
        }
    }
}
