//! Building blocks for fixes: where to put a new attribute in a block, a new block in a
//! file, and how to take lines out, all as [`Edit`]s of the original text that keep the
//! file's indentation.

use std::ops::Range;

use crate::finding::Edit;
use crate::workspace::Workspace;

/// Byte offset where the line holding `offset` starts.
pub fn line_start(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Byte offset just past the newline that ends the line holding `offset`.
pub fn line_end_inclusive(src: &str, offset: usize) -> usize {
    src.get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(src.len(), |i| offset + i + 1)
}

/// The leading white space of the line holding `offset`.
pub fn line_indent(src: &str, offset: usize) -> &str {
    let start = line_start(src, offset);
    let line = src.get(start..).unwrap_or("");
    let len = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..len]
}

/// `text` with `indent` before every non-empty line.
pub fn indent_lines(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds `lines` (unindented HCL) as the last entries of the block spanning `block`,
/// indented one level deeper than the block. Works for `x {}`, one-line `x { a = 1 }` and
/// ordinary multi-line blocks.
pub fn append_to_block(path: &str, src: &str, block: Range<usize>, lines: &str) -> Option<Edit> {
    let close = block.end.checked_sub(1)?;
    if src.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let indent = line_indent(src, block.start);
    let inner = format!("{indent}  ");
    let close_line = line_start(src, close);
    if close_line > block.start && src.get(close_line..close)?.trim().is_empty() {
        return Some(Edit::insert(
            path,
            close_line,
            format!("{}\n", indent_lines(lines, &inner)),
        ));
    }
    // The block closes on the line it opens: rewrite its braces onto their own lines.
    let open = block.start + src.get(block.clone())?.find('{')?;
    let existing = src.get(open + 1..close)?.trim();
    let mut text = String::from("{\n");
    if !existing.is_empty() {
        text.push_str(&format!("{inner}{existing}\n"));
    }
    text.push_str(&indent_lines(lines, &inner));
    text.push_str(&format!("\n{indent}}}"));
    Some(Edit::replace(path, open..block.end, text))
}

/// Sets `key = value` in the block spanning `block`: replaces the value of `existing`
/// when the block has the attribute, else adds the attribute as its last entry.
pub fn set_attribute(
    path: &str,
    src: &str,
    block: Range<usize>,
    existing: Option<&hcl_edit::structure::Attribute>,
    key: &str,
    value: &str,
) -> Option<Edit> {
    match existing {
        Some(attr) => Some(Edit::replace(
            path,
            crate::model::expr::span_of(&attr.value),
            value,
        )),
        None => append_to_block(path, src, block, &format!("{key} = {value}")),
    }
}

/// Adds `address` to the `depends_on` list of the block spanning `block` (`existing` is
/// its `depends_on` attribute, if any), or gives the block `depends_on = [address]`.
pub fn add_to_depends_on(
    path: &str,
    src: &str,
    block: Range<usize>,
    existing: Option<&hcl_edit::structure::Attribute>,
    address: &str,
) -> Option<Edit> {
    match existing {
        Some(attr) => {
            let span = crate::model::expr::span_of(&attr.value);
            let inside = src.get(span.start + 1..span.end.checked_sub(1)?)?;
            let trimmed = inside.trim_end();
            let sep = if trimmed.trim().is_empty() || trimmed.ends_with(',') {
                ""
            } else {
                ", "
            };
            let at = span.start + 1 + trimmed.len();
            Some(Edit::insert(path, at, format!("{sep}{address}")))
        }
        None => append_to_block(path, src, block, &format!("\ndepends_on = [{address}]")),
    }
}

/// Appends `text` (one or more blocks) to the file at `path`, separated by a blank line,
/// or creates the file when the workspace has none at that path.
pub fn append_to_file(ws: &Workspace, path: &str, text: &str) -> Edit {
    let body = text.trim_end_matches('\n');
    match ws.file_by_path(path) {
        Some(file) => {
            let existing = &file.text;
            let sep = if existing.is_empty() || existing.ends_with("\n\n") {
                ""
            } else if existing.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Edit::insert(path, existing.len(), format!("{sep}{body}\n"))
        }
        None => Edit::insert(path, 0, format!("{body}\n")),
    }
}

/// Removes the whole lines covering `span` with the comment lines directly above them,
/// and one blank line after them when they stand between blank lines (so no double blank
/// line is left behind).
pub fn remove_lines(path: &str, src: &str, span: Range<usize>) -> Edit {
    let mut start = line_start(src, span.start);
    while start > 0 {
        let above = line_start(src, start - 1);
        let line = src.get(above..start).unwrap_or("").trim();
        if line.starts_with('#') || line.starts_with("//") {
            start = above;
        } else {
            break;
        }
    }
    let mut end = line_end_inclusive(src, span.end.saturating_sub(1).max(span.start));
    let blank_before = start == 0 || src.get(..start).is_some_and(|s| s.ends_with("\n\n"));
    if blank_before && src.get(end..).is_some_and(|s| s.starts_with('\n')) {
        end += 1;
    }
    Edit::replace(path, start..end, "")
}

/// The text of a `variable` block that a fix adds: its description and type, and a
/// default taken from the code where it can be (the value `*.tfvars` gives it, the region
/// the module's default provider uses for a region variable, `{}` for tags, the AWS
/// default of the argument it is assigned to). Without one, a comment says it needs a
/// value, so that nobody mistakes the missing default for an oversight.
pub fn variable_block(
    model: &crate::model::Model<'_>,
    module: &crate::model::Module<'_>,
    name: &str,
    ty: &str,
    description: &str,
    assigned_to: Option<&str>,
) -> String {
    let default = variable_default(model, module, name, assigned_to);
    let mut text = String::new();
    if default.is_none() {
        text.push_str(
            "# Needs a value (no default could be taken from the code): set it in terraform.tfvars or with -var.\n",
        );
    }
    text.push_str(&format!(
        "variable \"{name}\" {{\n  description = \"{}\"\n  type        = {ty}\n",
        description.replace('\\', "\\\\").replace('"', "\\\"")
    ));
    if let Some(default) = default {
        text.push_str(&format!("  default     = {default}\n"));
    }
    text.push_str("}\n");
    text
}

fn variable_default(
    model: &crate::model::Model<'_>,
    module: &crate::model::Module<'_>,
    name: &str,
    assigned_to: Option<&str>,
) -> Option<String> {
    use crate::model::BlockKind;
    if let Some(v) = module.tfvars.iter().find(|v| v.name == name) {
        let span = crate::model::expr::span_of(v.value);
        let text = model.src(v.file).get(span)?.trim();
        if !text.is_empty() && !text.contains('\n') {
            return Some(text.to_string());
        }
    }
    let n = name.to_ascii_lowercase();
    if n == "tags" || n.ends_with("_tags") {
        return Some("{}".into());
    }
    // A region: the one the module's default provider configuration names, unless the
    // variable is for another place (a replica, a secondary or disaster-recovery region).
    let elsewhere = [
        "secondary",
        "replica",
        "dr_",
        "backup",
        "failover",
        "peer",
        "target",
    ];
    if n.contains("region") && !elsewhere.iter().any(|w| n.contains(w)) {
        let region = module
            .blocks_of(BlockKind::Provider)
            .filter(|p| p.attr("alias").is_none())
            .filter_map(|p| p.attr("region"))
            .find_map(|a| crate::model::expr::static_str(&a.value));
        if let Some(region) = region {
            return Some(format!("\"{region}\""));
        }
    }
    // Arguments whose AWS default is documented and safe to state.
    match assigned_to {
        Some("deletion_window_in_days") => Some("30".into()),
        _ => None,
    }
}

/// One line as `terraform fmt` sees it: a physical line, or several when a heredoc, a
/// block comment or a quoted string goes on past its end.
#[derive(Debug, Clone)]
struct FmtLine {
    /// Physical lines `first..end`.
    first: usize,
    end: usize,
    /// Net brackets opened by the line (counted up to a heredoc's opening).
    net: i32,
    /// Byte offset, in the first physical line, of the `=` that makes the line a
    /// single-line attribute.
    assign: Option<usize>,
    /// Byte offset, in the first physical line, of its first `=` (an assignment or not).
    eq: Option<usize>,
    /// Byte offset, in the first physical line, of a trailing comment.
    comment: Option<usize>,
    blank: bool,
    /// A string or a block comment goes on past the line: nothing of it changes.
    verbatim: bool,
}

/// Where the lexer is at the end of a physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Carry {
    Code,
    Heredoc(String),
    BlockComment,
    /// Inside a quoted string (and this many template interpolations deep in it).
    Quoted(Vec<u32>),
}

/// Reads one physical line that starts in code: its bracket count, its first `=`, its
/// trailing comment, and what carries over to the next line.
fn scan_line(line: &str) -> (i32, Option<usize>, Option<usize>, Option<usize>, Carry) {
    let b = line.as_bytes();
    let mut i = 0;
    let mut net = 0;
    let mut net_at_eq: Option<i32> = None;
    let mut first_eq: Option<usize> = None;
    let mut tokens_before_eq = 0usize;
    let mut comment = None;
    let mut tokens = 0usize;
    let mut carry = Carry::Code;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                comment = Some(i);
                break;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                comment = Some(i);
                break;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match line[i + 2..].find("*/") {
                Some(j) => {
                    let end = i + 2 + j + 2;
                    if line[end..].trim().is_empty() && tokens > 0 {
                        comment = Some(i);
                        break;
                    }
                    i = end;
                    continue;
                }
                None => {
                    comment = None;
                    carry = Carry::BlockComment;
                    break;
                }
            },
            b'"' => {
                tokens += 1;
                match skip_quoted(line, i + 1, Vec::new()) {
                    Ok(end) => i = end,
                    Err(stack) => {
                        carry = Carry::Quoted(stack);
                        break;
                    }
                }
                continue;
            }
            b'<' if b.get(i + 1) == Some(&b'<')
                && (b
                    .get(i + 2)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-')) =>
            {
                let rest = &line[i + 2..];
                let rest = rest.strip_prefix('-').unwrap_or(rest);
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !marker.is_empty() {
                    tokens += 1;
                    carry = Carry::Heredoc(marker);
                    break;
                }
                i += 2;
                continue;
            }
            b'{' | b'[' | b'(' => {
                net += 1;
            }
            b'}' | b']' | b')' => {
                net -= 1;
            }
            b'=' => {
                let prev = i.checked_sub(1).map(|p| b[p]);
                let next = b.get(i + 1).copied();
                let operator = matches!(prev, Some(b'=' | b'!' | b'<' | b'>'))
                    || matches!(next, Some(b'=' | b'>'));
                if !operator && first_eq.is_none() {
                    first_eq = Some(i);
                    tokens_before_eq = tokens;
                    net_at_eq = Some(net);
                }
            }
            _ => {}
        }
        tokens += 1;
        i += 1;
    }
    let assign = match (first_eq, net_at_eq) {
        (Some(at), Some(before)) if tokens_before_eq > 0 && net - before == 0 => Some(at),
        _ => None,
    };
    let comment = comment.filter(|_| tokens > 0 && carry == Carry::Code);
    let eq = first_eq.filter(|_| tokens_before_eq > 0);
    (net, assign, eq, comment, carry)
}

/// Skips a quoted string's body from `i` (just past the opening quote, `stack` the
/// interpolations already open): the offset past its closing quote, or the open
/// interpolations when the line ends first.
fn skip_quoted(line: &str, mut i: usize, mut stack: Vec<u32>) -> Result<usize, Vec<u32>> {
    let b = line.as_bytes();
    while i < b.len() {
        match (stack.last().copied(), b[i]) {
            (None, b'\\') => i += 2,
            (None, b'"') => return Ok(i + 1),
            (None, b'$' | b'%') if b.get(i + 1) == Some(&b'{') => {
                if b.get(i.wrapping_sub(1)) == Some(&b[i]) && i > 0 {
                    // `$${` is an escaped `${`.
                    i += 2;
                } else {
                    stack.push(0);
                    i += 2;
                }
            }
            (None, _) => i += 1,
            (Some(depth), c) => {
                match c {
                    b'{' => {
                        if let Some(d) = stack.last_mut() {
                            *d += 1;
                        }
                    }
                    b'}' if depth == 0 => {
                        stack.pop();
                    }
                    b'}' => {
                        if let Some(d) = stack.last_mut() {
                            *d -= 1;
                        }
                    }
                    b'"' => match skip_quoted(line, i + 1, Vec::new()) {
                        Ok(end) => {
                            i = end;
                            continue;
                        }
                        Err(_) => return Err(stack),
                    },
                    _ => {}
                }
                i += 1;
            }
        }
    }
    Err(stack)
}

/// The length of the quoted string at the start of `text` (with its quotes), when it
/// ends on the line.
pub(crate) fn quoted_end(text: &str) -> Option<usize> {
    text.strip_prefix('"')?;
    skip_quoted(text, 1, Vec::new())
        .ok()
        .filter(|&end| !text[..end].contains('\n'))
}

/// `"${x}"` as `x`: `terraform fmt` unwraps a string that is one interpolation.
pub(crate) fn unwrap_interpolation(value: &str) -> &str {
    let Some(inner) = value
        .strip_prefix("\"${")
        .and_then(|v| v.strip_suffix("}\""))
    else {
        return value;
    };
    if inner.starts_with('~') || inner.ends_with('~') || inner.trim().is_empty() {
        return value;
    }
    // The interpolation must close at the end: `"${a}-${b}"` is not one.
    let b = inner.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => match skip_quoted(inner, i + 1, Vec::new()) {
                Ok(end) => {
                    i = end;
                    continue;
                }
                Err(_) => return value,
            },
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth < 0 {
                    return value;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth == 0 { inner.trim() } else { value }
}

/// The spacing `terraform fmt` gives the tokens of a line where it is plain: one space
/// after a comma and around `:` and an assignment's `=`, none inside `[]` and `()`, one
/// inside a one-line `{ }`, one before a block's opening brace. Strings, heredocs and
/// comments are copied as they are.
fn tidy_code(code: &str) -> String {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len() + 8);
    let mut space = false;
    let mut i = 0;
    let trim = |out: &mut String| {
        let n = out.trim_end_matches(' ').len();
        out.truncate(n);
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' => {
                space = true;
                i += 1;
                continue;
            }
            b'#' => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&code[i..]);
                break;
            }
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&code[i..]);
                break;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&code[i..]);
                break;
            }
            b'"' => {
                if space && !out.is_empty() && !out.ends_with(['(', '[']) {
                    out.push(' ');
                }
                let end = skip_quoted(code, i + 1, Vec::new()).unwrap_or(code.len());
                out.push_str(&code[i..end]);
                i = end;
                space = false;
                continue;
            }
            b',' => {
                trim(&mut out);
                out.push(',');
                space = true;
            }
            b'[' | b'(' => {
                if space && !out.is_empty() && !out.ends_with(['(', '[']) {
                    out.push(' ');
                }
                out.push(c as char);
                space = false;
                i += 1;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
            b']' | b')' => {
                trim(&mut out);
                out.push(c as char);
                space = false;
            }
            b'{' => {
                if !out.is_empty() && !out.ends_with(['(', '[', '{', ' ']) {
                    out.push(' ');
                }
                out.push('{');
                i += 1;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
                space = i < b.len() && b[i] != b'}';
                continue;
            }
            b'}' => {
                trim(&mut out);
                if !out.is_empty() && !out.ends_with('{') {
                    out.push(' ');
                }
                out.push('}');
                space = false;
            }
            b':' => {
                trim(&mut out);
                out.push_str(" : ");
                space = false;
                i += 1;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
            b'=' if !matches!(
                i.checked_sub(1).map(|p| b[p]),
                Some(b'=' | b'!' | b'<' | b'>')
            ) && !matches!(b.get(i + 1), Some(b'=' | b'>')) =>
            {
                trim(&mut out);
                out.push_str(" = ");
                space = false;
                i += 1;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
            _ => {
                if space && !out.is_empty() && !out.ends_with(['(', '[', ' ']) {
                    out.push(' ');
                }
                let ch = code[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                space = false;
                i += ch.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    out.trim().to_string()
}

/// Groups the physical lines of `text` into the lines `terraform fmt` formats.
fn fmt_lines(lines: &[&str]) -> Vec<FmtLine> {
    let mut out = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let line = lines[n];
        let (net, assign, eq, comment, mut carry) = scan_line(line);
        let first = n;
        let verbatim = matches!(carry, Carry::Quoted(_) | Carry::BlockComment);
        n += 1;
        // Lines that continue a heredoc, a block comment or a string belong to this one.
        while carry != Carry::Code && n < lines.len() {
            let next = lines[n];
            n += 1;
            carry = match carry {
                Carry::Heredoc(marker) => {
                    if next.trim() == marker {
                        Carry::Code
                    } else {
                        Carry::Heredoc(marker)
                    }
                }
                Carry::BlockComment => {
                    if next.contains("*/") {
                        Carry::Code
                    } else {
                        Carry::BlockComment
                    }
                }
                Carry::Quoted(stack) => match skip_quoted(next, 0, stack) {
                    Ok(_) => Carry::Code,
                    Err(stack) => Carry::Quoted(stack),
                },
                Carry::Code => Carry::Code,
            };
        }
        let multi = n - first > 1;
        out.push(FmtLine {
            first,
            end: n,
            net,
            assign,
            eq,
            comment: comment.filter(|_| !multi),
            blank: line.trim().is_empty() && !multi,
            verbatim,
        });
    }
    out
}

/// Formats `text` the way `terraform fmt` does, as far as white space at the start of
/// lines, around the `=` of single-line attributes and before trailing comments goes:
/// two-space indents by bracket depth, the `=` of consecutive single-line attributes
/// aligned, consecutive trailing comments aligned, no trailing white space. Only the
/// physical lines for which `touched` is true change, with every line aligned with
/// them; heredocs, block comments and strings are never changed.
pub fn format_hcl(text: &str, touched: &dyn Fn(usize) -> bool) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let fl = fmt_lines(&lines);
    // Indentation, as hclwrite's indent stack computes it.
    let mut indents: Vec<i32> = Vec::new();
    let mut level = vec![0usize; fl.len()];
    for (k, l) in fl.iter().enumerate() {
        if l.blank {
            continue;
        }
        match l.net {
            n if n > 0 => {
                level[k] = indents.len();
                indents.push(n);
            }
            n if n < 0 => {
                let mut closed = -n;
                while closed > 0 {
                    let Some(top) = indents.last_mut() else { break };
                    if closed >= *top {
                        closed -= *top;
                        indents.pop();
                    } else {
                        *top -= closed;
                        closed = 0;
                    }
                }
                level[k] = indents.len();
            }
            _ => level[k] = indents.len(),
        }
    }
    // The format lines to change: those touched, and those in an alignment chain with
    // one.
    let is_touched: Vec<bool> = fl.iter().map(|l| (l.first..l.end).any(touched)).collect();
    let mut change = is_touched.clone();
    let mut chains = |has: &dyn Fn(&FmtLine) -> bool| {
        let mut k = 0;
        while k < fl.len() {
            if !has(&fl[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < fl.len() && has(&fl[k]) {
                k += 1;
            }
            if is_touched[start..k].iter().any(|t| *t) {
                for c in &mut change[start..k] {
                    *c = true;
                }
            }
        }
    };
    chains(&|l: &FmtLine| l.assign.is_some());
    chains(&|l: &FmtLine| l.comment.is_some());
    // Each changed line's parts: indented lead, value, comment.
    struct Parts {
        lead: String,
        value: Option<String>,
        comment: Option<String>,
    }
    let parts: Vec<Option<Parts>> = fl
        .iter()
        .enumerate()
        .map(|(k, l)| {
            if !change[k] || l.blank || l.verbatim {
                return None;
            }
            let line = lines[l.first];
            let code_end = l.comment.unwrap_or(line.len());
            let (lead, value) = match (l.assign, l.eq) {
                (Some(at), _) => (
                    line[..at].trim().to_string(),
                    Some(tidy_code(unwrap_interpolation(
                        line[at + 1..code_end].trim(),
                    ))),
                ),
                _ => (tidy_code(line[..code_end].trim()), None),
            };
            let indent = " ".repeat(2 * level[k]);
            Some(Parts {
                lead: format!("{indent}{lead}"),
                value,
                comment: l.comment.map(|c| line[c..].trim_end().to_string()),
            })
        })
        .collect();
    // Align the `=` of each chain of assignments, then the comments.
    let mut code: Vec<Option<String>> = vec![None; fl.len()];
    let mut k = 0;
    while k < fl.len() {
        if fl[k].assign.is_none() {
            k += 1;
            continue;
        }
        let start = k;
        while k < fl.len() && fl[k].assign.is_some() {
            k += 1;
        }
        if !change[start] {
            continue;
        }
        let width = parts[start..k]
            .iter()
            .flatten()
            .map(|p| p.lead.chars().count())
            .max()
            .unwrap_or(0);
        for (c, p) in code[start..k].iter_mut().zip(&parts[start..k]) {
            if let Some(p) = p {
                let pad = " ".repeat(width - p.lead.chars().count() + 1);
                let value = p.value.as_deref().unwrap_or("");
                let sep = if value.is_empty() { "" } else { " " };
                *c = Some(format!("{}{pad}={sep}{value}", p.lead));
            }
        }
    }
    for (c, p) in code.iter_mut().zip(&parts) {
        if c.is_none()
            && let Some(p) = p
        {
            *c = Some(p.lead.clone());
        }
    }
    let mut k = 0;
    let mut comments: Vec<Option<usize>> = vec![None; fl.len()];
    while k < fl.len() {
        if fl[k].comment.is_none() {
            k += 1;
            continue;
        }
        let start = k;
        while k < fl.len() && fl[k].comment.is_some() {
            k += 1;
        }
        if !change[start] {
            continue;
        }
        let width = code[start..k]
            .iter()
            .flatten()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        for c in &mut comments[start..k] {
            *c = Some(width + 1);
        }
    }
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (k, l) in fl.iter().enumerate() {
        let first = match (&parts[k], &code[k]) {
            (Some(p), Some(c)) => match (&p.comment, comments[k]) {
                (Some(comment), Some(col)) => {
                    let pad = " ".repeat(col.saturating_sub(c.chars().count()).max(1));
                    format!("{c}{pad}{comment}")
                }
                _ => c.clone(),
            },
            _ if change[k] && l.blank => String::new(),
            _ => lines[l.first].to_string(),
        };
        // A file with CRLF line ends keeps them.
        let cr = lines[l.first].ends_with('\r') && !first.ends_with('\r');
        out.push(if cr { format!("{first}\r") } else { first });
        out.extend(lines[l.first + 1..l.end].iter().map(|s| s.to_string()));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(src: &str, e: &Edit) -> String {
        let mut s = src.to_string();
        s.replace_range(e.range.clone(), &e.text);
        s
    }

    #[test]
    fn append_to_block_handles_empty_one_line_and_multi_line_blocks() {
        let src = "terraform {\n  backend \"s3\" {}\n}\n";
        let at = src.find("backend").unwrap();
        let e = append_to_block("p", src, at..at + 15, "encrypt = true").unwrap();
        assert_eq!(
            apply(src, &e),
            "terraform {\n  backend \"s3\" {\n    encrypt = true\n  }\n}\n"
        );

        let src = "b { a = 1 }\n";
        let e = append_to_block("p", src, 0..11, "c = 2").unwrap();
        assert_eq!(apply(src, &e), "b {\n  a = 1\n  c = 2\n}\n");

        let src = "r \"x\" {\n  a = 1\n}\n";
        let e = append_to_block("p", src, 0..17, "depends_on = [x.y]").unwrap();
        assert_eq!(
            apply(src, &e),
            "r \"x\" {\n  a = 1\n  depends_on = [x.y]\n}\n"
        );
    }

    #[test]
    fn remove_lines_leaves_no_double_blank_line() {
        let src = "a = 1\n\n# about x\nvariable \"x\" {\n}\n\nb = 2\n";
        let at = src.find("variable").unwrap();
        let e = remove_lines("p", src, at..at + 16);
        assert_eq!(apply(src, &e), "a = 1\n\nb = 2\n");
    }

    #[test]
    fn format_hcl_aligns_indents_and_leaves_heredocs_alone() {
        let src = "resource \"a\" \"b\" {\n  name = \"x\"\n    description = \"y\" # why  \n  policy = <<EOF\n  keep   =  this\nEOF\n  tags = {\n    A = 1\n  }\n}\n";
        let out = format_hcl(src, &|_| true);
        assert_eq!(
            out,
            "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\" # why\n  policy      = <<EOF\n  keep   =  this\nEOF\n  tags = {\n    A = 1\n  }\n}\n"
        );
        // Only the chain of a touched line changes.
        let src = "a {\n  x = 1\n  yyy = 2\n\n  z    = 3\n}\n";
        assert_eq!(
            format_hcl(src, &|n| n == 2),
            "a {\n  x   = 1\n  yyy = 2\n\n  z    = 3\n}\n"
        );
        // Operators are not assignments; strings hide brackets and `#`.
        let src = "locals {\n  a = x == 1 ? \"}#\" : \"${y}\"\n  bb = [for k, v in m : k => v if v >= 2]\n}\n";
        assert_eq!(
            format_hcl(src, &|_| true),
            "locals {\n  a  = x == 1 ? \"}#\" : \"${y}\"\n  bb = [for k, v in m : k => v if v >= 2]\n}\n"
        );
    }

    #[test]
    fn format_hcl_keeps_crlf_line_ends() {
        let src = "a {\r\n  x = 1\r\n  yyy = 2\r\n}\r\n";
        assert_eq!(
            format_hcl(src, &|_| true),
            "a {\r\n  x   = 1\r\n  yyy = 2\r\n}\r\n"
        );
    }

    #[test]
    fn tidy_code_spaces_tokens_as_terraform_fmt_does() {
        assert_eq!(
            tidy_code("Action: [\"a\",\"b\"],"),
            "Action : [\"a\", \"b\"],"
        );
        assert_eq!(tidy_code("[ aws_s3_bucket.b ]"), "[aws_s3_bucket.b]");
        assert_eq!(tidy_code("variable \"x\"{"), "variable \"x\" {");
        assert_eq!(tidy_code("{\"k\": false}"), "{ \"k\" : false }");
        assert_eq!(tidy_code("jsonencode({"), "jsonencode({");
        assert_eq!(
            tidy_code("a == b ? \"x:y\" : c # note: kept"),
            "a == b ? \"x:y\" : c # note: kept"
        );
        assert_eq!(
            unwrap_interpolation("\"${aws_s3_bucket.b.id}\""),
            "aws_s3_bucket.b.id"
        );
        assert_eq!(unwrap_interpolation("\"${a}-${b}\""), "\"${a}-${b}\"");
    }
}
