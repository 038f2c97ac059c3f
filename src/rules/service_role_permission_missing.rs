//! # Service role without a permission the service checks when it is configured
//!
//! ## What it does
//! Reports a feature whose role AWS checks when the resource is created, when the role
//! (an `aws_iam_role` of the module) is granted the actions the feature needs by
//! nothing the module shows (no inline or attached policy statement, wildcards counted,
//! and none of the AWS managed policies that include them):
//! - a Lambda function's `dead_letter_config` naming a queue (`sqs:SendMessage`) or a
//!   topic (`sns:Publish`) of the module;
//! - a Lambda event source mapping reading an SQS queue (`sqs:ReceiveMessage`,
//!   `sqs:DeleteMessage`, `sqs:GetQueueAttributes`), a DynamoDB stream
//!   (`dynamodb:GetRecords`, `dynamodb:GetShardIterator`, `dynamodb:DescribeStream`,
//!   `dynamodb:ListStreams`) or a Kinesis stream (`kinesis:GetRecords`,
//!   `kinesis:GetShardIterator`, `kinesis:DescribeStream`) of the module, with the
//!   function's role;
//! - a Step Functions state machine with a `logging_configuration` that sends to a log
//!   group (`logs:CreateLogDelivery`; the message names the other log delivery actions
//!   the service documents).
//!
//! It stays quiet when something attached to the role cannot be followed (a variable,
//! another module's policy). A function in a VPC is `lambda-vpc-permissions-missing`'s.
//!
//! ## Why is this bad?
//! These services try the role when the function, mapping or state machine is created,
//! and refuse to create it when the role cannot do what the feature needs.
//!
//! ## Error
//! ```text
//! InvalidParameterValueException: The provided execution role does not have permissions to call ReceiveMessage on SQS
//! ```
//! and `… to call SendMessage on SQS`, `Cannot access stream …. Please ensure the role
//! can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions
//! on your stream in IAM`, `AccessDeniedException: The state machine IAM Role is not
//! authorized to access the Log Destination`.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_event_source_mapping" "jobs" {
//!   event_source_arn = aws_sqs_queue.jobs.arn
//!   function_name    = aws_lambda_function.worker.arn
//! }
//! ```
//! with a role that has only `AWSLambdaBasicExecutionRole`. Use instead a role that also
//! has `AWSLambdaSQSQueueExecutionRole`, or a statement allowing the three queue actions
//! on the queue.
//!
//! ## Fix safety
//! No fix: the statement belongs in the role's own policy, scoped to the resource.
//!
//! ## Root cause
//! The role was written for the function's code, and the feature was added beside it.
//!
//! ## Impact
//! Deployment blocker: the function, mapping or state machine is not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
//! - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
//! - https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::span_of;
use crate::model::{BlockInfo, Model, Module};

pub struct ServiceRolePermissionMissing;

/// What a feature needs of its role.
struct Need {
    what: &'static str,
    actions: &'static [&'static str],
    /// AWS managed policies that grant all of `actions`.
    managed: &'static [&'static str],
    /// The service's error.
    error: &'static str,
    /// Other actions the feature uses, named in the message but not required here
    /// (whether the service checks them when it creates the resource is not documented).
    also: &'static str,
}

const BROAD: [&str; 2] = ["AdministratorAccess", "PowerUserAccess"];

const SQS_SEND: Need = Need {
    what: "send failed events to its dead-letter queue",
    actions: &["sqs:SendMessage"],
    managed: &[
        "AmazonSQSFullAccess",
        "AdministratorAccess",
        "PowerUserAccess",
    ],
    error: "The provided execution role does not have permissions to call SendMessage on SQS",
    also: "",
};

const SNS_PUBLISH: Need = Need {
    what: "publish failed events to its dead-letter topic",
    actions: &["sns:Publish"],
    managed: &[
        "AmazonSNSFullAccess",
        "AdministratorAccess",
        "PowerUserAccess",
    ],
    error: "The provided execution role does not have permissions to call Publish on SNS",
    also: "",
};

const SQS_READ: Need = Need {
    what: "read the queue",
    actions: &[
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ],
    managed: &[
        "AWSLambdaSQSQueueExecutionRole",
        "AmazonSQSFullAccess",
        "AdministratorAccess",
        "PowerUserAccess",
    ],
    error: "The provided execution role does not have permissions to call ReceiveMessage on SQS",
    also: "",
};

const DYNAMODB_STREAM: Need = Need {
    what: "read the table's stream",
    actions: &[
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ],
    managed: &[
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaInvocation-DynamoDB",
        "AmazonDynamoDBFullAccess",
        "AmazonDynamoDBFullAccess_v2",
        "AdministratorAccess",
        "PowerUserAccess",
    ],
    error: "Cannot access stream. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM",
    also: "",
};

const KINESIS_STREAM: Need = Need {
    what: "read the stream",
    actions: &[
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
    ],
    managed: &[
        "AWSLambdaKinesisExecutionRole",
        "AmazonKinesisFullAccess",
        "AdministratorAccess",
        "PowerUserAccess",
    ],
    error: "The provided execution role does not have permissions to call GetRecords on Kinesis",
    also: " (and `kinesis:ListShards`, which Lambda uses to follow the shards)",
};

const LOG_DELIVERY: Need = Need {
    what: "deliver its execution logs",
    actions: &["logs:CreateLogDelivery"],
    managed: &["CloudWatchLogsFullAccess", "AdministratorAccess"],
    error: "AccessDeniedException: The state machine IAM Role is not authorized to access the Log Destination",
    also: " (and the other log delivery actions Step Functions documents: `logs:GetLogDelivery`, `logs:UpdateLogDelivery`, `logs:DeleteLogDelivery`, `logs:ListLogDeliveries`, `logs:PutResourcePolicy`, `logs:DescribeResourcePolicies`, `logs:DescribeLogGroups`)",
};

impl Rule for ServiceRolePermissionMissing {
    fn id(&self) -> &'static str {
        "service-role-permission-missing"
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
                let cases: Vec<(&BlockInfo<'_>, std::ops::Range<usize>, &Need, String)> =
                    if b.is_resource("aws_lambda_function") {
                        dead_letter(module, b)
                    } else if b.is_resource("aws_lambda_event_source_mapping") {
                        mapping(module, b)
                    } else if b.is_resource("aws_sfn_state_machine") {
                        state_machine(module, b)
                    } else {
                        continue;
                    };
                for (role, at, need, source) in cases {
                    let Some(role_index) = module.index_of(&role.address) else {
                        continue;
                    };
                    let grants = crate::model::grants::role_grants(module, role_index);
                    if grants.unknown {
                        continue;
                    }
                    let missing: Vec<&str> = need
                        .actions
                        .iter()
                        .copied()
                        .filter(|a| !grants.allow(a, need.managed))
                        .collect();
                    if missing.is_empty()
                        || grants.managed.iter().any(|m| BROAD.contains(&m.name()))
                    {
                        continue;
                    }
                    let list = missing
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let mut f = self.finding(
                        b.file,
                        at,
                        format!("`{}` cannot {}", role.address, need.what),
                        format!(
                            "`{}` uses {source} with the role `{}`, which no policy of the module grants {list}{}: the service checks the role when it creates `{}` and refuses it (\"{}\")",
                            b.address, role.address, need.also, b.address, need.error
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = need.actions.first().copied().unwrap_or("").to_string();
                    f.related.push(Related {
                        file: role.file,
                        span: role.header(),
                        message: "the role".into(),
                    });
                    out.push(f);
                }
            }
        }
    }
}

/// The role of a function (its `role`, an `aws_iam_role` of the module).
fn function_role<'m>(
    module: &'m Module<'_>,
    function: &BlockInfo<'_>,
) -> Option<&'m BlockInfo<'m>> {
    let role = function.attr("role")?;
    module.referenced(&role.value, &["aws_iam_role"])
}

type Case<'m> = (
    &'m BlockInfo<'m>,
    std::ops::Range<usize>,
    &'static Need,
    String,
);

fn dead_letter<'m>(module: &'m Module<'_>, b: &BlockInfo<'_>) -> Vec<Case<'m>> {
    let mut out = Vec::new();
    let Some(role) = function_role(module, b) else {
        return out;
    };
    for dlq in b.body().get_blocks("dead_letter_config") {
        let Some(target) = dlq.body.get_attribute("target_arn") else {
            continue;
        };
        let Some(dest) = module.referenced(&target.value, &["aws_sqs_queue", "aws_sns_topic"])
        else {
            continue;
        };
        let need = if dest.is_resource("aws_sqs_queue") {
            &SQS_SEND
        } else {
            &SNS_PUBLISH
        };
        out.push((
            role,
            span_of(target),
            need,
            format!("the dead-letter destination `{}`", dest.address),
        ));
    }
    out
}

fn mapping<'m>(module: &'m Module<'_>, b: &BlockInfo<'_>) -> Vec<Case<'m>> {
    let (Some(source), Some(function)) = (b.attr("event_source_arn"), b.attr("function_name"))
    else {
        return Vec::new();
    };
    let Some(function) = module.referenced(&function.value, &["aws_lambda_function"]) else {
        return Vec::new();
    };
    let Some(role) = function_role(module, function) else {
        return Vec::new();
    };
    let Some(from) = module.referenced(
        &source.value,
        &["aws_sqs_queue", "aws_dynamodb_table", "aws_kinesis_stream"],
    ) else {
        return Vec::new();
    };
    let need = if from.is_resource("aws_sqs_queue") {
        &SQS_READ
    } else if from.is_resource("aws_dynamodb_table") {
        &DYNAMODB_STREAM
    } else {
        &KINESIS_STREAM
    };
    vec![(
        role,
        span_of(source),
        need,
        format!(
            "`{}` as its source, for `{}`,",
            from.address, function.address
        ),
    )]
}

fn state_machine<'m>(module: &'m Module<'_>, b: &BlockInfo<'_>) -> Vec<Case<'m>> {
    let Some(logging) = b.body().get_blocks("logging_configuration").next() else {
        return Vec::new();
    };
    // Logging is off at level OFF, and needs no destination then.
    let level = logging
        .body
        .get_attribute("level")
        .and_then(|a| crate::model::expr::static_str(&a.value));
    if level
        .as_deref()
        .is_some_and(|l| l.eq_ignore_ascii_case("off"))
        || logging.body.get_attribute("log_destination").is_none()
    {
        return Vec::new();
    }
    let Some(role) = b
        .attr("role_arn")
        .and_then(|a| module.referenced(&a.value, &["aws_iam_role"]))
    else {
        return Vec::new();
    };
    let at = span_of(logging);
    vec![(
        role,
        at.start..at.start + "logging_configuration".len(),
        &LOG_DELIVERY,
        "a log destination".to_string(),
    )]
}
