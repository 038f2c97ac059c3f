//! # Settings that AWS does not accept together
//!
//! ## What it does
//! Reports a resource whose arguments, each valid on its own, make a combination that
//! AWS (or the provider, before anything is created) refuses. Values are followed
//! through variable defaults, `*.tfvars` values, locals and module inputs; a pair is
//! reported when a value each side can take makes the combination.
//!
//! - **RDS** (`aws_db_instance`):
//!   - Performance Insights on a MySQL or MariaDB instance of class `db.t2`, `db.t3` or
//!     `db.t4g` `.micro` / `.small`;
//!   - `multi_az = true` with an `availability_zone`;
//!   - provisioned `iops` on `gp2` or magnetic storage, or `iops` / `storage_throughput`
//!     on `gp3` under 400 GiB (MySQL, MariaDB, PostgreSQL).
//! - **Enhanced Monitoring** (`aws_db_instance`, `aws_rds_cluster_instance`,
//!   `aws_rds_cluster`): a `monitoring_interval` above 0 without a
//!   `monitoring_role_arn`, and (instances) a role with the interval 0 or left out.
//! - **Aurora** (`aws_rds_cluster`): `backtrack_window` on an engine other than Aurora
//!   MySQL.
//! - **ElastiCache** (`aws_elasticache_replication_group`): automatic failover with fewer
//!   than two cache clusters; `multi_az_enabled` without automatic failover; an
//!   `auth_token` without `transit_encryption_enabled`.
//! - **SQS and SNS**: a FIFO queue or topic whose name does not end in `.fifo`, a `.fifo`
//!   name on a standard one, `content_based_deduplication` on a standard one, and a
//!   dead-letter queue of the other kind than its source queue.
//! - **ECS** (`aws_ecs_task_definition` for `FARGATE`): a `network_mode` other than
//!   `awsvpc`, task-level `cpu` or `memory` left out, or a `cpu` / `memory` pair Fargate
//!   does not offer (256 CPU units take 512, 1024 or 2048 MiB, and so on).
//! - **Load balancers**: an `aws_lb_listener` whose `protocol` the load balancer's type
//!   does not speak (`HTTP`/`HTTPS` on a network load balancer, `TCP`/`UDP`/`TLS` on an
//!   application load balancer), or that forwards to a target group of such a protocol;
//!   an `HTTPS` or `TLS` listener without `certificate_arn` (its default certificate;
//!   `aws_lb_listener_certificate` only adds others); an application load balancer whose
//!   `subnets` list holds one subnet.
//! - **Auto Scaling** (`aws_autoscaling_group`): `max_size` below `min_size`, or a
//!   `desired_capacity` outside them, each with one known value.
//! - **Lambda and SQS** (`aws_lambda_event_source_mapping`): a queue whose
//!   `visibility_timeout_seconds` (30 when left out) is shorter than the function's
//!   `timeout` (3 when left out); a FIFO queue read with a batching window or in
//!   batches of more than 10; a standard queue read in batches of more than 10 without
//!   a batching window. A function (`aws_lambda_function`) whose `dead_letter_config`
//!   is a FIFO queue.
//! - **Aurora global clusters** (`aws_rds_cluster` with `global_cluster_identifier`): an
//!   encrypted member of a global cluster created unencrypted; an encrypted secondary
//!   member (one that gives no master user) without a `kms_key_id` of its own region.
//! - **Lambda provisioned concurrency** (`aws_lambda_provisioned_concurrency_config`):
//!   a `qualifier` that is a function's `version` (or an alias of it) when the function
//!   does not set `publish = true`, so the version is `$LATEST`.
//! - **VPC flow logs** (`aws_flow_log`): an `iam_role_arn` with delivery to `s3` (the
//!   role is for CloudWatch Logs delivery, and Firehose across accounts).
//! - **RDS read replicas** (`aws_db_instance` with `replicate_source_db`): a source
//!   instance of the module with `backup_retention_period = 0`.
//! - **DynamoDB** (`aws_dynamodb_table`, checked by the provider at plan): an
//!   `attribute` that no key of the table or of an index uses, a key without an
//!   `attribute` (only when every name is written out); `PAY_PER_REQUEST` with
//!   `read_capacity` or `write_capacity`; provisioned capacity (the default) without
//!   them, or a global secondary index of such a table without its own.
//! - **EKS** (`aws_eks_node_group` without a launch template): an Arm `ami_type` with x86
//!   `instance_types`, or an x86 (or default) `ami_type` with Graviton instance types.
//! - **RDS parameter groups** (`aws_db_parameter_group`, `aws_rds_cluster_parameter_group`
//!   of a PostgreSQL or MySQL family, Aurora's included): a static parameter — one the
//!   engine reads only when it starts, such as `max_connections`, `shared_buffers` or
//!   `shared_preload_libraries` for PostgreSQL, `performance_schema` for MySQL — whose
//!   `apply_method` is `immediate`, written out or left to the provider's default. RDS
//!   answers "cannot use immediate apply method for static parameter"; the safe fix sets
//!   `apply_method = "pending-reboot"` on each.
//! - **CloudFront** (`aws_cloudfront_distribution`): a cache behaviour whose
//!   `target_origin_id` is an `origin_group` (origin failover) and whose
//!   `allowed_methods` hold `POST`, `PUT`, `PATCH` or `DELETE`.
//! - **Route 53** (`aws_route53_health_check`): an endpoint check (`HTTP`, `HTTPS`,
//!   `HTTP_STR_MATCH`, `HTTPS_STR_MATCH`, `TCP`) with neither `fqdn` nor `ip_address`.
//! - **Shield Advanced** (`aws_shield_protection`): a `resource_arn` that is a resource
//!   Shield cannot protect (an EC2 instance, an S3 bucket, a Lambda function…): only
//!   Elastic IPs, load balancers, CloudFront distributions, Route 53 hosted zones and
//!   Global Accelerator accelerators (`InvalidResourceException: Unrecognized
//!   resource`).
//! - **S3 directory buckets** (`aws_s3_directory_bucket`): a `location` named by an
//!   Availability Zone name (`us-east-1a`) instead of its zone ID (`use1-az4`), or a
//!   bucket name whose `--<zone-id>--x-s3` suffix is another zone than its location
//!   (`InvalidBucketName`).
//!
//! ## Why is this bad?
//! `terraform validate` and `plan` accept each argument, and the combination fails at
//! `apply`: `InvalidParameterCombination: Performance Insights not supported for this
//! configuration`, `A MonitoringRoleARN value is required if you specify a
//! MonitoringInterval value other than 0`, `Requesting a specific availability zone is
//! not valid for Multi-AZ instances`, `Dead-letter queue must be same type of queue as
//! the source`, `No Fargate configuration exists for given values`, `A certificate must
//! be specified for HTTPS listeners`, `At least two subnets in two different
//! Availability Zones must be specified`, `Batching window is not supported for FIFO queues`,
//! `Desired capacity:6 must be between the specified
//! min size:1 and max size:4`, `Queue visibility timeout: 30 seconds is less than
//! Function timeout: 300 seconds`, and so on. The resources created before it stay
//! half-built. DynamoDB's combinations already stop `terraform plan` (`all attributes
//! must be indexed. Unused attributes: ["expires_at"]`), after a clean `validate`.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "app" {
//!   engine                       = "mysql"
//!   instance_class               = "db.t3.micro"
//!   performance_insights_enabled = true
//!   monitoring_interval          = 60
//! }
//! ```
//! Use instead a class that has Performance Insights (or turn it off), and give Enhanced
//! Monitoring its role:
//! ```hcl
//!   instance_class               = "db.t3.medium"
//!   performance_insights_enabled = true
//!   monitoring_interval          = 60
//!   monitoring_role_arn          = aws_iam_role.rds_monitoring.arn
//! ```
//!
//! ## Fix safety
//! Unsafe where there is a fix: it turns the feature off (`performance_insights_enabled =
//! false`), removes the `availability_zone` of a Multi-AZ instance, the
//! `backtrack_window` of an Aurora PostgreSQL cluster or the `content_based_deduplication`
//! of a standard queue or topic, or sets `network_mode = "awsvpc"`; the intent may have
//! been a larger class or another design. The other combinations have no fix: which
//! side to change is a design choice. An optional value (`null`, a conditional, a
//! variable whose default is `null`) does not count as given.
//!
//! ## Root cause
//! Each setting was taken from documentation or habit without its constraints on the
//! others: a feature list written for a production instance applied to the smallest
//! class, a FIFO flag without the FIFO name, a listener written for the other kind of
//! load balancer.
//!
//! ## Impact
//! Deployment blocker: the resource is refused when it is created.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html
//! - https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html
//! - https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html
//! - https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
//! - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html
//! - https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html
//! - https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_CreateProtection.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/directory-bucket-naming-rules.html

use hcl_edit::expr::Expression;
use hcl_edit::structure::Attribute;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::{known, literal_sources};
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockInfo, BlockKind, Model, Module};
use crate::workspace::FileId;

mod cloudfront;
mod dynamodb;
mod parameters;
mod targets;

pub struct SettingsIncompatible;

impl Rule for SettingsIncompatible {
    fn id(&self) -> &'static str {
        "settings-incompatible"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let cx = Cx { model, module };
            for b in module.blocks_of(BlockKind::Resource) {
                let mut found = Vec::new();
                match b.label(0) {
                    "aws_db_instance" => {
                        cx.performance_insights(b, &mut found);
                        cx.multi_az_zone(b, &mut found);
                        cx.storage_iops(b, &mut found);
                        cx.monitoring(b, true, &mut found);
                        cx.read_replica(b, &mut found);
                    }
                    "aws_rds_cluster_instance" => cx.monitoring(b, true, &mut found),
                    "aws_rds_cluster" => {
                        cx.monitoring(b, false, &mut found);
                        cx.backtrack(b, &mut found);
                        cx.global_member(b, &mut found);
                    }
                    "aws_elasticache_replication_group" => cx.elasticache(b, &mut found),
                    "aws_sqs_queue" => cx.fifo(b, "fifo_queue", "queue", &mut found),
                    "aws_sns_topic" => cx.fifo(b, "fifo_topic", "topic", &mut found),
                    "aws_ecs_task_definition" => cx.fargate(b, &mut found),
                    "aws_lb" | "aws_alb" => cx.one_subnet(b, &mut found),
                    "aws_lb_listener" | "aws_alb_listener" => {
                        cx.listener(b, &mut found);
                        cx.listener_certificate(b, &mut found);
                    }
                    "aws_autoscaling_group" => cx.group_sizes(b, &mut found),
                    "aws_lambda_event_source_mapping" => {
                        cx.queue_visibility(b, &mut found);
                        cx.fifo_mapping(b, &mut found);
                    }
                    "aws_lambda_function" => cx.fifo_dead_letter(b, &mut found),
                    "aws_lambda_provisioned_concurrency_config" => {
                        cx.unpublished_version(b, &mut found)
                    }
                    "aws_flow_log" => cx.flow_log_role(b, &mut found),
                    "aws_cloudfront_distribution" => cx.origin_group_methods(b, &mut found),
                    "aws_route53_health_check" => cx.health_check_endpoint(b, &mut found),
                    "aws_shield_protection" => cx.shield_target(b, &mut found),
                    "aws_s3_directory_bucket" => cx.directory_bucket_zone(b, &mut found),
                    "aws_db_parameter_group" | "aws_rds_cluster_parameter_group" => {
                        cx.static_parameters(b, &mut found)
                    }
                    "aws_eks_node_group" => cx.node_group(b, &mut found),
                    "aws_dynamodb_table" => {
                        cx.dynamodb_attributes(b, &mut found);
                        cx.dynamodb_billing(b, &mut found);
                    }
                    _ => {}
                }
                for p in found {
                    let mut f = self.finding(p.file, p.span, p.title, p.message);
                    f.address = Some(b.address.clone());
                    f.key = p.key.to_string();
                    f.related = p.related;
                    f.fix = p.fix;
                    out.push(f);
                }
            }
        }
    }
}

/// The one number a setting can take.
enum Number<'a> {
    Absent,
    One(OneNumber<'a>),
    /// Several values, or one that is not known.
    Unknown,
}

struct OneNumber<'a> {
    attr: &'a Attribute,
    value: f64,
    /// Where the value is written.
    file: FileId,
    span: std::ops::Range<usize>,
}

impl Number<'_> {
    /// The value, or `default` when the setting is left out.
    fn or(&self, default: f64) -> Option<f64> {
        match self {
            Number::Absent => Some(default),
            Number::One(n) => Some(n.value),
            Number::Unknown => None,
        }
    }
}

/// One incompatible combination, before it becomes a finding.
struct Problem {
    file: FileId,
    span: std::ops::Range<usize>,
    key: &'static str,
    title: String,
    message: String,
    related: Vec<Related>,
    fix: Option<Fix>,
}

struct Cx<'a> {
    model: &'a Model<'a>,
    module: &'a Module<'a>,
}

/// A value a setting can take, and where it is written.
struct Value<'a> {
    file: FileId,
    expr: &'a Expression,
}

impl Value<'_> {
    fn text(&self) -> Option<String> {
        match self.expr {
            Expression::Number(n) => Some(n.to_string()),
            Expression::Bool(b) => Some(b.value().to_string()),
            e => static_str(e),
        }
    }

    fn number(&self) -> Option<f64> {
        match self.expr {
            Expression::Number(n) => n.value().as_f64(),
            e => static_str(e)?.trim().parse().ok(),
        }
    }

    fn is_true(&self) -> bool {
        self.text().as_deref() == Some("true")
    }
}

impl<'a> Cx<'a> {
    /// The attribute `name` of `b` and the literal values it can take.
    fn values(&self, b: &BlockInfo<'a>, name: &str) -> Option<(&'a Attribute, Vec<Value<'a>>)> {
        let attr = b.attr(name)?;
        let values = literal_sources(self.model, self.module, b.file, &attr.value)
            .into_iter()
            .map(|(file, expr)| Value { file, expr })
            .collect();
        Some((attr, values))
    }

    /// The values of `name` that satisfy `pred` (empty when the argument is absent).
    fn matching(
        &self,
        b: &BlockInfo<'a>,
        name: &str,
        pred: impl Fn(&Value<'a>) -> bool,
    ) -> Option<(&'a Attribute, Vec<Value<'a>>)> {
        let (attr, values) = self.values(b, name)?;
        let hits: Vec<Value<'a>> = values.into_iter().filter(|v| pred(v)).collect();
        (!hits.is_empty()).then_some((attr, hits))
    }

    /// Whether `name` is set to `true` in some value it can take.
    fn can_be_true(&self, b: &BlockInfo<'a>, name: &str) -> Option<&'a Attribute> {
        self.matching(b, name, Value::is_true).map(|(a, _)| a)
    }

    /// Whether `name` is left out, or every value it can take is `false` (a value that
    /// cannot be known counts as neither).
    fn surely_false(&self, b: &BlockInfo<'a>, name: &str) -> bool {
        match self.values(b, name) {
            None => true,
            Some((attr, values)) => {
                is_null(&attr.value)
                    || (!values.is_empty()
                        && values.iter().all(|v| v.text().as_deref() == Some("false")))
            }
        }
    }

    /// The attribute `name` when it certainly has a value: not `null`, nor a
    /// conditional with a `null` branch, nor a variable or local that may be `null` (a
    /// `null` default). A required variable, a reference to a resource or an element of
    /// a list count as set.
    fn surely_set(&self, b: &BlockInfo<'a>, name: &str) -> Option<&'a Attribute> {
        let attr = b.attr(name)?;
        (!self.may_be_null(&attr.value, 0)).then_some(attr)
    }

    fn may_be_null(&self, expr: &Expression, depth: usize) -> bool {
        if depth > 8 {
            return true;
        }
        match expr {
            Expression::Null(_) => true,
            Expression::Parenthesis(p) => self.may_be_null(p.inner(), depth + 1),
            Expression::Conditional(c) => {
                self.may_be_null(&c.true_expr, depth + 1)
                    || self.may_be_null(&c.false_expr, depth + 1)
            }
            Expression::Traversal(t) if t.operators.len() == 1 => {
                match crate::model::expr::traversal_path(expr) {
                    Some(("var", attrs)) if attrs.len() == 1 => {
                        let name = attrs[0];
                        let default = self
                            .module
                            .block(&format!("var.{name}"))
                            .and_then(|v| v.attr("default"));
                        self.module
                            .tfvars
                            .iter()
                            .filter(|v| v.name == name)
                            .any(|v| self.may_be_null(v.value, depth + 1))
                            || default.is_some_and(|d| self.may_be_null(&d.value, depth + 1))
                    }
                    Some(("local", attrs)) if attrs.len() == 1 => self
                        .module
                        .locals
                        .iter()
                        .find(|l| l.name == attrs[0])
                        .is_some_and(|l| self.may_be_null(&l.attr.value, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The strings `name` can take (lower-cased), with where each is written.
    fn strings(&self, b: &BlockInfo<'a>, name: &str) -> Vec<(String, Value<'a>)> {
        self.values(b, name)
            .map(|(_, values)| {
                values
                    .into_iter()
                    .filter_map(|v| Some((v.text()?.to_ascii_lowercase(), v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Related places for `values` that are not inside `b` itself.
    fn elsewhere(&self, b: &BlockInfo<'a>, values: &[Value<'a>], message: &str) -> Vec<Related> {
        values
            .iter()
            .filter(|v| !(v.file == b.file && within(&b.span, &span_of(v.expr))))
            .map(|v| Related {
                file: v.file,
                span: span_of(v.expr),
                message: message.to_string(),
            })
            .collect()
    }

    fn problem(
        &self,
        b: &BlockInfo<'a>,
        at: &Attribute,
        key: &'static str,
        title: String,
        message: String,
    ) -> Problem {
        Problem {
            file: b.file,
            span: span_of(at),
            key,
            title,
            message,
            related: Vec::new(),
            fix: None,
        }
    }

    /// A fix replacing `attr`'s value with `value`, when the value is written in `b`.
    fn set_fix(&self, b: &BlockInfo<'a>, attr: &Attribute, value: &str, title: &str) -> Fix {
        Fix::new(
            title,
            Applicability::Unsafe,
            vec![Edit::replace(
                self.model.path(b.file),
                span_of(&attr.value),
                value,
            )],
        )
    }

    fn performance_insights(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(pi) = self.can_be_true(b, "performance_insights_enabled") else {
            return;
        };
        let engines = self.strings(b, "engine");
        if !engines.iter().any(|(e, _)| e == "mysql" || e == "mariadb") {
            return;
        }
        let small: Vec<(String, Value<'a>)> = self
            .strings(b, "instance_class")
            .into_iter()
            .filter(|(c, _)| no_performance_insights(c))
            .collect();
        let Some((class, _)) = small.first() else {
            return;
        };
        let class = class.clone();
        let values: Vec<Value<'a>> = small.into_iter().map(|(_, v)| v).collect();
        let mut p = self.problem(
            b,
            pi,
            "performance_insights_enabled",
            format!("Performance Insights on `{class}`"),
            format!(
                "`{}` turns on Performance Insights on a MySQL/MariaDB instance of class `{class}`, which has none: RDS refuses to create it (\"InvalidParameterCombination: Performance Insights not supported for this configuration\"); use `db.t3.medium` or larger, or turn it off",
                b.address
            ),
        );
        p.related = self.elsewhere(
            b,
            &values,
            "the instance class without Performance Insights",
        );
        if matches!(pi.value, Expression::Bool(_)) {
            p.fix = Some(self.set_fix(
                b,
                pi,
                "false",
                "Turn Performance Insights off (`performance_insights_enabled = false`)",
            ));
        }
        found.push(p);
    }

    /// A read replica of an instance of the module whose automated backups are off
    /// (`backup_retention_period = 0`): RDS makes replicas only from a source with
    /// backups.
    fn read_replica(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(attr) = b.attr("replicate_source_db") else {
            return;
        };
        let Some(("aws_db_instance", names)) = crate::model::expr::traversal_path(&attr.value)
        else {
            return;
        };
        let Some(name) = names.first() else { return };
        let Some(source) = self.module.block(&format!("aws_db_instance.{name}")) else {
            return;
        };
        let Number::One(n) = self.one_number(source, "backup_retention_period") else {
            return;
        };
        if n.value != 0.0 {
            return;
        }
        let mut p = self.problem(
            b,
            attr,
            "replicate_source_db",
            "read replica of an instance without backups".to_string(),
            format!(
                "`{}` replicates `{}`, whose `backup_retention_period` is 0: RDS makes read replicas only of an instance with automated backups and refuses this one (\"InvalidDBInstanceState: Automated backups are not enabled for this database instance\"); give the source a retention of at least 1 day",
                b.address, source.address
            ),
        );
        p.related = vec![Related {
            file: n.file,
            span: n.span.clone(),
            message: format!("`{}` keeps no automated backups", source.address),
        }];
        found.push(p);
    }

    fn multi_az_zone(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(multi) = self.can_be_true(b, "multi_az") else {
            return;
        };
        let Some(zone) = self.surely_set(b, "availability_zone") else {
            return;
        };
        let mut p = self.problem(
            b,
            zone,
            "availability_zone",
            "Multi-AZ instance with a fixed availability zone".to_string(),
            format!(
                "`{}` is Multi-AZ (`multi_az = true`) and names an `availability_zone`: RDS refuses it (\"Requesting a specific availability zone is not valid for Multi-AZ instances\"); RDS places the primary and standby itself",
                b.address
            ),
        );
        p.related.push(Related {
            file: b.file,
            span: span_of(multi),
            message: "Multi-AZ turned on here".into(),
        });
        p.fix = Some(Fix::new(
            "Remove the `availability_zone` of the Multi-AZ instance",
            Applicability::Unsafe,
            vec![crate::edits::remove_lines(
                self.model.path(b.file),
                self.model.src(b.file),
                span_of(zone),
            )],
        ));
        found.push(p);
    }

    fn storage_iops(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let positive = |v: &Value<'_>| v.number().is_some_and(|n| n > 0.0);
        let iops = self.matching(b, "iops", positive);
        let throughput = self.matching(b, "storage_throughput", positive);
        let Some((attr, _)) = iops.as_ref().or(throughput.as_ref()) else {
            return;
        };
        let key = if iops.is_some() {
            "iops"
        } else {
            "storage_throughput"
        };
        let types = self.strings(b, "storage_type");
        if let Some((ty, v)) = types
            .iter()
            .find(|(t, _)| key == "iops" && (t == "gp2" || t == "standard"))
        {
            let mut p = self.problem(
                b,
                attr,
                key,
                format!("Provisioned IOPS on `{ty}` storage"),
                format!(
                    "`{}` sets `iops` on `{ty}` storage, which has no provisioned IOPS: RDS refuses it; use `gp3` (400 GiB or more) or `io1`/`io2`",
                    b.address
                ),
            );
            p.related = vec![Related {
                file: v.file,
                span: span_of(v.expr),
                message: "the storage type".into(),
            }];
            found.push(p);
            return;
        }
        let engines = self.strings(b, "engine");
        let gp3 = types.iter().any(|(t, _)| t == "gp3");
        let engine_ok = engines
            .iter()
            .any(|(e, _)| matches!(e.as_str(), "mysql" | "mariadb" | "postgres"));
        let sizes: Vec<f64> = self
            .values(b, "allocated_storage")
            .map(|(_, v)| v.iter().filter_map(Value::number).collect())
            .unwrap_or_default();
        if gp3 && engine_ok && !sizes.is_empty() && sizes.iter().all(|&s| s < 400.0) {
            let size = sizes.iter().cloned().fold(0.0, f64::max);
            found.push(self.problem(
                b,
                attr,
                key,
                format!("`{key}` on gp3 storage under 400 GiB"),
                format!(
                    "`{}` sets `{key}` on `gp3` storage of {size} GiB: under 400 GiB RDS gives gp3 a fixed baseline (3,000 IOPS, 125 MiB/s) and refuses the setting (\"You can't specify IOPS or storage throughput for engine … and a storage size less than 400\")",
                    b.address
                ),
            ));
        }
    }

    fn monitoring(&self, b: &BlockInfo<'a>, instance: bool, found: &mut Vec<Problem>) {
        let role = b.attr("monitoring_role_arn").filter(|a| !is_null(&a.value));
        let positive = self.matching(b, "monitoring_interval", |v| {
            v.number().is_some_and(|n| n > 0.0)
        });
        match (positive, role) {
            (Some((interval, values)), None) => {
                let mut p = self.problem(
                    b,
                    interval,
                    "monitoring_interval",
                    "Enhanced Monitoring without a monitoring role".to_string(),
                    format!(
                        "`{}` sets a `monitoring_interval` above 0 and no `monitoring_role_arn`: RDS refuses it (\"A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0\"); give it a role that trusts `monitoring.rds.amazonaws.com` with `AmazonRDSEnhancedMonitoringRole`",
                        b.address
                    ),
                );
                p.related = self.elsewhere(b, &values, "the monitoring interval");
                found.push(p);
            }
            (None, Some(role))
                if instance
                    && self.surely_set(b, "monitoring_role_arn").is_some()
                    && self.interval_zero(b) =>
            {
                found.push(self.problem(
                    b,
                    role,
                    "monitoring_role_arn",
                    "Monitoring role without a monitoring interval".to_string(),
                    format!(
                        "`{}` gives a `monitoring_role_arn` with `monitoring_interval` 0 (the default): RDS refuses it (\"If MonitoringRoleArn is specified, then you must set MonitoringInterval to a value other than 0\")",
                        b.address
                    ),
                ));
            }
            _ => {}
        }
    }

    /// Whether the monitoring interval is left out or 0 in every value it can take.
    fn interval_zero(&self, b: &BlockInfo<'a>) -> bool {
        match self.values(b, "monitoring_interval") {
            None => true,
            Some((_, values)) => {
                !values.is_empty() && values.iter().all(|v| v.number() == Some(0.0))
            }
        }
    }

    /// A member of an `aws_rds_global_cluster` of the module:
    /// - encrypted (`storage_encrypted = true`) while the global cluster, created empty
    ///   (no `source_db_cluster_identifier`), is not;
    /// - a secondary member (one that gives no master user: its data comes from the
    ///   primary) that is encrypted, by itself or through the global cluster, without a
    ///   `kms_key_id`: a KMS key is regional, so RDS cannot pick the primary's.
    fn global_member(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(global) =
            self.referenced(b, "global_cluster_identifier", &["aws_rds_global_cluster"])
        else {
            return;
        };
        let Some(member_attr) = b.attr("global_cluster_identifier") else {
            return;
        };
        let from_source = global.attr("source_db_cluster_identifier").is_some();
        let global_plain = !from_source && self.surely_false(global, "storage_encrypted");
        let member_encrypted = self.can_be_true(b, "storage_encrypted");
        if let Some(enc) = member_encrypted
            && global_plain
        {
            let mut p = self.problem(
                b,
                enc,
                "storage_encrypted",
                "Encrypted member of an unencrypted global cluster".to_string(),
                format!(
                    "`{}` sets `storage_encrypted = true`, but `{}` leaves `storage_encrypted` unset (false): RDS refuses the member (\"InvalidParameterCombination: The storageEncrypted setting should match the setting for the global cluster\")",
                    b.address, global.address
                ),
            );
            p.related = vec![Related {
                file: global.file,
                span: global.header(),
                message: "the global cluster, not encrypted".into(),
            }];
            found.push(p);
            return;
        }
        let secondary = b.attr("master_username").is_none()
            && b.attr("master_password").is_none()
            && b.attr("manage_master_user_password").is_none()
            && b.attr("snapshot_identifier").is_none()
            && b.attr("replication_source_identifier").is_none();
        let encrypted = member_encrypted.is_some()
            || (!from_source && self.can_be_true(global, "storage_encrypted").is_some());
        if !secondary || !encrypted || b.attr("kms_key_id").is_some() {
            return;
        }
        let mut p = self.problem(
            b,
            member_attr,
            "kms_key_id",
            "Encrypted secondary cluster without a KMS key".to_string(),
            format!(
                "`{}` joins `{}` as a secondary cluster (it gives no master user) and is encrypted, but sets no `kms_key_id`: a cross-region member needs a key of its own region, and RDS refuses it (\"InvalidParameterCombination: For encrypted cross-region replica, kmsKeyId should be explicitly specified\")",
                b.address, global.address
            ),
        );
        p.related = vec![Related {
            file: global.file,
            span: global.header(),
            message: "the global cluster".into(),
        }];
        found.push(p);
    }

    fn backtrack(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some((attr, _)) = self.matching(b, "backtrack_window", |v| {
            v.number().is_some_and(|n| n > 0.0)
        }) else {
            return;
        };
        let engines = self.strings(b, "engine");
        if engines.is_empty()
            || engines
                .iter()
                .any(|(e, _)| e == "aurora-mysql" || e == "aurora")
        {
            return;
        }
        let engine = &engines[0].0;
        let mut p = self.problem(
            b,
            attr,
            "backtrack_window",
            format!("Backtrack on `{engine}`"),
            format!(
                "`{}` sets `backtrack_window` on engine `{engine}`: only Aurora MySQL can backtrack, and RDS refuses the cluster",
                b.address
            ),
        );
        p.fix = Some(Fix::new(
            "Remove `backtrack_window`",
            Applicability::Unsafe,
            vec![crate::edits::remove_lines(
                self.model.path(b.file),
                self.model.src(b.file),
                span_of(attr),
            )],
        ));
        found.push(p);
    }

    fn elasticache(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let failover = self.can_be_true(b, "automatic_failover_enabled");
        if let Some(failover) = failover {
            // Cluster mode (node groups with replicas) has its own count.
            // (`cluster_mode { … }` before provider 5.)
            let cluster_mode = b.attr("num_node_groups").is_some()
                || b.attr("replicas_per_node_group").is_some()
                || b.body()
                    .blocks()
                    .any(|x| x.ident.as_str() == "cluster_mode");
            let counts: Option<Vec<f64>> = match self
                .values(b, "num_cache_clusters")
                .or_else(|| self.values(b, "number_cache_clusters"))
            {
                None => Some(vec![1.0]),
                Some((_, values)) => {
                    let n: Vec<f64> = values.iter().filter_map(Value::number).collect();
                    (!n.is_empty()).then_some(n)
                }
            };
            if !cluster_mode && counts.is_some_and(|n| n.iter().any(|&c| c < 2.0)) {
                found.push(self.problem(
                    b,
                    failover,
                    "automatic_failover_enabled",
                    "Automatic failover with one cache cluster".to_string(),
                    format!(
                        "`{}` turns on automatic failover with fewer than two cache clusters (`num_cache_clusters`, 1 when left out): there is no replica to fail over to, and the provider refuses it (\"num_cache_clusters: must be at least 2 if automatic_failover_enabled is true\")",
                        b.address
                    ),
                ));
            }
        }
        if let Some(multi) = self.can_be_true(b, "multi_az_enabled")
            && self.surely_false(b, "automatic_failover_enabled")
        {
            found.push(self.problem(
                b,
                multi,
                "multi_az_enabled",
                "Multi-AZ without automatic failover".to_string(),
                format!(
                    "`{}` turns on `multi_az_enabled` without `automatic_failover_enabled = true`: the provider refuses it (\"automatic_failover_enabled must be true if multi_az_enabled is true\")",
                    b.address
                ),
            ));
        }
        if let Some(token) = self.surely_set(b, "auth_token")
            && self.surely_false(b, "transit_encryption_enabled")
        {
            found.push(self.problem(
                b,
                token,
                "auth_token",
                "AUTH token without in-transit encryption".to_string(),
                format!(
                    "`{}` sets an `auth_token` without `transit_encryption_enabled = true`: ElastiCache takes a Redis AUTH token only with in-transit encryption, and refuses the group",
                    b.address
                ),
            ));
        }
    }

    fn fifo(&self, b: &BlockInfo<'a>, flag: &str, what: &str, found: &mut Vec<Problem>) {
        let fifo = self.can_be_true(b, flag);
        let standard = self.surely_false(b, flag);
        let name = b.attr("name").map(|a| (a, known(self.module, &a.value)));
        if let Some((attr, name)) = &name
            && name.complete
        {
            let ends = name.text.ends_with(".fifo");
            if fifo.is_some() && !ends {
                found.push(self.problem(
                    b,
                    attr,
                    "name",
                    format!("FIFO {what} name without `.fifo`"),
                    format!(
                        "`{}` is a FIFO {what} (`{flag} = true`) named `{}`: AWS requires a FIFO {what}'s name to end in `.fifo`, and refuses it",
                        b.address, name.text
                    ),
                ));
            } else if standard && ends {
                found.push(self.problem(
                    b,
                    attr,
                    "name",
                    format!("Standard {what} named `.fifo`"),
                    format!(
                        "`{}` is named `{}` but is a standard {what} (`{flag}` is not `true`): only a FIFO {what}'s name may end in `.fifo`, and AWS refuses it",
                        b.address, name.text
                    ),
                ));
            }
        }
        if standard && let Some(dedup) = self.can_be_true(b, "content_based_deduplication") {
            let mut p = self.problem(
                b,
                dedup,
                "content_based_deduplication",
                format!("Content-based deduplication on a standard {what}"),
                format!(
                    "`{}` turns on `content_based_deduplication` but is a standard {what} (`{flag}` is not `true`): deduplication exists only for FIFO, and the provider refuses it",
                    b.address
                ),
            );
            if matches!(dedup.value, Expression::Bool(_)) {
                p.fix = Some(Fix::new(
                    "Remove `content_based_deduplication`",
                    Applicability::Unsafe,
                    vec![crate::edits::remove_lines(
                        self.model.path(b.file),
                        self.model.src(b.file),
                        span_of(dedup),
                    )],
                ));
            }
            found.push(p);
        }
        if what == "queue" {
            self.dead_letter(b, fifo.is_some(), standard, found);
        }
    }

    /// A dead-letter queue of the other kind (FIFO or standard) than its source queue.
    fn dead_letter(&self, b: &BlockInfo<'a>, fifo: bool, standard: bool, found: &mut Vec<Problem>) {
        let Some(redrive) = b.attr("redrive_policy") else {
            return;
        };
        let Some(dlq) = self.module.referenced(&redrive.value, &["aws_sqs_queue"]) else {
            return;
        };
        let dlq_fifo = self.can_be_true(dlq, "fifo_queue").is_some()
            || dlq
                .attr("name")
                .is_some_and(|a| known(self.module, &a.value).text.ends_with(".fifo"));
        let dlq_standard = self.surely_false(dlq, "fifo_queue");
        let (source_kind, dlq_kind) = if fifo && dlq_standard {
            ("FIFO", "standard")
        } else if standard && dlq_fifo {
            ("standard", "FIFO")
        } else {
            return;
        };
        let mut p = self.problem(
            b,
            redrive,
            "redrive_policy",
            format!("{source_kind} queue with a {dlq_kind} dead-letter queue"),
            format!(
                "`{}` is a {source_kind} queue whose dead-letter queue `{}` is {dlq_kind}: SQS refuses it (\"Dead-letter queue must be same type of queue as the source\")",
                b.address, dlq.address
            ),
        );
        p.related.push(Related {
            file: dlq.file,
            span: dlq.header(),
            message: format!("the {dlq_kind} dead-letter queue"),
        });
        found.push(p);
    }

    fn fargate(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some((compat, _)) = self.matching(b, "requires_compatibilities", |v| {
            v.text().is_some_and(|t| t.eq_ignore_ascii_case("FARGATE"))
        }) else {
            return;
        };
        match self.values(b, "network_mode") {
            None => {
                let mut p = self.problem(
                    b,
                    compat,
                    "network_mode",
                    "Fargate task definition without `network_mode = \"awsvpc\"`".to_string(),
                    format!(
                        "`{}` requires Fargate and leaves `network_mode` out (`bridge` by default): Fargate tasks take only `awsvpc`, and ECS refuses the task definition",
                        b.address
                    ),
                );
                p.fix = crate::edits::append_to_block(
                    self.model.path(b.file),
                    self.model.src(b.file),
                    b.span.clone(),
                    "network_mode = \"awsvpc\"",
                )
                .map(|e| {
                    Fix::new(
                        "Use `network_mode = \"awsvpc\"`",
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                found.push(p);
            }
            Some((attr, values)) => {
                if let Some(v) = values
                    .iter()
                    .find(|v| v.text().is_some_and(|t| t != "awsvpc"))
                {
                    let mode = v.text().unwrap_or_default();
                    let mut p = self.problem(
                        b,
                        attr,
                        "network_mode",
                        format!("Fargate task definition with `network_mode = \"{mode}\"`"),
                        format!(
                            "`{}` requires Fargate with `network_mode = \"{mode}\"`: Fargate tasks take only `awsvpc`, and ECS refuses the task definition",
                            b.address
                        ),
                    );
                    if matches!(attr.value, Expression::String(_)) {
                        p.fix = Some(self.set_fix(
                            b,
                            attr,
                            "\"awsvpc\"",
                            "Use `network_mode = \"awsvpc\"`",
                        ));
                    }
                    found.push(p);
                }
            }
        }
        let cpu = self.values(b, "cpu");
        let memory = self.values(b, "memory");
        let (Some((cpu_attr, cpus)), Some((_, mems))) = (&cpu, &memory) else {
            let missing = if cpu.is_none() { "cpu" } else { "memory" };
            found.push(self.problem(
                b,
                compat,
                if cpu.is_none() { "cpu" } else { "memory" },
                format!("Fargate task definition without task-level `{missing}`"),
                format!(
                    "`{}` requires Fargate and sets no task-level `{missing}`: Fargate needs both `cpu` and `memory` on the task definition, and ECS refuses it",
                    b.address
                ),
            ));
            return;
        };
        let cpus: Vec<(f64, &Value<'a>)> = cpus
            .iter()
            .filter_map(|v| Some((fargate_cpu(&v.text()?)?, v)))
            .collect();
        let mems: Vec<(f64, &Value<'a>)> = mems
            .iter()
            .filter_map(|v| Some((fargate_memory(&v.text()?)?, v)))
            .collect();
        // Pairs from the same place (both defaults, or both in one tfvars file).
        let paired: Vec<_> = cpus
            .iter()
            .flat_map(|c| mems.iter().map(move |m| (c, m)))
            .filter(|((_, cv), (_, mv))| cpus.len() == 1 || mems.len() == 1 || cv.file == mv.file)
            .collect();
        if let Some(((c, cv), (m, mv))) = paired
            .iter()
            .find(|((c, _), (m, _))| !fargate_offers(*c, *m))
        {
            let mut p = self.problem(
                b,
                cpu_attr,
                "cpu",
                format!("Fargate has no {c} CPU / {m} MiB size"),
                format!(
                    "`{}` asks Fargate for {c} CPU units with {m} MiB of memory, a pair Fargate does not offer (\"No Fargate configuration exists for given values\"); {}",
                    b.address,
                    fargate_sizes(*c)
                ),
            );
            p.related = self.elsewhere(
                b,
                &[Value {
                    file: cv.file,
                    expr: cv.expr,
                }],
                "the CPU units",
            );
            p.related.push(Related {
                file: mv.file,
                span: span_of(mv.expr),
                message: "the memory".into(),
            });
            found.push(p);
        }
    }

    fn listener(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(lb) = self.referenced(b, "load_balancer_arn", &["aws_lb", "aws_alb"]) else {
            return;
        };
        let lb_types: Vec<String> = match self.values(lb, "load_balancer_type") {
            None => vec!["application".to_string()],
            Some((_, values)) => values.iter().filter_map(Value::text).collect(),
        };
        let [lb_type] = lb_types.as_slice() else {
            return;
        };
        let speaks = |protocol: &str| lb_speaks(lb_type, protocol);
        if let Some((attr, values)) = self.values(b, "protocol")
            && let Some(v) = values.iter().find(|v| {
                v.text()
                    .is_some_and(|t| speaks(&t.to_ascii_uppercase()) == Some(false))
            })
        {
            let protocol = v.text().unwrap_or_default().to_ascii_uppercase();
            let mut p = self.problem(
                b,
                attr,
                "protocol",
                format!("`{protocol}` listener on a{} {lb_type} load balancer", article(lb_type)),
                format!(
                    "`{}` listens with `{protocol}` on `{}`, a{} {lb_type} load balancer, which {}: the provider/ELB refuses the listener",
                    b.address,
                    lb.address,
                    article(lb_type),
                    lb_protocols(lb_type)
                ),
            );
            p.related.push(Related {
                file: lb.file,
                span: lb.header(),
                message: format!("the {lb_type} load balancer"),
            });
            found.push(p);
            return;
        }
        // The target groups it forwards to.
        for action in b
            .body()
            .blocks()
            .filter(|a| a.ident.as_str() == "default_action")
        {
            let Some(tg_attr) = action.body.get_attribute("target_group_arn") else {
                continue;
            };
            let Some(tg) = self.module.referenced(
                &tg_attr.value,
                &["aws_lb_target_group", "aws_alb_target_group"],
            ) else {
                continue;
            };
            let Some((tg_protocol, _)) = self.values(tg, "protocol") else {
                continue;
            };
            let Some(protocol) = static_str(&tg_protocol.value).map(|p| p.to_ascii_uppercase())
            else {
                continue;
            };
            // A target group of an ALB (`target_type = "alb"`) behind an NLB uses TCP.
            if speaks(&protocol) != Some(false) {
                continue;
            }
            let mut p = self.problem(
                b,
                tg_attr,
                "target_group_arn",
                format!("{lb_type} load balancer forwards to a `{protocol}` target group"),
                format!(
                    "`{}` forwards to `{}`, a `{protocol}` target group, from `{}`, a{} {lb_type} load balancer, which {}: ELB refuses to attach it",
                    b.address,
                    tg.address,
                    lb.address,
                    article(lb_type),
                    lb_protocols(lb_type)
                ),
            );
            p.related.push(Related {
                file: tg.file,
                span: span_of(tg_protocol),
                message: "the target group's protocol".into(),
            });
            found.push(p);
        }
    }

    /// The one number `name` of `b` can take.
    /// Only a value written in the block, or a variable the (root) module declares: the
    /// values a child module's callers or other folders give are not paired up.
    fn one_number(&self, b: &BlockInfo<'a>, name: &str) -> Number<'a> {
        let Some((attr, values)) = self.values(b, name) else {
            return Number::Absent;
        };
        let own = match crate::model::expr::traversal_path(&attr.value) {
            _ if matches!(attr.value, Expression::Number(_) | Expression::String(_)) => true,
            Some(("var", names)) if names.len() == 1 => {
                !self.module.is_child && self.module.block(&format!("var.{}", names[0])).is_some()
            }
            _ => false,
        };
        if !own {
            return Number::Unknown;
        }
        match values.as_slice() {
            [v] => match v.number() {
                Some(value) => Number::One(OneNumber {
                    attr,
                    value,
                    file: v.file,
                    span: span_of(v.expr),
                }),
                None => Number::Unknown,
            },
            _ => Number::Unknown,
        }
    }

    /// An HTTPS or TLS listener without `certificate_arn`: ELB needs its default
    /// certificate when the listener is created (`aws_lb_listener_certificate` only adds
    /// others).
    fn listener_certificate(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        if b.attr("certificate_arn").is_some() {
            return;
        }
        let Some((attr, values)) = self.matching(b, "protocol", |v| {
            v.text()
                .is_some_and(|t| t.eq_ignore_ascii_case("https") || t.eq_ignore_ascii_case("tls"))
        }) else {
            return;
        };
        let protocol = values
            .first()
            .and_then(Value::text)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let mut p = self.problem(
            b,
            attr,
            "certificate_arn",
            format!("{protocol} listener without a certificate"),
            format!(
                "`{}` listens with {protocol} and has no `certificate_arn`: Elastic Load Balancing refuses to create it (\"ValidationError: A certificate must be specified for {protocol} listeners\"), which `terraform plan` does not catch",
                b.address
            ),
        );
        p.related = self.elsewhere(b, &values, "the protocol given here");
        found.push(p);
    }

    /// An endpoint health check (HTTP, HTTPS, their string-matching forms, TCP) with
    /// neither `fqdn` nor `ip_address`: Route 53 has nothing to check.
    fn health_check_endpoint(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        const ENDPOINT: &[&str] = &["http", "https", "http_str_match", "https_str_match", "tcp"];
        let Some(ty) = b.attr("type") else {
            return;
        };
        let types = self.strings(b, "type");
        if types.is_empty() || !types.iter().all(|(t, _)| ENDPOINT.contains(&t.as_str())) {
            return;
        }
        if b.attr("fqdn").is_some() || b.attr("ip_address").is_some() {
            return;
        }
        let shown = types
            .first()
            .map(|(t, _)| t.to_ascii_uppercase())
            .unwrap_or_default();
        found.push(self.problem(
            b,
            ty,
            "fqdn",
            format!("{shown} health check without an endpoint"),
            format!(
                "`{}` is a {shown} health check with neither `fqdn` nor `ip_address`: Route 53 has no endpoint to check and refuses it (\"InvalidInput\"); give the `fqdn` (and `port`, `resource_path`) of what it checks",
                b.address
            ),
        ));
    }

    /// An application load balancer given one subnet: ELB wants two, in two zones.
    fn one_subnet(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let application = self
            .values(b, "load_balancer_type")
            .is_none_or(|(_, values)| {
                !values.is_empty()
                    && values.iter().all(|v| {
                        v.text()
                            .is_some_and(|t| t.eq_ignore_ascii_case("application"))
                    })
            });
        if !application
            || b.block
                .body
                .blocks()
                .any(|c| c.ident.as_str() == "subnet_mapping")
        {
            return;
        }
        let Some(attr) = b.attr("subnets") else {
            return;
        };
        let Expression::Array(items) = &attr.value else {
            return;
        };
        let mut items = items.iter();
        let (Some(only), None) = (items.next(), items.next()) else {
            return;
        };
        // A splat in the list is a list in a list: another error than this one.
        let splat = matches!(only, Expression::Traversal(t)
            if t.operators.iter().any(|o| matches!(o.value(),
                hcl_edit::expr::TraversalOperator::AttrSplat(_)
                    | hcl_edit::expr::TraversalOperator::FullSplat(_))));
        // One subnet for sure: a string, or a resource's `id` (`aws_subnet.a.id`,
        // `aws_subnet.a[0].id`); a variable, an output or a call may be a list.
        let one = match only {
            Expression::String(_) | Expression::StringTemplate(_) => true,
            Expression::Traversal(t) => {
                matches!(&t.expr, Expression::Variable(v) if v.as_str().starts_with("aws_"))
                    && t.operators.last().is_some_and(|o| {
                        matches!(o.value(),
                        hcl_edit::expr::TraversalOperator::GetAttr(a) if a.as_str() == "id")
                    })
            }
            _ => false,
        };
        if splat || !one {
            return;
        }
        found.push(self.problem(
            b,
            attr,
            "subnets",
            "Application load balancer in one subnet".to_string(),
            format!(
                "`{}` is an application load balancer in one subnet: Elastic Load Balancing refuses it (\"ValidationError: At least two subnets in two different Availability Zones must be specified\")",
                b.address
            ),
        ));
    }

    /// `min_size` above `max_size`, or a `desired_capacity` outside them.
    fn group_sizes(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let (Number::One(min), Number::One(max)) = (
            self.one_number(b, "min_size"),
            self.one_number(b, "max_size"),
        ) else {
            return;
        };
        let related = |what: &str, n: &OneNumber<'a>| {
            (!(n.file == b.file && within(&b.span, &n.span))).then(|| Related {
                file: n.file,
                span: n.span.clone(),
                message: what.to_string(),
            })
        };
        let (lo, hi) = (min.value, max.value);
        if lo > hi {
            let mut p = self.problem(
                b,
                max.attr,
                "max_size",
                "Auto Scaling group's maximum below its minimum".to_string(),
                format!(
                    "`{}` has `max_size = {hi}` below `min_size = {lo}`: Auto Scaling refuses it (\"ValidationError: Max bound, {hi}, must be greater than or equal to min bound, {lo}\")",
                    b.address
                ),
            );
            p.related = [
                related("the maximum given here", &max),
                related("the minimum given here", &min),
            ]
            .into_iter()
            .flatten()
            .collect();
            found.push(p);
            return;
        }
        if let Number::One(desired) = self.one_number(b, "desired_capacity")
            && (desired.value < lo || desired.value > hi)
        {
            let want = desired.value;
            let mut p = self.problem(
                b,
                desired.attr,
                "desired_capacity",
                "Auto Scaling group's desired capacity outside its sizes".to_string(),
                format!(
                    "`{}` wants `desired_capacity = {want}` outside `min_size = {lo}` and `max_size = {hi}`: Auto Scaling refuses it (\"ValidationError: Desired capacity:{want} must be between the specified min size:{lo} and max size:{hi}\")",
                    b.address
                ),
            );
            p.related = [
                related("the desired capacity given here", &desired),
                related("the minimum given here", &min),
                related("the maximum given here", &max),
            ]
            .into_iter()
            .flatten()
            .collect();
            found.push(p);
        }
    }

    /// An SQS queue feeding a Lambda function whose timeout is longer than the queue's
    /// visibility timeout (30 s and 3 s when left out).
    fn queue_visibility(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(source) = b.attr("event_source_arn") else {
            return;
        };
        // Plain references only: a conditional or a function may pick another queue.
        let plain = |name: &str| {
            b.attr(name)
                .is_some_and(|a| matches!(a.value, Expression::Traversal(_)))
        };
        if !plain("event_source_arn") || !plain("function_name") {
            return;
        }
        let (Some(queue), Some(function)) = (
            self.referenced(b, "event_source_arn", &["aws_sqs_queue"]),
            self.referenced(b, "function_name", &["aws_lambda_function"]),
        ) else {
            return;
        };
        let visibility = self.one_number(queue, "visibility_timeout_seconds");
        let timeout = self.one_number(function, "timeout");
        let (Some(seen), Some(runs)) = (visibility.or(30.0), timeout.or(3.0)) else {
            return;
        };
        if seen >= runs {
            return;
        }
        let mut p = self.problem(
            b,
            source,
            "visibility_timeout_seconds",
            "Queue's visibility timeout shorter than the function's timeout".to_string(),
            format!(
                "`{}` feeds `{}` (timeout {runs} s) from `{}`, whose visibility timeout is {seen} s: Lambda refuses the mapping (\"InvalidParameterValueException: Queue visibility timeout: {seen} seconds is less than Function timeout: {runs} seconds\"); a message would come back while the function still works on it",
                b.address, function.address, queue.address
            ),
        );
        let place = |block: &BlockInfo<'a>, n: &Number<'a>, what: &str, default: &str| match n {
            Number::One(n) => Related {
                file: n.file,
                span: n.span.clone(),
                message: what.to_string(),
            },
            _ => Related {
                file: block.file,
                span: block.span.start..block.span.start,
                message: format!("{what} ({default} when left out)"),
            },
        };
        p.related = vec![
            place(queue, &visibility, "the queue's visibility timeout", "30 s"),
            place(function, &timeout, "the function's timeout", "3 s"),
        ];
        found.push(p);
    }

    /// The FIFO queue a plain reference in `expr` names, when the queue can be FIFO.
    fn fifo_queue(&self, expr: &Expression) -> Option<(&BlockInfo<'a>, &'a Attribute)> {
        if !matches!(expr, Expression::Traversal(_)) {
            return None;
        }
        let queue = self.module.referenced(expr, &["aws_sqs_queue"])?;
        let flag = self.can_be_true(queue, "fifo_queue")?;
        Some((queue, flag))
    }

    /// What Lambda does not offer for a FIFO queue: a batching window, and batches of
    /// more than 10 messages, in an event source mapping; and batches of more than 10
    /// messages of a standard queue without a batching window.
    fn fifo_mapping(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(source) = b.attr("event_source_arn") else {
            return;
        };
        let Some((queue, flag)) = self.fifo_queue(&source.value) else {
            self.standard_batch(b, found);
            return;
        };
        let fifo = Related {
            file: queue.file,
            span: span_of(flag),
            message: format!("`{}` is a FIFO queue", queue.address),
        };
        if let Number::One(n) = self.one_number(b, "maximum_batching_window_in_seconds")
            && n.value > 0.0
        {
            let mut p = self.problem(
                b,
                n.attr,
                "maximum_batching_window_in_seconds",
                "batching window on a FIFO queue".to_string(),
                format!(
                    "`{}` reads the FIFO queue `{}` with a batching window of {} s: Lambda has no batching window for FIFO queues and refuses the mapping (\"InvalidParameterValueException: Batching window is not supported for FIFO queues\"); leave `maximum_batching_window_in_seconds` out",
                    b.address, queue.address, n.value
                ),
            );
            p.related = vec![fifo.clone()];
            p.fix = Some(Fix::new(
                "Remove `maximum_batching_window_in_seconds`",
                Applicability::Unsafe,
                vec![crate::edits::remove_lines(
                    self.model.path(b.file),
                    self.model.src(b.file),
                    span_of(n.attr),
                )],
            ));
            found.push(p);
        }
        if let Number::One(n) = self.one_number(b, "batch_size")
            && n.value > 10.0
        {
            let mut p = self.problem(
                b,
                n.attr,
                "batch_size",
                "batch of more than 10 messages from a FIFO queue".to_string(),
                format!(
                    "`{}` reads the FIFO queue `{}` in batches of {}: Lambda takes at most 10 messages at a time from a FIFO queue and refuses the mapping",
                    b.address, queue.address, n.value
                ),
            );
            p.related = vec![fifo];
            found.push(p);
        }
    }

    /// Batches of more than 10 messages from a standard queue of the module without a
    /// batching window.
    fn standard_batch(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(source) = b.attr("event_source_arn") else {
            return;
        };
        if !matches!(source.value, Expression::Traversal(_)) {
            return;
        }
        let Some(queue) = self.module.referenced(&source.value, &["aws_sqs_queue"]) else {
            return;
        };
        if !self.surely_false(queue, "fifo_queue") {
            return;
        }
        let Number::One(n) = self.one_number(b, "batch_size") else {
            return;
        };
        if n.value <= 10.0
            || !matches!(
                self.one_number(b, "maximum_batching_window_in_seconds").or(0.0),
                Some(w) if w == 0.0
            )
        {
            return;
        }
        let mut p = self.problem(
            b,
            n.attr,
            "batch_size",
            "batch of more than 10 messages without a batching window".to_string(),
            format!(
                "`{}` reads `{}` in batches of {} without a batching window: Lambda refuses the mapping (\"InvalidParameterValueException: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10\"); set `maximum_batching_window_in_seconds`, or a batch of at most 10",
                b.address, queue.address, n.value
            ),
        );
        p.related = vec![Related {
            file: queue.file,
            span: queue.span.start..queue.span.start,
            message: format!("`{}` is a standard queue", queue.address),
        }];
        found.push(p);
    }

    /// A function whose dead-letter queue is a FIFO queue: Lambda sends failed
    /// asynchronous events only to a standard queue or an SNS topic.
    fn fifo_dead_letter(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        for dlq in b.body().get_blocks("dead_letter_config") {
            let Some(target) = dlq.body.get_attribute("target_arn") else {
                continue;
            };
            let Some((queue, flag)) = self.fifo_queue(&target.value) else {
                continue;
            };
            let mut p = self.problem(
                b,
                target,
                "dead_letter_config",
                "FIFO queue as a function's dead-letter queue".to_string(),
                format!(
                    "`{}` sends failed events to `{}`, a FIFO queue: a Lambda function's dead-letter queue must be a standard queue or an SNS topic, and Lambda refuses the function (\"InvalidParameterValueException\")",
                    b.address, queue.address
                ),
            );
            p.related = vec![Related {
                file: queue.file,
                span: span_of(flag),
                message: format!("`{}` is a FIFO queue", queue.address),
            }];
            found.push(p);
        }
    }

    /// Provisioned concurrency on `aws_lambda_function.x.version` (directly, or through
    /// an alias whose `function_version` it is) of a function without `publish = true`:
    /// `version` is then `$LATEST`, and Lambda accepts provisioned concurrency only on a
    /// published version or an alias of one.
    fn unpublished_version(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(qualifier) = b.attr("qualifier") else {
            return;
        };
        let version_of = |expr: &Expression| -> Option<&BlockInfo<'a>> {
            let (root, attrs) = crate::model::expr::traversal_path(expr)?;
            if root != "aws_lambda_function" || attrs.get(1) != Some(&"version") {
                return None;
            }
            self.module
                .block(&format!("aws_lambda_function.{}", attrs.first()?))
        };
        let (function, via) = match version_of(&qualifier.value) {
            Some(f) => (f, None),
            None => {
                let Some(alias) = self.referenced(b, "qualifier", &["aws_lambda_alias"]) else {
                    return;
                };
                let Some(f) = alias
                    .attr("function_version")
                    .and_then(|v| version_of(&v.value))
                else {
                    return;
                };
                (f, Some(alias))
            }
        };
        if function.attr("publish").is_some() {
            // `publish = true`, or a value this does not follow.
            if function.attr("publish").and_then(|p| p.value.as_bool()) != Some(false) {
                return;
            }
        }
        let mut p = self.problem(
            b,
            qualifier,
            "qualifier",
            "provisioned concurrency on an unpublished version".to_string(),
            format!(
                "`{}` configures `{}`{}, whose `version` is `$LATEST` because it does not set `publish = true`: Lambda refuses provisioned concurrency on `$LATEST` (\"InvalidParameterValueException: Provisioned Concurrency Configs cannot be applied to unpublished function versions\")",
                b.address,
                function.address,
                via.map_or(String::new(), |a| format!(" through `{}`", a.address))
            ),
        );
        p.related = vec![Related {
            file: function.file,
            span: function.header(),
            message: "the function, which publishes no version".into(),
        }];
        found.push(p);
    }

    /// A flow log delivered to S3 with an `iam_role_arn`: the role is for CloudWatch
    /// Logs delivery (and Firehose across accounts), and EC2 refuses it for S3.
    fn flow_log_role(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(role) = b.attr("iam_role_arn") else {
            return;
        };
        let types = self.strings(b, "log_destination_type");
        let [(kind, v)] = types.as_slice() else {
            return;
        };
        if kind != "s3" {
            return;
        }
        let mut p = self.problem(
            b,
            role,
            "iam_role_arn",
            format!("flow log to {kind} with an IAM role"),
            format!(
                "`{}` delivers to {kind} and sets `iam_role_arn`, which only CloudWatch Logs (and cross-account Firehose) delivery uses: EC2 refuses the flow log (\"InvalidParameter: DeliverLogsPermissionArn is not applicable for {kind} delivery\"); remove the role (S3 delivery is authorised by the bucket policy)",
                b.address
            ),
        );
        p.related = self.elsewhere(
            b,
            std::slice::from_ref(v),
            "the destination type given here",
        );
        p.fix = Some(Fix::new(
            "Remove `iam_role_arn`",
            Applicability::Unsafe,
            vec![crate::edits::remove_lines(
                self.model.path(b.file),
                self.model.src(b.file),
                span_of(role),
            )],
        ));
        found.push(p);
    }

    /// The block of one of `types` that `name` of `b` refers to.
    fn referenced(&self, b: &BlockInfo<'a>, name: &str, types: &[&str]) -> Option<&BlockInfo<'a>> {
        self.module.referenced(&b.attr(name)?.value, types)
    }

    fn node_group(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        if b.body()
            .blocks()
            .any(|x| x.ident.as_str() == "launch_template")
        {
            return;
        }
        let ami = self.values(b, "ami_type");
        let ami_types: Vec<String> = match &ami {
            None => vec!["AL2_x86_64".to_string()],
            Some((_, values)) => values.iter().filter_map(Value::text).collect(),
        };
        let [ami_type] = ami_types.as_slice() else {
            return;
        };
        let Some(arm) = ami_is_arm(ami_type) else {
            return;
        };
        let instances = self.strings(b, "instance_types");
        let types: Vec<String> = if b.attr("instance_types").is_none() {
            vec!["t3.medium".to_string()]
        } else {
            instances.iter().map(|(t, _)| t.clone()).collect()
        };
        let Some(wrong) = types.iter().find(|t| is_graviton(t) != arm) else {
            return;
        };
        let (arch, other) = if arm {
            ("Arm", "x86")
        } else {
            ("x86", "Arm (Graviton)")
        };
        let at = ami
            .as_ref()
            .map(|(a, _)| *a)
            .or_else(|| b.attr("instance_types"));
        let Some(at) = at else {
            return;
        };
        let mut p = self.problem(
            b,
            at,
            "ami_type",
            format!("{arch} AMI type with {other} instance type `{wrong}`"),
            format!(
                "`{}` runs the {arch} AMI type `{ami_type}`{} on `{wrong}`, an {other} instance type: EKS refuses the node group (the AMI's architecture must match the instances')",
                b.address,
                if ami.is_none() { " (the default)" } else { "" }
            ),
        );
        if let Some(attr) = b.attr("instance_types")
            && ami.is_some()
        {
            p.related.push(Related {
                file: b.file,
                span: span_of(attr),
                message: "the instance types".into(),
            });
        }
        found.push(p);
    }
}

fn is_null(expr: &Expression) -> bool {
    matches!(expr, Expression::Null(_))
}

fn within(outer: &std::ops::Range<usize>, inner: &std::ops::Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// RDS MySQL and MariaDB classes without Performance Insights.
fn no_performance_insights(class: &str) -> bool {
    let Some(rest) = class.strip_prefix("db.") else {
        return false;
    };
    let Some((family, size)) = rest.split_once('.') else {
        return false;
    };
    matches!(family, "t2" | "t3" | "t4g") && matches!(size, "micro" | "small")
}

/// Fargate CPU units from `256`, `"1024"` or `"1 vCPU"`.
fn fargate_cpu(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("vcpu") {
        return v.trim().parse::<f64>().ok().map(|v| v * 1024.0);
    }
    t.parse().ok()
}

/// Fargate memory in MiB from `512`, `"2048"` or `"2 GB"`.
fn fargate_memory(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("gb") {
        return v.trim().parse::<f64>().ok().map(|v| v * 1024.0);
    }
    t.parse().ok()
}

/// The memory range (MiB) and step Fargate offers for CPU units `cpu`.
fn fargate_range(cpu: f64) -> Option<(f64, f64, f64)> {
    Some(match cpu as u64 {
        256 => (512.0, 2048.0, 512.0),
        512 => (1024.0, 4096.0, 1024.0),
        1024 => (2048.0, 8192.0, 1024.0),
        2048 => (4096.0, 16384.0, 1024.0),
        4096 => (8192.0, 30720.0, 1024.0),
        8192 => (16384.0, 61440.0, 4096.0),
        16384 => (32768.0, 122880.0, 8192.0),
        _ => return None,
    })
}

fn fargate_offers(cpu: f64, memory: f64) -> bool {
    match fargate_range(cpu) {
        // 256 CPU units: 512, 1024 and 2048 MiB only.
        Some((min, max, _)) if cpu as u64 == 256 => {
            memory >= min && memory <= max && [512.0, 1024.0, 2048.0].contains(&memory)
        }
        Some((min, max, step)) => memory >= min && memory <= max && (memory % step) == 0.0,
        None => false,
    }
}

fn fargate_sizes(cpu: f64) -> String {
    match fargate_range(cpu) {
        Some(_) if cpu as u64 == 256 => "256 CPU units take 512, 1024 or 2048 MiB".to_string(),
        Some((min, max, step)) => {
            format!("{cpu} CPU units take {min} to {max} MiB in steps of {step}")
        }
        None => "Fargate takes 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units".to_string(),
    }
}

/// Whether a load balancer of `lb_type` speaks `protocol`; `None` when not known.
fn lb_speaks(lb_type: &str, protocol: &str) -> Option<bool> {
    let web = matches!(protocol, "HTTP" | "HTTPS");
    let transport = matches!(protocol, "TCP" | "UDP" | "TLS" | "TCP_UDP");
    match lb_type {
        "application" => (web || transport).then_some(web),
        "network" => (web || transport).then_some(transport),
        _ => None,
    }
}

fn lb_protocols(lb_type: &str) -> &'static str {
    if lb_type == "network" {
        "speaks only TCP, UDP, TLS and TCP_UDP"
    } else {
        "speaks only HTTP and HTTPS"
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "n"
    } else {
        ""
    }
}

/// Whether an EKS AMI type is for Arm; `None` when it is not known.
fn ami_is_arm(ami_type: &str) -> Option<bool> {
    let t = ami_type.to_ascii_uppercase();
    if t.contains("ARM_64") {
        Some(true)
    } else if t.contains("X86_64") || t.starts_with("WINDOWS") {
        Some(false)
    } else {
        None
    }
}

/// Whether an EC2 instance type is a Graviton (Arm) one: `a1`, or a family whose
/// generation digit is followed by `g` (`t4g`, `m6gd`, `c7gn`, `im4gn`, `is4gen`).
fn is_graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    if family == "a1" {
        return true;
    }
    let letters = family.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let rest = letters.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < letters.len() && rest.starts_with('g')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graviton_families_are_told_apart() {
        for t in [
            "t4g.small",
            "m6gd.large",
            "c7gn.xlarge",
            "im4gn.large",
            "is4gen.xlarge",
            "a1.medium",
            "g5g.xlarge",
        ] {
            assert!(is_graviton(t), "{t}");
        }
        for t in [
            "t3.medium",
            "m5.large",
            "g4dn.xlarge",
            "g5.xlarge",
            "m7i-flex.large",
            "c5n.large",
            "inf2.xlarge",
        ] {
            assert!(!is_graviton(t), "{t}");
        }
    }

    #[test]
    fn fargate_sizes_follow_the_table() {
        assert!(fargate_offers(256.0, 512.0));
        assert!(!fargate_offers(256.0, 1536.0));
        assert!(!fargate_offers(256.0, 4096.0));
        assert!(fargate_offers(512.0, 3072.0));
        assert!(!fargate_offers(512.0, 512.0));
        assert!(fargate_offers(1024.0, 2048.0));
        assert!(!fargate_offers(1024.0, 1024.0));
        assert!(fargate_offers(4096.0, 30720.0));
        assert!(!fargate_offers(8192.0, 18432.0));
        assert_eq!(fargate_cpu("1 vCPU"), Some(1024.0));
        assert_eq!(fargate_memory("2 GB"), Some(2048.0));
    }

    #[test]
    fn small_classes_have_no_performance_insights() {
        assert!(no_performance_insights("db.t3.micro"));
        assert!(no_performance_insights("db.t4g.small"));
        assert!(!no_performance_insights("db.t3.medium"));
        assert!(!no_performance_insights("db.r6g.large"));
    }
}
