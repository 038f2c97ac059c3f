//! # Role given to a service that its trust policy does not let assume it
//!
//! ## What it does
//! Reports a role of the module (`aws_iam_role`) passed to a service that must assume
//! it — a Lambda function's `role`, a Step Functions state machine's `role_arn`, an
//! RDS instance's `monitoring_role_arn`, a Firehose delivery stream's `role_arn` (in
//! its destination's block), a
//! CodeBuild project's `service_role`, an EKS cluster's `role_arn`, a Glue job's
//! `role_arn`, a VPC flow log's `iam_role_arn`, an EventBridge target's `role_arn`,
//! an AWS Backup selection's `iam_role_arn`, an ECS task definition's
//! `execution_role_arn` and `task_role_arn` — when its trust policy
//! (`assume_role_policy`, written inline or as `data.aws_iam_policy_document`) has no
//! `Allow` statement for `sts:AssumeRole` with that service as a principal, or only
//! one that requires `sts:ExternalId` (which services do not send). It stays quiet
//! when the trust policy cannot be read whole, or names a service through a variable.
//!
//! ## Why is this bad?
//! The service assumes the role to act; most check that they can when the resource is
//! created and refuse it otherwise. A role copied from another service's setup (a Glue
//! role given to Firehose, an EC2 role given to Lambda) is the usual cause.
//!
//! ## Error
//! ```text
//! InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.
//! ```
//! and `Neither the global service principal states.amazonaws.com, nor the regional one
//! is authorized to assume the provided role`, `IAM role ARN value is invalid or does
//! not include the required permissions for: ENHANCED_MONITORING`, `Firehose is unable
//! to assume role`.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "worker" {
//!   assume_role_policy = jsonencode({
//!     Version   = "2012-10-17"
//!     Statement = [{
//!       Effect    = "Allow"
//!       Principal = { Service = "ec2.amazonaws.com" }
//!       Action    = "sts:AssumeRole"
//!     }]
//!   })
//! }
//!
//! resource "aws_lambda_function" "worker" {
//!   role = aws_iam_role.worker.arn
//! }
//! ```
//! Use instead `Service = "lambda.amazonaws.com"` in the role's trust policy.
//!
//! ## Fix safety
//! No fix: whether the role should trust one more service or the resource should have
//! a role of its own is a design choice.
//!
//! ## Root cause
//! One role was shared between services, or copied from another service's example.
//!
//! ## Impact
//! Deployment blocker: the resource is not created, or (flow logs, backups) never
//! delivers.
//!
//! ## References
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::span_of;
use crate::model::policy::{Statement, action_matches};
use crate::model::{Model, Module};

pub struct RoleTrustServiceMissing;

/// A resource type, the argument that passes it a role, and the service that assumes it.
const USERS: &[(&str, &str, &str)] = &[
    ("aws_lambda_function", "role", "lambda.amazonaws.com"),
    ("aws_sfn_state_machine", "role_arn", "states.amazonaws.com"),
    (
        "aws_db_instance",
        "monitoring_role_arn",
        "monitoring.rds.amazonaws.com",
    ),
    (
        "aws_rds_cluster_instance",
        "monitoring_role_arn",
        "monitoring.rds.amazonaws.com",
    ),
    (
        "aws_kinesis_firehose_delivery_stream",
        "role_arn",
        "firehose.amazonaws.com",
    ),
    (
        "aws_codebuild_project",
        "service_role",
        "codebuild.amazonaws.com",
    ),
    ("aws_eks_cluster", "role_arn", "eks.amazonaws.com"),
    ("aws_glue_job", "role_arn", "glue.amazonaws.com"),
    ("aws_glue_crawler", "role", "glue.amazonaws.com"),
    (
        "aws_flow_log",
        "iam_role_arn",
        "vpc-flow-logs.amazonaws.com",
    ),
    (
        "aws_cloudwatch_event_target",
        "role_arn",
        "events.amazonaws.com",
    ),
    (
        "aws_backup_selection",
        "iam_role_arn",
        "backup.amazonaws.com",
    ),
    (
        "aws_config_configuration_recorder",
        "role_arn",
        "config.amazonaws.com",
    ),
    ("aws_codepipeline", "role_arn", "codepipeline.amazonaws.com"),
    (
        "aws_ecs_task_definition",
        "execution_role_arn",
        "ecs-tasks.amazonaws.com",
    ),
    (
        "aws_ecs_task_definition",
        "task_role_arn",
        "ecs-tasks.amazonaws.com",
    ),
];

/// What a trust policy says about `service`.
enum Trust {
    Trusted,
    /// Only with an `sts:ExternalId` condition, which services do not send.
    ExternalIdOnly,
    Missing,
}

fn names_service(st: &Statement, service: &str) -> bool {
    let host = service.trim_end_matches(".amazonaws.com");
    st.principals.iter().any(|(kind, values)| {
        (kind == "*" && values.iter().any(|v| v == "*"))
            || (kind == "AWS" && values.iter().any(|v| v == "*"))
            || (kind == "Service"
                && values.iter().any(|v| {
                    // `lambda.amazonaws.com`, and the regional (`states.us-east-1…`) or
                    // China forms of it.
                    let named = v
                        .strip_suffix(".amazonaws.com.cn")
                        .unwrap_or(v)
                        .trim_end_matches(".amazonaws.com");
                    v == "*"
                        || named == host
                        || named
                            .strip_prefix(host)
                            .is_some_and(|rest| rest.starts_with('.'))
                }))
    })
}

fn trust(statements: &[&Statement], service: &str) -> Trust {
    let mut external_only = false;
    for st in statements {
        if !st.allows()
            || !st
                .actions
                .iter()
                .any(|a| action_matches(a, "sts:AssumeRole"))
            || !names_service(st, service)
        {
            continue;
        }
        if st
            .conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"))
        {
            external_only = true;
            continue;
        }
        return Trust::Trusted;
    }
    if external_only {
        Trust::ExternalIdOnly
    } else {
        Trust::Missing
    }
}

impl Rule for RoleTrustServiceMissing {
    fn id(&self) -> &'static str {
        "role-trust-service-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                for &(_, argument, service) in USERS.iter().filter(|(ty, _, _)| b.is_resource(ty)) {
                    // Firehose names its role in each destination's block.
                    let attrs: Vec<&hcl_edit::structure::Attribute> = match b.attr(argument) {
                        Some(a) => vec![a],
                        None if b.is_resource("aws_kinesis_firehose_delivery_stream") => b
                            .body()
                            .blocks()
                            .filter_map(|x| x.body.get_attribute(argument))
                            .collect(),
                        None => Vec::new(),
                    };
                    for attr in attrs {
                        let Some(role) = module.referenced(&attr.value, &["aws_iam_role"]) else {
                            continue;
                        };
                        let Some((statements, trust_file, trust_span)) =
                            trust_policy(module, &role.address)
                        else {
                            continue;
                        };
                        let why = match trust(&statements, service) {
                            Trust::Trusted => continue,
                            Trust::ExternalIdOnly => format!(
                                "trusts `{service}` only with an `sts:ExternalId` condition, which the service does not send"
                            ),
                            Trust::Missing => {
                                let trusted: Vec<String> = statements
                                    .iter()
                                    .flat_map(|s| s.services())
                                    .map(|s| format!("`{s}`"))
                                    .collect();
                                if trusted.is_empty() {
                                    format!("does not trust `{service}`")
                                } else {
                                    format!("trusts {} but not `{service}`", trusted.join(", "))
                                }
                            }
                        };
                        let mut f = self.finding(
                    b.file,
                    span_of(&attr.value),
                    format!("`{}` cannot be assumed by `{service}`", role.address),
                    format!(
                        "`{}` gives `{argument}` the role `{}`, whose trust policy {why}: the service cannot assume the role, and refuses `{}` or cannot act for it",
                        b.address, role.address, b.address
                    ),
                );
                        f.address = Some(b.address.clone());
                        f.key = argument.to_string();
                        f.related.push(Related {
                            file: trust_file,
                            span: trust_span,
                            message: "the role's trust policy".into(),
                        });
                        out.push(f);
                    }
                }
            }
        }
    }
}

/// The statements of a role's trust policy and where it is written, when the whole
/// policy is known.
fn trust_policy<'m>(
    module: &'m Module<'_>,
    role_address: &str,
) -> Option<(
    Vec<&'m Statement>,
    crate::workspace::FileId,
    std::ops::Range<usize>,
)> {
    let policies = module.trust_policies(module.index_of(role_address)?);
    let first = policies.first()?;
    // A principal given by a variable or built by interpolation is not known.
    let unknown_service = |v: &String| {
        v != "*"
            && (v.contains("${")
                || !(v.ends_with(".amazonaws.com") || v.ends_with(".amazonaws.com.cn")))
    };
    if policies.iter().any(|p| {
        !p.policy.complete
            || p.policy
                .statements
                .iter()
                .any(|s| s.services().any(|v| unknown_service(&v.to_string())))
    }) {
        return None;
    }
    let (file, span) = (first.file, first.policy.span.clone());
    let statements = policies
        .iter()
        .flat_map(|p| p.policy.statements.iter())
        .collect();
    Some((statements, file, span))
}
