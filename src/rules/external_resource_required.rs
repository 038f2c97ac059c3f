//! # Deployment that needs a resource it does not create
//!
//! ## What it does
//! In the `contract` profile: reports what makes a root module depend on resources that
//! must already exist in the account, so that it cannot be deployed into an empty one:
//! - a data source that looks up an existing resource of the account — a VPC, subnets,
//!   security groups, a Route 53 zone, an ACM certificate, an SSM parameter, a secret, a
//!   key pair, a role, a bucket, a KMS key, … — when nothing of the configuration ties
//!   it to what the configuration creates (no reference to a managed resource, no
//!   `depends_on`) and it is not optional (`count` / `for_each`); its uses are related
//!   places. Lookups that every account answers are not reported: the caller
//!   identity, region, partition, availability zones, policy documents, AMIs,
//!   AWS-managed names (`alias/aws/…`, `/aws/service/…` parameters, `Managed-…`
//!   CloudFront policies), the default VPC and what is filtered on it;
//! - a required variable (no default) of a root module whose name says it identifies an
//!   existing resource (`vpc_id`, `subnet_ids`, `security_group_ids`, `hosted_zone_id`,
//!   `certificate_arn`, `key_name`, any `…_arn`), and that the module uses; its uses
//!   are related places;
//! - a key pair named by a literal — an instance's or launch template's `key_name`, or
//!   the default of the variable it reads — that no `aws_key_pair` of the module
//!   creates;
//! - REST API logging (a stage's `access_log_settings`, method settings with a
//!   `logging_level` or `data_trace_enabled`) when no module of the configuration has
//!   an `aws_api_gateway_account`, the account-wide CloudWatch role API Gateway logs
//!   through.
//!
//! ## Why is this bad?
//! A task's deployment runs in an account where nothing exists yet: the lookup fails
//! ("no matching VPC found", "no matching Route53Zone found", "ParameterNotFound") or
//! the deployment waits for values nobody can give. The task asked for the
//! infrastructure to be created, not found.
//!
//! ## Example
//! ```hcl
//! data "aws_vpc" "main" {
//!   tags = { Name = "production" }
//! }
//!
//! variable "certificate_arn" {
//!   type = string
//! }
//! ```
//! Use instead resources the configuration creates (`aws_vpc`, `aws_acm_certificate`
//! with its validation), or make the lookup optional with a default that creates.
//!
//! ## Fix safety
//! No fix: what to create instead is a design choice.
//!
//! ## Root cause
//! Code written for an existing environment ("use the shared VPC") reused for a task
//! that must stand on its own.
//!
//! ## Impact
//! Deployment blocker in a fresh account.
//!
//! ## References
//! - https://developer.hashicorp.com/terraform/language/data-sources
//! - https://developer.hashicorp.com/terraform/language/values/variables#assigning-values-to-root-module-variables

use super::{CONTRACT, Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of, static_str, traversal_path};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct ExternalResourceRequired;

/// Data sources that find a resource which must already exist in the account.
const LOOKUPS: &[&str] = &[
    "aws_vpc",
    "aws_vpcs",
    "aws_subnet",
    "aws_subnets",
    "aws_subnet_ids",
    "aws_security_group",
    "aws_security_groups",
    "aws_route53_zone",
    "aws_acm_certificate",
    "aws_ssm_parameter",
    "aws_ssm_parameters_by_path",
    "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_version",
    "aws_kms_key",
    "aws_kms_alias",
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_instance_profile",
    "aws_s3_bucket",
    "aws_s3_object",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_db_snapshot",
    "aws_db_subnet_group",
    "aws_ecr_repository",
    "aws_ecr_image",
    "aws_key_pair",
    "aws_lb",
    "aws_alb",
    "aws_lb_target_group",
    "aws_lb_listener",
    "aws_eks_cluster",
    "aws_ecs_cluster",
    "aws_dynamodb_table",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_route_table",
    "aws_vpc_endpoint",
    "aws_efs_file_system",
    "aws_wafv2_web_acl",
    "aws_lambda_function",
    "aws_instance",
    "aws_elasticache_cluster",
    "aws_organizations_organization",
    "aws_cognito_user_pools",
    "aws_api_gateway_rest_api",
    "aws_cloudwatch_log_group",
    "aws_ec2_transit_gateway",
    "aws_ebs_snapshot",
    "aws_launch_template",
    "aws_msk_cluster",
    "aws_opensearch_domain",
    "aws_kinesis_stream",
    "aws_iam_openid_connect_provider",
    "aws_guardduty_detector",
    "aws_ssoadmin_instances",
];

impl Rule for ExternalResourceRequired {
    fn id(&self) -> &'static str {
        "external-resource-required"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| !m.is_child) {
            for b in module.blocks_of(BlockKind::Data) {
                let ty = b.label(0);
                if !LOOKUPS.contains(&ty)
                    || b.attr("count").is_some()
                    || b.attr("for_each").is_some()
                    || !b.depends_on.is_empty()
                    || tied_to_created(module, b, 0)
                    || ideal_agrees(model, module, &b.address, &["count", "for_each"])
                {
                    continue;
                }
                let what = ty.strip_prefix("aws_").unwrap_or(ty).replace('_', " ");
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    format!("Looks up an existing {what}"),
                    format!(
                        "`{}` finds an existing {what} of the account, which nothing in the configuration creates: the deployment fails in an account that does not already have it",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.related = uses_of(
                    module,
                    &Target::Data {
                        ty: ty.to_string(),
                        name: b.label(1).to_string(),
                    },
                    &format!("`{}` used here", b.address),
                );
                out.push(f);
            }
            key_pairs(self, module, out);
            api_logging_role(self, model, module, out);
            for v in module.blocks_of(BlockKind::Variable) {
                let name = v.label(0);
                if v.attr("default").is_some()
                    || !names_existing(name)
                    || ideal_agrees(model, module, &v.address, &["default"])
                {
                    continue;
                }
                let uses = uses_of(
                    module,
                    &Target::Var(name.to_string()),
                    &format!("`var.{name}` used here"),
                );
                if uses.is_empty() {
                    continue;
                }
                let mut f = self.finding(
                    v.file,
                    v.header(),
                    format!("Requires an existing resource (`{name}`)"),
                    format!(
                        "`var.{name}` has no default and names a resource that must already exist in the account: the deployment cannot run on its own, in an empty account"
                    ),
                );
                f.address = Some(format!("var.{name}"));
                f.related = uses;
                out.push(f);
            }
        }
    }
}

/// Whether the lookup finds what the configuration creates (it refers to a managed
/// resource: a filter on `aws_vpc.main.id`) or what every account has: AWS-managed
/// names (`alias/aws/…`, `/aws/service/…`), the default VPC, or a lookup filtered on one
/// of those (the default VPC's subnets).
fn tied_to_created(module: &Module<'_>, b: &BlockInfo<'_>, depth: usize) -> bool {
    let name = |key: &str| {
        b.attr(key)
            .and_then(|a| static_str(&a.value))
            .unwrap_or_default()
    };
    if name("name").starts_with("alias/aws/")
        || name("key_id").starts_with("alias/aws/")
        || name("name").starts_with("/aws/service/")
        || b.attr("default")
            .is_some_and(|a| a.value.as_bool() == Some(true))
    {
        return true;
    }
    let mut refs = RefCollector::default();
    refs.body(b.body());
    refs.refs.iter().any(|r| match &r.target {
        Target::Resource { .. } | Target::Module(_) => true,
        Target::Data { .. } if depth < 4 => module
            .block(&r.target.address())
            .is_some_and(|d| tied_to_created(module, d, depth + 1)),
        _ => false,
    })
}

/// Whether the task's ideal answer has the block at `address` too (written the same, or
/// differing in other ways than `parts`, which make it optional): the task then accepts
/// what it requires.
fn ideal_agrees(model: &Model<'_>, module: &Module<'_>, address: &str, parts: &[&str]) -> bool {
    use crate::compare::Kind;
    let compared = crate::compare::of_module(model, &module.dir);
    if compared.is_empty() {
        return false;
    }
    !compared.iter().any(|c| {
        c.address == address
            && (c.kind == Kind::Extra || c.differing.iter().any(|d| parts.contains(&d.as_str())))
    })
}

/// Whether a variable's name says it identifies an existing resource.
fn names_existing(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const EXACT_ENDS: &[&str] = &[
        "vpc_id",
        "subnet_id",
        "subnet_ids",
        "security_group_id",
        "security_group_ids",
        "hosted_zone_id",
        "route53_zone_id",
        "zone_id",
        "certificate_arn",
        "key_name",
        "key_pair_name",
    ];
    n.ends_with("_arn")
        || n.ends_with("_arns")
        || EXACT_ENDS
            .iter()
            .any(|e| n == *e || n.ends_with(&format!("_{e}")))
}

/// A key pair named by a literal — in an instance's or launch template's `key_name`, or
/// as the default of a variable they read — that no `aws_key_pair` of the module
/// creates: EC2 refuses the instance (`InvalidKeyPair.NotFound`) in an account without
/// it.
fn key_pairs(rule: &ExternalResourceRequired, module: &Module<'_>, out: &mut Vec<Finding>) {
    const USERS: &[&str] = &[
        "aws_instance",
        "aws_launch_template",
        "aws_launch_configuration",
        "aws_spot_instance_request",
    ];
    let mut created: Vec<String> = Vec::new();
    for k in module.resources("aws_key_pair") {
        match k.attr("key_name").and_then(|a| static_str(&a.value)) {
            Some(name) => created.push(name),
            // A key pair whose name is computed may be any of them.
            None => return,
        }
    }
    let mut reported = std::collections::BTreeSet::new();
    for b in USERS.iter().flat_map(|t| module.resources(t)) {
        let Some(attr) = b.attr("key_name") else {
            continue;
        };
        // The literal, where it is written: in the block, or a variable's default.
        let (file, span, key, via) = match (&attr.value, traversal_path(&attr.value)) {
            (hcl_edit::expr::Expression::String(_), _) => {
                let Some(key) = static_str(&attr.value) else {
                    continue;
                };
                (b.file, span_of(&attr.value), key, None)
            }
            (_, Some(("var", names))) if names.len() == 1 => {
                let Some(v) = module.block(&format!("var.{}", names[0])) else {
                    continue;
                };
                let Some(default) = v.attr("default") else {
                    continue;
                };
                let Some(key) = static_str(&default.value) else {
                    continue;
                };
                (
                    v.file,
                    span_of(&default.value),
                    key,
                    Some(v.address.clone()),
                )
            }
            _ => continue,
        };
        if key.trim().is_empty() || created.contains(&key) || !reported.insert(key.clone()) {
            continue;
        }
        let whose = match &via {
            Some(var) => format!(
                "`{var}` defaults to the key pair `{key}`, which `{}` uses",
                b.address
            ),
            None => format!("`{}` uses the key pair `{key}`", b.address),
        };
        let mut f = rule.finding(
            file,
            span,
            format!("Requires an existing key pair (`{key}`)"),
            format!(
                "{whose}, and no `aws_key_pair` of the module creates it: in an account without it EC2 refuses the instance (\"InvalidKeyPair.NotFound: The key pair '{key}' does not exist\"); create it with `aws_key_pair`, or make `key_name` optional (`null` by default)"
            ),
        );
        f.address = Some(via.unwrap_or_else(|| b.address.clone()));
        f.key = format!("key_pair:{key}");
        f.related.push(Related {
            file: b.file,
            span: span_of(attr),
            message: format!("`{}` uses it", b.address),
        });
        out.push(f);
    }
}

/// REST API logging — a stage's `access_log_settings`, or method settings with a
/// `logging_level` other than `OFF` or `data_trace_enabled` — in a module without an
/// `aws_api_gateway_account`: API Gateway logs through one role set for the whole
/// account, which a fresh account does not have.
fn api_logging_role(
    rule: &ExternalResourceRequired,
    model: &Model<'_>,
    module: &Module<'_>,
    out: &mut Vec<Finding>,
) {
    // The account's role is often set once, in the root module: any module counts.
    if model
        .modules
        .iter()
        .any(|m| m.resources("aws_api_gateway_account").next().is_some())
    {
        return;
    }
    let mut places: Vec<(&BlockInfo<'_>, std::ops::Range<usize>)> = Vec::new();
    for stage in module.resources("aws_api_gateway_stage") {
        if let Some(logs) = stage.body().get_blocks("access_log_settings").next() {
            let span = span_of(logs);
            places.push((stage, span.start..span.start + "access_log_settings".len()));
        }
    }
    for settings in module.resources("aws_api_gateway_method_settings") {
        for block in settings.body().get_blocks("settings") {
            let level = block
                .body
                .get_attribute("logging_level")
                .filter(|a| static_str(&a.value).is_some_and(|l| !l.eq_ignore_ascii_case("off")));
            let trace = block
                .body
                .get_attribute("data_trace_enabled")
                .filter(|a| a.value.as_bool() == Some(true));
            if let Some(attr) = level.or(trace) {
                places.push((settings, span_of(attr)));
            }
        }
    }
    // One finding per module: the account has one role.
    let mut places = places.into_iter();
    if let Some((b, span)) = places.next() {
        let mut f = rule.finding(
            b.file,
            span,
            "REST API logging needs the account's CloudWatch role".to_string(),
            format!(
                "`{}` turns on API Gateway logging, and the module sets no `aws_api_gateway_account` role: in an account where nobody has set one, API Gateway refuses (\"CloudWatch Logs role ARN must be set in account settings to enable logging\"); add `aws_api_gateway_account` with a role that has `AmazonAPIGatewayPushToCloudWatchLogs`, and make the stage depend on it",
                b.address
            ),
        );
        f.address = Some(b.address.clone());
        f.key = "api_gateway_account".into();
        f.related = places
            .take(crate::finding::MAX_RELATED_USES)
            .map(|(other, span)| Related {
                file: other.file,
                span,
                message: format!("`{}` logs too", other.address),
            })
            .collect();
        out.push(f);
    }
}

/// Where the module reads `target` (at most a few), as related places.
fn uses_of(module: &Module<'_>, target: &Target, message: &str) -> Vec<Related> {
    module
        .refs
        .iter()
        .filter(|r| &r.target == target)
        .take(crate::finding::MAX_RELATED_USES)
        .map(|r| Related {
            file: r.file,
            span: r.span.clone(),
            message: message.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::names_existing;

    #[test]
    fn names_of_existing_resources_are_told() {
        for n in [
            "vpc_id",
            "private_subnet_ids",
            "acm_certificate_arn",
            "hosted_zone_id",
            "ssh_key_name",
            "kms_key_arn",
        ] {
            assert!(names_existing(n), "{n}");
        }
        for n in [
            "environment_suffix",
            "vpc_cidr",
            "subnet_count",
            "zone_name",
            "region",
            "keyname_prefix",
        ] {
            assert!(!names_existing(n), "{n}");
        }
    }
}
