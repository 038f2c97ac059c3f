//! The mechanical fixes of the schema rules: a block written as an attribute and back,
//! a misplaced argument moved into the block that owns it, a removed argument deleted, a
//! reference renamed to the one close attribute, a nonexistent type replaced by its
//! successor. Each returns `None` where the change would need a decision.

use std::ops::Range;

use hcl_edit::expr::{Expression, ObjectKey, ObjectValueAssignment, ObjectValueTerminator};
use hcl_edit::structure::{Block, Body};

use crate::edits::{indent_lines, line_end_inclusive, line_indent, line_start, remove_lines};
use crate::finding::{Applicability, Edit, Fix};
use crate::model::expr::span_of;
use crate::model::schema::check::{Problem, SUCCESSORS};
use crate::model::{BlockInfo, Model};

/// The resource or data source a problem is in.
fn block_of<'m>(model: &'m Model<'_>, p: &Problem) -> Option<&'m BlockInfo<'m>> {
    model
        .block_in(p.file, &p.address)
        .filter(|b| b.file == p.file)
}

/// The body at `nested` (`default_action.forward`) inside a resource: the first block of
/// each name on the way.
fn body_at<'b>(body: &'b Body, nested: &str) -> Option<&'b Body> {
    let mut body = body;
    for name in nested.split('.').filter(|n| !n.is_empty()) {
        body = &body.blocks().find(|b| b.ident.as_str() == name)?.body;
    }
    Some(body)
}

/// `tags { a = 1 }` → `tags = { a = 1 }`, for a map or object attribute written as a
/// block that holds attributes alone.
pub fn block_to_attribute(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    if p.dynamic || !(p.arg_type.starts_with("map") || p.arg_type == "object") {
        return None;
    }
    let block = find_block(model, p)?;
    if !block.labels.is_empty() || block.body.blocks().next().is_some() {
        return None;
    }
    let src = model.src(p.file);
    let ident_end = span_of(&block.ident).end;
    let open = ident_end + src.get(ident_end..p.whole.end)?.find('{')?;
    Some(Fix::new(
        format!("Write `{} = {{ … }}`", p.name),
        Applicability::Safe,
        vec![Edit::replace(model.path(p.file), ident_end..open, " = ")],
    ))
}

/// The nested block a problem's `whole` span is.
fn find_block<'m>(model: &'m Model<'_>, p: &Problem) -> Option<&'m Block> {
    let info = block_of(model, p)?;
    let body = body_at(info.body(), &p.nested)?;
    body.blocks().find(|b| span_of(*b) == p.whole)
}

/// `settings = { a = 1 }` → `settings { a = 1 }`, when every item is `name = value` on
/// its own line (or there is one item).
pub fn attribute_to_block(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    let info = block_of(model, p)?;
    let body = body_at(info.body(), &p.nested)?;
    let attr = body.attributes().find(|a| span_of(*a) == p.whole)?;
    let Expression::Object(object) = &attr.value else {
        return None;
    };
    let items: Vec<_> = object.iter().collect();
    let block_like = items.iter().all(|(k, v)| {
        matches!(k, ObjectKey::Ident(_))
            && v.assignment() == ObjectValueAssignment::Equals
            && (items.len() == 1 || v.terminator() != ObjectValueTerminator::Comma)
    });
    if !block_like {
        return None;
    }
    let key_end = span_of(&attr.key).end;
    let value_start = span_of(&attr.value).start;
    Some(Fix::new(
        format!("Write `{} {{ … }}`", p.name),
        Applicability::Safe,
        vec![Edit::replace(model.path(p.file), key_end..value_start, " ")],
    ))
}

/// Renames the attribute of a reference to the single close attribute of its type.
pub fn rename_reference(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    let [to] = p.suggestions.as_slice() else {
        return None;
    };
    Some(Fix::new(
        format!("Read `{to}` instead of `{}`", p.name),
        Applicability::Unsafe,
        vec![Edit::replace(
            model.path(p.file),
            p.span.clone(),
            to.clone(),
        )],
    ))
}

/// Deletes an argument or block that the selected provider version removed.
pub fn delete_removed(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    if p.whole.is_empty() {
        return None;
    }
    let src = model.src(p.file);
    Some(Fix::new(
        format!("Delete `{}`", p.name),
        Applicability::Unsafe,
        vec![remove_lines(model.path(p.file), src, p.whole.clone())],
    ))
}

/// Moves an argument written one level too high into the nested block that has it
/// (`weight` into `weighted_routing_policy { }`), creating the block when it is absent.
pub fn move_into_block(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    let owner = p.belongs_in.as_ref()?;
    let info = block_of(model, p)?;
    let body = body_at(info.body(), &p.nested)?;
    let src = model.src(p.file);
    let path = model.path(p.file);
    let attr_text = src.get(p.whole.clone())?.trim();
    if attr_text.contains('\n') {
        return None;
    }
    // Its old alignment means nothing in the new block.
    let (key, value) = attr_text.split_once('=')?;
    let attr_text = &format!("{} = {}", key.trim_end(), value.trim_start());
    let owners: Vec<&Block> = body
        .blocks()
        .filter(|b| b.ident.as_str() == owner.as_str())
        .collect();
    let edits = match owners.as_slice() {
        [block] => {
            if block.body.attributes().any(|a| a.key.as_str() == p.name) {
                return None;
            }
            vec![
                crate::edits::append_to_block(path, src, span_of(*block), attr_text)?,
                remove_lines(path, src, p.whole.clone()),
            ]
        }
        [] => {
            let indent = line_indent(src, p.whole.start);
            let text = format!(
                "{indent}{owner} {{\n{}\n{indent}}}\n",
                indent_lines(attr_text, &format!("{indent}  "))
            );
            let start = line_start(src, p.whole.start);
            let end = line_end_inclusive(src, p.whole.end.saturating_sub(1));
            vec![Edit::replace(path, start..end, text)]
        }
        _ => return None,
    };
    Some(Fix::new(
        format!("Move `{}` into `{owner} {{ }}`", p.name),
        Applicability::Unsafe,
        edits,
    ))
}

/// `aws_s3_bucket_encryption` → `aws_s3_bucket_server_side_encryption_configuration`,
/// with the inner `server_side_encryption_configuration { }` block unwrapped into the
/// successor's `rule { }` shape.
pub fn successor_type(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    let (_, to) = SUCCESSORS.iter().find(|(old, _)| *old == p.name)?;
    let info = block_of(model, p)?;
    // Answers often write the successor too: renaming would declare it twice.
    let successor = format!("{to}.{}", info.label(1));
    if model.block_in(p.file, &successor).is_some() {
        return None;
    }
    let src = model.src(p.file);
    let path = model.path(p.file);
    let body = info.body();
    // Only the shape the old resource had: `bucket` and one wrapper block of rules.
    if body
        .attributes()
        .any(|a| !matches!(a.key.as_str(), "bucket" | "expected_bucket_owner"))
    {
        return None;
    }
    let blocks: Vec<&Block> = body.blocks().collect();
    // The whole header, so that the fix set sees the block it declares.
    let header = format!("resource \"{to}\" \"{}\"", info.label(1));
    let mut edits = vec![Edit::replace(path, info.header(), header)];
    match blocks.as_slice() {
        [] => {}
        [wrapper] if wrapper.ident.as_str() == "server_side_encryption_configuration" => {
            if wrapper.body.attributes().next().is_some()
                || wrapper.body.blocks().any(|b| b.ident.as_str() != "rule")
            {
                return None;
            }
            let whole: Range<usize> = span_of(*wrapper);
            let text = src.get(whole.clone())?;
            let inner = text.get(text.find('{')? + 1..text.rfind('}')?)?;
            let dedented: Vec<&str> = inner
                .trim_end()
                .trim_start_matches('\n')
                .lines()
                .map(|l| l.strip_prefix("  ").unwrap_or(l))
                .collect();
            let start = line_start(src, whole.start);
            let end = line_end_inclusive(src, whole.end.saturating_sub(1));
            edits.push(Edit::replace(
                path,
                start..end,
                format!("{}\n", dedented.join("\n")),
            ));
        }
        _ => return None,
    }
    Some(Fix::new(
        format!("Use `{to}`"),
        Applicability::Unsafe,
        edits,
    ))
}
