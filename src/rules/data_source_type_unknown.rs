//! # Unknown data source type
//!
//! ## What it does
//! Reports a `data` block whose data source type the provider does not have, checked offline
//! against the provider schema bundled with tfreview for the version the module's
//! `required_providers` constraint selects (`~> 5.0`: AWS 5.99.1; `>= 5.0`, `~> 6.0` or
//! no constraint: the newest 6.x; older constraints: not checked). The finding names the
//! closest existing types; a type that the older major version still has is reported as
//! removed in the newer one.
//!
//! ## Why is this bad?
//! Terraform cannot plan a data source type that the provider does not implement: `validate`
//! and `plan` stop before anything is created.
//!
//! ## Error
//! ```text
//! Error: Invalid data source type
//!
//!   The provider hashicorp/aws does not support data source type "aws_glue_data_catalog_table".
//! ```
//!
//! ## Example
//! ```hcl
//! data "aws_glue_data_catalog_table" "main" {
//!   # …
//! }
//! ```
//! Use instead:
//! ```hcl
//! data "aws_glue_catalog_table" "main" {
//!   # …
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: another type has other arguments, so the block must be rewritten.
//!
//! ## Root cause
//! The type name was invented by analogy (a CloudFormation or API name turned into a
//! Terraform type), or it belongs to a provider version other than the one the module
//! installs.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct DataSourceTypeUnknown;

impl Rule for DataSourceTypeUnknown {
    fn id(&self) -> &'static str {
        "data-source-type-unknown"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        super::schema_findings(
            self,
            model,
            ProblemKind::DataSourceTypeUnknown,
            |p| {
                (
                    format!("Unknown data source type `{}`", p.name),
                    format!(
                        "`{}` uses the data source type `{}`, which the provider does not have",
                        p.address, p.name
                    ),
                )
            },
            |p| p.address.clone(),
            |_| None,
            out,
        );
    }
}
