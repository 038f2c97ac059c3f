//! Parsing one file with hcl-edit, keeping spans. Two things that Terraform accepts but
//! hcl-edit rejects are handled here without moving any byte offset: a UTF-8 byte-order
//! mark (blanked), and an object literal with the same key twice (the later key is masked
//! so the rest of the file parses, and the duplicate is reported as a problem of its own).

use std::borrow::Cow;
use std::ops::Range;

use hcl_edit::structure::Body;

use crate::workspace::SourceFile;

/// How many duplicate keys in one file are masked before giving up.
const MAX_DUPLICATE_KEYS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblemKind {
    /// The file is not valid HCL.
    Syntax,
    /// An object literal defines `key` twice; Terraform keeps the last value.
    DuplicateKey { key: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    pub kind: ParseProblemKind,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    /// `None` when the file does not parse (see `problems`) or could not be read.
    pub body: Option<Body>,
    pub problems: Vec<ParseProblem>,
    /// The body holds only the blocks that parsed on their own (a broken answer file).
    pub recovered: bool,
    /// Where the pieces that did not parse are (blanked in the recovered body).
    pub gaps: Vec<Range<usize>>,
}

pub fn parse_file(file: &SourceFile) -> ParsedFile {
    if file.problem.is_some() {
        return ParsedFile::default();
    }
    let mut text: Cow<'_, str> = Cow::Borrowed(&file.text);
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        // Three spaces in place of the three bytes of the mark: offsets stay true.
        text = Cow::Owned(format!("   {rest}"));
    }
    let mut problems = Vec::new();
    for _ in 0..=MAX_DUPLICATE_KEYS {
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => {
                return ParsedFile {
                    body: Some(body),
                    problems,
                    recovered: false,
                    gaps: Vec::new(),
                };
            }
            Err(err) => {
                // hcl-edit's offset can fall inside a multi-byte character (an unclosed
                // list whose last line is a comment ending in `é`): back to its start.
                let offset = char_start(&text, err.location().offset());
                if err.message().contains("redefined object key")
                    && let Some((span, key)) = object_key_at(&text, offset)
                    && let Some(masked) = mask_key(&text, &span)
                {
                    problems.push(ParseProblem {
                        kind: ParseProblemKind::DuplicateKey { key: key.clone() },
                        span,
                        message: format!(
                            "object key `{key}` is defined twice; Terraform keeps the last value and silently drops the earlier one"
                        ),
                    });
                    text = Cow::Owned(masked);
                    continue;
                }
                let end = text
                    .get(offset..)
                    .and_then(|rest| rest.find(['\n', '\r']))
                    .map_or(text.len(), |i| offset + i.max(1))
                    .min(text.len());
                problems.push(ParseProblem {
                    kind: ParseProblemKind::Syntax,
                    span: offset..end.max(offset),
                    message: err.message().to_string(),
                });
                // In an answer, one broken block must not hide the others.
                let (body, gaps) = match file.origin.is_some().then(|| recover(&text)).flatten() {
                    Some((body, gaps)) => (Some(body), gaps),
                    None => (None, Vec::new()),
                };
                let recovered = body.is_some();
                return ParsedFile {
                    body,
                    problems,
                    recovered,
                    gaps,
                };
            }
        }
    }
    ParsedFile {
        body: None,
        problems,
        recovered: false,
        gaps: Vec::new(),
    }
}

/// Keywords that start a top-level block at the beginning of a line.
const TOP_LEVEL: &[&str] = &[
    "resource",
    "data",
    "module",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "moved",
    "import",
    "check",
    "removed",
];

/// A body of the blocks of `text` that parse on their own: the text is cut where a line
/// starts with a top-level keyword, each piece that does not parse alone is blanked
/// (spaces, newlines kept, so every offset stays true), and the rest is parsed as one,
/// with where the blanked pieces are. `None` when nothing parses.
pub fn recover(text: &str) -> Option<(Body, Vec<Range<usize>>)> {
    let mut cuts: Vec<usize> = vec![0];
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let word = line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if at > 0 && TOP_LEVEL.contains(&word) {
            cuts.push(at);
        }
        at += line.len();
    }
    cuts.push(text.len());
    let mut blanked = String::with_capacity(text.len());
    let mut kept = 0;
    let mut gaps: Vec<Range<usize>> = Vec::new();
    for pair in cuts.windows(2) {
        let piece = text.get(pair[0]..pair[1])?;
        if hcl_edit::parser::parse_body(piece).is_ok() {
            blanked.push_str(piece);
            kept += 1;
        } else {
            match gaps.last_mut() {
                Some(last) if last.end == pair[0] => last.end = pair[1],
                _ => gaps.push(pair[0]..pair[1]),
            }
            // As many spaces as the character has bytes: offsets stay true.
            for c in piece.chars() {
                if c == '\n' || c == '\r' {
                    blanked.push(c);
                } else {
                    blanked.extend(std::iter::repeat_n(' ', c.len_utf8()));
                }
            }
        }
    }
    if kept == 0 {
        return None;
    }
    Some((hcl_edit::parser::parse_body(&blanked).ok()?, gaps))
}

/// The start of the character at byte `offset` of `text` (its end when past it).
fn char_start(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The object key that starts at `offset`: an identifier or a quoted string.
fn object_key_at(text: &str, offset: usize) -> Option<(Range<usize>, String)> {
    let rest = text.get(offset..)?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        Some((offset..offset + end + 2, quoted[..end].to_string()))
    } else {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (len > 0).then(|| (offset..offset + len, rest[..len].to_string()))
    }
}

/// Replaces the first character of the key's name with `_` (or `Z` if it already is one),
/// keeping every byte offset.
fn mask_key(text: &str, span: &Range<usize>) -> Option<String> {
    let start = if text[span.clone()].starts_with('"') {
        span.start + 1
    } else {
        span.start
    };
    let ch = text.get(start..)?.chars().next()?;
    let replacement = if ch == '_' { "Z" } else { "_" };
    if ch.len_utf8() != 1 {
        return None;
    }
    let mut out = text.to_string();
    out.replace_range(start..start + 1, replacement);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::FileKind;

    fn parse(text: &str) -> ParsedFile {
        parse_file(&SourceFile::new("x.tf", FileKind::Terraform, text))
    }

    #[test]
    fn byte_order_mark_is_accepted_and_offsets_kept() {
        let parsed = parse("\u{feff}variable \"a\" {}\n");
        assert!(parsed.problems.is_empty());
        let body = parsed.body.unwrap();
        let block = body.blocks().next().unwrap();
        assert_eq!(hcl_edit::Span::span(block), Some(3..18));
    }

    #[test]
    fn duplicate_key_is_a_problem_and_the_file_still_parses() {
        let parsed = parse(
            "locals {\n  a = {\n    K = 1\n    K = 2\n    \"s\" = 3\n    \"s\" = 4\n  }\n}\n",
        );
        assert!(parsed.body.is_some());
        assert_eq!(
            parsed.problems,
            vec![
                ParseProblem {
                    kind: ParseProblemKind::DuplicateKey { key: "K".into() },
                    span: 31..32,
                    message: "object key `K` is defined twice; Terraform keeps the last value and silently drops the earlier one".into(),
                },
                ParseProblem {
                    kind: ParseProblemKind::DuplicateKey { key: "s".into() },
                    span: 53..56,
                    message: "object key `s` is defined twice; Terraform keeps the last value and silently drops the earlier one".into(),
                },
            ]
        );
    }

    #[test]
    fn syntax_error_inside_a_multibyte_character_starts_at_the_character() {
        // hcl-edit reports these at the last byte of the `é`.
        for text in ["x = [a # é", "x = (a\n# é", "x = [\n// “"] {
            let parsed = parse(text);
            assert_eq!(parsed.problems.len(), 1, "{text:?}");
            let span = parsed.problems[0].span.clone();
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{text:?}: {span:?}"
            );
            assert!(span.end <= text.len() && text.get(span).is_some_and(|s| !s.is_empty()));
        }
    }

    #[test]
    fn a_broken_answer_block_leaves_the_others_parsed() {
        let text = "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n\nresource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n";
        let mut file = SourceFile::new(
            "lib/MODEL_RESPONSE.md/main.tf",
            crate::workspace::FileKind::Terraform,
            text,
        );
        file.origin = Some(crate::workspace::Origin {
            path: "lib/MODEL_RESPONSE.md".into(),
            line: 1,
        });
        let parsed = parse_file(&file);
        assert_eq!(parsed.problems.len(), 1);
        let body = parsed.body.as_ref().map(|b| {
            b.blocks()
                .map(|b| {
                    b.labels
                        .iter()
                        .map(|l| l.as_str().to_string())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(
            body,
            Some(vec![
                "aws_s3_bucket.a".to_string(),
                "aws_sqs_queue.q".to_string()
            ])
        );
        // Offsets are those of the file.
        let q = text.find("aws_sqs_queue").unwrap_or(0);
        let span = parsed
            .body
            .as_ref()
            .and_then(|b| b.blocks().nth(1))
            .and_then(|b| hcl_edit::Span::span(&b.labels[0]));
        assert_eq!(span.map(|s| s.start), Some(q - 1));
        // A file of its own (not an answer) stays unparsed: its last good parse is used.
        file.origin = None;
        assert!(parse_file(&file).body.is_none());
    }

    #[test]
    fn syntax_error_points_at_the_parser_location() {
        let parsed = parse("resource \"a\" \"b\" {\n  x = \n}\n");
        assert!(parsed.body.is_none());
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].kind, ParseProblemKind::Syntax);
    }
}
