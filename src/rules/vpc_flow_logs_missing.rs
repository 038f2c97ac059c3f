//! # VPC without flow logs
//!
//! ## What it does
//! Reports an `aws_vpc` that no `aws_flow_log` of the module records: none names the
//! VPC in `vpc_id` (or, in provider 6, `resource_id`), directly or through a local
//! value. It stays quiet when a flow log of the module names its VPC in a way that
//! cannot be followed (a variable, a module output): that one may be this VPC's.
//!
//! ## Why is this bad?
//! Without flow logs there is no record of the traffic that reached, or was refused by,
//! the network: no evidence for an incident, no way to see what a security group let
//! through. Security baselines (CIS AWS Foundations 3.9, AWS Foundational Security Best
//! Practices EC2.6) require them for every VPC.
//!
//! ## Example
//! ```hcl
//! resource "aws_vpc" "main" {
//!   cidr_block = "10.0.0.0/16"
//! }
//! ```
//! Use instead a flow log for it:
//! ```hcl
//! resource "aws_flow_log" "main" {
//!   vpc_id               = aws_vpc.main.id
//!   traffic_type         = "ALL"
//!   log_destination_type = "s3"
//!   log_destination      = aws_s3_bucket.flow_logs.arn
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the destination (a log group with a role, or a bucket) is a choice.
//!
//! ## Root cause
//! The network was written for connectivity; its audit trail was left out.
//!
//! ## Impact
//! No record of network traffic; a finding in every security review.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
//! - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{RefCollector, Target};
use crate::model::{BlockKind, Model};

pub struct VpcFlowLogsMissing;

impl Rule for VpcFlowLogsMissing {
    fn id(&self) -> &'static str {
        "vpc-flow-logs-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let mut recorded: Vec<Target> = Vec::new();
            let mut unknown = false;
            for log in module.resources("aws_flow_log") {
                let Some(attr) = log.attr("vpc_id").or_else(|| log.attr("resource_id")) else {
                    continue;
                };
                let mut refs = RefCollector::default();
                refs.expr(&attr.value);
                let mut named = false;
                for r in refs.refs {
                    // Through a local value: the VPCs the local names.
                    let targets = match &r.target {
                        Target::Local(name) => module
                            .locals
                            .iter()
                            .filter(|l| l.name == name)
                            .flat_map(|l| {
                                let mut inner = RefCollector::default();
                                inner.expr(&l.attr.value);
                                inner.refs.into_iter().map(|r| r.target)
                            })
                            .collect(),
                        t => vec![t.clone()],
                    };
                    for t in targets {
                        if matches!(&t, Target::Resource { ty, .. } if ty == "aws_vpc") {
                            named = true;
                            recorded.push(t);
                        }
                    }
                }
                if !named {
                    unknown = true;
                }
            }
            if unknown {
                continue;
            }
            for vpc in module.blocks_of(BlockKind::Resource) {
                if !vpc.is_resource("aws_vpc") {
                    continue;
                }
                let target = Target::Resource {
                    ty: "aws_vpc".into(),
                    name: vpc.label(1).into(),
                };
                if recorded.contains(&target) {
                    continue;
                }
                let mut f = self.finding(
                    vpc.file,
                    vpc.header(),
                    format!("VPC `{}` has no flow logs", vpc.label(1)),
                    format!(
                        "no `aws_flow_log` records `{}`: its traffic, accepted or rejected, leaves no trace for an investigation",
                        vpc.address
                    ),
                );
                f.address = Some(vpc.address.clone());
                out.push(f);
            }
        }
    }
}
