//! The text form of the messages between the page and the worker: lines of tab-separated
//! fields, the first field of a line its tag. Fields escape `\`, tab and newline. Numbers are
//! printed with Rust's shortest round-trip form (`{}` of an f64; `NaN` and `inf` included), so a
//! number crosses the boundary bit for bit.
//!
//! Hand-written rather than JSON on purpose: the page's wasm then carries no JSON parser, and
//! the codec is a few hundred bytes of code on each side (docs/explorer.md, "The Web Worker").

use crate::sim::parse_float::parse_f64;
use std::fmt::Write as _;

/// Builds a message line by line.
#[derive(Default)]
pub struct Enc(String);

impl Enc {
    /// Starts a line with `tag`.
    pub fn line(&mut self, tag: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        self.0.push_str(tag);
        self
    }
    /// Appends a text field.
    pub fn s(&mut self, v: &str) -> &mut Self {
        self.0.push('\t');
        for c in v.chars() {
            match c {
                '\\' => self.0.push_str("\\\\"),
                '\t' => self.0.push_str("\\t"),
                '\n' => self.0.push_str("\\n"),
                c => self.0.push(c),
            }
        }
        self
    }
    /// Appends a number field (exact round trip).
    pub fn f(&mut self, v: f64) -> &mut Self {
        let _ = write!(self.0, "\t{v}");
        self
    }
    /// Appends an integer field.
    pub fn u(&mut self, v: u64) -> &mut Self {
        let _ = write!(self.0, "\t{v}");
        self
    }
    /// Appends a signed integer field.
    pub fn i(&mut self, v: i64) -> &mut Self {
        let _ = write!(self.0, "\t{v}");
        self
    }
    pub fn finish(self) -> String {
        self.0
    }
}

/// One decoded line: its tag and fields, read in order.
pub struct Line {
    fields: Vec<String>,
    next: usize,
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a message into lines (empty lines skipped).
pub fn lines(text: &str) -> Vec<Line> {
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| Line {
            fields: l.split('\t').map(unescape).collect(),
            next: 1,
        })
        .collect()
}

impl Line {
    pub fn tag(&self) -> &str {
        self.fields.first().map(String::as_str).unwrap_or("")
    }
    /// Fields not read yet.
    pub fn rest(&self) -> &[String] {
        self.fields.get(self.next..).unwrap_or(&[])
    }
    /// The next field as text.
    pub fn s(&mut self) -> Result<String, String> {
        let v = self
            .fields
            .get(self.next)
            .cloned()
            .ok_or_else(|| format!("'{}' line: field {} missing", self.tag(), self.next))?;
        self.next += 1;
        Ok(v)
    }
    /// The next field as a number.
    pub fn f(&mut self) -> Result<f64, String> {
        let s = self.s()?;
        parse_f64(&s).ok_or_else(|| format!("'{}' line: '{s}' is not a number", self.tag()))
    }
    /// The next field as an unsigned integer.
    pub fn u(&mut self) -> Result<u64, String> {
        let s = self.s()?;
        s.parse()
            .map_err(|_| format!("'{}' line: '{s}' is not a count", self.tag()))
    }
    /// The next field as a signed integer.
    pub fn i(&mut self) -> Result<i64, String> {
        let s = self.s()?;
        s.parse()
            .map_err(|_| format!("'{}' line: '{s}' is not an integer", self.tag()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_tabs_newlines_and_backslashes_round_trip() {
        let mut e = Enc::default();
        e.line("a").s("x\ty\nz\\").f(0.1 + 0.2).u(7).i(-3);
        e.line("b").s("").f(f64::NAN).f(f64::INFINITY).f(-0.0);
        let mut ls = lines(&e.finish());
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].tag(), "a");
        assert_eq!(ls[0].s().as_deref(), Ok("x\ty\nz\\"));
        assert_eq!(ls[0].f().map(f64::to_bits), Ok((0.1f64 + 0.2).to_bits()));
        assert_eq!(ls[0].u(), Ok(7));
        assert_eq!(ls[0].i(), Ok(-3));
        assert!(ls[0].s().is_err());
        assert_eq!(ls[1].s().as_deref(), Ok(""));
        assert!(ls[1].f().is_ok_and(f64::is_nan));
        assert_eq!(ls[1].f(), Ok(f64::INFINITY));
        assert_eq!(ls[1].f().map(f64::to_bits), Ok((-0.0f64).to_bits()));
    }

    #[test]
    fn a_bad_number_is_an_error_in_words() {
        let mut ls = lines("x\tabc");
        assert!(ls[0].f().is_err_and(|e| e.contains("not a number")));
    }
}
