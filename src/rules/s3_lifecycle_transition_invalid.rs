//! # S3 lifecycle transition that S3 refuses
//!
//! ## What it does
//! Checks the `transition` and `noncurrent_version_transition` blocks of each rule of an
//! `aws_s3_bucket_lifecycle_configuration` (and the inline `lifecycle_rule` of an
//! `aws_s3_bucket`) against the minimums S3 enforces, with the days followed through
//! variable defaults, `*.tfvars` values and locals:
//! - a transition to `STANDARD_IA` or `ONEZONE_IA` earlier than 30 days;
//! - a transition to `GLACIER` (or `GLACIER_IR`) less than 30 days after a transition to
//!   an infrequent-access class of the same rule;
//! - a transition to `DEEP_ARCHIVE` less than 90 days after a transition to `GLACIER`;
//! - an `expiration` (or `noncurrent_version_expiration`) not later than the last
//!   transition of the rule.
//!
//! ## Why is this bad?
//! S3 validates the whole lifecycle configuration when it is written: the apply fails
//! with `InvalidArgument` and no rule of the bucket takes effect.
//!
//! ## Error
//! ```text
//! InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'
//! InvalidArgument: 'Days' in the Transition action for StorageClass 'DEEP_ARCHIVE' for filter '()' must be 90 days more than 'filter '()'' in the Transition action for StorageClass 'GLACIER'
//! ```
//!
//! ## Example
//! ```hcl
//! transition {
//!   days          = 30
//!   storage_class = "GLACIER"
//! }
//! transition {
//!   days          = 90
//!   storage_class = "DEEP_ARCHIVE"
//! }
//! ```
//! Use instead a `DEEP_ARCHIVE` transition at least 90 days after the `GLACIER` one
//! (`days = 120`).
//!
//! ## Fix safety
//! Unsafe. The fix sets the earliest day S3 accepts, which keeps objects longer in the
//! earlier class than the author wrote; the retention intent has to be confirmed.
//!
//! ## Root cause
//! Lifecycle days were chosen for the intended tiering without S3's minimum storage
//! durations, which S3 checks when the configuration is written.
//!
//! ## Impact
//! Deployment blocker for the lifecycle configuration.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html

use hcl_edit::structure::Block;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::eval::{Written, known, written_at};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model, Module};
use crate::workspace::FileId;

pub struct S3LifecycleTransitionInvalid;

/// One transition or expiration of a rule, with its days known.
struct Step<'a> {
    class: String,
    days: u64,
    value: &'a hcl_edit::expr::Expression,
}

impl Rule for S3LifecycleTransitionInvalid {
    fn id(&self) -> &'static str {
        "s3-lifecycle-transition-invalid"
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
                let rule_blocks: Vec<&Block> = match b.label(0) {
                    "aws_s3_bucket_lifecycle_configuration" => {
                        b.block.body.get_blocks("rule").collect()
                    }
                    "aws_s3_bucket" => b.block.body.get_blocks("lifecycle_rule").collect(),
                    _ => continue,
                };
                for rule in rule_blocks {
                    for (transition, expiration, days_key) in [
                        ("transition", "expiration", "days"),
                        (
                            "noncurrent_version_transition",
                            "noncurrent_version_expiration",
                            if b.label(0) == "aws_s3_bucket" {
                                "days"
                            } else {
                                "noncurrent_days"
                            },
                        ),
                    ] {
                        let steps: Vec<Step<'_>> = rule
                            .body
                            .get_blocks(transition)
                            .filter_map(|t| step(module, t, days_key))
                            .collect();
                        let mut problems: Vec<(&Step<'_>, u64, String)> = Vec::new();
                        for s in &steps {
                            let after = |classes: &[&str]| {
                                steps
                                    .iter()
                                    .filter(|o| classes.contains(&o.class.as_str()))
                                    .map(|o| o.days)
                                    .max()
                            };
                            match s.class.as_str() {
                                "STANDARD_IA" | "ONEZONE_IA" if s.days < 30 => problems.push((
                                    s,
                                    30,
                                    format!("a transition to `{}` must wait at least 30 days; this one is at {} days", s.class, s.days),
                                )),
                                "GLACIER" | "GLACIER_IR" => {
                                    if let Some(ia) = after(&["STANDARD_IA", "ONEZONE_IA"])
                                        && s.days < ia.saturating_add(30)
                                    {
                                        problems.push((
                                            s,
                                            ia.saturating_add(30),
                                            format!("objects must stay 30 days in infrequent access (from day {ia}) before `{}`; this transition is at {} days", s.class, s.days),
                                        ));
                                    }
                                }
                                "DEEP_ARCHIVE" => {
                                    if let Some(glacier) = after(&["GLACIER"])
                                        && s.days < glacier.saturating_add(90)
                                    {
                                        problems.push((
                                            s,
                                            glacier.saturating_add(90),
                                            format!("`DEEP_ARCHIVE` must come at least 90 days after `GLACIER` (day {glacier}); it is at {} days", s.days),
                                        ));
                                    }
                                }
                                _ => {}
                            }
                        }
                        let last = steps.iter().map(|s| s.days).max();
                        let expiry = rule.body.get_blocks(expiration).find_map(|e| {
                            let attr = e.body.get_attribute(days_key)?;
                            let days = known(module, &attr.value).text.parse::<u64>().ok()?;
                            Some((days, &attr.value))
                        });
                        let expiry_step;
                        if let (Some(last), Some((days, value))) = (last, expiry)
                            && days > 0
                            && days <= last
                        {
                            expiry_step = Step {
                                class: "expiration".into(),
                                days,
                                value,
                            };
                            problems.push((
                                &expiry_step,
                                last.saturating_add(1),
                                format!("the expiration at {days} days is not after the last transition (day {last})"),
                            ));
                        }
                        for (s, minimum, why) in problems {
                            self.report(model, module, b.file, &b.address, s, minimum, why, out);
                        }
                    }
                }
            }
        }
    }
}

impl S3LifecycleTransitionInvalid {
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        model: &Model<'_>,
        module: &Module<'_>,
        file: FileId,
        address: &str,
        s: &Step<'_>,
        minimum: u64,
        why: String,
        out: &mut Vec<Finding>,
    ) {
        let Written {
            file: at,
            span,
            own,
        } = written_at(model, module, file, s.value);
        let mut f = self.finding(
            at,
            span.clone(),
            "S3 refuses this lifecycle transition".into(),
            format!("`{address}`: {why}; S3 rejects the configuration with InvalidArgument"),
        );
        f.address = Some(address.to_string());
        f.key = format!("{}:{}", s.class, s.days);
        if !own {
            f.related.push(crate::finding::Related {
                file,
                span: span_of(s.value),
                message: format!("the days of the `{}` step", s.class),
            });
        }
        // A literal number only: a variable's default may serve other buckets.
        if own && model.src(file).get(span.clone()) == Some(s.days.to_string().as_str()) {
            f.fix = Some(Fix::new(
                format!("Set {minimum} days"),
                Applicability::Unsafe,
                vec![Edit::replace(model.path(file), span, minimum.to_string())],
            ));
        }
        out.push(f);
    }
}

fn step<'a>(module: &Module<'_>, t: &'a Block, days_key: &str) -> Option<Step<'a>> {
    let class = known(module, &t.body.get_attribute("storage_class")?.value);
    let value = &t.body.get_attribute(days_key)?.value;
    let days = known(module, value).text.parse::<u64>().ok()?;
    class.complete.then_some(Step {
        class: class.text,
        days,
        value,
    })
}
