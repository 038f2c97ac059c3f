//! # AWS Organizations requires a management account
//!
//! ## What it does
//! Reports `resource "aws_organizations_organization"`.
//!
//! ## Why is this bad?
//! An organization can only be created (or imported) from an AWS Organizations management
//! account. Applied from a member account, a sandbox or a CI account, the resource fails
//! with an access error, and an account that already belongs to an organization cannot
//! create another.
//!
//! ## Example
//! ```hcl
//! resource "aws_organizations_organization" "main" {
//!   feature_set = "ALL"
//! }
//! ```
//! Use instead, where the organization already exists:
//! ```hcl
//! data "aws_organizations_organization" "main" {}
//! ```
//!
//! ## Fix safety
//! No automatic fix: whether to create or read the organization depends on the account
//! the code is deployed from.
//!
//! ## Root cause
//! The deployment constraint of AWS Organizations (management account only) was not
//! anticipated for the environments the code runs in.
//!
//! ## Impact
//! Deployments from non-management accounts fail with permission errors; reviewers and QA
//! lose time on a limitation that should be documented up front.
//!
//! ## References
//! https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_create.html

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

pub struct OrganizationsManagementAccount;

impl Rule for OrganizationsManagementAccount {
    fn id(&self) -> &'static str {
        "organizations-management-account"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for org in module.resources("aws_organizations_organization") {
                let mut f = self.finding(
                    org.file,
                    org.header(),
                    "AWS Organizations can only be created from a management account".into(),
                    format!(
                        "`{}` creates an organization: this only succeeds from an AWS Organizations management account without an existing organization; document the requirement or read the organization with a data source",
                        org.address
                    ),
                );
                f.address = Some(org.address.clone());
                out.push(f);
            }
        }
    }
}
