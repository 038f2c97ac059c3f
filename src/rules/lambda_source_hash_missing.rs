//! # Lambda package without a source code hash
//!
//! ## What it does
//! Reports an `aws_lambda_function` (or `aws_lambda_layer_version`) that deploys a local
//! package (`filename`) under a name that does not change, without `source_code_hash`
//! (or `code_sha256`): the output of an `archive_file`, a literal path, or a variable or
//! local whose every value is a literal path. A path built from something else (a
//! version or a build number in the name) changes when the package does, and is left
//! alone; so is a function whose `lifecycle` ignores changes to its code.
//!
//! ## Why is this bad?
//! Terraform compares the arguments it is given, not the file behind them. With the
//! same `filename` and no hash, a rebuilt package is no change at all: `terraform apply`
//! reports nothing to do, and the function keeps running the code it was first created
//! with. Fixes to the handler never reach AWS.
//!
//! ## Example
//! ```hcl
//! data "archive_file" "api" {
//!   type        = "zip"
//!   source_dir  = "${path.module}/src"
//!   output_path = "${path.module}/api.zip"
//! }
//!
//! resource "aws_lambda_function" "api" {
//!   filename = data.archive_file.api.output_path
//!   # …
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_lambda_function" "api" {
//!   filename         = data.archive_file.api.output_path
//!   source_code_hash = data.archive_file.api.output_base64sha256
//!   # …
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix adds `source_code_hash`: the archive's `output_base64sha256`, or
//! `filebase64sha256()` of the same path. The next apply updates the function's code
//! when the package differs from what was deployed, which is what the author meant.
//! No fix when `filename` repeats, as a literal, the path an `archive_file` writes: both
//! arguments should then come from the archive, which the message says.
//!
//! ## Root cause
//! The package was wired in by its path only; the hash that tells Terraform the code
//! changed was forgotten.
//!
//! ## Impact
//! Code changes that are built but never deployed: the function keeps its first code.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function#source_code_hash
//! - https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::{span_of, traversal_path};
use crate::model::{BlockInfo, Model, Module};

pub struct LambdaSourceHashMissing;

impl Rule for LambdaSourceHashMissing {
    fn id(&self) -> &'static str {
        "lambda-source-hash-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks.iter().filter(|b| {
                b.is_resource("aws_lambda_function") || b.is_resource("aws_lambda_layer_version")
            }) {
                let Some(filename) = b.attr("filename") else {
                    continue;
                };
                if b.attr("source_code_hash").is_some()
                    || b.attr("code_sha256").is_some()
                    || ignores_code(b)
                {
                    continue;
                }
                let src = model.src(b.file);
                let Some(hash) = fixed_package(model, module, b, &filename.value, src) else {
                    continue;
                };
                let mut f = self.finding(
                    b.file,
                    span_of(filename),
                    "Lambda package has no source code hash".into(),
                    format!(
                        "`{}` deploys a package whose path never changes, without `source_code_hash`: a rebuilt package is no change to Terraform, and AWS keeps the code it was first given",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                match hash {
                    Hash::Fix(hash) => {
                        f.fix = set_attribute(
                            model.path(b.file),
                            src,
                            b.span.clone(),
                            None,
                            "source_code_hash",
                            &hash,
                        )
                        .map(|e| {
                            Fix::new(
                                format!("Set `source_code_hash = {hash}`"),
                                Applicability::Safe,
                                vec![e],
                            )
                        });
                    }
                    Hash::Archive(name) => f.message.push_str(&format!(
                        "; the path is what `data.archive_file.{name}` writes: take `filename` from its `output_path` and `source_code_hash` from its `output_base64sha256`"
                    )),
                }
                out.push(f);
            }
        }
    }
}

/// The hash expression for a package whose path never changes: `filename` is an
/// `archive_file`'s `output_path`, a literal path (`${path.module}` and `${path.root}`
/// allowed), or a variable or local whose every value is one. `None` for anything else.
fn fixed_package(
    model: &Model<'_>,
    module: &Module<'_>,
    b: &BlockInfo<'_>,
    value: &Expression,
    src: &str,
) -> Option<Hash> {
    let text = src.get(span_of(value))?;
    match value {
        Expression::Traversal(_) => {
            let (root, attrs) = traversal_path(value)?;
            match (root, attrs.as_slice()) {
                ("data", ["archive_file", name, "output_path"]) => {
                    module.block(&format!("data.archive_file.{name}"))?;
                    Some(Hash::Fix(format!(
                        "data.archive_file.{name}.output_base64sha256"
                    )))
                }
                ("var" | "local", [_]) => {
                    let sources = literal_sources(model, module, b.file, value);
                    (!sources.is_empty()
                        && sources
                            .iter()
                            .all(|(file, e)| fixed_path(e, model.src(*file))))
                    .then(|| Hash::Fix(format!("filebase64sha256({text})")))
                }
                _ => None,
            }
        }
        other => {
            if !fixed_path(other, src) {
                return None;
            }
            // The path an `archive_file` of the module writes: the archive's own hash
            // is the one to use, with `filename` taken from the archive too.
            let archive = module.blocks.iter().find(|a| {
                a.kind == crate::model::BlockKind::Data
                    && a.label(0) == "archive_file"
                    && a.attr("output_path")
                        .is_some_and(|o| model.src(a.file).get(span_of(&o.value)) == Some(text))
            });
            Some(match archive {
                Some(a) => Hash::Archive(a.label(1).to_string()),
                None => Hash::Fix(format!("filebase64sha256({text})")),
            })
        }
    }
}

/// What the fix sets `source_code_hash` to, or why there is none.
enum Hash {
    Fix(String),
    /// The literal path is an `archive_file`'s output: `filename` and the hash should
    /// both come from the archive (two arguments to change: left to the reviewer).
    Archive(String),
}

/// A string whose only interpolations are `path.module` and `path.root`.
fn fixed_path(expr: &Expression, src: &str) -> bool {
    match expr {
        Expression::String(s) => !s.as_str().is_empty(),
        Expression::StringTemplate(t) => t.iter().all(|e| match e {
            hcl_edit::template::Element::Literal(_) => true,
            hcl_edit::template::Element::Interpolation(i) => matches!(
                src.get(span_of(&i.expr)).map(str::trim),
                Some("path.module" | "path.root")
            ),
            hcl_edit::template::Element::Directive(_) => false,
        }),
        _ => false,
    }
}

/// Whether the block's `lifecycle` ignores changes to its code (`filename`,
/// `source_code_hash`, or `all`).
fn ignores_code(b: &BlockInfo<'_>) -> bool {
    b.body()
        .get_blocks("lifecycle")
        .filter_map(|l| l.body.get_attribute("ignore_changes"))
        .any(|a| {
            let mut refs = Vec::new();
            match &a.value {
                Expression::Array(items) => refs.extend(items.iter()),
                other => refs.push(other),
            }
            refs.iter().any(|e| {
                traversal_path(e).is_some_and(|(root, _)| {
                    matches!(root, "filename" | "source_code_hash" | "all")
                }) || matches!(e, Expression::Variable(v) if matches!(v.as_str(), "filename" | "source_code_hash" | "all"))
            })
        })
}
