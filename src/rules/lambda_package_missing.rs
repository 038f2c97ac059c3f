//! # Lambda deployment package that does not exist
//!
//! ## What it does
//! Reports an `aws_lambda_function` (or `aws_lambda_layer_version`) whose `filename` is a
//! literal path to a file that is not in the workspace and that nothing in the module
//! builds: no `archive_file` data source, no other block names it. The path may be
//! written in a variable or local the argument names (a tfvars value, the default, what
//! a module's caller passes): the finding is there when every such value is missing.
//!
//! In a task folder's answer nothing else will build the package, and the finding is
//! critical; in a repository a build step before `terraform plan` may produce it, so
//! the finding is medium there, a reminder to check that the pipeline does.
//!
//! ## Why is this bad?
//! `terraform plan` reads the file to compute its hash and fails with "no such file or
//! directory". Answers often name `lambda_function.zip` and never say where it comes
//! from.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "api" {
//!   filename = "lambda_function.zip"
//! }
//! ```
//! Use instead a package built by Terraform:
//! ```hcl
//! data "archive_file" "api" {
//!   type        = "zip"
//!   source_dir  = "${path.module}/src"
//!   output_path = "${path.module}/api.zip"
//! }
//! resource "aws_lambda_function" "api" {
//!   filename         = data.archive_file.api.output_path
//!   source_code_hash = data.archive_file.api.output_base64sha256
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the function's source has to be provided.
//!
//! ## Root cause
//! The function's code was treated as someone else's problem.
//!
//! ## Impact
//! Deployment blocker: the plan fails.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::{span_of, string_like};
use crate::model::{BlockKind, Model, Module};

pub struct LambdaPackageMissing;

impl Rule for LambdaPackageMissing {
    fn id(&self) -> &'static str {
        "lambda-package-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks.iter().filter(|b| {
                b.is_resource("aws_lambda_function") || b.is_resource("aws_lambda_layer_version")
            }) {
                let Some(attr) = b.attr("filename") else {
                    continue;
                };
                // Where the path is written: the argument, or each value a variable or
                // local it names can take (a tfvars value, the default).
                let places = match &attr.value {
                    hcl_edit::expr::Expression::String(_)
                    | hcl_edit::expr::Expression::StringTemplate(_) => vec![(b.file, &attr.value)],
                    other => literal_sources(model, module, b.file, other),
                };
                // Every place must name a missing package: the one used is among them.
                let missing: Option<Vec<_>> = places
                    .iter()
                    .map(|&(file, value)| {
                        let written = string_like(model.src(file), value);
                        let (path, _) = crate::model::module_file_path(&written);
                        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                        (!path.contains("${")
                            && !name.is_empty()
                            && !model.has_file(module, &path)
                            // A value a caller passes may be relative to the caller.
                            && !model
                                .modules
                                .iter()
                                .find(|m| m.files.contains(&file))
                                .is_some_and(|m| model.has_file(m, &path))
                            && !built(
                                model,
                                module,
                                b.span.clone(),
                                b.file,
                                &name,
                                (file, span_of(value)),
                            ))
                        .then(|| (file, span_of(value), path))
                    })
                    .collect();
                let Some(Some((file, span, path))) = missing.map(|m| m.into_iter().next()) else {
                    continue;
                };
                let mut f = self.finding(
                    file,
                    span.clone(),
                    format!("Lambda package `{path}` does not exist"),
                    format!(
                        "`{}` deploys `{path}`, but the workspace has no such file and nothing in the module builds it (no `archive_file`); `terraform plan` fails reading it",
                        b.address
                    ),
                );
                if (file, span) != (b.file, span_of(&attr.value)) {
                    f.related.push(crate::finding::Related {
                        file: b.file,
                        span: span_of(&attr.value),
                        message: format!("the filename of `{}`", b.address),
                    });
                }
                f.address = Some(b.address.clone());
                if !model.ws.task {
                    f.severity = Severity::Medium;
                    f.message
                        .push_str("; unless a build step before the plan creates it");
                }
                out.push(f);
            }
        }
    }
}

/// Whether another block of the module names the file (an `archive_file` output, a
/// build step in a `local-exec` provisioner). Blocks that cannot make a file do not
/// count: an output or variable that mentions it (deployment instructions), or another
/// function that deploys the same package.
fn built(
    model: &Model<'_>,
    module: &Module<'_>,
    own: std::ops::Range<usize>,
    own_file: usize,
    name: &str,
    (written_in, written): (usize, std::ops::Range<usize>),
) -> bool {
    let can_build = |other: &crate::model::BlockInfo<'_>| {
        !matches!(other.kind, BlockKind::Output | BlockKind::Variable)
            && !other.is_resource("aws_lambda_function")
            && !other.is_resource("aws_lambda_layer_version")
    };
    module.blocks.iter().any(|other| {
        !(other.file == own_file && other.span == own)
            && can_build(other)
            && model
                .src(other.file)
                .get(other.span.clone())
                .is_some_and(|t| t.contains(name))
    }) || module.locals.iter().any(|l| {
        // The local the path is written in builds nothing.
        !(l.file == written_in && l.span.start <= written.start && written.end <= l.span.end)
            && model
                .src(l.file)
                .get(l.span.clone())
                .is_some_and(|t| t.contains(name))
    })
}
