//! # IAM policy grants every action, or write actions on every resource
//!
//! ## What it does
//! Reports an `Allow` statement of an identity policy (one without a `Principal`: role,
//! user and group policies, policy documents) that grants `Action = "*"` (high), or
//! grants write actions — anything but `Get*`, `List*`, `Describe*` and the like,
//! including `service:*` — on every resource (`Resource = "*"`, or an ARN whose resource
//! part is `*` such as `arn:aws:logs:*:*:*`) without a condition that narrows the
//! resources (medium): a condition on the region, TLS, the caller or its network holds
//! for every resource, and so does a negated or `…IfExists` one. The finding points at
//! the wildcarded `Action` or `Resource`. Actions that
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
                        && !scopes_resources(&s.conditions)
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
                                "a statement of {address} allows {}{more} on every resource (`*`) {}: they apply to every resource of the account",
                                shown.join(", "),
                                if s.conditions.is_empty() {
                                    "with no condition".to_string()
                                } else {
                                    let keys: Vec<String> = s
                                        .conditions
                                        .iter()
                                        .map(|c| format!("`{}`", c.key))
                                        .collect();
                                    format!(
                                        "with conditions ({}) that hold for any resource",
                                        keys.join(", ")
                                    )
                                }
                            ),
                        )
                    } else {
                        continue;
                    };
                    // At what is wildcarded: the actions for "every action", else the
                    // resources; the statement when the policy is JSON text.
                    let at = if severity == Severity::High {
                        s.action_span.clone()
                    } else {
                        s.resource_span.clone()
                    };
                    let mut f =
                        self.finding(p.file, at.unwrap_or_else(|| s.span.clone()), title, message);
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

/// Whether a statement's conditions narrow the resources it applies to. A condition on
/// a key every request carries (the region, TLS, the caller, its network or the time)
/// holds for every resource; a negated or `…IfExists` operator holds when the request
/// lacks the key, and `Null` tests presence only. Any other condition is taken to narrow
/// (a resource tag, a source ARN, an action-specific key).
fn scopes_resources(conditions: &[crate::model::policy::Condition]) -> bool {
    const REQUEST_WIDE: &[&str] = &[
        "aws:requestedregion",
        "aws:securetransport",
        "aws:currenttime",
        "aws:epochtime",
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:vpcsourceip",
        "aws:useragent",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
        "aws:viaawsservice",
        "aws:tokenissuetime",
    ];
    conditions.iter().any(|c| {
        let op = c.operator.as_str();
        let key = c.key.to_ascii_lowercase();
        let positive = !op.contains("Not") && !op.ends_with("IfExists") && op != "Null";
        let request_wide = REQUEST_WIDE.contains(&key.as_str())
            || key.starts_with("aws:principaltag/")
            || key.starts_with("aws:calledvia");
        positive && !request_wide
    })
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
