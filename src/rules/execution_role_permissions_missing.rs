//! # Execution role without the permissions its service uses at run time
//!
//! ## What it does
//! Reports a role of the module (an `aws_iam_role`) given to a service that acts with it
//! at run time, when nothing the module attaches to the role (inline or attached policy
//! statements, wildcards counted, and the AWS managed policies that include them)
//! grants what the service does with it every time:
//! - a Lambda function's `role` without `logs:CreateLogStream` and `logs:PutLogEvents`:
//!   the function runs, and writes no log;
//! - an ECS task definition's `execution_role_arn` without what the ECS agent needs to
//!   start a task whose container sends its logs with the `awslogs` driver
//!   (`logs:CreateLogStream`, `logs:PutLogEvents`) or pulls its image from an ECR
//!   repository of the module (`ecr:GetAuthorizationToken`, `ecr:BatchGetImage`,
//!   `ecr:GetDownloadUrlForLayer`): the task never starts;
//! - an EC2 instance profile's role that is granted nothing at all: the instances get a
//!   role that can do nothing.
//!
//! It stays quiet when something attached to the role cannot be followed (a variable,
//! another module's policy, a `for_each` over ARNs), when the role is not the module's
//! own, and when a module that another module calls exports it (the caller may grant it
//! more).
//!
//! ## Why is this bad?
//! None of these is checked when the resources are created: `terraform apply` succeeds.
//! The failure comes later and quietly — a function whose errors leave no trace, ECS
//! tasks stopped with `ResourceInitializationError` or `CannotPullContainerError`
//! while the service waits for them, instances whose agents are refused every call.
//!
//! ## Error
//! ```text
//! ResourceInitializationError: failed to validate logger args: … AccessDeniedException: … is not authorized to perform: logs:CreateLogStream
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "worker" {
//!   function_name = "worker"
//!   role          = aws_iam_role.worker.arn
//!   # …
//! }
//! ```
//! with a role whose only policy allows `s3:GetObject`. Use instead: attach
//! `AWSLambdaBasicExecutionRole` (or allow `logs:CreateLogStream` and `logs:PutLogEvents`
//! on the function's log group) as well.
//!
//! ## Fix safety
//! No fix: the permissions belong in the role's own policy, scoped to its log group or
//! repository, or in the AWS managed policy the team uses.
//!
//! ## Root cause
//! The role was written for what the code does (read a bucket, query a table), and the
//! permissions the service itself uses with the role were forgotten.
//!
//! ## Impact
//! Functions without logs, tasks that never start, instances that can do nothing —
//! found only when someone looks for them.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs
//! - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::span_of;
use crate::model::{BlockInfo, Model, Module};

pub struct ExecutionRolePermissionsMissing;

const LOGS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];

/// AWS managed policies that allow a Lambda function to write its logs.
const LAMBDA_LOGS: &[&str] = &[
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaExecute",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaMSKExecutionRole",
    "AWSLambdaENIManagementAccess",
    "CloudWatchLogsFullAccess",
    "CloudWatchFullAccess",
    "AdministratorAccess",
    "PowerUserAccess",
];

/// AWS managed policies that allow the ECS agent to start a task.
const ECS_EXECUTION: &[&str] = &[
    "AmazonECSTaskExecutionRolePolicy",
    "AdministratorAccess",
    "PowerUserAccess",
];

const ECR_PULL: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];

/// AWS managed policies that allow pulling from ECR.
const ECR_MANAGED: &[&str] = &[
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPowerUser",
    "AmazonEC2ContainerRegistryFullAccess",
    "AmazonEC2ContainerRegistryPullOnly",
    "AdministratorAccess",
    "PowerUserAccess",
];

impl Rule for ExecutionRolePermissionsMissing {
    fn id(&self) -> &'static str {
        "execution-role-permissions-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.declarations_known()) {
            for f in module.resources("aws_lambda_function") {
                let Some((role, at)) = role_of(module, f, "role") else {
                    continue;
                };
                let Some(missing) = missing(module, role, LOGS, LAMBDA_LOGS) else {
                    continue;
                };
                let mut finding = self.finding(
                    f.file,
                    at,
                    format!("`{}` cannot write its logs", f.address),
                    format!(
                        "The role `{}` of `{}` is not granted {missing} by any policy of the module (nor `AWSLambdaBasicExecutionRole`): the function runs, but Lambda cannot write its output or errors to CloudWatch Logs",
                        role.address, f.address
                    ),
                );
                finding.address = Some(f.address.clone());
                finding.key = "logs".into();
                finding.related.push(role_place(role));
                out.push(finding);
            }
            for t in module.resources("aws_ecs_task_definition") {
                let Some((role, at)) = role_of(module, t, "execution_role_arn") else {
                    continue;
                };
                let containers = t
                    .attr("container_definitions")
                    .map(|a| model.src(t.file).get(span_of(a)).unwrap_or(""))
                    .unwrap_or("");
                let mut needs: Vec<(&str, &[&str], &[&str])> = Vec::new();
                if containers.contains("awslogs") {
                    needs.push(("send its containers' logs", LOGS, ECS_EXECUTION));
                }
                if containers.contains("aws_ecr_repository.") || containers.contains(".dkr.ecr.") {
                    needs.push(("pull its image from ECR", ECR_PULL, ECR_MANAGED));
                }
                for (what, actions, managed) in needs {
                    let Some(missing) = missing(module, role, actions, managed) else {
                        continue;
                    };
                    let mut finding = self.finding(
                        t.file,
                        at.clone(),
                        format!("`{}` cannot {what}", role.address),
                        format!(
                            "The execution role `{}` of `{}` is not granted {missing} by any policy of the module (nor `AmazonECSTaskExecutionRolePolicy`): the ECS agent cannot {what}, and every task stops before it starts",
                            role.address, t.address
                        ),
                    );
                    finding.severity = Severity::High;
                    finding.address = Some(t.address.clone());
                    finding.key = actions.first().copied().unwrap_or("").to_string();
                    finding.related.push(role_place(role));
                    out.push(finding);
                }
            }
            for p in module.resources("aws_iam_instance_profile") {
                let Some((role, at)) = role_of(module, p, "role") else {
                    continue;
                };
                let Some(index) = module.index_of(&role.address) else {
                    continue;
                };
                if exported(module, role) {
                    continue;
                }
                let grants = crate::model::grants::role_grants(module, index);
                if grants.unknown || !grants.policies.is_empty() || !grants.managed.is_empty() {
                    continue;
                }
                let mut finding = self.finding(
                    p.file,
                    at,
                    format!("`{}` is granted nothing", role.address),
                    format!(
                        "`{}` gives its instances the role `{}`, which no policy of the module grants anything: the instances' agents and code are refused every AWS call (the SSM agent, the CloudWatch agent, reads of the application's bucket)",
                        p.address, role.address
                    ),
                );
                finding.severity = Severity::Low;
                finding.address = Some(p.address.clone());
                finding.key = "nothing".into();
                finding.related.push(role_place(role));
                out.push(finding);
            }
        }
    }
}

/// The module's role that argument `arg` of `b` names, and where it is named.
fn role_of<'m>(
    module: &'m Module<'_>,
    b: &BlockInfo<'_>,
    arg: &str,
) -> Option<(&'m BlockInfo<'m>, std::ops::Range<usize>)> {
    let attr = b.attr(arg)?;
    let role = module.referenced(&attr.value, &["aws_iam_role"])?;
    Some((role, span_of(attr)))
}

/// The actions of `actions` that nothing attached to `role` grants, as a list for a
/// message; `None` when all are granted, one of `managed` is attached, or what is
/// attached cannot be followed.
fn missing(
    module: &Module<'_>,
    role: &BlockInfo<'_>,
    actions: &[&str],
    managed: &[&str],
) -> Option<String> {
    if exported(module, role) {
        return None;
    }
    let index = module.index_of(&role.address)?;
    let grants = crate::model::grants::role_grants(module, index);
    if grants.unknown {
        return None;
    }
    let missing: Vec<String> = actions
        .iter()
        .filter(|a| !grants.allow(a, managed))
        .map(|a| format!("`{a}`"))
        .collect();
    (!missing.is_empty()).then(|| missing.join(" and "))
}

/// Whether the role leaves a module that another module calls (through an output): the
/// caller may grant it what it needs.
fn exported(module: &Module<'_>, role: &BlockInfo<'_>) -> bool {
    module.is_child && module.used_by(role, &[crate::model::BlockKind::Output])
}

fn role_place(role: &BlockInfo<'_>) -> Related {
    Related {
        file: role.file,
        span: role.header(),
        message: "the role".into(),
    }
}
