//! # S3 backend names its state bucket in the code (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a `backend "s3"` block that names its `bucket` in
//! the code, instead of a partial configuration (`backend "s3" {}`) whose values are
//! given to `terraform init`. The other values it writes (key, region, lock table) are
//! named as related places.
//!
//! ## Why is this bad?
//! The task's pipeline chooses where each deployment keeps its state and passes it to
//! `terraform init -backend-config=…`. A bucket named in the code must exist before
//! `init`, in the account and region the deployment runs in; no code here creates it
//! (or, worse, this code creates it, and its own state cannot live in a bucket that the
//! first apply makes). Every environment then shares one state path, and a fresh account
//! cannot initialise at all: `init` fails, or stops to ask for what it cannot find.
//!
//! ## Error
//! ```text
//! Error: Failed to get existing workspaces: S3 bucket "…" does not exist.
//! ```
//!
//! ## Example
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket = "payments-terraform-state"
//!     key    = "payments/terraform.tfstate"
//!     region = "us-east-1"
//!   }
//! }
//! ```
//! Use instead a partial configuration, and give the values at `init`:
//! ```hcl
//! terraform {
//!   backend "s3" {}
//! }
//! ```
//! `terraform init -backend-config=backend.s3.tfbackend`, with the values in that file.
//!
//! ## Fix safety
//! Unsafe: the fix empties the backend block and writes its values to
//! `backend.s3.tfbackend` in the same folder (when the folder has no such file); `init`
//! must then be given that file, or the pipeline's own values.
//!
//! ## Root cause
//! A backend for one fixed account was written into code that is deployed to many.
//!
//! ## Impact
//! Deployment blocker in a fresh account: `terraform init` cannot find the bucket.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/backend#partial-configuration
//! https://developer.hashicorp.com/terraform/language/backend/s3

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model};

pub struct BackendConfigHardcoded;

impl Rule for BackendConfigHardcoded {
    fn id(&self) -> &'static str {
        "backend-config-hardcoded"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (t, backend) in module.backends() {
                if backend.labels.first().map(|l| l.as_str()) != Some("s3") {
                    continue;
                }
                let Some(bucket) = backend.body.get_attribute("bucket") else {
                    continue;
                };
                let Some(name) = static_str(&bucket.value) else {
                    continue;
                };
                let created_here = module.blocks.iter().find(|b| {
                    b.kind == BlockKind::Resource
                        && b.label(0) == "aws_s3_bucket"
                        && b.attr("bucket")
                            .and_then(|a| static_str(&a.value))
                            .as_deref()
                            == Some(name.as_str())
                });
                let mut message = format!(
                    "the state bucket `{name}` is written into the code: it must exist before `terraform init` in every account this is deployed to, and every environment shares its state path; the pipeline passes the backend's values with `-backend-config`"
                );
                if let Some(b) = created_here {
                    message.push_str(&format!(
                            "; `{}` creates that bucket in this code, so the state of the apply that creates it has nowhere to go",
                            b.address
                        ));
                }
                let mut f = self.finding(
                    t.file,
                    span_of(&bucket.value),
                    format!("Backend `s3` names its state bucket `{name}`"),
                    message,
                );
                f.address = Some("terraform".into());
                f.key = "s3".into();
                for attr in backend.body.attributes() {
                    let key = attr.key.as_str();
                    if matches!(key, "key" | "region" | "dynamodb_table") {
                        f.related.push(Related {
                            file: t.file,
                            span: span_of(attr),
                            message: format!("`{key}` written in the code"),
                        });
                    }
                }
                if let Some(b) = created_here {
                    f.related.push(Related {
                        file: b.file,
                        span: span_of(b.block),
                        message: "the bucket created by this code".into(),
                    });
                }
                f.fix = partial_configuration(model, t.file, backend);
                out.push(f);
            }
        }
    }
}

/// Empties the backend block and writes its values to `backend.s3.tfbackend` beside it;
/// `None` when the block has a nested block or the folder already has that file.
fn partial_configuration(
    model: &Model<'_>,
    file: crate::workspace::FileId,
    backend: &hcl_edit::structure::Block,
) -> Option<Fix> {
    let src = model.src(file);
    let path = model.path(file);
    let dir = model.ws.files.get(file)?.dir();
    let target = if dir.is_empty() {
        "backend.s3.tfbackend".to_string()
    } else {
        format!("{dir}/backend.s3.tfbackend")
    };
    if model.ws.file_by_path(&target).is_some() || model.ws.assets.contains(&target) {
        return None;
    }
    if backend.body.blocks().next().is_some() {
        return None;
    }
    // As `terraform fmt` lays them out: the `=` signs aligned.
    let width = backend
        .body
        .attributes()
        .map(|a| a.key.as_str().chars().count())
        .max()
        .unwrap_or(0);
    let mut values = String::new();
    for attr in backend.body.attributes() {
        let text = src.get(span_of(&attr.value))?;
        values.push_str(&format!("{:<width$} = {text}\n", attr.key.as_str()));
    }
    let span = span_of(backend);
    let header = crate::model::expr::block_header(src, span.clone());
    let edits = vec![
        Edit::replace(path, header.end..span.end, " {}"),
        Edit::insert(&target, 0, values),
    ];
    Some(Fix::new(
        format!("Use a partial configuration; the values go to `{target}`"),
        Applicability::Unsafe,
        edits,
    ))
}
