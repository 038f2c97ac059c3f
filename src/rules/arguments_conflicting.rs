//! # Arguments that exclude each other
//!
//! ## What it does
//! Reports a resource that sets two arguments (or an argument and a nested block) that
//! the AWS provider declares as conflicting, from a table of such pairs: an
//! `aws_route53_record` with an `alias` block and `ttl` or `records`; `name` with
//! `name_prefix` (security groups, IAM roles, load balancers, target groups) or `bucket`
//! with `bucket_prefix`; an RDS password with `manage_master_user_password`; an
//! `aws_instance` with a `network_interface` block and `subnet_id` or
//! `vpc_security_group_ids`. An argument set to `null` does not count.
//!
//! ## Why is this bad?
//! `terraform validate` and `plan` stop with "Conflicting configuration arguments"; the
//! author meant one of the two.
//!
//! ## Error
//! ```text
//! Error: Conflicting configuration arguments
//!   "ttl": conflicts with alias
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_route53_record" "app" {
//!   zone_id = aws_route53_zone.main.zone_id
//!   name    = "app"
//!   type    = "A"
//!   ttl     = 300
//!   alias {
//!     name                   = aws_lb.app.dns_name
//!     zone_id                = aws_lb.app.zone_id
//!     evaluate_target_health = true
//!   }
//! }
//! ```
//! Use instead the alias alone: an alias record has no TTL of its own.
//!
//! ## Fix safety
//! Unsafe. The fix removes the second of the two (the `ttl`, the `records`, the
//! `name_prefix`, the password); check that the other is the one intended.
//!
//! ## Root cause
//! Two ways of saying the same thing were combined, usually from two examples.
//!
//! ## Impact
//! Deployment blocker: validation fails.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/route53_record
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

/// `(resource type, kept, removed)`: the provider refuses both together; the fix
/// removes the second.
const CONFLICTS: &[(&str, &str, &str)] = &[
    ("aws_route53_record", "alias", "ttl"),
    ("aws_route53_record", "alias", "records"),
    ("aws_security_group", "name", "name_prefix"),
    ("aws_iam_role", "name", "name_prefix"),
    ("aws_lb", "name", "name_prefix"),
    ("aws_lb_target_group", "name", "name_prefix"),
    ("aws_s3_bucket", "bucket", "bucket_prefix"),
    ("aws_db_instance", "manage_master_user_password", "password"),
    (
        "aws_rds_cluster",
        "manage_master_user_password",
        "master_password",
    ),
    ("aws_instance", "network_interface", "subnet_id"),
    (
        "aws_instance",
        "network_interface",
        "vpc_security_group_ids",
    ),
];

pub struct ArgumentsConflicting;

impl Rule for ArgumentsConflicting {
    fn id(&self) -> &'static str {
        "arguments-conflicting"
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
                for (_, kept, removed) in CONFLICTS.iter().filter(|(t, _, _)| b.is_resource(t)) {
                    // Where each is written: an argument (not `null`) or a nested block.
                    let place = |name: &str| {
                        b.attr(name)
                            .filter(|a| !matches!(a.value, hcl_edit::expr::Expression::Null(_)))
                            .map(span_of)
                            .or_else(|| b.body().get_blocks(name).next().map(span_of))
                    };
                    let (Some(first), Some(second)) = (place(kept), place(removed)) else {
                        continue;
                    };
                    let mut f = self.finding(
                        b.file,
                        second.clone(),
                        format!("`{removed}` conflicts with `{kept}`"),
                        format!(
                            "`{}` sets both `{kept}` and `{removed}`, which the AWS provider refuses together (\"Conflicting configuration arguments\")",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = format!("{kept}/{removed}");
                    f.related.push(Related {
                        file: b.file,
                        span: first,
                        message: format!("`{kept}`"),
                    });
                    if b.attr(removed).is_some() {
                        f.fix = Some(Fix::new(
                            format!("Remove `{removed}`"),
                            Applicability::Unsafe,
                            vec![crate::edits::remove_lines(
                                model.path(b.file),
                                model.src(b.file),
                                second,
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}
