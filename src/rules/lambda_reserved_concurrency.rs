//! # Lambda reserved concurrency that new accounts cannot grant
//!
//! ## What it does
//! Reports `reserved_concurrent_executions` of an `aws_lambda_function` set to a positive
//! number (variables, tfvars and locals followed; the place where the number is written
//! is a related place when it is elsewhere).
//!
//! ## Why is this bad?
//! Lambda keeps at least 100 executions of the account's concurrency unreserved (10 in
//! accounts whose quota is the new-account default of 10). Reserving concurrency in such
//! an account fails, and so does reserving more than the quota minus that minimum; test
//! and sandbox accounts usually have the low default.
//!
//! ## Error
//! ```text
//! InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [10].
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "processor" {
//!   reserved_concurrent_executions = 50
//! }
//! ```
//! Use instead no reservation (the default, `-1`), or a variable whose default is `-1`
//! so that accounts with a raised quota can set it.
//!
//! ## Fix safety
//! Unsafe. The fix removes the reservation: the function then shares the account's
//! unreserved pool, which changes how it behaves under load.
//!
//! ## Root cause
//! Concurrency was tuned for a production account; the deployment target's quota was not
//! considered.
//!
//! ## Impact
//! Deployment blocker in accounts with the default Lambda quota.
//!
//! ## References
//! https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
//! https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::eval::{known, literal_sources};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

pub struct LambdaReservedConcurrency;

impl Rule for LambdaReservedConcurrency {
    fn id(&self) -> &'static str {
        "lambda-reserved-concurrency"
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
                if b.label(0) != "aws_lambda_function" {
                    continue;
                }
                let Some(attr) = b.attr("reserved_concurrent_executions") else {
                    continue;
                };
                let Some(n) = known(module, &attr.value)
                    .text
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                else {
                    continue;
                };
                let mut f = self.finding(
                    b.file,
                    span_of(attr),
                    "Lambda reserves concurrency".into(),
                    format!(
                        "`{}` reserves {n} concurrent executions: Lambda refuses it in accounts with the default quota, where at least 10 must stay unreserved",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.related = literal_sources(model, module, b.file, &attr.value)
                    .into_iter()
                    .filter(|(file, e)| *file != b.file || span_of(*e) != span_of(&attr.value))
                    .map(|(file, e)| Related {
                        file,
                        span: span_of(e),
                        message: "where the reservation is given".into(),
                    })
                    .collect();
                f.fix = Some(Fix::new(
                    "Remove the reservation",
                    Applicability::Unsafe,
                    vec![crate::edits::remove_lines(
                        model.path(b.file),
                        model.src(b.file),
                        span_of(attr),
                    )],
                ));
                out.push(f);
            }
        }
    }
}
