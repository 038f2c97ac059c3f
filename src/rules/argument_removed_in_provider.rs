//! # Argument removed in the provider version the module installs
//!
//! ## What it does
//! Reports an argument or block that the older bundled major version of the provider has
//! and the version the module's `required_providers` constraint selects no longer has:
//! `vpc = true` on `aws_eip`, `stage_name` on `aws_api_gateway_deployment`,
//! `log_group_name` on `aws_flow_log`, all removed in AWS provider 6.0. A constraint such
//! as `>= 5.0` (or none) installs 6.x today, so code written for 5.x stops validating.
//!
//! ## Why is this bad?
//! Terraform validates against the provider that `init` installed: the removed argument
//! stops `validate` and `plan`, and nothing is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported argument
//!
//!   An argument named "vpc" is not expected here.
//! ```
//!
//! ## Example
//! ```hcl
//! terraform {
//!   required_providers {
//!     aws = { source = "hashicorp/aws", version = ">= 5.0" }
//!   }
//! }
//!
//! resource "aws_eip" "nat" {
//!   vpc = true
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_eip" "nat" {
//!   domain = "vpc"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix deletes the argument, which is right when its successor is set or not
//! needed; the other fix is to pin the constraint to the older major version (`~> 5.0`).
//!
//! ## Root cause
//! The code follows documentation or examples of the older major version while the
//! version constraint lets `init` install the newer one.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade
//! https://developer.hashicorp.com/terraform/language/providers/requirements#version-constraints

use super::schema_fixes;
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ArgumentRemovedInProvider;

impl Rule for ArgumentRemovedInProvider {
    fn id(&self) -> &'static str {
        "argument-removed-in-provider"
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
            ProblemKind::ArgumentRemovedInProvider,
            |p| {
                (
                    format!("`{}` no longer has `{}`", p.within, p.name),
                    format!("`{}` sets `{}`", p.address, p.name),
                )
            },
            |p| p.key(),
            |p| schema_fixes::delete_removed(model, p),
            out,
        );
    }
}
