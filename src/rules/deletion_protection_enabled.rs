//! # Deletion protection enabled (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports `deletion_protection = true` (RDS, Aurora,
//! DocumentDB, Neptune), `enable_deletion_protection = true` (load balancers) and
//! `deletion_protection_enabled = true` (DynamoDB). The value is followed to every place
//! that can turn it on: a variable's default, the tfvars of any environment (a folder of
//! tfvars, such as `environments/prod/`, counts for the module above it), what a caller
//! passes to a module, and for `var.environment == "production"` each place that sets
//! `environment` to `"production"`; those places are the finding's related places.
//!
//! ## Why is this bad?
//! The task's pipeline destroys every deployment after testing; AWS refuses to delete a
//! protected resource, so the destroy fails and everything it depends on stays.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   deletion_protection = true
//! }
//! ```
//! Use instead `deletion_protection = false`.
//!
//! ## Fix safety
//! Safe within the contract: the fix writes `false`.
//!
//! ## Root cause
//! Production safeguards were applied to a test deployment.
//!
//! ## Impact
//! Cleanup blocker: resources are left behind and cost money.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::eval::{known, true_sources};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

const ARGUMENTS: &[&str] = &[
    "deletion_protection",
    "enable_deletion_protection",
    "deletion_protection_enabled",
];

pub struct DeletionProtectionEnabled;

impl Rule for DeletionProtectionEnabled {
    fn id(&self) -> &'static str {
        "deletion-protection-enabled"
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
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                for arg in ARGUMENTS {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let literal = attr.value.as_bool() == Some(true);
                    // Where the value can become true: a variable's default, a tfvars
                    // value of any environment, a caller's argument, a comparison with an
                    // environment name that some tfvars gives.
                    let sources = if literal {
                        Vec::new()
                    } else {
                        true_sources(model, module, b.file, &attr.value)
                    };
                    if !literal && sources.is_empty() && known(module, &attr.value).text != "true" {
                        continue;
                    }
                    let span = span_of(&attr.value);
                    let mut f = self.finding(
                        b.file,
                        span_of(attr),
                        format!("`{arg}` is enabled"),
                        format!(
                            "`{}` is protected from deletion: destroying the deployment fails",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    f.related = sources
                        .iter()
                        .map(|(file, e)| crate::finding::Related {
                            file: *file,
                            span: span_of(*e),
                            message: format!("a value that turns `{arg}` on"),
                        })
                        .collect();
                    if literal {
                        f.fix = Some(Fix::new(
                            format!("Set `{arg} = false`"),
                            Applicability::Safe,
                            vec![Edit::replace(model.path(b.file), span, "false")],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}
