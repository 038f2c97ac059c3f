//! # Backend block sets an argument or block its backend does not have
//!
//! ## What it does
//! Reports an argument or nested block in a `backend "s3"` or `backend "local"` block
//! (inside `terraform {}`) that the backend's configuration does not define: bucket
//! settings such as `versioning` or `server_side_encryption_configuration`, or resource
//! meta-arguments such as `lifecycle`.
//!
//! ## Why is this bad?
//! A backend is configured from a fixed set of arguments, checked by `terraform init`
//! before anything else. Anything else stops it: nothing can be planned or applied.
//! Settings of the state bucket itself belong on the bucket (created elsewhere), not in
//! the backend that uses it.
//!
//! ## Error
//! ```text
//! Error: Unsupported argument
//!   An argument named "versioning" is not expected here.
//! ```
//!
//! ## Example
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket     = "state-bucket"
//!     key        = "app/terraform.tfstate"
//!     versioning = true
//!   }
//! }
//! ```
//! Use instead only the backend's own arguments (versioning is set on the bucket):
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket = "state-bucket"
//!     key    = "app/terraform.tfstate"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix renames a misspelt argument to the one backend argument it is closest
//! to, and otherwise removes the argument or block, which had no effect but to make
//! `terraform init` fail.
//!
//! ## Root cause
//! The backend was written like the bucket resource that holds the state, or like a
//! resource with a `lifecycle` block.
//!
//! ## Impact
//! Deployment blocker: `terraform init` fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/backend/s3
//! https://developer.hashicorp.com/terraform/language/backend/local

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::span_of;

pub struct BackendArgumentUnsupported;

/// The arguments of the S3 backend (Terraform 1.6 and later, deprecated ones included).
const S3: &[&str] = &[
    "access_key",
    "acl",
    "allowed_account_ids",
    "assume_role",
    "assume_role_duration_seconds",
    "assume_role_policy",
    "assume_role_policy_arns",
    "assume_role_tags",
    "assume_role_transitive_tag_keys",
    "assume_role_with_web_identity",
    "bucket",
    "custom_ca_bundle",
    "dynamodb_endpoint",
    "dynamodb_table",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "encrypt",
    "endpoint",
    "endpoints",
    "external_id",
    "forbidden_account_ids",
    "force_path_style",
    "http_proxy",
    "https_proxy",
    "iam_endpoint",
    "insecure",
    "key",
    "kms_key_id",
    "max_retries",
    "no_proxy",
    "profile",
    "region",
    "retry_mode",
    "role_arn",
    "secret_key",
    "session_name",
    "shared_config_files",
    "shared_credentials_file",
    "shared_credentials_files",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "sse_customer_key",
    "sts_endpoint",
    "sts_region",
    "token",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "use_legacy_workflow",
    "use_lockfile",
    "use_path_style",
    "workspace_key_prefix",
];

/// The arguments of the local backend.
const LOCAL: &[&str] = &["path", "workspace_dir"];

fn arguments(backend: &str) -> Option<&'static [&'static str]> {
    match backend {
        "s3" => Some(S3),
        "local" => Some(LOCAL),
        _ => None,
    }
}

impl Rule for BackendArgumentUnsupported {
    fn id(&self) -> &'static str {
        "backend-argument-unsupported"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (t, backend) in module.backends() {
                let kind = backend.labels.first().map_or("", |l| l.as_str());
                let Some(known) = arguments(kind) else {
                    continue;
                };
                let attrs = backend
                    .body
                    .attributes()
                    .map(|a| (a.key.as_str(), span_of(a), Some(span_of(&a.key))));
                let blocks = backend
                    .body
                    .blocks()
                    .map(|b| (b.ident.as_str(), span_of(b), None));
                for (name, span, key) in attrs.chain(blocks) {
                    if known.contains(&name) {
                        continue;
                    }
                    let (title, error) = if key.is_some() {
                        (
                            format!("Backend `{kind}` has no argument `{name}`"),
                            format!(
                                "\"Unsupported argument\": an argument named \"{name}\" is not expected here"
                            ),
                        )
                    } else {
                        (
                            format!("Backend `{kind}` has no block `{name}`"),
                            format!(
                                "\"Unsupported block type\": blocks of type \"{name}\" are not expected here"
                            ),
                        )
                    };
                    let mut f = self.finding(
                            t.file,
                            span.clone(),
                            title,
                            format!(
                                "the `{kind}` backend is configured only from its own arguments; `terraform init` stops with {error}"
                            ),
                        );
                    f.address = Some("terraform".into());
                    f.key = format!("{kind}/{name}");
                    // The backend's names closest to the one written (a misspelling).
                    f.valid_names = crate::model::schema::check::closest(name, known);
                    let path = model.path(t.file);
                    f.fix = Some(match (&f.valid_names[..], key) {
                        // A misspelt argument: the name it was meant to be.
                        ([meant], Some(key)) => Fix::new(
                            format!("Rename `{name}` to `{meant}`"),
                            Applicability::Safe,
                            vec![Edit::replace(path, key, meant.clone())],
                        ),
                        _ => Fix::new(
                            format!("Remove `{name}` from the backend"),
                            Applicability::Safe,
                            vec![crate::edits::remove_lines(path, model.src(t.file), span)],
                        ),
                    });
                    out.push(f);
                }
            }
        }
    }
}
