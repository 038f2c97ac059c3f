//! Syntax highlighting of the source pane with syntect and two-face's Terraform grammar.
//! Each file is highlighted once, incrementally: only as far down as the view has needed
//! so far, keeping syntect's parse state between calls, and cached by path and content
//! hash. Drawing only reads the cache. Lines are made safe for the terminal
//! ([`crate::sanitize`]) and tabs expanded before they are highlighted.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::style::{Color, Style};
use syntect::highlighting::{HighlightIterator, HighlightState, Highlighter, Theme as SyntaxTheme};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};

use crate::sanitize::for_terminal;

/// The grammar set and the colour theme, loaded once (on a background thread).
pub struct SyntaxAssets {
    set: SyntaxSet,
    theme: SyntaxTheme,
}

impl SyntaxAssets {
    /// `None` when the theme name is unknown.
    pub fn load(theme_name: &str) -> Option<SyntaxAssets> {
        let themes = two_face::theme::extra();
        let name = two_face::theme::EmbeddedLazyThemeSet::theme_names()
            .iter()
            .find(|n| n.as_name() == theme_name)?;
        let theme = themes.get(*name).clone();
        Some(SyntaxAssets {
            set: two_face::syntax::extra_newlines(),
            theme,
        })
    }
}

/// A line as shown: sanitised, tabs expanded.
pub fn display_line(text: &str) -> String {
    for_terminal(text).replace('\t', "    ")
}

/// How many display columns `c` takes in [`display_line`]: four for a tab, the length
/// of its escape for an unsafe character, one otherwise.
fn display_width(c: char) -> usize {
    if c == '\t' {
        4
    } else if crate::sanitize::is_unsafe_char(c) {
        let mut buf = [0; 4];
        for_terminal(c.encode_utf8(&mut buf)).chars().count()
    } else {
        1
    }
}

/// The display column [`display_line`] gives the end of the first `chars` characters of
/// `raw`, counted no further than `limit`: the cost is that of the columns that can be
/// shown, however long the line.
pub fn display_column(raw: &str, chars: usize, limit: usize) -> usize {
    let mut col = 0;
    for c in raw.chars().take(chars) {
        if col >= limit {
            return limit;
        }
        col += display_width(c);
    }
    col.min(limit)
}

/// [`display_line`] of `raw`'s first `limit` display columns (or a few more: a tab or an
/// escape is not split), and whether any of `raw` is left out.
pub fn display_prefix(raw: &str, limit: usize) -> (String, bool) {
    let mut col = 0;
    for (i, c) in raw.char_indices() {
        if col >= limit {
            return (display_line(&raw[..i]), true);
        }
        col += display_width(c);
    }
    (display_line(raw), false)
}

/// Lines longer than this many bytes are not highlighted (about 2 ms of the grammar's
/// time; a 5 MB line takes 250 ms).
const MAX_HIGHLIGHTED_LINE: usize = 20_000;

struct FileHighlight {
    lines: Vec<Vec<(Style, String)>>,
    parse: ParseState,
    highlight: HighlightState,
}

#[derive(Default)]
pub struct HighlightCache {
    assets: Option<Arc<SyntaxAssets>>,
    files: HashMap<(String, u64), FileHighlight>,
}

impl HighlightCache {
    pub fn set_assets(&mut self, assets: Arc<SyntaxAssets>) {
        self.assets = Some(assets);
        self.files.clear();
    }

    pub fn has_assets(&self) -> bool {
        self.assets.is_some()
    }

    fn key(path: &str, text: &str) -> (String, u64) {
        (
            path.to_string(),
            xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        )
    }

    /// Highlights `text` (the file at `path`) down to line `upto` (exclusive, 0-based).
    pub fn prepare(&mut self, path: &str, text: &str, upto: usize) {
        let Some(assets) = self.assets.clone() else {
            return;
        };
        let key = Self::key(path, text);
        if !self.files.contains_key(&key) {
            // Forget older versions of the same file.
            self.files.retain(|(p, _), _| p != path);
            let syntax = assets
                .set
                .find_syntax_by_extension("tf")
                .unwrap_or_else(|| assets.set.find_syntax_plain_text());
            let highlighter = Highlighter::new(&assets.theme);
            self.files.insert(
                key.clone(),
                FileHighlight {
                    lines: Vec::new(),
                    parse: ParseState::new(syntax),
                    highlight: HighlightState::new(&highlighter, ScopeStack::new()),
                },
            );
        }
        let Some(state) = self.files.get_mut(&key) else {
            return;
        };
        if state.lines.len() >= upto {
            return;
        }
        let highlighter = Highlighter::new(&assets.theme);
        for line in text
            .lines()
            .skip(state.lines.len())
            .take(upto - state.lines.len())
        {
            // A line longer than any written by hand (a generated string) is left plain:
            // the grammar's time on it would freeze the workbench. The lines after it
            // are highlighted as if it were not there.
            if line.len() > MAX_HIGHLIGHTED_LINE {
                // No pieces: drawn plain, in the theme's text colour.
                state.lines.push(Vec::new());
                continue;
            }
            let shown = format!("{}\n", display_line(line));
            let tokens = match state.parse.parse_line(&shown, &assets.set) {
                Ok(ops) => HighlightIterator::new(&mut state.highlight, &ops, &shown, &highlighter)
                    .map(|(style, piece)| {
                        let fg = style.foreground;
                        (
                            Style::new().fg(Color::Rgb(fg.r, fg.g, fg.b)),
                            piece.trim_end_matches('\n').to_string(),
                        )
                    })
                    .filter(|(_, piece)| !piece.is_empty())
                    .collect(),
                // A grammar error leaves the rest of the file plain.
                Err(_) => vec![(Style::new(), shown.trim_end_matches('\n').to_string())],
            };
            state.lines.push(tokens);
        }
    }

    /// The highlighted pieces of line `n` (0-based), if it has been highlighted.
    pub fn line(&self, path: &str, text: &str, n: usize) -> Option<&[(Style, String)]> {
        self.lines(path, text)
            .and_then(|lines| lines.get(n))
            .map(Vec::as_slice)
    }

    /// The highlighted lines of a file so far: looked up once per frame, not per line
    /// (the lookup hashes the whole text).
    pub fn lines(&self, path: &str, text: &str) -> Option<&[Vec<(Style, String)>]> {
        self.files
            .get(&Self::key(path, text))
            .map(|f| f.lines.as_slice())
    }

    /// How many lines of the file are highlighted.
    pub fn highlighted(&self, path: &str, text: &str) -> usize {
        self.files
            .get(&Self::key(path, text))
            .map_or(0, |f| f.lines.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_columns_of_a_line_are_those_of_the_whole_line() {
        let raw = "a\tb\u{1b}c\u{202e}d";
        let whole = display_line(raw);
        for limit in 0..=whole.chars().count() + 2 {
            let (prefix, cut) = display_prefix(raw, limit);
            assert!(whole.starts_with(&prefix), "{limit}: {prefix:?}");
            assert!(prefix.chars().count() >= limit.min(whole.chars().count()));
            assert_eq!(cut, prefix != whole, "{limit}");
        }
        // The columns of each character's end, as display_line counts them.
        for chars in 0..=raw.chars().count() {
            let before: String = raw.chars().take(chars).collect();
            let col = display_line(&before).chars().count();
            assert_eq!(display_column(raw, chars, usize::MAX), col);
            assert_eq!(display_column(raw, chars, 3), col.min(3));
        }
    }

    #[test]
    fn terraform_is_highlighted_incrementally_and_safely() {
        let assets = Arc::new(SyntaxAssets::load("Monokai Extended").unwrap());
        let mut cache = HighlightCache::default();
        cache.set_assets(assets);
        let text = "resource \"aws_s3_bucket\" \"b\" {\n\tbucket = \"x\u{1b}[2J\"\n}\n";
        cache.prepare("a.tf", text, 1);
        assert_eq!(cache.highlighted("a.tf", text), 1);
        let first = cache.line("a.tf", text, 0).unwrap();
        assert!(
            first.len() > 2,
            "expected several coloured pieces: {first:?}"
        );
        cache.prepare("a.tf", text, 10);
        assert_eq!(cache.highlighted("a.tf", text), 3);
        let second: String = cache
            .line("a.tf", text, 1)
            .unwrap()
            .iter()
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(second, "    bucket = \"x\\x1b[2J\"");
    }
}
