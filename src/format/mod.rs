//! Formatting as `terraform fmt` does it, byte for byte, without Terraform.
//!
//! Two steps, as Terraform takes them:
//! 1. Terraform's own normalisations, on the structure (hcl-edit's parse, which also
//!    refuses what does not parse): block labels written as identifiers are quoted; an
//!    argument whose value is a single interpolation (`"${var.x}"`) becomes the bare
//!    expression (in parentheses when it spans lines); in `variable` blocks, the legacy
//!    types `"string"`, `"list"`, `"map"` and a bare `list`, `map` or `set` become
//!    `string`, `list(string)`, `map(string)` and `list(any)`…
//! 2. The layout, on the tokens (see [`lexer`]): each line is cut into cells (what comes
//!    before an argument's `=`, the `=` and its value, a comment at the end); indentation
//!    is two spaces per level of brackets opened on earlier lines; the blanks between
//!    tokens follow a fixed set of rules; `=` signs, and comments at the end of lines, are
//!    aligned across consecutive lines that have them. Only blanks change: comments,
//!    heredocs, blank lines and line endings stay as they are.
//!
//! The rules were learned from the behaviour of `terraform fmt` (1.11) on the corpus and
//! on cases written for it; `tests/format.rs` holds the oracle test.

pub mod lexer;

use std::ops::Range;

use lexer::{Kind, Token};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Terraform does not format a file that does not parse, and neither does this.
    #[error("does not parse: {0}")]
    Syntax(String),
}

/// The text `terraform fmt` would make of `src`.
pub fn format(src: &str) -> Result<String, FormatError> {
    // A byte order mark is dropped, as Terraform drops it.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // What does not parse is not formatted. A key given twice in one object is no
    // syntax error to Terraform's formatter (the plan says it), only to hcl-edit.
    if let Err(e) = hcl_edit::parser::parse_body(src) {
        let message = e.to_string();
        if !message.contains("redefined object key") {
            return Err(FormatError::Syntax(message));
        }
    }
    Ok(format_parsed(src))
}

/// [`format_parsed`] when it differs from `src`; `None` when `src` is formatted already,
/// found without writing the formatted text out (most files are). A file that needs no
/// normalisation is lexed and laid out once, for the check and the text alike.
pub fn reformat_parsed(src: &str) -> Option<String> {
    if src.starts_with('\u{feff}') {
        let formatted = format_parsed(src);
        return (formatted != src).then_some(formatted);
    }
    let mut tokens = lexer::lex(src);
    let edits = normalise(&tokens);
    let formatted = if edits.is_empty() {
        layout(&mut tokens);
        let unchanged = tokens.iter().all(|t| {
            t.kind == Kind::Eof
                || (t.blanks.len() == t.spaces && t.blanks.bytes().all(|b| b == b' '))
        });
        if unchanged {
            return None;
        }
        written(&tokens, src.len())
    } else {
        normalised(src, edits)
    };
    (formatted != src).then_some(formatted)
}

/// [`format`] of a text known to parse (the model parsed it already).
pub fn format_parsed(src: &str) -> String {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut tokens = lexer::lex(src);
    let edits = normalise(&tokens);
    // Most files need no normalisation: their tokens are laid out as they are.
    if edits.is_empty() {
        layout(&mut tokens);
        written(&tokens, src.len())
    } else {
        normalised(src, edits)
    }
}

/// `src` with Terraform's normalisations `edits` made, lexed again and laid out.
fn normalised(src: &str, edits: Vec<(Range<usize>, String)>) -> String {
    let text = apply(src, edits);
    let mut tokens = lexer::lex(&text);
    layout(&mut tokens);
    written(&tokens, text.len())
}

/// The text of laid-out `tokens`: each token after its new blanks (a heredoc's and the
/// end's blanks as they are).
fn written(tokens: &[Token<'_>], len: usize) -> String {
    let mut out = String::with_capacity(len + len / 8);
    for t in tokens {
        if t.kind == Kind::Eof {
            out.push_str(t.blanks);
            continue;
        }
        for _ in 0..t.spaces {
            out.push(' ');
        }
        out.push_str(t.text);
    }
    out
}

/// The layout of [`format`] on some lines only: those for which `touched` (0-based
/// physical line numbers) is true, and every line aligned with one of them (its run of
/// `=` signs or of end comments). The other lines keep their blanks, and Terraform's
/// normalisations are not made: for the lines a fix wrote into a file that was not
/// formatted before it.
pub fn format_lines(src: &str, touched: &dyn Fn(usize) -> bool) -> String {
    let mut tokens = lexer::lex(src);
    let lines = lines_of(&tokens);
    // The physical lines each format line spans (a heredoc or block comment spans many).
    let mut first = 0;
    let mut selected: Vec<bool> = lines
        .iter()
        .map(|l| {
            let newlines: usize = tokens[l.lead.start..l.end()]
                .iter()
                .map(|t| t.text.matches('\n').count() + t.blanks.matches('\n').count())
                .sum();
            let span = first..=first + newlines.saturating_sub(1);
            first += newlines;
            span.into_iter().any(touched)
        })
        .collect();
    // Whole runs of aligned lines.
    for cell in [
        (|l: &Line| l.assign.is_some()) as fn(&Line) -> bool,
        |l: &Line| l.comment.is_some(),
    ] {
        let mut i = 0;
        while i < lines.len() {
            if !cell(&lines[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < lines.len() && cell(&lines[i]) {
                i += 1;
            }
            if selected[start..i].iter().any(|&s| s) {
                selected[start..i].iter_mut().for_each(|s| *s = true);
            }
        }
    }
    layout(&mut tokens);
    let mut out = String::with_capacity(src.len());
    let mut line_of = vec![usize::MAX; tokens.len()];
    for (n, l) in lines.iter().enumerate() {
        for slot in &mut line_of[l.lead.start..l.end()] {
            *slot = n;
        }
    }
    for (t, &n) in tokens.iter().zip(&line_of) {
        if selected.get(n).copied().unwrap_or(false) {
            for _ in 0..t.spaces {
                out.push(' ');
            }
        } else {
            out.push_str(t.blanks);
        }
        out.push_str(t.text);
    }
    out
}

/// Whether `src` is as `terraform fmt` leaves it (`None` when it does not parse).
pub fn is_formatted(src: &str) -> Option<bool> {
    format(src).ok().map(|f| f == src)
}

fn apply(src: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    if edits.is_empty() {
        return src.to_string();
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at || range.end > src.len() {
            continue;
        }
        out.push_str(&src[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&src[at..]);
    out
}

/// Terraform's normalisations, as edits of the text the tokens were lexed from: the
/// bodies are walked on the tokens (arguments, blocks and their labels), so that what
/// Terraform formats but hcl-edit refuses (an object with a key twice) is formatted too.
fn normalise(tokens: &[Token<'_>]) -> Vec<(Range<usize>, String)> {
    let mut starts = Vec::with_capacity(tokens.len() + 1);
    let mut at = 0;
    for t in tokens {
        at += t.blanks.len();
        starts.push(at);
        at += t.text.len();
    }
    let mut walk = Walk {
        tokens,
        starts,
        edits: Vec::new(),
    };
    walk.body(0, &mut Vec::new());
    walk.edits
}

struct Walk<'t> {
    tokens: &'t [Token<'t>],
    /// Where each token's text starts.
    starts: Vec<usize>,
    edits: Vec<(Range<usize>, String)>,
}

impl Walk<'_> {
    fn span(&self, from: usize, to: usize) -> Range<usize> {
        let end = self.starts[to - 1] + self.tokens[to - 1].text.len();
        self.starts[from]..end
    }

    /// The body from token `i` up to its closing brace; returns the index after it.
    fn body(&mut self, mut i: usize, path: &mut Vec<String>) -> usize {
        let t = self.tokens;
        while i < t.len() {
            match t[i].kind {
                Kind::Newline | Kind::Comment => i += 1,
                Kind::CBrace => return i + 1,
                Kind::Eof => return t.len(),
                Kind::Ident if t.get(i + 1).is_some_and(|n| n.kind == Kind::Equal) => {
                    let from = i + 2;
                    let mut k = from;
                    let mut depth = 0;
                    while k < t.len() {
                        let tok = &t[k];
                        if depth == 0
                            && (tok.ends_line() || matches!(tok.kind, Kind::CBrace | Kind::Eof))
                        {
                            break;
                        }
                        depth += tok.bracket_change();
                        k += 1;
                    }
                    if k > from {
                        let value = &t[from..k];
                        let replaced =
                            if path.len() == 1 && path[0] == "variable" && t[i].text == "type" {
                                type_expr(value)
                            } else {
                                unwrap_interpolation(value)
                            };
                        if let Some(new) = replaced {
                            self.edits.push((self.span(from, k), new));
                        }
                    }
                    i = k;
                }
                Kind::Ident => {
                    let name = t[i].text.to_string();
                    let mut k = i + 1;
                    while k < t.len() && t[k].kind != Kind::OBrace {
                        match t[k].kind {
                            Kind::Ident => self
                                .edits
                                .push((self.span(k, k + 1), format!("\"{}\"", t[k].text))),
                            Kind::OQuote | Kind::QuotedLit | Kind::CQuote | Kind::Comment => {}
                            // Not a block header after all.
                            _ => break,
                        }
                        k += 1;
                    }
                    if k < t.len() && t[k].kind == Kind::OBrace {
                        path.push(name);
                        i = self.body(k + 1, path);
                        path.pop();
                    } else {
                        i = k.max(i + 1);
                    }
                }
                _ => i += 1,
            }
        }
        i
    }
}

/// The text of tokens as written, without the blanks before the first.
fn text_of(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push_str(t.blanks);
        }
        out.push_str(t.text);
    }
    out
}

/// `"${ expr }"` → `expr`: only when the quotes hold one interpolation and nothing else
/// (interpolations inside nested quotes are part of the expression).
fn unwrap_interpolation(tokens: &[Token<'_>]) -> Option<String> {
    let n = tokens.len();
    if n < 5
        || tokens[0].kind != Kind::OQuote
        || tokens[1].kind != Kind::TemplateInterp
        || tokens[n - 2].kind != Kind::TemplateSeqEnd
        || tokens[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &tokens[2..n - 2];
    let mut quotes = 0i32;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let mut trimmed = inside;
    while let Some((first, rest)) = trimmed.split_first() {
        if first.kind != Kind::Newline {
            break;
        }
        trimmed = rest;
    }
    while let Some((last, rest)) = trimmed.split_last() {
        if last.kind != Kind::Newline {
            break;
        }
        trimmed = rest;
    }
    if trimmed.is_empty() {
        return None;
    }
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesised = trimmed.first().is_some_and(|t| t.kind == Kind::OParen)
        && trimmed.last().is_some_and(|t| t.kind == Kind::CParen);
    let text = text_of(trimmed);
    Some(if multi_line && !parenthesised {
        format!("({text})")
    } else {
        text
    })
}

/// A variable's `type`: legacy quoted types and collections without an element type.
fn type_expr(tokens: &[Token<'_>]) -> Option<String> {
    match tokens {
        [kw] if kw.kind == Kind::Ident => match kw.text {
            "list" | "map" | "set" => Some(format!("{}(any)", kw.text)),
            _ => None,
        },
        [open, lit, close]
            if open.kind == Kind::OQuote
                && lit.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            match lit.text {
                "string" => Some("string".into()),
                "list" => Some("list(string)".into()),
                "map" => Some("map(string)".into()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// One line's cells, as ranges of token indices: what comes before an argument's `=`,
/// the `=` with its value, and a comment that ends the line.
#[derive(Debug, Clone, Default)]
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<Range<usize>>,
}

impl Line {
    /// The index after the line's last token.
    fn end(&self) -> usize {
        self.comment
            .as_ref()
            .map(|c| c.end)
            .or(self.assign.as_ref().map(|a| a.end))
            .unwrap_or(self.lead.end)
    }
}

fn lines_of(tokens: &[Token<'_>]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    // The end of the input belongs to no line.
    let tokens = match tokens.split_last() {
        Some((last, rest)) if last.kind == Kind::Eof => rest,
        _ => tokens,
    };
    for (i, t) in tokens.iter().enumerate() {
        if t.ends_line() {
            lines.push(Line {
                lead: start..i + 1,
                ..Line::default()
            });
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(Line {
            lead: start..tokens.len(),
            ..Line::default()
        });
    }
    for line in &mut lines {
        let lead = line.lead.clone();
        if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
            line.comment = Some(lead.end - 1..lead.end);
            line.lead = lead.start..lead.end - 1;
        }
        let lead = line.lead.clone();
        if let Some(eq) = (lead.start + 1..lead.end).find(|&i| tokens[i].kind == Kind::Equal) {
            // Only a value that closes every bracket it opens is aligned: one that opens
            // more goes on over the next lines.
            let mut net = 0;
            for t in &tokens[eq..lead.end] {
                net += t.bracket_change();
                if t.kind == Kind::OHeredoc {
                    break;
                }
            }
            if net == 0 {
                line.assign = Some(eq..lead.end);
                line.lead = lead.start..eq;
            }
        }
    }
    lines
}

fn layout(tokens: &mut [Token<'_>]) {
    let lines = lines_of(tokens);
    indent(tokens, &lines);
    spaces(tokens, &lines);
    align(tokens, &lines);
}

/// Two spaces per level of brackets that earlier lines left open; a line that closes
/// more than the last level opened closes as many levels as it takes.
fn indent(tokens: &mut [Token<'_>], lines: &[Line]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == Kind::Newline {
            tokens[first].spaces = 0;
            continue;
        }
        let mut net = 0;
        let ranges = [Some(line.lead.clone()), line.assign.clone()];
        'count: for range in ranges.into_iter().flatten() {
            for t in &tokens[range] {
                net += t.bracket_change();
                if t.kind == Kind::OHeredoc {
                    break 'count;
                }
            }
        }
        if net < 0 {
            let mut closed = -net;
            while closed > 0 {
                let Some(last) = levels.last_mut() else { break };
                if closed > *last {
                    closed -= *last;
                    levels.pop();
                } else if closed < *last {
                    *last -= closed;
                    closed = 0;
                } else {
                    levels.pop();
                    closed = 0;
                }
            }
        }
        tokens[first].spaces = 2 * levels.len();
        if net > 0 {
            levels.push(net);
        }
    }
}

/// The blanks between the tokens of each cell.
fn spaces(tokens: &mut [Token<'_>], lines: &[Line]) {
    for line in lines {
        for (cell, is_assign) in [
            (Some(line.lead.clone()), false),
            (line.assign.clone(), true),
        ] {
            let Some(cell) = cell else { continue };
            if is_assign && !cell.is_empty() {
                tokens[cell.start].spaces = 1;
            }
            for i in cell.clone() {
                if i + 1 >= cell.end {
                    break;
                }
                let before = (i > cell.start).then(|| tokens[i - 1].kind);
                let space = space_after(tokens[i].kind, tokens[i].text, before, tokens[i + 1].kind);
                tokens[i + 1].spaces = usize::from(space);
            }
        }
    }
}

/// Whether one blank goes between `subject` and `after` (`before` is the token before
/// `subject` in its cell, `None` at its start).
fn space_after(subject: Kind, text: &str, before: Option<Kind>, after: Kind) -> bool {
    use Kind::*;
    let opens = |k: Kind| {
        matches!(
            k,
            OBrace | OBrack | OParen | TemplateInterp | TemplateControl
        )
    };
    let closes = |k: Kind| matches!(k, CBrace | CBrack | CParen | TemplateSeqEnd);
    match (subject, after) {
        // Nothing before the end of a line.
        (_, Newline) => false,
        // A function name and its parenthesis; namespaces of provider functions.
        (Ident, OParen) => false,
        (Ident, DoubleColon) | (DoubleColon, Ident) => false,
        (Dot, _) | (_, Dot) => false,
        (_, Comma) | (_, Ellipsis) => false,
        (Comma, _) => true,
        // Nothing added inside templates.
        (QuotedLit | StringLit | OQuote | OHeredoc, _) => false,
        (_, QuotedLit | StringLit | CQuote | CHeredoc) => false,
        // `in` of a `for` before a tuple: `for x in [a]`.
        (Ident, _) if text == "in" && before == Some(Ident) => true,
        (Ident | NumberLit, OBrack) => false,
        (s, OBrack) if closes(s) => false,
        // A minus after something that cannot end an operand is a negation.
        (Minus, _) => !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        ),
        // Braces have blanks inside them, but `{}`.
        (OBrace, CBrace) => false,
        (OBrace, _) | (_, CBrace) => true,
        (TemplateInterp | TemplateControl, OBrace) => true,
        (CBrace, TemplateSeqEnd) => true,
        (TemplateSeqEnd, TemplateInterp | TemplateControl) => false,
        (s, _) if opens(s) => false,
        (_, a) if closes(a) => false,
        (Bang, _) => false,
        _ => true,
    }
}

/// Aligns the `=` of consecutive lines that have one, then the comments that end
/// consecutive lines.
fn align(tokens: &mut [Token<'_>], lines: &[Line]) {
    align_cells(
        tokens,
        lines,
        |l| l.assign.clone(),
        |tokens, l| columns(tokens, &l.lead),
    );
    align_cells(
        tokens,
        lines,
        |l| l.comment.clone(),
        |tokens, l| columns(tokens, &l.lead) + l.assign.as_ref().map_or(0, |a| columns(tokens, a)),
    );
}

/// The columns tokens take, blanks included (in characters, as Terraform counts them).
fn columns(tokens: &[Token<'_>], range: &Range<usize>) -> usize {
    tokens[range.clone()]
        .iter()
        .map(|t| t.spaces + t.text.chars().count())
        .sum()
}

/// In every run of consecutive lines that have the cell `cell`, puts that cell's first
/// token one blank after the widest `before` (what precedes the cell) of the run.
fn align_cells(
    tokens: &mut [Token<'_>],
    lines: &[Line],
    cell: impl Fn(&Line) -> Option<Range<usize>>,
    before: impl Fn(&[Token<'_>], &Line) -> usize,
) {
    let mut i = 0;
    while i < lines.len() {
        if cell(&lines[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && cell(&lines[i]).is_some() {
            i += 1;
        }
        let run = &lines[start..i];
        let widest = run.iter().map(|l| before(tokens, l)).max().unwrap_or(0);
        for l in run {
            let width = before(tokens, l);
            if let Some(c) = cell(l) {
                tokens[c.start].spaces = widest - width + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_of_terraform_fmt() {
        let src = "resource aws_s3_bucket b {\n\tbucket=\"x\" # c\n  acl =   \"private\"    // d\n\n\n  tags = {\n  a = 1\n      bbb = \"${var.x}\"\n  }\n  list = [1,2 , 3]\n  neg = -1\n  e = a-1\n  f = !var.x\n  g = var.a[0].b\n  h = func( 1, 2 )\n  i = \"${ var.x }-y\"\n  j = \"${var.j}\"\n  heredoc = <<-EOT\n      keep   this\n    EOT\n}\nvariable \"v\" {\n  type = \"string\"\n}\n";
        let want = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"       # c\n  acl    = \"private\" // d\n\n\n  tags = {\n    a   = 1\n    bbb = \"${var.x}\"\n  }\n  list    = [1, 2, 3]\n  neg     = -1\n  e       = a-1\n  f       = !var.x\n  g       = var.a[0].b\n  h       = func(1, 2)\n  i       = \"${var.x}-y\"\n  j       = var.j\n  heredoc = <<-EOT\n      keep   this\n    EOT\n}\nvariable \"v\" {\n  type = string\n}\n";
        assert_eq!(format(src).unwrap(), want);
        assert_eq!(format(want).unwrap(), want);
    }

    #[test]
    fn reformat_parsed_is_none_exactly_when_nothing_changes() {
        for src in [
            "a = 1\n",
            "a  = 1\n",
            "a =\t1\n",
            "\u{feff}a = 1\n",
            "variable \"v\" {\n  type = \"string\"\n}\n",
            "variable \"v\" {\n  type = string\n}\n",
            "x = <<EOF\n  keep\tthis\nEOF\n",
            "b {\n  a   = 1\n  bbb = 2\n}\n\n\n",
        ] {
            let full = format_parsed(src);
            assert_eq!(
                reformat_parsed(src),
                (full != src).then_some(full.clone()),
                "{src:?}"
            );
        }
    }

    #[test]
    fn some_lines_only_with_the_lines_aligned_with_them() {
        let src = "resource \"a\" \"b\" {\n  name = \"x\"\n    description = \"y\" # why  \n  policy = <<EOF\n  keep   =  this\nEOF\n  tags = {\n    A = 1\n  }\n}\n";
        assert_eq!(
            format_lines(src, &|_| true),
            "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\" # why  \n  policy      = <<EOF\n  keep   =  this\nEOF\n  tags = {\n    A = 1\n  }\n}\n"
        );
        // Only the run of a touched line changes.
        let src = "a {\n  x = 1\n  yyy = 2\n\n  z    = 3\n}\n";
        assert_eq!(
            format_lines(src, &|n| n == 2),
            "a {\n  x   = 1\n  yyy = 2\n\n  z    = 3\n}\n"
        );
        let src = "a {\r\n  x = 1\r\n  yyy = 2\r\n}\r\n";
        assert_eq!(
            format_lines(src, &|_| true),
            "a {\r\n  x   = 1\r\n  yyy = 2\r\n}\r\n"
        );
    }

    #[test]
    fn what_does_not_parse_is_not_formatted() {
        assert!(matches!(format("a = {\n"), Err(FormatError::Syntax(_))));
    }
}
