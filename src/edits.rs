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

/// [`add_to_depends_on`] for a block of the model: `address` added to its `depends_on`.
pub fn depend_on(
    model: &crate::model::Model<'_>,
    block: &crate::model::BlockInfo<'_>,
    address: &str,
) -> Option<Edit> {
    add_to_depends_on(
        model.path(block.file),
        model.src(block.file),
        block.span.clone(),
        block.attr("depends_on"),
        address,
    )
}

/// The safe fix "Depend on `address`" for a block that does not wait for it.
pub fn depend_on_fix(
    model: &crate::model::Model<'_>,
    block: &crate::model::BlockInfo<'_>,
    address: &str,
) -> Option<crate::finding::Fix> {
    let edit = depend_on(model, block, address)?;
    Some(crate::finding::Fix::new(
        format!("Depend on `{address}`"),
        crate::finding::Applicability::Safe,
        vec![edit],
    ))
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
}
