//! # Lambda function in a VPC whose role cannot create network interfaces
//!
//! ## What it does
//! Reports an `aws_lambda_function` with a `vpc_config` (subnets given) whose execution
//! role (`aws_iam_role` of the module) is granted `ec2:CreateNetworkInterface` by
//! nothing the module shows: no inline or attached policy statement allows it (wildcards
//! count), and none of the AWS managed policies that include it
//! (`AWSLambdaVPCAccessExecutionRole`, `AWSLambdaENIManagementAccess`, …) is attached.
//! It stays quiet when something attached to the role cannot be followed (a variable, a
//! `for_each` over ARNs, another module's policy).
//!
//! ## Why is this bad?
//! Lambda creates the function's network interfaces when the function is created, with
//! its role. Without the permission Lambda refuses the function: `InvalidParameterValueException: The provided execution
//! role does not have permissions to call CreateNetworkInterface on EC2`.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "worker" {
//!   role = aws_iam_role.worker.arn
//!   vpc_config {
//!     subnet_ids         = var.private_subnet_ids
//!     security_group_ids = [aws_security_group.worker.id]
//!   }
//! }
//!
//! resource "aws_iam_role_policy_attachment" "worker_logs" {
//!   role       = aws_iam_role.worker.name
//!   policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
//! }
//! ```
//! Use instead the VPC execution policy, and let the function wait for it:
//! ```hcl
//! resource "aws_iam_role_policy_attachment" "worker_vpc" {
//!   role       = aws_iam_role.worker.name
//!   policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
//! }
//! ```
//! with `depends_on = [aws_iam_role_policy_attachment.worker_vpc]` on the function.
//!
//! ## Fix safety
//! Unsafe: the fix attaches `AWSLambdaVPCAccessExecutionRole` (network interface and log
//! permissions) to the role, which widens what the role may do, and makes the function
//! wait for the attachment (`depends_on`).
//!
//! ## Root cause
//! The role was written for a function outside a VPC (logs only), and the VPC was added
//! later.
//!
//! ## Impact
//! Deployment blocker: the function is not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
//! - https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockKind, Model};

pub struct LambdaVpcPermissionsMissing;

const ACTION: &str = "ec2:CreateNetworkInterface";

/// AWS managed policies that allow `ec2:CreateNetworkInterface`.
const MANAGED: &[&str] = &[
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaENIManagementAccess",
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonEC2FullAccess",
    "AmazonVPCFullAccess",
];

const VPC_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

impl Rule for LambdaVpcPermissionsMissing {
    fn id(&self) -> &'static str {
        "lambda-vpc-permissions-missing"
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
                if !b.is_resource("aws_lambda_function") {
                    continue;
                }
                let Some(vpc) = b.body().blocks().find(|v| v.ident.as_str() == "vpc_config") else {
                    continue;
                };
                // `subnet_ids = []` keeps the function out of any VPC.
                let in_vpc = vpc.body.get_attribute("subnet_ids").is_some_and(|a| {
                    !matches!(&a.value, hcl_edit::expr::Expression::Array(items) if items.is_empty())
                        && !matches!(a.value, hcl_edit::expr::Expression::Null(_))
                });
                if !in_vpc {
                    continue;
                }
                let Some(role_attr) = b.attr("role") else {
                    continue;
                };
                let mut refs = RefCollector::default();
                refs.expr(&role_attr.value);
                let Some((role_index, role)) = refs.refs.iter().find_map(|r| match &r.target {
                    Target::Resource { ty, .. } if ty == "aws_iam_role" => {
                        let i = module.index_of(&r.target.address())?;
                        Some((i, &module.blocks[i]))
                    }
                    _ => None,
                }) else {
                    continue;
                };
                let grants = crate::model::grants::role_grants(module, role_index);
                let vpc_span = span_of(vpc);
                let header = vpc_span.start..vpc_span.start + "vpc_config".len();
                let path = model.path(b.file);
                let src = model.src(b.file);
                let role_related = Related {
                    file: role.file,
                    span: role.header(),
                    message: "the execution role".into(),
                };
                if grants.unknown || grants.allow(ACTION, MANAGED) {
                    continue;
                }
                let name = format!("{}_vpc_access", b.label(1));
                let attachment = format!("aws_iam_role_policy_attachment.{name}");
                let text = format!(
                    "resource \"aws_iam_role_policy_attachment\" \"{name}\" {{\n  role       = {}.name\n  policy_arn = \"{VPC_POLICY}\"\n}}\n",
                    role.address
                );
                let mut edits = Vec::new();
                if module.block(&attachment).is_none() {
                    if let Some(e) = crate::edits::add_to_depends_on(
                        path,
                        src,
                        b.span.clone(),
                        b.attr("depends_on"),
                        &attachment,
                    ) {
                        edits.push(e);
                    }
                    edits.push(crate::edits::append_to_file(model.ws, path, &text));
                }
                let mut f = self.finding(
                    b.file,
                    header,
                    format!("Lambda `{}` in a VPC cannot create its network interfaces", b.label(1)),
                    format!(
                        "`{}` runs in a VPC, but its role `{}` is granted `{ACTION}` by no policy of the module: Lambda refuses the function (\"The provided execution role does not have permissions to call CreateNetworkInterface on EC2\"); attach `AWSLambdaVPCAccessExecutionRole`",
                        b.address, role.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = "vpc_config".into();
                f.related.push(role_related);
                if edits.len() == 2 {
                    f.fix = Some(Fix::new(
                        "Attach `AWSLambdaVPCAccessExecutionRole` to the role and wait for it",
                        Applicability::Unsafe,
                        edits,
                    ));
                }
                out.push(f);
            }
        }
    }
}
