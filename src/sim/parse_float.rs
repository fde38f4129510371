//! Decimal text → `f64`, correctly rounded: the same value (and the same accepted text) as
//! `str::parse::<f64>`, from one small exact routine.
//!
//! core's parser (Eisel–Lemire with a big-decimal fallback, and their power-of-ten tables) is
//! ~9 KB of the wasm. This one takes Clinger's fast path where it is exact (at most 15 digits
//! times a power of ten up to 10^22: one correctly rounded operation on exact operands) and
//! otherwise the textbook method: the decimal as a ratio of big integers, 53 or 54 bits of
//! quotient by long division, the remainder deciding the rounding (half to even). Slower than
//! core's on long inputs, but fine for parameters, URLs and the worker's lines. Checked against
//! `str::parse` in the tests, including random bit patterns, midpoints and random text.
//!
//! Grammar (core's): `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, or
//! `[+-]? (inf | infinity | nan)` in any case; nothing else, no surrounding space.

use std::cmp::Ordering;

/// `text` as `text.parse::<f64>().ok()` reads it.
pub fn parse_f64(text: &str) -> Option<f64> {
    let s = text.as_bytes();
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let x = number(s).or_else(|| {
        let is = |w: &[u8]| s.eq_ignore_ascii_case(w);
        if is(b"nan") {
            Some(f64::NAN)
        } else if is(b"inf") || is(b"infinity") {
            Some(f64::INFINITY)
        } else {
            None
        }
    })?;
    Some(if neg { -x } else { x })
}

/// An unsigned decimal with optional point and exponent.
fn number(s: &[u8]) -> Option<f64> {
    // The value is 0.d × 10^p, d without leading zeros.
    let mut d = Vec::new();
    let mut p: i64 = 0;
    let (mut seen, mut point) = (false, false);
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        match c {
            b'0'..=b'9' => {
                seen = true;
                if !d.is_empty() || c != b'0' {
                    d.push(c - b'0');
                    p += i64::from(!point);
                } else if point {
                    p -= 1;
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let neg = s.get(i) == Some(&b'-');
        if let Some(b'-' | b'+') = s.get(i) {
            i += 1;
        }
        let start = i;
        let mut x: i64 = 0;
        while let Some(&c @ b'0'..=b'9') = s.get(i) {
            // Saturates far beyond any finite, non-zero result.
            x = (x * 10 + i64::from(c - b'0')).min(1 << 32);
            i += 1;
        }
        if i == start {
            return None;
        }
        p += if neg { -x } else { x };
    }
    (i == s.len()).then(|| from_digits(&d, p))
}

/// The `f64` nearest 0.`d` × 10^`p` (ties to even), for decimal digits `d` (values 0–9)
/// without leading zeros; empty `d` is zero.
pub fn from_digits(d: &[u8], p: i64) -> f64 {
    let mut d = d.to_vec();
    // Past 800 digits only "is anything left" matters: a double, and a midpoint between two,
    // has at most 767 significant digits, so a sticky 1 decides every comparison the same way.
    if d.len() > 800 {
        let sticky = d[800..].iter().any(|&x| x != 0);
        d.truncate(800);
        if sticky {
            d.push(1);
        }
    }
    while d.last() == Some(&0) {
        d.pop();
    }
    if d.is_empty() || p < -324 {
        // Below 10^-325, under half the smallest subnormal.
        return 0.0;
    }
    if p > 310 {
        return f64::INFINITY;
    }
    // x = N × 10^k.
    let k = p - d.len() as i64;
    if d.len() <= 15 && (-22..=22).contains(&k) {
        let n = d.iter().fold(0.0, |n, &c| n * 10.0 + f64::from(c));
        let t = (0..k.abs()).fold(1.0, |t, _| t * 10.0);
        return if k < 0 { n / t } else { n * t };
    }
    let mut num = Vec::new();
    for &c in &d {
        mul_add(&mut num, 10, u32::from(c));
    }
    let mut den = vec![1];
    let ten = |b: &mut Big, mut k: u64| {
        while k > 0 {
            let s = k.min(9);
            mul_add(b, 10u32.pow(s as u32), 0);
            k -= s;
        }
    };
    if k >= 0 {
        ten(&mut num, k as u64);
    } else {
        ten(&mut den, k.unsigned_abs());
    }
    // The exponent e of the result's last bit: 2^52 <= x / 2^e < 2^53, or subnormal.
    let mut e = (bits(&num) - bits(&den) - 53).max(-1074);
    loop {
        let (mut r, mut dd) = (num.clone(), den.clone());
        if e >= 0 {
            shl(&mut dd, e as u32);
        } else {
            shl(&mut r, e.unsigned_abs() as u32);
        }
        // q = r / dd < 2^54, bit by bit.
        let mut q = 0u64;
        shl(&mut dd, 53);
        for i in (0..54).rev() {
            if cmp(&r, &dd) != Ordering::Less {
                sub(&mut r, &dd);
                q |= 1 << i;
            }
            if i > 0 {
                shr1(&mut dd);
            }
        }
        if q >= 1 << 53 {
            e += 1;
            continue;
        }
        shl(&mut r, 1);
        match cmp(&r, &dd) {
            Ordering::Greater => q += 1,
            Ordering::Equal => q += q & 1,
            Ordering::Less => {}
        }
        if q == 1 << 53 {
            q >>= 1;
            e += 1;
        }
        if e > 971 {
            return f64::INFINITY;
        }
        let bits = if q >> 52 == 1 {
            ((e + 1075) as u64) << 52 | (q & ((1 << 52) - 1))
        } else {
            q
        };
        return f64::from_bits(bits);
    }
}

/// A big unsigned integer, 32-bit limbs, least significant first, no zero top limb.
type Big = Vec<u32>;

/// b = b × m + add.
fn mul_add(b: &mut Big, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for l in b.iter_mut() {
        let v = u64::from(*l) * u64::from(m) + carry;
        *l = v as u32;
        carry = v >> 32;
    }
    if carry > 0 {
        b.push(carry as u32);
    }
}

fn shl(b: &mut Big, n: u32) {
    let bits = n % 32;
    if bits > 0 {
        let mut carry = 0u64;
        for l in b.iter_mut() {
            let v = u64::from(*l) << bits | carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            b.push(carry as u32);
        }
    }
    if !b.is_empty() {
        let mut w = vec![0; (n / 32) as usize];
        w.append(b);
        *b = w;
    }
}

fn shr1(b: &mut Big) {
    let mut carry = 0;
    for l in b.iter_mut().rev() {
        let v = *l;
        *l = v >> 1 | carry << 31;
        carry = v & 1;
    }
    trim(b);
}

/// a -= b, for a >= b.
fn sub(a: &mut Big, b: &Big) {
    let mut borrow = 0;
    for (i, l) in a.iter_mut().enumerate() {
        let v = i64::from(*l) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
        *l = v as u32;
        borrow = i64::from(v < 0);
    }
    trim(a);
}

fn trim(b: &mut Big) {
    while b.last() == Some(&0) {
        b.pop();
    }
}

fn cmp(a: &Big, b: &Big) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn bits(b: &Big) -> i64 {
    b.last()
        .map_or(0, |t| b.len() as i64 * 32 - i64::from(t.leading_zeros()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Same bits (NaN's sign included) and same acceptance as `str::parse`.
    fn same(s: &str) -> Result<(), String> {
        let want = s.parse::<f64>().ok().map(f64::to_bits);
        let got = parse_f64(s).map(f64::to_bits);
        if want == got {
            Ok(())
        } else {
            Err(format!(
                "{s:?}: parse gives {want:?}, parse_f64 gives {got:?}"
            ))
        }
    }

    #[test]
    fn chosen_texts_read_as_str_parse_reads_them() {
        let texts = [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00",
            "007",
            "1",
            "-1",
            "+1",
            "1.",
            ".5",
            "-.5",
            "+.5e-3",
            "0.1",
            "0.2",
            "0.3",
            "0.30000000000000004",
            "1.5",
            "2.5",
            "1e0",
            "1E5",
            "1e+5",
            "1e-5",
            "1.5e-7",
            "12.34e2",
            "1e22",
            "1e23",
            "9007199254740993",
            "9007199254740992.5",
            "123456789012345678901234567890",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e308",
            "1e309",
            "2e308",
            "-1e309",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9e-324",
            "5e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "3e-324",
            "1e-324",
            "1e-400",
            "0e999999999999",
            "1e999999999999999999999",
            "1e-999999999999999999999",
            "0.000000000000000000000000001",
            "100000000000000000000000",
            "30",
            "1e2",
            "inf",
            "-inf",
            "+inf",
            "INF",
            "Infinity",
            "-infinity",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1e5.",
            "1.2.3",
            "1..2",
            "--1",
            "+-1",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "1f",
            "infin",
            "infinityy",
            "nana",
            "1,5",
            "١",
            "1e5e5",
            "10%",
            "15ms",
            "1.5.",
        ];
        for s in texts {
            same(s).unwrap();
        }
    }

    #[test]
    fn long_texts_read_as_str_parse_reads_them() {
        let ones = "1".repeat(5000);
        let zeros = "0".repeat(5000);
        for s in [
            format!("0.{zeros}1"),
            format!("0.{zeros}1e5000"),
            format!("1{zeros}"),
            format!("1{zeros}e-5000"),
            format!("{ones}e-4990"),
            format!("{ones}.{ones}"),
            format!("0.{ones}"),
            format!("{zeros}{zeros}"),
            format!("1.{zeros}1"),
            // 2^53 + 1 (a tie between 2^53 and 2^53 + 2) pushed just above by a last digit.
            format!("9007199254740993.{zeros}1"),
            format!("9007199254740993.{zeros}"),
            format!("9007199254740995.{zeros}"),
            format!("{ones}x"),
        ] {
            same(&s).unwrap();
        }
    }

    /// The exact decimal of the midpoint between `x` (finite, > 0) and the next double up.
    fn midpoint(x: f64) -> String {
        let bits = x.to_bits();
        let (m, e) = match bits >> 52 {
            0 => (bits, -1074i64),
            b => (bits & ((1 << 52) - 1) | 1 << 52, b as i64 - 1075),
        };
        // (2m + 1) × 2^(e-1) = (2m + 1) × 5^(1-e) / 10^(1-e) when e < 1.
        let mut big = vec![(2 * m + 1) as u32, ((2 * m + 1) >> 32) as u32];
        trim(&mut big);
        let scale = if e >= 1 {
            shl(&mut big, (e - 1) as u32);
            0
        } else {
            for _ in 0..(1 - e) {
                mul_add(&mut big, 5, 0);
            }
            (1 - e) as usize
        };
        // Decimal digits of big.
        let mut digits = Vec::new();
        while !big.is_empty() {
            let mut rem = 0u64;
            for l in big.iter_mut().rev() {
                let v = rem << 32 | u64::from(*l);
                *l = (v / 10) as u32;
                rem = v % 10;
            }
            trim(&mut big);
            digits.push(b'0' + rem as u8);
        }
        digits.reverse();
        let s = String::from_utf8(digits).unwrap();
        format!("{s}e-{scale}")
    }

    #[test]
    fn exact_midpoints_round_to_even() {
        for x in [
            1.0,
            0.1,
            2f64.powi(53),
            f64::MAX / 2.0,
            f64::MIN_POSITIVE,
            5e-324,
            1e-310,
            1e300,
            123.456,
        ] {
            let s = midpoint(x);
            same(&s).unwrap();
            same(&format!("{s}1")).unwrap();
            same(&s.replacen('e', "0000000000e", 1)).unwrap();
        }
    }

    proptest! {
        #[test]
        fn printed_doubles_read_back(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            for s in [format!("{x}"), format!("{x:e}"), format!("{x:?}"), format!("{x:.3e}"), format!("{x:.20e}")] {
                prop_assert!(same(&s).is_ok(), "{}", same(&s).unwrap_err());
            }
        }

        #[test]
        fn midpoints_and_their_neighbours_read_as_str_parse(bits in 1u64..0x7fef_ffff_ffff_ffff) {
            let s = midpoint(f64::from_bits(bits));
            let (digits, exp) = s.split_once('e').unwrap();
            let lower = format!("{}9e{exp}", &digits[..digits.len() - 1]);
            for t in [s.clone(), format!("{digits}1e{exp}"), lower] {
                prop_assert!(same(&t).is_ok(), "{}", same(&t).unwrap_err());
            }
        }

        #[test]
        fn decimal_texts_read_as_str_parse(s in "[+-]?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][+-]?[0-9]{0,4})?") {
            prop_assert!(same(&s).is_ok(), "{}", same(&s).unwrap_err());
        }

        #[test]
        fn short_texts_with_big_exponents_read_as_str_parse(n in 0u64..100_000_000_000_000_000, e in -400i32..400) {
            let s = format!("{n}e{e}");
            prop_assert!(same(&s).is_ok(), "{}", same(&s).unwrap_err());
        }

        #[test]
        fn any_text_is_accepted_exactly_when_str_parse_accepts_it(s in "[-+.eEinfatyINFATY0-9 _x]{0,12}") {
            prop_assert!(same(&s).is_ok(), "{}", same(&s).unwrap_err());
        }
    }
}
