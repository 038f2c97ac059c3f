//! # Name longer than AWS allows
//!
//! ## What it does
//! Reports a name-like argument (`name`, `name_prefix`, `function_name`, `identifier`,
//! `bucket`, …) of a resource whose value, with variable defaults, `*.tfvars` values
//! and locals filled in, is longer than the limit of that resource type: 32 characters
//! for load balancers and target groups, 6 for their `name_prefix`, 63 for buckets and
//! database identifiers, 64 for IAM roles and Lambda functions, 40 for ElastiCache
//! replication groups, 28 for OpenSearch domains, and more. Parts whose value cannot be
//! known (resource attributes, functions) are counted as empty, so the rule only reports
//! names that are too long whatever they turn out to be — except the suffix variable of
//! the task contract, which, when the contract is on, counts with the length of the
//! suffixes the pipeline passes (`suffix-length`, 14 by default).
//!
//! ## Why is this bad?
//! AWS rejects the name when the resource is created, after the plan looked fine:
//! "'name' cannot be longer than 32 characters". Long project names plus an environment
//! suffix cross the limit easily.
//!
//! ## Error
//! For example, for an `aws_lb` name of more than 32 characters:
//! ```text
//! Error: "name" cannot be longer than 32 characters
//! ```
//!
//! ## Example
//! ```hcl
//! variable "project" { default = "payment-processing-platform" }
//! resource "aws_lb_target_group" "api" {
//!   name = "${var.project}-api-tg"   # 34 characters
//! }
//! ```
//! Use instead a shorter prefix, or `substr(...)` to cut the name to the limit.
//!
//! ## Fix safety
//! No fix: a shorter name is a naming decision.
//!
//! ## Root cause
//! Names were composed from long parts without checking the service's limit.
//!
//! ## Impact
//! Deployment blocker: the apply fails at that resource.
//!
//! ## References
//! https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-target-group.html

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::eval::known;
use crate::model::expr::span_of;

/// `(resource type, argument, maximum length)`.
pub const LIMITS: &[(&str, &str, usize)] = &[
    ("aws_lb", "name", 32),
    ("aws_lb", "name_prefix", 6),
    ("aws_alb", "name", 32),
    ("aws_alb", "name_prefix", 6),
    ("aws_lb_target_group", "name", 32),
    ("aws_lb_target_group", "name_prefix", 6),
    ("aws_alb_target_group", "name", 32),
    ("aws_alb_target_group", "name_prefix", 6),
    ("aws_elb", "name", 32),
    ("aws_s3_bucket", "bucket", 63),
    ("aws_s3_bucket", "bucket_prefix", 37),
    ("aws_db_instance", "identifier", 63),
    ("aws_db_instance", "identifier_prefix", 37),
    ("aws_rds_cluster", "cluster_identifier", 63),
    ("aws_rds_cluster_instance", "identifier", 63),
    ("aws_db_subnet_group", "name", 255),
    ("aws_db_parameter_group", "name", 255),
    ("aws_iam_role", "name", 64),
    ("aws_iam_role", "name_prefix", 38),
    ("aws_iam_user", "name", 64),
    ("aws_iam_group", "name", 128),
    ("aws_iam_policy", "name", 128),
    ("aws_iam_role_policy", "name", 128),
    ("aws_iam_instance_profile", "name", 128),
    ("aws_lambda_function", "function_name", 64),
    (
        "aws_elasticache_replication_group",
        "replication_group_id",
        40,
    ),
    ("aws_elasticache_cluster", "cluster_id", 50),
    ("aws_elasticache_subnet_group", "name", 255),
    ("aws_opensearch_domain", "domain_name", 28),
    ("aws_elasticsearch_domain", "domain_name", 28),
    ("aws_sqs_queue", "name", 80),
    ("aws_sns_topic", "name", 256),
    ("aws_sfn_state_machine", "name", 80),
    ("aws_cloudwatch_event_rule", "name", 64),
    ("aws_cloudwatch_metric_alarm", "alarm_name", 255),
    ("aws_ecs_cluster", "name", 255),
    ("aws_ecs_service", "name", 255),
    ("aws_eks_cluster", "name", 100),
    ("aws_eks_node_group", "node_group_name", 63),
    ("aws_kinesis_stream", "name", 128),
    ("aws_kinesis_firehose_delivery_stream", "name", 64),
    ("aws_dynamodb_table", "name", 255),
    ("aws_security_group", "name", 255),
    ("aws_autoscaling_group", "name", 255),
    ("aws_launch_template", "name", 128),
    ("aws_secretsmanager_secret", "name", 512),
    ("aws_api_gateway_rest_api", "name", 1024),
    ("aws_cognito_user_pool", "name", 128),
    ("aws_wafv2_web_acl", "name", 128),
    ("aws_codebuild_project", "name", 150),
    ("aws_codepipeline", "name", 100),
    ("aws_glue_job", "name", 255),
    ("aws_redshift_cluster", "cluster_identifier", 63),
    ("aws_docdb_cluster", "cluster_identifier", 63),
    ("aws_neptune_cluster", "cluster_identifier", 63),
    ("aws_kms_alias", "name", 256),
    ("aws_xray_sampling_rule", "rule_name", 32),
    ("aws_xray_group", "group_name", 32),
    ("aws_cloudwatch_log_group", "name", 512),
    ("aws_ssm_parameter", "name", 2048),
    (
        "aws_batch_compute_environment",
        "compute_environment_name",
        128,
    ),
    ("aws_appautoscaling_policy", "name", 255),
    ("aws_route53_health_check", "reference_name", 64),
];

pub struct NameTooLong;

impl Rule for NameTooLong {
    fn id(&self) -> &'static str {
        "name-too-long"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let contract = model.ws.config.profile_on(super::CONTRACT, model.ws.task);
        let suffix = model.ws.config.contract.suffix_variable.as_str();
        for module in &model.modules {
            for b in &module.blocks {
                if b.kind != crate::model::BlockKind::Resource {
                    continue;
                }
                for &(_, arg, limit) in LIMITS.iter().filter(|(ty, _, _)| *ty == b.label(0)) {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let value = known(module, &attr.value);
                    let mut length = value.text.chars().count();
                    // With the contract on, the suffix variable has the pipeline's length.
                    let suffixes = if contract {
                        suffix_uses(module, &attr.value, suffix)
                    } else {
                        0
                    };
                    // A default or tfvars value of the suffix is already counted; the
                    // pipeline's value replaces it.
                    let written = suffix_value_length(module, suffix);
                    let pipeline = model.ws.config.contract.suffix_length;
                    length += suffixes * pipeline.saturating_sub(written);
                    if length <= limit {
                        continue;
                    }
                    let suffix_length = model.ws.config.contract.suffix_length;
                    let (at_least, how) = match (value.complete, suffixes) {
                        (_, 1..) if written > 0 => (
                            "",
                            format!(
                                " with a {suffix_length}-character `var.{suffix}` (`{}`, its own value replaced)",
                                value.text
                            ),
                        ),
                        (_, 1..) => (
                            "",
                            format!(
                                " with a {suffix_length}-character `var.{suffix}` (`{}` plus the suffix)",
                                value.text
                            ),
                        ),
                        (true, 0) => ("", format!(" (`{}`)", value.text)),
                        (false, 0) => (
                            "at least ",
                            format!(" (`{}` and parts known only at apply time)", value.text),
                        ),
                    };
                    let mut f = self.finding(
                        b.file,
                        span_of(&attr.value),
                        format!("`{arg}` is {at_least}{length} characters; the limit is {limit}"),
                        format!(
                            "`{}` {arg} is {at_least}{length} characters{how}, over the {limit} AWS allows for `{}`: the apply fails when the resource is created",
                            b.address,
                            b.label(0)
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    out.push(f);
                }
            }
        }
    }
}

/// How many times `expr` uses the suffix variable, directly or through a local value
/// (whose other parts [`known`] already counted).
fn suffix_uses(
    module: &crate::model::Module<'_>,
    expr: &hcl_edit::expr::Expression,
    suffix: &str,
) -> usize {
    uses_within(module, expr, suffix, 0)
}

fn uses_within(
    module: &crate::model::Module<'_>,
    expr: &hcl_edit::expr::Expression,
    suffix: &str,
    depth: usize,
) -> usize {
    let mut count = SuffixUses {
        module,
        suffix,
        depth,
        n: 0,
    };
    hcl_edit::visit::Visit::visit_expr(&mut count, expr);
    count.n
}

/// Counts the uses of the suffix variable in an expression: of a conditional only the
/// branch with more (its condition is no part of the name: `var.s != "" ? "-${var.s}" :
/// ""` uses the suffix once).
struct SuffixUses<'a, 'm> {
    module: &'a crate::model::Module<'m>,
    suffix: &'a str,
    depth: usize,
    n: usize,
}

impl hcl_edit::visit::Visit for SuffixUses<'_, '_> {
    fn visit_expr(&mut self, expr: &hcl_edit::expr::Expression) {
        use crate::model::expr::{RefCollector, Target};
        use hcl_edit::expr::Expression;
        if self.depth > 8 {
            return;
        }
        match expr {
            Expression::Conditional(c) => {
                let t = uses_within(self.module, &c.true_expr, self.suffix, self.depth);
                let f = uses_within(self.module, &c.false_expr, self.suffix, self.depth);
                self.n += t.max(f);
            }
            Expression::Traversal(_) => {
                let mut refs = RefCollector::default();
                refs.expr(expr);
                for r in &refs.refs {
                    self.n += match &r.target {
                        Target::Var(name) if name == self.suffix => 1,
                        Target::Local(name) => self
                            .module
                            .locals
                            .iter()
                            .find(|l| l.name == *name)
                            .map_or(0, |l| {
                                uses_within(self.module, &l.attr.value, self.suffix, self.depth + 1)
                            }),
                        _ => 0,
                    };
                }
            }
            other => hcl_edit::visit::visit_expr(self, other),
        }
    }
}

/// The length of the suffix variable's own value (tfvars, else default), 0 without one.
fn suffix_value_length(module: &crate::model::Module<'_>, suffix: &str) -> usize {
    let Some(variable) = module.block(&format!("var.{suffix}")) else {
        return 0;
    };
    let expr = module
        .tfvars
        .iter()
        .rev()
        .find(|v| v.name == suffix)
        .map(|v| v.value)
        .or_else(|| variable.attr("default").map(|d| &d.value));
    expr.map(|e| known(module, e))
        .filter(|k| k.complete)
        .map_or(0, |k| k.text.chars().count())
}
