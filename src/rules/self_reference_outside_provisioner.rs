//! # `self` outside a provisioner, connection or postcondition
//!
//! ## What it does
//! Reports `self.<attribute>` in a resource's arguments. `self` is only defined inside
//! `provisioner` and `connection` blocks and in `postcondition` blocks.
//!
//! ## Why is this bad?
//! Terraform stops with "Invalid \"self\" reference". Answers use it to name a resource
//! after itself or to point one argument at another argument of the same resource.
//!
//! ## Error
//! ```text
//! Error: Invalid "self" reference
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs"
//!   tags   = { Name = self.bucket }
//! }
//! ```
//! Use instead a local value that both arguments read.
//!
//! ## Fix safety
//! No fix: which value was meant must be decided by hand.
//!
//! ## Root cause
//! `self` was taken for a general reference to the enclosing resource.
//!
//! ## Impact
//! Deployment blocker: the configuration does not validate.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/resources/provisioners/syntax#the-self-object

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{span_of, traversal_path};
use crate::model::{BlockKind, Model};

pub struct SelfReferenceOutsideProvisioner;

impl Rule for SelfReferenceOutsideProvisioner {
    fn id(&self) -> &'static str {
        "self-reference-outside-provisioner"
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
                let mut keys = super::OccurrenceKeys::default();
                let text = model.src(b.file).get(b.span.clone()).unwrap_or("");
                if b.kind == BlockKind::Variable || !text.contains("self.") {
                    continue;
                }
                let mut finder = SelfFinder::default();
                finder.body(b.body());
                for span in finder.found {
                    let text = model
                        .src(b.file)
                        .get(span.clone())
                        .unwrap_or("self")
                        .to_string();
                    let mut f = self.finding(
                        b.file,
                        span.clone(),
                        format!("`{text}` outside a provisioner"),
                        format!(
                            "`self` is only defined in `provisioner`, `connection` and `postcondition` blocks; in `{}` Terraform stops with \"Invalid \\\"self\\\" reference\"",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = keys.key(text.clone());
                    out.push(f);
                }
            }
        }
    }
}

#[derive(Default)]
struct SelfFinder {
    found: Vec<std::ops::Range<usize>>,
}

impl SelfFinder {
    fn body(&mut self, body: &Body) {
        for attr in body.attributes() {
            self.visit_expr(&attr.value);
        }
        for block in body.blocks() {
            match block.ident.as_str() {
                "provisioner" | "connection" | "postcondition" => {}
                _ => self.body(&block.body),
            }
        }
    }
}

impl Visit for SelfFinder {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Some(("self", _)) = traversal_path(expr) {
            self.found.push(span_of(expr));
            return;
        }
        visit::visit_expr(self, expr);
    }
}
