//! # Block declared twice in a module
//!
//! ## What it does
//! Reports a `resource`, `data`, `variable`, `output` or `module` block whose address
//! an earlier block of the same module already declares, and a local value defined in
//! two `locals` blocks. The first declaration is named as a related place. (Providers
//! are `provider-duplicated`'s; `override.tf` and `*_override.tf` files, which Terraform
//! merges into the blocks they repeat, are left alone.)
//!
//! In a model's answer, only a block declared twice within one code block is reported:
//! an answer often writes a draft in its reasoning and the code again after "Answer",
//! and when the extraction joins the two into one file, the repeated blocks are the
//! draft's, not a mistake of the code.
//!
//! ## Why is this bad?
//! Terraform reads every `.tf` file of a folder as one module, and an address names one
//! thing: `terraform init` and `validate` stop before anything is planned. Answers that
//! repeat a file's blocks in a "complete" file, or declare `variable "environment"` in
//! both `variables.tf` and `main.tf`, never get to a plan.
//!
//! ## Error
//! ```text
//! Error: Duplicate resource "aws_s3_bucket" configuration
//!
//! A aws_s3_bucket resource named "logs" was already declared at main.tf:12,1-34.
//! Resource names must be unique per type in each module.
//! ```
//! and `Duplicate variable declaration`, `Duplicate output definition`, `Duplicate data
//! "…" configuration`, `Duplicate module call`, `Duplicate local value definition`.
//!
//! ## Example
//! ```hcl
//! # variables.tf
//! variable "environment" {
//!   type = string
//! }
//!
//! # main.tf
//! variable "environment" {
//!   type    = string
//!   default = "dev"
//! }
//! ```
//! Use instead one declaration, in one file.
//!
//! ## Fix safety
//! Safe when the two blocks are written the same (the second is removed); otherwise no
//! fix: which one is meant has to be decided.
//!
//! ## Root cause
//! A block was written again in another file, or a file was pasted twice under two
//! names.
//!
//! ## Impact
//! Deployment blocker: `terraform init` fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/resources/syntax#resource-syntax

use std::collections::HashMap;

use super::{Class, Rule};
use crate::edits::remove_lines;
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::{BlockKind, Model};
use crate::workspace::FileId;

pub struct BlockDuplicated;

/// What Terraform calls a second declaration of a block kind.
fn error_of(kind: BlockKind, label: &str) -> Option<String> {
    Some(match kind {
        BlockKind::Resource => format!("Duplicate resource \"{label}\" configuration"),
        BlockKind::Data => format!("Duplicate data \"{label}\" configuration"),
        BlockKind::Variable => "Duplicate variable declaration".to_string(),
        BlockKind::Output => "Duplicate output definition".to_string(),
        BlockKind::Module => "Duplicate module call".to_string(),
        _ => return None,
    })
}

impl Rule for BlockDuplicated {
    fn id(&self) -> &'static str {
        "block-duplicated"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Address → (file, span) of its first declaration.
            let mut first: HashMap<&str, (FileId, std::ops::Range<usize>)> = HashMap::new();
            let mut keys = super::OccurrenceKeys::default();
            for b in &module.blocks {
                let Some(error) = error_of(b.kind, b.label(0)) else {
                    continue;
                };
                let Some((file, span)) = first.get(b.address.as_str()).cloned() else {
                    first.insert(b.address.as_str(), (b.file, b.span.clone()));
                    continue;
                };
                if !written_together(model, (file, span.start), (b.file, b.span.start)) {
                    continue;
                }
                let same =
                    model.src(b.file).get(b.span.clone()) == model.src(file).get(span.clone());
                let mut f = self.duplicate(
                    model,
                    (b.file, b.header()),
                    (file, span),
                    &b.address,
                    &error,
                    same.then(|| b.span.clone()),
                );
                f.key = keys.key(b.address.clone());
                out.push(f);
            }
            let mut locals: HashMap<&str, (FileId, std::ops::Range<usize>)> = HashMap::new();
            for l in &module.locals {
                let Some((file, span)) = locals.get(l.name).cloned() else {
                    locals.insert(l.name, (l.file, l.span.clone()));
                    continue;
                };
                if !written_together(model, (file, span.start), (l.file, l.span.start)) {
                    continue;
                }
                let address = format!("local.{}", l.name);
                let mut f = self.duplicate(
                    model,
                    (l.file, l.span.clone()),
                    (file, span),
                    &address,
                    "Duplicate local value definition",
                    None,
                );
                f.key = keys.key(address);
                out.push(f);
            }
        }
    }
}

/// Whether two declarations are certainly both part of the code: in files of the
/// workspace, or in one code block of an answer. An answer's file joined from several
/// code blocks may hold a draft and its rewrite (the reasoning's version, then the
/// answer's), which are not meant to be deployed together.
fn written_together(model: &Model<'_>, a: (FileId, usize), b: (FileId, usize)) -> bool {
    let (Some(fa), Some(fb)) = (model.ws.files.get(a.0), model.ws.files.get(b.0)) else {
        return false;
    };
    if fa.is_override() || fb.is_override() {
        return false;
    }
    if a.0 != b.0 {
        // Two files of an answer may be a draft and its rewrite.
        return fa.origin.is_none() && fb.origin.is_none();
    }
    fa.in_one_code_block(a.1, b.1)
}

impl BlockDuplicated {
    /// The finding on a second declaration `at` of `address`, first declared at
    /// `first`; `remove` is the block to remove when both are written the same.
    fn duplicate(
        &self,
        model: &Model<'_>,
        at: (FileId, std::ops::Range<usize>),
        first: (FileId, std::ops::Range<usize>),
        address: &str,
        error: &str,
        remove: Option<std::ops::Range<usize>>,
    ) -> Finding {
        let (line, _) = model.ws.files[first.0].line_col(first.1.start);
        let mut f = self.finding(
            at.0,
            at.1,
            format!("`{address}` is declared twice"),
            format!(
                "`{address}` is already declared at {}:{line}; Terraform reads the module's files as one and stops (\"{error}\") before anything is planned",
                model.path(first.0)
            ),
        );
        f.address = Some(address.to_string());
        f.related = vec![Related {
            file: first.0,
            span: first.1.start..first.1.start,
            message: format!("the first declaration of `{address}`"),
        }];
        if let Some(span) = remove {
            let path = model.path(at.0);
            f.fix = Some(Fix::new(
                "Remove the second declaration, written the same as the first",
                Applicability::Safe,
                vec![remove_lines(path, model.src(at.0), span)],
            ));
        }
        f
    }
}
