//! # Lambda runtime past its deprecation date
//!
//! ## What it does
//! Reports the `runtime` of an `aws_lambda_function` (or the `compatible_runtimes` of an
//! `aws_lambda_layer_version`) that AWS has deprecated: Node.js 18 and older, Python 3.9
//! and older, Ruby 2.7 and older, Java 8 on Amazon Linux 1, .NET 6 and older, `go1.x` and
//! `provided` (Amazon Linux 1). The value is followed through variable defaults,
//! `*.tfvars` values and locals.
//!
//! ## Why is this bad?
//! A deprecated runtime gets no security patches; AWS first blocks creating functions on
//! it, then updating them, so the next `terraform apply` that changes the function fails.
//! Node.js 18 and newer also no longer ship the AWS SDK v2 (`require('aws-sdk')`).
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "worker" {
//!   runtime = "python3.9"
//! }
//! ```
//! Use instead a supported runtime:
//! ```hcl
//! resource "aws_lambda_function" "worker" {
//!   runtime = "python3.12"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix sets the newest runtime of the same language that tfreview knows; the
//! function's code may need changes for it (SDK versions, language features), so it must
//! be tested.
//!
//! ## Root cause
//! The runtime was taken from older examples or training data, before the deprecation.
//!
//! ## Impact
//! Deployment may be blocked (creation is refused after the block date) and the function
//! runs without security updates.
//!
//! ## References
//! https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::eval::{Written, known, written_at};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

/// Deprecated runtimes (the date AWS deprecated them) and the supported runtime of the
/// same language to move to. From the Lambda runtime table (deprecated runtimes).
const DEPRECATED: &[(&str, &str, &str)] = &[
    ("nodejs", "", "nodejs22.x"),
    ("nodejs4.3", "2020-03-05", "nodejs22.x"),
    ("nodejs6.10", "2019-08-12", "nodejs22.x"),
    ("nodejs8.10", "2020-03-06", "nodejs22.x"),
    ("nodejs10.x", "2021-07-30", "nodejs22.x"),
    ("nodejs12.x", "2023-03-31", "nodejs22.x"),
    ("nodejs14.x", "2023-12-04", "nodejs22.x"),
    ("nodejs16.x", "2024-06-12", "nodejs22.x"),
    ("nodejs18.x", "2025-09-01", "nodejs22.x"),
    ("python2.7", "2021-07-15", "python3.12"),
    ("python3.6", "2022-07-18", "python3.12"),
    ("python3.7", "2023-12-04", "python3.12"),
    ("python3.8", "2024-10-14", "python3.12"),
    ("python3.9", "2025-12-15", "python3.12"),
    ("ruby2.5", "2021-07-30", "ruby3.3"),
    ("ruby2.7", "2023-12-07", "ruby3.3"),
    ("java8", "2024-01-08", "java21"),
    ("dotnetcore1.0", "2019-07-30", "dotnet8"),
    ("dotnetcore2.0", "2019-05-30", "dotnet8"),
    ("dotnetcore2.1", "2022-01-05", "dotnet8"),
    ("dotnetcore3.1", "2023-04-03", "dotnet8"),
    ("dotnet5.0", "2022-05-10", "dotnet8"),
    ("dotnet6", "2024-12-20", "dotnet8"),
    ("go1.x", "2024-01-08", "provided.al2023"),
    ("provided", "2024-01-08", "provided.al2023"),
];

pub struct LambdaRuntimeDeprecated;

impl Rule for LambdaRuntimeDeprecated {
    fn id(&self) -> &'static str {
        "lambda-runtime-deprecated"
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
                let values: Vec<&hcl_edit::expr::Expression> = match b.label(0) {
                    "aws_lambda_function" => {
                        b.attr("runtime").map(|a| &a.value).into_iter().collect()
                    }
                    "aws_lambda_layer_version" => match b
                        .attr("compatible_runtimes")
                        .map(|a| &a.value)
                    {
                        Some(hcl_edit::expr::Expression::Array(items)) => items.iter().collect(),
                        _ => Vec::new(),
                    },
                    _ => continue,
                };
                for value in values {
                    let runtime = known(module, value);
                    if !runtime.complete {
                        continue;
                    }
                    let Some((name, date, to)) =
                        DEPRECATED.iter().find(|(r, _, _)| *r == runtime.text)
                    else {
                        continue;
                    };
                    // At the literal (the argument, a variable default or a tfvars value).
                    let Written { file, span, own } = written_at(model, module, b.file, value);
                    let since = if date.is_empty() {
                        String::new()
                    } else {
                        format!(" since {date}")
                    };
                    let mut f = self.finding(
                        file,
                        span.clone(),
                        format!("Lambda runtime `{name}` is deprecated"),
                        format!(
                            "`{}` runs on `{name}`, which AWS has deprecated{since}: it gets no security updates, and creating or updating functions on it is blocked; move to `{to}`",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = (*name).to_string();
                    if !own {
                        f.related.push(crate::finding::Related {
                            file: b.file,
                            span: span_of(value),
                            message: format!("the runtime of `{}`", b.address),
                        });
                    }
                    f.fix = Some(Fix::new(
                        format!("Use `{to}`"),
                        Applicability::Unsafe,
                        vec![Edit::replace(model.path(file), span, format!("\"{to}\""))],
                    ));
                    out.push(f);
                }
            }
        }
    }
}
