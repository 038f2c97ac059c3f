//! # Name does not include the environment suffix (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a name-like argument of a resource (`name`,
//! `name_prefix`, `bucket`, `function_name`, `identifier`, `cluster_identifier`,
//! `replication_group_id`, `alarm_name`, …) in a root module that does not use the
//! contract's suffix variable (`var.environment_suffix` by default), directly or through
//! a local value. Names built from another resource (`random_id`, an attribute) are
//! unique already and are not reported; nor are DNS records and policies scoped to a
//! role.
//!
//! ## Why is this bad?
//! The task's deployments run side by side in one account: every name must carry the
//! suffix, or the second deployment fails with "already exists" and the cleanup of one
//! deletes the other's resources.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "app-logs"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "app-logs-${var.environment_suffix}"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, offered when the name is a string and the suffix variable is declared: the fix
//! appends `-${var.environment_suffix}`; a renamed resource is replaced.
//!
//! ## Root cause
//! Names were written for a single deployment.
//!
//! ## Impact
//! Deployment blocker for parallel deployments; resource conflicts between them.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/values/variables

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockKind, Model, Module};

const NAME_ARGUMENTS: &[&str] = &[
    "name",
    "name_prefix",
    "bucket",
    "bucket_prefix",
    "function_name",
    "identifier",
    "identifier_prefix",
    "cluster_identifier",
    "replication_group_id",
    "cluster_id",
    "alarm_name",
    "table_name",
    "queue_name",
    "topic_name",
    "node_group_name",
    "role_name",
    "user_name",
    "secret_name",
    "repository_name",
    "stream_name",
    "db_subnet_group_name",
];

/// Types whose `name` is not an account-wide unique name.
const SCOPED: &[&str] = &[
    "aws_route53_record",
    "aws_route53_zone",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_appautoscaling_policy",
    "aws_autoscaling_policy",
    "aws_api_gateway_resource",
    "aws_apigatewayv2_stage",
    "aws_api_gateway_stage",
    "aws_lb_listener_rule",
    "aws_ecs_task_definition",
    "aws_cloudwatch_log_stream",
    "aws_acm_certificate",
    "aws_lambda_alias",
    "aws_lambda_permission",
    "aws_sfn_activity",
];

pub struct ResourceNameMissingSuffix;

impl Rule for ResourceNameMissingSuffix {
    fn id(&self) -> &'static str {
        "resource-name-missing-suffix"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let suffix = &model.ws.config.contract.suffix_variable;
        for module in model.modules.iter().filter(|m| !m.is_child) {
            let carriers = carriers(module, suffix);
            let declared = module.has_variable(suffix);
            for b in module.blocks_of(BlockKind::Resource) {
                if SCOPED.contains(&b.label(0)) {
                    continue;
                }
                for arg in NAME_ARGUMENTS {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let mut refs = RefCollector::default();
                    refs.expr(&attr.value);
                    let derived = refs.refs.iter().any(|r| {
                        carriers.contains(&r.target)
                            || matches!(
                                r.target,
                                Target::Resource { .. } | Target::Data { .. } | Target::Module(_)
                            )
                    });
                    if derived {
                        continue;
                    }
                    let span = span_of(&attr.value);
                    let src = model.src(b.file);
                    let written = src.get(span.clone()).unwrap_or("");
                    let mut f = self.finding(
                        b.file,
                        span.clone(),
                        format!("`{arg}` does not include `var.{suffix}`"),
                        format!(
                            "`{}` {arg} {written} does not use `var.{suffix}`: a second deployment in the same account collides with this one",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    let quoted =
                        written.starts_with('"') && written.ends_with('"') && written.len() >= 2;
                    if declared && quoted {
                        f.fix = Some(Fix::new(
                            format!("Append `-${{var.{suffix}}}`"),
                            Applicability::Unsafe,
                            vec![Edit::insert(
                                model.path(b.file),
                                span.end - 1,
                                format!("-${{var.{suffix}}}"),
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// `var.<suffix>` and the locals that use it, transitively.
fn carriers(module: &Module<'_>, suffix: &str) -> Vec<Target> {
    let mut carriers = vec![Target::Var(suffix.to_string())];
    loop {
        let before = carriers.len();
        for local in &module.locals {
            let t = Target::Local(local.name.to_string());
            if carriers.contains(&t) {
                continue;
            }
            let mut refs = RefCollector::default();
            refs.expr(&local.attr.value);
            if refs.refs.iter().any(|r| carriers.contains(&r.target)) {
                carriers.push(t);
            }
        }
        if carriers.len() == before {
            return carriers;
        }
    }
}
