//! Inline suppressions: `# tfreview:ignore RULE_ID reason` (or `//`) on the line above a
//! block or an attribute silences that rule's findings inside it. Several ids may be
//! given, separated by commas. A suppression without a reason, with an unknown rule id,
//! or with nothing below it is reported by the `suppression-invalid` rule.

use std::ops::Range;

use hcl_edit::structure::{Body, Structure};

use crate::model::expr::span_of;

const MARKER: &str = "tfreview:ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, from its `#` or `//` to the end of the line.
    pub span: Range<usize>,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Where the first code line below the comment starts, if there is one.
    pub target: Option<usize>,
}

/// The suppressions written in `src`.
pub fn scan(src: &str) -> Vec<Suppression> {
    if !src.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<(usize, &str)> = src
        .split_inclusive('\n')
        .map(|l| {
            let start = offset;
            offset += l.len();
            (start, l)
        })
        .collect();
    for (i, (start, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(body) = trimmed
            .strip_prefix('#')
            .or_else(|| trimmed.strip_prefix("//"))
        else {
            continue;
        };
        let Some(rest) = body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let rest = rest.trim();
        let (ids, reason) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let comment_start = start + (line.len() - trimmed.len());
        let target = lines[i + 1..]
            .iter()
            .find(|(_, l)| {
                let t = l.trim_start();
                !(t.is_empty() || t.starts_with('#') || t.starts_with("//"))
            })
            .map(|(s, l)| s + (l.len() - l.trim_start().len()));
        out.push(Suppression {
            span: comment_start..start + line.trim_end().len(),
            rules: ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            reason: (!reason.is_empty()).then(|| reason.to_string()),
            target,
        });
    }
    out
}

/// The span of the block or attribute of `body` (at any depth) that starts at `offset`.
pub fn item_at(body: &Body, offset: usize) -> Option<Range<usize>> {
    for structure in body.iter() {
        let span = span_of(structure);
        if span.start == offset {
            return Some(span);
        }
        if let Structure::Block(block) = structure
            && span.start < offset
            && offset < span.end
        {
            return item_at(&block.body, offset);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_read_with_their_ids_reason_and_target() {
        let src = "# tfreview:ignore a-rule,b-rule  kept for the audit  \n\n# other\nresource \"x\" \"y\" {\n  // tfreview:ignore c-rule\n  name = 1\n}\n# tfreview:ignore d-rule at the end\n";
        let s = scan(src);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].rules, vec!["a-rule", "b-rule"]);
        assert_eq!(s[0].reason.as_deref(), Some("kept for the audit"));
        assert_eq!(
            &src[s[0].span.clone()],
            "# tfreview:ignore a-rule,b-rule  kept for the audit"
        );
        assert_eq!(&src[s[0].target.unwrap()..][..8], "resource");
        assert_eq!(s[1].reason, None);
        assert_eq!(&src[s[1].target.unwrap()..][..4], "name");
        assert_eq!(s[2].target, None);
        let body: Body = src.parse().unwrap();
        let block = item_at(&body, s[0].target.unwrap()).unwrap();
        assert!(src[block].starts_with("resource"));
        let attr = item_at(&body, s[1].target.unwrap()).unwrap();
        assert_eq!(&src[attr], "name = 1");
    }
}
