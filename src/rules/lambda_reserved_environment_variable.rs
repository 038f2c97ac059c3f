//! # Lambda environment variable with a reserved name
//!
//! ## What it does
//! Reports an `environment { variables = { ... } }` entry of an `aws_lambda_function`
//! (written there, or in the map it takes: a local, a variable's default or tfvars
//! value, what a module's caller passes, each part of a `merge`)
//! whose key is reserved by the Lambda runtime: `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! `AWS_LAMBDA_FUNCTION_NAME`, `AWS_ACCESS_KEY_ID`, `_HANDLER`, `LAMBDA_TASK_ROOT`, …
//!
//! ## Why is this bad?
//! Lambda rejects the function: "InvalidParameterValueException: Lambda was unable to
//! configure your environment variables because the environment variables you have
//! provided contains reserved keys". The runtime sets these variables itself.
//!
//! ## Error
//! ```text
//! InvalidParameterValueException: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification.
//! ```
//!
//! ## Example
//! ```hcl
//! environment {
//!   variables = {
//!     AWS_REGION = var.aws_region
//!     TABLE_NAME = aws_dynamodb_table.main.name
//!   }
//! }
//! ```
//! Use instead only `TABLE_NAME`; the function reads `AWS_REGION` from the runtime.
//!
//! ## Fix safety
//! Safe. The fix removes the entry; the runtime provides the same variable.
//!
//! ## Root cause
//! The function's configuration was written without the runtime's reserved names in
//! mind.
//!
//! ## Impact
//! Deployment blocker: the function cannot be created.
//!
//! ## References
//! https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime

use super::{Class, Rule};
use crate::edits::remove_lines;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::{object_key_text, span_of};

const RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

pub struct LambdaReservedEnvironmentVariable;

impl Rule for LambdaReservedEnvironmentVariable {
    fn id(&self) -> &'static str {
        "lambda-reserved-environment-variable"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        for module in &model.modules {
            for b in module.resources("aws_lambda_function") {
                for env in b.body().get_blocks("environment") {
                    let Some(attr) = env.body.get_attribute("variables") else {
                        continue;
                    };
                    // The map as written here, or where it comes from: a local, a
                    // variable's default or tfvars value, what a module's caller passes,
                    // each part of a `merge`.
                    for (file, object) in
                        crate::model::eval::object_sources(model, module, b.file, &attr.value)
                    {
                        let Some(vars) = object.as_object() else {
                            continue;
                        };
                        let here = file == b.file
                            && crate::model::expr::span_of(object)
                                == crate::model::expr::span_of(&attr.value);
                        self.entries(model, b, file, vars, !here, out);
                    }
                }
            }
        }
        // A map that several functions take (a shared local) is one finding, naming the
        // other functions.
        let mut seen: std::collections::HashMap<(crate::workspace::FileId, usize), usize> =
            std::collections::HashMap::new();
        let mut kept: Vec<Finding> = Vec::new();
        for f in out.drain(start..) {
            match seen.get(&(f.file, f.span.start)) {
                Some(&i) => {
                    let first = &mut kept[i];
                    if first.related.len() < 4 {
                        first.related.extend(f.related.into_iter().map(|mut r| {
                            r.message = "another function whose environment takes it".into();
                            r
                        }));
                    }
                }
                None => {
                    seen.insert((f.file, f.span.start), kept.len());
                    kept.push(f);
                }
            }
        }
        out.extend(kept);
    }
}

impl LambdaReservedEnvironmentVariable {
    /// The findings on the reserved keys of one object of `file` that function `b`'s
    /// environment takes (`elsewhere`: written outside the function's block).
    fn entries(
        &self,
        model: &Model<'_>,
        b: &crate::model::BlockInfo<'_>,
        file: crate::workspace::FileId,
        vars: &hcl_edit::expr::Object,
        elsewhere: bool,
        out: &mut Vec<Finding>,
    ) {
        let src = model.src(file);
        for (key, value) in vars.iter() {
            let Some(name) = object_key_text(key) else {
                continue;
            };
            if !RESERVED.contains(&name.as_str()) {
                continue;
            }
            let key_span = span_of(key);
            let mut f = self.finding(
                file,
                key_span.clone(),
                format!("`{name}` is a reserved Lambda environment variable"),
                format!(
                    "the Lambda runtime sets `{name}` itself; creating `{}` fails with InvalidParameterValueException (reserved keys){}",
                    b.address,
                    if elsewhere {
                        " — the function's `environment` takes it from this map"
                    } else {
                        ""
                    }
                ),
            );
            f.address = Some(b.address.clone());
            f.key = name.clone();
            if elsewhere {
                f.related.push(crate::finding::Related {
                    file: b.file,
                    span: b.header(),
                    message: "the function whose environment takes it".into(),
                });
            }
            let entry = key_span.start..span_of(value.expr()).end;
            let line_alone = {
                let start = crate::edits::line_start(src, entry.start);
                let end = crate::edits::line_end_inclusive(src, entry.end);
                src.get(start..entry.start)
                    .is_some_and(|t| t.trim().is_empty())
                    && src
                        .get(entry.end..end)
                        .is_some_and(|t| matches!(t.trim(), "" | ","))
            };
            // A map written elsewhere may serve other resources too: no fix there.
            if line_alone && !elsewhere {
                f.fix = Some(Fix::new(
                    format!("Remove `{name}`; the runtime provides it"),
                    Applicability::Safe,
                    vec![remove_lines(model.path(file), src, entry)],
                ));
            }
            out.push(f);
        }
    }
}
