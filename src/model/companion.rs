//! Companion resources: `aws_s3_bucket_public_access_block`,
//! `aws_s3_bucket_server_side_encryption_configuration` and the like configure a bucket
//! from a separate block that names it in `bucket`. Rules ask whether a bucket has one.

use super::expr::Target;
use super::{BlockInfo, Model, Module};
use crate::edits::append_to_file;
use crate::finding::Edit;

/// Whether a resource of type `companion` in `module` names `owner` in its `argument`.
pub fn has_companion(
    module: &Module<'_>,
    owner: &BlockInfo<'_>,
    companion: &str,
    argument: &str,
) -> bool {
    let target = Target::Resource {
        ty: owner.label(0).to_string(),
        name: owner.label(1).to_string(),
    };
    module
        .companion_targets(companion, argument)
        .contains(&target)
}

/// The edit that appends a new `ty` companion of `owner` (named after it) to the owner's
/// file: `resource "ty" "name" { bucket = owner.id` + `body` `}`. `None` for an owner with
/// `count` or `for_each`, whose companion would need the same iteration.
pub fn companion_edit(
    model: &Model<'_>,
    module: &Module<'_>,
    owner: &BlockInfo<'_>,
    ty: &str,
    argument: &str,
    body: &str,
) -> Option<Edit> {
    if owner.attr("count").is_some() || owner.attr("for_each").is_some() {
        return None;
    }
    let name = companion_name(module, ty, owner);
    let block = format!(
        "resource \"{ty}\" \"{name}\" {{\n  {argument} = {}.id\n\n{}\n}}\n",
        owner.address,
        crate::edits::indent_lines(body, "  ")
    );
    Some(append_to_file(model.ws, model.path(owner.file), &block))
}

/// A free resource name for a new companion of `owner` of type `ty`.
pub fn companion_name(module: &Module<'_>, ty: &str, owner: &BlockInfo<'_>) -> String {
    let base = owner.label(1).to_string();
    let mut name = base.clone();
    let mut n = 2;
    while module.block(&format!("{ty}.{name}")).is_some() {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}
