//! # AWS managed policy that does not exist
//!
//! ## What it does
//! Reports an AWS managed policy ARN (`arn:aws:iam::aws:policy/…`, in any string of the
//! configuration) that names a policy AWS does not have: a policy AWS removed or never
//! had under that name (`service-role/ConfigRole`, `service-role/AWSConfigRole`,
//! `AWS_ConfigServiceRole`, `service-role/DynamoDBAutoscaleRole`), or a known policy
//! under the wrong path
//! (`arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole`, which lives under
//! `service-role/`). Names it does not know are not reported: the table holds the
//! policies these configurations use, each with its path.
//!
//! ## Why is this bad?
//! Attaching the policy fails, and the role is left without the permissions its service
//! needs.
//!
//! ## Error
//! ```text
//! NoSuchEntity: Policy arn:aws:iam::aws:policy/service-role/ConfigRole does not exist or is not attachable.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role_policy_attachment" "config" {
//!   role       = aws_iam_role.config.name
//!   policy_arn = "arn:aws:iam::aws:policy/service-role/ConfigRole"
//! }
//! ```
//! Use instead:
//! ```hcl
//! policy_arn = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
//! ```
//!
//! ## Fix safety
//! Safe when the policy is known under another path (the fix writes the path AWS uses).
//! Unsafe when it names a policy AWS does not have: the fix writes its replacement, which
//! grants what the old one was meant to. None for `DynamoDBAutoscaleRole`, which has no
//! replacement: DynamoDB auto scaling runs as Application Auto Scaling's service-linked
//! role, and the finding says so.
//!
//! ## Root cause
//! Policy names were written from memory: AWS renamed several (the AWS Config role's
//! policy is now `AWS_ConfigRole`), and a service role policy's `service-role/` path is
//! easy to leave out.
//!
//! ## Impact
//! Deployment blocker: `terraform apply` fails at the attachment.
//!
//! ## References
//! https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html
//! https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::literal_spans;

const PREFIX: &str = "arn:aws:iam::aws:policy/";

/// AWS managed policies and their path (`""`, `service-role/`, `job-function/`).
const KNOWN: &[(&str, &str)] = &[
    ("AWSLambdaBasicExecutionRole", "service-role/"),
    ("AWSLambdaVPCAccessExecutionRole", "service-role/"),
    ("AWSLambdaKinesisExecutionRole", "service-role/"),
    ("AWSLambdaDynamoDBExecutionRole", "service-role/"),
    ("AWSLambdaSQSQueueExecutionRole", "service-role/"),
    ("AWSLambdaRole", "service-role/"),
    ("AmazonRDSEnhancedMonitoringRole", "service-role/"),
    ("AmazonECSTaskExecutionRolePolicy", "service-role/"),
    ("AWS_ConfigRole", "service-role/"),
    ("AmazonAPIGatewayPushToCloudWatchLogs", "service-role/"),
    ("AWSBackupServiceRolePolicyForBackup", "service-role/"),
    ("AWSBackupServiceRolePolicyForRestores", "service-role/"),
    ("AWSGlueServiceRole", "service-role/"),
    ("AmazonDMSVPCManagementRole", "service-role/"),
    ("AmazonDMSCloudWatchLogsRole", "service-role/"),
    ("AmazonEBSCSIDriverPolicy", "service-role/"),
    ("AWSDataLifecycleManagerServiceRole", "service-role/"),
    ("AmazonEC2ContainerServiceAutoscaleRole", "service-role/"),
    ("AutoScalingNotificationAccessRole", "service-role/"),
    ("AmazonSSMMaintenanceWindowRole", "service-role/"),
    ("AWSBatchServiceRole", "service-role/"),
    ("AmazonEC2RoleforSSM", "service-role/"),
    ("AWSCodeDeployRole", "service-role/"),
    ("AmazonSSMManagedInstanceCore", ""),
    ("CloudWatchAgentServerPolicy", ""),
    ("AmazonEKSClusterPolicy", ""),
    ("AmazonEKS_CNI_Policy", ""),
    ("AmazonEKSWorkerNodePolicy", ""),
    ("AmazonEKSVPCResourceController", ""),
    ("AmazonEKSFargatePodExecutionRolePolicy", ""),
    ("AmazonEC2ContainerRegistryReadOnly", ""),
    ("AWSXRayDaemonWriteAccess", ""),
    ("SecurityAudit", ""),
    ("ViewOnlyAccess", "job-function/"),
    ("Billing", "job-function/"),
    ("DatabaseAdministrator", "job-function/"),
    ("NetworkAdministrator", "job-function/"),
    ("SystemAdministrator", "job-function/"),
    ("ReadOnlyAccess", ""),
    ("AdministratorAccess", ""),
    ("PowerUserAccess", ""),
    ("AmazonS3ReadOnlyAccess", ""),
    ("AmazonS3FullAccess", ""),
    ("AmazonEC2ReadOnlyAccess", ""),
    ("AmazonEC2FullAccess", ""),
    ("CloudWatchLogsFullAccess", ""),
    ("CloudWatchLogsReadOnlyAccess", ""),
    ("CloudWatchFullAccess", ""),
    ("CloudWatchLambdaInsightsExecutionRolePolicy", ""),
    ("AmazonDynamoDBFullAccess", ""),
    ("AmazonDynamoDBReadOnlyAccess", ""),
    ("AmazonSSMReadOnlyAccess", ""),
    ("AWSCodeDeployRoleForECS", ""),
];

/// Names AWS does not have (under any path), and the managed policy to use instead
/// (`""` when there is none to attach: then the advice says what to do).
const MISSING: &[(&str, &str)] = &[
    ("ConfigRole", "service-role/AWS_ConfigRole"),
    ("AWSConfigRole", "service-role/AWS_ConfigRole"),
    ("AWS_ConfigServiceRole", "service-role/AWS_ConfigRole"),
    ("AWS_ConfigServiceRolePolicy", "service-role/AWS_ConfigRole"),
    // DynamoDB auto scaling runs as Application Auto Scaling's service-linked role.
    ("DynamoDBAutoscaleRole", ""),
];

/// What to do instead of attaching a policy of [`MISSING`] that has no replacement.
fn advice(name: &str) -> &'static str {
    match name {
        "DynamoDBAutoscaleRole" => {
            "leave `role_arn` of the `aws_appautoscaling_target` unset: Application Auto Scaling uses its service-linked role `AWSServiceRoleForApplicationAutoScaling_DynamoDBTable`, which it creates itself"
        }
        _ => "grant the actions in an inline policy",
    }
}

pub struct IamManagedPolicyUnknown;

impl Rule for IamManagedPolicyUnknown {
    fn id(&self) -> &'static str {
        "iam-managed-policy-unknown"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let src = model.src(b.file);
                if !src.get(b.span.clone()).unwrap_or("").contains(PREFIX) {
                    continue;
                }
                let mut keys = super::OccurrenceKeys::default();
                for (key, span) in literal_spans(b.body()) {
                    let text = src.get(span.clone()).unwrap_or("");
                    for (at, _) in text.match_indices(PREFIX) {
                        let rest = &text[at + PREFIX.len()..];
                        let len = rest
                            .find(|c: char| !(c.is_ascii_alphanumeric() || "_/+=,.@-".contains(c)))
                            .unwrap_or(rest.len());
                        let written = &rest[..len];
                        let (path, name) = written
                            .rsplit_once('/')
                            .map_or(("", written), |(p, n)| (p, n));
                        let path = if path.is_empty() {
                            String::new()
                        } else {
                            format!("{path}/")
                        };
                        let (right, why, applicability) =
                            if let Some((_, instead)) = MISSING.iter().find(|(n, _)| *n == name) {
                                (
                                    (*instead).to_string(),
                                    format!("AWS has no managed policy `{name}`"),
                                    Applicability::Unsafe,
                                )
                            } else if let Some((_, p)) = KNOWN.iter().find(|(n, _)| *n == name)
                                && *p != path
                            {
                                (
                                    format!("{p}{name}"),
                                    format!("`{name}` lives under `{PREFIX}{p}`"),
                                    Applicability::Safe,
                                )
                            } else {
                                continue;
                            };
                        let instead = if right.is_empty() {
                            advice(name).to_string()
                        } else {
                            format!("use `{PREFIX}{right}`")
                        };
                        let start = span.start + at;
                        let end = start + PREFIX.len() + len;
                        let mut f = self.finding(
                            b.file,
                            start..end,
                            format!("AWS managed policy `{written}` does not exist"),
                            format!(
                                "`{}` names `{PREFIX}{written}`: {why}, so attaching it fails with NoSuchEntity; {instead}",
                                b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = keys.key(format!("{key}:{written}"));
                        if !right.is_empty() {
                            f.fix = Some(Fix::new(
                                format!("Use `{PREFIX}{right}`"),
                                applicability,
                                vec![Edit::replace(
                                    model.path(b.file),
                                    start..end,
                                    format!("{PREFIX}{right}"),
                                )],
                            ));
                        }
                        out.push(f);
                    }
                }
            }
        }
    }
}
