//! # Name does not include the environment suffix (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a name-like argument of an AWS resource (`name`,
//! `bucket`, `function_name`, `identifier`, `cluster_identifier`,
//! `replication_group_id`, `alarm_name`, …) that does not use the contract's suffix
//! variable (`var.environment_suffix` by default, in any spelling such as
//! `environmentSuffix`), directly or through a local value. A module that declares no
//! suffix variable at all gets one finding that lists its names; a child module, whose
//! variables may carry the caller's suffix, only names written out in full.
//! `name_prefix` and the like are not checked: Terraform makes those names unique. Names built from another resource (`random_id`, an attribute) are
//! unique already and are not reported; nor are DNS records and policies scoped to a
//! role. Data sources (the account id, the region) do not make a name unique between
//! two deployments in one account, so names built from them are reported.
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
//! appends `-${var.environment_suffix}`; a renamed resource is replaced. Not offered when
//! the name with the suffix (as long as the pipeline's, `suffix-length`) would be longer
//! than AWS allows for the type (the limits of `name-too-long`): cutting a name short is
//! a naming decision, and the fix would trade this finding for a failed apply. A module
//! without the suffix variable gets one finding whose fix declares the variable (as
//! `required-variable-missing` does) and appends it to every name it can; the names it
//! cannot then get a finding each.
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
use crate::model::{BlockKind, Model};

// `name_prefix` and the like are not listed: Terraform makes those names unique.
const NAME_ARGUMENTS: &[&str] = &[
    "name",
    "bucket",
    "function_name",
    "identifier",
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
    "aws_service_discovery_service",
    "aws_ssm_association",
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
        let configured = &model.ws.config.contract.suffix_variable;
        for module in &model.modules {
            // `environmentSuffix` is the same variable under another spelling.
            let suffix = module
                .blocks_of(BlockKind::Variable)
                .map(|v| v.label(0))
                .find(|v| same_name(v, configured))
                .unwrap_or(configured.as_str());
            let declared = module.has_variable(suffix);
            let carriers = module.carriers_of(Target::Var(suffix.to_string()));
            let mut missing = Vec::new();
            for b in module.blocks_of(BlockKind::Resource) {
                if SCOPED.contains(&b.label(0)) || !b.label(0).starts_with("aws_") {
                    continue;
                }
                for arg in NAME_ARGUMENTS {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let mut refs = RefCollector::default();
                    refs.expr(&attr.value);
                    // In a child module any variable may carry the caller's suffix: only
                    // names written out in full are reported there.
                    let derived = if module.is_child {
                        !refs.refs.is_empty()
                    } else {
                        refs.refs.iter().any(|r| {
                            carriers.contains(&r.target)
                                || matches!(r.target, Target::Resource { .. } | Target::Module(_))
                        })
                    };
                    if !derived {
                        missing.push((b, *arg, attr));
                    }
                }
            }
            if missing.is_empty() {
                continue;
            }
            // The fix of one name: append the suffix, when the name is a string and still
            // fits the AWS limit of its type with the suffix; else why not.
            let name_fix = |b: &crate::model::BlockInfo<'_>,
                            arg: &str,
                            attr: &hcl_edit::structure::Attribute|
             -> Result<Edit, String> {
                let span = span_of(&attr.value);
                let written = model.src(b.file).get(span.clone()).unwrap_or("");
                let limit = super::name_too_long::LIMITS
                    .iter()
                    .find(|(ty, a, _)| *ty == b.label(0) && *a == arg)
                    .map(|(_, _, l)| *l);
                let length = crate::model::eval::known(module, &attr.value)
                    .text
                    .chars()
                    .count()
                    + 1
                    + model.ws.config.contract.suffix_length;
                if let Some(limit) = limit.filter(|l| length > *l) {
                    return Err(format!(
                        "with `-${{var.{suffix}}}` ({} characters in the pipeline) the name would be {length} characters, over the {limit} AWS allows for `{}`, so it needs a shorter name first",
                        model.ws.config.contract.suffix_length,
                        b.label(0)
                    ));
                }
                if !(written.starts_with('"') && written.ends_with('"') && written.len() >= 2) {
                    return Err("the name is not a string to append to".into());
                }
                Ok(Edit::insert(
                    model.path(b.file),
                    span.end - 1,
                    format!("-${{var.{suffix}}}"),
                ))
            };
            if !declared && !module.is_child {
                // One problem: the module has no suffix at all.
                let (b, arg, attr) = missing[0];
                let names: Vec<String> = missing
                    .iter()
                    .take(5)
                    .map(|(b, _, _)| format!("`{}`", b.address))
                    .collect();
                let more = missing.len().saturating_sub(names.len());
                let mut f = self.finding(
                    b.file,
                    span_of(&attr.value),
                    format!("Names do not include an environment suffix ({} names)", missing.len()),
                    format!(
                        "this module declares no `var.{suffix}`, and none of its {} names use one: {}{}; a second deployment in the same account collides with this one",
                        missing.len(),
                        names.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() }
                    ),
                );
                f.address = Some(b.address.clone());
                // Every other name that lacks the suffix is a place of the same problem.
                f.related = missing
                    .iter()
                    .skip(1)
                    .map(|(b, arg, attr)| crate::finding::Related {
                        file: b.file,
                        span: span_of(&attr.value),
                        message: format!("`{}` {arg}, without a suffix", b.address),
                    })
                    .collect();
                // Not the key of the per-name finding on the same block, which it becomes
                // once the variable is declared.
                f.key = format!("module:{arg}");
                // Declare the variable and append it to every name that can take it: the
                // module then has a suffix, and the names left are reported one by one.
                let declaration =
                    super::required_variable_missing::declaration(model, module, suffix);
                if let Some(declaration) = declaration {
                    let mut edits = vec![declaration];
                    edits.extend(
                        missing
                            .iter()
                            .filter_map(|(b, arg, attr)| name_fix(b, arg, attr).ok()),
                    );
                    f.fix = Some(Fix::new(
                        format!(
                            "Declare `var.{suffix}` and append it to {} name{}",
                            edits.len() - 1,
                            if edits.len() == 2 { "" } else { "s" }
                        ),
                        Applicability::Unsafe,
                        edits,
                    ));
                }
                out.push(f);
                continue;
            }
            for (b, arg, attr) in missing {
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
                match name_fix(b, arg, attr) {
                    Ok(edit) if declared => {
                        f.fix = Some(Fix::new(
                            format!("Append `-${{var.{suffix}}}`"),
                            Applicability::Unsafe,
                            vec![edit],
                        ));
                    }
                    Err(why) if why.starts_with("with") => {
                        f.message.push_str(&format!("; no fix is offered: {why}"));
                    }
                    _ => {}
                }
                out.push(f);
            }
        }
    }
}

/// `environment_suffix`, `environmentSuffix` and `EnvironmentSuffix` are one name.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace('_', "").to_ascii_lowercase();
    norm(a) == norm(b)
}
