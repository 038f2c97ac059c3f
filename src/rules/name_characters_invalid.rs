//! # Name with characters AWS does not accept
//!
//! ## What it does
//! Reports a name-like argument whose value — with variable defaults, `*.tfvars` values
//! and locals filled in — holds a character that the resource type's names cannot: an
//! upper-case letter in an S3 bucket or an ECR repository; an upper-case letter or `_`
//! in an RDS instance or cluster identifier, a DB parameter group or an OpenSearch
//! domain (and `_` in a bucket; a `.` in an identifier or a domain, where a bucket and a
//! parameter group take it); `_` or `.` in a load balancer or target group name; a
//! `.` in an SQS queue or SNS topic name other than a FIFO one's `.fifo` ending; a space
//! or a `.` where Lambda, Step Functions, ECS and EKS take letters, digits, `-` and `_`
//! only (EventBridge rules, DynamoDB tables and Kinesis streams take `.` as well). Parts whose value cannot be known (resource attributes, data sources) are left
//! out: only characters every value of the name holds are checked. `lower()` and the
//! like are taken into account. The variable default or tfvars value the character
//! comes from is named as a related place.
//!
//! ## Why is this bad?
//! The name is refused when the plan validates it or when AWS creates the resource, so
//! everything that depends on it is not created. A project or environment variable
//! whose default is `"Production"` or `"TAP"` breaks every bucket and repository named
//! after it.
//!
//! ## Error
//! ```text
//! InvalidBucketName: The specified bucket is not valid.
//! Error: only lowercase alphanumeric characters and hyphens allowed in "identifier"
//! Error: invalid queue name: orders.dlq.fifo
//! ```
//!
//! ## Example
//! ```hcl
//! variable "company" {
//!   default = "TAP"
//! }
//!
//! resource "aws_ecr_repository" "app" {
//!   name = "${var.company}-app"
//! }
//! ```
//! Use instead a lower-case value, or `lower()` where the name is built:
//! ```hcl
//! resource "aws_ecr_repository" "app" {
//!   name = lower("${var.company}-app")
//! }
//! ```
//!
//! ## Fix safety
//! No fix: whether to change the variable's value (and every other name built from it)
//! or to wrap one name in `lower()` or `replace()` is the author's choice.
//!
//! ## Root cause
//! Names are built from display values (a company, a project, an environment written
//! with capitals) or with `_` and `.` as separators, which most AWS names do not take.
//!
//! ## Impact
//! Deployment blocker: the resource is refused.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
//! https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
//! https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
//! https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::Model;
use crate::model::eval::{known, literal_sources};
use crate::model::expr::{RefCollector, Target, span_of};

/// The characters a kind of name takes.
#[derive(Clone, Copy)]
enum Charset {
    /// Lower-case letters, digits, `-` and `.` (S3 buckets, DB parameter groups).
    Bucket,
    /// Lower-case letters, digits and `-` (RDS identifiers, OpenSearch domains).
    LowerHyphen,
    /// Lower-case letters, digits, `-`, `_`, `.` and `/` (ECR repositories).
    Repository,
    /// Letters, digits and `-` (load balancers, target groups).
    AlnumHyphen,
    /// Letters, digits, `-` and `_`, with a `.fifo` ending allowed (SQS, SNS).
    Queue,
    /// Letters, digits, `-` and `_` (Lambda, Step Functions, ECS, EKS).
    Word,
    /// Letters, digits, `-`, `_` and `.` (EventBridge rules, DynamoDB, Kinesis).
    WordDot,
}

impl Charset {
    fn takes(self, c: char) -> bool {
        let lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        let alnum = c.is_ascii_alphanumeric();
        match self {
            Charset::Bucket => lower || c == '-' || c == '.',
            Charset::LowerHyphen => lower || c == '-',
            Charset::Repository => lower || "-_./".contains(c),
            Charset::AlnumHyphen => alnum || c == '-',
            Charset::Queue | Charset::Word => alnum || c == '-' || c == '_',
            Charset::WordDot => alnum || "-_.".contains(c),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Charset::Bucket => "lower-case letters, digits, `-` and `.`",
            Charset::LowerHyphen => "lower-case letters, digits and `-`",
            Charset::Repository => "lower-case letters, digits, `-`, `_`, `.` and `/`",
            Charset::AlnumHyphen => "letters, digits and `-`",
            Charset::Queue => "letters, digits, `-` and `_` (and a `.fifo` ending on a FIFO one)",
            Charset::Word => "letters, digits, `-` and `_`",
            Charset::WordDot => "letters, digits, `-`, `_` and `.`",
        }
    }
}

/// `(resource type, argument, characters)`.
const NAMES: &[(&str, &str, Charset)] = &[
    ("aws_s3_bucket", "bucket", Charset::Bucket),
    ("aws_s3_bucket", "bucket_prefix", Charset::Bucket),
    ("aws_ecr_repository", "name", Charset::Repository),
    ("aws_db_instance", "identifier", Charset::LowerHyphen),
    ("aws_db_instance", "identifier_prefix", Charset::LowerHyphen),
    (
        "aws_rds_cluster",
        "cluster_identifier",
        Charset::LowerHyphen,
    ),
    (
        "aws_rds_cluster_instance",
        "identifier",
        Charset::LowerHyphen,
    ),
    ("aws_db_parameter_group", "name", Charset::Bucket),
    ("aws_rds_cluster_parameter_group", "name", Charset::Bucket),
    ("aws_opensearch_domain", "domain_name", Charset::LowerHyphen),
    (
        "aws_elasticsearch_domain",
        "domain_name",
        Charset::LowerHyphen,
    ),
    ("aws_lb", "name", Charset::AlnumHyphen),
    ("aws_alb", "name", Charset::AlnumHyphen),
    ("aws_lb_target_group", "name", Charset::AlnumHyphen),
    ("aws_alb_target_group", "name", Charset::AlnumHyphen),
    ("aws_sqs_queue", "name", Charset::Queue),
    ("aws_sns_topic", "name", Charset::Queue),
    ("aws_lambda_function", "function_name", Charset::Word),
    ("aws_sfn_state_machine", "name", Charset::Word),
    ("aws_ecs_cluster", "name", Charset::Word),
    ("aws_eks_cluster", "name", Charset::Word),
    ("aws_cloudwatch_event_rule", "name", Charset::WordDot),
    ("aws_dynamodb_table", "name", Charset::WordDot),
    ("aws_kinesis_stream", "name", Charset::WordDot),
    (
        "aws_kinesis_firehose_delivery_stream",
        "name",
        Charset::WordDot,
    ),
];

pub struct NameCharactersInvalid;

impl Rule for NameCharactersInvalid {
    fn id(&self) -> &'static str {
        "name-characters-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(crate::model::BlockKind::Resource) {
                for &(_, arg, charset) in NAMES.iter().filter(|(ty, ..)| *ty == b.label(0)) {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let value = known(module, &attr.value);
                    let mut text = value.text.as_str();
                    // A function may be named by its ARN.
                    if text.starts_with("arn:") {
                        continue;
                    }
                    if matches!(charset, Charset::Queue) {
                        // A FIFO queue's or topic's name ends in `.fifo` (whether the
                        // queue is FIFO is `settings-incompatible`'s).
                        text = text.strip_suffix(".fifo").unwrap_or(text);
                    }
                    let bad: Vec<char> = {
                        let mut seen = Vec::new();
                        for c in text.chars().filter(|c| !charset.takes(*c)) {
                            if !seen.contains(&c) {
                                seen.push(c);
                            }
                        }
                        seen
                    };
                    if bad.is_empty() {
                        continue;
                    }
                    let shown: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
                    let name = if value.complete {
                        format!("`{}`", value.text)
                    } else {
                        format!("`{}` (with parts known only at apply time)", value.text)
                    };
                    let mut f = self.finding(
                        b.file,
                        span_of(&attr.value),
                        format!(
                            "`{arg}` of `{}` holds {}, which AWS does not accept there",
                            b.address,
                            shown.join(", ")
                        ),
                        format!(
                            "`{}` {arg} is {name}: names of `{}` take {} only, so it is refused when the resource is created",
                            b.address,
                            b.label(0),
                            charset.describe()
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    f.related = sources(model, module, b.file, &attr.value, &bad, 0);
                    out.push(f);
                }
            }
        }
    }
}

/// The literal values (variable defaults, tfvars values, what callers pass, locals) of
/// the variables and locals `expr` uses that hold one of `bad`; a local built from
/// parts (`"${var.company}-${var.environment}"`) is followed into them.
fn sources(
    model: &Model<'_>,
    module: &crate::model::Module<'_>,
    file: crate::workspace::FileId,
    expr: &hcl_edit::expr::Expression,
    bad: &[char],
    depth: usize,
) -> Vec<Related> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    let mut out: Vec<Related> = Vec::new();
    for r in &refs.refs {
        let what = match &r.target {
            Target::Var(name) => format!("`var.{name}`"),
            Target::Local(name) => format!("`local.{name}`"),
            _ => continue,
        };
        // The reference's own expression, to follow it to where it is written.
        let Some(at) = walk(expr, &r.span) else {
            continue;
        };
        let literals = literal_sources(model, module, file, at);
        if literals.is_empty()
            && depth < 4
            && let Target::Local(name) = &r.target
            && let Some(local) = module.locals.iter().find(|l| l.name == name.as_str())
        {
            for related in sources(model, module, local.file, &local.attr.value, bad, depth + 1) {
                if !out
                    .iter()
                    .any(|x| x.file == related.file && x.span == related.span)
                {
                    out.push(related);
                }
            }
            continue;
        }
        for (f, e) in literals {
            let text = match e {
                hcl_edit::expr::Expression::String(s) => s.value().to_string(),
                _ => continue,
            };
            if !text.chars().any(|c| bad.contains(&c)) {
                continue;
            }
            let span = span_of(e);
            if out.iter().any(|x| x.file == f && x.span == span) {
                continue;
            }
            out.push(Related {
                file: f,
                span,
                message: format!("the value of {what} the name is built from"),
            });
        }
    }
    out
}

/// The sub-expression of `expr` with this span (a reference inside a template, a
/// function call's arguments, a conditional's branches…).
fn walk<'e>(
    expr: &'e hcl_edit::expr::Expression,
    span: &std::ops::Range<usize>,
) -> Option<&'e hcl_edit::expr::Expression> {
    use hcl_edit::expr::Expression as E;
    if span_of(expr) == *span {
        return Some(expr);
    }
    match expr {
        E::StringTemplate(t) => t.iter().find_map(|el| match el {
            hcl_edit::template::Element::Interpolation(i) => walk(&i.expr, span),
            _ => None,
        }),
        E::FuncCall(f) => f.args.iter().find_map(|a| walk(a, span)),
        E::Parenthesis(p) => walk(p.inner(), span),
        E::Conditional(c) => walk(&c.true_expr, span).or_else(|| walk(&c.false_expr, span)),
        E::BinaryOp(o) => walk(&o.lhs_expr, span).or_else(|| walk(&o.rhs_expr, span)),
        E::Array(a) => a.iter().find_map(|x| walk(x, span)),
        _ => None,
    }
}
