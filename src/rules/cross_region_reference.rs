//! # Resource uses a regional resource created in another region
//!
//! ## What it does
//! Reports an argument that names a regional resource (a KMS key, an SNS topic, an SQS
//! queue, a subnet, a security group, a DB subnet or parameter group) created under an
//! `aws` provider configuration of another region than the resource that uses it: an
//! alarm in `us-west-1` whose `alarm_actions` is a topic created in `us-east-2`, an
//! Aurora cluster of the secondary region given the primary region's parameter group or
//! KMS key, a log group or a queue encrypted with a key of another region. A DynamoDB
//! `replica` block is checked against its own `region_name`: its `kms_key_arn` must be a
//! key of that region. Regions are those of the provider configurations (`region`,
//! followed through variable defaults and tfvars), of provider 6's `region` argument,
//! and — in an answer without the provider configuration its blocks name — of aliases
//! named after a region (`aws.us_east_2`); a resource whose region is not known is not
//! checked. Only arguments AWS
//! resolves in the resource's own region are checked: replication destinations,
//! replica keys' primaries, peering and subscriptions cross regions by design.
//!
//! ## Why is this bad?
//! Each region has its own keys, topics, subnets and groups: an identifier or ARN of
//! another region is not found, or is refused outright, when the resource is created.
//!
//! ## Error
//! ```text
//! ValidationError: Invalid region us-east-2 specified. Only us-west-1 is supported.
//! DBClusterParameterGroupNotFound: DBClusterParameterGroup not found: app-aurora-params
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_sns_topic" "alerts" {
//!   provider = aws.east
//!   name     = "alerts"
//! }
//!
//! resource "aws_cloudwatch_metric_alarm" "errors" {
//!   provider      = aws.west
//!   alarm_actions = [aws_sns_topic.alerts.arn]
//! }
//! ```
//! Use instead a resource of the same region (a topic created with `provider =
//! aws.west`).
//!
//! ## Fix safety
//! No fix: the resource of the right region may have to be created first.
//!
//! ## Root cause
//! A multi-region configuration declares the shared resources once, under the default
//! provider, and uses them from every region.
//!
//! ## Impact
//! Deployment blocker in the region that uses the other region's resource.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
//! https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockInfo, BlockKind, Model, Module};

/// `(resource type, argument path, regional types it may name)`.
const USES: &[(&str, &str, &[&str])] = &[
    (
        "aws_cloudwatch_metric_alarm",
        "alarm_actions",
        &["aws_sns_topic"],
    ),
    (
        "aws_cloudwatch_metric_alarm",
        "ok_actions",
        &["aws_sns_topic"],
    ),
    (
        "aws_cloudwatch_metric_alarm",
        "insufficient_data_actions",
        &["aws_sns_topic"],
    ),
    (
        "aws_cloudwatch_composite_alarm",
        "alarm_actions",
        &["aws_sns_topic"],
    ),
    (
        "aws_rds_cluster",
        "db_cluster_parameter_group_name",
        &["aws_rds_cluster_parameter_group"],
    ),
    (
        "aws_rds_cluster",
        "db_subnet_group_name",
        &["aws_db_subnet_group"],
    ),
    (
        "aws_rds_cluster",
        "vpc_security_group_ids",
        &["aws_security_group"],
    ),
    ("aws_rds_cluster", "kms_key_id", &["aws_kms_key"]),
    (
        "aws_rds_cluster_instance",
        "db_parameter_group_name",
        &["aws_db_parameter_group"],
    ),
    (
        "aws_rds_cluster_instance",
        "db_subnet_group_name",
        &["aws_db_subnet_group"],
    ),
    (
        "aws_db_instance",
        "parameter_group_name",
        &["aws_db_parameter_group"],
    ),
    (
        "aws_db_instance",
        "db_subnet_group_name",
        &["aws_db_subnet_group"],
    ),
    (
        "aws_db_instance",
        "vpc_security_group_ids",
        &["aws_security_group"],
    ),
    ("aws_db_instance", "kms_key_id", &["aws_kms_key"]),
    ("aws_cloudwatch_log_group", "kms_key_id", &["aws_kms_key"]),
    ("aws_sns_topic", "kms_master_key_id", &["aws_kms_key"]),
    ("aws_sqs_queue", "kms_master_key_id", &["aws_kms_key"]),
    ("aws_secretsmanager_secret", "kms_key_id", &["aws_kms_key"]),
    ("aws_lambda_function", "kms_key_arn", &["aws_kms_key"]),
    (
        "aws_lambda_function",
        "vpc_config.subnet_ids",
        &["aws_subnet"],
    ),
    (
        "aws_lambda_function",
        "vpc_config.security_group_ids",
        &["aws_security_group"],
    ),
    (
        "aws_lambda_function",
        "dead_letter_config.target_arn",
        &["aws_sqs_queue", "aws_sns_topic"],
    ),
    ("aws_instance", "subnet_id", &["aws_subnet"]),
    (
        "aws_instance",
        "vpc_security_group_ids",
        &["aws_security_group"],
    ),
    ("aws_lb", "subnets", &["aws_subnet"]),
    ("aws_lb", "security_groups", &["aws_security_group"]),
    (
        "aws_elasticache_replication_group",
        "subnet_group_name",
        &["aws_elasticache_subnet_group"],
    ),
    (
        "aws_elasticache_replication_group",
        "security_group_ids",
        &["aws_security_group"],
    ),
    (
        "aws_elasticache_replication_group",
        "kms_key_id",
        &["aws_kms_key"],
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        "rule.apply_server_side_encryption_by_default.kms_master_key_id",
        &["aws_kms_key"],
    ),
    ("aws_ebs_volume", "kms_key_id", &["aws_kms_key"]),
    (
        "aws_dynamodb_table",
        "server_side_encryption.kms_key_arn",
        &["aws_kms_key"],
    ),
];

pub struct CrossRegionReference;

impl Rule for CrossRegionReference {
    fn id(&self) -> &'static str {
        "cross-region-reference"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Only modules with more than one region can mix them: several `aws`
            // configurations, blocks with their own `region` (provider 6), or blocks
            // that name aliases.
            let configurations = module
                .blocks_of(BlockKind::Provider)
                .filter(|p| p.label(0) == "aws")
                .count();
            if configurations < 2
                && !module
                    .blocks
                    .iter()
                    .any(|b| b.attr("region").is_some() || b.provider.is_some())
            {
                continue;
            }
            for b in module.blocks_of(BlockKind::Resource) {
                let uses: Vec<_> = USES.iter().filter(|(ty, ..)| *ty == b.label(0)).collect();
                let replicas = b.label(0) == "aws_dynamodb_table";
                if uses.is_empty() && !replicas {
                    continue;
                }
                let Some(region) = region_of(module, b) else {
                    continue;
                };
                for &&(_, path, types) in &uses {
                    for expr in values_at(b, path) {
                        self.check_expr(module, b, &region, expr, path, types, out);
                    }
                }
                if replicas {
                    self.check_replicas(module, b, out);
                }
            }
        }
    }
}

impl CrossRegionReference {
    #[allow(clippy::too_many_arguments)]
    fn check_expr(
        &self,
        module: &Module<'_>,
        b: &BlockInfo<'_>,
        region: &str,
        expr: &hcl_edit::expr::Expression,
        path: &str,
        types: &[&str],
        out: &mut Vec<Finding>,
    ) {
        let mut refs = RefCollector::default();
        refs.expr(expr);
        for r in &refs.refs {
            let Target::Resource { ty, .. } = &r.target else {
                continue;
            };
            if !types.contains(&ty.as_str()) {
                continue;
            }
            let Some(used) = module.block(&r.target.address()) else {
                continue;
            };
            let Some(theirs) = region_of(module, used) else {
                continue;
            };
            if theirs == region {
                continue;
            }
            out.push(self.other_region(
                b,
                r.span.clone(),
                used,
                &theirs,
                format!("`{}` in {region} uses `{}` of {theirs}", b.address, used.address),
                format!(
                    "`{}` is created in {region}, and its `{path}` names `{}`, which is created in {theirs}: AWS looks it up in {region} and does not find it, or refuses another region's ARN; use one created in {region}",
                    b.address, used.address
                ),
                format!("{path}:{}", used.address),
            ));
        }
    }

    /// A DynamoDB global table's replicas: each `kms_key_arn` must be a key of the
    /// replica's own `region_name`.
    fn check_replicas(&self, module: &Module<'_>, b: &BlockInfo<'_>, out: &mut Vec<Finding>) {
        for replica in b.body().get_blocks("replica") {
            let (Some(name), Some(key)) = (
                replica.body.get_attribute("region_name"),
                replica.body.get_attribute("kms_key_arn"),
            ) else {
                continue;
            };
            let name = known(module, &name.value);
            if !name.complete {
                continue;
            }
            let Some(used) = module.referenced(&key.value, &["aws_kms_key"]) else {
                continue;
            };
            let Some(theirs) = region_of(module, used) else {
                continue;
            };
            if theirs == name.text {
                continue;
            }
            out.push(self.other_region(
                b,
                span_of(&key.value),
                used,
                &theirs,
                format!(
                    "replica in {} of `{}` encrypted with `{}` of {theirs}",
                    name.text, b.address, used.address
                ),
                format!(
                    "the replica of `{}` in {} names `{}` as its `kms_key_arn`, a key created in {theirs}: a replica is encrypted with a key of its own region (a key created there, or a multi-Region replica key), and DynamoDB refuses another region's",
                    b.address, name.text, used.address
                ),
                format!("replica:{}", name.text),
            ));
        }
    }
}

impl CrossRegionReference {
    /// The finding on `b` at `span`, which uses `used`, created in `theirs`.
    #[allow(clippy::too_many_arguments)]
    fn other_region(
        &self,
        b: &BlockInfo<'_>,
        span: std::ops::Range<usize>,
        used: &BlockInfo<'_>,
        theirs: &str,
        title: String,
        message: String,
        key: String,
    ) -> Finding {
        let mut f = self.finding(b.file, span, title, message);
        f.address = Some(b.address.clone());
        f.key = key;
        f.related.push(Related {
            file: used.file,
            span: used.header(),
            message: format!("`{}`, created in {theirs}", used.address),
        });
        f
    }
}

/// The region block `b` is created in, when it is known: from the provider
/// configuration it uses, or — when the module has no configuration of that alias (an
/// answer whose provider file is the task's) — from an alias that names a region
/// (`aws.us_east_2`).
fn region_of(module: &Module<'_>, b: &BlockInfo<'_>) -> Option<String> {
    if module.region_attr(b).is_some() {
        return super::availability_zone_hardcoded::provider_region(module, b)
            .filter(|r| !r.is_empty());
    }
    let alias = b.provider.as_ref()?.alias.as_deref()?;
    let configured = module.blocks_of(BlockKind::Provider).any(|p| {
        p.label(0) == "aws"
            && p.attr("alias")
                .and_then(|a| crate::model::expr::static_str(&a.value))
                .as_deref()
                == Some(alias)
    });
    if configured {
        return None;
    }
    super::provider_alias_undefined::region_from_alias(alias)
}

/// The values of `path` (`a`, or `block.block.a` through nested blocks) in `b`.
fn values_at<'a>(b: &BlockInfo<'a>, path: &'a str) -> Vec<&'a hcl_edit::expr::Expression> {
    let mut bodies = vec![b.body()];
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return Vec::new();
    };
    for part in parts {
        bodies = bodies
            .into_iter()
            .flat_map(|body| body.get_blocks(part).map(|blk| &blk.body))
            .collect();
    }
    bodies
        .into_iter()
        .filter_map(|body| body.get_attribute(last).map(|a| &a.value))
        .collect()
}
