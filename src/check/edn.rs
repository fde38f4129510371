//! A small reader for the subset of EDN that Jepsen and Knossos histories use: maps, vectors,
//! lists, sets, keywords, strings, integers, nil, booleans, symbols, `;` comments, commas as
//! whitespace, `#_` discards and ignored `#tag`s. Every form remembers its line, so errors and
//! later checks can point at the line a person has to look at.

use super::parse::ParseError;

/// An EDN value, reduced to what histories need.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Edn {
    Nil,
    Bool(bool),
    Int(i64),
    Str(String),
    Keyword(String),
    /// Symbols, floats, characters and other atoms we keep as text.
    Atom(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A form with the (1-based) line where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub line: usize,
    pub value: Edn,
}

impl Node {
    /// Looks up a keyword key in a map.
    pub fn get(&self, keyword: &str) -> Option<&Edn> {
        match &self.value {
            Edn::Map(entries) => entries.iter().find_map(|(k, v)| match &k.value {
                Edn::Keyword(name) if name == keyword => Some(&v.value),
                _ => None,
            }),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 200;

/// Reads every top-level form of `text`.
pub(crate) fn read_all(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut r = Reader {
        s: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    loop {
        r.skip_ws();
        if r.pos >= r.s.len() {
            return Ok(out);
        }
        if let Some(node) = r.form(0)? {
            out.push(node);
        }
    }
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
    line: usize,
}

impl Reader<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            line: self.line,
            message: message.into(),
        })
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.s.get(self.pos) {
            match c {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | b',' => self.pos += 1,
                b';' => {
                    while self.s.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Reads one form; `None` for a discarded (`#_`) one.
    fn form(&mut self, depth: usize) -> Result<Option<Node>, ParseError> {
        if depth > MAX_DEPTH {
            return self.err(format!("forms nested deeper than {MAX_DEPTH} levels"));
        }
        self.skip_ws();
        let line = self.line;
        let Some(&c) = self.s.get(self.pos) else {
            return self.err("unexpected end of file");
        };
        let value = match c {
            b'[' | b'(' => {
                self.pos += 1;
                Edn::Seq(self.items(if c == b'[' { b']' } else { b')' }, depth)?)
            }
            b'{' => {
                self.pos += 1;
                let items = self.items(b'}', depth)?;
                if items.len() % 2 != 0 {
                    return Err(ParseError {
                        line,
                        message: "a map needs an even number of forms (key value pairs)".into(),
                    });
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                Edn::Map(entries)
            }
            b']' | b')' | b'}' => return self.err(format!("unexpected '{}'", c as char)),
            b'"' => Edn::Str(self.string()?),
            b'#' => {
                self.pos += 1;
                match self.s.get(self.pos) {
                    Some(b'_') => {
                        self.pos += 1;
                        self.form(depth + 1)?;
                        return Ok(None);
                    }
                    Some(b'{') => {
                        self.pos += 1;
                        Edn::Seq(self.items(b'}', depth)?)
                    }
                    _ => {
                        // A tagged literal (#inst "…", #uuid "…"): drop the tag, keep the form.
                        self.atom();
                        return self.form(depth + 1);
                    }
                }
            }
            _ => {
                let text = self.atom();
                if text.is_empty() {
                    return self.err(format!("unexpected character '{}'", c as char));
                }
                classify(&text).map_err(|message| ParseError { line, message })?
            }
        };
        Ok(Some(Node { line, value }))
    }

    fn items(&mut self, close: u8, depth: usize) -> Result<Vec<Node>, ParseError> {
        let open_line = self.line;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.s.get(self.pos) {
                None => {
                    return Err(ParseError {
                        line: open_line,
                        message: format!("'{}' opened here is never closed", opening(close)),
                    })
                }
                Some(&c) if c == close => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(_) => {
                    if let Some(n) = self.form(depth + 1)? {
                        items.push(n);
                    }
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let start_line = self.line;
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.s.get(self.pos) {
            self.pos += 1;
            match c {
                b'"' => {
                    return String::from_utf8(out).map_err(|_| ParseError {
                        line: start_line,
                        message: "string is not valid UTF-8".into(),
                    })
                }
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                }
                b'\n' => {
                    self.line += 1;
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        Err(ParseError {
            line: start_line,
            message: "string is never closed".into(),
        })
    }

    fn atom(&mut self) -> String {
        let start = self.pos;
        while let Some(&c) = self.s.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | b'"')
                || matches!(c, b'[' | b']' | b'(' | b')' | b'{' | b'}')
            {
                break;
            }
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }
}

fn opening(close: u8) -> char {
    match close {
        b']' => '[',
        b')' => '(',
        _ => '{',
    }
}

fn classify(text: &str) -> Result<Edn, String> {
    Ok(match text {
        "nil" => Edn::Nil,
        "true" => Edn::Bool(true),
        "false" => Edn::Bool(false),
        _ if text.starts_with(':') => Edn::Keyword(text[1..].to_string()),
        _ => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            let digits = digits.strip_suffix('N').unwrap_or(digits);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                let t = text.strip_suffix('N').unwrap_or(text);
                let n: i64 = t
                    .parse()
                    .map_err(|_| format!("integer {text} does not fit in 64 bits"))?;
                Edn::Int(n)
            } else {
                Edn::Atom(text.to_string())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_maps_vectors_and_comments_with_lines() {
        let forms = read_all("; hi\n[{:a 1, :b \"x\"}\n {:c nil :d [1 -2]}]").unwrap();
        assert_eq!(forms.len(), 1);
        let Edn::Seq(items) = &forms[0].value else {
            panic!()
        };
        assert_eq!(items[0].line, 2);
        assert_eq!(items[1].line, 3);
        assert_eq!(items[0].get("a"), Some(&Edn::Int(1)));
        assert_eq!(items[1].get("c"), Some(&Edn::Nil));
    }

    #[test]
    fn reports_unclosed_and_oversized_forms_with_lines() {
        assert_eq!(read_all("\n\n[{:a 1}").unwrap_err().line, 3);
        assert_eq!(read_all("{:a\n 99999999999999999999}").unwrap_err().line, 2);
        assert!(read_all(&"[".repeat(10_000)).is_err());
        assert_eq!(read_all("{:a}").unwrap_err().line, 1);
    }
}
