//! # Security group lets everything out to the internet
//!
//! ## What it does
//! Reports an egress rule that allows every protocol and port (`protocol = "-1"`, or
//! ports 0–65535) to `0.0.0.0/0` or `::/0`: inline `egress` blocks of
//! `aws_security_group`, `aws_security_group_rule` with `type = "egress"`, and
//! `aws_vpc_security_group_egress_rule`. The finding points at the range; where the
//! range comes from elsewhere (a variable's default, a tfvars value, what a caller
//! passes), those places are related. Egress narrowed to some ports (HTTPS to the AWS
//! APIs) is not reported.
//!
//! ## Why is this bad?
//! A workload that may send anything anywhere is the path by which a compromised
//! instance or function exfiltrates data or reaches its command server; "deny by
//! default" in a task or a compliance framework (PCI DSS 1.3.4, CIS) means outbound
//! traffic is allowed only where the workload needs it. Reviewers flag the catch-all
//! egress rule that models copy into every security group.
//!
//! ## Example
//! ```hcl
//! egress {
//!   from_port   = 0
//!   to_port     = 0
//!   protocol    = "-1"
//!   cidr_blocks = ["0.0.0.0/0"]
//! }
//! ```
//! Use instead the destinations the workload needs: the database's security group, the
//! VPC's range, HTTPS for the AWS APIs (or VPC endpoints).
//! ```hcl
//! egress {
//!   from_port       = 5432
//!   to_port         = 5432
//!   protocol        = "tcp"
//!   security_groups = [aws_security_group.db.id]
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which destinations the workload needs is not in the code.
//!
//! ## Root cause
//! The AWS default (everything out) was written out instead of being narrowed.
//!
//! ## Impact
//! Security: nothing limits where a compromised workload can send data.
//!
//! ## References
//! https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
//! https://aquasecurity.github.io/tfsec/latest/checks/aws/ec2/no-public-egress-sgr/

use super::security_group_open_ingress::{Ports, open_rules};
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

pub struct SecurityGroupOpenEgress;

impl Rule for SecurityGroupOpenEgress {
    fn id(&self) -> &'static str {
        "security-group-open-egress"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let mut keys = super::OccurrenceKeys::default();
                for open in open_rules(model, module, b, "egress") {
                    if !matches!(open.ports, Ports::All) {
                        continue;
                    }
                    let cidr = &open.cidr;
                    let mut f = self.finding(
                        b.file,
                        open.range_attr.clone().unwrap_or(open.header.clone()),
                        format!("Egress to `{cidr}` on every port"),
                        format!(
                            "`{}` lets traffic out to `{cidr}` (the whole internet) on every port",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = keys.key(cidr.clone());
                    f.related = open.related;
                    out.push(f);
                }
            }
        }
    }
}
