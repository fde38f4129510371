//! A scenario's long texts: what you are looking at (in AI-agent terms), the same in the field's
//! classic terms with its sources, and things to try. They live in `static/texts/<id>.txt`, not in
//! the catalogue, because only a scenario's own page shows them: the browser build leaves them out
//! of its first download and fetches the one file it needs (`ui::explain`), while native builds
//! (the CLI, the tests) compile them in.
//!
//! A file has three sections, in this order, each a heading line and its text:
//!
//! ```text
//! ## What you are looking at
//! <paragraphs, separated by a blank line>
//! ## In classic terms
//! <paragraphs>
//! ## Try this
//! - <one thing to try per line>
//! ```

use std::fmt;

/// The section headings, in file order.
pub const HEADINGS: [&str; 3] = ["What you are looking at", "In classic terms", "Try this"];

/// A scenario's texts, borrowed from the file they were parsed from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Story<'a> {
    /// Paragraphs separated by a blank line.
    pub ai: &'a str,
    /// Paragraphs separated by a blank line.
    pub classic: &'a str,
    pub try_this: Vec<&'a str>,
}

/// A text file that does not have the three sections (fixed words: the browser build carries
/// this parser, and formatting costs code there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoryError(pub &'static str);

impl fmt::Display for StoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for StoryError {}

/// Where the browser finds a scenario's texts, relative to the app (trunk copies `static/texts`).
pub fn path(id: &str) -> String {
    format!("texts/{id}.txt")
}

/// Reads the three sections of a texts file.
pub fn parse(text: &str) -> Result<Story<'_>, StoryError> {
    let mut sections = crate::sim::text::split(
        text.strip_prefix("## ")
            .ok_or(StoryError("the text does not start with a '## ' heading"))?,
        "\n## ",
    );
    let mut next = |heading: &str| {
        let section = sections.next().unwrap_or_default();
        let (h, text) = section.split_once('\n').unwrap_or((section, ""));
        if h.trim_end() == heading {
            Ok(text.trim())
        } else {
            Err(StoryError(
                "the sections are not the three expected, in order",
            ))
        }
    };
    let ai = next(HEADINGS[0])?;
    let classic = next(HEADINGS[1])?;
    let try_this = next(HEADINGS[2])?
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("- "))
        .collect::<Option<Vec<_>>>()
        .ok_or(StoryError(
            "a line under '## Try this' does not start with '- '",
        ))?;
    if sections.next().is_some() {
        return Err(StoryError("a section after '## Try this'"));
    }
    Ok(Story {
        ai,
        classic,
        try_this,
    })
}

/// The texts compiled into native builds (the browser fetches [`path`] instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled(id: &str) -> Option<&'static str> {
    macro_rules! texts {
        ($($id:literal),* $(,)?) => {
            match id {
                $($id => Some(include_str!(concat!("../../static/texts/", $id, ".txt"))),)*
                _ => None,
            }
        };
    }
    texts!(
        "heartbeat",
        "cap",
        "two-generals",
        "gossip",
        "raft-election",
        "bully",
        "quorum",
        "strong-register",
        "sessions",
        "causal",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::CATALOGUE;

    #[test]
    fn every_scenario_has_its_three_texts() {
        for s in CATALOGUE {
            let text = bundled(s.id).unwrap_or_else(|| panic!("{}: no static/texts file", s.id));
            let story = parse(text).unwrap_or_else(|e| panic!("{}: {e}", s.id));
            assert!(
                !story.ai.is_empty() && !story.classic.is_empty(),
                "{}",
                s.id
            );
            assert!(story.try_this.len() >= 2, "{}", s.id);
        }
    }

    #[test]
    fn every_texts_file_belongs_to_a_scenario() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static/texts");
        for e in std::fs::read_dir(dir).expect("static/texts") {
            let name = e
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8 name");
            let id = name.strip_suffix(".txt").unwrap_or(&name);
            assert!(crate::scenario::find(id).is_some(), "stray file {name}");
        }
    }

    #[test]
    fn parses_the_sections_and_rejects_a_missing_one() {
        let s = parse("## What you are looking at\n\nA.\n\nB.\n\n## In classic terms\nC.\n## Try this\n\n- x\n- y\n")
            .expect("parses");
        assert_eq!(s.ai, "A.\n\nB.");
        assert_eq!(s.classic, "C.");
        assert_eq!(s.try_this, ["x", "y"]);
        assert!(parse("## What you are looking at\nA.\n## Try this\n- x\n").is_err());
        assert!(parse("<!doctype html>").is_err());
        assert!(
            parse("## What you are looking at\nA\n## In classic terms\nB\n## Try this\nx\n")
                .is_err()
        );
    }
}
