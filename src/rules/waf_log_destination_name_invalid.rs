//! # WAF logs go to a destination whose name does not start with `aws-waf-logs-`
//!
//! ## What it does
//! Reports an `aws_wafv2_web_acl_logging_configuration` whose `log_destination_configs`
//! names a CloudWatch log group, S3 bucket or Firehose delivery stream of the module
//! whose name (as far as it is written out) does not start with `aws-waf-logs-`.
//!
//! ## Why is this bad?
//! AWS WAF delivers logs only to destinations named `aws-waf-logs-…`; any other name is
//! refused when the logging configuration is created, so the web ACL is deployed without
//! its logs (or the apply fails half-way).
//!
//! ## Error
//! ```text
//! WAFInvalidParameterException: Error reason: The ARN isn't valid. field: LOG_DESTINATION
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "waf" {
//!   name = "/aws/wafv2/shop"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_cloudwatch_log_group" "waf" {
//!   name = "aws-waf-logs-shop"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix renames the destination to `aws-waf-logs-` followed by its name
//! without leading slashes; a renamed log group or bucket is replaced.
//!
//! ## Root cause
//! The log group was named like other AWS service log groups (`/aws/…`).
//!
//! ## Impact
//! Deployment blocker, and no WAF logs.
//!
//! ## References
//! https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, literal_prefix, span_of};
use crate::model::{BlockKind, Model};

pub struct WafLogDestinationNameInvalid;

const PREFIX: &str = "aws-waf-logs-";

/// The argument that names each kind of destination.
fn name_argument(ty: &str) -> Option<&'static str> {
    match ty {
        "aws_cloudwatch_log_group" => Some("name"),
        "aws_s3_bucket" => Some("bucket"),
        "aws_kinesis_firehose_delivery_stream" => Some("name"),
        _ => None,
    }
}

impl Rule for WafLogDestinationNameInvalid {
    fn id(&self) -> &'static str {
        "waf-log-destination-name-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.label(0) != "aws_wafv2_web_acl_logging_configuration" {
                    continue;
                }
                let Some(configs) = b.attr("log_destination_configs") else {
                    continue;
                };
                let mut refs = RefCollector::default();
                refs.expr(&configs.value);
                for r in &refs.refs {
                    let Target::Resource { ty, .. } = &r.target else {
                        continue;
                    };
                    let Some(argument) = name_argument(ty) else {
                        continue;
                    };
                    let Some(destination) = module.block(&r.target.address()) else {
                        continue;
                    };
                    let Some(name) = destination.attr(argument) else {
                        continue;
                    };
                    let src = model.src(destination.file);
                    let span = span_of(&name.value);
                    // The part written out before any interpolation.
                    let Some((literal, _)) = literal_prefix(&name.value) else {
                        continue;
                    };
                    let literal = literal.as_str();
                    if literal.starts_with(PREFIX) || PREFIX.starts_with(literal) {
                        continue;
                    }
                    let mut f = self.finding(
                        destination.file,
                        span.clone(),
                        format!("WAF log destination `{}` is not named `{PREFIX}…`", destination.address),
                        format!(
                            "`{}` sends the web ACL's logs to `{}`, named `{literal}…`; AWS WAF takes only destinations whose names start with `{PREFIX}` and refuses the logging configuration (WAFInvalidParameterException, LOG_DESTINATION)",
                            b.address, destination.address
                        ),
                    );
                    f.address = Some(destination.address.clone());
                    f.related.push(Related {
                        file: b.file,
                        span: r.span.clone(),
                        message: "the logging configuration that sends to it".into(),
                    });
                    let renamed = format!(
                        "{PREFIX}{}",
                        literal.trim_start_matches('/').replace('/', "-")
                    );
                    // Renamed where the source holds the prefix as written (no escapes).
                    let written = span.start + 1..span.start + 1 + literal.len();
                    f.fix = (src.get(written.clone()) == Some(literal)).then(|| {
                        Fix::new(
                            format!("Name it `{renamed}…`"),
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(destination.file),
                                written,
                                renamed.clone(),
                            )],
                        )
                    });
                    out.push(f);
                }
            }
        }
    }
}
