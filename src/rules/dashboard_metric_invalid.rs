//! # CloudWatch dashboard metric written in a shape CloudWatch refuses
//!
//! ## What it does
//! Reads the `metrics` of each metric widget of an `aws_cloudwatch_dashboard` whose
//! `dashboard_body` is written with `jsonencode`, and reports a metric array that
//! CloudWatch's dashboard schema refuses:
//! - an object (the rendering options) anywhere but last, as in
//!   `["AWS/SQS", "NumberOfMessagesSent", { stat = "Sum" }, { QueueName = … }]`;
//! - a number, a boolean or a nested list among its fields;
//! - an options object with a key CloudWatch does not know, such as `dimensions`
//!   (dimensions are written as name, value pairs in the array itself).
//!
//! ## Why is this bad?
//! `PutDashboard` validates the body against its schema and refuses the whole
//! dashboard; nothing of it is created. The metric array is positional: namespace,
//! metric name, then dimension name and value pairs, and one optional object last.
//!
//! ## Error
//! ```text
//! InvalidParameterInput: The dashboard body is invalid, there are 12 validation errors
//! "dataPath": "/widgets/0/properties/metrics/0/2",
//! "message": "Invalid metric field type, only 'String' type is allowed"
//! ```
//!
//! ## Example
//! ```hcl
//! metrics = [
//!   ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { stat = "Average" }, { QueueName = aws_sqs_queue.jobs.name }]
//! ]
//! ```
//! Use instead:
//! ```hcl
//! metrics = [
//!   ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.jobs.name, { stat = "Average" }]
//! ]
//! ```
//!
//! ## Fix safety
//! No fix: where each dimension goes has to be written out.
//!
//! ## Root cause
//! The metric was written as if it were an object of named settings, as the CloudWatch
//! API's `MetricDataQuery` is, rather than the dashboard's positional array.
//!
//! ## Impact
//! The dashboard is not created, and the apply fails.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html#CloudWatch-Dashboard-Properties-Metrics-Array-Format

use hcl_edit::expr::{Expression, Object};

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::{object_get, object_key_text, span_of};

pub struct DashboardMetricInvalid;

/// The keys a metric's rendering options may have.
const OPTIONS: &[&str] = &[
    "accountId",
    "color",
    "expression",
    "id",
    "label",
    "period",
    "region",
    "returnData",
    "stat",
    "visible",
    "yAxis",
];

/// The object a `jsonencode(...)` call encodes.
fn encoded(expr: &Expression) -> Option<&Object> {
    let Expression::FuncCall(call) = expr else {
        return None;
    };
    if call.name.name.as_str() != "jsonencode" {
        return None;
    }
    call.args.iter().next()?.as_object()
}

fn get<'a>(obj: &'a Object, key: &str) -> Option<&'a Expression> {
    object_get(obj, key).map(|(_, v)| v.expr())
}

/// What is wrong with one field of a metric array, if anything.
fn field_problem(field: &Expression, last: bool) -> Option<String> {
    match field {
        Expression::Object(options) if last => {
            let unknown: Vec<String> = options
                .iter()
                .filter_map(|(k, _)| object_key_text(k))
                .filter(|k| !OPTIONS.contains(&k.as_str()))
                .collect();
            (!unknown.is_empty()).then(|| {
                format!(
                    "its options object has {}, which CloudWatch does not know (a metric's dimensions are name, value pairs in the array itself, before the options)",
                    unknown
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
        Expression::Object(_) => Some(
            "an object stands before the last field: only the last field may be an object (the rendering options); namespace, metric name and dimension pairs are strings (\"Invalid metric field type, only 'String' type is allowed\")".to_string(),
        ),
        Expression::Number(_) | Expression::Bool(_) | Expression::Array(_) => Some(
            "a field is not a string (\"Invalid metric field type, only 'String' type is allowed\")"
                .to_string(),
        ),
        _ => None,
    }
}

impl Rule for DashboardMetricInvalid {
    fn id(&self) -> &'static str {
        "dashboard-metric-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.resources("aws_cloudwatch_dashboard") {
                let Some(body) = b.attr("dashboard_body").and_then(|a| encoded(&a.value)) else {
                    continue;
                };
                let Some(Expression::Array(widgets)) = get(body, "widgets") else {
                    continue;
                };
                let mut reported = 0;
                for (w, widget) in widgets.iter().enumerate() {
                    let Some(widget) = widget.as_object() else {
                        continue;
                    };
                    let Some(Expression::Array(metrics)) = get(widget, "properties")
                        .and_then(|p| p.as_object())
                        .and_then(|p| get(p, "metrics"))
                    else {
                        continue;
                    };
                    for (m, metric) in metrics.iter().enumerate() {
                        let Expression::Array(fields) = metric else {
                            continue;
                        };
                        let n = fields.len();
                        let Some((i, field, why)) = fields
                            .iter()
                            .enumerate()
                            .find_map(|(i, f)| field_problem(f, i + 1 == n).map(|why| (i, f, why)))
                        else {
                            continue;
                        };
                        // Three findings per dashboard say what is wrong; the rest
                        // repeat it.
                        reported += 1;
                        if reported > 3 {
                            break;
                        }
                        let mut f = self.finding(
                            b.file,
                            span_of(field),
                            "dashboard metric in a shape CloudWatch refuses".to_string(),
                            format!(
                                "`{}`: in widget {w}, metric {m} (field {i}), {why}: `PutDashboard` refuses the whole body (\"The dashboard body is invalid\")",
                                b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = format!("{w}/{m}");
                        out.push(f);
                    }
                }
            }
        }
    }
}
