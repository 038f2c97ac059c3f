//! # Two resources with the same name
//!
//! ## What it does
//! Reports a resource whose name — the name-like argument of its type (`name`,
//! `bucket`, `function_name`, `identifier`, …), with variable defaults, `*.tfvars`
//! values and locals filled in — is written out in full and equals the name of an
//! earlier resource of the same type in the same module, where AWS keeps one resource
//! per name: in the same region (the same provider configuration), or in the whole
//! account for IAM and S3 (unless a provider assumes a role or names a profile: it may
//! be another account). Resources made per `count` / `for_each` item are left out, and
//! security groups count as the same only in the same VPC, ECS services in the same
//! cluster, node groups in the same EKS cluster, EventBridge rules on the same bus, WAF
//! web ACLs in the same scope. The earlier resource is a related place.
//!
//! ## Why is this bad?
//! Terraform sees two resources; AWS sees one name. Creating the second fails
//! (`EntityAlreadyExists`, `ResourceAlreadyExistsException`, `BucketAlreadyOwnedByYou`,
//! `ResourceConflictException`), or, for the APIs that return what exists (SNS topics,
//! EventBridge rules, metric alarms), both resources end up managing one object and
//! overwrite each other's settings on every apply.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name = "/ecs/${var.service}"
//! }
//!
//! resource "aws_cloudwatch_log_group" "app_logs" {
//!   name = "/ecs/${var.service}"
//! }
//! ```
//! Use instead one resource, or distinct names.
//!
//! ## Fix safety
//! No fix: which of the two to keep is a design choice.
//!
//! ## Root cause
//! A block written twice — a draft and its revision both kept, or the same log group
//! declared by two features.
//!
//! ## Impact
//! Deployment blocker, or two resources fighting over one.
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html#API_CreateRole_Errors
//! - https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html#API_CreateLogGroup_Errors

use std::collections::HashMap;

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{span_of, string_like};
use crate::model::{BlockInfo, BlockKind, Model};

pub struct NameDuplicated;

/// Types whose names are unique in the account, not per region.
const GLOBAL: &[&str] = &[
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_policy",
    "aws_iam_instance_profile",
    "aws_s3_bucket",
];

/// Types whose names are unique only within a parent: `(type, parent argument)`.
const SCOPED: &[(&str, &str)] = &[
    ("aws_security_group", "vpc_id"),
    ("aws_ecs_service", "cluster"),
    ("aws_eks_node_group", "cluster_name"),
    ("aws_cloudwatch_event_rule", "event_bus_name"),
    ("aws_wafv2_web_acl", "scope"),
];

/// Types whose names AWS does not keep unique (or only per parent not modelled here).
const NOT_UNIQUE: &[&str] = &[
    "aws_iam_role_policy",
    "aws_api_gateway_rest_api",
    "aws_cognito_user_pool",
    "aws_appautoscaling_policy",
    "aws_route53_health_check",
];

/// Whether the provider configuration `b` uses may reach another account: it assumes a
/// role or names a profile.
/// The aliases (`None` for the default) of the module's `aws` providers that assume a
/// role or use a profile: a resource of one of them may be in another account. Once per
/// module, not per resource.
fn other_accounts(module: &crate::model::Module<'_>) -> Vec<Option<String>> {
    module
        .blocks_of(BlockKind::Provider)
        .filter(|p| {
            p.label(0) == "aws"
                && (p.attr("profile").is_some()
                    || p.body().blocks().any(|x| x.ident.as_str() == "assume_role"))
        })
        .map(|p| {
            p.attr("alias")
                .and_then(|a| crate::model::expr::static_str(&a.value))
        })
        .collect()
}

impl Rule for NameDuplicated {
    fn id(&self) -> &'static str {
        "name-duplicated"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // (type, scope, name) → the first resource with it.
            let mut seen: HashMap<(&str, String, String), &BlockInfo<'_>> = HashMap::new();
            let other_accounts = other_accounts(module);
            for b in module.blocks_of(BlockKind::Resource) {
                let ty = b.label(0);
                let Some(&(_, arg, _)) = super::name_too_long::LIMITS
                    .iter()
                    .find(|(t, a, _)| *t == ty && !a.ends_with("_prefix"))
                else {
                    continue;
                };
                if NOT_UNIQUE.contains(&ty)
                    || b.attr("count").is_some()
                    || b.attr("for_each").is_some()
                {
                    continue;
                }
                let Some(attr) = b.attr(arg) else {
                    continue;
                };
                let name = known(module, &attr.value);
                if !name.complete || name.text.is_empty() {
                    continue;
                }
                let provider = b.provider.as_ref().map(|p| p.display()).unwrap_or_default();
                // Account-wide names compare across providers of one account: a provider
                // that assumes a role or uses a profile may be another account.
                let alias = b.provider.as_ref().and_then(|p| p.alias.clone());
                let mut scope = if GLOBAL.contains(&ty) && !other_accounts.contains(&alias) {
                    String::new()
                } else {
                    provider
                };
                if let Some((_, parent)) = SCOPED.iter().find(|(t, _)| *t == ty) {
                    // Left out: the default (VPC, event bus).
                    let written = b
                        .attr(parent)
                        .map(|p| string_like(model.src(b.file), &p.value))
                        .unwrap_or_default();
                    scope.push('|');
                    scope.push_str(&written);
                }
                match seen.get(&(ty, scope.clone(), name.text.clone())) {
                    None => {
                        seen.insert((ty, scope, name.text.clone()), b);
                    }
                    // The same address twice is Terraform's own error (a duplicated
                    // block), not two resources.
                    Some(first) if first.address == b.address => {}
                    Some(first) => {
                        let mut f = self.finding(
                            b.file,
                            span_of(attr),
                            format!("`{}` has the name of `{}`", b.address, first.address),
                            format!(
                                "`{}` and `{}` are both named `{}`: AWS keeps one {} per name{}, so creating the second fails as already existing, or both manage one",
                                first.address,
                                b.address,
                                name.text,
                                ty.strip_prefix("aws_").unwrap_or(ty).replace('_', " "),
                                if GLOBAL.contains(&ty) {
                                    " in the account"
                                } else {
                                    " in a region"
                                }
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = arg.to_string();
                        if let Some(a) = first.attr(arg) {
                            f.related.push(Related {
                                file: first.file,
                                span: span_of(a),
                                message: "the same name, first".into(),
                            });
                        }
                        out.push(f);
                    }
                }
            }
        }
    }
}
