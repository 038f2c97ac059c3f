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
use crate::model::expr::span_of;
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
                // `subnet_ids = []` keeps the function out of any VPC; so may a variable
                // or local whose value is not known to hold subnets.
                let in_vpc = vpc
                    .body
                    .get_attribute("subnet_ids")
                    .is_some_and(|a| holds_subnets(module, &a.value));
                if !in_vpc {
                    continue;
                }
                let Some(role) = b
                    .attr("role")
                    .and_then(|a| module.referenced(&a.value, &["aws_iam_role"]))
                else {
                    continue;
                };
                let Some(role_index) = module.index_of(&role.address) else {
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

/// Whether `subnet_ids` certainly names subnets: a list with elements, a reference to
/// resources or data sources (`aws_subnet.private[*].id`), or a variable or local whose
/// known values are lists with elements (or that has none: the caller gives them). A
/// variable left empty by default (`[]`, `null`) is not.
fn holds_subnets(module: &crate::model::Module<'_>, expr: &hcl_edit::expr::Expression) -> bool {
    use hcl_edit::expr::Expression;
    match expr {
        Expression::Array(items) => !items.is_empty(),
        Expression::Null(_) => false,
        Expression::Traversal(_) => match crate::model::expr::traversal_path(expr) {
            Some(("var", attrs)) if attrs.len() == 1 => {
                let name = attrs[0];
                let given: Vec<&hcl_edit::expr::Expression> = module
                    .tfvars
                    .iter()
                    .filter(|v| v.name == name)
                    .map(|v| v.value)
                    .chain(
                        module
                            .block(&format!("var.{name}"))
                            .and_then(|v| v.attr("default"))
                            .map(|d| &d.value),
                    )
                    .collect();
                // A required variable: the caller gives the subnets.
                given.iter().all(|e| holds_subnets(module, e))
            }
            Some(("local", attrs)) if attrs.len() == 1 => module
                .locals
                .iter()
                .find(|l| l.name == attrs[0])
                .is_some_and(|l| holds_subnets(module, &l.attr.value)),
            _ => true,
        },
        _ => true,
    }
}
