//! # Metric dimension given the wrong attribute of the resource it watches
//!
//! ## What it does
//! Reports a CloudWatch dimension whose value is an attribute that is not the name
//! CloudWatch publishes the metric under, in an alarm's `dimensions` (and its
//! `metric_query` metrics) and in a dashboard's metric arrays (`"Dimension", value`):
//! - `DBInstanceIdentifier` given `aws_db_instance.x.id`: since AWS provider 5.0, `id`
//!   is the instance's resource id (`db-ABCD…`), not its identifier (only when the
//!   provider Terraform installs is 5 or later: every module's constraint selects 5 or
//!   later, the newest when there is none);
//! - `CacheClusterId` given `aws_elasticache_replication_group.x.id`: a replication
//!   group's id is not a cache cluster's; its nodes are `<id>-001`, `<id>-002`, ….
//!
//! ## Why is this bad?
//! CloudWatch matches dimensions by exact value. No metric exists under the value
//! given, so the alarm stays in `INSUFFICIENT_DATA` and never fires, and the graph is
//! empty — silently: nothing fails.
//!
//! ## Example
//! ```hcl
//! dimensions = {
//!   DBInstanceIdentifier = aws_db_instance.main.id
//! }
//! ```
//! Use instead:
//! ```hcl
//! dimensions = {
//!   DBInstanceIdentifier = aws_db_instance.main.identifier
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, for `DBInstanceIdentifier`: the fix names `.identifier`. None for
//! `CacheClusterId`, where a node has to be chosen (or the replication group's
//! `ReplicationGroupId` dimension used, where the metric has it).
//!
//! ## Root cause
//! `id` was taken to be the name, as it was before AWS provider 5.0 for RDS instances
//! and is for most resources.
//!
//! ## Impact
//! Monitoring that does not monitor: the alarm never fires.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-5-upgrade#resourceaws_db_instance
//! - https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{object_key_text, span_of, static_str, traversal_path};
use crate::model::{BlockInfo, Model, Module};

pub struct MetricDimensionWrongAttribute;

/// A dimension, the resource type whose `id` is wrong for it, the provider major
/// version from which it is wrong, and the attribute to use instead (if one).
const WRONG: &[(&str, &str, u64, Option<&str>)] = &[
    (
        "DBInstanceIdentifier",
        "aws_db_instance",
        5,
        Some("identifier"),
    ),
    (
        "CacheClusterId",
        "aws_elasticache_replication_group",
        0,
        None,
    ),
];

/// A dimension value that names `ty.x.id`: the resource address and the span of `id`.
fn id_of(expr: &Expression, ty: &str) -> Option<(String, std::ops::Range<usize>)> {
    let (root, attrs) = traversal_path(expr)?;
    if root != ty || attrs.len() != 2 || attrs[1] != "id" {
        return None;
    }
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let last = t.operators.last()?;
    Some((format!("{ty}.{}", attrs[0]), span_of(last.value())))
}

impl Rule for MetricDimensionWrongAttribute {
    fn id(&self) -> &'static str {
        "metric-dimension-wrong-attribute"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let mut major: Option<u64> = None;
            for b in &module.blocks {
                let mut pairs: Vec<(String, &Expression)> = Vec::new();
                if b.is_resource("aws_cloudwatch_metric_alarm") {
                    alarm_dimensions(b.body(), &mut pairs);
                } else if b.is_resource("aws_cloudwatch_dashboard") {
                    if let Some(body) = b.attr("dashboard_body") {
                        dashboard_pairs(&body.value, &mut pairs, 0);
                    }
                } else {
                    continue;
                }
                for (dimension, value) in pairs {
                    let Some(&(_, ty, from, instead)) =
                        WRONG.iter().find(|(d, _, _, _)| *d == dimension)
                    else {
                        continue;
                    };
                    let Some((address, id_span)) = id_of(value, ty) else {
                        continue;
                    };
                    if module.block(&address).is_none() {
                        continue;
                    }
                    if from > 0 {
                        let m = *major.get_or_insert_with(|| provider_major(model, module));
                        if m < from {
                            continue;
                        }
                    }
                    out.push(self.report(model, b, &dimension, &address, value, id_span, instead));
                }
            }
        }
    }
}

impl MetricDimensionWrongAttribute {
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        model: &Model<'_>,
        b: &BlockInfo<'_>,
        dimension: &str,
        address: &str,
        value: &Expression,
        id_span: std::ops::Range<usize>,
        instead: Option<&str>,
    ) -> Finding {
        let why = match instead {
            Some(attr) => format!(
                "since AWS provider 5.0, `{address}.id` is the resource id (`db-…`), not the identifier CloudWatch publishes under; use `{address}.{attr}`"
            ),
            None => format!(
                "`{address}.id` is the replication group's id, and CloudWatch publishes `CacheClusterId` per node (`<id>-001`, …); name a node, or use the `ReplicationGroupId` dimension where the metric has it"
            ),
        };
        let mut f = self.finding(
            b.file,
            span_of(value),
            format!("`{dimension}` dimension names the wrong attribute"),
            format!(
                "`{}` watches `{dimension}` = `{address}.id`: {why}. No metric has that value, so the alarm never leaves INSUFFICIENT_DATA and the graph stays empty",
                b.address
            ),
        );
        f.address = Some(b.address.clone());
        f.key = format!("{dimension}:{address}");
        if let Some(attr) = instead {
            f.fix = Some(Fix::new(
                format!("Use `{address}.{attr}`"),
                Applicability::Unsafe,
                vec![Edit::replace(model.path(b.file), id_span, attr.to_string())],
            ));
        }
        f
    }
}

/// The major version of the AWS provider Terraform installs for the module: every
/// module's constraint must allow it (a root pinned to 4.x installs 4.x for all), so the
/// lowest that any module's constraint selects (0 when one selects no bundled version).
fn provider_major(model: &Model<'_>, module: &Module<'_>) -> u64 {
    std::iter::once(module)
        .chain(model.modules.iter())
        .map(|m| crate::model::schema::select(model, m, "aws").major())
        .min()
        .unwrap_or(0)
}

/// `(dimension, value)` of an alarm's `dimensions` and of its `metric_query` metrics.
fn alarm_dimensions<'a>(body: &'a Body, out: &mut Vec<(String, &'a Expression)>) {
    if let Some(d) = body.get_attribute("dimensions") {
        object_pairs(&d.value, out);
    }
    for query in body.get_blocks("metric_query") {
        for metric in query.body.get_blocks("metric") {
            if let Some(d) = metric.body.get_attribute("dimensions") {
                object_pairs(&d.value, out);
            }
        }
    }
}

fn object_pairs<'a>(expr: &'a Expression, out: &mut Vec<(String, &'a Expression)>) {
    if let Some(obj) = expr.as_object() {
        for (k, v) in obj.iter() {
            if let Some(name) = object_key_text(k) {
                out.push((name, v.expr()));
            }
        }
    }
}

/// `("Dimension", value)` pairs of a dashboard body's metric arrays: a string naming a
/// dimension followed by its value, anywhere in the `jsonencode` argument.
fn dashboard_pairs<'a>(
    expr: &'a Expression,
    out: &mut Vec<(String, &'a Expression)>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    match expr {
        Expression::FuncCall(call) => {
            for arg in call.args.iter() {
                dashboard_pairs(arg, out, depth + 1);
            }
        }
        Expression::Object(obj) => {
            for (_, v) in obj.iter() {
                dashboard_pairs(v.expr(), out, depth + 1);
            }
        }
        Expression::Array(items) => {
            let items: Vec<&Expression> = items.iter().collect();
            for pair in items.windows(2) {
                if let Some(name) = static_str(pair[0])
                    && WRONG.iter().any(|(d, _, _, _)| *d == name)
                {
                    out.push((name, pair[1]));
                }
            }
            for item in items {
                dashboard_pairs(item, out, depth + 1);
            }
        }
        _ => {}
    }
}
