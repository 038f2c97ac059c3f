//! # `dynamic` block for a meta-argument
//!
//! ## What it does
//! Reports a `dynamic` block named after a meta-argument or a block Terraform itself
//! reads: `depends_on`, `count`, `for_each`, `provider`, `lifecycle`, `provisioner`,
//! `connection`.
//!
//! ## Why is this bad?
//! `dynamic` generates nested blocks of the resource type's schema. Meta-arguments are
//! read before any expansion, so Terraform rejects the block ("Unsupported block type" or
//! "Invalid dynamic block").
//!
//! ## Example
//! ```hcl
//! dynamic "depends_on" {
//!   for_each = var.wait ? [1] : []
//!   content {}
//! }
//! ```
//! Use instead a static `depends_on = [...]` list.
//!
//! ## Fix safety
//! No fix: the intended dependency or lifecycle has to be written out by hand.
//!
//! ## Root cause
//! `dynamic` was taken for a general way to make any block conditional.
//!
//! ## Impact
//! Deployment blocker: the configuration does not validate.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks

use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::span_of;

const META: &[&str] = &[
    "depends_on",
    "count",
    "for_each",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

pub struct DynamicMetaArgument;

impl Rule for DynamicMetaArgument {
    fn id(&self) -> &'static str {
        "dynamic-meta-argument"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let mut found = Vec::new();
                dynamic_blocks(b.body(), &mut found);
                for (label, span) in found {
                    let mut f = self.finding(
                        b.file,
                        crate::model::expr::block_header(model.src(b.file), span),
                        format!("`dynamic \"{label}\"` cannot generate a meta-argument"),
                        format!(
                            "`{label}` is read by Terraform before blocks are expanded, so `{}` cannot set it with `dynamic`; Terraform rejects the block",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = label;
                    out.push(f);
                }
            }
        }
    }
}

fn dynamic_blocks(body: &Body, found: &mut Vec<(String, std::ops::Range<usize>)>) {
    for block in body.blocks() {
        if block.ident.as_str() == "dynamic"
            && let Some(label) = block.labels.first()
            && META.contains(&label.as_str())
        {
            found.push((label.as_str().to_string(), span_of(block)));
        }
        dynamic_blocks(&block.body, found);
    }
}
