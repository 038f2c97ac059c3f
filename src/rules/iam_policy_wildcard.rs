//! # IAM policy grants every action, or write actions on every resource
//!
//! ## What it does
//! Reports an `Allow` statement of an identity policy (one without a `Principal`: role,
//! user and group policies, policy documents) that grants `Action = "*"` (high), or
//! grants write actions — anything but `Get*`, `List*`, `Describe*` and the like,
//! including `service:*` — on every resource (`Resource = "*"`, or an ARN whose resource
//! part is `*` such as `arn:aws:logs:*:*:*`) without a condition (medium). Actions that
//! AWS only authorises on `*` (X-Ray segments, CloudWatch metrics, VPC network
//! interfaces for Lambda) are not counted. Resource policies (key, bucket, queue
//! policies) are skipped: there `*` means the resource itself; so are policies used as a
//! `permissions_boundary`, which cap permissions rather than grant them.
//!
//! ## Why is this bad?
//! Least privilege: a wildcard grants everything the service adds later, and lets a
//! compromised workload change or delete resources it was never meant to touch.
//! Reviewers flag it in almost every security review.
//!
//! ## Example
//! ```hcl
//! Statement = [{
//!   Effect   = "Allow"
//!   Action   = ["dynamodb:*"]
//!   Resource = "*"
//! }]
//! ```
//! Use instead the actions the workload needs, on its resources:
//! ```hcl
//! Statement = [{
//!   Effect   = "Allow"
//!   Action   = ["dynamodb:GetItem", "dynamodb:PutItem"]
//!   Resource = aws_dynamodb_table.orders.arn
//! }]
//! ```
//!
//! ## Fix safety
//! No fix: the needed actions and resources depend on the workload.
//!
//! ## Root cause
//! Permissions were written to make the code work, not to bound it.
//!
//! ## Impact
//! Security: a larger blast radius for any compromise of the role.
//!
//! ## References
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::RefCollector;
use crate::model::policy::{is_every_resource, is_write};

pub struct IamPolicyWildcard;

impl Rule for IamPolicyWildcard {
    fn id(&self) -> &'static str {
        "iam-policy-wildcard"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Permission boundaries cap what a role may do: `Allow *` is their usual form.
            let boundaries: Vec<String> = module
                .blocks
                .iter()
                .filter_map(|b| b.attr("permissions_boundary"))
                .flat_map(|a| {
                    let mut refs = RefCollector::default();
                    refs.expr(&a.value);
                    refs.refs.into_iter().map(|r| r.target.address())
                })
                .collect();
            for p in &module.policies {
                if p.policy.attr == "assume_role_policy" {
                    continue;
                }
                let owner = match p.owner {
                    crate::model::Owner::Block(i) => module.blocks.get(i),
                    crate::model::Owner::Local(_) => None,
                };
                if owner.is_some_and(|b| boundaries.contains(&b.address)) {
                    continue;
                }
                let address = owner.map_or_else(
                    || "a local value".to_string(),
                    |b| format!("`{}`", b.address),
                );
                for (n, s) in p.policy.statements.iter().enumerate() {
                    if !s.allows() || !s.principals.is_empty() {
                        continue;
                    }
                    let every = s.actions.iter().any(|a| a == "*" || a == "*:*");
                    let (severity, title, message) = if every {
                        (
                            Severity::High,
                            "IAM policy allows every action".to_string(),
                            format!(
                                "a statement of {address} allows `Action = \"*\"`{}: every action of every service",
                                if s.resources.iter().any(|r| is_every_resource(r)) {
                                    " on every resource"
                                } else {
                                    ""
                                }
                            ),
                        )
                    } else if s.resources.iter().any(|r| is_every_resource(r))
                        && s.conditions.is_empty()
                    {
                        let writes: Vec<&str> = s
                            .actions
                            .iter()
                            .map(String::as_str)
                            .filter(|a| is_write(a))
                            .collect();
                        if writes.is_empty() {
                            continue;
                        }
                        let shown: Vec<String> =
                            writes.iter().take(4).map(|a| format!("`{a}`")).collect();
                        let more = if writes.len() > 4 {
                            format!(" and {} more", writes.len() - 4)
                        } else {
                            String::new()
                        };
                        (
                            Severity::Medium,
                            "IAM policy allows write actions on every resource".to_string(),
                            format!(
                                "a statement of {address} allows {}{more} on every resource (`*`) with no condition: they apply to every resource of the account",
                                shown.join(", ")
                            ),
                        )
                    } else {
                        continue;
                    };
                    let mut f = self.finding(p.file, s.span.clone(), title, message);
                    f.severity = severity;
                    f.address = owner.map(|b| b.address.clone());
                    f.key = format!(
                        "{}#{}",
                        p.policy.attr,
                        s.sid.clone().unwrap_or_else(|| n.to_string())
                    );
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::policy::is_write;

    #[test]
    fn writes_are_told_from_reads() {
        assert!(is_write("s3:*"));
        assert!(is_write("s3:PutObject"));
        assert!(is_write("dynamodb:Delete*"));
        assert!(!is_write("s3:GetObject"));
        assert!(!is_write("ec2:Describe*"));
        assert!(!is_write("xray:PutTraceSegments"));
        assert!(is_write("logs:PutLogEvents"));
    }
}
