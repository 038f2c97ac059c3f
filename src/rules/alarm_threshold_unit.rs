//! # Alarm threshold on a byte metric written as if in megabytes or gigabytes
//!
//! ## What it does
//! Reports an `aws_cloudwatch_metric_alarm` on a metric that CloudWatch measures in
//! bytes (RDS `FreeStorageSpace`, `FreeableMemory`, `SwapUsage`, `FreeLocalStorage`;
//! ElastiCache `FreeableMemory`, `BytesUsedForCache`) whose `threshold` (written, or the
//! value of the variable or local it names) is below one mebibyte.
//!
//! ## Why is this bad?
//! `threshold = 20480` reads as "20 GB" to its author and as 20,480 bytes to CloudWatch:
//! an alarm for low free storage then fires only when the disk is practically full —
//! after the database has stopped — and an alarm for high usage fires all the time.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_metric_alarm" "disk" {
//!   metric_name         = "FreeStorageSpace"
//!   namespace           = "AWS/RDS"
//!   comparison_operator = "LessThanThreshold"
//!   threshold           = 10
//! }
//! ```
//! Use instead the value in bytes:
//! ```hcl
//!   threshold = 10 * 1024 * 1024 * 1024 # 10 GiB
//! ```
//!
//! ## Fix safety
//! No fix: whether megabytes or gigabytes were meant is the author's to say.
//!
//! ## Root cause
//! The console shows these metrics in friendlier units than the API takes.
//!
//! ## Impact
//! An alarm that never fires in time, or always fires.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model};

pub struct AlarmThresholdUnit;

/// Metrics CloudWatch reports in bytes, by namespace.
const BYTE_METRICS: &[(&str, &str)] = &[
    ("AWS/RDS", "FreeStorageSpace"),
    ("AWS/RDS", "FreeableMemory"),
    ("AWS/RDS", "SwapUsage"),
    ("AWS/RDS", "FreeLocalStorage"),
    ("AWS/ElastiCache", "FreeableMemory"),
    ("AWS/ElastiCache", "BytesUsedForCache"),
];

const MEBIBYTE: f64 = 1024.0 * 1024.0;

impl Rule for AlarmThresholdUnit {
    fn id(&self) -> &'static str {
        "alarm-threshold-unit"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.label(0) != "aws_cloudwatch_metric_alarm" {
                    continue;
                }
                let text = |k: &str| b.attr(k).and_then(|a| static_str(&a.value));
                let (Some(metric), Some(namespace)) = (text("metric_name"), text("namespace"))
                else {
                    continue;
                };
                if !BYTE_METRICS.contains(&(namespace.as_str(), metric.as_str())) {
                    continue;
                }
                let Some(threshold) = b.attr("threshold") else {
                    continue;
                };
                let value = known(module, &threshold.value);
                let Ok(number) = value.text.parse::<f64>() else {
                    continue;
                };
                if !value.complete || number <= 0.0 || number >= MEBIBYTE {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    span_of(&threshold.value),
                    format!("`{}` threshold {} on a byte metric", b.address, value.text),
                    format!(
                        "`{namespace}` `{metric}` is measured in bytes, so the threshold {} is {} bytes, under a mebibyte: the alarm fires only when the resource is practically exhausted, or always",
                        value.text, value.text
                    ),
                );
                f.address = Some(b.address.clone());
                // Where the number is written, when it comes from a variable or local.
                f.related =
                    crate::model::eval::literal_sources(model, module, b.file, &threshold.value)
                        .into_iter()
                        .filter(|(file, e)| *file != b.file || !b.span.contains(&span_of(*e).start))
                        .map(|(file, e)| Related {
                            file,
                            span: span_of(e),
                            message: "where the threshold is given".into(),
                        })
                        .collect();
                out.push(f);
            }
        }
    }
}
