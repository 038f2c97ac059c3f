//! # Alarm that notifies nobody
//!
//! ## What it does
//! Reports a CloudWatch alarm (`aws_cloudwatch_metric_alarm`,
//! `aws_cloudwatch_composite_alarm`) that nothing hears when it fires:
//! - its `alarm_actions` is written as an empty list, with no `ok_actions` or
//!   `insufficient_data_actions` either;
//! - it has no `alarm_actions` at all while the module has an SNS topic made for alerts
//!   (its name says `alarm` or `alert`) that no alarm of the module sends to.
//!
//! An alarm that something else reads — a composite alarm's rule, a Route 53 health
//! check, an Auto Scaling or deployment configuration — is left alone, and so is one with
//! `actions_enabled = false`, which says so on purpose.
//!
//! ## Why is this bad?
//! An alarm without actions only changes colour in the console. The requirement it was
//! written for — page someone when errors rise, when the database runs out of space — is
//! not met, and nothing shows it until the incident nobody was told about.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_metric_alarm" "errors" {
//!   alarm_name    = "api-5xx"
//!   # …
//!   alarm_actions = [] # Add SNS topic ARN if you want notifications
//! }
//! ```
//! Use instead: `alarm_actions = [aws_sns_topic.alerts.arn]`.
//!
//! ## Fix safety
//! Unsafe, and only when the module has exactly one topic made for alerts: the fix sends
//! the alarm to it. Which topic (and who subscribes to it) is the team's decision.
//!
//! ## Root cause
//! The alarm was written from the metric's side, and the notification left "for later";
//! or the alerts topic was created and the alarms never pointed at it.
//!
//! ## Impact
//! Monitoring that nobody receives.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_metric_alarm

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{Target, span_of, static_str};
use crate::model::{BlockInfo, Model, Module, Owner};

pub struct AlarmActionsMissing;

const ALARMS: &[&str] = &[
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_composite_alarm",
];

const ACTIONS: &[&str] = &["alarm_actions", "ok_actions", "insufficient_data_actions"];

impl Rule for AlarmActionsMissing {
    fn id(&self) -> &'static str {
        "alarm-actions-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.declarations_known()) {
            let alarms: Vec<&BlockInfo<'_>> =
                ALARMS.iter().flat_map(|t| module.resources(t)).collect();
            if alarms.is_empty() {
                continue;
            }
            let topics = unused_alert_topics(module, &alarms);
            for alarm in alarms {
                if module.used_by(
                    alarm,
                    &[
                        crate::model::BlockKind::Resource,
                        crate::model::BlockKind::Module,
                    ],
                ) || alarm
                    .attr("actions_enabled")
                    .is_some_and(|a| a.value.as_bool() == Some(false))
                    || alarm.body().blocks().any(|b| b.ident.as_str() == "dynamic")
                {
                    continue;
                }
                let empty = |name: &str| {
                    alarm.attr(name).is_some_and(|a| {
                        matches!(&a.value, hcl_edit::expr::Expression::Array(items) if items.is_empty())
                    })
                };
                let others = ACTIONS[1..].iter().any(|k| alarm.attr(k).is_some());
                let (at, why) = match alarm.attr("alarm_actions") {
                    Some(a) if empty("alarm_actions") && !others => (
                        span_of(a),
                        "its `alarm_actions` is an empty list and it has no other actions",
                    ),
                    None if !others && !topics.is_empty() => (
                        alarm.header(),
                        "it has no `alarm_actions`, and the module's alerts topic receives nothing",
                    ),
                    _ => continue,
                };
                let mut f = self.finding(
                    alarm.file,
                    at.clone(),
                    format!("`{}` notifies nobody", alarm.address),
                    format!(
                        "`{}` changes state but tells no one: {why}. Send it to the topic whoever is on call subscribes to",
                        alarm.address
                    ),
                );
                f.address = Some(alarm.address.clone());
                f.key = "actions".into();
                for t in topics.iter().take(2) {
                    f.related.push(Related {
                        file: t.file,
                        span: t.header(),
                        message: "an alerts topic no alarm sends to".into(),
                    });
                }
                if let [topic] = topics.as_slice()
                    && topic.attr("count").is_none()
                    && topic.attr("for_each").is_none()
                {
                    let target = format!("[{}.arn]", topic.address);
                    let edit = match alarm.attr("alarm_actions") {
                        Some(a) => Edit::replace(model.path(alarm.file), span_of(&a.value), target),
                        None => match crate::edits::append_to_block(
                            model.path(alarm.file),
                            model.src(alarm.file),
                            alarm.span.clone(),
                            &format!("alarm_actions = {target}"),
                        ) {
                            Some(e) => e,
                            None => {
                                out.push(f);
                                continue;
                            }
                        },
                    };
                    f.fix = Some(Fix::new(
                        format!("Send the alarm to `{}`", topic.address),
                        Applicability::Unsafe,
                        vec![edit],
                    ));
                }
                out.push(f);
            }
        }
    }
}

/// SNS topics of the module made for alerts (label or literal name says `alarm` or
/// `alert`) that no alarm of the module names in its actions.
fn unused_alert_topics<'m>(
    module: &'m Module<'_>,
    alarms: &[&BlockInfo<'_>],
) -> Vec<&'m BlockInfo<'m>> {
    module
        .resources("aws_sns_topic")
        .filter(|t| {
            let name = t
                .attr("name")
                .and_then(|a| static_str(&a.value))
                .unwrap_or_default();
            [t.label(1), name.as_str()].iter().any(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("alarm") || n.contains("alert")
            })
        })
        .filter(|t| {
            let target = Target::Resource {
                ty: t.label(0).to_string(),
                name: t.label(1).to_string(),
            };
            !module.refs_to(&target).any(|r| match r.from {
                Owner::Block(i) => module
                    .blocks
                    .get(i)
                    .is_some_and(|b| ALARMS.iter().any(|a| b.is_resource(a))),
                // A local may hand it to alarms.
                Owner::Local(_) => true,
            }) && !alarms.is_empty()
        })
        .collect()
}
