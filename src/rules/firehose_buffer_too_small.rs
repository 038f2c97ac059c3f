//! # Firehose buffer under 64 MiB where AWS requires 64
//!
//! ## What it does
//! Reports the `extended_s3_configuration` of an `aws_kinesis_firehose_delivery_stream`
//! that enables dynamic partitioning or record format conversion while its
//! `buffering_size` (`buffer_size` before provider 5) is under 64 (MiB): written so, given by a variable's default or
//! tfvars or a local, or left out (the default is 5). The places the value comes from
//! are named as related places.
//!
//! ## Why is this bad?
//! Firehose refuses such a stream: with dynamic partitioning or format conversion
//! (Parquet, ORC), the buffer must hold at least 64 MiB. The apply fails when the
//! stream is created.
//!
//! ## Error
//! ```text
//! Error: creating Kinesis Firehose Delivery Stream: InvalidArgumentException:
//! BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.
//! ```
//!
//! ## Example
//! ```hcl
//! extended_s3_configuration {
//!   buffering_size = 5
//!   dynamic_partitioning_configuration {
//!     enabled = true
//!   }
//! }
//! ```
//! Use instead `buffering_size = 64` (or more).
//!
//! ## Fix safety
//! Safe when the size is written in the block (it becomes 64) or left out (the fix adds
//! `buffering_size = 64`); no fix when it comes from a variable, whose value is a
//! decision for its owner.
//!
//! ## Root cause
//! The buffer was sized for a plain delivery stream and the partitioning or conversion
//! added afterwards.
//!
//! ## Impact
//! Deployment blocker: the stream is not created.
//!
//! ## References
//! https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
//! https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

pub struct FirehoseBufferTooSmall;

/// The smallest buffer AWS accepts with dynamic partitioning or format conversion, MiB.
const MINIMUM: f64 = 64.0;

impl Rule for FirehoseBufferTooSmall {
    fn id(&self) -> &'static str {
        "firehose-buffer-too-small"
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
                if !b.is_resource("aws_kinesis_firehose_delivery_stream") {
                    continue;
                }
                for config in b
                    .block
                    .body
                    .blocks()
                    .filter(|c| c.ident.as_str() == "extended_s3_configuration")
                {
                    let Some(feature) = needs_64(config) else {
                        continue;
                    };
                    let path = model.path(b.file);
                    // `buffer_size` before provider 5.
                    let size = config
                        .body
                        .get_attribute("buffering_size")
                        .or_else(|| config.body.get_attribute("buffer_size"));
                    let (span, sources, fix) = match size {
                        Some(attr) => {
                            let sources = literal_sources(model, module, b.file, &attr.value);
                            let small: Vec<_> = sources
                                .iter()
                                .filter(|(_, e)| {
                                    matches!(e, Expression::Number(n)
                                        if n.value().as_f64().is_some_and(|v| v < MINIMUM))
                                })
                                .collect();
                            if small.is_empty() {
                                continue;
                            }
                            let written = matches!(attr.value, Expression::Number(_));
                            let fix = written.then(|| {
                                Fix::new(
                                    "Buffer 64 MiB (`buffering_size = 64`)",
                                    Applicability::Safe,
                                    vec![Edit::replace(path, span_of(&attr.value), "64")],
                                )
                            });
                            let related: Vec<Related> = small
                                .iter()
                                .filter(|(_, e)| !written || span_of(*e) != span_of(&attr.value))
                                .map(|(file, e)| Related {
                                    file: *file,
                                    span: span_of(*e),
                                    message: "the buffer size given here".to_string(),
                                })
                                .collect();
                            (span_of(attr), related, fix)
                        }
                        None => {
                            let span = span_of(config);
                            let fix = crate::edits::append_to_block(
                                path,
                                model.src(b.file),
                                span.clone(),
                                "buffering_size = 64",
                            )
                            .map(|e| {
                                Fix::new(
                                    "Buffer 64 MiB (`buffering_size = 64`)",
                                    Applicability::Safe,
                                    vec![e],
                                )
                            });
                            let header = span.start..span.start + "extended_s3_configuration".len();
                            (header, Vec::new(), fix)
                        }
                    };
                    let mut f = self.finding(
                        b.file,
                        span,
                        "Firehose buffer under 64 MiB".to_string(),
                        format!(
                            "`{}` enables {feature} with a buffer under 64 MiB (`buffering_size`; 5 when left out): Firehose requires at least 64 and the stream is not created",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = "buffering_size".to_string();
                    f.related = sources;
                    f.fix = fix;
                    out.push(f);
                }
            }
        }
    }
}

/// What in an `extended_s3_configuration` needs a 64 MiB buffer: dynamic partitioning
/// turned on, or record format conversion not turned off.
fn needs_64(config: &Block) -> Option<&'static str> {
    let flag = |name: &str, default: bool| {
        config
            .body
            .blocks()
            .filter(|c| c.ident.as_str() == name)
            .any(|c| {
                // A value that is not written (a variable) counts as the default.
                c.body
                    .get_attribute("enabled")
                    .map_or(default, |a| a.value.as_bool().unwrap_or(default))
            })
    };
    if flag("dynamic_partitioning_configuration", false) {
        Some("dynamic partitioning")
    } else if flag("data_format_conversion_configuration", true) {
        Some("record format conversion")
    } else {
        None
    }
}
